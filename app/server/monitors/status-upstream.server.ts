// Where the built-in agent's nginx reaches this server for status pages on custom domains
// (decision 140); its own module so the apply pipeline imports nothing else of monitors.
import { env } from "../env.server";

/** How nginx reaches the control plane: STATUS_PAGES_UPSTREAM, else loopback on this server's port. */
export function statusPagesUpstream(): { host: string; port: number } {
  const e = env();
  if (e.STATUS_PAGES_UPSTREAM) {
    const u = new URL(e.STATUS_PAGES_UPSTREAM);
    return { host: u.hostname.replace(/^\[(.*)\]$/, "$1"), port: Number(u.port || 80) };
  }
  return { host: "127.0.0.1", port: e.PORT };
}

