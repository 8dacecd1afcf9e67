import { describe, expect, it } from "vitest";
import bcrypt from "bcryptjs";
import { dummyPasswordHash, hashPassword, needsRehash, PASSWORD_QUEUE, PasswordBusyError, verifyPassword } from "./password";

describe("password hashing", () => {
  it("hashes with argon2id m=19456,t=2,p=1 and verifies", async () => {
    const hash = await hashPassword("correct horse battery");
    expect(hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(needsRehash(hash)).toBe(false);
    expect(await verifyPassword("correct horse battery", hash)).toBe(true);
    expect(await verifyPassword("correct horse batterz", hash)).toBe(false);
  });

  it("still verifies bcrypt hashes from before, and marks them for an upgrade", async () => {
    const legacy = await bcrypt.hash("owner password 123", 4);
    expect(await verifyPassword("owner password 123", legacy)).toBe(true);
    expect(await verifyPassword("owner password 124", legacy)).toBe(false);
    expect(needsRehash(legacy)).toBe(true);
  });

  it("rejects anything that is not a known hash instead of throwing", async () => {
    expect(await verifyPassword("x", "")).toBe(false);
    expect(await verifyPassword("x", "$argon2id$garbage")).toBe(false);
  });

  it("keeps the event loop free while hashing: a timer keeps firing during 8 parallel checks", async () => {
    const dummy = await dummyPasswordHash();
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const started = performance.now();
    await Promise.all(Array.from({ length: 8 }, () => verifyPassword("guess", dummy)));
    const elapsed = performance.now() - started;
    clearInterval(timer);
    // On the event loop, the timer could only fire between two checks: at most 8 times,
    // however long the batch takes. Off it, about every 5 ms of the batch (a third of
    // that leaves room for a busy machine's late timers).
    expect(ticks).toBeGreaterThan(8);
    expect(ticks).toBeGreaterThan(elapsed / 5 / 3);
  });

  it("refuses at once when too many checks are already waiting", async () => {
    const dummy = await dummyPasswordHash();
    const results = await Promise.allSettled(Array.from({ length: PASSWORD_QUEUE + 10 }, () => verifyPassword("guess", dummy)));
    const busy = results.filter((r) => r.status === "rejected");
    expect(busy.length).toBeGreaterThan(0);
    for (const r of busy) expect((r as PromiseRejectedResult).reason).toBeInstanceOf(PasswordBusyError);
  });
});
