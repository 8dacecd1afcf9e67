// The paths users take first, black-box over HTTP, run once per deployment mode the
// README offers (e2e/hot-path-*.test.ts): the accounting story as twenty lease+resolve
// cycles in a row with each resolve arriving live on the event stream, concurrent
// bots, a contested single-use lease, revocation, approvals, and a chain that verifies.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SYSTEM_ACTOR } from "../../lib/audit/record-audit-event";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { transaction } from "../../lib/db/prisma";
import { createUser } from "../../lib/users/create-user";
import { parseSse, type SseMessage } from "runtime-vault";
import type { Deployment } from "../../test/deployments";
import { unique } from "../../test/fixtures";
import { client } from "../http";

const justification = "Reconcile unpaid invoices before month-end close";

interface Seen {
  message: SseMessage;
  at: number;
}

/** An open `GET /api/v1/events`, collecting what arrives with its arrival time. */
async function openEventStream(url: string, token: string) {
  const abort = new AbortController();
  const res = await fetch(`${url}/api/v1/events?after=0`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
  expect(res.status).toBe(200);
  const seen: Seen[] = [];
  const reading = (async () => {
    try {
      for await (const message of parseSse(res.body!)) seen.push({ message, at: Date.now() });
    } catch {
      // Aborted at the end of the suite.
    }
  })();
  return {
    seen,
    /** When the first event matching `match` arrived (waits up to `timeoutMs`). */
    async arrival(match: (data: Record<string, unknown>, m: SseMessage) => boolean, timeoutMs = 5_000): Promise<Seen> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const hit = seen.find((s) => match(JSON.parse(s.message.data), s.message));
        if (hit) return hit;
        if (Date.now() > deadline) throw new Error(`no matching event within ${timeoutMs} ms; saw ${seen.length}`);
        await new Promise((r) => setTimeout(r, 10));
      }
    },
    async close() {
      abort.abort();
      await reading;
    },
  };
}

export function hotPathSuite(mode: string, deploy: () => Promise<Deployment>) {
  describe(`hot path on ${mode}`, () => {
    let d: Deployment;
    let call: ReturnType<typeof client>;
    let stream: Awaited<ReturnType<typeof openEventStream>>;
    const transcript: string[] = [];

    beforeAll(async () => {
      d = await deploy();
      call = client(d.url, transcript);
      stream = await openEventStream(d.url, d.adminToken);
    }, 180_000);
    afterAll(async () => {
      await stream?.close();
      await d?.stop();
    });

    async function secretBotGrant(opts: { tags?: string[] } = {}) {
      const value = `hot-path-${crypto.randomUUID()}`;
      const name = unique("HOT_").toUpperCase();
      const secret = await call("POST", "/api/v1/secrets", { token: d.adminToken, body: { name, scope: "production", value, tags: opts.tags ?? [] } });
      expect(secret.status).toBe(201);
      const bot = await call("POST", "/api/v1/bots", { token: d.adminToken, body: { name: unique("hot-bot-") } });
      expect(bot.status).toBe(201);
      const grant = await call("POST", "/api/v1/grants", { token: d.adminToken, body: { botId: bot.body.id, secretId: secret.body.id } });
      expect(grant.status).toBe(201);
      return { name, value, secretId: secret.body.id as string, botId: bot.body.id as string, botToken: bot.body.token as string };
    }

    const lease = (botToken: string, name: string, extra: Record<string, unknown> = {}) =>
      call("POST", "/api/leases", { token: botToken, body: { secret: name, scope: "production", justification, ...extra } });
    const resolve = (id: string, leaseToken: string) => call("POST", `/api/leases/${id}/resolve`, { token: leaseToken });

    it("serves twenty lease+resolve cycles in a row, each resolve live on the event stream within a second", async () => {
      const s = await secretBotGrant();
      for (let i = 0; i < 20; i++) {
        const l = await lease(s.botToken, s.name);
        expect(l.status, l.text).toBe(201);
        const r = await resolve(l.body.id, l.body.leaseToken);
        expect(r.status, r.text).toBe(200);
        expect(r.body.value).toBe(s.value);
        const done = Date.now();
        const seen = await stream.arrival((e, m) => m.event === "vault.accessed" && e.leaseId === l.body.id);
        expect(seen.at - done).toBeLessThan(1_000);
      }
      const once = await lease(s.botToken, s.name, { singleUse: true });
      expect((await resolve(once.body.id, once.body.leaseToken)).status).toBe(200);
      const again = await resolve(once.body.id, once.body.leaseToken);
      expect(again.status).toBe(410);
      expect(again.body.error.code).toBe("lease_used");
    });

    it("serves twenty bots leasing and resolving at the same time", async () => {
      const pairs = await Promise.all(Array.from({ length: 20 }, () => secretBotGrant()));
      const outcomes = await Promise.all(
        pairs.map(async (s) => {
          const results: string[] = [];
          for (let i = 0; i < 3; i++) {
            const l = await lease(s.botToken, s.name);
            const r = l.status === 201 ? await resolve(l.body.id, l.body.leaseToken) : null;
            results.push(`${l.status}/${r?.status ?? "-"}/${r?.body?.value === s.value}`);
          }
          return results;
        }),
      );
      expect(outcomes.flat().filter((o) => o !== "201/200/true")).toEqual([]);
    });

    it("hands a single-use lease's value to exactly one of 30 concurrent resolves", async () => {
      const s = await secretBotGrant();
      const l = await lease(s.botToken, s.name, { singleUse: true });
      expect(l.status).toBe(201);
      const results = await Promise.all(Array.from({ length: 30 }, () => resolve(l.body.id, l.body.leaseToken)));
      expect(results.filter((r) => r.status === 200).map((r) => r.body.value)).toEqual([s.value]);
      expect(new Set(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.error.code}`))).toEqual(new Set(["410 lease_used"]));
    });

    it("stops a revoked lease, and the incident revoke-all stops every active one", async () => {
      const s = await secretBotGrant();
      const one = await lease(s.botToken, s.name);
      const revoked = await call("POST", `/api/v1/leases/${one.body.id}/revoke`, { token: d.adminToken, body: { reason: "hot-path revoke" } });
      expect(revoked.status, revoked.text).toBe(200);
      const refused = await resolve(one.body.id, one.body.leaseToken);
      expect(refused.status).toBe(410);
      expect(refused.body.error.code).toBe("lease_revoked");
      await stream.arrival((e, m) => m.event === "vault.denied" && e.leaseId === one.body.id);

      const many = await Promise.all(Array.from({ length: 5 }, () => lease(s.botToken, s.name)));
      const all = await call("POST", "/api/v1/leases/revoke", { token: d.adminToken, body: { all: true, reason: "hot-path incident" } });
      expect(all.status, all.text).toBe(200);
      expect(all.body.revoked).toBeGreaterThanOrEqual(5);
      for (const l of many) expect((await resolve(l.body.id, l.body.leaseToken)).body.error.code).toBe("lease_revoked");
    });

    it("holds a gated secret's lease until another admin approves, then the bot collects and resolves it", async () => {
      const tag = unique("gated-");
      const policy = await call("PUT", "/api/v1/policy", { token: d.adminToken, body: { approvalTags: [tag], approvalsRequired: 1 } });
      expect(policy.status, policy.text).toBe(200);
      const s = await secretBotGrant({ tags: [tag] });
      // The approver is a second admin who neither created the bot nor granted it the secret.
      const approverToken = await transaction(d.prisma, async (tx) => {
        const user = await createUser(tx, { orgId: d.orgId, email: `${unique("approver-")}@deployment.test`, password: "correct horse battery", role: "admin", actor: SYSTEM_ACTOR });
        return (await createApiToken(tx, { orgId: d.orgId, userId: user.id, name: "approver", actor: SYSTEM_ACTOR })).token;
      });

      const pending = await lease(s.botToken, s.name);
      expect(pending.status, pending.text).toBe(202);
      expect(pending.body).toEqual({ id: pending.body.id, status: "pending" });
      expect((await call("GET", `/api/leases/${pending.body.id}`, { token: s.botToken })).body.leaseToken).toBeUndefined();

      const approved = await call("POST", `/api/v1/approvals/${pending.body.id}/approve`, { token: approverToken, body: { reason: "Month-end close, checked with finance" } });
      expect(approved.status, approved.text).toBe(200);
      const collected = await call("GET", `/api/leases/${pending.body.id}`, { token: s.botToken });
      expect(collected.body.status).toBe("active");
      expect(collected.body.leaseToken).toMatch(/^rvl_/);
      const r = await resolve(pending.body.id, collected.body.leaseToken);
      expect(r.status, r.text).toBe(200);
      expect(r.body.value).toBe(s.value);
      const reset = await call("PUT", "/api/v1/policy", { token: d.adminToken, body: { approvalTags: [] } });
      expect(reset.status).toBe(200);
    });

    it("keeps a verifiable audit chain through all of it, and never shows a value outside resolves", async () => {
      const verify = await call("GET", "/api/v1/audit/verify", { token: d.adminToken });
      expect(verify.status).toBe(200);
      expect(verify.body.ok, verify.text).toBe(true);
      expect(verify.body.checked).toBeGreaterThan(100);
      const leaks = transcript.filter((t) => !t.includes("/resolve ->") && t.includes("hot-path-"));
      expect(leaks).toEqual([]);
      expect(stream.seen.map((s) => s.message.data).join("\n")).not.toContain("hot-path-");
    });
  });
}
