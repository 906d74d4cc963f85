import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useRef, useState, type FormEvent } from "react";

import { api, idempotencyKey } from "../../api/client";
import { download } from "../../api/download";
import { shortDate } from "../../api/format";
import type { FileMeta } from "../../api/types";
import { Badge, Card, Empty, ErrorNote, Field, Loading } from "../../components/ui";

export function fileSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB"];
  let value = bytes / 1024;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** Each name once, newest version first, with the versions before it. */
export function byName(files: FileMeta[]): { latest: FileMeta; earlier: FileMeta[] }[] {
  const groups = new Map<string, FileMeta[]>();
  for (const f of files) groups.set(f.name, [...(groups.get(f.name) ?? []), f]);
  return [...groups.values()]
    .map((versions) => versions.sort((a, b) => b.version - a.version))
    .map(([latest, ...earlier]) => ({ latest, earlier }))
    .sort((a, b) => a.latest.name.localeCompare(b.latest.name));
}

export function Files({ projectId, canUpload }: { projectId: string; canUpload: boolean }) {
  const files = useQuery({
    queryKey: ["files", projectId],
    queryFn: ({ signal }) =>
      api<{ files: FileMeta[] }>(`/projects/${projectId}/files`, { query: { limit: 500 }, signal }),
    select: (d) => byName(d.files),
  });

  return (
    <div className="grid">
      {canUpload && <UploadForm projectId={projectId} />}
      <Card title="Files">
        {files.isPending ? (
          <Loading label="Loading files" />
        ) : files.isError ? (
          <ErrorNote error={files.error} />
        ) : files.data.length === 0 ? (
          <Empty>No files yet.</Empty>
        ) : (
          <table className="table files-table">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Version</th>
                <th scope="col" className="num">Size</th>
                <th scope="col">Uploaded</th>
                <th scope="col"><span className="sr-only">Download</span></th>
              </tr>
            </thead>
            <tbody>
              {files.data.map(({ latest, earlier }) => (
                <tr key={latest.id}>
                  <td className="lead" data-label="Name">
                    <div className="file-name">
                      {latest.name}
                      {earlier.length > 0 && <EarlierVersions files={earlier} />}
                    </div>
                  </td>
                  <td data-label="Version"><Badge tone="info">v{latest.version}</Badge></td>
                  <td className="num" data-label="Size">{fileSize(latest.size_bytes)}</td>
                  <td data-label="Uploaded">{shortDate(latest.created_at)}</td>
                  <td data-label="">
                    <DownloadButton file={latest} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
    </div>
  );
}

function EarlierVersions({ files }: { files: FileMeta[] }) {
  return (
    <details className="file-versions">
      <summary>
        {files.length} earlier {files.length === 1 ? "version" : "versions"}
      </summary>
      <ul>
        {files.map((f) => (
          <li key={f.id}>
            <span>
              v{f.version} · {fileSize(f.size_bytes)} · {shortDate(f.created_at)}
            </span>
            <DownloadButton file={f} />
          </li>
        ))}
      </ul>
    </details>
  );
}

function DownloadButton({ file }: { file: FileMeta }) {
  const fetchIt = useMutation({ mutationFn: () => download(`/files/${file.id}/content`, file.name) });
  return (
    <div className="download">
      <button
        type="button"
        onClick={() => fetchIt.mutate()}
        disabled={fetchIt.isPending}
        aria-label={`Download ${file.name} version ${file.version}`}
      >
        {fetchIt.isPending ? "Downloading…" : "Download"}
      </button>
      <ErrorNote error={fetchIt.error} />
    </div>
  );
}

function UploadForm({ projectId }: { projectId: string }) {
  const queryClient = useQueryClient();
  const input = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<File | null>(null);
  const upload = useMutation({
    mutationFn: ({ file, key }: { file: File; key: string }) => {
      const form = new FormData();
      form.append("file", file);
      return api<FileMeta>(`/projects/${projectId}/files`, { body: form, idempotencyKey: key });
    },
    onSuccess: () => {
      setChosen(null);
      if (input.current) input.current.value = "";
      void queryClient.invalidateQueries({ queryKey: ["files", projectId] });
    },
  });

  function submit(e: FormEvent) {
    e.preventDefault();
    if (chosen) upload.mutate({ file: chosen, key: idempotencyKey() });
  }

  return (
    <Card title="Upload a file">
      <form className="form" onSubmit={submit}>
        <Field label="File" hint="A file with the same name as an existing one becomes its next version.">
          <input
            ref={input}
            type="file"
            onChange={(e) => {
              upload.reset();
              setChosen(e.target.files?.[0] ?? null);
            }}
          />
        </Field>
        <ErrorNote error={upload.error} />
        <p role="status" className="muted form-status">
          {upload.isSuccess && `Uploaded ${upload.data.name} as version ${upload.data.version}.`}
        </p>
        <div className="row">
          <button className="primary" type="submit" disabled={!chosen || upload.isPending}>
            {upload.isPending ? "Uploading…" : "Upload"}
          </button>
        </div>
      </form>
    </Card>
  );
}
