// The Logs page's "Live" time choice: one merged stream of the chosen containers (ids, a stack or
// all), each source in its own colour, level badges, the page's level and text/regex filter with
// highlighting, pause/resume and follow. A reconnect resumes from the newest line shown; "Open in
// history" hands the same filters and the time span on screen to the persisted history.
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import {
  useOnConnect,
  useUiSocket,
  type UiSocket,
} from "~/components/containers/use-ui-socket";
import { Badge } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import { isProxySource, sourceKey, sourceName, type LiveLine } from "~/server/logs/log-line";
import {
  advanceResume,
  afterResume,
  mergeByTime,
  type ResumePoint,
} from "./live-merge";
import { colour, LEVEL_TONE, Marked } from "./log-rows";

export interface LiveSelection {
  agentId: string;
  containerIds?: string[];
  stack?: string;
  all?: boolean;
  /** Proxy hosts whose access and error logs join the stream. */
  proxyHostIds?: string[];
}

/** How far back a fresh live view starts, so it is not empty (Docker's own recent output). */
const WARM_UP_MS = 60_000;
const PAUSE_LIMIT = 5_000;
const RETRY_MS = 5_000;

function matcher(
  q: string,
  regex: boolean
): ((message: string) => boolean) | null {
  if (!q) return null;
  if (regex) {
    try {
      const re = new RegExp(q, "i");
      return (m) => re.test(m);
    } catch {
      return () => false;
    }
  }
  const needle = q.toLowerCase();
  return (m) => m.toLowerCase().includes(needle);
}

export function LiveLogStream({
  selection,
  q,
  regex,
  levels,
  historyHref,
}: {
  selection: LiveSelection;
  q: string;
  regex: boolean;
  levels: string[];
  historyHref: (from: string, to: string) => string;
}) {
  const socket = useUiSocket();
  const [view, setView] = useState<LiveLine[]>([]);
  const [paused, setPaused] = useState(false);
  const [follow, setFollow] = useState(true);
  const [skipped, setSkipped] = useState(0);
  const [status, setStatus] = useState<string | null>("Connecting…");
  const resume = useRef<ResumePoint | null>(null);
  const held = useRef<LiveLine[]>([]);
  const pausedRef = useRef(false);
  const box = useRef<HTMLDivElement>(null);
  const key = JSON.stringify(selection);

  const take = useCallback((lines: LiveLine[]) => {
    if (pausedRef.current) {
      held.current = mergeByTime(held.current, lines, PAUSE_LIMIT);
      return;
    }
    setView((v) => mergeByTime(v, lines));
  }, []);

  const subscribe = useCallback(
    (s: UiSocket) => {
      let subscriptionId: string | null = null;
      let closed = false;
      const onBatch = (p: {
        subscriptionId: string;
        items: LiveLine[];
        skipped?: number;
      }) => {
        if (p.subscriptionId !== subscriptionId) return;
        if (p.skipped) setSkipped((n) => n + p.skipped!);
        const fresh = afterResume(resume.current, p.items);
        resume.current = advanceResume(resume.current, fresh);
        take(fresh);
      };
      let retry: ReturnType<typeof setTimeout> | undefined;
      const start = () => {
        const since = resume.current?.time ?? new Date(Date.now() - WARM_UP_MS).toISOString();
        s.emit("logs:stream", { ...JSON.parse(key), since }, (result) => {
          if (closed) return;
          if (result.ok) {
            subscriptionId = result.subscriptionId;
            setStatus(result.sources.length ? null : "No running containers match; checking again every few seconds.");
          } else setStatus(result.error.message);
        });
      };
      // Every source ended (containers stopped or restarted): look again, from the newest line
      // shown, so restarted or newly started containers come back without a reload.
      const onEnd = (p: { subscriptionId: string; reason: string | null }) => {
        if (p.subscriptionId !== subscriptionId) return;
        subscriptionId = null;
        if (p.reason) setStatus(`The stream ended: ${p.reason}`);
        retry = setTimeout(start, RETRY_MS);
      };
      s.on("logs:stream:batch", onBatch);
      s.on("logs:stream:end", onEnd);
      start();
      return () => {
        closed = true;
        clearTimeout(retry);
        s.off("logs:stream:batch", onBatch);
        s.off("logs:stream:end", onEnd);
        if (subscriptionId)
          s.emit("logs:stream:unsubscribe", { subscriptionId });
      };
    },
    [key, take]
  );
  useOnConnect(socket, subscribe);

  const togglePause = () => {
    if (paused && held.current.length) {
      const lines = held.current;
      held.current = [];
      setView((v) => mergeByTime(v, lines));
    }
    pausedRef.current = !paused;
    setPaused(!paused);
  };

  const match = useMemo(() => matcher(q, regex), [q, regex]);
  const shown = useMemo(
    () =>
      view.filter(
        (l) =>
          (levels.length === 0 || levels.includes(l.level)) &&
          (!match || match(l.message))
      ),
    [view, levels, match]
  );

  useEffect(() => {
    if (follow && box.current) box.current.scrollTop = box.current.scrollHeight;
  }, [shown, follow]);

  const first = view[0]?.time;
  const last = view.at(-1)?.time;
  return (
    <div className="flex flex-col gap-3" data-testid="live-logs">
      <div className="flex flex-wrap items-center gap-3 text-sm">
        <span className="inline-flex items-center gap-1 font-medium">
          <span
            className={`inline-block h-2 w-2 rounded-full ${
              paused ? "bg-amber-500" : "bg-emerald-500"
            }`}
            aria-hidden
          />{" "}
          {paused ? "Paused" : "Live"}
        </span>
        <button
          type="button"
          className={BUTTON.secondary}
          onClick={togglePause}
        >
          {paused ? "Resume" : "Pause"}
        </button>
        <label className="flex items-center gap-1">
          <input
            type="checkbox"
            checked={follow}
            onChange={(e) => setFollow(e.target.checked)}
          />{" "}
          Follow
        </label>
        <button
          type="button"
          className={BUTTON.secondary}
          onClick={() => setView([])}
        >
          Clear
        </button>
        {first && last ? (
          <a
            className="text-brand-600 hover:underline dark:text-brand-300"
            href={historyHref(first, last)}
          >
            Open this span in history
          </a>
        ) : null}
        <span className="text-slate-500 dark:text-slate-400">
          {shown.length.toLocaleString("en")} of{" "}
          {view.length.toLocaleString("en")} lines
          {skipped
            ? ` · ${skipped.toLocaleString(
                "en"
              )} lines skipped (the connection fell behind)`
            : ""}
        </span>
      </div>
      {status ? <p className="text-sm text-slate-500 dark:text-slate-400">{status}</p> : null}
      <div
        ref={box}
        className="max-h-[60vh] overflow-auto rounded-md border border-slate-200 dark:border-slate-800"
      >
        <table className="w-full text-sm">
          <tbody className="divide-y divide-slate-100 dark:divide-slate-800">
            {shown.map((l, i) => {
              const name = sourceName(l.source);
              const proxy = isProxySource(l.source);
              return (
              <tr
                key={`${sourceKey(l.source)}-${l.time}-${i}`}
                data-testid="live-log-row"
                data-source={proxy ? "proxy" : "container"}
                className="align-top"
              >
                <td className="whitespace-nowrap py-1 pl-2 pr-3 font-mono text-xs text-slate-500 dark:text-slate-400">
                  <span className="hidden sm:inline">{l.time?.slice(0, 10)} </span>
                  {l.time?.slice(11, 23)}
                </td>
                <td
                  className={`max-w-[8rem] truncate py-1 pr-3 font-mono text-xs sm:max-w-[12rem] ${colour(
                    proxy ? `proxy:${name}` : name
                  )}`}
                  title={proxy ? `${name} (proxy ${l.stream} log)` : name}
                >
                  {proxy ? (
                    <span className="mr-1 rounded bg-slate-100 px-1 text-[10px] uppercase text-slate-600 dark:bg-slate-800 dark:text-slate-300">
                      {l.stream}
                    </span>
                  ) : null}
                  {name}
                </td>
                <td className="py-1 pr-3">
                  <Badge tone={LEVEL_TONE[l.level]}>{l.level}</Badge>
                </td>
                <td
                  className={`whitespace-pre-wrap wrap-anywhere py-1 font-mono text-xs ${
                    l.stream === "stderr" || l.stream === "error"
                      ? "text-red-800 dark:text-red-300"
                      : ""
                  }`}
                >
                  <Marked text={l.message} term={q || null} regex={regex} />
                </td>
              </tr>
              );
            })}
          </tbody>
        </table>
      </div>
    </div>
  );
}
