// `npm start` on the embedded database with the master key in an HSM: no master key is
// generated into the data directory, none is in any of the vault's processes'
// environment, and the vault serves values wrapped by the HSM.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startEmbeddedDeployment, type Deployment } from "../test/deployments";
import { createSoftHsmToken, softHsmProblem, type SoftHsmToken } from "../test/softhsm";
import { environmentOf, processTree } from "../test/process-tree";
import { client } from "./http";

let hsm: SoftHsmToken;
let vault: Deployment & { dataDir: string };

beforeAll(async () => {
  const problem = softHsmProblem();
  if (problem) throw new Error(problem);
  hsm = createSoftHsmToken();
  vault = await startEmbeddedDeployment({ ...hsm.env, RV_MASTER_KEY_FILE: undefined, RV_PREVIOUS_MASTER_KEYS: undefined });
}, 180_000);

afterAll(async () => {
  await vault?.stop();
  hsm?.remove();
});

/** Every file under `dir`. */
function files(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    return e.isDirectory() ? files(p) : e.isFile() ? [p] : [];
  });
}

describe("npm start, embedded database, pkcs11 key provider", () => {
  it("stores and resolves a value wrapped by the HSM", async () => {
    const call = client(vault.url);
    const secret = await call("POST", "/api/v1/secrets", { token: vault.adminToken, body: { name: "EMBEDDED_HSM_KEY", value: "embedded-hsm-value" } });
    expect(secret.status).toBe(201);
    const bot = await call("POST", "/api/v1/bots", { token: vault.adminToken, body: { name: "embedded-bot" } });
    expect((await call("POST", "/api/v1/grants", { token: vault.adminToken, body: { botId: bot.body.id, secretId: secret.body.id } })).status).toBe(201);
    const lease = await call("POST", "/api/leases", { token: bot.body.token, body: { secret: "EMBEDDED_HSM_KEY", justification: "Embedded vault with an HSM" } });
    expect(lease.status).toBe(201);
    const resolved = await call("POST", `/api/leases/${lease.body.id}/resolve`, { token: lease.body.leaseToken });
    expect(resolved.body).toMatchObject({ value: "embedded-hsm-value" });
    const versions = await vault.prisma.secretVersion.findMany({ select: { keyId: true } });
    expect(versions.map((v) => v.keyId)).toEqual(["p11_rv-kek"]);
  });

  it("generated no master key into the data directory, and no process of the vault holds one in its environment", () => {
    expect(existsSync(path.join(vault.dataDir, "master.key"))).toBe(false);
    const names = files(vault.dataDir).map((f) => path.relative(vault.dataDir, f));
    expect(names.filter((n) => /key/i.test(n) && !n.startsWith("pglite"))).toEqual([]);
    // Nothing small and base64 of 32 bytes lying around outside the database files either.
    for (const f of files(vault.dataDir).filter((f) => !path.relative(vault.dataDir, f).startsWith("pglite") && statSync(f).size < 200)) {
      expect(readFileSync(f, "utf8").trim(), f).not.toMatch(/^[A-Za-z0-9+/]{43}=$/);
    }
    const pids = processTree(vault.pid);
    expect(pids.length).toBeGreaterThan(1);
    for (const pid of pids) {
      const { names: vars } = environmentOf(pid);
      for (const name of ["RV_MASTER_KEY", "RV_MASTER_KEY_FILE", "RV_PREVIOUS_MASTER_KEYS"]) expect(vars, `pid ${pid}`).not.toContain(name);
    }
    expect(vault.logs()).not.toMatch(/generated a master key/);
  });
});
