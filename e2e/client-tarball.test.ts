// The client package as a bot host gets it: `npm pack` of client/, installed from the
// tarball alone into an empty folder with the registry unreachable, then used with plain
// `node` (no tsx, no TypeScript): the SDK through `import` and `require`, and the CLI
// through `npx runtime-vault` against the real server: exec injects the value, masks it,
// passes the exit code, and a revoke stops the command; `mount config` prints entries
// that start this installation and never a registry download.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedScenario, seedSecret } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { createClient, type AdminClient } from "runtime-vault";
import { runCommand, startCommand } from "./support/run-command";

const ROOT = path.resolve(__dirname, "..");
const CLIENT = path.join(ROOT, "client");
const VERSION: string = JSON.parse(readFileSync(path.join(CLIENT, "package.json"), "utf8")).version;
const justification = "Nightly ledger sync from the packed client";

let tmp: string;
let host: string;
let tarball: string;
let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let scenario: Awaited<ReturnType<typeof seedScenario>>;

/** What a bot host's shell has: node on PATH, npm pointed at a registry that is not there. */
function hostEnv(extra: Record<string, string> = {}): Record<string, string> {
  return {
    PATH: `${path.dirname(process.execPath)}:/usr/local/bin:/usr/bin:/bin`,
    HOME: tmp,
    npm_config_registry: "http://127.0.0.1:9/",
    npm_config_cache: path.join(tmp, "npm-cache"),
    npm_config_offline: "true",
    npm_config_update_notifier: "false",
    ...extra,
  };
}

function duBytes(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    total += entry.isDirectory() ? duBytes(p) : statSync(p).size;
  }
  return total;
}

beforeAll(async () => {
  if (!existsSync(path.join(CLIENT, "dist", "esm", "cli", "main.js"))) throw new Error("client/dist is missing: run npm run build:client (npm run build does)");
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-tarball-"));
  // --ignore-scripts: the prepack build would replace dist/ under other suites using it.
  const pack = await runCommand("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", tmp], { cwd: CLIENT, env: hostEnv() });
  expect(pack.code, pack.stderr).toBe(0);
  tarball = path.join(tmp, JSON.parse(pack.stdout)[0].filename);
  host = path.join(tmp, "bot-host");
  mkdirSync(host);
  writeFileSync(path.join(host, "package.json"), JSON.stringify({ name: "bot-host", version: "1.0.0", private: true }));
  const install = await runCommand("npm", ["install", "--offline", "--no-audit", "--no-fund", tarball], { cwd: host, env: hostEnv() });
  expect(install.code, install.stderr).toBe(0);
  writeFileSync(
    path.join(host, "print-env.mjs"),
    [
      'import { createHash } from "node:crypto";',
      "const value = process.env.LEDGER ?? '';",
      'console.log(`value: ${value}`);',
      'console.error(`on stderr: ${value}`);',
      'console.log(`sha256: ${createHash("sha256").update(value).digest("hex")}`);',
      'if (process.argv[2] === "wait") { console.log("ready"); setInterval(() => {}, 1000); }',
      "else process.exit(Number(process.argv[2] ?? 0));",
    ].join("\n"),
  );

  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  scenario = await seedScenario(db.prisma, { name: "LEDGER_KEY" });
  admin = createClient({ url: server.url, token: scenario.adminToken }).admin;
}, 180_000);

afterAll(async () => {
  await server?.stop();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("the packed client, installed offline on a bot host", () => {
  it("installs from the tarball alone: no dependencies, and small", () => {
    const installed = path.join(host, "node_modules", "runtime-vault");
    const pkg = JSON.parse(readFileSync(path.join(installed, "package.json"), "utf8"));
    expect(pkg.name).toBe("runtime-vault");
    expect(pkg.dependencies ?? {}).toEqual({});
    expect(pkg.optionalDependencies ?? {}).toEqual({});
    expect(pkg.peerDependencies ?? {}).toEqual({});
    // Nothing else was installed beside it.
    expect(readdirSync(path.join(host, "node_modules")).filter((n) => !n.startsWith("."))).toEqual(["runtime-vault"]);
    // Only the compiled output ships: no TypeScript source, no tests.
    const files = (function walk(dir: string): string[] {
      return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.relative(installed, path.join(dir, e.name))]));
    })(installed);
    expect(files.filter((f) => (f.endsWith(".ts") && !f.endsWith(".d.ts")) || f.includes(".test."))).toEqual([]);
    const size = duBytes(installed);
    console.log(`installed size of runtime-vault ${VERSION}: ${(size / 1024).toFixed(0)} KiB in ${files.length} files (tarball ${(statSync(tarball).size / 1024).toFixed(0)} KiB), 0 dependencies`);
    expect(size).toBeLessThan(2 * 1024 * 1024);
  });

  it("imports the SDK with import and with require from plain node, and it talks to the vault", async () => {
    const env = hostEnv({ RV_URL: server.url, RV_TOKEN: scenario.adminToken });
    const esm = await runCommand(
      process.execPath,
      [
        "--input-type=module",
        "-e",
        `import { createClient, NotFound, VERSION } from "runtime-vault";
         import { GENESIS_HASH } from "runtime-vault/audit-chain";
         const { admin } = createClient();
         const names = (await admin.secrets.list()).map((s) => s.name);
         const missing = await admin.secrets.idOf("NO_SUCH_KEY").catch((e) => e instanceof NotFound || e.name);
         console.log(JSON.stringify({ VERSION, names, missing, genesis: GENESIS_HASH.length }));`,
      ],
      { cwd: host, env },
    );
    expect(esm.code, esm.stderr).toBe(0);
    expect(JSON.parse(esm.stdout)).toEqual({ VERSION, names: ["LEDGER_KEY"], missing: true, genesis: 64 });

    const cjs = await runCommand(
      process.execPath,
      [
        "-e",
        `const { createClient, NotFound, VERSION } = require("runtime-vault");
         const { GENESIS_HASH } = require("runtime-vault/audit-chain");
         const { admin } = createClient();
         (async () => {
           const names = (await admin.secrets.list()).map((s) => s.name);
           const missing = await admin.secrets.idOf("NO_SUCH_KEY").catch((e) => e instanceof NotFound || e.name);
           console.log(JSON.stringify({ VERSION, names, missing, genesis: GENESIS_HASH.length, cjs: require.resolve("runtime-vault").endsWith("/dist/cjs/sdk/index.js") }));
         })();`,
      ],
      { cwd: host, env },
    );
    expect(cjs.code, cjs.stderr).toBe(0);
    expect(JSON.parse(cjs.stdout)).toEqual({ VERSION, names: ["LEDGER_KEY"], missing: true, genesis: 64, cjs: true });
  });

  it("runs npx runtime-vault --version", async () => {
    const run = await runCommand("npx", ["runtime-vault", "--version"], { cwd: host, env: hostEnv() });
    expect(run).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it("execs a command with the value in its environment, masks it, and passes the exit code", async () => {
    const env = hostEnv({ RV_URL: server.url, RV_BOT_TOKEN: scenario.token, RV_POLL_MS: "300" });
    const run = await runCommand("npx", ["runtime-vault", "exec", "--secret", "LEDGER_KEY=LEDGER", "-j", justification, "--", "node", "print-env.mjs", "7"], { cwd: host, env });
    expect(run.code, run.stderr).toBe(7);
    expect(run.stdout).toContain("value: <secret:LEDGER_KEY>");
    expect(run.stderr).toContain("on stderr: <secret:LEDGER_KEY>");
    // The command saw the real value: its digest, which is no encoding of the value, comes through.
    expect(run.stdout).toContain(`sha256: ${createHash("sha256").update(scenario.value).digest("hex")}`);
    expect(run.stdout + run.stderr).not.toContain(scenario.value);
    // The lease was released when the command exited.
    expect(await admin.leases.list({ status: "active", botId: scenario.bot.id })).toEqual([]);
  });

  it("gives a bot whose environment is test the test-scope value without naming a scope", async () => {
    const { secret, value } = await seedSecret(db.prisma, scenario.orgId, { name: "LEDGER_KEY", scope: "test" });
    const tester = await admin.bots.create({ name: `test-bot-${Date.now()}`, environment: "test" });
    await admin.grants.add({ botId: tester.id, secretId: secret.id });
    const env = hostEnv({ RV_URL: server.url, RV_BOT_TOKEN: tester.token, RV_POLL_MS: "300" });
    const run = await runCommand("npx", ["runtime-vault", "exec", "--secret", "LEDGER_KEY=LEDGER", "-j", justification, "--", "node", "print-env.mjs", "0"], { cwd: host, env });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain(`sha256: ${createHash("sha256").update(value).digest("hex")}`);
    expect(run.stdout + run.stderr).not.toContain(value);
  });

  it("stops the command when its lease is revoked", async () => {
    const env = hostEnv({ RV_URL: server.url, RV_BOT_TOKEN: scenario.token, RV_POLL_MS: "300" });
    const run = startCommand("npx", ["runtime-vault", "exec", "--secret", "LEDGER_KEY=LEDGER", "-j", justification, "--grace", "2s", "--", "node", "print-env.mjs", "wait"], { cwd: host, env });
    await run.waitFor(/ready/);
    const [lease] = await admin.leases.list({ status: "active", botId: scenario.bot.id });
    expect(lease).toBeDefined();
    await admin.leases.revoke(lease.id, "tarball suite: revoke drill");
    const done = await run.done;
    expect(done.code).toBe(124);
    expect(done.stderr).toMatch(/was revoked; stopping node/);
    expect(done.stdout + done.stderr).not.toContain(scenario.value);
  });

  it("prints MCP client configs that start this installation, never a registry download", async () => {
    const mount = await admin.mounts.create({
      name: "ledger-mcp",
      botId: scenario.bot.id,
      command: process.execPath,
      args: [path.join(host, "print-env.mjs"), "0"],
      mappings: [{ secret: "LEDGER_KEY", env: "LEDGER" }],
      justificationTemplate: "Ledger MCP server for the tarball suite",
      ttlSeconds: null,
    });
    const adminEnv = hostEnv({ RV_URL: server.url, RV_TOKEN: scenario.adminToken });
    const config = async (...extra: string[]) => {
      const run = await runCommand("npx", ["runtime-vault", "mount", "config", mount.name, ...extra], { cwd: host, env: adminEnv });
      expect(run.code, run.stderr).toBe(0);
      return JSON.parse(run.stdout).mcpServers[mount.name] as { command: string; args: string[]; env: Record<string, string> };
    };
    // Somewhere else, with a registry that is not there and an empty npm cache: whatever
    // runs was found through the config alone. No fetch retries: a registry fetch fails at once.
    const elsewhere = mkdtempSync(path.join(tmp, "mcp-client-"));
    const launch = async (entry: { command: string; args: string[]; env: Record<string, string> }, pathVar: string) => {
      const env = { PATH: pathVar, HOME: elsewhere, npm_config_registry: "http://127.0.0.1:9/", npm_config_fetch_retries: "0", npm_config_cache: path.join(elsewhere, `cache-${Math.random()}`), RV_POLL_MS: "300", ...entry.env, RV_BOT_TOKEN: scenario.token };
      const run = startCommand(entry.command, entry.args, { cwd: elsewhere, env, input: "open" });
      const done = await run.done;
      expect(done.code, done.stderr).toBe(0);
      expect(done.stdout).toContain("value: <secret:LEDGER_KEY>");
      expect(done.stdout + done.stderr).not.toContain(scenario.value);
    };

    // Default: node and the installed CLI by absolute path; it runs with no PATH at all.
    const direct = await config();
    const entry = realpathSync(path.join(host, "node_modules", "runtime-vault", "bin", "runtime-vault.js"));
    expect(direct).toEqual({ command: realpathSync(process.execPath), args: [entry, "mcp", "run", mount.name], env: { RV_URL: server.url, RV_BOT_TOKEN: expect.stringMatching(/^rvb_…/) } });
    await launch(direct, "/nonexistent");

    // --npx pins this installation's folder; --package a tarball. Never a bare name.
    const pinnedFolder = await config("--npx");
    expect(pinnedFolder.command).toBe("npx");
    expect(pinnedFolder.args).toEqual(["--yes", `--package=${realpathSync(path.join(host, "node_modules", "runtime-vault"))}`, "runtime-vault", "mcp", "run", mount.name]);
    const pinnedTarball = await config("--package", tarball);
    expect(pinnedTarball.args).toEqual(["--yes", `--package=${tarball}`, "runtime-vault", "mcp", "run", mount.name]);
    const nodePath = `${path.dirname(process.execPath)}:/usr/bin:/bin`;
    await launch(pinnedFolder, nodePath);
    await launch(pinnedTarball, nodePath);

    const relative = await runCommand("npx", ["runtime-vault", "mount", "config", mount.name, "--package", "no-such.tgz"], { cwd: host, env: adminEnv });
    expect(relative).toMatchObject({ code: 1, stderr: expect.stringContaining("no such file") });
  });
});
