// Two `next start` instances on one database: a lease from A resolves on B, a revoke on
// B holds on A at once, and B's event stream sees an event caused on A.
import { httpJson } from "./http";
import type { Target } from "./targets";

export async function checkTwoInstances(a: string, b: string, adminToken: string, bot: { token: string; secret: string }) {
  const leaseBody = { secret: bot.secret, scope: "production", justification: "Cross-instance check (bench)", singleUse: true };
  const l1 = await httpJson("POST", `${a}/api/leases`, bot.token, leaseBody);
  const r1 = await httpJson("POST", `${b}/api/leases/${l1.body.id}/resolve`, l1.body.leaseToken);
  const l2 = await httpJson("POST", `${a}/api/leases`, bot.token, { ...leaseBody, singleUse: false });
  const rv = await httpJson("POST", `${b}/api/v1/leases/${l2.body.id}/revoke`, adminToken, { reason: "cross-instance revoke (bench)" });
  const r2 = await httpJson("POST", `${a}/api/leases/${l2.body.id}/resolve`, l2.body.leaseToken);
  const stream = await eventSeenAcross(b, a, adminToken, bot);
  const results = {
    leaseOnAResolvesOnB: l1.status === 201 && r1.status === 200,
    revokeOnBHoldsOnA: rv.status === 200 && r2.status === 410 && r2.body?.error?.code === "lease_revoked",
    resolveAfterRevokeStatus: r2.status,
    eventStream: stream,
  };
  const group = "two instances";
  const targets: Target[] = [
    { group, name: "lease on A resolves on B", wanted: "200", measured: `${l1.status} → ${r1.status}`, baseline: "–", ok: results.leaseOnAResolvesOnB },
    { group, name: "revoke on B holds on A at once", wanted: "410 lease_revoked", measured: `${r2.status} ${r2.body?.error?.code ?? ""}`, baseline: "–", ok: results.revokeOnBHoldsOnA },
    { group, name: "event stream on B sees A's lease", wanted: "seen", measured: stream.seen ? `seen in ${stream.ms.toFixed(0)} ms` : (stream.note ?? "not seen"), baseline: "–", ok: stream.seen },
  ];
  return { results, targets };
}

/** The lease's event reaches the stream once sealed (the sealer runs every RV_AUDIT_SEAL_MS). */
async function eventSeenAcross(streamUrl: string, actUrl: string, adminToken: string, bot: { token: string; secret: string }) {
  const ctrl = new AbortController();
  const timer = setTimeout(() => ctrl.abort(), 8_000);
  try {
    const res = await fetch(`${streamUrl}/api/v1/events`, { headers: { authorization: `Bearer ${adminToken}` }, signal: ctrl.signal });
    if (res.status !== 200 || !res.body) return { seen: false, ms: 0, note: `stream answered ${res.status}` };
    const reader = res.body.getReader();
    const t0 = performance.now();
    const lease = await httpJson("POST", `${actUrl}/api/leases`, bot.token, { secret: bot.secret, scope: "production", justification: "Event stream check (bench)" });
    let text = "";
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += new TextDecoder().decode(value);
      if (text.includes(lease.body.id)) return { seen: true, ms: performance.now() - t0 };
    }
    return { seen: false, ms: 0, note: "stream ended" };
  } catch (err) {
    return { seen: false, ms: 0, note: ctrl.signal.aborted ? "not seen within 8 s" : String(err) };
  } finally {
    clearTimeout(timer);
    ctrl.abort();
  }
}
