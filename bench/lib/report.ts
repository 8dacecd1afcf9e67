// Renders the results: the console table, RESULTS.md and the SVG chart (no dependencies).
export interface LoadPoint {
  kind: "health" | "lease" | "resolve";
  connections: number;
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  max: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  codes: Record<string, number>;
  /** CPU per request of the app server's process tree and of PostgreSQL, in ms. */
  appCpuMs?: number;
  dbCpuMs?: number;
}

const fmt = (n: number, d = 0) => (Number.isFinite(n) ? n.toFixed(d) : "–");
const pct = (r: number) => `${(r * 100).toFixed(0)}%`;

export function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => r[i]?.length ?? 0)));
  const line = (r: string[]) => "| " + r.map((c, i) => c.padEnd(widths[i])).join(" | ") + " |";
  return [line(cells[0]), "| " + widths.map((w) => "-".repeat(w)).join(" | ") + " |", ...cells.slice(1).map(line)].join("\n");
}

export function loadRows(points: LoadPoint[]) {
  const rows: (string | number)[][] = [];
  for (const c of [...new Set(points.map((p) => p.connections))]) {
    const base = points.find((p) => p.kind === "health" && p.connections === c)!;
    for (const p of points.filter((x) => x.connections === c)) {
      const bad = p.non2xx + p.errors + p.timeouts;
      rows.push([
        p.kind === "health" ? "GET /api/health (ceiling)" : p.kind === "lease" ? "POST /api/leases" : "POST /api/leases/{id}/resolve",
        c,
        fmt(p.rps),
        p.kind === "health" ? "1.00" : fmt(p.rps / base.rps, 2),
        fmt(p.p50),
        fmt(p.p99),
        p.kind === "health" ? "1.00" : fmt(p.p99 / Math.max(base.p99, 1), 2),
        fmt(p.appCpuMs ?? NaN, 2),
        fmt(p.dbCpuMs ?? NaN, 2),
        bad ? `${bad} (${Object.entries(p.codes).filter(([k]) => !k.startsWith("2")).map(([k, v]) => `${k}×${v}`).join(" ") || "socket"})` : "0",
      ]);
    }
  }
  return { headers: ["route", "conns", "req/s", "× ceiling", "p50 ms", "p99 ms", "p99 × ceiling", "app CPU ms/req", "db CPU ms/req", "errors"], rows };
}

/** Two panels: throughput (bars) and p99 latency (bars), grouped by concurrency. */
export function chartSvg(points: LoadPoint[], title: string): string {
  const kinds = ["health", "lease", "resolve"] as const;
  const colors = { health: "#94a3b8", lease: "#2563eb", resolve: "#16a34a" };
  const labels = { health: "GET /api/health (ceiling)", lease: "POST /api/leases", resolve: "POST /api/leases/{id}/resolve" };
  const conns = [...new Set(points.map((p) => p.connections))];
  const W = 860, H = 360, panelW = 380, panelH = 220, top = 70, left = 60;
  const out: string[] = [];
  out.push(`<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="system-ui, sans-serif" font-size="12">`);
  out.push(`<rect width="${W}" height="${H}" fill="#fff"/>`);
  out.push(`<text x="${W / 2}" y="22" text-anchor="middle" font-size="15" font-weight="600">${esc(title)}</text>`);
  kinds.forEach((k, i) => {
    const x = 140 + i * 230;
    out.push(`<rect x="${x}" y="34" width="12" height="12" fill="${colors[k]}"/><text x="${x + 18}" y="44">${esc(labels[k])}</text>`);
  });
  const panel = (ox: number, metric: "rps" | "p99", heading: string, unit: string) => {
    const max = niceMax(Math.max(...points.map((p) => p[metric]), 1));
    out.push(`<text x="${ox + panelW / 2}" y="${top - 6}" text-anchor="middle" font-weight="600">${heading}</text>`);
    for (let t = 0; t <= 4; t++) {
      const v = (max * t) / 4, y = top + panelH - (panelH * t) / 4;
      out.push(`<line x1="${ox}" x2="${ox + panelW}" y1="${y}" y2="${y}" stroke="#e5e7eb"/>`);
      out.push(`<text x="${ox - 6}" y="${y + 4}" text-anchor="end" fill="#555">${fmt(v)}</text>`);
    }
    out.push(`<text x="${ox - 44}" y="${top + panelH / 2}" transform="rotate(-90 ${ox - 44} ${top + panelH / 2})" text-anchor="middle" fill="#555">${unit}</text>`);
    const groupW = panelW / conns.length, barW = (groupW - 24) / kinds.length;
    conns.forEach((c, gi) => {
      const gx = ox + gi * groupW + 12;
      kinds.forEach((k, ki) => {
        const p = points.find((q) => q.kind === k && q.connections === c);
        if (!p) return;
        const h = (panelH * p[metric]) / max, x = gx + ki * barW, y = top + panelH - h;
        out.push(`<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${(barW - 2).toFixed(1)}" height="${h.toFixed(1)}" fill="${colors[k]}"><title>${esc(labels[k])} @ ${c}: ${fmt(p[metric])} ${unit}</title></rect>`);
        out.push(`<text x="${(x + barW / 2 - 1).toFixed(1)}" y="${(y - 3).toFixed(1)}" text-anchor="middle" font-size="10">${fmt(p[metric])}</text>`);
      });
      out.push(`<text x="${gx + (groupW - 24) / 2}" y="${top + panelH + 16}" text-anchor="middle">${c} conns</text>`);
    });
    out.push(`<line x1="${ox}" x2="${ox + panelW}" y1="${top + panelH}" y2="${top + panelH}" stroke="#333"/>`);
  };
  panel(left + 10, "rps", "Throughput", "requests/s");
  panel(left + panelW + 70, "p99", "p99 latency", "ms");
  out.push(`<text x="${W / 2}" y="${H - 12}" text-anchor="middle" fill="#555" font-size="11">autocannon over 127.0.0.1, one next-server process, PostgreSQL 15, 2 cores shared with the load generator</text>`);
  out.push("</svg>");
  return out.join("\n") + "\n";
}

function niceMax(v: number) {
  const e = 10 ** Math.floor(Math.log10(v));
  for (const m of [1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10]) if (v <= m * e) return m * e;
  return 10 * e;
}

function esc(s: string) {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export { fmt, pct };
