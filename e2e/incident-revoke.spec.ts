// Incident control: a security engineer cuts every bot off in one click plus one
// confirmation, freezing them; every resolve then answers 410 and new requests 403.
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, snap, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();
const justification = "Nightly reconciliation of the ledger";

test("security revokes every lease of the org and freezes the bots", async ({ page }) => {
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: "LEDGER_KEY", value: "ledger-value" });
  const bots = [];
  for (const name of ["ledger-bot-a", "ledger-bot-b"]) {
    const bot = await api(vault, "POST", "/api/v1/bots", { name });
    await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
    bots.push({ token: bot.token as string });
  }
  const leases = [];
  for (const bot of [...bots, bots[0]]) {
    const lease = await botCall(vault, "POST", "/api/leases", bot.token, { secret: "LEDGER_KEY", justification });
    expect(lease.status).toBe(201);
    leases.push(lease.body);
  }

  const security = await vault.addMember("security");
  await signIn(page, vault, security);
  await page.goto(`${vault.url}/leases?status=active`);
  await expect(page.getByRole("row").filter({ hasText: "ledger-bot" })).toHaveCount(3);
  await page.getByRole("button", { name: "Incident: revoke all…" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel("The whole organization").check();
  // The whole organization is confirmed by typing its name.
  await dialog.getByLabel(/Type Acme to confirm/).fill("Acme");
  await dialog.getByLabel("Also freeze the bots involved").check();
  await dialog.getByLabel(/Reason/).fill("Credential leak suspected in CI logs");
  await snap(page, "incident-dialog");
  await dialog.getByRole("button", { name: "Revoke now" }).click();
  await expect(page.getByText("No leases match")).toBeVisible();

  for (const lease of leases) {
    const res = await botCall(vault, "POST", `/api/leases/${lease.id}/resolve`, lease.leaseToken);
    expect(res.status).toBe(410);
  }
  const again = await botCall(vault, "POST", "/api/leases", bots[1].token, { secret: "LEDGER_KEY", justification });
  expect(again.status).toBe(403);
  expect(again.body.error.code).toBe("bot_frozen");

  await page.goto(`${vault.url}/overview`);
  await expect(page.locator('[data-stat="Frozen bots"]')).toHaveText("2");
  await expect(page.locator('[data-stat="Active leases"]')).toHaveText("0");
  await sealAudit(vault.prisma);
  const event = await vault.prisma.auditEvent.findFirstOrThrow({ where: { orgId: vault.orgId, type: "leases.revoked" } });
  expect(event).toMatchObject({ reason: "Credential leak suspected in CI logs", actorId: security.id });
});
