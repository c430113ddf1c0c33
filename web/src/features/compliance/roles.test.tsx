import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { ADMIN, AUDITOR, mockApi, renderAt } from "./testing";
import { account, exception, finding, scan } from "./testData";

afterEach(() => vi.unstubAllGlobals());

const API = {
  "GET /api/v1/compliance/accounts": [account],
  "GET /api/v1/compliance/scans": [scan()],
  "GET /api/v1/compliance/findings/7": finding,
  "GET /api/v1/compliance/exceptions": [exception],
  "GET /api/v1/compliance/frameworks/cis-aws-3.0": { id: "cis-aws-3.0", name: "CIS", version: "3", requirements: [] },
};

const WRITE_BUTTONS = /add account|scan now|^edit|^remove|create exception|revoke/i;

async function writeButtonsOn(path: string, ready: string, permissions: string[]) {
  mockApi(API, permissions);
  const view = renderAt(path);
  await screen.findAllByText(ready);
  const names = screen.queryAllByRole("button").map((b) => b.textContent ?? "");
  view.unmount();
  return names.filter((n) => WRITE_BUTTONS.test(n));
}

describe("what an auditor sees", () => {
  it.each([
    ["/compliance/accounts", "prod", ["Add account", "Scan now", "Edit", "Remove"]],
    ["/compliance/findings/7", "Remove the rule.", ["Create exception"]],
    ["/compliance/exceptions", "ops@example.com", ["Revoke"]],
  ])("%s: an admin gets the write buttons, an auditor none", async (path, ready, expected) => {
    expect(await writeButtonsOn(path, ready, ADMIN)).toEqual(expected);
    expect(await writeButtonsOn(path, ready, AUDITOR)).toEqual([]);
  });

  it("no scans yet: an auditor is told who can scan, without a Scan now button", async () => {
    mockApi({ ...API, "GET /api/v1/compliance/scans": [] }, AUDITOR);
    renderAt("/compliance/scans");
    expect(await screen.findByText(/an administrator or analyst can start a scan/)).toBeTruthy();
    expect(screen.queryByRole("button", { name: /scan now/i })).toBeNull();
  });
});
