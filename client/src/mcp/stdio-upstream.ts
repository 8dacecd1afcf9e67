// A local MCP server: a child process speaking newline-delimited JSON-RPC on stdio,
// started with the leased values in its environment and arguments. Its stderr is
// masked on the way to ours.
import type { ChildProcess } from "node:child_process";
import { StringDecoder } from "node:string_decoder";
import { childEnv, pipeMasked, spawnChild, stopChild, waitForExit } from "../exec/child.ts";
import { StreamMasker, type MaskPattern } from "../exec/mask.ts";
import type { JsonRpcMessage, Upstream, UpstreamEvents } from "./upstream.ts";

/** After stdin closes, how long the server may take to exit by itself before SIGTERM. */
const STDIN_CLOSED_WAIT_MS = 1_000;

export class StdioUpstream implements Upstream {
  private constructor(private readonly child: ChildProcess, private readonly graceMs: number) {}

  static async start(
    opts: { command: string; args: string[]; env: Record<string, string>; graceMs: number; patterns: MaskPattern[]; label: string },
    events: UpstreamEvents,
  ): Promise<StdioUpstream> {
    const child = await spawnChild(opts.command, opts.args, { stdio: ["pipe", "pipe", "pipe"], env: childEnv(opts.env), detached: true });
    child.stdin!.on("error", () => {}); // the server may exit first
    const decoder = new StringDecoder("utf8");
    let partial = "";
    const stderr = pipeMasked(child.stderr!, new StreamMasker(opts.patterns), process.stderr);
    child.stdout!.on("data", (chunk: Buffer) => {
      partial += decoder.write(chunk);
      const lines = partial.split("\n");
      partial = lines.pop()!;
      for (const line of lines) deliver(line);
    });
    const deliver = (line: string) => {
      if (!line.trim()) return;
      try {
        const message = JSON.parse(line);
        for (const m of Array.isArray(message) ? message : [message]) if (m && typeof m === "object") events.onMessage(m as JsonRpcMessage);
      } catch {
        // Not JSON-RPC: the client could not use it; it goes to stderr (masked) as a log line.
        process.stderr.write(new StreamMasker(opts.patterns).push(Buffer.from(`${opts.label}: ${line}\n`)));
      }
    };
    void waitForExit(child).then(async (exit) => {
      await stderr;
      events.onClosed(exit.signal ? `the server was stopped by ${exit.signal}` : `the server exited with code ${exit.code}`);
    });
    return new StdioUpstream(child, opts.graceMs);
  }

  send(message: JsonRpcMessage) {
    if (this.child.stdin!.writable) this.child.stdin!.write(JSON.stringify(message) + "\n");
  }

  async close() {
    this.child.stdin!.end();
    const exit = waitForExit(this.child);
    const timer = setTimeout(() => void stopChild(this.child, { graceMs: this.graceMs, group: true }), STDIN_CLOSED_WAIT_MS);
    await exit;
    clearTimeout(timer);
  }

  async kill() {
    this.child.stdin!.end();
    await stopChild(this.child, { graceMs: this.graceMs, group: true });
  }

  get pid() {
    return this.child.pid;
  }
}
