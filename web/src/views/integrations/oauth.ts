// OAuth leaves the console for the platform and comes back to /integrations?code=&state=.
// Which platform it was is remembered in sessionStorage across the trip (this tab only).

import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useRef, useState } from "react";
import { useSearchParams } from "react-router-dom";

import { api, ApiError, idempotencyKey } from "../../api/client";
import { platformInfo, type ConnectionRecord, type PlatformName } from "./platforms";

const PENDING = "labs.integrations.oauth";

interface Pending {
  platform: PlatformName;
  state: string;
}

function rememberPending(p: Pending): void {
  sessionStorage.setItem(PENDING, JSON.stringify(p));
}

function takePending(): Pending | null {
  const raw = sessionStorage.getItem(PENDING);
  sessionStorage.removeItem(PENDING);
  try {
    return raw ? (JSON.parse(raw) as Pending) : null;
  } catch {
    return null;
  }
}

/** A local fake of a platform (tests, development) is reached over http. */
function isLocal(address: string): boolean {
  const { protocol, hostname } = new URL(address, window.location.origin);
  return protocol === "http:" && (hostname === "localhost" || hostname === "127.0.0.1");
}

/** Where OAuth sends the user back. */
export function redirectUrl(): string {
  return `${window.location.origin}/integrations`;
}

/** Starts OAuth for a platform: ask the gateway for the platform's URL, then go there. */
export function useStartOAuth(platform: PlatformName) {
  return useMutation({
    mutationFn: () =>
      api<{ auth_url: string; state: string }>(`/integrations/${platform}/auth`, {
        body: { redirect_url: redirectUrl() },
        idempotencyKey: idempotencyKey(),
      }),
    onSuccess: ({ auth_url, state }) => {
      // Only ever a platform's own https page: never a script or an address that is not one.
      if (new URL(auth_url, window.location.origin).protocol !== "https:" && !isLocal(auth_url)) {
        throw new Error("The platform's authorization address is not https.");
      }
      rememberPending({ platform, state });
      window.location.assign(auth_url);
    },
  });
}

/** A readable reason for a failed connect: a platform this installation cannot reach yet. */
export function connectProblem(error: unknown, label: string): string | null {
  if (error instanceof ApiError && error.status === 422 && error.field("platform")) {
    return `${label} cannot be connected on this Labs installation yet.`;
  }
  return null;
}

interface Finish {
  platform: PlatformName | null;
  code: string;
  state: string;
  /** The state this tab was given when it started the authorization. */
  expected: string | null;
}

/** On the way back from the platform: trade code and state for the connection, once, and
 * take them out of the address bar (a state works once; a reload must not send it again). */
export function useOAuthReturn() {
  const [params, setParams] = useSearchParams();
  const client = useQueryClient();
  const handled = useRef(false);
  const [denial, setDenial] = useState<string | null>(null);
  const finish = useMutation({
    mutationFn: ({ platform, code, state, expected }: Finish) => {
      if (!platform) {
        return Promise.reject(new Error("This authorization was started in another tab or browser: connect the platform again from here."));
      }
      if (expected !== state) {
        // Not the authorization this tab started: a link from elsewhere must not connect an
        // account to this organization.
        return Promise.reject(new Error("This authorization does not match the one started here: connect the platform again."));
      }
      return api<ConnectionRecord>(`/integrations/${platform}/callback`, {
        body: { code, state },
        idempotencyKey: idempotencyKey(),
      });
    },
    onSuccess: () => void client.invalidateQueries({ queryKey: ["integrations"] }),
  });
  const { mutate } = finish;

  const code = params.get("code");
  const state = params.get("state");
  const refused = params.get("error");
  const reason = params.get("error_description") || refused;

  useEffect(() => {
    if (handled.current || (!code && !refused)) return;
    handled.current = true; // StrictMode runs effects twice; the platform's code works once
    const pending = takePending();
    if (code && state) {
      mutate({ platform: pending?.platform ?? null, code, state, expected: pending?.state ?? null });
    } else {
      setDenial(`${labelOf(pending?.platform)} did not authorize the connection${reason ? ` (${reason})` : ""}.`);
    }
    setParams(new URLSearchParams(), { replace: true });
  }, [code, state, refused, reason, mutate, setParams]);

  return {
    finishing: finish.isPending,
    connected: finish.data ?? null,
    error: finish.error,
    platformLabel: labelOf(finish.variables?.platform),
    denial,
  };
}

function labelOf(platform: PlatformName | null | undefined): string {
  return platform ? platformInfo(platform).label : "The platform";
}
