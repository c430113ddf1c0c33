/** No cloud account yet: where to connect one. */
import Link from "@mui/material/Link";
import Typography from "@mui/material/Typography";
import { Link as RouterLink } from "react-router-dom";
import { useAuth } from "../../auth/AuthContext";

export function NoAccountsHint() {
  const { can } = useAuth();
  return (
    <Typography color="text.secondary">
      No cloud account is connected yet, so nothing has been scanned.{" "}
      <Link component={RouterLink} to="/compliance/accounts">
        {can("compliance.accounts") ? "Connect an AWS account" : "See cloud accounts"}
      </Link>
      {can("compliance.accounts") ? null : " (an administrator adds them)."}
    </Typography>
  );
}
