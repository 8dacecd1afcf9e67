// Per-spec environment: a fresh database cloned from the template, the bootstrap
// owner, and the built app served on a free port (e2e/support/server.ts).
import { randomBytes } from "node:crypto";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { test, expect, type Page } from "@playwright/test";
import { createDatabase, dropDatabase } from "../../lib/db/scratch-database";
import { createPrismaClient, transaction, type PrismaClient } from "../../lib/db/prisma";
import { bootstrap } from "../../lib/orgs/bootstrap";
import { createUser } from "../../lib/users/create-user";
import { createApiToken } from "../../lib/api-tokens/create-api-token";
import { SYSTEM_ACTOR } from "../../lib/audit/record-audit-event";
import type { Role } from "../../lib/generated/prisma/enums";
import { generateToken } from "../../lib/crypto/tokens";
import type { TestServer } from "../../test/server";
import { startE2eServer } from "./server";

const ADMIN_URL = process.env.DATABASE_URL ?? "postgresql://postgres@127.0.0.1:5432/postgres";
export const OWNER = { email: "owner@vault.test", password: "owner password 123" };
export const SCREENSHOT_DIR = path.resolve(process.cwd(), "test-results", "screenshots");

export interface Vault {
  url: string;
  prisma: PrismaClient;
  orgId: string;
  server: TestServer;
  /** The owner's admin API token, for seeding through the HTTP API. */
  adminToken: string;
  /** Adds a member with `role` and returns their credentials, with an `rva_` API token of their own. */
  addMember(role: Role): Promise<{ email: string; password: string; id: string; apiToken: string }>;
}

/** Registers beforeAll/afterAll for the calling spec file and returns its vault. */
export function useVault(): Vault {
  const vault = {} as Vault;
  let name = "";
  test.beforeAll(async () => {
    test.setTimeout(120_000);
    name = `rv_e2e_${randomBytes(6).toString("hex")}`;
    const url = await createDatabase(ADMIN_URL, name, process.env.RV_E2E_TEMPLATE);
    vault.prisma = createPrismaClient(url, 3);
    vault.adminToken = generateToken("rva_");
    const result = await bootstrap(vault.prisma, { ...OWNER, orgName: "Acme", apiToken: vault.adminToken });
    if (!result.created) throw new Error(`bootstrap failed: ${result.reason}`);
    vault.orgId = result.orgId;
    vault.server = await startE2eServer(url, { RV_DB_POOL_SIZE: "4", RV_MASTER_KEY: process.env.RV_MASTER_KEY });
    vault.url = vault.server.url;
    vault.addMember = async (role) => {
      const email = `${role}-${randomBytes(3).toString("hex")}@vault.test`;
      const password = `${role} password 123`;
      const { user, token } = await transaction(vault.prisma, async (tx) => {
        const user = await createUser(tx, { orgId: vault.orgId, email, password, role, actor: SYSTEM_ACTOR });
        const { token } = await createApiToken(tx, { orgId: vault.orgId, userId: user.id, name: `${role} automation`, actor: SYSTEM_ACTOR });
        return { user, token };
      });
      return { email, password, id: user.id, apiToken: token };
    };
  });
  test.afterAll(async () => {
    await vault.server?.stop();
    await vault.prisma?.$disconnect();
    if (name) await dropDatabase(ADMIN_URL, name);
  });
  return vault;
}

/** Signs in through the next-auth credentials flow, like a person would. */
export async function signIn(page: Page, vault: Vault, who: { email: string; password: string } = OWNER) {
  await page.goto(`${vault.url}/sign-in`);
  await page.getByLabel("Email").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Sign in" }).click();
  await expect(page.getByTestId("current-user")).toContainText(who.email);
}

export async function signOut(page: Page) {
  await page.getByRole("button", { name: "Sign out" }).click();
  await expect(page.getByRole("heading", { name: "Sign in to Runtime Vault" })).toBeVisible();
}

/** Full-page screenshot kept as a test artefact under test-results/screenshots/. */
export async function snap(page: Page, name: string) {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Seeding goes through the HTTP API: the domain modules import next/server, which
 * Playwright's loader cannot resolve outside Next.
 */
export async function api(vault: Vault, method: string, path: string, body?: unknown) {
  const res = await botCall(vault, method, path, vault.adminToken, body);
  if (res.status >= 300) throw new Error(`${method} ${path} -> ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Bot-side HTTP, as a bot process would call the vault. */
export async function botCall(vault: Vault, method: string, path: string, token: string, body?: unknown) {
  const res = await fetch(vault.url + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}
