// Server-rendered SVG charts for the overview (no chart library, no client JavaScript).
// Every bar carries data-series/data-count, and each chart has a text summary for screen
// readers (and tests) next to it.
import Link from "next/link";
import type { ReactNode } from "react";

export interface SeriesBucket {
  start: Date;
  issued: number;
  denied: number;
}

const W = 640;
const H = 180;
const PAD = { left: 32, right: 8, top: 10, bottom: 24 };
const COLORS = { issued: "var(--color-indigo-500)", denied: "var(--color-red-500)" } as const;

/** A nice upper bound for the y axis: 1, 2, 5, 10, 20, 50… at least `max`. */
function niceMax(max: number): number {
  if (max <= 1) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * p >= max) return m * p;
  return 10 * p;
}

/** Issued and denied side by side per bucket (hour or day). */
export function ActivityChart({ id, title, buckets, tick, every = 1, empty }: { id: string; title: string; buckets: SeriesBucket[]; tick: (d: Date) => string; every?: number; empty: ReactNode }) {
  const issued = buckets.reduce((n, b) => n + b.issued, 0);
  const denied = buckets.reduce((n, b) => n + b.denied, 0);
  const top = niceMax(Math.max(1, ...buckets.map((b) => Math.max(b.issued, b.denied))));
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const slot = plotW / buckets.length;
  const barW = Math.max(1, (slot - 2) / 2);
  const y = (v: number) => PAD.top + plotH - (v / top) * plotH;
  return (
    <figure className="card" aria-labelledby={`${id}-title`} data-chart={id}>
      <figcaption className="flex flex-wrap items-baseline justify-between gap-2">
        <h2 id={`${id}-title`} className="font-semibold">
          {title}
        </h2>
        <span className="text-xs text-slate-600" data-testid={`${id}-summary`}>
          <Swatch color={COLORS.issued} /> <span data-total="issued">{issued}</span> issued · <Swatch color={COLORS.denied} /> <span data-total="denied">{denied}</span> denied
        </span>
      </figcaption>
      {issued + denied === 0 ? (
        <p className="mt-3 text-sm text-slate-600">{empty}</p>
      ) : (
        <svg viewBox={`0 0 ${W} ${H}`} className="mt-2 h-auto w-full" role="img" aria-label={`${title}: ${issued} issued, ${denied} denied`}>
          {[0, top / 2, top].map((v) => (
            <g key={v}>
              <line x1={PAD.left} x2={W - PAD.right} y1={y(v)} y2={y(v)} stroke="var(--color-slate-200)" />
              <text x={PAD.left - 4} y={y(v) + 4} textAnchor="end" fontSize="10" fill="var(--color-slate-500)">
                {Number.isInteger(v) ? v : ""}
              </text>
            </g>
          ))}
          {buckets.map((b, i) => {
            const x = PAD.left + i * slot + 1;
            return (
              <g key={b.start.toISOString()} data-bucket={b.start.toISOString()}>
                {(["issued", "denied"] as const).map((series, k) => (
                  <rect key={series} data-series={series} data-count={b[series]} x={x + k * barW} y={y(b[series])} width={barW} height={plotH + PAD.top - y(b[series])} fill={COLORS[series]} rx="1">
                    <title>{`${tick(b.start)}: ${b[series]} ${series}`}</title>
                  </rect>
                ))}
                {i % every === 0 ? (
                  <text x={x + slot / 2 - 1} y={H - 8} textAnchor="middle" fontSize="10" fill="var(--color-slate-500)">
                    {tick(b.start)}
                  </text>
                ) : null}
              </g>
            );
          })}
        </svg>
      )}
    </figure>
  );
}

function Swatch({ color }: { color: string }) {
  return (
    <svg width="10" height="10" aria-hidden="true" className="inline align-baseline">
      <rect width="10" height="10" rx="2" fill={color} />
    </svg>
  );
}

/** A ranked list with a bar per item, longest first. */
export function RankChart({ id, title, items, empty, color = "var(--color-indigo-500)" }: { id: string; title: string; items: { key: string; label: ReactNode; count: number; href?: string | null }[]; empty: ReactNode; color?: string }) {
  const max = Math.max(1, ...items.map((i) => i.count));
  return (
    <section className="card" aria-labelledby={`${id}-title`} data-chart={id}>
      <h2 id={`${id}-title`} className="font-semibold">
        {title}
      </h2>
      {items.length === 0 ? (
        <p className="mt-3 text-sm text-slate-600">{empty}</p>
      ) : (
        <ol className="mt-3 space-y-2 text-sm">
          {items.map((item) => (
            <li key={item.key} data-rank-item={item.key}>
              <div className="flex justify-between gap-2">
                {item.href ? (
                  <Link href={item.href} className="link min-w-0 [overflow-wrap:anywhere]">
                    {item.label}
                  </Link>
                ) : (
                  <span className="min-w-0 [overflow-wrap:anywhere]">{item.label}</span>
                )}
                <span className="tabular-nums text-slate-700">{item.count}</span>
              </div>
              <svg viewBox="0 0 100 6" preserveAspectRatio="none" className="mt-1 h-1.5 w-full" aria-hidden="true">
                <rect width="100" height="6" rx="1" fill="var(--color-slate-100)" />
                <rect data-count={item.count} width={(item.count / max) * 100} height="6" rx="1" fill={color} />
              </svg>
            </li>
          ))}
        </ol>
      )}
    </section>
  );
}
