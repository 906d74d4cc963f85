// The top bar's search across projects, tasks and comments (GET /search, once typing pauses),
// results grouped by kind, each a link. A field in the bar on a wide screen; on a phone a button
// that opens it under the bar. Arrow keys move through the results, Escape closes them.

import { useQuery } from "@tanstack/react-query";
import { useEffect, useId, useRef, useState, type KeyboardEvent } from "react";
import { Link, useLocation } from "react-router-dom";

import { projectOptionsQuery } from "../../api/queries";
import { ErrorNote } from "../../components/ui";
import { RESULT_GROUPS } from "./labels";
import { MIN_QUERY, resultPath, useDebounced, useSearch, type SearchResult } from "./queries";
import "./search.css";
import { snippetParts } from "./snippet";

function Snippet({ text }: { text: string }) {
  return (
    <span className="search-snippet">
      {snippetParts(text).map((p, i) => (p.marked ? <mark key={i}>{p.text}</mark> : p.text))}
    </span>
  );
}

function groupsOf(results: SearchResult[]): [label: string, results: SearchResult[]][] {
  const known = new Set(RESULT_GROUPS.map(([type]) => type));
  const groups = RESULT_GROUPS.map(([type, label]) => [label, results.filter((r) => r.type === type)] as [string, SearchResult[]]);
  groups.push(["Other", results.filter((r) => !known.has(r.type))]);
  return groups.filter(([, rs]) => rs.length > 0);
}

export function SearchBox() {
  const [open, setOpen] = useState(false);
  const [text, setText] = useState("");
  const q = useDebounced(text.trim());
  const search = useSearch(q);
  // Names the project a task or comment is in; the list every view shares, fetched on first use.
  const projects = useQuery({ ...projectOptionsQuery, enabled: open && q.length >= MIN_QUERY });
  const projectName = (id: string) => projects.data?.projects.find((p) => p.id === id)?.name;

  const box = useRef<HTMLDivElement>(null);
  const input = useRef<HTMLInputElement>(null);
  const toggle = useRef<HTMLButtonElement>(null);
  const resultsId = useId();
  const { pathname, search: query } = useLocation();

  // Following a result (or any navigation) closes the box and forgets the words.
  useEffect(() => {
    setOpen(false);
    setText("");
  }, [pathname, query]);
  useEffect(() => {
    if (!open) return;
    const close = (e: Event) => {
      if (!box.current?.contains(e.target as Node)) setOpen(false);
    };
    document.addEventListener("pointerdown", close);
    return () => document.removeEventListener("pointerdown", close);
  }, [open]);

  const hits = () => Array.from(box.current?.querySelectorAll<HTMLAnchorElement>(".search-hit") ?? []);
  const onKeyDown = (e: KeyboardEvent) => {
    if (e.key === "Escape") {
      e.preventDefault();
      setOpen(false);
      // Back to where the search started: the field, or the phone's button (the field closes).
      (window.matchMedia?.("(min-width: 900px)").matches ? input.current : toggle.current ?? input.current)?.focus();
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    const links = hits();
    if (links.length === 0) return;
    e.preventDefault();
    const at = links.indexOf(document.activeElement as HTMLAnchorElement);
    const next = e.key === "ArrowDown" ? Math.min(at + 1, links.length - 1) : at - 1;
    if (next < 0) input.current?.focus();
    else links[next].focus();
  };

  const showing = open && q.length >= MIN_QUERY;
  const results = search.data ?? [];
  const status = search.isError
    ? ""
    : search.isPending || (search.isPlaceholderData && search.isFetching)
      ? "Searching…"
      : results.length === 0
        ? `Nothing matches “${q}”.`
        : `${results.length} ${results.length === 1 ? "result" : "results"}`;

  return (
    <div ref={box} className={open ? "search open" : "search"} onKeyDown={onKeyDown}>
      <button
        ref={toggle}
        type="button"
        className="search-toggle"
        aria-expanded={open}
        aria-label="Search"
        onClick={() => {
          setOpen((o) => !o);
          // The field appears with the click: focus it once it is there.
          setTimeout(() => input.current?.focus(), 0);
        }}
      >
        <span aria-hidden="true">⌕</span>
      </button>
      <div className="search-panel">
      <form role="search" className="search-form" onSubmit={(e) => {
        e.preventDefault();
        // Enter follows the best match; with the results closed, it opens them again.
        const best = hits()[0];
        if (best) best.click();
        else setOpen(true);
      }}>
        <input
          ref={input}
          type="search"
          className="search-input"
          placeholder="Search projects, tasks…"
          aria-label="Search Labs"
          aria-controls={resultsId}
          aria-expanded={showing}
          autoComplete="off"
          enterKeyHint="search"
          maxLength={200}
          value={text}
          onChange={(e) => {
            setText(e.target.value);
            setOpen(true);
          }}
          onFocus={() => setOpen(true)}
        />
      </form>
      <div id={resultsId} className="search-results" role="region" aria-label="Search results" hidden={!showing}>
        <p className="search-status">{status}</p>
        <ErrorNote error={search.error} />
        {showing &&
          groupsOf(results).map(([label, group]) => (
            <section key={label} className="search-group" aria-label={label}>
              <h2>{label}</h2>
              <ul>
                {group.map((r) => {
                  const where = r.type !== "project" ? projectName(r.project_id) : undefined;
                  return (
                    <li key={`${r.type}-${r.id}`}>
                      <Link className="search-hit" to={resultPath(r)}>
                        <span className="search-title">
                          {r.type === "comment" ? `Comment on ${r.title}` : r.title}
                          {where && <span className="muted"> · {where}</span>}
                        </span>
                        {r.snippet && <Snippet text={r.snippet} />}
                      </Link>
                    </li>
                  );
                })}
              </ul>
            </section>
          ))}
      </div>
      </div>
      <p className="sr-only" role="status" aria-live="polite">{showing ? status : ""}</p>
    </div>
  );
}
