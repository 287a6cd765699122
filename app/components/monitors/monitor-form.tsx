// The monitor form, for "New monitor" (also pre-filled from a proxy host's "Monitor this") and
// for editing one. Field names are the schema's paths, so the action's errors land on their
// control (aria-invalid + aria-describedby). Only the chosen type's fields are enabled.
import { Form } from "@remix-run/react";
import { useId, useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { INPUT } from "~/components/ui/button-classes";
import { MaintenanceWindowsEditor, useMaintenanceRows, windowsFromEcho } from "~/components/alerts/maintenance-windows";
import { HTTP_METHODS, MIN_INTERVAL_SECONDS, type MonitorDto } from "~/validation/monitors";

export type MonitorFormResult = { ok: boolean; message: string; fields?: Record<string, string>; intent: string; id?: string; values?: Record<string, string> } | undefined;

const TYPE_LABELS = {
  http: "HTTP(S) — a URL answers",
  tcp: "TCP port — a port accepts connections",
  ping: "Ping — a host answers (ICMP, else TCP)",
  dns: "DNS — a name resolves to the expected record",
  container: "Container — running and healthy", push: "Push — a cron job calls a URL" } as const;
type FormType = keyof typeof TYPE_LABELS;

export interface MonitorFormProps {
  monitor: MonitorDto | null;
  prefill: { type?: string; url?: string; name?: string; container?: string; agentId?: string } | null;
  channels: { id: string; name: string; type: string }[];
  localAgentId: string | null;
  /** Agents a check can run from (decisions 065, 141); empty: only InfraPilot itself. */
  agents?: { id: string; name: string; kind: string; status: string }[];
  result: MonitorFormResult;
  pending: boolean;
}

function Check({ name, label, defaultChecked, hint, value }: { name: string; label: string; defaultChecked: boolean; hint?: string; value?: string }) {
  const id = useId();
  return (
    <div className="flex items-start gap-2">
      <input id={id} type="checkbox" name={name} value={value ?? "on"} defaultChecked={defaultChecked} className="mt-1 h-4 w-4" />
      <label htmlFor={id} className="text-sm">
        {label}
        {hint ? <span className="block text-xs text-slate-500 dark:text-slate-400">{hint}</span> : null}
      </label>
    </div>
  );
}

export function MonitorForm({ monitor, prefill, channels, localAgentId, agents = [], result, pending }: MonitorFormProps) {
  const failed = result && !result.ok && (result.intent === "create" || result.intent === "update") ? result : undefined;
  const v = failed?.values;
  const fields = failed?.fields ?? {};
  const config = (monitor?.config ?? {}) as Record<string, unknown>;
  const initialType = (v?.type ?? monitor?.type ?? prefill?.type ?? "http") as FormType;
  const [type, setType] = useState<FormType>(initialType in TYPE_LABELS ? initialType : "http");
  const typeId = useId();
  const whereId = useId();
  const networkCheck = type === "http" || type === "tcp" || type === "ping" || type === "dns";
  const val = (key: string, stored: unknown, fallback = "") => v?.[key] ?? (stored === undefined || stored === null ? fallback : String(stored));
  const selectedChannels = new Set(v?.channelIds !== undefined ? v.channelIds.split(",") : (monitor?.channelIds ?? []));
  const channelError = Object.entries(fields).find(([k]) => k === "channelIds" || k.startsWith("channelIds."))?.[1];
  const bool = (key: string, stored: unknown, fallback: boolean) => (v ? v[key] === "on" : typeof stored === "boolean" ? stored : fallback);
  const windows = useMaintenanceRows(v ? windowsFromEcho(v) : (monitor?.maintenance ?? []));

  return (
    <Form method="post" className="flex flex-col gap-4" aria-label={monitor ? `Edit ${monitor.name}` : "New monitor"}>
      <input type="hidden" name="intent" value={monitor ? "update" : "create"} />
      {monitor ? <input type="hidden" name="id" value={monitor.id} /> : null}
      <FormError message={failed?.message} />
      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Name" name="name" defaultValue={val("name", monitor?.name, prefill?.name ?? "")} error={fields.name} autoFocus={!!prefill} />
        <div className="flex min-w-0 flex-col gap-1">
          <label htmlFor={typeId} className="text-sm font-medium">
            Type
          </label>
          {monitor ? <input type="hidden" name="type" value={type} /> : null}
          <select
            id={typeId}
            name={monitor ? undefined : "type"}
            value={type}
            disabled={!!monitor}
            onChange={(e) => setType(e.target.value as FormType)}
            aria-invalid={fields.type ? true : undefined}
            aria-describedby={fields.type ? `${typeId}-error` : monitor ? `${typeId}-hint` : undefined}
            className={`${INPUT} w-full min-w-0`}
          >
            {Object.entries(TYPE_LABELS).map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
          {fields.type ? (
            <p id={`${typeId}-error`} className="text-sm text-red-600 dark:text-red-400">
              {fields.type}
            </p>
          ) : monitor ? (
            <p id={`${typeId}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
              The type of a monitor cannot change: create another one instead.
            </p>
          ) : null}
        </div>
      </div>

      {networkCheck && agents.length > 0 ? (
        <div className="flex flex-col gap-1 md:max-w-md">
          <label htmlFor={whereId} className="text-sm font-medium">
            Check from
          </label>
          <select
            id={whereId}
            name="agentId"
            defaultValue={v?.agentId ?? monitor?.agentId ?? ""}
            aria-invalid={fields.agentId ? true : undefined}
            aria-describedby={`${whereId}-${fields.agentId ? "error" : "hint"}`}
            className={INPUT}
          >
            <option value="">InfraPilot (this server)</option>
            {agents.map((a) => (
              <option key={a.id} value={a.id}>
                {a.kind === "local" ? `${a.name} (built-in agent)` : `${a.name} (${a.status})`}
              </option>
            ))}
          </select>
          {fields.agentId ? (
            <p id={`${whereId}-error`} className="text-sm text-red-600 dark:text-red-400">
              {fields.agentId}
            </p>
          ) : (
            <p id={`${whereId}-hint`} className="text-xs text-slate-500 dark:text-slate-400">
              A remote agent checks from inside its own network, where InfraPilot's address policy does not apply.
            </p>
          )}
        </div>
      ) : null}

      <fieldset disabled={type !== "http"} hidden={type !== "http"} className="grid gap-4 md:grid-cols-2">
        <legend className="sr-only">HTTP settings</legend>
        <div className="md:col-span-2">
          <Field label="URL" name="config.url" type="url" defaultValue={val("config.url", config.url, prefill?.url ?? "")} error={fields["config.url"]} hint="http:// or https://. Private and loopback addresses need ALERTS_ALLOW_PRIVATE or ALERTS_ALLOWED_HOSTS." />
        </div>
        <SelectLike label="Method" name="config.method" options={[...HTTP_METHODS]} defaultValue={val("config.method", config.method, "GET")} />
        <Field label="Expected status codes" name="config.expectedStatus" required={false} defaultValue={val("config.expectedStatus", Array.isArray(config.expectedStatus) ? (config.expectedStatus as number[]).join(", ") : undefined, "")} error={fields["config.expectedStatus"] ?? fields["config.expectedStatus.0"]} hint="Comma-separated; empty means any 2xx." />
        <Field label="Keyword" name="config.keyword" required={false} defaultValue={val("config.keyword", config.keyword)} error={fields["config.keyword"]} hint="Text the page must contain (or must not, below)." />
        <Field label="JSON path" name="config.jsonPath" required={false} defaultValue={val("config.jsonPath", config.jsonPath)} error={fields["config.jsonPath"]} hint="e.g. $.status or $.items[0].name; the body must be JSON." />
        <Field label="JSON value equals" name="config.jsonExpected" required={false} defaultValue={val("config.jsonExpected", config.jsonExpected)} error={fields["config.jsonExpected"]} hint="Empty: the path must only exist. Numbers and booleans as JSON (42, true)." />
        <Field label="Timeout (ms)" name="config.timeoutMs" type="number" required={false} defaultValue={val("config.timeoutMs", config.timeoutMs, "10000")} error={fields["config.timeoutMs"]} />
        <Field label="Warn when the certificate expires within (days)" name="config.certExpiryDays" type="number" required={false} defaultValue={val("config.certExpiryDays", config.certExpiryDays)} error={fields["config.certExpiryDays"]} hint="https only; empty: no warning." />
        <div className="flex flex-col gap-2">
          <Check name="config.keywordAbsent" label="Down when the keyword is present" defaultChecked={bool("config.keywordAbsent", config.keywordAbsent, false)} />
          <Check name="config.followRedirects" label="Follow redirects" defaultChecked={bool("config.followRedirects", config.followRedirects, true)} hint="Each hop passes the same address policy." />
        </div>
      </fieldset>

      <fieldset disabled={type !== "tcp"} hidden={type !== "tcp"} className="grid gap-4 md:grid-cols-2">
        <legend className="sr-only">TCP settings</legend>
        <Field label="Host" name="config.host" defaultValue={val("config.host", config.host)} error={fields["config.host"]} />
        <Field label="Port" name="config.port" type="number" defaultValue={val("config.port", config.port)} error={fields["config.port"]} />
      </fieldset>

      <fieldset disabled={type !== "ping"} hidden={type !== "ping"} className="grid gap-4 md:grid-cols-2">
        <legend className="sr-only">Ping settings</legend>
        <Field label="Host to ping" name="config.host" defaultValue={val("config.host", config.host)} error={fields["config.host"]} />
        <Field label="TCP port when ICMP is not allowed" name="config.port" type="number" required={false} defaultValue={val("config.port", config.port, "80")} error={fields["config.port"]} hint="ICMP needs the ping binary with permission to send; otherwise the check connects to this port and says so." />
      </fieldset>

      <fieldset disabled={type !== "dns"} hidden={type !== "dns"} className="grid gap-4 md:grid-cols-2">
        <legend className="sr-only">DNS settings</legend>
        <Field label="Domain name" name="config.name" defaultValue={val("config.name", config.name)} error={fields["config.name"]} />
        <SelectLike label="Record type" name="config.recordType" options={["A", "AAAA", "CNAME", "MX", "TXT", "NS"]} defaultValue={val("config.recordType", config.recordType, "A")} />
        <Field label="Expected value" name="config.expected" required={false} defaultValue={val("config.expected", config.expected)} error={fields["config.expected"]} hint="Empty: any record. MX: the exchange, with or without its priority." />
        <Field label="DNS server" name="config.server" required={false} defaultValue={val("config.server", config.server)} error={fields["config.server"]} hint="host, host:port or [IPv6]:port. Empty: the resolvers of the machine that checks (on the hosted service, only an agent's)." />
      </fieldset>

      <fieldset disabled={type !== "container"} hidden={type !== "container"} className="grid gap-4 md:grid-cols-2">
        <legend className="sr-only">Container settings</legend>
        <input type="hidden" name="config.agentId" value={String(config.agentId ?? (prefill?.agentId || localAgentId) ?? "")} />
        <Field label="Container name" name="config.containerName" defaultValue={val("config.containerName", config.containerName, prefill?.container ?? "")} error={fields["config.containerName"] ?? fields["config.agentId"]} hint="Checked on its agent: running, and not unhealthy." />
      </fieldset>

      {type === "push" ? (
        <p className="rounded-md bg-slate-50 p-3 text-sm text-slate-600 dark:bg-slate-800 dark:text-slate-300">
          {monitor?.pushUrl ? (
            <>
              Push URL: <code className="wrap-anywhere">{monitor.pushUrl}</code>
            </>
          ) : (
            "The push URL is shown once the monitor is saved. A missed beat within the interval marks it down."
          )}
        </p>
      ) : null}

      <div className="grid gap-4 md:grid-cols-2">
        <Field label="Check every (seconds)" name="intervalSeconds" type="number" defaultValue={val("intervalSeconds", monitor?.intervalSeconds, "60")} error={fields.intervalSeconds} hint={`At least ${MIN_INTERVAL_SECONDS} s.`} />
        <Field label="Retries before down" name="retries" type="number" defaultValue={val("retries", monitor?.retries, "0")} error={fields.retries} hint="Failed checks in a row that are forgiven." />
        <Field label="Remind every N failed checks while down" name="resendEvery" type="number" required={false} defaultValue={val("resendEvery", monitor?.resendEvery, "0")} error={fields.resendEvery} hint="0: tell once when it goes down." />
      </div>

      <MaintenanceWindowsEditor windows={windows} errors={fields} legend="Maintenance windows (UTC) — no notifications, and status pages say “maintenance”" />

      <fieldset className="flex flex-col gap-2">
        <legend className="mb-1 text-sm font-medium">Notify on down and up</legend>
        {channels.length === 0 ? (
          <p className="text-sm text-slate-500 dark:text-slate-400">No alert channels yet: add one under Alerts → Channels to be told.</p>
        ) : (
          channels.map((c) => <Check key={c.id} name="channelIds" value={c.id} label={`${c.name} (${c.type})`} defaultChecked={selectedChannels.has(c.id)} />)
        )}
        {channelError ? <p className="text-sm text-red-600 dark:text-red-400">{channelError}</p> : null}
      </fieldset>
      <Check name="enabled" label="Enabled (checks run)" defaultChecked={bool("enabled", monitor?.enabled, true)} />
      <div>
        <SubmitButton pending={pending}>{monitor ? "Save monitor" : "Create monitor"}</SubmitButton>
      </div>
    </Form>
  );
}

function SelectLike({ label, name, options, defaultValue }: { label: string; name: string; options: string[]; defaultValue: string }) {
  const id = useId();
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium">
        {label}
      </label>
      <select id={id} name={name} defaultValue={defaultValue} className={INPUT}>
        {options.map((o) => (
          <option key={o}>{o}</option>
        ))}
      </select>
    </div>
  );
}
