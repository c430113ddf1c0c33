/** Who is logged in, what they may do, and the login / logout actions. */
import { createContext, useCallback, useContext, useEffect, useMemo, useState } from "react";
import type { ReactNode } from "react";
import { api, tokens } from "../api/client";
import type { Tokens } from "../api/client";

export type Role = "admin" | "analyst" | "auditor";

export interface Me {
  tenant_id: number;
  tenant: string;
  kind: "user" | "api_key" | "system";
  role: Role | null;
  superadmin: boolean;
  user_id: number | null;
  email: string | null;
  permissions: string[];
}

interface AuthState {
  me: Me | null;
  /** True until the stored session (if any) has been restored. */
  restoring: boolean;
  login: (email: string, password: string, tenant: string) => Promise<void>;
  logout: () => Promise<void>;
  /** Whether the person holds a permission of the API's table, e.g. "compliance.scan". */
  can: (permission: string) => boolean;
}

const AuthContext = createContext<AuthState | null>(null);

/** Tokens handed back by single sign-on in the URL fragment, if any; the fragment is cleared. */
function tokensFromFragment(): Tokens | null {
  const hash = window.location.hash.replace(/^#/, "");
  if (!hash.includes("access_token=")) return null;
  const params = new URLSearchParams(hash);
  const access = params.get("access_token");
  const refresh = params.get("refresh_token");
  window.history.replaceState(null, "", window.location.pathname + window.location.search);
  if (!access || !refresh) return null;
  return { access_token: access, refresh_token: refresh, expires_in: Number(params.get("expires_in") ?? 0) };
}

export function AuthProvider({ children }: { children: ReactNode }) {
  const [me, setMe] = useState<Me | null>(null);
  const [restoring, setRestoring] = useState(true);

  const loadMe = useCallback(async () => {
    setMe(await api<Me>("/api/v1/auth/me"));
  }, []);

  useEffect(() => {
    let cancelled = false;
    (async () => {
      const sso = tokensFromFragment();
      if (sso) tokens.set(sso);
      else if (tokens.refreshToken) await tokens.refresh();
      if (tokens.accessToken) {
        try {
          const who = await api<Me>("/api/v1/auth/me");
          if (!cancelled) setMe(who);
        } catch {
          tokens.set(null);
        }
      }
      if (!cancelled) setRestoring(false);
    })();
    const unsubscribe = tokens.subscribe((t) => {
      if (!t) setMe(null);
    });
    return () => {
      cancelled = true;
      unsubscribe();
    };
  }, []);

  // Refresh the access token a minute before it expires while the tab is open.
  useEffect(() => {
    if (!me) return;
    const timer = window.setInterval(() => void tokens.refresh(), 25 * 60 * 1000);
    return () => window.clearInterval(timer);
  }, [me]);

  const login = useCallback(
    async (email: string, password: string, tenant: string) => {
      const pair = await api<Tokens>("/api/v1/auth/login", {
        method: "POST",
        body: { email, password, tenant },
      });
      tokens.set(pair);
      await loadMe();
    },
    [loadMe],
  );

  const logout = useCallback(async () => {
    try {
      await api("/api/v1/auth/logout", { method: "POST" });
    } finally {
      tokens.set(null);
      setMe(null);
    }
  }, []);

  const value = useMemo<AuthState>(
    () => ({
      me,
      restoring,
      login,
      logout,
      can: (permission: string) => Boolean(me?.permissions.includes(permission)),
    }),
    [me, restoring, login, logout],
  );
  return <AuthContext.Provider value={value}>{children}</AuthContext.Provider>;
}

export function useAuth(): AuthState {
  const state = useContext(AuthContext);
  if (!state) throw new Error("useAuth outside AuthProvider");
  return state;
}
