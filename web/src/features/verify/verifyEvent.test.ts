// @vitest-environment node
import { describe, expect, it } from "vitest";
import { toBase64 } from "./bytes";
import { eventLeaf } from "./leaf";
import { vectorSource, vectors } from "./testVectors";
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
    expect(ids(result)).toEqual(["leaf-computed", "leaf-matches", "checkpoint-signature", "origin", "covered", "inclusion"]);
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
