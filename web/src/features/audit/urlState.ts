/** The explorer's state in the URL, so a link reproduces the view: filters, page size, open event. */
import { EMPTY_FILTERS, OUTCOMES, presetOf } from "./filters";
import type { AuditFilters } from "./filters";
import type { Outcome } from "./types";

export const PAGE_SIZES = [50, 100, 200] as const;
export const DEFAULT_PAGE_SIZE = 50;

const TEXT_KEYS = ["q", "actor", "action", "target", "source"] as const;

/** Filters named by the URL; unknown values fall back to "no filter". */
export function filtersFromParams(params: URLSearchParams): AuditFilters {
  const f: AuditFilters = { ...EMPTY_FILTERS };
  for (const key of TEXT_KEYS) f[key] = (params.get(key) ?? "").trim();
  const outcome = params.get("outcome") ?? "";
  if ((OUTCOMES as string[]).includes(outcome)) f.outcome = outcome as Outcome;
  const range = params.get("range") ?? "";
  const preset = presetOf(range);
  if (preset) {
    f.range = preset.id;
  } else if (params.get("since") || params.get("until")) {
    f.range = "custom";
    f.since = params.get("since") ?? "";
    f.until = params.get("until") ?? "";
  }
  return f;
}

export interface ViewExtras {
  pageSize?: number;
  event?: string | null;
}

/** The query string for filters (only what differs from the defaults), page size and open event. */
export function filtersToParams(f: AuditFilters, extras: ViewExtras = {}): URLSearchParams {
  const params = new URLSearchParams();
  if (f.q) params.set("q", f.q);
  if (f.range === "custom") {
    if (f.since) params.set("since", f.since);
    if (f.until) params.set("until", f.until);
  } else if (f.range !== "all") {
    params.set("range", f.range);
  }
  for (const key of ["actor", "action", "target", "outcome", "source"] as const) {
    if (f[key]) params.set(key, f[key]);
  }
  if (extras.pageSize && extras.pageSize !== DEFAULT_PAGE_SIZE) params.set("limit", String(extras.pageSize));
  if (extras.event) params.set("event", extras.event);
  return params;
}

/** The page size in the URL, when it is one the explorer offers. */
export function pageSizeFromParams(params: URLSearchParams): number {
  const value = Number(params.get("limit"));
  return (PAGE_SIZES as readonly number[]).includes(value) ? value : DEFAULT_PAGE_SIZE;
}

/** A stable key of the filters alone, to reset paging when they change. */
export function filtersKey(f: AuditFilters): string {
  return filtersToParams(f).toString();
}
