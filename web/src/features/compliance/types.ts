/** Shapes of the compliance API (src/sealtrail/compliance/schemas.py and routes.py). */

export type Severity = "critical" | "high" | "medium" | "low" | "informational";
export type FindingStatus = "PASS" | "FAIL" | "ERROR" | "NOT_APPLICABLE" | "MUTED";
export type ScanStatus = "queued" | "running" | "succeeded" | "failed";

export const SEVERITIES: Severity[] = ["critical", "high", "medium", "low", "informational"];
export const FINDING_STATUSES: FindingStatus[] = ["FAIL", "ERROR", "MUTED", "PASS", "NOT_APPLICABLE"];

export interface Account {
  id: number;
  name: string;
  provider: string;
  account_id: string;
  regions: string[];
  auth: "keys" | "role";
  /** Masked, e.g. AKIA…MPLE; the secret is never returned. */
  access_key_id: string | null;
  role_arn: string | null;
  endpoint_url: string | null;
  created_at: string;
  updated_at: string;
}

export interface AccessKeys {
  access_key_id: string;
  secret_access_key: string;
  session_token?: string;
}

export interface AssumeRole {
  role_arn: string;
  external_id?: string;
}

export interface AccountCreate {
  name: string;
  account_id: string;
  regions: string[];
  access_keys?: AccessKeys;
  assume_role?: AssumeRole;
  endpoint_url?: string;
}

export type AccountUpdate = Partial<Pick<AccountCreate, "regions" | "access_keys" | "assume_role" | "endpoint_url">>;

export interface FrameworkScore {
  passed: number;
  failed: number;
  errors: number;
  muted: number;
  score: number | null;
}

export interface ScanSummary {
  resources: number;
  counts: Record<FindingStatus, number>;
  coverage: { evaluated: number; applicable: number; ratio: number | null; not_evaluated: string[] };
  diff: {
    counts: { new: number; resolved: number; regressed: number };
    new: number[];
    resolved: number[];
    regressed: number[];
  };
  scores: Record<string, FrameworkScore>;
  collection_errors: { resource_type: string; region: string; operation: string; reason: string }[];
}

export interface Scan {
  id: number;
  account: string;
  status: ScanStatus;
  regions: string[];
  controls: number;
  framework: string | null;
  requested_by: Record<string, unknown>;
  progress: { done: number; total: number; label: string | null; percent: number };
  created_at: string;
  started_at: string | null;
  finished_at: string | null;
  duration_seconds: number | null;
  error: string | null;
  summary: ScanSummary | null;
}

export interface Remediation {
  guidance: string;
  cli?: string | null;
  url?: string | null;
}

export interface Mapping {
  requirement: string;
  relation: "full" | "partial";
}

export interface Finding {
  id: number;
  account: string;
  control_id: string;
  title: string;
  service: string;
  severity: Severity;
  resource_id: string;
  resource_type: string;
  region: string;
  status: FindingStatus;
  /** What the control said before any exception applied. */
  result: FindingStatus;
  details: string;
  exception_id: number | null;
  first_seen: string;
  last_seen: string;
  resolved_at: string | null;
  last_scan_id: number;
  evidence?: Record<string, unknown> | null;
  remediation?: Remediation | null;
  frameworks?: Record<string, Mapping[]> | null;
}

export interface FindingPage {
  items: Finding[];
  next_before: number | null;
}

export interface ExceptionCreate {
  account?: string;
  control_id: string;
  resource_pattern: string;
  owner: string;
  reason: string;
  expires_at: string;
}

export interface ComplianceException {
  id: number;
  account: string | null;
  control_id: string;
  resource_pattern: string;
  owner: string;
  reason: string;
  expires_at: string;
  created_by: Record<string, unknown>;
  created_at: string;
  revoked_at: string | null;
  state: "active" | "expired" | "revoked";
}

export interface ScorePoint extends FrameworkScore {
  scan_id: number;
  account: string;
  framework: string;
  at: string;
}

export interface FrameworkSummary {
  id: string;
  name: string;
  version: string;
  requirements: number;
  automated: number;
  manual: number;
  controls: number;
  latest_score: ScorePoint | null;
}

/** A requirement's or covering control's status; `not_scanned` and `manual` are the API's words. */
export type CoverageStatus = FindingStatus | "not_scanned" | "manual";

export interface RequirementControl {
  id: string;
  title: string;
  relation: "full" | "partial";
  status: CoverageStatus;
  counts: Partial<Record<FindingStatus, number>>;
}

export interface Requirement {
  id: string;
  title: string;
  status: CoverageStatus;
  controls: RequirementControl[];
}

export interface FrameworkDetail {
  id: string;
  name: string;
  version: string;
  requirements: Requirement[];
}

export interface ControlSummary {
  id: string;
  title: string;
  severity: Severity;
  service: string;
  category: string;
  resource_type: string;
  frameworks: string[];
}

export interface Control extends Omit<ControlSummary, "frameworks"> {
  description: string;
  rationale: string;
  applies_when: Record<string, unknown> | null;
  condition: Record<string, unknown> | null;
  hook: string | null;
  remediation: Remediation;
  frameworks: Record<string, Mapping[]>;
}
