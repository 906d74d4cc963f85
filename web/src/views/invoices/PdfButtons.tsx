import { useMutation } from "@tanstack/react-query";

import { ErrorNote } from "../../components/ui";
import { downloadInvoicePdf, openInvoicePdf } from "./pdf";

/** "Download PDF" and, unless `downloadOnly`, "Open PDF" for one invoice. */
export function PdfButtons({ invoiceId, number, downloadOnly = false, label }: {
  invoiceId: string;
  number: string | null;
  downloadOnly?: boolean;
  /** Names the invoice for screen readers when several sit side by side. */
  label?: string;
}) {
  const download = useMutation({ mutationFn: () => downloadInvoicePdf(invoiceId, number) });
  const open = useMutation({ mutationFn: () => openInvoicePdf(invoiceId) });
  const busy = download.isPending || open.isPending;
  return (
    <>
      <button
        type="button"
        disabled={busy}
        aria-label={label ? `Download PDF of ${label}` : undefined}
        onClick={() => download.mutate()}
      >
        {download.isPending ? "Preparing PDF…" : "Download PDF"}
      </button>
      {!downloadOnly && (
        <button
          type="button"
          disabled={busy}
          aria-label={label ? `Open PDF of ${label}` : undefined}
          onClick={() => open.mutate()}
        >
          Open PDF
        </button>
      )}
      <ErrorNote error={download.error ?? open.error} />
    </>
  );
}
