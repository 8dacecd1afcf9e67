import { Http, sleep, type HttpOptions } from "./http.ts";
import { LeaseGone, RuntimeVaultError } from "./errors.ts";
import type { BotLease, BotMount, IssuedLease, LeaseRequest, PendingLease, ResolvedSecret, VaultReadRequest, VaultReadResult, VaultSecretList } from "./types.ts";

export interface LeaseOptions {
  justification: string;
  /** Omitted: the bot's environment (its default scope). */
  scope?: string;
  /** Lifetime in seconds (the grant and the policy cap it). */
  ttlSeconds?: number;
  mount?: string;
  /** While the lease waits for human approval, how often to ask (default 2 s). */
  pollMs?: number;
  /** Stops waiting for approval. */
  signal?: AbortSignal;
}

/**
 * A resolved lease that hands itself back: `await using lease = await bot.lease(…)`
 * (TypeScript 5.2+, or Node with explicit resource management) releases it at the end
 * of the block; elsewhere call `release()` in a `finally`.
 */
export interface HeldLease extends AsyncDisposable {
  id: string;
  secret: string;
  scope: string;
  singleUse: boolean;
  expiresAt: string;
  value: string;
  /** Hands the lease back (once; later calls do nothing). A lease that already ended is not an error. */
  release(): Promise<void>;
}

/** What a bot (token `rvb_…`) can do: lease, resolve, release; fetch its mounts. */
export class BotClient {
  readonly http: Http;

  constructor(opts: HttpOptions) {
    this.http = new Http(opts);
  }

  readonly leases = {
    /** Never retried after an ambiguous failure: a repeat would issue a second lease. */
    request: (input: LeaseRequest) => this.http.request<IssuedLease | PendingLease>("POST", "/api/leases", { body: input }),
    /** Status of an own lease; an approved lease's token comes with the first read after approval. */
    get: (id: string) => this.http.request<BotLease>("GET", `/api/leases/${encodeURIComponent(id)}`),
    /**
     * Exchanges the lease token for the value. Not retried after an ambiguous failure:
     * a single-use lease may already have been consumed.
     */
    resolve: (lease: { id: string; leaseToken: string }) =>
      this.http.request<ResolvedSecret>("POST", `/api/leases/${encodeURIComponent(lease.id)}/resolve`, { token: lease.leaseToken }),
    /** Hands the lease back early (idempotent). */
    release: (id: string) => this.http.request<void>("DELETE", `/api/leases/${encodeURIComponent(id)}`),
  };

  /** Requests and resolves one secret (waiting for approval if the policy asks for it). */
  async lease(secret: string, opts: LeaseOptions): Promise<HeldLease> {
    const requested = await this.leases.request({ secret, scope: opts.scope, justification: opts.justification, ttlSeconds: opts.ttlSeconds, mount: opts.mount });
    let lease: IssuedLease;
    if (requested.status === "pending") {
      try {
        lease = await this.awaitApproval(requested.id, opts);
      } catch (err) {
        await this.leases.release(requested.id).catch(() => {});
        throw err;
      }
    } else lease = requested;
    let value: string;
    try {
      value = (await this.leases.resolve(lease)).value;
    } catch (err) {
      await this.leases.release(lease.id).catch(() => {});
      throw err;
    }
    let released: Promise<void> | null = null;
    const release = () =>
      (released ??= this.leases.release(lease.id).catch((err) => {
        if (!(err instanceof LeaseGone)) throw err;
      }));
    const { leaseToken: _token, status: _status, ...meta } = lease;
    return { ...meta, value, release, [Symbol.asyncDispose]: release };
  }

  private async awaitApproval(id: string, opts: LeaseOptions): Promise<IssuedLease> {
    for (;;) {
      await sleep(opts.pollMs ?? 2_000, opts.signal);
      const lease = await this.leases.get(id);
      if (lease.status === "pending") continue;
      if (lease.status === "active" && lease.leaseToken) {
        return { id, secret: lease.secret, scope: lease.scope, status: "active", singleUse: lease.singleUse, expiresAt: lease.expiresAt, leaseToken: lease.leaseToken };
      }
      throw new RuntimeVaultError(`lease ${id} for ${lease.secret} was not approved (${lease.status})`, "not_approved", 0);
    }
  }

  /** The agent's view of the vault: what it may use, and references to put in tool calls. */
  readonly vault = {
    /** Names and scopes this bot may lease (with `mount`: also the grants limited to it). Never values. */
    list: (opts: { mount?: string } = {}) => this.http.request<VaultSecretList>("GET", "/api/vault/secrets", { query: { mount: opts.mount } }),
    /**
     * Checks the grant and policy and returns the reference `{{secret:NAME}}`; the value
     * only when the grant is marked revealToAgent. Not retried after an ambiguous failure
     * (a reveal uses a single-use lease).
     */
    read: (secret: string, opts: Omit<VaultReadRequest, "secret"> = {}) =>
      this.http.request<VaultReadResult>("POST", "/api/vault/read", { body: { secret, ...opts } }),
  };

  readonly mounts = {
    get: (name: string) => this.http.request<BotMount>("GET", `/api/mounts/${encodeURIComponent(name)}`),
  };
}
