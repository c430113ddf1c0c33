/** C2SP signed notes with Ed25519 (https://c2sp.org/signed-note) and verifier keys
 * `<name>+<key id hex>+<base64(0x01 || public key)>`, checked like `sealtrail.verify.note`. */
import { concat, fromBase64, sha256, subtle, toBase64, utf8 } from "./bytes";
import { VerifyError } from "./errors";

const ED25519 = 0x01;
const EM_DASH = "\u2014";
const MAX_SIGNATURES = 16;
// Control characters other than the newline (C0 only, as the Python verifier).
const CONTROL = /[\u0000-\u0009\u000b-\u001f]/;

/** A public key notes may be signed with. */
export interface Verifier {
  name: string;
  keyId: number;
  /** The key id as 8 hex digits, as the API's `key_id`. */
  keyIdHex: string;
  publicKey: Uint8Array;
  /** The verifier key string. */
  encoded: string;
}

export interface NoteSignature {
  name: string;
  keyId: number;
  signature: Uint8Array;
}

export const hex8 = (id: number): string => id.toString(16).padStart(8, "0");

/** SHA-256(name || 0x0A || 0x01 || public key)[:4], big-endian. */
export async function keyId(name: string, publicKey: Uint8Array): Promise<number> {
  const digest = await sha256(concat(utf8(name), Uint8Array.of(0x0a, ED25519), publicKey));
  return new DataView(digest.buffer, digest.byteOffset, 4).getUint32(0);
}

function checkName(name: string): void {
  if (!name || name.includes("+") || /\s/.test(name)) {
    throw new VerifyError("malformed_key", `invalid key name ${JSON.stringify(name)}: non-empty, no spaces, no '+'`);
  }
}

/** Parse a verifier key string; VerifyError (malformed_key, key_id_mismatch) when it is not one. */
export async function parseVerifierKey(text: string): Promise<Verifier> {
  // The base64 key may itself hold '+': split on the first two only.
  const trimmed = text.trim();
  const first = trimmed.indexOf("+");
  const second = first < 0 ? -1 : trimmed.indexOf("+", first + 1);
  if (second < 0) throw new VerifyError("malformed_key", "a verifier key is <name>+<key id hex>+<base64 key>");
  const name = trimmed.slice(0, first);
  const idHex = trimmed.slice(first + 1, second);
  const b64 = trimmed.slice(second + 1);
  checkName(name);
  if (!/^[0-9a-fA-F]{8}$/.test(idHex)) {
    throw new VerifyError("malformed_key", "a verifier key's id must be 8 hex digits");
  }
  let raw: Uint8Array;
  try {
    raw = fromBase64(b64, "the key");
  } catch {
    throw new VerifyError("malformed_key", "a verifier key has a bad base64 key");
  }
  if (raw.length !== 33 || raw[0] !== ED25519) {
    throw new VerifyError("malformed_key", "a verifier key must hold an Ed25519 key (type 0x01, 32 bytes)");
  }
  const publicKey = raw.slice(1);
  const id = await keyId(name, publicKey);
  if (id !== parseInt(idHex, 16)) {
    throw new VerifyError("key_id_mismatch", "the verifier key's id does not match its name and key");
  }
  return { name, keyId: id, keyIdHex: hex8(id), publicKey, encoded: `${name}+${hex8(id)}+${toBase64(raw)}` };
}

/** Split a signed note into its text and signature lines (nothing verified yet). */
export function parseNote(note: string): { text: string; signatures: NoteSignature[] } {
  if (CONTROL.test(note)) throw new VerifyError("malformed_note", "a note must not contain control characters");
  const split = note.lastIndexOf("\n\n");
  if (split < 0 || !note.endsWith("\n")) {
    throw new VerifyError("malformed_note", "a note is text, a blank line and signature lines");
  }
  const text = note.slice(0, split + 1);
  const lines = note.slice(split + 2, -1).split("\n");
  const signatures = lines.map((line) => {
    const parts = line.split(" ");
    if (parts.length !== 3 || parts[0] !== EM_DASH) {
      throw new VerifyError("malformed_note", `malformed signature line ${JSON.stringify(line)}`);
    }
    let blob: Uint8Array;
    try {
      blob = fromBase64(parts[2], "a signature");
    } catch {
      throw new VerifyError("malformed_note", "a signature is not base64");
    }
    if (blob.length < 5) throw new VerifyError("malformed_note", "a signature is too short");
    const id = new DataView(blob.buffer, blob.byteOffset, 4).getUint32(0);
    return { name: parts[1], keyId: id, signature: blob.slice(4) };
  });
  if (signatures.length > MAX_SIGNATURES) {
    throw new VerifyError("malformed_note", `a note carries more than ${MAX_SIGNATURES} signatures`);
  }
  return { text, signatures };
}

async function ed25519Verify(publicKey: Uint8Array, signature: Uint8Array, data: Uint8Array): Promise<boolean> {
  if (signature.length !== 64) return false;
  let key: CryptoKey;
  try {
    key = await subtle().importKey("raw", concat(publicKey), { name: "Ed25519" }, false, ["verify"]);
  } catch (error) {
    if (error instanceof VerifyError) throw error;
    throw new VerifyError(
      "no_webcrypto",
      "this browser cannot check Ed25519 signatures (it needs Chrome 137, Firefox 129 or Safari 17 or later): " +
        "verify an export offline with “sealtrail verify” instead",
    );
  }
  return subtle().verify({ name: "Ed25519" }, key, concat(signature), concat(data));
}

/**
 * The note's text and the trusted key that signed it. Signatures of unknown keys are
 * ignored; a signature of a known key that does not verify rejects the note
 * (bad_signature), and so does a note no known key signed (unknown_key).
 */
export async function openNote(note: string, trusted: Verifier[]): Promise<{ text: string; signedBy: Verifier }> {
  const { text, signatures } = parseNote(note);
  let signedBy: Verifier | undefined;
  for (const sig of signatures) {
    const verifier = trusted.find((v) => v.name === sig.name && v.keyId === sig.keyId);
    if (!verifier) continue;
    if (!(await ed25519Verify(verifier.publicKey, sig.signature, utf8(text)))) {
      throw new VerifyError(
        "bad_signature",
        `the signature of key ${verifier.keyIdHex} does not verify: the checkpoint text was altered or forged`,
      );
    }
    signedBy ??= verifier;
  }
  if (!signedBy) {
    const by = signatures.map((s) => `${s.name} (key id ${hex8(s.keyId)})`).join(", ");
    const want = trusted.map((v) => v.keyIdHex).join(", ");
    throw new VerifyError(
      "unknown_key",
      `the note is not signed by a trusted key: it is signed by ${by}, the trusted key id is ${want}`,
    );
  }
  return { text, signedBy };
}
