import { useQueryClient } from "@tanstack/react-query";
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from "react";

import { tokens } from "../api/tokens";
import type { LiveEvent, Margin } from "../api/types";
import { staleKeys } from "./events";
import { LiveSocket, socketUrl, type LiveState } from "./socket";

type Listener = (e: LiveEvent) => void;

interface Live {
  state: LiveState;
  socket: LiveSocket | null;
  listen: (l: Listener) => () => void;
}

const LiveContext = createContext<Live>({ state: "closed", socket: null, listen: () => () => {} });

/** Keeps every query on screen in step with the organization's events. The socket stays
 * org-wide (no project subscription): the alerts badge and the timer listen everywhere. */
export function LiveProvider({ children }: { children: ReactNode }) {
  const client = useQueryClient();
  const [state, setState] = useState<LiveState>("closed");
  const listeners = useRef(new Set<Listener>());
  const [socket, setSocket] = useState<LiveSocket | null>(null);

  useEffect(() => {
    const s = new LiveSocket({
      url: socketUrl(window.location),
      token: () => tokens.get()?.access_token ?? null,
      onState: setState,
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
        for (const l of listeners.current) l(event);
      },
    });
    s.start();
    setSocket(s);
    let last = tokens.get()?.access_token;
    const off = tokens.subscribe((t) => {
      if (t?.access_token !== last) {
        last = t?.access_token;
        s.restart();
      }
    });
    const online = () => s.restart();
    window.addEventListener("online", online);
    return () => {
      off();
      window.removeEventListener("online", online);
      s.stop();
    };
  }, [client]);

  const listen = useCallback((l: Listener) => {
    listeners.current.add(l);
    return () => void listeners.current.delete(l);
  }, []);
  const value = useMemo<Live>(() => ({ state, socket, listen }), [state, socket, listen]);
  return <LiveContext.Provider value={value}>{children}</LiveContext.Provider>;
}

export function useLive(): Live {
  return useContext(LiveContext);
}

/** Calls `fn` with each live event while the component is mounted. */
export function useLiveEvents(fn: Listener): void {
  const { listen } = useLive();
  const ref = useRef(fn);
  ref.current = fn;
  useEffect(() => listen((e) => ref.current(e)), [listen]);
}
