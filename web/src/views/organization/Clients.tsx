import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { Fragment, useState } from "react";

import { api } from "../../api/client";
import { clientsQuery } from "../../api/queries";
import { useSession } from "../../api/session";
import type { Client } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { Card, Empty, ErrorNote, Loading } from "../../components/ui";
import { ClientForm } from "./ClientForm";

type ClientPage = { clients: Client[]; next_cursor: string | null };

function Archive({ client }: { client: Client }) {
  const queryClient = useQueryClient();
  const archive = useMutation({
    mutationFn: () => api<void>(`/clients/${client.id}`, { method: "DELETE" }),
    onSuccess: () => {
      queryClient.setQueryData<ClientPage>(clientsQuery.queryKey, (page) =>
        page && { ...page, clients: page.clients.filter((c) => c.id !== client.id) },
      );
      void queryClient.invalidateQueries({ queryKey: ["clients"] });
    },
  });
  return (
    <ConfirmButton
      label="Archive"
      name={`Archive ${client.name}`}
      confirmLabel={`Yes, archive ${client.name}`}
      question={`Archive ${client.name}? Its projects and invoices stay; it is no longer offered for new work.`}
      busy={archive.isPending}
      busyLabel="Archiving…"
      error={archive.error}
      onConfirm={() => archive.mutate()}
    />
  );
}

/** The agency's clients (manager and up): add, edit in place, archive. */
export function Clients() {
  const { me } = useSession();
  const currency = me?.organization.currency ?? "USD";
  const clients = useQuery({
    ...clientsQuery,
    select: (page) => [...page.clients].sort((a, b) => a.name.localeCompare(b.name)),
  });
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<string | null>(null);
  const [note, setNote] = useState<string | null>(null);

  return (
    <Card
      title="Clients"
      actions={!adding && (
        <button type="button" onClick={() => { setNote(null); setAdding(true); }}>Add client</button>
      )}
    >
      {adding && (
        <ClientForm
          defaultCurrency={currency}
          onCancel={() => setAdding(false)}
          onDone={(saved) => { setAdding(false); setNote(`${saved.name} added.`); }}
        />
      )}
      {note && <p className="org-saved" role="status">{note}</p>}
      {clients.isPending ? (
        <Loading label="Loading clients" />
      ) : clients.isError ? (
        <ErrorNote error={clients.error} />
      ) : clients.data.length === 0 ? (
        <Empty>No clients yet: add the first one.</Empty>
      ) : (
        <table className="table org-table">
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Email</th>
              <th scope="col">Currency</th>
              <th scope="col"><span className="sr-only">Actions</span></th>
            </tr>
          </thead>
          <tbody>
            {clients.data.map((c) => (
              <Fragment key={c.id}>
                <tr>
                  <td className="lead org-wrap" data-label="Name">{c.name}</td>
                  <td className="org-wrap" data-label="Email">{c.email || "—"}</td>
                  <td data-label="Currency">{c.currency || "—"}</td>
                  <td className="org-actions">
                    <div className="row">
                      <button type="button" aria-label={`Edit ${c.name}`} aria-expanded={editing === c.id}
                        onClick={() => { setNote(null); setEditing(editing === c.id ? null : c.id); }}>
                        Edit
                      </button>
                      <Archive client={c} />
                    </div>
                  </td>
                </tr>
                {editing === c.id && (
                  <tr className="org-edit-row">
                    <td colSpan={4}>
                      <ClientForm
                        client={c}
                        defaultCurrency={currency}
                        onCancel={() => setEditing(null)}
                        onDone={(saved) => { setEditing(null); setNote(`${saved.name} saved.`); }}
                      />
                    </td>
                  </tr>
                )}
              </Fragment>
            ))}
          </tbody>
        </table>
      )}
    </Card>
  );
}
