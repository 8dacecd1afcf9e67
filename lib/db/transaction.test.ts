// transaction() runs a transaction again when PostgreSQL rolled it back as a deadlock
// victim, instead of letting a request fail with a 500 (found by the fuzz suite: two
// admin writes on one bot, in opposite orders).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { transaction } from "./prisma";

let db: TestDatabase;

beforeAll(async () => {
  db = await createTestDatabase();
  await db.prisma.$executeRawUnsafe(`CREATE TABLE rv_deadlock (id int PRIMARY KEY, n int NOT NULL)`);
  await db.prisma.$executeRawUnsafe(`INSERT INTO rv_deadlock VALUES (1, 0), (2, 0)`);
});
afterAll(async () => {
  await db?.drop();
});

describe("transaction", () => {
  it("retries the deadlock victim, so both transactions commit", async () => {
    let attempts = 0;
    // Each waits until both hold their first row, then asks for the other's: a deadlock.
    let arrived = 0;
    const bothHoldFirstRow = async () => {
      arrived++;
      while (arrived < 2) await new Promise((r) => setTimeout(r, 5));
    };
    const lockInOrder = (first: number, second: number) =>
      transaction(db.prisma, async (tx) => {
        attempts++;
        await tx.$executeRawUnsafe(`UPDATE rv_deadlock SET n = n + 1 WHERE id = ${first}`);
        await bothHoldFirstRow();
        await tx.$executeRawUnsafe(`UPDATE rv_deadlock SET n = n + 1 WHERE id = ${second}`);
      });
    await Promise.all([lockInOrder(1, 2), lockInOrder(2, 1)]);
    expect(attempts).toBe(3);
    const rows = await db.prisma.$queryRawUnsafe<{ id: number; n: number }[]>(`SELECT id, n FROM rv_deadlock ORDER BY id`);
    expect(rows).toEqual([{ id: 1, n: 2 }, { id: 2, n: 2 }]);
  });
});
