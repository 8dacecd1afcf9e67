// revealToAgent in the admin UI: an owner grants a secret with "Reveal the value to the
// agent" (the warning says the conversation will hold the plaintext), vault.read then
// returns the value; switching it off on the bot page gives references only again.
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, snap, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();
const JUSTIFICATION = "Open the vendor portal to download the invoices";

test("owner reveals a secret to the agent with a warning, and takes it back", async ({ page }) => {
  const value = `portal-${Date.now()}-password`;
  await api(vault, "POST", "/api/v1/secrets", { name: "VENDOR_PORTAL_PASSWORD", value });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "invoice-agent" });
  const read = () => botCall(vault, "POST", "/api/vault/read", bot.token, { secret: "VENDOR_PORTAL_PASSWORD", justification: JUSTIFICATION });

  await signIn(page, vault);
  await page.goto(`${vault.url}/bots/${bot.id}`);
  const form = page.getByRole("form", { name: "Grant a secret" });
  await form.getByLabel("Secret", { exact: true }).selectOption({ label: "VENDOR_PORTAL_PASSWORD (default)" });
  await expect(form.getByText("the agent's conversation (and every log of it) will hold the secret")).toBeVisible();
  await form.getByLabel("Reveal the value to the agent").check();
  await form.getByRole("button", { name: "Grant", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("The agent will see its value through vault_read");
  const row = page.getByRole("row").filter({ hasText: "VENDOR_PORTAL_PASSWORD" });
  await expect(row.getByRole("cell").filter({ hasText: /^yes/ })).toBeVisible();
  await snap(page, "grant-reveal");
  expect(await page.content()).not.toContain(value);

  const revealed = await read();
  expect(revealed.status).toBe(200);
  expect(revealed.body).toMatchObject({ reference: "{{secret:VENDOR_PORTAL_PASSWORD}}", revealed: true, value });

  await row.getByRole("button", { name: "Stop revealing", exact: true }).click();
  await page.getByRole("dialog").getByRole("button", { name: "References only", exact: true }).click();
  await expect(row.getByRole("button", { name: "Reveal", exact: true })).toBeVisible();
  await expect(row.getByRole("button", { name: "Stop revealing", exact: true })).toHaveCount(0);
  const referenceOnly = await read();
  expect(referenceOnly.body).toEqual({ secret: "VENDOR_PORTAL_PASSWORD", scope: "default", reference: "{{secret:VENDOR_PORTAL_PASSWORD}}", approvalRequired: false, revealed: false });

  // Switching it back on shows the warning again before anything changes.
  await row.getByRole("button", { name: "Reveal", exact: true }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog).toContainText("will hold the secret");
  await dialog.getByRole("button", { name: "Reveal the value", exact: true }).click();
  await expect(row.getByRole("button", { name: "Stop revealing", exact: true })).toBeVisible();

  await sealAudit(vault.prisma, vault.orgId);
  const events = await vault.prisma.auditEvent.findMany({ where: { orgId: vault.orgId, type: { in: ["grant.created", "grant.updated"] } }, orderBy: { seq: "asc" } });
  expect(events.map((e) => [e.type, (e.data as { revealToAgent: boolean }).revealToAgent, e.actorType])).toEqual([
    ["grant.created", true, "user"],
    ["grant.updated", false, "user"],
    ["grant.updated", true, "user"],
  ]);
});

test("a security member sees whether a grant reveals its value but cannot change it", async ({ page }) => {
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: "SHIPPING_API_KEY", value: `ship-${Date.now()}` });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "shipping-agent" });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id, revealToAgent: true });
  const security = await vault.addMember("security");
  await signIn(page, vault, security);
  await page.goto(`${vault.url}/bots/${bot.id}`);
  const row = page.getByRole("row").filter({ hasText: "SHIPPING_API_KEY" });
  await expect(row.getByRole("cell").filter({ hasText: /^yes$/ })).toBeVisible();
  await expect(row.getByRole("button", { name: /Reveal/ })).toHaveCount(0);
  await expect(page.getByRole("form", { name: "Grant a secret" })).toHaveCount(0);
});
