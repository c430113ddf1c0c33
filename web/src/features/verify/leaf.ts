/** RFC 9162 2.1.1 hashing: leaves and interior nodes, and an event's leaf. */
import { concat, sha256, utf8 } from "./bytes";
import { canonicalEvent } from "./canonical";

/** SHA-256(0x00 || data). */
export function leafHash(data: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(0), data));
}

/** SHA-256(0x01 || left || right). */
export function nodeHash(left: Uint8Array, right: Uint8Array): Promise<Uint8Array> {
  return sha256(concat(Uint8Array.of(1), left, right));
}

/** The event's leaf, computed from the event itself, and the canonical bytes it hashes. */
export async function eventLeaf(event: unknown): Promise<{ hash: Uint8Array; canonical: Uint8Array }> {
  const canonical = utf8(canonicalEvent(event));
  return { hash: await leafHash(canonical), canonical };
}
