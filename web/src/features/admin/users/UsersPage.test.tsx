import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import type { User } from "../api";
import { AdminRoutes } from "../routes";
import { apiError, currentLocation, Gate, json, person, renderAt, resetSession, stubApi } from "../testKit";
import type { Responder } from "../testKit";

const user = (id: number, email: string, extra: Partial<User> = {}): User => ({
  id, tenant: "default", email, name: null, role: "analyst", superadmin: false, sso: false,
  created_at: "2026-11-20T10:00:00Z", disabled_at: null, last_login_at: null, ...extra,
});
const USERS = [user(1, "admin@example.com", { role: "admin", name: "Administrator" }), user(2, "ann@example.com")];

function show(path = "/admin/users") {
  return renderAt(path, <Route path="/admin/*" element={<Gate><AdminRoutes /></Gate>} />);
}

function usersApi(role: "admin" | "analyst" | "auditor", extra: Record<string, Responder> = {}) {
  return stubApi({ "GET /api/v1/users": () => json(USERS), ...extra }, person(role));
}

async function openInvite() {
  await userEvent.click(await screen.findByRole("button", { name: "Invite user" }));
  return screen.findByRole("dialog", { name: "Invite a user" });
}

afterEach(resetSession);

describe("Users", { timeout: 20_000 }, () => {
  it("validates the invitation before sending it", async () => {
    const api = usersApi("admin");
    show();
    const dialog = await openInvite();
    await userEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect(within(dialog).getByText("The email address the person logs in with.")).toBeTruthy();
    await userEvent.type(within(dialog).getByRole("textbox", { name: /Email/ }), "not-an-email");
    expect(within(dialog).getByText("Not an email address.")).toBeTruthy();
    await userEvent.click(within(dialog).getByRole("radio", { name: "Type a password" }));
    await userEvent.type(within(dialog).getByLabelText("New password"), "short");
    await userEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect(within(dialog).getByText("At least 12 characters.")).toBeTruthy();
    expect(api.calls("/api/v1/users", "POST")).toHaveLength(0);
  });

  it("shows the password policy's reason from the API beside the password", async () => {
    usersApi("admin", {
      "POST /api/v1/users": () =>
        apiError(422, "validation_failed", "password is one of the most common passwords", [
          { field: "password", reason: "is one of the most common passwords" },
        ]),
    });
    show();
    const dialog = await openInvite();
    await userEvent.type(within(dialog).getByRole("textbox", { name: /Email/ }), "bob@example.com");
    await userEvent.click(within(dialog).getByRole("radio", { name: "Type a password" }));
    await userEvent.type(within(dialog).getByLabelText("New password"), "password1234");
    await userEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect(await within(dialog).findByText("is one of the most common passwords")).toBeTruthy();
  });

  it("invites with a generated password and shows it once", async () => {
    const api = usersApi("admin", {
      "POST /api/v1/users": () => json({ ...user(3, "bob@example.com", { role: "auditor" }), password: "Gen3rated-Pa55word" }, 201),
    });
    show();
    const dialog = await openInvite();
    await userEvent.type(within(dialog).getByRole("textbox", { name: /Email/ }), " bob@example.com ");
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Name" }), "Bob");
    await userEvent.selectOptions(within(dialog).getByRole("combobox", { name: "Role" }), "auditor");
    await userEvent.click(within(dialog).getByRole("button", { name: "Invite" }));
    expect((await screen.findByTestId("new-password")).textContent).toBe("Gen3rated-Pa55word");
    expect(api.calls("/api/v1/users", "POST")[0].body).toEqual({ email: "bob@example.com", name: "Bob", role: "auditor" });
    await userEvent.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    await waitFor(() => expect(screen.queryByTestId("new-password")).toBeNull());
  });

  it("changes a role, and does not let you disable yourself", async () => {
    const api = usersApi("admin", { "PATCH /api/v1/users/2": () => json(user(2, "ann@example.com", { role: "auditor" })) });
    show();
    await userEvent.selectOptions(await screen.findByRole("combobox", { name: "Role of ann@example.com" }), "auditor");
    await waitFor(() => expect(api.calls("/api/v1/users/2", "PATCH")[0]?.body).toEqual({ role: "auditor" }));
    expect(screen.queryByRole("combobox", { name: "Role of admin@example.com" })).toBeNull();
    const self = screen.getByRole("button", { name: /^Disable: You cannot disable your own account/ }) as HTMLButtonElement;
    expect(self.disabled).toBe(true);
    expect(screen.getByRole("button", { name: "Disable ann@example.com" })).toBeTruthy();
  });

  it("disables a user only after confirmation", async () => {
    const api = usersApi("admin", { "PATCH /api/v1/users/2": () => json(user(2, "ann@example.com", { disabled_at: "2026-11-25T12:00:00Z" })) });
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Disable ann@example.com" }));
    const dialog = await screen.findByRole("dialog", { name: "Disable ann@example.com?" });
    expect(api.calls("/api/v1/users/2", "PATCH")).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Disable" }));
    await waitFor(() => expect(api.calls("/api/v1/users/2", "PATCH")[0]?.body).toEqual({ disabled: true }));
  });

  it("shows a reset password's new password once", async () => {
    usersApi("admin", { "POST /api/v1/users/2/reset-password": () => json({ password: "N3w-Generated-Pw" }) });
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Reset password of ann@example.com" }));
    const dialog = await screen.findByRole("dialog", { name: /Reset the password of ann@example.com/ });
    await userEvent.click(within(dialog).getByRole("button", { name: "Reset password" }));
    expect((await screen.findByTestId("new-password")).textContent).toBe("N3w-Generated-Pw");
  });

  it("shows no write control to an admin-list reader without users.manage", async () => {
    stubApi({ "GET /api/v1/users": () => json(USERS) }, person("admin", { permissions: ["users.read"] }));
    show();
    await screen.findByText("ann@example.com");
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.queryByRole("combobox")).toBeNull();
  });

  it("tells an auditor the page is not for their role, without asking the API", async () => {
    const api = usersApi("auditor");
    show();
    expect(await screen.findByText("Not available to your role")).toBeTruthy();
    expect(screen.queryByRole("button")).toBeNull();
    expect(api.calls("/api/v1/users")).toHaveLength(0);
  });

  it("sends /admin to the users page", async () => {
    usersApi("admin");
    show("/admin");
    await screen.findByText("ann@example.com");
    expect(currentLocation()).toBe("/admin/users");
  });
});
