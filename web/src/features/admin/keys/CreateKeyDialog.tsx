/** Create an API key, then show its secret once; closing forgets it. */
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Checkbox from "@mui/material/Checkbox";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControl from "@mui/material/FormControl";
import FormControlLabel from "@mui/material/FormControlLabel";
import FormGroup from "@mui/material/FormGroup";
import FormHelperText from "@mui/material/FormHelperText";
import FormLabel from "@mui/material/FormLabel";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { api } from "../../../api/client";
import { errorText, fieldErrors, keysKey } from "../api";
import type { ApiKeyCreated, Scope } from "../api";
import { SecretReveal } from "../SecretReveal";
import { SCOPES, validateKey } from "./scopes";

export function CreateKeyDialog({ open, onClose }: { open: boolean; onClose: () => void }) {
  const client = useQueryClient();
  const [name, setName] = useState("");
  const [scopes, setScopes] = useState<Scope[]>(["ingest"]);
  const [touched, setTouched] = useState(false);
  const [created, setCreated] = useState<ApiKeyCreated | null>(null);
  const create = useMutation({
    mutationFn: () => api<ApiKeyCreated>("/api/v1/keys", { method: "POST", body: { name: name.trim(), scopes } }),
    onSuccess: (key) => {
      setCreated(key);
      void client.invalidateQueries({ queryKey: keysKey });
    },
  });
  const errors = { ...fieldErrors(create.error), ...(touched ? validateKey({ name, scopes }) : {}) };

  // The secret lives only in this dialog's state: forget it once the dialog has closed.
  const forget = () => {
    setCreated(null);
    setName("");
    setScopes(["ingest"]);
    setTouched(false);
    create.reset();
  };
  const transition = { transition: { onExited: forget } };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (Object.keys(validateKey({ name, scopes })).length) return;
    create.mutate();
  };

  const toggle = (scope: Scope, on: boolean) =>
    setScopes((current) => (on ? [...current, scope] : current.filter((s) => s !== scope)));

  if (created) {
    return (
      <Dialog open={open} onClose={onClose} aria-labelledby="key-created-title" maxWidth="sm" fullWidth slotProps={transition}>
        <DialogTitle id="key-created-title">API key “{created.name}” created</DialogTitle>
        <DialogContent>
          <SecretReveal label="API key" secret={created.key} testId="new-api-key" />
          <Typography variant="body2" color="text.secondary" sx={{ mt: 2 }}>
            Programs send it as <code>Authorization: Bearer &lt;key&gt;</code>. Scopes: {created.scopes.join(", ")}.
          </Typography>
        </DialogContent>
        <DialogActions>
          <Button variant="contained" onClick={onClose}>
            Done, I have copied it
          </Button>
        </DialogActions>
      </Dialog>
    );
  }

  return (
    <Dialog
      open={open}
      onClose={create.isPending ? undefined : onClose}
      aria-labelledby="create-key-title"
      maxWidth="sm"
      fullWidth
      slotProps={transition}
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="create-key-title">Create an API key</DialogTitle>
        <DialogContent>
          {create.error && !Object.keys(fieldErrors(create.error)).length ? (
            <Alert severity="error" sx={{ mb: 2 }}>
              {errorText(create.error)}
            </Alert>
          ) : null}
          <TextField
            label="Name"
            value={name}
            onChange={(e) => setName(e.target.value)}
            error={Boolean(errors.name)}
            helperText={errors.name ?? "Who uses it, e.g. ci or billing-service."}
            fullWidth
            required
            autoFocus
            margin="dense"
            slotProps={{ htmlInput: { maxLength: 128 } }}
          />
          <FormControl component="fieldset" error={Boolean(errors.scopes)} sx={{ mt: 2 }}>
            <FormLabel component="legend">Scopes</FormLabel>
            <FormGroup>
              {SCOPES.map((s) => (
                <FormControlLabel
                  key={s.value}
                  control={<Checkbox checked={scopes.includes(s.value)} onChange={(e) => toggle(s.value, e.target.checked)} />}
                  label={
                    <>
                      <strong>{s.label}</strong> — {s.help}
                    </>
                  }
                />
              ))}
            </FormGroup>
            <FormHelperText>{errors.scopes ?? "Give a program only what it needs."}</FormHelperText>
          </FormControl>
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={create.isPending}>
            Cancel
          </Button>
          <Button type="submit" variant="contained" disabled={create.isPending}>
            {create.isPending ? "Creating…" : "Create key"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
