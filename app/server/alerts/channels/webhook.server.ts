// Generic webhook: the alert as JSON, signed with HMAC-SHA256 under the channel's secret so the
// receiver can check it came from us: `X-InfraPilot-Signature: sha256=<hex of HMAC(body)>`.
import { createHmac } from "node:crypto";
import { safeFetch } from "../safe-fetch.server";
import type { AlertMessage, Sender } from "./types";

export function webhookBody(message: AlertMessage, sentAt = new Date()): string {
  return JSON.stringify({
    event: message.test ? "test" : "alert",
    title: message.title,
    text: message.text,
    alerts: message.items,
    link: message.link,
    sentAt: sentAt.toISOString(),
  });
}

export function signBody(body: string, secret: string): string {
  return `sha256=${createHmac("sha256", secret).update(body).digest("hex")}`;
}

export const sendWebhook: Sender = async (message, settings, ctx) => {
  const body = webhookBody(message);
  const headers: Record<string, string> = { ...((settings.headers as Record<string, string> | null) ?? {}), "Content-Type": "application/json" };
  if (settings.secret) headers["X-InfraPilot-Signature"] = signBody(body, String(settings.secret));
  await safeFetch({ url: String(settings.url), method: "POST", headers, body, timeoutMs: ctx.timeoutMs }, ctx.policy);
};
