// The read-only tabs of a container's detail page: Overview (with live charts), Environment,
// Mounts, Network, Config.
import { Link } from "@remix-run/react";
import { Badge } from "~/components/ui/badge";
import { EmptyState } from "~/components/ui/page";
import { Time } from "~/components/ui/time";
import type { ContainerDetailDto } from "~/server/docker/containers.server";
import { formatPorts, HEALTH_TONE, STATE_TONE } from "./format";

type Detail = ContainerDetailDto;

function Rows({ rows }: { rows: [string, React.ReactNode][] }) {
  return (
    <dl className="grid grid-cols-1 gap-x-6 gap-y-2 text-sm sm:grid-cols-[12rem_1fr]">
      {rows.map(([k, v]) => (
        <div key={k} className="contents">
          <dt className="text-slate-500 dark:text-slate-400">{k}</dt>
          <dd className="wrap-anywhere">{v}</dd>
        </div>
      ))}
    </dl>
  );
}

/** `usage`: the container's charts (components/charts/usage-charts.tsx). */
export function Overview({ c, usage }: { c: Detail; usage: React.ReactNode }) {
  return (
    <div className="flex flex-col gap-6">
      <Rows
        rows={[
          ["State", <span key="s" className="flex flex-wrap gap-1"><Badge tone={STATE_TONE[c.state.status] ?? "muted"}>{c.state.status}</Badge>{c.state.oomKilled ? <Badge tone="bad">OOM killed</Badge> : null}</span>],
          ["Health", c.health ? <Badge key="h" tone={HEALTH_TONE[c.health.status]}>{c.health.status}{c.health.failingStreak ? ` (${c.health.failingStreak} failing)` : ""}</Badge> : "No health check"],
          ["Image", <span key="i" className="font-mono">{c.image}</span>],
          ["Created", <Time key="c" iso={c.createdAt} />],
          [c.state.running ? "Started" : "Finished", <Time key="t" iso={c.state.running ? c.state.startedAt : c.state.finishedAt} />],
          ["Exit code", c.state.running ? "—" : String(c.state.exitCode ?? "—")],
          ["Restart policy", `${c.restartPolicy.name || "no"}${c.restartPolicy.maximumRetryCount ? ` (max ${c.restartPolicy.maximumRetryCount})` : ""} · restarted ${c.restartCount}×`],
          ["Ports", formatPorts(c.ports) || "none published"],
          ["Stack", c.stack ? <Link key="st" to={`/containers?stack=${encodeURIComponent(c.stack)}`} className="text-brand-700 hover:underline dark:text-brand-400">{c.stack}{c.service ? ` / ${c.service}` : ""}</Link> : "—"],
          ["Id", <span key="id" className="font-mono text-xs">{c.id}</span>],
        ]}
      />
      {c.state.error ? <p className="text-sm text-red-700 dark:text-red-400">{c.state.error}</p> : null}
      {usage}
    </div>
  );
}

/** "Reveal" for one masked field (admins; audited), or "Hide" when it is the one shown. */
function RevealLink({ c, field, tab, canReveal }: { c: Detail; field: string; tab: string; canReveal: boolean }) {
  if (!canReveal || !c.secrets.includes(field)) return null;
  const shown = c.revealed === field;
  return (
    <Link
      to={shown ? `?tab=${tab}` : `?tab=${tab}&reveal=${encodeURIComponent(field)}`}
      replace
      preventScrollReset
      aria-label={`${shown ? "Hide" : "Reveal"} ${field.replace(/^(env|label):/, "")}`}
      className="ml-2 whitespace-nowrap font-sans text-xs text-brand-700 hover:underline dark:text-brand-400"
    >
      {shown ? "Hide" : "Reveal"}
    </Link>
  );
}

function SecretsNote({ c, canReveal, kinds }: { c: Detail; canReveal: boolean; kinds: string[] }) {
  if (!c.secrets.some((f) => kinds.some((k) => f === k || f.startsWith(`${k}:`)))) return null;
  return (
    <p className="text-sm text-slate-600 dark:text-slate-400" data-testid="secrets-note">
      {c.revealed ? "One value is shown in clear; this was recorded in the audit log. " : "Secrets are masked (••••): values of keys that look secret, and passwords inside URLs and arguments. "}
      {canReveal ? (c.revealed ? null : "Reveal shows one value and is recorded in the audit log.") : "Only admins can reveal them."}
    </p>
  );
}

export function Environment({ c, canReveal }: { c: Detail; canReveal: boolean }) {
  if (c.env.length === 0) return <EmptyState title="No environment variables" />;
  return (
    <div className="flex flex-col gap-3">
      <SecretsNote c={c} canReveal={canReveal} kinds={["env"]} />
      <table className="w-full table-fixed text-sm">
        <tbody className="divide-y divide-slate-200 dark:divide-slate-800">
          {c.env.map((e, i) => (
            <tr key={`${e.key}-${i}`} data-testid="env-row">
              <th scope="row" className="w-1/3 wrap-anywhere py-1.5 pr-3 text-left font-mono text-xs font-medium">{e.key}</th>
              <td className="wrap-anywhere py-1.5 font-mono text-xs">
                {e.value}
                <RevealLink c={c} field={`env:${e.key}`} tab="environment" canReveal={canReveal} />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

export function Mounts({ c }: { c: Detail }) {
  if (c.mounts.length === 0) return <EmptyState title="No mounts">This container keeps its data in its own writable layer.</EmptyState>;
  return (
    <ul className="divide-y divide-slate-200 text-sm dark:divide-slate-800">
      {c.mounts.map((m) => (
        <li key={m.destination} className="flex flex-col gap-1 py-2">
          <span className="font-mono">{m.destination}</span>
          <span className="text-slate-500 dark:text-slate-400">
            {m.type}
            {m.name ? ` ${m.name}` : ""} · <span className="wrap-anywhere font-mono text-xs">{m.source}</span> · {m.readOnly ? "read-only" : "read-write"}
          </span>
        </li>
      ))}
    </ul>
  );
}

export function Network({ c }: { c: Detail }) {
  return (
    <div className="flex flex-col gap-4 text-sm">
      <Rows rows={[["Network mode", c.networkMode], ["Published ports", formatPorts(c.ports) || "none"]]} />
      {c.networks.length === 0 ? <p className="text-slate-500 dark:text-slate-400">Attached to no network.</p> : null}
      {c.networks.map((n) => (
        <section key={n.networkId} className="rounded-lg border border-slate-200 p-3 dark:border-slate-800">
          <h3 className="mb-2 font-medium">{n.name}</h3>
          <Rows rows={[["IP address", n.ipAddress ?? "—"], ["IPv6", n.ipv6Address ?? "—"], ["Gateway", n.gateway ?? "—"], ["MAC", n.macAddress ?? "—"], ["Aliases", n.aliases.join(", ") || "—"]]} />
        </section>
      ))}
    </div>
  );
}

export function Config({ c, canReveal }: { c: Detail; canReveal: boolean }) {
  const labels = Object.entries(c.config.labels).sort(([a], [b]) => a.localeCompare(b));
  return (
    <div className="flex flex-col gap-4 text-sm">
      <SecretsNote c={c} canReveal={canReveal} kinds={["cmd", "entrypoint", "label"]} />
      <Rows
        rows={[
          ["Command", <span key="c"><code className="font-mono text-xs">{c.config.cmd?.join(" ") ?? "—"}</code><RevealLink c={c} field="cmd" tab="config" canReveal={canReveal} /></span>],
          ["Entrypoint", <span key="e"><code className="font-mono text-xs">{c.config.entrypoint?.join(" ") ?? "—"}</code><RevealLink c={c} field="entrypoint" tab="config" canReveal={canReveal} /></span>],
          ["Working directory", c.config.workingDir || "—"],
          ["User", c.config.user || "root (image default)"],
          ["Hostname", c.config.hostname],
          ["TTY", c.config.tty ? "yes" : "no"],
          ["Privileged", c.privileged ? "yes" : "no"],
        ]}
      />
      <h3 className="font-medium">Labels</h3>
      {labels.length === 0 ? <p className="text-slate-500 dark:text-slate-400">No labels.</p> : <Rows rows={labels.map(([k, v]) => [k, <span key={k}><span className="font-mono text-xs">{v}</span><RevealLink c={c} field={`label:${k}`} tab="config" canReveal={canReveal} /></span>])} />}
    </div>
  );
}
