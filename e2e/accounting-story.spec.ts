// The accounting story in a real browser: owner adds the key, creates and grants
// the bot, the bot leases over HTTP, the owner revokes from the page, the bot's
// resolve gets 410, and the audit timeline filtered by the bot tells the story.
import { test, expect } from "@playwright/test";
import { botCall, signIn, snap, useVault } from "./support/vault";

const vault = useVault();
const VALUE = `acct-live-${crypto.randomUUID()}`;
const JUSTIFICATION = "Reconcile unpaid invoices before month-end close";

test("owner runs the accounting story end to end", async ({ page }) => {
  await signIn(page, vault);
  await snap(page, "overview");

  await page.getByRole("link", { name: "Catalogue" }).click();
  await expect(page.getByRole("heading", { name: "Add a secret" })).toBeVisible();
  await page.getByLabel("Name").fill("ACCOUNTING_API_KEY");
  await page.getByLabel("Scope").fill("production");
  await page.getByLabel("Description").fill("Ledger API");
  await page.getByLabel("Tags").fill("finance");
  await page.getByLabel("Value").fill(VALUE);
  await page.getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByRole("status")).toContainText("ACCOUNTING_API_KEY (production) added at version 1");
  await expect(page.getByRole("row").filter({ hasText: "ACCOUNTING_API_KEY" })).toContainText("production");
  await expect(page.getByLabel("Value")).toHaveValue("");
  expect(await page.content()).not.toContain(VALUE);

  await page.getByRole("link", { name: "Bots" }).click();
  await expect(page.getByRole("heading", { name: "Create a bot" })).toBeVisible();
  await page.getByLabel("Name").fill("accounting-bot");
  await page.getByRole("button", { name: "Create bot" }).click();
  const botToken = (await page.getByTestId("shown-once").textContent())!.trim();
  expect(botToken).toMatch(/^rvb_/);
  await expect(page.getByRole("button", { name: "Copy" })).toBeVisible();
  await page.getByRole("link", { name: /Set this bot.s permissions/ }).click();
  await expect(page.getByRole("heading", { name: "accounting-bot" })).toBeVisible();
  await page.getByLabel("Secret", { exact: true }).selectOption({ label: "ACCOUNTING_API_KEY (production)" });
  await page.getByLabel("Max TTL (seconds)").fill("1800");
  await page.getByRole("button", { name: "Grant", exact: true }).click();
  await expect(page.getByRole("status")).toContainText("Granted ACCOUNTING_API_KEY");
  await expect(page.getByRole("row").filter({ hasText: "ACCOUNTING_API_KEY" })).toContainText("30 min");
  await snap(page, "bot-detail");
  const botId = page.url().split("/").pop()!;

  const lease = await botCall(vault, "POST", "/api/leases", botToken, { secret: "ACCOUNTING_API_KEY", scope: "production", justification: JUSTIFICATION, ttlSeconds: 900 });
  expect(lease.status).toBe(201);
  const resolved = await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken);
  expect(resolved.status).toBe(200);
  expect(resolved.body.value).toBe(VALUE);

  await page.getByRole("link", { name: "Leases" }).click();
  await expect(page.getByRole("heading", { name: "Leases" })).toBeVisible();
  const row = page.getByRole("row").filter({ hasText: "accounting-bot" });
  await expect(row).toContainText("active");
  await expect(row).toContainText(JUSTIFICATION);
  await snap(page, "leases");
  await row.getByRole("button", { name: "Revoke" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByLabel(/Reason/).fill("Invoice run finished");
  await dialog.getByRole("button", { name: "Revoke lease" }).click();
  await expect(dialog).toBeHidden();
  await expect(page.getByRole("row").filter({ hasText: "accounting-bot" })).toContainText("revoked");

  const after = await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken);
  expect(after.status).toBe(410);
  expect(after.body.error.code).toBe("lease_revoked");

  await page.getByRole("link", { name: "Audit timeline" }).click();
  await expect(page.getByRole("heading", { name: "Audit timeline" })).toBeVisible();
  await page.getByLabel("Bot", { exact: true }).selectOption({ label: "accounting-bot" });
  await page.getByRole("button", { name: "Apply filters" }).click();
  await expect(page).toHaveURL(new RegExp(`botId=${botId}`));
  const types = await page.locator("[data-event-type]").evaluateAll((els) => els.map((e) => e.getAttribute("data-event-type")));
  // Newest first: the story read bottom-up is creation, grant, request (with justification), resolve, revoke, refused resolve.
  expect(types).toEqual(["lease.resolve_denied", "lease.revoked", "lease.resolved", "lease.granted", "grant.created", "bot.created"]);
  const granted = page.getByRole("row").filter({ has: page.locator('[data-event-type="lease.granted"]') });
  await expect(granted).toContainText(JUSTIFICATION);
  await expect(page.getByRole("row").filter({ has: page.locator('[data-event-type="lease.revoked"]') })).toContainText("Invoice run finished");
  await granted.getByRole("button", { name: "Show details" }).click();
  // Labelled fields first, the raw JSON a toggle away.
  await expect(page.getByTestId("audit-detail")).toContainText(JUSTIFICATION);
  await expect(page.getByTestId("audit-detail")).toContainText("accounting-bot");
  await page.getByTestId("audit-detail").getByRole("button", { name: "Raw JSON" }).click();
  await expect(page.getByTestId("audit-detail")).toContainText('"hash"');
  await snap(page, "audit-timeline");

  await page.getByRole("button", { name: "Verify chain" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Chain intact" })).toBeVisible();
  // What verify checked: the sealed events, the anchor outside the database, the unsealed tail.
  await expect(page.getByRole("status")).toHaveText(/Chain intact: \d+ sealed events, .*Checked against the anchor at #\d+ \(signed .*\)\. (Every recorded event is sealed|\d+ events? not sealed yet \(oldest \d+ ms\))\./);
  expect(await page.content()).not.toContain(VALUE);
});
