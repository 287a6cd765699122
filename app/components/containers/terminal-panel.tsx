// The web terminal: xterm.js (loaded in the browser only) over the /ui socket. Keystrokes go
// out as `{type: "input"}` frames, size changes as `{type: "resize"}`; "Disconnect" sends `exit`.
// A terminal the server would refuse (InfraPilot's own container; host access for a non super
// admin) shows the server's reason instead of a Connect button; the server checks again anyway.
import { useEffect, useRef, useState } from "react";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import type { UiSocket } from "./use-ui-socket";

type Phase = { kind: "idle" } | { kind: "connecting" } | { kind: "open" } | { kind: "closed"; message: string };

export function TerminalPanel({
  socket,
  agentId,
  containerId,
  running,
  refusal = null,
  warning = null,
}: {
  socket: UiSocket | null;
  agentId: string;
  containerId: string;
  running: boolean;
  /** Why no terminal can be opened here (shown instead of Connect). */
  refusal?: string | null;
  /** Shown above Connect: this terminal reaches the host. */
  warning?: string | null;
}) {
  const host = useRef<HTMLDivElement>(null);
  const [shell, setShell] = useState<"sh" | "bash">("sh");
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    if (!socket || attempt === 0 || !host.current) return;
    let disposed = false;
    let cleanup = () => {};
    setPhase({ kind: "connecting" });
    void (async () => {
      const [{ Terminal }, { FitAddon }] = await Promise.all([import("@xterm/xterm"), import("@xterm/addon-fit"), import("@xterm/xterm/css/xterm.css")]);
      if (disposed || !host.current) return;
      const term = new Terminal({ cursorBlink: true, fontSize: 13, fontFamily: "ui-monospace, SFMono-Regular, Menlo, monospace", theme: { background: "#020617" } });
      const fit = new FitAddon();
      term.loadAddon(fit);
      term.open(host.current);
      fit.fit();
      let sessionId: string | null = null;
      const send = (frame: object) => socket.emit("terminal:frame", JSON.stringify(frame));
      const onOutput = (p: { sessionId: string; data: string }) => p.sessionId === sessionId && term.write(p.data);
      const onExit = (p: { sessionId: string; exitCode: number | null; reason: string | null }) => {
        if (p.sessionId !== sessionId) return;
        sessionId = null;
        setPhase({ kind: "closed", message: p.reason && p.reason !== "closed" ? `Session ended: ${p.reason}` : `Session ended${p.exitCode !== null ? ` (exit code ${p.exitCode})` : ""}.` });
      };
      socket.on("terminal:output", onOutput);
      socket.on("terminal:exit", onExit);
      const input = term.onData((data) => sessionId && send({ type: "input", data }));
      const resized = term.onResize(({ cols, rows }) => sessionId && send({ type: "resize", cols, rows }));
      const observer = new ResizeObserver(() => fit.fit());
      observer.observe(host.current);
      socket.emit("terminal:open", { agentId, containerId, shell, cols: term.cols, rows: term.rows }, (result) => {
        if (disposed) return;
        if (!result.ok) return setPhase({ kind: "closed", message: result.error.message });
        sessionId = result.sessionId;
        setPhase({ kind: "open" });
        term.focus();
      });
      cleanup = () => {
        if (sessionId) send({ type: "exit" });
        observer.disconnect();
        input.dispose();
        resized.dispose();
        socket.off("terminal:output", onOutput);
        socket.off("terminal:exit", onExit);
        term.dispose();
      };
    })();
    return () => {
      disposed = true;
      cleanup();
    };
  }, [socket, attempt, agentId, containerId, shell]);

  const active = phase.kind === "open" || phase.kind === "connecting";
  if (refusal) {
    return (
      <div className="flex flex-col gap-3">
        <button type="button" className={`${BUTTON.primary} self-start`} disabled aria-describedby="terminal-refusal" title={refusal}>
          Connect
        </button>
        <p id="terminal-refusal" data-testid="terminal-refusal" className="text-sm text-slate-700 dark:text-slate-300">
          {refusal}
        </p>
      </div>
    );
  }
  return (
    <div className="flex flex-col gap-3">
      {warning ? (
        <p role="note" className="rounded-lg border border-amber-300 bg-amber-50 px-3 py-2 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
          {warning} Opening it is recorded in the audit log.
        </p>
      ) : null}
      <div className="flex flex-wrap items-center gap-2">
        <label className="flex items-center gap-2 text-sm">
          Shell
          <select value={shell} onChange={(e) => setShell(e.target.value as "sh" | "bash")} disabled={active} className={INPUT}>
            <option value="sh">sh</option>
            <option value="bash">bash (when present)</option>
          </select>
        </label>
        {active ? (
          <button type="button" className={BUTTON.secondary} onClick={() => {
              setAttempt(0);
              setPhase({ kind: "idle" });
            }}>
            Disconnect
          </button>
        ) : (
          <button type="button" className={BUTTON.primary} onClick={() => setAttempt((n) => n + 1)} disabled={!socket || !running}>
            {phase.kind === "closed" ? "Reconnect" : "Connect"}
          </button>
        )}
        <span role="status" className="text-sm text-slate-500 dark:text-slate-400" data-testid="terminal-status">
          {!running ? "The container is not running: start it to open a terminal." : phase.kind === "connecting" ? "Connecting…" : phase.kind === "open" ? "Connected" : phase.kind === "closed" ? phase.message : ""}
        </span>
      </div>
      <div ref={host} data-testid="terminal" className={`h-[26rem] overflow-hidden rounded-lg bg-slate-950 p-2 ${attempt === 0 ? "hidden" : ""}`} />
    </div>
  );
}
