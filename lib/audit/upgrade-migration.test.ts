// An existing deployment's trail survives the move to sealed, per-org chains: the
// migration renumbers each org's events 1…n in chain order (the hash never covered the
// global number), and the sealer's first pass walks each chain from genesis, signs it,
// and seals new events onto it. Built here the way an old deployment held it: the
// migrations before that one, then events appended with the old head-row chain.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { inject } from "vitest";
import { createDatabase, dropDatabase } from "../db/scratch-database";
import { createPrismaClient, transaction, type PrismaClient } from "../db/prisma";
import { chainHash, GENESIS_HASH, type ChainedFields } from "./canonical";
import { recordAuditEvent, SYSTEM_ACTOR } from "./record-audit-event";
import { sealAuditChain } from "./seal-audit-chain";
import { verifyAuditChain } from "./verify-audit-chain";

const MIGRATIONS = path.join(__dirname, "../../prisma/migrations");
const UPGRADE = readdirSync(MIGRATIONS).find((d) => d.endsWith("_audit_seal_and_sinks"))!;

let name: string;
let url: string;
let sql: pg.Client;
let prisma: PrismaClient;
beforeAll(async () => {
  name = `rv_upgrade_${randomBytes(5).toString("hex")}`;
  url = await createDatabase(inject("adminUrl"), name);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await prisma?.$disconnect();
  await dropDatabase(inject("adminUrl"), name);
});

async function migrate(which: (dir: string) => boolean) {
  for (const dir of readdirSync(MIGRATIONS).filter((d) => /^\d/.test(d)).sort()) {
    if (which(dir)) await sql.query(readFileSync(path.join(MIGRATIONS, dir, "migration.sql"), "utf8"));
  }
}

/** One event appended as the old code did: the org's head row moves, the event takes the global seq. */
async function oldAppend(orgId: string, n: number) {
  const { rows } = await sql.query(`SELECT "hash" FROM "AuditHead" WHERE "orgId" = $1`, [orgId]);
  const prev: string = rows[0].hash;
  const fields: ChainedFields = {
    id: `evt_old${randomBytes(8).toString("hex")}`, orgId, type: "test.old", actorType: "system", actorId: null, botId: null,
    secretId: null, secretName: null, scope: null, secretVersion: null, leaseId: null, justification: `old event ${n}`,
    outcome: "success", reason: null, ip: null, data: { n }, createdAt: new Date(Date.UTC(2026, 9, 1, 12, 0, n)),
  };
  const hash = chainHash(prev, fields);
  const { rows: seq } = await sql.query(`SELECT nextval('"AuditEvent_seq_seq"') AS seq`);
  await sql.query(
    `INSERT INTO "AuditEvent" ("seq","id","orgId","type","actorType","justification","outcome","data","createdAt","prevHash","hash")
     VALUES ($1,$2,$3,$4,'system',$5,'success',$6,$7,$8,$9)`,
    [seq[0].seq, fields.id, orgId, fields.type, fields.justification, JSON.stringify(fields.data), fields.createdAt.toISOString(), prev, hash],
  );
  await sql.query(`UPDATE "AuditHead" SET "hash" = $2, "lastSeq" = $3, "count" = "count" + 1 WHERE "orgId" = $1`, [orgId, hash, seq[0].seq]);
}

describe("upgrading a deployment with an existing trail", () => {
  it("renumbers each org's chain 1…n, signs it on the first seal, and keeps sealing onto it", async () => {
    await migrate((dir) => dir < UPGRADE);
    const orgs = ["org_upgrade_a", "org_upgrade_b"];
    for (const id of orgs) {
      await sql.query(`INSERT INTO "Organization" ("id","name","slug") VALUES ($1,$1,$1)`, [id]);
      await sql.query(`INSERT INTO "AuditHead" ("orgId","hash") VALUES ($1,$2)`, [id, GENESIS_HASH]);
    }
    // Interleaved, as two tenants' traffic was: the global numbers of each org have gaps.
    for (let n = 0; n < 12; n++) await oldAppend(orgs[n % 3 === 0 ? 1 : 0], n);

    await migrate((dir) => dir >= UPGRADE);
    prisma = createPrismaClient(url, 4);
    const seqs = async (orgId: string) => (await prisma.auditEvent.findMany({ where: { orgId }, orderBy: { seq: "asc" }, select: { seq: true } })).map((e) => Number(e.seq));
    expect(await seqs(orgs[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    expect(await seqs(orgs[1])).toEqual([1, 2, 3, 4]);
    expect(await verifyAuditChain(prisma, { orgId: orgs[0], anchor: null, full: true })).toMatchObject({ ok: true, checked: 8 });

    // The first seal checks the unsigned chain from genesis and signs it, with a new event on top.
    await transaction(prisma, (tx) => recordAuditEvent(tx, { orgId: orgs[0], type: "test.new", actor: SYSTEM_ACTOR }));
    expect(await sealAuditChain(prisma, { orgId: orgs[0], anchor: null })).toMatchObject({ ok: true, sealed: 1, seq: 9 });
    // An org with nothing new gets its checkpoint too.
    expect(await sealAuditChain(prisma, { orgId: orgs[1], anchor: null })).toMatchObject({ ok: true, sealed: 0, seq: 4 });
    expect(await prisma.auditCheckpoint.findUniqueOrThrow({ where: { orgId: orgs[1] } })).toMatchObject({ seq: 4n });
    for (const orgId of orgs) expect(await verifyAuditChain(prisma, { orgId, anchor: null, full: true })).toMatchObject({ ok: true });
    expect(await verifyAuditChain(prisma, { orgId: orgs[0], anchor: null })).toMatchObject({ ok: true, checked: 9, mode: "incremental" });
  });
});
