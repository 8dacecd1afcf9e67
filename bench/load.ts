// The load generator, run as its own process so it never shares an event loop with
// the server or the orchestrator: autocannon over 127.0.0.1 for a bounded time.
//   tsx bench/load.ts <config.json>   → one JSON line on stdout
// kind "health": GET /api/health. "lease": POST /api/leases, rotating over many bot
// tokens. "resolve": POST /api/leases/{id}/resolve, each request spending one fresh
// single-use lease from the tokens file (lines "id token"), starting at `offset`.
import { readFileSync } from "node:fs";
import autocannon from "autocannon";

interface Config {
  url: string;
  kind: "health" | "lease" | "resolve";
  connections: number;
  duration: number;
  botsFile?: string;
  leasesFile?: string;
  offset?: number;
}

const cfg: Config = JSON.parse(readFileSync(process.argv[2], "utf8"));
let next = cfg.offset ?? 0;

function requestsFor(): autocannon.Request[] {
  if (cfg.kind === "health") return [{ method: "GET", path: "/api/health" }];
  if (cfg.kind === "lease") {
    const bots: { token: string; secret: string }[] = JSON.parse(readFileSync(cfg.botsFile!, "utf8"));
    const bodies = bots.map((b) =>
      JSON.stringify({ secret: b.secret, scope: "production", justification: "Nightly reconciliation of the ledger (bench)", ttlSeconds: 600, singleUse: true }),
    );
    return [
      {
        method: "POST",
        path: "/api/leases",
        setupRequest: (req) => {
          const i = next++ % bots.length;
          return { ...req, headers: { "content-type": "application/json", authorization: `Bearer ${bots[i].token}` }, body: bodies[i] };
        },
      },
    ];
  }
  const leases = readFileSync(cfg.leasesFile!, "utf8").trim().split("\n").map((l) => l.split(" "));
  return [
    {
      method: "POST",
      path: "/api/leases/x/resolve",
      setupRequest: (req) => {
        const [id, token] = leases[next++ % leases.length];
        return { ...req, path: `/api/leases/${id}/resolve`, headers: { authorization: `Bearer ${token}` } };
      },
    },
  ];
}

const result = await autocannon({
  url: cfg.url,
  connections: cfg.connections,
  duration: cfg.duration,
  timeout: 10,
  requests: requestsFor(),
});

const codes: Record<string, number> = {};
for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) codes[code] = (stat as { count: number }).count;
process.stdout.write(
  JSON.stringify({
    kind: cfg.kind,
    connections: cfg.connections,
    duration: cfg.duration,
    requests: result.requests.total,
    rps: result.requests.total / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    max: result.latency.max,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    codes,
    used: next - (cfg.offset ?? 0),
  }) + "\n",
);
