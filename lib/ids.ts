import { randomBytes } from "node:crypto";

export type IdPrefix = "org" | "usr" | "tok" | "sec" | "ver" | "bot" | "grt" | "lse" | "evt" | "mnt" | "apr" | "ses";

/** Prefixed random id, e.g. `sec_3f9a…`: 96 random bits, readable in logs and URLs. */
export function newId(prefix: IdPrefix): string {
  return `${prefix}_${randomBytes(12).toString("hex")}`;
}

const ID_PATTERN = /^[a-z]{3}_[0-9a-f]{24}$/;

export function isId(value: string, prefix: IdPrefix): boolean {
  return value.startsWith(`${prefix}_`) && ID_PATTERN.test(value);
}
