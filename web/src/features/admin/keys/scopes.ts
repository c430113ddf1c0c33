/** The scopes an API key can hold, and what each allows. */
import type { Scope } from "../api";

export const SCOPES: { value: Scope; label: string; help: string }[] = [
  { value: "ingest", label: "ingest", help: "send audit events" },
  { value: "read", label: "read", help: "search the trail, ledger, proofs, compliance results, exports" },
  { value: "admin", label: "admin", help: "everything in the tenant, including keys and users" },
];

export interface KeyForm {
  name: string;
  scopes: Scope[];
}

/** What is wrong with the form, per field (empty when it can be sent). */
export function validateKey(form: KeyForm): Partial<Record<keyof KeyForm, string>> {
  const errors: Partial<Record<keyof KeyForm, string>> = {};
  const name = form.name.trim();
  if (!name) errors.name = "Give the key a name that says who uses it, e.g. ci or billing-service.";
  else if (name.length > 128) errors.name = "At most 128 characters.";
  if (!form.scopes.length) errors.scopes = "Choose at least one scope.";
  return errors;
}
