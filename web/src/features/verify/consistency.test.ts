// @vitest-environment node
import { describe, expect, it } from "vitest";
import { fromBase64 } from "./bytes";
import { verifyConsistency } from "./consistency";
import { VerifyError } from "./errors";
import { leafHash, nodeHash } from "./leaf";
import { vectors } from "./testVectors";

const hashes = (list: string[]) => list.map((h) => fromBase64(h, "hash"));
const root = (size: number) => fromBase64(vectors.roots[String(size)], "root");

describe("RFC 9162 consistency proofs", () => {
  it.each(vectors.consistency.map((p) => [p.first, p.second, p] as const))(
    "accepts the ledger's proof from size %i to %i",
    async (first, second, p) => {
      await expect(verifyConsistency(first, second, root(first), root(second), hashes(p.hashes))).resolves.toBeUndefined();
    },
  );

  it("covers the edge cases: the empty tree, one leaf, a power of two, equal sizes, one leaf apart", () => {
    const pairs = vectors.consistency.map((p) => `${p.first}-${p.second}`);
    expect(pairs).toEqual(expect.arrayContaining(["0-13", "1-13", "4-13", "8-13", "13-13", "12-13"]));
  });

  it.each(vectors.negative.consistency.map((c) => [c.name, c] as const))("rejects %s", async (_name, c) => {
    const run = verifyConsistency(c.first, c.second, fromBase64(c.first_root, "first"), fromBase64(c.second_root, "second"), hashes(c.hashes));
    await expect(run).rejects.toBeInstanceOf(VerifyError);
    await expect(run).rejects.toMatchObject({ code: c.expect });
  });

  it("handles sizes beyond 32 bits", async () => {
    // The tree of 2^33 leaves is the left child of the tree of 2^33 + 1: the proof is the new leaf.
    const left = new Uint8Array(32).fill(7);
    const leaf = await leafHash(new Uint8Array());
    const second = await nodeHash(left, leaf);
    await expect(verifyConsistency(2 ** 33, 2 ** 33 + 1, left, second, [leaf])).resolves.toBeUndefined();
    await expect(verifyConsistency(2 ** 33, 2 ** 34 + 1, left, second, [leaf])).rejects.toMatchObject({ code: "path_too_short" });
  });
});
