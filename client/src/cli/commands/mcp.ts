// runtime-vault mcp run <mount> — launches a mounted MCP server over stdio: fetches
// the mount, leases and resolves its secrets as the bot, starts the server with them,
// and relays JSON-RPC message by message, masking the values in everything the
// server says. Each tool call takes a fresh lease whose justification names the
// mount and the tool, so the audit trail ties every access to the work, and
// `{{secret:NAME}}` in its arguments is leased for that call and filled in.
// Several mounts (or --gateway), or a remote (url) mount, go through the gateway
// (client/src/mcp/gateway.ts).
import type { ChildProcess } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import type { Writable } from "node:stream";
import { parse, parseDuration } from "../args.ts";
import { context } from "../context.ts";
import { EXIT, UsageError } from "../errors.ts";
import { info } from "../output.ts";
import { StreamMasker } from "../../exec/mask.ts";
import { JsonRpcLineMasker } from "../../exec/json-rpc-mask.ts";
import { LeaseKeeper } from "../../exec/lease-keeper.ts";
import { childEnv, pipeMasked, spawnChild, stopChild, waitForExit } from "../../exec/child.ts";
import { exitLike, forwardSignals } from "../mirror-child.ts";
import { addMaskPatterns, type MaskPattern } from "../../exec/mask.ts";
import type { BotClient } from "../../sdk/bot-client.ts";
import { cleanToolName, mountJustification } from "../../mcp/justification.ts";
import { ReferenceRefused, refusalError, resolveToolCallReferences } from "../../mcp/tool-call-references.ts";
import { launchMappings, runGateway } from "../../mcp/gateway.ts";
import { findReferences } from "../../exec/secret-references.ts";
import { callVaultTool, VAULT_TOOLS } from "../../mcp/vault-tools.ts";
import { substituteArgs } from "../../exec/secret-args.ts";
import { exposedTokensWarning } from "../scrub-environ.ts";
import { watchLifeline } from "../lifeline.ts";
import { mcpClientConfig } from "../../sdk/mcp-client-config.ts";
import { configLauncher } from "../launcher.ts";
import type { BotMount } from "../../sdk/types.ts";

/** After the client closes stdin, how long the server may take to exit by itself before SIGTERM. */
const STDIN_CLOSED_WAIT_MS = 1_000;

export { mountJustification };

/** Tool names of the `tools/call` requests in one client message (a batch may hold several). */
export function toolCalls(message: unknown): Array<{ id: unknown; tool: string; arguments?: unknown }> {
  const items = Array.isArray(message) ? message : [message];
  return items.flatMap((m) => {
    const req = m as { method?: unknown; id?: unknown; params?: { name?: unknown; arguments?: unknown } };
    return req && req.method === "tools/call" && typeof req.params?.name === "string" ? [{ id: req.id, tool: req.params.name, arguments: req.params.arguments }] : [];
  });
}

export async function mcpCommand([sub, ...argv]: string[]): Promise<number> {
  if (sub === "config") {
    const { values, positionals } = parse(argv, { npx: { type: "boolean" }, package: { type: "string" }, gateway: { type: "boolean" } }, { min: 1, max: 32 });
    const ctx = context(values);
    const http = ctx.bot().http;
    const [first, ...more] = positionals;
    process.stdout.write(mcpClientConfig({ mount: { name: first }, mounts: more, gateway: values.gateway, vaultUrl: http.baseUrl, launcher: configLauncher({ npx: values.npx, pkg: values.package }) }).json + "\n");
    return 0;
  }
  if (sub === "serve") {
    const { values } = parse(argv, { mount: { type: "string" } }, { max: 0 });
    await (await import("../../mcp/serve.ts")).serveVault({ bot: context(values).bot(), mount: values.mount });
    return 0;
  }
  if (sub !== "run") throw new UsageError(sub ? `Unknown command: mcp ${sub}` : "mcp needs a subcommand: run, serve, config");
  const { values, positionals } = parse(argv, { grace: { type: "string" }, gateway: { type: "boolean" } }, { min: 1, max: 32 });
  const ctx = context(values);
  const bot = ctx.bot();
  const graceMs = values.grace ? parseDuration(values.grace) * 1000 : 5_000;
  if (new Set(positionals).size !== positionals.length) throw new UsageError("Name each mount once");
  const mounts: BotMount[] = [];
  for (const name of positionals) mounts.push(await bot.mounts.get(name));
  const mount = mounts[0];
  if (mounts.length > 1 || values.gateway || mount.url) {
    const exposed = exposedTokensWarning();
    if (exposed) info(exposed);
    const gateway = mounts.length > 1 || !!values.gateway;
    // The vault tools answer for grants usable without a mount, or through the only mount.
    const vaultMount = mounts.length === 1 ? mount.name : undefined;
    return runGateway({
      bot,
      mounts,
      gateway,
      localTools: gateway ? { tools: VAULT_TOOLS, call: (name, args) => callVaultTool(bot, name, args, { mount: vaultMount }) } : undefined,
      graceMs,
      pollMs: Number(process.env.RV_POLL_MS) || undefined,
      credentials: ctx.credentials(),
      info,
      leaseEndedExit: EXIT.leaseEnded,
    });
  }
  const command = mount.command!;

  let child: ChildProcess | null = null;
  let stopReason: string | null = null;
  let shutdownReason: string | null = null;
  let onEnded = (_reason: string) => {};
  const keeper = new LeaseKeeper(bot, {
    ttlSeconds: mount.ttlSeconds ?? undefined,
    mount: mount.name,
    pollMs: Number(process.env.RV_POLL_MS) || undefined,
    onEnded: (reason) => onEnded(reason),
    renewalJustification: () => mountJustification(mount, { renewal: true }),
    notify: info,
  });

  // The client going away ends the run, also before the server is up (while waiting
  // for approval). Closing stdin is the MCP way to stop a server: it is passed on, and
  // the server gets a moment to exit by itself; a dead parent or a closed stdout stop
  // it at once. Then the leases are released.
  let serverStarted: (stdin: Writable | null) => void = () => {};
  const serverIn = new Promise<Writable | null>((resolve) => (serverStarted = resolve));
  const shutdown = (reason: string, { graceful }: { graceful: boolean }) => {
    if (shutdownReason) return;
    shutdownReason = reason;
    if (!child) return keeper.cancel(reason);
    const running = child;
    running.stdin!.end();
    if (graceful) setTimeout(() => void stopChild(running, { graceMs, group: true }), STDIN_CLOSED_WAIT_MS).unref();
    else {
      info(`${reason}; stopping MCP server ${mount.name}`);
      void stopChild(running, { graceMs, group: true });
    }
  };
  const unwatch = watchLifeline((reason) => shutdown(reason, { graceful: false }));
  // Filled after the launch; a tool call's referenced values are added to it (the maskers hold this array).
  const patterns: MaskPattern[] = [];
  relayClientMessages(serverIn, keeper, { bot, mount, patterns }, () => shutdown("the client closed stdin", { graceful: true }));

  let held;
  try {
    // Mappings serving only tool calls are leased per call, not at launch.
    held = await keeper.acquire(launchMappings(mount), mountJustification(mount));
  } catch (err) {
    serverStarted(null);
    throw err;
  }
  const leased = new Map(held.map((h) => [h.secret, h.value]));
  const env: Record<string, string> = {};
  for (const m of mount.mappings) if (m.env && leased.has(m.secret)) env[m.env] = leased.get(m.secret)!;
  const args = substituteArgs(mount.args, leased, command, info);
  addMaskPatterns(patterns, [...held.map((h) => ({ name: h.secret, value: h.value })), ...ctx.credentials()]);
  const exposed = exposedTokensWarning();
  if (exposed) info(exposed);

  try {
    child = await spawnChild(command, args, { stdio: ["pipe", "pipe", "pipe"], env: childEnv(env), detached: true });
  } catch (err) {
    serverStarted(null);
    await keeper.releaseAll();
    info(`cannot start ${command}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
    return 127;
  }
  const server = child;
  server.stdin!.on("error", () => {}); // the server may exit first
  const unforward = forwardSignals(server, true);
  const outputs = Promise.all([
    pipeMasked(server.stdout!, new JsonRpcLineMasker(patterns), process.stdout),
    pipeMasked(server.stderr!, new StreamMasker(patterns), process.stderr),
  ]);
  onEnded = (reason) => {
    stopReason = reason;
    info(`${reason}; stopping MCP server ${mount.name}`);
    void stopChild(server, { graceMs, group: true });
  };
  keeper.start();
  serverStarted(server.stdin!);
  if (shutdownReason) {
    // The client left while the server was starting: nobody will talk to it.
    const reason: string = shutdownReason;
    shutdownReason = null;
    shutdown(reason, { graceful: false });
  }

  const exit = await waitForExit(server);
  await outputs;
  unforward();
  unwatch();
  await keeper.releaseAll();
  if (stopReason) return EXIT.leaseEnded;
  if (shutdownReason) return 0;
  return exitLike(exit);
}

/**
 * Client → server, line by line and in order (messages that arrive while the server
 * starts wait for it); a tool call first renews the leases for that call, then has
 * its `{{secret:…}}` references leased and filled in (a refused one answers the
 * client and the call goes nowhere). Calls `onClosed` once stdin has ended and
 * everything before was passed on.
 */
function relayClientMessages(
  serverIn: Promise<Writable | null>,
  keeper: LeaseKeeper,
  { bot, mount, patterns }: { bot: BotClient; mount: BotMount; patterns: MaskPattern[] },
  onClosed: () => void,
) {
  /** JSON ids of tool calls whose references are being leased → cancelled meanwhile? */
  const preparing = new Map<string, boolean>();
  let queue = Promise.resolve();
  let partial = "";
  const decoder = new StringDecoder("utf8");
  const handle = async (line: string) => {
    const server = await serverIn;
    if (!server) return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      message = null;
    }
    for (const call of toolCalls(message)) {
      const tool = cleanToolName(call.tool)?.trim();
      const outcome = await keeper.renew(mountJustification(mount, { tool: call.tool }), tool || undefined);
      if (outcome === "refused") {
        const error = { code: -32001, message: "Runtime Vault refused access to this server's credentials; the server is being stopped" };
        process.stdout.write(JSON.stringify({ jsonrpc: "2.0", id: call.id ?? null, error }) + "\n");
        return;
      }
    }
    const cancels = (message as { method?: unknown; params?: { requestId?: unknown } } | null)?.method === "notifications/cancelled" ? (message as { params?: { requestId?: unknown } }).params : undefined;
    const cancelKey = cancels ? JSON.stringify(cancels.requestId) : undefined;
    if (cancelKey !== undefined && preparing.has(cancelKey)) return void preparing.set(cancelKey, true);
    // Untouched messages go on byte for byte, in order.
    const calls = toolCalls(message);
    if (!calls.some((c) => findReferences(c.arguments).length > 0)) return void server.write(line + "\n");
    // A call with references is sent once they are leased (perhaps after an approval),
    // while later messages go on; one the client cancels meanwhile goes nowhere.
    const keys = calls.map((c) => JSON.stringify(c.id));
    keys.forEach((k) => preparing.set(k, false));
    void fillReferences(message, bot, mount, patterns)
      .then(
        (filled) => filled !== null && !keys.some((k) => preparing.get(k)) && server.writable && server.write(JSON.stringify(filled) + "\n"),
        (err) => info(`tool call not relayed: ${(err as Error).message}`),
      )
      .finally(() => keys.forEach((k) => preparing.delete(k)));
  };
  process.stdin.on("data", (chunk: Buffer) => {
    partial += decoder.write(chunk);
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) queue = queue.then(() => handle(line));
  });
  let ended = false;
  const end = () => {
    if (ended) return;
    ended = true;
    // Before the server is up there is nothing to pass on: stop waiting at once.
    void Promise.race([serverIn, Promise.resolve(undefined)]).then((s) => s === undefined && onClosed());
    queue = queue.then(async () => {
      if (partial) await handle(partial);
      onClosed();
    });
  };
  process.stdin.on("end", end);
  process.stdin.on("error", end);
}

/**
 * The message with every tool call's references leased and filled in (the same object
 * when there were none), or null when one was refused: the client then has its error.
 */
async function fillReferences(message: unknown, bot: BotClient, mount: BotMount, patterns: MaskPattern[]): Promise<unknown> {
  const items = Array.isArray(message) ? message : [message];
  let changed = false;
  const out: unknown[] = [];
  for (const item of items) {
    const req = item as { method?: unknown; id?: unknown; params?: { name?: unknown; arguments?: unknown } };
    if (!req || req.method !== "tools/call" || typeof req.params?.name !== "string") {
      out.push(item);
      continue;
    }
    try {
      const resolved = await resolveToolCallReferences(bot, mount, req.params.name, req.params.arguments, { pollMs: Number(process.env.RV_POLL_MS) || undefined, notify: info });
      if (resolved.secrets.length === 0) {
        out.push(item);
        continue;
      }
      addMaskPatterns(patterns, resolved.secrets);
      out.push({ ...req, params: { ...req.params, arguments: resolved.arguments } });
      changed = true;
    } catch (err) {
      if (!(err instanceof ReferenceRefused)) throw err;
      info(err.message);
      process.stdout.write(JSON.stringify(refusalError(req.id, err)) + "\n");
      changed = true;
    }
  }
  if (!changed) return message;
  if (out.length === 0) return null;
  return Array.isArray(message) ? out : out[0];
}
