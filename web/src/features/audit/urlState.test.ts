import { describe, expect, it } from "vitest";
import { EMPTY_FILTERS, inWindow, isFiltered, searchQuery, statsQuery, streamQuery, timeWindow, validateFilters } from "./filters";
import type { AuditFilters } from "./filters";
import { filtersFromParams, filtersToParams, pageSizeFromParams } from "./urlState";

const NOW = Date.parse("2026-11-25T12:00:00Z");

function roundTrip(f: AuditFilters): AuditFilters {
  return filtersFromParams(new URLSearchParams(filtersToParams(f).toString()));
}

describe("URL <-> filters", () => {
  it("leaves the URL empty for no filters", () => {
    expect(filtersToParams(EMPTY_FILTERS).toString()).toBe("");
    expect(filtersFromParams(new URLSearchParams(""))).toEqual(EMPTY_FILTERS);
    expect(isFiltered(EMPTY_FILTERS)).toBe(false);
  });

  it("round-trips every filter, with a preset stored by its name", () => {
    const f: AuditFilters = {
      ...EMPTY_FILTERS,
      q: "order 1001",
      actor: "u-42",
      action: "trade.*",
      target: "order:o-1001",
      outcome: "failure",
      source: "trading",
      range: "24h",
    };
    const text = filtersToParams(f).toString();
    expect(text).toBe("q=order+1001&range=24h&actor=u-42&action=trade.*&target=order%3Ao-1001&outcome=failure&source=trading");
    expect(roundTrip(f)).toEqual(f);
    expect(isFiltered(f)).toBe(true);
  });

  it("round-trips a custom range as since/until, without a range name", () => {
    const f: AuditFilters = {
      ...EMPTY_FILTERS,
      range: "custom",
      since: "2026-11-01T00:00:00.000Z",
      until: "2026-11-02T00:00:00.000Z",
    };
    expect(filtersToParams(f).get("range")).toBeNull();
    expect(roundTrip(f)).toEqual(f);
  });

  it("keeps the page size and the open event beside the filters", () => {
    const params = filtersToParams({ ...EMPTY_FILTERS, action: "user.login" }, { pageSize: 200, event: "abc" });
    expect(params.toString()).toBe("action=user.login&limit=200&event=abc");
    expect(pageSizeFromParams(params)).toBe(200);
    expect(pageSizeFromParams(new URLSearchParams("limit=7"))).toBe(50);
    expect(filtersToParams(EMPTY_FILTERS, { pageSize: 50 }).toString()).toBe("");
  });

  it("ignores values the explorer does not offer", () => {
    const f = filtersFromParams(new URLSearchParams("outcome=maybe&range=2y"));
    expect(f).toEqual(EMPTY_FILTERS);
  });

  it("prefers a preset name over stray since/until", () => {
    const f = filtersFromParams(new URLSearchParams("range=7d&since=2026-01-01T00:00:00Z"));
    expect(f.range).toBe("7d");
    expect(f.since).toBe("");
  });
});

describe("time ranges", () => {
  it("turns a preset into an open-ended since at query time", () => {
    expect(timeWindow({ ...EMPTY_FILTERS, range: "15m" }, NOW)).toEqual({ since: "2026-11-25T11:45:00.000Z" });
    expect(timeWindow({ ...EMPTY_FILTERS, range: "7d" }, NOW)).toEqual({ since: "2026-11-18T12:00:00.000Z" });
    expect(timeWindow(EMPTY_FILTERS, NOW)).toEqual({});
  });

  it("normalises a custom range with an offset to UTC", () => {
    const f: AuditFilters = { ...EMPTY_FILTERS, range: "custom", since: "2026-11-25T10:00:00+02:00", until: "" };
    expect(timeWindow(f, NOW)).toEqual({ since: "2026-11-25T08:00:00.000Z", until: undefined });
  });

  it("accepts a custom range whose start is before its end", () => {
    const f: AuditFilters = { ...EMPTY_FILTERS, range: "custom", since: "2026-11-01T00:00:00Z", until: "2026-11-02T00:00:00Z" };
    expect(validateFilters(f)).toEqual({});
  });

  it("rejects a custom range ending at or before its start", () => {
    const f: AuditFilters = { ...EMPTY_FILTERS, range: "custom", since: "2026-11-02T00:00:00Z", until: "2026-11-01T00:00:00Z" };
    expect(validateFilters(f)).toEqual({ until: "The end must be after the start." });
    expect(validateFilters({ ...f, until: f.since })).toEqual({ until: "The end must be after the start." });
  });

  it("rejects an empty custom range and dates the API would refuse", () => {
    expect(validateFilters({ ...EMPTY_FILTERS, range: "custom" })).toEqual({ since: "Give a start, an end, or both." });
    const bad = filtersFromParams(new URLSearchParams("since=yesterday&until=2026-11-02"));
    expect(validateFilters(bad)).toEqual({ since: "Not a valid date and time.", until: "Not a valid date and time." });
    expect(timeWindow(bad, NOW)).toEqual({ since: undefined, until: undefined });
  });

  it("sends every filter to the search but leaves q out of the stats, which get a 30-day window when open", () => {
    const f: AuditFilters = { ...EMPTY_FILTERS, q: "acme", action: "trade.*" };
    expect(searchQuery(f, NOW)).toMatchObject({ q: "acme", action: "trade.*" });
    const stats = statsQuery(f, NOW);
    expect(stats.q).toBeUndefined();
    expect(stats).toMatchObject({ action: "trade.*", since: "2026-10-26T12:00:00.000Z" });
  });
});

describe("live tail filters", () => {
  it("sends the filters but no time range, and applies the range to arrivals itself", () => {
    const f: AuditFilters = { ...EMPTY_FILTERS, action: "user.*", range: "custom", since: "2026-11-25T10:00:00Z", until: "" };
    expect(streamQuery(f)).toEqual({ q: "", actor: "", action: "user.*", target: "", outcome: "", source: "" });
    const window = timeWindow(f, NOW);
    expect(inWindow("2026-11-25T10:00:00Z", window)).toBe(true);
    expect(inWindow("2026-11-25T09:59:59Z", window)).toBe(false);
    expect(inWindow("2026-11-25T09:00:00Z", { until: "2026-11-25T09:00:00Z" })).toBe(false);
  });
});
