// The two ways the README deploys the vault, both through `npm start` with the bootstrap
// variables, for suites that must pass on both:
// - "postgres": DATABASE_URL (a database cloned from the migrated template) and RV_MASTER_KEY;
// - "embedded": no DATABASE_URL and no key, exactly as a newcomer runs it: its own embedded
//   PostgreSQL, generated master key, migrations and bootstrap.
// Each answers with the app's URL, an owner's admin token and a Prisma client on the same
// database for seeding what the HTTP API cannot (another member's token).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateToken } from "../lib/crypto/tokens";
import { createPrismaClient, type PrismaClient } from "../lib/db/prisma";
import { createTestDatabase } from "./database";
import { captureOutput, freePort, killGroup, waitForOk } from "./server";

export interface Deployment {
  url: string;
  adminToken: string;
  orgId: string;
  prisma: PrismaClient;
  /** The `npm start` process (scripts/start.ts); the server runs as its child. */
  pid: number;
  logs(): string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, "..");
const OWNER = { email: "owner@deployment.test", password: "a long enough password" };
// Suites send bursts from one address; the abuse suite sets real limits itself.
const NO_RATE_LIMITS = { RV_RATE_LIMIT_BOT_PER_MIN: "1000000", RV_RATE_LIMIT_IP_PER_MIN: "1000000" };

export async function startPostgresDeployment(): Promise<Deployment> {
  const db = await createTestDatabase();
  try {
    // The README's production form: DATABASE_URL and RV_MASTER_KEY given, no key generated.
    return await launchNpmStart({ DATABASE_URL: db.url, RV_MASTER_KEY: process.env.RV_MASTER_KEY }, () => db.prisma, () => db.drop());
  } catch (err) {
    await db.drop();
    throw err;
  }
}

/** `extra`: more environment for `npm start` (e.g. an HSM's RV_KEY_PROVIDER=pkcs11 variables). */
export async function startEmbeddedDeployment(extra: Record<string, string | undefined> = {}): Promise<Deployment & { dataDir: string }> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "rv-embedded-"));
  const socketDir = path.join(dataDir, "pglite.sock");
  let prisma: PrismaClient | undefined;
  const deployment = await launchNpmStart(
    // What a newcomer has: no database and no key; `npm start` makes both.
    { RV_DATA_DIR: dataDir, DATABASE_URL: undefined, RV_MASTER_KEY: undefined, ...extra },
    () => (prisma = createPrismaClient(`postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`, 2)),
    async () => {
      await prisma?.$disconnect();
      rmSync(dataDir, { recursive: true, force: true });
    },
  );
  return { ...deployment, dataDir };
}

/** `npm start` (scripts/start.ts) with the bootstrap variables, serving the existing build. */
async function launchNpmStart(extra: Record<string, string | undefined>, connect: () => PrismaClient, cleanUp: () => Promise<void>): Promise<Deployment> {
  const port = await freePort();
  const adminToken = generateToken("rva_");
  const env: Record<string, string | undefined> = {
    ...process.env,
    ...NO_RATE_LIMITS,
    PORT: String(port),
    HOSTNAME: "127.0.0.1",
    RV_SKIP_BUILD: "1",
    RV_BOOTSTRAP_ADMIN_EMAIL: OWNER.email,
    RV_BOOTSTRAP_ADMIN_PASSWORD: OWNER.password,
    RV_BOOTSTRAP_API_TOKEN: adminToken,
    NEXT_TELEMETRY_DISABLED: "1",
    NODE_ENV: undefined,
    ...extra,
  };
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete env[k];
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { cwd: ROOT, env: env as NodeJS.ProcessEnv, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const logs = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  const stop = async () => {
    await killGroup(child);
    await cleanUp();
  };
  try {
    await waitForOk(`${url}/api/health`, child, 120_000, logs);
    const prisma = connect();
    const org = await prisma.organization.findFirstOrThrow({ select: { id: true } });
    return { url, adminToken, orgId: org.id, prisma, pid: child.pid!, logs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
