/** How an event's parts read in a table cell. */
import type { AuditEvent, EventTarget, Outcome } from "./types";

/** "Alice Martin (u-42)", or the id alone. */
export function actorLabel(actor: AuditEvent["actor"] | undefined): string {
  if (!actor) return "";
  return actor.name && actor.name !== actor.id ? `${actor.name} (${actor.id})` : actor.id;
}

/** "Order 1001 (order:o-1001)", or "order:o-1001" without a name. */
export function targetLabel(t: EventTarget): string {
  return t.name ? `${t.name} (${t.type}:${t.id})` : `${t.type}:${t.id}`;
}

/** Records Sealtrail writes about its own use (sign-ins, searches, administration). */
export function isOwnRecord(e: AuditEvent): boolean {
  return e.action.startsWith("sealtrail.");
}

export const OUTCOME_COLOR: Record<Outcome, "success" | "error" | "default"> = {
  success: "success",
  failure: "error",
  unknown: "default",
};
