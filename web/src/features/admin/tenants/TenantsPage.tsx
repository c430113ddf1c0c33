/** Every tenant of the platform (superadmin): list and create. */
import AddIcon from "@mui/icons-material/Add";
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Snackbar from "@mui/material/Snackbar";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { useState } from "react";
import { ErrorState, Loading } from "../../../components/States";
import { PageHeader } from "../../../components/PageHeader";
import { useTenants } from "../api";
import type { TenantCreated } from "../api";
import { LocalTime } from "../../../components/LocalTime";
import { SecretDialog } from "../SecretDialog";
import type { ShownSecret } from "../SecretDialog";
import { CreateTenantDialog } from "./CreateTenantDialog";

export function TenantsPage() {
  const tenants = useTenants();
  const [creating, setCreating] = useState(false);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const created = (tenant: TenantCreated) => {
    if (tenant.admin?.password) {
      setSecret({
        title: `Tenant “${tenant.name}” created`,
        text: `Its first admin is ${tenant.admin.email}. They log in to tenant “${tenant.name}” with this password.`,
        password: tenant.admin.password,
      });
    } else setNotice(`Tenant “${tenant.name}” created, without users yet.`);
  };

  return (
    <>
      <PageHeader
        title="Tenants"
        subtitle="Each tenant has its own trail, ledger, users, keys and cloud accounts."
        actions={
          <Button variant="contained" startIcon={<AddIcon />} onClick={() => setCreating(true)}>
            Create tenant
          </Button>
        }
      />
      {tenants.isPending ? <Loading label="Loading tenants" /> : null}
      {tenants.error ? <ErrorState error={tenants.error} onRetry={() => void tenants.refetch()} /> : null}
      {tenants.data ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Tenants">
            <TableHead>
              <TableRow>
                <TableCell>Name</TableCell>
                <TableCell>Id</TableCell>
                <TableCell>Created</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {tenants.data.map((t) => (
                <TableRow key={t.id} hover>
                  <TableCell>{t.name}</TableCell>
                  <TableCell>{t.id}</TableCell>
                  <TableCell>
                    <LocalTime iso={t.created_at} />
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      ) : null}
      <CreateTenantDialog open={creating} onClose={() => setCreating(false)} onCreated={created} />
      <SecretDialog shown={secret} onClose={() => setSecret(null)} />
      <Snackbar open={notice !== null} autoHideDuration={6000} onClose={() => setNotice(null)}>
        {notice ? (
          <Alert severity="success" variant="filled" onClose={() => setNotice(null)}>
            {notice}
          </Alert>
        ) : undefined}
      </Snackbar>
    </>
  );
}
