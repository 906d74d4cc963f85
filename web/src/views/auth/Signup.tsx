import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";

import { fieldError, FormProblem } from "../../components/formErrors";
import { Field } from "../../components/ui";
import { AuthCard } from "./AuthCard";
import { NameFields } from "./NameFields";
import { useSignIn } from "./useSignIn";

export default function Signup() {
  const { signIn, error, busy } = useSignIn("/auth/signup");
  const [form, setForm] = useState({ organization_name: "", first_name: "", last_name: "", email: "", password: "" });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const err = (k: string) => fieldError(error, k);

  async function submit(e: FormEvent) {
    e.preventDefault();
    await signIn(form);
  }


  return (
    <AuthCard title="Create your agency" footer={<>Already on Labs? <Link to="/login">Log in</Link></>}>
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Agency name" error={err("organization_name")}>
          <input required value={form.organization_name} onChange={set("organization_name")} autoComplete="organization" />
        </Field>
        <NameFields names={form} onChange={(k, v) => setForm({ ...form, [k]: v })} error={err} />
        <Field label="Email" error={err("email")}>
          <input type="email" required value={form.email} onChange={set("email")} autoComplete="email" />
        </Field>
        <Field label="Password" error={err("password")} hint="At least 10 characters">
          <input type="password" required value={form.password} onChange={set("password")} autoComplete="new-password" />
        </Field>
        <FormProblem error={error} fields={Object.keys(form)} />
        <button className="primary" type="submit" disabled={busy}>{busy ? "Creating…" : "Create account"}</button>
      </form>
    </AuthCard>
  );
}
