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

export function ChannelForm({ result, pending }: { result: Result; pending: boolean }) {
  const [type, setType] = useState<ChannelType>("webhook");
  const mine = result?.intent === "create-channel" ? result : undefined;
  const err = (k: string) => mine?.fields?.[`config.${k}`] ?? mine?.fields?.[k];
  return (
    <Form method="post" className="grid gap-4 md:grid-cols-2" aria-label="Add a channel">
      <input type="hidden" name="intent" value="create-channel" />
      <div className="md:col-span-2">{mine && !mine.ok ? <FormError message={mine.message} /> : null}</div>
      <Field label="Name" name="name" error={err("name")} />
      <div className="flex flex-col gap-1">
        <label htmlFor="channel-type" className="text-sm font-medium">
          Type
        </label>
        <select id="channel-type" name="type" value={type} onChange={(e) => setType(e.target.value as ChannelType)} className={INPUT}>
          {CHANNEL_TYPES.map((t) => (
            <option key={t} value={t}>
              {CHANNEL_LABELS[t]}
            </option>
          ))}
        </select>
      </div>
      {type === "smtp" ? (
        <>
          <Field label="SMTP host" name="config.host" error={err("host")} />
          <Field label="Port" name="config.port" type="number" defaultValue="587" error={err("port")} />
          <SelectField label="TLS" name="config.tls" defaultValue="starttls" options={[{ value: "starttls", label: "STARTTLS" }, { value: "tls", label: "TLS (implicit)" }, { value: "none", label: "None" }]} />
          <Field label="Username" name="config.username" required={false} />
          <Field label="Password" name="config.password" type="password" required={false} autoComplete="new-password" />
          <Field label="From" name="config.from" type="email" error={err("from")} />
          <Field label="To" name="config.to" hint="One or more addresses, separated by commas." error={err("to") ?? err("to.0")} />
        </>
      ) : null}
      {type === "slack" || type === "discord" || type === "teams" ? <Field label="Incoming webhook URL" name="config.webhookUrl" type="url" error={err("webhookUrl")} hint="Stored encrypted; never shown again." /> : null}
      {type === "webhook" ? (
        <>
          <Field label="URL" name="config.url" type="url" error={err("url")} />
          <Field label="Signing secret" name="config.secret" type="password" required={false} autoComplete="new-password" hint="Sent as X-InfraPilot-Signature: sha256=HMAC(body)." />
          <div className="flex flex-col gap-1 md:col-span-2">
            <label htmlFor="webhook-headers" className="text-sm font-medium">
              Extra headers
            </label>
            <textarea id="webhook-headers" name="config.headers" rows={2} placeholder="Authorization: Bearer …" className={INPUT} />
          </div>
        </>
      ) : null}
      {type === "telegram" ? (
        <>
          <Field label="Bot token" name="config.botToken" type="password" error={err("botToken")} autoComplete="off" />
          <Field label="Chat id" name="config.chatId" error={err("chatId")} />
        </>
      ) : null}
      {type === "ntfy" ? (
        <>
          <Field label="Server URL" name="config.serverUrl" type="url" defaultValue="https://ntfy.sh" error={err("serverUrl")} />
          <Field label="Topic" name="config.topic" error={err("topic")} />
          <Field label="Access token" name="config.token" type="password" required={false} autoComplete="off" />
        </>
      ) : null}
      {type === "gotify" ? (
        <>
          <Field label="Server URL" name="config.serverUrl" type="url" error={err("serverUrl")} />
          <Field label="Application token" name="config.token" type="password" error={err("token")} autoComplete="off" />
        </>
      ) : null}
      <div className="md:col-span-2">
        <SubmitButton pending={pending}>Add channel</SubmitButton>
      </div>
    </Form>
  );
}
