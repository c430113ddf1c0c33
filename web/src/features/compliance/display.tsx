/** Small pieces every compliance page shows the same way: dates, severities, statuses. */
import Chip from "@mui/material/Chip";
import { severityColor } from "../../theme";
import type { CoverageStatus, ScanStatus } from "./types";

/** A moment in local time, the ISO value in a tooltip. */
export { LocalTime as When } from "../../components/LocalTime";

/** 0.868 → "0.9 s", 95 → "1 min 35 s". */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined) return "—";
  if (seconds < 60) return `${seconds.toFixed(seconds < 10 ? 1 : 0)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

/** 0.3793 → "38%"; null → "—". */
export function formatScore(score: number | null | undefined): string {
  return score === null || score === undefined ? "—" : `${Math.round(score * 100)}%`;
}

export function SeverityChip({ severity }: { severity: string }) {
  const color = severityColor[severity] ?? "#757575";
  return (
    <Chip
      size="small"
      label={severity}
      sx={{ bgcolor: color, color: "#fff", fontWeight: 600, textTransform: "capitalize" }}
    />
  );
}

const STATUS_LOOK: Record<string, { label: string; color: "error" | "warning" | "success" | "default" | "info" }> = {
  FAIL: { label: "Fail", color: "error" },
  ERROR: { label: "Error", color: "warning" },
  PASS: { label: "Pass", color: "success" },
  MUTED: { label: "Muted", color: "default" },
  NOT_APPLICABLE: { label: "Not applicable", color: "default" },
  not_scanned: { label: "Not evaluated", color: "default" },
  manual: { label: "Manual", color: "info" },
};

/** A finding's, control's or requirement's status. */
export function StatusChip({ status }: { status: CoverageStatus }) {
  const look = STATUS_LOOK[status] ?? { label: status, color: "default" as const };
  return <Chip size="small" variant={status === "MUTED" ? "outlined" : "filled"} label={look.label} color={look.color} />;
}

const SCAN_LOOK: Record<ScanStatus, "default" | "info" | "success" | "error"> = {
  queued: "default",
  running: "info",
  succeeded: "success",
  failed: "error",
};

export function ScanStatusChip({ status, testId }: { status: ScanStatus; testId?: string }) {
  return (
    <Chip
      size="small"
      label={status}
      color={SCAN_LOOK[status]}
      data-testid={testId}
      data-status={status}
      sx={{ textTransform: "capitalize" }}
    />
  );
}
