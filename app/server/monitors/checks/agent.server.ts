// TCP (and ping-as-TCP) checks from a chosen agent (decision 065): through the agent seam's
// probes (hostFor(..).probes.tcp), whatever the transport — today the built-in agent; a remote
// agent answers the same call from inside its own network. The built-in agent runs on the
// control plane's host, so its checks pass the organization's address policy like control-plane
// checks do; a remote agent's network is the customer's own, so no policy applies there.
import { hostFor } from "../../agents/registry.server";
import type { AddressPolicy } from "../../alerts/address-policy";
import { DeliveryError, resolveHostAllowed } from "../../alerts/safe-fetch.server";
import { NotFoundError } from "../../errors.server";
import type { CheckOutcome } from "../state";

const TIMEOUT_MS = 5_000;

export async function checkTcpFromAgent(orgId: string, agentId: string, config: { host: string; port: number }, policy: AddressPolicy): Promise<CheckOutcome> {
  let agent;
  try {
    agent = await hostFor({ orgId }, agentId);
  } catch (error) {
    const gone = error instanceof NotFoundError;
    return { ok: false, cause: "connection", message: gone ? "the chosen agent no longer exists" : `the chosen agent is unavailable: ${error instanceof Error ? error.message : String(error)}`, latencyMs: null };
  }
  let host = config.host;
  if (agent.row.kind === "local") {
    try {
      host = (await resolveHostAllowed(config.host, config.port, policy)).address;
    } catch (error) {
      if (error instanceof DeliveryError) return { ok: false, cause: "refused", message: error.message, latencyMs: null };
      throw error;
    }
  }
  const [result] = await agent.probes.tcp([{ host, port: config.port }], TIMEOUT_MS);
  if (!result) return { ok: false, cause: "connection", message: "the agent gave no answer", latencyMs: null };
  const where = `from agent ${agent.row.name}`;
  if (result.ok) return { ok: true, message: `TCP ${config.host}:${config.port} ${result.message} ${where}`, latencyMs: Math.round(result.ms) };
  return { ok: false, cause: /no answer|timed? ?out/i.test(result.message) ? "timeout" : "connection", message: `TCP ${config.host}:${config.port} ${result.message} ${where}`, latencyMs: null };
}
