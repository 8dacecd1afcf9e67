import { Http, type HttpOptions } from "./http.ts";
import type { BotLease, BotMount, IssuedLease, LeaseRequest, PendingLease, ResolvedSecret } from "./types.ts";

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

  readonly mounts = {
    get: (name: string) => this.http.request<BotMount>("GET", `/api/mounts/${encodeURIComponent(name)}`),
  };
}
