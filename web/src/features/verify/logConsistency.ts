/** The "consistent" step: the latest checkpoint extends (or is extended by) the one this
 * browser verified before, so the log was not rewritten or forked in between. */
import { hashFromBase64, toBase64 } from "./bytes";
import type { Checkpoint } from "./checkpoint";
import { verifyConsistency } from "./consistency";
import type { LedgerSource } from "./ledgerSource";
import type { SeenCheckpoint } from "./seenCheckpoint";

export interface ConsistencyOutcome {
  ok: boolean;
  detail: string;
}

export const FIRST_VISIT = "first verification in this browser: remembered for next time";

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

const describe = (error: unknown): string => {
  if (error && typeof error === "object" && "describe" in error && typeof error.describe === "function") {
    return String(error.describe()); // the API client's errors
  }
  return error instanceof Error ? error.message : String(error);
};

/** The proof could not be fetched: not evidence of a rewrite, but not a check either. */
class Unreachable extends Error {
  constructor(readonly cause: unknown) {
    super("the consistency proof could not be loaded");
  }
}

/** Check `latest` against the checkpoint `seen` earlier (RFC 9162 2.1.4.2), fetching the proof. */
export async function checkAgainstSeen(
  source: LedgerSource,
  seen: SeenCheckpoint | null,
  latest: Checkpoint,
): Promise<ConsistencyOutcome> {
  if (!seen) return { ok: true, detail: FIRST_VISIT };
  const root = toBase64(latest.root);
  const older = seen.size <= latest.size;
  const [first, second] = older ? [seen.size, latest.size] : [latest.size, seen.size];
  try {
    const seenRoot = hashFromBase64(seen.root, "the remembered root");
    const [firstRoot, secondRoot] = older ? [seenRoot, latest.root] : [latest.root, seenRoot];
    let hashes: Uint8Array[] = [];
    if (first !== second && first !== 0) {
      const proof = await source.consistencyProof(first, second).catch((error: unknown) => {
        throw new Unreachable(error);
      });
      if (proof.first !== first || proof.second !== second) {
        throw new Error(`the server sent a proof from size ${proof.first} to ${proof.second}, not ${first} to ${second}`);
      }
      hashes = proof.hashes.map((h, i) => hashFromBase64(h, `consistency proof hash ${i + 1}`));
    }
    await verifyConsistency(first, second, firstRoot, secondRoot, hashes);
  } catch (error) {
    if (error instanceof Unreachable) {
      return { ok: false, detail: `could not load the consistency proof from size ${first} to ${second}: ${describe(error.cause)}` };
    }
    return {
      ok: false,
      detail:
        `the log was rewritten since this browser last saw it: on ${when(seen.seenAt)} it verified the checkpoint ` +
        `of size ${seen.size}, root ${seen.root}, and the latest checkpoint, size ${latest.size}, root ${root}, ` +
        `does not extend it (${describe(error)})`,
    };
  }
  const detail = `consistent with the checkpoint of size ${seen.size} this browser verified on ${when(seen.seenAt)}`;
  return { ok: true, detail: older ? detail : `${detail} (the latest checkpoint, size ${latest.size}, is older)` };
}
