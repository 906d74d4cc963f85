import { cellLabel, weekLabel, type Cell, type Heatmap as HeatmapData } from "./heatmap";

function hoursText(n: number): string {
  return String(Number(n.toFixed(1)));
}

function percentText(cell: Cell): string {
  if (cell.utilization === null) return cell.allocated > 0 ? `${hoursText(cell.allocated)} h` : "—";
  return `${Math.round(cell.utilization)}%`;
}

function HeatCell({ who, cell }: { who: string; cell: Cell | null }) {
  if (!cell) {
    return (
      <td className="heat-cell heat-load-absent" aria-label={`${who}: not on the team that week`}>
        <span aria-hidden="true">·</span>
      </td>
    );
  }
  const label = cellLabel(who, cell);
  return (
    <td className={`heat-cell heat-load-${cell.load}`} aria-label={label} title={label}>
      <span className="heat-value">
        {percentText(cell)}
        {cell.load === "over" && <span className="heat-over" aria-hidden="true">!</span>}
      </span>
      <span className="heat-hours">
        {hoursText(cell.allocated)}/{hoursText(cell.available)} h
      </span>
      {cell.tentative > 0 && <span className="heat-tentative">+{hoursText(cell.tentative)} tentative</span>}
    </td>
  );
}

/** People × weeks. The table scrolls inside its own box; the name column stays put. */
export function Heatmap({ data, currentWeek }: { data: HeatmapData; currentWeek: string }) {
  return (
    <div className="heatmap-scroll" role="region" aria-label="Capacity by person and week" tabIndex={0}>
      <table className="heatmap">
        <caption className="sr-only">
          Confirmed hours allocated over hours available, per person and week. Tentative hours are listed apart.
        </caption>
        <thead>
          <tr>
            <th scope="col" className="heat-name">Person</th>
            {data.weeks.map((w) => (
              <th key={w} scope="col" className={w === currentWeek ? "heat-week current" : "heat-week"}>
                <time dateTime={w}>{weekLabel(w)}</time>
                {w === currentWeek && <span className="heat-now">this week</span>}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {data.people.map((p) => (
            <tr key={p.resourceId}>
              <th scope="row" className="heat-name">{p.name}</th>
              {p.cells.map((c, i) => <HeatCell key={data.weeks[i]} who={p.name} cell={c} />)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row" className="heat-name">Team</th>
            {data.totals.map((c) => <HeatCell key={c.weekStart} who="Team" cell={c} />)}
          </tr>
        </tfoot>
      </table>
    </div>
  );
}

export function HeatLegend() {
  return (
    <ul className="heat-legend" aria-label="Legend">
      <li><span className="heat-swatch heat-load-low" aria-hidden="true" />Under 50 %</li>
      <li><span className="heat-swatch heat-load-ok" aria-hidden="true" />50–85 %</li>
      <li><span className="heat-swatch heat-load-full" aria-hidden="true" />85–100 %</li>
      <li><span className="heat-swatch heat-load-over" aria-hidden="true">!</span>Over 100 %</li>
      <li><span className="heat-swatch tentative" aria-hidden="true" />Tentative, not counted</li>
    </ul>
  );
}
