// Notices when nobody is there any more, so that long-running commands (audit tail,
// mcp run) stop instead of lingering for minutes:
// - the parent died: the process was re-parented, so process.ppid changed (polled;
//   skipped when stdout is a regular file, as for `audit tail >> audit.log &`, which
//   is meant to outlive its shell; and on Windows, where ppid does not change);
// - stdout's reader went away: a write failed (EPIPE), or, when stdout is a socket
//   (what Node-based parents such as MCP clients give their children), a read on it
//   reports end-of-file. A pipe's closed reader shows only at the next write: Node
//   cannot poll a pipe's write end without writing.
// A closed stderr is ignored rather than crashing the process.
import { fstatSync, read, type Stats } from "node:fs";

const POLL_MS = 1_000;

function stat(fd: number): Stats | null {
  try {
    return fstatSync(fd);
  } catch {
    return null;
  }
}

export function watchLifeline(onLost: (reason: string) => void, { pollMs = POLL_MS }: { pollMs?: number } = {}): () => void {
  let done = false;
  const out = stat(1);
  const input = stat(0);
  const ppid = process.ppid;

  // The error listeners stay: a closed stdout or stderr must not crash the cleanup.
  const stop = () => {
    done = true;
    clearInterval(timer);
  };
  const lost = (reason: string) => {
    if (done) return;
    stop();
    onLost(reason);
  };
  process.stdout.on("error", (err: NodeJS.ErrnoException) => lost(`stdout closed (${err.code ?? err.message})`));
  process.stderr.on("error", () => {});

  const watchParent = process.platform !== "win32" && !out?.isFile();
  const timer = setInterval(() => {
    if (watchParent && process.ppid !== ppid) lost(`parent process ${ppid} exited`);
  }, pollMs);
  timer.unref();

  // Reading our own stdout socket returns 0 bytes once the peer has closed it. Not when
  // stdin is the same socket: reading it would take the client's messages.
  const sameAsStdin = input && out && input.dev === out.dev && input.ino === out.ino;
  if (out?.isSocket() && !sameAsStdin) {
    const buf = Buffer.alloc(1);
    const probe = () => {
      if (done) return;
      read(1, buf, 0, 1, null, (err, n) => {
        if (done) return;
        if (err?.code === "EAGAIN" || err?.code === "EWOULDBLOCK") setTimeout(probe, pollMs).unref();
        else if (err) return; // not readable after all (a write-only socket): rely on write errors
        else if (n === 0) lost("stdout closed");
        else probe();
      });
    };
    probe();
  }
  return stop;
}
