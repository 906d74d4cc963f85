import { useInfiniteQuery, useQueryClient, type InfiniteData } from "@tanstack/react-query";

import { api } from "../../api/client";
import type { Alert } from "../../api/types";
import type { Severity } from "./labels";

export interface AlertRecord extends Alert {
  resource_id?: string | null;
  action_taken?: string | null;
}

export interface AlertPage {
  alerts: AlertRecord[];
  unread_count: number;
  next_cursor: string | null;
}

export interface AlertFilters {
  unreadOnly: boolean;
  severity: Severity | "";
}

const PAGE_SIZE = 50;

/** Every alert list is under ["alerts", "list", ...]: `alert:` events and the badge share the family. */
export function useAlertList(filters: AlertFilters) {
  return useInfiniteQuery({
    queryKey: ["alerts", "list", filters],
    queryFn: ({ pageParam, signal }) =>
      api<AlertPage>("/alerts", {
        query: {
          unread: filters.unreadOnly ? true : undefined,
          severity: filters.severity || undefined,
          limit: PAGE_SIZE,
          cursor: pageParam,
        },
        signal,
      }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
}

/** Puts what the gateway answered into every list on screen at once, before they refetch. */
export function useAlertCache() {
  const client = useQueryClient();
  const mapLists = (fn: (alerts: AlertRecord[]) => AlertRecord[]) =>
    client.setQueriesData<InfiniteData<AlertPage>>({ queryKey: ["alerts", "list"] }, (data) =>
      data ? { ...data, pages: data.pages.map((p) => ({ ...p, alerts: fn(p.alerts) })) } : data,
    );
  return {
    replace: (alert: AlertRecord) => mapLists((alerts) => alerts.map((a) => (a.id === alert.id ? alert : a))),
    remove: (id: string) => mapLists((alerts) => alerts.filter((a) => a.id !== id)),
    refresh: () => client.invalidateQueries({ queryKey: ["alerts"] }),
  };
}

export function markRead(id: string): Promise<AlertRecord> {
  return api<AlertRecord>(`/alerts/${id}`, { method: "PATCH", body: { is_read: true } });
}
