/** Test helpers for the dashboard, admin and login pages: a stubbed `fetch` and a real AuthProvider. */
import { ThemeProvider } from "@mui/material/styles";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import type { ReactNode } from "react";
import { MemoryRouter, Routes, useLocation } from "react-router-dom";
import { vi } from "vitest";
import { tokens } from "../../api/client";
import { AuthProvider, useAuth } from "../../auth/AuthContext";
import type { Me } from "../../auth/AuthContext";
import { theme } from "../../theme";

export type Responder = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

export function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
}

export function apiError(status: number, code: string, message: string, details: unknown = null): Response {
  return json({ error: { code, message, details } }, status);
}

export const PERMISSIONS = {
  admin: [
    "compliance.accounts", "compliance.exceptions", "compliance.read", "compliance.scan", "dlq.read", "dlq.replay",
    "keys.manage", "keys.read", "ledger.read", "session.self", "trail.export", "trail.read", "users.manage", "users.read",
  ],
  analyst: ["compliance.exceptions", "compliance.read", "compliance.scan", "ledger.read", "session.self", "trail.export", "trail.read"],
  auditor: ["compliance.read", "ledger.read", "session.self", "trail.export", "trail.read"],
};

export function person(role: "admin" | "analyst" | "auditor", extra: Partial<Me> = {}): Me {
  return {
    tenant_id: 1, tenant: "default", kind: "user", role, superadmin: false, user_id: 1,
    email: `${role}@example.com`, permissions: PERMISSIONS[role], ...extra,
  };
}

/** Stubs fetch: `/auth/refresh` and `/auth/me` answer for `me` (when given); `routes` by "METHOD /path" or "/path"; else 404. */
export function stubApi(routes: Record<string, Responder>, me: Me | null) {
  const calls: { url: URL; method: string; body: unknown }[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    const method = init?.method ?? "GET";
    calls.push({ url, method, body: init?.body ? JSON.parse(String(init.body)) : undefined });
    if (url.pathname === "/api/v1/auth/refresh" && me) return json({ access_token: "a", refresh_token: "r", expires_in: 1800 });
    if (url.pathname === "/api/v1/auth/me" && me) return json(me);
    const route = routes[`${method} ${url.pathname}`] ?? routes[url.pathname];
    if (route) return route(url, init);
    return apiError(404, "not_found", `no route ${method} ${url.pathname} in the test`);
  });
  vi.stubGlobal("fetch", fetchMock);
  return {
    fetchMock,
    calls: (path: string, method = "GET") => calls.filter((c) => c.url.pathname === path && c.method === method),
  };
}

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** Renders children once /auth/me has answered, as the app's RequireLogin does. */
export function Gate({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  return me ? <>{children}</> : null;
}

/** Render `routes` at `path`, signed in when `signedIn` (the stub's /auth/me says who). */
export function renderAt(path: string, routes: ReactNode, { signedIn = true } = {}) {
  if (signedIn) tokens.set({ access_token: "a", refresh_token: "r", expires_in: 1800 });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <ThemeProvider theme={theme}>
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[path]}>
          <AuthProvider>
            <Routes>{routes}</Routes>
            <LocationProbe />
          </AuthProvider>
        </MemoryRouter>
      </QueryClientProvider>
    </ThemeProvider>,
  );
}

export function currentLocation(): string {
  return screen.getByTestId("location").textContent ?? "";
}

/** Forget the session and the stubs between tests. */
export function resetSession() {
  tokens.set(null);
  sessionStorage.clear();
  vi.unstubAllGlobals();
}
