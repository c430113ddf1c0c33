/** The control library: every check Sealtrail runs, searchable. */
import Box from "@mui/material/Box";
import Chip from "@mui/material/Chip";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import TextField from "@mui/material/TextField";
import { Link as RouterLink, useSearchParams } from "react-router-dom";
import { PageHeader } from "../../../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { SeverityChip } from "../display";
import { useControls } from "../queries";
import type { ControlSummary } from "../types";

function matches(c: ControlSummary, text: string): boolean {
  const needle = text.trim().toLowerCase();
  return !needle || [c.id, c.title, c.service, c.category, c.severity, ...c.frameworks].some((s) => s.toLowerCase().includes(needle));
}

export function ControlsPage() {
  const [params, setParams] = useSearchParams();
  const q = params.get("q") ?? "";
  const controls = useControls();

  if (controls.isPending) return <Loading label="Loading the control library" />;
  if (controls.isError) return <ErrorState error={controls.error} onRetry={() => controls.refetch()} />;
  const shown = controls.data.filter((c) => matches(c, q));
  return (
    <>
      <PageHeader title="Controls" subtitle={`The ${controls.data.length} checks a scan runs, and the framework requirements they support.`} />
      <Box sx={{ mb: 2 }} role="search" aria-label="Search controls">
        <TextField
          size="small"
          label="Search controls"
          placeholder="id, title, service, framework"
          value={q}
          onChange={(e) => setParams(e.target.value ? { q: e.target.value } : {}, { replace: true })}
          sx={{ width: 320 }}
        />
      </Box>
      {shown.length ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Controls">
            <TableHead>
              <TableRow>
                <TableCell>Control</TableCell>
                <TableCell>Title</TableCell>
                <TableCell>Severity</TableCell>
                <TableCell>Service</TableCell>
                <TableCell>Frameworks</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {shown.map((c) => (
                <TableRow key={c.id} data-testid="control-row" hover>
                  <TableCell sx={{ whiteSpace: "nowrap" }}>
                    <Link component={RouterLink} to={`/compliance/controls/${c.id}`}>
                      {c.id}
                    </Link>
                  </TableCell>
                  <TableCell>{c.title}</TableCell>
                  <TableCell>
                    <SeverityChip severity={c.severity} />
                  </TableCell>
                  <TableCell>{c.service}</TableCell>
                  <TableCell>
                    <Box sx={{ display: "flex", gap: 0.5, flexWrap: "wrap" }}>
                      {c.frameworks.map((f) => (
                        <Chip key={f} size="small" variant="outlined" label={f} />
                      ))}
                    </Box>
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      ) : (
        <EmptyState title="No control matches">Try an id (AWS-S3-004), a service (s3) or a word of the title.</EmptyState>
      )}
    </>
  );
}
