import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { cleanup, render, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { pinKey, readPinnedKey, unpinKey } from "./pinnedKey";
import { browserCheckpointMemory } from "./seenCheckpoint";
import { vectors } from "./testVectors";
import { VerifyPanel } from "./VerifyPanel";

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });

/** The API's ledger routes, answered from the vectors (fetch is the browser boundary). */
function stubLedger(checkpoint = vectors.checkpoint) {
  const fetchMock = vi.fn(async (input: RequestInfo | URL) => {
    const url = new URL(String(input), "http://localhost");
    switch (url.pathname) {
      case "/api/v1/ledger/public-key":
        return json(vectors.public_key);
      case "/api/v1/ledger/checkpoint":
        return new Response(checkpoint, { headers: { "Content-Type": "text/plain; charset=utf-8" } });
      case "/api/v1/ledger/proofs/inclusion": {
        const event = vectors.events.find((e) => e.id === url.searchParams.get("event_id"));
        const size = Number(url.searchParams.get("tree_size"));
        const proof = vectors.inclusion.find((p) => p.index === event?.ledger.index && p.tree_size === size);
        return proof ? json(proof) : json({ error: { code: "not_found", message: "no such event in the ledger" } }, 404);
      }
      case "/api/v1/ledger/proofs/consistency": {
        const [first, second] = ["first", "second"].map((k) => Number(url.searchParams.get(k)));
        return json(vectors.consistency.find((p) => p.first === first && p.second === second));
      }
    }
    return json({ error: { code: "not_found", message: "not found" } }, 404);
  });
  vi.stubGlobal("fetch", fetchMock);
  return fetchMock;
}

function renderPanel(event: Record<string, unknown>) {
  const client = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <QueryClientProvider client={client}>
      <VerifyPanel event={event} />
    </QueryClientProvider>,
  );
}

async function verify(event: Record<string, unknown>) {
  renderPanel(event);
  await userEvent.click(screen.getByTestId("verify-button"));
  return screen.findByTestId("verify-result", {}, { timeout: 5000 });
}

beforeEach(() => {
  localStorage.clear();
  unpinKey();
});
afterEach(() => vi.unstubAllGlobals());

describe("VerifyPanel", () => {
  it("verifies an event with the pinned key, showing each step and the key", async () => {
    stubLedger();
    pinKey(vectors.public_key.verifier_key);
    const result = await verify(vectors.events[3]);
    expect(result.getAttribute("data-status")).toBe("verified");
    expect(result.textContent).toMatch(/^Verified: this event, byte for byte, is entry 3 of sealtrail\.test\/vectors\/acme/);
    const steps = within(screen.getByRole("list", { name: "Verification steps" })).getAllByRole("listitem");
    expect(steps.map((s) => s.getAttribute("data-ok"))).toEqual(["true", "true", "true", "true", "true", "true", "true"]);
    expect(steps[0].textContent).toMatch(/^✓passed:Leaf hash computed from the event/);
    expect(screen.getByTestId("verify-key").textContent).toMatch(/key id e476ffa9 — pinned in this browser/);
    expect(screen.queryByTestId("verify-warning")).toBeNull();
  });

  it("fails an altered event at the leaf step", async () => {
    stubLedger();
    pinKey(vectors.public_key.verifier_key);
    const altered = vectors.negative.events.find((c) => c.name === "a float changed by one ulp")!;
    const result = await verify(altered.event);
    expect(result.getAttribute("data-status")).toBe("failed");
    expect(result.textContent).toMatch(/^Verification failed: step “Leaf hash matches the server's record” did not hold/);
    expect(screen.getByTestId("verify-step-leaf-matches").getAttribute("data-ok")).toBe("false");
    expect(screen.getByTestId("verify-step-leaf-matches").textContent).toContain("✗");
  });

  it("fails a forged checkpoint at the signature step", async () => {
    stubLedger(vectors.negative.notes.find((c) => c.name === "the root changed")!.note);
    pinKey(vectors.public_key.verifier_key);
    const result = await verify(vectors.events[0]);
    expect(result.getAttribute("data-status")).toBe("failed");
    expect(result.textContent).toContain("Checkpoint signature valid for the pinned key");
  });

  it("warns that the server's own key was used when none is pinned", async () => {
    stubLedger();
    const result = await verify(vectors.events[2]);
    expect(result.getAttribute("data-status")).toBe("verified");
    expect(screen.getByText("Key not pinned: the server's own key is used")).toBeTruthy();
    expect(screen.getByTestId("verify-warning").textContent).toMatch(/^The key is not pinned/);
  });

  it("says an event after the latest checkpoint is not covered yet", async () => {
    stubLedger();
    const result = await verify(vectors.events[vectors.events.length - 1]);
    expect(result.getAttribute("data-status")).toBe("pending");
    expect(result.textContent).toMatch(/try again after the next checkpoint/);
  });
});

describe("checking the log against the last visit", () => {
  const ORIGIN = `${vectors.origin}/${vectors.tenant}`;
  const noteOf = (size: number) => vectors.checkpoints.find((c) => c.tree_size === size)!.note;
  const stepOf = (id: string) => screen.getByTestId(`verify-step-${id}`);

  it("remembers the first checkpoint, then verifies a later one is consistent with it", async () => {
    stubLedger(noteOf(8));
    pinKey(vectors.public_key.verifier_key);
    const first = await verify(vectors.events[3]);
    expect(first.getAttribute("data-status")).toBe("verified");
    expect(stepOf("consistent").textContent).toContain("first verification in this browser: remembered for next time");
    expect(browserCheckpointMemory.recall(ORIGIN)).toMatchObject({ size: 8, root: vectors.roots["8"] });
    cleanup();

    const fetchMock = stubLedger();
    const second = await verify(vectors.events[3]);
    expect(second.getAttribute("data-status")).toBe("verified");
    expect(fetchMock.mock.calls.map(([u]) => String(u))).toContainEqual(expect.stringContaining("consistency?first=8&second=13"));
    expect(stepOf("consistent").getAttribute("data-ok")).toBe("true");
    expect(stepOf("consistent").textContent).toMatch(/consistent with the checkpoint of size 8 this browser verified on \d{4}-\d\d-\d\d/);
    expect(browserCheckpointMemory.recall(ORIGIN)).toMatchObject({ size: 13, root: vectors.roots["13"] });
  });

  it("fails when the remembered root conflicts, and keeps the remembered checkpoint", async () => {
    stubLedger();
    pinKey(vectors.public_key.verifier_key);
    const seen = { size: 8, root: vectors.roots["7"], seenAt: "2026-03-01T08:30:00.000Z" };
    browserCheckpointMemory.remember(ORIGIN, seen);
    const result = await verify(vectors.events[3]);
    expect(result.getAttribute("data-status")).toBe("failed");
    expect(result.textContent).toContain("the log was rewritten since this browser last saw it");
    expect(stepOf("consistent").getAttribute("data-ok")).toBe("false");
    expect(stepOf("consistent").textContent).toContain(vectors.roots["7"]);
    expect(stepOf("consistent").textContent).toContain(vectors.roots["13"]);
    expect(browserCheckpointMemory.recall(ORIGIN)).toEqual(seen);
  });
});

describe("pinning a key", () => {
  it("checks a pasted key as it is typed and pins only a valid one", async () => {
    stubLedger();
    renderPanel(vectors.events[0]);
    const pin = within(screen.getByTestId("pin-key"));
    const input = pin.getByLabelText("Verifier key to pin");
    const bad = vectors.negative.verifier_keys.find((c) => c.expect === "key_id_mismatch")!.key;
    await userEvent.click(input);
    await userEvent.paste(bad);
    expect(await pin.findByText(/^Not a valid verifier key: the verifier key's id does not match its name and key/)).toBeTruthy();
    expect(pin.getByRole<HTMLButtonElement>("button", { name: "Pin this key" }).disabled).toBe(true);

    await userEvent.clear(input);
    await userEvent.paste(vectors.public_key.verifier_key);
    expect(await pin.findByText("A valid Ed25519 key, key id e476ffa9.")).toBeTruthy();
    await userEvent.click(pin.getByRole("button", { name: "Pin this key" }));
    expect(readPinnedKey()?.verifierKey).toBe(vectors.public_key.verifier_key);
    expect(screen.getByText("Pinned key e476ffa9")).toBeTruthy();

    await userEvent.click(pin.getByRole("button", { name: "Unpin key" }));
    expect(readPinnedKey()).toBeNull();
    expect(screen.getByText("Key not pinned: the server's own key is used")).toBeTruthy();
  });

  it("says when a valid pasted key is not the one the server signs with", async () => {
    stubLedger();
    renderPanel(vectors.events[0]);
    const pin = within(screen.getByTestId("pin-key"));
    await pin.findByRole("button", { name: "Pin the server's key…" });
    await userEvent.click(pin.getByLabelText("Verifier key to pin"));
    await userEvent.paste(vectors.other_verifier_key);
    expect(await pin.findByText(/the server currently signs with key id e476ffa9/)).toBeTruthy();
  });

  it("pins the server's key only after its fingerprint is confirmed", async () => {
    stubLedger();
    renderPanel(vectors.events[0]);
    await userEvent.click(await screen.findByRole("button", { name: "Pin the server's key…" }));
    const dialog = screen.getByRole("dialog", { name: "Pin the server's current key?" });
    expect(within(dialog).getByTestId("server-key-id").textContent).toBe("e476ffa9");
    await userEvent.click(within(dialog).getByRole("button", { name: "Cancel" }));
    expect(readPinnedKey()).toBeNull();
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());

    await userEvent.click(screen.getByRole("button", { name: "Pin the server's key…" }));
    await userEvent.click(screen.getByRole("button", { name: "The fingerprint matches — pin it" }));
    expect(readPinnedKey()?.verifierKey).toBe(vectors.public_key.verifier_key);
    await waitFor(() => expect(screen.queryByRole("dialog")).toBeNull());
    expect(screen.queryByRole("button", { name: "Pin the server's key…" })).toBeNull();
  });
});

describe("a result", () => {
  it("is cleared when the key it was checked with is pinned or unpinned", async () => {
    stubLedger();
    await verify(vectors.events[1]);
    await userEvent.click(screen.getByRole("button", { name: "Pin the server's key…" }));
    await userEvent.click(screen.getByRole("button", { name: "The fingerprint matches — pin it" }));
    await waitFor(() => expect(screen.queryByTestId("verify-result")).toBeNull());
    await userEvent.click(screen.getByTestId("verify-button"));
    const again = await screen.findByTestId("verify-result");
    expect(again.textContent).toMatch(/\(pinned\)\.$/);
  });
});
