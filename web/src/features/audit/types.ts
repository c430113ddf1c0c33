/** Shapes the audit API returns (docs/api.md "Audit trail", docs/event-schema.md). */

export type Outcome = "success" | "failure" | "unknown";

export interface EventActor {
  id: string;
  type?: string;
  name?: string;
  email?: string;
  ip?: string;
  user_agent?: string;
  session_id?: string;
}

export interface EventTarget {
  type: string;
  id: string;
  name?: string;
}

export interface EventSource {
  app: string;
  service?: string;
  environment?: string;
  version?: string;
}

/** A stored event: what the producer sent plus `tenant`, `received_at` and its ledger place. */
export interface AuditEvent {
  id: string;
  time: string;
  action: string;
  category?: string;
  outcome?: Outcome;
  actor: EventActor;
  targets?: EventTarget[];
  source?: EventSource;
  context?: { request_id?: string; trace_id?: string };
  changes?: { before?: unknown; after?: unknown };
  description?: string;
  metadata?: Record<string, unknown>;
  tenant?: string;
  received_at?: string;
  ledger?: { index: number; leaf_hash: string };
}

export interface EventPage {
  items: AuditEvent[];
  next_cursor: string | null;
}

export interface StatsBucket {
  start: string;
  count: number;
}

export interface EventStats {
  since: string;
  until: string;
  bucket_seconds: number;
  total: number;
  series: StatsBucket[];
}
