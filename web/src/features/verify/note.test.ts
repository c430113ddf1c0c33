// @vitest-environment node
import { describe, expect, it } from "vitest";
import { toBase64 } from "./bytes";
import { openCheckpoint, parseCheckpointBody } from "./checkpoint";
import { VerifyError } from "./errors";
import { openNote, parseNote, parseVerifierKey } from "./note";
import { vectors } from "./testVectors";

// The published example of golang.org/x/mod/sumdb/note (also in tests/verify/test_note.py):
// interoperability with other C2SP tooling, not just agreement with our Python.
const GO_VERIFIER = "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
const GO_TEXT = "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const GO_NOTE =
  GO_TEXT +
  "\n\u2014 PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";
const ORIGIN = `${vectors.origin}/${vectors.tenant}`;

describe("verifier keys", () => {
  it("parse the server's key, with the key id the API reports", async () => {
    const key = await parseVerifierKey(vectors.public_key.verifier_key);
    expect(key.name).toBe(vectors.public_key.origin);
    expect(key.keyIdHex).toBe(vectors.public_key.key_id);
    expect(toBase64(key.publicKey)).toBe(vectors.public_key.public_key);
    expect(key.encoded).toBe(vectors.public_key.verifier_key);
  });

  it.each(vectors.negative.verifier_keys.map((c) => [c.name, c] as const))("reject %s", async (_name, c) => {
    await expect(parseVerifierKey(c.key)).rejects.toMatchObject({ code: c.expect });
  });
});

describe("signed notes and checkpoints", () => {
  it("verify the Go reference note", async () => {
    const { text, signedBy } = await openNote(GO_NOTE, [await parseVerifierKey(GO_VERIFIER)]);
    expect(text).toBe(GO_TEXT);
    expect(signedBy.encoded).toBe(GO_VERIFIER);
    await expect(openNote(GO_NOTE.replace("answer", "Answer"), [await parseVerifierKey(GO_VERIFIER)])).rejects.toMatchObject({
      code: "bad_signature",
    });
  });

  it("open every checkpoint the ledger signed, with the root of its tree size", async () => {
    const key = await parseVerifierKey(vectors.public_key.verifier_key);
    for (const item of [...vectors.checkpoints, { tree_size: 13, note: vectors.checkpoint }]) {
      const { checkpoint, signedBy } = await openCheckpoint(item.note, [key], ORIGIN);
      expect(checkpoint.size).toBe(item.tree_size);
      expect(toBase64(checkpoint.root)).toBe(vectors.roots[String(item.tree_size)]);
      expect(signedBy.keyIdHex).toBe(vectors.public_key.key_id);
    }
  });

  it.each(vectors.negative.notes.map((c) => [c.name, c] as const))("reject %s", async (_name, c) => {
    const key = await parseVerifierKey(c.verifier_key);
    const run = openCheckpoint(c.note, [key], ORIGIN);
    await expect(run).rejects.toBeInstanceOf(VerifyError);
    await expect(run).rejects.toMatchObject({ code: c.expect });
  });

  it("ignore signatures of unknown keys beside a valid one", async () => {
    const other = await parseVerifierKey(vectors.other_verifier_key);
    const key = await parseVerifierKey(vectors.public_key.verifier_key);
    const extra = vectors.checkpoint + "\u2014 someone-else AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\n";
    expect((await openNote(extra, [other, key])).signedBy.keyIdHex).toBe(key.keyIdHex);
    expect(parseNote(extra).signatures).toHaveLength(2);
  });

  it("parse the body lines: origin, decimal size, base64 root, extensions", () => {
    const root = vectors.roots["13"];
    expect(parseCheckpointBody(`o\n13\n${root}\next\n`)).toMatchObject({ origin: "o", size: 13, extensions: ["ext"] });
    expect(() => parseCheckpointBody(`o\n13\n${root}`)).toThrow(/origin, size and root/);
    expect(() => parseCheckpointBody(`o\n-1\n${root}\n`)).toThrow(/not a decimal number/);
    expect(() => parseCheckpointBody(`o\n13\n${root}\n\n`)).toThrow(/empty extension/);
  });
});
