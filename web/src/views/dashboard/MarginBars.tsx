import { money, marginTone, percent } from "../../api/format";
import type { ProfitabilityRow, Trend } from "../../api/types";

const ARROW: Record<Trend, string> = { up: "▲", down: "▼", stable: "▬" };

/** Each project's margin % as a bar (0–60 % spans the track), worst first. */
export function MarginBars({ rows, currency, selected, onSelect }: {
  rows: ProfitabilityRow[];
  currency: string;
  selected: string | null;
  onSelect: (id: string) => void;
}) {
  return (
    <ul className="bars margin-bars" aria-label="Projects by margin">
      {rows.map((r) => {
        const tone = marginTone(r.margin_percent);
        const width = Math.max(2, Math.min(100, (Number(r.margin_percent ?? 0) / 60) * 100));
        return (
          <li key={r.id}>
            <button
              type="button"
              className={`bar-row margin-row${r.id === selected ? " selected" : ""}`}
              aria-pressed={r.id === selected}
              onClick={() => onSelect(r.id)}
              aria-label={`${r.name}: margin ${percent(r.margin_percent)}, trend ${r.margin_trend}`}
            >
              <span className="bar-name">
                {r.name}
                {r.client_name && <span className="muted"> · {r.client_name}</span>}
              </span>
              <span className={`bar-value tone-${tone} text`} data-testid="margin-percent">
                {percent(r.margin_percent)} <span className={`trend trend-${r.margin_trend}`} aria-hidden="true">{ARROW[r.margin_trend]}</span>
              </span>
              <span className="bar-track" aria-hidden="true">
                <span className={`bar-fill tone-${tone}`} style={{ width: `${width}%` }} />
              </span>
              <span className="bar-meta muted">
                {money(r.margin_dollar, currency)} on {money(r.actuals, currency)}
                {r.forecast_margin !== null && <> · forecast {percent(r.forecast_margin)}</>}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
