/** The integrity ledger: how many leaves, the latest signed checkpoint and whether it keeps up. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Tooltip from "@mui/material/Tooltip";
import Typography from "@mui/material/Typography";
import { useLedgerStatus } from "./api";
import { DashboardCard } from "./DashboardCard";
import { ageInWords, countOf, formatCount, localTime } from "./format";
import { ledgerHealth } from "./ledger";
import type { LedgerHealth } from "./ledger";
import { useNow } from "./useNow";

function HealthNote({ health }: { health: LedgerHealth }) {
  switch (health.kind) {
    case "empty":
      return <Typography color="text.secondary">The ledger is empty: no event has been stored yet.</Typography>;
    case "unsigned":
      return (
        <Alert severity="info" sx={{ mt: 1 }}>
          No signed checkpoint yet: {countOf(health.pending, "event")} {health.pending === 1 ? "waits" : "wait"} for the
          first one.
        </Alert>
      );
    case "pending":
      return (
        <Typography variant="body2" color="text.secondary" sx={{ mt: 1 }}>
          {formatCount(health.pending)} newer {health.pending === 1 ? "event goes" : "events go"} into the next checkpoint.
        </Typography>
      );
    case "stale":
      return (
        <Alert severity="warning" sx={{ mt: 1 }} data-testid="ledger-stale">
          The latest checkpoint is out of date: {countOf(health.pending, "newer event")}{" "}
          {health.pending === 1 ? "is" : "are"} not signed yet. Check that the
          worker is running.
        </Alert>
      );
    case "current":
      return null;
  }
}

export function LedgerCard() {
  const status = useLedgerStatus();
  const now = useNow();
  const data = status.data;
  const checkpoint = data?.checkpoint ?? null;
  // The age the API gave, advanced by the time since it answered.
  const age =
    checkpoint?.age_seconds == null ? null : checkpoint.age_seconds + Math.max(0, now - status.dataUpdatedAt) / 1000;
  const health = data ? ledgerHealth(data, age) : null;
  return (
    <DashboardCard
      title="Integrity ledger"
      testId="card-ledger"
      loading={status.isPending}
      error={status.error}
      onRetry={() => void status.refetch()}
      action={
        health?.kind === "current" ? (
          <Chip size="small" color="success" label="All signed" />
        ) : health?.kind === "stale" ? (
          <Chip size="small" color="warning" label="Stale" />
        ) : null
      }
    >
      {data ? (
        <>
          <Typography variant="h4" component="p" data-testid="ledger-tree-size">
            {formatCount(data.tree_size)}
          </Typography>
          <Typography color="text.secondary" sx={{ mb: 1 }}>
            events in the ledger
          </Typography>
          {checkpoint ? (
            <Box component="dl" sx={{ m: 0, display: "grid", gridTemplateColumns: "auto 1fr", columnGap: 2, rowGap: 0.5 }}>
              <Typography component="dt" color="text.secondary">Latest checkpoint</Typography>
              <Typography component="dd" sx={{ m: 0 }} data-testid="ledger-checkpoint-size">
                {countOf(checkpoint.tree_size, "event")}
              </Typography>
              <Typography component="dt" color="text.secondary">Signed</Typography>
              <Typography component="dd" sx={{ m: 0 }} color={health?.kind === "stale" ? "warning.main" : undefined}>
                {checkpoint.timestamp ? (
                  <Tooltip title={`${localTime(checkpoint.timestamp)} (${checkpoint.timestamp})`}>
                    <span data-testid="ledger-age">{age === null ? "–" : ageInWords(age)}</span>
                  </Tooltip>
                ) : (
                  <span data-testid="ledger-age">{age === null ? "–" : ageInWords(age)}</span>
                )}
              </Typography>
              <Typography component="dt" color="text.secondary">Key</Typography>
              <Typography component="dd" sx={{ m: 0, fontFamily: "monospace", wordBreak: "break-all" }}>
                {checkpoint.key_id}
              </Typography>
            </Box>
          ) : null}
          {health ? <HealthNote health={health} /> : null}
          <Typography variant="caption" color="text.secondary" component="p" sx={{ mt: 1, wordBreak: "break-all" }}>
            Origin: {data.origin}
          </Typography>
        </>
      ) : null}
    </DashboardCard>
  );
}
