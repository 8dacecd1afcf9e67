// The TypeScript SDK against the built server on real PostgreSQL: the admin and bot
// clients end to end, mounts and mount-limited grants, and typed errors by API code.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import {
  BotFrozen,
  createClient,
  InvalidRequest,
  LeaseExpired,
  LeaseGone,
  LeaseLocked,
  LeaseRevoked,
  LeaseUsed,
  NotFound,
  PermissionDenied,
  PolicyDenied,
  Unauthenticated,
  type AdminClient,
  type BotClient,
  type IssuedLease,
} from "runtime-vault";
import { mcpClientConfig } from "runtime-vault";

let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let bot: BotClient;
let botId: string;
const VALUE = `ledger-${crypto.randomUUID()}`;
const ROTATED = `ledger-rotated-${crypto.randomUUID()}`;
const justification = "Reconcile invoices for the SDK suite";

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  const org = await seedOrg(db.prisma);
  admin = createClient({ url: server.url, token: org.adminToken }).admin;
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

function active(lease: Awaited<ReturnType<BotClient["leases"]["request"]>>): IssuedLease {
  if (lease.status !== "active") throw new Error("expected an active lease");
  return lease;
}

describe("SDK: admin", () => {
  it("sets (creates, then rotates), lists, and checks secrets by name and scope", async () => {
    const first = await admin.secrets.set("LEDGER_KEY", VALUE, { scope: "production", description: "Ledger" });
    expect(first).toMatchObject({ created: true, secret: { name: "LEDGER_KEY", scope: "production", currentVersion: 1 } });
    const second = await admin.secrets.set("LEDGER_KEY", ROTATED, { scope: "production" });
    expect(second).toMatchObject({ created: false, secret: { currentVersion: 2 } });
    expect(await admin.secrets.exists("LEDGER_KEY", { scope: "production" })).toBe(true);
    expect(await admin.secrets.exists("LEDGER_KEY")).toBe(false);
    await admin.secrets.set("SCRATCH_KEY", "scratch-value-123");
    expect((await admin.secrets.list()).map((s) => s.name)).toEqual(["LEDGER_KEY", "SCRATCH_KEY"]);
    await expect(admin.secrets.delete("SCRATCH_KEY")).resolves.toMatchObject({ grantsRemoved: 0 });
    await expect(admin.secrets.rotate("SCRATCH_KEY", "x-value")).rejects.toBeInstanceOf(NotFound);
  });

  it("creates a bot, grants it, and the bot leases, resolves and releases", async () => {
    const created = await admin.bots.create({ name: "ledger-bot" });
    expect(created.token).toMatch(/^rvb_/);
    botId = created.id;
    bot = createClient({ url: server.url, botToken: created.token }).bot;
    const secretId = await admin.secrets.idOf("LEDGER_KEY", { scope: "production" });
    const grant = await admin.grants.add({ botId, secretId });
    expect(grant).toMatchObject({ botId, secretId, mountId: null });
    expect((await admin.grants.list({ botId })).map((g) => g.id)).toEqual([grant.id]);

    const lease = active(await bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification, ttlSeconds: 120 }));
    await expect(bot.leases.get(lease.id)).resolves.toMatchObject({ status: "active", secret: "LEDGER_KEY" });
    await expect(bot.leases.resolve(lease)).resolves.toMatchObject({ value: ROTATED, version: 2 });
    await bot.leases.release(lease.id);
    await bot.leases.release(lease.id); // idempotent
    await expect(bot.leases.resolve(lease)).rejects.toBeInstanceOf(LeaseRevoked);
  });

  it("raises typed errors for each refusal", async () => {
    await expect(bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification: "short" })).rejects.toBeInstanceOf(PolicyDenied);
    await expect(bot.leases.request({ secret: "LEDGER_KEY", justification })).rejects.toBeInstanceOf(PermissionDenied);
    const single = active(await bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification, singleUse: true }));
    await bot.leases.resolve(single);
    const used = await bot.leases.resolve(single).catch((e) => e);
    expect(used).toBeInstanceOf(LeaseUsed);
    expect(used).toMatchObject({ code: "lease_used", status: 410 });

    const revoked = active(await bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification }));
    await expect(admin.leases.revoke(revoked.id, "incident drill")).resolves.toMatchObject({ revoked: true, status: "revoked" });
    await expect(bot.leases.resolve(revoked)).rejects.toBeInstanceOf(LeaseRevoked);

    await admin.bots.freeze("ledger-bot", "drill");
    await expect(bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification })).rejects.toBeInstanceOf(BotFrozen);
    await admin.bots.unfreeze(botId);
    await expect(createClient({ url: server.url, botToken: "rvb_wrong" }).bot.leases.get(revoked.id)).rejects.toBeInstanceOf(Unauthenticated);
    await expect(admin.grants.add({ botId, secretId: "sec_000000000000000000000000" })).rejects.toBeInstanceOf(NotFound);
    await expect(admin.leases.revokeAll({ botId }, "x")).rejects.toBeInstanceOf(InvalidRequest);
    await expect(admin.leases.revokeAll({ botId }, "end of drill")).resolves.toEqual({ revoked: expect.any(Number) });
  });

  it("raises LeaseExpired and LeaseLocked for leases that can no longer be resolved", async () => {
    const short = active(await bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification, ttlSeconds: 1 }));
    await new Promise((r) => setTimeout(r, 1_500));
    const expired = await bot.leases.resolve(short).catch((e) => e);
    expect(expired).toBeInstanceOf(LeaseExpired);
    expect(expired).toMatchObject({ code: "lease_expired", status: 410 });

    const target = active(await bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification }));
    const wrong = { ...target, leaseToken: `rvl_${"A".repeat(43)}` };
    // The server's default: after five wrong tokens the sending address is locked out of the lease.
    for (let i = 0; i < 5; i++) await expect(bot.leases.resolve(wrong)).rejects.toBeInstanceOf(Unauthenticated);
    const locked = await bot.leases.resolve(wrong).catch((e) => e);
    expect(locked).toBeInstanceOf(LeaseLocked);
    expect(locked).toBeInstanceOf(LeaseGone);
    expect(locked).toMatchObject({ name: "LeaseLocked", code: "lease_locked", status: 423 });
    expect(JSON.stringify(locked) + String(locked.message)).not.toContain(ROTATED);
    // The lease itself is not locked: its token still resolves.
    expect((await bot.leases.resolve(target)).value).toBe(ROTATED);
    await bot.leases.release(target.id);
  });

  it("reads and verifies the audit trail, page by page", async () => {
    const page = await admin.audit.list({ limit: 2 });
    expect(page.events).toHaveLength(2);
    expect(page.nextCursor).not.toBeNull();
    const all: string[] = [];
    const seqs: number[] = [];
    for await (const e of admin.audit.all({ limit: 3 })) {
      all.push(e.type);
      seqs.push(e.seq);
    }
    expect(all).toContain("lease.resolved");
    expect(all).toContain("lease.released");
    expect(await admin.audit.verify()).toMatchObject({ ok: true, checked: all.length, mode: "incremental" });
    const full = await admin.audit.verify({ full: true });
    expect(full).toMatchObject({ ok: true, checked: all.length, mode: "full", walked: all.length, unsealed: { count: expect.any(Number), oldestAgeMs: expect.any(Number) }, archived: null });
    expect(Object.keys(full).sort()).toEqual(["anchor", "archived", "checked", "mode", "ok", "unsealed", "walked"]);
    expect(JSON.stringify(all)).not.toContain(VALUE);
    // With a time range the pages run by (createdAt, seq) and their cursors carry createdAt.
    const ranged: number[] = [];
    for await (const e of admin.audit.all({ from: new Date(Date.now() - 3_600_000).toISOString(), limit: 3 })) ranged.push(e.seq);
    expect(ranged.length).toBe(seqs.length);
    expect([...ranged].sort((a, b) => a - b)).toEqual([...seqs].sort((a, b) => a - b));
  });
});

describe("SDK: mounts", () => {
  it("stores a recipe, validates it, and serves it to its own bot only", async () => {
    await expect(
      admin.mounts.create({ name: "ledger", botId, command: "node", args: ["{{secret:OTHER}}"], mappings: [{ secret: "LEDGER_KEY", env: "LEDGER_KEY" }], justificationTemplate: "x" }),
    ).rejects.toBeInstanceOf(InvalidRequest);
    const mount = await admin.mounts.create({
      name: "ledger",
      botId,
      command: "node",
      args: ["server.js", "--key={{secret:LEDGER_KEY}}"],
      mappings: [{ secret: "LEDGER_KEY", scope: "production", env: null }],
      justificationTemplate: "Ledger MCP server for {{tool}}",
      ttlSeconds: 600,
    });
    expect(mount).toMatchObject({ name: "ledger", botId, bot: { name: "ledger-bot" }, mappings: [{ secret: "LEDGER_KEY", scope: "production", env: null }] });
    await expect(admin.mounts.update(mount.id, { args: ["server.js"] })).rejects.toBeInstanceOf(InvalidRequest); // mapping would go nowhere
    const updated = await admin.mounts.update(mount.id, { mappings: [{ secret: "LEDGER_KEY", scope: "production", env: "LEDGER_KEY" }] });
    expect(updated.mappings[0].env).toBe("LEDGER_KEY");
    expect((await admin.mounts.list()).map((m) => m.name)).toEqual(["ledger"]);

    await expect(bot.mounts.get("ledger")).resolves.toEqual({
      name: "ledger",
      command: "node",
      args: ["server.js", "--key={{secret:LEDGER_KEY}}"],
      url: null,
      headers: {},
      mappings: [{ secret: "LEDGER_KEY", scope: "production", env: "LEDGER_KEY" }],
      justificationTemplate: "Ledger MCP server for {{tool}}",
      ttlSeconds: 600,
      updatedAt: expect.any(String),
    });
    const otherBot = await admin.bots.create({ name: "other-bot" });
    await expect(createClient({ url: server.url, botToken: otherBot.token }).bot.mounts.get("ledger")).rejects.toBeInstanceOf(NotFound);

    const { config, json } = mcpClientConfig({ mount, vaultUrl: server.url });
    expect(config.mcpServers.ledger).toEqual({ command: "runtime-vault", args: ["mcp", "run", "ledger"], env: { RV_URL: server.url, RV_BOT_TOKEN: expect.stringMatching(/^rvb_…/) } });
    expect(json).not.toContain(ROTATED);
  });

  it("limits a grant to a mount: leases only through it, and only for the mount's bot", async () => {
    const secretId = await admin.secrets.idOf("LEDGER_KEY", { scope: "production" });
    const [mount] = await admin.mounts.list();
    const other = (await admin.bots.list()).find((b) => b.name === "other-bot")!;
    await expect(admin.grants.add({ botId: other.id, secretId, mountId: mount.id })).rejects.toBeInstanceOf(InvalidRequest);
    const [general] = await admin.grants.list({ botId });
    await admin.grants.remove(general.id);
    const limited = await admin.grants.add({ botId, secretId, mountId: mount.id });
    expect(limited.mountId).toBe(mount.id);

    await expect(bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification })).rejects.toBeInstanceOf(PermissionDenied);
    const through = active(await bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification, mount: "ledger" }));
    await expect(bot.leases.resolve(through)).resolves.toMatchObject({ value: ROTATED });

    await expect(admin.mounts.delete(mount.id)).resolves.toEqual({ id: mount.id, grantsRemoved: 1 });
    await expect(bot.leases.request({ secret: "LEDGER_KEY", scope: "production", justification, mount: "ledger" })).rejects.toBeInstanceOf(PermissionDenied);
    const types = (await admin.audit.list({ limit: 50 })).events.map((e) => e.type);
    expect(types).toEqual(expect.arrayContaining(["mount.created", "mount.updated", "mount.deleted"]));
  });
});
