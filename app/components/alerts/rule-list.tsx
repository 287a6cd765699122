import { useFetcher } from "@remix-run/react";
import { useRef, useState } from "react";
import { Badge } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import type { RuleScope, RuleType } from "~/validation/alerts";
import { RULE_LABELS, RuleForm, type RuleFormResult } from "./rule-form";

type Result = RuleFormResult;

export interface RuleRow {
  id: string;
  name: string;
  type: RuleType;
  scope: RuleScope;
  threshold: number | null;
  windowSeconds: number;
  cooldownSeconds: number;
  channelIds: string[];
  notifyOnResolve: boolean;
  enabled: boolean;
  maintenance: unknown[];
}

interface EditProps {
  channels: { id: string; name: string }[];
  result: Result;
  /** The rule whose edit form is being saved right now. */
  pendingId: string | null;
  /** `?edit=<id>`: open this rule's form on load (works without JavaScript's toggle). */
  initialEdit: string | null;
}

const scopeText = (s: RuleScope) => ("all" in s ? "everything" : "stack" in s ? `stack ${s.stack}` : "namePattern" in s ? `names ${s.namePattern}` : `label ${s.label}`);

export function RuleList({ rules, channelNames, canManage, edit }: { rules: RuleRow[]; channelNames: Record<string, string>; canManage: boolean; edit: EditProps }) {
  return (
    <ul className="divide-y divide-slate-200 dark:divide-slate-800">
      {rules.map((r) => (
        <RuleItem key={r.id} rule={r} channelNames={channelNames} canManage={canManage} edit={edit} />
      ))}
    </ul>
  );
}

function RuleItem({ rule, channelNames, canManage, edit }: { rule: RuleRow; channelNames: Record<string, string>; canManage: boolean; edit: EditProps }) {
  const fetcher = useFetcher();
  // Open on `?edit=<id>`, and after a refused save (also when the page was posted without JavaScript).
  const failed = edit.result?.ok === false && edit.result.intent === "update-rule" && edit.result.id === rule.id;
  const [editing, setEditing] = useState(edit.initialEdit === rule.id || failed);
  const editButton = useRef<HTMLButtonElement>(null);
  const saved = edit.result?.ok === true && edit.result.intent === "update-rule" && edit.result.id === rule.id;
  // A new action result that saved this rule closes its form (state adjusted while rendering).
  const [seenResult, setSeenResult] = useState(edit.result);
  if (edit.result !== seenResult) {
    setSeenResult(edit.result);
    if (saved) setEditing(false);
  }
  const close = () => {
    setEditing(false);
    requestAnimationFrame(() => editButton.current?.focus());
  };
  return (
    <li data-testid="rule-row" data-rule-id={rule.id} className="flex flex-col gap-3 py-3">
      <div className="flex flex-col gap-2 md:flex-row md:items-center md:justify-between">
        <div>
          <p className="font-medium">
            {rule.name} {rule.enabled ? <Badge tone="good">On</Badge> : <Badge tone="muted">Off</Badge>}
            {rule.maintenance.length ? (
              <span className="ml-1">
                <Badge tone="warn">Maintenance windows</Badge>
              </span>
            ) : null}
          </p>
          <p className="text-sm text-slate-500 dark:text-slate-400">
            {RULE_LABELS[rule.type]}
            {rule.threshold !== null ? ` ≥ ${rule.threshold}` : ""} · {scopeText(rule.scope)} · cooldown {rule.cooldownSeconds} s · to{" "}
            {rule.channelIds.map((id) => channelNames[id] ?? "?").join(", ") || "nobody"}
          </p>
        </div>
        {canManage ? (
          <div className="flex shrink-0 flex-wrap gap-2">
            <button
              ref={editButton}
              type="button"
              className={BUTTON.secondary}
              aria-expanded={editing}
              aria-controls={`rule-edit-${rule.id}`}
              onClick={() => (editing ? close() : setEditing(true))}
            >
              {editing ? "Close" : "Edit"}
            </button>
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
      </div>
      {canManage && editing ? (
        <div
          id={`rule-edit-${rule.id}`}
          className="rounded-lg border border-slate-200 bg-slate-50 p-3 md:p-4 dark:border-slate-800 dark:bg-slate-900/60"
          onKeyDown={(e) => {
            if (e.key === "Escape") close();
          }}
        >
          <RuleForm channels={edit.channels} result={edit.result} pending={edit.pendingId === rule.id} rule={rule} onCancel={close} />
        </div>
      ) : null}
    </li>
  );
}
