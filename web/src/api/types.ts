// The objects as API.md reads them (only what the console uses). Money is a decimal string.

export type Role = "owner" | "admin" | "manager" | "member" | "viewer" | "client";

export interface User {
  id: string;
  email: string;
  first_name?: string | null;
  last_name?: string | null;
  timezone?: string | null;
}

export interface Organization {
  id: string;
  name: string;
  currency: string;
  timezone: string;
  settings?: Record<string, unknown>;
}

/** One of GET /organizations/current/members: `client_id` only for the client role. */
export interface Member {
  user: User;
  role: Role;
  client_id?: string | null;
}

export interface Me {
  user: User;
  organization: Organization;
  role: Role;
  client_id?: string | null;
}

export interface AuthAnswer {
  user: User;
  organization?: Organization;
  access_token: string;
  refresh_token: string;
}

export interface Page<K extends string, T> {
  next_cursor: string | null;
  // the list under its plural name, e.g. {projects: [...]}
  [key: string]: T[] | string | null | K;
}

export interface Client {
  id: string;
  name: string;
  email?: string | null;
  currency?: string | null;
  archived_at?: string | null;
}

export type Trend = "up" | "down" | "stable";

export interface Margin {
  currency: string;
  budget: string | null;
  revenue: string;
  labor_cost: string;
  expense_cost: string;
  cost: string;
  margin_dollar: string;
  margin_percent: string | null;
  hours_logged: number;
  billable_hours: number;
  uncosted_hours: number;
  budget_used_percent: string | null;
  hours_remaining: number | null;
  days_remaining: number | null;
  trend: Trend;
  updated_at: string;
}

export type ProjectStatus = "planning" | "active" | "on_hold" | "completed" | "archived";

export interface TeamMember {
  resource_id: string;
  name: string;
  allocated_hours: number;
  start_date: string;
  end_date: string;
  tentative: boolean;
}

export interface Project {
  id: string;
  name: string;
  client_id: string | null;
  client_name?: string | null;
  description?: string | null;
  status: ProjectStatus;
  priority: string;
  budget_type: string;
  budget_total: string | null;
  budget_currency: string;
  budget_hours?: number | null;
  start_date: string | null;
  end_date: string | null;
  margin?: Margin | null;
  team_allocation?: TeamMember[];
}

export type TaskStatus = "backlog" | "todo" | "in_progress" | "in_review" | "done" | "cancelled";

export interface Task {
  id: string;
  project_id: string;
  title: string;
  description?: string | null;
  status: TaskStatus;
  priority: string;
  type?: string | null;
  assignee_id?: string | null;
  estimated_hours?: number | null;
  story_points?: number | null;
  sprint_id?: string | null;
  position?: number | null;
  due_date?: string | null;
}

export interface Sprint {
  id: string;
  project_id: string;
  name: string;
  goal?: string | null;
  start_date: string;
  end_date: string;
  status: "planning" | "active" | "completed";
  total_points: number;
  completed_points: number;
}

export interface FileMeta {
  id: string;
  name: string;
  mime_type: string;
  size_bytes: number;
  version: number;
  sha256: string;
  created_at?: string;
}

export interface TimeEntry {
  id: string;
  project_id: string;
  task_id: string | null;
  user_id: string | null;
  resource_id: string | null;
  date_worked: string;
  hours: number;
  rounded_hours: number;
  started_at: string | null;
  ended_at: string | null;
  is_running: boolean;
  billable: boolean;
  billable_rate?: string | null;
  cost_rate?: string | null;
  currency: string;
  notes: string | null;
  status: "draft" | "submitted" | "approved";
  is_locked: boolean;
  invoice_id: string | null;
  source: string;
}

export interface InvoiceItem {
  id: string;
  kind: "time" | "expense" | "manual";
  description: string;
  quantity: string | number;
  unit_price: string;
  amount: string;
}

export type InvoiceStatus = "draft" | "sent" | "paid" | "partially_paid" | "overdue" | "void";

export interface Invoice {
  id: string;
  number: string | null;
  status: InvoiceStatus;
  client_id: string | null;
  project_id: string | null;
  currency: string;
  issue_date: string | null;
  due_date: string | null;
  period_start: string | null;
  period_end: string | null;
  items: InvoiceItem[];
  subtotal: string;
  tax_rate: string | null;
  tax_amount: string;
  total: string;
  amount_paid: string;
  amount_due: string;
  notes: string | null;
  payment_url: string | null;
  sent_at: string | null;
  paid_at: string | null;
}

export interface Payment {
  id: string;
  amount: string;
  paid_at: string;
  method: string;
  reference: string | null;
}

export interface ProfitabilityRow {
  id: string;
  name: string;
  client_name: string | null;
  budget: string | null;
  actuals: string;
  margin_dollar: string;
  margin_percent: string | null;
  margin_trend: Trend;
  forecast_margin: string | null;
  forecast_confidence: number | null;
}

export interface Profitability {
  projects: ProfitabilityRow[];
  summary: {
    currency: string;
    total_budget: string;
    total_actuals: string;
    total_margin: string;
    avg_margin_percent: string | null;
    top_project: unknown;
    bottom_project: unknown;
  };
}

export interface Metrics {
  active_projects: number;
  hours_this_week: number;
  billable_hours_this_week: number;
  utilization_percent: number | string | null;
  revenue_mtd: string;
  outstanding_amount: string;
  overdue_invoices: number;
  currency: string;
}

export interface AtRisk {
  id: string;
  name: string;
  current_margin: string | null;
  forecast_margin: string | null;
  forecast_low: string | null;
  forecast_high: string | null;
  risk_score: number;
  days_remaining: number | null;
  recommendation: string | null;
}

export interface ForecastDashboard {
  projects_at_risk: AtRisk[];
  resource_gaps: {
    skill_level: string;
    hours_needed: number;
    hours_available: number;
    gap_hours: number;
    hiring_recommendation: string | null;
  }[];
}

export interface Forecast {
  project_id: string;
  as_of: string;
  forecast_margin: string | null;
  forecast_margin_dollar: string | null;
  forecast_low: string | null;
  forecast_high: string | null;
  forecast_confidence: number | null;
  risk_score: number;
  recommendation: string | null;
  method: string;
}

export interface MarginPoint {
  date: string;
  revenue: string;
  cost: string;
  margin_dollar: string;
  margin_percent: string | null;
}

export interface CapacityWeek {
  week_start: string;
  total_available_hours: number;
  total_allocated_hours: number;
  total_tentative_hours: number;
  utilization_percent: number | string | null;
  by_resource: {
    resource_id: string;
    name: string;
    available_hours: number;
    allocated_hours: number;
    tentative_hours: number;
    utilization_percent: number | string | null;
  }[];
}

export interface Alert {
  id: string;
  type: string;
  severity: "critical" | "warning" | "info";
  message: string;
  project_id: string | null;
  invoice_id: string | null;
  is_read: boolean;
  created_at: string;
}

export interface Connection {
  id: string;
  platform: string;
  status: "connected" | "error" | "revoked";
  account_name: string | null;
  connected_at: string | null;
  last_sync_at: string | null;
  last_sync_status: "success" | "failed" | "in_progress" | null;
  last_sync_error: string | null;
  settings?: Record<string, unknown>;
}

export interface SyncLog {
  id: string;
  started_at: string;
  finished_at: string | null;
  status: string;
  records_synced: number;
  error_message: string | null;
}

export interface LiveEvent {
  type: string;
  id?: string;
  ts?: string;
  data?: Record<string, unknown> & { project_id?: string };
}
