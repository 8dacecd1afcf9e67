"use server";
import { prisma, transaction } from "@/lib/db/prisma";
import { runAction } from "@/lib/forms/run-action";
import type { FormState } from "@/lib/forms/form-state";
import { text } from "@/lib/forms/read-form";
import { inviteMember } from "@/lib/members/invite-member";
import { setPasswordUrl } from "@/lib/members/set-password-url";
import { changeMemberRole } from "@/lib/members/change-member-role";
import { removeMember } from "@/lib/members/remove-member";
import { idSchema } from "@/lib/validations/common";
import { changeRoleSchema, inviteMemberSchema } from "@/lib/validations/member";

export async function inviteMemberAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("members:write", "invite member", async ({ user, actor, ip }) => {
    const input = inviteMemberSchema.parse({ email: text(fd, "email"), name: text(fd, "name"), role: text(fd, "role") });
    const { member, setPasswordToken } = await transaction(prisma, (tx) => inviteMember(tx, { orgId: user.orgId, actor, input, ip }));
    return {
      ok: true,
      message: `${member.email} invited as ${member.role}. Send them this link (valid 72 hours, usable once):`,
      secretOnce: setPasswordUrl(setPasswordToken),
    };
  }, fd);
}

export async function changeRoleAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("members:write", "change member role", async ({ user, actor, ip }) => {
    const id = idSchema("usr").parse(text(fd, "id"));
    const { role } = changeRoleSchema.parse({ role: text(fd, "role") });
    const member = await transaction(prisma, (tx) => changeMemberRole(tx, { orgId: user.orgId, id, role, actor, ip }));
    return { ok: true, message: `${member.email} is now ${member.role}.` };
  }, fd);
}

export async function removeMemberAction(_prev: FormState, fd: FormData): Promise<FormState> {
  return runAction("members:write", "remove member", async ({ user, actor, ip }) => {
    const id = idSchema("usr").parse(text(fd, "id"));
    await transaction(prisma, (tx) => removeMember(tx, { orgId: user.orgId, id, actor, ip }));
    return { ok: true, message: "Member removed; their sessions end at the next request." };
  }, fd);
}
