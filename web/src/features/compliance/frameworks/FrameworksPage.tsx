/** Frameworks: each one's latest score, its trend and how much of it is automated. */
import Box from "@mui/material/Box";
import Card from "@mui/material/Card";
import CardActionArea from "@mui/material/CardActionArea";
import CardContent from "@mui/material/CardContent";
import MenuItem from "@mui/material/MenuItem";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { Link as RouterLink, useSearchParams } from "react-router-dom";
import { PageHeader } from "../../../components/PageHeader";
import { ErrorState, Loading } from "../../../components/States";
import { formatScore, When } from "../display";
import { useAccounts, useFrameworks, useScores } from "../queries";
import type { FrameworkSummary, ScorePoint } from "../types";
import { ScoreTrend } from "./ScoreTrend";

function FrameworkCard({ framework, points, account }: { framework: FrameworkSummary; points: ScorePoint[]; account: string }) {
  // Newest first from the API; with an account chosen, its latest point is the score shown.
  const latest = account ? points[0] ?? null : framework.latest_score;
  const to = `/compliance/frameworks/${framework.id}${account ? `?account=${encodeURIComponent(account)}` : ""}`;
  return (
    <Card variant="outlined">
      <CardActionArea component={RouterLink} to={to} sx={{ height: "100%" }}>
        <CardContent>
          <Typography variant="h6" component="h2">
            {framework.name}
          </Typography>
          <Typography variant="body2" color="text.secondary" gutterBottom>
            Version {framework.version}
          </Typography>
          <Box sx={{ display: "flex", alignItems: "center", gap: 2, my: 1 }}>
            <Typography variant="h3" component="p" data-testid={`framework-score-${framework.id}`} sx={{ fontWeight: 600 }}>
              {formatScore(latest?.score)}
            </Typography>
            <ScoreTrend points={points} label={`${framework.name} score over recent scans`} />
          </Box>
          <Typography variant="body2">
            {latest ? (
              <>
                {latest.passed} passed · {latest.failed} failed · {latest.errors} errors · {latest.muted} muted
                <br />
                Scan {latest.scan_id} of {latest.account}, <When iso={latest.at} />
              </>
            ) : (
              "Not scanned yet."
            )}
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
            {framework.requirements} requirements: {framework.automated} automated, {framework.manual} manual ·{" "}
            {framework.controls} controls
          </Typography>
        </CardContent>
      </CardActionArea>
    </Card>
  );
}

export function FrameworksPage() {
  const [params, setParams] = useSearchParams();
  const account = params.get("account") ?? "";
  const frameworks = useFrameworks();
  const scores = useScores();
  const accounts = useAccounts();

  if (frameworks.isPending) return <Loading label="Loading frameworks" />;
  if (frameworks.isError) return <ErrorState error={frameworks.error} onRetry={() => frameworks.refetch()} />;
  const points = (scores.data ?? []).filter((p) => !account || p.account === account);
  return (
    <>
      <PageHeader
        title="Frameworks"
        subtitle="Score = passed ÷ (passed + failed) over the automated controls; errors and muted findings are shown apart. Manual requirements need your own evidence."
        actions={
          (accounts.data?.length ?? 0) > 1 ? (
            <TextField
              select
              size="small"
              label="Account"
              value={account}
              onChange={(e) => setParams(e.target.value ? { account: e.target.value } : {})}
              sx={{ width: 180 }}
            >
              <MenuItem value="">
                <em>Latest of any</em>
              </MenuItem>
              {[...new Set([...(accounts.data ?? []).map((a) => a.name), ...(account ? [account] : [])])].map((name) => (
                <MenuItem key={name} value={name}>
                  {name}
                </MenuItem>
              ))}
            </TextField>
          ) : null
        }
      />
      {scores.isError ? <ErrorState error={scores.error} /> : null}
      <Box sx={{ display: "grid", gap: 2, gridTemplateColumns: { sm: "repeat(2, minmax(0, 1fr))", lg: "repeat(4, minmax(0, 1fr))" } }}>
        {frameworks.data.map((f) => (
          <FrameworkCard key={f.id} framework={f} account={account} points={points.filter((p) => p.framework === f.id)} />
        ))}
      </Box>
    </>
  );
}
