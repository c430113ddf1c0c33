/** Whether the ledger's latest signed checkpoint lags behind its leaves. */
import type { LedgerStatus } from "./api";

/** A checkpoint older than this, with newer leaves pending, is stale. */
export const STALE_AFTER_SECONDS = 5 * 60;

export type LedgerHealth =
  | { kind: "empty" }
  | { kind: "unsigned"; pending: number }
  | { kind: "current" }
  | { kind: "pending"; pending: number }
  | { kind: "stale"; pending: number };

/** The state of the ledger, given the checkpoint's age now (seconds). */
export function ledgerHealth(status: LedgerStatus, ageSeconds: number | null): LedgerHealth {
  const { checkpoint, tree_size } = status;
  if (!checkpoint) return tree_size > 0 ? { kind: "unsigned", pending: tree_size } : { kind: "empty" };
  const pending = Math.max(0, tree_size - checkpoint.tree_size);
  if (pending === 0) return { kind: "current" };
  if (ageSeconds !== null && ageSeconds > STALE_AFTER_SECONDS) return { kind: "stale", pending };
  return { kind: "pending", pending };
}
