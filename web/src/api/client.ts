/** The one way the UI talks to the API: bearer token, refresh on 401, one error shape. */

export interface ApiErrorBody {
  code: string;
  message: string;
  details?: unknown;
}

/** An answer other than 2xx, carrying the API's `{"error": {...}}` body. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, body: ApiErrorBody) {
    super(body.message);
    this.status = status;
    this.code = body.code;
    this.details = body.details;
  }

  /** A line for the screen: the message, plus field reasons when the API gave them. */
  describe(): string {
    if (Array.isArray(this.details)) {
      const parts = this.details
        .map((d) => {
          const item = d as { field?: string; reason?: string; loc?: unknown };
          return item.field ? `${item.field}: ${item.reason ?? ""}` : (item.reason ?? "");
        })
        .filter(Boolean);
      if (parts.length) return `${this.message} (${parts.join("; ")})`;
    }
    return this.message;
  }
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
}

type Listener = (tokens: Tokens | null) => void;

const STORAGE_KEY = "sealtrail.refresh";

/** Holds the access token in memory and the refresh token in sessionStorage (per tab). */
class TokenStore {
  private access: string | null = null;
  private listeners = new Set<Listener>();
  private refreshing: Promise<boolean> | null = null;

  get accessToken(): string | null {
    return this.access;
  }

  get refreshToken(): string | null {
    return sessionStorage.getItem(STORAGE_KEY);
  }

  set(tokens: Tokens | null): void {
    this.access = tokens?.access_token ?? null;
    if (tokens) sessionStorage.setItem(STORAGE_KEY, tokens.refresh_token);
    else sessionStorage.removeItem(STORAGE_KEY);
    this.listeners.forEach((l) => l(tokens));
  }

  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Trade the refresh token for new tokens; concurrent callers share one request. */
  refresh(): Promise<boolean> {
    const token = this.refreshToken;
    if (!token) return Promise.resolve(false);
    this.refreshing ??= fetch("/api/v1/auth/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh_token: token }),
    })
      .then(async (res) => {
        if (!res.ok) {
          this.set(null);
          return false;
        }
        this.set((await res.json()) as Tokens);
        return true;
      })
      .catch(() => false)
      .finally(() => {
        this.refreshing = null;
      });
    return this.refreshing;
  }
}

export const tokens = new TokenStore();

export type Query = Record<string, string | number | boolean | string[] | null | undefined>;

/** `?a=1&b=x&b=y`, leaving out empty values. */
export function queryString(query: Query | undefined): string {
  if (!query) return "";
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === "") continue;
    if (Array.isArray(value)) value.forEach((v) => params.append(key, v));
    else params.append(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : "";
}

export interface RequestOptions {
  method?: string;
  query?: Query;
  body?: unknown;
  /** Return the raw Response (for text, blobs and streams). */
  raw?: boolean;
  signal?: AbortSignal;
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = {};
  if (tokens.accessToken) headers.Authorization = `Bearer ${tokens.accessToken}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  return fetch(path + queryString(options.query), {
    method: options.method ?? "GET",
    headers,
    body: options.body === undefined ? undefined : JSON.stringify(options.body),
    signal: options.signal,
  });
}

async function failure(res: Response): Promise<ApiError> {
  try {
    const body = (await res.json()) as { error?: ApiErrorBody };
    if (body.error) return new ApiError(res.status, body.error);
  } catch {
    /* not JSON: fall through */
  }
  return new ApiError(res.status, { code: "http_error", message: `${res.status} ${res.statusText}` });
}

/** Call the API; on 401 refresh the session once and retry. Throws `ApiError`. */
export async function api<T = unknown>(path: string, options: RequestOptions = {}): Promise<T> {
  let res = await send(path, options);
  if (res.status === 401 && tokens.refreshToken && (await tokens.refresh())) {
    res = await send(path, options);
  }
  if (!res.ok) throw await failure(res);
  if (options.raw) return res as unknown as T;
  if (res.status === 204) return undefined as T;
  const type = res.headers.get("content-type") ?? "";
  return (type.includes("json") ? await res.json() : await res.text()) as T;
}
