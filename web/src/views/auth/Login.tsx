import { useState, type FormEvent } from "react";
import { Link } from "react-router-dom";

import { ApiError } from "../../api/client";
import { ErrorNote, Field } from "../../components/ui";
import { AuthCard } from "./AuthCard";
import { useSignIn } from "./useSignIn";

interface OrgChoice {
  id: string;
  name: string;
}

export default function Login() {
  const { signIn, error, busy } = useSignIn("/auth/login");
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [orgs, setOrgs] = useState<OrgChoice[] | null>(null);
  const [orgId, setOrgId] = useState("");

  // One email in several organizations: the gateway lists them to choose from.
  function chooseOrganization(err: unknown): boolean {
    const choices = err instanceof ApiError && err.status === 422 ? problemOrgs(err) : null;
    if (!choices) return false;
    setOrgs(choices);
    setOrgId(choices[0]?.id ?? "");
    return true;
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    await signIn({ email, password, ...(orgId ? { organization_id: orgId } : {}) }, chooseOrganization);
  }

  return (
    <AuthCard
      title="Log in"
      footer={<>New agency? <Link to="/signup">Create an account</Link></>}
    >
      <form className="form" onSubmit={submit} noValidate>
        <Field label="Email">
          <input type="email" autoComplete="username" required value={email} onChange={(e) => setEmail(e.target.value)} />
        </Field>
        <Field label="Password">
          <input type="password" autoComplete="current-password" required value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        {orgs && (
          <Field label="Organization">
            <select value={orgId} onChange={(e) => setOrgId(e.target.value)}>
              {orgs.map((o) => <option key={o.id} value={o.id}>{o.name}</option>)}
            </select>
          </Field>
        )}
        <ErrorNote error={error} />
        <button className="primary" type="submit" disabled={busy}>{busy ? "Logging in…" : "Log in"}</button>
      </form>
    </AuthCard>
  );
}

function problemOrgs(err: ApiError): OrgChoice[] | null {
  const extra = err.problem.organizations as OrgChoice[] | undefined;
  return err.field("organization_id") && extra ? extra : null;
}
