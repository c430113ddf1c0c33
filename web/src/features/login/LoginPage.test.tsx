import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import { apiError, currentLocation, json, person, renderAt, resetSession, stubApi } from "../admin/testKit";
import type { Responder } from "../admin/testKit";
import { LoginPage } from "./LoginPage";
import { safeNext } from "./safeNext";

function show(search = "") {
  return renderAt(
    `/login${search}`,
    <>
      <Route path="/login" element={<LoginPage />} />
      <Route path="*" element={<p>Signed-in page</p>} />
    </>,
    { signedIn: false },
  );
}

function loginApi(answer: Responder, oidc: unknown = { enabled: false }) {
  return stubApi({ "/api/v1/auth/oidc/config": () => json(oidc), "POST /api/v1/auth/login": answer }, null);
}

async function logIn() {
  await userEvent.type(screen.getByRole("textbox", { name: /Email/ }), "admin@example.com");
  await userEvent.type(screen.getByLabelText(/Password/), "correct horse battery");
  await userEvent.click(screen.getByRole("button", { name: "Log in" }));
}

afterEach(resetSession);

describe("LoginPage", { timeout: 20_000 }, () => {
  it.each([
    ["401", apiError(401, "unauthorized", "invalid credentials"), "Wrong email, password or tenant."],
    [
      "423 with Retry-After",
      apiError(423, "locked", "too many failed logins; try again later", { retry_after_seconds: 840 }),
      "Too many failed attempts: this account is locked. Try again in 14 minutes.",
    ],
    [
      "429 with Retry-After",
      apiError(429, "rate_limited", "too many login attempts from this address", { retry_after_seconds: 42 }),
      "Too many login attempts from this address. Wait 42 seconds and try again.",
    ],
    ["500", apiError(500, "internal_error", "internal error"), "The server had a problem (500). Try again in a moment."],
  ])("says plainly what a %s means", async (_, answer, message) => {
    loginApi(() => answer);
    show();
    await logIn();
    expect((await screen.findByRole("alert")).textContent).toBe(message);
  });

  it("says when the server cannot be reached", async () => {
    loginApi(() => Promise.reject(new TypeError("Failed to fetch")));
    show();
    await logIn();
    expect((await screen.findByRole("alert")).textContent).toMatch(/cannot be reached/);
  });

  it("sends the tenant and goes to ?next= after logging in", async () => {
    const api = stubApi(
      {
        "/api/v1/auth/oidc/config": () => json({ enabled: false }),
        "POST /api/v1/auth/login": () => json({ access_token: "a", refresh_token: "r", expires_in: 1800 }),
        "/api/v1/auth/me": () => json(person("admin")),
      },
      null,
    );
    show(`?next=${encodeURIComponent("/audit?action=user.login")}`);
    const tenant = screen.getByRole("textbox", { name: /Tenant/ });
    await userEvent.clear(tenant);
    await userEvent.type(tenant, "acme");
    await logIn();
    expect(await screen.findByText("Signed-in page")).toBeTruthy();
    expect(currentLocation()).toBe("/audit?action=user.login");
    expect(api.calls("/api/v1/auth/login", "POST")[0].body).toEqual({
      email: "admin@example.com",
      password: "correct horse battery",
      tenant: "acme",
    });
  });

  it("offers single sign-on when the server has it, returning to ?next=", async () => {
    loginApi(() => json({}), { enabled: true, issuer: "https://id.example.com", login_url: "/api/v1/auth/oidc/login" });
    show("?next=%2Fcompliance%2Ffindings");
    const sso = await screen.findByRole("link", { name: /Sign in with single sign-on/ });
    expect(sso.getAttribute("href")).toBe("/api/v1/auth/oidc/login?redirect_to=%2Fcompliance%2Ffindings");
  });
});

describe("safeNext", () => {
  it("keeps paths of this site and refuses everything else", () => {
    expect(safeNext("/audit?x=1")).toBe("/audit?x=1");
    expect(safeNext(null)).toBe("/");
    expect(safeNext("https://evil.example")).toBe("/");
    expect(safeNext("//evil.example")).toBe("/");
    expect(safeNext("/\\evil.example")).toBe("/");
  });
});
