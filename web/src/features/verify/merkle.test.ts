// @vitest-environment node
import { describe, expect, it } from "vitest";
import { fromBase64, hashFromBase64, toBase64 } from "./bytes";
import { VerifyError } from "./errors";
import { leafHash, nodeHash } from "./leaf";
import { inclusionRoot, verifyInclusion } from "./merkle";
import { vectors } from "./testVectors";

const hashes = (list: string[]) => list.map((h) => fromBase64(h, "hash"));

describe("RFC 9162 inclusion proofs", () => {
  it(`accept all ${vectors.inclusion.length} proofs the ledger served (every index of every size 1..${vectors.events.length})`, async () => {
    for (const p of vectors.inclusion) {
      const leaf = hashFromBase64(vectors.events[p.index].ledger.leaf_hash, "leaf");
      const root = await inclusionRoot(p.index, p.tree_size, leaf, hashes(p.hashes));
      expect(toBase64(root), `index ${p.index} size ${p.tree_size}`).toBe(vectors.roots[String(p.tree_size)]);
    }
  });

  it("takes a tree of one leaf as its own root, with an empty path", async () => {
    const leaf = await leafHash(new Uint8Array([1, 2, 3]));
    expect(await inclusionRoot(0, 1, leaf, [])).toEqual(leaf);
  });

  it.each(vectors.negative.inclusion.map((c) => [c.name, c] as const))("rejects %s", async (_name, c) => {
    const run = verifyInclusion(c.index, c.tree_size, fromBase64(c.leaf_hash, "leaf"), hashes(c.hashes), fromBase64(c.root, "root"));
    await expect(run).rejects.toBeInstanceOf(VerifyError);
    await expect(run).rejects.toMatchObject({ code: c.expect });
  });

  it("handles indexes beyond 32 bits", async () => {
    const leaf = await leafHash(new Uint8Array());
    // A tree of 2^33 + 1 leaves: the last leaf's path is the root of the first 2^33.
    const left = new Uint8Array(32).fill(7);
    const root = await inclusionRoot(2 ** 33, 2 ** 33 + 1, leaf, [left]);
    expect(root).toEqual(await nodeHash(left, leaf));
    await expect(inclusionRoot(2 ** 33, 2 ** 33 + 2, leaf, [left])).rejects.toMatchObject({ code: "path_too_short" });
  });
});
