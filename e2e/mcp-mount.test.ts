// The MCP round trip: a real MCP client (the SDK's Client over StdioClientTransport)
// launches `runtime-vault mcp run accounting`, which leases the key as the bot and
// starts a real MCP server with it. The tool works, the careless tool's output
// arrives masked, the audit trail ties the access to the mount and the tool call,
// and revoking the lease stops the server.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { createClient, type AdminClient } from "runtime-vault";
import { isRunning } from "../test/process-tree";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "client", "bin", "runtime-vault.js");
const FIXTURE = path.join(ROOT, "e2e", "fixtures", "accounting-mcp-server.mjs");
const KEY = `acct-live-${crypto.randomUUID()}`;

let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let botId: string;
let botToken: string;
let tmp: string;
let client: Client;
let transport: StdioClientTransport;
let launcherStderr = "";
const received: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  const org = await seedOrg(db.prisma);
  admin = createClient({ url: server.url, token: org.adminToken }).admin;
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-mcp-"));

  const { secret } = await admin.secrets.set("ACCOUNTING_API_KEY", KEY, { scope: "production" });
  const bot = await admin.bots.create({ name: "accounting-agent" });
  [botId, botToken] = [bot.id, bot.token];
  const mount = await admin.mounts.create({
    name: "accounting",
    botId,
    command: process.execPath,
    args: [FIXTURE],
    mappings: [{ secret: "ACCOUNTING_API_KEY", scope: "production", env: "ACCOUNTING_API_KEY" }],
    justificationTemplate: "Accounting MCP server ({{mount}}) for the finance agent",
    ttlSeconds: 600,
  });
  // The key may be leased through this mount and nothing else.
  await admin.grants.add({ botId, secretId: secret.id, mountId: mount.id });
});
afterAll(async () => {
  await client?.close().catch(() => {});
  await server?.stop();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

function parentOf(pid: number): number {
  return Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[1]);
}

async function waitFor(cond: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("MCP mount round trip", () => {
  it("a real MCP client drives the mounted server through runtime-vault mcp run", async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "run", "accounting"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: process.env.HOME ?? tmp,
        RV_URL: server.url,
        RV_BOT_TOKEN: botToken,
        RV_POLL_MS: "300",
        FIXTURE_PID_FILE: path.join(tmp, "server.pid"),
      },
      stderr: "pipe",
      cwd: tmp,
    });
    transport.stderr?.on("data", (chunk: Buffer) => (launcherStderr += chunk.toString()));
    client = new Client({ name: "rv-test-client", version: "1.0.0" });
    const onmessage = () => transport.onmessage;
    await client.connect(transport);
    // Record every message the client receives, exactly as it arrives.
    const deliver = onmessage()!;
    transport.onmessage = (message) => {
      received.push(JSON.stringify(message));
      deliver(message);
    };

    const tools = await client.listTools();
    expect(tools.tools.map((t) => t.name).sort()).toEqual(["debug_config", "get_balance"]);

    const balance = await client.callTool({ name: "get_balance", arguments: { account: "4000-receivables" } });
    const fingerprint = createHash("sha256").update(KEY).digest("hex").slice(0, 16);
    expect(balance.content).toEqual([{ type: "text", text: `account 4000-receivables: balance 1234.56 EUR (key ${fingerprint})` }]);

    const leaked = await client.callTool({ name: "debug_config", arguments: {} });
    expect(leaked.content).toEqual([
      { type: "text", text: "api key: <secret:ACCOUNTING_API_KEY>" },
      { type: "text", text: JSON.stringify({ headers: { authorization: "Bearer <secret:ACCOUNTING_API_KEY>" } }) },
    ]);
    expect(leaked.structuredContent).toMatchObject({ apiKey: "<secret:ACCOUNTING_API_KEY>" });
    expect(String((leaked.structuredContent as { encoded: string }).encoded)).toContain("<secret:ACCOUNTING_API_KEY>");

    expect(received.length).toBeGreaterThanOrEqual(3);
    const everything = received.join("\n") + launcherStderr;
    expect(everything).not.toContain(KEY);
    expect(everything).not.toContain(Buffer.from(KEY).toString("base64").slice(4, 24));
    expect(launcherStderr).toContain("starting with key <secret:ACCOUNTING_API_KEY>");
  });

  it("the audit trail shows the leases with their justifications and the resolve", async () => {
    const { events } = await admin.audit.list({ botId, limit: 100 });
    const chronological = [...events].reverse();
    const granted = chronological.filter((e) => e.type === "lease.granted");
    expect(granted.map((e) => e.justification)).toEqual([
      "Accounting MCP server (accounting) for the finance agent [mcp mount accounting: launch]",
      "Accounting MCP server (accounting) for the finance agent [mcp mount accounting: tool call get_balance]",
      "Accounting MCP server (accounting) for the finance agent [mcp mount accounting: tool call debug_config]",
    ]);
    expect(granted.every((e) => (e.data as { mount: string }).mount === "accounting")).toBe(true);
    const resolved = chronological.filter((e) => e.type === "lease.resolved");
    expect(resolved).toHaveLength(1);
    expect(resolved[0]).toMatchObject({ leaseId: granted[0].leaseId, secretName: "ACCOUNTING_API_KEY", scope: "production" });
    // The resolve row says why and through what, like its lease.
    expect(resolved[0].justification).toBe(granted[0].justification);
    expect(resolved[0].data).toMatchObject({ mount: "accounting" });
    // Tool calls name their tool as a field too, not only inside the justification.
    expect(granted.map((e) => (e.data as { tool?: string }).tool ?? null)).toEqual([null, "get_balance", "debug_config"]);
    // Each tool call's lease replaced the previous one.
    expect(chronological.filter((e) => e.type === "lease.released").map((e) => e.leaseId)).toEqual([granted[0].leaseId, granted[1].leaseId]);
    expect(JSON.stringify(events)).not.toContain(KEY);
  });

  it("revoking the lease stops the MCP server", async () => {
    const pid = Number(readFileSync(path.join(tmp, "server.pid"), "utf8"));
    expect(isRunning(pid)).toBe(true);
    const closed = new Promise<void>((resolve) => (client.onclose = () => resolve()));
    const [lease] = await admin.leases.list({ botId, status: "active" });
    await admin.leases.revoke(lease.id, "suspected prompt injection");
    await waitFor(() => !isRunning(pid));
    await closed;
    expect(launcherStderr).toMatch(/lease lse_[0-9a-f]+ for ACCOUNTING_API_KEY was revoked; stopping MCP server accounting/);
    await expect(client.callTool({ name: "get_balance", arguments: { account: "x" } })).rejects.toThrow();
    expect(await admin.leases.list({ botId, status: "active" })).toEqual([]);
  });
});

describe("MCP mount passing the secret as an argument", () => {
  it("fills {{secret:NAME}} in the server's arguments, the tool works, and the value stays masked", async () => {
    const bot = await admin.bots.create({ name: "accounting-args-agent" });
    const mount = await admin.mounts.create({
      name: "accounting-args",
      botId: bot.id,
      command: process.execPath,
      args: [FIXTURE, "--api-key={{secret:ACCOUNTING_API_KEY}}"],
      // No environment variable: the argument is the only way the key reaches the server.
      mappings: [{ secret: "ACCOUNTING_API_KEY", scope: "production", env: null }],
      justificationTemplate: "Accounting MCP server ({{mount}}) with the key as an argument",
      ttlSeconds: 600,
    });
    const secretId = await admin.secrets.idOf("ACCOUNTING_API_KEY", { scope: "production" });
    await admin.grants.add({ botId: bot.id, secretId, mountId: mount.id });

    const argsTransport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "run", "accounting-args"],
      env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? tmp, RV_URL: server.url, RV_BOT_TOKEN: bot.token, RV_POLL_MS: "300" },
      stderr: "pipe",
      cwd: tmp,
    });
    let stderr = "";
    argsTransport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const argsClient = new Client({ name: "rv-test-client-args", version: "1.0.0" });
    const messages: string[] = [];
    try {
      await argsClient.connect(argsTransport);
      const deliver = argsTransport.onmessage!;
      argsTransport.onmessage = (message) => {
        messages.push(JSON.stringify(message));
        deliver(message);
      };

      const balance = await argsClient.callTool({ name: "get_balance", arguments: { account: "4000-receivables" } });
      const fingerprint = createHash("sha256").update(KEY).digest("hex").slice(0, 16);
      expect(balance.content).toEqual([{ type: "text", text: `account 4000-receivables: balance 1234.56 EUR (key ${fingerprint})` }]);
      const leaked = await argsClient.callTool({ name: "debug_config", arguments: {} });
      expect(leaked.content).toEqual([
        { type: "text", text: "api key: <secret:ACCOUNTING_API_KEY>" },
        { type: "text", text: JSON.stringify({ headers: { authorization: "Bearer <secret:ACCOUNTING_API_KEY>" } }) },
      ]);
    } finally {
      await argsClient.close().catch(() => {});
    }

    expect(stderr).toContain("starting with key <secret:ACCOUNTING_API_KEY> (from argument)");
    expect(stderr).toContain(`warning: ACCOUNTING_API_KEY is passed to ${process.execPath} as a command-line argument`);
    expect(messages.join("\n") + stderr).not.toContain(KEY);
    const { events } = await admin.audit.list({ botId: bot.id, limit: 50 });
    expect(events.filter((e) => e.type === "lease.resolved")).toHaveLength(1);
    expect(events.find((e) => e.type === "lease.granted")?.justification).toMatch(/with the key as an argument \[mcp mount accounting-args: /);
    // Closing the client ends the launcher, which releases what it held.
    await expect.poll(async () => admin.leases.list({ botId: bot.id, status: "active" }), { timeout: 15_000 }).toEqual([]);
  });
});

describe("mcp run stops the server and releases the leases when the client goes away", () => {
  // A server that does not exit when its stdin closes (the launcher has to stop it).
  const STUBBORN = `require("fs").writeFileSync(process.env.PID_FILE, String(process.pid)); process.stdin.resume(); setInterval(() => {}, 1000);`;
  let stubbornBot: { id: string; token: string };
  let runs = 0;

  beforeAll(async () => {
    stubbornBot = await admin.bots.create({ name: "stubborn-agent" });
    const mount = await admin.mounts.create({
      name: "stubborn",
      botId: stubbornBot.id,
      command: process.execPath,
      args: ["-e", STUBBORN],
      mappings: [{ secret: "ACCOUNTING_API_KEY", scope: "production", env: "ACCOUNTING_API_KEY" }],
      justificationTemplate: "Stubborn MCP server ({{mount}})",
      ttlSeconds: 600,
    });
    const secretId = await admin.secrets.idOf("ACCOUNTING_API_KEY", { scope: "production" });
    await admin.grants.add({ botId: stubbornBot.id, secretId, mountId: mount.id });
  });

  /** Starts `runtime-vault mcp run stubborn`, directly or under an intermediate shell; resolves once the server runs. */
  async function launch({ viaShell = false } = {}) {
    const pidFile = path.join(tmp, `stubborn-${++runs}.pid`);
    const vars: Record<string, string> = { PATH: process.env.PATH ?? "", HOME: tmp, RV_URL: server.url, RV_BOT_TOKEN: stubbornBot.token, RV_POLL_MS: "300", PID_FILE: pidFile };
    const env = vars as NodeJS.ProcessEnv;
    // Node closes a child's stdin pipe when the child exits: under the shell, the
    // launcher's stdin comes from another process, so the shell's death closes nothing.
    const stdinHolder = viaShell ? spawn("sleep", ["120"], { stdio: ["ignore", "pipe", "ignore"] }) : null;
    const proc: ChildProcess = viaShell
      ? spawn("sh", ["-c", '"$0" "$1" mcp run stubborn; exit $?', process.execPath, CLI], { cwd: tmp, env, stdio: [stdinHolder!.stdout!, "pipe", "pipe"] })
      : spawn(process.execPath, [CLI, "mcp", "run", "stubborn"], { cwd: tmp, env, stdio: ["pipe", "pipe", "pipe"] });
    let stderr = "";
    proc.stderr!.on("data", (c) => (stderr += c));
    const exit = new Promise<number | null>((resolve) => proc.on("exit", (code) => resolve(code)));
    await waitFor(() => existsSync(pidFile) && readFileSync(pidFile, "utf8") !== "");
    const serverPid = Number(readFileSync(pidFile, "utf8"));
    const launcherPid = parentOf(serverPid);
    expect(await admin.leases.list({ botId: stubbornBot.id, status: "active" })).toHaveLength(1);
    return { proc, exit, serverPid, launcherPid, stderr: () => stderr, stdinHolder };
  }

  async function expectAllGone(run: { serverPid: number; launcherPid: number }) {
    await waitFor(() => !isRunning(run.launcherPid) && !isRunning(run.serverPid), 10_000);
    await expect.poll(() => admin.leases.list({ botId: stubbornBot.id, status: "active" }), { timeout: 10_000 }).toEqual([]);
  }

  it("when the client closes its stdin (the MCP way to stop a server)", async () => {
    const run = await launch();
    expect(run.launcherPid).toBe(run.proc.pid);
    run.proc.stdin!.end();
    expect(await run.exit).toBe(0);
    await expectAllGone(run);
  });

  it("when its parent dies (an intermediate shell, killed)", async () => {
    const run = await launch({ viaShell: true });
    try {
      expect(run.launcherPid).not.toBe(run.proc.pid);
      run.proc.kill("SIGKILL"); // the launcher still has its stdin and stdout open
      await expectAllGone(run);
      expect(run.stderr()).toMatch(/parent process \d+ exited; stopping MCP server stubborn/);
    } finally {
      run.stdinHolder!.kill();
    }
  });

  it("when the client closes the launcher's stdout", async () => {
    const run = await launch();
    run.proc.stdout!.destroy();
    expect(await run.exit).toBe(0);
    await expectAllGone(run);
    expect(run.stderr()).toMatch(/stdout closed; stopping MCP server stubborn/);
  });
});

describe("mcp run with one mount: {{secret:NAME}} in tool-call arguments", () => {
  const PROBE = path.join(ROOT, "e2e", "fixtures", "probe-mcp-server.mjs");
  const TOKEN = `probe-${crypto.randomUUID()}`;

  it("is leased for the call and filled in; the echo comes back masked; a tool not listed is refused", async () => {
    const bot = await admin.bots.create({ name: "probe-agent" });
    const { secret } = await admin.secrets.set("PROBE_TOKEN", TOKEN, { scope: "production" });
    const mount = await admin.mounts.create({
      name: "probe-single",
      botId: bot.id,
      command: process.execPath,
      args: [PROBE],
      mappings: [{ secret: "PROBE_TOKEN", scope: "production", env: null, tools: ["send_message"] }],
      justificationTemplate: "Probe ({{mount}})",
      ttlSeconds: 600,
    });
    await admin.grants.add({ botId: bot.id, secretId: secret.id, mountId: mount.id });
    const receivedFile = path.join(tmp, "probe-single.jsonl");
    const probeTransport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "run", "probe-single"],
      env: { PATH: process.env.PATH ?? "", HOME: tmp, RV_URL: server.url, RV_BOT_TOKEN: bot.token, RV_POLL_MS: "300", PROBE_RECEIVED_FILE: receivedFile },
      stderr: "pipe",
      cwd: tmp,
    });
    let stderr = "";
    probeTransport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const probeClient = new Client({ name: "rv-test-client-probe", version: "1.0.0" });
    const messages: string[] = [];
    try {
      await probeClient.connect(probeTransport);
      const deliver = probeTransport.onmessage!;
      probeTransport.onmessage = (message) => {
        messages.push(JSON.stringify(message));
        deliver(message);
      };
      const sent = await probeClient.callTool({ name: "send_message", arguments: { to: "ops", auth: { header: "Bearer {{secret:PROBE_TOKEN}}" } } });
      expect(sent.content).toEqual([{ type: "text", text: `sent to ops (auth ${createHash("sha256").update(`Bearer ${TOKEN}`).digest("hex").slice(0, 16)})` }]);
      expect(JSON.parse(readFileSync(receivedFile, "utf8").trim())).toEqual({ tool: "send_message", args: { to: "ops", auth: { header: `Bearer ${TOKEN}` } } });
      await expect(probeClient.callTool({ name: "echo_args", arguments: { text: "{{secret:PROBE_TOKEN}}" } })).rejects.toThrow(/\{\{secret:PROBE_TOKEN\}\} for tool echo_args/);
      // The tool list is the server's own (no prefixes, no vault tools) in single-mount mode.
      expect((await probeClient.listTools()).tools.map((t) => t.name).sort()).toEqual(["echo_args", "send_message"]);
    } finally {
      await probeClient.close().catch(() => {});
    }
    expect(readFileSync(receivedFile, "utf8").trim().split("\n")).toHaveLength(1);
    expect(messages.join("\n") + stderr).not.toContain(TOKEN);
    const { events } = await admin.audit.list({ botId: bot.id, limit: 50 });
    expect(events.filter((e) => e.type === "lease.denied").map((e) => e.data)).toEqual([{ mount: "probe-single", tool: "echo_args" }]);
    expect(events.filter((e) => e.type === "lease.resolved")).toHaveLength(1);
  });
});
