import { randomBytes } from "node:crypto";
import pg from "pg";

/** URL of database `name` on the same server as `baseUrl`. */
export function databaseUrl(baseUrl: string, name: string): string {
  const u = new URL(baseUrl);
  u.pathname = `/${name}`;
  return u.toString();
}

export async function createDatabase(baseUrl: string, name: string, template?: string): Promise<string> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`CREATE DATABASE "${name}"${template ? ` TEMPLATE "${template}"` : ""}`);
  } finally {
    await client.end();
  }
  return databaseUrl(baseUrl, name);
}

export async function dropDatabase(baseUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: baseUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/** Runs `fn` against a fresh empty database that is dropped afterwards. */
export async function withScratchDatabase<T>(baseUrl: string, fn: (url: string) => Promise<T>): Promise<T> {
  const name = `rv_scratch_${randomBytes(6).toString("hex")}`;
  const url = await createDatabase(baseUrl, name);
  try {
    return await fn(url);
  } finally {
    await dropDatabase(baseUrl, name);
  }
}
