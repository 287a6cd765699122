// Domain names as chips: Enter, a comma or leaving the field makes a chip; each chip is checked
// at once with the same rules as the server (app/validation/proxy.ts), so "exa mple.com" is one
// invalid chip, never two hosts. One-label names ("localhost") need the explicit opt-in below.
// Without JavaScript the text field still posts a comma-separated list.
import { useId, useState } from "react";
import { isSingleLabel, normalizeDomain, SINGLE_LABEL_MESSAGE, splitDomains } from "~/validation/proxy";

function problem(raw: string, allowSingleLabel: boolean): string | null {
  const r = normalizeDomain(raw);
  if (!r.ok) return r.error;
  if (!allowSingleLabel && isSingleLabel(r.value)) return SINGLE_LABEL_MESSAGE(r.value);
  return null;
}

export function DomainsInput({
  defaultValue = [],
  defaultAllowSingleLabel = false,
  error,
  hint,
}: {
  defaultValue?: string[];
  defaultAllowSingleLabel?: boolean;
  error?: string;
  hint: string;
}) {
  const id = useId();
  const [chips, setChips] = useState<string[]>(defaultValue);
  const [draft, setDraft] = useState("");
  const [allowSingle, setAllowSingle] = useState(defaultAllowSingleLabel);
  const commit = (text: string) => {
    const names = splitDomains(text);
    if (names.length) setChips((c) => [...c, ...names.filter((n) => !c.includes(n))]);
    setDraft("");
  };
  const problems = chips.map((c) => ({ chip: c, problem: problem(c, allowSingle) })).filter((p) => p.problem);
  const invalid = Boolean(error) || problems.length > 0;
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        Domains
      </label>
      <div
        className={`flex flex-wrap items-center gap-1.5 rounded-md border bg-white px-2 py-1.5 shadow-sm focus-within:border-brand-500 focus-within:ring-2 focus-within:ring-brand-500/30 dark:bg-slate-900 ${
          invalid ? "border-red-500" : "border-slate-300 dark:border-slate-700"
        }`}
      >
        {chips.map((chip) => {
          const bad = problem(chip, allowSingle);
          return (
            <span
              key={chip}
              data-testid="domain-chip"
              data-valid={!bad}
              className={`inline-flex max-w-full items-center gap-1 rounded-full border px-2 py-0.5 font-mono text-xs wrap-anywhere ${
                bad ? "border-red-400 bg-red-50 text-red-800 dark:border-red-700 dark:bg-red-950 dark:text-red-200" : "border-slate-300 bg-slate-100 text-slate-800 dark:border-slate-600 dark:bg-slate-800 dark:text-slate-100"
              }`}
            >
              <input type="hidden" name="domains" value={chip} />
              {chip}
              <button type="button" aria-label={`Remove ${chip}`} onClick={() => setChips((c) => c.filter((x) => x !== chip))} className="rounded-full px-1 leading-none hover:bg-slate-200 dark:hover:bg-slate-700">
                ×
              </button>
            </span>
          );
        })}
        <input
          id={id}
          name="domains"
          value={draft}
          onChange={(e) => (/[,\n]/.test(e.target.value) ? commit(e.target.value) : setDraft(e.target.value))}
          onKeyDown={(e) => {
            if (e.key === "Enter" && draft.trim()) {
              e.preventDefault();
              commit(draft);
            } else if (e.key === "Backspace" && !draft && chips.length) {
              setChips((c) => c.slice(0, -1));
            }
          }}
          onBlur={() => draft.trim() && commit(draft)}
          onPaste={(e) => {
            const text = e.clipboardData.getData("text");
            if (/[,\n]/.test(text)) {
              e.preventDefault();
              commit(draft + text);
            }
          }}
          placeholder={chips.length ? "" : "app.example.com"}
          autoComplete="off"
          aria-invalid={invalid || undefined}
          aria-describedby={`${id}-help`}
          className="min-w-[10rem] flex-1 border-0 bg-transparent px-1 py-0.5 text-sm outline-none focus:ring-0 focus-visible:outline-none"
        />
      </div>
      <div id={`${id}-help`}>
        {problems.length ? (
          <ul className="text-sm text-red-700 dark:text-red-400" data-testid="domain-problems">
            {problems.map((p) => (
              <li key={p.chip}>{p.problem}</li>
            ))}
          </ul>
        ) : error ? (
          <p className="text-sm text-red-700 dark:text-red-400">{error}</p>
        ) : (
          <p className="text-xs text-slate-500 dark:text-slate-400">{hint}</p>
        )}
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" name="allowSingleLabel" checked={allowSingle} onChange={(e) => setAllowSingle(e.target.checked)} className="h-4 w-4 rounded border-slate-300" />
        Allow single-label names (localhost, intranet hosts)
      </label>
    </div>
  );
}
