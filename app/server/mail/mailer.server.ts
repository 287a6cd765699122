// nodemailer behind one module of ours: alert e-mail channels (alerts/channels/smtp.server.ts)
// and system mail (SMTP_URL: invitations) build their transports here. Loaded on first use:
// nodemailer is ~15 MB of memory an install without mail never needs.
import type { Transporter } from "nodemailer";
import type SMTPTransport from "nodemailer/lib/smtp-transport";

export type MailTransport = Transporter<SMTPTransport.SentMessageInfo>;

export async function createMailTransport(options: SMTPTransport.Options | string): Promise<MailTransport> {
  const nodemailer = (await import("nodemailer")).default;
  return nodemailer.createTransport(options as SMTPTransport.Options);
}
