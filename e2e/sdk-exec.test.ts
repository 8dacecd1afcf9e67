// The SDK's exec() and lease helper against the built server on real PostgreSQL, with
// real child processes: exec() shares the CLI's engine (client/src/exec/run-exec.ts).
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Writable } from "node:stream";
import ts from "typescript";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedScenario, seedSecret } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { BotClient, createClient, exec, ExecError, PermissionDenied, type AdminClient } from "runtime-vault";

const ROOT = path.resolve(__dirname, "..");
const justification = "Ledger sync through the SDK's exec";
const sha = (s: string) => createHash("sha256").update(s).digest("hex");

let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let bot: BotClient;
let scenario: Awaited<ReturnType<typeof seedScenario>>;
let tmp: string;

// Prints what it got (value, its digest, the argument's digest), then exits or waits.
// Run as \`node -e CHILD ARG MODE [MS]\`: with -e, process.argv[1] is ARG.
const CHILD = `
const { createHash } = require("node:crypto");
const sha = (s) => createHash("sha256").update(s ?? "").digest("hex");
console.log("env: " + process.env.LEDGER);
console.error("err: " + process.env.LEDGER);
console.log("env-sha: " + sha(process.env.LEDGER) + " arg-sha: " + sha(process.argv[1]));
if (process.argv[2] === "wait") { console.log("ready"); setInterval(() => {}, 1000); }
else if (process.argv[2] === "sleep") setTimeout(() => process.exit(0), Number(process.argv[3]));
else process.exit(Number(process.argv[2] ?? 0));
`;

const activeLeases = () => admin.leases.list({ status: "active", botId: scenario.bot.id });

/** A Writable that calls `onText` with everything written so far. */
function watcher(onText: (text: string) => void) {
  let text = "";
  return new Writable({
    write(chunk: Buffer, _enc, cb) {
      text += chunk.toString("utf8");
      onText(text);
      cb();
    },
  });
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-sdk-exec-"));
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  scenario = await seedScenario(db.prisma, { name: "LEDGER_KEY" });
  await seedSecret(db.prisma, scenario.orgId, { name: "UNGRANTED_KEY" });
  const clients = createClient({ url: server.url, token: scenario.adminToken, botToken: scenario.token });
  admin = clients.admin;
  bot = clients.bot;
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("SDK exec()", () => {
  it("runs the command with the value in its environment and arguments, collects masked output, and resolves to its exit code", async () => {
    const result = await exec(process.execPath, ["-e", CHILD, "{{secret:LEDGER_KEY}}", "3"], {
      bot,
      secrets: ["LEDGER_KEY=LEDGER"],
      justification,
      notify: () => {},
    });
    expect(result).toMatchObject({ code: 3, signal: null, leaseEnded: false });
    expect(result.stdout).toContain("env: <secret:LEDGER_KEY>");
    expect(result.stderr).toContain("err: <secret:LEDGER_KEY>");
    expect(result.stdout).toContain(`env-sha: ${sha(scenario.value)} arg-sha: ${sha(scenario.value)}`);
    expect(result.stdout! + result.stderr!).not.toContain(scenario.value);
    expect(await activeLeases()).toEqual([]);
  });

  it("takes the vault from RV_URL / RV_BOT_TOKEN and streams output to a writable instead of collecting it", async () => {
    const saved = { url: process.env.RV_URL, token: process.env.RV_BOT_TOKEN };
    process.env.RV_URL = server.url;
    process.env.RV_BOT_TOKEN = scenario.token;
    let streamed = "";
    try {
      const result = await exec(process.execPath, ["-e", CHILD, "", "0"], {
        secrets: [{ secret: "LEDGER_KEY", env: "LEDGER" }],
        justification,
        stdout: watcher((t) => (streamed = t)),
        stderr: "ignore",
      });
      expect(result).toMatchObject({ code: 0, signal: null });
      expect(result.stdout).toBeUndefined();
      expect(result.stderr).toBeUndefined();
      expect(streamed).toContain("env: <secret:LEDGER_KEY>");
      expect(streamed).not.toContain(scenario.value);
    } finally {
      process.env.RV_URL = saved.url;
      process.env.RV_BOT_TOKEN = saved.token;
    }
  });

  it("stops the command when its lease is revoked", async () => {
    const messages: string[] = [];
    let ready!: () => void;
    const started = new Promise<void>((r) => (ready = r));
    const running = exec(process.execPath, ["-e", CHILD, "", "wait"], {
      bot,
      secrets: ["LEDGER_KEY=LEDGER"],
      justification,
      pollMs: 200,
      graceMs: 2_000,
      notify: (m) => messages.push(m),
      stdout: watcher((t) => t.includes("ready") && ready()),
    });
    await started;
    const [lease] = await activeLeases();
    await admin.leases.revoke(lease.id, "SDK exec revoke drill");
    const result = await running;
    expect(result).toMatchObject({ code: null, signal: "SIGTERM", leaseEnded: true, stopped: expect.stringContaining("was revoked") });
    expect(messages.join("\n")).toMatch(/was revoked; stopping/);
  });

  it("renews short leases while the command runs, and releases them at the end", async () => {
    const result = await exec(process.execPath, ["-e", CHILD, "", "sleep", "4500"], { bot, secrets: ["LEDGER_KEY=LEDGER"], justification, ttl: "3s", pollMs: 200, notify: () => {} });
    expect(result).toMatchObject({ code: 0, leaseEnded: false });
    const leases = await admin.leases.list({ botId: scenario.bot.id, limit: 100 });
    const renewals = leases.filter((l) => l.justification === `${justification} (renewal)`);
    expect(renewals.length).toBeGreaterThanOrEqual(1);
    expect(await activeLeases()).toEqual([]);
  });

  it("stops the command when the caller aborts", async () => {
    const controller = new AbortController();
    const running = exec(process.execPath, ["-e", CHILD, "", "wait"], {
      bot,
      secrets: ["LEDGER_KEY=LEDGER"],
      justification,
      signal: controller.signal,
      notify: () => {},
      stdout: watcher((t) => t.includes("ready") && controller.abort()),
    });
    const result = await running;
    expect(result).toMatchObject({ signal: "SIGTERM", leaseEnded: false, stopped: "aborted" });
    expect(await activeLeases()).toEqual([]);
  });

  it("rejects with an ExecError whose cause is the API's refusal, and starts nothing", async () => {
    const marker = path.join(tmp, "started");
    const run = exec(process.execPath, ["-e", `require("node:fs").writeFileSync(${JSON.stringify(marker)}, "")`], { bot, secrets: ["UNGRANTED_KEY"], justification, notify: () => {} });
    const err = await run.catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ExecError);
    expect((err as ExecError).cause).toBeInstanceOf(PermissionDenied);
    expect(existsSync(marker)).toBe(false);
    await expect(exec("definitely-not-a-command-here", [], { bot, secrets: ["LEDGER_KEY"], justification, notify: () => {} })).rejects.toMatchObject({ exitCode: 127, message: expect.stringContaining("ENOENT") });
    expect(await activeLeases()).toEqual([]);
  });
});

describe("SDK lease helper", () => {
  it("resolves the value and releases the lease on Symbol.asyncDispose", async () => {
    const lease = await bot.lease("LEDGER_KEY", { justification });
    expect(lease).toMatchObject({ secret: "LEDGER_KEY", scope: "default", value: scenario.value });
    expect(lease).not.toHaveProperty("leaseToken");
    expect((await activeLeases()).map((l) => l.id)).toEqual([lease.id]);
    await lease[Symbol.asyncDispose]();
    expect(await activeLeases()).toEqual([]);
    await lease.release(); // once only; a second call does nothing
  });

  it("releases at the end of an `await using` block (compiled by tsc, run by plain node)", async () => {
    const source = `
      import { createClient } from ${JSON.stringify(path.join(ROOT, "client", "dist", "cjs", "sdk", "index.js"))};
      async function main() {
        const { bot, admin } = createClient({ url: process.env.URL, botToken: process.env.BOT, token: process.env.ADMIN });
        {
          await using lease = await bot.lease("LEDGER_KEY", { justification: ${JSON.stringify(justification)} });
          const inside = (await admin.leases.list({ status: "active" })).length;
          console.log(JSON.stringify({ inside, length: lease.value.length }));
        }
        console.log(JSON.stringify({ after: (await admin.leases.list({ status: "active" })).length }));
      }
      main().catch((e) => { console.error(e); process.exit(1); });`;
    const { outputText } = ts.transpileModule(source, { compilerOptions: { target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.CommonJS } });
    expect(outputText).not.toContain("await using"); // lowered: runs on Node 20 as well
    const file = path.join(tmp, "await-using.cjs");
    writeFileSync(file, outputText);
    const child = spawn(process.execPath, [file], { env: { PATH: process.env.PATH, URL: server.url, BOT: scenario.token, ADMIN: scenario.adminToken } as unknown as NodeJS.ProcessEnv, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let err = "";
    child.stdout.on("data", (c: Buffer) => (out += c));
    child.stderr.on("data", (c: Buffer) => (err += c));
    const code = await new Promise((r) => child.on("close", r));
    expect(code, err).toBe(0);
    const [inside, after] = out.trim().split("\n").map((l) => JSON.parse(l));
    expect(inside).toEqual({ inside: 1, length: scenario.value.length });
    expect(after).toEqual({ after: 0 });
  });
});
