// The gateway round trip: a real MCP client (the SDK's Client over StdioClientTransport)
// runs `runtime-vault mcp run accounting probe`, one stdio server in front of two
// mounted servers. A tool call with `{{secret:NAME}}` in its arguments reaches the
// server with the value (the fixture writes what it received to a file; the client
// only ever sees a fingerprint or the masked form), a reference the bot may not use
// (ungranted, unknown, or not for that tool) answers a JSON-RPC error and is recorded
// as a denial, and revoking one mount's lease stops that server alone.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createHash } from "node:crypto";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { ToolListChangedNotificationSchema } from "@modelcontextprotocol/sdk/types.js";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedMember, seedOrg } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { createClient, type AdminClient } from "runtime-vault";
import { isRunning } from "../test/process-tree";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "client", "bin", "runtime-vault.js");
const ACCOUNTING = path.join(ROOT, "e2e", "fixtures", "accounting-mcp-server.mjs");
const PROBE = path.join(ROOT, "e2e", "fixtures", "probe-mcp-server.mjs");
const KEY = `acct-live-${crypto.randomUUID()}`;
const TOKEN = `probe-tok-${crypto.randomUUID()}`;
const OTHER = `other-${crypto.randomUUID()}`;
const GATED = `gated-${crypto.randomUUID()}`;
const fingerprint = (text: string) => createHash("sha256").update(text).digest("hex").slice(0, 16);

let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let botId: string;
let botToken: string;
let approverToken: string;
let tmp: string;
let client: Client;
let transport: StdioClientTransport;
let stderr = "";
const sent: string[] = [];
const received: string[] = [];
let listChanged = 0;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  const org = await seedOrg(db.prisma);
  admin = createClient({ url: server.url, token: org.adminToken }).admin;
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-gw-"));

  const key = (await admin.secrets.set("ACCOUNTING_API_KEY", KEY, { scope: "production" })).secret;
  const token = (await admin.secrets.set("PROBE_TOKEN", TOKEN, { scope: "production" })).secret;
  // Exists, but this bot has no grant for it.
  await admin.secrets.set("OTHER_TEAM_KEY", OTHER, { scope: "production" });
  const bot = await admin.bots.create({ name: "gateway-agent" });
  [botId, botToken] = [bot.id, bot.token];
  const accounting = await admin.mounts.create({
    name: "accounting",
    botId,
    command: process.execPath,
    args: [ACCOUNTING],
    mappings: [{ secret: "ACCOUNTING_API_KEY", scope: "production", env: "ACCOUNTING_API_KEY" }],
    justificationTemplate: "Accounting MCP server ({{mount}}) for the finance agent",
    ttlSeconds: 600,
  });
  // A mapping with no env and no argument: it only says which tools may receive the token.
  await admin.mounts.create({
    name: "probe",
    botId,
    command: process.execPath,
    args: [PROBE],
    mappings: [{ secret: "PROBE_TOKEN", scope: "production", env: null, tools: ["send_message"] }],
    justificationTemplate: "Messaging MCP server ({{mount}}) for the finance agent",
    ttlSeconds: 600,
  });
  await admin.grants.add({ botId, secretId: key.id, mountId: accounting.id });
  await admin.grants.add({ botId, secretId: token.id });
  // Under an approval rule: a call using it waits for a human.
  const gated = (await admin.secrets.set("GATED_KEY", GATED, { scope: "production", tags: ["gated"] })).secret;
  await admin.grants.add({ botId, secretId: gated.id });
  await admin.policy.update({ approvalTags: ["gated"] });
  // The mounts' author may not approve what runs through them: another admin does.
  approverToken = (await seedMember(db.prisma, org.orgId, "admin")).token;
});
afterAll(async () => {
  await client?.close().catch(() => {});
  await server?.stop();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function waitFor(cond: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

const receivedFile = () => path.join(tmp, "probe-received.jsonl");
const probeCalls = (): Array<{ tool: string; args: Record<string, unknown> }> =>
  existsSync(receivedFile()) ? readFileSync(receivedFile(), "utf8").trim().split("\n").filter(Boolean).map((l) => JSON.parse(l)) : [];

/** A JSON-RPC error comes back from callTool as a rejected promise (McpError). */
async function callError(name: string, args: Record<string, unknown>) {
  try {
    await client.callTool({ name, arguments: args });
  } catch (err) {
    return err as Error & { code: number };
  }
  throw new Error(`${name} did not fail`);
}

describe("mcp run in gateway mode", () => {
  it("serves both mounts' tools, prefixed by mount", async () => {
    transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "run", "accounting", "probe"],
      env: {
        PATH: process.env.PATH ?? "",
        HOME: tmp,
        RV_URL: server.url,
        RV_BOT_TOKEN: botToken,
        RV_POLL_MS: "300",
        FIXTURE_PID_FILE: path.join(tmp, "accounting.pid"),
        PROBE_PID_FILE: path.join(tmp, "probe.pid"),
        PROBE_RECEIVED_FILE: receivedFile(),
      },
      stderr: "pipe",
      cwd: tmp,
    });
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    client = new Client({ name: "rv-gateway-test", version: "1.0.0" });
    const send = transport.send.bind(transport);
    transport.send = (message) => {
      sent.push(JSON.stringify(message));
      return send(message);
    };
    await client.connect(transport);
    const deliver = transport.onmessage!;
    transport.onmessage = (message) => {
      received.push(JSON.stringify(message));
      deliver(message);
    };
    client.setNotificationHandler(ToolListChangedNotificationSchema, async () => void listChanged++);

    expect(client.getServerCapabilities()?.tools).toMatchObject({ listChanged: true });
    const { tools } = await client.listTools();
    // The vault's own tools come unprefixed.
    expect(tools.map((t) => t.name).sort()).toEqual(["accounting__debug_config", "accounting__get_balance", "probe__echo_args", "probe__send_message", "vault_list", "vault_read"]);
    const balance = await client.callTool({ name: "accounting__get_balance", arguments: { account: "4000-receivables" } });
    expect(balance.content).toEqual([{ type: "text", text: `account 4000-receivables: balance 1234.56 EUR (key ${fingerprint(KEY)})` }]);
  });

  it("fills {{secret:NAME}} in a tool call's arguments: the server gets the value, the client never sees it", async () => {
    const result = await client.callTool({ name: "probe__send_message", arguments: { to: "ops", auth: { header: "Bearer {{secret:PROBE_TOKEN}}" } } });
    expect(result.content).toEqual([{ type: "text", text: `sent to ops (auth ${fingerprint(`Bearer ${TOKEN}`)})` }]);
    expect(probeCalls()).toEqual([{ tool: "send_message", args: { to: "ops", auth: { header: `Bearer ${TOKEN}` } } }]);

    // In another mount's tool too (no mapping there limits it); what comes back is masked.
    const echoed = await client.callTool({ name: "accounting__get_balance", arguments: { account: "x-{{secret:PROBE_TOKEN@production}}" } });
    expect(echoed.content).toEqual([{ type: "text", text: `account x-<secret:PROBE_TOKEN>: balance 1234.56 EUR (key ${fingerprint(KEY)})` }]);
  });

  it("a reference from vault_read works in a mounted server's tool call", async () => {
    const read = await client.callTool({ name: "vault_read", arguments: { secret: "PROBE_TOKEN", scope: "production", justification: "Send the ops report" } });
    const text = (read.content as Array<{ text: string }>)[0].text;
    const reference = /\{\{secret:PROBE_TOKEN(@production)?\}\}/.exec(text)?.[0];
    expect(reference).toBeDefined();
    expect(text).not.toContain(TOKEN);
    const result = await client.callTool({ name: "probe__send_message", arguments: { to: "ops-report", auth: { header: reference! } } });
    expect(result.content).toEqual([{ type: "text", text: `sent to ops-report (auth ${fingerprint(TOKEN)})` }]);
    expect(probeCalls().at(-1)).toEqual({ tool: "send_message", args: { to: "ops-report", auth: { header: TOKEN } } });
  });

  it("refuses a reference the tool may not receive, an ungranted and an unknown one, without calling the server", async () => {
    const before = probeCalls().length;
    const notForTool = await callError("probe__echo_args", { text: "{{secret:PROBE_TOKEN}}" });
    expect(notForTool.code).toBe(-32003);
    expect(notForTool.message).toContain("{{secret:PROBE_TOKEN}}");
    expect(notForTool.message).toContain("echo_args");
    const ungranted = await callError("probe__send_message", { to: "ops", auth: { header: "Bearer {{secret:OTHER_TEAM_KEY}}" } });
    expect(ungranted.message).toContain("{{secret:OTHER_TEAM_KEY}}");
    const unknown = await callError("probe__send_message", { to: "ops", auth: { header: "{{secret:NO_SUCH_SECRET}}" } });
    expect(unknown.message).toContain("{{secret:NO_SUCH_SECRET}}");
    // Ungranted and unknown read the same: the error does not tell whether a secret exists.
    expect(unknown.message.replace("NO_SUCH_SECRET", "X")).toBe(ungranted.message.replace("OTHER_TEAM_KEY", "X"));
    expect(probeCalls()).toHaveLength(before);

    const { events } = await admin.audit.list({ botId, limit: 200 });
    const denied = events.filter((e) => e.type === "lease.denied");
    expect(denied.map((e) => e.secretName).sort()).toEqual(["NO_SUCH_SECRET", "OTHER_TEAM_KEY", "PROBE_TOKEN"]);
    expect(denied.find((e) => e.secretName === "PROBE_TOKEN")).toMatchObject({ outcome: "denied", data: { mount: "probe", tool: "echo_args" } });
    expect(denied.every((e) => /\[mcp mount probe: \{\{secret:[A-Z_]+\}\} in tool call (echo_args|send_message)\]/.test(e.justification ?? ""))).toBe(true);
  });

  it("leases each reference once for its call, through the call's mount", async () => {
    const { events } = await admin.audit.list({ botId, limit: 200 });
    const granted = events.filter((e) => e.type === "lease.granted" && e.secretName === "PROBE_TOKEN");
    expect(granted).toHaveLength(3);
    expect(granted.map((e) => (e.data as { mount: string; tool: string }).mount).sort()).toEqual(["accounting", "probe", "probe"]);
    for (const e of granted) {
      expect(e.data).toMatchObject({ singleUse: true });
      expect(events.filter((r) => r.type === "lease.resolved" && r.leaseId === e.leaseId)).toHaveLength(1);
    }
    expect(granted.findLast((e) => (e.data as { mount: string }).mount === "probe")?.justification).toBe(
      "Messaging MCP server (probe) for the finance agent [mcp mount probe: {{secret:PROBE_TOKEN}} in tool call send_message]",
    );
    expect(JSON.stringify(events)).not.toContain(TOKEN);
  });

  it("a reference under an approval rule makes its call wait for approval, while other calls go on", async () => {
    const waiting = client.callTool({ name: "probe__send_message", arguments: { to: "payroll", auth: { header: "{{secret:GATED_KEY@production}}" } } });
    let pending: Array<{ id: string; secretName: string }> = [];
    await expect.poll(async () => (pending = (await admin.leases.list({ botId, status: "pending" })) as typeof pending).length, { timeout: 15_000 }).toBe(1);
    expect(pending[0].secretName).toBe("GATED_KEY");
    // Not held up behind the waiting call.
    const other = await client.callTool({ name: "probe__echo_args", arguments: { text: "meanwhile" } });
    expect(other.content).toEqual([{ type: "text", text: "you said: meanwhile" }]);
    expect(probeCalls().some((c) => c.args.to === "payroll")).toBe(false);
    const approved = await fetch(`${server.url}/api/v1/approvals/${pending[0].id}/approve`, {
      method: "POST",
      headers: { authorization: `Bearer ${approverToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(approved.status).toBe(200);
    const result = await waiting;
    expect(result.content).toEqual([{ type: "text", text: `sent to payroll (auth ${fingerprint(GATED)})` }]);
    expect(probeCalls().find((c) => c.args.to === "payroll")).toEqual({ tool: "send_message", args: { to: "payroll", auth: { header: GATED } } });
    expect(stderr).toContain("{{secret:GATED_KEY@production}} for tool send_message needs approval");
  });

  it("a call the client cancels while it waits for approval never reaches the server", async () => {
    const controller = new AbortController();
    const cancelled = client.callTool({ name: "probe__send_message", arguments: { to: "cancelled", auth: { header: "{{secret:GATED_KEY@production}}" } } }, undefined, { signal: controller.signal });
    let pending: Array<{ id: string }> = [];
    await expect.poll(async () => (pending = await admin.leases.list({ botId, status: "pending" })).length, { timeout: 15_000 }).toBe(1);
    controller.abort("the user gave up");
    await expect(cancelled).rejects.toThrow();
    const approved = await fetch(`${server.url}/api/v1/approvals/${pending[0].id}/approve`, {
      method: "POST",
      headers: { authorization: `Bearer ${approverToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(approved.status).toBe(200);
    // The launcher still collects the approved lease (it was waiting), then drops the call.
    await expect.poll(async () => (await admin.leases.list({ botId, status: "used" })).some((l) => l.id === pending[0].id), { timeout: 15_000 }).toBe(true);
    const after = await client.callTool({ name: "probe__echo_args", arguments: { text: "after" } });
    expect(after.content).toEqual([{ type: "text", text: "you said: after" }]);
    expect(probeCalls().some((c) => c.args.to === "cancelled")).toBe(false);
  });

  it("revoking the lease one mount runs on stops that server and not the other", async () => {
    const accountingPid = Number(readFileSync(path.join(tmp, "accounting.pid"), "utf8"));
    const probePid = Number(readFileSync(path.join(tmp, "probe.pid"), "utf8"));
    const leases = await admin.leases.list({ botId, status: "active" });
    // Only the accounting server holds a lease: the probe's token is leased per call.
    expect(leases.map((l) => l.secretName)).toEqual(["ACCOUNTING_API_KEY"]);
    await admin.leases.revoke(leases[0].id, "suspected prompt injection");
    await waitFor(() => !isRunning(accountingPid));
    await waitFor(() => listChanged > 0);
    expect(stderr).toMatch(/lease lse_[0-9a-f]+ for ACCOUNTING_API_KEY was revoked; stopping MCP server accounting/);

    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["probe__echo_args", "probe__send_message", "vault_list", "vault_read"]);
    const stopped = await callError("accounting__get_balance", { account: "x" });
    expect(stopped.message).toContain("accounting");
    expect(isRunning(probePid)).toBe(true);
    const still = await client.callTool({ name: "probe__send_message", arguments: { to: "ops", auth: { header: "{{secret:PROBE_TOKEN}}" } } });
    expect(still.content).toEqual([{ type: "text", text: `sent to ops (auth ${fingerprint(TOKEN)})` }]);
  });

  it("no message the client sent or received holds a value, and closing the client ends everything", async () => {
    const everything = [...sent, ...received].join("\n") + stderr;
    expect(sent.some((m) => m.includes("{{secret:PROBE_TOKEN}}"))).toBe(true);
    for (const value of [KEY, TOKEN, OTHER, GATED]) expect(everything).not.toContain(value);
    const probePid = Number(readFileSync(path.join(tmp, "probe.pid"), "utf8"));
    await client.close();
    await waitFor(() => !isRunning(probePid));
    await expect.poll(() => admin.leases.list({ botId, status: "active" }), { timeout: 15_000 }).toEqual([]);
  });
});
