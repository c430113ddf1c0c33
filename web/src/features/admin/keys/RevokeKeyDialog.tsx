/** Confirm, then revoke an API key. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../api/client";
import { keysKey } from "../api";
import type { ApiKey } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { useLast } from "../useLast";

export function RevokeKeyDialog({ apiKey, onClose }: { apiKey: ApiKey | null; onClose: () => void }) {
  const client = useQueryClient();
  const shown = useLast(apiKey);
  const revoke = useMutation({
    mutationFn: (key: ApiKey) => api(`/api/v1/keys/${key.id}`, { method: "DELETE" }),
    onSuccess: () => {
      void client.invalidateQueries({ queryKey: keysKey });
      close();
    },
  });
  const close = () => {
    revoke.reset();
    onClose();
  };
  return (
    <ConfirmDialog
      open={apiKey !== null}
      title="Revoke this API key?"
      confirmLabel="Revoke key"
      busy={revoke.isPending}
      error={revoke.error}
      onConfirm={() => apiKey && revoke.mutate(apiKey)}
      onClose={close}
    >
      Programs using <strong>{shown?.name}</strong> (<code>st_{shown?.prefix}_…</code>) will be refused from their next
      request. This cannot be undone.
    </ConfirmDialog>
  );
}
