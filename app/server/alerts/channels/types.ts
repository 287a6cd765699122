// One interface for every notification channel. A sender gets the rendered message and the
// channel's validated config with its secrets unsealed; it throws a DeliveryError with the exact
// reason when the far end did not accept it.
import type { AddressPolicy } from "../address-policy";

export interface AlertItem {
  ruleId: string | null;
  ruleName: string;
  ruleType: string;
  target: string;
  targetName: string;
  state: "firing" | "resolved";
  value: number | null;
  message: string;
  at: string;
}

export interface AlertMessage {
  title: string;
  text: string;
  items: AlertItem[];
  /** A "Send test" message, not an alert. */
  test: boolean;
  /** Where to look (PUBLIC_URL/alerts). */
  link: string;
}

export interface SendContext {
  policy: AddressPolicy;
  timeoutMs: number;
}

export type ChannelSettings = Record<string, unknown>;

export type Sender = (message: AlertMessage, settings: ChannelSettings, ctx: SendContext) => Promise<void>;
