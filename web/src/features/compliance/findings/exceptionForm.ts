/** The exception form: an owner, a reason, an expiry within a year, a resource pattern. */
import type { ExceptionCreate, Finding } from "../types";

export interface ExceptionForm {
  owner: string;
  reason: string;
  /** A local calendar date, YYYY-MM-DD; the exception ends at the end of that day. */
  expires: string;
  pattern: string;
}

export type ExceptionErrors = Partial<Record<keyof ExceptionForm | "form", string>>;

export const DEFAULT_DAYS = 90;
export const MAX_DAYS = 365;

/** A local date `days` from `today`, as YYYY-MM-DD. */
export function dateAhead(days: number, today: Date = new Date()): string {
  const d = new Date(today.getFullYear(), today.getMonth(), today.getDate() + days);
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

export function defaultExceptionForm(finding: Finding, owner: string, today?: Date): ExceptionForm {
  return { owner, reason: "", expires: dateAhead(DEFAULT_DAYS, today), pattern: finding.resource_id };
}

export function validateException(form: ExceptionForm, today?: Date): ExceptionErrors {
  const errors: ExceptionErrors = {};
  if (!form.owner.trim()) errors.owner = "Who answers for this exception, e.g. their email.";
  else if (form.owner.length > 254) errors.owner = "At most 254 characters.";
  if (form.reason.trim().length < 3) errors.reason = "Say why the risk is accepted (at least 3 characters).";
  else if (form.reason.length > 4000) errors.reason = "At most 4,000 characters.";
  // YYYY-MM-DD strings compare in date order.
  if (!/^\d{4}-\d{2}-\d{2}$/.test(form.expires)) errors.expires = "Pick the last day of the exception.";
  else if (form.expires < dateAhead(1, today)) errors.expires = "The exception must end after today.";
  else if (form.expires > dateAhead(MAX_DAYS, today)) errors.expires = "Exceptions last at most one year.";
  if (!form.pattern.trim()) errors.pattern = "A resource id, or a pattern with * and ?.";
  else if (form.pattern.length > 2048) errors.pattern = "At most 2,048 characters.";
  return errors;
}

/** The API body: this finding's account and control; the exception ends at the end of the chosen day. */
export function exceptionBody(form: ExceptionForm, finding: Finding): ExceptionCreate {
  const [y, m, d] = form.expires.split("-").map(Number);
  return {
    account: finding.account,
    control_id: finding.control_id,
    resource_pattern: form.pattern.trim(),
    owner: form.owner.trim(),
    reason: form.reason.trim(),
    expires_at: new Date(y, m - 1, d, 23, 59, 59).toISOString(),
  };
}
