import { useQueryClient } from "@tanstack/react-query";
import { createContext, useContext, useEffect, useRef, useState, type ReactNode } from "react";

import { refreshSession } from "../api/client";
import { tokens } from "../api/tokens";
import type { LiveEvent, Margin } from "../api/types";
import { staleKeys } from "./events";
import { LiveSocket, socketUrl, type LiveState } from "./socket";

const LiveContext = createContext<LiveState>("closed");

type Listener = (event: LiveEvent) => void;
/** Views that need the events themselves, not only their families made stale (the activity
 * feed waits for an event's id to be recorded). Null outside a LiveProvider: nothing arrives. */
const ListenersContext = createContext<Set<Listener> | null>(null);

/** Keeps every query on screen in step with the organization's events. The socket stays
 * org-wide (no project subscription): the alerts badge and the timer listen everywhere. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>("closed");
  const [listeners] = useState(() => new Set<Listener>());

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
        for (const listener of listeners) listener(event);
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
  }, [client, listeners]);

  return (
    <ListenersContext.Provider value={listeners}>
      <LiveContext.Provider value={state}>{children}</LiveContext.Provider>
    </ListenersContext.Provider>
  );
}

/** Calls `listener` with every event that arrives, after its query families were made stale. */
export function useLiveEvents(listener: Listener): void {
  const listeners = useContext(ListenersContext);
  const latest = useRef(listener);
  useEffect(() => {
    latest.current = listener;
  });
  useEffect(() => {
    if (!listeners) return;
    const call: Listener = (event) => latest.current(event);
    listeners.add(call);
    return () => {
      listeners.delete(call);
    };
  }, [listeners]);
}

/** Whether live updates are flowing, for the indicator in the top bar. */
export function useLiveState(): LiveState {
  return useContext(LiveContext);
}
