/** Follow /audit/stream: reconnect with backoff, resume after the last ledger index seen. */
import { api, ApiError } from "../../api/client";
import type { Query } from "../../api/client";
import { readEventStream, SseParser } from "./sse";
import type { AuditEvent } from "./types";

export const STREAM_PATH = "/api/v1/audit/stream";

export type LiveStatus = "connecting" | "connected" | "reconnecting" | "error";

export interface FollowOptions {
  query: Query;
  signal: AbortSignal;
  onEvent: (event: AuditEvent) => void;
  onStatus: (status: LiveStatus, problem?: string) => void;
  /** Reconnect when nothing, not even a keepalive, arrived for this long (ms). */
  idleTimeout?: number;
  /** The first reconnection delay (ms); it doubles up to `maxDelay`. */
  baseDelay?: number;
  maxDelay?: number;
}

/** The wait before reconnection attempt `attempt` (1, 2, ...): doubling, capped, with some jitter. */
export function backoffDelay(attempt: number, base: number, max: number, random = Math.random): number {
  const delay = Math.min(max, base * 2 ** Math.max(0, attempt - 1));
  return Math.round(delay * (0.8 + 0.4 * random()));
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener("abort", done);
  });
}

/** A client error that retrying will not fix (a 401 was already retried by `api`). */
function isPermanent(error: unknown): error is ApiError {
  return error instanceof ApiError && error.status >= 400 && error.status < 500 && ![408, 429].includes(error.status);
}

/** Runs until `signal` aborts or the server refuses for good; reports status changes as it goes. */
export async function followStream(options: FollowOptions): Promise<void> {
  // The server sends a keepalive every 15 s: three missed ones mean a dead connection
  // (a proxy may keep it open after the server went away).
  const { signal, idleTimeout = 45_000, baseDelay = 1000, maxDelay = 30_000 } = options;
  let lastId: string | undefined;
  let attempt = 0;
  while (!signal.aborted) {
    options.onStatus(attempt ? "reconnecting" : "connecting");
    const connection = new AbortController();
    const stop = () => connection.abort();
    signal.addEventListener("abort", stop);
    let idle: ReturnType<typeof setTimeout> | undefined;
    const alive = () => {
      clearTimeout(idle);
      idle = setTimeout(stop, idleTimeout);
    };
    const parser = new SseParser();
    try {
      const response = await api<Response>(STREAM_PATH, {
        raw: true,
        query: { ...options.query, after: lastId },
        signal: connection.signal,
      });
      options.onStatus("connected");
      attempt = 0;
      alive();
      await readEventStream(
        response,
        parser,
        (message) => {
          if (message.id) lastId = message.id;
          if (message.event !== "audit") return;
          try {
            options.onEvent(JSON.parse(message.data) as AuditEvent);
          } catch {
            /* a malformed message is skipped; the next one may be fine */
          }
        },
        alive,
      );
    } catch (error) {
      if (signal.aborted) return;
      if (isPermanent(error)) {
        options.onStatus("error", error.status === 403 ? "Your role does not allow the live tail." : error.describe());
        return;
      }
    } finally {
      clearTimeout(idle);
      signal.removeEventListener("abort", stop);
    }
    if (signal.aborted) return;
    attempt += 1;
    options.onStatus("reconnecting");
    await wait(backoffDelay(attempt, parser.retry ?? baseDelay, maxDelay), signal);
  }
}
