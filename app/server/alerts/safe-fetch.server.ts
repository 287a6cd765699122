// The only way alert code talks to the outside world over HTTP. Guards against SSRF:
// http(s) only; the host is resolved here and every address it resolves to must pass the policy
// (address-policy.ts); the socket then connects to exactly that checked address (a pinned
// `lookup`), so a DNS answer that changes between check and connect (rebinding) cannot redirect
// it; redirects are never followed; every request has a deadline.
import { lookup as dnsLookup } from "node:dns/promises";
import { request as httpRequest, type IncomingMessage, type RequestOptions } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import { env } from "../env.server";
import { checkAddress, checkHost, checkUrl, type AddressPolicy, type Target } from "./address-policy";

export * from "./address-policy";

/** A delivery failure with the exact reason to show; `retryable` says whether trying again can help. */
export class DeliveryError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = "DeliveryError";
  }
}

export function policyFromEnv(): AddressPolicy {
  const e = env();
  return { allowPrivate: e.ALERTS_ALLOW_PRIVATE, allowedHosts: e.ALERTS_ALLOWED_HOSTS };
}

export interface PinnedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a checked target to one address that passed the policy (or throws why not). */
export async function resolveTarget(target: Target, policy: AddressPolicy): Promise<PinnedAddress> {
  if (target.ip) return target.ip;
  let addresses: { address: string; family: number }[];
  try {
    addresses = await dnsLookup(target.host, { all: true, verbatim: true });
  } catch (error) {
    const code = (error as { code?: string }).code ?? "";
    throw new DeliveryError(`could not resolve ${target.host}${code ? ` (${code})` : ""}`, code === "EAI_AGAIN");
  }
  if (addresses.length === 0) throw new DeliveryError(`${target.host} has no addresses`, false);
  if (!target.allowlisted) {
    // Every answer must pass: an attacker-controlled zone that mixes a public and a private
    // address must not win by luck of ordering.
    for (const a of addresses) {
      const verdict = checkAddress(a.address, policy);
      if (!verdict.ok) throw new DeliveryError(`refused: ${target.host} resolves to ${verdict.reason}`, false);
    }
  }
  const first = addresses[0]!;
  return { address: first.address, family: first.family === 6 ? 6 : 4 };
}

/** For saving a channel: the URL is allowed and its host resolves to allowed addresses. */
export async function assertUrlAllowed(url: string, policy: AddressPolicy = policyFromEnv()): Promise<void> {
  const checked = checkUrl(url, policy);
  if (!checked.ok) throw new DeliveryError(`refused: ${checked.reason}`, false);
  await resolveTarget(checked.target, policy);
}

/** For SMTP: the host:port is allowed; returns the address to connect to. */
export async function resolveHostAllowed(host: string, port: number, policy: AddressPolicy = policyFromEnv()): Promise<PinnedAddress & { target: Target }> {
  const checked = checkHost(host, port, policy);
  if (!checked.ok) throw new DeliveryError(`refused: ${checked.reason}`, false);
  return { ...(await resolveTarget(checked.target, policy)), target: checked.target };
}

export function pinnedLookup(pinned: PinnedAddress): LookupFunction {
  return ((_hostname: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address: pinned.address, family: pinned.family }]);
    else callback(null, pinned.address, pinned.family);
  }) as unknown as LookupFunction;
}

export interface SafeRequest {
  url: string;
  method?: "GET" | "POST" | "PUT";
  headers?: Record<string, string>;
  body?: string;
  timeoutMs?: number;
}

export interface SafeResponse {
  status: number;
  headers: IncomingMessage["headers"];
  /** At most 8 KiB of the body, for error messages. */
  body: string;
}

const MAX_BODY = 8 * 1024;

/** One guarded request. 2xx resolves; anything else (3xx included) throws a DeliveryError. */
export async function safeFetch(req: SafeRequest, policy: AddressPolicy = policyFromEnv()): Promise<SafeResponse> {
  const checked = checkUrl(req.url, policy);
  if (!checked.ok) throw new DeliveryError(`refused: ${checked.reason}`, false);
  const { url, target } = checked;
  const pinned = await resolveTarget(target, policy);
  const timeoutMs = req.timeoutMs ?? 10_000;
  const options: RequestOptions = {
    protocol: url.protocol,
    host: target.host,
    port: target.port,
    path: `${url.pathname}${url.search}`,
    method: req.method ?? "POST",
    headers: { "User-Agent": "InfraPilot-Alerts/1", ...(req.body !== undefined ? { "Content-Length": String(Buffer.byteLength(req.body)) } : {}), ...req.headers },
    lookup: pinnedLookup(pinned),
    agent: false,
  };
  const send = url.protocol === "https:" ? httpsRequest : httpRequest;
  const response = await new Promise<SafeResponse>((resolve, reject) => {
    const request = send(options, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on("data", (chunk: Buffer) => {
        if (size < MAX_BODY) chunks.push(chunk);
        size += chunk.length;
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8").slice(0, MAX_BODY) }));
      res.on("error", reject);
    });
    const timer = setTimeout(() => request.destroy(new DeliveryError(`no answer from ${target.host} within ${Math.round(timeoutMs / 1000)} s`, true)), timeoutMs);
    request.on("close", () => clearTimeout(timer));
    request.on("error", (error) => {
      clearTimeout(timer);
      reject(error instanceof DeliveryError ? error : new DeliveryError(`${target.host}: ${(error as NodeJS.ErrnoException).code ?? error.message}${(error as NodeJS.ErrnoException).code ? ` (${error.message})` : ""}`, true));
    });
    request.end(req.body);
  });
  if (response.status >= 300 && response.status < 400) {
    const location = String(response.headers.location ?? "");
    throw new DeliveryError(`refused to follow a redirect (HTTP ${response.status}${location ? ` to ${location.slice(0, 200)}` : ""})`, false);
  }
  if (response.status < 200 || response.status >= 300) {
    const detail = response.body.replace(/\s+/g, " ").trim().slice(0, 300);
    throw new DeliveryError(`HTTP ${response.status}${detail ? `: ${detail}` : ""}`, response.status >= 500 || response.status === 429 || response.status === 408);
  }
  return response;
}
