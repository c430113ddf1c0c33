/** The vectors made by web/scripts/make_vectors.py from the Python ledger (tests only). */
import { readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { VerifyErrorCode } from "./errors";
import type { ConsistencyProofInfo, InclusionProofInfo, LedgerSource, PublicKeyInfo } from "./ledgerSource";
import type { CheckpointMemory, SeenCheckpoint } from "./seenCheckpoint";

export type StoredEvent = Record<string, unknown> & { id: string; ledger: { index: number; leaf_hash: string } };

export interface Vectors {
  origin: string;
  tenant: string;
  public_key: PublicKeyInfo;
  checkpoint: string;
  checkpoints: { tree_size: number; note: string }[];
  events: StoredEvent[];
  inclusion: InclusionProofInfo[];
  consistency: ConsistencyProofInfo[];
  canonical: string[];
  roots: Record<string, string>;
  negative: {
    events: { name: string; index: number; expect: "leaf_mismatch" | "same_leaf"; event: Record<string, unknown> }[];
    inclusion: (InclusionProofInfo & { name: string; expect: VerifyErrorCode; root: string })[];
    consistency: (ConsistencyProofInfo & { name: string; expect: VerifyErrorCode; first_root: string; second_root: string })[];
    notes: { name: string; expect: VerifyErrorCode; note: string; verifier_key: string }[];
    verifier_keys: { name: string; expect: VerifyErrorCode; key: string }[];
  };
  other_verifier_key: string;
}

// Read and parsed at run time, as the browser gets the API's JSON: a bundler's JSON import
// could turn a "__proto__" key of the events into a prototype.
// (A path, not a URL object: under jsdom the global URL is not Node's.)
const file = join(dirname(fileURLToPath(import.meta.url)), "vectors.json");
export const vectors = JSON.parse(readFileSync(file, "utf8")) as Vectors;

/** A ledger that answers from the vectors, with parts replaceable per test. */
export function vectorSource(over: Partial<LedgerSource> = {}): LedgerSource {
  return {
    checkpoint: async () => vectors.checkpoint,
    publicKey: async () => vectors.public_key,
    inclusionProof: async (eventId, treeSize) => {
      const event = vectors.events.find((e) => e.id === eventId);
      const proof = vectors.inclusion.find((p) => p.index === event?.ledger.index && p.tree_size === treeSize);
      if (!proof) throw Object.assign(new Error(`no event ${eventId} in the ledger`), { status: 404 });
      return proof;
    },
    consistencyProof: async (first, second) => {
      const proof = vectors.consistency.find((p) => p.first === first && p.second === second);
      if (!proof) throw new Error(`no consistency proof from ${first} to ${second} in the vectors`);
      return proof;
    },
    ...over,
  };
}

/** A memory of verified checkpoints in a Map, as a second browser visit would find it. */
export function mapMemory(entries: Record<string, SeenCheckpoint> = {}): CheckpointMemory & { saved: Map<string, SeenCheckpoint> } {
  const saved = new Map(Object.entries(entries));
  return { saved, recall: (origin) => saved.get(origin) ?? null, remember: (origin, cp) => void saved.set(origin, cp) };
}
