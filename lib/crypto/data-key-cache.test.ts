// The unwrapped-data-key cache: bounded in time, handing out copies, zeroed when dropped,
// and dropped by an incident's revoke-all.
import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedScenario } from "../../test/fixtures";
import { transaction } from "../db/prisma";
import { revokeLeases } from "../leases/revoke-leases";
import { cacheDataKey, cachedDataKey, cachedDataKeyCount, dataKeyCacheSeconds, dropCachedDataKeys } from "./data-key-cache";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase();
});
afterAll(async () => {
  dropCachedDataKeys();
  await t?.drop();
});

describe("data-key cache", () => {
  it("reads RV_DATA_KEY_CACHE_SECONDS (default 60, 0 = off)", () => {
    expect(dataKeyCacheSeconds({})).toBe(60);
    expect(dataKeyCacheSeconds({ RV_DATA_KEY_CACHE_SECONDS: "5" })).toBe(5);
    expect(dataKeyCacheSeconds({ RV_DATA_KEY_CACHE_SECONDS: "0" })).toBe(0);
    expect(dataKeyCacheSeconds({ RV_DATA_KEY_CACHE_SECONDS: "-1" })).toBe(60);
  });

  it("hands out copies until the entry expires; caches nothing with 0 seconds", () => {
    dropCachedDataKeys();
    const key = randomBytes(32);
    cacheDataKey("a", key, 10, 1_000);
    const copy = cachedDataKey("a", 2_000)!;
    expect(copy.equals(key)).toBe(true);
    copy.fill(0); // callers zero what they get; the cache keeps its own
    expect(cachedDataKey("a", 3_000)!.equals(key)).toBe(true);
    expect(cachedDataKey("a", 11_000)).toBeUndefined();
    expect(cachedDataKeyCount()).toBe(0);
    cacheDataKey("b", key, 0);
    expect(cachedDataKey("b")).toBeUndefined();
  });

  it("is dropped (and zeroed) by an incident's revoke-all", async () => {
    dropCachedDataKeys();
    cacheDataKey("c", randomBytes(32), 60);
    expect(cachedDataKeyCount()).toBe(1);
    const s = await seedScenario(t.prisma);
    await transaction(t.prisma, (tx) => revokeLeases(tx, { orgId: s.orgId, actor: s.actor, input: { all: true, reason: "incident drill" } }));
    expect(cachedDataKeyCount()).toBe(0);
  });
});
