// Live reachability of proxy upstreams for the Proxies list: a TCP connect with a short timeout.
// Loopback and private addresses are allowed: these are the user's own upstreams, already in the
// host's configuration. Nothing is sent over the connection.
import { connect } from "node:net";
import type { Actor } from "../auth/require.server";
import { listProxyHosts } from "./hosts.server";

export interface Reachability {
  id: string;
  reachable: boolean | null;
  message: string;
  ms: number | null;
}

function probe(host: string, port: number, timeoutMs: number): Promise<{ ok: boolean; message: string; ms: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const socket = connect({ host, port, timeout: timeoutMs });
    const done = (ok: boolean, message: string) => {
      socket.destroy();
      resolve({ ok, message, ms: Math.round(performance.now() - t0) });
    };
    socket.once("connect", () => done(true, "reachable"));
    socket.once("timeout", () => done(false, `no answer within ${timeoutMs} ms`));
    socket.once("error", (e: NodeJS.ErrnoException) => done(false, e.code === "ECONNREFUSED" ? "connection refused" : e.code === "ENOTFOUND" ? "name does not resolve" : (e.code ?? e.message)));
  });
}

export async function upstreamReachability(actor: Actor, agentId: string, timeoutMs = 1500): Promise<{ items: Reachability[] }> {
  const { items } = await listProxyHosts(actor, agentId);
  const results = await Promise.all(
    items.map(async (h): Promise<Reachability> => {
      if (h.kind !== "proxy" || !h.upstream) return { id: h.id, reachable: null, message: "redirect", ms: null };
      if (!("host" in h.upstream)) return { id: h.id, reachable: null, message: "container target", ms: null };
      const r = await probe(h.upstream.host, h.upstream.port, timeoutMs);
      return { id: h.id, reachable: r.ok, message: r.message, ms: r.ms };
    }),
  );
  return { items: results };
}
