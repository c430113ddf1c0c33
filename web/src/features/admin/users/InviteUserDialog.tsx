/** Invite a user: email, name, role and a password (generated and shown once, or typed). */
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
import { errorText, fieldErrors, ROLES, usersKey } from "../api";
import type { UserCreated } from "../api";
import { PasswordChoice } from "./PasswordChoice";
import { validateInvite } from "./validation";
import type { InviteForm } from "./validation";

const EMPTY: InviteForm = { email: "", name: "", role: "auditor", passwordMode: "generate", password: "" };

interface Props {
  open: boolean;
  onClose: () => void;
  /** Called with the new user (and its generated password, if any). */
  onInvited: (user: UserCreated) => void;
}

export function InviteUserDialog({ open, onClose, onInvited }: Props) {
  const client = useQueryClient();
  const [form, setForm] = useState<InviteForm>(EMPTY);
  const [touched, setTouched] = useState(false);
  const invite = useMutation({
    mutationFn: (f: InviteForm) =>
      api<UserCreated>("/api/v1/users", {
        method: "POST",
        body: {
          email: f.email.trim(),
          role: f.role,
          name: f.name.trim() || undefined,
          password: f.passwordMode === "set" ? f.password : undefined,
        },
      }),
    onSuccess: (user) => {
      void client.invalidateQueries({ queryKey: usersKey });
      onClose();
      onInvited(user);
    },
  });
  const server = fieldErrors(invite.error);
  const errors = { ...server, ...(touched ? validateInvite(form) : {}) };
  const conflict = invite.error instanceof ApiError && invite.error.status === 409;
  const set = <K extends keyof InviteForm>(key: K, value: InviteForm[K]) => {
    if (invite.error) invite.reset();
    setForm((f) => ({ ...f, [key]: value }));
  };

  const forget = () => {
    setForm(EMPTY);
    setTouched(false);
    invite.reset();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(validateInvite(form)).length) return;
    invite.mutate(form);
  };

  return (
    <Dialog
      open={open}
      onClose={invite.isPending ? undefined : onClose}
      aria-labelledby="invite-title"
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited: forget } }}
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="invite-title">Invite a user</DialogTitle>
        <DialogContent>
          {invite.error && !Object.keys(server).length ? (
            <Alert severity="error" sx={{ mb: 2 }}>
              {conflict ? "A user with this email already exists in this tenant." : errorText(invite.error)}
            </Alert>
          ) : null}
          <TextField
            label="Email"
            type="email"
            value={form.email}
            onChange={(e) => set("email", e.target.value)}
            error={Boolean(errors.email)}
            helperText={errors.email}
            required
            fullWidth
            autoFocus
            margin="dense"
          />
          <TextField
            label="Name"
            value={form.name}
            onChange={(e) => set("name", e.target.value)}
            error={Boolean(errors.name)}
            helperText={errors.name ?? "Optional."}
            fullWidth
            margin="dense"
          />
          <TextField
            select
            label="Role"
            value={form.role}
            onChange={(e) => set("role", e.target.value as InviteForm["role"])}
            helperText={ROLES.find((r) => r.value === form.role)?.help}
            fullWidth
            margin="dense"
            slotProps={{ select: { native: true } }}
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </TextField>
          <PasswordChoice
            mode={form.passwordMode}
            password={form.password}
            error={errors.password}
            onMode={(m) => set("passwordMode", m)}
            onPassword={(p) => set("password", p)}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={invite.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={invite.isPending}>
            {invite.isPending ? "Inviting…" : "Invite"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
