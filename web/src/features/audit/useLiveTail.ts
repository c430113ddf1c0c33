/** New events matching the filters, newest first, while the live tail is on. */
import { useEffect, useEffectEvent, useState } from "react";
import type { Query } from "../../api/client";
import { followStream } from "./liveStream";
import type { LiveStatus } from "./liveStream";
import type { AuditEvent } from "./types";

/** Live events kept in memory; older ones are dropped (they are on the regular pages). */
export const LIVE_CAP = 500;
const FRESH_MS = 3000;

export interface LiveTail {
  status: LiveStatus | "off";
  problem?: string;
  events: AuditEvent[];
  /** Ids that arrived in the last few seconds, to highlight. */
  fresh: ReadonlySet<string>;
}

export function useLiveTail(enabled: boolean, query: Query): LiveTail {
  const key = JSON.stringify(query);
  const [status, setStatus] = useState<{ status: LiveStatus | "off"; problem?: string }>({ status: "off" });
  const [events, setEvents] = useState<AuditEvent[]>([]);
  const [fresh, setFresh] = useState<ReadonlySet<string>>(new Set());

  const arrive = useEffectEvent((event: AuditEvent) => {
    setEvents((list) => [event, ...list.filter((e) => e.id !== event.id)].slice(0, LIVE_CAP));
    setFresh((ids) => new Set(ids).add(event.id));
    setTimeout(
      () =>
        setFresh((ids) => {
          const next = new Set(ids);
          next.delete(event.id);
          return next;
        }),
      FRESH_MS,
    );
  });

  useEffect(() => {
    setEvents([]);
    if (!enabled) {
      setStatus({ status: "off" });
      return;
    }
    const controller = new AbortController();
    void followStream({
      query: JSON.parse(key) as Query,
      signal: controller.signal,
      onEvent: arrive,
      onStatus: (s, problem) => {
        if (!controller.signal.aborted) setStatus({ status: s, problem });
      },
    });
    return () => controller.abort();
  }, [enabled, key]);

  return { ...status, events, fresh };
}
