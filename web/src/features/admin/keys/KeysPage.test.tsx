import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import type { ApiKey } from "../api";
import { AdminRoutes } from "../routes";
import { Gate, json, person, renderAt, resetSession, stubApi } from "../testKit";

const KEYS: ApiKey[] = [
  { id: 1, tenant: "default", name: "first admin key", prefix: "4aaea61d5457", scopes: ["admin"], created_at: "2026-11-25T10:00:00Z", revoked_at: null },
  { id: 2, tenant: "default", name: "old ci", prefix: "0123456789ab", scopes: ["ingest"], created_at: "2026-11-20T10:00:00Z", revoked_at: "2026-11-21T10:00:00Z" },
];
const SECRET = "st_feedc0ffee00_s3cr3t-value";

function show(search = "") {
  return renderAt(`/admin/keys${search}`, <Route path="/admin/*" element={<Gate><AdminRoutes /></Gate>} />);
}

function keysApi(role: "admin" | "auditor") {
  return stubApi(
    {
      "GET /api/v1/keys": () => json(KEYS),
      "POST /api/v1/keys": (_, init) => {
        const body = JSON.parse(String(init?.body));
        return json({ id: 3, tenant: "default", prefix: "feedc0ffee00", created_at: "2026-11-25T12:00:00Z", revoked_at: null, ...body, key: SECRET }, 201);
      },
      "DELETE /api/v1/keys/1": () => json({ ...KEYS[0], revoked_at: "2026-11-25T12:00:00Z" }),
    },
    person(role),
  );
}

afterEach(resetSession);

describe("API keys", { timeout: 20_000 }, () => {
  it("lists keys with prefix, scopes and whether they are revoked", async () => {
    keysApi("admin");
    show();
    const table = await screen.findByRole("table", { name: "API keys" });
    const rows = within(table).getAllByRole("row");
    expect(within(rows[1]).getByText("st_4aaea61d5457_…")).toBeTruthy();
    expect(within(rows[1]).getByText("Active")).toBeTruthy();
    expect(within(rows[2]).getByText(/Revoked/)).toBeTruthy();
    expect(within(rows[2]).queryByRole("button", { name: /Revoke/ })).toBeNull();
  });

  it("shows the new key once, and forgets it when the dialog is closed", async () => {
    const api = keysApi("admin");
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog", { name: "Create an API key" });
    expect(document.activeElement).toBe(within(dialog).getByRole("textbox", { name: "Name" }));
    await userEvent.type(within(dialog).getByRole("textbox", { name: "Name" }), "ci");
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /^read/ }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create key" }));

    expect((await screen.findByTestId("new-api-key")).textContent).toBe(SECRET);
    expect(screen.getByText(/you will not see it again/)).toBeTruthy();
    expect(api.calls("/api/v1/keys", "POST")[0].body).toEqual({ name: "ci", scopes: ["ingest", "read"] });

    await userEvent.click(screen.getByRole("button", { name: "Done, I have copied it" }));
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.queryByText(SECRET)).toBeNull();

    await userEvent.click(screen.getByRole("button", { name: "Create key" }));
    const again = await screen.findByRole("dialog", { name: "Create an API key" });
    expect((within(again).getByRole("textbox", { name: "Name" }) as HTMLInputElement).value).toBe("");
    expect(screen.queryByTestId("new-api-key")).toBeNull();
  });

  it("refuses a key without a name or without any scope, without calling the API", async () => {
    const api = keysApi("admin");
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Create key" }));
    const dialog = await screen.findByRole("dialog", { name: "Create an API key" });
    await userEvent.click(within(dialog).getByRole("checkbox", { name: /^ingest/ }));
    await userEvent.click(within(dialog).getByRole("button", { name: "Create key" }));
    expect(within(dialog).getByText("Choose at least one scope.")).toBeTruthy();
    expect(within(dialog).getByText(/Give the key a name/)).toBeTruthy();
    expect(api.calls("/api/v1/keys", "POST")).toHaveLength(0);
  });

  it("revokes a key only after confirmation", async () => {
    const api = keysApi("admin");
    show();
    await userEvent.click(await screen.findByRole("button", { name: "Revoke key first admin key" }));
    const dialog = await screen.findByRole("dialog", { name: "Revoke this API key?" });
    expect(api.calls("/api/v1/keys/1", "DELETE")).toHaveLength(0);
    await userEvent.click(within(dialog).getByRole("button", { name: "Revoke key" }));
    await waitFor(() => expect(api.calls("/api/v1/keys/1", "DELETE")).toHaveLength(1));
  });

  it("opens the create dialog when the dashboard links with ?create=1", async () => {
    keysApi("admin");
    show("?create=1");
    expect(await screen.findByRole("dialog", { name: "Create an API key" })).toBeTruthy();
  });

  it("shows no create or revoke control to someone who may only read keys", async () => {
    stubApi({ "GET /api/v1/keys": () => json(KEYS) }, person("admin", { permissions: ["keys.read"] }));
    show("?create=1");
    await screen.findByRole("table", { name: "API keys" });
    expect(screen.queryByRole("button")).toBeNull();
    expect(screen.queryByRole("dialog")).toBeNull();
  });
});
