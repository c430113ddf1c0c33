/** Server state of compliance: one hook per API read, and the writes with their invalidations. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { api } from "../../api/client";
import type { Query } from "../../api/client";
import type {
  Account,
  AccountCreate,
  AccountUpdate,
  ComplianceException,
  Control,
  ControlSummary,
  ExceptionCreate,
  Finding,
  FindingPage,
  FrameworkDetail,
  FrameworkSummary,
  Scan,
  ScorePoint,
} from "./types";

export const BASE = "/api/v1/compliance";
const ROOT = ["compliance"] as const;

/** A scan still in progress: pages poll it. */
export const isActive = (scan: Pick<Scan, "status">) => scan.status === "queued" || scan.status === "running";

export function useAccounts() {
  return useQuery({ queryKey: [...ROOT, "accounts"], queryFn: () => api<Account[]>(`${BASE}/accounts`) });
}

export function useScans(before?: number) {
  return useQuery({
    queryKey: [...ROOT, "scans", before ?? null],
    queryFn: () => api<Scan[]>(`${BASE}/scans`, { query: { limit: 50, before } }),
    refetchInterval: (q) => (q.state.data?.some(isActive) ? 2000 : false),
  });
}

export function useScan(id: string | undefined) {
  return useQuery({
    queryKey: [...ROOT, "scan", id],
    queryFn: () => api<Scan>(`${BASE}/scans/${id}`),
    enabled: Boolean(id),
    refetchInterval: (q) => (q.state.data && !isActive(q.state.data) ? false : 1000),
  });
}

export function useFindings(query: Query) {
  return useQuery({
    queryKey: [...ROOT, "findings", query],
    queryFn: () => api<FindingPage>(`${BASE}/findings`, { query }),
  });
}

export function useFinding(id: string | number | undefined) {
  return useQuery({
    queryKey: [...ROOT, "finding", String(id)],
    queryFn: () => api<Finding>(`${BASE}/findings/${id}`),
    enabled: id !== undefined,
  });
}

export function useExceptions() {
  return useQuery({
    queryKey: [...ROOT, "exceptions"],
    queryFn: () => api<ComplianceException[]>(`${BASE}/exceptions`),
  });
}

export function useScores() {
  return useQuery({
    queryKey: [...ROOT, "scores"],
    queryFn: () => api<ScorePoint[]>(`${BASE}/scores`, { query: { limit: 1000 } }),
  });
}

export function useFrameworks() {
  return useQuery({ queryKey: [...ROOT, "frameworks"], queryFn: () => api<FrameworkSummary[]>(`${BASE}/frameworks`) });
}

export function useFramework(id: string | undefined, account?: string) {
  return useQuery({
    queryKey: [...ROOT, "framework", id, account ?? null],
    queryFn: () => api<FrameworkDetail>(`${BASE}/frameworks/${id}`, { query: { account } }),
    enabled: Boolean(id),
  });
}

export function useControls() {
  return useQuery({
    queryKey: [...ROOT, "controls"],
    queryFn: () => api<ControlSummary[]>(`${BASE}/controls`),
    staleTime: Infinity, // the library changes only with a server upgrade
  });
}

export function useControl(id: string | undefined) {
  return useQuery({
    queryKey: [...ROOT, "control", id],
    queryFn: () => api<Control>(`${BASE}/controls/${id}`),
    enabled: Boolean(id),
    staleTime: Infinity,
  });
}

/** After a write, everything compliance shows may have changed: refetch what is on screen. */
function useRefresh() {
  const client = useQueryClient();
  return () => client.invalidateQueries({ queryKey: ROOT });
}

export function useSaveAccount(existing?: string) {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: AccountCreate | AccountUpdate) =>
      existing
        ? api<Account>(`${BASE}/accounts/${encodeURIComponent(existing)}`, { method: "PATCH", body })
        : api<Account>(`${BASE}/accounts`, { method: "POST", body }),
    onSuccess: refresh,
  });
}

export function useRemoveAccount() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (name: string) => api<void>(`${BASE}/accounts/${encodeURIComponent(name)}`, { method: "DELETE" }),
    onSuccess: refresh,
  });
}

export function useStartScan() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (account: string) => api<Scan>(`${BASE}/scans`, { method: "POST", body: { account } }),
    onSuccess: refresh,
  });
}

export function useCreateException() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (body: ExceptionCreate) =>
      api<ComplianceException>(`${BASE}/exceptions`, { method: "POST", body }),
    onSuccess: refresh,
  });
}

export function useRevokeException() {
  const refresh = useRefresh();
  return useMutation({
    mutationFn: (id: number) => api<ComplianceException>(`${BASE}/exceptions/${id}`, { method: "DELETE" }),
    onSuccess: refresh,
  });
}
