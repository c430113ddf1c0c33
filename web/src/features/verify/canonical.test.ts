// @vitest-environment node
import { describe, expect, it } from "vitest";
import { toBase64 } from "./bytes";
import { canonicalEvent } from "./canonical";
import { eventLeaf } from "./leaf";
import { vectors } from "./testVectors";

describe("the leaf hash computed from the event", () => {
  it.each(vectors.events.map((e, i) => [i, e] as const))("reproduces the Python canonical form of event %i", (i, event) => {
    expect(canonicalEvent(event)).toBe(vectors.canonical[i]);
  });

  it("equals the leaf hash the ledger stored, for every served event", async () => {
    for (const event of vectors.events) {
      const { hash } = await eventLeaf(event);
      expect(toBase64(hash)).toBe(event.ledger.leaf_hash);
    }
  });

  it.each(vectors.negative.events.map((c) => [c.name, c] as const))("%s", async (_name, c) => {
    const { hash } = await eventLeaf(c.event);
    const original = vectors.events[c.index].ledger.leaf_hash;
    if (c.expect === "same_leaf") expect(toBase64(hash)).toBe(original);
    else expect(toBase64(hash)).not.toBe(original);
  });

  it("covers the server-added fields and leaves out only the top-level ledger field", () => {
    const text = canonicalEvent({ b: 1, ledger: { index: 0 }, a: { ledger: 2 }, tenant: "t", received_at: "r" });
    expect(text).toBe('{"a":{"ledger":2},"b":1,"received_at":"r","tenant":"t"}');
  });

  it("sorts keys by UTF-16 code units and writes numbers as ECMAScript does", () => {
    const parsed = JSON.parse('{"\\uff5e":1,"\\ud83d\\ude00":2,"big":1e21,"z":-0.0,"t":0.1,"__proto__":{"x":1}}');
    expect(canonicalEvent(parsed)).toBe('{"__proto__":{"x":1},"big":1e+21,"t":0.1,"z":0,"😀":2,"～":1}');
  });

  it("refuses what is not an event object", () => {
    expect(() => canonicalEvent([1])).toThrow(/not a JSON object/);
    expect(() => canonicalEvent(null)).toThrow(/not a JSON object/);
  });
});
