import { Http, sleep, type HttpOptions } from "./http.ts";
import { Conflict, NotFound, RuntimeVaultError } from "./errors.ts";
import { parseSse } from "./sse.ts";
import type { AuditEvent, AuditQuery, Bot, Grant, Lease, LeaseStatus, Mount, MountInput, SecretMeta, StreamedEvent, VerifyResult } from "./types.ts";

const SECRET_ID = /^sec_[0-9a-f]{24}$/;
const BOT_ID = /^bot_[0-9a-f]{24}$/;

export interface ScopeOption {
  scope?: string;
}

export interface StreamOptions {
  /** Resume after this seq (what Last-Event-ID carries); default: only new events. */
  after?: number | string;
  signal?: AbortSignal;
  /** Reconnect (resuming from the last seen id) when the connection drops; default true. */
  reconnect?: boolean;
  /** Called on each reconnect attempt with the error that ended the previous connection. */
  onReconnect?: (err: unknown) => void;
}

/** What an admin API token (`rva_…`) can do. Values go in, never come back out. */
export class AdminClient {
  readonly http: Http;

  constructor(opts: HttpOptions) {
    this.http = new Http(opts);
  }

  readonly secrets = {
    list: async (q: { scope?: string; name?: string } = {}) =>
      (await this.http.request<{ secrets: SecretMeta[] }>("GET", "/api/v1/secrets", { query: q })).secrets,
    get: (id: string) => this.http.request<SecretMeta & { versions: unknown[] }>("GET", `/api/v1/secrets/${encodeURIComponent(id)}`),
    /** By name in a scope (default "default"); null when absent. */
    find: async (name: string, { scope = "default" }: ScopeOption = {}) =>
      (await this.secrets.list({ name, scope }))[0] ?? null,
    exists: async (name: string, opts: ScopeOption = {}) => (await this.secrets.find(name, opts)) !== null,
    /** Creates the secret, or rotates it when it already exists in that scope. */
    set: async (name: string, value: string, { scope = "default", description, tags }: ScopeOption & { description?: string; tags?: string[] } = {}) => {
      const existing = await this.secrets.find(name, { scope });
      if (!existing) {
        try {
          const secret = await this.http.request<SecretMeta>("POST", "/api/v1/secrets", { body: { name, scope, value, description, tags } });
          return { secret, created: true };
        } catch (err) {
          // Created concurrently: fall through to a rotation.
          if (!(err instanceof Conflict)) throw err;
        }
      }
      const id = existing?.id ?? (await this.secrets.idOf(name, { scope }));
      // A PUT with the same value twice makes two versions; still safe to retry (no value is lost).
      const secret = await this.http.request<SecretMeta>("PUT", `/api/v1/secrets/${id}`, { body: { value, description, tags } });
      return { secret, created: false };
    },
    rotate: async (nameOrId: string, value: string, opts: ScopeOption = {}) =>
      this.http.request<SecretMeta>("PUT", `/api/v1/secrets/${await this.secrets.idOf(nameOrId, opts)}`, { body: { value } }),
    delete: async (nameOrId: string, opts: ScopeOption = {}) =>
      this.http.request<{ id: string; leasesRevoked: number; grantsRemoved: number }>("DELETE", `/api/v1/secrets/${await this.secrets.idOf(nameOrId, opts)}`),
    idOf: async (nameOrId: string, opts: ScopeOption = {}): Promise<string> => {
      if (SECRET_ID.test(nameOrId)) return nameOrId;
      const found = await this.secrets.find(nameOrId, opts);
      if (!found) throw new NotFound(`Secret ${nameOrId} not found in scope ${opts.scope ?? "default"}`, "not_found", 404);
      return found.id;
    },
  };

  readonly bots = {
    create: (input: { name: string; description?: string; environment?: string }) => this.http.request<Bot & { token: string }>("POST", "/api/v1/bots", { body: input }),
    update: async (nameOrId: string, input: { description?: string; environment?: string }) =>
      this.http.request<Bot>("PATCH", `/api/v1/bots/${await this.bots.idOf(nameOrId)}`, { body: input }),
    list: async () => (await this.http.request<{ bots: Bot[] }>("GET", "/api/v1/bots")).bots,
    freeze: async (nameOrId: string, reason?: string) =>
      this.http.request<Bot & { leasesRevoked: number }>("POST", `/api/v1/bots/${await this.bots.idOf(nameOrId)}/freeze`, { body: { reason }, idempotent: true }),
    unfreeze: async (nameOrId: string) => this.http.request<Bot>("POST", `/api/v1/bots/${await this.bots.idOf(nameOrId)}/unfreeze`, { body: {}, idempotent: true }),
    idOf: async (nameOrId: string): Promise<string> => {
      if (BOT_ID.test(nameOrId)) return nameOrId;
      const bot = (await this.bots.list()).find((b) => b.name === nameOrId);
      if (!bot) throw new NotFound(`Bot ${nameOrId} not found`, "not_found", 404);
      return bot.id;
    },
  };

  readonly grants = {
    add: (input: { botId: string; secretId: string; maxTtlSeconds?: number | null; singleUseOnly?: boolean; mountId?: string | null; revealToAgent?: boolean }) =>
      this.http.request<Grant>("POST", "/api/v1/grants", { body: input }),
    /** revealToAgent: vault.read returns the plaintext to the agent, not only the reference. */
    update: (id: string, input: { revealToAgent: boolean }) => this.http.request<Grant>("PATCH", `/api/v1/grants/${encodeURIComponent(id)}`, { body: input }),
    list: async (q: { botId?: string; secretId?: string } = {}) => (await this.http.request<{ grants: Grant[] }>("GET", "/api/v1/grants", { query: q })).grants,
    remove: (id: string) => this.http.request<void>("DELETE", `/api/v1/grants/${encodeURIComponent(id)}`),
  };

  readonly leases = {
    list: async (q: { status?: LeaseStatus; botId?: string; secretId?: string; limit?: number } = {}) =>
      (await this.http.request<{ leases: Lease[] }>("GET", "/api/v1/leases", { query: q })).leases,
    /** Idempotent on the server: revoking twice changes nothing. */
    revoke: (id: string, reason?: string) =>
      this.http.request<Lease & { revoked: boolean }>("POST", `/api/v1/leases/${encodeURIComponent(id)}/revoke`, { body: { reason }, idempotent: true }),
    revokeAll: (target: { botId: string } | { secretId: string } | { all: true }, reason: string) =>
      this.http.request<{ revoked: number }>("POST", "/api/v1/leases/revoke", { body: { ...target, reason }, idempotent: true }),
  };

  readonly mounts = {
    create: (input: MountInput) => this.http.request<Mount>("POST", "/api/v1/mounts", { body: input }),
    list: async (q: { botId?: string } = {}) => (await this.http.request<{ mounts: Mount[] }>("GET", "/api/v1/mounts", { query: q })).mounts,
    get: (id: string) => this.http.request<Mount>("GET", `/api/v1/mounts/${encodeURIComponent(id)}`),
    update: (id: string, input: Partial<Omit<MountInput, "name" | "botId">>) => this.http.request<Mount>("PUT", `/api/v1/mounts/${encodeURIComponent(id)}`, { body: input }),
    delete: (id: string) => this.http.request<{ id: string; grantsRemoved: number }>("DELETE", `/api/v1/mounts/${encodeURIComponent(id)}`),
  };

  readonly audit = {
    /** One page, newest first; pass `nextCursor` back as `cursor`. */
    list: (q: AuditQuery = {}) => this.http.request<{ events: AuditEvent[]; nextCursor: string | null }>("GET", "/api/v1/audit", { query: { ...q } }),
    /** Every matching event, newest first, page by page. */
    all: async function* (this: AdminClient, q: Omit<AuditQuery, "cursor"> = {}): AsyncGenerator<AuditEvent> {
      let cursor: string | undefined;
      do {
        const page = await this.audit.list({ ...q, limit: q.limit ?? 500, cursor });
        yield* page.events;
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
    }.bind(this),
    /**
     * The whole chain as JSON lines, oldest first, every hashed field included, to verify
     * offline (`runtime-vault audit verify --export FILE`, src/sdk/verify-audit-files.ts).
     * A stream: large chains are not held in memory.
     */
    exportChain: async (opts: { signal?: AbortSignal } = {}): Promise<ReadableStream<Uint8Array>> => {
      const res = await this.http.request<Response>("GET", "/api/v1/audit/export", { raw: true, query: { format: "jsonl" }, headers: { accept: "application/x-ndjson" }, signal: opts.signal });
      return res.body!;
    },
    /** From the last signed checkpoint; `{ full: true }` walks the whole chain. */
    verify: (opts: { full?: boolean } = {}) => this.http.request<VerifyResult>("GET", `/api/v1/audit/verify${opts.full ? "?full=true" : ""}`),
    /**
     * Live events (Server-Sent Events). Reconnects with Last-Event-ID, so a dropped
     * connection misses nothing; ends when `signal` aborts.
     */
    stream: async function* (this: AdminClient, opts: StreamOptions = {}): AsyncGenerator<StreamedEvent> {
      let last = opts.after !== undefined ? String(opts.after) : undefined;
      let failures = 0;
      for (;;) {
        try {
          const res = await this.http.request<Response>("GET", "/api/v1/events", {
            raw: true,
            signal: opts.signal,
            headers: last !== undefined ? { "last-event-id": last } : {},
          });
          for await (const msg of parseSse(res.body!)) {
            failures = 0;
            if (msg.id) last = msg.id;
            yield { event: msg.event, id: msg.id ?? "", data: JSON.parse(msg.data) as AuditEvent };
          }
          throw new RuntimeVaultError("event stream ended", "network_error", 0);
        } catch (err) {
          if (opts.signal?.aborted) return;
          // Auth and permission errors do not heal by retrying.
          if (err instanceof RuntimeVaultError && err.status >= 400 && err.status < 500) throw err;
          if (opts.reconnect === false) throw err;
          opts.onReconnect?.(err);
          const delay = Math.min(30_000, 500 * 2 ** failures++);
          await sleep(delay, opts.signal, { rejectOnAbort: false });
          if (opts.signal?.aborted) return;
        }
      }
    }.bind(this),
  };

  readonly policy = {
    get: () => this.http.request<Record<string, unknown>>("GET", "/api/v1/policy"),
    update: (input: Record<string, unknown>) => this.http.request<Record<string, unknown>>("PUT", "/api/v1/policy", { body: input }),
  };
}
