// A leaked secret from its Blast radius tab: which bots can lease it (grant, mount limit,
// frozen), its active leases and last reads; then rotate and revoke in one step.
import { randomBytes } from "node:crypto";
import { test, expect } from "@playwright/test";
import { api, botCall, signIn, snap, useVault } from "./support/vault";
import { sealAudit } from "../test/seal-audit";

const vault = useVault();

test("the blast radius names the bots, and rotate-and-revoke cuts the old leases off", async ({ page }) => {
  const tag = randomBytes(3).toString("hex");
  const name = `LEAKED_${tag.toUpperCase()}`;
  const oldValue = `old-${randomBytes(8).toString("hex")}`;
  const newValue = `new-${randomBytes(8).toString("hex")}`;
  const secret = await api(vault, "POST", "/api/v1/secrets", { name, value: oldValue });
  const reader = await api(vault, "POST", "/api/v1/bots", { name: `reader-${tag}` });
  const idle = await api(vault, "POST", "/api/v1/bots", { name: `idle-${tag}` });
  await api(vault, "POST", "/api/v1/grants", { botId: reader.id, secretId: secret.id });
  await api(vault, "POST", "/api/v1/grants", { botId: idle.id, secretId: secret.id, maxTtlSeconds: 300, singleUseOnly: true });
  const lease = await botCall(vault, "POST", "/api/leases", reader.token, { secret: name, justification: "Sync the ledger before close" });
  expect((await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken)).status).toBe(200);

  await signIn(page, vault);
  await page.goto(`${vault.url}/catalogue/${secret.id}`);
  await page.getByRole("tab", { name: "Blast radius" }).click();
  const bots = page.getByRole("table", { name: "Bots that can lease or have leased this secret" });
  const readerRow = bots.getByRole("row").filter({ hasText: `reader-${tag}` });
  await expect(readerRow).toContainText("yes");
  await expect(readerRow).toContainText(/\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} UTC/);
  await expect(bots.getByRole("row").filter({ hasText: `idle-${tag}` })).toContainText("single-use only");
  await expect(bots.getByRole("row").filter({ hasText: `idle-${tag}` })).toContainText("never");
  await expect(page.getByRole("table", { name: "Leases" }).getByRole("row").filter({ hasText: "Sync the ledger before close" })).toContainText("active");
  await snap(page, "secret-blast-radius");

  const form = page.getByRole("form", { name: "Leaked? Rotate and revoke" });
  await expect(form).toContainText(`reader-${tag}`);
  await form.getByLabel("New value").fill(newValue);
  await form.getByLabel("Reason for revoking").fill("Value pasted into a public CI log");
  await form.getByRole("button", { name: "Rotate and revoke" }).click();
  await expect(form.getByRole("status")).toContainText(`${name} is now at version 2; 1 lease revoked.`);
  await expect(form.getByRole("status")).toContainText(`idle-${tag}`);
  await expect(form.getByLabel("New value")).toHaveValue("");

  const after = await botCall(vault, "POST", `/api/leases/${lease.body.id}/resolve`, lease.body.leaseToken);
  expect(after.status).toBe(410);
  const fresh = await botCall(vault, "POST", "/api/leases", reader.token, { secret: name, justification: "Sync the ledger again" });
  expect((await botCall(vault, "POST", `/api/leases/${fresh.body.id}/resolve`, fresh.body.leaseToken)).body).toMatchObject({ version: 2, value: newValue });

  await sealAudit(vault.prisma, vault.orgId);
  const events = await vault.prisma.auditEvent.findMany({ where: { orgId: vault.orgId, secretId: secret.id, type: { in: ["leases.revoked", "secret.rotated"] } }, orderBy: { seq: "asc" } });
  expect(events.map((e) => e.type)).toEqual(["leases.revoked", "secret.rotated"]);
  expect(events.every((e) => e.actorType === "user")).toBe(true);
  const html = await page.content();
  expect(html).not.toContain(newValue);
  expect(html).not.toContain(oldValue);
});
