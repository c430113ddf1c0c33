/** Add an AWS account, or change one's regions, credentials and endpoint. */
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogTitle from "@mui/material/DialogTitle";
import FormControl from "@mui/material/FormControl";
import FormControlLabel from "@mui/material/FormControlLabel";
import FormLabel from "@mui/material/FormLabel";
import Radio from "@mui/material/Radio";
import RadioGroup from "@mui/material/RadioGroup";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useRef, useState } from "react";
import type { FormEvent } from "react";
import { focusFirstInvalid } from "../forms";
import { useSaveAccount } from "../queries";
import type { Account } from "../types";
import { createBody, emptyForm, formOf, serverErrors, updateBody, validateAccount } from "./accountForm";
import type { AccountForm, FormErrors, WayIn } from "./accountForm";
import { RegionsField } from "./RegionsField";

export function AccountDialog({ account, onClose }: { account?: Account; onClose: () => void }) {
  const mode = account ? "edit" : "create";
  const [form, setForm] = useState<AccountForm>(() => (account ? formOf(account) : emptyForm()));
  const formRef = useRef<HTMLFormElement>(null);
  const [errors, setErrors] = useState<FormErrors>({});
  const save = useSaveAccount(account?.name);

  const set = <K extends keyof AccountForm>(key: K, value: AccountForm[K]) => {
    setForm((f) => ({ ...f, [key]: value }));
    setErrors((e) => ({ ...e, [key]: undefined, form: undefined }));
  };
  const field = (key: keyof AccountForm) => ({
    value: form[key] as string,
    onChange: (e: { target: { value: string } }) => set(key, e.target.value),
    error: Boolean(errors[key]),
    fullWidth: true,
    margin: "dense" as const,
  });

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    const problems = validateAccount(form, mode, account);
    setErrors(problems);
    if (Object.keys(problems).length) return focusFirstInvalid(formRef.current);
    try {
      await save.mutateAsync(mode === "create" ? createBody(form) : updateBody(form));
      onClose();
    } catch (err) {
      setErrors(serverErrors(err));
      focusFirstInvalid(formRef.current);
    }
  };

  const current =
    account?.auth === "keys"
      ? `access key ${account.access_key_id ?? ""}`
      : account
        ? `role ${account.role_arn ?? ""}`
        : "";
  return (
    <Dialog open onClose={onClose} fullWidth maxWidth="sm">
      <form ref={formRef} onSubmit={submit} noValidate aria-label={mode === "create" ? "Add account" : `Edit account ${account?.name}`}>
        <DialogTitle>{mode === "create" ? "Add an AWS account" : `Edit account ${account?.name}`}</DialogTitle>
        <DialogContent>
          {errors.form ? (
            <Alert severity="error" role="alert" sx={{ mb: 1 }}>
              {errors.form}
            </Alert>
          ) : null}
          {mode === "create" ? (
            <>
              <TextField
                {...field("name")}
                label="Name"
                required
                autoFocus
                helperText={errors.name ?? "How Sealtrail refers to the account, e.g. prod."}
              />
              <TextField
                {...field("accountId")}
                label="AWS account id"
                required
                helperText={errors.accountId ?? "12 digits."}
                slotProps={{ htmlInput: { inputMode: "numeric" } }}
              />
            </>
          ) : (
            <Typography color="text.secondary" sx={{ mb: 1 }}>
              AWS account {account?.account_id}. Secrets are never shown back; the account now uses {current}.
            </Typography>
          )}
          <RegionsField value={form.regions} onChange={(r) => set("regions", r)} error={errors.regions} />
          <FormControl component="fieldset" margin="dense" error={Boolean(errors.wayIn)}>
            <FormLabel component="legend">Way in</FormLabel>
            <RadioGroup row value={form.wayIn} onChange={(e) => set("wayIn", e.target.value as WayIn)}>
              {mode === "edit" ? <FormControlLabel value="keep" control={<Radio />} label="Keep current credentials" /> : null}
              <FormControlLabel value="keys" control={<Radio />} label="Access keys" />
              <FormControlLabel value="role" control={<Radio />} label="Assume a role" />
            </RadioGroup>
          </FormControl>
          {form.wayIn === "keys" ? (
            <>
              <TextField {...field("accessKeyId")} label="Access key id" required autoComplete="off" helperText={errors.accessKeyId} />
              <TextField
                {...field("secretAccessKey")}
                label="Secret access key"
                type="password"
                required
                autoComplete="new-password"
                helperText={errors.secretAccessKey ?? "Stored encrypted; never shown again."}
              />
              <TextField {...field("sessionToken")} label="Session token (optional)" autoComplete="off" helperText={errors.sessionToken} />
            </>
          ) : null}
          {form.wayIn === "role" ? (
            <>
              <TextField
                {...field("roleArn")}
                label="Role ARN"
                required
                helperText={errors.roleArn ?? "A read-only role in the account that trusts Sealtrail's credentials."}
              />
              <TextField {...field("externalId")} label="External id (optional)" helperText={errors.externalId} />
            </>
          ) : null}
          <TextField
            {...field("endpointUrl")}
            label="Endpoint URL (optional)"
            helperText={errors.endpointUrl ?? "Only for a stand-in such as LocalStack or a moto server; leave empty for AWS."}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose}>Cancel</Button>
          <Button type="submit" variant="contained" disabled={save.isPending}>
            {save.isPending ? "Saving…" : mode === "create" ? "Save account" : "Save changes"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
