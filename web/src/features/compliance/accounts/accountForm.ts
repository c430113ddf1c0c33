/** The account form: its fields, the API's rules checked before sending, and 422s mapped back. */
import { ApiError } from "../../../api/client";
import type { Account, AccountCreate, AccountUpdate } from "../types";

/** How Sealtrail gets into the account; `keep` (edit only) leaves the stored credentials. */
export type WayIn = "keys" | "role" | "keep";

export interface AccountForm {
  name: string;
  accountId: string;
  regions: string[];
  wayIn: WayIn;
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  roleArn: string;
  externalId: string;
  endpointUrl: string;
}

export type FormErrors = Partial<Record<keyof AccountForm | "form", string>>;

// The same patterns as src/sealtrail/compliance/schemas.py.
export const NAME = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const ACCOUNT_ID = /^\d{12}$/;
export const REGION = /^[a-z]{2}(-gov|-iso[a-z]*)?-[a-z]+-\d{1,2}$/;
const ACCESS_KEY_ID = /^[A-Z0-9]{16,128}$/;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::[0-9]{12}:role\/[A-Za-z0-9+=,.@_/-]+$/;
const MAX_REGIONS = 40;

export function emptyForm(): AccountForm {
  return {
    name: "",
    accountId: "",
    regions: [],
    wayIn: "keys",
    accessKeyId: "",
    secretAccessKey: "",
    sessionToken: "",
    roleArn: "",
    externalId: "",
    endpointUrl: "",
  };
}

/** The edit form of an account: secrets are never shown back, so they start empty. */
export function formOf(account: Account): AccountForm {
  return {
    ...emptyForm(),
    name: account.name,
    accountId: account.account_id,
    regions: account.regions,
    wayIn: "keep",
    endpointUrl: account.endpoint_url ?? "",
  };
}

/** Region names typed by hand: split on commas and spaces, lower-cased, without repeats. */
export function normalizeRegions(values: string[]): string[] {
  const out: string[] = [];
  for (const value of values.flatMap((v) => v.split(/[\s,]+/))) {
    const region = value.trim().toLowerCase();
    if (region && !out.includes(region)) out.push(region);
  }
  return out;
}

function isHttpUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return (url.protocol === "http:" || url.protocol === "https:") && Boolean(url.hostname);
  } catch {
    return false;
  }
}

/** Problems by field; empty when the form may be sent. */
export function validateAccount(form: AccountForm, mode: "create" | "edit", existing?: Account): FormErrors {
  const errors: FormErrors = {};
  if (mode === "create") {
    if (!NAME.test(form.name))
      errors.name = "Lower-case letters, digits, - and _, starting with a letter or digit (at most 63).";
    if (!ACCOUNT_ID.test(form.accountId)) errors.accountId = "An AWS account id is exactly 12 digits.";
  }
  const badRegion = form.regions.find((r) => !REGION.test(r));
  if (form.regions.length === 0) errors.regions = "Add at least one region, e.g. eu-west-1.";
  else if (badRegion) errors.regions = `“${badRegion}” is not an AWS region name (e.g. eu-west-1).`;
  else if (form.regions.length > MAX_REGIONS) errors.regions = `At most ${MAX_REGIONS} regions.`;
  if (form.wayIn === "keys") {
    if (!ACCESS_KEY_ID.test(form.accessKeyId))
      errors.accessKeyId = "16 or more upper-case letters and digits, e.g. AKIAIOSFODNN7EXAMPLE.";
    if (form.secretAccessKey.length < 16 || form.secretAccessKey.length > 128)
      errors.secretAccessKey = "The secret access key has 16 to 128 characters.";
    if (form.sessionToken.length > 4096) errors.sessionToken = "At most 4,096 characters.";
  } else if (form.wayIn === "role") {
    if (!ROLE_ARN.test(form.roleArn) || form.roleArn.length > 2048)
      errors.roleArn = "A role ARN, e.g. arn:aws:iam::123456789012:role/SealtrailAudit.";
    if (form.externalId && (form.externalId.length < 2 || form.externalId.length > 1224))
      errors.externalId = "An external id has 2 to 1,224 characters.";
  }
  if (form.endpointUrl.trim() && !isHttpUrl(form.endpointUrl.trim()))
    errors.endpointUrl = "An http:// or https:// URL, e.g. http://127.0.0.1:4566.";
  else if (mode === "edit" && existing?.endpoint_url && !form.endpointUrl.trim())
    errors.endpointUrl = "An endpoint cannot be removed; remove and add the account again to scan real AWS.";
  return errors;
}

function credentials(form: AccountForm): Pick<AccountCreate, "access_keys" | "assume_role"> {
  if (form.wayIn === "keys")
    return {
      access_keys: {
        access_key_id: form.accessKeyId,
        secret_access_key: form.secretAccessKey,
        ...(form.sessionToken ? { session_token: form.sessionToken } : {}),
      },
    };
  if (form.wayIn === "role")
    return { assume_role: { role_arn: form.roleArn, ...(form.externalId ? { external_id: form.externalId } : {}) } };
  return {};
}

export function createBody(form: AccountForm): AccountCreate {
  const endpoint = form.endpointUrl.trim();
  return {
    name: form.name,
    account_id: form.accountId,
    regions: form.regions,
    ...credentials(form),
    ...(endpoint ? { endpoint_url: endpoint } : {}),
  };
}

export function updateBody(form: AccountForm): AccountUpdate {
  const endpoint = form.endpointUrl.trim();
  return { regions: form.regions, ...credentials(form), ...(endpoint ? { endpoint_url: endpoint } : {}) };
}

const SERVER_FIELDS: [string, keyof AccountForm][] = [
  ["name", "name"],
  ["account_id", "accountId"],
  ["regions", "regions"],
  ["access_keys.access_key_id", "accessKeyId"],
  ["access_keys.secret_access_key", "secretAccessKey"],
  ["access_keys.session_token", "sessionToken"],
  ["assume_role.role_arn", "roleArn"],
  ["assume_role.external_id", "externalId"],
  ["endpoint_url", "endpointUrl"],
];

/** A refused save, said at the field it concerns (422 details, or the 409 on a taken name). */
export function serverErrors(error: unknown): FormErrors {
  if (!(error instanceof ApiError)) return { form: error instanceof Error ? error.message : String(error) };
  if (error.status === 409) return { name: "An account with this name exists already." };
  const errors: FormErrors = {};
  if (error.status === 422 && Array.isArray(error.details)) {
    for (const item of error.details as { field?: string; reason?: string }[]) {
      const field = item.field ?? "";
      const match = SERVER_FIELDS.find(([prefix]) => field === prefix || field.startsWith(`${prefix}.`));
      const key = match ? match[1] : "form";
      errors[key] ??= item.reason ?? error.message;
    }
  }
  if (!Object.keys(errors).length) errors.form = error.status === 403 ? "Your role may not change accounts." : error.describe();
  return errors;
}

/** Regions offered while typing; any other well-formed name is accepted too. */
export const COMMON_REGIONS = [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "ca-central-1",
  "eu-west-1",
  "eu-west-2",
  "eu-west-3",
  "eu-central-1",
  "eu-central-2",
  "eu-north-1",
  "eu-south-1",
  "ap-south-1",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "ap-northeast-2",
  "sa-east-1",
  "me-central-1",
  "af-south-1",
];
