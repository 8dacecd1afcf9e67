// The embedded database under load: the same server, seed and load generator as the
// PostgreSQL rows, on PGlite served the way `npm start` serves it (one WebAssembly
// PostgreSQL, one statement at a time). Each route's figures are paired with the bare
// route measured on the same server in the same run.
import path from "node:path";
import pg from "pg";
import { startEmbeddedDatabase } from "../../lib/db/embedded-database";
import { applyMigrations } from "../../lib/db/schema-engine";
import { createPrismaClient } from "../../lib/db/prisma";
import type { LoadPoint } from "./report";
import { load } from "./run-load";
import * as seed from "./seed";
import { startBenchServer } from "./server";

export interface EmbeddedResult {
  points: LoadPoint[];
  connections: number;
}

export async function measureEmbedded(opts: { tmp: string; env: Record<string, string>; duration: number; connections?: number; bots?: number; log: (m: string) => void }): Promise<EmbeddedResult> {
  const connections = opts.connections ?? 50;
  const database = await startEmbeddedDatabase({ dataDir: path.join(opts.tmp, "pglite") });
  const db = createPrismaClient(database.url, 4);
  const pool = new pg.Pool({ connectionString: database.url, max: 2 });
  pool.on("error", () => {});
  let server: Awaited<ReturnType<typeof startBenchServer>> | undefined;
  try {
    await applyMigrations(database.url);
    const org = await seed.seedOrg(db, "embedded");
    const bots = await seed.seedBotsAndSecrets(db, org, opts.bots ?? 50, 4);
    const botsFile = path.join(opts.tmp, "embedded-bots.json");
    const leasesFile = path.join(opts.tmp, "embedded-leases.txt");
    const { writeFileSync } = await import("node:fs");
    writeFileSync(botsFile, JSON.stringify(bots.map((b) => ({ token: b.token, secret: b.secret }))));
    await seed.insertLeases(pool, org.orgId, bots, Math.ceil(1000 * (opts.duration + 3)), { singleUse: true, file: leasesFile });
    opts.log(`embedded: seeded ${bots.length} bots and their single-use leases`);
    server = await startBenchServer(database.url, opts.env);
    const common = { url: server.url, botsFile, leasesFile };
    let offset = 0;
    for (const kind of ["health", "lease", "resolve"] as const) {
      const w = await load(opts.tmp, { ...common, kind, connections: 10, duration: 2, offset });
      if (kind === "resolve") offset += w.used;
    }
    const points: LoadPoint[] = [];
    for (const kind of ["health", "lease", "resolve"] as const) {
      const p = await load(opts.tmp, { ...common, kind, connections, duration: opts.duration, offset });
      if (kind === "resolve") offset += p.used;
      points.push(p);
      opts.log(`embedded ${kind.padEnd(7)} @ ${connections}: ${p.rps.toFixed(0)} req/s, p50 ${p.p50} ms, p99 ${p.p99} ms, errors ${p.non2xx + p.errors + p.timeouts}`);
    }
    return { points, connections };
  } finally {
    await server?.stop();
    await db.$disconnect();
    await pool.end();
    await database.stop();
  }
}

/** The rows for RESULTS.md and the console: each route as a ratio to the bare route. */
export function embeddedRows(result: EmbeddedResult) {
  const base = result.points.find((p) => p.kind === "health")!;
  const name = { health: "GET /api/health (ceiling)", lease: "POST /api/leases", resolve: "POST /api/leases/{id}/resolve" } as const;
  return {
    headers: ["embedded database (npm start)", "conns", "req/s", "× ceiling", "p50 ms", "p99 ms", "p99 × ceiling", "errors"],
    rows: result.points.map((p) => [
      name[p.kind],
      result.connections,
      p.rps.toFixed(0),
      (p.rps / base.rps).toFixed(2),
      p.p50,
      p.p99,
      (p.p99 / Math.max(1, base.p99)).toFixed(2),
      p.non2xx + p.errors + p.timeouts,
    ]),
  };
}
