// Resolve with the master key in an HSM (pkcs11 through SoftHSM2) beside the env key,
// on the same data: a throwaway database of its own, a few secrets and fresh single-use
// leases, one server per provider, the same autocannon load. The pkcs11 server asks the
// HSM once per data key (the cache, RV_DATA_KEY_CACHE_SECONDS); the uncached row shows
// what one HSM round trip per resolve would cost. Needs SoftHSM2 and the built binding
// (scripts/check-pkcs11.ts); `npm run bench:hsm` runs this part alone.
import { randomBytes } from "node:crypto";
import pg from "pg";
import { createDatabase, dropDatabase } from "../../lib/db/scratch-database";
import { applyMigrations } from "../../lib/db/schema-engine";
import { createPrismaClient } from "../../lib/db/prisma";
import { CompositeKeyProvider, LocalKeyProvider, parseMasterKey, setKeyProvider, keyProviderFromEnv } from "../../lib/crypto/key-provider";
import { rewrapDataKeys } from "../../lib/keys/rewrap-data-keys";
import { dropCachedDataKeys } from "../../lib/crypto/data-key-cache";
import { resignAuditCheckpoints } from "../../lib/audit/resign-audit-checkpoints";
import { createSoftHsmToken, softHsmProblem } from "../../test/softhsm";
import { seedBotsAndSecrets, seedOrg, insertLeases } from "./seed";
import { load } from "./run-load";
import { startBenchServer } from "./server";
import { table, type LoadPoint } from "./report";

export interface KeyProviderPoint {
  provider: string;
  point: LoadPoint;
  /** req/s relative to the mean of the env provider's two points. */
  ratio: number;
}

export async function measureKeyProviders(opts: {
  tmp: string;
  adminUrl: string;
  env: Record<string, string>;
  duration: number;
  connections: number;
  log: (m: string) => void;
}): Promise<{ skipped: string } | { points: KeyProviderPoint[]; table: string }> {
  const problem = softHsmProblem();
  if (problem) return { skipped: problem };
  const { log } = opts;
  const hsm = createSoftHsmToken("rv-bench");
  const name = `rv_bench_hsm_${randomBytes(4).toString("hex")}`;
  const url = await createDatabase(opts.adminUrl, name);
  const db = createPrismaClient(url, 4);
  const pool = new pg.Pool({ connectionString: url, max: 2 });
  pool.on("error", () => {});
  const envKey = parseMasterKey(opts.env.RV_MASTER_KEY, "RV_MASTER_KEY");
  const hsmKeys = keyProviderFromEnv(hsm.env);
  try {
    await applyMigrations(url);
    setKeyProvider(new LocalKeyProvider(envKey));
    const org = await seedOrg(db, "hsm");
    const bots = await seedBotsAndSecrets(db, org, 16, 4);
    const perPoint = Math.ceil(1500 * (opts.duration + 2));
    const leases = await insertLeases(pool, org.orgId, bots, perPoint * 4, { singleUse: true });
    const leasesFile = `${opts.tmp}/hsm-leases.txt`;
    const { writeFileSync } = await import("node:fs");
    writeFileSync(leasesFile, leases.map((l) => l.join(" ")).join("\n") + "\n");
    let offset = 0;

    const measure = async (provider: string, env: Record<string, string>) => {
      const server = await startBenchServer(url, { ...opts.env, ...env });
      try {
        // The previous point's audit events sealed first, so no point pays for another's backlog.
        await sealedOrTimeout(pool, 60_000);
        const common = { url: server.url, leasesFile, kind: "resolve" };
        const warm = await load(opts.tmp, { ...common, connections: 10, duration: 1, offset });
        offset += warm.used;
        const p = await load(opts.tmp, { ...common, connections: opts.connections, duration: opts.duration, offset });
        offset += p.used;
        log(`  resolve with ${provider}: ${p.rps.toFixed(0)} req/s, p99 ${p.p99} ms, non-2xx ${p.non2xx}`);
        return p;
      } finally {
        await server.stop();
      }
    };

    // env before and after the pkcs11 points, its mean the baseline: a shared machine's load drifts.
    log("key providers: resolve with the env key");
    const envBefore = await measure("env", {});
    // Every data key onto the HSM (as `npm run key:rewrap` does), then the pkcs11 servers.
    const onto = new CompositeKeyProvider(hsmKeys, [new LocalKeyProvider(envKey)]);
    await rewrapDataKeys(db, onto);
    await resignAuditCheckpoints(db, onto);
    // Empty, not unset: the bench server inherits this process's environment, which has the env key.
    const pkcs11Env = { ...hsm.env, RV_MASTER_KEY: "", RV_PREVIOUS_MASTER_KEYS: opts.env.RV_MASTER_KEY };
    log("key providers: resolve with pkcs11 (SoftHSM2), data-key cache on (default 60 s)");
    const cached = await measure("pkcs11", pkcs11Env);
    log("key providers: resolve with pkcs11, no data-key cache (one HSM unwrap per resolve)");
    const uncached = await measure("pkcs11 uncached", { ...pkcs11Env, RV_DATA_KEY_CACHE_SECONDS: "0" });
    // And back under the env key for its second point.
    const back = new CompositeKeyProvider(new LocalKeyProvider(envKey), [hsmKeys]);
    await rewrapDataKeys(db, back);
    await resignAuditCheckpoints(db, back);
    log("key providers: resolve with the env key again");
    const envAfter = await measure("env", {});
    const envRps = (envBefore.rps + envAfter.rps) / 2;
    const points: KeyProviderPoint[] = [
      { provider: "env (before)", point: envBefore, ratio: envBefore.rps / envRps },
      { provider: "pkcs11 (SoftHSM2, cache 60 s)", point: cached, ratio: cached.rps / envRps },
      { provider: "pkcs11 (SoftHSM2, no cache)", point: uncached, ratio: uncached.rps / envRps },
      { provider: "env (after)", point: envAfter, ratio: envAfter.rps / envRps },
    ];
    const rendered = table(
      ["POST /api/leases/{id}/resolve", "conns", "req/s", "× env (mean)", "p50 ms", "p99 ms", "non-2xx"],
      points.map(({ provider, point, ratio }) => [provider, point.connections, point.rps.toFixed(0), ratio.toFixed(2), point.p50, point.p99, point.non2xx + point.errors + point.timeouts]),
    );
    return { points, table: rendered };
  } finally {
    hsmKeys.close?.();
    dropCachedDataKeys();
    setKeyProvider(undefined);
    await pool.end();
    await db.$disconnect();
    await dropDatabase(opts.adminUrl, name);
    hsm.remove();
  }
}

async function sealedOrTimeout(pool: pg.Pool, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const { rows } = await pool.query<{ n: string }>(`SELECT count(*) AS n FROM "AuditPending"`);
    if (Number(rows[0].n) === 0) return;
    await new Promise((r) => setTimeout(r, 200));
  }
}
