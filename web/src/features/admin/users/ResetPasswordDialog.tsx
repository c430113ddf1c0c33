/** Reset a user's password (generated or typed); it ends all their sessions. */
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import { useMutation } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { api } from "../../../api/client";
import { errorText, fieldErrors } from "../api";
import type { User } from "../api";
import { useLast } from "../useLast";
import { PasswordChoice } from "./PasswordChoice";
import { passwordProblem } from "./validation";

interface Props {
  user: User | null;
  onClose: () => void;
  /** Called with the generated password, or null when one was typed. */
  onDone: (user: User, password: string | null) => void;
}

export function ResetPasswordDialog({ user, onClose, onDone }: Props) {
  const shown = useLast(user);
  const [mode, setMode] = useState<"generate" | "set">("generate");
  const [password, setPassword] = useState("");
  const [touched, setTouched] = useState(false);
  const reset = useMutation({
    mutationFn: (target: User) =>
      api<{ password: string | null }>(`/api/v1/users/${target.id}/reset-password`, {
        method: "POST",
        body: mode === "set" ? { password } : {},
      }),
    onSuccess: (answer, target) => {
      onClose();
      onDone(target, answer.password);
    },
  });
  const problem = mode === "set" && touched ? passwordProblem(password) : undefined;
  const serverProblem = fieldErrors(reset.error).password;

  const forget = () => {
    setMode("generate");
    setPassword("");
    setTouched(false);
    reset.reset();
  };

  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTouched(true);
    if (!user || (mode === "set" && passwordProblem(password))) return;
    reset.mutate(user);
  };

  return (
    <Dialog
      open={user !== null}
      onClose={reset.isPending ? undefined : onClose}
      aria-labelledby="reset-title"
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited: forget } }}
    >
      <form onSubmit={submit} noValidate>
        <DialogTitle id="reset-title">Reset the password of {shown?.email}?</DialogTitle>
        <DialogContent>
          <DialogContentText>
            Their current password stops working and every session they have open ends at once.
          </DialogContentText>
          {reset.error && !serverProblem ? (
            <Alert severity="error" sx={{ mt: 2 }}>
              {errorText(reset.error)}
            </Alert>
          ) : null}
          <PasswordChoice
            mode={mode}
            password={password}
            error={problem ?? serverProblem}
            onMode={setMode}
            onPassword={(p) => {
              if (reset.error) reset.reset();
              setPassword(p);
            }}
          />
        </DialogContent>
        <DialogActions>
          <Button onClick={onClose} disabled={reset.isPending}>
            Cancel
          </Button>
          <Button type="submit" color="error" variant="contained" disabled={reset.isPending}>
            {reset.isPending ? "Resetting…" : "Reset password"}
          </Button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
