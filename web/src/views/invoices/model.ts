// What the invoice screens need beyond api/types: the names the gateway adds to an invoice, and
// how statuses and payment methods read.

import type { Invoice, InvoiceStatus, Payment } from "../../api/types";

export interface InvoiceRecord extends Invoice {
  client_name?: string | null;
  project_name?: string | null;
  payment_terms_days?: number;
  voided_at?: string | null;
}

export interface InvoicePage {
  invoices: InvoiceRecord[];
  next_cursor: string | null;
}

export interface PaymentPage {
  payments: Payment[];
}

export const STATUSES: InvoiceStatus[] = ["draft", "sent", "partially_paid", "paid", "overdue", "void"];

const STATUS_LABEL: Record<InvoiceStatus, string> = {
  draft: "Draft",
  sent: "Sent",
  partially_paid: "Partially paid",
  paid: "Paid",
  overdue: "Overdue",
  void: "Void",
};

const STATUS_TONE: Record<InvoiceStatus, string> = {
  draft: "none",
  sent: "info",
  partially_paid: "warn",
  paid: "good",
  overdue: "bad",
  void: "none",
};

export function statusLabel(status: InvoiceStatus): string {
  return STATUS_LABEL[status] ?? status;
}

export function statusTone(status: InvoiceStatus): string {
  return STATUS_TONE[status] ?? "none";
}

/** Statuses a payment can still be recorded against. */
export const PAYABLE: InvoiceStatus[] = ["sent", "partially_paid", "overdue"];

export const PAYMENT_METHODS = [
  ["bank_transfer", "Bank transfer"],
  ["card", "Card"],
  ["cash", "Cash"],
  ["check", "Check"],
  ["stripe", "Stripe"],
  ["other", "Other"],
] as const;

export function methodLabel(method: string): string {
  return PAYMENT_METHODS.find(([value]) => value === method)?.[1] ?? method;
}

/** "INV-0001", or "Draft" until the invoice is sent and numbered. */
export function invoiceTitle(invoice: Pick<Invoice, "number">): string {
  return invoice.number ?? "Draft";
}

/** Whether a decimal string is zero, without going through arithmetic on money. */
export function isZero(amount: string | null | undefined): boolean {
  return !amount || /^-?0*(\.0*)?$/.test(amount.trim());
}
