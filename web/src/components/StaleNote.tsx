// An edit refused because the object changed since this screen read it (412 on If-Match): say so
// plainly, and offer to fetch what is stored now, instead of a generic error.

export function StaleNote({ message, onReload, busy = false }: {
  message: string;
  onReload: () => void;
  busy?: boolean;
}) {
  return (
    <div className="error stale-note" role="alert">
      <p>{message}</p>
      <button type="button" onClick={onReload} disabled={busy}>
        {busy ? "Reloading…" : "Reload"}
      </button>
    </div>
  );
}
