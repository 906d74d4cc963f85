import { chartData } from "./marginSeries";

test("the forecast fans out from the last known margin to the end date", () => {
  const [x, history, mid, low, high] = chartData({
    days: [100, 200],
    percents: [30, 25],
    forecast: { at: 900, mid: 18, low: 10, high: 24 },
  });
  expect(x).toEqual([100, 200, 900]);
  expect(history).toEqual([30, 25, null]);
  expect(mid).toEqual([null, 25, 18]);
  expect(low).toEqual([null, 25, 10]);
  expect(high).toEqual([null, 25, 24]);
});

test("without a forecast, or one dated before the history ends, only the history is drawn", () => {
  expect(chartData({ days: [100], percents: [30], forecast: null })).toEqual([[100], [30], [null], [null], [null]]);
  expect(chartData({ days: [100], percents: [30], forecast: { at: 50, mid: 1, low: 0, high: 2 } })[0]).toEqual([100]);
});
