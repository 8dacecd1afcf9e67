// Kept free of Next imports: Playwright's seeding (e2e/support/vault.ts) loads it.
//
// Password hashing: argon2id (OWASP's minimum, m=19 MiB, t=2, p=1) computed by
// @node-rs/argon2 on libuv's thread pool, so a burst of sign-ins never blocks the event
// loop that serves the bot API. Hashes made before it are bcrypt (bcryptjs, pure
// JavaScript on the event loop): still verified, one at a time, and replaced by
// argon2id at the member's next successful sign-in (needsRehash).
//
// All password work also passes one gate per process: at most passwordConcurrency()
// hashes at once (each argon2id hash holds 19 MiB and a core), at most PASSWORD_QUEUE
// waiting; past that the request is refused at once rather than queued without bound.
import { hash as argon2Hash, verify as argon2Verify, type Algorithm } from "@node-rs/argon2";
import bcrypt from "bcryptjs";
import { randomBytes } from "node:crypto";
import { availableParallelism } from "node:os";

const ARGON2 = { algorithm: 2 as Algorithm /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 };
const ARGON2_PREFIX = `$argon2id$v=19$m=${ARGON2.memoryCost},t=${ARGON2.timeCost},p=${ARGON2.parallelism}$`;

export const PASSWORD_QUEUE = 64;

/**
 * RV_PASSWORD_CONCURRENCY, else one less than the cores (at least one): a flood of
 * sign-ins keeps a core for the event loop, which serves the bot API.
 */
export function passwordConcurrency(env: Record<string, string | undefined> = process.env): number {
  const n = Number(env.RV_PASSWORD_CONCURRENCY);
  return Number.isInteger(n) && n > 0 ? n : Math.max(1, availableParallelism() - 1);
}

/** Callers answer it as "busy, try again" (lib/users/hash-password-or-throw.ts maps it to a 503). */
export class PasswordBusyError extends Error {
  constructor() {
    super("The server is busy; try again in a moment.");
    this.name = "PasswordBusyError";
  }
}

class Gate {
  private running = 0;
  private waiting: (() => void)[] = [];
  constructor(
    private readonly max: number,
    private readonly maxWaiting: number,
  ) {}

  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running >= this.max) {
      if (this.waiting.length >= this.maxWaiting) throw new PasswordBusyError();
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.running++;
    }
    try {
      return await fn();
    } finally {
      // Hand the slot straight to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

// One pair of gates per process: route handlers and server actions may be separate bundles.
const GATES = Symbol.for("runtime-vault.password-gates");
type Global = typeof globalThis & { [GATES]?: { all: Gate; bcrypt: Gate } };
function gates() {
  const g = globalThis as Global;
  return (g[GATES] ??= { all: new Gate(passwordConcurrency(), PASSWORD_QUEUE), bcrypt: new Gate(1, PASSWORD_QUEUE) });
}

export function hashPassword(password: string): Promise<string> {
  return gates().all.run(() => argon2Hash(password, ARGON2));
}

function isBcrypt(stored: string): boolean {
  return /^\$2[aby]\$/.test(stored);
}

export function verifyPassword(password: string, stored: string): Promise<boolean> {
  return gates().all.run(async () => {
    // bcryptjs runs on the event loop in 100 ms slices: one at a time, so I/O gets a turn between slices.
    if (isBcrypt(stored)) return gates().bcrypt.run(() => bcrypt.compare(password, stored));
    if (!stored.startsWith("$argon2")) return false;
    try {
      return await argon2Verify(stored, password);
    } catch {
      return false;
    }
  });
}

/** A hash that is not argon2id with today's parameters: replace it at the next successful sign-in. */
export function needsRehash(stored: string): boolean {
  return !stored.startsWith(ARGON2_PREFIX);
}

let dummy: Promise<string> | undefined;

/**
 * Verified against when the email is unknown, so unknown emails cost the same work (and
 * time) as members with current hashes. Made once per process from random bytes.
 */
export function dummyPasswordHash(): Promise<string> {
  return (dummy ??= argon2Hash(randomBytes(24).toString("base64url"), ARGON2));
}
