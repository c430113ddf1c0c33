/** Where the verifier gets the ledger's side of the story: the API, or a stub in tests. */
import { api } from "../../api/client";

/** `GET /api/v1/ledger/public-key`. */
export interface PublicKeyInfo {
  origin: string;
  verifier_key: string;
  key_id: string;
  public_key: string;
  algorithm: string;
  all_verifier_keys: string[];
}

/** `GET /api/v1/ledger/proofs/inclusion`. */
export interface InclusionProofInfo {
  index: number;
  tree_size: number;
  leaf_hash: string;
  hashes: string[];
}

/** `GET /api/v1/ledger/proofs/consistency`. */
export interface ConsistencyProofInfo {
  first: number;
  second: number;
  hashes: string[];
}

export interface LedgerSource {
  /** The latest signed checkpoint, the note exactly as signed. */
  checkpoint(): Promise<string>;
  publicKey(): Promise<PublicKeyInfo>;
  inclusionProof(eventId: string, treeSize: number): Promise<InclusionProofInfo>;
  consistencyProof(first: number, second: number): Promise<ConsistencyProofInfo>;
}

const LEDGER = "/api/v1/ledger";

/** The signed-in person's view of the ledger, through the API client. */
export const apiLedgerSource: LedgerSource = {
  checkpoint: () => api<string>(`${LEDGER}/checkpoint`),
  publicKey: () => api<PublicKeyInfo>(`${LEDGER}/public-key`),
  inclusionProof: (eventId, treeSize) =>
    api<InclusionProofInfo>(`${LEDGER}/proofs/inclusion`, { query: { event_id: eventId, tree_size: treeSize } }),
  consistencyProof: (first, second) =>
    api<ConsistencyProofInfo>(`${LEDGER}/proofs/consistency`, { query: { first, second } }),
};
