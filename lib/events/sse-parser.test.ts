// The live timeline's reader against the server's own framing: every event the stream
// sends reaches the client whatever its name (audit types are open-ended), and
// heartbeats do not.
import { describe, expect, it } from "vitest";
import { formatSseEvent } from "./open-event-stream";
import { sseEventName } from "./event-names";
import { createSseParser, type SseMessage } from "./sse-parser";

const TYPES = ["lease.granted", "lease.resolved", "lease.resolve_denied", "secret.rotated", "a.type.added.next.year"];
const events = TYPES.map((type, i) => ({ seq: 41 + i, type, outcome: "success" }));
// What openEventStream writes: the preamble, heartbeats between events, then the events.
const wire = `retry: 3000\n: connected\n\n` + events.map((e) => `: heartbeat\n\n${formatSseEvent(e)}`).join("");

function parseAll(chunks: string[]) {
  const seen: SseMessage[] = [];
  const feed = createSseParser((m) => seen.push(m));
  for (const chunk of chunks) feed(chunk);
  return seen;
}

const expected = events.map((e) => ({ event: sseEventName(e.type), id: String(e.seq), data: JSON.stringify(e) }));

describe("createSseParser", () => {
  it("reports every event the server sends, under the name the server gave it", () => {
    const seen = parseAll([wire]);
    expect(seen).toEqual(expected);
    // The names the old EventSource listeners ("message", "audit") would have caught: none.
    expect(seen.filter((m) => m.event === "message" || m.event === "audit")).toEqual([]);
    expect(seen.map((m) => m.event)).toContain("vault.accessed");
  });

  it("does not depend on how the network splits the bytes", () => {
    expect(parseAll([...wire])).toEqual(expected);
    const third = Math.floor(wire.length / 3);
    expect(parseAll([wire.slice(0, third), wire.slice(third, 2 * third), wire.slice(2 * third)])).toEqual(expected);
  });

  it("accepts CRLF and CR line endings, even split between chunks", () => {
    const crlf = wire.replaceAll("\n", "\r\n");
    expect(parseAll([...crlf])).toEqual(expected);
    expect(parseAll([wire.replaceAll("\n", "\r")])).toEqual(expected);
  });

  it("names unnamed events 'message' and joins multi-line data", () => {
    expect(parseAll(["data: a\ndata: b\n\n", "id: 7\ndata\n\n", "event: x\n\n"])).toEqual([
      { event: "message", data: "a\nb", id: null },
      { event: "message", data: "", id: "7" },
    ]);
  });
});
