import { Link } from "react-router-dom";

import { money, shortDate } from "../../api/format";
import { useSession } from "../../api/session";
import { Badge, Card, Empty, ErrorNote, Loading, Page } from "../../components/ui";
import { invoiceTitle, statusLabel, statusTone } from "../invoices/model";
import { PdfButtons } from "../invoices/PdfButtons";
import { projectStatus } from "./labels";
import { usePortalInvoices, usePortalProjects } from "./queries";
import type { PortalInvoice, PortalProject } from "./whitelist";

export default function PortalHome() {
  const { me } = useSession();
  const first = me?.user.first_name?.trim();
  return (
    <Page title={first ? `Hello, ${first}` : "Hello"}>
      <p className="portal-lead">
        Welcome to the client portal of <strong>{me?.organization.name ?? "your agency"}</strong>: where your
        projects stand and what is due.
      </p>
      <div className="grid grid-2">
        <YourProjects />
        <YourInvoices />
      </div>
    </Page>
  );
}

function YourProjects() {
  const projects = usePortalProjects();
  return (
    <Card title="Your projects">
      {projects.isPending && <Loading label="Loading projects" />}
      {projects.isError && <ErrorNote error={projects.error} />}
      {projects.isSuccess && projects.data.length === 0 && <Empty>No projects yet.</Empty>}
      {projects.isSuccess && projects.data.length > 0 && (
        <ul className="portal-list">
          {projects.data.map((p) => <ProjectRow key={p.id} project={p} />)}
        </ul>
      )}
    </Card>
  );
}

function ProjectRow({ project }: { project: PortalProject }) {
  const status = projectStatus(project.status);
  return (
    <li>
      <Link to={`/portal/projects/${project.id}`} className="portal-project">
        <span className="spread">
          <strong>{project.name}</strong>
          <Badge tone={status.tone}>{status.label}</Badge>
        </span>
        <span className="muted">
          {shortDate(project.start_date)} – {shortDate(project.end_date)}
        </span>
      </Link>
    </li>
  );
}

function YourInvoices() {
  const invoices = usePortalInvoices();
  return (
    <Card title="Your invoices">
      {invoices.isPending && <Loading label="Loading invoices" />}
      {invoices.isError && <ErrorNote error={invoices.error} />}
      {invoices.isSuccess && invoices.data.length === 0 && <Empty>No invoices yet.</Empty>}
      {invoices.isSuccess && invoices.data.length > 0 && (
        <ul className="portal-list">
          {invoices.data.map((i) => <InvoiceRow key={i.id} invoice={i} />)}
        </ul>
      )}
    </Card>
  );
}

function InvoiceRow({ invoice }: { invoice: PortalInvoice }) {
  const title = invoiceTitle(invoice);
  return (
    <li className="portal-invoice">
      <div className="spread">
        <strong>{title}</strong>
        <Badge tone={statusTone(invoice.status)}>{statusLabel(invoice.status)}</Badge>
      </div>
      <dl className="portal-facts">
        <div>
          <dt>Amount due</dt>
          <dd className={invoice.status === "overdue" ? "tone-bad text" : undefined}>
            {money(invoice.amount_due, invoice.currency)}
          </dd>
        </div>
        <div>
          <dt>Due date</dt>
          <dd>{shortDate(invoice.due_date)}</dd>
        </div>
        <div>
          <dt>Total</dt>
          <dd>{money(invoice.total, invoice.currency)}</dd>
        </div>
      </dl>
      <div className="row">
        {invoice.payment_url && (
          <a className="btn primary" href={invoice.payment_url} target="_blank" rel="noopener noreferrer" aria-label={`Pay ${title} online`}>
            Pay online
          </a>
        )}
        <PdfButtons invoiceId={invoice.id} number={invoice.number} label={title} />
      </div>
    </li>
  );
}
