// The DNS check of an uptime monitor (issue 21), run by the control plane and by agents alike
// (docs/decisions/060, 141): node:dns's Resolver asks `server` when given — after `resolveServer`
// turned its host into the address to ask (the control plane's address policy runs there; an
// agent resolves it in its own network) — or else the resolvers of the machine it runs on.
import { lookup } from "node:dns/promises";
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import { matchDnsAnswer, parseDnsServer, recordsAsText } from "./dns-match";
import { CheckFailure } from "./http-check";
import type { CheckResult, DnsCheckSpec } from "./types";

const NOT_FOUND = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN"]);

export interface DnsCheckHooks {
  /** The address to send queries to for the server's host; may refuse (throw CheckFailure). */
  resolveServer?(host: string, port: number): Promise<string>;
}

async function plainLookup(host: string): Promise<string> {
  if (isIP(host)) return host;
  return (await lookup(host)).address;
}

/** Never throws: every failure is a result with its cause. */
export async function runDnsCheck(spec: DnsCheckSpec, hooks: DnsCheckHooks = {}): Promise<CheckResult> {
  const { timeoutMs } = spec;
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  try {
    if (spec.server) {
      const server = parseDnsServer(spec.server);
      if (!server) return { ok: false, cause: "refused", message: `not a DNS server address: ${spec.server}`, latencyMs: null };
      let address: string;
      try {
        address = hooks.resolveServer ? await hooks.resolveServer(server.host, server.port) : await plainLookup(server.host);
      } catch (error) {
        if (error instanceof CheckFailure) return { ok: false, cause: error.cause, message: error.message, latencyMs: null };
        return { ok: false, cause: "connection", message: `${server.host}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`, latencyMs: null };
      }
      resolver.setServers([isIP(address) === 6 ? `[${address}]:${server.port}` : `${address}:${server.port}`]);
    }
    const started = Date.now();
    try {
      const answer = (await resolver.resolve(spec.name, spec.recordType)) as unknown[];
      const latencyMs = Date.now() - started;
      const { ok, message } = matchDnsAnswer(spec.recordType, recordsAsText(spec.recordType, answer), spec.expected);
      return ok ? { ok, message, latencyMs } : { ok, cause: "dns", message: `${spec.name}: ${message}`, latencyMs };
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? "";
      if (code === "ETIMEOUT") return { ok: false, cause: "timeout", message: `${spec.name}: no DNS answer within ${timeoutMs} ms`, latencyMs: timeoutMs };
      if (NOT_FOUND.has(code)) return { ok: false, cause: "dns", message: `${spec.name}: no ${spec.recordType} record (${code})`, latencyMs: Date.now() - started };
      return { ok: false, cause: "connection", message: `${spec.name}: ${code || (error as Error).message}`, latencyMs: null };
    }
  } finally {
    resolver.cancel();
  }
}
