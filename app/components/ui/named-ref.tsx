// A person or object shown by name, its id one hover (title) or one click (copy) away: rows that
// showed raw UUIDs were unreadable, rows that hid them left nothing to search or paste.
import { useState } from "react";
import { copyText } from "./copy-button";

export function NamedRef({ name, id, kind, testId }: { name: string | null; id: string | null; kind?: string | null; testId?: string }) {
  const [copied, setCopied] = useState(false);
  if (!id) return <span data-testid={testId}>{name ?? "—"}</span>;
  // Without a name, a short id keeps the column narrow; the full one is in the title and the copy.
  const shown = name ?? (id.length > 12 ? `${id.slice(0, 8)}…` : id);
  const title = `${kind ? `${kind} ` : ""}${id}`;
  return (
    <span className="inline-flex min-w-0 max-w-full items-center gap-1" data-testid={testId}>
      <span title={title} className={`min-w-0 break-words ${name ? "" : "font-mono text-xs"}`} data-id={id}>
        {shown}
      </span>
      <button
        type="button"
        className="shrink-0 rounded p-1 text-xs text-slate-600 hover:bg-slate-100 hover:text-slate-900 focus-visible:outline focus-visible:outline-2 focus-visible:outline-brand-600 dark:text-slate-300 dark:hover:bg-slate-800 dark:hover:text-white"
        aria-label={`Copy the id of ${shown} (${id})`}
        title={copied ? "Copied" : `Copy ${id}`}
        onClick={async () => {
          setCopied(await copyText(id));
          setTimeout(() => setCopied(false), 1500);
        }}
      >
        <span aria-live="polite" className="sr-only">
          {copied ? "Copied" : ""}
        </span>
        {copied ? (
          <svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12" fill="none" stroke="currentColor" strokeWidth="2">
            <path d="M3 8.5l3 3 7-7" />
          </svg>
        ) : (
          <svg aria-hidden="true" viewBox="0 0 16 16" width="12" height="12" fill="none" stroke="currentColor" strokeWidth="1.5">
            <rect x="5.5" y="5.5" width="8" height="8" rx="1.5" />
            <path d="M10.5 3.5v-1a1 1 0 0 0-1-1h-6a1 1 0 0 0-1 1v6a1 1 0 0 0 1 1h1" />
          </svg>
        )}
      </button>
    </span>
  );
}
