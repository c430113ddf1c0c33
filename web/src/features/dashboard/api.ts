/** What the dashboard reads from the API, and the queries that read it. */
import { useQuery } from "@tanstack/react-query";
import { api } from "../../api/client";
import { sinceFor } from "./windows";
import type { WindowId } from "./windows";

export interface Count {
  value: string;
  count: number;
}

export interface AuditStats {
  since: string;
  until: string;
  bucket_seconds: number;
  total: number;
  series: { start: string; count: number }[];
  top_actions: Count[];
  top_actors: Count[];
  top_targets: Count[];
}

export interface Checkpoint {
  tree_size: number;
  root_hash: string;
  key_id: string;
  timestamp: string | null;
  age_seconds: number | null;
}

export interface LedgerStatus {
  origin: string;
  tree_size: number;
  checkpoint: Checkpoint | null;
}

export interface FrameworkScore {
  id: string;
  name: string;
  score: number | null;
  trend: { at: string; score: number | null }[];
}

export interface ScanBrief {
  id: number;
  account: string;
  status: "queued" | "running" | "succeeded" | "failed";
  created_at: string;
  finished_at: string | null;
}

export interface ComplianceSummary {
  open_findings: Record<string, number>;
  open_by_service: { service: string; count: number }[];
  muted: number;
  errors: number;
  /** How many cloud accounts are connected. */
  accounts: number;
  last_scan: ScanBrief | null;
  frameworks: FrameworkScore[];
}

/** How many top entries the dashboard asks for. */
export const TOP = 10;

export function useAuditStats(windowId: WindowId, enabled = true) {
  return useQuery({
    enabled,
    queryKey: ["dashboard", "audit-stats", windowId],
    queryFn: ({ signal }) =>
      api<AuditStats>("/api/v1/audit/stats", { query: { since: sinceFor(windowId), top: TOP }, signal }),
    refetchInterval: 60_000,
  });
}

export function useLedgerStatus() {
  return useQuery({
    queryKey: ["dashboard", "ledger-status"],
    queryFn: ({ signal }) => api<LedgerStatus>("/api/v1/ledger/status", { signal }),
    refetchInterval: 15_000,
  });
}

export function useComplianceSummary() {
  return useQuery({
    queryKey: ["dashboard", "compliance-summary"],
    queryFn: ({ signal }) => api<ComplianceSummary>("/api/v1/compliance/summary", { signal }),
    refetchInterval: 60_000,
  });
}
