// RV_AUDIT_SINKS and its companions: what is read, and every refusal is a clear
// AuditSinkConfigError that never repeats a credential.
import { describe, expect, it } from "vitest";
import { AuditSinkConfigError, parseSinksConfig } from "./sink-config";

const parse = (env: Record<string, string>) => parseSinksConfig(env);

function refusal(env: Record<string, string>): string {
  try {
    parse(env);
  } catch (err) {
    expect(err).toBeInstanceOf(AuditSinkConfigError);
    return (err as Error).message;
  }
  throw new Error("expected the configuration to be refused");
}

describe("parseSinksConfig", () => {
  it("is null without sinks", () => {
    expect(parse({})).toBeNull();
    expect(parse({ RV_AUDIT_SINKS: "  " })).toBeNull();
  });

  it("reads several sinks with their options, separated by ; , or whitespace", () => {
    const config = parse({
      RV_AUDIT_SINKS: [
        "file:///var/log/rv/audit.jsonl?name=local&rotateBytes=100M&keep=3",
        "syslog+udp://127.0.0.1:5514?name=siem&facility=auth",
        "syslog+tcp://[::1]?name=relay&framing=lf",
        "syslog+unix:///dev/log?name=dev-log",
        "https://siem.example/ingest?token=kept&name=pipe&batch=250&format=ndjson&required=true&timeoutMs=2000",
      ].join(";\n  "),
      RV_AUDIT_SINK_PIPE_HEADER: "Authorization: Bearer s3cr3t-value",
      RV_AUDIT_SINK_LAG_ALERT_SECONDS: "30",
      RV_AUDIT_SINK_POLL_MS: "100",
    })!;
    expect(config.mode).toBe("continue");
    expect(config.lagAlertSeconds).toBe(30);
    expect(config.pollMs).toBe(100);
    expect(config.sinks).toEqual([
      { kind: "file", name: "local", path: "/var/log/rv/audit.jsonl", rotateBytes: 100 * 1024 * 1024, keep: 3, required: false, batch: 500, retryMaxMs: 2000 },
      expect.objectContaining({ kind: "syslog", name: "siem", transport: "udp", host: "127.0.0.1", port: 5514, facility: 4, framing: "octet", appName: "runtime-vault" }),
      expect.objectContaining({ kind: "syslog", name: "relay", transport: "tcp", host: "::1", port: 601, facility: 16, framing: "lf" }),
      expect.objectContaining({ kind: "syslog", name: "dev-log", transport: "unix", path: "/dev/log", framing: "lf" }),
      {
        kind: "http",
        name: "pipe",
        // The sink's own options leave the URL; the endpoint's own parameters stay.
        url: "https://siem.example/ingest?token=kept",
        format: "ndjson",
        timeoutMs: 2000,
        batch: 250,
        required: true,
        retryMaxMs: 2000,
        headers: { Authorization: "Bearer s3cr3t-value" },
      },
    ]);
  });

  it("names a sink after its kind by default, and fail-closed mode makes every sink required unless it says otherwise", () => {
    const config = parse({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl, http://127.0.0.1:9/x?required=false", RV_AUDIT_SINK_MODE: "fail-closed" })!;
    expect(config.sinks.map((s) => [s.name, s.required])).toEqual([
      ["file", true],
      ["http", false],
    ]);
  });

  it("refuses what it cannot read, saying which sink and which option", () => {
    expect(refusal({ RV_AUDIT_SINKS: "not a url" })).toMatch(/sink 1 is not a URL/);
    expect(refusal({ RV_AUDIT_SINKS: "ftp://x/y" })).toMatch(/unknown scheme "ftp:"/);
    expect(refusal({ RV_AUDIT_SINKS: "syslog+tls://x:6514" })).toMatch(/syslog transport must be udp, tcp or unix/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl?rotatebytes=5" })).toMatch(/unknown option "rotatebytes" \(known: .*rotateBytes/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl?keep=0" })).toMatch(/sink "file": keep must be a whole number from 1 to 1000/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl?rotateBytes=lots" })).toMatch(/rotateBytes must be a whole number/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/dir/" })).toMatch(/names a directory/);
    expect(refusal({ RV_AUDIT_SINKS: "file://host/tmp/a" })).toMatch(/no host/);
    expect(refusal({ RV_AUDIT_SINKS: "syslog+udp://x?facility=local9" })).toMatch(/facility must be/);
    expect(refusal({ RV_AUDIT_SINKS: "http://x/y?format=xml" })).toMatch(/format must be one of json, ndjson/);
    expect(refusal({ RV_AUDIT_SINKS: "http://x/y?required=maybe" })).toMatch(/required must be true or false/);
    expect(refusal({ RV_AUDIT_SINKS: "http://x/y?batch=0" })).toMatch(/batch must be a whole number from 1 to 10000/);
    expect(refusal({ RV_AUDIT_SINKS: "http://x/y?name=a%20b" })).toMatch(/name must be 1–40 letters/);
    expect(refusal({ RV_AUDIT_SINKS: "http://x/y?name=a&name=b" })).toMatch(/option "name" is given twice/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl;file:///tmp/b.jsonl" })).toMatch(/two sinks are named "file" and "file"/);
    // Two names that would share one header variable.
    expect(refusal({ RV_AUDIT_SINKS: "http://x/y?name=a-b;http://x/z?name=a_b" })).toMatch(/two sinks are named/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl", RV_AUDIT_SINK_MODE: "closed" })).toMatch(/RV_AUDIT_SINK_MODE must be "continue" or "fail-closed"/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl", RV_AUDIT_SINK_LAG_ALERT_SECONDS: "-1" })).toMatch(/RV_AUDIT_SINK_LAG_ALERT_SECONDS must be a number/);
    expect(refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl", RV_AUDIT_SINK_POLL_MS: "fast" })).toMatch(/RV_AUDIT_SINK_POLL_MS must be a number/);
  });

  it("never repeats a credential in its messages", () => {
    const inUrl = refusal({ RV_AUDIT_SINKS: "https://user:hunter2-pass@siem.example/ingest?name=pipe" });
    expect(inUrl).toMatch(/credentials do not belong in the URL; put them in RV_AUDIT_SINK_PIPE_HEADER/);
    expect(inUrl).not.toContain("hunter2");

    const badHeader = refusal({ RV_AUDIT_SINKS: "https://siem.example/ingest?name=pipe", RV_AUDIT_SINK_PIPE_HEADER: "Bearer hunter2-token" });
    expect(badHeader).toBe('RV_AUDIT_SINK_PIPE_HEADER must be one header line, "Name: value"');

    const badOption = refusal({ RV_AUDIT_SINKS: "file:///tmp/a.jsonl?token=hunter2-query&bogus=1" });
    expect(badOption).not.toContain("hunter2");
  });
});
