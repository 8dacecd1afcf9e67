// A secret's access answers (who leased and read it, when, why, from where), its blast
// radius, and the leaked-secret response (rotate and revoke), on a real database.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { issueLease, sealAudit, seedBot, seedGrant, seedMember, seedScenario, seedSecret } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { ApiError } from "../api/errors";
import { resolveLease } from "../leases/resolve-lease";
import { releaseLease } from "../leases/release-lease";
import { revokeLease } from "../leases/revoke-lease";
import { setBotFrozen } from "../bots/set-bot-frozen";
import { SYSTEM_ACTOR } from "../audit/record-audit-event";
import { requestLeaseSchema } from "../validations/lease";
import { accessPeriod, secretAccessQuerySchema } from "../validations/secret-access";
import { listSecretAccess, secretAccessCsv } from "../audit/list-secret-access";
import { getSecretBlastRadius } from "./get-secret-blast-radius";
import { rotateAndRevokeSecret } from "./rotate-and-revoke-secret";
import { listBotSecrets } from "../bots/list-bot-secrets";
import { formatUtcInput, parseUtcInput } from "../audit/utc-input";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const DAY = 86_400_000;
const why = (s: string) => requestLeaseSchema.parse({ secret: s, justification: "Reconcile unpaid invoices before month-end close" });

describe("listSecretAccess", () => {
  it("answers who leased and read the secret in the period, why and from where, with names", async () => {
    const s = await seedScenario(db.prisma);
    const admin = await seedMember(db.prisma, s.orgId, "admin");
    const old = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name), now: () => new Date(Date.now() - 10 * DAY) });
    const lease = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken, ip: "198.51.100.7" });
    await revokeLease(db.prisma, { orgId: s.orgId, id: lease.id, actor: { type: "user", id: admin.user.id }, reason: "done with it" });
    // Another secret's events stay out.
    const other = await seedScenario(db.prisma);
    await issueLease(db.prisma, { bot: other.principal, input: why(other.secret.name) });

    const period = accessPeriod(secretAccessQuerySchema.parse({}));
    expect(period.to.getTime() - period.from.getTime()).toBe(7 * DAY);
    const access = await listSecretAccess(db.prisma, { orgId: s.orgId, secretId: s.secret.id, ...period });
    expect(access.rows.map((r) => r.type)).toEqual(["lease.revoked", "lease.resolved", "lease.granted"]);
    expect(access.rows.some((r) => r.leaseId === old.id)).toBe(false);
    const resolved = access.rows[1];
    expect(resolved).toMatchObject({
      botId: s.bot.id,
      botName: s.bot.name,
      actor: s.bot.name,
      justification: "Reconcile unpaid invoices before month-end close",
      ip: "198.51.100.7",
      secretVersion: 1,
      leaseId: lease.id,
    });
    // A member acts under their email, never their id.
    expect(access.rows[0]).toMatchObject({ actor: admin.user.email, reason: "done with it" });
    expect(access.bots).toEqual([{ botId: s.bot.id, botName: s.bot.name, leases: 1, resolves: 1, denials: 0, lastResolvedAt: resolved.createdAt }]);

    // A wider period finds the older lease too.
    const month = await listSecretAccess(db.prisma, { orgId: s.orgId, secretId: s.secret.id, ...accessPeriod({ days: 30 }) });
    expect(month.rows.filter((r) => r.type === "lease.granted").map((r) => r.leaseId)).toEqual([lease.id, old.id]);
    // Another org's view of the same secret id is empty.
    const elsewhere = await listSecretAccess(db.prisma, { orgId: other.orgId, secretId: s.secret.id, ...period });
    expect(elsewhere.rows).toEqual([]);

    const csv = secretAccessCsv(access.rows).split("\r\n");
    expect(csv[0]).toBe("createdAt,type,outcome,botName,botId,actor,justification,mount,tool,ip,secretVersion,leaseId,reason,seq");
    expect(csv[2]).toContain(`lease.resolved,success,${s.bot.name},${s.bot.id},${s.bot.name},Reconcile unpaid invoices before month-end close,,,198.51.100.7,1,${lease.id}`);
  });

  it("takes the justification from the lease for resolve events recorded before they carried it", async () => {
    const s = await seedScenario(db.prisma);
    const lease = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    await resolveLease(db.prisma, { leaseId: lease.id, leaseToken: lease.leaseToken });
    await sealAudit(db.prisma, s.orgId);
    // An event as an older version wrote it: no justification on the resolve.
    await db.prisma.$executeRaw`ALTER TABLE "AuditEvent" DISABLE TRIGGER USER`;
    await db.prisma.$executeRaw`UPDATE "AuditEvent" SET "justification" = NULL WHERE "leaseId" = ${lease.id} AND "type" = 'lease.resolved'`;
    await db.prisma.$executeRaw`ALTER TABLE "AuditEvent" ENABLE TRIGGER USER`;
    const access = await listSecretAccess(db.prisma, { orgId: s.orgId, secretId: s.secret.id, ...accessPeriod({}) });
    expect(access.rows.find((r) => r.type === "lease.resolved")?.justification).toBe("Reconcile unpaid invoices before month-end close");
  });

  it("reads the UTC inputs of the period and refuses others", () => {
    expect(secretAccessQuerySchema.parse({ from: "2026-11-20 08:30", to: "2026-11-21" })).toMatchObject({ from: "2026-11-20T08:30:00.000Z", to: "2026-11-21T00:00:00.000Z" });
    expect(secretAccessQuerySchema.safeParse({ from: "11/20/2026 8:30 PM" }).success).toBe(false);
    expect(secretAccessQuerySchema.safeParse({ days: "0" }).success).toBe(false);
  });
});

describe("getSecretBlastRadius", () => {
  it("lists the bots that can lease the secret, their active leases and last access", async () => {
    const s = await seedScenario(db.prisma);
    const frozen = await seedBot(db.prisma, s.orgId);
    await seedGrant(db.prisma, s.orgId, frozen.bot.id, s.secret.id, { maxTtlSeconds: 300, singleUseOnly: true });
    const formerly = await seedBot(db.prisma, s.orgId);
    const grant = await seedGrant(db.prisma, s.orgId, formerly.bot.id, s.secret.id);
    const past = await issueLease(db.prisma, { bot: formerly.principal, input: why(s.secret.name) });
    await releaseLease(db.prisma, { orgId: s.orgId, botId: formerly.bot.id, id: past.id });
    await db.prisma.grant.delete({ where: { id: grant.id } });
    await transaction(db.prisma, (tx) => setBotFrozen(tx, { orgId: s.orgId, id: frozen.bot.id, frozen: true, actor: SYSTEM_ACTOR }));
    const a = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    await resolveLease(db.prisma, { leaseId: a.id, leaseToken: a.leaseToken });

    const radius = await getSecretBlastRadius(db.prisma, { orgId: s.orgId, secretId: s.secret.id });
    expect(radius.activeLeaseCount).toBe(2);
    expect(radius.activeLeases.map((l) => l.botName)).toEqual([s.bot.name, s.bot.name]);
    expect(radius.bots.map((b) => [b.botName, b.canLease, b.activeLeases])).toEqual([
      [s.bot.name, true, 2],
      ...[[formerly.bot.name, false, 0], [frozen.bot.name, false, 0]].sort((x, y) => String(x[0]).localeCompare(String(y[0]))),
    ]);
    const byName = Object.fromEntries(radius.bots.map((b) => [b.botName, b]));
    expect(byName[s.bot.name].lastResolvedAt).toBeInstanceOf(Date);
    expect(byName[frozen.bot.name]).toMatchObject({ frozen: true, grant: { maxTtlSeconds: 300, singleUseOnly: true, mount: null }, lastLeasedAt: null });
    expect(byName[formerly.bot.name]).toMatchObject({ grant: null, lastResolvedAt: null });
    expect(byName[formerly.bot.name].lastLeasedAt).toBeInstanceOf(Date);
  });
});

describe("listBotSecrets", () => {
  it("lists what a bot can lease, with its mount limit, active leases and last read", async () => {
    const s = await seedScenario(db.prisma);
    const other = await seedScenario(db.prisma);
    const mount = await db.prisma.mount.create({
      data: { id: `mnt_${s.bot.id.slice(4)}`, orgId: s.orgId, name: `m-${s.bot.id.slice(-8)}`, botId: s.bot.id, command: "true", mappings: [], justificationTemplate: "t" },
    });
    const { secret: second } = await seedSecret(db.prisma, s.orgId);
    await db.prisma.grant.create({ data: { id: `grt_${second.id.slice(4)}`, orgId: s.orgId, botId: s.bot.id, secretId: second.id, mountId: mount.id } });
    const a = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    await resolveLease(db.prisma, { leaseId: a.id, leaseToken: a.leaseToken });

    const secrets = await listBotSecrets(db.prisma, { orgId: s.orgId, botId: s.bot.id });
    expect(secrets.map((g) => [g.secret.name, g.mount, g.activeLeases, g.lastResolvedAt instanceof Date])).toEqual([
      [s.secret.name, null, 1, true],
      [second.name, mount.name, 0, false],
    ]);
    // Scoped to the org: the bot's id under another org lists nothing.
    expect(await listBotSecrets(db.prisma, { orgId: other.orgId, botId: s.bot.id })).toEqual([]);
  });
});

describe("UTC inputs", () => {
  it("read the table's format, a T, seconds, a date alone or an ISO instant; refuse locale formats", () => {
    expect(parseUtcInput("2026-11-28 14:05")).toBe("2026-11-28T14:05:00.000Z");
    expect(parseUtcInput("2026-11-28T14:05")).toBe("2026-11-28T14:05:00.000Z");
    expect(parseUtcInput("2026-11-28 14:05:09 UTC")).toBe("2026-11-28T14:05:09.000Z");
    expect(parseUtcInput("2026-11-28")).toBe("2026-11-28T00:00:00.000Z");
    expect(parseUtcInput("2026-11-28T14:05:09.123Z")).toBe("2026-11-28T14:05:09.123Z");
    for (const bad of ["11/28/2026 2:05 PM", "2026-13-01", "2026-11-28 25:00", "yesterday", ""]) expect(parseUtcInput(bad), bad).toBeNull();
    expect(formatUtcInput("2026-11-28T14:05:09.123Z")).toBe("2026-11-28 14:05");
  });
});

describe("rotateAndRevokeSecret", () => {
  it("revokes the secret's leases and stores the new value in one transaction, naming the bots that get it", async () => {
    const s = await seedScenario(db.prisma);
    const other = await seedBot(db.prisma, s.orgId);
    await seedGrant(db.prisma, s.orgId, other.bot.id, s.secret.id);
    const a = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    const released = await issueLease(db.prisma, { bot: other.principal, input: why(s.secret.name) });
    await releaseLease(db.prisma, { orgId: s.orgId, botId: other.bot.id, id: released.id });

    const result = await transaction(db.prisma, (tx) =>
      rotateAndRevokeSecret(tx, { orgId: s.orgId, id: s.secret.id, actor: SYSTEM_ACTOR, value: "new-value-after-leak", reason: "value leaked in a CI log" }),
    );
    expect(result).toMatchObject({ version: 2, revoked: 1 });
    expect(result.bots.map((b) => b.name).sort()).toEqual([s.bot.name, other.bot.name].sort());
    expect(JSON.stringify(result)).not.toContain("new-value-after-leak");
    expect((await db.prisma.lease.findUniqueOrThrow({ where: { id: released.id } })).status).toBe("released");
    await expect(resolveLease(db.prisma, { leaseId: a.id, leaseToken: a.leaseToken })).rejects.toMatchObject({ code: "lease_revoked" });
    const fresh = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    expect(await resolveLease(db.prisma, { leaseId: fresh.id, leaseToken: fresh.leaseToken })).toMatchObject({ version: 2, value: "new-value-after-leak" });

    await sealAudit(db.prisma, s.orgId);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId: s.orgId, type: { in: ["leases.revoked", "secret.rotated"] } }, orderBy: { seq: "asc" } });
    expect(events.map((e) => [e.type, e.reason ?? null])).toEqual([["leases.revoked", "value leaked in a CI log"], ["secret.rotated", null]]);
    expect(JSON.stringify(events.map((e) => ({ ...e, seq: String(e.seq) })))).not.toContain("new-value-after-leak");
  });

  it("changes nothing when a step fails", async () => {
    const s = await seedScenario(db.prisma);
    const a = await issueLease(db.prisma, { bot: s.principal, input: why(s.secret.name) });
    const err = await transaction(db.prisma, (tx) =>
      rotateAndRevokeSecret(tx, { orgId: s.orgId, id: s.secret.id, actor: SYSTEM_ACTOR, value: "x", reason: "leak" }).then(() => {
        throw new ApiError("conflict", "fail after both steps");
      }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((await db.prisma.lease.findUniqueOrThrow({ where: { id: a.id } })).status).toBe("active");
    expect((await db.prisma.secret.findUniqueOrThrow({ where: { id: s.secret.id } })).currentVersion).toBe(1);
  });
});
