// HTTP(S) check from the control plane. Every hop (the URL and each redirect it follows) passes
// the alerts' SSRF policy through safe-fetch's own pieces: checkUrl, resolveTarget (every DNS
// answer checked) and a pinned lookup (the socket connects to the checked address), so a tenant's
// monitor can never probe loopback, metadata or — unless allowed — private addresses.
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { TLSSocket } from "node:tls";
import type { HttpConfig } from "~/validation/monitors";
import { checkUrl, DeliveryError, pinnedLookup, resolveTarget, type AddressPolicy } from "../../alerts/safe-fetch.server";
import type { CheckOutcome } from "../state";

const MAX_REDIRECTS = 5;
/** Enough of a page to find a keyword in; the rest is read and dropped. */
const MAX_BODY = 1024 * 1024;
const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i;

interface Answer {
  status: number;
  location: string | null;
  body: string;
  certValidTo: string | null;
}

class CheckFailure extends Error {
  constructor(
    readonly cause: string,
    message: string,
  ) {
    super(message);
  }
}

async function once(url: URL, config: HttpConfig, policy: AddressPolicy, deadline: number): Promise<Answer> {
  const checked = checkUrl(url.toString(), policy);
  if (!checked.ok) throw new CheckFailure("refused", `refused: ${checked.reason}`);
  const { target } = checked;
  let pinned;
  try {
    pinned = await resolveTarget(target, policy);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    throw new CheckFailure(message.startsWith("refused") ? "refused" : "connection", message);
  }
  const options: RequestOptions = {
    protocol: url.protocol,
    host: target.host,
    port: target.port,
    path: `${url.pathname}${url.search}`,
    method: config.method,
    headers: { "User-Agent": "InfraPilot-Monitor/1", ...(config.body !== null ? { "Content-Length": String(Buffer.byteLength(config.body)) } : {}), ...config.headers },
    lookup: pinnedLookup(pinned),
    agent: false,
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  return new Promise<Answer>((resolve, reject) => {
    const request = send(options, (res: IncomingMessage) => {
      const socket = res.socket as TLSSocket;
      const cert = typeof socket.getPeerCertificate === "function" ? socket.getPeerCertificate() : null;
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () =>
        resolve({
          status: res.statusCode ?? 0,
          location: typeof res.headers.location === "string" ? res.headers.location : null,
          body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY),
          certValidTo: cert && cert.valid_to ? cert.valid_to : null,
        }),
      );
      res.on("error", reject);
    });
    const remaining = Math.max(1, deadline - Date.now());
    const timer = setTimeout(() => request.destroy(new CheckFailure("timeout", `no answer within ${config.timeoutMs} ms`)), remaining);
    request.on("close", () => clearTimeout(timer));
    request.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error instanceof CheckFailure) return reject(error);
      const code = error.code ?? "";
      reject(new CheckFailure(TLS_CODES.test(code) ? "tls" : "connection", `${target.host}: ${code || error.message}${code ? ` (${error.message})` : ""}`));
    });
    request.end(config.body ?? undefined);
  });
}

export async function checkHttp(config: HttpConfig, policy: AddressPolicy, now: () => number = Date.now): Promise<CheckOutcome> {
  const started = now();
  const deadline = started + config.timeoutMs;
  let url = new URL(config.url);
  try {
    let answer = await once(url, config, policy, deadline);
    for (let hop = 0; config.followRedirects && answer.status >= 300 && answer.status < 400 && answer.location; hop++) {
      if (hop >= MAX_REDIRECTS) throw new CheckFailure("status", `more than ${MAX_REDIRECTS} redirects`);
      url = new URL(answer.location, url);
      answer = await once(url, config, policy, deadline);
    }
    const latencyMs = Math.max(0, Math.round(now() - started));
    if (!config.expectedStatus.includes(answer.status)) {
      const any2xx = config.expectedStatus.length > 0 && config.expectedStatus.every((s) => s >= 200 && s < 300) && config.expectedStatus.length >= 10;
      return { ok: false, cause: "status", message: `HTTP ${answer.status}, expected ${any2xx ? "a 2xx status" : config.expectedStatus.join(", ")}`, latencyMs };
    }
    if (config.keyword) {
      const found = answer.body.includes(config.keyword);
      if (found === config.keywordAbsent) {
        return { ok: false, cause: "keyword", message: config.keywordAbsent ? `keyword "${config.keyword}" is present` : `keyword "${config.keyword}" not found`, latencyMs };
      }
    }
    // A certificate close to its end is an event of its own (decision 062), not a down: the site works.
    const certNotAfter = url.protocol === "https:" && answer.certValidTo && !Number.isNaN(Date.parse(answer.certValidTo)) ? new Date(Date.parse(answer.certValidTo)).toISOString() : null;
    if (certNotAfter && config.certExpiryDays !== null) {
      const daysLeft = Math.floor((Date.parse(certNotAfter) - Date.now()) / 86_400_000);
      if (daysLeft < config.certExpiryDays) return { ok: true, message: `HTTP ${answer.status}; certificate expires in ${daysLeft} days`, latencyMs, certNotAfter, certDaysLeft: daysLeft };
    }
    return { ok: true, message: `HTTP ${answer.status}`, latencyMs, ...(certNotAfter ? { certNotAfter } : {}) };
  } catch (error) {
    if (error instanceof CheckFailure) return { ok: false, cause: error.cause, message: error.message, latencyMs: error.cause === "timeout" ? config.timeoutMs : null };
    if (error instanceof DeliveryError) return { ok: false, cause: "connection", message: error.message, latencyMs: null };
    return { ok: false, cause: "connection", message: error instanceof Error ? error.message : String(error), latencyMs: null };
  }
}
