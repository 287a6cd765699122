// The organization switcher in the header (SaaS): the current organization, the others the user
// belongs to, and a way to create one. Switching moves the session (POST /api/v1/orgs/switch),
// tells the other tabs, and reloads so every page and socket follows.
import { Link } from "@remix-run/react";
import { useEffect, useState } from "react";
import { announceSwitch, listenForSwitches, setRenderedOrg } from "./org-guard";

export interface SwitcherOrg {
  id: string;
  name: string;
  role: string;
}

export function OrgSwitcher({ current, orgs }: { current: { id: string; name: string }; orgs: SwitcherOrg[] }) {
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  async function switchTo(org: SwitcherOrg) {
    setBusy(true);
    setError(null);
    const response = await fetch("/api/v1/orgs/switch", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ orgId: org.id }) }).catch(() => null);
    if (!response?.ok) {
      const body = (await response?.json().catch(() => null)) as { error?: { message?: string } } | null;
      setBusy(false);
      return setError(body?.error?.message ?? "Could not switch. Check your connection and try again.");
    }
    announceSwitch(org.id, org.name);
    window.location.assign("/dashboard");
  }
  return (
    <details className="group relative" data-testid="org-switcher">
      <summary className="flex cursor-pointer list-none items-center gap-1 rounded px-1 text-xs text-slate-600 hover:bg-slate-100 dark:text-slate-300 dark:hover:bg-slate-800" aria-label={`Organization: ${current.name}. Switch organization`}>
        <span className="max-w-[10rem] truncate" data-testid="current-org">{current.name}</span>
        <span aria-hidden="true">▾</span>
      </summary>
      <div className="absolute left-0 z-40 mt-1 w-64 rounded-md border border-slate-200 bg-white p-1 shadow-lg dark:border-slate-700 dark:bg-slate-900">
        <p className="px-2 py-1 text-xs font-medium uppercase tracking-wide text-slate-500">Organizations</p>
        <ul>
          {orgs.map((org) => (
            <li key={org.id}>
              <button
                type="button"
                disabled={busy || org.id === current.id}
                aria-current={org.id === current.id ? "true" : undefined}
                onClick={() => switchTo(org)}
                className="flex w-full items-center justify-between rounded px-2 py-1.5 text-left text-sm hover:bg-slate-100 disabled:cursor-default aria-[current]:font-semibold dark:hover:bg-slate-800"
              >
                <span className="truncate">{org.name}</span>
                <span className="ml-2 shrink-0 text-xs text-slate-500">{org.id === current.id ? "current" : org.role.replace("_", " ")}</span>
              </button>
            </li>
          ))}
        </ul>
        {error ? <p role="alert" className="px-2 py-1 text-xs text-red-600">{error}</p> : null}
        <Link to="/organizations?new=1" className="mt-1 block rounded border-t border-slate-200 px-2 py-1.5 text-sm text-brand-700 hover:bg-slate-100 dark:border-slate-700 dark:text-brand-300 dark:hover:bg-slate-800">
          + New organization
        </Link>
      </div>
    </details>
  );
}

/** Keeps this tab's rendered organization known to its fetches and sockets; warns when another tab switched. */
export function OrgGuard({ orgId, orgName }: { orgId: string; orgName: string }) {
  // Keyed by the organization it was raised for, so a reload into another one drops it.
  const [other, setOther] = useState<{ orgId: string; name: string; shownFor: string } | null>(null);
  setRenderedOrg(orgId);
  useEffect(() => {
    setRenderedOrg(orgId);
    return listenForSwitches((o) => setOther({ ...o, shownFor: orgId }));
  }, [orgId]);
  if (!other || other.shownFor !== orgId) return null;
  return (
    <div role="alert" data-testid="org-switched-banner" className="mb-4 flex flex-wrap items-center justify-between gap-3 rounded-md border border-amber-300 bg-amber-50 px-4 py-3 text-sm text-amber-900 dark:border-amber-700 dark:bg-amber-950 dark:text-amber-100">
      <span>
        You switched to {other.name ? <strong>{other.name}</strong> : "another organization"} in another tab. This tab still shows <strong>{orgName}</strong>, and changes here are refused until you reload.
      </span>
      <button type="button" onClick={() => window.location.reload()} className="rounded-md border border-amber-400 px-3 py-1 font-medium hover:bg-amber-100 dark:hover:bg-amber-900">
        Reload
      </button>
    </div>
  );
}
