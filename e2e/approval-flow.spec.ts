// Approval rules: a lease of a tagged secret waits (202 pending); the bot's creator
// may not approve it; another admin does; the bot collects its token exactly once.
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, signOut, snap, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();
const JUSTIFICATION = "Quarterly payroll export for the auditors";

test("a pending lease is approved by a second admin and collected once", async ({ page }) => {
  // Seeded as the owner (through the owner's API token), so the owner is the bot's creator.
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: "PAYROLL_KEY", tags: ["pci"], value: "payroll-secret-value" });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "payroll-bot" });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
  const { token } = bot;
  const secretId = secret.id;
  const admin = await vault.addMember("admin");

  // The owner adds the approval rule on the policy page.
  await signIn(page, vault);
  await page.goto(`${vault.url}/policy`);
  await page.getByLabel("Tags needing approval").fill("pci");
  await page.getByLabel("Approvals required").fill("0");
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.locator('[data-field-error="approvalsRequired"]')).toContainText("At least one approval");
  await page.getByLabel("Approvals required").fill("1");
  await page.getByRole("button", { name: "Save policy" }).click();
  await expect(page.getByRole("status")).toContainText("Policy saved");
  await snap(page, "policy");

  const requested = await botCall(vault, "POST", "/api/leases", token, { secret: "PAYROLL_KEY", justification: JUSTIFICATION, ttlSeconds: 600 });
  expect(requested.status).toBe(202);
  expect(requested.body).toEqual({ id: expect.stringMatching(/^lse_/), status: "pending" });
  const leaseId = requested.body.id;
  expect((await botCall(vault, "GET", `/api/leases/${leaseId}`, token)).body).toMatchObject({ status: "pending" });

  // The owner created the bot: four eyes means someone else decides.
  await page.getByRole("link", { name: /Approvals/ }).click();
  const row = page.getByRole("row").filter({ hasText: "payroll-bot" });
  await expect(row).toContainText(JUSTIFICATION);
  await expect(row).toContainText("You created this bot");
  await expect(row.getByRole("button", { name: "Approve" })).toHaveCount(0);
  await signOut(page);

  await signIn(page, vault, admin);
  await page.goto(`${vault.url}/approvals`);
  await snap(page, "approvals");
  await page.getByRole("row").filter({ hasText: "payroll-bot" }).getByRole("button", { name: "Approve" }).click();
  await page.getByRole("dialog").getByRole("button", { name: "Approve" }).click();
  await expect(page.getByText("Nothing is waiting for approval")).toBeVisible();

  const collected = await botCall(vault, "GET", `/api/leases/${leaseId}`, token);
  expect(collected.status).toBe(200);
  expect(collected.body).toMatchObject({ status: "active", leaseToken: expect.stringMatching(/^rvl_/) });
  const again = await botCall(vault, "GET", `/api/leases/${leaseId}`, token);
  expect(again.body.status).toBe("active");
  expect(again.body.leaseToken).toBeUndefined();
  const resolved = await botCall(vault, "POST", `/api/leases/${leaseId}/resolve`, collected.body.leaseToken);
  expect(resolved.status).toBe(200);
  expect(resolved.body.value).toBe("payroll-secret-value");

  // A second request is denied with a reason the bot's operator can read in the trail.
  const second = await botCall(vault, "POST", "/api/leases", token, { secret: "PAYROLL_KEY", justification: JUSTIFICATION });
  expect(second.status).toBe(202);
  await page.reload();
  await page.getByRole("row").filter({ hasText: "payroll-bot" }).getByRole("button", { name: "Deny" }).click();
  await page.getByRole("dialog").getByLabel(/Reason/).fill("Export already done this quarter");
  await page.getByRole("dialog").getByRole("button", { name: "Deny" }).click();
  await expect(page.getByText("Nothing is waiting for approval")).toBeVisible();
  expect((await botCall(vault, "GET", `/api/leases/${second.body.id}`, token)).body).toMatchObject({ status: "denied" });

  await sealAudit(vault.prisma);
  const types = (await vault.prisma.auditEvent.findMany({ where: { orgId: vault.orgId, secretId }, orderBy: { seq: "asc" }, select: { type: true } })).map((e) => e.type);
  expect(types).toEqual(expect.arrayContaining(["lease.requested", "lease.approved", "lease.collected", "lease.resolved", "lease.rejected"]));
});
