/** Checkpoints in the C2SP tlog-checkpoint format (https://c2sp.org/tlog-checkpoint): origin,
 * tree size and root hash lines, then optional extension lines; like `sealtrail.verify.checkpoint`. */
import { fromBase64 } from "./bytes";
import { VerifyError } from "./errors";
import { openNote, type Verifier } from "./note";

const SIZE = /^(0|[1-9][0-9]{0,19})$/;

export interface Checkpoint {
  origin: string;
  size: number;
  root: Uint8Array;
  extensions: string[];
}

/** Parse a checkpoint's body (the note text); VerifyError malformed_checkpoint when it is not one. */
export function parseCheckpointBody(text: string): Checkpoint {
  const lines = text.split("\n");
  if (lines.length < 4 || lines[lines.length - 1] !== "") {
    throw new VerifyError("malformed_checkpoint", "a checkpoint is origin, size and root hash lines");
  }
  const [origin, sizeText, rootText] = lines;
  if (!origin) throw new VerifyError("malformed_checkpoint", "a checkpoint's origin line is empty");
  if (!SIZE.test(sizeText)) {
    throw new VerifyError("malformed_checkpoint", `a checkpoint's tree size ${JSON.stringify(sizeText)} is not a decimal number`);
  }
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) {
    throw new VerifyError("malformed_checkpoint", `a checkpoint's tree size ${sizeText} is beyond what this verifier handles`);
  }
  let root: Uint8Array;
  try {
    root = fromBase64(rootText, "the root");
  } catch {
    throw new VerifyError("malformed_checkpoint", "a checkpoint's root hash is not base64");
  }
  if (root.length !== 32) throw new VerifyError("malformed_checkpoint", "a checkpoint's root hash is not 32 bytes");
  const extensions = lines.slice(3, -1);
  if (extensions.some((e) => !e)) throw new VerifyError("malformed_checkpoint", "a checkpoint has an empty extension line");
  return { origin, size, root, extensions };
}

/** Verify a signed checkpoint and parse it; with `origin`, it must be that log's. */
export async function openCheckpoint(
  note: string,
  trusted: Verifier[],
  origin?: string,
): Promise<{ checkpoint: Checkpoint; signedBy: Verifier }> {
  const { text, signedBy } = await openNote(note, trusted);
  const checkpoint = parseCheckpointBody(text);
  if (origin !== undefined && checkpoint.origin !== origin) {
    throw new VerifyError(
      "origin_mismatch",
      `the checkpoint is for ${JSON.stringify(checkpoint.origin)}, not ${JSON.stringify(origin)}`,
    );
  }
  return { checkpoint, signedBy };
}
