/** Accept a finding's risk for a while: an exception mutes matching failures until it expires. */
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import TextField from "@mui/material/TextField";
import { useRef, useState } from "react";
import type { FormEvent } from "react";
import { focusFirstInvalid } from "../forms";
import { ApiError } from "../../../api/client";
import { useAuth } from "../../../auth/AuthContext";
import { useCreateException } from "../queries";
import type { Finding } from "../types";
import { dateAhead, defaultExceptionForm, exceptionBody, MAX_DAYS, validateException } from "./exceptionForm";
import type { ExceptionErrors, ExceptionForm } from "./exceptionForm";

const SERVER_FIELDS: Record<string, keyof ExceptionForm> = {
  owner: "owner",
  reason: "reason",
  expires_at: "expires",
  resource_pattern: "pattern",
};

function serverErrors(error: unknown): ExceptionErrors {
  if (!(error instanceof ApiError)) return { form: String(error) };
  const errors: ExceptionErrors = {};
  if (Array.isArray(error.details))
    for (const d of error.details as { field?: string; reason?: string }[]) {
      const key = SERVER_FIELDS[d.field ?? ""] ?? "form";
      errors[key] ??= d.reason ?? error.message;
    }
  if (!Object.keys(errors).length) errors.form = error.describe();
  return errors;
}

export function ExceptionDialog({ finding, onClose }: { finding: Finding; onClose: () => void }) {
  const { me } = useAuth();
  const [form, setForm] = useState(() => defaultExceptionForm(finding, me?.email ?? ""));
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<ExceptionErrors>({});
  const create = useCreateException();

  const field = (key: keyof ExceptionForm) => ({
    value: form[key],
    onChange: (e: { target: { value: string } }) => {
      setForm((f) => ({ ...f, [key]: e.target.value }));
      setErrors((x) => ({ ...x, [key]: undefined, form: undefined }));
    },
    error: Boolean(errors[key]),
    fullWidth: true,
    margin: "dense" as const,
    required: true,
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = validateException(form);
    setErrors(problems);
    if (Object.keys(problems).length) return focusFirstInvalid(formRef.current);
    try {
      await create.mutateAsync(exceptionBody(form, finding));
      onClose();
    } catch (err) {
      setErrors(serverErrors(err));
      focusFirstInvalid(formRef.current);
    }
  };

  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <form ref={formRef} onSubmit={submit} noValidate aria-label="Create exception">
        <DialogTitle>Create an exception</DialogTitle>
        <DialogContent>
          <DialogContentText sx={{ mb: 1 }}>
            {finding.control_id} on account {finding.account}. Matching failures and errors are muted until the end of
            the expiry day, then reopen. The exception is recorded with your name in the audit trail.
          </DialogContentText>
          {errors.form ? (
            <Alert severity="error" role="alert">
              {errors.form}
            </Alert>
          ) : null}
          <TextField {...field("owner")} label="Owner" autoFocus helperText={errors.owner ?? "Who answers for the accepted risk."} />
          <TextField {...field("reason")} label="Reason" multiline minRows={3} helperText={errors.reason ?? "Why the risk is accepted, and what compensates for it."} />
          <TextField
            {...field("expires")}
            label="Expires on"
            type="date"
            helperText={errors.expires ?? "At most one year ahead."}
            slotProps={{ inputLabel: { shrink: true }, htmlInput: { min: dateAhead(1), max: dateAhead(MAX_DAYS) } }}
          />
          <TextField
            {...field("pattern")}
            label="Resource pattern"
            helperText={errors.pattern ?? "This resource by default; * and ? widen it to several resources."}
            slotProps={{ htmlInput: { style: { fontFamily: "monospace" } } }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={create.isPending}>
            {create.isPending ? "Saving…" : "Save exception"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
