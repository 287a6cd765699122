// Pull an image by reference with live progress: the form posts to the REST API
// (`POST /api/v1/agents/:agentId/images/pull`) and reads its NDJSON answer as it streams, so the
// page shows layers and bytes as the engine reports them. A refusal (bad reference, role) is the
// API's JSON error, shown under the field; Cancel aborts the request, which stops the pull.
import { useEffect, useId, useRef, useState } from "react";
import { summarizePull, type PullEvent } from "~/docker-objects";
import { formatBytes } from "~/components/containers/format";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { parseImageReference } from "~/validation/resources";

type State =
  | { kind: "idle" }
  | { kind: "pulling"; reference: string; events: PullEvent[] }
  | { kind: "done"; reference: string }
  | { kind: "failed"; message: string; field: boolean };

export function PullForm({ agentId, onPulled }: { agentId: string; onPulled: () => void }) {
  const [reference, setReference] = useState("");
  const [state, setState] = useState<State>({ kind: "idle" });
  const abort = useRef<AbortController | null>(null);
  const id = useId();
  useEffect(() => () => abort.current?.abort(), []);

  async function pull(event: React.FormEvent) {
    event.preventDefault();
    const controller = new AbortController();
    abort.current = controller;
    const wanted = reference.trim();
    // The server checks it again; checking here first says what is wrong without a round trip.
    const parsed = parseImageReference(wanted);
    if (!parsed.ok) {
      setState({ kind: "failed", message: parsed.message, field: true });
      return;
    }
    setState({ kind: "pulling", reference: wanted, events: [] });
    try {
      const res = await fetch(`/api/v1/agents/${agentId}/images/pull`, {
        method: "POST",
        headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ reference: wanted }),
        credentials: "same-origin",
        signal: controller.signal,
      });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string; fields?: Record<string, string> } } | null;
        const fieldMessage = body?.error?.fields?.reference;
        setState({ kind: "failed", message: fieldMessage ?? body?.error?.message ?? `The pull failed (${res.status}).`, field: Boolean(fieldMessage) });
        return;
      }
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      const events: PullEvent[] = [];
      let pending = "";
      let last: PullEvent | null = null;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        pending += value;
        const lines = pending.split("\n");
        pending = lines.pop() ?? "";
        for (const line of lines) if (line.trim()) events.push((last = JSON.parse(line) as PullEvent));
        setState({ kind: "pulling", reference: wanted, events: [...events] });
      }
      if (last?.type === "done") {
        setState({ kind: "done", reference: last.reference });
        setReference("");
        onPulled();
      } else {
        setState({ kind: "failed", message: last?.type === "error" ? last.error.message : "The pull ended without an answer.", field: false });
      }
    } catch (error) {
      if (controller.signal.aborted) setState({ kind: "failed", message: "Pull cancelled.", field: false });
      else setState({ kind: "failed", message: error instanceof Error ? error.message : String(error), field: false });
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }

  const pulling = state.kind === "pulling";
  const summary = state.kind === "pulling" ? summarizePull(state.events) : null;
  const percent = summary && summary.total > 0 ? Math.min(100, Math.round((summary.current / summary.total) * 100)) : null;
  return (
    <section aria-labelledby={`${id}-title`} className="mb-6 rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <h2 id={`${id}-title`} className="mb-2 text-sm font-semibold">Pull an image</h2>
      <form onSubmit={pull} className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <div className="flex flex-1 flex-col gap-1">
          <label htmlFor={`${id}-ref`} className="sr-only">Image reference</label>
          <input
            id={`${id}-ref`}
            name="reference"
            value={reference}
            onChange={(e) => setReference(e.target.value)}
            placeholder="nginx:1.27, ghcr.io/owner/app:tag"
            autoComplete="off"
            spellCheck={false}
            required
            disabled={pulling}
            aria-invalid={state.kind === "failed" && state.field ? true : undefined}
            aria-describedby={`${id}-hint`}
            className={`${INPUT} w-full font-mono`}
          />
          <p id={`${id}-hint`} className="text-xs text-slate-600 dark:text-slate-400">
            Without a tag, <span className="font-mono">latest</span> is pulled. Private registries need the engine to be logged in to them.
          </p>
        </div>
        {pulling ? (
          <button type="button" className={BUTTON.secondary} onClick={() => abort.current?.abort()}>
            Cancel
          </button>
        ) : (
          <button type="submit" className={BUTTON.primary}>
            Pull
          </button>
        )}
      </form>
      <div aria-live="polite" className="mt-2 text-sm" data-testid="pull-status">
        {state.kind === "pulling" ? (
          <div className="flex flex-col gap-1">
            <p>
              Pulling <span className="font-mono">{state.reference}</span>
              {summary && summary.layers > 0 ? ` — ${summary.layersDone} of ${summary.layers} layers` : "…"}
              {summary && summary.total > 0 ? `, ${formatBytes(summary.current)} of ${formatBytes(summary.total)}` : ""}
            </p>
            <div className="h-2 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800" role="progressbar" aria-label="Pull progress" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent ?? undefined}>
              <div className={`h-full bg-brand-600 ${percent === null ? "w-1/3 animate-pulse" : ""}`} style={percent === null ? undefined : { width: `${percent}%` }} />
            </div>
            {summary?.last ? <p className="truncate font-mono text-xs text-slate-600 dark:text-slate-400">{summary.last}</p> : null}
          </div>
        ) : state.kind === "done" ? (
          <p className="text-emerald-700 dark:text-emerald-300">
            Pulled <span className="font-mono">{state.reference}</span>.
          </p>
        ) : state.kind === "failed" ? (
          <p role="alert" className="text-red-700 dark:text-red-300">
            {state.message}
          </p>
        ) : null}
      </div>
    </section>
  );
}
