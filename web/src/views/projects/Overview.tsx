import { hours, marginTone, money, percent, shortDate } from "../../api/format";
import type { Margin, Project, TeamMember } from "../../api/types";
import { Badge, Card, Empty, Tile } from "../../components/ui";
import { budgetTone, budgetTypeLabel, capitalize, TREND_ICON, TREND_LABEL } from "./labels";

export function Overview({ project }: { project: Project }) {
  return (
    <div className="grid">
      {/* No `margin` key at all: this reader may not see financials, so say nothing about them. */}
      {project.margin !== undefined && <MarginTiles margin={project.margin} />}
      <div className="grid grid-2">
        <Details project={project} />
        <Team members={project.team_allocation ?? []} />
      </div>
    </div>
  );
}

function MarginTiles({ margin }: { margin: Margin | null }) {
  if (!margin) {
    return (
      <Card title="Margin">
        <Empty>The margin has not been worked out yet; it appears once time or expenses are logged.</Empty>
      </Card>
    );
  }
  const c = margin.currency;
  return (
    <section aria-labelledby="margin-heading" className="grid">
      <div className="spread">
        <h2 id="margin-heading">Margin</h2>
        <span className="muted">Updated {new Date(margin.updated_at).toLocaleString()}</span>
      </div>
      <div className="tiles">
        <Tile label="Margin %" value={percent(margin.margin_percent)} tone={marginTone(margin.margin_percent)} />
        <Tile label="Margin" value={money(margin.margin_dollar, c)} tone={marginTone(margin.margin_percent)} />
        <Tile label="Revenue" value={money(margin.revenue, c)} />
        <Tile
          label="Cost"
          value={money(margin.cost, c)}
          hint={
            margin.uncosted_hours > 0
              ? `${hours(margin.uncosted_hours)} without a cost rate`
              : `Labour ${money(margin.labor_cost, c)} · expenses ${money(margin.expense_cost, c)}`
          }
        />
        <Tile
          label="Budget used"
          value={percent(margin.budget_used_percent)}
          tone={budgetTone(margin.budget_used_percent)}
          hint={margin.budget !== null ? `of ${money(margin.budget, c)}` : "No budget set"}
        />
        <Tile
          label="Hours logged"
          value={hours(margin.hours_logged)}
          hint={`${hours(margin.billable_hours)} billable`}
        />
        <Tile
          label="Days remaining"
          value={margin.days_remaining ?? "—"}
          hint={margin.hours_remaining !== null ? `${hours(margin.hours_remaining)} of budget left` : undefined}
        />
        <Tile
          label="Trend"
          value={<><span aria-hidden="true">{TREND_ICON[margin.trend]} </span>{TREND_LABEL[margin.trend]}</>}
          tone={margin.trend === "up" ? "good" : margin.trend === "down" ? "bad" : "none"}
        />
      </div>
    </section>
  );
}

function Details({ project: p }: { project: Project }) {
  return (
    <Card title="Details">
      <dl className="details">
        <dt>Budget</dt>
        <dd>{money(p.budget_total, p.budget_currency)} · {budgetTypeLabel(p.budget_type)}</dd>
        {p.budget_hours != null && (
          <>
            <dt>Budget hours</dt>
            <dd>{hours(p.budget_hours)}</dd>
          </>
        )}
        <dt>Dates</dt>
        <dd>{shortDate(p.start_date)} – {shortDate(p.end_date)}</dd>
        <dt>Priority</dt>
        <dd>{capitalize(p.priority)}</dd>
      </dl>
      {p.description && <p className="description">{p.description}</p>}
    </Card>
  );
}

function Team({ members }: { members: TeamMember[] }) {
  return (
    <Card title="Team">
      {members.length === 0 ? (
        <Empty>No one is allocated to this project yet.</Empty>
      ) : (
        <ul className="team">
          {members.map((m) => (
            <li key={`${m.resource_id}-${m.start_date}`}>
              <div className="spread">
                <strong>{m.name}</strong>
                <span className="num">{hours(m.allocated_hours)} / week</span>
              </div>
              <div className="muted row">
                {shortDate(m.start_date)} – {shortDate(m.end_date)}
                {m.tentative && <Badge tone="warn">Tentative</Badge>}
              </div>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
