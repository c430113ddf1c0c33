/** Users, API keys and tenants: the shapes the API returns and the queries that read them. */
import { useQuery } from "@tanstack/react-query";
import { api, ApiError } from "../../api/client";
import type { Role } from "../../auth/AuthContext";

export const ROLES: { value: Role; label: string; help: string }[] = [
  { value: "admin", label: "Admin", help: "everything in the tenant: users, API keys, cloud accounts" },
  { value: "analyst", label: "Analyst", help: "reads the trail, starts scans, works findings" },
  { value: "auditor", label: "Auditor", help: "reads the trail, ledger and evidence; changes nothing" },
];

export interface User {
  id: number;
  tenant: string;
  email: string;
  name: string | null;
  role: Role;
  superadmin: boolean;
  sso: boolean;
  created_at: string;
  disabled_at: string | null;
  last_login_at: string | null;
}

export interface UserCreated extends User {
  /** The generated password, shown once; null when one was given. */
  password: string | null;
}

export type Scope = "ingest" | "read" | "admin";

export interface ApiKey {
  id: number;
  tenant: string;
  name: string;
  prefix: string;
  scopes: Scope[];
  created_at: string;
  revoked_at: string | null;
}

export interface ApiKeyCreated extends ApiKey {
  /** The secret: in this answer only. */
  key: string;
}

export interface Tenant {
  id: number;
  name: string;
  created_at: string;
}

export interface TenantCreated extends Tenant {
  admin: UserCreated | null;
}

export const usersKey = ["admin", "users"] as const;
export const keysKey = ["admin", "keys"] as const;
export const tenantsKey = ["admin", "tenants"] as const;

export function useUsers() {
  return useQuery({ queryKey: usersKey, queryFn: ({ signal }) => api<User[]>("/api/v1/users", { signal }) });
}

export function useKeys() {
  return useQuery({ queryKey: keysKey, queryFn: ({ signal }) => api<ApiKey[]>("/api/v1/keys", { signal }) });
}

export function useTenants() {
  return useQuery({ queryKey: tenantsKey, queryFn: ({ signal }) => api<Tenant[]>("/api/v1/tenants", { signal }) });
}

/** The API's reasons per field (`details: [{field, reason}]`), for showing beside the inputs. */
export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (error instanceof ApiError && Array.isArray(error.details)) {
    for (const d of error.details as { field?: string; reason?: string }[]) {
      if (d.field && d.reason && !out[d.field]) out[d.field] = d.reason;
    }
  }
  return out;
}

/** A sentence for an error that is not about one field. */
export function errorText(error: unknown): string {
  if (error instanceof ApiError) return error.status === 403 ? "Your role does not allow this." : error.message;
  return error instanceof Error ? error.message : String(error);
}
