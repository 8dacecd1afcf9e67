// `runtime-vault mcp run` serving mounted MCP servers (local stdio or remote Streamable
// HTTP) behind one stdio MCP server:
// - gateway mode (several mounts, or --gateway): the gateway answers initialize and
//   tools/list itself, merging the servers' tools as `<mount>__<tool>`, and routes each
//   tools/call to its server with the prefix stripped;
// - bridge mode (one remote mount): every message is passed through.
// Request ids are rewritten per server (responses map back to the client's ids; the
// servers' own requests to the client get gateway ids). Each server has its own
// leases (LeaseKeeper), masking patterns and lifecycle: a revoked lease stops exactly
// that server, its pending calls answer errors and its tools disappear
// (notifications/tools/list_changed). `{{secret:NAME}}` in a tool call's arguments is
// leased through that call's mount (tool-call-references.ts).
import { StringDecoder } from "node:string_decoder";
import type { BotClient } from "../sdk/bot-client.ts";
import type { BotMount } from "../sdk/types.ts";
import { LeaseKeeper, type HeldSecret } from "../exec/lease-keeper.ts";
import { addMaskPatterns, maskPatterns, type MaskedSecret, type MaskPattern } from "../exec/mask.ts";
import { maskJson } from "../exec/json-rpc-mask.ts";
import { substituteArgs } from "../exec/secret-args.ts";
import { nameOnlyReferencePattern } from "../exec/secret-references.ts";
import { cleanToolName, mountJustification } from "./justification.ts";
import { ReferenceRefused, refusalError, resolveToolCallReferences } from "./tool-call-references.ts";
import { isNotification, isRequest, isResponse, type JsonRpcMessage, type Upstream } from "./upstream.ts";
import { StdioUpstream } from "./stdio-upstream.ts";
import { HttpUpstream } from "./http-upstream.ts";
import { watchLifeline } from "../cli/lifeline.ts";
import { VERSION } from "../version.ts";

/** Between the mount name and the tool name: MCP tool names allow `_`, mount names cannot hold it. */
export const TOOL_SEPARATOR = "__";
/** The server went away (revoked lease, exit): its calls answer this. */
export const SERVER_STOPPED = -32001;
const INTERNAL_TIMEOUT_MS = 60_000;
const MAX_TOOL_PAGES = 20;
const KNOWN_PROTOCOL_VERSIONS = ["2025-11-25", "2025-06-18", "2025-03-26", "2024-11-05"];

/** Tools the gateway serves itself, unprefixed (the vault tools). */
export interface LocalTools {
  tools: Array<{ name: string; description: string; inputSchema: object }>;
  call(name: string, args: unknown): Promise<{ content: Array<{ type: "text"; text: string }>; isError?: boolean }>;
}

export interface GatewayOptions {
  bot: BotClient;
  mounts: BotMount[];
  /** Gateway mode (tools prefixed by mount); false: bridge one remote mount as it is. */
  gateway: boolean;
  graceMs: number;
  pollMs?: number;
  /** The launcher's own tokens: masked in everything passed on. */
  credentials: MaskedSecret[];
  localTools?: LocalTools;
  info: (message: string) => void;
  /** Exit status when a lease ends a server and nothing else is left. */
  leaseEndedExit: number;
}

/** Secrets a mount's server needs at launch (env, args, headers); the others serve only tool calls. */
export function launchMappings(mount: Pick<BotMount, "args" | "headers" | "mappings">) {
  const used = new Set<string>();
  for (const text of [...mount.args, ...Object.values(mount.headers ?? {})]) for (const m of text.matchAll(nameOnlyReferencePattern())) used.add(m[1]);
  return mount.mappings.filter((m) => m.env || used.has(m.secret));
}

type Pending = { client: JsonRpcMessage["id"] } | { internal: (m: JsonRpcMessage) => void };

class MountedServer {
  upstream: Upstream | null = null;
  patterns: MaskPattern[] = [];
  state: "starting" | "running" | "ended" = "starting";
  initialized = false;
  endedByLease = false;
  nextId = 1;
  readonly pending = new Map<number, Pending>();
  gone: Promise<void> = Promise.resolve();
  markGone: () => void = () => {};

  constructor(readonly mount: BotMount, readonly keeper: LeaseKeeper) {}

  get name() {
    return this.mount.name;
  }
}

export async function runGateway(opts: GatewayOptions): Promise<number> {
  const { bot, info } = opts;
  const out = (message: unknown) => process.stdout.write(JSON.stringify(message) + "\n");
  const mounts = opts.mounts;
  const servers = new Map<string, MountedServer>();
  const bridge = !opts.gateway;

  let finish: (code: number) => void = () => {};
  const finished = new Promise<number>((resolve) => (finish = resolve));
  let shuttingDown = false;
  /** Every server was started (or failed to): from now on, none left means the end. */
  let started = false;
  let clientInitialized = false;
  let readyResolve: (ok: boolean) => void = () => {};
  const ready = new Promise<boolean>((resolve) => (readyResolve = resolve));
  /** Gateway ids of the servers' own requests to the client → where the answer goes. */
  const serverRequests = new Map<string, { server: MountedServer; id: JsonRpcMessage["id"] }>();
  let serverRequestSeq = 0;
  /** Client request ids in flight → server and the id it saw (for cancellation). */
  const inflight = new Map<string, { server: MountedServer; id: number }>();
  const idKey = (id: unknown) => JSON.stringify(id);

  const send = (server: MountedServer, message: JsonRpcMessage, pending?: Pending): number | undefined => {
    if (!server.upstream || server.state !== "running") return undefined;
    if (!pending) {
      server.upstream.send(message);
      return undefined;
    }
    const id = server.nextId++;
    server.pending.set(id, pending);
    server.upstream.send({ ...message, id });
    return id;
  };

  const ask = (server: MountedServer, method: string, params: unknown): Promise<JsonRpcMessage> =>
    new Promise((resolve) => {
      const timer = setTimeout(() => resolve({ error: { code: -32000, message: `${server.name} did not answer ${method} in time` } }), INTERNAL_TIMEOUT_MS);
      const id = send(server, { jsonrpc: "2.0", method, ...(params === undefined ? {} : { params }) }, {
        internal: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
      if (id === undefined) {
        clearTimeout(timer);
        resolve({ error: { code: SERVER_STOPPED, message: `${server.name} is not running` } });
      }
    });

  const running = () => [...servers.values()].filter((s) => s.state === "running");

  // --- from the servers -----------------------------------------------------------
  const fromServer = (server: MountedServer, message: JsonRpcMessage) => {
    const masked = (m: unknown) => out(maskJson(m, server.patterns));
    if (isResponse(message)) {
      const id = message.id as number;
      const pending = server.pending.get(id);
      if (!pending) return;
      server.pending.delete(id);
      if ("internal" in pending) return pending.internal(maskJson(message, server.patterns) as JsonRpcMessage);
      inflight.delete(idKey(pending.client));
      return masked({ ...message, id: pending.client });
    }
    if (isRequest(message)) {
      if (message.method === "ping") return server.upstream?.send({ jsonrpc: "2.0", id: message.id, result: {} });
      const gid = `rv-${server.name}-${++serverRequestSeq}`;
      serverRequests.set(gid, { server, id: message.id });
      return masked({ ...message, id: gid });
    }
    if (isNotification(message)) {
      const params = message.params as { requestId?: unknown } | undefined;
      if (message.method === "notifications/cancelled" && params) {
        // The server withdrew one of its own requests to the client.
        const entry = [...serverRequests.entries()].find(([, v]) => v.server === server && v.id === params.requestId);
        if (!entry) return;
        serverRequests.delete(entry[0]);
        return masked({ ...message, params: { ...params, requestId: entry[0] } });
      }
      return masked(message);
    }
  };

  const serverEnded = (server: MountedServer, reason: string, { byLease }: { byLease: boolean }) => {
    if (server.state === "ended") return;
    const wasRunning = server.state === "running";
    server.state = "ended";
    server.endedByLease = byLease;
    if (byLease || !shuttingDown) info(`${reason}; stopping MCP server ${server.name}`);
    if (server.upstream) void server.upstream.kill();
    const error = { code: SERVER_STOPPED, message: `MCP server ${server.name} stopped: ${reason}` };
    for (const [, pending] of server.pending) {
      if ("internal" in pending) pending.internal({ error });
      else {
        inflight.delete(idKey(pending.client));
        out({ jsonrpc: "2.0", id: pending.client, error });
      }
    }
    server.pending.clear();
    void server.keeper.releaseAll();
    if (shuttingDown) return;
    if (wasRunning && !bridge && clientInitialized) out({ jsonrpc: "2.0", method: "notifications/tools/list_changed" });
    if (started) finishWhenNothingLeft();
  };

  /** With no server left (and no vault tools to serve), the run ends once they are all gone. */
  const finishWhenNothingLeft = () => {
    if (running().length > 0 || (opts.localTools && !bridge)) return;
    const all = [...servers.values()];
    void Promise.all(all.map((s) => s.gone)).then(() => finish(all.some((s) => s.endedByLease) ? opts.leaseEndedExit : 1));
  };

  // --- to the servers ---------------------------------------------------------------
  /** A tools/call for one server: the audit marker lease, then the references. Null when refused (answered). */
  const prepareCall = async (server: MountedServer, tool: string, request: JsonRpcMessage): Promise<JsonRpcMessage | null> => {
    const params = (request.params ?? {}) as { name?: string; arguments?: unknown };
    const outcome = await server.keeper.renew(mountJustification(server.mount, { tool }), cleanToolName(tool)?.trim() || undefined);
    if (outcome === "refused") {
      out({ jsonrpc: "2.0", id: request.id ?? null, error: { code: SERVER_STOPPED, message: "Runtime Vault refused access to this server's credentials; the server is being stopped" } });
      return null;
    }
    try {
      const resolved = await resolveToolCallReferences(bot, server.mount, tool, params.arguments, { pollMs: opts.pollMs, notify: info });
      if (resolved.secrets.length) addMaskPatterns(server.patterns, resolved.secrets);
      return { ...request, params: { ...params, name: tool, ...(params.arguments === undefined ? {} : { arguments: resolved.arguments }) } };
    } catch (err) {
      if (!(err instanceof ReferenceRefused)) throw err;
      info(err.message);
      out(refusalError(request.id, err));
      return null;
    }
  };

  /** Client ids of calls still being prepared (leasing their references) → cancelled by the client meanwhile? */
  const preparing = new Map<string, boolean>();
  const prepare = async (server: MountedServer, tool: string, request: JsonRpcMessage) => {
    const key = idKey(request.id);
    preparing.set(key, false);
    try {
      const prepared = await prepareCall(server, tool, request);
      // A call the client gave up on (its timeout sends notifications/cancelled) goes nowhere.
      if (prepared && !preparing.get(key)) forward(server, prepared);
    } finally {
      preparing.delete(key);
    }
  };

  const forward = (server: MountedServer, request: JsonRpcMessage) => {
    const id = send(server, request, { client: request.id });
    if (id === undefined) out({ jsonrpc: "2.0", id: request.id, error: { code: SERVER_STOPPED, message: `MCP server ${server.name} is stopped` } });
    else inflight.set(idKey(request.id), { server, id });
  };

  const reply = (request: JsonRpcMessage, result: unknown) => out({ jsonrpc: "2.0", id: request.id, result });
  const replyError = (request: JsonRpcMessage, code: number, message: string) => out({ jsonrpc: "2.0", id: request.id, error: { code, message } });

  const initialize = async (request: JsonRpcMessage) => {
    const asked = (request.params as { protocolVersion?: unknown } | undefined)?.protocolVersion;
    const answers = await Promise.all(
      running().map(async (s) => {
        const answer = await ask(s, "initialize", request.params);
        if (answer.error) info(`MCP server ${s.name} refused to initialize: ${(answer.error as { message?: string }).message ?? "error"}`);
        else s.initialized = true;
        return (answer.result as { protocolVersion?: string } | undefined)?.protocolVersion;
      }),
    );
    const versions = answers.filter((v): v is string => typeof v === "string");
    const protocolVersion =
      typeof asked === "string" && versions.every((v) => v === asked) && KNOWN_PROTOCOL_VERSIONS.includes(asked) ? asked : (versions.sort()[0] ?? KNOWN_PROTOCOL_VERSIONS[1]);
    reply(request, {
      protocolVersion,
      capabilities: { tools: { listChanged: true } },
      serverInfo: { name: "runtime-vault-gateway", version: VERSION },
      instructions:
        `Tools of the mounted MCP servers (${[...servers.keys()].join(", ")}), named <mount>${TOOL_SEPARATOR}<tool>. ` +
        "Tool arguments may contain {{secret:NAME}} references: Runtime Vault fills in the value for that call only and masks it in the answer.",
    });
  };

  const listTools = async (request: JsonRpcMessage) => {
    const tools: unknown[] = [...(opts.localTools?.tools ?? [])];
    for (const s of running().filter((x) => x.initialized)) {
      let cursor: unknown;
      for (let page = 0; page < MAX_TOOL_PAGES; page++) {
        const answer = await ask(s, "tools/list", cursor === undefined ? {} : { cursor });
        const result = answer.result as { tools?: Array<{ name: string }>; nextCursor?: unknown } | undefined;
        if (!result?.tools) break;
        for (const t of result.tools) tools.push({ ...t, name: `${s.name}${TOOL_SEPARATOR}${t.name}` });
        cursor = result.nextCursor;
        if (cursor === undefined || cursor === null) break;
      }
    }
    reply(request, { tools });
  };

  const callTool = async (request: JsonRpcMessage) => {
    const name = String((request.params as { name?: unknown } | undefined)?.name ?? "");
    const local = opts.localTools?.tools.find((t) => t.name === name);
    if (local) {
      try {
        return reply(request, await opts.localTools!.call(name, (request.params as { arguments?: unknown }).arguments ?? {}));
      } catch (err) {
        return replyError(request, -32603, `${name} failed: ${(err as Error).message}`);
      }
    }
    const sep = name.indexOf(TOOL_SEPARATOR);
    const server = sep > 0 ? servers.get(name.slice(0, sep)) : undefined;
    if (!server) return replyError(request, -32602, `Unknown tool: ${name}`);
    if (server.state !== "running") return replyError(request, SERVER_STOPPED, `MCP server ${server.name} is stopped`);
    await prepare(server, name.slice(sep + TOOL_SEPARATOR.length), request);
  };

  // --- from the client --------------------------------------------------------------
  const fromClient = async (message: JsonRpcMessage) => {
    if (isResponse(message)) {
      const target = serverRequests.get(String(message.id));
      if (!target) return;
      serverRequests.delete(String(message.id));
      if (target.server.state === "running") target.server.upstream!.send({ ...message, id: target.id });
      return;
    }
    if (isNotification(message)) {
      const params = message.params as { requestId?: unknown } | undefined;
      if (message.method === "notifications/cancelled" && params) {
        if (preparing.has(idKey(params.requestId))) return void preparing.set(idKey(params.requestId), true);
        const target = inflight.get(idKey(params.requestId));
        if (target) send(target.server, { ...message, params: { ...params, requestId: target.id } });
        return;
      }
      if (message.method === "notifications/initialized") clientInitialized = true;
      for (const s of running()) if (bridge || s.initialized || message.method !== "notifications/initialized") send(s, message);
      return;
    }
    if (!isRequest(message)) return;
    if (bridge) {
      const server = [...servers.values()][0];
      if (message.method === "tools/call") {
        const tool = String((message.params as { name?: unknown } | undefined)?.name ?? "");
        void prepare(server, tool, message).catch((err) => replyError(message, -32603, `tools/call failed: ${(err as Error).message}`));
      } else forward(server, message);
      return;
    }
    switch (message.method) {
      case "initialize":
        return void initialize(message);
      case "ping":
        return reply(message, {});
      case "tools/list":
        return void listTools(message);
      case "tools/call":
        // Not in line: a call may wait for its references' approval while others go on.
        return void callTool(message).catch((err) => replyError(message, -32603, `tools/call failed: ${(err as Error).message}`));
      default:
        return replyError(message, -32601, `Method not found: ${message.method}`);
    }
  };

  // Client → gateway, line by line and in order (tool calls wait for their leases);
  // messages that arrive while the servers start wait for them.
  let queue: Promise<void> = Promise.resolve();
  let partial = "";
  const decoder = new StringDecoder("utf8");
  const handleLine = async (line: string) => {
    if (!line.trim()) return;
    if (!(await ready)) return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      out({ jsonrpc: "2.0", id: null, error: { code: -32700, message: "Parse error" } });
      return;
    }
    for (const m of Array.isArray(parsed) ? parsed : [parsed]) if (m && typeof m === "object") await fromClient(m as JsonRpcMessage);
  };
  process.stdin.on("data", (chunk: Buffer) => {
    partial += decoder.write(chunk);
    const lines = partial.split("\n");
    partial = lines.pop()!;
    for (const line of lines) queue = queue.then(() => handleLine(line)).then(() => {}, (err) => info(`message not handled: ${(err as Error).message}`));
  });

  const shutdown = (reason: string, { graceful }: { graceful: boolean }) => {
    if (shuttingDown) return;
    shuttingDown = true;
    for (const s of servers.values()) s.keeper.cancel(reason);
    readyResolve(false);
    const all = [...servers.values()];
    if (!graceful) info(`${reason}; stopping MCP servers ${all.map((s) => s.name).join(", ")}`);
    void Promise.all(
      all.map(async (s) => {
        if (s.upstream && s.state !== "ended") await (graceful ? s.upstream.close() : s.upstream.kill());
        s.state = "ended";
        await s.gone;
        await s.keeper.releaseAll();
      }),
    ).then(() => finish(0));
  };
  let stdinEnded = false;
  const endOfInput = () => {
    if (stdinEnded) return;
    stdinEnded = true;
    queue = queue.then(async () => {
      if (partial) await handleLine(partial);
      shutdown("the client closed stdin", { graceful: true });
    });
    // Before the servers are up there is nothing to pass on.
    void Promise.race([ready, Promise.resolve("starting")]).then((r) => r === "starting" && shutdown("the client closed stdin", { graceful: true }));
  };
  process.stdin.on("end", endOfInput);
  process.stdin.on("error", endOfInput);
  const unwatch = watchLifeline((reason) => shutdown(reason, { graceful: false }));
  const onSignal = (signal: NodeJS.Signals) => shutdown(`received ${signal}`, { graceful: false });
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);

  // --- start ------------------------------------------------------------------------
  try {
    for (const mount of mounts) {
      if (servers.has(mount.name)) continue;
      let server: MountedServer;
      const keeper = new LeaseKeeper(bot, {
        ttlSeconds: mount.ttlSeconds ?? undefined,
        mount: mount.name,
        pollMs: opts.pollMs,
        onEnded: (reason) => serverEnded(server, reason, { byLease: true }),
        renewalJustification: () => mountJustification(mount, { renewal: true }),
        notify: info,
      });
      server = new MountedServer(mount, keeper);
      servers.set(mount.name, server);
      if (shuttingDown) break;
      const held = await keeper.acquire(launchMappings(mount), mountJustification(mount));
      server.patterns = maskPatterns([...held.map((h) => ({ name: h.secret, value: h.value })), ...opts.credentials]);
      server.gone = new Promise((resolve) => (server.markGone = resolve));
      const events = {
        onMessage: (m: JsonRpcMessage) => fromServer(server, m),
        onClosed: (reason: string) => {
          serverEnded(server, reason, { byLease: false });
          server.markGone();
        },
      };
      server.upstream = await startUpstream(mount, held, server.patterns, opts, events);
      server.state = shuttingDown ? "ended" : "running";
      keeper.start();
    }
  } catch (err) {
    unwatch();
    readyResolve(false);
    for (const s of servers.values()) {
      s.state = "ended";
      await s.upstream?.kill();
      await s.keeper.releaseAll();
    }
    throw err;
  }
  if (shuttingDown) {
    for (const s of servers.values()) await s.upstream?.kill();
  } else {
    started = true;
    finishWhenNothingLeft();
    readyResolve(true);
    info(`serving ${bridge ? `MCP server ${mounts[0].name}` : `MCP servers ${[...servers.keys()].join(", ")} (tools named <mount>${TOOL_SEPARATOR}<tool>)`}`);
  }
  const code = await finished;
  unwatch();
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.off(signal, onSignal);
  return code;
}

async function startUpstream(
  mount: BotMount,
  held: HeldSecret[],
  patterns: MaskPattern[],
  opts: GatewayOptions,
  events: { onMessage: (m: JsonRpcMessage) => void; onClosed: (reason: string) => void },
): Promise<Upstream> {
  const values = new Map(held.map((h) => [h.secret, h.value]));
  if (mount.url) {
    const templates = Object.entries(mount.headers ?? {});
    const headers = () => Object.fromEntries(templates.map(([name, template]) => [name, substituteArgs([template], values, name, () => {})[0]]));
    return new HttpUpstream({ url: mount.url, headers, label: `MCP server ${mount.name}` }, events);
  }
  const env: Record<string, string> = {};
  for (const m of mount.mappings) if (m.env && values.has(m.secret)) env[m.env] = values.get(m.secret)!;
  const args = substituteArgs(mount.args, values, mount.command!, opts.info);
  try {
    return await StdioUpstream.start({ command: mount.command!, args, env, graceMs: opts.graceMs, patterns, label: mount.name }, events);
  } catch (err) {
    throw new Error(`cannot start ${mount.command} for mount ${mount.name}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
