/** Open findings by severity and by service, with the latest scan. */
import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router-dom";
import { severityColor } from "../../theme";
import { useComplianceSummary } from "./api";
import type { ComplianceSummary } from "./api";
import { DashboardCard } from "./DashboardCard";
import { ageInWords, countOf, formatCount, localTime } from "./format";
import { NoAccountsHint } from "./NoAccountsHint";

const SEVERITIES = ["critical", "high", "medium", "low", "informational"] as const;

function SeverityRows({ open }: { open: Record<string, number> }) {
  return (
    <Box component="ul" sx={{ listStyle: "none", p: 0, m: 0, display: "grid", gridTemplateColumns: "repeat(5, 1fr)", gap: 1 }}>
      {SEVERITIES.map((s) => (
        <Box component="li" key={s}>
          <Link
            component={RouterLink}
            to={`/compliance/findings?severity=${s}`}
            underline="none"
            aria-label={countOf(open[s] ?? 0, `open ${s} finding`)}
            data-testid={`findings-${s}`}
            sx={{ display: "block", p: 1, borderRadius: 1, borderTop: 4, borderColor: severityColor[s], bgcolor: "grey.50", "&:hover": { bgcolor: "grey.100" } }}
          >
            <Typography variant="h5" component="span" sx={{ display: "block", color: severityColor[s] }}>
              {formatCount(open[s] ?? 0)}
            </Typography>
            <Typography variant="caption" color="text.secondary" sx={{ textTransform: "capitalize" }}>
              {s === "informational" ? "Info" : s}
            </Typography>
          </Link>
        </Box>
      ))}
    </Box>
  );
}

function Details({ summary }: { summary: ComplianceSummary }) {
  const scan = summary.last_scan;
  const when = scan?.finished_at ?? scan?.created_at ?? null;
  return (
    <>
      <SeverityRows open={summary.open_findings} />
      <Typography variant="body2" color="text.secondary" sx={{ mt: 1.5 }}>
        {formatCount(summary.muted)} muted by exceptions · {formatCount(summary.errors)} not evaluated (errors)
      </Typography>
      {summary.open_by_service.length ? (
        <Typography variant="body2" sx={{ mt: 1 }}>
          Most affected:{" "}
          {summary.open_by_service.slice(0, 5).map((s, i) => (
            <span key={s.service}>
              {i ? ", " : ""}
              <Link component={RouterLink} to={`/compliance/findings?service=${encodeURIComponent(s.service)}`}>
                {s.service}
              </Link>{" "}
              ({formatCount(s.count)})
            </span>
          ))}
        </Typography>
      ) : null}
      <Typography variant="body2" sx={{ mt: 1 }}>
        {scan && when ? (
          <>
            Last scan of {scan.account}: {scan.status},{" "}
            <Tooltip title={`${localTime(when)} (${when})`}>
              <span>{ageInWords((Date.now() - Date.parse(when)) / 1000)}</span>
            </Tooltip>
            .{" "}
          </>
        ) : (
          "No scan has run yet. "
        )}
        <Link component={RouterLink} to="/compliance/scans">
          All scans
        </Link>
      </Typography>
    </>
  );
}

export function FindingsCard() {
  const summary = useComplianceSummary();
  return (
    <DashboardCard
      title="Open findings"
      testId="card-findings"
      loading={summary.isPending}
      error={summary.error}
      onRetry={() => void summary.refetch()}
    >
      {summary.data ? summary.data.accounts === 0 ? <NoAccountsHint /> : <Details summary={summary.data} /> : null}
    </DashboardCard>
  );
}
