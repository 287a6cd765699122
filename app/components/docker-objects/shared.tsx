// Pieces the Images, Volumes and Networks pages share: who uses an object, the engine's outage,
// and the note shown instead of a remove button when InfraPilot will not remove something.
import { Link } from "@remix-run/react";
import type { AgentPickerData, PickerAgent } from "~/agent-choice";
import type { ObjectUser } from "~/docker-objects";
import { AgentOffline, NoAgents } from "~/components/agents/agent-picker";
import { formatBytes } from "~/components/containers/format";
import { Badge } from "~/components/ui/badge";
import { Time } from "~/components/ui/time";

export function UsedBy({ agentId, users, extra }: { agentId: string; users: ObjectUser[]; extra?: (u: ObjectUser) => React.ReactNode }) {
  if (users.length === 0) return <Badge tone="muted">unused</Badge>;
  return (
    <ul className="flex flex-col gap-0.5" data-testid="used-by">
      {users.map((u) => (
        <li key={u.id} className="break-all">
          <Link to={`/containers/${agentId}/${u.id}`} className="text-brand-700 hover:underline dark:text-brand-300">
            {u.name}
          </Link>{" "}
          <span className="text-xs text-slate-600 dark:text-slate-400">({u.state})</span>
          {extra ? extra(u) : null}
        </li>
      ))}
    </ul>
  );
}

export function Unreachable({ message }: { message: string }) {
  return (
    <div role="alert" className="mb-6 rounded-xl border border-amber-300 bg-amber-50 p-5 text-sm text-amber-900 dark:border-amber-800 dark:bg-amber-950 dark:text-amber-100">
      <p className="font-medium">{message}</p>
      <p className="mt-1">The rest of InfraPilot keeps working. Reload this page when the engine is back.</p>
    </div>
  );
}

export function ProtectedNote({ reason }: { reason: string }) {
  return (
    <span className="text-xs text-slate-600 dark:text-slate-400" title={reason}>
      <span aria-hidden="true">Protected</span>
      <span className="sr-only">{reason}</span>
    </span>
  );
}

/** Row cell label shown only on phones, where rows stack as cards. */
export function PhoneLabel({ children }: { children: React.ReactNode }) {
  return <span className="mr-1 text-xs text-slate-600 md:hidden dark:text-slate-400">{children}</span>;
}

/** Why a page has no list: no agent yet, the chosen agent offline, or its engine unreachable (else nothing). */
export function ObjectsPageState({ picker, agent, offline, unreachable, lead }: { picker: AgentPickerData; agent: PickerAgent | null; offline: boolean; unreachable: string | null; lead: string }) {
  if (!picker.agentId) return <NoAgents picker={picker} lead={lead} />;
  if (offline && unreachable) return <AgentOffline agent={agent} message={unreachable} />;
  if (unreachable) return <Unreachable message={unreachable} />;
  return null;
}

/** The Size, Created and Used by cells of an image's or a volume's row. */
export function SizeCreatedUsedCells({ agentId, sizeBytes, createdAt, users }: { agentId: string; sizeBytes: number | null; createdAt: string | null; users: ObjectUser[] }) {
  return (
    <>
      <td className="whitespace-nowrap font-mono md:py-2 md:pr-3 md:align-top">
        <PhoneLabel>Size</PhoneLabel>
        {formatBytes(sizeBytes)}
      </td>
      <td className="md:py-2 md:pr-3 md:align-top">
        <PhoneLabel>Created</PhoneLabel>
        <Time iso={createdAt} />
      </td>
      <td className="md:py-2 md:pr-3 md:align-top">
        <PhoneLabel>Used by</PhoneLabel>
        <UsedBy agentId={agentId} users={users} />
      </td>
    </>
  );
}
