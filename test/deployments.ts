// The two ways the README deploys the vault, for suites that must pass on both:
// - "postgres": the built app (`next start`) on a database cloned from the migrated template;
// - "embedded": `npm start` exactly as a newcomer runs it, with no DATABASE_URL, so its own
//   embedded PostgreSQL, generated master key, migrations and bootstrap.
// Each answers with the app's URL, an owner's admin token and a Prisma client on the same
// database for seeding what the HTTP API cannot (another member's token).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { generateToken } from "../lib/crypto/tokens";
import { bootstrap } from "../lib/orgs/bootstrap";
import { createPrismaClient, type PrismaClient } from "../lib/db/prisma";
import { createTestDatabase } from "./database";
import { captureOutput, freePort, killGroup, startServer, waitForOk } from "./server";

export interface Deployment {
  url: string;
  adminToken: string;
  orgId: string;
  prisma: PrismaClient;
  logs(): string;
  stop(): Promise<void>;
}

const ROOT = path.resolve(__dirname, "..");
const TSX_BIN = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const OWNER = { email: "owner@deployment.test", password: "a long enough password" };
// Suites send bursts from one address; the abuse suite sets real limits itself.
const NO_RATE_LIMITS = { RV_RATE_LIMIT_BOT_PER_MIN: "1000000", RV_RATE_LIMIT_IP_PER_MIN: "1000000" };

export async function startPostgresDeployment(): Promise<Deployment> {
  const db = await createTestDatabase();
  const adminToken = generateToken("rva_");
  const result = await bootstrap(db.prisma, { ...OWNER, apiToken: adminToken });
  if (!result.created) throw new Error(`bootstrap did nothing: ${result.reason}`);
  const server = await startServer({ databaseUrl: db.url }).catch(async (err) => {
    await db.drop();
    throw err;
  });
  return {
    url: server.url,
    adminToken,
    orgId: result.orgId,
    prisma: db.prisma,
    logs: server.logs,
    async stop() {
      await server.stop();
      await db.drop();
    },
  };
}

export async function startEmbeddedDeployment(): Promise<Deployment> {
  const dataDir = mkdtempSync(path.join(tmpdir(), "rv-embedded-"));
  const port = await freePort();
  const adminToken = generateToken("rva_");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...NO_RATE_LIMITS,
    RV_DATA_DIR: dataDir,
    PORT: String(port),
    RV_SKIP_BUILD: "1",
    RV_BOOTSTRAP_ADMIN_EMAIL: OWNER.email,
    RV_BOOTSTRAP_ADMIN_PASSWORD: OWNER.password,
    RV_BOOTSTRAP_API_TOKEN: adminToken,
    NEXT_TELEMETRY_DISABLED: "1",
  };
  // What a newcomer has: no database and no key; `npm start` makes both.
  delete env.DATABASE_URL;
  delete env.RV_MASTER_KEY;
  delete (env as Record<string, string | undefined>).NODE_ENV;
  const child = spawn(process.execPath, [TSX_BIN, "scripts/start.ts"], { cwd: ROOT, env, detached: true, stdio: ["ignore", "pipe", "pipe"] });
  const logs = captureOutput(child);
  const url = `http://127.0.0.1:${port}`;
  let prisma: PrismaClient | undefined;
  const stop = async () => {
    await prisma?.$disconnect();
    await killGroup(child);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForOk(`${url}/api/health`, child, 120_000, logs);
    const socketDir = path.join(dataDir, "pglite.sock");
    prisma = createPrismaClient(`postgresql://postgres@localhost/postgres?host=${encodeURIComponent(socketDir)}`, 2);
    const org = await prisma.organization.findFirstOrThrow({ select: { id: true } });
    return { url, adminToken, orgId: org.id, prisma, logs, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
