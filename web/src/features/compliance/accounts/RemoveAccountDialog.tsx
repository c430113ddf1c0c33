/** Confirm removing an account, which deletes its scans and findings too. */
import Button from "@mui/material/Button";
import Dialog from "@mui/material/Dialog";
import DialogActions from "@mui/material/DialogActions";
import DialogContent from "@mui/material/DialogContent";
import DialogContentText from "@mui/material/DialogContentText";
import DialogTitle from "@mui/material/DialogTitle";
import { ErrorState } from "../../../components/States";
import { useRemoveAccount } from "../queries";

export function RemoveAccountDialog({ name, onClose }: { name: string; onClose: () => void }) {
  const remove = useRemoveAccount();
  return (
    <Dialog open onClose={onClose} aria-labelledby="remove-account-title">
      <DialogTitle id="remove-account-title">Remove account {name}?</DialogTitle>
      <DialogContent>
        <DialogContentText>
          Its scans, findings, score history and the exceptions made for this account alone are deleted with it.
          This cannot be undone; the removal is recorded in the audit trail.
        </DialogContentText>
        {remove.error ? <ErrorState error={remove.error} /> : null}
      </DialogContent>
      <DialogActions>
        <Button onClick={onClose} autoFocus>
          Cancel
        </Button>
        <Button color="error" variant="contained" disabled={remove.isPending} onClick={() => remove.mutate(name, { onSuccess: onClose })}>
          Remove
        </Button>
      </DialogActions>
    </Dialog>
  );
}
