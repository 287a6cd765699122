// Checks from a chosen agent (decisions 065, 141): through the agent seam's probes
// (hostFor(..).probes), whatever the transport. A remote agent runs the check from inside its
// own network (the customer's), so no address policy applies there, and answers the same result
// shape the control plane's checks do. The built-in agent runs in the control plane's process on
// its host, so its checks are the control plane's own, under the organization's address policy
// (decision 064) at save and at every check: TCP connects to the checked address, and HTTP/DNS
// run the policy-guarded control-plane checks (each redirect hop re-checked).
import type { HttpCheckSpec } from "#agent/checks/types";
import { hostFor, type ResolvedAgent } from "../../agents/registry.server";
import type { AddressPolicy } from "../../alerts/address-policy";
import { DeliveryError, resolveHostAllowed } from "../../alerts/safe-fetch.server";
import { NotFoundError } from "../../errors.server";
import type { DnsConfig, HttpConfig } from "~/validation/monitors";
import type { CheckOutcome } from "../state";
import { checkDns } from "./dns.server";
import { checkHttp } from "./http.server";

const TIMEOUT_MS = 5_000;
const DNS_TIMEOUT_MS = 5_000;

async function resolveAgent(orgId: string, agentId: string): Promise<ResolvedAgent | CheckOutcome> {
  try {
    return await hostFor({ orgId }, agentId);
  } catch (error) {
    const gone = error instanceof NotFoundError;
    return { ok: false, cause: "connection", message: gone ? "the chosen agent no longer exists" : `the chosen agent is unavailable: ${error instanceof Error ? error.message : String(error)}`, latencyMs: null };
  }
}

const isOutcome = (v: ResolvedAgent | CheckOutcome): v is CheckOutcome => "ok" in v;

/** The agent's answer, or a failed check when the call itself failed (offline, timed out). */
async function ask(agent: ResolvedAgent, call: () => Promise<CheckOutcome>): Promise<CheckOutcome> {
  try {
    const result = await call();
    return { ...result, message: `${result.message} (from agent ${agent.row.name})` };
  } catch (error) {
    return { ok: false, cause: "connection", message: `the agent ${agent.row.name} did not answer: ${error instanceof Error ? error.message : String(error)}`, latencyMs: null };
  }
}

export async function checkTcpFromAgent(orgId: string, agentId: string, config: { host: string; port: number }, policy: AddressPolicy): Promise<CheckOutcome> {
  const agent = await resolveAgent(orgId, agentId);
  if (isOutcome(agent)) return agent;
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

export async function checkHttpFromAgent(orgId: string, agentId: string, config: HttpConfig, policy: AddressPolicy): Promise<CheckOutcome> {
  const agent = await resolveAgent(orgId, agentId);
  if (isOutcome(agent)) return agent;
  const spec: HttpCheckSpec = { ...config };
  return ask(agent, () => (agent.row.kind === "local" ? checkHttp(config, policy) : agent.probes.http(spec)));
}

export async function checkDnsFromAgent(orgId: string, agentId: string, config: DnsConfig, policy: AddressPolicy): Promise<CheckOutcome> {
  const agent = await resolveAgent(orgId, agentId);
  if (isOutcome(agent)) return agent;
  return ask(agent, () => (agent.row.kind === "local" ? checkDns(config, policy, DNS_TIMEOUT_MS) : agent.probes.dns({ ...config, timeoutMs: DNS_TIMEOUT_MS })));
}
