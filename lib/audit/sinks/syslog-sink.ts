// The syslog sink: each event one RFC 5424 message (syslog-format.ts), over UDP (one
// datagram each, RFC 5426), TCP (RFC 6587 octet counting by default) or a unix stream
// socket (one message per line by default). write() resolves once every message of the
// batch was handed to the socket without error: that is all syslog confirms. A datagram
// can be dropped and a TCP connection cut with bytes still unsent; use the file or HTTP
// sink where every event must be confirmed by the receiver.
import dgram from "node:dgram";
import net from "node:net";
import { SinkError, type AuditSink } from "./audit-sink";
import type { SyslogSinkSpec } from "./sink-config";
import type { SinkRecord } from "./sink-record";
import { formatSyslogMessage, type SyslogHeader } from "./syslog-format";

const CONNECT_TIMEOUT_MS = 5_000;
const WRITE_TIMEOUT_MS = 10_000;
/** The largest UDP payload over IPv4. */
const MAX_DATAGRAM = 65_507;

type Spec = Pick<SyslogSinkSpec, "name" | "transport" | "host" | "port" | "path" | "facility" | "appName" | "hostname" | "framing">;

export class SyslogSink implements AuditSink {
  readonly kind = "syslog";
  readonly name: string;
  private readonly header: SyslogHeader;
  private udp: Promise<dgram.Socket> | null = null;
  private stream: Promise<net.Socket> | null = null;
  private queue: Promise<void> = Promise.resolve();

  constructor(private readonly spec: Spec) {
    this.name = spec.name;
    this.header = { facility: spec.facility, hostname: spec.hostname, appName: spec.appName, procId: String(process.pid) };
  }

  write(records: SinkRecord[]): Promise<void> {
    const run = this.queue.then(() => (this.spec.transport === "udp" ? this.sendUdp(records) : this.sendStream(records)));
    this.queue = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    await this.queue;
    const udp = this.udp;
    const stream = this.stream;
    this.udp = this.stream = null;
    if (udp) await udp.then((s) => new Promise<void>((r) => s.close(() => r()))).catch(() => {});
    if (stream) await stream.then((s) => new Promise<void>((r) => s.end(() => r()))).catch(() => {});
  }

  private messages(records: SinkRecord[]): Buffer[] {
    return records.map((r) => Buffer.from(formatSyslogMessage(r, this.header), "utf8"));
  }

  private async sendUdp(records: SinkRecord[]): Promise<void> {
    const socket = await (this.udp ??= this.connectUdp());
    for (const message of this.messages(records)) {
      if (message.length > MAX_DATAGRAM) throw new SinkError(`event too large for a UDP datagram (${message.length} bytes)`);
      await new Promise<void>((resolve, reject) => socket.send(message, (err) => (err ? reject(err) : resolve())));
    }
  }

  private connectUdp(): Promise<dgram.Socket> {
    const socket = dgram.createSocket(net.isIPv6(this.spec.host) ? "udp6" : "udp4");
    const forget = () => {
      if (this.udp === connected) this.udp = null;
      try {
        socket.close();
      } catch {
        // Already closed.
      }
    };
    // A connected socket reports the receiver's "port unreachable" on a later send.
    socket.on("error", forget);
    const connected = new Promise<dgram.Socket>((resolve, reject) => {
      socket.once("error", reject);
      socket.connect(this.spec.port, this.spec.host, () => {
        socket.off("error", reject);
        socket.unref();
        resolve(socket);
      });
    });
    connected.catch(() => {
      if (this.udp === connected) this.udp = null;
    });
    return connected;
  }

  private async sendStream(records: SinkRecord[]): Promise<void> {
    const frames = this.messages(records).map((m) => (this.spec.framing === "octet" ? Buffer.concat([Buffer.from(`${m.length} `), m]) : Buffer.concat([m, Buffer.from("\n")])));
    const socket = await (this.stream ??= this.connectStream());
    try {
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new SinkError("timeout writing to the syslog socket")), WRITE_TIMEOUT_MS);
        const fail = (err: Error) => {
          clearTimeout(timer);
          reject(err);
        };
        socket.once("error", fail);
        socket.write(Buffer.concat(frames), (err) => {
          clearTimeout(timer);
          socket.off("error", fail);
          if (err) reject(err);
          else resolve();
        });
      });
    } catch (err) {
      socket.destroy();
      throw err;
    }
  }

  private connectStream(): Promise<net.Socket> {
    const { transport, host, port, path } = this.spec;
    const socket = transport === "unix" ? net.connect({ path }) : net.connect({ host, port });
    const connected = new Promise<net.Socket>((resolve, reject) => {
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new SinkError("timeout connecting to the syslog receiver"));
      }, CONNECT_TIMEOUT_MS);
      socket.once("error", (err) => {
        clearTimeout(timer);
        reject(err);
      });
      socket.once("connect", () => {
        clearTimeout(timer);
        socket.setKeepAlive(true);
        socket.unref();
        resolve(socket);
      });
    });
    // Whatever ends the connection, the next batch connects again.
    const forget = () => {
      if (this.stream === connected) this.stream = null;
      socket.destroy();
    };
    socket.on("error", forget);
    socket.on("end", forget);
    socket.on("close", forget);
    // Receivers say nothing back: anything read is discarded.
    socket.on("data", () => {});
    return connected;
  }
}
