export type AlertType = "margin_threshold" | "over_allocation" | "risk_score" | "budget_burn" | "invoice_overdue";
export type DeliveryMethod = "email" | "slack" | "in_app";
export type Severity = "critical" | "warning" | "info";

export const ALERT_TYPES: AlertType[] = ["margin_threshold", "budget_burn", "risk_score", "over_allocation", "invoice_overdue"];
export const DELIVERY_METHODS: DeliveryMethod[] = ["in_app", "email", "slack"];
export const SEVERITIES: Severity[] = ["critical", "warning", "info"];

export const ALERT_TYPE_LABEL: Record<AlertType, string> = {
  margin_threshold: "Margin below threshold",
  budget_burn: "Budget burn",
  risk_score: "Risk score",
  over_allocation: "Over-allocation",
  invoice_overdue: "Invoice overdue",
};

export const DELIVERY_LABEL: Record<DeliveryMethod, string> = {
  in_app: "In the app",
  email: "Email",
  slack: "Slack",
};

export const SEVERITY_TONE: Record<Severity, "bad" | "warn" | "info"> = {
  critical: "bad",
  warning: "warn",
  info: "info",
};

/** What the threshold means per type, with the gateway's bounds; absent: the type takes none. */
export const THRESHOLD: Partial<Record<AlertType, { label: string; hint: string; min: number; max: number }>> = {
  margin_threshold: { label: "Margin below (%)", hint: "Default 20 %", min: -1000, max: 100 },
  budget_burn: { label: "Budget used (%)", hint: "Default: 50, 75, 90 and 100 %", min: 0.01, max: 1000 },
  risk_score: { label: "Risk score at least", hint: "1 to 10, default 7", min: 1, max: 10 },
};

export function alertTypeLabel(type: string | null | undefined): string {
  return type && type in ALERT_TYPE_LABEL ? ALERT_TYPE_LABEL[type as AlertType] : "Alert";
}

const UNITS: [Intl.RelativeTimeFormatUnit, number][] = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
];

/** "5 minutes ago", "yesterday", "just now". */
export function timeAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return "";
  const seconds = (new Date(iso).getTime() - now) / 1000;
  if (Math.abs(seconds) < 45) return "just now";
  const format = new Intl.RelativeTimeFormat(undefined, { numeric: "auto" });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.round(seconds / size), unit);
  }
  return format.format(Math.round(seconds / 60), "minute");
}
