import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockApi, renderAt } from "../testing";

afterEach(() => vi.unstubAllGlobals());

// Typing key by key in MUI fields is slow in jsdom; no delay between keys.
const user = userEvent.setup({ delay: null });

async function openDialog() {
  await user.click(await screen.findByRole("button", { name: "Add account" }));
  return screen.findByRole("dialog");
}

describe("adding an account", { timeout: 15_000 }, () => {
  it("says what is wrong before sending anything", async () => {
    const calls = mockApi({ "GET /api/v1/compliance/accounts": [], "GET /api/v1/compliance/scans": [] });
    renderAt("/compliance/accounts");
    const dialog = await openDialog();
    await user.type(within(dialog).getByLabelText(/AWS account id/), "12345");
    await user.click(within(dialog).getByRole("button", { name: "Save account" }));
    expect(within(dialog).getByText("An AWS account id is exactly 12 digits.")).toBeTruthy();
    expect(within(dialog).getByText("Add at least one region, e.g. eu-west-1.")).toBeTruthy();
    expect(calls.some((c) => c.method === "POST" && c.path.includes("compliance"))).toBe(false);
  });

  it("sends the role only, and shows the server's refusal at the role field", async () => {
    const calls = mockApi({
      "GET /api/v1/compliance/accounts": [],
      "GET /api/v1/compliance/scans": [],
      "POST /api/v1/compliance/accounts": {
        status: 422,
        body: {
          error: {
            code: "validation_failed",
            message: "request parameters are invalid",
            details: [{ field: "assume_role.role_arn", in: "body", reason: "String should match pattern" }],
          },
        },
      },
    });
    renderAt("/compliance/accounts");
    const dialog = await openDialog();
    await user.type(within(dialog).getByLabelText(/^Name/), "prod");
    await user.type(within(dialog).getByLabelText(/AWS account id/), "123456789012");
    await user.type(within(dialog).getByRole("combobox", { name: /Regions/ }), "eu-west-1{enter}");
    await user.click(within(dialog).getByLabelText("Assume a role"));
    await user.type(within(dialog).getByLabelText(/Role ARN/), "arn:aws:iam::123456789012:role/Audit");
    await user.click(within(dialog).getByRole("button", { name: "Save account" }));

    await waitFor(() => expect(within(dialog).getByText("String should match pattern")).toBeTruthy());
    const post = calls.find((c) => c.method === "POST" && c.path.includes("compliance"));
    expect(post?.body).toEqual({
      name: "prod",
      account_id: "123456789012",
      regions: ["eu-west-1"],
      assume_role: { role_arn: "arn:aws:iam::123456789012:role/Audit" },
    });
    const field = within(dialog).getByLabelText(/Role ARN/);
    expect(field.getAttribute("aria-invalid")).toBe("true");
  });
});
