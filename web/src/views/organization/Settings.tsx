import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useMemo, useState, type FormEvent } from "react";

import { apiTagged, isStale, type Tagged } from "../../api/client";
import { FormActions } from "../../components/FormActions";
import { fieldError } from "../../components/formErrors";
import { StaleNote } from "../../components/StaleNote";
import { Card, ErrorNote, Field, Loading } from "../../components/ui";
import type { OrganizationRecord } from "./model";
import {
  draftOf,
  FINANCIALS_LABEL,
  FINANCIALS_LEVELS,
  financialsSentence,
  organizationChanges,
  ROUNDING_LABEL,
  ROUNDING_MODES,
  roundingSentence,
  timeZones,
  unitProblem,
  type FinancialsLevel,
  type RoundingMode,
  type SettingsDraft,
} from "./settings";

const FIELDS = ["name", "timezone", "currency"] as const;
const KEY = ["organization"];

/** The form starts from `org` and saves only if nobody changed the organization since it was
 * read: the PATCH sends the ETag it came with (If-Match); a 412 says so, with a reload. */
function SettingsForm({ org, onSaved }: { org: Tagged<OrganizationRecord>; onSaved: (saved: OrganizationRecord | null) => void }) {
  const queryClient = useQueryClient();
  const [draft, setDraft] = useState<SettingsDraft>(() => draftOf(org));
  const [unitError, setUnitError] = useState<string | undefined>();
  const set = <K extends keyof SettingsDraft>(key: K, value: SettingsDraft[K]) => setDraft((d) => ({ ...d, [key]: value }));
  const zones = useMemo(() => timeZones(org.timezone), [org.timezone]);

  const save = useMutation({
    mutationFn: (body: object) =>
      apiTagged<OrganizationRecord>("/organizations/current", { method: "PATCH", body, ifMatch: org.etag }),
    onSuccess: (saved) => {
      queryClient.setQueryData(KEY, saved);
      // The top bar and every money figure read the organization from /auth/me.
      void queryClient.invalidateQueries({ queryKey: ["me"] });
      onSaved(saved);
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const problem = unitProblem(draft.unit_minutes);
    setUnitError(problem);
    if (problem) return;
    const body = organizationChanges(org, draft);
    // The gateway refuses an empty PATCH; nothing changed is nothing to send.
    if (Object.keys(body).length === 0) onSaved(null);
    else save.mutate(body);
  }

  const err = (field: string) => fieldError(save.error, field);
  const stale = isStale(save.error);
  const [reloading, setReloading] = useState(false);
  async function reload() {
    setReloading(true);
    try {
      // A new answer starts the form again from it (Settings keys the form on updated_at).
      await queryClient.refetchQueries({ queryKey: KEY, exact: true });
      save.reset();
    } finally {
      setReloading(false);
    }
  }
  return (
    <form className="form" aria-label="Organization settings" onSubmit={submit} noValidate>
      <div className="form-row">
        <Field label="Name" error={err("name")}>
          <input value={draft.name} onChange={(e) => set("name", e.target.value)} autoComplete="organization" required />
        </Field>
        <Field label="Time zone" error={err("timezone")} hint="Where days begin and end for time and reports">
          {zones ? (
            <select value={draft.timezone} onChange={(e) => set("timezone", e.target.value)}>
              {zones.map((z) => <option key={z} value={z}>{z.replaceAll("_", " ")}</option>)}
            </select>
          ) : (
            <input value={draft.timezone} onChange={(e) => set("timezone", e.target.value)} spellCheck={false} />
          )}
        </Field>
        <Field label="Currency" error={err("currency")} hint="ISO 4217, e.g. EUR">
          <input value={draft.currency} onChange={(e) => set("currency", e.target.value)} maxLength={3}
            autoCapitalize="characters" autoComplete="off" spellCheck={false} required />
        </Field>
      </div>
      <fieldset className="org-fieldset">
        <legend>Time rounding</legend>
        <div className="form-row">
          <Field label="Round to (minutes)" error={unitError}
            hint="0 keeps hours as logged. Invoices use rounded hours; cost uses the hours logged.">
            <input type="number" inputMode="numeric" min="0" max="1440" step="1" value={draft.unit_minutes}
              onChange={(e) => set("unit_minutes", e.target.value)} />
          </Field>
          <Field label="Direction">
            <select value={draft.mode} onChange={(e) => set("mode", e.target.value as RoundingMode)}>
              {ROUNDING_MODES.map((m) => <option key={m} value={m}>{ROUNDING_LABEL[m]}</option>)}
            </select>
          </Field>
        </div>
      </fieldset>
      <Field label="Who sees margins and forecasts" hint="Individual cost rates stay with managers and up">
        <select value={draft.financials} onChange={(e) => set("financials", e.target.value as FinancialsLevel)}>
          {FINANCIALS_LEVELS.map((l) => <option key={l} value={l}>{FINANCIALS_LABEL[l]}</option>)}
        </select>
      </Field>
      {stale && (
        <StaleNote
          message="Someone changed these settings meanwhile — reload to see their changes."
          onReload={() => void reload()}
          busy={reloading}
        />
      )}
      <FormActions error={stale ? null : save.error} fields={FIELDS} busy={save.isPending} label="Save settings" busyLabel="Saving…" />
    </form>
  );
}

/** GET/PATCH /organizations/current (admin and up). */
export function Settings() {
  const org = useQuery({
    queryKey: KEY,
    queryFn: ({ signal }) => apiTagged<OrganizationRecord>("/organizations/current", { signal }),
  });
  const [outcome, setOutcome] = useState<{ saved: OrganizationRecord | null } | null>(null);

  return (
    <Card title="Settings">
      {org.isPending ? (
        <Loading label="Loading settings" />
      ) : org.isError ? (
        <ErrorNote error={org.error} />
      ) : (
        <>
          {/* A new answer (this save, another admin's) starts the form again from it. */}
          <SettingsForm key={org.data.updated_at ?? JSON.stringify(org.data)} org={org.data} onSaved={(saved) => setOutcome({ saved })} />
          {outcome && (
            <div className="org-saved" role="status">
              {outcome.saved ? (
                <>
                  <strong>Saved.</strong> {outcome.saved.name} · {outcome.saved.timezone} · {outcome.saved.currency}.{" "}
                  {roundingSentence(outcome.saved)} {financialsSentence(outcome.saved)}
                </>
              ) : (
                "Nothing changed: there was nothing to save."
              )}
            </div>
          )}
        </>
      )}
    </Card>
  );
}
