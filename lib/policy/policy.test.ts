// The approval rule's secrets: only this org's, existing ones (security review, issue 10:
// another org's id or a made-up one was accepted and silently never applied).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../../test/database";
import { seedOrg, seedSecret } from "../../test/fixtures";
import { ApiError } from "../api/errors";
import { transaction } from "../db/prisma";
import { SYSTEM_ACTOR } from "../audit/record-audit-event";
import { deleteSecret } from "../secrets/delete-secret";
import { updatePolicySchema } from "../validations/policy";
import { getPolicyOrThrow } from "./get-policy";
import { updatePolicy } from "./update-policy";

let db: TestDatabase;
beforeAll(async () => {
  db = await createTestDatabase();
});
afterAll(async () => {
  await db?.drop();
});

const update = (orgId: string, body: unknown) =>
  transaction(db.prisma, (tx) => updatePolicy(tx, { orgId, actor: SYSTEM_ACTOR, input: updatePolicySchema.parse(body) }));

describe("approvalSecretIds", () => {
  it("refuses another org's secret and one that does not exist, with 400 and the offending entries", async () => {
    const mine = await seedOrg(db.prisma);
    const theirs = await seedOrg(db.prisma);
    const { secret: own } = await seedSecret(db.prisma, mine.orgId);
    const { secret: foreign } = await seedSecret(db.prisma, theirs.orgId);
    const missing = `sec_${"0".repeat(24)}`;
    const err = await update(mine.orgId, { approvalSecretIds: [own.id, foreign.id, missing] }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect((err as ApiError).status).toBe(400);
    expect((err as ApiError).message).toMatch(/secrets of this organization/);
    // The same answer for both: whether the other org's secret exists is not revealed.
    expect((err as ApiError).extra.issues).toEqual([
      { path: ["approvalSecretIds", "1"], code: "custom", message: `No secret ${foreign.id} in this organization` },
      { path: ["approvalSecretIds", "2"], code: "custom", message: `No secret ${missing} in this organization` },
    ]);
    expect((await getPolicyOrThrow(db.prisma, { orgId: mine.orgId })).approvalSecretIds).toEqual([]);
    await update(mine.orgId, { approvalSecretIds: [own.id] });
    expect((await getPolicyOrThrow(db.prisma, { orgId: mine.orgId })).approvalSecretIds).toEqual([own.id]);
  });

  it("drops a deleted secret from the rule, so the policy can be saved back unchanged", async () => {
    const { orgId } = await seedOrg(db.prisma);
    const { secret: kept } = await seedSecret(db.prisma, orgId);
    const { secret: gone } = await seedSecret(db.prisma, orgId);
    await update(orgId, { approvalSecretIds: [kept.id, gone.id] });
    await transaction(db.prisma, (tx) => deleteSecret(tx, { orgId, id: gone.id, actor: SYSTEM_ACTOR }));
    const policy = await getPolicyOrThrow(db.prisma, { orgId });
    expect(policy.approvalSecretIds).toEqual([kept.id]);
    await update(orgId, { approvalSecretIds: policy.approvalSecretIds });
  });
});
