// The organization settings the console edits, read from and written to its free-form
// `settings` object: `time_rounding` (read by the time service) and `financials_visible_to`
// (read by the gateway). Identity stores any JSON there without checking it, and a malformed
// rounding rule counts as none, so the console checks what it sends.

import type { OrganizationRecord } from "./model";

export type RoundingMode = "up" | "down" | "nearest";
export type FinancialsLevel = "manager" | "member" | "viewer";

export const ROUNDING_MODES: readonly RoundingMode[] = ["up", "down", "nearest"];
export const ROUNDING_LABEL: Record<RoundingMode, string> = {
  up: "Up",
  down: "Down",
  nearest: "To the nearest (halves up)",
};

export const FINANCIALS_LEVELS: readonly FinancialsLevel[] = ["manager", "member", "viewer"];
export const FINANCIALS_LABEL: Record<FinancialsLevel, string> = {
  manager: "Managers and up",
  member: "Members and up",
  viewer: "Viewers and up",
};

const MAX_UNIT_MINUTES = 24 * 60;

export interface SettingsDraft {
  name: string;
  timezone: string;
  currency: string;
  unit_minutes: string;
  mode: RoundingMode;
  financials: FinancialsLevel;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

function roundingOf(settings: Json | undefined): { unit_minutes: number; mode: RoundingMode; rest: Json } {
  const rule = isObject(settings?.time_rounding) ? settings.time_rounding : {};
  const unit = typeof rule.unit_minutes === "number" && rule.unit_minutes >= 0 ? rule.unit_minutes : 0;
  const mode = ROUNDING_MODES.includes(rule.mode as RoundingMode) ? (rule.mode as RoundingMode) : "nearest";
  return { unit_minutes: unit, mode, rest: rule };
}

function financialsOf(settings: Json | undefined): FinancialsLevel {
  const level = settings?.financials_visible_to;
  return FINANCIALS_LEVELS.includes(level as FinancialsLevel) ? (level as FinancialsLevel) : "manager";
}

export function draftOf(org: OrganizationRecord): SettingsDraft {
  const rounding = roundingOf(org.settings);
  return {
    name: org.name,
    timezone: org.timezone,
    currency: org.currency,
    unit_minutes: String(rounding.unit_minutes),
    mode: rounding.mode,
    financials: financialsOf(org.settings),
  };
}

/** Why the unit cannot be sent, if it cannot. */
export function unitProblem(text: string): string | undefined {
  const n = Number(text.trim());
  if (text.trim() === "" || !Number.isInteger(n) || n < 0 || n > MAX_UNIT_MINUTES) {
    return `Whole minutes from 0 to ${MAX_UNIT_MINUTES}`;
  }
  return undefined;
}

/** The PATCH body: only what changed. Top-level settings keys replace their stored value, so
 * `time_rounding` goes whole, with its per-project overrides (`projects`) kept as they were. */
export function organizationChanges(org: OrganizationRecord, d: SettingsDraft): Json {
  const body: Json = {};
  const name = d.name.trim();
  const currency = d.currency.trim().toUpperCase();
  if (name !== org.name) body.name = name;
  if (d.timezone !== org.timezone) body.timezone = d.timezone;
  if (currency !== org.currency) body.currency = currency;
  const settings: Json = {};
  const rounding = roundingOf(org.settings);
  const unit = Number(d.unit_minutes.trim());
  if (unit !== rounding.unit_minutes || d.mode !== rounding.mode) {
    settings.time_rounding = { ...rounding.rest, unit_minutes: unit, mode: d.mode };
  }
  if (d.financials !== financialsOf(org.settings)) settings.financials_visible_to = d.financials;
  if (Object.keys(settings).length > 0) body.settings = settings;
  return body;
}

/** The rule as a sentence, from what the server answered. */
export function roundingSentence(org: OrganizationRecord): string {
  const { unit_minutes, mode } = roundingOf(org.settings);
  if (unit_minutes === 0) return "Time is billed as logged, without rounding.";
  const how = mode === "nearest" ? "to the nearest" : mode;
  return `Billed time is rounded ${how} ${unit_minutes} minutes.`;
}

export function financialsSentence(org: OrganizationRecord): string {
  return `Margins and forecasts: ${FINANCIALS_LABEL[financialsOf(org.settings)].toLowerCase()}.`;
}

/** Every IANA zone this browser knows, with `current` kept even when it does not know it;
 * null where the browser cannot list them (a text field then). */
export function timeZones(current: string): string[] | null {
  if (typeof Intl.supportedValuesOf !== "function") return null;
  const zones = Intl.supportedValuesOf("timeZone");
  const extra = ["UTC", current].filter((z, i, all) => z && !zones.includes(z) && all.indexOf(z) === i);
  return [...extra, ...zones];
}
