// An invoice PDF needs the bearer header, so a plain link cannot fetch it: fetch the bytes, hand
// them to the browser as a blob URL, and let go of the URL once the browser has it.

import { request } from "../../api/client";
import { download } from "../../api/download";

// A new tab reads the blob URL after it opens; the URL must outlive that.
const OPEN_TAB_KEEPS_URL_MS = 60_000;

export function pdfFileName(number: string | null | undefined): string {
  return `${number ?? "draft-invoice"}.pdf`;
}

export async function fetchInvoicePdf(invoiceId: string): Promise<Blob> {
  const res = await request(`/invoices/${invoiceId}/pdf`);
  return res.blob();
}

export function downloadInvoicePdf(invoiceId: string, number: string | null | undefined): Promise<void> {
  return download(`/invoices/${invoiceId}/pdf`, pdfFileName(number));
}

/** Opens the PDF in a new tab. The tab is opened before the fetch, while the click still counts
 * as the user's, so popup blockers let it through; it closes again if the fetch fails. */
export async function openInvoicePdf(invoiceId: string): Promise<void> {
  const tab = window.open("", "_blank");
  if (tab) tab.opener = null;
  try {
    const href = URL.createObjectURL(await fetchInvoicePdf(invoiceId));
    if (tab) tab.location.href = href;
    else openLink(href);
    setTimeout(() => URL.revokeObjectURL(href), OPEN_TAB_KEEPS_URL_MS);
  } catch (err) {
    tab?.close();
    throw err;
  }
}

function openLink(href: string): void {
  const a = document.createElement("a");
  a.href = href;
  a.rel = "noopener";
  a.target = "_blank";
  document.body.append(a);
  a.click();
  a.remove();
}
