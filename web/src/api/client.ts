// One way to call the gateway: JSON in and out, the session's bearer token, one refresh on a 401,
// and problem+json errors (API.md, General rules) surfaced as ApiError with every field named.

import { tokens, type Tokens } from "./tokens";

export const API = "/api/v1";

export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly errors: FieldError[] = [],
    /** The whole problem document, extensions included (e.g. login's `organizations`). */
    readonly problem: Record<string, unknown> = {},
  ) {
    super(detail || title);
  }

  /** The message for one field of a form, if the gateway named it. */
  field(name: string): string | undefined {
    return this.errors.find((e) => namesField(e.field, name))?.message;
  }
}

/** Whether the gateway's `reported` field is the form's `name`, itself or nested (`body.email`). */
export function namesField(reported: string, name: string): boolean {
  return reported === name || reported.endsWith(`.${name}`);
}

type Query = Record<string, string | number | boolean | null | undefined>;

export interface RequestOptions {
  method?: string;
  body?: unknown;
  query?: Query;
  /** Sent as Idempotency-Key on POST, so a retried click never does a thing twice. */
  idempotencyKey?: string;
  /** Sent as If-Match: the ETag the object was read with, so a change made meanwhile by someone
   * else is refused (412, see isStale) instead of overwritten. None: no condition. */
  ifMatch?: string;
  signal?: AbortSignal;
}

export function url(path: string, query?: Query): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") params.set(key, String(value));
  }
  const qs = params.toString();
  return `${API}${path}${qs ? `?${qs}` : ""}`;
}

type Refreshed = "refreshed" | "ended" | "unavailable";
let refreshing: Promise<Refreshed> | null = null;

/** Trade the refresh token for a new pair, once however many requests saw the 401 at once, and
 * once across tabs: they share the tokens, and a refresh token presented twice revokes its
 * whole family (API.md), which would sign every tab out. `stale` is the access token that was
 * refused: if another tab has replaced it meanwhile, there is nothing to do. */
export function refreshSession(stale: string | undefined): Promise<Refreshed> {
  refreshing ??= withLock(async (): Promise<Refreshed> => {
    const current = tokens.get();
    if (!current?.refresh_token) return "ended";
    if (current.access_token !== stale) return "refreshed";
    try {
      const res = await fetch(url("/auth/refresh"), {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ refresh_token: current.refresh_token }),
      });
      // Only the gateway saying no ends the session; a 429, a 503 or no network is a retry later.
      if (res.status === 400 || res.status === 401) return "ended";
      if (!res.ok) return "unavailable";
      const body = (await res.json()) as Tokens;
      tokens.set({ access_token: body.access_token, refresh_token: body.refresh_token });
      return "refreshed";
    } catch {
      return "unavailable";
    }
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

function withLock<T>(fn: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? locks.request("labs.session.refresh", fn) : fn();
}

async function send(path: string, options: RequestOptions): Promise<Response> {
  const headers: Record<string, string> = { Accept: "application/json" };
  const access = tokens.get()?.access_token;
  if (access) headers.Authorization = `Bearer ${access}`;
  let body: BodyInit | undefined;
  if (options.body instanceof FormData) {
    body = options.body;
  } else if (options.body !== undefined) {
    headers["Content-Type"] = "application/json";
    body = JSON.stringify(options.body);
  }
  if (options.idempotencyKey) headers["Idempotency-Key"] = options.idempotencyKey;
  if (options.ifMatch) headers["If-Match"] = options.ifMatch;
  return fetch(url(path, options.query), {
    method: options.method ?? (options.body === undefined ? "GET" : "POST"),
    headers,
    body,
    signal: options.signal,
  });
}

async function problemOf(res: Response): Promise<ApiError> {
  try {
    const p = await res.json();
    return new ApiError(res.status, p.title ?? res.statusText, p.detail ?? "", p.errors ?? [], p);
  } catch {
    return new ApiError(res.status, res.statusText, "");
  }
}

export async function request(path: string, options: RequestOptions = {}): Promise<Response> {
  const used = tokens.get()?.access_token;
  let res = await send(path, options);
  if (res.status === 401 && used) {
    const outcome = await refreshSession(used);
    if (outcome === "refreshed") res = await send(path, options);
    else if (outcome === "ended") tokens.clear(); // the session is over: back to login
  }
  if (!res.ok) throw await problemOf(res);
  return res;
}

export async function api<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const res = await request(path, options);
  if (res.status === 204) return undefined as T;
  return (await res.json()) as T;
}

/** An object with the ETag its answer carried (API.md, General rules: single objects and PATCH
 * answers carry one; PATCH and PUT refuse a stale If-Match with 412). The tag rides on the object
 * itself, so a cache entry shared by several views, and every update that spreads it
 * (`{ ...old, margin }`), keep it; it is the header's value as given (quotes included), never a
 * field of the API's. */
export type Tagged<T> = T & { etag?: string };

/** Like `api`, for one object whose ETag a later edit sends back as `ifMatch`. */
export async function apiTagged<T extends object>(path: string, options: RequestOptions = {}): Promise<Tagged<T>> {
  const res = await request(path, options);
  const body = (await res.json()) as T;
  const etag = res.headers.get("ETag");
  return etag ? { ...body, etag } : body;
}

/** Whether an edit was refused because the object changed since it was read (412). */
export function isStale(error: unknown): boolean {
  return error instanceof ApiError && error.status === 412;
}

/** A new key per user action (not per retry of it). */
export function idempotencyKey(): string {
  // randomUUID exists only in secure contexts (HTTPS, localhost); getRandomValues everywhere.
  if (typeof crypto.randomUUID === "function") return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const hex = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
