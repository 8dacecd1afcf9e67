// verifyChainRecords, the pure walk the CLI runs offline, on chains built in memory with
// the same hash the server seals with.
import { describe, expect, it } from "vitest";
import { chainHash, GENESIS_HASH, verifyChainRecords, type ChainEvent } from "./audit-chain";

function chain(orgId: string, n: number, from = { seq: 0n, hash: GENESIS_HASH }): ChainEvent[] {
  const events: ChainEvent[] = [];
  let { seq, hash } = from;
  for (let i = 0; i < n; i++) {
    seq += 1n;
    const e: ChainEvent = {
      id: `evt_${orgId}_${seq}`, orgId, type: "test.event", actorType: "system", actorId: null, botId: null, secretId: null, secretName: null,
      scope: null, secretVersion: null, leaseId: null, justification: `event ${seq}`, outcome: "success", reason: null, ip: null,
      data: { seq: Number(seq), z: 1, a: [1] }, createdAt: new Date(Date.UTC(2026, 0, 1, 0, 0, Number(seq))), sealedAt: null,
      seq, prevHash: hash, hash: "", signature: null,
    };
    e.hash = chainHash(hash, e);
    hash = e.hash;
    events.push(e);
  }
  return events;
}

describe("verifyChainRecords", () => {
  const a = chain("org_a", 5);
  const b = chain("org_b", 3);

  it("walks several orgs' chains, interleaved", () => {
    expect(verifyChainRecords([a[0], b[0], a[1], b[1], b[2], a[2], a[3], a[4]])).toMatchObject({ ok: true, events: 8, orgs: [{ orgId: "org_a", end: { seq: "5" } }, { orgId: "org_b", end: { seq: "3" } }] });
  });

  it("reports an altered, a removed, a repeated and a reordered event", () => {
    expect(verifyChainRecords([a[0], { ...a[1], justification: "changed" }, ...a.slice(2)])).toMatchObject({ ok: false, brokenAt: "2", reason: expect.stringMatching(/altered/) });
    expect(verifyChainRecords([a[0], a[1], a[3], a[4]])).toMatchObject({ ok: false, brokenAt: "3", reason: expect.stringMatching(/event #3 is missing/) });
    expect(verifyChainRecords([a[0], a[1], a[1], a[2]])).toMatchObject({ ok: false, brokenAt: "2", reason: expect.stringMatching(/two events carry #2/) });
    expect(verifyChainRecords([a[0], { ...a[2], seq: 2n }, { ...a[1], seq: 3n }])).toMatchObject({ ok: false, brokenAt: "2", reason: expect.stringMatching(/does not link/) });
  });

  it("checks the anchor: matched, re-hashed, truncated before it, or before the records' start", () => {
    const anchor = { orgId: "org_a", seq: 4n, hash: a[3].hash };
    expect(verifyChainRecords(a, { anchor })).toMatchObject({ ok: true, orgs: [{ anchor: { seq: "4", matched: true } }] });
    expect(verifyChainRecords(a, { anchor: { ...anchor, hash: "f".repeat(64) } })).toMatchObject({ ok: false, brokenAt: "4", reason: expect.stringMatching(/re-hashed/) });
    expect(verifyChainRecords(a.slice(0, 3), { anchor })).toMatchObject({ ok: false, brokenAt: "4", reason: expect.stringMatching(/end at #3 before the anchor's #4/) });
    const rest = a.slice(3);
    const from = new Map([["org_a", { seq: 3n, hash: a[2].hash }]]);
    expect(verifyChainRecords(rest, { from })).toMatchObject({ ok: true, orgs: [{ start: { seq: "3", fromGenesis: false } }] });
    expect(verifyChainRecords(rest, { from, anchor: { orgId: "org_a", seq: 2n, hash: a[1].hash } })).toMatchObject({ ok: false, reason: expect.stringMatching(/before these records/) });
    expect(verifyChainRecords(rest, { from: new Map([["org_a", { seq: 3n, hash: a[1].hash }]]) })).toMatchObject({ ok: false, brokenAt: "4", reason: expect.stringMatching(/does not link/) });
    expect(verifyChainRecords(rest)).toMatchObject({ ok: false, brokenAt: "1", reason: expect.stringMatching(/events #1–#3 are missing/) });
  });
});
