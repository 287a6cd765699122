// Real far ends for alert tests, on loopback only: an SMTP server (npm smtp-server) and an HTTP
// receiver that records every request and can answer with a redirect.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { SMTPServer } from "smtp-server";

export interface ReceivedMail {
  from: string;
  to: string[];
  raw: string;
  at: number;
}

export interface ReceivedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: string;
  at: number;
}

export interface Receivers {
  smtpPort: number;
  httpPort: number;
  mails: ReceivedMail[];
  requests: ReceivedRequest[];
  /** Waits until `predicate` holds for the collected items. */
  waitFor<T>(get: () => T[], predicate: (items: T[]) => boolean, timeoutMs?: number): Promise<T[]>;
  close(): Promise<void>;
}

export async function startReceivers(): Promise<Receivers> {
  const mails: ReceivedMail[] = [];
  const requests: ReceivedRequest[] = [];
  const smtp = new SMTPServer({
    authOptional: true,
    // Plain AUTH on loopback only; the password is checked so a wrong one shows up as a failure.
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      if (auth.password === "mail-pass") return callback(null, { user: auth.username });
      callback(new Error("Invalid username or password"));
    },
    disabledCommands: ["STARTTLS"],
    logger: false,
    onData(stream, session, callback) {
      let raw = "";
      stream.on("data", (d: Buffer) => (raw += d.toString("utf8")));
      stream.on("end", () => {
        mails.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : "",
          to: session.envelope.rcptTo.map((r) => r.address),
          raw,
          at: Date.now(),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => smtp.listen(0, "127.0.0.1", () => resolve()));
  const smtpPort = (smtp.server.address() as AddressInfo).port;

  const http: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (d: Buffer) => (body += d.toString("utf8")));
    req.on("end", () => {
      requests.push({ method: req.method ?? "", path: req.url ?? "", headers: req.headers, body, at: Date.now() });
      if (req.url?.startsWith("/redirect")) {
        res.writeHead(302, { Location: "http://169.254.169.254/latest/meta-data/" });
        return res.end();
      }
      if (req.url?.startsWith("/fail")) {
        res.writeHead(500, { "Content-Type": "text/plain" });
        return res.end("receiver says no");
      }
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", () => resolve()));
  const httpPort = (http.address() as AddressInfo).port;

  return {
    smtpPort,
    httpPort,
    mails,
    requests,
    async waitFor<T>(get: () => T[], predicate: (items: T[]) => boolean, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(get())) {
        if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms; have ${JSON.stringify(get()).slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
      return get();
    },
    async close() {
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
      await new Promise<void>((resolve) => smtp.close(() => resolve()));
    },
  };
}
