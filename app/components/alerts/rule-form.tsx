// "Add a rule": type, scope, threshold and window, cooldown, channels, resolve notice, one
// maintenance window (more through the API).
import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { INPUT } from "~/components/ui/button-classes";
import { RULE_TYPES, THRESHOLD_MEANING, type RuleType } from "~/validation/alerts";

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
};

type Result = { ok: boolean; message: string; fields?: Record<string, string>; intent: string } | undefined;

export function RuleForm({ channels, result, pending }: { channels: { id: string; name: string }[]; result: Result; pending: boolean }) {
  const [type, setType] = useState<RuleType>("container_crash");
  const [scopeKind, setScopeKind] = useState("all");
  const mine = result?.intent === "create-rule" ? result : undefined;
  const meaning = THRESHOLD_MEANING[type];
  return (
    <Form method="post" className="grid gap-4 md:grid-cols-2" aria-label="Add a rule">
      <input type="hidden" name="intent" value="create-rule" />
      <div className="md:col-span-2">{mine && !mine.ok ? <FormError message={`${mine.message} ${Object.values(mine.fields ?? {}).join(" ")}`} /> : null}</div>
      <Field label="Name" name="name" error={mine?.fields?.name} />
      <div className="flex flex-col gap-1">
        <label htmlFor="rule-type" className="text-sm font-medium">
          When
        </label>
        <select id="rule-type" name="type" value={type} onChange={(e) => setType(e.target.value as RuleType)} className={INPUT}>
          {RULE_TYPES.map((t) => (
            <option key={t} value={t}>
              {RULE_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      <div className="flex flex-col gap-1">
        <label htmlFor="rule-scope" className="text-sm font-medium">
          Applies to
        </label>
        <select id="rule-scope" name="scopeKind" value={scopeKind} onChange={(e) => setScopeKind(e.target.value)} className={INPUT}>
          <option value="all">Everything</option>
          <option value="stack">Compose stack</option>
          <option value="namePattern">Name pattern (web-*)</option>
          <option value="label">Label (key or key=value)</option>
        </select>
      </div>
      {scopeKind !== "all" ? <Field label="Scope value" name="scopeValue" error={mine?.fields?.scope} /> : <div />}
      {meaning ? <Field label={`Threshold (${meaning})`} name="threshold" type="number" error={mine?.fields?.threshold} /> : null}
      {["cpu", "memory", "restart_count"].includes(type) ? <Field label="Window (seconds)" name="windowSeconds" type="number" defaultValue="300" /> : null}
      <Field label="Cooldown (seconds)" name="cooldownSeconds" type="number" defaultValue="900" hint="No repeat notification for the same target within this time." />
      <fieldset className="flex flex-col gap-1 md:col-span-2">
        <legend className="text-sm font-medium">Notify</legend>
        {channels.length === 0 ? <p className="text-sm text-slate-500">Add a channel first; a rule without channels only records history.</p> : null}
        <div className="flex flex-wrap gap-4">
          {channels.map((c) => (
            <label key={c.id} className="flex items-center gap-2 text-sm">
              <input type="checkbox" name="channelIds" value={c.id} defaultChecked /> {c.name}
            </label>
          ))}
          <label className="flex items-center gap-2 text-sm">
            <input type="checkbox" name="notifyOnResolve" /> Also when resolved
          </label>
        </div>
      </fieldset>
      <div className="grid grid-cols-2 gap-2 md:col-span-2">
        <Field label="Muted from (UTC)" name="maintenanceStart" type="datetime-local" required={false} />
        <Field label="until (UTC)" name="maintenanceEnd" type="datetime-local" required={false} />
      </div>
      <div className="md:col-span-2">
        <SubmitButton pending={pending}>Add rule</SubmitButton>
      </div>
    </Form>
  );
}
