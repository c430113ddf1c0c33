/** Password login (and single sign-on when configured). */
import Alert from "@mui/material/Alert";
import Box from "@mui/material/Box";
import Button from "@mui/material/Button";
import Divider from "@mui/material/Divider";
import Paper from "@mui/material/Paper";
import TextField from "@mui/material/TextField";
import Typography from "@mui/material/Typography";
import { useQuery } from "@tanstack/react-query";
import { useState } from "react";
import type { FormEvent } from "react";
import { Navigate, useSearchParams } from "react-router-dom";
import { api } from "../../api/client";
import { useAuth } from "../../auth/AuthContext";
import { loginErrorMessage } from "./loginError";
import { safeNext } from "./safeNext";

interface OidcConfig {
  enabled: boolean;
  login_url?: string | null;
  display_name?: string | null;
}

export function LoginPage() {
  const { me, login } = useAuth();
  const [params] = useSearchParams();
  const next = safeNext(params.get("next"));
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [tenant, setTenant] = useState("default");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const oidc = useQuery({
    queryKey: ["oidc-config"],
    queryFn: () => api<OidcConfig>("/api/v1/auth/oidc/config"),
  });

  if (me) return <Navigate to={next} replace />;

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await login(email.trim(), password, tenant.trim() || "default");
    } catch (err) {
      setError(loginErrorMessage(err));
    } finally {
      setBusy(false);
    }
  };

  const ssoUrl = `/api/v1/auth/oidc/login?redirect_to=${encodeURIComponent(next)}`;
  return (
    <Box sx={{ minHeight: "100vh", display: "grid", placeItems: "center", bgcolor: "background.default" }}>
      <Paper component="form" onSubmit={submit} sx={{ p: 4, width: 380 }} aria-label="Log in">
        <Typography variant="h5" component="h1" gutterBottom>
          Sealtrail
        </Typography>
        <Typography color="text.secondary" sx={{ mb: 2 }}>
          Log in to the audit trail and compliance console.
        </Typography>
        {error ? (
          <Alert severity="error" sx={{ mb: 2 }} role="alert">
            {error}
          </Alert>
        ) : null}
        <TextField label="Email" type="email" autoComplete="username" fullWidth required autoFocus margin="dense" value={email} onChange={(e) => setEmail(e.target.value)} />
        <TextField label="Password" type="password" autoComplete="current-password" fullWidth required margin="dense" value={password} onChange={(e) => setPassword(e.target.value)} />
        <TextField
          label="Tenant"
          fullWidth
          margin="dense"
          value={tenant}
          onChange={(e) => setTenant(e.target.value)}
          helperText="Your organisation's name in Sealtrail; usually “default”."
        />
        <Button type="submit" variant="contained" fullWidth sx={{ mt: 2 }} disabled={busy}>
          {busy ? "Logging in…" : "Log in"}
        </Button>
        {oidc.data?.enabled ? (
          <>
            <Divider sx={{ my: 2 }}>or</Divider>
            <Button variant="outlined" fullWidth href={ssoUrl}>
              Sign in with {oidc.data.display_name || "single sign-on"}
            </Button>
          </>
        ) : null}
      </Paper>
    </Box>
  );
}
