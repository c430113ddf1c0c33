/** Sample API answers for the compliance tests, shaped like the real server's. */
import type { Account, ComplianceException, Finding, Scan } from "./types";

export const account: Account = {
  id: 1,
  name: "prod",
  provider: "aws",
  account_id: "123456789012",
  regions: ["eu-west-1"],
  auth: "keys",
  access_key_id: "AKIA…MPLE",
  role_arn: null,
  endpoint_url: null,
  created_at: "2026-11-25T10:00:00Z",
  updated_at: "2026-11-25T10:00:00Z",
};

export const finding: Finding = {
  id: 7,
  account: "prod",
  control_id: "AWS-EC2-001",
  title: "No security group allows SSH (22) from the internet",
  service: "ec2",
  severity: "high",
  resource_id: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1",
  resource_type: "aws.ec2.security_group",
  region: "eu-west-1",
  status: "FAIL",
  result: "FAIL",
  details: "ingress[0] matches",
  exception_id: null,
  first_seen: "2026-11-25T10:00:00Z",
  last_seen: "2026-11-25T10:00:00Z",
  resolved_at: null,
  last_scan_id: 3,
  evidence: { arn: "arn:aws:ec2:eu-west-1:123456789012:security-group/sg-1", name: "ssh-open", config: { ingress: [] } },
  remediation: { guidance: "Remove the rule.", cli: "aws ec2 revoke-security-group-ingress ...", url: null },
  frameworks: { "cis-aws-3.0": [{ requirement: "5.2", relation: "partial" }] },
};

export const exception: ComplianceException = {
  id: 2,
  account: "prod",
  control_id: "AWS-EC2-001",
  resource_pattern: "arn:aws:ec2:*",
  owner: "ops@example.com",
  reason: "bastion during the migration",
  expires_at: "2027-01-31T23:59:59Z",
  created_by: { type: "user", id: "1", name: "me@example.com" },
  created_at: "2026-11-25T10:00:00Z",
  revoked_at: null,
  state: "active",
};

export function scan(overrides: Partial<Scan> = {}): Scan {
  return {
    id: 3,
    account: "prod",
    status: "succeeded",
    regions: ["eu-west-1"],
    controls: 43,
    framework: null,
    requested_by: { type: "user", id: "1", name: "me@example.com" },
    progress: { done: 9, total: 9, label: "done", percent: 100 },
    created_at: "2026-11-25T10:00:00Z",
    started_at: "2026-11-25T10:00:01Z",
    finished_at: "2026-11-25T10:00:03Z",
    duration_seconds: 2,
    error: null,
    summary: {
      resources: 12,
      counts: { PASS: 14, FAIL: 27, ERROR: 0, NOT_APPLICABLE: 13, MUTED: 0 },
      coverage: { evaluated: 31, applicable: 31, ratio: 1, not_evaluated: [] },
      diff: { counts: { new: 1, resolved: 0, regressed: 0 }, new: [7], resolved: [], regressed: [] },
      scores: { "cis-aws-3.0": { passed: 11, failed: 18, errors: 0, muted: 0, score: 0.3793 } },
      collection_errors: [],
    },
    ...overrides,
  };
}
