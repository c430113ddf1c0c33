/** One scan: live progress while it runs, then its summary, scores and diff. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import LinearProgress from "@mui/material/LinearProgress";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Typography from "@mui/material/Typography";
import { useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef } from "react";
import { Link as RouterLink, useParams } from "react-router-dom";
import { PageHeader } from "../../../components/PageHeader";
import { ErrorState, Loading } from "../../../components/States";
import { formatDuration, ScanStatusChip, When } from "../display";
import { isActive, useScan } from "../queries";
import { Fact } from "../Section";
import type { Scan } from "../types";
import { ScanResults } from "./ScanResults";

function who(scan: Scan): string {
  const by = scan.requested_by;
  return String(by.email ?? by.name ?? by.id ?? by.type ?? "—");
}

/** When a scan ends, findings, scores and frameworks change: refetch them. */
function useRefreshWhenDone(scan: Scan | undefined) {
  const client = useQueryClient();
  const wasActive = useRef(false);
  useEffect(() => {
    if (!scan) return;
    if (isActive(scan)) wasActive.current = true;
    else if (wasActive.current) {
      wasActive.current = false;
      void client.invalidateQueries({
        queryKey: ["compliance"],
        predicate: (q) => q.queryKey[1] !== "scan",
      });
    }
  }, [scan, client]);
}

export function ScanPage() {
  const { id } = useParams();
  const query = useScan(id);
  const scan = query.data;
  useRefreshWhenDone(scan);

  if (query.isPending) return <Loading label="Loading the scan" />;
  if (query.isError) return <ErrorState error={query.error} onRetry={() => query.refetch()} />;
  if (!scan) return null;
  const running = isActive(scan);
  return (
    <>
      <PageHeader
        title={`Scan ${scan.id} of ${scan.account}`}
        subtitle={
          <Link component={RouterLink} to="/compliance/scans">
            All scans
          </Link>
        }
      />
      <Paper variant="outlined" sx={{ p: 2, mb: 2 }}>
        <Box sx={{ display: "flex", alignItems: "center", gap: 2, mb: 1 }}>
          <ScanStatusChip status={scan.status} testId="scan-status" />
          <Typography color="text.secondary" aria-live="polite">
            {running
              ? `${scan.status === "queued" ? "Waiting for the worker" : (scan.progress.label ?? "Collecting")} — ${scan.progress.done} of ${scan.progress.total || "?"} steps`
              : scan.status === "succeeded"
                ? "Finished"
                : "Failed"}
          </Typography>
        </Box>
        <LinearProgress
          variant={scan.status === "queued" ? "indeterminate" : "determinate"}
          value={scan.status === "succeeded" ? 100 : Math.round(scan.progress.percent)}
          data-testid="scan-progress"
          aria-label="Scan progress"
          color={scan.status === "failed" ? "error" : "primary"}
          sx={{ height: 8, borderRadius: 4 }}
        />
        <Box sx={{ display: "flex", gap: 4, flexWrap: "wrap", mt: 2 }}>
          <Fact label="Requested">
            <When iso={scan.created_at} />
          </Fact>
          <Fact label="Started">
            <When iso={scan.started_at} empty="not yet" />
          </Fact>
          <Fact label={running ? "Running for" : "Duration"}>{formatDuration(scan.duration_seconds)}</Fact>
          <Fact label="Regions">{scan.regions.join(", ")}</Fact>
          <Fact label="Controls">{scan.framework ? `${scan.controls} (${scan.framework})` : scan.controls}</Fact>
          <Fact label="Requested by">{who(scan)}</Fact>
        </Box>
      </Paper>
      {scan.status === "failed" ? (
        <Alert severity="error" sx={{ mb: 2 }}>
          The scan failed: {scan.error ?? "no reason given"}. Check the account's credentials, regions and endpoint, then
          scan again.
        </Alert>
      ) : null}
      {scan.summary ? <ScanResults account={scan.account} summary={scan.summary} /> : null}
    </>
  );
}
