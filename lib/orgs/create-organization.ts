import type { Prisma } from "@/lib/generated/prisma/client";
import { newId } from "@/lib/ids";
import { recordAuditEvent, type Actor, SYSTEM_ACTOR } from "@/lib/audit/record-audit-event";
import { DEFAULT_POLICY } from "@/lib/validations/policy";

export interface CreateOrganizationOptions {
  name: string;
  slug: string;
  actor?: Actor;
}

/** An org with the out-of-the-box policy; its audit chain starts with org.created. */
export async function createOrganization(tx: Prisma.TransactionClient, { name, slug, actor = SYSTEM_ACTOR }: CreateOrganizationOptions) {
  const org = await tx.organization.create({
    data: {
      id: newId("org"),
      name,
      slug,
      policy: { create: { ...DEFAULT_POLICY } },
    },
    select: { id: true, name: true, slug: true, createdAt: true },
  });
  await recordAuditEvent(tx, { orgId: org.id, type: "org.created", actor, data: { name, slug } });
  return org;
}
