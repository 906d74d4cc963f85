import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useId, useState, type FormEvent } from "react";

import { api, ApiError, idempotencyKey } from "../../api/client";
import { Card, ErrorNote, Field } from "../../components/ui";
import { connectProblem, useStartOAuth } from "./oauth";
import type { ConnectionRecord, PlatformInfo, TokenOption } from "./platforms";

const TOKEN_FIELDS = ["access_token", "api_key", "account_id"];

/** A 422 that does not blame the platform name is the platform turning the token down. */
function tokenRefused(error: unknown): boolean {
  return error instanceof ApiError && error.status === 422 && !error.field("platform") &&
    (error.errors.length === 0 || error.errors.some((e) => TOKEN_FIELDS.includes(e.field)));
}

function TokenForm({ platform, option }: { platform: PlatformInfo; option: TokenOption }) {
  const client = useQueryClient();
  const [token, setToken] = useState("");
  const [accountId, setAccountId] = useState("");
  const connect = useMutation({
    mutationFn: (body: Record<string, string>) =>
      api<ConnectionRecord>(`/integrations/${platform.name}/auth`, { body, idempotencyKey: idempotencyKey() }),
    onSuccess: () => void client.invalidateQueries({ queryKey: ["integrations"] }),
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    const body: Record<string, string> = { [option.field]: token.trim() };
    if (option.accountId && accountId.trim()) body.account_id = accountId.trim();
    connect.mutate(body);
  }

  const refused = tokenRefused(connect.error);
  const accountError = connect.error instanceof ApiError ? connect.error.field("account_id") : undefined;
  const problem = connectProblem(connect.error, platform.label);
  return (
    <form className="form integ-token-form" onSubmit={submit} noValidate>
      <Field
        label={option.label}
        hint={option.hint}
        error={refused && !accountError ? `${platform.label} refused this token.` : undefined}
      >
        <input type="password" autoComplete="off" spellCheck={false} value={token} onChange={(e) => setToken(e.target.value)} required />
      </Field>
      {option.accountId && (
        <Field label={option.accountId.label} hint={option.accountId.hint} error={accountError}>
          <input type={option.accountId.email ? "email" : "text"} inputMode={option.accountId.email ? "email" : "numeric"}
            autoComplete="off" value={accountId} onChange={(e) => setAccountId(e.target.value)} required />
        </Field>
      )}
      {problem ? <p className="error" role="alert">{problem}</p> : !refused && <ErrorNote error={connect.error} />}
      <div className="row">
        <button type="submit" className="primary" disabled={connect.isPending || !token.trim()}>
          {connect.isPending ? "Checking the token…" : "Connect with token"}
        </button>
      </div>
    </form>
  );
}

/** A platform not connected yet: OAuth, or a token for those that offer one. */
export function ConnectCard({ platform }: { platform: PlatformInfo }) {
  const start = useStartOAuth(platform.name);
  const [tokenOpen, setTokenOpen] = useState(false);
  const tokenId = useId();
  const problem = connectProblem(start.error, platform.label);

  return (
    <Card title={platform.label} className={`integ-card integ-${platform.name}`}>
      <p className="integ-blurb">{platform.blurb}</p>
      {problem ? <p className="error" role="alert">{problem}</p> : <ErrorNote error={start.error} />}
      <div className="row">
        <button
          type="button"
          className="primary"
          onClick={() => start.mutate()}
          disabled={start.isPending || start.isSuccess}
        >
          {start.isPending || start.isSuccess ? `Opening ${platform.label}…` : `Connect ${platform.label}`}
        </button>
        {platform.token && (
          <button type="button" aria-expanded={tokenOpen} aria-controls={tokenId} onClick={() => setTokenOpen((o) => !o)}>
            Use a token instead
          </button>
        )}
      </div>
      {platform.token && tokenOpen && (
        <div id={tokenId}>
          <TokenForm platform={platform} option={platform.token} />
        </div>
      )}
    </Card>
  );
}
