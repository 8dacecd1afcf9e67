import type { Prisma } from "@/lib/generated/prisma/client";
import type { Role } from "@/lib/generated/prisma/enums";
import { newId } from "@/lib/ids";
import { recordAuditEvent, type Actor } from "@/lib/audit/record-audit-event";
import { hashPassword } from "./password";

export interface CreateUserOptions {
  orgId: string;
  email: string;
  password: string;
  role: Role;
  name?: string | null;
  actor: Actor;
}

export async function createUser(tx: Prisma.TransactionClient, opts: CreateUserOptions) {
  const user = await tx.user.create({
    data: {
      id: newId("usr"),
      orgId: opts.orgId,
      email: opts.email.toLowerCase(),
      name: opts.name ?? null,
      role: opts.role,
      passwordHash: await hashPassword(opts.password),
    },
    select: { id: true, orgId: true, email: true, role: true, createdAt: true },
  });
  await recordAuditEvent(tx, {
    orgId: opts.orgId,
    type: "member.created",
    actor: opts.actor,
    data: { userId: user.id, email: user.email, role: user.role },
  });
  return user;
}
