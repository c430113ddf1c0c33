/** Bytes for the verifier: strict base64, hex, comparison, and SHA-256 through WebCrypto. */
import { VerifyError } from "./errors";

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Standard base64 with padding, as the API and the notes write it; anything else is rejected. */
export function fromBase64(text: string, what: string): Uint8Array {
  if (typeof text !== "string" || !BASE64.test(text)) {
    throw new VerifyError("bad_base64", `${what} is not base64`);
  }
  const binary = atob(text);
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}

export function toBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

/** A 32-byte hash from base64; VerifyError when it is not one. */
export function hashFromBase64(text: string, what: string): Uint8Array {
  const raw = fromBase64(text, what);
  if (raw.length !== 32) throw new VerifyError("bad_hash_length", `${what} is ${raw.length} bytes, not 32`);
  return raw;
}

export function toHex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

export function concat(...parts: Uint8Array[]): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

export const utf8 = (text: string): Uint8Array<ArrayBuffer> => new TextEncoder().encode(text);

/** WebCrypto, which browsers expose only to secure pages (HTTPS or localhost). */
export function subtle(): SubtleCrypto {
  const found = globalThis.crypto?.subtle;
  if (!found) {
    throw new VerifyError(
      "no_webcrypto",
      "this browser offers no WebCrypto on this page: open Sealtrail over HTTPS (or on localhost) " +
        "to verify here, or verify an export offline with “sealtrail verify”",
    );
  }
  return found;
}

export async function sha256(data: Uint8Array<ArrayBuffer>): Promise<Uint8Array> {
  return new Uint8Array(await subtle().digest("SHA-256", data));
}
