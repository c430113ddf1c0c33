/** Create a tenant, optionally with its first admin user (whose password is shown once). */
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import TextField from "@mui/material/TextField";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { api, ApiError } from "../../../api/client";
import { errorText, fieldErrors, tenantsKey } from "../api";
import type { TenantCreated } from "../api";
import { validateTenant } from "./validation";

interface Props {
  open: boolean;
  onClose: () => void;
  onCreated: (tenant: TenantCreated) => void;
}

export function CreateTenantDialog({ open, onClose, onCreated }: Props) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [adminEmail, setAdminEmail] = useState("");
  const [touched, setTouched] = useState(false);
  const create = useMutation({
    mutationFn: () =>
      api<TenantCreated>("/api/v1/tenants", {
        method: "POST",
        body: { name, admin_email: adminEmail.trim() || undefined },
      }),
    onSuccess: (tenant) => {
      void client.invalidateQueries({ queryKey: tenantsKey });
      onClose();
      onCreated(tenant);
    },
  });
  const server = fieldErrors(create.error);
  const errors = { ...server, ...(touched ? validateTenant(name, adminEmail) : {}) };
  const conflict = create.error instanceof ApiError && create.error.status === 409;

  const forget = () => {
    setName("");
    setAdminEmail("");
    setTouched(false);
    create.reset();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(validateTenant(name, adminEmail)).length) return;
    create.mutate();
  };

  return (
    <Dialog
      open={open}
      onClose={create.isPending ? undefined : onClose}
      aria-labelledby="tenant-title"
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited: forget } }}
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="tenant-title">Create a tenant</DialogTitle>
        <DialogContent>
          {create.error && !Object.keys(server).length ? (
            <Alert severity="error" sx={{ mb: 2 }}>
              {conflict ? `A tenant named “${name}” already exists.` : errorText(create.error)}
            </Alert>
          ) : null}
          <TextField
            label="Tenant name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={Boolean(errors.name)}
            helperText={errors.name ?? "People type it when they log in, e.g. acme or acme-prod."}
            required
            fullWidth
            autoFocus
            margin="dense"
          />
          <TextField
            label="First admin's email"
            type="email"
            value={adminEmail}
            onChange={(e) => setAdminEmail(e.target.value)}
            error={Boolean(errors.admin_email)}
            helperText={errors.admin_email ?? "Optional, but without it nobody can log in to the new tenant."}
            fullWidth
            margin="dense"
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create tenant"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
