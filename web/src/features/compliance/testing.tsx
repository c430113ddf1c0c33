/** Test support: the compliance pages behind a real AuthProvider, with `fetch` answered by a route table. */
import { configure, render } from "@testing-library/react";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import type { ReactNode } from "react";
import { MemoryRouter, Route, Routes, useLocation } from "react-router-dom";
import { vi } from "vitest";
import { tokens } from "../../api/client";
import { AuthProvider, useAuth } from "../../auth/AuthContext";
import { ComplianceRoutes } from "./routes";

// The first render of a file loads MUI and the pages, which is slow when files run in parallel.
configure({ asyncUtilTimeout: 5000 });

export const ADMIN = [
  "compliance.read",
  "compliance.scan",
  "compliance.exceptions",
  "compliance.accounts",
];
export const AUDITOR = ["compliance.read"];

export interface Call {
  method: string;
  path: string;
  params: URLSearchParams;
  body: unknown;
}

type Answer = unknown | { status: number; body: unknown };
/** "GET /api/v1/compliance/accounts" → the JSON answer, or a function of the call. */
export type Routes = Record<string, Answer | ((call: Call) => Answer)>;

function respond(answer: Answer): Response {
  const shaped = answer && typeof answer === "object" && "status" in answer && "body" in answer;
  const status = shaped ? (answer as { status: number }).status : 200;
  const body = shaped ? (answer as { body: unknown }).body : answer;
  return new Response(status === 204 ? null : JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json" },
  });
}

/** Stub `fetch` (the browser boundary) with a route table; returns the calls made. */
export function mockApi(routes: Routes, permissions: string[] = ADMIN): Call[] {
  const calls: Call[] = [];
  const me = { tenant_id: 1, tenant: "default", kind: "user", role: "admin", superadmin: false, user_id: 1, email: "me@example.com", permissions };
  const table: Routes = {
    "GET /api/v1/auth/me": me,
    "POST /api/v1/auth/refresh": { access_token: "a", refresh_token: "r", expires_in: 1800 },
    ...routes,
  };
  vi.stubGlobal(
    "fetch",
    vi.fn(async (input: string, init?: RequestInit) => {
      const url = new URL(input, "http://localhost");
      const method = init?.method ?? "GET";
      const call = { method, path: url.pathname, params: url.searchParams, body: init?.body ? JSON.parse(String(init.body)) : undefined };
      calls.push(call);
      const key = `${method} ${url.pathname}`;
      if (!(key in table)) return respond({ status: 404, body: { error: { code: "not_found", message: `no route ${key}` } } });
      const answer = table[key];
      return respond(typeof answer === "function" ? (answer as (c: Call) => Answer)(call) : answer);
    }),
  );
  return calls;
}

function AfterLogin({ children }: { children: ReactNode }) {
  const { me } = useAuth();
  return me ? <>{children}</> : null;
}

/** Shows the current URL, so tests can read what the page put there. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

/** Render the compliance pages at `path`, logged in (the permissions come from the stubbed /auth/me). */
export function renderAt(path: string) {
  tokens.set({ access_token: "a", refresh_token: "r", expires_in: 1800 });
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <MemoryRouter initialEntries={[path]}>
        <AuthProvider>
          <AfterLogin>
            <Routes>
              <Route path="/compliance/*" element={<ComplianceRoutes />} />
            </Routes>
            <LocationProbe />
          </AfterLogin>
        </AuthProvider>
      </MemoryRouter>
    </QueryClientProvider>,
  );
}
