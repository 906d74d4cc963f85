// The series of a project's margin chart, apart from uPlot so they can be tested without a canvas.

import type uPlot from "uplot";

export interface MarginSeries {
  /** Unix seconds of each day with a margin. */
  days: number[];
  percents: (number | null)[];
  /** The forecast at the project's end: unix seconds and the three percents. */
  forecast?: { at: number; mid: number; low: number; high: number } | null;
}

/** The series uPlot draws: history, then the forecast fan from the last known day to `at`. */
export function chartData(s: MarginSeries): uPlot.AlignedData {
  const x = [...s.days];
  const history = [...s.percents];
  const mid: (number | null)[] = s.days.map(() => null);
  const low = [...mid];
  const high = [...mid];
  const lastIndex = history.findLastIndex((v) => v !== null);
  if (s.forecast && lastIndex >= 0 && s.forecast.at > x[x.length - 1]) {
    const now = history[lastIndex] as number;
    mid[lastIndex] = low[lastIndex] = high[lastIndex] = now;
    x.push(s.forecast.at);
    history.push(null);
    mid.push(s.forecast.mid);
    low.push(s.forecast.low);
    high.push(s.forecast.high);
  }
  return [x, history, mid, low, high];
}
