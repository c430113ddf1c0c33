/** Checks of the user forms before they are sent; the API checks the password policy fully. */
import type { Role } from "../../../auth/AuthContext";

export const MIN_PASSWORD = 12;

export interface InviteForm {
  email: string;
  name: string;
  role: Role;
  /** "generate": the API makes one and shows it once; "set": the one typed. */
  passwordMode: "generate" | "set";
  password: string;
}

export type FormErrors<T> = Partial<Record<keyof T, string>>;

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** A plausible email address (the API checks it fully). */
export function isEmail(value: string): boolean {
  return EMAIL.test(value);
}

/** Problems with a password typed in (the API adds the common-password and guessability checks). */
export function passwordProblem(password: string): string | undefined {
  if (!password) return "Type a password, or let Sealtrail generate one.";
  if (password.length < MIN_PASSWORD) return `At least ${MIN_PASSWORD} characters.`;
  if (password.length > 256) return "At most 256 characters.";
  return undefined;
}

export function validateInvite(form: InviteForm): FormErrors<InviteForm> {
  const errors: FormErrors<InviteForm> = {};
  const email = form.email.trim();
  if (!email) errors.email = "The email address the person logs in with.";
  else if (!isEmail(email)) errors.email = "Not an email address.";
  if (form.name.length > 128) errors.name = "At most 128 characters.";
  if (form.passwordMode === "set") {
    const problem = passwordProblem(form.password);
    if (problem) errors.password = problem;
  }
  return errors;
}
