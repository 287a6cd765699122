// A container's log: the last N lines, then new ones while following; stdout/stderr marks,
// level badges, search with highlight, download as text.
import { useCallback, useEffect, useRef, useState } from "react";
import { Badge } from "~/components/ui/badge";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import type { LogLine } from "~/server/logs/log-line";
import { useOnConnect, type UiSocket } from "./use-ui-socket";

const KEEP = 10_000;
const LEVEL_TONE = { error: "bad", warn: "warn", info: "good", debug: "muted", unknown: "muted" } as const;

function Highlight({ text, needle }: { text: string; needle: string }) {
  if (!needle) return <>{text}</>;
  const lower = text.toLowerCase();
  const parts: React.ReactNode[] = [];
  let from = 0;
  for (let at = lower.indexOf(needle); at !== -1; at = lower.indexOf(needle, from)) {
    parts.push(text.slice(from, at), <mark key={at} className="rounded bg-yellow-200 text-slate-900 dark:bg-yellow-600 dark:text-white">{text.slice(at, at + needle.length)}</mark>);
    from = at + needle.length;
  }
  parts.push(text.slice(from));
  return <>{parts}</>;
}

export function LogViewer({ socket, agentId, containerId, containerName }: { socket: UiSocket | null; agentId: string; containerId: string; containerName: string }) {
  const [lines, setLines] = useState<LogLine[]>([]);
  const [tail, setTail] = useState(500);
  const [follow, setFollow] = useState(true);
  const [search, setSearch] = useState("");
  const [status, setStatus] = useState<string | null>("Loading…");
  const box = useRef<HTMLDivElement>(null);

  const subscribe = useCallback(
    (s: UiSocket) => {
      if (!follow) return;
      let subscriptionId: string | null = null;
      let closed = false;
      setLines([]);
      const onBatch = (p: { subscriptionId: string; items: LogLine[]; dropped?: number }) => {
        if (p.subscriptionId !== subscriptionId) return;
        setLines((current) => [...current, ...p.items].slice(-KEEP));
        setStatus(p.dropped ? `${p.dropped} lines skipped to keep up` : null);
      };
      const onEnd = (p: { subscriptionId: string; reason: string | null }) => {
        if (p.subscriptionId === subscriptionId) setStatus(p.reason ? `Stopped: ${p.reason}` : "The container stopped writing (it is not running).");
      };
      s.on("logs:batch", onBatch);
      s.on("logs:end", onEnd);
      s.emit("logs:subscribe", { agentId, containerId, tail }, (result) => {
        if (!result.ok) return setStatus(result.error.message);
        subscriptionId = result.subscriptionId;
        setStatus(null);
        if (closed) s.emit("logs:unsubscribe", { subscriptionId });
      });
      return () => {
        closed = true;
        if (subscriptionId) s.emit("logs:unsubscribe", { subscriptionId });
        s.off("logs:batch", onBatch);
        s.off("logs:end", onEnd);
      };
    },
    [agentId, containerId, tail, follow],
  );
  useOnConnect(socket, subscribe);

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [lines, follow]);

  const needle = search.trim().toLowerCase();
  const shown = needle ? lines.filter((l) => l.message.toLowerCase().includes(needle)) : lines;
  const download = () => {
    const text = lines.map((l) => `${l.time ?? ""} ${l.stream} ${l.message}`).join("\n") + "\n";
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
    const a = document.createElement("a");
    a.href = url;
    a.download = `${containerName}-${new Date().toISOString().replace(/[:.]/g, "-")}.log`;
    a.click();
    URL.revokeObjectURL(url);
  };

  return (
    <div className="flex flex-col gap-3">
      <div className="flex flex-col gap-2 sm:flex-row sm:items-center">
        <label className="sr-only" htmlFor="log-search">Search the log</label>
        <input id="log-search" type="search" placeholder="Search" value={search} onChange={(e) => setSearch(e.target.value)} className={`${INPUT} sm:w-64`} />
        <label className="flex items-center gap-2 text-sm">
          Last
          <select value={tail} onChange={(e) => setTail(Number(e.target.value))} className={INPUT}>
            {[100, 500, 1000, 5000].map((n) => (
              <option key={n} value={n}>{n}</option>
            ))}
          </select>
          lines
        </label>
        <label className="flex items-center gap-2 text-sm">
          <input type="checkbox" checked={follow} onChange={(e) => setFollow(e.target.checked)} /> Follow
        </label>
        <button type="button" className={BUTTON.secondary} onClick={download} disabled={lines.length === 0}>
          Download
        </button>
        <span className="text-xs text-slate-500 sm:ml-auto dark:text-slate-400">{needle ? `${shown.length} of ${lines.length} lines` : `${lines.length} lines`}</span>
      </div>
      {status ? <p className="text-sm text-slate-500 dark:text-slate-400" role="status">{status}</p> : null}
      <div ref={box} tabIndex={0} aria-label="Log lines" data-testid="log-lines" className="h-[28rem] overflow-auto rounded-lg border border-slate-200 bg-slate-950 p-2 font-mono text-xs text-slate-100 dark:border-slate-800">
        {shown.length === 0 ? <p className="p-2 text-slate-400">{needle ? "No line matches." : "No output yet."}</p> : null}
        {shown.map((l, i) => (
          <div key={i} data-testid="log-line" data-stream={l.stream} className={`flex flex-wrap items-start gap-x-2 border-l-2 pl-2 ${l.stream === "stderr" ? "border-red-500" : "border-transparent"}`}>
            <span className="shrink-0 text-slate-500 dark:text-slate-400">{l.time ? l.time.slice(11, 23) : ""}</span>
            <span className={`w-12 shrink-0 ${l.stream === "stderr" ? "text-red-400" : "text-slate-500 dark:text-slate-400"}`}>{l.stream}</span>
            {l.level !== "unknown" ? <Badge tone={LEVEL_TONE[l.level]}>{l.level}</Badge> : null}
            <span className="min-w-0 basis-full whitespace-pre-wrap wrap-anywhere sm:flex-1 sm:basis-0"><Highlight text={l.message} needle={needle} /></span>
          </div>
        ))}
      </div>
    </div>
  );
}
