// Channels with their "Send test" button; each test shows its own result inline.
import { Link, useFetcher } from "@remix-run/react";
import { Badge } from "~/components/ui/badge";
import { BUTTON } from "~/components/ui/button-classes";
import type { ChannelType } from "~/validation/alerts";
import { CHANNEL_LABELS } from "./channel-form";

export interface ChannelRow {
  id: string;
  name: string;
  type: ChannelType;
  config: Record<string, unknown>;
}

function destination(c: ChannelRow): string {
  const cfg = c.config;
  if (c.type === "smtp") return `${String(cfg.host)}:${String(cfg.port)} → ${((cfg.to as string[]) ?? []).join(", ")}`;
  if (c.type === "webhook") return String(cfg.url ?? "");
  if (c.type === "ntfy") return `${String(cfg.serverUrl)}/${String(cfg.topic)}`;
  if (c.type === "gotify") return String(cfg.serverUrl ?? "");
  if (c.type === "telegram") return `chat ${String(cfg.chatId)}`;
  return "incoming webhook (hidden)";
}

export function ChannelList({ channels, canManage }: { channels: ChannelRow[]; canManage: boolean }) {
  return (
    <ul className="divide-y divide-slate-200 dark:divide-slate-800">
      {channels.map((c) => (
        <ChannelItem key={c.id} channel={c} canManage={canManage} />
      ))}
    </ul>
  );
}

function ChannelItem({ channel, canManage }: { channel: ChannelRow; canManage: boolean }) {
  const test = useFetcher<{ ok: boolean; message: string }>();
  const remove = useFetcher();
  const testing = test.state !== "idle";
  return (
    <li data-testid="channel-row" data-name={channel.name} className="flex flex-col gap-2 py-3 md:flex-row md:items-center md:justify-between">
      <div className="min-w-0">
        <p className="font-medium">
          {channel.name} <Badge tone="muted">{CHANNEL_LABELS[channel.type]}</Badge>
        </p>
        <p className="text-sm text-slate-500 wrap-anywhere dark:text-slate-400" data-testid="channel-destination">{destination(channel)}</p>
        {test.data && test.state === "idle" ? (
          <p role="status" className={`mt-1 text-sm ${test.data.ok ? "text-emerald-700 dark:text-emerald-300" : "text-red-700 dark:text-red-300"}`}>
            {test.data.ok ? "✓ " : "✗ "}
            {test.data.message}
          </p>
        ) : null}
      </div>
      {canManage ? (
        <div className="flex shrink-0 items-center gap-2">
          <Link to={`?tab=channels&edit=${channel.id}#channel-form`} className={BUTTON.secondary} aria-label={`Edit ${channel.name}`}>
            Edit
          </Link>
          <test.Form method="post">
            <input type="hidden" name="intent" value="test-channel" />
            <input type="hidden" name="id" value={channel.id} />
            <button type="submit" className={BUTTON.secondary} disabled={testing}>
              {testing ? "Sending…" : "Send test"}
            </button>
          </test.Form>
          <remove.Form method="post" onSubmit={(e) => (!confirm(`Delete the channel ${channel.name}?`) ? e.preventDefault() : undefined)}>
            <input type="hidden" name="intent" value="delete-channel" />
            <input type="hidden" name="id" value={channel.id} />
            <button type="submit" className={BUTTON.dangerOutline}>
              Delete
            </button>
          </remove.Form>
        </div>
      ) : null}
    </li>
  );
}
