/** Scan history, newest first, with progress while scans run. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import LinearProgress from "@mui/material/LinearProgress";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import { useState } from "react";
import { Link as RouterLink } from "react-router-dom";
import { ApiError } from "../../../api/client";
import { useAuth } from "../../../auth/AuthContext";
import { PageHeader } from "../../../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { formatDuration, ScanStatusChip, When } from "../display";
import { useAccounts, useScans } from "../queries";
import type { Scan } from "../types";
import { ScanNowButton } from "./ScanNowButton";

function ScanRow({ scan }: { scan: Scan }) {
  const counts = scan.summary?.counts;
  const diff = scan.summary?.diff.counts;
  return (
    <TableRow data-testid="scan-row" hover>
      <TableCell>
        <Link component={RouterLink} to={`/compliance/scans/${scan.id}`}>
          Scan {scan.id}
        </Link>
      </TableCell>
      <TableCell>{scan.account}</TableCell>
      <TableCell>
        <When iso={scan.started_at ?? scan.created_at} />
      </TableCell>
      <TableCell>{formatDuration(scan.duration_seconds)}</TableCell>
      <TableCell>
        <ScanStatusChip status={scan.status} />
      </TableCell>
      <TableCell sx={{ minWidth: 160 }}>
        <Box sx={{ display: "flex", alignItems: "center", gap: 1 }}>
          <LinearProgress
            variant="determinate"
            value={scan.progress.percent}
            sx={{ flexGrow: 1 }}
            aria-label={`Progress of scan ${scan.id}`}
          />
          <Typography variant="caption">{Math.round(scan.progress.percent)}%</Typography>
        </Box>
      </TableCell>
      <TableCell>{counts ? `${counts.PASS} / ${counts.FAIL} / ${counts.ERROR}` : "—"}</TableCell>
      <TableCell>{diff ? `${diff.new} / ${diff.resolved} / ${diff.regressed}` : "—"}</TableCell>
    </TableRow>
  );
}

function NoScans() {
  const { can } = useAuth();
  const accounts = useAccounts();
  const [error, setError] = useState<unknown>(null);
  if (!accounts.data?.length)
    return (
      <EmptyState title="No scan yet">
        <p>Add a cloud account first, then scan it.</p>
        <Button component={RouterLink} to="/compliance/accounts">
          Go to cloud accounts
        </Button>
      </EmptyState>
    );
  return (
    <EmptyState title="No scan yet">
      <p>
        {can("compliance.scan")
          ? "Scan an account to see how it stands against the controls."
          : "No account has been scanned yet; an administrator or analyst can start a scan."}
      </p>
      {error ? <Alert severity="error">{error instanceof ApiError ? error.describe() : String(error)}</Alert> : null}
      <Box sx={{ display: "flex", gap: 1, justifyContent: "center", flexWrap: "wrap" }}>
        {accounts.data.map((a) => (
          <ScanNowButton key={a.id} account={a.name} onError={setError} />
        ))}
      </Box>
    </EmptyState>
  );
}

export function ScansPage() {
  const [pages, setPages] = useState<number[]>([]);
  const before = pages[pages.length - 1];
  const scans = useScans(before);

  let body;
  if (scans.isPending) body = <Loading label="Loading scans" />;
  else if (scans.isError) body = <ErrorState error={scans.error} onRetry={() => scans.refetch()} />;
  else if (!scans.data.length && before === undefined) body = <NoScans />;
  else
    body = (
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="Scans">
          <TableHead>
            <TableRow>
              <TableCell>Scan</TableCell>
              <TableCell>Account</TableCell>
              <TableCell>Started</TableCell>
              <TableCell>Duration</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Progress</TableCell>
              <TableCell>Passed / failed / errors</TableCell>
              <TableCell>New / resolved / regressed</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {scans.data.map((s) => (
              <ScanRow key={s.id} scan={s} />
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );

  const last = scans.data?.[scans.data.length - 1];
  return (
    <>
      <PageHeader title="Scans" subtitle="Every scan of every account, newest first." />
      {body}
      <Box sx={{ display: "flex", gap: 1, mt: 2 }}>
        {pages.length ? <Button onClick={() => setPages((p) => p.slice(0, -1))}>Newer scans</Button> : null}
        {scans.data?.length === 50 && last ? (
          <Button onClick={() => setPages((p) => [...p, last.id])}>Older scans</Button>
        ) : null}
      </Box>
    </>
  );
}
