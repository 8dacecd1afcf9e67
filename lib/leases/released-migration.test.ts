// Existing deployments: a bot's release was stored as `revoked` with reason "released by
// bot". The migration gives those leases the `released` status (incident revocations
// stay revoked) and fills in the mount's name and the MCP tool of leases taken through a
// mount. Built the way an old deployment held it: the migrations before, then old rows.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { randomBytes } from "node:crypto";
import pg from "pg";
import { afterAll, beforeAll, expect, it, inject } from "vitest";
import { createDatabase, dropDatabase } from "../db/scratch-database";

const MIGRATIONS = path.join(__dirname, "../../prisma/migrations");
const FIRST = readdirSync(MIGRATIONS).find((d) => d.endsWith("_lease_released_and_tool"))!;

let name: string;
let sql: pg.Client;
beforeAll(async () => {
  name = `rv_released_${randomBytes(5).toString("hex")}`;
  const url = await createDatabase(inject("adminUrl"), name);
  sql = new pg.Client({ connectionString: url });
  await sql.connect();
});
afterAll(async () => {
  await sql?.end();
  await dropDatabase(inject("adminUrl"), name);
});

async function migrate(which: (dir: string) => boolean) {
  for (const dir of readdirSync(MIGRATIONS).filter((d) => /^\d/.test(d)).sort()) {
    if (which(dir)) await sql.query(readFileSync(path.join(MIGRATIONS, dir, "migration.sql"), "utf8"));
  }
}

it("moves bot releases to `released`, keeps revocations, and fills in mount and tool", async () => {
  await migrate((d) => d < FIRST);
  await sql.query(`INSERT INTO "Organization" ("id", "name", "slug") VALUES ('org_1', 'Acme', 'acme')`);
  await sql.query(`INSERT INTO "Bot" ("id", "orgId", "name", "tokenHash") VALUES ('bot_1', 'org_1', 'ledger-bot', 'h1')`);
  await sql.query(`INSERT INTO "Mount" ("id", "orgId", "name", "botId", "command", "mappings", "justificationTemplate") VALUES ('mnt_1', 'org_1', 'ledger', 'bot_1', 'node', '[]', 't')`);
  const lease = (id: string, status: string, reason: string | null, justification: string, mountId: string | null) =>
    sql.query(
      `INSERT INTO "Lease" ("id", "orgId", "botId", "secretName", "scope", "justification", "singleUse", "status", "ttlSeconds", "mountId", "expiresAt", "revokeReason")
       VALUES ($1, 'org_1', 'bot_1', 'KEY', 'default', $2, false, $3::"LeaseStatus", 60, $4, now(), $5)`,
      [id, justification, status, mountId, reason],
    );
  await lease("lse_released", "revoked", "released by bot", "Nightly export", null);
  await lease("lse_revoked", "revoked", "Token seen in a public log", "Nightly export", null);
  await lease("lse_tool", "revoked", "released by bot", "Ledger for list_invoices [mcp mount ledger: tool call list_invoices]", "mnt_1");
  await lease("lse_launch", "active", null, "Ledger [mcp mount ledger: launch]", "mnt_1");

  await migrate((d) => d >= FIRST);
  const { rows } = await sql.query(`SELECT "id", "status"::text AS "status", "revokeReason", "mount", "tool" FROM "Lease" ORDER BY "id"`);
  expect(rows).toEqual([
    { id: "lse_launch", status: "active", revokeReason: null, mount: "ledger", tool: null },
    { id: "lse_released", status: "released", revokeReason: "released by bot", mount: null, tool: null },
    { id: "lse_revoked", status: "revoked", revokeReason: "Token seen in a public log", mount: null, tool: null },
    { id: "lse_tool", status: "released", revokeReason: "released by bot", mount: "ledger", tool: "list_invoices" },
  ]);
});
