import { render, screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { api, ApiError, tokens } from "../api/client";
import { AuthProvider, useAuth } from "./AuthContext";

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

const ME = { tenant_id: 1, tenant: "default", kind: "user", role: "auditor", superadmin: false, user_id: 7, email: "ann@example.com", permissions: ["trail.read"] };

/** A fetch stub: /auth/me answers only for the access token `valid`; /auth/refresh trades `refresh` for `next`. */
function stubServer(opts: { valid: string; refresh?: string; next?: { access: string; refresh: string } }) {
  const seen: string[] = [];
  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const path = new URL(String(input), "http://localhost").pathname;
    const auth = (init?.headers as Record<string, string> | undefined)?.Authorization;
    seen.push(`${init?.method ?? "GET"} ${path}`);
    if (path === "/api/v1/auth/refresh") {
      const body = JSON.parse(String(init?.body)) as { refresh_token: string };
      if (opts.next && body.refresh_token === opts.refresh) {
        return json({ access_token: opts.next.access, refresh_token: opts.next.refresh, expires_in: 1800 });
      }
      return json({ error: { code: "unauthorized", message: "refresh token not valid" } }, 401);
    }
    if (auth !== `Bearer ${opts.valid}`) return json({ error: { code: "unauthorized", message: "token expired" } }, 401);
    if (path === "/api/v1/auth/me") return json(ME);
    return json({ ok: true });
  });
  vi.stubGlobal("fetch", fetchMock);
  return seen;
}

function Who() {
  const { me, restoring } = useAuth();
  if (restoring) return <p>restoring</p>;
  return <p data-testid="who">{me ? me.email : "nobody"}</p>;
}

afterEach(() => {
  tokens.set(null);
  window.history.replaceState(null, "", "/");
  vi.unstubAllGlobals();
});

describe("AuthProvider", () => {
  it("takes the tokens single sign-on puts in the URL fragment, then clears the fragment", async () => {
    window.history.replaceState(null, "", "/audit?x=1#access_token=sso-access&refresh_token=sso-refresh&token_type=bearer&expires_in=1800");
    const seen = stubServer({ valid: "sso-access" });
    render(<AuthProvider><Who /></AuthProvider>);
    await waitFor(() => expect(screen.getByTestId("who").textContent).toBe("ann@example.com"));
    expect(window.location.hash).toBe("");
    expect(window.location.pathname + window.location.search).toBe("/audit?x=1");
    expect(tokens.refreshToken).toBe("sso-refresh");
    expect(seen).not.toContain("POST /api/v1/auth/refresh");
  });

  it("restores a session after a reload from the tab's refresh token", async () => {
    sessionStorage.setItem("sealtrail.refresh", "stored");
    stubServer({ valid: "fresh", refresh: "stored", next: { access: "fresh", refresh: "rotated" } });
    render(<AuthProvider><Who /></AuthProvider>);
    await waitFor(() => expect(screen.getByTestId("who").textContent).toBe("ann@example.com"));
    expect(tokens.refreshToken).toBe("rotated");
  });

  it("signs out when the stored refresh token is refused", async () => {
    sessionStorage.setItem("sealtrail.refresh", "revoked");
    stubServer({ valid: "never" });
    render(<AuthProvider><Who /></AuthProvider>);
    await waitFor(() => expect(screen.getByTestId("who").textContent).toBe("nobody"));
    expect(tokens.refreshToken).toBeNull();
  });
});

describe("api()", () => {
  it("refreshes an expired access token once, even for concurrent calls, and retries", async () => {
    tokens.set({ access_token: "expired", refresh_token: "r1", expires_in: 1800 });
    const seen = stubServer({ valid: "a2", refresh: "r1", next: { access: "a2", refresh: "r2" } });
    const answers = await Promise.all([api("/api/v1/audit/events"), api("/api/v1/audit/stats")]);
    expect(answers).toEqual([{ ok: true }, { ok: true }]);
    expect(seen.filter((s) => s === "POST /api/v1/auth/refresh")).toHaveLength(1);
    expect(tokens.accessToken).toBe("a2");
  });

  it("gives up with the API's error when the refresh is refused", async () => {
    tokens.set({ access_token: "expired", refresh_token: "stale", expires_in: 1800 });
    stubServer({ valid: "a2" });
    const error = await api("/api/v1/audit/events").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).status).toBe(401);
    expect(tokens.refreshToken).toBeNull();
  });
});
