import { useMutation, useQueryClient } from "@tanstack/react-query";

import { api, ApiError } from "../../api/client";
import { TIMER_KEY, type Entry } from "./queries";

/** Stops the caller's timer. A 409 means it was already stopped (on another device): not an error. */
export function useStopTimer() {
  const queryClient = useQueryClient();
  return useMutation({
    /** `key`: one Idempotency-Key per click (see api/client.idempotencyKey). */
    mutationFn: async (key: string) => {
      try {
        return await api<Entry>("/timers/stop", { method: "POST", idempotencyKey: key });
      } catch (error) {
        if (error instanceof ApiError && error.status === 409) return null;
        throw error;
      }
    },
    onSuccess: () => {
      queryClient.setQueryData(TIMER_KEY, null);
      void queryClient.invalidateQueries({ queryKey: TIMER_KEY });
      void queryClient.invalidateQueries({ queryKey: ["time-entries"] });
      void queryClient.invalidateQueries({ queryKey: ["approvals"] });
    },
  });
}
