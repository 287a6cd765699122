// Live reachability of proxy upstreams for the Proxies list: a TCP connect with a short timeout,
// made by the agent (its probes), because what matters is whether its nginx reaches the upstream.
// Loopback and private addresses are allowed: these are the user's own upstreams, already in the
// host's configuration. Nothing is sent over the connection.
import type { Actor } from "../auth/require.server";
import { agentFor } from "../agents/registry.server";
import { listProxyHosts } from "./hosts.server";

export interface Reachability {
  id: string;
  reachable: boolean | null;
  message: string;
  ms: number | null;
}

export async function upstreamReachability(actor: Actor, agentId: string, timeoutMs = 1500): Promise<{ items: Reachability[] }> {
  const { items } = await listProxyHosts(actor, agentId);
  const { probes } = await agentFor(actor, agentId);
  const targets = items.flatMap((h) => (h.kind === "proxy" && h.upstream && "host" in h.upstream ? [{ id: h.id, host: h.upstream.host, port: h.upstream.port }] : []));
  const probed = targets.length > 0 ? await probes.tcp(targets.map(({ host, port }) => ({ host, port })), timeoutMs) : [];
  const byId = new Map(targets.map((t, i) => [t.id, probed[i]!]));
  const results = items.map((h): Reachability => {
    if (h.kind !== "proxy" || !h.upstream) return { id: h.id, reachable: null, message: "redirect", ms: null };
    const r = byId.get(h.id);
    if (!r) return { id: h.id, reachable: null, message: "container target", ms: null };
    return { id: h.id, reachable: r.ok, message: r.message, ms: r.ms };
  });
  return { items: results };
}
