// Container check: running, and not unhealthy when it has a health check. No network: it asks the
// agent that runs the container, through the one agent resolver (agentFor).
import type { ContainerConfig } from "~/validation/monitors";
import type { Actor } from "../../auth/require.server";
import { agentFor } from "../../agents/registry.server";
import type { CheckOutcome } from "../state";

/** The scheduler acts for the organization, not for a user: agentFor only reads `orgId`. */
function systemActor(orgId: string): Actor {
  return { userId: "system:monitors", orgId, role: "viewer", email: "", name: "monitors", mfaEnabled: false, sessionId: "" };
}

export async function checkContainer(orgId: string, config: ContainerConfig): Promise<CheckOutcome> {
  const started = Date.now();
  let containers;
  try {
    const { agent } = await agentFor(systemActor(orgId), config.agentId);
    containers = await agent.listContainers({ all: true });
  } catch (error) {
    return { ok: false, cause: "container", message: `agent unavailable: ${error instanceof Error ? error.message : String(error)}`, latencyMs: null };
  }
  const wanted = config.containerName.replace(/^\//, "");
  const found = containers.find((c) => c.name.replace(/^\//, "") === wanted);
  const latencyMs = Date.now() - started;
  if (!found) return { ok: false, cause: "container", message: `no container named ${wanted}`, latencyMs };
  if (found.state !== "running") return { ok: false, cause: "container", message: `${wanted} is ${found.state}`, latencyMs };
  if (found.health === "unhealthy") return { ok: false, cause: "container", message: `${wanted} is unhealthy`, latencyMs };
  return { ok: true, message: found.health === "healthy" ? "running, healthy" : "running", latencyMs };
}
