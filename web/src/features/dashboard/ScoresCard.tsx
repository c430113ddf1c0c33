/** Each framework's compliance score with its trend over the recent scans. */
import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { Line, LineChart, YAxis } from "recharts";
import { Link as RouterLink } from "react-router-dom";
import { useComplianceSummary } from "./api";
import type { FrameworkScore } from "./api";
import { DashboardCard } from "./DashboardCard";
import { formatScore } from "./format";
import { NoAccountsHint } from "./NoAccountsHint";

/** Green from 90 %, orange from 70 %, red below. */
function scoreColor(score: number | null): string {
  if (score === null) return "text.secondary";
  return score >= 0.9 ? "success.main" : score >= 0.7 ? "warning.main" : "error.main";
}

function Sparkline({ framework }: { framework: FrameworkScore }) {
  const points = framework.trend.filter((p) => p.score !== null);
  if (points.length < 2) return <Box sx={{ width: 120, flexShrink: 0 }} />;
  const first = formatScore(points[0].score);
  const last = formatScore(points[points.length - 1].score);
  return (
    <Box role="img" aria-label={`Trend of ${framework.name}: ${first} to ${last} over ${points.length} scans`} sx={{ width: 120, flexShrink: 0 }}>
      <LineChart width={120} height={32} data={points}>
        {/* Scaled to the points, not 0..1, so a few points of change are visible. */}
        <YAxis hide domain={[(min: number) => Math.max(0, min - 0.05), (max: number) => Math.min(1, max + 0.05)]} />
        <Line type="monotone" dataKey="score" stroke="#1f4e79" strokeWidth={2} dot={false} isAnimationActive={false} />
      </LineChart>
    </Box>
  );
}

export function ScoresCard() {
  const summary = useComplianceSummary();
  const data = summary.data;
  return (
    <DashboardCard
      title="Compliance scores"
      testId="card-scores"
      loading={summary.isPending}
      error={summary.error}
      onRetry={() => void summary.refetch()}
    >
      {data && data.accounts === 0 ? <NoAccountsHint /> : null}
      {data && data.accounts > 0 && data.frameworks.length === 0 ? (
        <Typography color="text.secondary">No framework has been scored yet.</Typography>
      ) : null}
      {data && data.accounts > 0
        ? data.frameworks.map((f) => (
            <Box key={f.id} sx={{ display: "flex", alignItems: "center", gap: 2, py: 0.75, borderBottom: 1, borderColor: "divider" }}>
              <Link component={RouterLink} to={`/compliance/frameworks/${encodeURIComponent(f.id)}`} sx={{ flexGrow: 1, minWidth: 0 }}>
                {f.name}
              </Link>
              <Sparkline framework={f} />
              <Typography sx={{ minWidth: 56, textAlign: "right", whiteSpace: "nowrap", fontWeight: 600, color: scoreColor(f.score) }} title={f.score === null ? "Not scored yet" : undefined}>
                {formatScore(f.score)}
              </Typography>
            </Box>
          ))
        : null}
    </DashboardCard>
  );
}
