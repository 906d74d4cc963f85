import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useState, type ReactNode } from "react";

import { refreshSession } from "../api/client";
import { tokens } from "../api/tokens";
import type { Margin } from "../api/types";
import { staleKeys } from "./events";
import { LiveSocket, socketUrl, type LiveState } from "./socket";

const LiveContext = createContext<LiveState>("closed");

/** Keeps every query on screen in step with the organization's events. The socket stays
 * org-wide (no project subscription): the alerts badge and the timer listen everywhere. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>("closed");

  useEffect(() => {
    const socket = new LiveSocket({
      url: socketUrl(window.location),
      token: () => tokens.get()?.access_token ?? null,
      onState: setState,
      onRefused: (stale) => void refreshSession(stale),
      onResync: () => void client.invalidateQueries(),
      onEvent: (event) => {
        const data = event.data ?? {};
        // A new margin is in the event itself: show it now, then let the lists refetch.
        if (event.type === "project:margin-updated" && data.project_id && data.margin) {
          client.setQueryData(["project", data.project_id], (old: object | undefined) =>
            old ? { ...old, margin: data.margin as Margin } : old,
          );
        }
        for (const key of staleKeys(event)) void client.invalidateQueries({ queryKey: [key] });
      },
    });
    socket.start();
    let last = tokens.get()?.access_token;
    const off = tokens.subscribe((t) => {
      if (t?.access_token !== last) {
        last = t?.access_token;
        socket.restart();
      }
    });
    const online = () => socket.restart();
    const offline = () => socket.pause();
    window.addEventListener("online", online);
    window.addEventListener("offline", offline);
    return () => {
      off();
      window.removeEventListener("online", online);
      window.removeEventListener("offline", offline);
      socket.stop();
    };
  }, [client]);

  return <LiveContext.Provider value={state}>{children}</LiveContext.Provider>;
}

/** Whether live updates are flowing, for the indicator in the top bar. */
export function useLiveState(): LiveState {
  return useContext(LiveContext);
}
