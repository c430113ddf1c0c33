/** Cloud accounts: who Sealtrail scans, how it gets in, and how the last scan went. */
import AddIcon from "@mui/icons-material/Add";
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
import { useState } from "react";
import { Link as RouterLink } from "react-router-dom";
import { ApiError } from "../../../api/client";
import { useAuth } from "../../../auth/AuthContext";
import { PageHeader } from "../../../components/PageHeader";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { ScanStatusChip, When } from "../display";
import { useAccounts, useScans } from "../queries";
import type { Account, Scan } from "../types";
import { ScanNowButton } from "../scans/ScanNowButton";
import { AccountDialog } from "./AccountDialog";
import { RemoveAccountDialog } from "./RemoveAccountDialog";

type Open = { kind: "add" } | { kind: "edit"; account: Account } | { kind: "remove"; name: string } | null;

function lastScans(scans: Scan[] | undefined): Map<string, Scan> {
  const latest = new Map<string, Scan>();
  for (const scan of scans ?? []) if (!latest.has(scan.account)) latest.set(scan.account, scan);
  return latest;
}

export function AccountsPage() {
  const { can } = useAuth();
  const accounts = useAccounts();
  const scans = useScans();
  const [open, setOpen] = useState<Open>(null);
  const [scanError, setScanError] = useState<unknown>(null);
  const manage = can("compliance.accounts");
  const anyAction = manage || can("compliance.scan");
  const latest = lastScans(scans.data);

  const addButton = manage ? (
    <Button variant="contained" startIcon={<AddIcon />} onClick={() => setOpen({ kind: "add" })}>
      Add account
    </Button>
  ) : null;

  let body;
  if (accounts.isPending) body = <Loading label="Loading accounts" />;
  else if (accounts.isError) body = <ErrorState error={accounts.error} onRetry={() => accounts.refetch()} />;
  else if (!accounts.data.length)
    body = (
      <EmptyState title="No cloud account yet">
        <p>
          Sealtrail scans an AWS account with read-only access: either a role it assumes (recommended, with an
          external id) or the access keys of a user. Grant only read permissions, for example AWS's managed{" "}
          <code>SecurityAudit</code> policy. See docs/compliance.md for the controls a scan runs.
        </p>
        {manage ? addButton : <p>Ask an administrator to add one.</p>}
      </EmptyState>
    );
  else
    body = (
      <TableContainer component={Paper} variant="outlined">
        <Table size="small" aria-label="Cloud accounts">
          <TableHead>
            <TableRow>
              <TableCell>Name</TableCell>
              <TableCell>AWS account id</TableCell>
              <TableCell>Regions</TableCell>
              <TableCell>Way in</TableCell>
              <TableCell>Endpoint</TableCell>
              <TableCell>Last scan</TableCell>
              {anyAction ? <TableCell align="right">Actions</TableCell> : null}
            </TableRow>
          </TableHead>
          <TableBody>
            {accounts.data.map((a) => {
              const scan = latest.get(a.name);
              return (
                <TableRow key={a.id} data-testid={`account-row-${a.name}`}>
                  <TableCell sx={{ fontWeight: 600 }}>{a.name}</TableCell>
                  <TableCell sx={{ fontFamily: "monospace" }}>{a.account_id}</TableCell>
                  <TableCell>{a.regions.join(", ")}</TableCell>
                  <TableCell>
                    {a.auth === "keys" ? `Access keys (${a.access_key_id ?? "…"})` : `Assume role ${a.role_arn ?? ""}`}
                  </TableCell>
                  <TableCell>{a.endpoint_url ?? "AWS"}</TableCell>
                  <TableCell>
                    {scan ? (
                      <Box sx={{ display: "flex", gap: 1, alignItems: "center" }}>
                        <Link component={RouterLink} to={`/compliance/scans/${scan.id}`} aria-label={`${scan.status}, scan ${scan.id}`}>
                          <ScanStatusChip status={scan.status} />
                        </Link>
                        <When iso={scan.finished_at ?? scan.created_at} />
                      </Box>
                    ) : (
                      "Never scanned"
                    )}
                  </TableCell>
                  {anyAction ? (
                    <TableCell align="right">
                      <Box sx={{ display: "flex", gap: 1, justifyContent: "flex-end" }}>
                        <ScanNowButton account={a.name} onError={setScanError} />
                        {manage ? (
                          <>
                            <Button size="small" onClick={() => setOpen({ kind: "edit", account: a })} aria-label={`Edit ${a.name}`}>
                              Edit
                            </Button>
                            <Button
                              size="small"
                              color="error"
                              onClick={() => setOpen({ kind: "remove", name: a.name })}
                              aria-label={`Remove ${a.name}`}
                            >
                              Remove
                            </Button>
                          </>
                        ) : null}
                      </Box>
                    </TableCell>
                  ) : null}
                </TableRow>
              );
            })}
          </TableBody>
        </Table>
      </TableContainer>
    );

  return (
    <>
      <PageHeader
        title="Cloud accounts"
        subtitle="The AWS accounts Sealtrail checks against the control library."
        actions={accounts.data?.length ? addButton : null}
      />
      {scanError ? (
        <Alert severity="error" onClose={() => setScanError(null)} sx={{ mb: 2 }}>
          The scan could not start: {scanError instanceof ApiError ? scanError.describe() : String(scanError)}
        </Alert>
      ) : null}
      {body}
      {open?.kind === "add" ? <AccountDialog onClose={() => setOpen(null)} /> : null}
      {open?.kind === "edit" ? <AccountDialog account={open.account} onClose={() => setOpen(null)} /> : null}
      {open?.kind === "remove" ? <RemoveAccountDialog name={open.name} onClose={() => setOpen(null)} /> : null}
    </>
  );
}
