/** Download the current query as a file (see `api/download`). */
import { api } from "../../api/client";
import type { Query } from "../../api/client";
import { fileNameOf, saveResponse } from "../../api/download";

export type ExportFormat = "csv" | "ndjson";

/** The name the server suggests (Content-Disposition), else one with today's date. */
export function exportFileName(disposition: string | null, format: ExportFormat, now = new Date()): string {
  const stamp = now.toISOString().slice(0, 19).replace(/[-:]/g, "");
  return fileNameOf(disposition, `sealtrail-audit-${stamp}.${format}`);
}

/** Fetch the export and hand it to the browser as a download. */
export async function downloadExport(format: ExportFormat, query: Query): Promise<string> {
  const response = await api<Response>("/api/v1/audit/export", { raw: true, query: { ...query, format } });
  return saveResponse(response, exportFileName(null, format));
}
