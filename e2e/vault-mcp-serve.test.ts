// The vault's own MCP server: a real MCP client (the SDK's Client over
// StdioClientTransport) drives `runtime-vault mcp serve` against the built app.
// vault_list gives names, never values; vault_read gives the reference by default and
// the value only once an admin marked the grant revealToAgent (here with the CLI's
// `grant set`). Also the bot API under it, over HTTP: auth, bad input, events.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { sealAudit, seedOrg, unique } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { createClient, type AdminClient } from "runtime-vault";
import { client as httpClient } from "./http";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "client", "bin", "runtime-vault.js");
const OPENAI = `sk-live-${crypto.randomUUID()}`;
const GITHUB = `ghp_${crypto.randomUUID().replaceAll("-", "")}`;
const justification = "Summarise the open pull requests for the standup";

let db: TestDatabase;
let server: TestServer;
let admin: AdminClient;
let orgId: string;
let adminToken: string;
let botId: string;
let botToken: string;
let githubGrantId: string;
let tmp: string;
let mcp: Client;
let stderr = "";
const received: string[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  const org = await seedOrg(db.prisma);
  [orgId, adminToken] = [org.orgId, org.adminToken];
  admin = createClient({ url: server.url, token: adminToken }).admin;
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-vault-mcp-"));
  const { secret: openai } = await admin.secrets.set("OPENAI_API_KEY", OPENAI);
  const { secret: github } = await admin.secrets.set("GITHUB_TOKEN", GITHUB, { scope: "ci" });
  await admin.secrets.set("NOT_GRANTED_KEY", `never-${unique()}`);
  const bot = await admin.bots.create({ name: unique("agent-") });
  [botId, botToken] = [bot.id, bot.token];
  await admin.grants.add({ botId, secretId: openai.id });
  githubGrantId = (await admin.grants.add({ botId, secretId: github.id })).id;

  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, "mcp", "serve"],
    env: { PATH: process.env.PATH ?? "", HOME: tmp, RV_URL: server.url, RV_BOT_TOKEN: botToken },
    stderr: "pipe",
    cwd: tmp,
  });
  transport.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  mcp = new Client({ name: "rv-vault-test", version: "1.0.0" });
  await mcp.connect(transport);
  const deliver = transport.onmessage!;
  transport.onmessage = (message) => {
    received.push(JSON.stringify(message));
    deliver(message);
  };
});
afterAll(async () => {
  await mcp?.close().catch(() => {});
  await server?.stop();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

const textOf = (result: Awaited<ReturnType<Client["callTool"]>>) => (result.content as Array<{ type: string; text: string }>).map((c) => c.text).join("\n");

async function cli(...args: string[]) {
  return promisify(execFile)(process.execPath, [CLI, ...args], { env: { PATH: process.env.PATH ?? "", HOME: tmp, RV_URL: server.url, RV_TOKEN: adminToken } as Record<string, string> as NodeJS.ProcessEnv });
}

describe("runtime-vault mcp serve", () => {
  it("offers vault_list and vault_read", async () => {
    expect(mcp.getServerVersion()).toMatchObject({ name: "runtime-vault" });
    const { tools } = await mcp.listTools();
    expect(tools.map((t) => t.name).sort()).toEqual(["vault_list", "vault_read"]);
    expect(tools.find((t) => t.name === "vault_read")!.inputSchema).toMatchObject({ type: "object", required: ["secret"] });
  });

  it("vault_list gives names, scopes and references, never values", async () => {
    const listed = await mcp.callTool({ name: "vault_list", arguments: {} });
    expect(listed.isError).toBeFalsy();
    const text = textOf(listed);
    expect(text).toContain("- GITHUB_TOKEN (scope ci): {{secret:GITHUB_TOKEN@ci}}");
    expect(text).toContain("- OPENAI_API_KEY (scope default): {{secret:OPENAI_API_KEY}}");
    expect(text).not.toContain("NOT_GRANTED_KEY");
    expect(text).not.toContain(OPENAI);
    expect(text).not.toContain(GITHUB);
  });

  it("vault_read returns the reference and how to use it, not the value", async () => {
    const result = await mcp.callTool({ name: "vault_read", arguments: { secret: "OPENAI_API_KEY", justification } });
    expect(result.isError).toBeFalsy();
    const text = textOf(result);
    expect(text).toContain("Reference: {{secret:OPENAI_API_KEY}}");
    expect(text).toContain("runtime-vault mcp run");
    expect(text).not.toContain(OPENAI);
    const scoped = textOf(await mcp.callTool({ name: "vault_read", arguments: { secret: "GITHUB_TOKEN", scope: "ci", justification } }));
    expect(scoped).toContain("Reference: {{secret:GITHUB_TOKEN@ci}}");
    expect(scoped).not.toContain(GITHUB);
  });

  it("refuses an ungranted and an unknown secret alike, and a missing justification by policy", async () => {
    const ungranted = await mcp.callTool({ name: "vault_read", arguments: { secret: "NOT_GRANTED_KEY", justification } });
    const unknown = await mcp.callTool({ name: "vault_read", arguments: { secret: "NO_SUCH_KEY", justification } });
    expect(ungranted.isError).toBe(true);
    expect(textOf(ungranted)).toContain("permission_denied");
    expect(textOf(unknown)).toEqual(textOf(ungranted));
    const malformed = await mcp.callTool({ name: "vault_read", arguments: { secret: "openai key", justification } });
    expect(malformed.isError).toBe(true);
    expect(textOf(malformed)).toBe("The vault refused: validation_failed: Request is invalid (secret: Use UPPER_SNAKE_CASE, starting with a letter (max 128))");
    const missing = await mcp.callTool({ name: "vault_read", arguments: {} });
    expect([missing.isError, textOf(missing)]).toEqual([true, 'vault_read needs {"secret": "NAME"}']);
    const unjustified = await mcp.callTool({ name: "vault_read", arguments: { secret: "OPENAI_API_KEY" } });
    expect(unjustified.isError).toBe(true);
    expect(textOf(unjustified)).toContain("policy_denied");
  });

  it("returns the value only after an admin marks the grant revealToAgent", async () => {
    const set = await cli("grant", "set", githubGrantId, "--reveal-to-agent");
    expect(set.stderr).toContain("warning: vault_read now hands this secret's plaintext to the agent");
    const revealed = await mcp.callTool({ name: "vault_read", arguments: { secret: "GITHUB_TOKEN", scope: "ci", justification } });
    expect(revealed.isError).toBeFalsy();
    expect(textOf(revealed)).toContain(`Value of GITHUB_TOKEN (scope ci): ${GITHUB}`);
    // The other grant still answers with a reference only.
    expect(textOf(await mcp.callTool({ name: "vault_read", arguments: { secret: "OPENAI_API_KEY", justification } }))).not.toContain(OPENAI);
    const listed = textOf(await mcp.callTool({ name: "vault_list", arguments: {} }));
    expect(listed).toContain("{{secret:GITHUB_TOKEN@ci}} [vault_read returns its value]");
    expect(listed).not.toContain(GITHUB);

    await cli("grant", "set", githubGrantId, "--no-reveal-to-agent");
    expect(textOf(await mcp.callTool({ name: "vault_read", arguments: { secret: "GITHUB_TOKEN", scope: "ci", justification } }))).not.toContain(GITHUB);
    // Only the revealing answer ever carried a value; nothing else did.
    expect(received.filter((m) => m.includes(GITHUB))).toHaveLength(1);
    expect(received.join("\n") + stderr).not.toContain(OPENAI);
  });

  it("answers unknown tools and methods with JSON-RPC errors", async () => {
    await expect(mcp.callTool({ name: "vault_write", arguments: {} })).rejects.toThrow(/Unknown tool/);
    await expect(mcp.listResources()).rejects.toThrow(/Method not found/);
  });

  it("recorded vault.read events (revealed only once), denials as vault.denied, no value anywhere", async () => {
    await sealAudit(db.prisma, orgId);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId, botId }, orderBy: { seq: "asc" } });
    const reads = events.filter((e) => e.type === "vault.read");
    expect(reads.map((e) => [e.secretName, (e.data as { revealed: boolean }).revealed])).toEqual([
      ["OPENAI_API_KEY", false],
      ["GITHUB_TOKEN", false],
      ["GITHUB_TOKEN", true],
      ["OPENAI_API_KEY", false],
      ["GITHUB_TOKEN", false],
    ]);
    // ungranted, unknown, malformed, unjustified
    expect(events.filter((e) => e.type === "lease.denied")).toHaveLength(4);
    expect(events.filter((e) => e.type === "lease.resolved")).toHaveLength(1);
    const all = JSON.stringify(events, (_k, v) => (typeof v === "bigint" ? String(v) : v));
    expect(all).not.toContain(GITHUB);
    expect(all).not.toContain(OPENAI);
  });
});

describe("the bot's vault API over HTTP", () => {
  it("needs a bot token, refuses bad input with zod issues, and lists nothing of other orgs", async () => {
    const call = httpClient(server.url);
    expect((await call("GET", "/api/vault/secrets")).status).toBe(401);
    expect((await call("POST", "/api/vault/read", { body: { secret: "OPENAI_API_KEY" } })).status).toBe(401);
    expect((await call("GET", "/api/vault/secrets", { token: adminToken })).status).toBe(401);
    const bad = await call("POST", "/api/vault/read", { token: botToken, body: { secret: "lower-case", extra: 1 } });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe("validation_failed");
    expect(bad.body.error.issues.map((i: { path: string[] }) => i.path.join("."))).toEqual(expect.arrayContaining(["secret"]));
    expect((await call("GET", "/api/vault/read", { token: botToken })).status).toBe(405);

    // Another org's bot sees its own grants only.
    const other = await seedOrg(db.prisma);
    const otherAdmin = createClient({ url: server.url, token: other.adminToken }).admin;
    const otherBot = await otherAdmin.bots.create({ name: unique("other-") });
    const listed = await call("GET", "/api/vault/secrets", { token: otherBot.token });
    expect(listed.status).toBe(200);
    expect(listed.body).toEqual({ environment: "default", secrets: [] });
    const read = await call("POST", "/api/vault/read", { token: otherBot.token, body: { secret: "OPENAI_API_KEY", justification } });
    expect(read.status).toBe(403);
    expect(read.text).not.toContain(OPENAI);
  });
});
