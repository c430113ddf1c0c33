/** The explorer's filters: what the person chose, and the API query they mean at a given moment. */
import type { Query } from "../../api/client";
import { isRfc3339 } from "./time";
import type { Outcome } from "./types";

export const PRESETS = [
  { id: "15m", label: "Last 15 minutes", ms: 15 * 60_000 },
  { id: "1h", label: "Last hour", ms: 3_600_000 },
  { id: "24h", label: "Last 24 hours", ms: 86_400_000 },
  { id: "7d", label: "Last 7 days", ms: 7 * 86_400_000 },
  { id: "30d", label: "Last 30 days", ms: 30 * 86_400_000 },
] as const;

export type PresetId = (typeof PRESETS)[number]["id"];
export type RangeId = PresetId | "all" | "custom";

export const OUTCOMES: Outcome[] = ["success", "failure", "unknown"];

export interface AuditFilters {
  q: string;
  actor: string;
  action: string;
  target: string;
  outcome: Outcome | "";
  source: string;
  range: RangeId;
  /** RFC 3339, only with range "custom". */
  since: string;
  until: string;
}

export const EMPTY_FILTERS: AuditFilters = {
  q: "",
  actor: "",
  action: "",
  target: "",
  outcome: "",
  source: "",
  range: "all",
  since: "",
  until: "",
};

export function presetOf(id: string): (typeof PRESETS)[number] | undefined {
  return PRESETS.find((p) => p.id === id);
}

/** A label for the time range, for headings and empty states. */
export function rangeLabel(f: AuditFilters): string {
  if (f.range === "all") return "All time";
  if (f.range === "custom") return "Custom range";
  return presetOf(f.range)?.label ?? f.range;
}

/** True when anything narrows the trail (a time range counts). */
export function isFiltered(f: AuditFilters): boolean {
  return (Object.keys(EMPTY_FILTERS) as (keyof AuditFilters)[]).some((k) => f[k] !== EMPTY_FILTERS[k]);
}

export type FilterErrors = Partial<Record<"since" | "until", string>>;

/** Problems with a custom range, by field; empty when the filters can be queried. */
export function validateFilters(f: AuditFilters): FilterErrors {
  if (f.range !== "custom") return {};
  const errors: FilterErrors = {};
  if (!f.since && !f.until) errors.since = "Give a start, an end, or both.";
  if (f.since && !isRfc3339(f.since)) errors.since = "Not a valid date and time.";
  if (f.until && !isRfc3339(f.until)) errors.until = "Not a valid date and time.";
  if (!errors.since && !errors.until && f.since && f.until && Date.parse(f.since) >= Date.parse(f.until)) {
    errors.until = "The end must be after the start.";
  }
  return errors;
}

/** The since/until a range means at `now` (ms); presets are open-ended, so new events still show. */
export function timeWindow(f: AuditFilters, now: number): { since?: string; until?: string } {
  if (f.range === "custom") {
    // Invalid values (a hand-edited link) are left out here; validateFilters reports them.
    const utc = (v: string) => (isRfc3339(v) ? new Date(v).toISOString() : undefined);
    return { since: utc(f.since), until: utc(f.until) };
  }
  const preset = presetOf(f.range);
  return preset ? { since: new Date(now - preset.ms).toISOString() } : {};
}

/** Parameters of the search, export and stream endpoints (not the paging ones). */
export function searchQuery(f: AuditFilters, now: number): Query {
  return {
    q: f.q,
    actor: f.actor,
    action: f.action,
    target: f.target,
    outcome: f.outcome,
    source: f.source,
    ...timeWindow(f, now),
  };
}

const STATS_DEFAULT_SPAN = 30 * 86_400_000;

/** Parameters of /stats: the search's without `q`; an open start becomes 30 days before the end. */
export function statsQuery(f: AuditFilters, now: number): Query {
  const { q: _q, ...rest } = searchQuery(f, now);
  if (!rest.since) {
    const end = rest.until ? Date.parse(String(rest.until)) : now;
    rest.since = new Date(end - STATS_DEFAULT_SPAN).toISOString();
  }
  return rest;
}

/** Parameters of the live tail: the stream takes the filters but no time range. */
export function streamQuery(f: AuditFilters): Query {
  const { since: _since, until: _until, ...rest } = searchQuery(f, 0);
  return rest;
}

/** Whether an instant lies in a window (since inclusive, until exclusive), as the search counts it. */
export function inWindow(time: string, window: { since?: string; until?: string }): boolean {
  const t = Date.parse(time);
  if (window.since && t < Date.parse(window.since)) return false;
  return !(window.until && t >= Date.parse(window.until));
}
