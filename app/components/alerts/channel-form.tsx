// "Add a channel": the fields follow the chosen type. Secret fields are write-only.
import { Form } from "@remix-run/react";
import { useState } from "react";
import { Field, FormError, SubmitButton } from "~/components/ui/field";
import { INPUT } from "~/components/ui/button-classes";
import { SelectField } from "~/components/ui/select-field";
import { CHANNEL_TYPES, type ChannelType } from "~/validation/alerts";

export const CHANNEL_LABELS: Record<ChannelType, string> = {
  smtp: "E-mail (SMTP)",
  slack: "Slack",
  webhook: "Webhook",
  discord: "Discord",
  teams: "Microsoft Teams",
  telegram: "Telegram",
  ntfy: "ntfy",
  gotify: "Gotify",
};

type Result = { ok: boolean; message: string; fields?: Record<string, string>; intent: string } | undefined;

/** The channel being edited: shown values from its config; secrets only as "set" flags. */
export interface EditedChannel {
  id: string;
  name: string;
  type: ChannelType;
  config: Record<string, unknown>;
  secrets: Record<string, boolean | string[]>;
}

/** Add a channel, or edit one (`channel`): secret fields are write-only, a blank one keeps the stored value. */
export function ChannelForm({ result, pending, channel }: { result: Result; pending: boolean; channel?: EditedChannel }) {
  const [type, setType] = useState<ChannelType>(channel?.type ?? "webhook");
  const intent = channel ? "update-channel" : "create-channel";
  const mine = result?.intent === intent ? result : undefined;
  const err = (k: string) => mine?.fields?.[`config.${k}`] ?? mine?.fields?.[k];
  const v = (k: string, fallback?: string) => {
    const value = channel?.config[k];
    if (Array.isArray(value)) return value.join(", ");
    return value === undefined || value === null ? fallback : String(value);
  };
  const isSet = (k: string) => {
    const flag = channel?.secrets[k];
    return Array.isArray(flag) ? flag.length > 0 : Boolean(flag);
  };
  /** Hint of a secret field: on edit, whether one is stored and that blank keeps it. */
  const secretHint = (k: string, hint?: string) => (channel ? `${isSet(k) ? "Set; leave blank to keep it." : "Not set."}${hint ? ` ${hint}` : ""}` : hint);
  return (
    <Form method="post" className="grid gap-4 md:grid-cols-2" aria-label={channel ? `Edit ${channel.name}` : "Add a channel"}>
      <input type="hidden" name="intent" value={intent} />
      {channel ? <input type="hidden" name="id" value={channel.id} /> : null}
      {channel ? <input type="hidden" name="type" value={channel.type} /> : null}
      <div className="md:col-span-2">{mine && !mine.ok ? <FormError message={mine.message} /> : null}</div>
      <Field label="Name" name="name" error={err("name")} defaultValue={channel?.name} />
      <div className="flex flex-col gap-1">
        <label htmlFor="channel-type" className="text-sm font-medium">
          Type
        </label>
        <select id="channel-type" name={channel ? undefined : "type"} value={type} disabled={Boolean(channel)} onChange={(e) => setType(e.target.value as ChannelType)} className={INPUT}>
          {CHANNEL_TYPES.map((t) => (
            <option key={t} value={t}>
              {CHANNEL_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      {type === "smtp" ? (
        <>
          <Field label="SMTP host" name="config.host" error={err("host")} defaultValue={v("host")} />
          <Field label="Port" name="config.port" type="number" defaultValue={v("port", "587")} error={err("port")} />
          <SelectField label="TLS" name="config.tls" defaultValue={v("tls", "starttls")} options={[{ value: "starttls", label: "STARTTLS" }, { value: "tls", label: "TLS (implicit)" }, { value: "none", label: "None" }]} />
          <Field label="Username" name="config.username" required={false} defaultValue={v("username")} />
          <Field label="Password" name="config.password" type="password" required={false} autoComplete="new-password" hint={secretHint("password")} />
          <Field label="From" name="config.from" type="email" error={err("from")} defaultValue={v("from")} />
          <Field label="To" name="config.to" hint="One or more addresses, separated by commas." error={err("to") ?? err("to.0")} defaultValue={v("to")} />
        </>
      ) : null}
      {type === "slack" || type === "discord" || type === "teams" ? <Field label="Incoming webhook URL" name="config.webhookUrl" type="url" required={!channel} error={err("webhookUrl")} hint={secretHint("webhookUrl", "Stored encrypted; never shown again.")} /> : null}
      {type === "webhook" ? (
        <>
          <Field label="URL" name="config.url" type="url" error={err("url")} defaultValue={v("url")} />
          <Field label="Signing secret" name="config.secret" type="password" required={false} autoComplete="new-password" hint={secretHint("secret", "Sent as X-InfraPilot-Signature: sha256=HMAC(body).")} />
          <div className="flex flex-col gap-1 md:col-span-2">
            <label htmlFor="webhook-headers" className="text-sm font-medium">
              Extra headers
            </label>
            <textarea id="webhook-headers" name="config.headers" rows={2} placeholder={channel && isSet("headers") ? `Set (${(channel.secrets.headers as string[]).join(", ")}); leave blank to keep them.` : "Authorization: Bearer …"} className={INPUT} />
          </div>
        </>
      ) : null}
      {type === "telegram" ? (
        <>
          <Field label="Bot token" name="config.botToken" type="password" required={!channel} error={err("botToken")} autoComplete="off" hint={secretHint("botToken")} />
          <Field label="Chat id" name="config.chatId" error={err("chatId")} defaultValue={v("chatId")} />
        </>
      ) : null}
      {type === "ntfy" ? (
        <>
          <Field label="Server URL" name="config.serverUrl" type="url" defaultValue={v("serverUrl", "https://ntfy.sh")} error={err("serverUrl")} />
          <Field label="Topic" name="config.topic" error={err("topic")} defaultValue={v("topic")} />
          <Field label="Access token" name="config.token" type="password" required={false} autoComplete="off" hint={secretHint("token")} />
        </>
      ) : null}
      {type === "gotify" ? (
        <>
          <Field label="Server URL" name="config.serverUrl" type="url" error={err("serverUrl")} defaultValue={v("serverUrl")} />
          <Field label="Application token" name="config.token" type="password" required={!channel} error={err("token")} autoComplete="off" hint={secretHint("token")} />
        </>
      ) : null}
      <div className="md:col-span-2">
        <SubmitButton pending={pending}>{channel ? "Save channel" : "Add channel"}</SubmitButton>
      </div>
    </Form>
  );
}
