import { screen, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import { AdminRoutes } from "../routes";
import { Gate, json, person, renderAt, resetSession, stubApi } from "../testKit";

const TENANTS = [{ id: 1, name: "default", created_at: "2026-11-25T10:00:00Z" }];

function show() {
  return renderAt("/admin/tenants", <Route path="/admin/*" element={<Gate><AdminRoutes /></Gate>} />);
}

afterEach(resetSession);

describe("Tenants", { timeout: 20_000 }, () => {
  it("is for the superadmin only", async () => {
    const api = stubApi({ "GET /api/v1/tenants": () => json(TENANTS) }, person("admin"));
    show();
    expect(await screen.findByText("Not available to your role")).toBeTruthy();
    expect(api.calls("/api/v1/tenants")).toHaveLength(0);
  });

  it("checks the name, then creates the tenant and shows its first admin's password once", async () => {
    const api = stubApi(
      {
        "GET /api/v1/tenants": () => json(TENANTS),
        "POST /api/v1/tenants": () =>
          json({ id: 2, name: "acme", created_at: "2026-11-25T12:00:00Z", admin: { email: "boss@acme.test", tenant: "acme", password: "Fr3sh-Admin-Pw" } }, 201),
      },
      person("admin", { superadmin: true }),
    );
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Create tenant" }));
    const dialog = await screen.findByRole("dialog", { name: "Create a tenant" });
    await userEvent.type(within(dialog).getByRole("textbox", { name: /Tenant name/ }), "Acme Corp");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create tenant" }));
    expect(within(dialog).getByText(/Lowercase letters, digits/)).toBeTruthy();
    expect(api.calls("/api/v1/tenants", "POST")).toHaveLength(0);

    const name = within(dialog).getByRole("textbox", { name: /Tenant name/ });
    await userEvent.clear(name);
    await userEvent.type(name, "acme");
    await userEvent.type(within(dialog).getByRole("textbox", { name: /First admin/ }), "boss@acme.test");
    await userEvent.click(within(dialog).getByRole("button", { name: "Create tenant" }));
    expect((await screen.findByTestId("new-password")).textContent).toBe("Fr3sh-Admin-Pw");
    expect(api.calls("/api/v1/tenants", "POST")[0].body).toEqual({ name: "acme", admin_email: "boss@acme.test" });
  });
});
