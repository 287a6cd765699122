// System mail (invitations) through SMTP_URL, the operator's own mail server: trusted
// configuration, so no tenant address policy applies. Without SMTP_URL nothing is sent and the
// caller shows the link to copy instead.
import { env } from "../env.server";
import { logger } from "../logger.server";
import { createMailTransport } from "./mailer.server";

export interface SystemMail {
  to: string;
  subject: string;
  text: string;
}

export function systemMailConfigured(): boolean {
  return Boolean(env().SMTP_URL);
}

/** The sender: `?from=` on SMTP_URL, else no-reply at PUBLIC_URL's host. */
export function systemMailFrom(): string {
  const e = env();
  const from = e.SMTP_URL ? new URL(e.SMTP_URL).searchParams.get("from") : null;
  return from ?? `InfraPilot <no-reply@${new URL(e.PUBLIC_URL).hostname}>`;
}

/** Sends one message; true when the server accepted it, false (logged) when it did not or mail is off. */
export async function sendSystemMail(mail: SystemMail): Promise<boolean> {
  const url = env().SMTP_URL;
  if (!url) return false;
  const parsed = new URL(url);
  parsed.searchParams.delete("from");
  const transport = await createMailTransport(parsed.toString());
  try {
    await transport.sendMail({
      from: systemMailFrom(),
      to: mail.to,
      subject: mail.subject.replace(/[\r\n]+/g, " "),
      text: mail.text,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    return true;
  } catch (error) {
    logger.warn("system mail not sent", { to: mail.to, error: error instanceof Error ? error.message : String(error) });
    return false;
  } finally {
    transport.close();
  }
}
