// Pure: the client's address, believing X-Forwarded-For only from configured proxies.
import { BlockList, isIP } from "node:net";

export function trustedProxyList(entries: string[]): BlockList {
  const list = new BlockList();
  for (const entry of entries) {
    const [address, bits] = entry.split("/");
    const family = isIP(normalise(address!)) === 6 ? "ipv6" : "ipv4";
    if (!isIP(normalise(address!))) throw new Error(`TRUSTED_PROXIES: ${entry} is not an IP address or CIDR range`);
    if (bits !== undefined) list.addSubnet(normalise(address!), Number(bits), family);
    else list.addAddress(normalise(address!), family);
  }
  return list;
}

function normalise(address: string): string {
  return address.startsWith("::ffff:") && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
}

function isTrusted(list: BlockList, address: string): boolean {
  const a = normalise(address);
  const family = isIP(a);
  return family !== 0 && list.check(a, family === 6 ? "ipv6" : "ipv4");
}

/** Walks X-Forwarded-For from the right while hops are trusted proxies; the first untrusted hop is the client. */
export function clientIp(remoteAddress: string | undefined, forwardedFor: string | undefined, trusted: BlockList): string {
  let client = normalise(remoteAddress ?? "");
  if (!forwardedFor || !isTrusted(trusted, client)) return client;
  const hops = forwardedFor.split(",").map((h) => normalise(h.trim())).filter((h) => isIP(h));
  while (hops.length > 0) {
    client = hops.pop()!;
    if (!isTrusted(trusted, client)) break;
  }
  return client;
}

function isLoopback(address: string): boolean {
  return address === "::1" || (isIP(address) === 4 && address.startsWith("127."));
}

/**
 * Whether the request comes from this machine itself: its client (see clientIp) is a loopback
 * address. A loopback peer that forwards someone else's request (X-Forwarded-For) without being a
 * trusted proxy is a local reverse proxy left unconfigured: its clients are not local.
 */
export function isLocalRequest(remoteAddress: string | undefined, forwardedFor: string | undefined, trusted: BlockList): boolean {
  const remote = normalise(remoteAddress ?? "");
  if (forwardedFor !== undefined && !isTrusted(trusted, remote)) return false;
  return isLoopback(clientIp(remoteAddress, forwardedFor, trusted));
}
