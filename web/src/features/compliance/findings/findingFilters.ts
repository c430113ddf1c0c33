/** The findings filters and their place in the URL, so a filtered list can be bookmarked and shared. */
import type { Query } from "../../../api/client";
import { FINDING_STATUSES, SEVERITIES } from "../types";
import type { FindingStatus, Severity } from "../types";

export interface FindingFilters {
  framework: string;
  severity: Severity[];
  /** Empty means every status. */
  status: FindingStatus[];
  service: string;
  account: string;
  control: string;
  includeGone: boolean;
}

/** Without a status in the URL the list shows open failures. */
export const DEFAULT_STATUS: FindingStatus[] = ["FAIL"];
const EVERY_STATUS = "all";

export const DEFAULT_FILTERS: FindingFilters = {
  framework: "",
  severity: [],
  status: DEFAULT_STATUS,
  service: "",
  account: "",
  control: "",
  includeGone: false,
};

export function filtersFromParams(params: URLSearchParams): FindingFilters {
  const statuses = params.getAll("status");
  return {
    framework: params.get("framework") ?? "",
    severity: SEVERITIES.filter((s) => params.getAll("severity").includes(s)),
    status: !statuses.length
      ? DEFAULT_STATUS
      : statuses.includes(EVERY_STATUS)
        ? []
        : FINDING_STATUSES.filter((s) => statuses.includes(s)),
    service: params.get("service") ?? "",
    account: params.get("account") ?? "",
    control: params.get("control") ?? "",
    includeGone: params.get("include_gone") === "true",
  };
}

/** The URL form: defaults are left out, so the plain page URL means open failures. */
export function paramsFromFilters(filters: FindingFilters): URLSearchParams {
  const params = new URLSearchParams();
  if (filters.framework) params.set("framework", filters.framework);
  filters.severity.forEach((s) => params.append("severity", s));
  const isDefault =
    filters.status.length === DEFAULT_STATUS.length && filters.status.every((s) => DEFAULT_STATUS.includes(s));
  if (!filters.status.length) params.set("status", EVERY_STATUS);
  else if (!isDefault) filters.status.forEach((s) => params.append("status", s));
  if (filters.service) params.set("service", filters.service);
  if (filters.account) params.set("account", filters.account);
  if (filters.control) params.set("control", filters.control);
  if (filters.includeGone) params.set("include_gone", "true");
  return params;
}

export function isDefaultFilters(filters: FindingFilters): boolean {
  return paramsFromFilters(filters).toString() === "";
}

/** The API's query for a page of the list. */
export function findingsQuery(filters: FindingFilters, before?: number): Query {
  return {
    framework: filters.framework,
    severity: filters.severity,
    status: filters.status,
    service: filters.service,
    account: filters.account,
    control: filters.control,
    include_gone: filters.includeGone || undefined,
    before,
    limit: 50,
  };
}

/** The export's query: the export takes every filter but service and include_gone. */
export function exportQuery(filters: FindingFilters, format: "json" | "csv" | "ocsf"): Query {
  return {
    format,
    framework: filters.framework,
    severity: filters.severity,
    status: filters.status,
    account: filters.account,
    control: filters.control,
  };
}
