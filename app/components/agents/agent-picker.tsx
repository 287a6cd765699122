// The agent picker of agent-scoped pages (docs/decisions/120): which of the organization's Docker
// hosts the page shows, with each one's online/offline state. Choosing is a plain link
// (`?agent=<id>`), so it works without JavaScript and the server remembers it for the navigation.
// Community's single built-in agent shows no picker (`show` is false). Also: the empty state of
// an organization without agents, and the offline agent's notice.
import { Link, useLocation } from "@remix-run/react";
import { useState } from "react";
import type { AgentPickerData, PickerAgent } from "~/agent-choice";
import { BUTTON } from "~/components/ui/button-classes";
import { CopyButton } from "~/components/ui/copy-button";

function StatusDot({ status }: { status: PickerAgent["status"] }) {
  return <span aria-hidden="true" className={`inline-block h-2 w-2 shrink-0 rounded-full ${status === "online" ? "bg-emerald-500" : "bg-slate-400 dark:bg-slate-500"}`} />;
}

/**
 * `hrefFor` builds the link of each agent (default: this page with `?agent=<id>`, other query
 * parameters dropped: container ids, stacks and edited hosts belong to the agent left behind).
 */
export function AgentPicker({ picker, hrefFor }: { picker: AgentPickerData; hrefFor?: (agentId: string) => string }) {
  const location = useLocation();
  if (!picker.show || picker.agents.length === 0) return null;
  const current = picker.agents.find((a) => a.id === picker.agentId) ?? null;
  const href = hrefFor ?? ((id: string) => `${location.pathname}?agent=${encodeURIComponent(id)}`);
  return (
    <details className="relative mb-4 w-full sm:w-auto" data-testid="agent-picker">
      <summary
        className="flex cursor-pointer list-none items-center gap-2 rounded-md border border-slate-300 bg-white px-3 py-2 text-sm shadow-sm hover:bg-slate-50 sm:inline-flex dark:border-slate-700 dark:bg-slate-900 dark:hover:bg-slate-800"
        aria-label={current ? `Agent: ${current.name} (${current.status}). Choose another agent` : "Choose an agent"}
      >
        <span className="text-slate-600 dark:text-slate-400">Agent</span>
        {current ? <StatusDot status={current.status} /> : null}
        <span className="max-w-[14rem] truncate font-medium" data-testid="current-agent">{current?.name ?? "none"}</span>
        {current ? <span className="text-xs text-slate-600 dark:text-slate-400" data-testid="current-agent-status">{current.status}</span> : null}
        <span aria-hidden="true" className="ml-auto sm:ml-0">▾</span>
      </summary>
      <div className="absolute left-0 z-30 mt-1 w-full min-w-[16rem] rounded-md border border-slate-200 bg-white p-1 shadow-lg sm:w-72 dark:border-slate-700 dark:bg-slate-900">
        <p className="px-2 py-1 text-xs font-medium uppercase tracking-wide text-slate-600 dark:text-slate-400">Agents of this organization</p>
        <ul>
          {picker.agents.map((agent) => (
            <li key={agent.id}>
              <Link
                to={href(agent.id)}
                aria-current={agent.id === picker.agentId ? "true" : undefined}
                data-testid="agent-option"
                onClick={(e) => e.currentTarget.closest("details")?.removeAttribute("open")}
                className="flex items-center gap-2 rounded px-2 py-1.5 text-sm hover:bg-slate-100 aria-[current]:font-semibold dark:hover:bg-slate-800"
              >
                <StatusDot status={agent.status} />
                <span className="min-w-0 flex-1 truncate">
                  {agent.name}
                  {agent.hostname && agent.hostname !== agent.name ? <span className="ml-1 text-xs font-normal text-slate-600 dark:text-slate-400">{agent.hostname}</span> : null}
                </span>
                <span className="shrink-0 text-xs font-normal text-slate-600 dark:text-slate-400">{agent.kind === "local" ? "built-in" : agent.status}</span>
              </Link>
            </li>
          ))}
        </ul>
        <Link to="/agents" className="mt-1 block rounded border-t border-slate-200 px-2 py-1.5 text-sm text-brand-700 hover:bg-slate-100 dark:border-slate-700 dark:text-brand-300 dark:hover:bg-slate-800">
          Manage agents
        </Link>
      </div>
    </details>
  );
}

/** The organization has no agent: what the agent-scoped pages show instead of their content. */
export function NoAgents({ picker, lead }: { picker: AgentPickerData; lead: string }) {
  return (
    <div className="rounded-xl border border-dashed border-slate-300 p-8 text-center dark:border-slate-700" data-testid="no-agents">
      <p className="font-medium">No agent yet</p>
      <div className="mx-auto mt-2 max-w-lg text-sm text-slate-600 dark:text-slate-400">
        <p>
          {lead} Connect a host by running the InfraPilot agent on it: the agent dials out to this service, so the host needs no open port.
        </p>
        {picker.canEnroll ? <EnrollFirstAgent /> : <p className="mt-2">Ask an administrator of your organization to enroll an agent.</p>}
        <p className="mt-3">
          <Link to="/agents" className="text-brand-700 underline underline-offset-2 dark:text-brand-300">
            The Agents page
          </Link>{" "}
          lists enrollment tokens and agents, with every way to install one.
        </p>
      </div>
    </div>
  );
}

type Enrollment = { secret: string; installCommand: string; expiresAt: string };

/** Creates a single-use enrollment token (24 h) through the API and shows its install line once. */
function EnrollFirstAgent() {
  const [state, setState] = useState<{ busy: boolean; error: string | null; created: Enrollment | null }>({ busy: false, error: null, created: null });
  async function create() {
    setState({ busy: true, error: null, created: null });
    const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
    const response = await fetch("/api/v1/agents/enrollment-tokens", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ name: "first agent", maxUses: 1, expiresAt }),
    }).catch(() => null);
    const body = (await response?.json().catch(() => null)) as { secret?: string; installCommand?: string; error?: { message?: string } } | null;
    if (!response?.ok || !body?.secret || !body.installCommand) {
      return setState({ busy: false, error: body?.error?.message ?? "Could not create a token. Check your connection and try again.", created: null });
    }
    setState({ busy: false, error: null, created: { secret: body.secret, installCommand: body.installCommand, expiresAt } });
  }
  if (state.created) {
    const serverUrl = typeof window === "undefined" ? "" : window.location.origin;
    const fromCheckout = `AGENT_SERVER_URL=${serverUrl} AGENT_TOKEN=${state.created.secret} npm run agent`;
    return (
      <div className="mt-4 text-left" data-testid="enrollment-created">
        <p className="font-medium text-slate-900 dark:text-slate-100">Run this on the Docker host (the token is shown once, works once, for 24 hours):</p>
        <pre className="mt-2 overflow-x-auto rounded-md bg-slate-100 p-3 font-mono text-xs text-slate-900 dark:bg-slate-800 dark:text-slate-100">{state.created.installCommand}</pre>
        <div className="mt-2"><CopyButton text={state.created.installCommand} label="Copy command" /></div>
        <p className="mt-3">Or, from a checkout of InfraPilot on that host:</p>
        <pre className="mt-2 overflow-x-auto rounded-md bg-slate-100 p-3 font-mono text-xs text-slate-900 dark:bg-slate-800 dark:text-slate-100">{fromCheckout}</pre>
        <p className="mt-3">The agent appears here once it connects; reload the page.</p>
      </div>
    );
  }
  return (
    <div className="mt-4">
      <button type="button" className={BUTTON.primary} onClick={create} disabled={state.busy}>
        {state.busy ? "Creating…" : "Create an enrollment token"}
      </button>
      {state.error ? <p role="alert" className="mt-2 text-red-700 dark:text-red-300">{state.error}</p> : null}
    </div>
  );
}

/** The chosen agent is not connected: said at once, never a page that hangs. */
export function AgentOffline({ agent, message }: { agent: PickerAgent | null; message: string }) {
  return (
    <div role="alert" data-testid="agent-offline" className="mb-6 rounded-xl border border-amber-300 bg-amber-50 p-5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      <p className="font-medium">{message}</p>
      <p className="mt-1">
        {agent?.kind === "remote"
          ? "Its host is not connected to InfraPilot right now. Check that the agent runs there and can reach this service; it reconnects by itself. Reload this page once it is online, or pick another agent."
          : "The rest of InfraPilot keeps working. Reload this page when it is back."}
      </p>
    </div>
  );
}
