/** Download the current query as a file: fetched with the bearer token, saved through an object URL. */
import { api } from "../../api/client";
import type { Query } from "../../api/client";

export type ExportFormat = "csv" | "ndjson";

/** The name the server suggests (Content-Disposition), else one with today's date. */
export function exportFileName(disposition: string | null, format: ExportFormat, now = new Date()): string {
  const match = disposition?.match(/filename\*?=(?:UTF-8'')?"?([^";]+)"?/i);
  if (match) return decodeURIComponent(match[1]);
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, "");
  return `sealtrail-audit-${stamp}.${format}`;
}

/** Fetch the export and hand it to the browser as a download. */
export async function downloadExport(format: ExportFormat, query: Query): Promise<string> {
  const response = await api<Response>("/api/v1/audit/export", { raw: true, query: { ...query, format } });
  const blob = await response.blob();
  const name = exportFileName(response.headers.get("content-disposition"), format);
  const url = URL.createObjectURL(blob);
  const link = document.createElement("a");
  link.href = url;
  link.download = name;
  document.body.appendChild(link);
  link.click();
  link.remove();
  // Give the browser a moment to start the download before the URL is released.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
  return name;
}
