import { useState, type FormEvent } from "react";
import { useSearchParams } from "react-router-dom";

import { fieldError, FormProblem } from "../../components/formErrors";
import { Field } from "../../components/ui";
import { AuthCard } from "./AuthCard";
import { NameFields } from "./NameFields";
import { useSignIn } from "./useSignIn";

export default function AcceptInvitation() {
  const { signIn, error, busy } = useSignIn("/auth/accept-invitation");
  const [params] = useSearchParams();
  const [token, setToken] = useState(params.get("token") ?? "");
  const [form, setForm] = useState({ first_name: "", last_name: "", password: "" });
  const set = (k: keyof typeof form) => (e: { target: { value: string } }) => setForm({ ...form, [k]: e.target.value });
  const err = (k: string) => fieldError(error, k);
  // A token from the link has no input: its error goes in the note.
  const fields = params.get("token") ? Object.keys(form) : ["token", ...Object.keys(form)];

  async function submit(e: FormEvent) {
    e.preventDefault();
    await signIn({ token, ...form });
  }


  return (
    <AuthCard title="Join your team">
      <form className="form" onSubmit={submit} noValidate>
        {!params.get("token") && (
          <Field label="Invitation code" error={err("token")}>
            <input required value={token} onChange={(e) => setToken(e.target.value)} />
          </Field>
        )}
        <NameFields names={form} onChange={(k, v) => setForm({ ...form, [k]: v })} error={err} />
        <Field label="Choose a password" error={err("password")} hint="At least 10 characters">
          <input type="password" required value={form.password} onChange={set("password")} autoComplete="new-password" />
        </Field>
        <FormProblem error={error} fields={fields} />
        <button className="primary" type="submit" disabled={busy}>{busy ? "Joining…" : "Join"}</button>
      </form>
    </AuthCard>
  );
}
