import { z } from "zod";
import { inviteMemberSchema, passwordSchema } from "./member";

export const completeSetupSchema = z.strictObject({
  token: z.string().min(20, "This setup link is incomplete").max(200),
  orgName: z.string().trim().min(1, "Name your organization").max(100),
  email: inviteMemberSchema.shape.email,
  password: passwordSchema,
});
export type CompleteSetupInput = z.infer<typeof completeSetupSchema>;
