// The members list: one page of members with the total, searchable by email, in any
// sortable column's order. Never the password hash or set-password token (memberSelect).
import type { Db } from "@/lib/db/prisma";
import type { Prisma } from "@/lib/generated/prisma/client";
import { Role } from "@/lib/generated/prisma/enums";
import { enumField, field, keysetPage, type SortKey } from "@/lib/paging/keyset";
import type { MemberPageQuery } from "@/lib/validations/member";
import { memberSelect } from "./member-select";

type Row = Prisma.UserGetPayload<{ select: typeof memberSelect }>;

const keys: Record<MemberPageQuery["sort"], SortKey<Row>> = {
  email: field("email"),
  role: enumField("role", Object.values(Role)),
  createdAt: field("createdAt"),
};

export type ListMembersPageOptions = { orgId: string } & Partial<MemberPageQuery>;

export async function listMembersPage(db: Db, { orgId, q, cursor, limit = 50, sort = "email", direction = "asc" }: ListMembersPageOptions) {
  const where: Prisma.UserWhereInput = { orgId, ...(q ? { email: { contains: q, mode: "insensitive" } } : {}) };
  const page = await keysetPage<Row, Prisma.UserWhereInput>({
    where,
    key: keys[sort],
    direction,
    cursor,
    limit,
    find: (args) => db.user.findMany({ ...args, select: memberSelect }),
    count: (args) => db.user.count(args),
    id: (r) => r.id,
  });
  const now = new Date();
  return { ...page, rows: page.rows.map(({ setPasswordExpiresAt, ...m }) => ({ ...m, invitePending: setPasswordExpiresAt !== null && setPasswordExpiresAt > now })) };
}
