// The `runtime-vault` CLI as a user runs it (node client/bin/runtime-vault.js, compiled by npm run build:client) against the
// built server on real PostgreSQL: admin commands, config file rules, `exec` with
// masking, exit code and signal propagation, lease release and revocation.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { chmodSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createTestDatabase, type TestDatabase } from "../test/database";
import { seedOrg, unique } from "../test/fixtures";
import { transaction } from "../lib/db/prisma";
import { SYSTEM_ACTOR } from "../lib/audit/record-audit-event";
import { createUser } from "../lib/users/create-user";
import { createApiToken } from "../lib/api-tokens/create-api-token";
import { startServer, type TestServer } from "../test/server";
import { runScript } from "../test/run-process";

const ROOT = path.resolve(__dirname, "..");
const CLI = path.join(ROOT, "client", "bin", "runtime-vault.js");
const VALUE = `bill-${randomBytes(12).toString("hex")}"/é`;
const ROTATED = `bill-rotated-${randomBytes(12).toString("hex")}`;
const MASTER_KEY = randomBytes(32).toString("base64");
const justification = "Nightly billing export for the CLI suite";

let db: TestDatabase;
let server: TestServer;
let adminToken: string;
let orgId: string;
let botToken: string;
let tmp: string;
const transcript: string[] = [];

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function baseEnv(extra: Record<string, string | undefined>): Record<string, string | undefined> {
  const env: Record<string, string | undefined> = { PATH: process.env.PATH, HOME: tmp, RV_POLL_MS: "300" };
  for (const [k, v] of Object.entries(extra)) if (v !== undefined) env[k] = v;
  return env;
}

function start(args: string[], env: Record<string, string | undefined> = {}): { child: ChildProcess; done: Promise<Run>; out: () => string; err: () => string } {
  const child = spawn(process.execPath, [CLI, ...args], { cwd: tmp, env: baseEnv({ RV_URL: server.url, ...env }) as NodeJS.ProcessEnv, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout!.on("data", (c) => (stdout += c));
  child.stderr!.on("data", (c) => (stderr += c));
  const done = new Promise<Run>((resolve) =>
    child.on("close", (code, signal) => {
      transcript.push(`$ runtime-vault ${args.join(" ")}\n${stdout}${stderr}`);
      resolve({ code, signal, stdout, stderr });
    }),
  );
  return { child, done, out: () => stdout, err: () => stderr };
}

function cli(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; admin?: boolean; bot?: boolean } = {}): Promise<Run> {
  const env = { ...(opts.admin !== false ? { RV_TOKEN: adminToken } : {}), ...(opts.bot ? { RV_BOT_TOKEN: botToken } : {}), ...opts.env };
  const run = start(args, env);
  run.child.stdin!.end(opts.input ?? "");
  return run.done;
}

async function waitFor(cond: () => boolean, timeoutMs = 15_000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Running, and not a zombie (nobody may be left to reap it). */
function isAlive(pid: number): boolean {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, "utf8"));
  } catch {
    return false;
  }
}

/** Triggers events until the tail has printed one: it is connected then. */
async function waitForLiveEvent(out: () => string, trigger: () => Promise<void>) {
  for (let i = 0; i < 30 && !out().trim(); i++) {
    await trigger();
    await new Promise((r) => setTimeout(r, 500));
  }
  expect(out().trim()).not.toBe("");
}

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), "rv-cli-"));
  db = await createTestDatabase();
  server = await startServer({ databaseUrl: db.url, env: { RV_MASTER_KEY: MASTER_KEY, RV_AUDIT_ANCHOR_FILE: path.join(tmp, "audit-anchor.jsonl") } });
  ({ adminToken, orgId } = await seedOrg(db.prisma));
});
afterAll(async () => {
  await server?.stop();
  await db?.drop();
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

describe("runtime-vault admin commands", () => {
  it("sets a secret from stdin without echoing it, and answers exists with true/false and exit 0/1", async () => {
    const set = await cli(["secret", "set", "BILLING_KEY", "--scope", "production"], { input: `${VALUE}\n` });
    expect(set).toMatchObject({ code: 0, stdout: "" });
    expect(set.stderr).toContain("created BILLING_KEY (production), version 1");
    expect(await cli(["secret", "exists", "BILLING_KEY", "--scope", "production"])).toMatchObject({ code: 0, stdout: "true\n" });
    expect(await cli(["secret", "exists", "BILLING_KEY"])).toMatchObject({ code: 1, stdout: "false\n" });

    writeFileSync(path.join(tmp, "rotated.txt"), ROTATED);
    const rotate = await cli(["secret", "rotate", "BILLING_KEY", "--scope", "production", "--from-file", "rotated.txt"]);
    expect(rotate.stderr).toContain("to version 2");
    const again = await cli(["secret", "set", "BILLING_KEY", "--scope", "production", "--from-file", "rotated.txt", "--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ created: false, currentVersion: 3 });

    const onCommandLine = await cli(["secret", "set", "SCRATCH_KEY", "scratch-value-1"]);
    expect(onCommandLine.stderr).toContain("warning: a value on the command line is visible");
    const list = await cli(["secret", "list", "--json"]);
    expect(JSON.parse(list.stdout).map((s: { name: string; scope: string }) => `${s.name}@${s.scope}`)).toEqual(["BILLING_KEY@production", "SCRATCH_KEY@default"]);
    const table = await cli(["secret", "list", "--scope", "production"]);
    expect(table.stdout).toMatch(/^NAME\s+SCOPE\s+CURRENTVERSION\nBILLING_KEY\s+production\s+3\n$/);
    expect((await cli(["secret", "delete", "SCRATCH_KEY"])).code).toBe(0);
    expect(await cli(["secret", "exists", "SCRATCH_KEY"])).toMatchObject({ code: 1 });
  });

  it("reads a config file only when nobody else can read it", async () => {
    const file = path.join(tmp, "config.json");
    writeFileSync(file, JSON.stringify({ url: server.url, token: adminToken }));
    chmodSync(file, 0o644);
    const open = await cli(["secret", "list", "--config", file], { admin: false, env: { RV_URL: undefined } });
    expect(open.code).toBe(1);
    expect(open.stderr).toContain("chmod 600");
    chmodSync(file, 0o600);
    const ok = await cli(["secret", "list", "--config", file, "--json"], { admin: false, env: { RV_URL: undefined } });
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toHaveLength(1);
    const none = await cli(["secret", "list"], { admin: false });
    expect(none).toMatchObject({ code: 1, stderr: expect.stringContaining("set RV_TOKEN") });
  });

  it("creates, grants and freezes bots", async () => {
    const created = await cli(["bot", "create", "billing-bot", "--json"]);
    botToken = JSON.parse(created.stdout).token;
    expect(botToken).toMatch(/^rvb_/);
    const grant = JSON.parse((await cli(["grant", "add", "--bot", "billing-bot", "--secret", "BILLING_KEY", "--scope", "production", "--max-ttl", "30m", "--json"])).stdout);
    expect(grant).toMatchObject({ maxTtlSeconds: 1800, bot: { name: "billing-bot" }, secret: { name: "BILLING_KEY" } });
    expect((await cli(["grant", "list"])).stdout).toMatch(/billing-bot\s+BILLING_KEY\s+production\s+1800/);
    expect((await cli(["bot", "freeze", "billing-bot", "--reason", "drill"])).stderr).toContain("froze billing-bot");
    const frozen = await cli(["exec", "--secret", "BILLING_KEY", "--scope", "production", "-j", justification, "--", "true"], { bot: true });
    expect(frozen).toMatchObject({ code: 1, stderr: expect.stringContaining("bot_frozen") });
    expect((await cli(["bot", "unfreeze", "billing-bot"])).code).toBe(0);
    expect((await cli(["bot", "list"])).stdout).toMatch(/billing-bot\s+bot_[0-9a-f]+\s+default\s+false\s+1/);
  });

  it("gives a bot an environment: its leases use that scope unless they name one, and a denial names the scope it tried", async () => {
    const created = JSON.parse((await cli(["bot", "create", "env-bot", "--env", "production", "--json"])).stdout);
    expect(created.environment).toBe("production");
    const env = { RV_BOT_TOKEN: created.token };
    await cli(["grant", "add", "--bot", "env-bot", "--secret", "BILLING_KEY", "--scope", "production"]);
    const script = "console.log(process.env.BILLING_KEY === undefined ? 'missing' : 'present')";
    const leased = await cli(["exec", "--secret", "BILLING_KEY", "-j", justification, "--", process.execPath, "-e", script], { env });
    expect(leased).toMatchObject({ code: 0, stdout: "present\n" });
    const moved = await cli(["bot", "set-env", "env-bot", "staging"]);
    expect(moved.stderr).toContain("env-bot now leases from scope staging");
    const denied = await cli(["exec", "--secret", "BILLING_KEY", "-j", justification, "--", process.execPath, "-e", script], { env });
    expect(denied).toMatchObject({ code: 1, stderr: expect.stringContaining('permission_denied: This bot is not permitted to lease that secret in scope "staging"') });
    expect((await cli(["bot", "list"])).stdout).toMatch(/env-bot\s+bot_[0-9a-f]+\s+staging\s+false/);
  });
});

describe("runtime-vault grant remove", () => {
  it("removes a grant by id: gone from the list, and the bot can no longer lease", async () => {
    const created = JSON.parse((await cli(["bot", "create", "removal-bot", "--json"])).stdout);
    const removalEnv = { RV_BOT_TOKEN: created.token };
    const grant = JSON.parse((await cli(["grant", "add", "--bot", "removal-bot", "--secret", "BILLING_KEY", "--scope", "production", "--json"])).stdout);
    expect(grant.id).toMatch(/^grt_/);
    const before = await cli(["exec", "--secret", "BILLING_KEY", "--scope", "production", "-j", justification, "--", "true"], { env: removalEnv });
    expect(before.code).toBe(0);

    const removed = await cli(["grant", "remove", grant.id]);
    expect(removed).toMatchObject({ code: 0, stdout: "" });
    expect(removed.stderr).toContain(`removed grant ${grant.id}`);
    expect(JSON.parse((await cli(["grant", "list", "--bot", "removal-bot", "--json"])).stdout)).toEqual([]);
    // billing-bot's grant on the same secret is untouched.
    expect((await cli(["grant", "list", "--bot", "billing-bot"])).stdout).toMatch(/billing-bot\s+BILLING_KEY\s+production/);

    const after = await cli(["exec", "--secret", "BILLING_KEY", "--scope", "production", "-j", justification, "--", "true"], { env: removalEnv });
    expect(after).toMatchObject({ code: 1, stderr: expect.stringContaining("permission_denied") });
    const again = await cli(["grant", "remove", grant.id, "--json"]);
    expect(again).toMatchObject({ code: 1, stdout: "", stderr: expect.stringContaining("not_found") });
  });
});

describe("runtime-vault exec", () => {
  const printer = `
    const v = process.env.BILLING;
    const b64 = Buffer.from("user:" + v).toString("base64");
    process.stdout.write("raw=" + v.slice(0, 7));
    setTimeout(() => {
      process.stdout.write(v.slice(7) + "\\n" + JSON.stringify({ key: v }) + "\\nb64=" + b64 + "\\n");
      process.stderr.write("err=" + v + "\\n");
      console.log("bot token in env:", process.env.RV_BOT_TOKEN !== undefined, process.env.RV_TOKEN !== undefined);
      process.exit(7);
    }, 100);`;

  it("runs the command with the value, masks every form of it, and passes the exit code", async () => {
    const run = await cli(["exec", "--secret", "BILLING_KEY=BILLING", "--scope", "production", "--justification", justification, "--", process.execPath, "-e", printer], { bot: true });
    expect(run.code).toBe(7);
    expect(run.stdout).toBe(
      'raw=<secret:BILLING_KEY>\n{"key":"<secret:BILLING_KEY>"}\n' +
        `b64=${run.stdout.match(/b64=(\S+)/)![1]}\nbot token in env: false false\n`,
    );
    expect(run.stdout).toMatch(/b64=\S*<secret:BILLING_KEY>/);
    expect(run.stderr).toContain("err=<secret:BILLING_KEY>");
    expect(run.stdout + run.stderr).not.toContain(ROTATED);
  });

  it("released the leases when the command exited", async () => {
    const leases = JSON.parse((await cli(["lease", "list", "--bot", "billing-bot", "--json"])).stdout);
    expect(leases.length).toBeGreaterThan(0);
    expect(leases.filter((l: { status: string }) => l.status === "active")).toEqual([]);
    expect(leases[0]).toMatchObject({ status: "released", revokeReason: "released by bot", justification });
  });

  it("substitutes {{secret:NAME}} in arguments with a warning, and passes stdin through", async () => {
    const script = `let s="";process.stdin.on("data",d=>s+=d).on("end",()=>console.log(process.argv[1].length, process.argv[1]===require("fs").readFileSync("rotated.txt","utf8"), s.trim()))`;
    const run = await cli(
      ["exec", "--secret", "BILLING_KEY=", "--scope", "production", "-j", justification, "--", process.execPath, "-e", script, "{{secret:BILLING_KEY}}"],
      { bot: true, input: "from stdin\n" },
    );
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`${ROTATED.length} true from stdin\n`);
    expect(run.stderr).toContain("warning: BILLING_KEY is passed to");
  });

  it("dies of the same signal as the command", async () => {
    const run = await cli(["exec", "--secret", "BILLING_KEY", "--scope", "production", "-j", justification, "--", process.execPath, "-e", "process.kill(process.pid, 'SIGTERM')"], { bot: true });
    expect(run).toMatchObject({ code: null, signal: "SIGTERM" });
  });

  it("stops the command when its lease is revoked (SIGTERM), and exits 124", async () => {
    const script = `process.on("SIGTERM", () => { console.log("got SIGTERM"); process.exit(0); }); console.log("ready"); setInterval(() => {}, 1000);`;
    const run = start(["exec", "--secret", "BILLING_KEY", "--scope", "production", "-j", justification, "--", process.execPath, "-e", script], { RV_BOT_TOKEN: botToken });
    await waitFor(() => run.out().includes("ready"));
    const revoke = await cli(["revoke-all", "--bot", "billing-bot", "--reason", "suspicious export"]);
    expect(revoke.stderr).toMatch(/revoked [1-9]\d* lease/);
    const result = await run.done;
    expect(result.code).toBe(124);
    expect(result.stdout).toBe("ready\ngot SIGTERM\n");
    expect(result.stderr).toMatch(/lease lse_[0-9a-f]+ for BILLING_KEY was revoked; stopping/);
  });

  it("kills a command that ignores SIGTERM after the grace period", async () => {
    const script = `process.on("SIGTERM", () => console.log("ignoring SIGTERM")); console.log("ready"); setInterval(() => {}, 1000);`;
    const run = start(["exec", "--secret", "BILLING_KEY", "--scope", "production", "--grace", "1s", "-j", justification, "--", process.execPath, "-e", script], { RV_BOT_TOKEN: botToken });
    await waitFor(() => run.out().includes("ready"));
    const [lease] = JSON.parse((await cli(["lease", "list", "--bot", "billing-bot", "--status", "active", "--json"])).stdout);
    expect((await cli(["lease", "revoke", lease.id, "--reason", "drill"])).stderr).toContain(`revoked ${lease.id}`);
    const result = await run.done;
    expect(result.code).toBe(124);
    expect(result.stdout).toBe("ready\nignoring SIGTERM\n");
  });

  it("leaves no token in /proc/<pid>/environ of the CLI or anything between it and the command", async () => {
    // The command, behind an intermediate shell, walks up its ancestors to the test
    // process and dumps each one's initial environment, reversed (which masking does
    // not catch), and says whether it saw a token there.
    const script = `
      const fs = require("fs");
      const parentOf = (pid) => Number(fs.readFileSync("/proc/" + pid + "/stat", "utf8").split(") ")[1].split(" ")[1]);
      for (let pid = process.ppid; pid > 1 && pid !== Number(process.env.TEST_PID); pid = parentOf(pid)) {
        const environ = fs.readFileSync("/proc/" + pid + "/environ", "latin1");
        console.log(pid, "RV_URL:", environ.includes("RV_URL="), "token:", /RV_(BOT_)?TOKEN=|rv[ab]_/.test(environ));
        console.log([...environ].reverse().join(""));
      }`;
    const run = start(["exec", "--secret", "BILLING_KEY", "--scope", "production", "-j", justification, "--", "sh", "-c", '"$0" -e "$1"; exit $?', process.execPath, script], {
      RV_BOT_TOKEN: botToken,
      RV_TOKEN: adminToken,
      TEST_PID: String(process.pid),
    });
    const result = await run.done;
    expect(result.code).toBe(0);
    expect(result.stderr).not.toContain("could not remove");
    const seen = [...result.stdout.matchAll(/^(\d+) RV_URL: (\w+) token: (\w+)$/gm)].map((m) => ({ pid: Number(m[1]), read: m[2], token: m[3] }));
    // The shell, then the CLI itself: both read, neither holds a token.
    expect(seen).toEqual([
      { pid: expect.any(Number), read: "true", token: "false" },
      { pid: run.child.pid, read: "true", token: "false" },
    ]);
    const reversed = (s: string) => [...s].reverse().join("");
    for (const token of [botToken, adminToken]) {
      expect(result.stdout).not.toContain(token);
      expect(result.stdout).not.toContain(reversed(token));
    }
  });

  it("masks the bot token like a value when the command prints it", async () => {
    // As if the command had read it from the config file, which its user can read.
    const script = `const t = process.env.FOUND_TOKEN; console.log(t); console.log(Buffer.from(t).toString("base64")); console.log(Buffer.from(t).toString("hex"))`;
    const run = await cli(["exec", "--secret", "BILLING_KEY", "--scope", "production", "-j", justification, "--", process.execPath, "-e", script], {
      bot: true,
      env: { FOUND_TOKEN: botToken },
    });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe("<secret:RV_BOT_TOKEN>\n".repeat(3));
  });
});

describe("runtime-vault exec with an approval rule", () => {
  it("waits for a human to approve, then runs the command", async () => {
    // A second admin: the bot's creator may not approve its requests.
    const approverToken = await transaction(db.prisma, async (tx) => {
      const user = await createUser(tx, { orgId, email: `${unique("approver-")}@example.test`, password: "correct horse battery", role: "admin", actor: SYSTEM_ACTOR });
      return (await createApiToken(tx, { orgId, userId: user.id, name: "approver", actor: SYSTEM_ACTOR })).token;
    });
    expect((await cli(["secret", "set", "PAYROLL_KEY", "--tag", "sensitive"], { input: `${ROTATED}-payroll\n` })).code).toBe(0);
    expect((await cli(["grant", "add", "--bot", "billing-bot", "--secret", "PAYROLL_KEY"])).code).toBe(0);
    const policy = await fetch(`${server.url}/api/v1/policy`, {
      method: "PUT",
      headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
      body: JSON.stringify({ approvalTags: ["sensitive"] }),
    });
    expect(policy.status).toBe(200);

    const run = start(["exec", "--secret", "PAYROLL_KEY", "-j", justification, "--", process.execPath, "-e", "console.log('payroll', process.env.PAYROLL_KEY)"], { RV_BOT_TOKEN: botToken });
    await waitFor(() => /waiting for lease lse_/.test(run.err()));
    const leaseId = /waiting for lease (lse_[0-9a-f]+)/.exec(run.err())![1];
    const approve = await fetch(`${server.url}/api/v1/approvals/${leaseId}/approve`, {
      method: "POST",
      headers: { authorization: `Bearer ${approverToken}`, "content-type": "application/json" },
      body: "{}",
    });
    expect(approve.status).toBe(200);
    const result = await run.done;
    expect(result).toMatchObject({ code: 0, stdout: "payroll <secret:PAYROLL_KEY>\n" });
  });
});

describe("runtime-vault audit, mounts and keys", () => {
  it("tails live events, exports CSV and JSON, and verifies the chain", async () => {
    const tail = start(["audit", "tail"], { RV_TOKEN: adminToken });
    await new Promise((r) => setTimeout(r, 1500));
    await cli(["secret", "exists", "BILLING_KEY"]); // no event
    await cli(["bot", "freeze", "billing-bot"]);
    await waitFor(() => tail.out().includes("bot.frozen"));
    tail.child.kill("SIGINT");
    expect((await tail.done).code).toBe(0);

    const csv = await cli(["audit", "export", "--format", "csv"]);
    const lines = csv.stdout.trim().split("\r\n");
    expect(lines[0]).toBe("seq,createdAt,type,outcome,actorType,actorId,botId,secretName,scope,secretVersion,leaseId,justification,reason,ip,hash");
    expect(lines.some((l) => l.includes(",lease.resolved,"))).toBe(true);
    const json = JSON.parse((await cli(["audit", "export", "--format", "json"])).stdout);
    expect(json.length).toBe(lines.length - 1);
    expect(json[0].seq).toBeLessThan(json[json.length - 1].seq);
    // The result, the anchor it was checked against, and the unsealed tail.
    const notes = "; anchor #\\d+ \\(signed [^)]+\\); \\d+ unsealed( \\(oldest \\d+ ms\\))?\n$";
    expect(await cli(["audit", "verify"])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^ok: ${json.length} event\\(s\\), \\d+ recomputed \\(incremental\\)${notes}`)) });
    expect(await cli(["audit", "verify", "--full"])).toMatchObject({ code: 0, stdout: expect.stringMatching(new RegExp(`^ok: ${json.length} event\\(s\\), ${json.length} recomputed \\(full\\)${notes}`)) });
    expect(JSON.parse((await cli(["audit", "verify", "--json"])).stdout)).toMatchObject({ ok: true, anchor: { seq: expect.any(Number) }, unsealed: { count: expect.any(Number) }, archived: null });

    // The chain export, verified offline: no server, no token, against the server's anchor file.
    const chain = await cli(["audit", "export", "--format", "jsonl", "-o", "chain.jsonl"]);
    expect(chain).toMatchObject({ code: 0, stdout: "", stderr: expect.stringContaining("exported the audit chain to chain.jsonl") });
    expect(readFileSync(path.join(tmp, "chain.jsonl"), "utf8")).toMatch(/^\{"kind":"header","format":"rv-audit-chain\/v1"/);
    const offline = await cli(["audit", "verify", "--export", "chain.jsonl", "--anchor", "audit-anchor.jsonl"], { admin: false, env: { RV_URL: "" } });
    expect(offline).toMatchObject({ code: 0, stdout: expect.stringMatching(/^ok: \d+ event\(s\) of 1 org\(s\) verified offline, against the anchor; signatures not checked/) });
    expect(offline.stdout).toMatch(/anchor #\d+ \(signed [^)]+\) matched/);
    expect(await cli(["audit", "verify", "--export", "chain.jsonl"], { admin: false, env: { RV_MASTER_KEY: MASTER_KEY } })).toMatchObject({ code: 0, stdout: expect.stringContaining("checkpoint signatures valid (1)") });
    expect(await cli(["audit", "export", "--format", "jsonl", "--type", "bot.frozen"])).toMatchObject({ code: 2, stderr: expect.stringContaining("--format jsonl exports the whole chain") });
    const auth = { authorization: `Bearer ${adminToken}` };
    const raw = await fetch(`${server.url}/api/v1/audit/export?format=jsonl`, { headers: auth });
    expect([raw.status, raw.headers.get("content-type"), raw.headers.get("content-disposition")]).toEqual([200, "application/x-ndjson; charset=utf-8", expect.stringMatching(/\.jsonl"$/)]);
    await raw.body?.cancel();
    const filtered = await fetch(`${server.url}/api/v1/audit/export?format=jsonl&type=bot.frozen`, { headers: auth });
    expect(filtered.status).toBe(400);
    const refusal = await filtered.json();
    expect(refusal).toMatchObject({ error: { code: "validation_failed" } });
    expect(JSON.stringify(refusal)).toContain("filters do not apply");
    expect(csv.stdout + JSON.stringify(json)).not.toContain(ROTATED);
  });

  describe("audit tail stops when nobody is reading", () => {
    let toggles = 0;
    /** An audit event (the bot frozen or unfrozen). */
    const someEvent = async () => expect((await cli(["bot", toggles++ % 2 ? "unfreeze" : "freeze", "tail-bot"])).code).toBe(0);
    beforeAll(async () => {
      expect((await cli(["bot", "create", "tail-bot"])).code).toBe(0);
    });

    it("when its parent dies (started through an intermediate shell, which is killed)", async () => {
      const sh = spawn("sh", ["-c", '"$0" "$1" audit tail & echo "pid $!"; wait', process.execPath, CLI], {
        cwd: tmp,
        env: baseEnv({ RV_URL: server.url, RV_TOKEN: adminToken }) as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      sh.stdout!.on("data", (c) => (out += c));
      const closed = new Promise((r) => sh.stdout!.on("close", r)); // every writer (the CLI too) is gone
      await waitFor(() => /pid \d+/.test(out));
      const pid = Number(/pid (\d+)/.exec(out)![1]);
      await waitForLiveEvent(() => out.replace(/^pid \d+\n/, ""), someEvent);
      sh.kill("SIGKILL");
      await waitFor(() => !isAlive(pid), 8_000);
      await closed;
    });

    it("when the reader of its stdout (a socket) closes it, with no further event", async () => {
      const tail = start(["audit", "tail"], { RV_TOKEN: adminToken });
      await waitForLiveEvent(tail.out, someEvent);
      tail.child.stdout!.destroy();
      const timer = Date.now();
      expect((await tail.done).code).toBe(0);
      expect(Date.now() - timer).toBeLessThan(8_000);
      expect(tail.err()).toBe("");
    });

    it("when the reader of its stdout (a pipe) has exited, at the next event, quietly", async () => {
      const sh = spawn("sh", ["-c", '{ "$0" "$1" audit tail; echo "tail exited $?" >&2; } | head -n 1', process.execPath, CLI], {
        cwd: tmp,
        env: baseEnv({ RV_URL: server.url, RV_TOKEN: adminToken }) as NodeJS.ProcessEnv,
        stdio: ["ignore", "pipe", "pipe"],
      });
      let out = "";
      let err = "";
      sh.stdout!.on("data", (c) => (out += c));
      sh.stderr!.on("data", (c) => (err += c));
      const exited = new Promise((r) => sh.on("close", r));
      await waitForLiveEvent(() => out, someEvent); // head printed one line and exited
      await someEvent(); // the next write fails
      await exited;
      expect(err).toBe("tail exited 0\n");
    });
  });

  it("creates a mount and prints its MCP client configuration", async () => {
    const created = await cli(["mount", "create", "billing", "--bot", "billing-bot", "--command", "npx", "--arg", "billing-mcp", "--map", "BILLING_KEY@production=BILLING_API_KEY", "--justification", "Billing MCP server"]);
    expect(created.code).toBe(0);
    const config = JSON.parse((await cli(["mount", "config", "billing"])).stdout);
    // This CLI by absolute path (node and its entry script), never a PATH or registry lookup.
    expect(config).toEqual({ mcpServers: { billing: { command: realpathSync(process.execPath), args: [realpathSync(CLI), "mcp", "run", "billing"], env: { RV_URL: server.url, RV_BOT_TOKEN: expect.stringMatching(/^rvb_…/) } } } });
    const npx = JSON.parse((await cli(["mount", "config", "billing", "--npx"])).stdout);
    expect(npx.mcpServers.billing).toMatchObject({ command: "npx", args: ["--yes", `--package=${realpathSync(path.join(ROOT, "client"))}`, "runtime-vault", "mcp", "run", "billing"] });
    expect((await cli(["mount", "list"])).stdout).toMatch(/billing\s+mnt_[0-9a-f]+\s+billing-bot\s+npx\s+BILLING_KEY/);
  });

  it("rewraps data keys under a new master key on the vault host (the server's npm run key:rewrap, not the client)", async () => {
    const client = await cli(["key", "rewrap"], { admin: false, env: { DATABASE_URL: db.url } });
    expect(client).toMatchObject({ code: 2, stderr: expect.stringContaining("npm run key:rewrap") });
    const newKey = randomBytes(32).toString("base64");
    const run = await runScript("scripts/rewrap-keys.ts", [], { DATABASE_URL: db.url, RV_MASTER_KEY: newKey, RV_PREVIOUS_MASTER_KEYS: MASTER_KEY });
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/rewrapped 4 data key\(s\) under kek_\S+; 0 already were/);
    expect(run.stdout + run.stderr).not.toContain(newKey);
    // The running server still signs new checkpoints with the old key: keep it as a previous key.
    const again = await runScript("scripts/rewrap-keys.ts", [], { DATABASE_URL: db.url, RV_MASTER_KEY: newKey, RV_PREVIOUS_MASTER_KEYS: MASTER_KEY });
    expect(again).toMatchObject({ code: 0, stdout: expect.stringContaining("rewrapped 0 data key(s)") });
    const noKey = await runScript("scripts/rewrap-keys.ts", [], { DATABASE_URL: db.url });
    expect(noKey.code).toBe(1);
    expect(noKey.stderr).toMatch(/master key|RV_MASTER_KEY/i);
  });

  it("never printed a secret value", () => {
    const all = transcript.join("\n");
    expect(all).not.toContain(ROTATED);
    expect(all).not.toContain(VALUE);
  });
});
