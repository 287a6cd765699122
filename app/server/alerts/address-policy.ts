// Pure SSRF checks for alert deliveries: which URLs and addresses an outgoing notification may
// reach. No I/O here; safe-fetch.server.ts resolves names and pins connections to what passed.
//
// Addresses are parsed to bytes first, so every spelling of one address gets one answer:
// `0x7f000001`, `2130706433`, `0177.0.0.1`, `127.1`, `::ffff:127.0.0.1`, `::ffff:7f00:1`,
// `64:ff9b::7f00:1` (NAT64) and `2002:7f00:1::` (6to4) are all 127.0.0.1.

export type AddressClass =
  | "public"
  | "private"
  | "loopback"
  | "link-local"
  | "metadata"
  | "unspecified"
  | "multicast"
  | "reserved";

export interface AddressPolicy {
  /** ALERTS_ALLOW_PRIVATE: private-network targets (ntfy/Gotify on the LAN) are allowed. */
  allowPrivate: boolean;
  /** ALERTS_ALLOWED_HOSTS: `host[:port]` entries allowed whatever they resolve to. */
  allowedHosts: readonly string[];
}

export type Verdict = { ok: true } | { ok: false; reason: string };

/** Parses IPv4 in every form inet_aton accepts (1–4 parts, decimal, 0x hex, 0 octal) to 4 bytes. */
export function parseIPv4(text: string): number[] | null {
  const parts = text.split(".");
  if (parts.length < 1 || parts.length > 4 || parts.some((p) => p === "")) return null;
  const values: number[] = [];
  for (const part of parts) {
    let value: number;
    if (/^0x[0-9a-f]*$/i.test(part)) value = part.length === 2 ? 0 : parseInt(part.slice(2), 16);
    else if (/^0[0-7]+$/.test(part)) value = parseInt(part.slice(1), 8);
    else if (/^(0|[1-9][0-9]*)$/.test(part)) value = parseInt(part, 10);
    else return null;
    if (!Number.isSafeInteger(value)) return null;
    values.push(value);
  }
  const last = values.pop()!;
  if (values.some((v) => v > 255)) return null;
  const lastBytes = 4 - values.length;
  if (last >= 2 ** (8 * lastBytes)) return null;
  const bytes = [...values];
  for (let i = lastBytes - 1; i >= 0; i--) bytes.push(Math.floor(last / 2 ** (8 * i)) % 256);
  return bytes;
}

/** Parses an IPv6 literal (with or without brackets, optional zone, optional dotted tail) to 16 bytes. */
export function parseIPv6(text: string): number[] | null {
  let s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  s = s.replace(/%.*$/, "");
  if (!s.includes(":")) return null;
  let tail: number[] = [];
  const lastColon = s.lastIndexOf(":");
  const maybeV4 = s.slice(lastColon + 1);
  if (maybeV4.includes(".")) {
    const v4 = /^\d{1,3}(\.\d{1,3}){3}$/.test(maybeV4) ? parseIPv4(maybeV4) : null;
    if (!v4) return null;
    tail = v4;
    s = s.slice(0, lastColon + 1) + "0:0";
  }
  const halves = s.split("::");
  if (halves.length > 2) return null;
  const group = (h: string) => (h === "" ? [] : h.split(":"));
  const head = group(halves[0]!);
  const rest = halves.length === 2 ? group(halves[1]!) : [];
  const groups = halves.length === 2 ? [...head, ...Array(8 - head.length - rest.length).fill("0"), ...rest] : head;
  if (groups.length !== 8 || (halves.length === 2 && head.length + rest.length > 7)) return null;
  const bytes: number[] = [];
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return null;
    const v = parseInt(g, 16);
    bytes.push(v >> 8, v & 0xff);
  }
  if (tail.length) bytes.splice(12, 4, ...tail);
  return bytes;
}

/** A canonical textual address (IPv4 dotted, IPv6 compressed-free lowercase) or null if not an IP. */
export function canonicalIp(text: string): { address: string; family: 4 | 6; bytes: number[] } | null {
  const v6 = parseIPv6(text);
  if (v6) return { address: formatIPv6(v6), family: 6, bytes: v6 };
  const v4 = parseIPv4(text);
  if (v4) return { address: v4.join("."), family: 4, bytes: v4 };
  return null;
}

function formatIPv6(bytes: number[]): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(((bytes[i]! << 8) | bytes[i + 1]!).toString(16));
  return groups.join(":");
}

const inV4 = (b: number[], prefix: number[], bits: number) => {
  for (let i = 0; i < bits; i++) {
    const byte = i >> 3;
    const mask = 0x80 >> (i & 7);
    if ((b[byte]! & mask) !== (prefix[byte]! & mask)) return false;
  }
  return true;
};

function classifyV4(b: number[]): AddressClass {
  const [a, c] = [b[0]!, b[1]!];
  if (b.join(".") === "169.254.169.254" || b.join(".") === "169.254.170.2" || b.join(".") === "100.100.100.200") return "metadata";
  if (a === 0) return "unspecified";
  if (a === 127) return "loopback";
  if (a === 169 && c === 254) return "link-local";
  if (a >= 224 && a <= 239) return "multicast";
  if (a >= 240) return "reserved";
  if (a === 10 || (a === 172 && c >= 16 && c <= 31) || (a === 192 && c === 168)) return "private";
  if (inV4(b, [100, 64, 0, 0], 10) || inV4(b, [198, 18, 0, 0], 15)) return "private";
  if (inV4(b, [192, 0, 0, 0], 24) || inV4(b, [192, 0, 2, 0], 24) || inV4(b, [198, 51, 100, 0], 24) || inV4(b, [203, 0, 113, 0], 24)) return "reserved";
  return "public";
}

/** What kind of address this is; IPv6 forms that embed an IPv4 address are judged by it. */
export function classifyAddress(bytes: number[]): AddressClass {
  if (bytes.length === 4) return classifyV4(bytes);
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((x) => x === 0);
  const v4 = bytes.slice(12, 16);
  if (zeros(0, 16)) return "unspecified";
  if (zeros(0, 15) && bytes[15] === 1) return "loopback";
  // ::ffff:a.b.c.d (mapped), ::a.b.c.d (compatible), 64:ff9b::a.b.c.d (NAT64)
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return classifyV4(v4);
  if (zeros(0, 12)) return classifyV4(v4);
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) return classifyV4(v4);
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return classifyV4(bytes.slice(2, 6)); // 6to4
  if (formatIPv6(bytes) === "fd00:ec2:0:0:0:0:0:254") return "metadata";
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0x80) return "link-local";
  if (bytes[0] === 0xff) return "multicast";
  if ((bytes[0]! & 0xfe) === 0xfc) return "private"; // fc00::/7 unique local
  if (bytes[0] === 0xfe && (bytes[1]! & 0xc0) === 0xc0) return "private"; // fec0::/10 site-local (deprecated)
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] === 0x0d && bytes[3] === 0xb8) return "reserved"; // documentation
  return "public";
}

const CLASS_TEXT: Record<AddressClass, string> = {
  public: "a public address",
  private: "a private-network address (set ALERTS_ALLOW_PRIVATE=true to allow those, or list this host in ALERTS_ALLOWED_HOSTS, and restart)",
  loopback: "a loopback address (to allow this host, list it in ALERTS_ALLOWED_HOSTS, e.g. ALERTS_ALLOWED_HOSTS=localhost:8080, and restart)",
  "link-local": "a link-local address",
  metadata: "a cloud metadata address",
  unspecified: "an unspecified address",
  multicast: "a multicast address",
  reserved: "a reserved address",
};

/** Whether a resolved address may be connected to. */
export function checkAddress(address: string, policy: Pick<AddressPolicy, "allowPrivate">): Verdict {
  const ip = canonicalIp(address);
  if (!ip) return { ok: false, reason: `${address} is not an IP address` };
  const kind = classifyAddress(ip.bytes);
  if (kind === "public" || (kind === "private" && policy.allowPrivate)) return { ok: true };
  return { ok: false, reason: `${address} is ${CLASS_TEXT[kind]}` };
}

/** The host part of a URL host or `host[:port]`, lowercase, brackets removed, an IP canonicalised. */
export function normalizeHost(host: string): string {
  const bare = host.trim().toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  return canonicalIp(bare)?.address ?? bare;
}

/** Splits an ALERTS_ALLOWED_HOSTS entry (`host`, `host:port`, `[v6]:port`). */
export function parseAllowEntry(entry: string): { host: string; port: number | null } | null {
  const m = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry.trim()) ?? /^([^:\s]+)(?::(\d+))?$/.exec(entry.trim());
  if (!m) {
    // A bare IPv6 address without brackets and without a port.
    return parseIPv6(entry.trim()) ? { host: normalizeHost(entry), port: null } : null;
  }
  return { host: normalizeHost(m[1]!), port: m[2] ? Number(m[2]) : null };
}

/** Whether host:port is on the allowlist (by the name as written: `localhost` ≠ `127.0.0.1`). */
export function isAllowlisted(host: string, port: number, allowedHosts: readonly string[]): boolean {
  const h = normalizeHost(host);
  return allowedHosts.some((entry) => {
    const e = parseAllowEntry(entry);
    return !!e && e.host === h && (e.port === null || e.port === port);
  });
}

export interface Target {
  /** Host as written (for Host/SNI), lowercase, no brackets. */
  host: string;
  port: number;
  /** Set when the host is an IP literal (in any spelling). */
  ip: { address: string; family: 4 | 6 } | null;
  allowlisted: boolean;
}

/**
 * First stage, before any DNS: the URL is http(s), has no credentials, and a literal IP in it is
 * allowed. A hostname still has to pass `checkAddress` for every address it resolves to.
 */
export function checkUrl(raw: string, policy: AddressPolicy): { ok: true; url: URL; target: Target } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "not a valid URL" };
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return { ok: false, reason: `${url.protocol} URLs are not allowed: use http or https` };
  if (url.username || url.password) return { ok: false, reason: "credentials in the URL are not allowed: use the channel's secret fields" };
  const port = url.port ? Number(url.port) : url.protocol === "https:" ? 443 : 80;
  return checkHostPort(url.hostname, port, policy, (target) => ({ ok: true as const, url, target }));
}

/** The same check for a bare host and port (SMTP). */
export function checkHost(host: string, port: number, policy: AddressPolicy): { ok: true; target: Target } | { ok: false; reason: string } {
  if (!host || /[\s/\\@?#]/.test(host)) return { ok: false, reason: "not a valid host name" };
  return checkHostPort(host, port, policy, (target) => ({ ok: true as const, target }));
}

function checkHostPort<T>(rawHost: string, port: number, policy: AddressPolicy, done: (target: Target) => T): T | { ok: false; reason: string } {
  const host = rawHost.toLowerCase().replace(/^\[(.*)\]$/, "$1").replace(/\.$/, "");
  if (!host) return { ok: false, reason: "the URL has no host" };
  const literal = canonicalIp(host);
  // A host that looks numeric but is not a valid address (`0x7g`, `1.2.3.999`) is refused rather
  // than handed to a resolver that might read it differently.
  if (!literal && /^[0-9.x]+$/i.test(host)) return { ok: false, reason: `${host} is not a valid address` };
  const allowlisted = isAllowlisted(host, port, policy.allowedHosts);
  if (literal && !allowlisted) {
    const verdict = checkAddress(literal.address, policy);
    if (!verdict.ok) return verdict;
  }
  return done({ host, port, ip: literal ? { address: literal.address, family: literal.family } : null, allowlisted });
}

/** E-mail addresses and header values: CR/LF (header injection) and control characters refused. */
export function hasHeaderInjection(value: string): boolean {
  // eslint-disable-next-line no-control-regex
  return /[\r\n\u0000-\u001f\u007f]/.test(value);
}
