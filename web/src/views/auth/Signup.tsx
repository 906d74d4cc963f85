import { useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";

import { api, ApiError } from "../../api/client";
import { useSession } from "../../api/session";
import type { AuthAnswer } from "../../api/types";
import { ErrorNote, Field } from "../../components/ui";
import { prefetchDashboard } from "../dashboard/queries";
import { AuthCard } from "./AuthCard";

export default function Signup() {
  const { begin } = useSession();
  const queries = useQueryClient();
  const [form, setForm] = useState({ organization_name: "", first_name: "", last_name: "", email: "", password: "" });
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const fieldError = (k: string) => (error instanceof ApiError ? error.field(k) : undefined);

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const answer = await api<AuthAnswer>("/auth/signup", { body: form });
      begin(answer);
      prefetchDashboard(queries);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <AuthCard title="Create your agency" footer={<>Already on Labs? <Link to="/login">Log in</Link></>}>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Agency name" error={fieldError("organization_name")}>
          <input required value={form.organization_name} onChange={set("organization_name")} autoComplete="organization" />
        </Field>
        <div className="form-row">
          <Field label="First name" error={fieldError("first_name")}>
            <input value={form.first_name} onChange={set("first_name")} autoComplete="given-name" />
          </Field>
          <Field label="Last name" error={fieldError("last_name")}>
            <input value={form.last_name} onChange={set("last_name")} autoComplete="family-name" />
          </Field>
        </div>
        <Field label="Email" error={fieldError("email")}>
          <input type="email" required value={form.email} onChange={set("email")} autoComplete="email" />
        </Field>
        <Field label="Password" error={fieldError("password")} hint="At least 10 characters">
          <input type="password" required value={form.password} onChange={set("password")} autoComplete="new-password" />
        </Field>
        {error instanceof ApiError && error.errors.length === 0 && <ErrorNote error={error} />}
        {error !== null && !(error instanceof ApiError) && <ErrorNote error={error} />}
        <button className="primary" type="submit" disabled={busy}>{busy ? "Creating…" : "Create account"}</button>
      </form>
    </AuthCard>
  );
}
