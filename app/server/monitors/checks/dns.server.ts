// DNS check from the control plane (decision 060): node:dns's Resolver asks the monitor's
// `server` when it has one — an address a tenant chose, so it passes the alerts' address policy
// like any other target and the query goes to the checked address — or else the control plane's
// own resolvers (/etc/resolv.conf), as every other name InfraPilot resolves.
import { Resolver } from "node:dns/promises";
import { isIP } from "node:net";
import type { DnsConfig } from "~/validation/monitors";
import { resolveHostAllowed, type AddressPolicy } from "../../alerts/safe-fetch.server";
import type { CheckOutcome } from "../state";
import { matchDnsAnswer, parseDnsServer, recordsAsText } from "./dns";

const NOT_FOUND = new Set(["ENOTFOUND", "ENODATA", "NXDOMAIN"]);

export async function checkDns(config: DnsConfig, policy: AddressPolicy, timeoutMs = 5_000): Promise<CheckOutcome> {
  const resolver = new Resolver({ timeout: timeoutMs, tries: 1 });
  if (config.server) {
    const server = parseDnsServer(config.server);
    if (!server) return { ok: false, cause: "refused", message: `not a DNS server address: ${config.server}`, latencyMs: null };
    let address: string;
    try {
      address = (await resolveHostAllowed(server.host, server.port, policy)).address;
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return { ok: false, cause: message.startsWith("refused") ? "refused" : "connection", message, latencyMs: null };
    }
    resolver.setServers([isIP(address) === 6 ? `[${address}]:${server.port}` : `${address}:${server.port}`]);
  }
  const started = Date.now();
  try {
    const answer = (await resolver.resolve(config.name, config.recordType)) as unknown[];
    const latencyMs = Date.now() - started;
    const { ok, message } = matchDnsAnswer(config.recordType, recordsAsText(config.recordType, answer), config.expected);
    return ok ? { ok, message, latencyMs } : { ok, cause: "dns", message: `${config.name}: ${message}`, latencyMs };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? "";
    if (code === "ETIMEOUT") return { ok: false, cause: "timeout", message: `${config.name}: no DNS answer within ${timeoutMs} ms`, latencyMs: timeoutMs };
    if (NOT_FOUND.has(code)) return { ok: false, cause: "dns", message: `${config.name}: no ${config.recordType} record (${code})`, latencyMs: Date.now() - started };
    return { ok: false, cause: "connection", message: `${config.name}: ${code || (error as Error).message}`, latencyMs: null };
  } finally {
    resolver.cancel();
  }
}
