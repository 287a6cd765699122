// Channel registry and delivery with retries: up to `attempts` tries with exponential backoff,
// each bounded by the delivery timeout; refusals (SSRF policy, 4xx, bad credentials) are not
// retried because trying again cannot change the answer.
import type { ChannelType } from "~/validation/alerts";
import { DeliveryError } from "../safe-fetch.server";
import { sendDiscord, sendSlack, sendTeams, sendTelegram } from "./chat.server";
import { sendGotify, sendNtfy } from "./push.server";
import { sendSmtp } from "./smtp.server";
import type { AlertMessage, ChannelSettings, SendContext, Sender } from "./types";
import { sendWebhook } from "./webhook.server";

export const SENDERS: Record<ChannelType, Sender> = {
  smtp: sendSmtp,
  slack: sendSlack,
  webhook: sendWebhook,
  discord: sendDiscord,
  teams: sendTeams,
  telegram: sendTelegram,
  ntfy: sendNtfy,
  gotify: sendGotify,
};

export interface DeliveryResult {
  ok: boolean;
  error: string | null;
  attempts: number;
}

export interface RetryOptions {
  attempts: number;
  /** Delay before the 2nd attempt; doubles each time. */
  backoffMs: number;
}

export const DEFAULT_RETRY: RetryOptions = { attempts: 3, backoffMs: 1_000 };

export async function deliver(
  type: ChannelType,
  message: AlertMessage,
  settings: ChannelSettings,
  ctx: SendContext,
  retry: RetryOptions = DEFAULT_RETRY,
): Promise<DeliveryResult> {
  let lastError = "";
  for (let attempt = 1; attempt <= retry.attempts; attempt++) {
    try {
      await SENDERS[type](message, settings, ctx);
      return { ok: true, error: null, attempts: attempt };
    } catch (error) {
      lastError = error instanceof Error ? error.message : String(error);
      const retryable = error instanceof DeliveryError ? error.retryable : true;
      if (!retryable || attempt === retry.attempts) return { ok: false, error: lastError.slice(0, 1000), attempts: attempt };
      await new Promise((r) => setTimeout(r, retry.backoffMs * 2 ** (attempt - 1)));
    }
  }
  return { ok: false, error: lastError, attempts: retry.attempts };
}
