/** One user in the table, with the actions the viewer may take on them. */
import Button from "@mui/material/Button";
import Chip from "@mui/material/Chip";
import NativeSelect from "@mui/material/NativeSelect";
import TableCell from "@mui/material/TableCell";
import TableRow from "@mui/material/TableRow";
import Tooltip from "@mui/material/Tooltip";
import type { Role } from "../../../auth/AuthContext";
import { ROLES } from "../api";
import type { User } from "../api";
import { LocalTime } from "../../../components/LocalTime";

export interface RowActions {
  busy: boolean;
  onRole: (user: User, role: Role) => void;
  onDisable: (user: User) => void;
  onEnable: (user: User) => void;
  onReset: (user: User) => void;
}

function roleLabel(role: Role): string {
  return ROLES.find((r) => r.value === role)?.label ?? role;
}

/** A disabled button with the reason in a tooltip (the span lets the tooltip work). */
function Refused({ label, reason }: { label: string; reason: string }) {
  return (
    <Tooltip title={reason}>
      <span>
        <Button size="small" disabled aria-label={`${label}: ${reason}`}>
          {label}
        </Button>
      </span>
    </Tooltip>
  );
}

export function UserRow({ user, isSelf, actions }: { user: User; isSelf: boolean; actions?: RowActions }) {
  const disabled = user.disabled_at !== null;
  return (
    <TableRow hover sx={disabled ? { "& td": { color: "text.disabled" } } : undefined}>
      <TableCell>
        {user.email}
        {isSelf ? <Chip size="small" label="you" sx={{ ml: 1 }} /> : null}
      </TableCell>
      <TableCell>{user.name ?? "–"}</TableCell>
      <TableCell>
        {actions && !isSelf ? (
          <NativeSelect
            value={user.role}
            disabled={actions.busy}
            onChange={(e) => actions.onRole(user, e.target.value as Role)}
            inputProps={{ "aria-label": `Role of ${user.email}` }}
            sx={{ fontSize: 14 }}
          >
            {ROLES.map((r) => (
              <option key={r.value} value={r.value}>
                {r.label}
              </option>
            ))}
          </NativeSelect>
        ) : (
          roleLabel(user.role)
        )}
        {user.superadmin ? <Chip size="small" color="warning" label="superadmin" sx={{ ml: 1 }} /> : null}
      </TableCell>
      <TableCell>{user.sso ? "Single sign-on" : "Password"}</TableCell>
      <TableCell>
        <LocalTime iso={user.last_login_at} empty="Never" />
      </TableCell>
      <TableCell>
        {user.disabled_at ? (
          <Tooltip title={`Since ${new Date(user.disabled_at).toLocaleString()} (${user.disabled_at})`}>
            <Chip size="small" label="Disabled" />
          </Tooltip>
        ) : (
          <Chip size="small" color="success" variant="outlined" label="Active" />
        )}
      </TableCell>
      {actions ? (
        <TableCell align="right" sx={{ whiteSpace: "nowrap" }}>
          {isSelf ? (
            <>
              <Refused label="Reset password" reason="Resetting your own password here would end your session; ask another administrator." />
              <Refused label="Disable" reason="You cannot disable your own account." />
            </>
          ) : (
            <>
              <Button size="small" onClick={() => actions.onReset(user)} aria-label={`Reset password of ${user.email}`}>
                Reset password
              </Button>
              {disabled ? (
                <Button size="small" disabled={actions.busy} onClick={() => actions.onEnable(user)} aria-label={`Enable ${user.email}`}>
                  Enable
                </Button>
              ) : (
                <Button size="small" color="error" onClick={() => actions.onDisable(user)} aria-label={`Disable ${user.email}`}>
                  Disable
                </Button>
              )}
            </>
          )}
        </TableCell>
      ) : null}
    </TableRow>
  );
}
