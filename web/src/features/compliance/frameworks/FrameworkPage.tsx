/** One framework: every requirement, the controls that cover it, and its status. */
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Link from "@mui/material/Link";
import MenuItem from "@mui/material/MenuItem";
import Paper from "@mui/material/Paper";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { Link as RouterLink, useParams, useSearchParams } from "react-router-dom";
import { PageHeader } from "../../../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { StatusChip } from "../display";
import { useAccounts, useFramework } from "../queries";
import type { CoverageStatus, Requirement } from "../types";

const STATUSES: { value: CoverageStatus; label: string }[] = [
  { value: "FAIL", label: "Fail" },
  { value: "ERROR", label: "Error" },
  { value: "PASS", label: "Pass" },
  { value: "MUTED", label: "Muted" },
  { value: "not_scanned", label: "Not evaluated" },
  { value: "NOT_APPLICABLE", label: "Not applicable" },
  { value: "manual", label: "Manual" },
];

function matches(req: Requirement, text: string): boolean {
  if (!text) return true;
  const needle = text.toLowerCase();
  return [req.id, req.title, ...req.controls.flatMap((c) => [c.id, c.title])].some((s) => s.toLowerCase().includes(needle));
}

function RequirementRow({ req }: { req: Requirement }) {
  return (
    <TableRow data-testid="requirement-row" data-status={req.status}>
      <TableCell sx={{ fontWeight: 600, whiteSpace: "nowrap" }}>{req.id}</TableCell>
      <TableCell>{req.title}</TableCell>
      <TableCell>
        {req.controls.length ? (
          req.controls.map((c) => (
            <Box key={c.id} sx={{ display: "flex", gap: 1, alignItems: "center", py: 0.25 }}>
              <StatusChip status={c.status} />
              <Link component={RouterLink} to={`/compliance/controls/${c.id}`} sx={{ whiteSpace: "nowrap" }}>
                {c.id}
              </Link>
              <Typography variant="body2">{c.title}</Typography>
              <Typography variant="caption" color="text.secondary">
                ({c.relation})
              </Typography>
            </Box>
          ))
        ) : (
          <Typography variant="body2" color="text.secondary">
            No control: assessed manually
          </Typography>
        )}
      </TableCell>
      <TableCell>
        <StatusChip status={req.status} />
      </TableCell>
    </TableRow>
  );
}

export function FrameworkPage() {
  const { id } = useParams();
  const [params, setParams] = useSearchParams();
  const account = params.get("account") ?? "";
  const status = params.get("status") ?? "";
  const q = params.get("q") ?? "";
  const framework = useFramework(id, account || undefined);
  const accounts = useAccounts();

  const update = (key: string, value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set(key, value);
    else next.delete(key);
    setParams(next, { replace: key === "q" });
  };

  if (framework.isPending) return <Loading label="Loading the framework" />;
  if (framework.isError) return <ErrorState error={framework.error} onRetry={() => framework.refetch()} />;
  const fw = framework.data;
  const tally = new Map<string, number>();
  fw.requirements.forEach((r) => tally.set(r.status, (tally.get(r.status) ?? 0) + 1));
  const shown = fw.requirements.filter((r) => (!status || r.status === status) && matches(r, q));

  return (
    <>
      <PageHeader
        title={fw.name}
        subtitle={
          <>
            Version {fw.version} · {fw.requirements.length} requirements ·{" "}
            <Link component={RouterLink} to="/compliance/frameworks">
              All frameworks
            </Link>
          </>
        }
      />
      <Box sx={{ display: "flex", gap: 1, flexWrap: "wrap", mb: 2 }} aria-label="Requirements by status" role="group">
        {STATUSES.filter((s) => tally.get(s.value)).map((s) => (
          <Chip
            key={s.value}
            label={`${s.label}: ${tally.get(s.value)}`}
            clickable
            aria-pressed={status === s.value}
            variant={status === s.value ? "filled" : "outlined"}
            onClick={() => update("status", status === s.value ? "" : s.value)}
          />
        ))}
      </Box>
      <Box sx={{ display: "flex", gap: 1.5, flexWrap: "wrap", mb: 2 }} role="search" aria-label="Filter requirements">
        <TextField size="small" label="Search requirements" value={q} onChange={(e) => update("q", e.target.value)} sx={{ width: 280 }} />
        <TextField select size="small" label="Status" value={status} onChange={(e) => update("status", e.target.value)} sx={{ width: 180 }}>
          <MenuItem value="">
            <em>Any</em>
          </MenuItem>
          {STATUSES.map((s) => (
            <MenuItem key={s.value} value={s.value}>
              {s.label}
            </MenuItem>
          ))}
        </TextField>
        {(accounts.data?.length ?? 0) > 1 || account ? (
          <TextField select size="small" label="Account" value={account} onChange={(e) => update("account", e.target.value)} sx={{ width: 180 }}>
            <MenuItem value="">
              <em>All accounts</em>
            </MenuItem>
            {[...new Set([...(accounts.data ?? []).map((a) => a.name), ...(account ? [account] : [])])].map((name) => (
              <MenuItem key={name} value={name}>
                {name}
              </MenuItem>
            ))}
          </TextField>
        ) : null}
      </Box>
      {shown.length ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Requirements">
            <TableHead>
              <TableRow>
                <TableCell>Requirement</TableCell>
                <TableCell>Title</TableCell>
                <TableCell>Covering controls</TableCell>
                <TableCell>Status</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((r) => (
                <RequirementRow key={r.id} req={r} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      ) : (
        <EmptyState title="No requirement matches">Clear the search or the status filter.</EmptyState>
      )}
    </>
  );
}
