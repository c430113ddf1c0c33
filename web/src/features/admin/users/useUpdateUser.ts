/** PATCH a user (role, disabled) and refresh the list. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { api } from "../../../api/client";
import { usersKey } from "../api";
import type { User } from "../api";
import type { Role } from "../../../auth/AuthContext";

export interface UserChange {
  user: User;
  change: { role?: Role; disabled?: boolean };
}

export function useUpdateUser(onSuccess: (updated: User, change: UserChange["change"]) => void) {
  const client = useQueryClient();
  return useMutation({
    mutationFn: ({ user, change }: UserChange) =>
      api<User>(`/api/v1/users/${user.id}`, { method: "PATCH", body: change }),
    onSuccess: (updated, { change }) => {
      void client.invalidateQueries({ queryKey: usersKey });
      onSuccess(updated, change);
    },
  });
}
