// `npm start` on a machine without PostgreSQL: embedded database, generated master key,
// bootstrap, and the same data and key after a restart. Needs a production build
// (`npm test` builds first), so the start script runs with RV_SKIP_BUILD=1.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { captureOutput, exited, freePort, killGroup, waitForOk } from "../test/server";

const ROOT = path.resolve(__dirname, "..");
const TSX = path.join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
const ADMIN_EMAIL = "owner@example.com";
const ADMIN_PASSWORD = "start-test-password-1";
const API_TOKEN = "rva_starttest_0123456789abcdef0123456789";

let dataDir: string;

function baseEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: "127.0.0.1" };
  for (const name of ["DATABASE_URL", "RV_MASTER_KEY", "RV_MASTER_KEY_FILE", "RV_PREVIOUS_MASTER_KEYS", "NODE_ENV"]) delete env[name];
  return env;
}

function launch(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [TSX, "scripts/start.ts"], {
    cwd: ROOT,
    detached: true,
    stdio: ["ignore", "pipe", "pipe"],
    env,
  });
  return { child, logs: captureOutput(child) };
}

async function startEmbedded() {
  const port = await freePort();
  const { child, logs } = launch({
    ...baseEnv(),
    RV_DATA_DIR: dataDir,
    RV_SKIP_BUILD: "1",
    PORT: String(port),
    RV_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
    RV_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
    RV_BOOTSTRAP_API_TOKEN: API_TOKEN,
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForOk(`${url}/api/health`, child, 120_000, logs);
  } catch (err) {
    await killGroup(child);
    throw err;
  }
  return { url, child, logs, stop: () => killGroup(child) };
}

async function getPolicy(url: string) {
  const res = await fetch(`${url}/api/v1/policy`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  return { status: res.status, body: await res.json().catch(() => null) };
}

function expectNoSecretsIn(logs: string) {
  expect(logs).not.toContain(ADMIN_PASSWORD);
  expect(logs).not.toContain(API_TOKEN);
  const keyFile = path.join(dataDir, "master.key");
  if (existsSync(keyFile)) expect(logs).not.toContain(readFileSync(keyFile, "utf8").trim());
}

beforeAll(() => {
  if (!existsSync(path.join(ROOT, ".next", "BUILD_ID"))) {
    throw new Error("no production build (.next/BUILD_ID is missing): run `npm run build` first (`npm test` does)");
  }
  dataDir = mkdtempSync(path.join(tmpdir(), "rv-start-"));
});

afterAll(() => {
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
});

describe("npm start without DATABASE_URL", () => {
  let keyDigest: string;

  it("starts on an embedded database with a generated master key and a bootstrapped org", { timeout: 180_000 }, async () => {
    const server = await startEmbedded();
    try {
      const keyFile = path.join(dataDir, "master.key");
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(statSync(dataDir).mode & 0o077).toBe(0);
      keyDigest = createHash("sha256").update(readFileSync(keyFile)).digest("hex");

      const policy = await getPolicy(server.url);
      expect(policy.status, server.logs()).toBe(200);
      expect(policy.body).toMatchObject({ maxTtlSeconds: 3600 });
      expect(server.logs()).toMatch(/bootstrap: created organization/);
      expect(server.logs()).toMatch(/generated a master key in .*master\.key/);
    } finally {
      await server.stop();
    }
    expectNoSecretsIn(server.logs());
    // A clean stop closes the embedded database and releases its data dir.
    expect(existsSync(path.join(dataDir, "pglite.pid")), server.logs()).toBe(false);
  });

  it("comes back on the same data and key after a restart", { timeout: 180_000 }, async () => {
    expect(keyDigest, "the first start must have run").toBeTruthy();
    const server = await startEmbedded();
    try {
      const keyFile = path.join(dataDir, "master.key");
      expect(createHash("sha256").update(readFileSync(keyFile)).digest("hex")).toBe(keyDigest);
      const policy = await getPolicy(server.url);
      expect(policy.status, server.logs()).toBe(200);
      expect(policy.body).toMatchObject({ maxTtlSeconds: 3600 });
      expect(server.logs()).toMatch(/bootstrap: skipped/);
      expect(server.logs()).not.toMatch(/generated a master key/);
    } finally {
      await server.stop();
    }
    expectNoSecretsIn(server.logs());
  });
});

describe("npm start with DATABASE_URL", () => {
  it("refuses to run without a master key", { timeout: 60_000 }, async () => {
    const { child, logs } = launch({ ...baseEnv(), DATABASE_URL: inject("adminUrl"), RV_SKIP_BUILD: "1", PORT: String(await freePort()) });
    const timer = setTimeout(() => void killGroup(child), 50_000);
    await exited(child);
    clearTimeout(timer);
    expect(child.exitCode, logs()).not.toBe(0);
    expect(logs()).toMatch(/RV_MASTER_KEY/);
  });
});
