// A project's margin % by day, and its forecast to completion drawn as a fan: the line to the
// forecast margin with the band between its 10th and 90th percentiles (API.md: forecast_low/high).

import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

import { chartData, type MarginSeries } from "./marginSeries";

const DAY = 86_400;

const css = (name: string) =>
  getComputedStyle(document.documentElement).getPropertyValue(name).trim() || "#2f5bea";

export function MarginChart({ series, label }: { series: MarginSeries; label: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const el = box.current;
    if (!el) return;
    const brand = css("--brand");
    const opts: uPlot.Options = {
      width: el.clientWidth || 320,
      height: 240,
      legend: { show: false },
      cursor: { drag: { x: false, y: false } },
      // One day of history would otherwise span years: at least two weeks either side.
      scales: { x: { time: true, range: (_u, min, max) => (max - min < 14 * DAY ? [min - 7 * DAY, max + 7 * DAY] : [min, max]) } },
      axes: [
        { stroke: "#5d6677", grid: { stroke: "#eef0f4" } },
        { stroke: "#5d6677", grid: { stroke: "#eef0f4" }, values: (_u, v) => v.map((n) => `${n}%`), size: 48 },
      ],
      series: [
        {},
        { label: "Margin", stroke: brand, width: 2, spanGaps: true },
        { label: "Forecast", stroke: brand, width: 2, dash: [6, 4], spanGaps: true },
        { label: "Low", stroke: "transparent", spanGaps: true },
        { label: "High", stroke: "transparent", spanGaps: true },
      ],
      bands: [{ series: [4, 3], fill: "rgba(47, 91, 234, 0.14)" }],
    };
    const plot = new uPlot(opts, chartData(series), el);
    const resize = new ResizeObserver(() => plot.setSize({ width: el.clientWidth, height: 240 }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series]);
  return <div className="chart" ref={box} role="img" aria-label={label} />;
}
