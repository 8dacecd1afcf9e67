// `npm start` on a machine without PostgreSQL: embedded database, generated master key,
// bootstrap, and the same data and key after a restart; and Ctrl-C with event streams
// open stops it within seconds. Needs a production build (`npm test` builds first), so
// the start script runs with RV_SKIP_BUILD=1.
import { spawn } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, inject, it } from "vitest";
import { createTestDatabase } from "../test/database";
import { captureOutput, exited, freePort, killGroup, waitForOk } from "../test/server";

const ROOT = path.resolve(__dirname, "..");
// Exactly what `npm start` runs (minus npm itself): `node --import tsx scripts/start.ts`.
const START_ARGS = (JSON.parse(readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts.start as string).split(" ");
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
  expect(START_ARGS[0]).toBe("node");
  const child = spawn(process.execPath, START_ARGS.slice(1), {
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

/**
 * Ctrl-C with an event stream open: SIGINT to the whole process group, as a terminal
 * sends it. Returns how long until every process of the group was gone, and how the
 * stream ended.
 */
async function interruptWithStreamOpen(server: { url: string; child: ReturnType<typeof launch>["child"] }) {
  const res = await fetch(`${server.url}/api/v1/events`, { headers: { authorization: `Bearer ${API_TOKEN}` } });
  expect(res.status).toBe(200);
  const reader = res.body!.getReader();
  expect(new TextDecoder().decode((await reader.read()).value)).toContain(": connected");
  // A server that has been up a moment, not one still finishing its start-up work (right
  // after "Ready", Next's own exit can lag by seconds on a loaded machine).
  await new Promise((r) => setTimeout(r, 2_000));
  const drained = (async () => {
    for (;;) if ((await reader.read()).done) return "ended" as const;
  })().catch((err: Error) => `failed: ${err.message}` as const);

  const started = Date.now();
  process.kill(-server.child.pid!, "SIGINT");
  const streamEnd = await drained;
  const streamMs = Date.now() - started;
  await Promise.race([exited(server.child), new Promise((r) => setTimeout(r, 10_000))]);
  // The group is gone once `next-server` has exited too, not only the script.
  while (Date.now() - started < 10_000 && groupAlive(server.child.pid!)) await new Promise((r) => setTimeout(r, 50));
  return { streamEnd, streamMs, stoppedMs: Date.now() - started };
}

function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
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
      // Bootstrapped: there is an owner, so no setup link.
      expect(server.logs()).not.toMatch(/setup#token=/);
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

      // Ctrl-C with a stream open: quick, and the embedded database closes cleanly.
      const stop = await interruptWithStreamOpen(server);
      expect(stop.streamEnd, server.logs()).toBe("ended");
      expect(stop.stoppedMs, server.logs()).toBeLessThan(5_000);
      expect(server.logs()).not.toMatch(/killing it|stopping the embedded database failed/);
      expect(server.child.exitCode, server.logs()).toBe(130);
      expect(existsSync(path.join(dataDir, "pglite.pid")), server.logs()).toBe(false);
    } finally {
      await server.stop();
    }
    expectNoSecretsIn(server.logs());
  });
});

describe("npm start with DATABASE_URL", () => {
  it("stops within 5 s on Ctrl-C with an event stream open, ending the stream cleanly", { timeout: 120_000 }, async () => {
    const db = await createTestDatabase();
    const port = await freePort();
    const { child, logs } = launch({
      ...baseEnv(),
      DATABASE_URL: db.url,
      RV_MASTER_KEY: randomBytes(32).toString("base64"),
      RV_SKIP_BUILD: "1",
      PORT: String(port),
      RV_BOOTSTRAP_ADMIN_EMAIL: ADMIN_EMAIL,
      RV_BOOTSTRAP_ADMIN_PASSWORD: ADMIN_PASSWORD,
      RV_BOOTSTRAP_API_TOKEN: API_TOKEN,
    });
    const server = { url: `http://127.0.0.1:${port}`, child };
    try {
      await waitForOk(`${server.url}/api/health`, child, 90_000, logs);
      const stop = await interruptWithStreamOpen(server);
      // Ended by the server (the client reconnects elsewhere), not cut off by a kill.
      expect(stop.streamEnd, logs()).toBe("ended");
      expect(stop.streamMs, logs()).toBeLessThan(2_000);
      expect(stop.stoppedMs, logs()).toBeLessThan(5_000);
      expect(logs()).not.toMatch(/killing it/);
      expect(child.exitCode, logs()).toBe(130);
    } finally {
      await killGroup(child);
      await db.drop();
    }
  });

  it("refuses to run without a master key", { timeout: 60_000 }, async () => {
    const { child, logs } = launch({ ...baseEnv(), DATABASE_URL: inject("adminUrl"), RV_SKIP_BUILD: "1", PORT: String(await freePort()) });
    const timer = setTimeout(() => void killGroup(child), 50_000);
    await exited(child);
    clearTimeout(timer);
    expect(child.exitCode, logs()).not.toBe(0);
    expect(logs()).toMatch(/RV_MASTER_KEY/);
  });
});
