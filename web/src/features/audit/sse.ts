/** A text/event-stream parser (HTML Living Standard, "Server-sent events" 9.2.6) for fetch bodies. */

export interface SseMessage {
  /** The last event id seen so far in the stream (ids carry over to later messages). */
  id?: string;
  /** The `event:` field, "message" when absent. */
  event: string;
  /** The `data:` lines joined with "\n". */
  data: string;
}

/** Feed it text as it arrives, in chunks of any size; it returns the messages each chunk completes. */
export class SseParser {
  private buffer = "";
  private data: string[] = [];
  private eventType = "";
  private lastId: string | undefined;
  private skipLeadingLf = false;
  private started = false;
  /** The server's `retry:` advice in ms, if it sent one. */
  retry: number | undefined;

  get lastEventId(): string | undefined {
    return this.lastId;
  }

  push(chunk: string): SseMessage[] {
    if (!chunk) return [];
    if (!this.started) {
      this.started = true;
      if (chunk.startsWith("\uFEFF")) chunk = chunk.slice(1);
    }
    // A CR ending the previous chunk may be the first half of a CRLF.
    if (this.skipLeadingLf && chunk.startsWith("\n")) chunk = chunk.slice(1);
    this.skipLeadingLf = false;
    const text = this.buffer + chunk;
    const out: SseMessage[] = [];
    let start = 0;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (c !== "\r" && c !== "\n") continue;
      this.line(text.slice(start, i), out);
      if (c === "\r") {
        if (i + 1 === text.length) this.skipLeadingLf = true;
        else if (text[i + 1] === "\n") i++;
      }
      start = i + 1;
    }
    this.buffer = text.slice(start);
    return out;
  }

  private line(line: string, out: SseMessage[]): void {
    if (line === "") {
      if (this.data.length) out.push({ id: this.lastId, event: this.eventType || "message", data: this.data.join("\n") });
      this.data = [];
      this.eventType = "";
      return;
    }
    if (line.startsWith(":")) return; // a comment, e.g. the server's keepalive
    const colon = line.indexOf(":");
    const field = colon < 0 ? line : line.slice(0, colon);
    let value = colon < 0 ? "" : line.slice(colon + 1);
    if (value.startsWith(" ")) value = value.slice(1);
    if (field === "data") this.data.push(value);
    else if (field === "event") this.eventType = value;
    else if (field === "id" && !value.includes("\0")) this.lastId = value;
    else if (field === "retry" && /^\d+$/.test(value)) this.retry = Number(value);
  }
}

/** Read a fetch Response as an event stream until it ends; `onBytes` hears every chunk (liveness). */
export async function readEventStream(
  response: Response,
  parser: SseParser,
  onMessage: (message: SseMessage) => void,
  onBytes?: () => void,
): Promise<void> {
  if (!response.body) throw new Error("The server sent no stream.");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onBytes?.();
      parser.push(decoder.decode(value, { stream: true })).forEach(onMessage);
    }
    parser.push(decoder.decode()).forEach(onMessage);
  } finally {
    reader.releaseLock();
  }
}
