// The client half of the event stream's framing. The server names every event after
// its audit type (an open-ended set), and EventSource only reports the names it was
// told to listen for; reading the frames ourselves sees every event, whatever its name.

export interface SseMessage {
  /** The `event:` field; "message" when the server sent none. */
  event: string;
  data: string;
  /** The `id:` field of this event, or null when it carried none. */
  id: string | null;
}

/**
 * Returns a function to feed decoded text in chunks of any size; `onMessage` runs once
 * per dispatched event. Comments (heartbeats) and `retry:` lines dispatch nothing.
 */
export function createSseParser(onMessage: (message: SseMessage) => void): (chunk: string) => void {
  let buffer = "";
  let event = "";
  let data: string[] = [];
  let id: string | null = null;
  let sawData = false;

  const dispatch = () => {
    // Per the SSE spec a block without data lines is not an event.
    if (sawData) onMessage({ event: event || "message", data: data.join("\n"), id });
    event = "";
    data = [];
    id = null;
    sawData = false;
  };

  const line = (text: string) => {
    if (text === "") return dispatch();
    if (text.startsWith(":")) return;
    const colon = text.indexOf(":");
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? "" : text.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "event") event = value;
    else if (field === "data") {
      data.push(value);
      sawData = true;
    } else if (field === "id" && !value.includes("\0")) id = value;
  };

  // A chunk that ends in \r may be the first half of \r\n: the \n in the next chunk
  // then ends nothing. The line itself is handled at once, so no event waits for it.
  let skipLf = false;
  return (chunk: string) => {
    if (skipLf && chunk.startsWith("\n")) chunk = chunk.slice(1);
    skipLf = false;
    buffer += chunk;
    for (;;) {
      const nl = buffer.search(/\r\n|\r|\n/);
      if (nl === -1) break;
      const width = buffer.startsWith("\r\n", nl) ? 2 : 1;
      if (width === 1 && buffer[nl] === "\r" && nl === buffer.length - 1) skipLf = true;
      line(buffer.slice(0, nl));
      buffer = buffer.slice(nl + width);
    }
  };
}
