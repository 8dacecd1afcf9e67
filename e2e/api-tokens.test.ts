// Admin API tokens through the built app: created once with its plaintext in the 201
// only, refused with the same 401 as garbage from the request after it is revoked or
// expires (the bootstrap token included), members touch only their own tokens while an
// owner may revoke anyone's, listings carry no token or hash, and another org's token
// ids are "not found".
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { sealAudit, seedOrg, unique } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { transaction } from "../lib/db/prisma";
import { generateToken } from "../lib/crypto/tokens";
import { bootstrap } from "../lib/orgs/bootstrap";
import { createUser } from "../lib/users/create-user";
import { createApiToken } from "../lib/api-tokens/create-api-token";
import { SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { verifyAuditChain } from "../lib/audit/verify-audit-chain";
import type { Role } from "../lib/generated/prisma/enums";
import { client } from "./http";

let db: TestDatabase;
let server: TestServer;
let call: ReturnType<typeof client>;
const transcript: string[] = [];

const bootstrapToken = generateToken("rva_");
let orgId: string;
let ownerId: string;
let other: Awaited<ReturnType<typeof seedOrg>>;
/** Every plaintext token this suite has seen: none may show up in a listing. */
const seen: string[] = [bootstrapToken];

async function addMember(role: Role) {
  return transaction(db.prisma, async (tx) => {
    const user = await createUser(tx, { orgId, email: `${unique(role + "-")}@tokens.test`, password: "correct horse battery", role, actor: SYSTEM_ACTOR });
    const { id, token } = await createApiToken(tx, { orgId, userId: user.id, name: `${role} automation`, expiresInDays: 30, actor: SYSTEM_ACTOR });
    seen.push(token);
    return { id: user.id, tokenId: id, token };
  });
}

/** A fresh owner token made through the API, so tests do not depend on the bootstrap token surviving. */
async function ownerToken(name = unique("owner-")) {
  const res = await call("POST", "/api/v1/tokens", { token: bootstrapToken, body: { name, expiresInDays: 7 } });
  expect(res.status, res.text).toBe(201);
  seen.push(res.body.token);
  return res.body as { id: string; token: string };
}

const canRead = async (token: string) => (await call("GET", "/api/v1/secrets", { token })).status;

beforeAll(async () => {
  db = await createTestDatabase();
  const result = await bootstrap(db.prisma, { email: "owner@tokens.test", password: "a long enough password", apiToken: bootstrapToken });
  if (!result.created) throw new Error(result.reason);
  ({ orgId, userId: ownerId } = result);
  other = await seedOrg(db.prisma);
  seen.push(other.adminToken);
  server = await startServer({ databaseUrl: db.url });
  call = client(server.url, transcript);
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

describe("admin API tokens over HTTP", () => {
  it("creates a token shown once in the 201; it works, and is listed without its secret", async () => {
    const before = Date.now();
    const res = await call("POST", "/api/v1/tokens", { token: bootstrapToken, body: { name: "ci-deploy", expiresInDays: 30 } });
    expect(res.status, res.text).toBe(201);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(res.body).toMatchObject({ id: expect.stringMatching(/^tok_/), name: "ci-deploy", userId: ownerId, token: expect.stringMatching(/^rva_/) });
    const expires = Date.parse(res.body.expiresAt);
    expect(expires).toBeGreaterThanOrEqual(before + 30 * 86_400_000);
    expect(expires).toBeLessThanOrEqual(Date.now() + 30 * 86_400_000);
    seen.push(res.body.token);

    expect(await canRead(res.body.token)).toBe(200);
    const list = await call("GET", "/api/v1/tokens", { token: res.body.token });
    expect(list.status).toBe(200);
    const mine = list.body.tokens.find((t: { id: string }) => t.id === res.body.id);
    expect(mine).toMatchObject({ name: "ci-deploy", status: "active", current: true, userEmail: "owner@tokens.test", lastUsedAt: expect.any(String) });
    expect(list.body.tokens.find((t: { name: string }) => t.name === "bootstrap")).toMatchObject({ current: false, expiresAt: null, createdByTokenId: null });
    expect(mine.createdByTokenId).toBe(list.body.tokens.find((t: { name: string }) => t.name === "bootstrap").id);
    for (const t of list.body.tokens) expect(t).not.toHaveProperty("token");
  });

  it("refuses a revoked token on its very next request, with the same 401 as garbage", async () => {
    const { id, token } = await ownerToken();
    expect(await canRead(token)).toBe(200);
    const del = await call("DELETE", `/api/v1/tokens/${id}`, { token: bootstrapToken });
    expect([del.status, del.text]).toEqual([204, ""]);
    const refused = await call("GET", "/api/v1/secrets", { token });
    const garbage = await call("GET", "/api/v1/secrets", { token: generateToken("rva_") });
    expect(refused.status).toBe(401);
    expect(refused.text).toBe(garbage.text);
    // Writes too, and revoking again is a quiet no-op.
    expect((await call("POST", "/api/v1/tokens", { token, body: { name: "from a dead token" } })).status).toBe(401);
    expect((await call("DELETE", `/api/v1/tokens/${id}`, { token: bootstrapToken })).status).toBe(204);
    await sealAudit(db.prisma);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId, type: "api_token.revoked" } });
    expect(events.filter((e) => (e.data as { tokenId: string }).tokenId === id)).toHaveLength(1);
  });

  it("refuses an expired token with the same 401, and bad expiries with a 400", async () => {
    const { id, token } = await ownerToken();
    await db.prisma.apiToken.update({ where: { id }, data: { expiresAt: new Date(Date.now() - 1000) } });
    const refused = await call("GET", "/api/v1/tokens", { token });
    const garbage = await call("GET", "/api/v1/tokens", { token: generateToken("rva_") });
    expect(refused.status).toBe(401);
    expect(refused.text).toBe(garbage.text);
    const list = await call("GET", "/api/v1/tokens", { token: bootstrapToken });
    expect(list.body.tokens.find((t: { id: string }) => t.id === id).status).toBe("expired");

    for (const body of [{ name: "x", expiresInDays: 366 }, { name: "x", expiresInDays: 0 }, { name: "x", expiresInDays: null }, { name: "" }, { name: "x", userId: ownerId }]) {
      const res = await call("POST", "/api/v1/tokens", { token: bootstrapToken, body });
      expect([JSON.stringify(body), res.status, res.body.error.code]).toEqual([JSON.stringify(body), 400, "validation_failed"]);
    }
    const defaulted = await call("POST", "/api/v1/tokens", { token: bootstrapToken, body: { name: "defaulted" } });
    expect(Date.parse(defaulted.body.expiresAt) - Date.now()).toBeGreaterThan(89 * 86_400_000);
    expect(Date.parse(defaulted.body.expiresAt) - Date.now()).toBeLessThanOrEqual(90 * 86_400_000);
    seen.push(defaulted.body.token);
  });

  it("lets a member manage only their own tokens, and an owner anyone's", async () => {
    const admin = await addMember("admin");
    const security = await addMember("security");
    // Any role creates its own tokens, which carry that role.
    const made = await call("POST", "/api/v1/tokens", { token: security.token, body: { name: "siem-export" } });
    expect(made.status, made.text).toBe(201);
    seen.push(made.body.token);
    expect(made.body.userId).toBe(security.id);
    expect((await call("POST", "/api/v1/secrets", { token: made.body.token, body: { name: "NOT_ALLOWED", value: "x" } })).status).toBe(403);

    // An admin cannot revoke, or list, someone else's token.
    const theirs = await call("DELETE", `/api/v1/tokens/${security.tokenId}`, { token: admin.token });
    expect([theirs.status, theirs.body.error.code]).toEqual([404, "not_found"]);
    expect(await canRead(security.token)).toBe(200);
    const listAll = await call("GET", "/api/v1/tokens?all=true", { token: admin.token });
    expect([listAll.status, listAll.body.error.code]).toEqual([403, "forbidden"]);
    await sealAudit(db.prisma);
    expect(await db.prisma.auditEvent.count({ where: { orgId, type: "admin.denied", actorId: admin.id } })).toBe(1);
    const adminList = await call("GET", "/api/v1/tokens", { token: admin.token });
    expect(adminList.body.tokens.map((t: { userId: string }) => t.userId)).toEqual([admin.id]);

    // The owner sees everyone's and revokes the security member's token.
    const ownerList = await call("GET", "/api/v1/tokens?all=true", { token: bootstrapToken });
    expect(ownerList.status).toBe(200);
    expect(new Set(ownerList.body.tokens.map((t: { userId: string }) => t.userId))).toEqual(new Set([ownerId, admin.id, security.id]));
    expect((await call("DELETE", `/api/v1/tokens/${security.tokenId}`, { token: bootstrapToken })).status).toBe(204);
    expect(await canRead(security.token)).toBe(401);
    // A member revokes their own (here with the token itself).
    expect((await call("DELETE", `/api/v1/tokens/${made.body.id}`, { token: made.body.token })).status).toBe(204);
    expect(await canRead(made.body.token)).toBe(401);
  });

  it("isolates orgs: another org's token ids are not found and never listed", async () => {
    const { id: aTokenId, token: aToken } = await ownerToken("a-owner");
    const bList = await call("GET", "/api/v1/tokens?all=true", { token: other.adminToken });
    expect(bList.status).toBe(200);
    expect(bList.body.tokens.map((t: { userId: string }) => t.userId)).toEqual([other.user.id]);
    expect(bList.text).not.toContain(orgId);
    expect(bList.text).not.toContain(aTokenId);
    const del = await call("DELETE", `/api/v1/tokens/${aTokenId}`, { token: other.adminToken });
    expect([del.status, del.body.error.code]).toEqual([404, "not_found"]);
    expect(del.text).not.toContain(aTokenId);
    expect(await canRead(aToken)).toBe(200);
    await sealAudit(db.prisma);
    expect(await db.prisma.auditEvent.count({ where: { orgId: other.orgId, type: "api_token.revoked" } })).toBe(0);
  });

  it("answers bad ids with 400 and other verbs with a 405 in the API's shape", async () => {
    const bad = await call("DELETE", "/api/v1/tokens/not-an-id", { token: bootstrapToken });
    expect([bad.status, bad.body.error.code]).toEqual([400, "validation_failed"]);
    const missing = await call("DELETE", `/api/v1/tokens/tok_${"0".repeat(24)}`, { token: bootstrapToken });
    expect([missing.status, missing.body.error.code]).toEqual([404, "not_found"]);
    for (const [method, path, allow] of [
      ["PUT", "/api/v1/tokens", "GET, HEAD, POST, OPTIONS"],
      ["DELETE", "/api/v1/tokens", "GET, HEAD, POST, OPTIONS"],
      ["GET", `/api/v1/tokens/tok_${"0".repeat(24)}`, "DELETE, OPTIONS"],
      ["POST", `/api/v1/tokens/tok_${"0".repeat(24)}`, "DELETE, OPTIONS"],
    ]) {
      const res = await call(method, path, { token: bootstrapToken });
      expect([method, path, res.status, res.body.error.code, res.headers.get("allow")]).toEqual([method, path, 405, "method_not_allowed", allow]);
    }
    const unknownQuery = await call("GET", "/api/v1/tokens?all=yes", { token: bootstrapToken });
    expect(unknownQuery.status).toBe(400);
  });

  it("revokes the bootstrap token like any other (last: the suite used it throughout)", async () => {
    const successor = await ownerToken("successor");
    const list = await call("GET", "/api/v1/tokens", { token: bootstrapToken });
    const boot = list.body.tokens.find((t: { name: string }) => t.name === "bootstrap");
    expect(boot.current).toBe(true);
    // Revoked by the owner's other token; tokens it created live on.
    expect((await call("DELETE", `/api/v1/tokens/${boot.id}`, { token: successor.token })).status).toBe(204);
    const refused = await call("GET", "/api/v1/tokens", { token: bootstrapToken });
    expect([refused.status, refused.body.error.code]).toEqual([401, "unauthenticated"]);
    expect(await canRead(successor.token)).toBe(200);
    const after = await call("GET", "/api/v1/tokens", { token: successor.token });
    expect(after.body.tokens.find((t: { id: string }) => t.id === boot.id)).toMatchObject({ status: "revoked", revokedAt: expect.any(String) });
    expect(await verifyAuditChain(db.prisma, { orgId })).toMatchObject({ ok: true });
  });

  it("never put a token or a token hash in any listing response", async () => {
    const hashes = (await db.prisma.apiToken.findMany({ select: { tokenHash: true } })).map((r) => r.tokenHash);
    const listings = transcript.filter((line) => line.startsWith("GET /api/v1/tokens"));
    expect(listings.length).toBeGreaterThan(5);
    for (const line of listings) {
      for (const secret of [...seen, ...hashes]) expect(line).not.toContain(secret);
      expect(line).not.toMatch(/rva_|tokenHash/);
    }
  });
});
