import { act, fireEvent, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { currentLocation, json, makeEvent, renderExplorer, stubApi } from "./testKit";
import type { AuditEvent } from "./types";

const ALL = ["trail.read", "trail.export", "ledger.read", "keys.read", "keys.manage"];

function page(items: AuditEvent[], next: string | null = null) {
  return () => json({ items, next_cursor: next });
}

function eventById(url: URL): Response {
  const id = url.pathname.split("/").pop() ?? "";
  const n = Number(id.slice(-12));
  return json(makeEvent(n, { metadata: { venue: "XETR" }, changes: { before: { qty: 0 }, after: { qty: 100 } } }));
}

const routesFor = (items: AuditEvent[], next: string | null = null) => ({
  "/api/v1/audit/events": page(items, next),
  ...Object.fromEntries(items.map((e) => [`/api/v1/audit/events/${e.id}`, eventById])),
});

afterEach(() => {
  vi.unstubAllGlobals();
  sessionStorage.clear();
});

describe("AuditExplorer", () => {
  it("renders one row per event of the search", async () => {
    const events = [1, 2, 3].map((n) => makeEvent(n));
    stubApi(routesFor(events), ALL);
    await renderExplorer();
    const rows = await screen.findAllByTestId("event-row");
    expect(rows.map((r) => r.getAttribute("data-event-id"))).toEqual(events.map((e) => e.id));
    expect(within(rows[0]).getByText("trade.order.create")).toBeTruthy();
    expect(within(rows[0]).getByText("User 1")).toBeTruthy();
    expect(within(rows[0]).getByText("order:o-1")).toBeTruthy();
  });

  it("opens the drawer on click with the full event, and Escape closes it and clears the URL", async () => {
    const events = [makeEvent(1), makeEvent(2)];
    const api = stubApi(routesFor(events), ALL);
    await renderExplorer("?action=trade.*");
    const rows = await screen.findAllByTestId("event-row");
    await userEvent.click(rows[1]);
    const drawer = await screen.findByTestId("event-drawer");
    expect(currentLocation()).toBe(`/audit?action=trade.*&event=${events[1].id}`);
    const metadata = await within(drawer).findByRole("region", { name: "Metadata" });
    expect(within(metadata).getByText(/"venue": "XETR"/)).toBeTruthy();
    expect(within(drawer).getByText("1002")).toBeTruthy();
    expect(within(drawer).getByText("bGVhZg==")).toBeTruthy();
    expect(api.callsTo(`/api/v1/audit/events/${events[1].id}`)).toHaveLength(1);
    await userEvent.keyboard("{Escape}");
    await waitFor(() => expect(screen.queryByTestId("event-drawer")).toBeNull());
    expect(currentLocation()).toBe("/audit?action=trade.*");
  });

  it("opens the drawer with Enter on a focused row", async () => {
    stubApi(routesFor([makeEvent(1)]), ALL);
    await renderExplorer();
    const [row] = await screen.findAllByTestId("event-row");
    row.focus();
    await userEvent.keyboard("{Enter}");
    expect(await screen.findByTestId("event-drawer")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Close event" }));
    await waitFor(() => expect(currentLocation()).toBe("/audit"));
  });

  it("restores an open event from the URL", async () => {
    const event = makeEvent(7);
    stubApi(routesFor([event]), ALL);
    await renderExplorer(`?event=${event.id}`);
    const drawer = await screen.findByTestId("event-drawer");
    expect(await within(drawer).findByText("Event number 7")).toBeTruthy();
  });

  it("pages older and newer with the cursors the API gave", async () => {
    const pages: Record<string, [AuditEvent[], string | null]> = {
      "": [[makeEvent(1), makeEvent(2)], "c2"],
      c2: [[makeEvent(3), makeEvent(4)], "c3"],
      c3: [[makeEvent(5)], null],
    };
    const api = stubApi(
      {
        "/api/v1/audit/events": (url) => {
          const [items, next] = pages[url.searchParams.get("cursor") ?? ""];
          return json({ items, next_cursor: next });
        },
      },
      ALL,
    );
    await renderExplorer("?limit=100");
    const ids = async (first: number) => {
      await waitFor(() => expect(screen.getAllByTestId("event-row")[0].getAttribute("data-event-id")).toBe(makeEvent(first).id));
    };
    await ids(1);
    const newer = screen.getByRole("button", { name: "Newer" });
    const older = screen.getByRole("button", { name: "Older" });
    expect((newer as HTMLButtonElement).disabled).toBe(true);
    await userEvent.click(older);
    await ids(3);
    await userEvent.click(older);
    await ids(5);
    await waitFor(() => expect((older as HTMLButtonElement).disabled).toBe(true));
    await userEvent.click(newer);
    await ids(3);
    const searched = api.callsTo("/api/v1/audit/events");
    expect(searched.slice(0, 3).map((u) => u.searchParams.get("cursor"))).toEqual([null, "c2", "c3"]);
    expect(searched.every((u) => u.searchParams.get("limit") === "100")).toBe(true);
    expect(screen.getByText(/Page 2/)).toBeTruthy();
  });

  it("applies the search on Enter, puts it in the URL and queries it, with the preset resolved", async () => {
    const api = stubApi(routesFor([makeEvent(1)]), ALL);
    await renderExplorer("?range=24h");
    await screen.findAllByTestId("event-row");
    await userEvent.type(screen.getByLabelText("Search"), "acme order{Enter}");
    await waitFor(() => expect(currentLocation()).toBe("/audit?q=acme+order&range=24h"));
    const last = api.callsTo("/api/v1/audit/events").at(-1)!;
    expect(last.searchParams.get("q")).toBe("acme order");
    const since = Date.parse(last.searchParams.get("since") ?? "");
    expect(Math.abs(Date.now() - 86_400_000 - since)).toBeLessThan(60_000);
    expect(screen.getByText(/the chart ignores the search text/)).toBeTruthy();
  });

  it("refuses a custom range that ends before it starts", async () => {
    const api = stubApi(routesFor([makeEvent(1)]), ALL);
    await renderExplorer();
    await screen.findAllByTestId("event-row");
    fireEvent.mouseDown(screen.getByRole("combobox", { name: "Time range" }));
    await userEvent.click(await screen.findByRole("option", { name: "Custom…" }));
    fireEvent.change(screen.getByLabelText("Since"), { target: { value: "2026-11-20T10:00" } });
    fireEvent.change(screen.getByLabelText("Until"), { target: { value: "2026-11-19T10:00" } });
    const before = api.callsTo("/api/v1/audit/events").length;
    await userEvent.click(screen.getByRole("button", { name: "Apply" }));
    expect(await screen.findByText("The end must be after the start.")).toBeTruthy();
    expect(currentLocation()).toBe("/audit");
    expect(api.callsTo("/api/v1/audit/events")).toHaveLength(before);
  });

  it("explains a broken time range in a link instead of querying it", async () => {
    const api = stubApi(routesFor([makeEvent(1)]), ALL);
    await renderExplorer("?since=yesterday");
    expect(await screen.findByText(/The time range is not valid: Not a valid date and time\./)).toBeTruthy();
    expect(api.callsTo("/api/v1/audit/events")).toHaveLength(0);
  });

  it("hides Export from a person without trail.export and offers it to one with it", async () => {
    stubApi(routesFor([makeEvent(1)]), ["trail.read"]);
    const first = await renderExplorer();
    await screen.findAllByTestId("event-row");
    expect(screen.queryByRole("button", { name: "Export" })).toBeNull();
    first.unmount();
    stubApi(routesFor([makeEvent(1)]), ["trail.read", "trail.export"]);
    await renderExplorer();
    await userEvent.click(await screen.findByRole("button", { name: "Export" }));
    expect(screen.getByRole("menuitem", { name: /CSV/ })).toBeTruthy();
    expect(screen.getByRole("menuitem", { name: /NDJSON/ })).toBeTruthy();
  });

  it("downloads the export of the current query with the bearer token", async () => {
    const api = stubApi(
      { ...routesFor([makeEvent(1)]), "/api/v1/audit/export": () => new Response("id,time\n", { headers: { "Content-Disposition": 'attachment; filename="trail.csv"' } }) },
      ALL,
    );
    const createObjectURL = vi.fn(() => "blob:x");
    vi.stubGlobal("URL", Object.assign(URL, { createObjectURL, revokeObjectURL: vi.fn() }));
    await renderExplorer("?action=user.*");
    await screen.findAllByTestId("event-row");
    await userEvent.click(screen.getByRole("button", { name: "Export" }));
    await userEvent.click(screen.getByRole("menuitem", { name: /CSV/ }));
    expect(await screen.findByText("Downloaded trail.csv.")).toBeTruthy();
    const [call] = api.callsTo("/api/v1/audit/export");
    expect(call.searchParams.get("format")).toBe("csv");
    expect(call.searchParams.get("action")).toBe("user.*");
    const init = api.fetchMock.mock.calls.find(([u]) => String(u).startsWith("/api/v1/audit/export"))?.[1];
    expect((init?.headers as Record<string, string>).Authorization).toBe("Bearer a");
  });

  it("explains how to send a first event when the tenant has none", async () => {
    stubApi(routesFor([]), ALL);
    await renderExplorer();
    expect(await screen.findByText("No audit events yet")).toBeTruthy();
    expect(screen.getByText(/curl -X POST http:\/\/localhost(:\d+)?\/api\/v1\/audit\/events/)).toBeTruthy();
    expect(screen.getByRole("link", { name: "Create an API key" }).getAttribute("href")).toBe("/admin/keys");
  });

  it("does not link to API keys for a person who cannot manage them", async () => {
    stubApi(routesFor([]), ["trail.read"]);
    await renderExplorer();
    await screen.findByText("No audit events yet");
    expect(screen.queryByRole("link", { name: "Create an API key" })).toBeNull();
  });

  it("still shows how to send a first event when the trail holds only Sealtrail's own records", async () => {
    const own = makeEvent(1, { action: "sealtrail.auth.login", source: { app: "sealtrail" } });
    stubApi(routesFor([own]), ALL);
    await renderExplorer();
    expect(await screen.findByText("Only Sealtrail's own records so far (sign-ins, searches)")).toBeTruthy();
    expect(screen.getAllByTestId("event-row")).toHaveLength(1);
  });

  it("says when filters match nothing and clears them on request", async () => {
    stubApi(routesFor([]), ALL);
    await renderExplorer("?outcome=failure&range=1h");
    expect(await screen.findByText("No events match these filters")).toBeTruthy();
    await userEvent.click(screen.getByRole("button", { name: "Clear filters" }));
    await waitFor(() => expect(currentLocation()).toBe("/audit"));
    expect(await screen.findByText("No audit events yet")).toBeTruthy();
  });

  it("shows the API's error with a retry", async () => {
    stubApi({ "/api/v1/audit/events": () => json({ error: { code: "bad_request", message: "since: bad time" } }, 400) }, ALL);
    await renderExplorer();
    expect(await screen.findByText("since: bad time")).toBeTruthy();
    expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
  });
});

describe("live tail", () => {
  it("prepends streamed events matching the filters and stops when switched off", async () => {
    let push: (text: string) => void = () => {};
    const streams: URL[] = [];
    let aborted = 0;
    stubApi(
      {
        ...routesFor([makeEvent(1)]),
        "/api/v1/audit/stream": (url, init) => {
          streams.push(url);
          init?.signal?.addEventListener("abort", () => (aborted += 1));
          const body = new ReadableStream<Uint8Array>({
            start(controller) {
              push = (text) => controller.enqueue(new TextEncoder().encode(text));
            },
          });
          return new Response(body, { headers: { "Content-Type": "text/event-stream" } });
        },
      },
      ALL,
    );
    await renderExplorer("?source=trading");
    await screen.findAllByTestId("event-row");
    await userEvent.click(screen.getByRole("switch", { name: "Live tail" }));
    await waitFor(() => expect(screen.getByTestId("live-status").textContent).toBe("Connected"));
    expect(streams[0].searchParams.get("source")).toBe("trading");
    expect(streams[0].searchParams.get("after")).toBeNull();
    const fresh = makeEvent(0, { action: "user.logout" });
    await act(async () => push(`: keepalive\n\nid: 4242\nevent: audit\ndata: ${JSON.stringify(fresh)}\n\n`));
    await waitFor(() => expect(screen.getAllByTestId("event-row")[0].getAttribute("data-event-id")).toBe(fresh.id));
    expect(screen.getAllByTestId("event-row")).toHaveLength(2);
    await userEvent.click(screen.getByRole("switch", { name: "Live tail" }));
    await waitFor(() => expect(aborted).toBe(1));
    expect(screen.getByTestId("live-status").textContent).toBe("");
  });
});
