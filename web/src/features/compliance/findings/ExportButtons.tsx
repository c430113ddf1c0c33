/** Download the filtered findings as JSON, CSV or OCSF (the export is recorded in the audit trail). */
import DownloadIcon from "@mui/icons-material/Download";
import Button from "@mui/material/Button";
import ButtonGroup from "@mui/material/ButtonGroup";
import Tooltip from "@mui/material/Tooltip";
import { useState } from "react";
import { api } from "../../../api/client";
import { saveResponse } from "../../../api/download";
import { BASE } from "../queries";
import { exportQuery } from "./findingFilters";
import type { FindingFilters } from "./findingFilters";

type Format = "json" | "csv" | "ocsf";

const FILES: Record<Format, string> = {
  json: "sealtrail-findings.json",
  csv: "sealtrail-findings.csv",
  ocsf: "sealtrail-findings.ocsf.json",
};

async function download(filters: FindingFilters, format: Format): Promise<void> {
  const res = await api<Response>(`${BASE}/findings/export`, { query: exportQuery(filters, format), raw: true });
  await saveResponse(res, FILES[format]);
}

export function ExportButtons({ filters, onError }: { filters: FindingFilters; onError: (error: unknown) => void }) {
  const [busy, setBusy] = useState<Format | null>(null);
  const run = async (format: Format) => {
    setBusy(format);
    try {
      await download(filters, format);
    } catch (err) {
      onError(err);
    } finally {
      setBusy(null);
    }
  };
  const note = filters.service || filters.includeGone ? " (the service and “include gone” filters do not apply to exports)" : "";
  return (
    <Tooltip title={`Every finding matching the filters, with its evidence${note}`}>
      <ButtonGroup size="small" variant="outlined" aria-label="Export findings">
        {(["json", "csv", "ocsf"] as const).map((format) => (
          <Button
            key={format}
            startIcon={<DownloadIcon />}
            disabled={busy !== null}
            onClick={() => void run(format)}
            aria-label={`Export ${format.toUpperCase()}`}
          >
            {format.toUpperCase()}
          </Button>
        ))}
      </ButtonGroup>
    </Tooltip>
  );
}
