// Chat services that take an incoming-webhook POST: Slack, Discord, Microsoft Teams, Telegram.
import { safeFetch } from "../safe-fetch.server";
import type { Sender } from "./types";

const postJson = (url: string, payload: unknown, timeoutMs: number, policy: Parameters<typeof safeFetch>[1]) =>
  safeFetch({ url, method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload), timeoutMs }, policy);

export const sendSlack: Sender = async (message, settings, ctx) => {
  await postJson(String(settings.webhookUrl), { text: `*${message.title}*\n${message.text}` }, ctx.timeoutMs, ctx.policy);
};

export const sendDiscord: Sender = async (message, settings, ctx) => {
  // Discord refuses content over 2000 characters.
  const content = `**${message.title}**\n${message.text}`.slice(0, 1990);
  await postJson(String(settings.webhookUrl), { content, allowed_mentions: { parse: [] } }, ctx.timeoutMs, ctx.policy);
};

export const sendTeams: Sender = async (message, settings, ctx) => {
  const card = {
    "@type": "MessageCard",
    "@context": "https://schema.org/extensions",
    summary: message.title,
    title: message.title,
    text: message.text.replace(/\n/g, "  \n"),
  };
  await postJson(String(settings.webhookUrl), card, ctx.timeoutMs, ctx.policy);
};

export const sendTelegram: Sender = async (message, settings, ctx) => {
  const base = String(settings.apiUrl ?? "https://api.telegram.org").replace(/\/+$/, "");
  const url = `${base}/bot${String(settings.botToken)}/sendMessage`;
  const text = `${message.title}\n\n${message.text}`.slice(0, 4000);
  await postJson(url, { chat_id: settings.chatId, text, disable_web_page_preview: true }, ctx.timeoutMs, ctx.policy);
};
