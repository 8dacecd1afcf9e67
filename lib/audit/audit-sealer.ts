// Each server process seals pending audit events every RV_AUDIT_SEAL_MS (default 50 ms):
// for each org with pending events it runs sealAuditChain, which skips an org another
// instance is sealing right now. A full batch is followed by the next at once. The
// interval bounds how long an event stays unsealed, i.e. outside the signed chain.
//
// On connections of its own: on the app's pool, under load, every seal queued behind
// the requests' queries for a connection and took a second instead of milliseconds
// (bench/NOTES.md, issue 11).
import pg from "pg";
import { sqlPool, type PrismaClient } from "@/lib/db/prisma";
import { getAnchorFile } from "./anchor-file";
import { ensureAuditPartitions } from "./ensure-audit-partitions";
import { sealAuditChain } from "./seal-audit-chain";

export interface AuditSealer {
  /** One pass over every org with pending events. */
  sweep(): Promise<void>;
  stop(): Promise<void>;
}

const PARTITION_CHECK_MS = 6 * 60 * 60 * 1000;
// A chain the sealer refused (tampered, behind its anchor) is tried again this often,
// and reported once per reason.
const REFUSED_RETRY_MS = 60_000;

export function startAuditSealer(
  db: PrismaClient,
  { intervalMs = Number(process.env.RV_AUDIT_SEAL_MS) || 50 } = {},
): AuditSealer {
  // The same database as the client's, whatever it was made for (tests make their own).
  const pool = new pg.Pool({ ...sqlPool(db).options, max: 2, connectionTimeoutMillis: 5_000 });
  // An idle connection whose server went away must not crash the process.
  pool.on("error", () => {});
  const refused = new Map<string, { reason: string; until: number }>();
  let running: Promise<void> | null = null;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let partitionsCheckedAt = 0;

  async function sealOrg(orgId: string) {
    const hold = refused.get(orgId);
    if (hold && hold.until > Date.now()) return;
    for (;;) {
      const result = await sealAuditChain(db, { orgId, pool });
      if (result.ok) {
        if (hold) refused.delete(orgId);
        if (!result.more || stopped) return;
        continue;
      }
      if (!result.busy) {
        if (hold?.reason !== result.reason) console.error(`[runtime-vault] audit chain of ${orgId} not sealed: ${result.reason} (#${result.brokenAt})`);
        refused.set(orgId, { reason: result.reason, until: Date.now() + REFUSED_RETRY_MS });
      }
      return;
    }
  }

  async function pass() {
    try {
      if (Date.now() - partitionsCheckedAt > PARTITION_CHECK_MS) {
        await ensureAuditPartitions(db);
        partitionsCheckedAt = Date.now();
      }
      const { rows: orgs } = await pool.query<{ orgId: string }>({ name: "rv_seal_orgs", text: `SELECT DISTINCT "orgId" FROM "AuditPending"` });
      for (const { orgId } of orgs) {
        if (stopped) return;
        await sealOrg(orgId);
      }
    } catch {
      // Database away: the next tick tries again; requests report the outage.
    }
  }

  const sweep = () => (running ??= pass().finally(() => (running = null)));
  const tick = () => {
    timer = setTimeout(async () => {
      await sweep();
      if (!stopped) tick();
    }, intervalMs);
    timer.unref();
  };
  void reportAnchorGap(db).finally(() => {
    if (!stopped) tick();
  });
  return {
    sweep,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      await running;
      await getAnchorFile()?.settle();
      await pool.end();
    },
  };
}

/** On start: say so loudly when the database is behind the anchor file (restored, rolled back, wiped). */
export async function reportAnchorGap(db: PrismaClient): Promise<string[]> {
  const anchor = getAnchorFile();
  if (!anchor) return [];
  const gaps: string[] = [];
  try {
    const anchors = await anchor.readAll();
    if (anchors.size === 0) return [];
    const checkpoints = await db.auditCheckpoint.findMany({ where: { orgId: { in: [...anchors.keys()] } }, select: { orgId: true, seq: true } });
    const bySeq = new Map(checkpoints.map((c) => [c.orgId, c.seq]));
    const orgs = new Set((await db.organization.findMany({ where: { id: { in: [...anchors.keys()] } }, select: { id: true } })).map((o) => o.id));
    for (const [orgId, a] of anchors) {
      const seq = bySeq.get(orgId);
      if (seq !== undefined && seq >= a.seq) continue;
      const what = !orgs.has(orgId) ? "the organization is gone" : seq === undefined ? "its checkpoint is missing" : `its checkpoint is at #${seq}`;
      gaps.push(orgId);
      console.error(`[runtime-vault] AUDIT: the database is behind its anchor (${anchor.file}) for ${orgId}: the anchor holds #${a.seq}, ${what}. Events were rolled back, truncated or wiped; run verify.`);
    }
  } catch (err) {
    console.error(`[runtime-vault] audit anchor ${anchor.file} could not be checked: ${err instanceof Error ? err.message : err}`);
  }
  return gaps;
}
