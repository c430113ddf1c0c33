/** A dialog that shows a password once; once closed, the secret is forgotten. */
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import { useState } from "react";
import { SecretReveal } from "./SecretReveal";

export interface ShownSecret {
  title: string;
  text: string;
  password: string;
}

/** `shown` is null when closed; the last one stays on screen while the dialog fades out. */
export function SecretDialog({ shown, onClose }: { shown: ShownSecret | null; onClose: () => void }) {
  const [last, setLast] = useState(shown);
  if (shown && shown !== last) setLast(shown);
  return (
    <Dialog
      open={shown !== null}
      onClose={onClose}
      aria-labelledby="secret-title"
      maxWidth="sm"
      fullWidth
      slotProps={{ transition: { onExited: () => setLast(null) } }}
    >
      <DialogTitle id="secret-title">{last?.title}</DialogTitle>
      <DialogContent>
        <DialogContentText sx={{ mb: 2 }}>{last?.text}</DialogContentText>
        {last ? <SecretReveal label="password" secret={last.password} testId="new-password" /> : null}
      </DialogContent>
      <DialogActions>
        <Button variant="contained" onClick={onClose}>
          Done, I have copied it
        </Button>
      </DialogActions>
    </Dialog>
  );
}
