/** Why a verification step rejected its input: one code per reason, shared with the vectors. */
export type VerifyErrorCode =
  | "no_webcrypto"
  | "not_an_event"
  | "bad_base64"
  | "bad_hash_length"
  | "index_out_of_range"
  | "path_too_long"
  | "path_too_short"
  | "root_mismatch"
  | "malformed_key"
  | "key_id_mismatch"
  | "malformed_note"
  | "malformed_checkpoint"
  | "bad_signature"
  | "unknown_key"
  | "origin_mismatch";

/** A verification failure with its reason code and a sentence for the auditor. */
export class VerifyError extends Error {
  readonly code: VerifyErrorCode;

  constructor(code: VerifyErrorCode, message: string) {
    super(message);
    this.name = "VerifyError";
    this.code = code;
  }
}
