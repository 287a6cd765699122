// DNS check from the control plane (decision 060): the shared check (agent/checks/dns-check.ts,
// the same one agents run) asking the monitor's `server` when it has one — an address a tenant
// chose, so it passes the alerts' address policy like any other target and the query goes to the
// checked address — or else the control plane's own resolvers (/etc/resolv.conf), in Community
// only: a SaaS tenant never learns what the service's own resolvers answer (they may know the
// service's private names), so there a control-plane check must name its server.
import { runDnsCheck } from "#agent/checks/dns-check";
import { CheckFailure } from "#agent/checks/http-check";
import type { DnsConfig } from "~/validation/monitors";
import { resolveHostAllowed, type AddressPolicy } from "../../alerts/safe-fetch.server";
import { edition } from "../../edition.server";
import type { CheckOutcome } from "../state";

export const SAAS_DNS_SERVER_REQUIRED =
  "Name the DNS server to ask (for example 1.1.1.1), or run the check from one of your agents: the service's own resolvers are not open to organizations.";

/** Whether a control-plane DNS check without a server of its own is refused here (SaaS). */
export function ownResolversClosed(config: { server?: string | null }): boolean {
  return !config.server && edition() === "saas";
}

export function checkDns(config: DnsConfig, policy: AddressPolicy, timeoutMs = 5_000): Promise<CheckOutcome> {
  if (ownResolversClosed(config)) return Promise.resolve({ ok: false, cause: "refused", message: SAAS_DNS_SERVER_REQUIRED, latencyMs: null });
  return runDnsCheck(
    { ...config, timeoutMs },
    {
      async resolveServer(host, port) {
        try {
          return (await resolveHostAllowed(host, port, policy)).address;
        } catch (error) {
          const message = error instanceof Error ? error.message : String(error);
          throw new CheckFailure(message.startsWith("refused") ? "refused" : "connection", message);
        }
      },
    },
  );
}
