// The accounting story end to end over HTTP against the built server and real PostgreSQL.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import pg from "pg";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { startServer } from "../test/server";
import { bootstrap } from "../lib/orgs/bootstrap";
import { generateToken } from "../lib/crypto/tokens";
import { client } from "./http";

const ADMIN_TOKEN = generateToken("rva_");
const VALUE_V1 = `acct-live-${crypto.randomUUID()}`;
const VALUE_V2 = `acct-live-rotated-${crypto.randomUUID()}`;
const justification = "Reconcile unpaid invoices before month-end close";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let call: ReturnType<typeof client>;
const transcript: string[] = [];
// Resolve responses are the one place the plaintext may appear.
const resolveTranscript: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  await bootstrap(db.prisma, { email: "owner@accounting.test", password: "a long enough password", apiToken: ADMIN_TOKEN });
  server = await startServer({ databaseUrl: db.url });
  call = client(server.url, transcript);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe("accounting story over HTTP", () => {
  const state: Record<string, string> = {};

  it("admin adds the key to the catalogue, creates the bot and grants it", async () => {
    const secret = await call("POST", "/api/v1/secrets", {
      token: ADMIN_TOKEN,
      body: { name: "ACCOUNTING_API_KEY", scope: "production", description: "Ledger API", tags: ["finance"], value: VALUE_V1 },
    });
    expect(secret.status).toBe(201);
    expect(secret.body).toMatchObject({ name: "ACCOUNTING_API_KEY", scope: "production", currentVersion: 1 });
    expect(secret.body.id).toMatch(/^sec_/);
    state.secretId = secret.body.id;

    const bot = await call("POST", "/api/v1/bots", { token: ADMIN_TOKEN, body: { name: "accounting-bot" } });
    expect(bot.status).toBe(201);
    expect(bot.body.token).toMatch(/^rvb_/);
    expect(bot.body.id).toMatch(/^bot_/);
    state.botId = bot.body.id;
    state.botToken = bot.body.token;

    const grant = await call("POST", "/api/v1/grants", { token: ADMIN_TOKEN, body: { botId: state.botId, secretId: state.secretId } });
    expect(grant.status).toBe(201);
    expect(grant.body.id).toMatch(/^grt_/);

    const list = await call("GET", "/api/v1/bots", { token: ADMIN_TOKEN });
    expect(list.text).not.toContain(state.botToken);
  });

  it("the bot leases the key with a justification and the runtime resolves it", async () => {
    const lease = await call("POST", "/api/leases", {
      token: state.botToken,
      body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification, ttlSeconds: 900, singleUse: false },
    });
    expect(lease.status).toBe(201);
    expect(Object.keys(lease.body).sort()).toEqual(["expiresAt", "id", "leaseToken", "scope", "secret", "singleUse", "status"]);
    expect(lease.body).toMatchObject({ secret: "ACCOUNTING_API_KEY", scope: "production", status: "active", singleUse: false });
    expect(lease.body.leaseToken).toMatch(/^rvl_/);
    expect(new Date(lease.body.expiresAt).toISOString()).toBe(lease.body.expiresAt);
    state.leaseId = lease.body.id;
    state.leaseToken = lease.body.leaseToken;

    const status = await call("GET", `/api/leases/${state.leaseId}`, { token: state.botToken });
    expect(status.status).toBe(200);
    expect(status.body).toMatchObject({ id: state.leaseId, status: "active", singleUse: false, resolveCount: 0, expiresAt: lease.body.expiresAt });

    const resolved = await call("POST", `/api/leases/${state.leaseId}/resolve`, { token: state.leaseToken });
    resolveTranscript.push(transcript.pop()!);
    expect(resolved.status).toBe(200);
    expect(resolved.body).toEqual({ secret: "ACCOUNTING_API_KEY", scope: "production", version: 1, value: VALUE_V1, expiresAt: lease.body.expiresAt });
  });

  it("rotation gives later resolves the new version; no admin response carries a value", async () => {
    const rotated = await call("PUT", `/api/v1/secrets/${state.secretId}`, { token: ADMIN_TOKEN, body: { value: VALUE_V2 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.currentVersion).toBe(2);
    const detail = await call("GET", `/api/v1/secrets/${state.secretId}`, { token: ADMIN_TOKEN });
    expect(detail.body.versions.map((v: { version: number }) => v.version)).toEqual([2, 1]);

    const resolved = await call("POST", `/api/leases/${state.leaseId}/resolve`, { token: state.leaseToken });
    resolveTranscript.push(transcript.pop()!);
    expect(resolved.body).toMatchObject({ version: 2, value: VALUE_V2 });
  });

  it("single-use leases resolve once; released and revoked leases answer 410", async () => {
    const once = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification, singleUse: true } });
    const first = await call("POST", `/api/leases/${once.body.id}/resolve`, { token: once.body.leaseToken });
    resolveTranscript.push(transcript.pop()!);
    expect(first.status).toBe(200);
    const again = await call("POST", `/api/leases/${once.body.id}/resolve`, { token: once.body.leaseToken });
    expect(again.status).toBe(410);
    expect(again.body).toEqual({ error: { code: "lease_used", message: expect.any(String) } });

    const back = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification } });
    expect((await call("DELETE", `/api/leases/${back.body.id}`, { token: state.botToken })).status).toBe(204);
    const released = await call("POST", `/api/leases/${back.body.id}/resolve`, { token: back.body.leaseToken });
    expect(released.body.error.code).toBe("lease_revoked");
    expect((await call("GET", `/api/leases/${back.body.id}`, { token: state.botToken })).body.status).toBe("released");

    const revoke = await call("POST", `/api/v1/leases/${state.leaseId}/revoke`, { token: ADMIN_TOKEN, body: { reason: "month-end close finished" } });
    expect(revoke.status).toBe(200);
    expect(revoke.body.status).toBe("revoked");
    const after = await call("POST", `/api/leases/${state.leaseId}/resolve`, { token: state.leaseToken });
    expect(after.status).toBe(410);
    expect(after.body.error.code).toBe("lease_revoked");
  });

  it("denials are uniform and say which rule refused", async () => {
    // A secret that does not exist and one that exists but not in that scope: the same answer.
    const unknown = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "PAYROLL_KEY", scope: "staging", justification } });
    const wrongScope = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "staging", justification } });
    expect(unknown.status).toBe(403);
    expect(unknown.body).toEqual(wrongScope.body);
    expect(unknown.body.error).toEqual({ code: "permission_denied", message: 'This bot is not permitted to lease that secret in scope "staging"' });

    const terse = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification: "because" } });
    expect(terse.status).toBe(403);
    expect(terse.body.error.code).toBe("policy_denied");
    expect(terse.body.error.message).toMatch(/justification/);

    const noAuth = await call("POST", "/api/leases", { body: { secret: "ACCOUNTING_API_KEY", justification } });
    expect(noAuth.status).toBe(401);
    expect(noAuth.body.error.code).toBe("unauthenticated");
  });

  it("the incident button revokes everything and freezing cuts the bot off", async () => {
    const a = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification } });
    const b = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification } });
    const sweep = await call("POST", "/api/v1/leases/revoke", { token: ADMIN_TOKEN, body: { all: true, reason: "suspected key leak" } });
    expect(sweep.status).toBe(200);
    expect(sweep.body.revoked).toBeGreaterThanOrEqual(2);
    for (const l of [a, b]) {
      expect((await call("POST", `/api/leases/${l.body.id}/resolve`, { token: l.body.leaseToken })).body.error.code).toBe("lease_revoked");
    }
    const active = await call("GET", "/api/v1/leases?status=active", { token: ADMIN_TOKEN });
    expect(active.body.leases).toEqual([]);

    expect((await call("POST", `/api/v1/bots/${state.botId}/freeze`, { token: ADMIN_TOKEN, body: { reason: "incident" } })).status).toBe(200);
    const frozen = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification } });
    expect(frozen.status).toBe(403);
    expect(frozen.body.error.code).toBe("bot_frozen");
    expect((await call("POST", `/api/v1/bots/${state.botId}/unfreeze`, { token: ADMIN_TOKEN })).status).toBe(200);
  });

  it("the audit trail records request, justification, grant, denial, resolve and revoke, and verifies", async () => {
    const all = await call("GET", "/api/v1/audit?limit=500", { token: ADMIN_TOKEN });
    expect(all.status).toBe(200);
    const types = new Set(all.body.events.map((e: { type: string }) => e.type));
    for (const t of ["secret.created", "secret.rotated", "bot.created", "grant.created", "lease.granted", "lease.denied", "lease.resolved", "lease.resolve_denied", "lease.released", "lease.revoked", "leases.revoked", "bot.frozen", "bot.unfrozen"]) {
      expect(types, t).toContain(t);
    }
    const granted = await call("GET", `/api/v1/audit?type=lease.granted&botId=${state.botId}`, { token: ADMIN_TOKEN });
    expect(granted.body.events.length).toBeGreaterThan(0);
    expect(granted.body.events.every((e: { justification: string; botId: string }) => e.justification === justification && e.botId === state.botId)).toBe(true);
    const denied = await call("GET", "/api/v1/audit?type=lease.denied", { token: ADMIN_TOKEN });
    expect(denied.body.events.map((e: { reason: string }) => e.reason.split(":")[0]).sort()).toEqual(
      ["bot_frozen", "permission_denied", "permission_denied", "policy_denied"].sort(),
    );
    const resolvedEvents = await call("GET", `/api/v1/audit?type=lease.resolved&secretId=${state.secretId}`, { token: ADMIN_TOKEN });
    expect(resolvedEvents.body.events.map((e: { secretVersion: number }) => e.secretVersion).sort()).toEqual([1, 2, 2]);

    const verify = await call("GET", "/api/v1/audit/verify", { token: ADMIN_TOKEN });
    expect(verify.body).toEqual({
      ok: true,
      checked: expect.any(Number),
      mode: "incremental",
      walked: expect.any(Number),
      // This test's server keeps its anchor file elsewhere; the unsealed tail is whatever the sealer has not reached.
      anchor: expect.toBeOneOf([null, expect.objectContaining({ seq: expect.any(Number) })]),
      unsealed: { count: expect.any(Number), oldestAgeMs: expect.any(Number) },
      archived: null,
    });
    expect(verify.body.checked).toBeGreaterThan(20);
  });

  it("deleting the secret removes its grants and revokes its leases", async () => {
    const live = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification } });
    const del = await call("DELETE", `/api/v1/secrets/${state.secretId}`, { token: ADMIN_TOKEN });
    expect(del.status).toBe(200);
    expect(del.body).toMatchObject({ leasesRevoked: 1, grantsRemoved: 1 });
    expect((await call("POST", `/api/leases/${live.body.id}/resolve`, { token: live.body.leaseToken })).body.error.code).toBe("lease_revoked");
    expect((await call("GET", `/api/v1/secrets/${state.secretId}`, { token: ADMIN_TOKEN })).status).toBe(404);
  });

  it("no plaintext anywhere: not in other responses, server logs, or the database", async () => {
    for (const value of [VALUE_V1, VALUE_V2]) {
      expect(transcript.join("\n")).not.toContain(value);
      expect(server.logs()).not.toContain(value);
    }
    expect(resolveTranscript.join("\n")).toContain(VALUE_V1);

    const sql = new pg.Client({ connectionString: db.url });
    await sql.connect();
    try {
      const tables = await sql.query<{ tablename: string }>(`SELECT tablename FROM pg_tables WHERE schemaname = 'public'`);
      let dump = "";
      for (const { tablename } of tables.rows) {
        const rows = await sql.query(`SELECT row_to_json(t)::text AS j FROM "${tablename}" t`);
        dump += rows.rows.map((r) => r.j).join("\n");
      }
      expect(dump.length).toBeGreaterThan(1000);
      for (const value of [VALUE_V1, VALUE_V2]) expect(dump).not.toContain(value);
    } finally {
      await sql.end();
    }
  });
});
