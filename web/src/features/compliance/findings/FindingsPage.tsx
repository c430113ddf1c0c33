/** Findings: what the controls found, filtered through the URL, paged, exportable. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
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
import { Link as RouterLink, useNavigate, useSearchParams } from "react-router-dom";
import { ApiError } from "../../../api/client";
import { PageHeader } from "../../../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { SeverityChip, StatusChip, When } from "../display";
import { useFindings, useScans } from "../queries";
import type { Finding } from "../types";
import { ExportButtons } from "./ExportButtons";
import { DEFAULT_FILTERS, filtersFromParams, findingsQuery, isDefaultFilters, paramsFromFilters } from "./findingFilters";
import type { FindingFilters } from "./findingFilters";
import { FindingsFilters } from "./FindingsFilters";

function FindingRow({ finding }: { finding: Finding }) {
  const navigate = useNavigate();
  const to = `/compliance/findings/${finding.id}`;
  return (
    <TableRow
      hover
      data-testid="finding-row"
      data-status={finding.status}
      onClick={() => navigate(to)}
      sx={{ cursor: "pointer", opacity: finding.status === "MUTED" || finding.resolved_at ? 0.6 : 1 }}
    >
      <TableCell>
        <SeverityChip severity={finding.severity} />
      </TableCell>
      <TableCell>
        <StatusChip status={finding.status} />
      </TableCell>
      <TableCell>
        <Link component={RouterLink} to={to} onClick={(e) => e.stopPropagation()}>
          {finding.title}
        </Link>
        <Typography variant="caption" color="text.secondary" component="div">
          {finding.control_id} · {finding.service}
        </Typography>
      </TableCell>
      <TableCell sx={{ fontFamily: "monospace", fontSize: 13, wordBreak: "break-all", maxWidth: 360 }}>
        {finding.resource_id}
      </TableCell>
      <TableCell>
        {finding.account}
        <Typography variant="caption" color="text.secondary" component="div">
          {finding.region}
        </Typography>
      </TableCell>
      <TableCell>
        <When iso={finding.first_seen} />
      </TableCell>
    </TableRow>
  );
}

function NoFindings({ filters, onReset }: { filters: FindingFilters; onReset: () => void }) {
  const scans = useScans();
  if (!isDefaultFilters(filters))
    return (
      <EmptyState title="No finding matches these filters">
        <Button onClick={onReset}>Reset filters</Button>
      </EmptyState>
    );
  if (scans.data && !scans.data.some((s) => s.status === "succeeded"))
    return (
      <EmptyState title="No findings yet">
        <p>Findings appear once an account has been scanned.</p>
        <Button component={RouterLink} to="/compliance/accounts">
          Go to cloud accounts
        </Button>
      </EmptyState>
    );
  return (
    <EmptyState title="No open failures">
      Every evaluated control passes, or its failures are covered by an exception. Well done.
    </EmptyState>
  );
}

export function FindingsPage() {
  const [params, setParams] = useSearchParams();
  const filters = filtersFromParams(params);
  const key = params.toString();
  // The paging cursors belong to one set of filters; new filters start again from the top.
  const [paging, setPaging] = useState<{ key: string; cursors: number[] }>({ key, cursors: [] });
  const cursors = paging.key === key ? paging.cursors : [];
  const before = cursors[cursors.length - 1];
  const findings = useFindings(findingsQuery(filters, before));
  const [exportError, setExportError] = useState<unknown>(null);

  const setFilters = (next: FindingFilters) => setParams(paramsFromFilters(next));

  let body;
  if (findings.isPending) body = <Loading label="Loading findings" />;
  else if (findings.isError) body = <ErrorState error={findings.error} onRetry={() => findings.refetch()} />;
  else if (!findings.data.items.length && before === undefined)
    body = <NoFindings filters={filters} onReset={() => setFilters(DEFAULT_FILTERS)} />;
  else
    body = (
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="Findings">
          <TableHead>
            <TableRow>
              <TableCell>Severity</TableCell>
              <TableCell>Status</TableCell>
              <TableCell>Control</TableCell>
              <TableCell>Resource</TableCell>
              <TableCell>Account / region</TableCell>
              <TableCell>First seen</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {findings.data.items.map((f) => (
              <FindingRow key={f.id} finding={f} />
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );

  const next = findings.data?.next_before;
  return (
    <>
      <PageHeader
        title="Findings"
        subtitle="The current state of every control on every resource scanned. Open failures by default."
        actions={<ExportButtons filters={filters} onError={setExportError} />}
      />
      <FindingsFilters filters={filters} onChange={setFilters} />
      {exportError ? (
        <Alert severity="error" onClose={() => setExportError(null)} sx={{ mb: 2 }}>
          The export failed: {exportError instanceof ApiError ? exportError.describe() : String(exportError)}
        </Alert>
      ) : null}
      {body}
      <Box sx={{ display: "flex", gap: 1, mt: 2 }}>
        {cursors.length ? (
          <Button onClick={() => setPaging({ key, cursors: cursors.slice(0, -1) })}>Previous page</Button>
        ) : null}
        {next ? <Button onClick={() => setPaging({ key, cursors: [...cursors, next] })}>Next page</Button> : null}
      </Box>
    </>
  );
}
