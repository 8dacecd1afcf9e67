// The SDK's one HTTP path: bearer auth, JSON, per-attempt timeouts and retries
// that never repeat a request whose effect might already have happened.
import { errorFromResponse, NetworkError, RuntimeVaultError, TimeoutError } from "./errors.ts";

export interface HttpOptions {
  /** Base URL of the vault, e.g. https://vault.internal. */
  baseUrl: string;
  token: string;
  /** Per attempt, in milliseconds (default 10 000). */
  timeoutMs?: number;
  /** Extra attempts for retryable failures (default 2). */
  retries?: number;
  /** First backoff delay in ms, doubled each retry with jitter (default 200). */
  retryDelayMs?: number;
  fetch?: typeof fetch;
  userAgent?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined | null>;
  body?: unknown;
  /** Override the bearer token (lease resolves use the lease token). */
  token?: string;
  /**
   * The request may be repeated after an ambiguous failure. Defaults to true for
   * GET/PUT/DELETE (idempotent by HTTP and by this API) and false for POST.
   */
  idempotent?: boolean;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Return the raw Response (streams); the caller owns the body and the timeout covers only the headers. */
  raw?: boolean;
  headers?: Record<string, string>;
}

const RETRY_STATUS = new Set([502, 503, 504]);

/** Listeners are removed when the time is up: a long-lived signal (an event stream's) sees many sleeps. */
export function sleep(ms: number, signal?: AbortSignal, { rejectOnAbort = true } = {}) {
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => {
      clearTimeout(t);
      if (rejectOnAbort) reject(signal!.reason);
      else resolve();
    };
    const t = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

/** A refused connection means the request never left: safe to retry even a POST. */
function neverSent(err: unknown): boolean {
  const cause = (err as { cause?: { code?: string } })?.cause;
  return cause?.code === "ECONNREFUSED" || cause?.code === "ENOTFOUND" || cause?.code === "EAI_AGAIN";
}

export class Http {
  readonly baseUrl: string;

  constructor(private readonly opts: HttpOptions) {
    if (!opts.baseUrl) throw new RuntimeVaultError("No vault URL configured (RV_URL)", "config", 0);
    this.baseUrl = opts.baseUrl.replace(/\/+$/, "");
  }

  url(path: string, query?: RequestOptions["query"]): string {
    const u = new URL(this.baseUrl + path);
    for (const [k, v] of Object.entries(query ?? {})) if (v !== undefined && v !== null) u.searchParams.set(k, String(v));
    return u.toString();
  }

  async request<T>(method: string, path: string, ro: RequestOptions = {}): Promise<T> {
    const idempotent = ro.idempotent ?? method !== "POST";
    const retries = this.opts.retries ?? 2;
    const fetchFn = this.opts.fetch ?? fetch;
    const token = ro.token ?? this.opts.token;
    const headers: Record<string, string> = { accept: ro.raw ? "text/event-stream" : "application/json", ...ro.headers };
    if (token) headers.authorization = `Bearer ${token}`;
    if (this.opts.userAgent) headers["user-agent"] = this.opts.userAgent;
    let body: string | undefined;
    if (ro.body !== undefined) {
      headers["content-type"] = "application/json";
      body = JSON.stringify(ro.body);
    }
    const url = this.url(path, ro.query);

    for (let attempt = 0; ; attempt++) {
      const timeoutMs = ro.timeoutMs ?? this.opts.timeoutMs ?? 10_000;
      const timeout = new AbortController();
      const timer = setTimeout(() => timeout.abort(new Error("timeout")), timeoutMs);
      const signal = ro.signal ? AbortSignal.any([ro.signal, timeout.signal]) : timeout.signal;
      let res: Response;
      let text: string;
      try {
        res = await fetchFn(url, { method, headers, body, signal });
        if (ro.raw && res.ok) {
          clearTimeout(timer);
          return res as T;
        }
        text = await res.text();
      } catch (err) {
        clearTimeout(timer);
        if (ro.signal?.aborted) throw err;
        const timedOut = timeout.signal.aborted;
        const retryable = idempotent || (!timedOut && neverSent(err));
        if (retryable && attempt < retries) {
          await sleep(this.backoff(attempt), ro.signal);
          continue;
        }
        if (timedOut) throw new TimeoutError(`${method} ${path} timed out after ${timeoutMs} ms`, "timeout", 0);
        throw new NetworkError(`${method} ${path} failed: ${(err as { cause?: { code?: string } })?.cause?.code ?? (err as Error)?.message}`, "network_error", 0);
      }
      clearTimeout(timer);
      if (res.ok) return (text ? JSON.parse(text) : undefined) as T;
      let parsed: unknown = null;
      try {
        parsed = text ? JSON.parse(text) : null;
      } catch {
        // A proxy's HTML error page: keep the status only.
      }
      // 503 is "the vault's database is unavailable": nothing happened, but a POST
      // could still have been applied by an instance behind a proxy, so only retry
      // idempotent requests. 429 likewise waits for Retry-After.
      const retryable = idempotent && (RETRY_STATUS.has(res.status) || res.status === 429);
      if (retryable && attempt < retries) {
        const after = Number(res.headers.get("retry-after"));
        await sleep(Number.isFinite(after) && after > 0 ? Math.min(after * 1000, 30_000) : this.backoff(attempt), ro.signal);
        continue;
      }
      throw errorFromResponse(res.status, parsed);
    }
  }

  private backoff(attempt: number): number {
    const base = (this.opts.retryDelayMs ?? 200) * 2 ** attempt;
    return base / 2 + Math.random() * base;
  }
}
