// A remote MCP server through a mount: a real Streamable HTTP server (the MCP SDK's
// StreamableHTTPServerTransport on a real port) that refuses every request without the
// right bearer token. `runtime-vault mcp run crm` bridges a real MCP client's stdio to
// it with the header filled in from the lease, masks what comes back, and ends the
// session when the lease is revoked. In gateway mode its tools are prefixed like any other.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import http from "node:http";
import type { AddressInfo } from "node:net";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { createClient, type AdminClient } from "runtime-vault";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "client", "bin", "runtime-vault.js");
const CRM_TOKEN = `crm-${randomUUID()}`;

let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let bot: { id: string; token: string };
let tmp: string;
let remote: http.Server;
let remoteUrl: string;
const sessions = new Map<string, StreamableHTTPServerTransport>();
const closedSessions: string[] = [];
const refused: number[] = [];
const lookedUp: string[] = [];

/** The remote MCP server: one McpServer per session, everything behind the bearer check. */
function startRemote(): Promise<void> {
  remote = http.createServer(async (req, res) => {
    if (req.headers.authorization !== `Bearer ${CRM_TOKEN}`) {
      refused.push(Date.now());
      res.writeHead(401, { "content-type": "application/json", "www-authenticate": "Bearer" }).end(JSON.stringify({ error: "unauthorized" }));
      return;
    }
    const id = req.headers["mcp-session-id"];
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (!transport) {
      if (typeof id === "string") return void res.writeHead(404).end();
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => randomUUID(),
        onsessioninitialized: (sid) => void sessions.set(sid, transport!),
        onsessionclosed: (sid) => {
          closedSessions.push(sid);
          sessions.delete(sid);
        },
      });
      const mcp = new McpServer({ name: "crm", version: "1.0.0" });
      mcp.registerTool("lookup_customer", { description: "Finds a customer", inputSchema: { email: z.string() } }, async ({ email }) => {
        lookedUp.push(email);
        return { content: [{ type: "text", text: `customer ${email}: ACME Corp` }] };
      });
      mcp.registerTool("debug_auth", { description: "Carelessly prints the credentials it got" }, async (extra) => ({
        content: [{ type: "text" as const, text: `authorization: ${extra.requestInfo?.headers.authorization}` }],
      }));
      await mcp.connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  return new Promise((resolve) => remote.listen(0, "127.0.0.1", () => resolve()));
}

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  const org = await seedOrg(db.prisma);
  admin = createClient({ url: server.url, token: org.adminToken }).admin;
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-remote-"));
  await startRemote();
  remoteUrl = `http://127.0.0.1:${(remote.address() as AddressInfo).port}/mcp`;

  const { secret } = await admin.secrets.set("CRM_TOKEN", CRM_TOKEN, { scope: "production" });
  bot = await admin.bots.create({ name: "crm-agent" });
  const mount = await admin.mounts.create({
    name: "crm",
    botId: bot.id,
    url: remoteUrl,
    headers: { Authorization: "Bearer {{secret:CRM_TOKEN}}" },
    mappings: [{ secret: "CRM_TOKEN", scope: "production" }],
    justificationTemplate: "CRM MCP server ({{mount}}) for the support agent",
    ttlSeconds: 600,
  });
  await admin.grants.add({ botId: bot.id, secretId: secret.id, mountId: mount.id });
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
  remote?.closeAllConnections();
  await new Promise((r) => remote?.close(r));
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

async function connect(args: string[]) {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", "run", ...args],
    env: { PATH: process.env.PATH ?? "", HOME: tmp, RV_URL: server.url, RV_BOT_TOKEN: bot.token, RV_POLL_MS: "300" },
    stderr: "pipe",
    cwd: tmp,
  });
  const run = { transport, client: new Client({ name: "rv-remote-test", version: "1.0.0" }), stderr: "", received: [] as string[] };
  transport.stderr?.on("data", (chunk: Buffer) => (run.stderr += chunk.toString()));
  await run.client.connect(transport);
  const deliver = transport.onmessage!;
  transport.onmessage = (message) => {
    run.received.push(JSON.stringify(message));
    deliver(message);
  };
  return run;
}

describe("a remote (Streamable HTTP) MCP server through a mount", () => {
  it("refuses requests without the right bearer", async () => {
    const before = refused.length;
    const res = await fetch(remoteUrl, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json, text/event-stream" },
      body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "initialize", params: { protocolVersion: "2025-06-18", capabilities: {}, clientInfo: { name: "x", version: "1" } } }),
    });
    expect(res.status).toBe(401);
    expect(refused.length).toBe(before + 1);
  });

  it("through a mount whose token is not the right one, the server refuses and the client is told only the status", async () => {
    const stale = `stale-${randomUUID()}`;
    const { secret } = await admin.secrets.set("CRM_OLD_TOKEN", stale, { scope: "production" });
    const mount = await admin.mounts.create({
      name: "crm-stale",
      botId: bot.id,
      url: remoteUrl,
      headers: { Authorization: "Bearer {{secret:CRM_OLD_TOKEN}}" },
      mappings: [{ secret: "CRM_OLD_TOKEN", scope: "production" }],
      justificationTemplate: "CRM with an old token",
    });
    await admin.grants.add({ botId: bot.id, secretId: secret.id, mountId: mount.id });
    const before = refused.length;
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, "mcp", "run", "crm-stale"],
      env: { PATH: process.env.PATH ?? "", HOME: tmp, RV_URL: server.url, RV_BOT_TOKEN: bot.token, RV_POLL_MS: "300" },
      stderr: "pipe",
      cwd: tmp,
    });
    let stderr = "";
    transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const client = new Client({ name: "rv-remote-stale", version: "1.0.0" });
    await expect(client.connect(transport)).rejects.toThrow(/MCP server crm-stale: the remote MCP server answered HTTP 401/);
    await client.close().catch(() => {});
    expect(refused.length).toBeGreaterThan(before);
    expect(stderr).not.toContain(stale);
    await expect.poll(() => admin.leases.list({ botId: bot.id, status: "active" }), { timeout: 15_000 }).toEqual([]);
  });

  it("a mount with a url is validated: https, or http on loopback only", async () => {
    const base = { botId: bot.id, mappings: [{ secret: "CRM_TOKEN", scope: "production" }], justificationTemplate: "x", headers: { Authorization: "Bearer {{secret:CRM_TOKEN}}" } };
    await expect(admin.mounts.create({ ...base, name: "crm-plain", url: "http://crm.example.com/mcp" })).rejects.toMatchObject({ status: 400 });
    await expect(admin.mounts.create({ ...base, name: "crm-both", url: "https://crm.example.com/mcp", command: "node" })).rejects.toMatchObject({ status: 400 });
    await expect(admin.mounts.create({ ...base, name: "crm-reserved", url: "https://crm.example.com/mcp", headers: { "Mcp-Session-Id": "x" } })).rejects.toMatchObject({ status: 400 });
  });

  it("works through `mcp run crm`: the header comes from the lease, answers are masked, revoking ends the session", async () => {
    const run = await connect(["crm"]);
    const closed = new Promise<void>((resolve) => (run.client.onclose = () => resolve()));
    const { tools } = await run.client.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["debug_auth", "lookup_customer"]);
    const found = await run.client.callTool({ name: "lookup_customer", arguments: { email: "jane@example.com" } });
    expect(found.content).toEqual([{ type: "text", text: "customer jane@example.com: ACME Corp" }]);
    const leaked = await run.client.callTool({ name: "debug_auth", arguments: {} });
    expect(leaked.content).toEqual([{ type: "text", text: "authorization: Bearer <secret:CRM_TOKEN>" }]);
    expect(sessions.size).toBe(1);
    const [sessionId] = sessions.keys();

    const [lease] = await admin.leases.list({ botId: bot.id, status: "active" });
    await admin.leases.revoke(lease.id, "token exposure suspected");
    await closed;
    expect(closedSessions).toContain(sessionId);
    expect(run.stderr).toMatch(/lease lse_[0-9a-f]+ for CRM_TOKEN was revoked; stopping MCP server crm/);
    await expect(run.client.callTool({ name: "lookup_customer", arguments: { email: "x@example.com" } })).rejects.toThrow();
    expect(lookedUp).toEqual(["jane@example.com"]);
    expect(run.received.join("\n") + run.stderr).not.toContain(CRM_TOKEN);
    const { events } = await admin.audit.list({ botId: bot.id, limit: 50 });
    expect(events.find((e) => e.type === "lease.granted")?.justification).toMatch(/^CRM MCP server \(crm\) for the support agent \[mcp mount crm: /);
  });

  it("works in gateway mode too, its tools prefixed by the mount", async () => {
    const run = await connect(["--gateway", "crm"]);
    try {
      const { tools } = await run.client.listTools();
      expect(tools.map((t) => t.name).sort()).toEqual(["crm__debug_auth", "crm__lookup_customer", "vault_list", "vault_read"]);
      // With one mount, the vault tools see the grants limited to it.
      const listed = await run.client.callTool({ name: "vault_list", arguments: {} });
      expect((listed.content as Array<{ text: string }>)[0].text).toContain("CRM_TOKEN");
      const found = await run.client.callTool({ name: "crm__lookup_customer", arguments: { email: "joe@example.com" } });
      expect(found.content).toEqual([{ type: "text", text: "customer joe@example.com: ACME Corp" }]);
      expect(run.received.join("\n") + run.stderr).not.toContain(CRM_TOKEN);
    } finally {
      await run.client.close();
    }
    // Closing the client ends the session and hands the lease back.
    await expect.poll(() => sessions.size, { timeout: 10_000 }).toBe(0);
    await expect.poll(() => admin.leases.list({ botId: bot.id, status: "active" }), { timeout: 15_000 }).toEqual([]);
  });
});
