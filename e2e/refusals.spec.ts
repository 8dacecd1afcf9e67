// Role limits and confirmations enforced by the server, not by hidden buttons: each
// refused attempt answers 403 (API, page) or a 403 form state (server action), changes
// nothing, and lands in the audit trail as admin.denied.
import { test, expect, type Page } from "@playwright/test";
import { api, botCall, signIn, signOut, snap, useVault, type Vault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();
const justification = "Checking what each role may do";

/** A secret granted to a bot that holds an active lease on it. */
async function seedLease(vault: Vault, name: string) {
  const secret = await api(vault, "POST", "/api/v1/secrets", { name, value: `${name.toLowerCase()}-value` });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: `${name.toLowerCase().replaceAll("_", "-")}-bot` });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
  const lease = await botCall(vault, "POST", "/api/leases", bot.token, { secret: name, justification });
  expect(lease.status).toBe(201);
  return { secret, bot, lease: lease.body };
}

async function denials(actorId: string) {
  await sealAudit(vault.prisma);
  const rows = await vault.prisma.auditEvent.findMany({ where: { orgId: vault.orgId, type: "admin.denied", actorId }, orderBy: { seq: "asc" }, select: { outcome: true, reason: true, data: true } });
  return rows;
}

test("over the admin API: security cannot create or rotate a secret, viewer cannot revoke a lease", async () => {
  const { secret, lease } = await seedLease(vault, "API_ROLES_KEY");
  const security = await vault.addMember("security");
  const viewer = await vault.addMember("viewer");
  // The tokens work: the refusals below are about the role, not the credential.
  expect((await botCall(vault, "GET", "/api/v1/secrets", security.apiToken)).status).toBe(200);
  expect((await botCall(vault, "GET", "/api/v1/leases", viewer.apiToken)).status).toBe(200);

  const create = await botCall(vault, "POST", "/api/v1/secrets", security.apiToken, { name: "SECURITY_MADE_KEY", value: "should not be stored" });
  const rotate = await botCall(vault, "PUT", `/api/v1/secrets/${secret.id}`, security.apiToken, { value: "should not be stored either" });
  const revoke = await botCall(vault, "POST", `/api/v1/leases/${lease.id}/revoke`, viewer.apiToken, { reason: "viewer trying" });
  for (const res of [create, rotate, revoke]) {
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe("forbidden");
  }

  expect(await vault.prisma.secret.count({ where: { orgId: vault.orgId, name: "SECURITY_MADE_KEY" } })).toBe(0);
  expect((await vault.prisma.secret.findUniqueOrThrow({ where: { id: secret.id } })).currentVersion).toBe(1);
  expect((await vault.prisma.lease.findUniqueOrThrow({ where: { id: lease.id } })).status).toBe("active");
  expect(await denials(security.id)).toEqual([
    { outcome: "denied", reason: "role security lacks catalogue:write", data: { method: "POST", path: "/api/v1/secrets" } },
    { outcome: "denied", reason: "role security lacks catalogue:write", data: { method: "PUT", path: `/api/v1/secrets/${secret.id}` } },
  ]);
  expect(await denials(viewer.id)).toEqual([{ outcome: "denied", reason: "role viewer lacks leases:revoke", data: { method: "POST", path: `/api/v1/leases/${lease.id}/revoke` } }]);
});

/** The form's message for a refused action (the page also has Next's empty route announcer). */
const refusal = (page: Page) => page.locator('[role="alert"][data-status="403"]');

test("through the server actions: a member demoted while the forms are open is refused", async ({ page }) => {
  const { secret, lease } = await seedLease(vault, "ACTION_ROLES_KEY");
  // Starts as admin so the pages render their forms; demoted before submitting them.
  const member = await vault.addMember("admin");
  await signIn(page, vault, member);

  await page.goto(`${vault.url}/catalogue`);
  await page.getByLabel("Name").fill("DEMOTED_MADE_KEY");
  await page.getByLabel("Value").fill("should not be stored");
  const rotatePage = await page.context().newPage();
  await rotatePage.goto(`${vault.url}/catalogue/${secret.id}`);
  await rotatePage.getByLabel("New value").fill("should not be stored either");
  const leasesPage = await page.context().newPage();
  await leasesPage.goto(`${vault.url}/leases`);
  await leasesPage.getByRole("row").filter({ hasText: "ACTION_ROLES_KEY" }).getByRole("button", { name: "Revoke" }).click();
  const dialog = leasesPage.getByRole("dialog");
  await dialog.getByLabel(/Reason/).fill("revoking after demotion");

  await api(vault, "PATCH", `/api/v1/members/${member.id}`, { role: "security" });
  await page.getByRole("button", { name: "Add secret" }).click();
  await expect(refusal(page)).toHaveText("Your role (security) may not do this.");
  await rotatePage.getByRole("button", { name: "Rotate value" }).click();
  await expect(refusal(rotatePage)).toHaveText("Your role (security) may not do this.");

  await api(vault, "PATCH", `/api/v1/members/${member.id}`, { role: "viewer" });
  await dialog.getByRole("button", { name: "Revoke lease" }).click();
  await expect(refusal(leasesPage)).toHaveText("Your role (viewer) may not do this.");

  expect(await vault.prisma.secret.count({ where: { orgId: vault.orgId, name: "DEMOTED_MADE_KEY" } })).toBe(0);
  expect((await vault.prisma.secret.findUniqueOrThrow({ where: { id: secret.id } })).currentVersion).toBe(1);
  expect((await vault.prisma.lease.findUniqueOrThrow({ where: { id: lease.id } })).status).toBe("active");
  expect(await denials(member.id)).toEqual([
    { outcome: "denied", reason: "role security lacks catalogue:write", data: { via: "web", action: "create secret" } },
    { outcome: "denied", reason: "role security lacks catalogue:write", data: { via: "web", action: "rotate secret" } },
    { outcome: "denied", reason: "role viewer lacks leases:revoke", data: { via: "web", action: "revoke leases" } },
  ]);
});

test("pages a role may not see answer HTTP 403 and are audited", async ({ page }) => {
  const viewer = await vault.addMember("viewer");
  await signIn(page, vault, viewer);
  const allowed = await page.goto(`${vault.url}/leases`);
  expect(allowed?.status()).toBe(200);
  const audit = await page.goto(`${vault.url}/audit`);
  expect(audit?.status()).toBe(403);
  await expect(page.locator('[data-status="403"]')).toContainText("403 — not allowed");
  // Still inside the app: the navigation and who is signed in remain.
  await expect(page.getByTestId("current-user")).toContainText(viewer.email);
  await expect(page.getByRole("navigation", { name: "Main" })).toBeVisible();
  expect(await page.content()).not.toContain("Export CSV");
  await snap(page, "forbidden");
  expect((await page.request.get(`${vault.url}/members`)).status()).toBe(403);
  expect(await denials(viewer.id)).toEqual([
    { outcome: "denied", reason: "role viewer lacks audit:read", data: { via: "web", action: "view /audit" } },
    { outcome: "denied", reason: "role viewer lacks members:write", data: { via: "web", action: "view /members" } },
  ]);
});

test("the overview's recent denials (with reasons) are for roles with audit:read only", async ({ page }) => {
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "overview-bot" });
  const refused = await botCall(vault, "POST", "/api/leases", bot.token, { secret: "NEVER_GRANTED_KEY", justification });
  expect(refused.status).toBe(403);
  const reason = `This bot is not permitted to lease that secret in scope "default"`;

  const security = await vault.addMember("security");
  await signIn(page, vault, security);
  await expect(page.getByRole("heading", { name: "Recent denials" })).toBeVisible();
  await expect(page.getByRole("region", { name: "Recent denials" })).toContainText(reason);
  // Wait for sign-out to land: a navigation started meanwhile is aborted by its redirect.
  await signOut(page);

  const viewer = await vault.addMember("viewer");
  await signIn(page, vault, viewer);
  await expect(page.getByRole("heading", { name: "Overview" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Recent denials" })).toHaveCount(0);
  expect(await page.content()).not.toContain(reason);
  // The count stays, without a link into the audit timeline the viewer cannot open.
  await expect(page.locator('[data-stat="Denied (24 h)"]')).not.toHaveText("0");
  await expect(page.getByRole("link", { name: /Denied \(24 h\)/ })).toHaveCount(0);
});

/** Submits the open dialog's form the way a crafted request would, past the disabled button. */
async function forceSubmit(page: Page) {
  const form = page.getByRole("dialog").locator("form");
  await form.evaluate((f) => (f as HTMLFormElement).requestSubmit());
}

test("a delete goes through only with the exact name typed, checked by the server", async ({ page }) => {
  const { secret, bot } = await seedLease(vault, "DOOMED_KEY");
  await signIn(page, vault);

  await page.goto(`${vault.url}/catalogue/${secret.id}`);
  await page.getByRole("button", { name: "Delete secret" }).click();
  const dialog = page.getByRole("dialog");
  const confirm = dialog.getByLabel(/to confirm/);
  await confirm.fill("DOOMED_KE");
  await expect(dialog.getByRole("button", { name: "Delete for good" })).toBeDisabled();
  await forceSubmit(page);
  await expect(dialog.getByRole("alert")).toHaveText("The name you typed does not match; nothing was deleted.");
  await expect(dialog).toContainText("Type DOOMED_KEY exactly to confirm");
  await confirm.fill("");
  await forceSubmit(page);
  await expect(dialog).toContainText("Type the secret's name to confirm");
  expect(await vault.prisma.secret.count({ where: { id: secret.id } })).toBe(1);
  await sealAudit(vault.prisma);
  expect(await vault.prisma.auditEvent.count({ where: { orgId: vault.orgId, type: "secret.deleted" } })).toBe(0);

  await confirm.fill("DOOMED_KEY");
  await dialog.getByRole("button", { name: "Delete for good" }).click();
  await expect(page).toHaveURL(`${vault.url}/catalogue`);
  expect(await vault.prisma.secret.count({ where: { id: secret.id } })).toBe(0);

  await page.goto(`${vault.url}/bots/${bot.id}`);
  await page.getByRole("button", { name: "Delete bot" }).click();
  await dialog.getByLabel(/to confirm/).fill("someone-else");
  await forceSubmit(page);
  await expect(dialog).toContainText(`Type ${bot.name} exactly to confirm`);
  expect(await vault.prisma.bot.count({ where: { id: bot.id } })).toBe(1);
  await dialog.getByLabel(/to confirm/).fill(bot.name);
  await dialog.getByRole("button", { name: "Delete bot" }).click();
  await expect(page).toHaveURL(`${vault.url}/bots`);
  expect(await vault.prisma.bot.count({ where: { id: bot.id } })).toBe(0);
});
