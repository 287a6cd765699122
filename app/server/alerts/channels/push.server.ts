// Self-hosted push services: ntfy and Gotify (often on the LAN: see ALERTS_ALLOW_PRIVATE).
import { safeFetch } from "../safe-fetch.server";
import { asciiLine } from "./format";
import type { Sender } from "./types";

export const sendNtfy: Sender = async (message, settings, ctx) => {
  const base = String(settings.serverUrl ?? "https://ntfy.sh").replace(/\/+$/, "");
  const headers: Record<string, string> = {
    "Content-Type": "text/plain; charset=utf-8",
    Title: asciiLine(message.title),
    Priority: String(settings.priority ?? 4),
    Tags: message.test ? "white_check_mark" : "warning",
  };
  if (settings.token) headers.Authorization = `Bearer ${String(settings.token)}`;
  await safeFetch({ url: `${base}/${encodeURIComponent(String(settings.topic))}`, method: "POST", headers, body: message.text, timeoutMs: ctx.timeoutMs }, ctx.policy);
};

export const sendGotify: Sender = async (message, settings, ctx) => {
  const base = String(settings.serverUrl).replace(/\/+$/, "");
  await safeFetch(
    {
      url: `${base}/message`,
      method: "POST",
      headers: { "Content-Type": "application/json", "X-Gotify-Key": String(settings.token) },
      body: JSON.stringify({ title: message.title, message: message.text, priority: settings.priority ?? 8 }),
      timeoutMs: ctx.timeoutMs,
    },
    ctx.policy,
  );
};
