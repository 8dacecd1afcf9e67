// The reference vault API (/v1/vault, the compatibility API), black-box over HTTP with
// the admin token: exactly its request and response shapes, 201/204, its grants gone
// after a delete, agents by id and by name, 401 without a token, 400 and 404 errors in
// the API's error shape, every action audited, nothing of another org reachable.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { sealAudit, seedMember, seedOrg, unique } from "../test/fixtures";
import { startServer, type TestServer } from "../test/server";
import { createClient } from "runtime-vault";
import { client, type HttpResult } from "./http";

let db: TestDatabase;
let server: TestServer;
let call: ReturnType<typeof client>;
let org: Awaited<ReturnType<typeof seedOrg>>;
let bot: { id: string; name: string };
const transcript: string[] = [];
const VALUE = `sk-compat-${crypto.randomUUID()}`;
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url });
  call = client(server.url, transcript);
  org = await seedOrg(db.prisma);
  const created = await createClient({ url: server.url, token: org.adminToken }).admin.bots.create({ name: unique("agent-") });
  bot = { id: created.id, name: created.name };
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
});

const as = (token: string) => ({
  post: (path: string, body: unknown) => call("POST", path, { token, body }),
  get: (path: string) => call("GET", path, { token }),
  del: (path: string) => call("DELETE", path, { token }),
});

function expectError(res: HttpResult, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers.get("content-type")).toContain("application/json");
  expect(res.body).toEqual({ error: expect.objectContaining({ code, message: expect.any(String) }) });
}

describe("/v1/vault compatibility API", () => {
  it("POST /v1/vault/secrets → 201 {id, name, created_at}, GET lists them without values", async () => {
    const api = as(org.adminToken);
    const created = await api.post("/v1/vault/secrets", { name: "OPENAI_API_KEY", value: VALUE });
    expect(created.status).toBe(201);
    expect(Object.keys(created.body).sort()).toEqual(["created_at", "id", "name"]);
    expect(created.body).toEqual({ id: expect.stringMatching(/^sec_/), name: "OPENAI_API_KEY", created_at: expect.stringMatching(ISO) });
    const scoped = await api.post("/v1/vault/secrets", { name: "OPENAI_API_KEY", value: `${VALUE}-ci`, scope: "ci" });
    expect(scoped.status).toBe(201);
    const row = await db.prisma.secret.findUniqueOrThrow({ where: { id: scoped.body.id } });
    expect(row.scope).toBe("ci");

    const listed = await api.get("/v1/vault/secrets");
    expect(listed.status).toBe(200);
    expect(Array.isArray(listed.body)).toBe(true);
    expect(listed.body).toEqual(expect.arrayContaining([created.body, scoped.body]));
    for (const s of listed.body) expect(Object.keys(s).sort()).toEqual(["created_at", "id", "name"]);
    expect(transcript.join("\n")).not.toContain(VALUE.slice(10));
  });

  it("POST /v1/vault/grants by agent id and by agent name → 201 {grant_id, agent_id, secret_id, created_at}", async () => {
    const api = as(org.adminToken);
    const a = await api.post("/v1/vault/secrets", { name: "STRIPE_KEY", value: `${VALUE}-a` });
    const b = await api.post("/v1/vault/secrets", { name: "GITHUB_TOKEN", value: `${VALUE}-b` });
    const byId = await api.post("/v1/vault/grants", { agent_id: bot.id, secret_id: a.body.id });
    expect(byId.status).toBe(201);
    expect(Object.keys(byId.body).sort()).toEqual(["agent_id", "created_at", "grant_id", "secret_id"]);
    expect(byId.body).toEqual({ grant_id: expect.stringMatching(/^grt_/), agent_id: bot.id, secret_id: a.body.id, created_at: expect.stringMatching(ISO) });
    const byName = await api.post("/v1/vault/grants", { agent_id: bot.name, secret_id: b.body.id });
    expect(byName.status).toBe(201);
    expect(byName.body).toMatchObject({ agent_id: bot.id, secret_id: b.body.id });
    // The same grant twice is a conflict, in the API's error shape.
    expectError(await api.post("/v1/vault/grants", { agent_id: bot.name, secret_id: b.body.id }), 409, "conflict");
    // The grants are the admin API's grants.
    const grants = await api.get(`/api/v1/grants?botId=${bot.id}`);
    expect(grants.body.grants.map((g: { id: string }) => g.id).sort()).toEqual([byId.body.grant_id, byName.body.grant_id].sort());
  });

  it("DELETE /v1/vault/secrets/{id} → 204 with the secret's grants gone; then 404", async () => {
    const api = as(org.adminToken);
    const secret = await api.post("/v1/vault/secrets", { name: "DOOMED_KEY", value: `${VALUE}-d` });
    const grant = await api.post("/v1/vault/grants", { agent_id: bot.id, secret_id: secret.body.id });
    expect(grant.status).toBe(201);
    const deleted = await api.del(`/v1/vault/secrets/${secret.body.id}`);
    expect(deleted.status).toBe(204);
    expect(deleted.text).toBe("");
    expect(await db.prisma.grant.count({ where: { id: grant.body.grant_id } })).toBe(0);
    expect((await api.get(`/api/v1/grants?secretId=${secret.body.id}`)).body.grants).toEqual([]);
    expect((await api.get("/v1/vault/secrets")).body.map((s: { id: string }) => s.id)).not.toContain(secret.body.id);
    expectError(await api.del(`/v1/vault/secrets/${secret.body.id}`), 404, "not_found");
    expectError(await api.del("/v1/vault/secrets/not-an-id"), 404, "not_found");
  });

  it("answers 401 without a token (or with a bot's), 403 for a viewer", async () => {
    for (const [method, path, body] of [
      ["GET", "/v1/vault/secrets", undefined],
      ["POST", "/v1/vault/secrets", { name: "X_KEY", value: "x" }],
      ["DELETE", "/v1/vault/secrets/sec_000000000000000000000000", undefined],
      ["POST", "/v1/vault/grants", { agent_id: bot.id, secret_id: "sec_000000000000000000000000" }],
    ] as const) {
      expectError(await call(method, path, { body }), 401, "unauthenticated");
      expectError(await call(method, path, { body, token: "rvb_not-an-admin-token" }), 401, "unauthenticated");
    }
    const viewer = await seedMember(db.prisma, org.orgId, "viewer");
    expect((await as(viewer.token).get("/v1/vault/secrets")).status).toBe(200);
    expect((await as(viewer.token).post("/v1/vault/secrets", { name: "VIEWER_KEY", value: "x" })).status).toBe(403);
    expect((await as(viewer.token).post("/v1/vault/grants", { agent_id: bot.id, secret_id: "sec_000000000000000000000000" })).status).toBe(403);
  });

  it("refuses bad input with 400 and zod issues, unknown agents and secrets with 404", async () => {
    const api = as(org.adminToken);
    const bad = await api.post("/v1/vault/secrets", { name: "lower case", value: "" });
    expectError(bad, 400, "validation_failed");
    expect(bad.body.error.issues.map((i: { path: string[] }) => i.path[0]).sort()).toEqual(["name", "value"]);
    const extra = await api.post("/v1/vault/secrets", { name: "OK_KEY", value: "v", description: "not in the reference API" });
    expectError(extra, 400, "validation_failed");
    expect(extra.body.error.issues).toEqual([expect.objectContaining({ code: "unrecognized_keys" })]);
    expectError(await call("POST", "/v1/vault/secrets", { token: org.adminToken, raw: "{not json" }), 400, "invalid_json");
    const missing = await api.post("/v1/vault/grants", { agent_id: bot.id });
    expectError(missing, 400, "validation_failed");
    expect(missing.body.error.issues.map((i: { path: string[] }) => i.path[0])).toEqual(["secret_id"]);

    const secret = await api.post("/v1/vault/secrets", { name: "LONELY_KEY", value: `${VALUE}-l` });
    expectError(await api.post("/v1/vault/grants", { agent_id: "no-such-agent", secret_id: secret.body.id }), 404, "not_found");
    expectError(await api.post("/v1/vault/grants", { agent_id: "bot_000000000000000000000000", secret_id: secret.body.id }), 404, "not_found");
    expectError(await api.post("/v1/vault/grants", { agent_id: bot.id, secret_id: "sec_000000000000000000000000" }), 404, "not_found");
    expectError(await api.post("/v1/vault/grants", { agent_id: bot.id, secret_id: "whatever" }), 404, "not_found");
    expectError(await api.get("/v1/vault/nothing-here"), 404, "not_found");
    expectError(await api.post("/v1/other", {}), 404, "not_found");
    expectError(await call("PUT", "/v1/vault/secrets", { token: org.adminToken, body: {} }), 405, "method_not_allowed");
  });

  it("keeps orgs apart: another org's secrets and agents are unknown", async () => {
    const other = await seedOrg(db.prisma);
    const theirs = as(other.adminToken);
    const mine = await as(org.adminToken).post("/v1/vault/secrets", { name: "PRIVATE_KEY", value: `${VALUE}-p` });
    expect((await theirs.get("/v1/vault/secrets")).body).toEqual([]);
    expectError(await theirs.del(`/v1/vault/secrets/${mine.body.id}`), 404, "not_found");
    const own = await theirs.post("/v1/vault/secrets", { name: "THEIR_KEY", value: "theirs" });
    expectError(await theirs.post("/v1/vault/grants", { agent_id: bot.id, secret_id: own.body.id }), 404, "not_found");
    expectError(await theirs.post("/v1/vault/grants", { agent_id: bot.name, secret_id: own.body.id }), 404, "not_found");
    expect(await db.prisma.secret.count({ where: { id: mine.body.id } })).toBe(1);
  });

  it("audits every action as the admin API does, without values", async () => {
    await sealAudit(db.prisma, org.orgId);
    const events = await db.prisma.auditEvent.findMany({ where: { orgId: org.orgId }, orderBy: { seq: "asc" } });
    const types = events.map((e) => e.type);
    expect(types.filter((t) => t === "secret.created").length).toBeGreaterThanOrEqual(6);
    expect(types.filter((t) => t === "grant.created")).toHaveLength(3);
    expect(types).toContain("secret.deleted");
    const doomed = events.find((e) => e.type === "secret.deleted")!;
    expect(doomed).toMatchObject({ actorType: "user", actorId: org.user.id, secretName: "DOOMED_KEY" });
    expect(JSON.stringify(events, (_k, v) => (typeof v === "bigint" ? String(v) : v))).not.toContain(VALUE);
  });
});
