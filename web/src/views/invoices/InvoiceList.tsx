import { useInfiniteQuery } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useSearchParams } from "react-router-dom";

import { api } from "../../api/client";
import { money, shortDate } from "../../api/format";
import type { InvoiceStatus } from "../../api/types";
import { Badge, Card, Empty, ErrorNote, Field, Loading, Page } from "../../components/ui";
import { GenerateInvoice } from "./GenerateInvoice";
import { nameById, useClients, useProjects } from "./lookups";
import { ManualInvoice } from "./ManualInvoice";
import { invoiceTitle, statusLabel, statusTone, STATUSES, type InvoicePage, type InvoiceRecord } from "./model";
import "./invoices.css";

type Panel = "generate" | "manual" | null;

export default function InvoiceList() {
  const [params, setParams] = useSearchParams();
  const status = STATUSES.find((s) => s === params.get("status")) ?? "";
  const [panel, setPanel] = useState<Panel>(null);
  const toggle = (p: Panel) => setPanel((current) => (current === p ? null : p));

  return (
    <Page
      title="Invoices"
      actions={
        <>
          <button type="button" className="primary" aria-expanded={panel === "generate"} onClick={() => toggle("generate")}>
            Generate invoice
          </button>
          <button type="button" aria-expanded={panel === "manual"} onClick={() => toggle("manual")}>
            New manual invoice
          </button>
        </>
      }
    >
      {panel === "generate" && (
        <Card title="Generate invoice from tracked time">
          <GenerateInvoice onCancel={() => setPanel(null)} />
        </Card>
      )}
      {panel === "manual" && (
        <Card title="New manual invoice">
          <ManualInvoice onCancel={() => setPanel(null)} />
        </Card>
      )}
      <Card>
        <div className="inv-filter">
          <Field label="Status">
            <select
              value={status}
              onChange={(e) => setParams(e.target.value ? { status: e.target.value } : {}, { replace: true })}
            >
              <option value="">All</option>
              {STATUSES.map((s) => <option key={s} value={s}>{statusLabel(s)}</option>)}
            </select>
          </Field>
        </div>
        <InvoiceTable status={status} />
      </Card>
    </Page>
  );
}

function InvoiceTable({ status }: { status: InvoiceStatus | "" }) {
  const filters = { status: status || undefined };
  const invoices = useInfiniteQuery({
    queryKey: ["invoices", filters],
    queryFn: ({ pageParam }) =>
      api<InvoicePage>("/invoices", { query: { ...filters, cursor: pageParam, limit: 50 } }),
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (last) => last.next_cursor ?? undefined,
  });
  const clients = nameById(useClients().data);
  const projects = nameById(useProjects().data);

  if (invoices.isPending) return <Loading label="Loading invoices" />;
  if (invoices.isError) return <ErrorNote error={invoices.error} />;
  const rows = invoices.data.pages.flatMap((p) => p.invoices);
  if (rows.length === 0) {
    return <Empty>{status ? `No ${statusLabel(status).toLowerCase()} invoices.` : "No invoices yet. Generate one from tracked time."}</Empty>;
  }

  const clientOf = (i: InvoiceRecord) => i.client_name ?? (i.client_id ? clients.get(i.client_id) : undefined);
  const projectOf = (i: InvoiceRecord) => i.project_name ?? (i.project_id ? projects.get(i.project_id) : undefined);
  return (
    <>
      <div className="inv-table-box">
        <table className="table inv-table">
          <thead>
            <tr>
              <th scope="col">Invoice</th>
              <th scope="col">Client / project</th>
              <th scope="col">Issued</th>
              <th scope="col">Due</th>
              <th scope="col" className="num">Total</th>
              <th scope="col" className="num">Amount due</th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((invoice) => (
              <tr key={invoice.id} className={invoice.status === "overdue" ? "inv-overdue" : undefined}>
                <td className="lead" data-label="Invoice">
                  <Link to={`/invoices/${invoice.id}`}>{invoiceTitle(invoice)}</Link>
                </td>
                <td data-label="Client / project">
                  <div className="inv-names">
                    <span>{clientOf(invoice) ?? "—"}</span>
                    {projectOf(invoice) && <span className="muted">{projectOf(invoice)}</span>}
                  </div>
                </td>
                <td data-label="Issued">{shortDate(invoice.issue_date)}</td>
                <td data-label="Due">{shortDate(invoice.due_date)}</td>
                <td data-label="Total" className="num">{money(invoice.total, invoice.currency)}</td>
                <td data-label="Amount due" className="num inv-due">{money(invoice.amount_due, invoice.currency)}</td>
                <td data-label="Status">
                  <Badge tone={statusTone(invoice.status)}>{statusLabel(invoice.status)}</Badge>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {invoices.hasNextPage && (
        <button type="button" onClick={() => void invoices.fetchNextPage()} disabled={invoices.isFetchingNextPage}>
          {invoices.isFetchingNextPage ? "Loading…" : "Load more invoices"}
        </button>
      )}
    </>
  );
}
