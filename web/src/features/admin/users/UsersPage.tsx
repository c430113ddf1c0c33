/** The tenant's users: who they are, their role and state; admins invite and manage them. */
import PersonAddIcon from "@mui/icons-material/PersonAdd";
import Alert from "@mui/material/Alert";
import Button from "@mui/material/Button";
import Paper from "@mui/material/Paper";
import Snackbar from "@mui/material/Snackbar";
import Table from "@mui/material/Table";
import TableBody from "@mui/material/TableBody";
import TableCell from "@mui/material/TableCell";
import TableContainer from "@mui/material/TableContainer";
import TableHead from "@mui/material/TableHead";
import TableRow from "@mui/material/TableRow";
import { useState } from "react";
import { useAuth } from "../../../auth/AuthContext";
import { ErrorState, Loading } from "../../../components/States";
import { PageHeader } from "../../../components/PageHeader";
import { errorText, useUsers } from "../api";
import type { User } from "../api";
import { ConfirmDialog } from "../ConfirmDialog";
import { SecretDialog } from "../SecretDialog";
import { useLast } from "../useLast";
import type { ShownSecret } from "../SecretDialog";
import { InviteUserDialog } from "./InviteUserDialog";
import { ResetPasswordDialog } from "./ResetPasswordDialog";
import { useUpdateUser } from "./useUpdateUser";
import { UserRow } from "./UserRow";
import type { RowActions } from "./UserRow";

export function UsersPage() {
  const { me, can } = useAuth();
  const manage = can("users.manage");
  const users = useUsers();
  const [inviting, setInviting] = useState(false);
  const [disabling, setDisabling] = useState<User | null>(null);
  const [resetting, setResetting] = useState<User | null>(null);
  const [secret, setSecret] = useState<ShownSecret | null>(null);
  const [notice, setNotice] = useState<{ text: string; error?: boolean } | null>(null);
  const disablingShown = useLast(disabling);
  const update = useUpdateUser((user, change) => {
    setDisabling(null);
    if (change.role) setNotice({ text: `${user.email} is now ${change.role}.` });
    else setNotice({ text: change.disabled ? `${user.email} is disabled; their sessions have ended.` : `${user.email} is enabled.` });
  });

  const actions: RowActions = {
    busy: update.isPending,
    onRole: (user, role) => update.mutate({ user, change: { role } }, { onError: (e) => setNotice({ text: errorText(e), error: true }) }),
    onDisable: (user) => {
      update.reset();
      setDisabling(user);
    },
    onEnable: (user) => update.mutate({ user, change: { disabled: false } }, { onError: (e) => setNotice({ text: errorText(e), error: true }) }),
    onReset: setResetting,
  };

  return (
    <>
      <PageHeader
        title="Users"
        subtitle="People who log in to this tenant, and what their role lets them do."
        actions={
          manage ? (
            <Button variant="contained" startIcon={<PersonAddIcon />} onClick={() => setInviting(true)}>
              Invite user
            </Button>
          ) : null
        }
      />
      {users.isPending ? <Loading label="Loading users" /> : null}
      {users.error ? <ErrorState error={users.error} onRetry={() => void users.refetch()} /> : null}
      {users.data ? (
        <TableContainer component={Paper} variant="outlined">
          <Table size="small" aria-label="Users">
            <TableHead>
              <TableRow>
                <TableCell>Email</TableCell>
                <TableCell>Name</TableCell>
                <TableCell>Role</TableCell>
                <TableCell>Sign-in</TableCell>
                <TableCell>Last login</TableCell>
                <TableCell>Status</TableCell>
                {manage ? <TableCell align="right">Actions</TableCell> : null}
              </TableRow>
            </TableHead>
            <TableBody>
              {users.data.map((u) => (
                <UserRow key={u.id} user={u} isSelf={u.id === me?.user_id} actions={manage ? actions : undefined} />
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      ) : null}
      {manage ? (
        <>
          <InviteUserDialog
            open={inviting}
            onClose={() => setInviting(false)}
            onInvited={(user) =>
              user.password
                ? setSecret({ title: `${user.email} is invited`, text: `Give them this temporary password through a safe channel. They log in to tenant “${user.tenant}”.`, password: user.password })
                : setNotice({ text: `${user.email} is invited with the password you typed.` })
            }
          />
          <ResetPasswordDialog
            user={resetting}
            onClose={() => setResetting(null)}
            onDone={(user, password) =>
              password
                ? setSecret({ title: `New password of ${user.email}`, text: "Their sessions have ended. Give them this password through a safe channel.", password })
                : setNotice({ text: `The password of ${user.email} is changed; their sessions have ended.` })
            }
          />
          <ConfirmDialog
            open={disabling !== null}
            title={`Disable ${disablingShown?.email ?? ""}?`}
            confirmLabel="Disable"
            busy={update.isPending}
            error={update.error}
            onConfirm={() => disabling && update.mutate({ user: disabling, change: { disabled: true } })}
            onClose={() => setDisabling(null)}
          >
            They can no longer log in, and every session they have open ends at once. You can enable them again later.
          </ConfirmDialog>
          <SecretDialog shown={secret} onClose={() => setSecret(null)} />
        </>
      ) : null}
      <Snackbar open={notice !== null} autoHideDuration={6000} onClose={() => setNotice(null)}>
        {notice ? (
          <Alert severity={notice.error ? "error" : "success"} onClose={() => setNotice(null)} variant="filled">
            {notice.text}
          </Alert>
        ) : undefined}
      </Snackbar>
    </>
  );
}
