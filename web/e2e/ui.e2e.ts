/** The web UI end to end: a real `sealtrail up`, a moto server and Chromium. */
import { randomUUID } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { callApi, eventually, launch, logIn, openPage, python } from "./support";

const server = inject("server");
const errors: string[] = [];
let browser: Browser;
let admin: Page;

const runId = randomUUID().slice(0, 8);
const orderId = `o-${runId}`;
const eventId = randomUUID();

function event(action: string, actor: string, target: string, id: string = randomUUID()) {
  return {
    id,
    time: new Date().toISOString(),
    action,
    outcome: "success",
    actor: { type: "user", id: actor, name: `${actor} (e2e)` },
    targets: [{ type: "order", id: target, name: `Order ${target}` }],
    source: { app: "e2e-shop" },
    description: `e2e ${action} by ${actor}`,
    metadata: { amount: 12.5, currency: "EUR", note: "zürich ✓" },
  };
}

beforeAll(async () => {
  browser = await launch();
  admin = await openPage(browser, errors);
});

afterAll(async () => {
  await browser?.close();
});

describe.sequential("Sealtrail web UI", () => {
  test("an admin logs in with the password printed on first start", async () => {
    await logIn(admin, server, server.adminEmail, server.adminPassword);
    await expect(admin.getByTestId("whoami").textContent()).resolves.toContain("admin");
    await admin.getByTestId("card-ledger").waitFor();
  });

  test("events sent through the API are found with filters and verified in the browser", async () => {
    const events = [
      event("e2e.order.create", "alice", orderId, eventId),
      event("e2e.order.cancel", "bob", orderId),
      event("e2e.invoice.create", "alice", `inv-${runId}`),
    ];
    await callApi(server, "/api/v1/audit/events", { method: "POST", body: events });
    await eventually(async () => {
      const page = await callApi<{ items: unknown[] }>(server, `/api/v1/audit/events?action=e2e.*&actor=alice`);
      return page.items.length >= 2 ? true : undefined;
    }, "the events to be stored");

    await admin.getByRole("link", { name: "Audit explorer", exact: true }).click();
    await admin.getByRole("heading", { name: "Audit explorer", level: 1 }).waitFor();
    await admin.getByRole("textbox", { name: "Action", exact: true }).fill("e2e.order.*");
    await admin.getByRole("textbox", { name: "Actor", exact: true }).fill("alice");
    await admin.getByRole("button", { name: "Apply" }).click();
    await admin.waitForURL(/action=e2e\.order\.\*.*actor=alice|actor=alice.*action=e2e\.order\.\*/);
    const rows = admin.getByTestId("event-row");
    await eventually(async () => ((await rows.count()) === 1 ? true : undefined), "only the matching event listed");
    const row = admin.locator(`[data-testid="event-row"][data-event-id="${eventId}"]`);
    await row.waitFor();

    await row.click();
    const drawer = admin.getByTestId("event-drawer");
    await drawer.waitFor();
    await drawer.getByText(orderId).first().waitFor();
    const result = await verify(admin);
    expect(await result.getAttribute("data-status")).toBe("verified");
    expect(await result.textContent()).toMatch(/^Verified/);
    expect(await drawer.getByTestId("verify-step-inclusion").getAttribute("data-ok")).toBe("true");
  });

  test("verification fails once the stored row is changed behind the platform's back", async () => {
    const changed = await python(
      server,
      "tamper.py",
      join(server.dataDir, "sealtrail.db"),
      eventId,
      "e2e.order.create",
      "e2e.order.refund",
    );
    expect(changed).toBe("1");
    await admin.reload();
    const drawer = admin.getByTestId("event-drawer");
    await drawer.waitFor();
    await drawer.getByText("e2e.order.refund").first().waitFor();
    const result = await verify(admin);
    expect(await result.getAttribute("data-status")).toBe("failed");
    expect(await result.textContent()).toMatch(/^Verification failed/);
    // The browser computed the leaf from the changed event: it no longer matches the record
    // the ledger signed, and the proof from it does not lead to the checkpoint's root.
    const drawerSteps = admin.getByTestId("event-drawer");
    expect(await drawerSteps.getByTestId("verify-step-leaf-matches").getAttribute("data-ok")).toBe("false");
    expect(await drawerSteps.getByTestId("verify-step-inclusion").getAttribute("data-ok")).toBe("false");
  });

  test("the live tail shows an event matching the filters as soon as it is stored", async () => {
    await admin.keyboard.press("Escape");
    await admin.getByTestId("event-drawer").waitFor({ state: "hidden" });
    await admin.getByLabel("Live tail", { exact: true }).check();
    await admin.getByTestId("live-status").getByText("Connected").waitFor();
    const live = event("e2e.order.create", "alice", `live-${runId}`);
    const other = event("e2e.order.create", "mallory", `live-${runId}`);
    await callApi(server, "/api/v1/audit/events", { method: "POST", body: [live, other] });
    await admin.locator(`[data-testid="event-row"][data-event-id="${live.id}"]`).waitFor();
    // The stream applies the page's filters: another actor's event never shows up.
    await expect(admin.locator(`[data-event-id="${other.id}"]`).count()).resolves.toBe(0);
    await admin.getByLabel("Live tail", { exact: true }).uncheck();
  });

  test("the current query exports as CSV with what the table shows", async () => {
    const download = admin.waitForEvent("download");
    await admin.getByRole("button", { name: "Export" }).click();
    await admin.getByRole("menuitem", { name: /^CSV/ }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^sealtrail-events-.*\.csv$/);
    const csv = await readFile((await file.path())!, "utf8");
    const [header, ...lines] = csv.trim().split(/\r?\n/);
    expect(header.split(",").slice(0, 3)).toEqual(["time", "id", "action"]);
    expect(lines.length).toBeGreaterThanOrEqual(2);
    expect(lines.every((line) => line.includes("alice"))).toBe(true);
    expect(csv).toContain(eventId);
  });

  test("a scan against a moto server shows findings and a framework score", async () => {
    await python(server, "seed_moto.py", server.motoUrl);
    const name = `moto-${runId}`;
    await callApi(server, "/api/v1/compliance/accounts", {
      method: "POST",
      body: {
        name,
        account_id: "123456789012",
        regions: ["us-east-1"],
        access_keys: { access_key_id: "TESTINGTESTINGKEY", secret_access_key: "testingtestingsecret" },
        endpoint_url: server.motoUrl,
      },
    });
    await admin.getByRole("link", { name: "Cloud accounts", exact: true }).click();
    await admin.getByTestId(`scan-account-${name}`).click();
    const status = admin.getByTestId("scan-status");
    await status.waitFor();
    await admin.locator('[data-testid="scan-status"][data-status="succeeded"]').waitFor({ timeout: 90_000 });

    await admin.getByRole("link", { name: "Findings", exact: true }).click();
    await admin.getByTestId("finding-row").first().waitFor();
    await admin.getByText("e2e-customer-exports").first().waitFor();

    await admin.getByRole("link", { name: "Frameworks", exact: true }).click();
    const score = admin.getByTestId("framework-score-iso27001-2022");
    await score.waitFor();
    expect(await score.textContent()).toMatch(/\d+(\.\d+)?\s*%/);
  });

  test("an auditor sees no action that would change anything", async () => {
    const password = `Auditor-${randomUUID()}`;
    const email = `auditor-${runId}@example.com`;
    const token = await adminToken();
    await callApi(server, "/api/v1/users", {
      method: "POST",
      token,
      body: { email, role: "auditor", password },
    });
    const page = await openPage(browser, errors);
    await logIn(page, server, email, password);
    await expect(page.getByTestId("whoami").textContent()).resolves.toContain("auditor");
    await expect(page.getByRole("link", { name: "Users", exact: true }).count()).resolves.toBe(0);
    await expect(page.getByRole("link", { name: "API keys", exact: true }).count()).resolves.toBe(0);
    const writes = /^(Add account|Scan now|Create exception|Revoke|Invite user|Create key|Edit|Remove|Delete)/;
    for (const path of ["/compliance/accounts", "/compliance/findings", "/compliance/exceptions", "/compliance/scans", "/audit"]) {
      await page.goto(server.baseUrl + path);
      await page.getByRole("heading", { level: 1 }).waitFor();
      await page.waitForLoadState("networkidle");
      await expect(page.getByRole("button", { name: writes }).count(), path).resolves.toBe(0);
    }
    await page.goto(`${server.baseUrl}/compliance/findings`);
    await page.getByTestId("finding-row").first().click();
    await page.getByRole("heading", { level: 1 }).waitFor();
    await page.waitForLoadState("networkidle");
    await expect(page.getByRole("button", { name: writes }).count()).resolves.toBe(0);
    await page.context().close();
  });

  test("no page logged an error to the console", () => {
    expect(errors).toEqual([]);
  });
});

/** Press Verify in the open drawer and wait for a final answer (retrying while no checkpoint covers the event). */
async function verify(page: Page) {
  const drawer = page.getByTestId("event-drawer");
  const result = drawer.getByTestId("verify-result");
  return eventually(async () => {
    await drawer.getByTestId("verify-button").click();
    await page.locator('[data-testid="verify-result"]:not([data-status="pending"])').waitFor();
    const text = (await result.textContent()) ?? "";
    return /not yet covered/i.test(text) ? undefined : result;
  }, "a checkpoint covering the event");
}

async function adminToken(): Promise<string> {
  const res = await fetch(`${server.baseUrl}/api/v1/auth/login`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: server.adminEmail, password: server.adminPassword }),
  });
  return ((await res.json()) as { access_token: string }).access_token;
}
