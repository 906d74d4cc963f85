import { useEffect, useState } from "react";

/**
 * Seconds since `startedAt`, ticking each second. Counted from the entry's own start, not from
 * when this screen saw it, so every device shows the same clock.
 */
export function useElapsed(startedAt: string | null | undefined): number {
  const [now, setNow] = useState(() => Date.now());
  useEffect(() => {
    if (!startedAt) return;
    setNow(Date.now());
    const tick = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(tick);
  }, [startedAt]);
  if (!startedAt) return 0;
  const start = Date.parse(startedAt);
  return Number.isNaN(start) ? 0 : Math.max(0, (now - start) / 1000);
}
