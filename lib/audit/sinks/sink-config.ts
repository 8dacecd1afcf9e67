// The audit sinks' configuration, from the environment. RV_AUDIT_SINKS is a list of
// URLs (separated by `;`, `,` or whitespace), one per sink, whose query holds the
// sink's options:
//
//   file:///var/log/rv/audit.jsonl?name=local&rotateBytes=100M&keep=5
//   syslog+udp://127.0.0.1:514?name=siem&facility=local0      (also syslog+tcp://, syslog+unix:///path)
//   https://siem.example/ingest?name=pipe&batch=500&format=ndjson&required=true
//
// An HTTP sink's request header (its credentials) comes from RV_AUDIT_SINK_<NAME>_HEADER
// ("Authorization: Bearer …"), never from the URL. Anything unreadable is refused at
// start with a message naming the sink and the option; messages never repeat a header
// value or a URL's credentials or query.
import { hostname as osHostname } from "node:os";

export class AuditSinkConfigError extends Error {}

export type SinkMode = "continue" | "fail-closed";

interface CommonSpec {
  name: string;
  /** While a required sink is unreachable, vault reads are refused (fail closed). */
  required: boolean;
  /** Most events per delivery. */
  batch: number;
  /** Longest wait between attempts while the sink fails (backoff doubles up to it). */
  retryMaxMs: number;
}

export interface FileSinkSpec extends CommonSpec {
  kind: "file";
  path: string;
  /** Rotate before a write would take the file past this size; 0 never rotates. */
  rotateBytes: number;
  /** Rotated files kept (audit.jsonl.1 … .keep). */
  keep: number;
}

export interface SyslogSinkSpec extends CommonSpec {
  kind: "syslog";
  transport: "udp" | "tcp" | "unix";
  host: string;
  port: number;
  /** The socket's path (transport unix). */
  path: string;
  facility: number;
  appName: string;
  hostname: string;
  /** Stream transports: RFC 6587 octet counting, or one message per line. */
  framing: "octet" | "lf";
}

export interface HttpSinkSpec extends CommonSpec {
  kind: "http";
  /** The endpoint, with the sink's own options taken out of its query. */
  url: string;
  format: "json" | "ndjson";
  timeoutMs: number;
  headers: Record<string, string>;
}

export type SinkSpec = FileSinkSpec | SyslogSinkSpec | HttpSinkSpec;

export interface SinksConfig {
  mode: SinkMode;
  /** Seconds behind after which an org's lag is recorded as audit.sink_lagging. */
  lagAlertSeconds: number;
  /** How often each sink looks for events to ship besides the NOTIFY wake-ups. */
  pollMs: number;
  sinks: SinkSpec[];
}

const COMMON_OPTIONS = ["name", "required", "batch", "retryMaxMs"];
const KIND_OPTIONS = {
  file: ["rotateBytes", "keep"],
  syslog: ["facility", "appName", "hostname", "framing"],
  http: ["format", "timeoutMs"],
} as const;

const FACILITIES = ["kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp", "ntp", "audit", "alert", "clock"];

/** The environment variable holding an HTTP sink's header. */
export const headerVariable = (name: string) => `RV_AUDIT_SINK_${name.toUpperCase().replace(/[^A-Z0-9]/g, "_")}_HEADER`;

/** A URL as it may appear in a message: scheme, host and path, nothing that could be a credential. */
export function describeTarget(url: URL): string {
  return url.protocol === "file:" || url.protocol === "syslog+unix:" ? `${url.protocol}//${url.pathname}` : `${url.protocol}//${url.host}${url.pathname}`;
}

/** RV_AUDIT_SINKS and its companions; null when no sink is configured. */
export function parseSinksConfig(env: Record<string, string | undefined> = process.env): SinksConfig | null {
  const list = (env.RV_AUDIT_SINKS ?? "").split(/[;,\s]+/).filter(Boolean);
  const mode = parseMode(env.RV_AUDIT_SINK_MODE);
  const lagAlertSeconds = numberVar(env, "RV_AUDIT_SINK_LAG_ALERT_SECONDS", 60, 0.1, 86_400);
  const pollMs = numberVar(env, "RV_AUDIT_SINK_POLL_MS", 200, 10, 60_000);
  if (list.length === 0) return null;
  const sinks = list.map((entry, i) => parseSink(entry, i + 1, mode, env));
  const seen = new Map<string, string>();
  for (const sink of sinks) {
    const key = headerVariable(sink.name);
    const other = seen.get(key);
    if (other) throw new AuditSinkConfigError(`RV_AUDIT_SINKS: two sinks are named "${other}" and "${sink.name}": give each its own ?name= (the name keys its delivery cursor)`);
    seen.set(key, sink.name);
  }
  return { mode, lagAlertSeconds, pollMs, sinks };
}

function parseMode(raw: string | undefined): SinkMode {
  const value = (raw ?? "").trim() || "continue";
  if (value === "continue" || value === "fail-closed") return value;
  throw new AuditSinkConfigError(`RV_AUDIT_SINK_MODE must be "continue" or "fail-closed"`);
}

function numberVar(env: Record<string, string | undefined>, name: string, dflt: number, min: number, max: number): number {
  const raw = env[name]?.trim();
  if (!raw) return dflt;
  const n = Number(raw);
  if (!Number.isFinite(n) || n < min || n > max) throw new AuditSinkConfigError(`${name} must be a number from ${min} to ${max}`);
  return n;
}

function parseSink(entry: string, index: number, mode: SinkMode, env: Record<string, string | undefined>): SinkSpec {
  let url: URL;
  try {
    url = new URL(entry);
  } catch {
    throw new AuditSinkConfigError(`RV_AUDIT_SINKS: sink ${index} is not a URL (expected file:///…, syslog+udp://…, syslog+tcp://…, syslog+unix:///…, http(s)://…)`);
  }
  const kind = url.protocol === "file:" ? "file" : url.protocol.startsWith("syslog+") ? "syslog" : url.protocol === "http:" || url.protocol === "https:" ? "http" : null;
  const where = `RV_AUDIT_SINKS: sink ${index} (${describeTarget(url)})`;
  if (!kind) throw new AuditSinkConfigError(`${where}: unknown scheme "${url.protocol}" (expected file:, syslog+udp:, syslog+tcp:, syslog+unix:, http: or https:)`);
  if (url.username || url.password) {
    throw new AuditSinkConfigError(`${where}: credentials do not belong in the URL; put them in ${headerVariable(url.searchParams.get("name") ?? kind)} (e.g. "Authorization: Basic …")`);
  }

  const options = new Map<string, string>();
  const known = [...COMMON_OPTIONS, ...KIND_OPTIONS[kind]];
  for (const [key, value] of url.searchParams) {
    if (!known.includes(key)) {
      // An HTTP endpoint may take query parameters of its own: those are kept in its URL.
      if (kind === "http") continue;
      throw new AuditSinkConfigError(`${where}: unknown option "${key}" (known: ${known.join(", ")})`);
    }
    if (options.has(key)) throw new AuditSinkConfigError(`${where}: option "${key}" is given twice`);
    options.set(key, value);
  }
  const name = options.get("name") ?? kind;
  if (!/^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/.test(name)) {
    throw new AuditSinkConfigError(`${where}: name must be 1–40 letters, digits, "-" or "_" (it keys the sink's cursor and ${headerVariable("<name>")})`);
  }
  const named = `RV_AUDIT_SINKS: sink "${name}"`;
  const int = (key: string, dflt: number, min: number, max: number, units?: boolean) => {
    const raw = options.get(key);
    if (raw === undefined) return dflt;
    const m = units ? /^(\d+)([KMG]i?B?)?$/i.exec(raw.trim()) : /^(\d+)$/.exec(raw.trim());
    const scale = m?.[2] ? 1024 ** ("KMG".indexOf(m[2][0].toUpperCase()) + 1) : 1;
    const n = m ? Number(m[1]) * scale : NaN;
    if (!Number.isSafeInteger(n) || n < min || n > max) {
      throw new AuditSinkConfigError(`${named}: ${key} must be a whole number from ${min} to ${max}${units ? " (K, M or G suffixes allowed)" : ""}`);
    }
    return n;
  };
  const oneOf = <T extends string>(key: string, values: readonly T[], dflt: T): T => {
    const raw = options.get(key);
    if (raw === undefined) return dflt;
    if (!(values as readonly string[]).includes(raw)) throw new AuditSinkConfigError(`${named}: ${key} must be one of ${values.join(", ")}`);
    return raw as T;
  };
  const requiredRaw = options.get("required");
  let required = mode === "fail-closed";
  if (requiredRaw !== undefined) {
    if (!/^(true|false|1|0|yes|no)$/i.test(requiredRaw)) throw new AuditSinkConfigError(`${named}: required must be true or false`);
    required = /^(true|1|yes)$/i.test(requiredRaw);
  }
  const common: CommonSpec = { name, required, batch: int("batch", 500, 1, 10_000), retryMaxMs: int("retryMaxMs", 2_000, 50, 600_000) };

  if (kind === "file") {
    if (url.host && url.host !== "localhost") throw new AuditSinkConfigError(`${named}: a file sink writes a local file: file:///absolute/path (no host)`);
    const path = decodeURIComponent(url.pathname);
    if (path.endsWith("/")) throw new AuditSinkConfigError(`${named}: the file sink's path names a directory; name a file (e.g. file:///var/log/rv/audit.jsonl)`);
    return { ...common, kind, path, rotateBytes: int("rotateBytes", 100 * 1024 * 1024, 0, Number.MAX_SAFE_INTEGER, true), keep: int("keep", 5, 1, 1000) };
  }

  if (kind === "syslog") {
    const transport = url.protocol.slice("syslog+".length, -1);
    if (transport !== "udp" && transport !== "tcp" && transport !== "unix") {
      throw new AuditSinkConfigError(`${where}: syslog transport must be udp, tcp or unix (syslog+udp://host:514, syslog+tcp://host:601, syslog+unix:///path/to/socket)`);
    }
    const facilityRaw = options.get("facility") ?? "local0";
    const local = /^local([0-7])$/.exec(facilityRaw);
    const facility = local ? 16 + Number(local[1]) : /^\d+$/.test(facilityRaw) ? Number(facilityRaw) : FACILITIES.indexOf(facilityRaw);
    if (facility < 0 || facility > 23) throw new AuditSinkConfigError(`${named}: facility must be a syslog facility name (e.g. local0, auth) or 0–23`);
    const appName = options.get("appName") ?? "runtime-vault";
    const host = options.get("hostname") ?? (osHostname() || "-");
    // RFC 5424 header fields: printable US-ASCII, no spaces.
    if (!/^[!-~]{1,48}$/.test(appName)) throw new AuditSinkConfigError(`${named}: appName must be 1–48 printable ASCII characters without spaces`);
    if (!/^[!-~]{1,255}$/.test(host)) throw new AuditSinkConfigError(`${named}: hostname must be 1–255 printable ASCII characters without spaces`);
    const framing = oneOf("framing", ["octet", "lf"] as const, transport === "unix" ? "lf" : "octet");
    const base = { ...common, kind, transport, facility, appName, hostname: host, framing } as const;
    if (transport === "unix") {
      if (url.host) throw new AuditSinkConfigError(`${named}: a unix socket is syslog+unix:///absolute/path`);
      return { ...base, host: "", port: 0, path: decodeURIComponent(url.pathname) };
    }
    if (!url.hostname) throw new AuditSinkConfigError(`${named}: syslog needs a host (syslog+${transport}://host:port)`);
    const port = url.port ? Number(url.port) : transport === "udp" ? 514 : 601;
    return { ...base, host: url.hostname.replace(/^\[|\]$/g, ""), port, path: "" };
  }

  const headers: Record<string, string> = {};
  const variable = headerVariable(name);
  const header = env[variable];
  if (header !== undefined && header.trim() !== "") {
    const m = /^([!#$%&'*+.^_`|~0-9A-Za-z-]+):[ \t]*(.*?)[ \t]*$/.exec(header);
    // The value is a credential: say what is wrong with it, never what it is.
    if (!m) throw new AuditSinkConfigError(`${variable} must be one header line, "Name: value"`);
    if (/[\r\n\0]/.test(m[2])) throw new AuditSinkConfigError(`${variable}: the header value cannot contain line breaks`);
    headers[m[1]] = m[2];
  }
  const target = new URL(url.href);
  for (const key of known) target.searchParams.delete(key);
  return {
    ...common,
    kind,
    url: target.href,
    format: oneOf("format", ["json", "ndjson"] as const, "json"),
    timeoutMs: int("timeoutMs", 10_000, 100, 120_000),
    headers,
  };
}
