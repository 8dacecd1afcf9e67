// Rewrap from an env key onto an HSM key (SoftHSM2) is batch by batch and resumable: the
// token pulled away mid-run stops it with KeyProviderUnavailableError after the batches
// already committed (each with its audit event); run again with the token back, it
// moves only what is left, and every value still opens.
import { randomBytes } from "node:crypto";
import { renameSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { createSoftHsmToken, type SoftHsmToken } from "../../test/softhsm";
import { sealAudit } from "../../test/fixtures";
import { CompositeKeyProvider, keyProviderFromEnv, KeyProviderUnavailableError, LocalKeyProvider, setKeyProvider, type KeyProvider } from "../crypto/key-provider";
import { dropCachedDataKeys } from "../crypto/data-key-cache";
import { openValue, sealValue } from "../crypto/envelope";
import { createOrganization } from "../orgs/create-organization";
import { newId } from "../ids";
import { rewrapDataKeys } from "./rewrap-data-keys";

const envKey = randomBytes(32);
const VERSIONS = 7;
let t: TestDatabase;
let hsm: SoftHsmToken;
let orgId: string;
let secretId: string;

beforeAll(async () => {
  hsm = createSoftHsmToken();
  t = await createTestDatabase();
  orgId = (await t.prisma.$transaction((tx) => createOrganization(tx, { name: "HSM", slug: `org-hsm-${randomBytes(3).toString("hex")}` }))).id;
  secretId = newId("sec");
  await t.prisma.secret.create({ data: { id: secretId, orgId, name: "ledger", currentVersion: VERSIONS } });
  for (let version = 1; version <= VERSIONS; version++) {
    const sealed = await sealValue(new LocalKeyProvider(envKey), `value-${version}`, { orgId, secretId, version });
    await t.prisma.secretVersion.create({
      data: { id: newId("ver"), orgId, secretId, version, ciphertext: new Uint8Array(sealed.ciphertext), wrappedKey: new Uint8Array(sealed.wrappedKey), keyId: sealed.keyId, createdBy: "test" },
    });
  }
});

afterAll(async () => {
  setKeyProvider(undefined);
  dropCachedDataKeys();
  await t?.drop();
  hsm?.remove();
});

/** The real provider, with the token taken away after `after` data keys were wrapped. */
function pullingTokenAfter(keys: KeyProvider, after: number, away: string): KeyProvider {
  let wrapped = 0;
  return new (class extends CompositeKeyProvider {
    override async wrap(dataKey: Buffer) {
      if (wrapped++ === after) renameSync(hsm.tokenDir, away);
      return super.wrap(dataKey);
    }
  })(keys, []);
}

const keyIds = async () => (await t.prisma.secretVersion.findMany({ where: { orgId }, orderBy: { version: "asc" }, select: { keyId: true } })).map((r) => r.keyId);

describe("rewrap from an env key onto the HSM", () => {
  it("stops when the HSM goes away mid-run, keeping the committed batches, and resumes", async () => {
    const moving = keyProviderFromEnv({ ...hsm.env, RV_PREVIOUS_MASTER_KEYS: envKey.toString("base64") });
    const away = `${hsm.tokenDir}.away`;
    // Batches of 2: the token leaves while the third batch wraps (after 4 data keys).
    await expect(rewrapDataKeys(t.prisma, pullingTokenAfter(moving, 4, away), { batchSize: 2 })).rejects.toBeInstanceOf(KeyProviderUnavailableError);
    const afterCut = await keyIds();
    expect(afterCut.filter((k) => k === "p11_rv-kek")).toHaveLength(4);
    expect(afterCut.filter((k) => k.startsWith("kek_"))).toHaveLength(3);

    renameSync(away, hsm.tokenDir);
    await new Promise((r) => setTimeout(r, 1_100)); // the provider's retry pause
    expect(await rewrapDataKeys(t.prisma, moving, { batchSize: 2 })).toEqual({ rewrapped: 3, alreadyCurrent: 4 });
    expect(await keyIds()).toEqual(Array(VERSIONS).fill("p11_rv-kek"));

    // Every value opens with the HSM alone, and every committed batch was audited.
    dropCachedDataKeys();
    const hsmOnly = keyProviderFromEnv(hsm.env);
    for (const row of await t.prisma.secretVersion.findMany({ where: { orgId } })) {
      expect(await openValue(hsmOnly, { ciphertext: Buffer.from(row.ciphertext), wrappedKey: Buffer.from(row.wrappedKey), keyId: row.keyId }, { orgId, secretId, version: row.version })).toBe(`value-${row.version}`);
    }
    setKeyProvider(moving);
    await sealAudit(t.prisma, orgId);
    const events = await t.prisma.auditEvent.findMany({ where: { orgId, type: "keys.rewrapped" }, orderBy: { seq: "asc" } });
    expect(events.map((e) => (e.data as { count: number }).count)).toEqual([2, 2, 2, 1]);
    expect(events.every((e) => (e.data as { toKeyId: string }).toKeyId === "p11_rv-kek")).toBe(true);
    moving.close?.();
    hsmOnly.close?.();
  });
});
