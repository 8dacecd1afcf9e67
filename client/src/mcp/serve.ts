// runtime-vault mcp serve — the vault itself as a stdio MCP server, exposing VAULT_TOOLS
// (vault_list, vault_read) as the bot. Hand-written JSON-RPC 2.0, one message per line
// (the MCP stdio transport), as the client package has no dependencies.
import { StringDecoder } from "node:string_decoder";
import type { Readable, Writable } from "node:stream";
import type { BotClient } from "../sdk/bot-client.ts";
import { VERSION } from "../version.ts";
import { callVaultTool, VAULT_TOOLS } from "./vault-tools.ts";

/** Newest first; an unknown requested version is answered with the newest (the client decides). */
const PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

const INSTRUCTIONS =
  "Runtime Vault: use vault_list to see which secrets you may use and vault_read to get a reference such as {{secret:NAME}}. " +
  "Put references in tool arguments instead of values: tool calls relayed by `runtime-vault mcp run` replace them with the values.";

type Id = string | number | null;
interface Request {
  jsonrpc?: unknown;
  id?: Id;
  method?: unknown;
  params?: unknown;
}

const TOOL_NAMES = new Set(VAULT_TOOLS.map((t) => t.name));

export interface ServeOptions {
  bot: BotClient;
  /** Mount the agent works through: grants limited to it are then usable. */
  mount?: string;
  input?: Readable;
  output?: Writable;
}

/** Answers one request (null for a notification, or a response already sent as an error). */
async function answer(message: Request, { bot, mount }: ServeOptions): Promise<object | null> {
  const isRequest = message.id !== undefined && message.id !== null;
  const reply = (result: object) => ({ jsonrpc: "2.0", id: message.id, result });
  const error = (code: number, text: string) => ({ jsonrpc: "2.0", id: message.id ?? null, error: { code, message: text } });
  if (message.jsonrpc !== "2.0" || typeof message.method !== "string") return error(-32600, "Invalid request");
  if (!isRequest) return null; // notifications/initialized, cancelled, …: nothing to answer
  const params = (message.params ?? {}) as Record<string, unknown>;
  switch (message.method) {
    case "initialize": {
      const asked = typeof params.protocolVersion === "string" ? params.protocolVersion : "";
      return reply({
        protocolVersion: PROTOCOL_VERSIONS.includes(asked) ? asked : PROTOCOL_VERSIONS[0],
        capabilities: { tools: { listChanged: false } },
        serverInfo: { name: "runtime-vault", version: VERSION },
        instructions: INSTRUCTIONS,
      });
    }
    case "ping":
      return reply({});
    case "tools/list":
      return reply({ tools: VAULT_TOOLS });
    case "tools/call": {
      const name = params.name;
      if (typeof name !== "string" || !TOOL_NAMES.has(name)) return error(-32602, "Unknown tool");
      return reply(await callVaultTool(bot, name, params.arguments ?? {}, { mount }));
    }
    default:
      return error(-32601, "Method not found");
  }
}

/** Serves until stdin ends and every answer is written. */
export async function serveVault(opts: ServeOptions): Promise<void> {
  const input = opts.input ?? process.stdin;
  const output = opts.output ?? process.stdout;
  const decoder = new StringDecoder("utf8");
  const pending = new Set<Promise<void>>();
  let partial = "";
  const send = (message: object) => {
    if (!output.writable) return;
    output.write(JSON.stringify(message) + "\n");
  };
  const handle = (line: string) => {
    if (!line.trim()) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      return send({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
    }
    const one = async (m: unknown) => {
      if (!m || typeof m !== "object" || Array.isArray(m)) return { jsonrpc: "2.0", id: null, error: { code: -32600, message: "Invalid request" } };
      try {
        return await answer(m as Request, opts);
      } catch (err) {
        // A network failure reaching the vault: the message only (it never carries values).
        return { jsonrpc: "2.0", id: (m as Request).id ?? null, error: { code: -32603, message: `Runtime Vault unreachable: ${(err as Error)?.message ?? "error"}` } };
      }
    };
    // Calls run concurrently; each answer goes out when it is ready (JSON-RPC matches ids).
    const task = (async () => {
      if (Array.isArray(message)) {
        const answers = (await Promise.all(message.map(one))).filter((a) => a !== null);
        if (answers.length) send(answers);
      } else {
        const a = await one(message);
        if (a) send(a);
      }
    })();
    pending.add(task);
    void task.finally(() => pending.delete(task));
  };
  await new Promise<void>((resolve) => {
    input.on("data", (chunk: Buffer | string) => {
      partial += typeof chunk === "string" ? chunk : decoder.write(chunk);
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const line of lines) handle(line);
    });
    const end = () => {
      if (partial) handle(partial);
      partial = "";
      resolve();
    };
    input.once("end", end);
    input.once("error", end);
  });
  while (pending.size) await Promise.all(pending);
}
