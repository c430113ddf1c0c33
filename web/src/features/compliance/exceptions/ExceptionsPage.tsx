/** Exceptions: accepted risks that mute findings until they expire or are revoked. */
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
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
import { useAuth } from "../../../auth/AuthContext";
import { PageHeader } from "../../../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { When } from "../display";
import { useExceptions, useRevokeException } from "../queries";
import type { ComplianceException } from "../types";

const STATE_COLOR = { active: "warning", expired: "default", revoked: "default" } as const;

function RevokeDialog({ exception, onClose }: { exception: ComplianceException; onClose: () => void }) {
  const revoke = useRevokeException();
  return (
    <Dialog open onClose={onClose} aria-labelledby="revoke-title">
      <DialogTitle id="revoke-title">Revoke exception {exception.id}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          The findings it mutes ({exception.control_id} on {exception.resource_pattern}) reopen now and count against the
          scores again.
        </DialogContentText>
        {revoke.error ? <ErrorState error={revoke.error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} autoFocus>
          Cancel
        </Button>
        <Button color="error" variant="contained" disabled={revoke.isPending} onClick={() => revoke.mutate(exception.id, { onSuccess: onClose })}>
          Revoke
        </Button>
      </DialogActions>
    </Dialog>
  );
}

function creator(e: ComplianceException): string {
  const by = e.created_by;
  return String(by.email ?? by.name ?? by.id ?? "—");
}

export function ExceptionsPage() {
  const { can } = useAuth();
  const exceptions = useExceptions();
  const [revoking, setRevoking] = useState<ComplianceException | null>(null);
  const mayRevoke = can("compliance.exceptions");

  let body;
  if (exceptions.isPending) body = <Loading label="Loading exceptions" />;
  else if (exceptions.isError) body = <ErrorState error={exceptions.error} onRetry={() => exceptions.refetch()} />;
  else if (!exceptions.data.length)
    body = (
      <EmptyState title="No exception">
        <p>
          When a failure is an accepted risk, {mayRevoke ? "open the finding and choose “Create exception”" : "an analyst can create an exception from the finding"}:
          it is muted until the date you set, with an owner and a reason on record.
        </p>
        <Button component={RouterLink} to="/compliance/findings">
          Go to findings
        </Button>
      </EmptyState>
    );
  else
    body = (
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="Exceptions">
          <TableHead>
            <TableRow>
              <TableCell>Resource pattern</TableCell>
              <TableCell>Control</TableCell>
              <TableCell>Account</TableCell>
              <TableCell>Owner</TableCell>
              <TableCell>Reason</TableCell>
              <TableCell>Expires</TableCell>
              <TableCell>Status</TableCell>
              {mayRevoke ? <TableCell align="right">Actions</TableCell> : null}
            </TableRow>
          </TableHead>
          <TableBody>
            {exceptions.data.map((e) => (
              <TableRow key={e.id} data-testid="exception-row" sx={{ opacity: e.state === "active" ? 1 : 0.6 }}>
                <TableCell sx={{ fontFamily: "monospace", fontSize: 13, wordBreak: "break-all", maxWidth: 320 }}>
                  {e.resource_pattern}
                </TableCell>
                <TableCell>
                  {e.control_id === "*" ? (
                    "every control"
                  ) : (
                    <Link component={RouterLink} to={`/compliance/controls/${e.control_id}`} sx={{ whiteSpace: "nowrap" }}>
                      {e.control_id}
                    </Link>
                  )}
                </TableCell>
                <TableCell>{e.account ?? "all accounts"}</TableCell>
                <TableCell>{e.owner}</TableCell>
                <TableCell sx={{ maxWidth: 320 }}>
                  {e.reason}
                  <Typography variant="caption" color="text.secondary" component="div">
                    by {creator(e)}, <When iso={e.created_at} />
                  </Typography>
                </TableCell>
                <TableCell>
                  <When iso={e.expires_at} />
                </TableCell>
                <TableCell>
                  <Chip size="small" label={e.state} color={STATE_COLOR[e.state]} sx={{ textTransform: "capitalize" }} />
                  {e.revoked_at ? (
                    <Typography variant="caption" color="text.secondary" component="div">
                      <When iso={e.revoked_at} />
                    </Typography>
                  ) : null}
                </TableCell>
                {mayRevoke ? (
                  <TableCell align="right">
                    {e.state === "active" ? (
                      <Button size="small" color="error" onClick={() => setRevoking(e)} aria-label={`Revoke exception ${e.id}`}>
                        Revoke
                      </Button>
                    ) : null}
                  </TableCell>
                ) : null}
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );

  return (
    <>
      <PageHeader title="Exceptions" subtitle="Accepted risks: findings they cover are muted until the exception ends." />
      {body}
      {revoking ? <RevokeDialog exception={revoking} onClose={() => setRevoking(null)} /> : null}
    </>
  );
}
