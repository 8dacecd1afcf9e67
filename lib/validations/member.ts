import { z } from "zod";
import { textSchema } from "./common";
import { pagingSchema } from "./paging";

export const ROLES = ["owner", "admin", "security", "viewer"] as const;

export const inviteMemberSchema = z.strictObject({
  email: z.string().trim().toLowerCase().pipe(z.email("Enter an email address")).pipe(z.string().max(254)),
  name: textSchema().trim().max(200).optional(),
  role: z.enum(ROLES),
});
export type InviteMemberInput = z.infer<typeof inviteMemberSchema>;

export const changeRoleSchema = z.strictObject({ role: z.enum(ROLES) });

export const passwordSchema = textSchema().min(12, "Use at least 12 characters").max(200);

export const setPasswordSchema = z.strictObject({
  token: textSchema().min(20).max(200),
  password: passwordSchema,
});

export const changePasswordSchema = z.strictObject({
  current: z.string().min(1, "Enter your current password").max(200),
  password: passwordSchema,
});

export const MEMBER_SORTS = ["email", "role", "createdAt"] as const;
/** The members page: search by email, keyset paging and sorting. */
export const memberPageQuerySchema = pagingSchema(MEMBER_SORTS, { sort: "email", direction: "asc" });
export type MemberPageQuery = z.infer<typeof memberPageQuerySchema>;
