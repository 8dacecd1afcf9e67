// The accounting story with the master key in an HSM (SoftHSM2 through PKCS#11), over
// HTTP against the built server and real PostgreSQL, and the move of every data key
// from an env key onto the HSM and back with `npm run key:rewrap`, the way the README
// walks an operator through it: values still resolve after each step.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { startServer, type TestServer } from "../test/server";
import { createSoftHsmToken, softHsmProblem, type SoftHsmToken } from "../test/softhsm";
import { runScript } from "../test/run-process";
import { sealAudit } from "../test/seal-audit";
import { environmentOf, processTree } from "../test/process-tree";
import { bootstrap } from "../lib/orgs/bootstrap";
import { generateToken } from "../lib/crypto/tokens";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import { client } from "./http";

const ENV_KEY = process.env.RV_MASTER_KEY!;
const ADMIN_TOKEN = generateToken("rva_");
const V1 = `hsm-acct-${crypto.randomUUID()}`;
const V2 = `hsm-acct-rotated-${crypto.randomUUID()}`;
const V3 = `hsm-acct-second-${crypto.randomUUID()}`;
const justification = "Reconcile invoices with the key held in the HSM";

let hsm: SoftHsmToken;
let db: TestDatabase;
let server: TestServer | undefined;
let orgId: string;
const transcript: string[] = [];
let call = client("http://unset", transcript);
const state: Record<string, string> = {};

/** SOFTHSM2_CONF and the RV_PKCS11_* variables of the test's token (RV_KEY_PROVIDER=pkcs11). */
const hsmEnv = () => hsm.env;

async function restart(env: Record<string, string | undefined>) {
  await server?.stop();
  server = await startServer({ databaseUrl: db.url, env: { RV_MASTER_KEY: undefined, ...env } });
  call = client(server.url, transcript);
}

async function resolve(leaseId: string, leaseToken: string) {
  const res = await call("POST", `/api/leases/${leaseId}/resolve`, { token: leaseToken });
  transcript.pop(); // the one response that may carry the value
  return res;
}

async function keyIds(): Promise<string[]> {
  const rows = await db.prisma.secretVersion.findMany({ where: { orgId }, select: { keyId: true } });
  return [...new Set(rows.map((r) => r.keyId))].sort();
}

const rewrap = (env: Record<string, string | undefined>) => runScript("scripts/rewrap-keys.ts", [], { DATABASE_URL: db.url, ...env });

beforeAll(async () => {
  const problem = softHsmProblem();
  if (problem) throw new Error(problem);
  hsm = createSoftHsmToken();
  db = await createTestDatabase();
  // Bootstrapped under the env key (this process's), as a vault that predates the HSM.
  const boot = await bootstrap(db.prisma, { email: "owner@hsm.test", password: "a long enough password", apiToken: ADMIN_TOKEN });
  if (!boot.created) throw new Error(`bootstrap skipped: ${boot.reason}`);
  orgId = boot.orgId;
  await restart({ RV_MASTER_KEY: ENV_KEY });
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
  hsm?.remove();
});

describe("accounting story with the pkcs11 key provider", () => {
  it("under the env key: the admin stores the key, the bot leases it, the runtime resolves it", async () => {
    const secret = await call("POST", "/api/v1/secrets", { token: ADMIN_TOKEN, body: { name: "ACCOUNTING_API_KEY", scope: "production", value: V1 } });
    expect(secret.status).toBe(201);
    state.secretId = secret.body.id;
    const bot = await call("POST", "/api/v1/bots", { token: ADMIN_TOKEN, body: { name: "accounting-bot" } });
    state.botToken = bot.body.token;
    state.botId = bot.body.id;
    expect((await call("POST", "/api/v1/grants", { token: ADMIN_TOKEN, body: { botId: bot.body.id, secretId: state.secretId } })).status).toBe(201);
    const lease = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "ACCOUNTING_API_KEY", scope: "production", justification, ttlSeconds: 3600 } });
    expect(lease.status).toBe(201);
    state.leaseId = lease.body.id;
    state.leaseToken = lease.body.leaseToken;
    expect((await resolve(state.leaseId, state.leaseToken)).body).toMatchObject({ value: V1, version: 1 });
    expect(await keyIds()).toEqual([expect.stringMatching(/^kek_/)]);
  });

  it("moves onto the HSM: the app restarted with pkcs11 (the env key only as a previous key) still resolves, and rewrap moves every data key", async () => {
    await restart({ ...hsmEnv(), RV_PREVIOUS_MASTER_KEYS: ENV_KEY });
    expect((await resolve(state.leaseId, state.leaseToken)).body).toMatchObject({ value: V1, version: 1 });
    // New data keys are the HSM's at once.
    const rotated = await call("PUT", `/api/v1/secrets/${state.secretId}`, { token: ADMIN_TOKEN, body: { value: V2 } });
    expect(rotated.status).toBe(200);
    expect(await keyIds()).toEqual([expect.stringMatching(/^kek_/), "p11_rv-kek"]);

    const run = await rewrap({ ...hsmEnv(), RV_PREVIOUS_MASTER_KEYS: ENV_KEY });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rewrapped 1 data key\(s\) under p11_rv-kek; 1 already were/);
    expect(run.stdout).toMatch(/re-signed \d+ audit checkpoint\(s\) under p11_rv-kek/);
    expect(await keyIds()).toEqual(["p11_rv-kek"]);
    // Resumable and idempotent: a second run finds nothing left to move.
    expect((await rewrap({ ...hsmEnv(), RV_PREVIOUS_MASTER_KEYS: ENV_KEY })).stdout).toMatch(/rewrapped 0 data key\(s\) under p11_rv-kek; 2 already were/);
  });

  it("with the HSM alone (no env key anywhere): create, lease, resolve, rotate", async () => {
    await restart(hsmEnv());
    expect((await resolve(state.leaseId, state.leaseToken)).body).toMatchObject({ value: V2, version: 2 });
    const second = await call("POST", "/api/v1/secrets", { token: ADMIN_TOKEN, body: { name: "LEDGER_WEBHOOK_SECRET", scope: "production", value: V3 } });
    expect(second.status).toBe(201);
    state.secondId = second.body.id;
    expect((await call("POST", "/api/v1/grants", { token: ADMIN_TOKEN, body: { botId: state.botId, secretId: state.secondId } })).status).toBe(201);
    const lease = await call("POST", "/api/leases", { token: state.botToken, body: { secret: "LEDGER_WEBHOOK_SECRET", scope: "production", justification, ttlSeconds: 3600 } });
    expect(lease.status).toBe(201);
    state.secondLeaseId = lease.body.id;
    state.secondLeaseToken = lease.body.leaseToken;
    expect((await resolve(state.secondLeaseId, state.secondLeaseToken)).body).toMatchObject({ value: V3, version: 1 });
    const rotated = await call("PUT", `/api/v1/secrets/${state.secondId}`, { token: ADMIN_TOKEN, body: { value: `${V3}-2` } });
    expect(rotated.status).toBe(200);
    expect((await resolve(state.secondLeaseId, state.secondLeaseToken)).body).toMatchObject({ value: `${V3}-2`, version: 2 });
    expect(await keyIds()).toEqual(["p11_rv-kek"]);
  });

  it("no master-key material in the app's environment: no RV_MASTER_KEY, no previous key, no key file", () => {
    // `next start` (it names itself next-server) and any children it has.
    const pids = processTree(server!.pid!);
    for (const pid of pids) {
      const { names, text } = environmentOf(pid);
      if (!names.length) continue;
      expect(names, `pid ${pid}`).toContain("RV_PKCS11_MODULE");
      for (const name of ["RV_MASTER_KEY", "RV_MASTER_KEY_FILE", "RV_PREVIOUS_MASTER_KEYS", "NEXTAUTH_SECRET"]) expect(names, `pid ${pid}`).not.toContain(name);
      expect(text).not.toContain(ENV_KEY);
    }
  });

  it("moves back to an env key: the app on env with the HSM as a previous provider, rewrap, then env alone", async () => {
    const back = { ...hsmEnv(), RV_KEY_PROVIDER: "env", RV_MASTER_KEY: ENV_KEY };
    await restart(back);
    expect((await resolve(state.leaseId, state.leaseToken)).body).toMatchObject({ value: V2, version: 2 });
    const run = await rewrap(back);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rewrapped 4 data key\(s\) under kek_[0-9a-f]+; 0 already were/);
    expect(await keyIds()).toEqual([expect.stringMatching(/^kek_/)]);

    await restart({ RV_MASTER_KEY: ENV_KEY });
    expect((await resolve(state.leaseId, state.leaseToken)).body).toMatchObject({ value: V2, version: 2 });
    expect((await resolve(state.secondLeaseId, state.secondLeaseToken)).body).toMatchObject({ value: `${V3}-2`, version: 2 });
  });

  it("audited every move, the chain verifies under the env key, and no value leaked into a non-resolve response", async () => {
    await server?.stop();
    server = undefined;
    await sealAudit(db.prisma, orgId);
    const moves = await db.prisma.auditEvent.findMany({ where: { orgId, type: "keys.rewrapped" }, orderBy: { seq: "asc" }, select: { data: true } });
    expect(moves.map((m) => (m.data as { toKeyId: string }).toKeyId)).toEqual(["p11_rv-kek", expect.stringMatching(/^kek_/)]);
    expect(await verifyAuditChain(db.prisma, { orgId, full: true })).toMatchObject({ ok: true });
    const all = transcript.join("\n");
    for (const value of [V1, V2, V3]) expect(all).not.toContain(value);
  });
});
