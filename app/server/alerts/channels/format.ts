// Pure rendering of alert notifications: one title and plain text for a group of items.
import type { AlertItem, AlertMessage } from "./types";

export function describeItem(item: AlertItem): string {
  const mark = item.state === "firing" ? "FIRING" : "RESOLVED";
  return `[${mark}] ${item.ruleName} — ${item.targetName}: ${item.message}`;
}

export function renderMessage(items: AlertItem[], link: string): AlertMessage {
  const firing = items.filter((i) => i.state === "firing").length;
  const resolved = items.length - firing;
  let title: string;
  // Plain ASCII separators: the title is also an e-mail subject.
  if (items.length === 1) title = `${items[0]!.state === "firing" ? "Alert" : "Resolved"}: ${items[0]!.ruleName} on ${items[0]!.targetName}`;
  else title = [firing ? `${firing} alerts firing` : "", resolved ? `${resolved} resolved` : ""].filter(Boolean).join(", ");
  const text = [...items.map(describeItem), "", `Details: ${link}`].join("\n");
  return { title: `[InfraPilot] ${title}`, text, items, test: false, link };
}

export function testMessage(link: string): AlertMessage {
  return {
    title: "[InfraPilot] Test notification",
    text: `This is a test from InfraPilot. If you can read it, this channel works.\n\nDetails: ${link}`,
    items: [],
    test: true,
    link,
  };
}

/** Header-safe ASCII (ntfy's Title header, SMTP subjects stay safe without it). */
export function asciiLine(value: string, max = 200): string {
  return value.replace(/[^\x20-\x7e]/g, "?").slice(0, max);
}
