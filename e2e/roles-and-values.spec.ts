// Each role's limits, and the write-only value: after it is saved, no page's HTML
// (nor any response the browser receives) ever contains it again.
import { test, expect, type Page } from "@playwright/test";
import { api, botCall, signIn, signOut, snap, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();
const VALUE = `never-shown-${crypto.randomUUID()}`;
const ROTATED = `never-shown-rotated-${crypto.randomUUID()}`;
const PAGES = ["/overview", "/catalogue", "/bots", "/leases", "/approvals", "/audit", "/policy", "/members"];

/** Records every response body the browser receives from now on. */
function recordResponses(page: Page) {
  const bodies: Promise<string>[] = [];
  page.on("response", (res) => bodies.push(res.text().catch(() => "")));
  return async () => (await Promise.all(bodies)).join("\n");
}

test("a saved value never appears in any page, and each page gets a screenshot", async ({ page }) => {
  const received = recordResponses(page);
  await signIn(page, vault);
  await page.goto(`${vault.url}/catalogue`);
  await page.getByLabel("Name").fill("WRITE_ONLY_KEY");
  await page.getByLabel("Value").fill(VALUE);
  await page.getByRole("button", { name: "Add secret" }).click();
  await expect(page.getByRole("status")).toContainText("added at version 1");
  await page.getByRole("link", { name: "WRITE_ONLY_KEY" }).click();
  await page.getByLabel("New value").fill(ROTATED);
  await page.getByRole("button", { name: "Rotate value" }).click();
  await expect(page.getByRole("status")).toContainText("version 2");
  const secretPath = new URL(page.url()).pathname;

  const secret = await vault.prisma.secret.findFirstOrThrow({ where: { orgId: vault.orgId, name: "WRITE_ONLY_KEY" } });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "reader-bot" });
  const token = bot.token as string;
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
  const lease = await botCall(vault, "POST", "/api/leases", token, { secret: "WRITE_ONLY_KEY", justification: "Checking the write-only guarantee" });
  expect((await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken)).body.value).toBe(ROTATED);

  for (const path of [...PAGES, secretPath, `/bots/${bot.id}`]) {
    await page.goto(vault.url + path);
    const html = await page.content();
    expect(html).not.toContain(VALUE);
    expect(html).not.toContain(ROTATED);
    await snap(page, path === secretPath ? "catalogue-detail" : path === `/bots/${bot.id}` ? "bot" : path.slice(1));
  }
  const exportRes = await page.request.get(`${vault.url}/api/v1/audit/export?format=json`);
  expect(exportRes.headers()["content-disposition"]).toMatch(/attachment; filename="audit-.*\.json"/);
  const exported = (await exportRes.text()) + (await received());
  expect(exported).toContain("secret.rotated");
  expect(exported).not.toContain(VALUE);
  expect(exported).not.toContain(ROTATED);
  // A phone-sized screen: nothing makes the page itself scroll sideways (wide tables
  // and the nav scroll inside their own boxes).
  await page.setViewportSize({ width: 390, height: 844 });
  for (const path of [...PAGES, secretPath, `/bots/${bot.id}`, "/mounts"]) {
    await page.goto(vault.url + path);
    const { scrollWidth, width, suspects } = await page.evaluate(() => {
      const width = document.documentElement.clientWidth;
      // For the failure message: what pokes out, unless a scroll box holds it (an
      // absolutely positioned child escapes a scroll box that is not positioned itself).
      const suspects = [...document.body.querySelectorAll("*")]
        .filter((el) => el.getBoundingClientRect().right > width + 1 && (!el.parentElement?.closest(".overflow-x-auto") || getComputedStyle(el).position === "absolute"))
        .map((el) => `${el.tagName.toLowerCase()}.${String(el.className).split(" ").slice(0, 3).join(".")} → ${Math.round(el.getBoundingClientRect().right)}px`);
      return { scrollWidth: document.documentElement.scrollWidth, width, suspects: suspects.slice(0, 5) };
    });
    expect(scrollWidth, `${path} scrolls sideways: ${suspects.join(", ")}`).toBe(width);
  }
  await page.goto(`${vault.url}/catalogue`);
  await snap(page, "catalogue-narrow");
});

test("security cannot create or rotate a secret; viewer cannot revoke or manage members", async ({ page }) => {
  const secret = await api(vault, "POST", "/api/v1/secrets", { name: "ROLES_KEY", value: "roles-value" });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: "roles-bot" });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
  expect((await botCall(vault, "POST", "/api/leases", bot.token, { secret: "ROLES_KEY", justification: "Role limits check lease" })).status).toBe(201);
  const security = await vault.addMember("security");
  await signIn(page, vault, security);
  await page.goto(`${vault.url}/catalogue`);
  await expect(page.getByRole("heading", { name: "Catalogue" })).toBeVisible();
  await expect(page.getByRole("heading", { name: "Add a secret" })).toHaveCount(0);
  await page.goto(`${vault.url}/catalogue/${secret.id}`);
  await expect(page.getByRole("heading", { name: "Version history" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Rotate value" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Delete secret" })).toHaveCount(0);
  await page.goto(`${vault.url}/leases`);
  await expect(page.getByRole("button", { name: "Incident: revoke all…" })).toBeVisible();
  expect((await page.goto(`${vault.url}/members`))?.status()).toBe(403);
  await expect(page.locator("[data-status=\"403\"]")).toContainText("403 — not allowed");
  await signOut(page);

  const viewer = await vault.addMember("viewer");
  await signIn(page, vault, viewer);
  await page.goto(`${vault.url}/leases`);
  await expect(page.getByRole("row").filter({ hasText: "roles-bot" })).toContainText("active");
  await expect(page.getByRole("button", { name: "Revoke" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Incident: revoke all…" })).toHaveCount(0);
  expect((await page.goto(`${vault.url}/audit`))?.status()).toBe(403);
  await expect(page.locator("[data-status=\"403\"]")).toContainText("403 — not allowed");
  const exportRes = await page.request.get(`${vault.url}/api/v1/audit/export?format=csv`);
  expect(exportRes.status()).toBe(403);

  await sealAudit(vault.prisma);
  const denials = await vault.prisma.auditEvent.findMany({ where: { orgId: vault.orgId, type: "admin.denied" }, select: { actorId: true, reason: true } });
  expect(denials).toEqual(
    expect.arrayContaining([
      { actorId: security.id, reason: "role security lacks members:write" },
      { actorId: viewer.id, reason: "role viewer lacks audit:read" },
    ]),
  );
});
