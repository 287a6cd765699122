// Pure parts of the DNS check (decisions 060, 141; shared by the control plane and agents): where the query goes (`server`: "host", "host:port",
// "[v6]:port"; port 53 by default) and whether the records answered match `expected`.
export const DNS_RECORD_TYPES = ["A", "AAAA", "CNAME", "MX", "TXT", "NS"] as const;
export type DnsRecordType = (typeof DNS_RECORD_TYPES)[number];

export function parseDnsServer(value: string): { host: string; port: number } | null {
  const v = value.trim();
  const bracketed = /^\[([0-9A-Fa-f:.]+)\](?::(\d{1,5}))?$/.exec(v);
  if (bracketed) return withPort(bracketed[1]!, bracketed[2]);
  if ((v.match(/:/g) ?? []).length > 1) return withPort(v, undefined); // a bare IPv6 address
  const [host, port] = v.split(":");
  if (!host) return null;
  return withPort(host, port);
}

function withPort(host: string, port: string | undefined): { host: string; port: number } | null {
  const n = port === undefined ? 53 : Number(port);
  if (!Number.isInteger(n) || n < 1 || n > 65535) return null;
  return { host, port: n };
}

/** One record as text: MX as "priority exchange", TXT as its chunks joined, names without the final dot. */
export function recordsAsText(type: DnsRecordType, answer: unknown[]): string[] {
  const name = (s: string) => s.replace(/\.$/, "").toLowerCase();
  switch (type) {
    case "MX":
      return (answer as { priority: number; exchange: string }[]).map((r) => `${r.priority} ${name(r.exchange)}`);
    case "TXT":
      return (answer as string[][]).map((chunks) => chunks.join(""));
    case "CNAME":
    case "NS":
      return (answer as string[]).map(name);
    default:
      return (answer as string[]).map((a) => a.toLowerCase());
  }
}

/**
 * Whether the answer is what the monitor expects: with no `expected`, any record; otherwise one
 * record equal to it (names compared without case or final dot; an MX may be given as the
 * exchange alone or as "priority exchange").
 */
export function matchDnsAnswer(type: DnsRecordType, records: string[], expected: string | null): { ok: boolean; message: string } {
  const shown = records.length > 3 ? `${records.slice(0, 3).join(", ")} (+${records.length - 3})` : records.join(", ");
  if (!records.length) return { ok: false, message: `no ${type} record` };
  if (expected === null || expected.trim() === "") return { ok: true, message: `${type} ${shown}` };
  const want = type === "TXT" ? expected : expected.trim().replace(/\.$/, "").toLowerCase();
  const found = records.some((r) => r === want || (type === "MX" && r.split(" ")[1] === want));
  return found ? { ok: true, message: `${type} ${shown}` } : { ok: false, message: `${type} ${shown}, expected ${expected}` };
}
