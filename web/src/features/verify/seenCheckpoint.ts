/** The checkpoint this browser last verified, per log origin (localStorage): to notice a
 * log that was rewritten or forked between two visits. */

export interface SeenCheckpoint {
  size: number;
  /** The root hash, base64. */
  root: string;
  /** When it was verified, ISO 8601. */
  seenAt: string;
}

/** Where verified checkpoints are remembered: the browser's storage, or a map in tests. */
export interface CheckpointMemory {
  recall(origin: string): SeenCheckpoint | null;
  remember(origin: string, checkpoint: SeenCheckpoint): void;
}

const PREFIX = "sealtrail.ledger.seen-checkpoint:";

function storage(): Storage | null {
  try {
    return globalThis.localStorage ?? null;
  } catch {
    return null; // storage disabled by the browser's privacy settings
  }
}

function parse(raw: string | null): SeenCheckpoint | null {
  if (!raw) return null;
  try {
    const v = JSON.parse(raw) as Partial<SeenCheckpoint>;
    const valid = Number.isSafeInteger(v.size) && typeof v.root === "string" && typeof v.seenAt === "string";
    return valid ? { size: v.size!, root: v.root!, seenAt: v.seenAt! } : null;
  } catch {
    return null; // not ours: as if nothing was remembered
  }
}

/** This browser's memory of verified checkpoints, one entry per origin. */
export const browserCheckpointMemory: CheckpointMemory = {
  recall: (origin) => parse(storage()?.getItem(PREFIX + origin) ?? null),
  remember: (origin, checkpoint) => storage()?.setItem(PREFIX + origin, JSON.stringify(checkpoint)),
};
