// First start (like Vault's dev root token): an empty database plus
// RV_BOOTSTRAP_ADMIN_EMAIL/PASSWORD gets the default org and its owner.
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { SYSTEM_ACTOR } from "@/lib/audit/record-audit-event";
import { createOrganization } from "./create-organization";
import { createUser } from "@/lib/users/create-user";
import { createApiToken } from "@/lib/api-tokens/create-api-token";
import { lockFirstOwner } from "./lock-first-owner";

export interface BootstrapOptions {
  email?: string;
  password?: string;
  apiToken?: string;
  orgName?: string;
}

export type BootstrapResult =
  | { created: false; reason: string }
  | { created: true; orgId: string; userId: string; apiTokenId: string | null };

export function bootstrapOptionsFromEnv(env: Record<string, string | undefined> = process.env): BootstrapOptions {
  return {
    email: env.RV_BOOTSTRAP_ADMIN_EMAIL,
    password: env.RV_BOOTSTRAP_ADMIN_PASSWORD,
    apiToken: env.RV_BOOTSTRAP_API_TOKEN,
    orgName: env.RV_BOOTSTRAP_ORG_NAME,
  };
}

export async function bootstrap(db: PrismaClient, opts: BootstrapOptions): Promise<BootstrapResult> {
  if (!opts.email || !opts.password) return { created: false, reason: "RV_BOOTSTRAP_ADMIN_EMAIL/PASSWORD not set" };
  if (opts.password.length < 12) throw new Error("RV_BOOTSTRAP_ADMIN_PASSWORD must be at least 12 characters");
  if (opts.apiToken !== undefined && (opts.apiToken.length < 32 || !opts.apiToken.startsWith("rva_"))) {
    throw new Error("RV_BOOTSTRAP_API_TOKEN must start with rva_ and be at least 32 characters");
  }
  return transaction(db, async (tx) => {
    // Serialise concurrent first starts (two app instances) and the setup link.
    await lockFirstOwner(tx);
    if ((await tx.organization.count()) > 0) return { created: false as const, reason: "database already has an organization" };
    const org = await createOrganization(tx, { name: opts.orgName ?? "Default", slug: "default" });
    const user = await createUser(tx, { orgId: org.id, email: opts.email!, password: opts.password!, role: "owner", actor: SYSTEM_ACTOR });
    const token = opts.apiToken
      ? await createApiToken(tx, { orgId: org.id, userId: user.id, name: "bootstrap", token: opts.apiToken, actor: SYSTEM_ACTOR })
      : null;
    return { created: true as const, orgId: org.id, userId: user.id, apiTokenId: token?.id ?? null };
  });
}
