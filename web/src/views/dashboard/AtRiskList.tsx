import { Link } from "react-router-dom";

import { hours, percent } from "../../api/format";
import type { ForecastDashboard } from "../../api/types";
import { Badge, Empty } from "../../components/ui";

export function AtRiskList({ data }: { data: ForecastDashboard }) {
  const { projects_at_risk: risky, resource_gaps: gaps } = data;
  return (
    <div className="grid grid-2">
      <div>
        {risky.length === 0 && <Empty>No project is at risk.</Empty>}
        <ul className="risk-list">
          {risky.map((p) => (
            <li key={p.id} className="risk">
              <div className="spread">
                <Link to={`/projects/${p.id}`}><strong>{p.name}</strong></Link>
                <Badge tone={p.risk_score >= 7 ? "bad" : p.risk_score >= 4 ? "warn" : "good"}>risk {p.risk_score}/10</Badge>
              </div>
              <div className="muted">
                now {percent(p.current_margin)} → forecast {percent(p.forecast_margin)}
                {p.forecast_low !== null && <> ({percent(p.forecast_low, 0)} to {percent(p.forecast_high, 0)})</>}
                {p.days_remaining !== null && <> · {p.days_remaining} days left</>}
              </div>
              {p.recommendation && <p className="recommendation">{p.recommendation}</p>}
            </li>
          ))}
        </ul>
      </div>
      <div>
        <h3 className="subhead">Staffing, next 12 weeks</h3>
        {gaps.length === 0 ? (
          <Empty>Allocations fit the team.</Empty>
        ) : (
          <ul className="risk-list">
            {gaps.map((g) => (
              <li key={g.skill_level} className="risk">
                <div className="spread">
                  <strong>{g.skill_level}</strong>
                  <Badge tone={g.gap_hours > 0 ? "warn" : "good"}>{g.gap_hours > 0 ? `${hours(g.gap_hours)} short` : "covered"}</Badge>
                </div>
                <div className="muted">{hours(g.hours_needed)} needed, {hours(g.hours_available)} available</div>
                {g.hiring_recommendation && <p className="recommendation">{g.hiring_recommendation}</p>}
              </li>
            ))}
          </ul>
        )}
      </div>
    </div>
  );
}
