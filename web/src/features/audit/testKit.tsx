/** Test helpers: render the explorer behind a stubbed `fetch` (the browser boundary) and a real AuthProvider. */
import { ThemeProvider } from "@mui/material/styles";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { render, screen } from "@testing-library/react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { vi } from "vitest";
import { tokens } from "../../api/client";
import { AuthProvider, useAuth } from "../../auth/AuthContext";
import { theme } from "../../theme";
import { AuditExplorer } from "./AuditExplorer";
import type { AuditEvent } from "./types";

export type Responder = (url: URL, init: RequestInit | undefined) => Response | Promise<Response>;

export function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

export function makeEvent(n: number, extra: Partial<AuditEvent> = {}): AuditEvent {
  const id = `00000000-0000-4000-8000-${String(n).padStart(12, "0")}`;
  return {
    id,
    time: new Date(Date.UTC(2026, 10, 25, 12, 0, 0) - n * 60_000).toISOString(),
    action: n % 2 ? "trade.order.create" : "user.login",
    outcome: n % 3 ? "success" : "failure",
    actor: { type: "user", id: `u-${n}`, name: `User ${n}` },
    targets: [{ type: "order", id: `o-${n}` }],
    source: { app: "trading" },
    description: `Event number ${n}`,
    tenant: "default",
    received_at: new Date(Date.UTC(2026, 10, 25, 12, 0, 1)).toISOString(),
    ledger: { index: 1000 + n, leaf_hash: "bGVhZg==" },
    ...extra,
  };
}

const EMPTY_STATS = { since: "2026-10-26T12:00:00Z", until: "2026-11-25T12:00:00Z", bucket_seconds: 86400, total: 0, series: [] };

/** Stubs fetch: auth endpoints answer for a person with `permissions`; other paths go to `routes`. */
export function stubApi(routes: Record<string, Responder>, permissions: string[]) {
  const calls: URL[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), "http://localhost");
    calls.push(url);
    if (url.pathname === "/api/v1/auth/refresh") return json({ access_token: "a", refresh_token: "r", expires_in: 1800 });
    if (url.pathname === "/api/v1/auth/me")
      return json({ tenant_id: 1, tenant: "default", kind: "user", role: "analyst", superadmin: false, user_id: 1, email: "a@example.com", permissions });
    const route = routes[url.pathname];
    if (route) return route(url, init);
    if (url.pathname === "/api/v1/audit/stats") return json(EMPTY_STATS);
    return json({ error: { code: "not_found", message: "not found" } }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
  return { calls, fetchMock, callsTo: (path: string) => calls.filter((u) => u.pathname === path) };
}

function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** Render /audit (with `search`) for a logged-in person; wait for the session to be restored. */
export async function renderExplorer(search = "") {
  tokens.set({ access_token: "a", refresh_token: "r", expires_in: 1800 });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  const view = render(
    <ThemeProvider theme={theme}>
      <QueryClientProvider client={client}>
        <MemoryRouter initialEntries={[`/audit${search}`]}>
          <AuthProvider>
            <Routes>
              <Route path="/audit" element={<AuthGate />} />
            </Routes>
            <LocationProbe />
          </AuthProvider>
        </MemoryRouter>
      </QueryClientProvider>
    </ThemeProvider>,
  );
  // hidden: an open drawer makes the page behind it aria-hidden.
  await screen.findByRole("heading", { name: "Audit explorer", hidden: true });
  return view;
}

/** The explorer once /auth/me has answered, as the app's RequireLogin does. */
function AuthGate() {
  const { me } = useAuth();
  return me ? <AuditExplorer /> : null;
}

export function currentLocation(): string {
  return screen.getByTestId("location").textContent ?? "";
}
