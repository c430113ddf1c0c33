/** What a failed login says to the person trying. */
import { ApiError } from "../../api/client";

/** "42 seconds", "1 minute", "15 minutes" (rounded up: never tell someone to come back too early). */
export function waitInWords(seconds: number): string {
  if (seconds < 60) {
    const s = Math.max(1, Math.ceil(seconds));
    return `${s} second${s === 1 ? "" : "s"}`;
  }
  const m = Math.ceil(seconds / 60);
  return `${m} minute${m === 1 ? "" : "s"}`;
}

function retryAfter(error: ApiError): number | null {
  const details = error.details as { retry_after_seconds?: unknown } | null | undefined;
  const value = Number(details?.retry_after_seconds);
  return Number.isFinite(value) && value > 0 ? value : null;
}

export function loginErrorMessage(error: unknown): string {
  if (!(error instanceof ApiError)) return "The server cannot be reached. Check your connection and try again.";
  const wait = retryAfter(error);
  switch (error.status) {
    case 401:
      return "Wrong email, password or tenant.";
    case 423:
      return `Too many failed attempts: this account is locked. Try again in ${wait ? waitInWords(wait) : "a few minutes"}.`;
    case 429:
      return `Too many login attempts from this address. Wait ${wait ? waitInWords(wait) : "a minute"} and try again.`;
    default:
      return error.status >= 500
        ? `The server had a problem (${error.status}). Try again in a moment.`
        : error.describe();
  }
}
