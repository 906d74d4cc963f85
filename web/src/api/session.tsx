import { useQuery, useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

import { api } from "./client";
import { tokens, type Tokens } from "./tokens";
import type { AuthAnswer, Me, Role } from "./types";

interface Session {
  signedIn: boolean;
  me: Me | undefined;
  loading: boolean;
  /** GET /auth/me failed (a 401 ends the session instead), with `error` and a `retry`. */
  failed: boolean;
  error: unknown;
  retry: () => void;
  /** Starts the session from an answer of signup, login or accept-invitation. */
  begin: (answer: AuthAnswer) => void;
  logout: () => Promise<void>;
}

const SessionContext = createContext<Session | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [current, setCurrent] = useState<Tokens | null>(tokens.get());
  useEffect(() => tokens.subscribe(setCurrent), []);
  const signedIn = current !== null;
  const me = useQuery({
    queryKey: ["me"],
    queryFn: () => api<Me>("/auth/me"),
    enabled: signedIn,
    staleTime: 60_000,
    retry: 1,
  });
  useEffect(() => {
    if (!signedIn) client.clear(); // nothing of the last session stays in memory
  }, [signedIn, client]);

  const value: Session = {
    signedIn,
    me: signedIn ? me.data : undefined,
    loading: signedIn && me.isPending,
    failed: signedIn && me.isError,
    error: me.error,
    retry: () => void me.refetch(),
    begin: (answer) => {
      client.clear();
      tokens.set({ access_token: answer.access_token, refresh_token: answer.refresh_token });
    },
    logout: async () => {
      try {
        await api("/auth/logout", { method: "POST" });
      } finally {
        tokens.clear();
      }
    },
  };
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): Session {
  const s = useContext(SessionContext);
  if (!s) throw new Error("useSession outside SessionProvider");
  return s;
}

const RANK: Record<Role, number> = { client: 0, viewer: 1, member: 2, manager: 3, admin: 4, owner: 5 };

/** Whether `role` is `least` or above (a client is below everyone). */
export function atLeast(role: Role | undefined, least: Role): boolean {
  return role !== undefined && RANK[role] >= RANK[least];
}
