/** The tenant's API keys: list, create (secret shown once), revoke. */
import AddIcon from "@mui/icons-material/Add";
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import Paper from "@mui/material/Paper";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { useState } from "react";
import { useSearchParams } from "react-router-dom";
import { useAuth } from "../../../auth/AuthContext";
import { EmptyState, ErrorState, Loading } from "../../../components/States";
import { PageHeader } from "../../../components/PageHeader";
import { useKeys } from "../api";
import type { ApiKey } from "../api";
import { LocalTime } from "../../../components/LocalTime";
import { CreateKeyDialog } from "./CreateKeyDialog";
import { RevokeKeyDialog } from "./RevokeKeyDialog";

function KeyRow({ apiKey, onRevoke }: { apiKey: ApiKey; onRevoke?: (k: ApiKey) => void }) {
  return (
    <TableRow hover sx={apiKey.revoked_at ? { "& td": { color: "text.disabled" } } : undefined}>
      <TableCell>{apiKey.name}</TableCell>
      <TableCell sx={{ fontFamily: "monospace" }}>st_{apiKey.prefix}_…</TableCell>
      <TableCell>
        {apiKey.scopes.map((s) => (
          <Chip key={s} size="small" label={s} color={s === "admin" ? "warning" : "default"} sx={{ mr: 0.5 }} />
        ))}
      </TableCell>
      <TableCell>
        <LocalTime iso={apiKey.created_at} />
      </TableCell>
      <TableCell>
        {apiKey.revoked_at ? (
          <>
            Revoked <LocalTime iso={apiKey.revoked_at} />
          </>
        ) : (
          <Chip size="small" color="success" variant="outlined" label="Active" />
        )}
      </TableCell>
      {onRevoke ? (
        <TableCell align="right">
          {apiKey.revoked_at ? null : (
            <Button size="small" color="error" onClick={() => onRevoke(apiKey)} aria-label={`Revoke key ${apiKey.name}`}>
              Revoke
            </Button>
          )}
        </TableCell>
      ) : null}
    </TableRow>
  );
}

export function KeysPage() {
  const { can } = useAuth();
  const manage = can("keys.manage");
  const keys = useKeys();
  const [params, setParams] = useSearchParams();
  const [creating, setCreating] = useState(() => manage && params.get("create") === "1");
  const [revoking, setRevoking] = useState<ApiKey | null>(null);

  const closeCreate = () => {
    setCreating(false);
    if (params.has("create")) setParams({}, { replace: true });
  };

  return (
    <>
      <PageHeader
        title="API keys"
        subtitle="Keys let programs send events (ingest) or read the trail (read). Each key belongs to this tenant."
        actions={
          manage ? (
            <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
              Create key
            </Button>
          ) : null
        }
      />
      {keys.isPending ? <Loading label="Loading API keys" /> : null}
      {keys.error ? <ErrorState error={keys.error} onRetry={() => void keys.refetch()} /> : null}
      {keys.data && keys.data.length === 0 ? (
        <EmptyState title="No API keys yet">{manage ? "Create one to send your first events." : null}</EmptyState>
      ) : null}
      {keys.data && keys.data.length > 0 ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="API keys">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Prefix</TableCell>
                <TableCell>Scopes</TableCell>
                <TableCell>Created</TableCell>
                <TableCell>Status</TableCell>
                {manage ? <TableCell align="right">Actions</TableCell> : null}
              </TableRow>
            </TableHead>
            <TableBody>
              {keys.data.map((k) => (
                <KeyRow key={k.id} apiKey={k} onRevoke={manage ? setRevoking : undefined} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      ) : null}
      {manage ? (
        <>
          <CreateKeyDialog open={creating} onClose={closeCreate} />
          <RevokeKeyDialog apiKey={revoking} onClose={() => setRevoking(null)} />
        </>
      ) : null}
    </>
  );
}
