// E-mail through nodemailer (app/server/mail/mailer.server.ts builds the transport). The SMTP host passes the same
// address policy as HTTP channels and the connection goes to the checked address; the name is
// kept for TLS (SNI and certificate check). File and URL access in messages is disabled.
import { createMailTransport } from "../../mail/mailer.server";
import { hasHeaderInjection } from "../address-policy";
import { DeliveryError, resolveHostAllowed } from "../safe-fetch.server";
import type { Sender } from "./types";

export const sendSmtp: Sender = async (message, settings, ctx) => {
  const host = String(settings.host);
  const port = Number(settings.port ?? 587);
  const tls = String(settings.tls ?? "starttls");
  const from = String(settings.from);
  const to = (settings.to as string[]) ?? [];
  for (const address of [from, ...to]) {
    if (hasHeaderInjection(address)) throw new DeliveryError("refused: an e-mail address contains a line break", false);
  }
  const pinned = await resolveHostAllowed(host, port, ctx.policy);
  const transport = await createMailTransport({
    host: pinned.address,
    port,
    secure: tls === "tls",
    requireTLS: tls === "starttls",
    ignoreTLS: tls === "none",
    auth: settings.username ? { user: String(settings.username), pass: String(settings.password ?? "") } : undefined,
    tls: pinned.target.ip ? {} : { servername: pinned.target.host },
    connectionTimeout: ctx.timeoutMs,
    greetingTimeout: ctx.timeoutMs,
    socketTimeout: ctx.timeoutMs,
    disableFileAccess: true,
    disableUrlAccess: true,
  });
  try {
    await transport.sendMail({ from, to, subject: message.title.replace(/[\r\n]+/g, " "), text: message.text, disableFileAccess: true, disableUrlAccess: true });
  } catch (error) {
    const e = error as { message?: string; responseCode?: number; code?: string };
    const permanent = (e.responseCode ?? 0) >= 500 || e.code === "EAUTH" || e.code === "EENVELOPE";
    throw new DeliveryError(`SMTP ${host}:${port}: ${e.message ?? String(error)}`, !permanent);
  } finally {
    transport.close();
  }
};
