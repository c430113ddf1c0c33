/** Numbers, ages and times as the dashboard shows them. */

const counts = new Intl.NumberFormat();

export function formatCount(n: number): string {
  return counts.format(n);
}

/** "1 event", "1,204 events". */
export function countOf(n: number, noun: string): string {
  return `${formatCount(n)} ${noun}${n === 1 ? "" : "s"}`;
}

/** "just now", "12 s ago", "4 min ago", "3 h ago", "2 d ago". */
export function ageInWords(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 1) return "just now";
  if (seconds < 60) return `${Math.floor(seconds)} s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ago`;
  if (seconds < 86_400) return `${Math.floor(seconds / 3600)} h ago`;
  return `${Math.floor(seconds / 86_400)} d ago`;
}

/** A score (0..1) as a whole percentage. */
export function formatScore(score: number | null): string {
  return score === null ? "–" : `${Math.round(score * 100)} %`;
}

/** An RFC 3339 time in the browser's time zone, to the second. */
export function localTime(iso: string): string {
  return new Date(iso).toLocaleString(undefined, { dateStyle: "medium", timeStyle: "medium" });
}

/** A chart axis label for a bucket start: time of day for hourly buckets, else the date. */
export function bucketLabel(iso: string, bucketSeconds: number, spanHours: number): string {
  const d = new Date(iso);
  if (bucketSeconds >= 86_400) return d.toLocaleDateString(undefined, { month: "short", day: "numeric" });
  if (spanHours <= 24) return d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
  return d.toLocaleString(undefined, { weekday: "short", hour: "2-digit" });
}
