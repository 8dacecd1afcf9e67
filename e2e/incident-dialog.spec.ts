// The incident dialog starts at the narrowest scope (one bot) with focus on it; cutting
// off the whole organization needs its name typed; the result (counts and a link to the
// audit events) is shown on the leases page after the dialog closes.
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, useVault } from "./support/vault";

const vault = useVault();
const justification = "Nightly reconciliation of the ledger";

test("narrowest scope first, typed name for the whole org, result on the page", async ({ page }) => {
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: "INCIDENT_KEY", value: "incident-value" });
  const bots: { id: string; token: string }[] = [];
  for (const name of ["incident-bot-a", "incident-bot-b"]) {
    const bot = await api(vault, "POST", "/api/v1/bots", { name });
    await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
    bots.push({ id: bot.id, token: bot.token });
  }
  for (const bot of [bots[0], bots[0], bots[1]]) {
    expect((await botCall(vault, "POST", "/api/leases", bot.token, { secret: "INCIDENT_KEY", justification })).status).toBe(201);
  }

  const security = await vault.addMember("security");
  await signIn(page, vault, security);
  await page.goto(`${vault.url}/leases?status=active`);
  await expect(page.getByRole("row").filter({ hasText: "incident-bot" })).toHaveCount(3);

  await page.getByRole("button", { name: "Incident: revoke all…" }).click();
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByLabel("One bot")).toBeChecked();
  await expect(dialog.getByLabel("One bot")).toBeFocused();
  await expect(dialog.getByLabel("The whole organization")).not.toBeChecked();
  await dialog.getByLabel("Bot", { exact: true }).selectOption({ label: "incident-bot-a" });
  await dialog.getByLabel(/Reason/).fill("Bot A's token showed up in a CI log");
  await dialog.getByRole("button", { name: "Revoke now" }).click();
  await expect(dialog).toBeHidden();
  const result = page.getByTestId("incident-result");
  await expect(result).toBeVisible();
  await expect(result).toContainText("Revoked 2 leases.");
  await expect(result.getByRole("link", { name: "See the audit events" })).toHaveAttribute("href", /\/audit\?type=leases\.revoked/);
  await expect(result).toBeInViewport();
  await expect(page.getByRole("row").filter({ hasText: "incident-bot-b" })).toHaveCount(1);

  // The whole organization: the button stays disabled until the org's name is typed.
  await page.getByRole("button", { name: "Incident: revoke all…" }).click();
  await dialog.getByLabel("The whole organization").check();
  await expect(dialog.getByRole("heading")).toHaveText("Revoke every lease of Acme");
  await dialog.getByLabel(/Reason/).fill("Credential leak suspected across the org");
  const confirm = dialog.getByRole("button", { name: "Revoke now" });
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type Acme to confirm/).fill("acme");
  await expect(confirm).toBeDisabled();
  await dialog.getByLabel(/Type Acme to confirm/).fill("Acme");
  await expect(confirm).toBeEnabled();
  await confirm.click();
  await expect(dialog).toBeHidden();
  await expect(result).toContainText("Revoked 1 lease.");
  await expect(page.getByText("No leases match")).toBeVisible();
  const res = await botCall(vault, "POST", "/api/leases", bots[1].token, { secret: "INCIDENT_KEY", justification });
  expect(res.status).toBe(201);
});
