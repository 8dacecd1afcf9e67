// "Who accessed X in the last 7 days, and why?" answered from the catalogue in two clicks:
// the secret's row, then its Access tab, whose default view is the last 7 days with the
// justification, bot name, mount/tool and client address on the resolve row itself.
import { randomBytes } from "node:crypto";
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, snap, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();

test("the access question is answered in two clicks from the catalogue", async ({ page }) => {
  const tag = randomBytes(3).toString("hex");
  const name = `ACCESS_Q_${tag.toUpperCase()}`;
  const botName = `ledger-bot-${tag}`;
  const mountName = `ledger-${tag}`;
  const value = `access-q-value-${randomBytes(8).toString("hex")}`;
  const secret = await api(vault, "POST", "/api/v1/secrets", { name, value });
  const bot = await api(vault, "POST", "/api/v1/bots", { name: botName });
  await api(vault, "POST", "/api/v1/grants", { botId: bot.id, secretId: secret.id });
  await api(vault, "POST", "/api/v1/mounts", {
    name: mountName, botId: bot.id, command: "node", mappings: [{ secret: name, env: "LEDGER_KEY" }], justificationTemplate: "Ledger MCP for {{tool}}",
  });

  // What the MCP relay sends for a tool call: the mount, the tool, and both in the justification.
  const justification = `Ledger MCP for list_invoices [mcp mount ${mountName}: tool call list_invoices]`;
  const lease = await botCall(vault, "POST", "/api/leases", bot.token, { secret: name, justification, mount: mountName, tool: "list_invoices" });
  expect(lease.status, JSON.stringify(lease.body)).toBe(201);
  expect((await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken)).status).toBe(200);

  // An access from ten days ago: outside the default week, inside "Last 30 days".
  await vault.prisma.auditPending.create({
    data: {
      id: `evt_${randomBytes(12).toString("hex")}`, orgId: vault.orgId, type: "lease.resolved", actorType: "bot", actorId: bot.id, botId: bot.id,
      secretId: secret.id, secretName: name, scope: "default", outcome: "success", justification: "Old quarter-end reconciliation", ip: "192.0.2.10",
      createdAt: new Date(Date.now() - 10 * 86_400_000),
    },
  });
  await sealAudit(vault.prisma, vault.orgId);

  await signIn(page, vault);
  await page.goto(`${vault.url}/catalogue`);
  await page.getByRole("link", { name, exact: true }).click(); // click 1
  await expect(page.getByRole("heading", { name, exact: true })).toBeVisible();
  await page.getByRole("tab", { name: "Access" }).click(); // click 2
  await expect(page.getByRole("heading", { name: `Who accessed ${name} in the last 7 days` })).toBeVisible();

  const resolved = page.getByRole("row").filter({ has: page.locator('[data-access-type="lease.resolved"]') });
  await expect(resolved).toHaveCount(1);
  await expect(resolved).toContainText(justification);
  await expect(resolved).toContainText(botName);
  await expect(resolved).toContainText(`mount ${mountName}`);
  await expect(resolved).toContainText("tool list_invoices");
  await expect(resolved).toContainText("127.0.0.1");
  await expect(resolved).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await expect(page.getByRole("row").filter({ has: page.locator('[data-access-type="lease.granted"]') })).toContainText(justification);
  await expect(page.getByText("Old quarter-end reconciliation")).toHaveCount(0);
  // Identities are names, never raw ids.
  const table = page.getByRole("table", { name: /Who leased and read this secret/ });
  await expect(table).not.toContainText(/\b(usr|bot)_[0-9a-f]{6}/);
  await snap(page, "secret-access");

  // The export is the same answer as a file.
  const href = await page.getByRole("link", { name: "Export CSV" }).getAttribute("href");
  const csv = await page.request.get(new URL(href!, page.url()).toString());
  expect(csv.status()).toBe(200);
  const text = await csv.text();
  expect(text.split("\r\n")[0]).toBe("createdAt,type,outcome,botName,botId,actor,justification,mount,tool,ip,secretVersion,leaseId,reason,seq");
  expect(text).toContain(`lease.resolved,success,${botName},${bot.id},${botName},${justification},${mountName},list_invoices,127.0.0.1,1,${lease.body.id}`);
  expect(text).not.toContain("Old quarter-end");
  expect(text).not.toContain(value);

  await page.getByRole("link", { name: "Last 30 days" }).click();
  await expect(page.getByRole("heading", { name: `Who accessed ${name} in the last 30 days` })).toBeVisible();
  await expect(page.getByRole("row").filter({ hasText: "Old quarter-end reconciliation" })).toContainText("192.0.2.10");

  // From the resolve row to every event of its lease on the timeline.
  await page.getByRole("tab", { name: "Access" }).click();
  await resolved.getByRole("link", { name: "all its events" }).click();
  await expect(page).toHaveURL(new RegExp(`/audit\\?leaseId=${lease.body.id}`));
  const types = await page.locator("[data-event-type]").evaluateAll((els) => els.map((e) => e.getAttribute("data-event-type")));
  expect(types).toEqual(["lease.resolved", "lease.granted"]);
  expect(await page.content()).not.toContain(value);

  // The same answer over the admin API; bad periods are 400s, other roles and ids refused.
  const json = await botCall(vault, "GET", `/api/v1/secrets/${secret.id}/access`, vault.adminToken);
  expect(json.status).toBe(200);
  expect(json.body.bots).toEqual([expect.objectContaining({ botId: bot.id, botName, leases: 1, resolves: 1 })]);
  expect(json.body.rows[0]).toMatchObject({ type: "lease.resolved", justification, mount: mountName, tool: "list_invoices", ip: "127.0.0.1" });
  expect((await botCall(vault, "GET", `/api/v1/secrets/${secret.id}/access?from=11/20/2026`, vault.adminToken)).status).toBe(400);
  expect((await botCall(vault, "GET", `/api/v1/secrets/${secret.id}/access?days=0`, vault.adminToken)).status).toBe(400);
  expect((await botCall(vault, "GET", `/api/v1/secrets/sec_${"0".repeat(24)}/access`, vault.adminToken)).status).toBe(404);
  const viewer = await vault.addMember("viewer");
  expect((await botCall(vault, "GET", `/api/v1/secrets/${secret.id}/access`, viewer.apiToken)).status).toBe(403);
});
