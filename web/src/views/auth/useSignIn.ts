// What signing up, logging in and accepting an invitation share: post the form, start the
// session from the answer (and the dashboard's reads beside GET /auth/me), or keep the error.

import { useQueryClient } from "@tanstack/react-query";
import { useState } from "react";

import { api } from "../../api/client";
import { useSession } from "../../api/session";
import type { AuthAnswer } from "../../api/types";
import { prefetchDashboard } from "../dashboard/queries";

export function useSignIn(path: "/auth/login" | "/auth/signup" | "/auth/accept-invitation") {
  const { begin } = useSession();
  const queries = useQueryClient();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  /** Signs in with `body`; on failure keeps the error (unless `handled` takes it) and says so. */
  async function signIn(body: object, handled?: (error: unknown) => boolean): Promise<void> {
    setBusy(true);
    setError(null);
    try {
      begin(await api<AuthAnswer>(path, { body }));
      prefetchDashboard(queries);
    } catch (err) {
      if (!handled?.(err)) setError(err);
    } finally {
      setBusy(false);
    }
  }

  return { signIn, error, busy };
}
