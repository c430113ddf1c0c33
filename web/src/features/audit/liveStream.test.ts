import { afterEach, describe, expect, it, vi } from "vitest";
import { backoffDelay, followStream } from "./liveStream";
import type { LiveStatus } from "./liveStream";
import type { AuditEvent } from "./types";

function sse(text: string): Response {
  return new Response(text, { headers: { "Content-Type": "text/event-stream" } });
}

afterEach(() => vi.unstubAllGlobals());

describe("followStream", () => {
  it("reconnects when the stream ends and resumes after the last id it saw", async () => {
    const urls: URL[] = [];
    const controller = new AbortController();
    const bodies = [
      'id: 10\nevent: audit\ndata: {"id":"a"}\n\n: keepalive\n\n',
      'id: 11\nevent: audit\ndata: {"id":"b"}\n\n',
    ];
    vi.stubGlobal(
      "fetch",
      vi.fn(async (input: string) => {
        urls.push(new URL(input, "http://localhost"));
        const body = bodies.shift();
        if (!body) controller.abort();
        return sse(body ?? "");
      }),
    );
    const got: string[] = [];
    const statuses: LiveStatus[] = [];
    await followStream({
      query: { action: "trade.*" },
      signal: controller.signal,
      onEvent: (e: AuditEvent) => got.push(e.id),
      onStatus: (s) => statuses.push(s),
      baseDelay: 1,
    });
    expect(got).toEqual(["a", "b"]);
    expect(urls.map((u) => u.searchParams.get("after"))).toEqual([null, "10", "11"]);
    expect(urls.every((u) => u.searchParams.get("action") === "trade.*")).toBe(true);
    expect(statuses.slice(0, 4)).toEqual(["connecting", "connected", "reconnecting", "reconnecting"]);
  });

  it("retries after a server error but gives up on a refusal", async () => {
    const answers = [
      new Response("{}", { status: 503 }),
      new Response(JSON.stringify({ error: { code: "forbidden", message: "no" } }), { status: 403, headers: { "Content-Type": "application/json" } }),
    ];
    vi.stubGlobal("fetch", vi.fn(async () => answers.shift()));
    const statuses: [LiveStatus, string | undefined][] = [];
    await followStream({
      query: {},
      signal: new AbortController().signal,
      onEvent: () => {},
      onStatus: (s, problem) => statuses.push([s, problem]),
      baseDelay: 1,
    });
    expect(statuses.at(-1)).toEqual(["error", "Your role does not allow the live tail."]);
    expect(answers).toHaveLength(0);
  });
});

describe("followStream's watchdog", () => {
  it("reconnects when a connection stays silent past the idle timeout", async () => {
    const controller = new AbortController();
    let connections = 0;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (_input: string, init: RequestInit) => {
        connections += 1;
        if (connections === 2) setTimeout(() => controller.abort(), 5);
        // A body that never sends a byte and never ends, like a half-dead proxy; an abort
        // errors it, as it does a real fetch body.
        const body = new ReadableStream<Uint8Array>({
          start(stream) {
            init.signal?.addEventListener("abort", () => stream.error(new DOMException("aborted", "AbortError")));
          },
        });
        return new Response(body);
      }),
    );
    await followStream({
      query: {},
      signal: controller.signal,
      onEvent: () => {},
      onStatus: () => {},
      idleTimeout: 20,
      baseDelay: 1,
    });
    expect(connections).toBe(2);
  });
});

describe("backoffDelay", () => {
  it("doubles from the base up to the cap, within 20% jitter", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 10].map((n) => backoffDelay(n, 1000, 30_000, mid))).toEqual([1000, 2000, 4000, 8000, 30_000]);
    expect(backoffDelay(1, 1000, 30_000, () => 0)).toBe(800);
    expect(backoffDelay(1, 1000, 30_000, () => 1)).toBe(1200);
  });
});
