import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { Route } from "react-router-dom";
import { afterEach, describe, expect, it } from "vitest";
import { Gate, json, person, renderAt, resetSession, stubApi } from "../admin/testKit";
import type { Responder } from "../admin/testKit";
import type { AuditStats, ComplianceSummary, LedgerStatus } from "./api";
import { Dashboard } from "./Dashboard";

const STATS: AuditStats = {
  since: "2026-11-24T12:00:00Z",
  until: "2026-11-25T12:00:00Z",
  bucket_seconds: 3600,
  total: 5,
  series: [
    { start: "2026-11-25T10:00:00Z", count: 2 },
    { start: "2026-11-25T11:00:00Z", count: 3 },
  ],
  top_actions: [{ value: "trade.order.create", count: 4 }, { value: "user.login", count: 1 }],
  top_actors: [{ value: "u-42", count: 5 }],
  top_targets: [],
};

const LEDGER: LedgerStatus = {
  origin: "sealtrail.example/default",
  tree_size: 1234,
  checkpoint: { tree_size: 1230, root_hash: "cm9vdA==", key_id: "sealtrail+abcd1234", timestamp: "2026-11-25T12:00:00Z", age_seconds: 12 },
};

const SUMMARY: ComplianceSummary = {
  open_findings: { critical: 1, high: 4, medium: 7, low: 2, informational: 0 },
  open_by_service: [{ service: "s3", count: 9 }],
  muted: 3,
  errors: 1,
  accounts: 1,
  last_scan: { id: 5, account: "prod", status: "succeeded", created_at: "2026-11-25T11:00:00Z", finished_at: "2026-11-25T11:01:00Z" },
  frameworks: [
    { id: "cis-aws", name: "CIS AWS Foundations", score: 0.82, trend: [{ at: "2026-11-24T11:00:00Z", score: 0.7 }, { at: "2026-11-25T11:00:00Z", score: 0.82 }] },
  ],
};

function routes(over: Partial<Record<string, Responder>> = {}): Record<string, Responder> {
  return {
    "/api/v1/audit/stats": () => json(STATS),
    "/api/v1/ledger/status": () => json(LEDGER),
    "/api/v1/compliance/summary": () => json(SUMMARY),
    ...over,
  } as Record<string, Responder>;
}

function show(search = "") {
  return renderAt(`/${search}`, <Route path="/" element={<Gate><Dashboard /></Gate>} />);
}

afterEach(resetSession);

describe("Dashboard", { timeout: 20_000 }, () => {
  it("shows every card to a person holding trail, ledger and compliance read", async () => {
    stubApi(routes(), person("auditor"));
    show();
    for (const id of ["card-volume", "card-ledger", "card-findings", "card-scores"]) {
      expect(await screen.findByTestId(id)).toBeTruthy();
    }
    expect((await screen.findByTestId("ledger-tree-size")).textContent).toBe((1234).toLocaleString());
    expect(await screen.findByText("CIS AWS Foundations")).toBeTruthy();
    expect(screen.getByText("82 %")).toBeTruthy();
  });

  it("hides the cards whose permission is missing, and does not ask the API for them", async () => {
    const api = stubApi(routes(), person("analyst", { permissions: ["trail.read", "session.self"] }));
    show();
    expect(await screen.findByTestId("card-volume")).toBeTruthy();
    await screen.findByText("trade.order.create");
    expect(screen.queryByTestId("card-ledger")).toBeNull();
    expect(screen.queryByTestId("card-findings")).toBeNull();
    expect(screen.queryByTestId("card-scores")).toBeNull();
    expect(api.calls("/api/v1/ledger/status")).toHaveLength(0);
    expect(api.calls("/api/v1/compliance/summary")).toHaveLength(0);
  });

  it("shows compliance without the trail to a person who may only read compliance", async () => {
    const api = stubApi(routes(), person("auditor", { permissions: ["compliance.read"] }));
    show();
    expect(await screen.findByTestId("card-findings")).toBeTruthy();
    expect(screen.queryByTestId("card-volume")).toBeNull();
    expect(screen.queryByRole("group", { name: "Time window" })).toBeNull();
    expect(api.calls("/api/v1/audit/stats")).toHaveLength(0);
  });

  it("links open findings by severity to the filtered findings list", async () => {
    stubApi(routes(), person("auditor"));
    show();
    const high = await screen.findByRole("link", { name: "4 open high findings" });
    expect(high.getAttribute("href")).toBe("/compliance/findings?severity=high");
    expect(screen.getByRole("link", { name: "1 open critical finding" }).getAttribute("href")).toBe("/compliance/findings?severity=critical");
  });

  it("asks for the chosen window and links top actions and actors to the audit explorer over it", async () => {
    const api = stubApi(routes(), person("auditor"));
    show();
    const actions = await screen.findByTestId("card-top-actions");
    const link = await within(actions).findByRole("link", { name: /trade\.order\.create/ });
    expect(link.getAttribute("href")).toBe("/audit?action=trade.order.create&range=24h");
    await userEvent.click(screen.getByRole("button", { name: "Last 7 d" }));
    const actors = screen.getByTestId("card-top-actors");
    await waitFor(() =>
      expect(within(actors).getByRole("link", { name: /u-42/ }).getAttribute("href")).toBe("/audit?actor=u-42&range=7d"),
    );
    const since = new Date(api.calls("/api/v1/audit/stats").at(-1)!.url.searchParams.get("since")!);
    const days = (Date.now() - since.getTime()) / 86_400_000;
    expect(days).toBeGreaterThan(6.99);
    expect(days).toBeLessThan(7.01);
  });

  it("reads the window from the URL", async () => {
    stubApi(routes(), person("auditor"));
    show("?range=30d");
    expect((await screen.findByRole("button", { name: "Last 30 d" })).getAttribute("aria-pressed")).toBe("true");
  });

  it("says how old the checkpoint is and warns when it is stale", async () => {
    stubApi(routes(), person("auditor"));
    show();
    expect((await screen.findByTestId("ledger-age")).textContent).toBe("12 s ago");
    expect(screen.queryByTestId("ledger-stale")).toBeNull();
    cleanup();
    resetSession();
    const stale = { ...LEDGER, checkpoint: { ...LEDGER.checkpoint!, age_seconds: 600 } };
    stubApi(routes({ "/api/v1/ledger/status": () => json(stale) }), person("auditor"));
    show();
    expect((await screen.findByTestId("ledger-age")).textContent).toBe("10 min ago");
    expect(await screen.findByTestId("ledger-stale")).toBeTruthy();
  });

  it("without events, shows the curl line to send one and, to key managers, where to create a key", async () => {
    const empty = { ...STATS, total: 0, series: [], top_actions: [], top_actors: [] };
    stubApi(routes({ "/api/v1/audit/stats": () => json(empty) }), person("admin"));
    show();
    const card = await screen.findByTestId("card-volume");
    expect(await within(card).findByText(/curl -X POST http:\/\/localhost:\d+\/api\/v1\/audit\/events/)).toBeTruthy();
    expect(within(card).getByRole("link", { name: "Create an API key" }).getAttribute("href")).toBe("/admin/keys?create=1");
  });

  it("does not offer to create a key to someone who may not", async () => {
    const selfOnly = { ...STATS, top_actions: [{ value: "sealtrail.auth.login", count: 1 }] };
    stubApi(routes({ "/api/v1/audit/stats": () => json(selfOnly) }), person("auditor"));
    show();
    expect(await screen.findByText("No events from your applications yet")).toBeTruthy();
    expect(screen.queryByRole("link", { name: "Create an API key" })).toBeNull();
  });

  it("points to the cloud accounts when none is connected", async () => {
    stubApi(routes({ "/api/v1/compliance/summary": () => json({ ...SUMMARY, accounts: 0, frameworks: [] }) }), person("auditor"));
    show();
    const card = await screen.findByTestId("card-findings");
    const link = await within(card).findByRole("link", { name: "See cloud accounts" });
    expect(link.getAttribute("href")).toBe("/compliance/accounts");
  });
});
