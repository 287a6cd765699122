// Containers the proxy host form offers as targets: running ones with their TCP ports. Best
// effort: Docker being slow or down must not keep the Proxies page from loading (the form then
// simply offers no list).
import { can } from "~/permissions";
import type { Actor } from "../auth/require.server";
import { agentFor } from "../agents/registry.server";
import { logger } from "../logger.server";
import { withTimeout } from "../with-timeout";

export interface ContainerTarget {
  name: string;
  ports: { private: number; public: number | null; ip: string | null }[];
}

export async function containerTargets(actor: Actor, agentId: string, timeoutMs = 2000): Promise<ContainerTarget[]> {
  if (!can(actor.role, "read:container")) return [];
  try {
    const { agent } = await agentFor(actor, agentId);
    const list = await withTimeout(agent.listContainers({ all: false }), timeoutMs, () => {
      throw new Error(`no answer from Docker within ${timeoutMs} ms`);
    });
    return list
      .map((c) => ({ name: c.name, ports: c.ports.filter((p) => p.protocol === "tcp").map((p) => ({ private: p.private, public: p.public, ip: p.ip })) }))
      .filter((c) => c.ports.length > 0)
      .sort((a, b) => a.name.localeCompare(b.name));
  } catch (error) {
    logger.debug("container list for the proxy form failed", { error: error instanceof Error ? error.message : String(error) });
    return [];
  }
}
