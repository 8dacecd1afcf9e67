import { z } from "zod";
import { isStorableText, isWellFormedText, MALFORMED_TEXT_MESSAGE, UNSTORABLE_TEXT_MESSAGE } from "@/lib/db/storable-text";

export const SECRET_NAME = /^[A-Z][A-Z0-9_]{0,127}$/;
export const SCOPE = /^[a-z][a-z0-9-]{0,63}$/;
export const MAX_VALUE_BYTES = 64 * 1024;

export const secretNameSchema = z.string().regex(SECRET_NAME, "Use UPPER_SNAKE_CASE, starting with a letter (max 128)");
export const scopeSchema = z.string().regex(SCOPE, "Use lower-case letters, digits and dashes, starting with a letter (max 64)");

/**
 * Free text that is stored, audited or compared: refused when PostgreSQL would store it
 * differently from what was sent (lone surrogates, NUL; see lib/db/storable-text.ts).
 * Every free-text field uses this instead of z.string(); patterned fields (names, ids)
 * exclude such characters by their pattern.
 */
export const textSchema = (params?: Parameters<typeof z.string>[0]) => z.string(params).refine(isStorableText, UNSTORABLE_TEXT_MESSAGE);

/** Text that is sealed, not stored as text: NUL is fine, a lone surrogate would come back as U+FFFD. */
export const sealedTextSchema = () => z.string().refine(isWellFormedText, MALFORMED_TEXT_MESSAGE);

export const idSchema = (prefix: string) =>
  z.string().regex(new RegExp(`^${prefix}_[0-9a-f]{24}$`), `Expected a ${prefix}_ id`);

export const ttlSecondsSchema = z.number().int().min(1).max(60 * 60 * 24 * 30);

export const limitSchema = z.coerce.number().int().min(1).max(500).default(50);

/**
 * An audit event's seq as sent back by clients (a page cursor, Last-Event-ID). The column
 * is a PostgreSQL bigint: a larger number was a database range error, a 500, not a 400.
 */
export const seqSchema = (message: string) =>
  z
    .string()
    .regex(/^\d{1,19}$/, message)
    // Zod runs refinements after a failed regex too: BigInt() must only see digits.
    .refine((v) => !/^\d{1,19}$/.test(v) || BigInt(v) <= 9223372036854775807n, message);
