/** Events over time for the current filters (from /stats); a bar narrows the range to its bucket. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Paper from "@mui/material/Paper";
import Skeleton from "@mui/material/Skeleton";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { Bar, BarChart, Tooltip, XAxis, YAxis } from "recharts";
import { api, ApiError } from "../../api/client";
import { statsQuery } from "./filters";
import type { AuditFilters } from "./filters";
import { formatLocal } from "./time";
import type { EventStats } from "./types";

interface Props {
  filters: AuditFilters;
  /** The moment presets are resolved against (ms). */
  anchor: number;
  onZoom: (since: string, until: string) => void;
}

const UNIT: Record<number, string> = { 60: "minute", 3600: "hour", 86400: "day" };

function tick(iso: string, bucketSeconds: number): string {
  const d = new Date(iso);
  return bucketSeconds >= 86400
    ? d.toLocaleDateString(undefined, { month: "short", day: "numeric" })
    : d.toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit" });
}

export function VolumeChart({ filters, anchor, onZoom }: Props) {
  const query = statsQuery(filters, anchor);
  const stats = useQuery({
    queryKey: ["audit", "stats", query],
    queryFn: ({ signal }) => api<EventStats>("/api/v1/audit/stats", { query, signal }),
  });

  if (stats.isPending) return <Skeleton variant="rounded" height={150} sx={{ mb: 2 }} aria-label="Loading the volume chart" />;
  if (stats.isError) {
    const text = stats.error instanceof ApiError ? stats.error.describe() : String(stats.error);
    return (
      <Alert severity="warning" sx={{ mb: 2 }}>
        The volume chart could not be loaded: {text}
      </Alert>
    );
  }
  const data = stats.data;
  const unit = UNIT[data.bucket_seconds] ?? `${data.bucket_seconds} s`;
  return (
    <Paper variant="outlined" sx={{ p: 1.5, mb: 2 }} data-testid="volume-chart">
      <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap", alignItems: "baseline" }}>
        <Typography variant="subtitle2">Events per {unit}</Typography>
        <Typography variant="caption" color="text.secondary">
          {formatLocal(data.since)} – {formatLocal(data.until)} · {data.total.toLocaleString()} in this window
          {filters.q ? " · the chart ignores the search text" : ""}
        </Typography>
      </Box>
      <BarChart
        responsive
        data={data.series}
        style={{ width: "100%", height: 110 }}
        margin={{ top: 8, right: 8, bottom: 0, left: 0 }}
        accessibilityLayer
      >
        <XAxis dataKey="start" tickFormatter={(v: string) => tick(v, data.bucket_seconds)} tick={{ fontSize: 11 }} minTickGap={24} />
        <YAxis allowDecimals={false} width={40} tick={{ fontSize: 11 }} />
        <Tooltip
          labelFormatter={(v) => formatLocal(String(v))}
          formatter={(value) => [String(value), "events"]}
        />
        <Bar
          dataKey="count"
          fill="#1f4e79"
          isAnimationActive={false}
          cursor="pointer"
          onClick={(entry: { payload?: { start?: string } }) => {
            const start = entry.payload?.start;
            if (!start) return;
            const from = Date.parse(start);
            onZoom(new Date(from).toISOString(), new Date(from + data.bucket_seconds * 1000).toISOString());
          }}
        />
      </BarChart>
    </Paper>
  );
}
