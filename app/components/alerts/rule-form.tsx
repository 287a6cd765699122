// The rule form, for "Add a rule" and for editing one: type, scope, threshold and window,
// cooldown, channels, resolve notice, enabled, and any number of maintenance windows (absolute
// or weekly, in UTC). The page action turns the fields into the API's rule object and checks it
// with the same schema (page-actions.server.ts); errors come back keyed by the schema's paths.
import { Form } from "@remix-run/react";
import { useId, useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { BUTTON, INPUT } from "~/components/ui/button-classes";
import { RULE_TYPES, THRESHOLD_MEANING, type RuleScope, type RuleType } from "~/validation/alerts";
import { MaintenanceWindowsEditor, useMaintenanceRows } from "./maintenance-windows";

export const RULE_LABELS: Record<RuleType, string> = {
  container_crash: "Container crashed (exit ≠ 0 or OOM)",
  container_stopped: "Container stopped",
  restart_count: "Container restarts too often",
  cpu: "CPU above a threshold",
  memory: "Memory above a threshold",
  health_unhealthy: "Health check unhealthy",
  cert_expiry: "Certificate expiring",
  cert_renewal_failed: "Certificate renewal failed",
  proxy_apply_failed: "Proxy apply failed",
  disk: "Data directory disk usage",
  monitor_down: "Uptime monitor down (scope: monitor name pattern)",
  monitor_cert_expiry: "Uptime monitor's certificate expiring",
};

export const WINDOWED: ReadonlySet<RuleType> = new Set(["cpu", "memory", "restart_count"]);

export interface EditableRule {
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

/** The page action's answer (AlertsActionResult), as far as the rule forms read it. */
export type RuleFormResult = { ok: boolean; message: string; fields?: Record<string, string>; intent: string; id?: string; values?: Record<string, unknown> } | undefined;
type Result = RuleFormResult;

/** The stored rule (if any) overlaid with the values of a refused submission. */
function echoed(stored: EditableRule | undefined, values: Record<string, unknown> | undefined): EditableRule | undefined {
  if (!values) return stored;
  const base: EditableRule = stored ?? {
    id: "",
    name: "",
    type: "container_crash",
    scope: { all: true },
    threshold: null,
    windowSeconds: 300,
    cooldownSeconds: 900,
    channelIds: [],
    notifyOnResolve: false,
    enabled: true,
    maintenance: [],
  };
  const v = values as Partial<EditableRule>;
  return {
    ...base,
    ...v,
    type: (RULE_TYPES as readonly string[]).includes(String(v.type)) ? (v.type as RuleType) : base.type,
    windowSeconds: Number.isFinite(v.windowSeconds) ? v.windowSeconds! : base.windowSeconds,
    cooldownSeconds: Number.isFinite(v.cooldownSeconds) ? v.cooldownSeconds! : base.cooldownSeconds,
  };
}

function scopeOf(scope: RuleScope): { kind: string; value: string } {
  if ("stack" in scope) return { kind: "stack", value: scope.stack };
  if ("namePattern" in scope) return { kind: "namePattern", value: scope.namePattern };
  if ("label" in scope) return { kind: "label", value: scope.label };
  return { kind: "all", value: "" };
}

export function RuleForm({
  channels,
  result,
  pending,
  rule: stored,
  onCancel,
}: {
  channels: { id: string; name: string }[];
  result: Result;
  pending: boolean;
  /** Editing this rule; creating a new one without. */
  rule?: EditableRule;
  onCancel?: () => void;
}) {
  const id = useId();
  const editing = stored !== undefined;
  const intent = editing ? "update-rule" : "create-rule";
  const mine = result?.intent === intent && (!editing || result.id === stored.id) ? result : undefined;
  // After a refusal the form starts from what was typed (matters when it is rendered anew).
  const rule = echoed(stored, mine && !mine.ok ? mine.values : undefined);
  const initialScope = scopeOf(rule?.scope ?? { all: true });
  const [type, setType] = useState<RuleType>(rule?.type ?? "container_crash");
  const [scopeKind, setScopeKind] = useState(initialScope.kind);
  const windows = useMaintenanceRows(rule?.maintenance ?? []);
  const rows = windows.rows;
  const errors = mine && !mine.ok ? mine.fields ?? {} : {};
  const meaning = THRESHOLD_MEANING[type];
  const label = editing ? `Edit rule ${stored.name}` : "Add a rule";
  // Errors without a field of their own on the form (as rendered now) are listed at the top.
  const placed = new Set([
    "name",
    "type",
    "cooldownSeconds",
    "channelIds",
    "maintenance",
    ...(scopeKind !== "all" ? ["scope"] : []),
    ...(meaning ? ["threshold"] : []),
    ...(WINDOWED.has(type) ? ["windowSeconds"] : []),
  ]);
  const isPlaced = (key: string) => {
    const row = /^maintenance\.(\d+)/.exec(key);
    return placed.has(key) || (row !== null && Number(row[1]) < rows.length);
  };
  const unplaced = Object.entries(errors).filter(([k]) => !isPlaced(k));
  return (
    <Form method="post" className="grid grid-cols-1 gap-4 md:grid-cols-2" aria-label={label} data-testid={editing ? "rule-edit-form" : "rule-create-form"}>
      <input type="hidden" name="intent" value={intent} />
      {editing ? <input type="hidden" name="id" value={stored.id} /> : null}
      <input type="hidden" name="enabledField" value="1" />
      <div className="md:col-span-2">{mine && !mine.ok ? <FormError message={[mine.message, ...unplaced.map(([, v]) => v)].join(" ")} /> : null}</div>
      <Field label="Name" name="name" defaultValue={rule?.name} error={errors.name} autoFocus={editing} />
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-type`} className="text-sm font-medium">
          When
        </label>
        <select id={`${id}-type`} name="type" value={type} onChange={(e) => setType(e.target.value as RuleType)} className={`${INPUT} w-full min-w-0`} aria-invalid={errors.type ? true : undefined}>
          {RULE_TYPES.map((t) => (
            <option key={t} value={t}>
              {RULE_LABELS[t]}
            </option>
          ))}
        </select>
        <FieldError message={errors.type} />
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor={`${id}-scope`} className="text-sm font-medium">
          Applies to
        </label>
        <select id={`${id}-scope`} name="scopeKind" value={scopeKind} onChange={(e) => setScopeKind(e.target.value)} className={`${INPUT} w-full min-w-0`}>
          <option value="all">Everything</option>
          <option value="stack">Compose stack</option>
          <option value="namePattern">Name pattern (web-*)</option>
          <option value="label">Label (key or key=value)</option>
        </select>
      </div>
      {scopeKind !== "all" ? <Field label="Scope value" name="scopeValue" defaultValue={initialScope.value} error={errors.scope} /> : <div className="hidden md:block" />}
      {meaning ? (
        <Field
          label={`Threshold (${meaning})`}
          name="threshold"
          type="number"
          defaultValue={rule?.threshold !== null && rule?.threshold !== undefined ? String(rule.threshold) : undefined}
          error={errors.threshold}
        />
      ) : null}
      {WINDOWED.has(type) ? (
        <Field label="Window (seconds)" name="windowSeconds" type="number" defaultValue={String(rule?.windowSeconds ?? 300)} error={errors.windowSeconds} />
      ) : null}
      <Field
        label="Cooldown (seconds)"
        name="cooldownSeconds"
        type="number"
        defaultValue={String(rule?.cooldownSeconds ?? 900)}
        error={errors.cooldownSeconds}
        hint="No repeat notification for the same target within this time."
      />
      <fieldset className="flex flex-col gap-1 md:col-span-2">
        <legend className="text-sm font-medium">Notify</legend>
        {channels.length === 0 ? <p className="text-sm text-slate-500 dark:text-slate-400">Add a channel first; a rule without channels only records history.</p> : null}
        <div className="flex flex-wrap gap-x-4 gap-y-2">
          {channels.map((c) => (
            <label key={c.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="channelIds" value={c.id} defaultChecked={rule ? rule.channelIds.includes(c.id) : true} /> {c.name}
            </label>
          ))}
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="notifyOnResolve" defaultChecked={rule?.notifyOnResolve ?? false} /> Also when resolved
          </label>
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="enabled" defaultChecked={rule?.enabled ?? true} /> Enabled
          </label>
        </div>
        <FieldError message={errors.channelIds} />
      </fieldset>
      <div className="md:col-span-2">
        <MaintenanceWindowsEditor windows={windows} errors={errors} legend="Maintenance windows (UTC) — the rule is muted during these" />
      </div>
      <div className="flex flex-wrap items-center gap-3 md:col-span-2">
        <SubmitButton pending={pending}>{editing ? "Save rule" : "Add rule"}</SubmitButton>
        {onCancel ? (
          <button type="button" className={BUTTON.secondary} onClick={onCancel}>
            Cancel
          </button>
        ) : null}
      </div>
    </Form>
  );
}

function FieldError({ message }: { message?: string }) {
  return message ? <p className="text-sm text-red-600 dark:text-red-400">{message}</p> : null;
}
