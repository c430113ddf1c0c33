/** Verify one stored event end to end, in the browser: its leaf hash from its own content, the
 * signed checkpoint, and the inclusion proof from that leaf to the checkpoint's root. */
import { equalBytes, hashFromBase64, toBase64 } from "./bytes";
import { openCheckpoint, type Checkpoint } from "./checkpoint";
import { eventLeaf } from "./leaf";
import type { LedgerSource, PublicKeyInfo } from "./ledgerSource";
import { checkAgainstSeen } from "./logConsistency";
import { inclusionRoot } from "./merkle";
import { parseVerifierKey, type Verifier } from "./note";
import { browserCheckpointMemory, type CheckpointMemory } from "./seenCheckpoint";

export type StepId =
  | "leaf-computed"
  | "leaf-matches"
  | "checkpoint-signature"
  | "origin"
  | "consistent"
  | "covered"
  | "inclusion";

export interface Step {
  id: StepId;
  label: string;
  ok: boolean;
  detail: string;
  /** Not a failure: the event is not covered by a checkpoint yet. */
  pending?: boolean;
}

export type VerificationStatus = "verified" | "failed" | "pending";

export interface KeyInUse {
  verifierKey: string;
  name: string;
  keyId: string;
  pinned: boolean;
}

export interface VerificationResult {
  status: VerificationStatus;
  /** One sentence: starts with "Verified", "Verification failed: " or "Not yet verifiable: ". */
  summary: string;
  steps: Step[];
  /** The first failing step, when the status is "failed". */
  failure?: Step;
  key?: KeyInUse;
  warnings: string[];
}

export interface VerifyOptions {
  /** The verifier key the auditor pinned, if any: then the server's own key is not trusted. */
  pinnedKey: string | null;
  onProgress?: (message: string) => void;
  /** The checkpoints verified before, per origin: this browser's storage unless given. */
  memory?: CheckpointMemory;
  /** The time a verified checkpoint is remembered with. */
  now?: Date;
}

export const NOT_PINNED_WARNING =
  "The key is not pinned: this check trusted the key the server reports for itself, and a server " +
  "that rewrote its history could present a matching key. Pin the instance's key, obtained from a " +
  "channel you trust (what the operator's “sealtrail ledger public-key” prints), to make the check independent.";

interface LedgerField {
  index: number;
  leaf_hash: string;
}

function ledgerField(event: Record<string, unknown>): LedgerField | null {
  const ledger = event.ledger as Partial<LedgerField> | undefined;
  if (!ledger || !Number.isSafeInteger(ledger.index) || typeof ledger.leaf_hash !== "string") return null;
  return ledger as LedgerField;
}

const message = (error: unknown): string => {
  if (error && typeof error === "object" && "describe" in error && typeof error.describe === "function") {
    return String(error.describe());
  }
  return error instanceof Error ? error.message : String(error);
};

const isNotFound = (error: unknown): boolean =>
  !!error && typeof error === "object" && "status" in error && error.status === 404;

/** The keys to check the checkpoint with: the pinned one, or else the server's (with a warning). */
async function trustedKeys(
  source: LedgerSource,
  pinned: string | null,
  warnings: string[],
): Promise<{ trusted: Verifier[]; key: KeyInUse }> {
  let server: PublicKeyInfo | null = null;
  let serverError: unknown = null;
  try {
    server = await source.publicKey();
  } catch (error) {
    serverError = error;
  }
  if (pinned !== null) {
    let verifier: Verifier;
    try {
      verifier = await parseVerifierKey(pinned);
    } catch (error) {
      throw new Error(`the pinned key is not a valid verifier key (${message(error)}); unpin it and pin the instance's key again`);
    }
    if (server && server.verifier_key !== verifier.encoded) {
      warnings.push(
        `The server now signs with another key (key id ${server.key_id}) than the pinned one (key id ` +
          `${verifier.keyIdHex}). If the instance rotated its key, confirm the new key with its operator before pinning it.`,
      );
    }
    return { trusted: [verifier], key: keyInUse(verifier, true) };
  }
  if (!server) throw new Error(`could not load the server's verifier key: ${message(serverError)}`);
  const active = await parseVerifierKey(server.verifier_key).catch((error: unknown) => {
    throw new Error(`the server's verifier key is not valid: ${message(error)}`);
  });
  const others = await Promise.all(
    (server.all_verifier_keys ?? []).filter((k) => k !== active.encoded).map((k) => parseVerifierKey(k).catch(() => null)),
  );
  warnings.push(NOT_PINNED_WARNING);
  return { trusted: [active, ...others.filter((v): v is Verifier => v !== null)], key: keyInUse(active, false) };
}

function keyInUse(v: Verifier, pinned: boolean): KeyInUse {
  return { verifierKey: v.encoded, name: v.name, keyId: v.keyIdHex, pinned };
}

/** Verify `event` (as `GET /api/v1/audit/events/{id}` returned it) against the ledger. */
export async function verifyEvent(
  event: Record<string, unknown>,
  source: LedgerSource,
  { pinnedKey, onProgress, memory = browserCheckpointMemory, now }: VerifyOptions,
): Promise<VerificationResult> {
  const steps: Step[] = [];
  const warnings: string[] = [];
  let key: KeyInUse | undefined;
  const done = (where: Where = {}) => finish(steps, warnings, key, where);
  const step = (id: StepId, label: string, ok: boolean, detail: string, pending = false) =>
    steps.push({ id, label, ok, detail, ...(pending ? { pending } : {}) });

  onProgress?.("Computing the leaf hash from the event");
  let leaf: Uint8Array;
  try {
    const computed = await eventLeaf(event);
    leaf = computed.hash;
    step("leaf-computed", "Leaf hash computed from the event", true,
      `SHA-256(0x00 ‖ the event's RFC 8785 form, ${computed.canonical.length} bytes, without the "ledger" field) = ${toBase64(leaf)}`);
  } catch (error) {
    step("leaf-computed", "Leaf hash computed from the event", false, message(error));
    return done();
  }

  const ledger = ledgerField(event);
  if (!ledger) {
    step("leaf-matches", "Leaf hash matches the server's record", false,
      "the server returned this event without its ledger entry (index and leaf hash)");
  } else if (ledger.leaf_hash !== toBase64(leaf)) {
    step("leaf-matches", "Leaf hash matches the server's record", false,
      `the event differs from what the ledger recorded at index ${ledger.index}: the ledger's leaf hash is ` +
        `${ledger.leaf_hash}, the event as shown hashes to ${toBase64(leaf)}. It was changed after it was stored.`);
  } else {
    step("leaf-matches", "Leaf hash matches the server's record", true, `equal to the leaf hash at ledger index ${ledger.index}`);
  }

  onProgress?.("Loading the verifier key and the latest signed checkpoint");
  const signatureLabel = pinnedKey === null
    ? "Checkpoint signature valid for the server's key (not pinned)"
    : "Checkpoint signature valid for the pinned key";
  let trusted: Verifier[];
  let note: string;
  try {
    ({ trusted, key } = await trustedKeys(source, pinnedKey, warnings));
  } catch (error) {
    step("checkpoint-signature", signatureLabel, false, message(error));
    return done();
  }
  try {
    note = await source.checkpoint();
  } catch (error) {
    if (isNotFound(error)) {
      step("checkpoint-signature", signatureLabel, false,
        "no checkpoint has been signed yet; try again after the first one (they are signed every few seconds)", true);
    } else {
      step("checkpoint-signature", signatureLabel, false, `could not load the latest checkpoint: ${message(error)}`);
    }
    return done();
  }
  let checkpoint: Checkpoint;
  let signedBy: Verifier;
  try {
    ({ checkpoint, signedBy } = await openCheckpoint(note, trusted));
  } catch (error) {
    step("checkpoint-signature", signatureLabel, false, message(error));
    return done();
  }
  key = keyInUse(signedBy, pinnedKey !== null);
  const root = toBase64(checkpoint.root);
  step("checkpoint-signature", signatureLabel, true,
    `signed by ${signedBy.name}, key id ${signedBy.keyIdHex}; tree size ${checkpoint.size}, root ${root}`);

  const expectedOrigin = `${signedBy.name}/${String(event.tenant)}`;
  if (checkpoint.origin !== expectedOrigin) {
    step("origin", "Origin matches", false,
      `the checkpoint is for ${JSON.stringify(checkpoint.origin)}, but this event's log is ${JSON.stringify(expectedOrigin)} ` +
        "(the signing key's instance / the event's tenant)");
    return done();
  }
  step("origin", "Origin matches", true, `the log of tenant ${JSON.stringify(event.tenant)} on instance ${signedBy.name}`);

  const seen = memory.recall(checkpoint.origin);
  const consistency = await checkAgainstSeen(source, seen, checkpoint);
  step("consistent", "Consistent with the checkpoint this browser verified before", consistency.ok, consistency.detail);

  if (ledger && ledger.index >= checkpoint.size) {
    step("covered", "Event covered by the checkpoint", false,
      `the event is at ledger index ${ledger.index}, after the latest checkpoint (tree size ${checkpoint.size}): it is ` +
        "stored but not yet covered by a checkpoint; try again after the next checkpoint (they are signed every few seconds)",
      true);
    return done();
  }
  if (ledger) {
    step("covered", "Event covered by the checkpoint", true, `ledger index ${ledger.index} < tree size ${checkpoint.size}`);
  }

  onProgress?.(`Fetching the inclusion proof for tree size ${checkpoint.size}`);
  const inclusionLabel = "Inclusion proof leads to the checkpoint's root";
  try {
    const proof = await source.inclusionProof(String(event.id), checkpoint.size);
    if (proof.tree_size !== checkpoint.size) {
      throw new Error(`the server sent a proof for tree size ${proof.tree_size}, not the checkpoint's ${checkpoint.size}`);
    }
    if (ledger && proof.index !== ledger.index) {
      throw new Error(`the proof is for index ${proof.index}, but the event's ledger index is ${ledger.index}`);
    }
    const hashes = proof.hashes.map((h, i) => hashFromBase64(h, `proof hash ${i + 1}`));
    const computed = await inclusionRoot(proof.index, checkpoint.size, leaf, hashes);
    if (!equalBytes(computed, checkpoint.root)) {
      step("inclusion", inclusionLabel, false,
        `expected the checkpoint's root ${root}, computed ${toBase64(computed)} from the event's leaf hash and ` +
          `the ${hashes.length} proof hash(es) for index ${proof.index} in tree size ${checkpoint.size}`);
    } else {
      step("inclusion", inclusionLabel, true,
        `the event's leaf hash and ${hashes.length} proof hash(es) lead to the signed root ${root}`);
    }
  } catch (error) {
    step("inclusion", inclusionLabel, false, message(error));
  }
  const result = done({ index: ledger?.index, origin: checkpoint.origin, size: checkpoint.size });
  // Only a fully verified checkpoint is remembered, and never one older than the remembered one.
  if (result.status === "verified" && (!seen || checkpoint.size >= seen.size)) {
    const seenAt = (now ?? new Date()).toISOString();
    memory.remember(checkpoint.origin, { size: checkpoint.size, root, seenAt });
  }
  return result;
}

interface Where {
  index?: number;
  origin?: string;
  size?: number;
}

function finish(steps: Step[], warnings: string[], key: KeyInUse | undefined, where: Where): VerificationResult {
  const failure = steps.find((s) => !s.ok && !s.pending);
  const pending = steps.find((s) => s.pending);
  if (failure) {
    const summary = `Verification failed: step “${failure.label}” did not hold: ${failure.detail}`;
    return { status: "failed", summary, steps, failure, key, warnings };
  }
  if (pending) return { status: "pending", summary: `Not yet verifiable: ${pending.detail}`, steps, key, warnings };
  const by = key ? `key ${key.keyId} (${key.pinned ? "pinned" : "the server's own key, not pinned"})` : "its key";
  const summary =
    `Verified: this event, byte for byte, is entry ${where.index} of ${where.origin}, in the checkpoint of ` +
    `tree size ${where.size} signed by ${by}.`;
  return { status: "verified", summary, steps, key, warnings };
}
