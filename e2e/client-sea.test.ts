// The CLI as one file (Node's single executable application, client/scripts/build-sea.mjs)
// on a host without Node: its PATH holds the executable and a few shell tools, no node.
// `runtime-vault exec` and `runtime-vault mcp run` against the real server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, symlinkSync, readFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedScenario } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { createClient, type AdminClient } from "runtime-vault";
import { runCommand, startCommand } from "./support/run-command";

const ROOT = path.resolve(__dirname, "..");
const VERSION: string = JSON.parse(readFileSync(path.join(ROOT, "client", "package.json"), "utf8")).version;
const justification = "Agent container job through the single-file CLI";
const TOOLS = ["sh", "sha256sum", "printf", "sleep", "cat"];

let tmp: string;
let bin: string;
let sea: string;
let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let scenario: Awaited<ReturnType<typeof seedScenario>>;

/** A host whose PATH has the executable and the shell tools only. */
const hostEnv = (extra: Record<string, string> = {}) => ({ PATH: bin, HOME: tmp, RV_URL: server.url, RV_POLL_MS: "300", ...extra });

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-sea-"));
  const build = await runCommand(process.execPath, [path.join(ROOT, "client", "scripts", "build-sea.mjs"), "--out", path.join(tmp, "sea")], { cwd: ROOT, env: { PATH: process.env.PATH ?? "" } });
  expect(build.code, build.stderr).toBe(0);
  bin = path.join(tmp, "bin");
  mkdirSync(bin);
  sea = path.join(bin, "runtime-vault");
  symlinkSync(path.join(tmp, "sea", "runtime-vault"), sea);
  for (const tool of TOOLS) {
    const found = ["/usr/bin", "/bin"].map((d) => path.join(d, tool)).find(existsSync);
    if (!found) throw new Error(`${tool} not found`);
    symlinkSync(found, path.join(bin, tool));
  }
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

describe("the single-file runtime-vault on a host without Node", () => {
  it("has no node on its PATH, and runs by itself", async () => {
    const which = await runCommand("sh", ["-c", "command -v node || echo none"], { cwd: tmp, env: hostEnv() });
    expect(which.stdout.trim()).toBe("none");
    const version = await runCommand("runtime-vault", ["--version"], { cwd: tmp, env: hostEnv() });
    expect(version).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
    console.log(`single-file runtime-vault: ${(statSync(path.join(tmp, "sea", "runtime-vault")).size / 1024 / 1024).toFixed(1)} MiB`);
  });

  it("execs a command with the value, masks it, and passes the exit code", async () => {
    const script = 'echo "value: $LEDGER"; echo "on stderr: $LEDGER" >&2; printf %s "$LEDGER" | sha256sum; exit 5';
    const run = await runCommand("runtime-vault", ["exec", "--secret", "LEDGER_KEY=LEDGER", "-j", justification, "--", "sh", "-c", script], { cwd: tmp, env: hostEnv({ RV_BOT_TOKEN: scenario.token }) });
    expect(run.code, run.stderr).toBe(5);
    expect(run.stdout).toContain("value: <secret:LEDGER_KEY>");
    expect(run.stderr).toContain("on stderr: <secret:LEDGER_KEY>");
    expect(run.stdout).toContain(createHash("sha256").update(scenario.value).digest("hex"));
    expect(run.stdout + run.stderr).not.toContain(scenario.value);
    expect(await admin.leases.list({ status: "active", botId: scenario.bot.id })).toEqual([]);
  });

  it("stops the command when its lease is revoked", async () => {
    const run = startCommand("runtime-vault", ["exec", "--secret", "LEDGER_KEY=LEDGER", "-j", justification, "--grace", "2s", "--", "sh", "-c", "echo ready; while :; do sleep 1; done"], {
      cwd: tmp,
      env: hostEnv({ RV_BOT_TOKEN: scenario.token }),
    });
    await run.waitFor(/ready/);
    const [lease] = await admin.leases.list({ status: "active", botId: scenario.bot.id });
    await admin.leases.revoke(lease.id, "single-file revoke drill");
    const done = await run.done;
    expect(done.code).toBe(124);
    expect(done.stderr).toMatch(/was revoked; stopping sh/);
  });

  it("prints an MCP config naming itself, and runs the mount from it", async () => {
    const mount = await admin.mounts.create({
      name: "agent-tools",
      botId: scenario.bot.id,
      command: "sh",
      args: ["-c", 'echo "value: $LEDGER"'],
      mappings: [{ secret: "LEDGER_KEY", env: "LEDGER" }],
      justificationTemplate: "Agent tools for the single-file suite",
    });
    const printed = await runCommand("runtime-vault", ["mount", "config", mount.name], { cwd: tmp, env: hostEnv({ RV_TOKEN: scenario.adminToken }) });
    expect(printed.code, printed.stderr).toBe(0);
    const entry = JSON.parse(printed.stdout).mcpServers[mount.name];
    // The executable's own path (the symlink resolved by the kernel), and no interpreter.
    expect(entry.command).toBe(path.join(tmp, "sea", "runtime-vault"));
    expect(entry.args).toEqual(["mcp", "run", mount.name]);
    const npx = await runCommand("runtime-vault", ["mount", "config", mount.name, "--npx"], { cwd: tmp, env: hostEnv({ RV_TOKEN: scenario.adminToken }) });
    expect(npx).toMatchObject({ code: 1, stderr: expect.stringContaining("not an npm package") });

    const run = startCommand(entry.command, entry.args, { cwd: tmp, env: { ...hostEnv(), ...entry.env, RV_BOT_TOKEN: scenario.token }, input: "open" });
    const done = await run.done;
    expect(done.code, done.stderr).toBe(0);
    expect(done.stdout).toContain("value: <secret:LEDGER_KEY>");
    expect(done.stdout + done.stderr).not.toContain(scenario.value);
  });
});
