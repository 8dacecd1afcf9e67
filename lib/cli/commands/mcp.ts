// runtime-vault mcp run <mount> — launches a mounted MCP server over stdio: fetches
// the mount, leases and resolves its secrets as the bot, starts the server with them,
// and relays JSON-RPC message by message, masking the values in everything the
// server says. Each tool call takes a fresh lease whose justification names the
// mount and the tool, so the audit trail ties every access to the work.
import { StringDecoder } from "node:string_decoder";
import { parse, parseDuration } from "../args";
import { context } from "../context";
import { EXIT, UsageError } from "../errors";
import { info } from "../output";
import { maskPatterns, StreamMasker } from "../mask";
import { JsonRpcLineMasker } from "../json-rpc-mask";
import { LeaseKeeper } from "../lease-keeper";
import { childEnv, exitLike, forwardSignals, pipeMasked, spawnChild, stopChild, waitForExit } from "../child";
import { substituteArgs } from "../secret-args";
import { mcpClientConfig } from "../../mounts/mcp-client-config";
import type { BotMount } from "../../sdk/types";

const MAX_JUSTIFICATION = 2000;

/** The mount's template with {{mount}} and {{tool}} filled in, tagged with what triggered the lease. */
export function mountJustification(mount: Pick<BotMount, "name" | "justificationTemplate">, event: { tool?: string; renewal?: boolean } = {}): string {
  const tool = event.tool?.replace(/[^\x20-\x7e]/g, "?").slice(0, 128);
  const base = mount.justificationTemplate.replaceAll("{{mount}}", mount.name).replaceAll("{{tool}}", tool ?? "launch");
  const what = tool ? `tool call ${tool}` : event.renewal ? "renewal" : "launch";
  return `${base} [mcp mount ${mount.name}: ${what}]`.slice(0, MAX_JUSTIFICATION);
}

/** Tool names of the `tools/call` requests in one client message (a batch may hold several). */
export function toolCalls(message: unknown): Array<{ id: unknown; tool: string }> {
  const items = Array.isArray(message) ? message : [message];
  return items.flatMap((m) => {
    const req = m as { method?: unknown; id?: unknown; params?: { name?: unknown } };
    return req && req.method === "tools/call" && typeof req.params?.name === "string" ? [{ id: req.id, tool: req.params.name }] : [];
  });
}

export async function mcpCommand([sub, ...argv]: string[]): Promise<number> {
  if (sub === "config") {
    const { values, positionals } = parse(argv, { npx: { type: "boolean" } }, { min: 1, max: 1 });
    const ctx = context(values);
    const http = ctx.bot().http;
    process.stdout.write(mcpClientConfig({ mount: { name: positionals[0] }, vaultUrl: http.baseUrl, launcher: values.npx ? "npx" : "runtime-vault" }).json + "\n");
    return 0;
  }
  if (sub !== "run") throw new UsageError(sub ? `Unknown command: mcp ${sub}` : "mcp needs a subcommand: run, config");
  const { values, positionals } = parse(argv, { grace: { type: "string" } }, { min: 1, max: 1 });
  const ctx = context(values);
  const bot = ctx.bot();
  const mount = await bot.mounts.get(positionals[0]);

  let stopReason: string | null = null;
  let onEnded = (_reason: string) => {};
  const keeper = new LeaseKeeper(bot, {
    ttlSeconds: mount.ttlSeconds ?? undefined,
    mount: mount.name,
    pollMs: Number(process.env.RV_POLL_MS) || undefined,
    onEnded: (reason) => onEnded(reason),
    renewalJustification: () => mountJustification(mount, { renewal: true }),
  });
  const held = await keeper.acquire(mount.mappings, mountJustification(mount));
  const env: Record<string, string> = {};
  mount.mappings.forEach((m, i) => {
    if (m.env) env[m.env] = held[i].value;
  });
  const args = substituteArgs(mount.args, new Map(held.map((h) => [h.secret, h.value])), mount.command);
  const patterns = maskPatterns(held.map((h) => ({ name: h.secret, value: h.value })));

  let child;
  try {
    child = await spawnChild(mount.command, args, { stdio: ["pipe", "pipe", "pipe"], env: childEnv(env), detached: true });
  } catch (err) {
    await keeper.releaseAll();
    info(`cannot start ${mount.command}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 127;
  }
  const unforward = forwardSignals(child, true);
  const outputs = Promise.all([
    pipeMasked(child.stdout!, new JsonRpcLineMasker(patterns), process.stdout),
    pipeMasked(child.stderr!, new StreamMasker(patterns), process.stderr),
  ]);
  const graceMs = values.grace ? parseDuration(values.grace) * 1000 : 5_000;
  onEnded = (reason) => {
    stopReason = reason;
    info(`${reason}; stopping MCP server ${mount.name}`);
    void stopChild(child, { graceMs, group: true });
  };
  keeper.start();

  relayClientMessages(child.stdin!, keeper, mount);
  const exit = await waitForExit(child);
  await outputs;
  unforward();
  await keeper.releaseAll();
  if (stopReason) return EXIT.leaseEnded;
  return exitLike(exit);
}

/** Client → server, line by line and in order; a tool call first renews the leases for that call. */
function relayClientMessages(serverIn: NodeJS.WritableStream, keeper: LeaseKeeper, mount: BotMount) {
  serverIn.on("error", () => {}); // the server may exit first
  let queue = Promise.resolve();
  let partial = "";
  const decoder = new StringDecoder("utf8");
  const handle = async (line: string) => {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      message = null;
    }
    for (const call of toolCalls(message)) {
      const outcome = await keeper.renew(mountJustification(mount, { tool: call.tool }));
      if (outcome === "refused") {
        const error = { code: -32001, message: "Runtime Vault refused access to this server's credentials; the server is being stopped" };
        process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: call.id ?? null, error }) + "\n");
        return;
      }
    }
    serverIn.write(line + "\n");
  };
  process.stdin.on("data", (chunk: Buffer) => {
    partial += decoder.write(chunk);
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) queue = queue.then(() => handle(line));
  });
  process.stdin.on("end", () => {
    queue = queue.then(async () => {
      if (partial) await handle(partial);
      serverIn.end();
    });
  });
}
