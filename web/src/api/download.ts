// Files behind the bearer token cannot be plain links: fetch the bytes and hand them to the
// browser as a download.

import { request, type RequestOptions } from "./client";

// Revoking the URL at once can cancel the download (Safari, Firefox); a minute is plenty to start it.
const KEEP_URL_MS = 60_000;

/** Saves what `path` answers (with `query`, e.g. a report's range and format) as `fileName`. */
export async function download(path: string, fileName: string, query?: RequestOptions["query"]): Promise<void> {
  const res = await request(path, { query });
  const href = URL.createObjectURL(await res.blob());
  const link = document.createElement("a");
  link.href = href;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(href), KEEP_URL_MS);
}
