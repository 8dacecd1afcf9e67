// The embedded database behaves like a PostgreSQL server to a connection pool: each
// pooled connection as its own session (named statements, extended-query sequences,
// transactions, LISTEN), reachable only through a socket in a private directory.
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openEmbeddedDatabase, startEmbeddedDatabase, type EmbeddedDatabase } from "./embedded-database";

let dir: string;
let database: EmbeddedDatabase;
let pool: pg.Pool;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), "rv-embedded-"));
  database = await startEmbeddedDatabase({ dataDir: path.join(dir, "pglite") });
  pool = new pg.Pool({ connectionString: database.url, max: 8 });
  await pool.query(`CREATE TABLE counter (id int PRIMARY KEY, n int NOT NULL); INSERT INTO counter VALUES (1, 0)`);
});

afterAll(async () => {
  await pool?.end();
  await database?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("embedded database", () => {
  it("is reachable only through a Unix socket in a directory private to this user", () => {
    const url = new URL(database.url);
    const socketDir = url.searchParams.get("host")!;
    expect(socketDir.startsWith("/")).toBe(true);
    expect(url.port).toBe("");
    expect(statSync(socketDir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(socketDir, ".s.PGSQL.5432")).isSocket()).toBe(true);
  });

  it("gives every pooled connection its own named prepared statements", async () => {
    // Before: the second connection preparing the same name failed with 42P05.
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) => pool.query({ name: "rv_same_name", text: "SELECT $1::int * 2 AS v", values: [i] })),
    );
    expect(results.map((r) => r.rows[0].v)).toEqual(Array.from({ length: 60 }, (_, i) => i * 2));
  });

  it("never interleaves two connections' extended-query sequences", async () => {
    // Different statements with different parameter counts, unnamed, all at once: a Bind
    // reaching another connection's Parse would fail or answer the wrong row.
    const jobs = Array.from({ length: 80 }, (_, i) =>
      i % 2
        ? pool.query("SELECT $1::int + $2::int AS v", [i, 1000]).then((r) => r.rows[0].v === i + 1000)
        : pool.query("SELECT $1::text AS v", [`row-${i}`]).then((r) => r.rows[0].v === `row-${i}`),
    );
    expect((await Promise.all(jobs)).every(Boolean)).toBe(true);
  });

  it("serialises concurrent transactions exactly", async () => {
    const increment = async () => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const { rows } = await client.query({ name: "rv_counter_read", text: "SELECT n FROM counter WHERE id = $1 FOR UPDATE", values: [1] });
        await client.query({ name: "rv_counter_write", text: "UPDATE counter SET n = $1 WHERE id = 1", values: [rows[0].n + 1] });
        await client.query("COMMIT");
      } finally {
        client.release();
      }
    };
    await Promise.all(Array.from({ length: 100 }, increment));
    expect((await pool.query("SELECT n FROM counter WHERE id = 1")).rows[0].n).toBe(100);
  });

  it("rolls back a connection that goes away inside a transaction, and the others carry on", async () => {
    const quitter = new pg.Client({ connectionString: database.url });
    quitter.on("error", () => {});
    await quitter.connect();
    await quitter.query("BEGIN");
    await quitter.query("UPDATE counter SET n = -1 WHERE id = 1");
    const others = pool.query("SELECT n FROM counter WHERE id = 1");
    (quitter as unknown as { connection: { stream: { destroy(): void } } }).connection.stream.destroy();
    expect((await others).rows[0].n).toBe(100);
  });

  it("delivers notifications to the connection that listens, whoever commits the NOTIFY", async () => {
    const listener = new pg.Client({ connectionString: database.url });
    await listener.connect();
    const received: string[] = [];
    listener.on("notification", (m) => received.push(m.payload ?? ""));
    await listener.query("LISTEN rv_test");
    await pool.query("SELECT pg_notify('rv_test', 'one')");
    const client = await pool.connect();
    await client.query("BEGIN");
    await client.query("SELECT pg_notify('rv_test', 'two')");
    await client.query("COMMIT");
    client.release();
    await expect.poll(() => received, { timeout: 2_000 }).toEqual(["one", "two"]);
    await listener.end();
  });

  it("refuses a second server on the same data directory, but lets a maintenance command in through the socket", async () => {
    await expect(startEmbeddedDatabase({ dataDir: path.join(dir, "pglite") })).rejects.toThrow(/in use by process/);
    const second = await openEmbeddedDatabase({ dataDir: path.join(dir, "pglite") });
    const client = new pg.Client({ connectionString: second.url });
    await client.connect();
    expect((await client.query("SELECT n FROM counter WHERE id = 1")).rows[0].n).toBe(100);
    await client.end();
    await second.stop();
    expect((await pool.query("SELECT 1 AS one")).rows[0].one).toBe(1);
  });

  it("keeps one connection's session settings (psql, pg_dump) away from the others", async () => {
    const before = (await pool.query("SHOW search_path")).rows[0].search_path;
    const psql = new pg.Client({ connectionString: database.url });
    await psql.connect();
    // pg_dump starts with this; before, every other connection lost the public schema.
    await psql.query("SELECT pg_catalog.set_config('search_path', '', false)");
    expect((await pool.query("SELECT n FROM counter WHERE id = 1")).rows[0].n).toBe(100);
    expect((await psql.query("SHOW search_path")).rows[0].search_path).toBe("");
    await psql.query("SET statement_timeout = '7s'");
    expect((await pool.query("SHOW statement_timeout")).rows[0].statement_timeout).toBe("0");
    expect((await psql.query("SHOW statement_timeout")).rows[0].statement_timeout).toBe("7s");
    await psql.end();
    await expect.poll(async () => (await pool.query("SHOW search_path")).rows[0].search_path).toBe(before);
  });
});
