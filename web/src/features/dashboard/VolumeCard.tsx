/** Event volume over the window, as an area chart. */
import Typography from "@mui/material/Typography";
import { useTheme } from "@mui/material/styles";
import { Area, AreaChart, CartesianGrid, Tooltip, XAxis, YAxis } from "recharts";
import type { AuditStats } from "./api";
import { TOP } from "./api";
import { DashboardCard } from "./DashboardCard";
import { FirstEventHint } from "./FirstEventHint";
import { bucketLabel, countOf, formatCount, localTime } from "./format";
import { WINDOWS } from "./windows";
import type { WindowId } from "./windows";

/** True when every event of the window is one of Sealtrail's own records. */
function onlySelfAudit(stats: AuditStats): boolean {
  return stats.top_actions.length < TOP && stats.top_actions.every((a) => a.value.startsWith("sealtrail."));
}

interface Props {
  windowId: WindowId;
  stats: AuditStats | undefined;
  loading: boolean;
  error: unknown;
  onRetry: () => void;
}

export function VolumeCard({ windowId, stats, loading, error, onRetry }: Props) {
  const theme = useTheme();
  const spanHours = WINDOWS.find((w) => w.id === windowId)?.hours ?? 24;
  const label = (iso: string) => bucketLabel(iso, stats?.bucket_seconds ?? 3600, spanHours);
  return (
    <DashboardCard
      title="Event volume"
      testId="card-volume"
      loading={loading}
      error={error}
      onRetry={onRetry}
      action={
        stats ? (
          <Typography color="text.secondary" data-testid="volume-total">
            {countOf(stats.total, "event")}
          </Typography>
        ) : null
      }
    >
      {stats ? (
        <>
          {stats.total > 0 ? (
            <AreaChart
              responsive
              style={{ width: "100%", height: 220 }}
              data={stats.series}
              margin={{ top: 8, right: 8, left: 0, bottom: 0 }}
              accessibilityLayer
            >
              <CartesianGrid strokeDasharray="3 3" vertical={false} />
              <XAxis dataKey="start" tickFormatter={label} minTickGap={24} fontSize={12} />
              <YAxis allowDecimals={false} width={40} fontSize={12} />
              <Tooltip
                labelFormatter={(value) => localTime(String(value))}
                formatter={(value) => [formatCount(Number(value)), "events"]}
              />
              <Area
                type="monotone"
                dataKey="count"
                name="events"
                stroke={theme.palette.primary.main}
                fill={theme.palette.primary.light}
                fillOpacity={0.3}
                isAnimationActive={false}
              />
            </AreaChart>
          ) : null}
          {stats.total === 0 || onlySelfAudit(stats) ? <FirstEventHint selfAuditOnly={stats.total > 0} /> : null}
        </>
      ) : null}
    </DashboardCard>
  );
}
