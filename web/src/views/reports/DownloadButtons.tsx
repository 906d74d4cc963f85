import { useMutation } from "@tanstack/react-query";

import type { RequestOptions } from "../../api/client";
import { download } from "../../api/download";
import { ErrorNote } from "../../components/ui";

type Format = "csv" | "pdf";

/** "CSV" and "PDF" of one report: the same request as its table, with `format`, fetched with
 * the bearer token and handed to the browser as a file. */
export function DownloadButtons({ path, query, fileName, label }: {
  path: string;
  query: RequestOptions["query"];
  /** Without extension, e.g. "margin-summary-2026-12-01-2026-12-31". */
  fileName: string;
  /** What the report is called, for the buttons' accessible names. */
  label: string;
}) {
  const save = useMutation({
    mutationFn: (format: Format) => download(path, `${fileName}.${format}`, { ...query, format }),
  });
  const busy = (format: Format) => save.isPending && save.variables === format;
  return (
    <div className="report-downloads">
      <div className="row">
        {(["csv", "pdf"] as const).map((format) => (
          <button
            key={format}
            type="button"
            aria-label={`Download ${label} as ${format.toUpperCase()}`}
            disabled={save.isPending}
            onClick={() => save.mutate(format)}
          >
            <span aria-hidden="true">↓</span> {busy(format) ? "Preparing…" : format.toUpperCase()}
          </button>
        ))}
      </div>
      <ErrorNote error={save.error} />
    </div>
  );
}
