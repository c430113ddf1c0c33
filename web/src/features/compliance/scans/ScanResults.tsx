/** A finished scan's summary: counts, coverage, scores per framework, diff, collection errors. */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Link from "@mui/material/Link";
import Paper from "@mui/material/Paper";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import Typography from "@mui/material/Typography";
import type { ReactNode } from "react";
import { Link as RouterLink } from "react-router-dom";
import { formatScore } from "../display";
import type { FindingStatus, ScanSummary } from "../types";
import { ScanDiff } from "./ScanDiff";

const COUNTS: { status: FindingStatus; label: string }[] = [
  { status: "FAIL", label: "Failed" },
  { status: "PASS", label: "Passed" },
  { status: "ERROR", label: "Not evaluated (errors)" },
  { status: "MUTED", label: "Muted by exceptions" },
  { status: "NOT_APPLICABLE", label: "Not applicable" },
];

function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <Box component="section" sx={{ mb: 3 }}>
      <Typography variant="h6" component="h2" gutterBottom>
        {title}
      </Typography>
      {children}
    </Box>
  );
}

export function ScanResults({ account, summary }: { account: string; summary: ScanSummary }) {
  const coverage = summary.coverage;
  const findingsOf = (status: FindingStatus) =>
    `/compliance/findings?account=${encodeURIComponent(account)}&status=${status}`;
  return (
    <>
      <Section title="Summary">
        <Box sx={{ display: "flex", gap: 2, flexWrap: "wrap" }} data-testid="scan-summary">
          <Paper variant="outlined" sx={{ p: 2, minWidth: 130 }}>
            <Typography variant="h5">{summary.resources}</Typography>
            <Typography color="text.secondary">Resources</Typography>
          </Paper>
          {COUNTS.map(({ status, label }) => (
            <Paper key={status} variant="outlined" sx={{ p: 2, minWidth: 130 }}>
              <Typography variant="h5">
                <Link component={RouterLink} to={findingsOf(status)} underline="hover" aria-label={`${label}: ${summary.counts[status]}`}>
                  {summary.counts[status]}
                </Link>
              </Typography>
              <Typography color="text.secondary">{label}</Typography>
            </Paper>
          ))}
        </Box>
        <Typography sx={{ mt: 1 }} color="text.secondary">
          {coverage.applicable
            ? `${coverage.evaluated} of ${coverage.applicable} applicable controls were evaluated (${formatScore(coverage.ratio)}).`
            : "No control applied to the resources found."}
          {coverage.not_evaluated.length ? ` Not evaluated: ${coverage.not_evaluated.join(", ")}.` : ""}
        </Typography>
      </Section>
      <Section title="Scores by framework">
        {Object.keys(summary.scores).length ? (
          <Paper variant="outlined">
            <Table size="small" aria-label="Scores by framework">
              <TableHead>
                <TableRow>
                  <TableCell>Framework</TableCell>
                  <TableCell align="right">Score</TableCell>
                  <TableCell align="right">Passed</TableCell>
                  <TableCell align="right">Failed</TableCell>
                  <TableCell align="right">Errors</TableCell>
                  <TableCell align="right">Muted</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {Object.entries(summary.scores).map(([id, s]) => (
                  <TableRow key={id}>
                    <TableCell>
                      <Link component={RouterLink} to={`/compliance/frameworks/${id}`}>
                        {id}
                      </Link>
                    </TableCell>
                    <TableCell align="right" sx={{ fontWeight: 600 }}>
                      {formatScore(s.score)}
                    </TableCell>
                    <TableCell align="right">{s.passed}</TableCell>
                    <TableCell align="right">{s.failed}</TableCell>
                    <TableCell align="right">{s.errors}</TableCell>
                    <TableCell align="right">{s.muted}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Paper>
        ) : (
          <Typography color="text.secondary">No framework had an evaluated control in this scan.</Typography>
        )}
      </Section>
      <Section title="Changes since the previous scan">
        <ScanDiff diff={summary.diff} />
      </Section>
      {summary.collection_errors.length ? (
        <Section title="Collection errors">
          <Alert severity="warning" sx={{ mb: 1 }}>
            Some cloud calls failed; the controls that needed them report errors, never a pass. Usually a missing
            read permission.
          </Alert>
          <Paper variant="outlined">
            <Table size="small" aria-label="Collection errors">
              <TableHead>
                <TableRow>
                  <TableCell>Resource type</TableCell>
                  <TableCell>Region</TableCell>
                  <TableCell>Operation</TableCell>
                  <TableCell>Reason</TableCell>
                </TableRow>
              </TableHead>
              <TableBody>
                {summary.collection_errors.map((e, i) => (
                  <TableRow key={i}>
                    <TableCell>{e.resource_type}</TableCell>
                    <TableCell>{e.region}</TableCell>
                    <TableCell>{e.operation}</TableCell>
                    <TableCell>{e.reason}</TableCell>
                  </TableRow>
                ))}
              </TableBody>
            </Table>
          </Paper>
        </Section>
      ) : null}
    </>
  );
}
