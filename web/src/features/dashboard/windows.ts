/** The time windows of the dashboard, shared with the audit explorer's `range` parameter. */

export const WINDOWS = [
  { id: "24h", label: "24 h", hours: 24 },
  { id: "7d", label: "7 d", hours: 24 * 7 },
  { id: "30d", label: "30 d", hours: 24 * 30 },
] as const;

export type WindowId = (typeof WINDOWS)[number]["id"];

export const DEFAULT_WINDOW: WindowId = "24h";

/** The window named in the URL, or the default. */
export function parseWindow(value: string | null): WindowId {
  return WINDOWS.find((w) => w.id === value)?.id ?? DEFAULT_WINDOW;
}

/** The start of the window ending now, as RFC 3339. */
export function sinceFor(windowId: WindowId, now: Date = new Date()): string {
  const hours = WINDOWS.find((w) => w.id === windowId)?.hours ?? 24;
  return new Date(now.getTime() - hours * 3600_000).toISOString();
}

/** The audit explorer, filtered on one field over the window. */
export function auditLink(field: "action" | "actor", value: string, windowId: WindowId): string {
  return `/audit?${new URLSearchParams({ [field]: value, range: windowId }).toString()}`;
}
