// The first-start link (like Vault's `operator init`): while no owner exists, every
// `npm start` prints a fresh one-time link to the console, where whoever runs the
// vault creates the org and its owner. Only the token's hash is stored.
import { randomBytes } from "node:crypto";
import type { PrismaClient } from "@/lib/generated/prisma/client";
import { transaction } from "@/lib/db/prisma";
import { hashToken } from "@/lib/crypto/tokens";
import { lockFirstOwner } from "@/lib/orgs/lock-first-owner";
import { ownerExists } from "./owner-exists";

export const SETUP_TOKEN_ID = "setup";
export const SETUP_TOKEN_VALIDITY_MS = 60 * 60 * 1000;

export interface IssueSetupTokenOptions {
  validityMs?: number;
}

/** A new setup token replacing any earlier one, or null (and no token left) once an owner exists. */
export async function issueSetupToken(db: PrismaClient, { validityMs = SETUP_TOKEN_VALIDITY_MS }: IssueSetupTokenOptions = {}) {
  return transaction(db, async (tx) => {
    await lockFirstOwner(tx);
    if (await ownerExists(tx)) {
      await tx.setupToken.deleteMany({});
      return null;
    }
    const token = randomBytes(32).toString("base64url");
    const data = { tokenHash: hashToken(token), expiresAt: new Date(Date.now() + validityMs), createdAt: new Date() };
    // One row: the upsert makes the previous link stop working.
    await tx.setupToken.upsert({ where: { id: SETUP_TOKEN_ID }, create: { id: SETUP_TOKEN_ID, ...data }, update: data });
    return { token, expiresAt: data.expiresAt };
  });
}
