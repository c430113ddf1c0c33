import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockApi, renderAt } from "../testing";
import { finding } from "../testData";
import type { Call } from "../testing";

afterEach(() => vi.unstubAllGlobals());

const findingsCalls = (calls: Call[]) => calls.filter((c) => c.path === "/api/v1/compliance/findings");
const location = () => screen.getByTestId("location").textContent;

function api(pages: Record<string, unknown> = {}) {
  return mockApi({
    "GET /api/v1/compliance/findings": (call: Call) =>
      pages[call.params.get("before") ?? ""] ?? { items: [finding], next_before: null },
    "GET /api/v1/compliance/frameworks": [],
    "GET /api/v1/compliance/accounts": [],
    "GET /api/v1/compliance/controls": [],
    "GET /api/v1/compliance/scans": [],
  });
}

describe("the findings list", () => {
  it("asks the API for the filters in the URL", async () => {
    const calls = api();
    renderAt("/compliance/findings?severity=high&severity=critical&framework=gdpr&include_gone=true");
    expect(await screen.findAllByTestId("finding-row")).toHaveLength(1);
    const params = findingsCalls(calls)[0].params;
    expect(params.getAll("severity")).toEqual(["critical", "high"]);
    expect(params.get("framework")).toBe("gdpr");
    expect(params.getAll("status")).toEqual(["FAIL"]);
    expect(params.get("include_gone")).toBe("true");
  });

  it("puts a chosen severity in the URL and asks again", async () => {
    const calls = api();
    renderAt("/compliance/findings");
    await screen.findAllByTestId("finding-row");
    await userEvent.click(screen.getByRole("button", { name: "medium" }));
    expect(location()).toBe("/compliance/findings?severity=medium");
    await waitFor(() => expect(findingsCalls(calls).at(-1)?.params.getAll("severity")).toEqual(["medium"]));
    await userEvent.click(screen.getByRole("button", { name: "Reset filters" }));
    expect(location()).toBe("/compliance/findings");
  });

  it("pages on with next_before", async () => {
    const calls = api({
      "": { items: [finding], next_before: 7 },
      "7": { items: [{ ...finding, id: 5, title: "Older one" }], next_before: null },
    });
    renderAt("/compliance/findings");
    await screen.findAllByTestId("finding-row");
    await userEvent.click(screen.getByRole("button", { name: "Next page" }));
    expect(await screen.findByText("Older one")).toBeTruthy();
    expect(findingsCalls(calls).at(-1)?.params.get("before")).toBe("7");
    expect(screen.queryByRole("button", { name: "Next page" })).toBeNull();
  });

  it("without failures says so plainly", async () => {
    mockApi({
      "GET /api/v1/compliance/findings": { items: [], next_before: null },
      "GET /api/v1/compliance/frameworks": [],
      "GET /api/v1/compliance/accounts": [],
      "GET /api/v1/compliance/controls": [],
      "GET /api/v1/compliance/scans": [{ id: 1, status: "succeeded" }],
    });
    renderAt("/compliance/findings");
    expect(await screen.findByText("No open failures")).toBeTruthy();
  });
});
