// `npm run audit:archive -- --before YYYY-MM --out FILE`: retention at scale. Every whole
// month partition of "AuditEvent" before that month is written to one signed archive
// file and then dropped, leaving each org's remaining chain verifiable from its archive
// base (archive-base.ts) and the archived events verifiable offline from the file
// (`runtime-vault audit verify --archive FILE`).
//
// Partitions go by "sealedAt", which never decreases along an org's chain, so the events
// of finished months are a prefix of every org's chain. That is checked, not assumed:
// per org the archived events must start right after its current base, be contiguous,
// and no event up to the last of them may live in a later partition; its chain must
// verify (checkpoint, anchor); and the file is re-read and verified before anything is
// dropped. Detaching and dropping happen in one transaction with the archive bases and
// an `audit.archived` event per org; the rows of the detached partitions are counted
// again inside it, so an event sealed into them meanwhile aborts the drop.
import { parseSinksConfig } from "../sinks/sink-config";
import type { PrismaClient } from "@/lib/db/prisma";
import { sqlPool } from "@/lib/db/prisma";
import { getKeyProvider, type KeyProvider } from "@/lib/crypto/key-provider";
import { ChainWalker, pointJson, type ChainCheckpoint } from "@/lib/sdk/audit-chain";
import { verifyAuditFiles } from "@/lib/sdk/verify-audit-files";
import { getAnchorFile, type AnchorFile } from "../anchor-file";
import { signCheckpoint } from "../checkpoint-signature";
import { chainEvents } from "../export-audit-events";
import { recordAuditEvent, SYSTEM_ACTOR } from "../record-audit-event";
import { verifyAuditChain } from "../verify-audit-chain";
import { ArchiveFileWriter } from "./archive-file-writer";
import { chainFloor, signArchiveBase } from "./archive-base";
import { listAuditPartitions, parseMonth } from "./audit-partitions";

export interface ArchiveOptions {
  /** "YYYY-MM": months before this one are archived. At most the current month. */
  before: string;
  out: string;
  keys?: KeyProvider;
  anchor?: AnchorFile | null;
  now?: Date;
  log?: (message: string) => void;
  /** The audit sinks configured (default: RV_AUDIT_SINKS): each must have shipped what is archived. */
  sinkNames?: string[];
}

export interface ArchivedOrg {
  orgId: string;
  fromSeq: number;
  throughSeq: number;
  events: number;
  hash: string;
}

export interface ArchiveResult {
  /** Null when there was nothing to archive. */
  file: string | null;
  digest: string | null;
  partitions: string[];
  orgs: ArchivedOrg[];
  events: number;
}

/** The archive was not made (or nothing was dropped); the message says why. */
export class ArchiveRefused extends Error {}

interface Plan {
  orgId: string;
  floor: { seq: bigint; hash: string };
  first: bigint;
  last: bigint;
  count: bigint;
}

const quoteIdent = (name: string) => `"${name.replace(/"/g, '""')}"`;
const monthText = (d: Date) => d.toISOString().slice(0, 7);

/** Per org: first and last seq and number of events in the given partitions. */
async function rangesIn(query: (text: string) => Promise<{ orgId: string; first: string; last: string; count: string }[]>, names: string[]) {
  const union = names.map((n) => `SELECT "orgId", "seq" FROM rv_audit.${quoteIdent(n)}`).join(" UNION ALL ");
  return query(`SELECT "orgId", min("seq")::text AS "first", max("seq")::text AS "last", count(*)::text AS "count" FROM (${union}) e GROUP BY "orgId" ORDER BY "orgId"`);
}

export async function archiveAuditPartitions(db: PrismaClient, opts: ArchiveOptions): Promise<ArchiveResult> {
  const keys = opts.keys ?? getKeyProvider();
  const anchor = opts.anchor === undefined ? getAnchorFile() : opts.anchor;
  const now = opts.now ?? new Date();
  const log = opts.log ?? (() => {});
  const cutoff = parseMonth(opts.before);
  if (!cutoff) throw new ArchiveRefused(`--before takes a month as YYYY-MM (got ${JSON.stringify(opts.before)})`);
  const thisMonth = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1));
  if (cutoff > thisMonth) throw new ArchiveRefused(`only months that are over can be archived: --before is at most ${monthText(thisMonth)}`);

  const partitions = (await listAuditPartitions(db)).filter((p) => p.to <= cutoff);
  const names = partitions.map((p) => p.name);
  if (partitions.length === 0) return { file: null, digest: null, partitions: [], orgs: [], events: 0 };
  log(`partitions before ${opts.before}: ${names.join(", ")}`);

  const sql = sqlPool(db);
  const sinkNames = opts.sinkNames ?? parseSinksConfig()?.sinks.map((s) => s.name) ?? [];
  const plans: Plan[] = [];
  for (const r of await rangesIn(async (text) => (await sql.query(text)).rows, names)) {
    const { orgId } = r;
    const [first, last, count] = [BigInt(r.first), BigInt(r.last), BigInt(r.count)];
    const floor = await chainFloor(db, { orgId, keys });
    if (!floor.ok) throw new ArchiveRefused(`${orgId}: ${floor.reason}; nothing archived`);
    if (first !== floor.seq + 1n) {
      throw new ArchiveRefused(`${orgId}: its events in these months start at #${first}, not right after where its chain starts (#${floor.seq}); nothing archived`);
    }
    if (count !== last - first + 1n) throw new ArchiveRefused(`${orgId}: its events #${first}–#${last} in these months are not contiguous (${count} events); nothing archived`);
    const { rows } = await sql.query<{ total: string }>({ text: `SELECT count(*)::text AS "total" FROM "AuditEvent" WHERE "orgId" = $1 AND "seq" <= $2::bigint`, values: [orgId, String(last)] });
    if (BigInt(rows[0].total) !== count) {
      throw new ArchiveRefused(`${orgId}: some of its events up to #${last} were sealed into a later or the default partition, so these months are not a prefix of its chain; nothing archived`);
    }
    // Dropping events a configured sink has not received would lose them there for good.
    const cursors = await db.auditSinkCursor.findMany({ where: { orgId, sink: { in: sinkNames } }, select: { sink: true, seq: true } });
    for (const sink of sinkNames) {
      const shipped = cursors.find((c) => c.sink === sink)?.seq ?? 0n;
      if (shipped < last) throw new ArchiveRefused(`${orgId}: audit sink ${sink} has received only up to #${shipped} of #${last}; let it catch up first; nothing archived`);
    }
    const verified = await verifyAuditChain(db, { orgId, keys, anchor });
    if (!verified.ok) throw new ArchiveRefused(`${orgId}: its chain does not verify (at #${verified.brokenAt}: ${verified.reason}); nothing archived`);
    plans.push({ orgId, floor: { seq: floor.seq, hash: floor.hash }, first, last, count });
  }

  // The file: header, every event (walked as it is written), signed end checkpoints, trailer.
  const writer = await ArchiveFileWriter.create(opts.out);
  const ends: ChainCheckpoint[] = [];
  let digest: string;
  try {
    await writer.header({
      createdAt: now.toISOString(),
      before: opts.before,
      partitions: names,
      range: { from: partitions[0].from.toISOString(), to: partitions[partitions.length - 1].to.toISOString() },
      orgs: plans.map((p) => ({ orgId: p.orgId, from: pointJson(p.floor) })),
    });
    const walker = new ChainWalker();
    for (const p of plans) {
      walker.declareStart(p.orgId, p.floor);
      for await (const batch of chainEvents(sql, { orgId: p.orgId, after: p.floor.seq, through: p.last, partitions: names })) {
        for (const e of batch) {
          walker.event(e);
          await writer.event(e);
        }
      }
    }
    const walked = walker.finish();
    if (!walked.ok) throw new ArchiveRefused(`${walked.orgId}: its chain is broken at #${walked.brokenAt} (${walked.reason}); nothing archived`);
    for (const p of plans) {
      const end = walker.position(p.orgId)!;
      if (end.seq !== p.last) throw new ArchiveRefused(`${p.orgId}: read up to #${end.seq}, expected #${p.last}; nothing archived`);
      const checkpoint = { orgId: p.orgId, seq: end.seq, hash: end.hash, signature: signCheckpoint(keys, { orgId: p.orgId, ...end }), signedAt: now.toISOString() };
      ends.push(checkpoint);
      await writer.checkpoint(checkpoint, Number(p.count));
    }
    ({ digest } = await writer.finish(keys, ends));
  } catch (err) {
    await writer.abandon();
    throw err;
  }
  log(`wrote ${writer.file} (${plans.reduce((n, p) => n + Number(p.count), 0)} events of ${plans.length} org(s), sha256 ${digest})`);

  // Read back from disk and verified, signature included, before anything is dropped.
  const check = await verifyAuditFiles({ archives: [writer.file], mac: (label, data, mac) => keys.verifyMac(label, data, mac) });
  if (!check.ok) throw new ArchiveRefused(`the archive file does not verify after writing (${check.reason}); nothing dropped`);

  await db.$transaction(
    async (tx) => {
      for (const name of names) await tx.$executeRawUnsafe(`ALTER TABLE "AuditEvent" DETACH PARTITION rv_audit.${quoteIdent(name)}`);
      const again = await rangesIn((text) => tx.$queryRawUnsafe(text), names);
      const same = again.length === plans.length && again.every((r, i) => r.orgId === plans[i].orgId && BigInt(r.first) === plans[i].first && BigInt(r.last) === plans[i].last && BigInt(r.count) === plans[i].count);
      if (!same) throw new ArchiveRefused("events were sealed into these months while the file was written; nothing dropped (run it again, with another --out)");
      for (const [i, p] of plans.entries()) {
        const end = ends[i];
        const next = await tx.auditEvent.findFirst({ where: { orgId: p.orgId, seq: p.last + 1n }, select: { prevHash: true } });
        if (next && next.prevHash !== end.hash) throw new ArchiveRefused(`${p.orgId}: event #${p.last + 1n} does not link to the archived #${p.last}; nothing dropped`);
        const base = { orgId: p.orgId, fromSeq: p.first, throughSeq: p.last, hash: end.hash, digest };
        await tx.auditArchive.create({
          data: { ...base, events: Number(p.count), file: writer.file, partitions: names, archivedAt: now, signature: signArchiveBase(keys, base) },
        });
        await recordAuditEvent(tx, {
          orgId: p.orgId,
          type: "audit.archived",
          actor: SYSTEM_ACTOR,
          data: { fromSeq: Number(p.first), throughSeq: Number(p.last), events: Number(p.count), hash: end.hash, partitions: names, file: writer.file, digest },
        });
      }
      for (const name of names) await tx.$executeRawUnsafe(`DROP TABLE rv_audit.${quoteIdent(name)}`);
    },
    { maxWait: 10_000, timeout: 300_000 },
  );
  log(`dropped ${names.join(", ")}`);

  return {
    file: writer.file,
    digest,
    partitions: names,
    orgs: plans.map((p, i) => ({ orgId: p.orgId, fromSeq: Number(p.first), throughSeq: Number(p.last), events: Number(p.count), hash: ends[i].hash })),
    events: plans.reduce((n, p) => n + Number(p.count), 0),
  };
}
