// DNS check from the control plane (decision 060): the shared check (agent/checks/dns-check.ts,
// the same one agents run) asking the monitor's `server` when it has one — an address a tenant
// chose, so it passes the alerts' address policy like any other target and the query goes to the
// checked address — or else the control plane's own resolvers (/etc/resolv.conf).
import { runDnsCheck } from "#agent/checks/dns-check";
import { CheckFailure } from "#agent/checks/http-check";
import type { DnsConfig } from "~/validation/monitors";
import { resolveHostAllowed, type AddressPolicy } from "../../alerts/safe-fetch.server";
import type { CheckOutcome } from "../state";

export function checkDns(config: DnsConfig, policy: AddressPolicy, timeoutMs = 5_000): Promise<CheckOutcome> {
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
