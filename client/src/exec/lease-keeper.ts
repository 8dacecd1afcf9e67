// Holds the leases behind a running child: requests and resolves them at launch,
// watches their status (a bot cannot use the admin event stream, so it polls its
// own leases), renews them before they expire, and hands them back at the end.
// When a lease is revoked, or cannot be renewed, `onEnded` fires once.
import type { BotClient } from "../sdk/bot-client.ts";
import { NetworkError, RuntimeVaultError } from "../sdk/errors.ts";
import type { IssuedLease } from "../sdk/types.ts";
import { ExecError } from "./errors.ts";

export interface WantedSecret {
  secret: string;
  /** Omitted: the bot's environment decides (the lease answer says which scope). */
  scope?: string;
}

/** How a wanted secret reads in messages: its scope, or that the bot's environment picks it. */
export const describeWanted = (w: WantedSecret) => `${w.secret} (${w.scope ?? "the bot's environment"})`;

export interface HeldSecret extends WantedSecret {
  value: string;
  lease: IssuedLease;
  /** Leased after human approval: not renewed (that would ask the approvers again). */
  approved: boolean;
}

export interface LeaseKeeperOptions {
  ttlSeconds?: number;
  mount?: string;
  pollMs?: number;
  onEnded: (reason: string) => void;
  /** Justification for automatic renewals. */
  renewalJustification: () => string;
  /** Progress worth telling a person (waiting for approval). Default: stderr. */
  notify?: (message: string) => void;
}

const ENDED_STATUSES = new Set(["revoked", "released", "denied", "expired"]);

function describeError(err: unknown): string {
  return err instanceof RuntimeVaultError ? `${err.code}: ${err.message}` : String((err as Error)?.message ?? err);
}

export class LeaseKeeper {
  private held: HeldSecret[] = [];
  private timer: NodeJS.Timeout | null = null;
  private queue: Promise<unknown> = Promise.resolve();
  private ended = false;
  private renewAt = Infinity;
  private cancelled: string | null = null;

  constructor(private readonly bot: BotClient, private readonly opts: LeaseKeeperOptions) {}

  get secrets(): readonly HeldSecret[] {
    return this.held;
  }

  /** Leases and resolves every secret; on any failure hands back what it got and throws. */
  async acquire(wanted: WantedSecret[], justification: string): Promise<HeldSecret[]> {
    try {
      for (const w of wanted) {
        this.throwIfCancelled();
        const requested = await this.bot.leases.request({ secret: w.secret, scope: w.scope, justification, ttlSeconds: this.opts.ttlSeconds, mount: this.opts.mount });
        const approved = requested.status === "pending";
        const lease = approved ? await this.awaitApproval(w, requested.id) : (requested as IssuedLease);
        const held: HeldSecret = { ...w, lease, value: "", approved };
        this.held.push(held);
        this.throwIfCancelled();
        held.value = (await this.bot.leases.resolve(lease)).value;
      }
      this.throwIfCancelled();
    } catch (err) {
      await this.releaseAll();
      throw err instanceof ExecError ? err : new ExecError(`could not obtain the secrets: ${describeError(err)}`, 1, { cause: err });
    }
    this.scheduleRenewal();
    return this.held;
  }

  /** Makes a running acquire() stop (also while it waits for approval), hand back what it got, and throw. */
  cancel(reason: string) {
    this.cancelled ??= reason;
  }

  private throwIfCancelled() {
    if (this.cancelled) throw new ExecError(`stopped before the start: ${this.cancelled}`);
  }

  start() {
    const pollMs = this.opts.pollMs ?? 2_000;
    this.timer = setInterval(() => void this.serial(() => this.check()), pollMs);
  }

  /**
   * Takes fresh leases for the same secrets with a new justification (the values
   * stay with the child, so they are not resolved again) and releases the old ones.
   * Refusal ends the run: the bot may no longer hold these secrets.
   */
  renew(justification: string, tool?: string): Promise<"renewed" | "unreachable" | "refused"> {
    return this.serial(async () => (this.ended ? "refused" : this.renewInline(justification, tool)));
  }

  async stop() {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.queue.catch(() => {});
  }

  async releaseAll() {
    await this.stop();
    const ids = this.held.map((h) => h.lease.id);
    await Promise.all(ids.map((id) => this.bot.leases.release(id).catch(() => {})));
  }

  /** Polls a pending lease until approvers decide; the first read after approval carries its token. */
  private async awaitApproval(w: WantedSecret, id: string): Promise<IssuedLease> {
    const notify = this.opts.notify ?? ((m: string) => process.stderr.write(`runtime-vault: ${m}\n`));
    notify(`${describeWanted(w)} needs approval; waiting for lease ${id} to be approved…`);
    for (;;) {
      await new Promise((r) => setTimeout(r, this.opts.pollMs ?? 2_000));
      this.throwIfCancelled();
      const lease = await this.bot.leases.get(id);
      if (lease.status === "pending") continue;
      if (lease.status === "active" && lease.leaseToken) {
        return { id, secret: lease.secret, scope: lease.scope, status: "active", singleUse: lease.singleUse, expiresAt: lease.expiresAt, leaseToken: lease.leaseToken };
      }
      throw new ExecError(`lease ${id} for ${w.secret} was not approved (${lease.status})`);
    }
  }

  private async request(w: WantedSecret, justification: string, tool?: string): Promise<IssuedLease> {
    const lease = await this.bot.leases.request({ secret: w.secret, scope: w.scope, justification, ttlSeconds: this.opts.ttlSeconds, mount: this.opts.mount, ...(tool ? { tool } : {}) });
    if (lease.status !== "active") throw new ExecError(`${describeWanted(w)} now needs human approval`);
    return lease;
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => {});
    return run;
  }

  private scheduleRenewal() {
    // Renew with a fifth of the shortest lifetime left (at least two poll intervals).
    const now = Date.now();
    const pollMs = this.opts.pollMs ?? 2_000;
    this.renewAt = Math.min(
      ...this.held.filter((h) => !h.approved).map((h) => {
        const expires = new Date(h.lease.expiresAt).getTime();
        return expires - Math.max((expires - now) / 5, 2 * pollMs);
      }),
    );
  }

  private end(reason: string) {
    if (this.ended) return;
    this.ended = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    this.opts.onEnded(reason);
  }

  private async check() {
    if (this.ended) return;
    for (const h of this.held) {
      if (h.approved && Date.now() >= new Date(h.lease.expiresAt).getTime()) {
        return this.end(`approved lease ${h.lease.id} for ${h.secret} expired (approved leases are not renewed; run again to ask for approval)`);
      }
      try {
        const lease = await this.bot.leases.get(h.lease.id);
        if (ENDED_STATUSES.has(lease.status)) return this.end(`lease ${lease.id} for ${h.secret} was ${lease.status}`);
      } catch (err) {
        if (!(err instanceof NetworkError) && !(err instanceof RuntimeVaultError && err.status >= 500)) {
          return this.end(`lease ${h.lease.id} for ${h.secret} is no longer valid (${describeError(err)})`);
        }
        // The vault is unreachable: keep running until the lease would have expired.
        if (Date.now() >= new Date(h.lease.expiresAt).getTime()) return this.end(`lease ${h.lease.id} for ${h.secret} expired while the vault was unreachable`);
      }
    }
    if (Date.now() >= this.renewAt) {
      await this.renewInline(this.opts.renewalJustification());
    }
  }

  // Runs inside the queue (check() or renew()).
  private async renewInline(justification: string, tool?: string): Promise<"renewed" | "unreachable" | "refused"> {
    const renewable = this.held.filter((h) => !h.approved);
    const fresh: IssuedLease[] = [];
    try {
      for (const h of renewable) fresh.push(await this.request(h, justification, tool));
    } catch (err) {
      await Promise.all(fresh.map((l) => this.bot.leases.release(l.id).catch(() => {})));
      // A network failure leaves the current leases in place until they expire.
      if (err instanceof NetworkError) return "unreachable";
      this.end(`lease renewal refused (${describeError(err)})`);
      return "refused";
    }
    const old = renewable.map((h) => h.lease.id);
    renewable.forEach((h, i) => (h.lease = fresh[i]));
    this.scheduleRenewal();
    await Promise.all(old.map((id) => this.bot.leases.release(id).catch(() => {})));
    return "renewed";
  }
}
