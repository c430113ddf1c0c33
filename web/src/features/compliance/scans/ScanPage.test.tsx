import { screen } from "@testing-library/react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { mockApi, renderAt } from "../testing";
import { finding, scan } from "../testData";

afterEach(() => vi.unstubAllGlobals());

describe("the scan page", () => {
  it("polls a running scan until it finishes, then shows the results", async () => {
    const running = scan({
      status: "running",
      progress: { done: 4, total: 9, label: "s3 eu-west-1", percent: 44.4 },
      finished_at: null,
      summary: null,
    });
    let polls = 0;
    mockApi({
      "GET /api/v1/compliance/scans/3": () => (++polls < 2 ? running : scan()),
      "GET /api/v1/compliance/findings/7": finding,
    });
    renderAt("/compliance/scans/3");

    const status = await screen.findByTestId("scan-status");
    expect(status.getAttribute("data-status")).toBe("running");
    expect(screen.getByTestId("scan-progress").getAttribute("aria-valuenow")).toBe("44");
    expect(screen.queryByText("Scores by framework")).toBeNull();

    await vi.waitFor(() => expect(screen.getByTestId("scan-status").getAttribute("data-status")).toBe("succeeded"), {
      timeout: 3000,
    });
    expect(screen.getByTestId("scan-progress").getAttribute("aria-valuenow")).toBe("100");
    expect(screen.getByText("38%")).toBeTruthy();
    expect(await screen.findByRole("link", { name: /AWS-EC2-001/ })).toBeTruthy();
    const pollsWhenDone = polls;
    await new Promise((r) => setTimeout(r, 1500));
    expect(polls).toBe(pollsWhenDone);
  });

  it("says why a scan failed", async () => {
    mockApi({ "GET /api/v1/compliance/scans/3": scan({ status: "failed", error: "AccessDenied", summary: null }) });
    renderAt("/compliance/scans/3");
    expect(await screen.findByText(/The scan failed: AccessDenied/)).toBeTruthy();
  });
});
