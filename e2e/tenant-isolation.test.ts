// Org A's credentials against org B's ids, route by route: never a 2xx that acts on B,
// never a byte of B's data, and B is untouched afterwards.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { issueLease, sealAudit, seedScenario } from "../test/fixtures";
import { startServer } from "../test/server";
import { requestLease } from "../lib/leases/request-lease";
import { requestLeaseSchema } from "../lib/validations/lease";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { client } from "./http";

let db: TestDatabase;
let server: Awaited<ReturnType<typeof startServer>>;
let call: ReturnType<typeof client>;
let a: Awaited<ReturnType<typeof seedScenario>>;
let b: Awaited<ReturnType<typeof seedScenario>>;
let bLease: Awaited<ReturnType<typeof issueLease>>;
let aLease: Awaited<ReturnType<typeof issueLease>>;

const justification = "Tenant isolation check for the matrix";

beforeAll(async () => {
  db = await createTestDatabase();
  [a, b] = [await seedScenario(db.prisma), await seedScenario(db.prisma)];
  bLease = await issueLease(db.prisma, { bot: b.principal, input: requestLeaseSchema.parse({ secret: b.secret.name, justification }) });
  aLease = await issueLease(db.prisma, { bot: a.principal, input: requestLeaseSchema.parse({ secret: a.secret.name, justification }) });
  // Same KEK as this process: the seeded secrets were sealed here.
  server = await startServer({ databaseUrl: db.url, env: { RV_MASTER_KEY: process.env.RV_MASTER_KEY } });
  call = client(server.url);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

/** Everything of B's that must never show up in A's responses. */
const bMarkers = () => [b.orgId, b.secret.id, b.secret.name, b.bot.id, b.bot.name, b.grant.id, bLease.id, b.value, b.user.email];

describe("tenant isolation", () => {
  it("A's admin token cannot read or change B's resources", async () => {
    const t = a.adminToken;
    const attempts = [
      call("GET", `/api/v1/secrets/${b.secret.id}`, { token: t }),
      call("PUT", `/api/v1/secrets/${b.secret.id}`, { token: t, body: { value: "overwritten-by-a" } }),
      call("PUT", `/api/v1/secrets/${b.secret.id}`, { token: t, body: { description: "x" } }),
      call("DELETE", `/api/v1/secrets/${b.secret.id}`, { token: t }),
      call("POST", `/api/v1/bots/${b.bot.id}/freeze`, { token: t }),
      call("POST", `/api/v1/bots/${b.bot.id}/unfreeze`, { token: t }),
      call("POST", "/api/v1/grants", { token: t, body: { botId: b.bot.id, secretId: b.secret.id } }),
      call("POST", "/api/v1/grants", { token: t, body: { botId: a.bot.id, secretId: b.secret.id } }),
      call("POST", "/api/v1/grants", { token: t, body: { botId: b.bot.id, secretId: a.secret.id } }),
      call("DELETE", `/api/v1/grants/${b.grant.id}`, { token: t }),
      call("DELETE", "/api/v1/grants", { token: t, body: { id: b.grant.id } }),
      call("PATCH", `/api/v1/grants/${b.grant.id}`, { token: t, body: { revealToAgent: true } }),
      call("DELETE", `/v1/vault/secrets/${b.secret.id}`, { token: t }),
      call("POST", "/v1/vault/grants", { token: t, body: { agent_id: b.bot.id, secret_id: a.secret.id } }),
      call("POST", "/v1/vault/grants", { token: t, body: { agent_id: b.bot.name, secret_id: a.secret.id } }),
      call("POST", "/v1/vault/grants", { token: t, body: { agent_id: a.bot.id, secret_id: b.secret.id } }),
      call("POST", `/api/v1/leases/${bLease.id}/revoke`, { token: t, body: { reason: "cross-tenant" } }),
      call("POST", "/api/v1/leases/revoke", { token: t, body: { botId: b.bot.id, reason: "cross-tenant" } }),
      call("POST", "/api/v1/leases/revoke", { token: t, body: { secretId: b.secret.id, reason: "cross-tenant" } }),
    ];
    for (const res of await Promise.all(attempts)) {
      expect(res.status, res.text).toBe(404);
      expect(res.body.error.code).toBe("not_found");
      for (const marker of bMarkers()) expect(res.text).not.toContain(marker);
    }
  });

  it("A's lists and filters never include B's rows", async () => {
    const t = a.adminToken;
    const reads = await Promise.all([
      call("GET", "/api/v1/secrets", { token: t }),
      call("GET", "/api/v1/bots", { token: t }),
      call("GET", "/api/v1/grants", { token: t }),
      call("GET", `/api/v1/grants?botId=${b.bot.id}`, { token: t }),
      call("GET", "/api/v1/leases", { token: t }),
      call("GET", `/api/v1/leases?secretId=${b.secret.id}`, { token: t }),
      call("GET", "/api/v1/audit?limit=500", { token: t }),
      call("GET", `/api/v1/audit?botId=${b.bot.id}`, { token: t }),
      call("GET", "/api/v1/policy", { token: t }),
      call("GET", "/api/v1/audit/verify", { token: t }),
      call("GET", "/v1/vault/secrets", { token: t }),
    ]);
    for (const res of reads) {
      expect(res.status, res.text).toBe(200);
      for (const marker of bMarkers()) expect(res.text).not.toContain(marker);
    }
    // The lists are not empty: A does see its own rows.
    expect(reads[0].text).toContain(a.secret.id);
    expect(reads[6].text).toContain(a.bot.id);
  });

  it("A's bot and lease tokens cannot reach B's leases or secrets", async () => {
    const status = await call("GET", `/api/leases/${bLease.id}`, { token: a.token });
    expect(status.status).toBe(404);
    const release = await call("DELETE", `/api/leases/${bLease.id}`, { token: a.token });
    expect(release.status).toBe(404);
    const lease = await call("POST", "/api/leases", { token: a.token, body: { secret: b.secret.name, justification } });
    expect(lease.status).toBe(403);
    expect(lease.body.error.code).toBe("permission_denied");
    const resolve = await call("POST", `/api/leases/${bLease.id}/resolve`, { token: aLease.leaseToken });
    expect(resolve.status).toBe(401);
    for (const res of [status, release, lease, resolve]) for (const marker of bMarkers()) expect(res.text).not.toContain(marker);
  });

  it("A's org-wide incident revoke leaves B alone, and B is intact", async () => {
    const sweep = await call("POST", "/api/v1/leases/revoke", { token: a.adminToken, body: { all: true, reason: "incident in org A" } });
    expect(sweep.status).toBe(200);
    const resolved = await call("POST", `/api/leases/${bLease.id}/resolve`, { token: bLease.leaseToken });
    expect(resolved.status, server.logs()).toBe(200);
    expect(resolved.body.value).toBe(b.value);
    const secret = await db.prisma.secret.findUniqueOrThrow({ where: { id: b.secret.id } });
    expect(secret).toMatchObject({ currentVersion: 1, description: "" });
    expect(await db.prisma.grant.count({ where: { id: b.grant.id } })).toBe(1);
    expect((await db.prisma.bot.findUniqueOrThrow({ where: { id: b.bot.id } })).frozenAt).toBeNull();
    expect(await verifyAuditChain(db.prisma, { orgId: b.orgId })).toMatchObject({ ok: true });
    // None of A's attempts was recorded in B's trail.
    await sealAudit(db.prisma);
    expect(await db.prisma.auditEvent.count({ where: { orgId: b.orgId, actorId: a.user.id } })).toBe(0);
  });
});
