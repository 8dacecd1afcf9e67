// Real receivers for the audit sinks (an HTTP endpoint, UDP and TCP syslog listeners),
// a reader for a file sink's files, and the check every sink must pass: per org, every
// seq up to the head, in order, duplicates allowed (at least once), no gap.
// Shared by the shipper's tests, the black-box suite and bench/sinks.ts.
import dgram from "node:dgram";
import { existsSync, readFileSync } from "node:fs";
import http from "node:http";
import net from "node:net";
import type { SinkRecord } from "../lib/audit/sinks/sink-record";

export interface HttpReceiver {
  url: string;
  port: number;
  /** Records of the batches answered 2xx, in arrival order. */
  records: SinkRecord[];
  /** Every request's records, answered or not. */
  seen: SinkRecord[];
  requests: number;
  headers: http.IncomingHttpHeaders[];
  /** "ok": 200. "fail": 503. "drop": read the batch, then cut the connection without an answer. */
  mode: "ok" | "fail" | "drop";
  /** Answer this much later (a slow receiver keeps a batch in flight). */
  delayMs: number;
  /** Batches read and not answered yet. */
  inFlight: number;
  /** Stop listening (connection refused) and cut open connections. */
  down(): Promise<void>;
  /** Listen again on the same port. */
  up(): Promise<void>;
  close(): Promise<void>;
}

function parseBody(body: string, contentType: string | undefined): SinkRecord[] {
  if (contentType?.startsWith("application/x-ndjson")) return body.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return JSON.parse(body);
}

export async function startHttpReceiver(port = 0): Promise<HttpReceiver> {
  const sockets = new Set<net.Socket>();
  const receiver: HttpReceiver = {
    url: "",
    port,
    records: [],
    seen: [],
    requests: 0,
    headers: [],
    mode: "ok",
    delayMs: 0,
    inFlight: 0,
    down: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      });
    },
    up: () => listen(receiver.port),
    close: () => receiver.down(),
  };
  const server = http.createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk) => (body += chunk));
    req.on("end", async () => {
      receiver.inFlight++;
      if (receiver.delayMs > 0) await new Promise((r) => setTimeout(r, receiver.delayMs));
      receiver.inFlight--;
      receiver.requests++;
      receiver.headers.push(req.headers);
      let batch: SinkRecord[];
      try {
        batch = parseBody(body, req.headers["content-type"]);
      } catch {
        res.writeHead(400).end();
        return;
      }
      receiver.seen.push(...batch);
      if (receiver.mode === "drop") {
        req.socket.destroy();
        return;
      }
      if (receiver.mode === "fail") {
        res.writeHead(503).end("down for maintenance");
        return;
      }
      receiver.records.push(...batch);
      res.writeHead(200, { "content-type": "application/json" }).end('{"ok":true}');
    });
  });
  server.on("connection", (s) => {
    sockets.add(s);
    s.on("close", () => sockets.delete(s));
  });
  const listen = (p: number) =>
    new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(p, "127.0.0.1", () => {
        server.off("error", reject);
        receiver.port = (server.address() as net.AddressInfo).port;
        receiver.url = `http://127.0.0.1:${receiver.port}/ingest`;
        resolve();
      });
    });
  await listen(port);
  return receiver;
}

export interface SyslogMessage {
  pri: number;
  timestamp: string;
  hostname: string;
  appName: string;
  procId: string;
  msgId: string;
  record: SinkRecord;
}

/** Parses one RFC 5424 message as the syslog sink writes it (no structured data, JSON MSG). */
export function parseSyslog(text: string): SyslogMessage {
  const m = /^<(\d{1,3})>1 (\S+) (\S+) (\S+) (\S+) (\S+) - (.*)$/s.exec(text);
  if (!m) throw new Error(`not an RFC 5424 message: ${text.slice(0, 80)}`);
  return { pri: Number(m[1]), timestamp: m[2], hostname: m[3], appName: m[4], procId: m[5], msgId: m[6], record: JSON.parse(m[7]) };
}

export interface SyslogReceiver {
  host: string;
  port: number;
  messages: SyslogMessage[];
  raw: string[];
  close(): Promise<void>;
}

export async function startUdpSyslog(): Promise<SyslogReceiver> {
  const socket = dgram.createSocket("udp4");
  const receiver: SyslogReceiver = { host: "127.0.0.1", port: 0, messages: [], raw: [], close: () => new Promise((r) => socket.close(() => r())) };
  // The kernel's default receive buffer drops datagrams under a burst: make room.
  socket.on("message", (msg) => {
    const text = msg.toString("utf8");
    receiver.raw.push(text);
    receiver.messages.push(parseSyslog(text));
  });
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", () => resolve()));
  try {
    socket.setRecvBufferSize(8 * 1024 * 1024);
  } catch {
    // Capped by net.core.rmem_max: the default has to do.
  }
  receiver.port = socket.address().port;
  return receiver;
}

/** A TCP syslog listener reading RFC 6587 octet-counted frames ("LEN SP MSG"). */
export async function startTcpSyslog(): Promise<SyslogReceiver> {
  const sockets = new Set<net.Socket>();
  const receiver: SyslogReceiver = {
    host: "127.0.0.1",
    port: 0,
    messages: [],
    raw: [],
    close: () =>
      new Promise((r) => {
        server.close(() => r());
        for (const s of sockets) s.destroy();
      }),
  };
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    let buf = Buffer.alloc(0);
    socket.on("data", (chunk) => {
      buf = Buffer.concat([buf, chunk]);
      for (;;) {
        const space = buf.indexOf(0x20);
        if (space < 0) return;
        const len = Number(buf.subarray(0, space).toString("ascii"));
        if (buf.length < space + 1 + len) return;
        const text = buf.subarray(space + 1, space + 1 + len).toString("utf8");
        buf = buf.subarray(space + 1 + len);
        receiver.raw.push(text);
        receiver.messages.push(parseSyslog(text));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  receiver.port = (server.address() as net.AddressInfo).port;
  return receiver;
}

/** Every record in a file sink's files, oldest file first; lines that do not parse (torn) are skipped. */
export function readFileSink(file: string, keep = 10): SinkRecord[] {
  const out: SinkRecord[] = [];
  for (let i = keep; i >= 0; i--) {
    const f = i === 0 ? file : `${file}.${i}`;
    if (!existsSync(f)) continue;
    for (const line of readFileSync(f, "utf8").split("\n")) {
      if (!line) continue;
      try {
        out.push(JSON.parse(line));
      } catch {
        // A line torn by a crash: its events were shipped again.
      }
    }
  }
  return out;
}

export interface DeliveryCheck {
  /** Orgs whose records are missing seqs up to their head: [orgId, first missing seq]. */
  gaps: [string, number][];
  /** Records that skipped ahead of the next expected seq: [orgId, expected, got]. */
  outOfOrder: [string, number, number][];
  duplicates: number;
  /** Distinct (org, seq) delivered. */
  distinct: number;
}

/**
 * At least once, in order, no gap: per org, each record's seq is at most one past the
 * highest seen before it (a repeat is fine, a jump is not), and every seq up to the
 * org's head arrived.
 */
export function checkDelivery(records: Pick<SinkRecord, "orgId" | "seq">[], heads: Map<string, number>): DeliveryCheck {
  const highest = new Map<string, number>();
  const outOfOrder: [string, number, number][] = [];
  let duplicates = 0;
  let distinct = 0;
  for (const r of records) {
    const top = highest.get(r.orgId) ?? 0;
    if (r.seq > top + 1) outOfOrder.push([r.orgId, top + 1, r.seq]);
    if (r.seq <= top) duplicates++;
    else {
      distinct += r.seq - top === 1 ? 1 : 0;
      highest.set(r.orgId, r.seq);
    }
  }
  const gaps: [string, number][] = [];
  for (const [orgId, head] of heads) {
    const top = highest.get(orgId) ?? 0;
    if (top < head) gaps.push([orgId, top + 1]);
  }
  return { gaps, outOfOrder, duplicates, distinct };
}
