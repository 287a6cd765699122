import { useFetcher } from "@remix-run/react";
import { Badge } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import type { RuleScope, RuleType } from "~/validation/alerts";
import { RULE_LABELS } from "./rule-form";

export interface RuleRow {
  id: string;
  name: string;
  type: RuleType;
  scope: RuleScope;
  threshold: number | null;
  windowSeconds: number;
  cooldownSeconds: number;
  channelIds: string[];
  enabled: boolean;
  maintenance: unknown[];
}

const scopeText = (s: RuleScope) => ("all" in s ? "everything" : "stack" in s ? `stack ${s.stack}` : "namePattern" in s ? `names ${s.namePattern}` : `label ${s.label}`);

export function RuleList({ rules, channelNames, canManage }: { rules: RuleRow[]; channelNames: Record<string, string>; canManage: boolean }) {
  return (
    <ul className="divide-y divide-slate-200 dark:divide-slate-800">
      {rules.map((r) => (
        <RuleItem key={r.id} rule={r} channelNames={channelNames} canManage={canManage} />
      ))}
    </ul>
  );
}

function RuleItem({ rule, channelNames, canManage }: { rule: RuleRow; channelNames: Record<string, string>; canManage: boolean }) {
  const fetcher = useFetcher();
  return (
    <li data-testid="rule-row" className="flex flex-col gap-2 py-3 md:flex-row md:items-center md:justify-between">
      <div>
        <p className="font-medium">
          {rule.name} {rule.enabled ? <Badge tone="good">On</Badge> : <Badge tone="muted">Off</Badge>}
          {rule.maintenance.length ? <span className="ml-1"><Badge tone="warn">Maintenance windows</Badge></span> : null}
        </p>
        <p className="text-sm text-slate-500">
          {RULE_LABELS[rule.type]}
          {rule.threshold !== null ? ` ≥ ${rule.threshold}` : ""} · {scopeText(rule.scope)} · cooldown {rule.cooldownSeconds} s · to {rule.channelIds.map((id) => channelNames[id] ?? "?").join(", ") || "nobody"}
        </p>
      </div>
      {canManage ? (
        <div className="flex shrink-0 gap-2">
          <fetcher.Form method="post">
            <input type="hidden" name="intent" value="toggle-rule" />
            <input type="hidden" name="id" value={rule.id} />
            <input type="hidden" name="enabled" value={String(!rule.enabled)} />
            <button type="submit" className={BUTTON.secondary}>
              {rule.enabled ? "Disable" : "Enable"}
            </button>
          </fetcher.Form>
          <fetcher.Form method="post" onSubmit={(e) => (!confirm(`Delete the rule ${rule.name}?`) ? e.preventDefault() : undefined)}>
            <input type="hidden" name="intent" value="delete-rule" />
            <input type="hidden" name="id" value={rule.id} />
            <button type="submit" className={BUTTON.dangerOutline}>
              Delete
            </button>
          </fetcher.Form>
        </div>
      ) : null}
    </li>
  );
}
