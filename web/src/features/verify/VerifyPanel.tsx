/** Verify one stored event's inclusion in the ledger, in the browser. (Stub: being built.) */
export interface VerifyPanelProps {
  /** The event as the API returned it (GET /api/v1/audit/events/{id}). */
  event: Record<string, unknown>;
}

export function VerifyPanel(_props: VerifyPanelProps) {
  return null;
}
