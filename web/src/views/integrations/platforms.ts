import type { Connection } from "../../api/types";

export type PlatformName =
  | "github" | "slack" | "harvest" | "quickbooks" | "jira" | "asana" | "linear" | "figma" | "notion";

export interface TokenOption {
  /** Which body field carries the secret: both are checked with the platform before storing. */
  field: "access_token" | "api_key";
  label: string;
  hint: string;
  /** Harvest also needs the account the token belongs to, Jira the email of its Atlassian
   * account (sent as account_id either way). */
  accountId?: { label: string; hint?: string; email?: boolean };
}

export interface PlatformInfo {
  name: PlatformName;
  label: string;
  blurb: string;
  token?: TokenOption;
}

export const PLATFORMS: PlatformInfo[] = [
  {
    name: "github", label: "GitHub", blurb: "Issues become tasks; pull requests and pushes show in the activity feed.",
    token: { field: "access_token", label: "Personal access token", hint: "Needs the repo scope." },
  },
  {
    name: "slack", label: "Slack", blurb: "Project notifications in channels and the /labs slash command.",
    token: { field: "access_token", label: "Bot token", hint: "Starts with xoxb-." },
  },
  {
    name: "harvest", label: "Harvest", blurb: "Imports time entries, projects, clients and people.",
    token: { field: "access_token", label: "Personal access token", hint: "From Harvest's Developers page.", accountId: { label: "Account ID" } },
  },
  { name: "quickbooks", label: "QuickBooks", blurb: "Pushes issued invoices and their customers, pulls their payments." },
  {
    name: "jira", label: "Jira", blurb: "Imports issues as tasks, with status, assignee and estimate.",
    token: {
      field: "access_token", label: "API token", hint: "From your Atlassian account's security settings.",
      accountId: { label: "Atlassian account email", hint: "The account the API token belongs to.", email: true },
    },
  },
  {
    name: "asana", label: "Asana", blurb: "Imports an Asana project's tasks.",
    token: { field: "access_token", label: "Personal access token", hint: "From Asana's developer console." },
  },
  {
    name: "linear", label: "Linear", blurb: "Keeps Linear issues and Labs tasks in step.",
    token: { field: "api_key", label: "API key", hint: "From Linear's Settings → API." },
  },
  {
    name: "figma", label: "Figma", blurb: "File updates and comments on the tasks that link a file.",
    token: { field: "access_token", label: "Personal access token", hint: "From Figma's account settings." },
  },
  {
    name: "notion", label: "Notion", blurb: "Link Notion pages to tasks and projects.",
    token: { field: "api_key", label: "Integration secret", hint: "From an internal Notion integration." },
  },
];

export function platformInfo(name: string): PlatformInfo {
  return PLATFORMS.find((p) => p.name === name) ?? { name: name as PlatformName, label: name, blurb: "" };
}

export interface ConnectionRecord extends Connection {
  connected_by?: string | null;
}

export interface SyncStatus {
  status: "in_progress" | "success" | "failed" | null;
  records_synced: number;
  errors: string[];
  next_sync_in_minutes: number;
}

export interface SyncLogRecord {
  id: string;
  started_at: string | null;
  finished_at: string | null;
  status: "in_progress" | "success" | "failed" | null;
  records_synced: number;
  error_message: string | null;
  trigger?: string;
}

export const STATUS_TONE: Record<string, string> = {
  connected: "good",
  error: "bad",
  revoked: "warn",
  success: "good",
  failed: "bad",
  in_progress: "info",
};

export function statusWord(status: string | null | undefined): string {
  return status ? status.replace("_", " ") : "never";
}
