// @vitest-environment node
import { describe, expect, it } from "vitest";
import { toBase64 } from "./bytes";
import { eventLeaf } from "./leaf";
import { FIRST_VISIT } from "./logConsistency";
import { mapMemory, vectorSource, vectors } from "./testVectors";
import { NOT_PINNED_WARNING, verifyEvent } from "./verifyEvent";

const PINNED = vectors.public_key.verifier_key;
const LAST = vectors.events.length - 1; // stored after the last checkpoint
const covered = vectors.events.slice(0, LAST);
const ids = (r: { steps: { id: string }[] }) => r.steps.map((s) => s.id);
const negativeNote = (name: string) => vectors.negative.notes.find((c) => c.name === name)!.note;

describe("verifyEvent", () => {
  it.each(covered.map((e) => [e.ledger.index, e] as const))("verifies the event at index %i with the pinned key", async (_i, event) => {
    const result = await verifyEvent(event, vectorSource(), { pinnedKey: PINNED });
    expect(result.status).toBe("verified");
    expect(result.steps.every((s) => s.ok)).toBe(true);
    expect(ids(result)).toEqual(["leaf-computed", "leaf-matches", "checkpoint-signature", "origin", "consistent", "covered", "inclusion"]);
    expect(result.summary).toMatch(/^Verified: .* entry \d+ of sealtrail\.test\/vectors\/acme, .* tree size 13 .*\(pinned\)/);
    expect(result.key).toMatchObject({ keyId: vectors.public_key.key_id, pinned: true });
    expect(result.warnings).toEqual([]);
  });

  it("uses the server's key when none is pinned, and says the key is not pinned", async () => {
    const progress: string[] = [];
    const result = await verifyEvent(vectors.events[3], vectorSource(), { pinnedKey: null, onProgress: (m) => progress.push(m) });
    expect(result.status).toBe("verified");
    expect(result.key?.pinned).toBe(false);
    expect(result.warnings).toEqual([NOT_PINNED_WARNING]);
    expect(result.steps.find((s) => s.id === "checkpoint-signature")?.label).toMatch(/server's key \(not pinned\)/);
    expect(progress).toEqual([
      "Computing the leaf hash from the event",
      "Loading the verifier key and the latest signed checkpoint",
      "Fetching the inclusion proof for tree size 13",
    ]);
  });

  it("says an event newer than the latest checkpoint is not covered yet, rather than failing", async () => {
    const result = await verifyEvent(vectors.events[LAST], vectorSource(), { pinnedKey: PINNED });
    expect(result.status).toBe("pending");
    expect(result.summary).toMatch(/^Not yet verifiable: .*index 13, after the latest checkpoint \(tree size 13\).*try again after the next checkpoint/);
  });

  it("is pending before the first checkpoint", async () => {
    const none = Object.assign(new Error("no checkpoint yet"), { status: 404 });
    const result = await verifyEvent(vectors.events[0], vectorSource({ checkpoint: () => Promise.reject(none) }), { pinnedKey: PINNED });
    expect(result.status).toBe("pending");
    expect(result.summary).toMatch(/no checkpoint has been signed yet/);
  });

  it("fails an altered event at the leaf step, naming both hashes, and its proof no longer reaches the root", async () => {
    const altered = vectors.negative.events.find((c) => c.name === "action changed")!;
    const result = await verifyEvent(altered.event, vectorSource(), { pinnedKey: PINNED });
    expect(result.status).toBe("failed");
    expect(result.failure?.id).toBe("leaf-matches");
    const original = vectors.events[altered.index].ledger.leaf_hash;
    expect(result.summary).toContain(`Verification failed: step “Leaf hash matches the server's record” did not hold: the event differs`);
    expect(result.summary).toContain(original);
    const inclusion = result.steps.find((s) => s.id === "inclusion")!;
    expect(inclusion.ok).toBe(false);
    expect(inclusion.detail).toContain(`expected the checkpoint's root ${vectors.roots["13"]}, computed `);
  });

  it("never takes the server's leaf hash as the event's: a forged ledger field fails at the leaf step", async () => {
    const forged = { ...vectors.events[0], action: "user.logout", ledger: { index: 0, leaf_hash: "" } };
    forged.ledger.leaf_hash = toBase64((await eventLeaf(forged)).hash);
    const result = await verifyEvent(forged, vectorSource(), { pinnedKey: PINNED });
    expect(result.status).toBe("failed");
    expect(result.failure?.id).toBe("inclusion");
  });

  it("fails a tampered proof at the inclusion step with the expected and computed roots", async () => {
    const event = vectors.events[5];
    const source = vectorSource({
      inclusionProof: async (id, size) => {
        const proof = await vectorSource().inclusionProof(id, size);
        return { ...proof, hashes: [vectors.negative.inclusion[0].hashes[1], ...proof.hashes.slice(1)] };
      },
    });
    const result = await verifyEvent(event, source, { pinnedKey: PINNED });
    expect(result.failure?.id).toBe("inclusion");
    expect(result.summary).toMatch(new RegExp(`expected the checkpoint's root ${vectors.roots["13"].replace(/[+/]/g, "\\$&")}, computed \\S+ from`));
  });

  it("fails a checkpoint whose root was changed at the signature step", async () => {
    const source = vectorSource({ checkpoint: async () => negativeNote("the root changed") });
    const result = await verifyEvent(vectors.events[0], source, { pinnedKey: PINNED });
    expect(result.failure?.id).toBe("checkpoint-signature");
    expect(result.summary).toMatch(/signature of key e476ffa9 does not verify/);
    expect(ids(result)).not.toContain("inclusion");
  });

  it("fails when the pinned key did not sign the checkpoint, and notes the server's key differs", async () => {
    const result = await verifyEvent(vectors.events[0], vectorSource(), { pinnedKey: vectors.other_verifier_key });
    expect(result.failure?.id).toBe("checkpoint-signature");
    expect(result.failure?.detail).toMatch(/not signed by a trusted key: it is signed by sealtrail\.test\/vectors \(key id e476ffa9\)/);
    expect(result.warnings[0]).toMatch(/another key \(key id e476ffa9\) than the pinned one/);
  });

  it("fails a valid checkpoint of another tenant at the origin step", async () => {
    const source = vectorSource({ checkpoint: async () => negativeNote("the checkpoint of another tenant") });
    const result = await verifyEvent(vectors.events[0], source, { pinnedKey: PINNED });
    expect(result.failure?.id).toBe("origin");
    expect(result.failure?.detail).toContain('"sealtrail.test/vectors/other"');
  });

  it("fails clearly when the pinned key in storage is not a key", async () => {
    const result = await verifyEvent(vectors.events[0], vectorSource(), { pinnedKey: "garbage" });
    expect(result.failure?.detail).toMatch(/the pinned key is not a valid verifier key/);
  });

  it("fails when the server's proof is for another index than the event's", async () => {
    const source = vectorSource({ inclusionProof: async () => vectors.inclusion.find((p) => p.index === 4 && p.tree_size === 13)! });
    const result = await verifyEvent(vectors.events[5], source, { pinnedKey: PINNED });
    expect(result.failure?.detail).toBe("the proof is for index 4, but the event's ledger index is 5");
  });
});

describe("verifyEvent across visits", () => {
  const ORIGIN = `${vectors.origin}/${vectors.tenant}`;
  const noteOf = (size: number) => vectors.checkpoints.find((c) => c.tree_size === size)!.note;
  const at = (size: number) => vectorSource({ checkpoint: async () => noteOf(size) });
  const EARLIER = new Date("2026-03-01T08:30:00Z");
  const consistent = (r: { steps: { id: string; ok: boolean; detail: string }[] }) => r.steps.find((s) => s.id === "consistent")!;

  it("remembers the checkpoint of a first verification, then checks a larger one is consistent with it", async () => {
    const memory = mapMemory();
    const first = await verifyEvent(vectors.events[3], at(8), { pinnedKey: PINNED, memory, now: EARLIER });
    expect(first.status).toBe("verified");
    expect(consistent(first)).toMatchObject({ ok: true, detail: FIRST_VISIT });
    expect(memory.saved.get(ORIGIN)).toEqual({ size: 8, root: vectors.roots["8"], seenAt: EARLIER.toISOString() });

    const asked: [number, number][] = [];
    const source = vectorSource({
      consistencyProof: async (a, b) => (asked.push([a, b]), vectorSource().consistencyProof(a, b)),
    });
    const second = await verifyEvent(vectors.events[3], source, { pinnedKey: PINNED, memory });
    expect(second.status).toBe("verified");
    expect(asked).toEqual([[8, 13]]);
    expect(consistent(second)).toMatchObject({
      ok: true,
      detail: "consistent with the checkpoint of size 8 this browser verified on 2026-03-01 08:30 UTC",
    });
    expect(memory.saved.get(ORIGIN)).toMatchObject({ size: 13, root: vectors.roots["13"] });
  });

  it.each([
    ["a root the log no longer leads to", 8, vectors.roots["7"]],
    ["another root for the same size", 13, vectors.roots["12"]],
    ["a larger tree the latest does not extend", 14, vectors.roots["13"]],
  ])("fails on %s, naming both roots, and keeps the remembered checkpoint", async (_name, size, root) => {
    const seen = { size, root, seenAt: EARLIER.toISOString() };
    const memory = mapMemory({ [ORIGIN]: seen });
    // The server has no proof for a tree it never had: it sends an empty one.
    const source = vectorSource({
      consistencyProof: async (a, b) => vectors.consistency.find((p) => p.first === a && p.second === b) ?? { first: a, second: b, hashes: [] },
    });
    const result = await verifyEvent(vectors.events[3], source, { pinnedKey: PINNED, memory });
    expect(result.status).toBe("failed");
    expect(result.failure?.id).toBe("consistent");
    expect(result.summary).toContain("the log was rewritten since this browser last saw it");
    expect(result.failure?.detail).toContain(root);
    expect(result.failure?.detail).toContain(vectors.roots["13"]);
    expect(memory.saved.get(ORIGIN)).toEqual(seen);
  });

  it("accepts an older latest checkpoint that the remembered one extends, and keeps the larger one", async () => {
    const seen = { size: 13, root: vectors.roots["13"], seenAt: EARLIER.toISOString() };
    const memory = mapMemory({ [ORIGIN]: seen });
    const result = await verifyEvent(vectors.events[3], at(8), { pinnedKey: PINNED, memory });
    expect(result.status).toBe("verified");
    expect(consistent(result).detail).toMatch(/^consistent with the checkpoint of size 13 .*the latest checkpoint, size 8, is older/);
    expect(memory.saved.get(ORIGIN)).toEqual(seen);
  });

  it("fails when the server sends a consistency proof for another first size", async () => {
    const memory = mapMemory({ [ORIGIN]: { size: 5, root: vectors.roots["5"], seenAt: EARLIER.toISOString() } });
    const source = vectorSource({ consistencyProof: async () => vectors.consistency.find((p) => p.first === 7 && p.second === 13)! });
    const result = await verifyEvent(vectors.events[3], source, { pinnedKey: PINNED, memory });
    expect(result.failure?.id).toBe("consistent");
    expect(result.failure?.detail).toMatch(/a proof from size 7 to 13, not 5 to 13/);
  });

  it("fails without claiming a rewrite when the consistency proof cannot be loaded", async () => {
    const memory = mapMemory({ [ORIGIN]: { size: 5, root: vectors.roots["5"], seenAt: EARLIER.toISOString() } });
    const source = vectorSource({ consistencyProof: () => Promise.reject(new Error("network down")) });
    const result = await verifyEvent(vectors.events[3], source, { pinnedKey: PINNED, memory });
    expect(result.failure?.detail).toBe("could not load the consistency proof from size 5 to 13: network down");
  });

  it("remembers nothing when the verification does not pass", async () => {
    const memory = mapMemory();
    const pending = await verifyEvent(vectors.events[LAST], vectorSource(), { pinnedKey: PINNED, memory });
    expect(pending.status).toBe("pending");
    const altered = vectors.negative.events.find((c) => c.name === "action changed")!.event;
    expect((await verifyEvent(altered, vectorSource(), { pinnedKey: PINNED, memory })).status).toBe("failed");
    expect(memory.saved.size).toBe(0);
  });
});
