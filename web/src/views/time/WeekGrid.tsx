// A week of hours: projects by days with totals. On a phone, the same week as a list of days.

import { hours } from "../../api/format";
import { Empty } from "../../components/ui";
import type { WeekGridModel } from "./week";

interface Props {
  grid: WeekGridModel;
  names: Map<string, string>;
  today: string;
}

const cellHours = (n: number) => (n === 0 ? "" : hours(n));

export function WeekGrid({ grid, names, today }: Props) {
  if (grid.rows.length === 0) return <Empty>No time logged this week yet.</Empty>;
  return (
    <>
      <div className="week-grid-scroll">
        <table className="week-grid" aria-label="Time by project and day">
          <thead>
            <tr>
              <th scope="col">Project</th>
              {grid.days.map((d) => (
                <th key={d.iso} scope="col" className={d.iso === today ? "num is-today" : "num"}>
                  <span className="week-grid-weekday">{d.weekday}</span>
                  <span className="week-grid-date">{d.label}</span>
                </th>
              ))}
              <th scope="col" className="num">Total</th>
            </tr>
          </thead>
          <tbody>
            {grid.rows.map((row) => (
              <tr key={row.projectId}>
                <th scope="row">{names.get(row.projectId) ?? "Project"}</th>
                {row.cells.map((h, i) => (
                  <td key={grid.days[i].iso} className={grid.days[i].iso === today ? "num is-today" : "num"}>
                    {cellHours(h)}
                  </td>
                ))}
                <td className="num week-grid-total">{hours(row.total)}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              {grid.dayTotals.map((h, i) => (
                <td key={grid.days[i].iso} className={grid.days[i].iso === today ? "num is-today" : "num"}>
                  {cellHours(h)}
                </td>
              ))}
              <td className="num week-grid-total">{hours(grid.total)}</td>
            </tr>
          </tfoot>
        </table>
      </div>
      <DayList grid={grid} names={names} today={today} />
    </>
  );
}

function DayList({ grid, names, today }: Props) {
  return (
    <ul className="day-list" aria-label="Time by day">
      {grid.days.map((day, i) => {
        const worked = grid.rows.filter((r) => r.cells[i] > 0);
        return (
          <li key={day.iso} className={day.iso === today ? "day is-today" : "day"}>
            <div className="spread">
              <strong>
                {day.weekday} {day.label}
              </strong>
              <span className="num">{hours(grid.dayTotals[i])}</span>
            </div>
            {worked.length > 0 && (
              <ul className="day-projects">
                {worked.map((r) => (
                  <li key={r.projectId} className="spread">
                    <span className="muted">{names.get(r.projectId) ?? "Project"}</span>
                    <span className="num">{hours(r.cells[i])}</span>
                  </li>
                ))}
              </ul>
            )}
          </li>
        );
      })}
      <li className="day day-week-total spread">
        <strong>Week</strong>
        <strong className="num">{hours(grid.total)}</strong>
      </li>
    </ul>
  );
}
