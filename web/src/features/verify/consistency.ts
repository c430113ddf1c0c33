/** RFC 9162 2.1.4.2: a consistency proof between two tree sizes, checked like `sealtrail.verify.merkle`. */
import { equalBytes } from "./bytes";
import { VerifyError } from "./errors";
import { nodeHash } from "./leaf";

/**
 * Throw VerifyError unless `proof` shows the tree of `first` leaves (`firstRoot`) is a prefix
 * of the tree of `second` leaves (`secondRoot`). Sizes are BigInts inside, as in merkle.ts.
 */
export async function verifyConsistency(
  first: number,
  second: number,
  firstRoot: Uint8Array,
  secondRoot: Uint8Array,
  proof: Uint8Array[],
): Promise<void> {
  if (!Number.isSafeInteger(first) || !Number.isSafeInteger(second) || first < 0 || first > second) {
    throw new VerifyError("index_out_of_range", `first (${first}) must be between 0 and second (${second})`);
  }
  for (const h of [firstRoot, secondRoot, ...proof]) {
    if (h.length !== 32) throw new VerifyError("bad_hash_length", `a hash is ${h.length} bytes, not 32`);
  }
  if (first === second) {
    if (proof.length) throw new VerifyError("path_too_long", "a consistency proof between equal sizes must be empty");
    if (!equalBytes(firstRoot, secondRoot)) throw new VerifyError("root_mismatch", "trees of equal size have different roots");
    return;
  }
  if (first === 0) {
    if (proof.length) throw new VerifyError("path_too_long", "a consistency proof from the empty tree must be empty");
    return;
  }
  if (!proof.length) throw new VerifyError("path_too_short", "the consistency proof is empty");
  let fn = BigInt(first - 1);
  let sn = BigInt(second - 1);
  // An exact power of two: the first tree's root is the first node of the path.
  const path = (fn & BigInt(first)) === 0n ? [firstRoot, ...proof] : proof;
  while ((fn & 1n) === 1n) {
    fn >>= 1n;
    sn >>= 1n;
  }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0n) throw new VerifyError("path_too_long", "the consistency proof is too long");
    if ((fn & 1n) === 1n || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn !== 0n && (fn & 1n) === 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  if (sn !== 0n) throw new VerifyError("path_too_short", "the consistency proof is too short");
  if (!equalBytes(fr, firstRoot)) throw new VerifyError("root_mismatch", "the consistency proof does not lead to the first root");
  if (!equalBytes(sr, secondRoot)) throw new VerifyError("root_mismatch", "the consistency proof does not lead to the second root");
}
