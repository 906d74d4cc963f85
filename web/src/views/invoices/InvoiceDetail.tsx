import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { Link, useNavigate, useParams } from "react-router-dom";

import { api, ApiError, idempotencyKey } from "../../api/client";
import { money, shortDate } from "../../api/format";
import type { Payment } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { Badge, Card, Empty, ErrorNote, Loading, Page, Tile } from "../../components/ui";
import { nameById, useClients, useProjects } from "./lookups";
import {
  invoiceTitle,
  isZero,
  methodLabel,
  PAYABLE,
  statusLabel,
  statusTone,
  type InvoiceRecord,
  type PaymentPage,
} from "./model";
import { PaymentForm } from "./PaymentForm";
import { PdfButtons } from "./PdfButtons";
import "./invoices.css";

// Live `invoice:*` events refetch ["invoice"], ["invoices"] and ["payments"] by family
// (live/events.ts), so this screen follows payments made elsewhere (Stripe) without a listener.

export default function InvoiceDetail() {
  const { invoiceId = "" } = useParams();
  const invoice = useQuery({
    queryKey: ["invoice", invoiceId],
    queryFn: () => api<InvoiceRecord>(`/invoices/${invoiceId}`),
  });
  const [notice, setNotice] = useState("");

  if (invoice.isPending) return <Loading label="Loading invoice" />;
  if (invoice.isError) {
    const missing = invoice.error instanceof ApiError && invoice.error.status === 404;
    return (
      <Page title={missing ? "Invoice not found" : "Invoice"}>
        {missing ? <Empty>This invoice does not exist or was deleted.</Empty> : <ErrorNote error={invoice.error} />}
        <p><Link to="/invoices">Back to invoices</Link></p>
      </Page>
    );
  }
  const inv = invoice.data;
  return (
    <Page
      title={inv.number ? `Invoice ${inv.number}` : "Draft invoice"}
      actions={<Link to="/invoices" className="btn">All invoices</Link>}
    >
      <p className="row">
        <Badge tone={statusTone(inv.status)}>{statusLabel(inv.status)}</Badge>
        {inv.status === "overdue" && <span className="tone-bad text">Past due since {shortDate(inv.due_date)}</span>}
      </p>
      <div role="status" aria-live="polite" className="inv-notice">{notice}</div>
      <Summary invoice={inv} />
      <div className="grid grid-2">
        <Actions invoice={inv} onNotice={setNotice} />
        <Details invoice={inv} />
      </div>
      {PAYABLE.includes(inv.status) && (
        <Card title="Record payment">
          <PaymentForm
            invoice={inv}
            onRecorded={(p) => setNotice(`Payment of ${money(p.amount, inv.currency)} recorded.`)}
          />
        </Card>
      )}
      <Items invoice={inv} />
      {inv.status !== "draft" && <Payments invoice={inv} />}
    </Page>
  );
}

// "Balance due", not "Amount due": the tile is a labelled group, and "Amount" must name only
// the payment field for people (and tests) finding it by label.
function Summary({ invoice }: { invoice: InvoiceRecord }) {
  const c = invoice.currency;
  return (
    <div className="tiles">
      <Tile label="Balance due" value={money(invoice.amount_due, c)} tone={invoice.status === "overdue" ? "bad" : "none"} />
      <Tile label="Total" value={money(invoice.total, c)} />
      <Tile label="Paid" value={money(invoice.amount_paid, c)} tone={invoice.status === "paid" ? "good" : "none"} />
      <Tile label="Due date" value={shortDate(invoice.due_date)} hint={invoice.due_date ? undefined : "Set when sent"} />
    </div>
  );
}

function Details({ invoice }: { invoice: InvoiceRecord }) {
  const clients = nameById(useClients().data);
  const projects = nameById(useProjects().data);
  const clientName = invoice.client_name ?? (invoice.client_id ? clients.get(invoice.client_id) : undefined);
  const projectName = invoice.project_name ?? (invoice.project_id ? projects.get(invoice.project_id) : undefined);
  const period = invoice.period_start
    ? `${shortDate(invoice.period_start)} – ${shortDate(invoice.period_end)}`
    : "—";
  return (
    <Card title="Details">
      <dl className="inv-facts">
        <dt>Client</dt>
        <dd>{clientName ?? "—"}</dd>
        <dt>Project</dt>
        <dd>{invoice.project_id ? <Link to={`/projects/${invoice.project_id}`}>{projectName ?? "Project"}</Link> : "—"}</dd>
        <dt>Issued</dt>
        <dd>{shortDate(invoice.issue_date)}</dd>
        <dt>Due</dt>
        <dd>{shortDate(invoice.due_date)}</dd>
        <dt>Period</dt>
        <dd>{period}</dd>
        {invoice.notes && (
          <>
            <dt>Notes</dt>
            <dd className="inv-notes">{invoice.notes}</dd>
          </>
        )}
      </dl>
    </Card>
  );
}

function useInvoiceAction(invoice: InvoiceRecord, path: "send" | "void") {
  const client = useQueryClient();
  return useMutation({
    mutationFn: (key: string) =>
      api<InvoiceRecord>(`/invoices/${invoice.id}/${path}`, { method: "POST", idempotencyKey: key }),
    onSuccess: (updated) => {
      client.setQueryData(["invoice", invoice.id], updated);
      void client.invalidateQueries({ queryKey: ["invoices"] });
      void client.invalidateQueries({ queryKey: ["time-entries"] });
      void client.invalidateQueries({ queryKey: ["dashboard"] });
    },
  });
}

function Actions({ invoice, onNotice }: { invoice: InvoiceRecord; onNotice: (text: string) => void }) {
  const client = useQueryClient();
  const navigate = useNavigate();
  const send = useInvoiceAction(invoice, "send");
  const voidIt = useInvoiceAction(invoice, "void");
  const remove = useMutation({
    mutationFn: () => api(`/invoices/${invoice.id}`, { method: "DELETE" }),
    onSuccess: () => {
      navigate("/invoices", { replace: true });
      // Gone: dropped rather than refetched into a 404.
      client.removeQueries({ queryKey: ["invoice", invoice.id], exact: true });
      client.removeQueries({ queryKey: ["payments", invoice.id], exact: true });
      void client.invalidateQueries({ queryKey: ["invoices"] });
      void client.invalidateQueries({ queryKey: ["time-entries"] });
    },
  });
  const voidable = PAYABLE.includes(invoice.status) && isZero(invoice.amount_paid);

  return (
    <Card title="Actions">
      <div className="form">
        {invoice.status === "draft" && (
          <div className="row">
            <button
              type="button"
              className="primary"
              disabled={send.isPending}
              onClick={() =>
                send.mutate(idempotencyKey(), {
                  onSuccess: (sent) => onNotice(`Invoice sent as ${sent.number ?? "a numbered invoice"}.`),
                })
              }
            >
              {send.isPending ? "Sending…" : "Send invoice"}
            </button>
            <ConfirmButton
              label="Delete draft"
              confirmLabel="Yes, delete draft"
              question="Delete this draft? Its time entries and expenses become billable again."
              busy={remove.isPending}
              onConfirm={() => remove.mutate()}
            />
          </div>
        )}
        <div className="row">
          <PdfButtons invoiceId={invoice.id} number={invoice.number} />
          {invoice.payment_url && (
            <a className="btn" href={invoice.payment_url} target="_blank" rel="noopener noreferrer">
              Pay online
            </a>
          )}
        </div>
        {voidable && (
          <ConfirmButton
            label="Void"
            confirmLabel="Yes, void invoice"
            question={`Void ${invoiceTitle(invoice)}? It keeps its number, and its time and expenses become billable again.`}
            busy={voidIt.isPending}
            onConfirm={() => voidIt.mutate(idempotencyKey(), { onSuccess: () => onNotice(`${invoiceTitle(invoice)} voided.`) })}
          />
        )}
        <ErrorNote error={send.error ?? voidIt.error ?? remove.error} />
      </div>
    </Card>
  );
}

function quantityOf(item: InvoiceRecord["items"][number]): string {
  const q = String(Number(item.quantity));
  return item.kind === "time" ? `${q} h` : q;
}

function Items({ invoice }: { invoice: InvoiceRecord }) {
  const c = invoice.currency;
  return (
    <Card title="Items">
      {invoice.items.length === 0 ? (
        <Empty>No items.</Empty>
      ) : (
        <div className="inv-table-box">
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Description</th>
                <th scope="col" className="num">Quantity</th>
                <th scope="col" className="num">Unit price</th>
                <th scope="col" className="num">Amount</th>
              </tr>
            </thead>
            <tbody>
              {invoice.items.map((item) => (
                <tr key={item.id}>
                  <td className="lead" data-label="Description">{item.description}</td>
                  <td className="num" data-label="Quantity">{quantityOf(item)}</td>
                  <td className="num" data-label="Unit price">{money(item.unit_price, c)}</td>
                  <td className="num" data-label="Amount">{money(item.amount, c)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <dl className="inv-totals">
        <dt>Subtotal</dt>
        <dd>{money(invoice.subtotal, c)}</dd>
        <dt>Tax{isZero(invoice.tax_rate) ? "" : ` (${Number(invoice.tax_rate)} %)`}</dt>
        <dd>{money(invoice.tax_amount, c)}</dd>
        <dt className="inv-strong">Total</dt>
        <dd className="inv-strong">{money(invoice.total, c)}</dd>
        <dt>Paid</dt>
        <dd>{money(invoice.amount_paid, c)}</dd>
        <dt className="inv-strong">Amount due</dt>
        <dd className="inv-strong">{money(invoice.amount_due, c)}</dd>
      </dl>
    </Card>
  );
}

function Payments({ invoice }: { invoice: InvoiceRecord }) {
  const payments = useQuery({
    queryKey: ["payments", invoice.id],
    queryFn: () => api<PaymentPage>(`/invoices/${invoice.id}/payments`),
    select: (page): Payment[] => page.payments,
  });
  return (
    <Card title="Payments">
      {payments.isPending && <Loading label="Loading payments" />}
      {payments.isError && <ErrorNote error={payments.error} />}
      {payments.isSuccess && payments.data.length === 0 && <Empty>No payments yet.</Empty>}
      {payments.isSuccess && payments.data.length > 0 && (
        <ul className="inv-payments">
          {payments.data.map((p) => (
            <li key={p.id} className="spread">
              <span>
                <strong>{money(p.amount, invoice.currency)}</strong>{" "}
                <span className="muted">{methodLabel(p.method)}{p.reference ? ` · ${p.reference}` : ""}</span>
              </span>
              <span className="muted">{shortDate(p.paid_at)}</span>
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}
