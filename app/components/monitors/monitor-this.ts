// "Monitor this" from a proxy host (the Monitors page's form pre-filled with the host's public URL)
// or from a container (a container monitor of its running/health state, on its agent).
// Pure and shared (the proxies page links with it; tests check it).

export function publicUrlOfHost(host: { domains: string[]; tls: { mode: string } }): string | null {
  const domain = host.domains.find((d) => !d.includes("*"));
  if (!domain) return null;
  return `${host.tls.mode === "none" ? "http" : "https"}://${domain}/`;
}

export function monitorThisHref(host: { domains: string[]; tls: { mode: string } }): string | null {
  const url = publicUrlOfHost(host);
  if (!url) return null;
  const params = new URLSearchParams({ new: "http", url, name: host.domains.find((d) => !d.includes("*")) ?? "" });
  return `/monitors?${params.toString()}#monitor-form`;
}

/** A container monitor of this container (running, and not unhealthy) on its own agent. */
export function monitorContainerHref(container: { agentId: string; name: string }): string {
  const name = container.name.replace(/^\//, "");
  const params = new URLSearchParams({ new: "container", name, container: name, agent: container.agentId });
  return `/monitors?${params.toString()}#monitor-form`;
}
