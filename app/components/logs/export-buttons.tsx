// The Logs page's export: CSV or NDJSON of the current filter and range, streamed. With scripts,
// the file is fetched here so the page can show progress (rows and bytes so far, a bar when the
// server sent the row count in `X-Log-Count`) and offer Cancel; it is saved once complete.
// Without scripts the links download the same URL directly.
import { useEffect, useRef, useState } from "react";
import { BUTTON } from "~/components/ui/button-classes";
import { countRows, formatSize, rowCounter } from "./export-count";

type Format = "csv" | "ndjson";

interface Progress {
  format: Format;
  rows: number;
  bytes: number;
  total: number | null;
  state: "running" | "done" | "cancelled" | "failed";
  message?: string;
}

export function ExportButtons({ query }: { query: string }) {
  const [progress, setProgress] = useState<Progress | null>(null);
  const abort = useRef<AbortController | null>(null);
  useEffect(() => () => abort.current?.abort(), []);

  const href = (format: Format) => `/api/v1/logs/export?format=${format}${query ? `&${query}` : ""}`;

  async function run(format: Format) {
    abort.current?.abort();
    const controller = new AbortController();
    abort.current = controller;
    setProgress({ format, rows: 0, bytes: 0, total: null, state: "running" });
    try {
      const res = await fetch(href(format), { signal: controller.signal, credentials: "same-origin" });
      if (!res.ok || !res.body) {
        const body = (await res.json().catch(() => null)) as { error?: { message?: string } } | null;
        throw new Error(body?.error?.message ?? `The export failed (${res.status}).`);
      }
      const header = res.headers.get("X-Log-Count");
      const total = header !== null && /^\d+$/.test(header) ? Number(header) : null;
      const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? `infrapilot-logs.${format}`;
      setProgress({ format, rows: 0, bytes: 0, total, state: "running" });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      const counter = rowCounter(format);
      const parts: Uint8Array[] = [];
      let bytes = 0;
      let shown = 0;
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parts.push(value);
        bytes += value.byteLength;
        countRows(counter, decoder.decode(value, { stream: true }));
        // Re-render at most every 64 KB or so, not per chunk.
        if (bytes - shown > 65_536) {
          shown = bytes;
          setProgress({ format, rows: counter.rows, bytes, total, state: "running" });
        }
      }
      setProgress({ format, rows: counter.rows, bytes, total, state: "done" });
      const url = URL.createObjectURL(new Blob(parts as BlobPart[], { type: res.headers.get("Content-Type") ?? "application/octet-stream" }));
      const a = document.createElement("a");
      a.href = url;
      a.download = name;
      document.body.append(a);
      a.click();
      a.remove();
      setTimeout(() => URL.revokeObjectURL(url), 10_000);
    } catch (error) {
      if (controller.signal.aborted) setProgress((p) => (p ? { ...p, state: "cancelled" } : p));
      else setProgress((p) => ({ ...(p ?? { format, rows: 0, bytes: 0, total: null }), state: "failed", message: error instanceof Error ? error.message : String(error) }));
    } finally {
      if (abort.current === controller) abort.current = null;
    }
  }

  const running = progress?.state === "running";
  const percent = progress?.total ? Math.min(100, Math.round((progress.rows / Math.max(1, progress.total)) * 100)) : null;
  return (
    <div className="flex flex-col items-stretch gap-2 sm:items-end" data-testid="log-export">
      <div className="flex flex-wrap gap-2">
        {(["csv", "ndjson"] as const).map((format) => (
          <a
            key={format}
            className={`${BUTTON.secondary} ${running ? "pointer-events-none opacity-60" : ""}`}
            href={href(format)}
            download
            aria-disabled={running}
            onClick={(e) => {
              e.preventDefault();
              if (!running) void run(format);
            }}
          >
            Export {format === "csv" ? "CSV" : "NDJSON"}
          </a>
        ))}
        {running ? (
          <button type="button" className={BUTTON.dangerOutline} onClick={() => abort.current?.abort()}>
            Cancel export
          </button>
        ) : null}
      </div>
      {progress ? (
        <div className="flex min-w-[16rem] flex-col gap-1 text-xs text-slate-600 dark:text-slate-300" role="status" aria-live="polite">
          {percent !== null || progress.state === "done" ? (
            <div
              className="h-1.5 w-full overflow-hidden rounded bg-slate-200 dark:bg-slate-800"
              role="progressbar"
              aria-label="Export progress"
              aria-valuemin={0}
              aria-valuemax={100}
              aria-valuenow={progress.state === "done" ? 100 : (percent ?? 0)}
            >
              <div className="h-full bg-brand-600" style={{ width: `${progress.state === "done" ? 100 : (percent ?? 0)}%` }} />
            </div>
          ) : null}
          <span data-testid="log-export-progress">
            {progress.state === "running" ? "Exporting" : progress.state === "done" ? "Exported" : progress.state === "cancelled" ? "Export cancelled after" : "Export failed after"}{" "}
            {progress.rows.toLocaleString("en")}
            {progress.total !== null ? ` of ${progress.total.toLocaleString("en")}` : ""} rows · {formatSize(progress.bytes)} ({progress.format.toUpperCase()})
            {progress.state === "failed" && progress.message ? `: ${progress.message}` : ""}
          </span>
        </div>
      ) : null}
    </div>
  );
}
