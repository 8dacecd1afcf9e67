// Serves one PGlite (a single PostgreSQL session) to many client connections, each
// behaving as if it had a session of its own, which a connection pool assumes:
// - a connection owns the session from its first message until PostgreSQL is ready
//   for a new query outside a transaction ("Z" with status "I"), so an extended-query
//   sequence (Parse…Sync) or a transaction is never interleaved with another's;
// - statement and portal names are prefixed per connection, so two connections
//   preparing "rv_lease_issue" do not collide (42P05) and one never runs the other's;
// - notifications go to every connection that ran LISTEN on the channel, not to
//   whichever connection happened to commit the NOTIFY;
// - settings a connection changes for its session (SET, set_config: psql, pg_dump) are
//   put back when it hands the session on, and replayed when it gets it again, so a
//   maintenance client's `search_path = ''` never reaches the app's connections.
// Other session state (temporary tables, session-level advisory locks, SQL PREPARE) is
// shared; the app uses none of it.
// Listens on a Unix socket only: the caller puts it in a 0700 directory, so no other
// local user can reach the database (PGlite has no authentication of its own).
import { createServer, type Server, type Socket } from "node:net";
import type { PGlite } from "@electric-sql/pglite";

const SSL_REQUEST = 80877103;
const GSSENC_REQUEST = 80877104;
const CANCEL_REQUEST = 80877102;

interface Connection {
  id: number;
  socket: Socket;
  input: Buffer;
  started: boolean;
  inbox: Buffer[];
  statements: Set<string>;
  channels: Set<string>;
  /** It has run something that may change session settings. */
  dirty: boolean;
  /** Its own session settings while another connection holds the session. */
  settings: Setting[];
  closed: boolean;
}

interface Setting {
  name: string;
  setting: string;
}

// SET (but not SET LOCAL, which ends with its transaction), RESET, set_config(…).
const CHANGES_SETTINGS = /(^|;)\s*(SET\s+(?!LOCAL\b)|RESET\s)|set_config\s*\(/i;
const SESSION_SETTINGS = `SELECT name, setting FROM pg_settings WHERE source = 'session'`;

function cstring(buf: Buffer, at: number): [string, number] {
  const end = buf.indexOf(0, at);
  if (end < 0) throw new Error("malformed message: unterminated string");
  return [buf.toString("utf8", at, end), end + 1];
}

function frame(type: string, body: Buffer): Buffer {
  const head = Buffer.alloc(5);
  head.write(type, 0, "latin1");
  head.writeInt32BE(body.length + 4, 1);
  return Buffer.concat([head, body]);
}

function simpleQuery(sql: string): Uint8Array {
  return new Uint8Array(frame("Q", Buffer.from(`${sql}\0`, "utf8")));
}

/** Rewrites the statement and portal names in one client message; records what it prepares. */
function scopeNames(conn: Connection, msg: Buffer): Buffer {
  const type = String.fromCharCode(msg[0]);
  const name = (n: string) => (n === "" ? "" : `c${conn.id}_${n}`);
  const body = msg.subarray(5);
  switch (type) {
    case "P": {
      const [stmt, rest] = cstring(body, 0);
      if (stmt) conn.statements.add(name(stmt));
      if (CHANGES_SETTINGS.test(cstring(body, rest)[0])) conn.dirty = true;
      return frame("P", Buffer.concat([Buffer.from(`${name(stmt)}\0`), body.subarray(rest)]));
    }
    case "B": {
      const [portal, afterPortal] = cstring(body, 0);
      const [stmt, rest] = cstring(body, afterPortal);
      return frame("B", Buffer.concat([Buffer.from(`${name(portal)}\0${name(stmt)}\0`), body.subarray(rest)]));
    }
    case "D":
    case "C": {
      const kind = String.fromCharCode(body[0]);
      const [target, rest] = cstring(body, 1);
      if (type === "C" && kind === "S") conn.statements.delete(name(target));
      return frame(type, Buffer.concat([Buffer.from(`${kind}${name(target)}\0`), body.subarray(rest)]));
    }
    case "E": {
      const [portal, rest] = cstring(body, 0);
      return frame("E", Buffer.concat([Buffer.from(`${name(portal)}\0`), body.subarray(rest)]));
    }
    case "Q": {
      // LISTEN is session state: remember who asked, so notifications reach them.
      const [sql] = cstring(body, 0);
      if (CHANGES_SETTINGS.test(sql)) conn.dirty = true;
      const listen = /^\s*LISTEN\s+"?([A-Za-z_][A-Za-z0-9_]*)"?\s*;?\s*$/i.exec(sql);
      if (listen) conn.channels.add(listen[1].toLowerCase());
      return msg;
    }
    default:
      return msg;
  }
}

export interface EmbeddedSocketServerOptions {
  db: PGlite;
  /** Unix socket path, e.g. `<dir>/.s.PGSQL.5432`, in a directory only this user can enter. */
  path: string;
}

export class EmbeddedSocketServer {
  private readonly db: PGlite;
  private readonly path: string;
  private server: Server | null = null;
  private readonly connections = new Set<Connection>();
  private readonly waiting: Connection[] = [];
  private owner: Connection | null = null;
  /** The session's own settings, before any client changed one. */
  private baseline: Setting[] = [];
  private pumping = false;
  private stopped = false;
  private nextId = 1;

  constructor({ db, path }: EmbeddedSocketServerOptions) {
    this.db = db;
    this.path = path;
  }

  async start(): Promise<void> {
    this.baseline = (await this.db.query<Setting>(SESSION_SETTINGS)).rows;
    const server = createServer((socket) => this.accept(socket));
    this.server = server;
    return new Promise((resolve, reject) => {
      server.once("error", reject);
      server.listen(this.path, () => {
        server.off("error", reject);
        resolve();
      });
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const conn of this.connections) conn.socket.destroy();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    // Let the connection closed last finish its cleanup before the database closes.
    while (this.pumping) await new Promise((r) => setTimeout(r, 10));
  }

  private accept(socket: Socket) {
    const conn: Connection = {
      id: this.nextId++, socket, input: Buffer.alloc(0), started: false, inbox: [],
      statements: new Set(), channels: new Set(), dirty: false, settings: [], closed: false,
    };
    this.connections.add(conn);
    socket.on("data", (chunk) => this.receive(conn, chunk));
    socket.on("error", () => socket.destroy());
    socket.on("close", () => {
      conn.closed = true;
      this.connections.delete(conn);
      this.enqueue(conn);
    });
  }

  private receive(conn: Connection, chunk: Buffer) {
    conn.input = conn.input.length ? Buffer.concat([conn.input, chunk]) : chunk;
    try {
      for (;;) {
        if (!conn.started) {
          if (conn.input.length < 8) return;
          const len = conn.input.readInt32BE(0);
          if (conn.input.length < len) return;
          const code = conn.input.readInt32BE(4);
          const msg = conn.input.subarray(0, len);
          conn.input = conn.input.subarray(len);
          if (code === SSL_REQUEST || code === GSSENC_REQUEST) {
            conn.socket.write("N");
          } else if (code === CANCEL_REQUEST) {
            conn.socket.destroy();
            return;
          } else {
            conn.started = true;
            conn.inbox.push(Buffer.from(msg));
          }
          continue;
        }
        if (conn.input.length < 5) return;
        const len = 1 + conn.input.readInt32BE(1);
        if (conn.input.length < len) return;
        const msg = conn.input.subarray(0, len);
        conn.input = conn.input.subarray(len);
        // Terminate: the session is shared, so it is not passed on; close cleans up.
        if (msg[0] === 0x58) {
          conn.socket.end();
          return;
        }
        conn.inbox.push(scopeNames(conn, Buffer.from(msg)));
      }
    } catch {
      conn.socket.destroy();
      return;
    } finally {
      this.enqueue(conn);
    }
  }

  private enqueue(conn: Connection) {
    if (conn !== this.owner && !this.waiting.includes(conn) && (conn.inbox.length > 0 || conn.closed)) this.waiting.push(conn);
    void this.pump();
  }

  private async pump() {
    if (this.pumping || this.stopped) return;
    this.pumping = true;
    try {
      while (!this.stopped) {
        if (!this.owner) {
          this.owner = this.waiting.shift() ?? null;
          if (this.owner?.settings.length && !this.owner.closed) await this.apply(this.owner.settings);
        }
        const conn = this.owner;
        if (!conn) return;
        if (conn.closed) {
          await this.cleanUp(conn);
          this.owner = null;
          continue;
        }
        const msg = conn.inbox.shift();
        // The owner is mid-sequence or mid-transaction: everyone waits for its next message.
        if (!msg) return;
        const status = await this.execute(msg, conn);
        if (status === "I") {
          if (conn.dirty) await this.putBackSettings(conn);
          this.owner = null;
          if (conn.inbox.length > 0) this.waiting.push(conn);
        }
      }
    } finally {
      this.pumping = false;
    }
  }

  /** Runs one message; forwards the output to `to`, notifications to their listeners. Returns the ready status seen, if any. */
  private async execute(msg: Uint8Array, to: Connection | null): Promise<string | undefined> {
    let pending = Buffer.alloc(0);
    let status: string | undefined;
    const onRawData = (data: Uint8Array) => {
      pending = pending.length ? Buffer.concat([pending, data]) : Buffer.from(data);
      const forward: Buffer[] = [];
      let at = 0;
      while (pending.length - at >= 5) {
        const len = 1 + pending.readInt32BE(at + 1);
        if (pending.length - at < len) break;
        const out = pending.subarray(at, at + len);
        const type = String.fromCharCode(out[0]);
        if (type === "A") this.notify(out);
        else {
          if (type === "Z") status = String.fromCharCode(out[5]);
          forward.push(out);
        }
        at += len;
      }
      pending = Buffer.from(pending.subarray(at));
      if (to && !to.closed && forward.length) to.socket.write(Buffer.concat(forward));
    };
    try {
      await this.db.runExclusive(() => this.db.execProtocolRawStream(msg, { onRawData }));
    } catch {
      // PGlite reports protocol errors to the client as ErrorResponse; a throw here means
      // the connection's stream is unusable.
      to?.socket.destroy();
      return "I";
    }
    return status;
  }

  /** Keeps what `conn` changed for its next turn and gives the session its baseline back. */
  private async putBackSettings(conn: Connection) {
    const now = (await this.db.query<Setting>(SESSION_SETTINGS)).rows;
    const base = new Map(this.baseline.map((s) => [s.name, s.setting]));
    conn.settings = now.filter((s) => base.get(s.name) !== s.setting);
    const changed = new Set([...conn.settings.map((s) => s.name), ...this.baseline.filter((b) => !now.some((s) => s.name === b.name)).map((b) => b.name)]);
    for (const name of changed) {
      if (base.has(name)) await this.db.query("SELECT set_config($1, $2, false)", [name, base.get(name)]);
      else await this.db.exec(`RESET "${name.replaceAll('"', '""')}"`);
    }
  }

  private async apply(settings: Setting[]) {
    for (const { name, setting } of settings) await this.db.query("SELECT set_config($1, $2, false)", [name, setting]);
  }

  private notify(message: Buffer) {
    // NotificationResponse: int32 pid, channel, payload.
    const [channel] = cstring(message, 9);
    for (const conn of this.connections) if (conn.channels.has(channel)) conn.socket.write(message);
  }

  /** A closed connection's leftovers: an open query sequence or transaction, and its prepared statements. */
  private async cleanUp(conn: Connection) {
    this.waiting.splice(0, this.waiting.length, ...this.waiting.filter((c) => c !== conn));
    conn.inbox = [];
    // It may have gone mid-sequence or mid-transaction while owning the session.
    await this.execute(new Uint8Array(frame("S", Buffer.alloc(0))), null);
    if (this.db.isInTransaction()) await this.execute(simpleQuery("ROLLBACK"), null);
    for (const stmt of conn.statements) await this.execute(simpleQuery(`DEALLOCATE "${stmt.replaceAll('"', '""')}"`), null);
    conn.statements.clear();
    if (conn.dirty) await this.putBackSettings(conn);
  }
}
