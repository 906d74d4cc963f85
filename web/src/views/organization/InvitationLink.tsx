import { useRef, useState } from "react";

import { shortDate } from "../../api/format";
import { Field } from "../../components/ui";
import { acceptanceLink, ROLE_LABEL, type InvitationCreated } from "./model";

/** The link a new invitation is accepted with. Its token is in no later answer, so the link is
 * shown here once, ready to copy or to select by hand. */
export function InvitationLink({ created }: { created: InvitationCreated }) {
  const input = useRef<HTMLInputElement>(null);
  const [note, setNote] = useState<string | null>(null);
  const link = acceptanceLink(created.token);
  const { email, role, expires_at } = created.invitation;

  async function copy() {
    try {
      // Absent outside secure contexts (plain http on a LAN address), refused without permission.
      if (!navigator.clipboard) throw new Error("no clipboard");
      await navigator.clipboard.writeText(link);
      setNote("Link copied.");
    } catch {
      input.current?.focus();
      input.current?.select();
      setNote("The link is selected: copy it from there.");
    }
  }

  return (
    <div className="org-link" role="region" aria-label="Invitation link">
      <p>
        <strong>{email}</strong> is invited as {ROLE_LABEL[role] ?? role}
        {expires_at ? `, until ${shortDate(expires_at)}` : ""}. This link is shown only now.
      </p>
      <Field label="Acceptance link">
        <input ref={input} readOnly value={link} onFocus={(e) => e.target.select()} spellCheck={false} />
      </Field>
      <div className="row">
        <button type="button" className="primary" onClick={() => void copy()}>Copy link</button>
        {note && <span role="status">{note}</span>}
      </div>
    </div>
  );
}
