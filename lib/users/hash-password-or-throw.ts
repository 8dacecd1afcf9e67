import { ApiError } from "@/lib/api/errors";
import { hashPassword, PasswordBusyError, verifyPassword } from "./password";

async function busyAs503<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (err instanceof PasswordBusyError) throw new ApiError("unavailable", err.message, {}, { "retry-after": "1" });
    throw err;
  }
}

/** hashPassword for the API and forms: a full password gate answers 503 instead of an internal error. */
export function hashPasswordOrThrow(password: string): Promise<string> {
  return busyAs503(hashPassword(password));
}

export function verifyPasswordOrThrow(password: string, stored: string): Promise<boolean> {
  return busyAs503(verifyPassword(password, stored));
}
