import { describe, expect, it } from "vitest";
import { SseParser, readEventStream } from "./sse";
import type { SseMessage } from "./sse";

function feed(chunks: string[]): SseMessage[] {
  const parser = new SseParser();
  return chunks.flatMap((c) => parser.push(c));
}

describe("SseParser", () => {
  it("parses a message with id, event and data", () => {
    expect(feed(['id: 7\nevent: audit\ndata: {"a":1}\n\n'])).toEqual([{ id: "7", event: "audit", data: '{"a":1}' }]);
  });

  it("joins a message split anywhere, even mid-field and mid-line", () => {
    const text = 'id: 12\nevent: audit\ndata: {"action":"user.login"}\n\n';
    for (let cut = 1; cut < text.length; cut++) {
      expect(feed([text.slice(0, cut), text.slice(cut)])).toEqual([
        { id: "12", event: "audit", data: '{"action":"user.login"}' },
      ]);
    }
    expect(feed(text.split(""))).toHaveLength(1);
  });

  it("accepts CRLF and lone CR line ends, also with the CRLF split across chunks", () => {
    expect(feed(["id: 1\r\ndata: x\r\n\r\n"])).toEqual([{ id: "1", event: "message", data: "x" }]);
    expect(feed(["data: y\r\r"])).toEqual([{ id: undefined, event: "message", data: "y" }]);
    expect(feed(["data: z\r", "\n\r", "\n"])).toEqual([{ id: undefined, event: "message", data: "z" }]);
  });

  it("ignores comments such as keepalives", () => {
    expect(feed([": keepalive\n\n", ": keepalive\n", "data: a\n\n"])).toEqual([
      { id: undefined, event: "message", data: "a" },
    ]);
  });

  it("joins multi-line data with newlines and keeps a data field without a value", () => {
    expect(feed(["data: one\ndata:two\ndata\ndata:  three\n\n"])).toEqual([
      { id: undefined, event: "message", data: "one\ntwo\n\n three" },
    ]);
  });

  it("keeps the last id for later messages and ignores an unfinished one", () => {
    const parser = new SseParser();
    const got = [...parser.push("id: 5\ndata: a\n\ndata: b\n\n"), ...parser.push("id: 6\ndata: c")];
    expect(got.map((m) => [m.id, m.data])).toEqual([
      ["5", "a"],
      ["5", "b"],
    ]);
    expect(parser.lastEventId).toBe("6");
  });

  it("does not dispatch an event without data, strips a BOM and reads retry", () => {
    const parser = new SseParser();
    expect(parser.push("\uFEFFevent: audit\nretry: 3000\n\n")).toEqual([]);
    expect(parser.retry).toBe(3000);
  });
});

describe("readEventStream", () => {
  it("decodes a byte stream whose chunks split a multi-byte character", async () => {
    const bytes = new TextEncoder().encode("id: 9\ndata: café\n\n");
    const cut = bytes.indexOf(0xc3) + 1;
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(bytes.slice(0, cut));
        controller.enqueue(bytes.slice(cut));
        controller.close();
      },
    });
    const got: SseMessage[] = [];
    await readEventStream(new Response(body), new SseParser(), (m) => got.push(m));
    expect(got).toEqual([{ id: "9", event: "message", data: "café" }]);
  });
});
