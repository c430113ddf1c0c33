/** The bytes a ledger leaf commits to: the stored event in RFC 8785 (JCS) form.
 *
 * Like `sealtrail.verify.canonical`: the event exactly as the API returns it (the fields
 * the producer sent as stored, plus `tenant` and `received_at`), without the top-level
 * `ledger` field the API adds. Nothing else is left out or normalised.
 */
import canonicalize from "canonicalize";
import { VerifyError } from "./errors";

/** The event as the leaf covers it: every top-level field but `ledger`. */
export function ledgerBody(event: Record<string, unknown>): Record<string, unknown> {
  // Own enumerable keys, as JSON.parse made them (a key "__proto__" included).
  const body: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(event)) {
    if (key !== "ledger") body[key] = event[key];
  }
  return body;
}

/** The RFC 8785 text of the event's ledger body. */
export function canonicalEvent(event: unknown): string {
  if (typeof event !== "object" || event === null || Array.isArray(event)) {
    throw new VerifyError("not_an_event", "the event is not a JSON object");
  }
  const text = canonicalize(ledgerBody(event as Record<string, unknown>));
  if (text === undefined) throw new VerifyError("not_an_event", "the event has no JSON form");
  return text;
}
