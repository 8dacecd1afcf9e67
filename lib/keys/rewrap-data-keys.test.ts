import { randomBytes } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { LocalKeyProvider, MasterKeyError } from "../crypto/key-provider";
import { EnvelopeOpenError, openValue, sealValue } from "../crypto/envelope";
import { createOrganization } from "../orgs/create-organization";
import { newId } from "../ids";
import { rewrapDataKeys } from "./rewrap-data-keys";
import { sealAudit } from "../../test/fixtures";

const oldKey = randomBytes(32);
const newKey = randomBytes(32);
const oldOnly = new LocalKeyProvider(oldKey);
const newOnly = new LocalKeyProvider(newKey);
const rotating = new LocalKeyProvider(newKey, [oldKey]);

interface Seeded {
  id: string;
  orgId: string;
  secretId: string;
  version: number;
  value: string;
}

let t: TestDatabase;
const seeded: Seeded[] = [];
const ciphertextBefore = new Map<string, Buffer>();
let orgA: string;
let orgB: string;

async function seedSecret(orgId: string, name: string, versions: { value: string; keys: LocalKeyProvider }[]) {
  const secretId = newId("sec");
  await t.prisma.secret.create({ data: { id: secretId, orgId, name, currentVersion: versions.length } });
  for (const [i, { value, keys }] of versions.entries()) {
    const version = i + 1;
    const sealed = await sealValue(keys, value, { orgId, secretId, version });
    const id = newId("ver");
    await t.prisma.secretVersion.create({
      data: {
        id,
        orgId,
        secretId,
        version,
        ciphertext: new Uint8Array(sealed.ciphertext),
        wrappedKey: new Uint8Array(sealed.wrappedKey),
        keyId: sealed.keyId,
        createdBy: "test",
      },
    });
    seeded.push({ id, orgId, secretId, version, value });
    ciphertextBefore.set(id, Buffer.from(sealed.ciphertext));
  }
}

async function rowsById() {
  const rows = await t.prisma.secretVersion.findMany();
  return new Map(rows.map((r) => [r.id, r]));
}

async function rewrapEvents() {
  await sealAudit(t.prisma);
  return t.prisma.auditEvent.findMany({ where: { type: "keys.rewrapped" }, orderBy: { seq: "asc" } });
}

beforeAll(async () => {
  t = await createTestDatabase();
  orgA = (await t.prisma.$transaction((tx) => createOrganization(tx, { name: "A", slug: "org-a" }))).id;
  orgB = (await t.prisma.$transaction((tx) => createOrganization(tx, { name: "B", slug: "org-b" }))).id;
  await seedSecret(orgA, "db-password", [
    { value: "first", keys: oldOnly },
    { value: "second ✓", keys: oldOnly },
    { value: "third", keys: oldOnly },
  ]);
  await seedSecret(orgB, "api-key", [
    { value: "b-old", keys: oldOnly },
    { value: "b-new", keys: newOnly },
  ]);
});

afterAll(async () => {
  await t?.drop();
});

describe("rewrapDataKeys", () => {
  it("refuses, changing nothing, when a version's old key is not configured", async () => {
    const before = await rowsById();
    await expect(rewrapDataKeys(t.prisma, newOnly)).rejects.toThrow(MasterKeyError);
    await expect(rewrapDataKeys(t.prisma, newOnly)).rejects.toThrow(/RV_PREVIOUS_MASTER_KEYS/);
    const after = await rowsById();
    for (const [id, row] of before) {
      expect(after.get(id)!.keyId).toBe(row.keyId);
      expect(Buffer.from(after.get(id)!.wrappedKey).equals(Buffer.from(row.wrappedKey))).toBe(true);
    }
    expect(await rewrapEvents()).toHaveLength(0);
  });

  it("moves every data key to the current KEK and leaves ciphertext untouched", async () => {
    const result = await rewrapDataKeys(t.prisma, rotating, { batchSize: 2 });
    expect(result).toEqual({ rewrapped: 4, alreadyCurrent: 1 });

    const rows = await rowsById();
    for (const s of seeded) {
      const row = rows.get(s.id)!;
      expect(row.keyId).toBe(newOnly.currentKeyId);
      expect(Buffer.from(row.ciphertext).equals(ciphertextBefore.get(s.id)!)).toBe(true);
      const ctx = { orgId: s.orgId, secretId: s.secretId, version: s.version };
      const sealed = { ciphertext: Buffer.from(row.ciphertext), wrappedKey: Buffer.from(row.wrappedKey), keyId: row.keyId };
      expect(await openValue(newOnly, sealed, ctx)).toBe(s.value);
      await expect(openValue(oldOnly, sealed, ctx)).rejects.toThrow(EnvelopeOpenError);
    }
  });

  it("records keys.rewrapped events on each touched org's chain", async () => {
    const events = await rewrapEvents();
    const total = (orgId: string) =>
      events.filter((e) => e.orgId === orgId).reduce((n, e) => n + (e.data as { count: number }).count, 0);
    expect(total(orgA)).toBe(3);
    expect(total(orgB)).toBe(1);
    for (const e of events) {
      expect(e.actorType).toBe("system");
      expect(e.data).toMatchObject({ toKeyId: newOnly.currentKeyId });
    }
    // Nothing about the old or new key material itself reaches the audit log.
    const text = JSON.stringify(events.map((e) => e.data));
    expect(text).not.toContain(oldKey.toString("base64"));
    expect(text).not.toContain(newKey.toString("base64"));
  });

  it("is a no-op once everything is current", async () => {
    const eventsBefore = (await rewrapEvents()).length;
    expect(await rewrapDataKeys(t.prisma, rotating)).toEqual({ rewrapped: 0, alreadyCurrent: 5 });
    expect(await rewrapEvents()).toHaveLength(eventsBefore);
  });
});
