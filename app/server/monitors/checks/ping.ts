// Pure part of the ping check: the round-trip time in `ping`'s output, and whether a failed run
// means "not allowed to send ICMP here" (no raw/ICMP socket permission) rather than "no reply".
export function parsePingTime(output: string): number | null {
  const m = /time[=<]\s*([\d.]+)\s*ms/.exec(output);
  return m ? Math.max(0, Math.round(Number(m[1]))) : null;
}

export function icmpNotPermitted(output: string): boolean {
  return /operation not permitted|permission denied|socket: .*not permitted|cap_net_raw/i.test(output);
}
