/** RFC 9162 2.1.3.2: the root an inclusion proof leads to, checked like `sealtrail.verify.merkle`. */
import { equalBytes } from "./bytes";
import { VerifyError } from "./errors";
import { nodeHash } from "./leaf";

/**
 * The root of the tree of `size` leaves that `proof` (PATH(index, D[0:size]), deepest
 * sibling first) makes of `leaf` at `index`; VerifyError when the proof cannot be one.
 *
 * Sizes and indexes are BigInts inside: a log may outgrow the 32 bits of JS bit operators.
 */
export async function inclusionRoot(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
): Promise<Uint8Array> {
  checkRange(index, size);
  for (const h of [leaf, ...proof]) {
    if (h.length !== 32) throw new VerifyError("bad_hash_length", `a hash is ${h.length} bytes, not 32`);
  }
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r = leaf;
  for (const p of proof) {
    if (sn === 0n) throw new VerifyError("path_too_long", "the inclusion proof is too long for the tree size");
    if ((fn & 1n) === 1n || fn === sn) {
      r = await nodeHash(p, r);
      if ((fn & 1n) === 0n) {
        while (fn !== 0n && (fn & 1n) === 0n) {
          fn >>= 1n;
          sn >>= 1n;
        }
      }
    } else {
      r = await nodeHash(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new VerifyError("path_too_short", "the inclusion proof is too short for the tree size");
  return r;
}

function checkRange(index: number, size: number): void {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0 || index >= size) {
    throw new VerifyError("index_out_of_range", `index ${index} is outside a tree of size ${size}`);
  }
}

/** Throw VerifyError unless `proof` shows `leaf` at `index` in the tree `root` of `size` leaves. */
export async function verifyInclusion(
  index: number,
  size: number,
  leaf: Uint8Array,
  proof: Uint8Array[],
  root: Uint8Array,
): Promise<void> {
  checkRange(index, size);
  if (root.length !== 32) throw new VerifyError("bad_hash_length", `the root is ${root.length} bytes, not 32`);
  const computed = await inclusionRoot(index, size, leaf, proof);
  if (!equalBytes(computed, root)) {
    throw new VerifyError("root_mismatch", "the inclusion proof does not lead to the root");
  }
}
