// The HTTP(S) check of an uptime monitor (issue 21), run by the control plane and by agents alike
// (docs/decisions/141): method, headers, body, expected statuses, keyword present/absent, a JSON
// path's value, redirects followed or not (up to 5) within one deadline, TLS failures and the
// certificate's remaining days. Where it may connect is the caller's business: `prepare` sees
// every hop before its socket opens (the control plane's address policy pins the address there;
// an agent in a customer's network passes none).
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import type { TLSSocket } from "node:tls";
import { matchJsonPath } from "./json-path";
import type { CheckResult, HttpCheckSpec } from "./types";

const MAX_REDIRECTS = 5;
/** Enough of a page to find a keyword in; the rest is read and dropped. */
const MAX_BODY = 1024 * 1024;
const TLS_CODES = /CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/i;

/** A failed check with its cause; `prepare` throws it to refuse a hop. */
export class CheckFailure extends Error {
  constructor(
    readonly cause: string,
    message: string,
  ) {
    super(message);
  }
}

export interface HttpCheckHooks {
  /** Called for the URL and every redirect before connecting; may refuse (throw CheckFailure) or pin the address. */
  prepare?(url: URL): Promise<{ lookup?: LookupFunction }>;
  now?(): number;
}

interface Answer {
  status: number;
  location: string | null;
  body: string;
  certValidTo: string | null;
}

function once(url: URL, spec: HttpCheckSpec, pinned: { lookup?: LookupFunction }, deadline: number): Promise<Answer> {
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const options: RequestOptions = {
    protocol: url.protocol,
    host,
    port: url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80,
    path: `${url.pathname}${url.search}`,
    method: spec.method,
    headers: { "User-Agent": "InfraPilot-Monitor/1", ...(spec.body !== null ? { "Content-Length": String(Buffer.byteLength(spec.body)) } : {}), ...spec.headers },
    ...(pinned.lookup ? { lookup: pinned.lookup } : {}),
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
    const timer = setTimeout(() => request.destroy(new CheckFailure("timeout", `no answer within ${spec.timeoutMs} ms`)), remaining);
    request.on("close", () => clearTimeout(timer));
    request.on("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      if (error instanceof CheckFailure) return reject(error);
      const code = error.code ?? "";
      reject(new CheckFailure(TLS_CODES.test(code) ? "tls" : "connection", `${url.hostname}: ${code || error.message}${code ? ` (${error.message})` : ""}`));
    });
    request.end(spec.body ?? undefined);
  });
}

/** Never throws: every failure is a result with its cause. */
export async function runHttpCheck(spec: HttpCheckSpec, hooks: HttpCheckHooks = {}): Promise<CheckResult> {
  const now = hooks.now ?? Date.now;
  const started = now();
  const deadline = Date.now() + spec.timeoutMs;
  let url: URL;
  try {
    url = new URL(spec.url);
  } catch {
    return { ok: false, cause: "connection", message: `not a URL: ${spec.url}`, latencyMs: null };
  }
  try {
    let answer = await once(url, spec, (await hooks.prepare?.(url)) ?? {}, deadline);
    for (let hop = 0; spec.followRedirects && answer.status >= 300 && answer.status < 400 && answer.location; hop++) {
      if (hop >= MAX_REDIRECTS) throw new CheckFailure("status", `more than ${MAX_REDIRECTS} redirects`);
      url = new URL(answer.location, url);
      if (url.protocol !== "http:" && url.protocol !== "https:") throw new CheckFailure("status", `redirected to ${url.protocol} URL`);
      answer = await once(url, spec, (await hooks.prepare?.(url)) ?? {}, deadline);
    }
    const latencyMs = Math.max(0, Math.round(now() - started));
    if (!spec.expectedStatus.includes(answer.status)) {
      const any2xx = spec.expectedStatus.length >= 10 && spec.expectedStatus.every((s) => s >= 200 && s < 300);
      return { ok: false, cause: "status", message: `HTTP ${answer.status}, expected ${any2xx ? "a 2xx status" : spec.expectedStatus.join(", ")}`, latencyMs };
    }
    if (spec.keyword) {
      const found = answer.body.includes(spec.keyword);
      if (found === spec.keywordAbsent) {
        return { ok: false, cause: "keyword", message: spec.keywordAbsent ? `keyword "${spec.keyword}" is present` : `keyword "${spec.keyword}" not found`, latencyMs };
      }
    }
    let jsonNote = "";
    if (spec.jsonPath) {
      const match = matchJsonPath(answer.body, spec.jsonPath, spec.jsonExpected);
      if (!match.ok) return { ok: false, cause: "json", message: `HTTP ${answer.status}; ${match.message}`, latencyMs };
      jsonNote = `; ${match.message}`;
    }
    // A certificate close to its end is an event of its own (decision 062), not a down: the site works.
    const certNotAfter = url.protocol === "https:" && answer.certValidTo && !Number.isNaN(Date.parse(answer.certValidTo)) ? new Date(Date.parse(answer.certValidTo)).toISOString() : null;
    if (certNotAfter && spec.certExpiryDays !== null) {
      const daysLeft = Math.floor((Date.parse(certNotAfter) - Date.now()) / 86_400_000);
      if (daysLeft < spec.certExpiryDays) return { ok: true, message: `HTTP ${answer.status}${jsonNote}; certificate expires in ${daysLeft} days`, latencyMs, certNotAfter, certDaysLeft: daysLeft };
    }
    return { ok: true, message: `HTTP ${answer.status}${jsonNote}`, latencyMs, ...(certNotAfter ? { certNotAfter } : {}) };
  } catch (error) {
    if (error instanceof CheckFailure) return { ok: false, cause: error.cause, message: error.message, latencyMs: error.cause === "timeout" ? spec.timeoutMs : null };
    return { ok: false, cause: "connection", message: error instanceof Error ? error.message : String(error), latencyMs: null };
  }
}
