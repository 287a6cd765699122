// Ping check (decision 060). ICMP needs a raw socket (or the kernel's unprivileged ICMP sockets,
// net.ipv4.ping_group_range): the check runs the system's `ping` when it is installed and allowed
// to send, and otherwise connects to `port` over TCP. The result message says which was used, so a
// "ping" monitor never silently measures something else. The host passes the alerts' address
// policy and both ways go to the checked address.
import { execFile } from "node:child_process";
import { existsSync } from "node:fs";
import { isIP } from "node:net";
import type { PingConfig } from "~/validation/monitors";
import { resolveHostAllowed, type AddressPolicy } from "../../alerts/safe-fetch.server";
import type { CheckOutcome } from "../state";
import { icmpNotPermitted, parsePingTime } from "./ping";
import { checkTcp } from "./tcp.server";

const PING_PATHS = ["/usr/bin/ping", "/bin/ping", "/usr/sbin/ping", "/sbin/ping"];
/** Learned once per process: ping missing or refused a socket, so TCP it is. */
let icmpUnavailable: string | null = null;

export function findPing(paths = PING_PATHS): string | null {
  return paths.find((p) => existsSync(p)) ?? null;
}

export async function checkPing(config: PingConfig, policy: AddressPolicy, options: { timeoutMs?: number; pingBinary?: string | null } = {}): Promise<CheckOutcome> {
  const timeoutMs = options.timeoutMs ?? 5_000;
  let address: string;
  try {
    address = (await resolveHostAllowed(config.host, config.port, policy)).address;
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, cause: message.startsWith("refused") ? "refused" : "connection", message, latencyMs: null };
  }
  const binary = options.pingBinary === undefined ? findPing() : options.pingBinary;
  const why = !binary ? "no ping binary installed" : options.pingBinary === undefined ? icmpUnavailable : null;
  if (why) return viaTcp(config, address, policy, timeoutMs, why);

  const waitS = Math.max(1, Math.ceil(timeoutMs / 1000));
  const args = ["-n", "-c", "1", "-W", String(waitS), ...(isIP(address) === 6 ? ["-6"] : []), address];
  const run = await new Promise<{ code: number; output: string }>((resolve) =>
    execFile(binary!, args, { timeout: timeoutMs + 2_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
      resolve({ code, output: `${stdout}${stderr}${error && typeof error.code !== "number" ? ` ${error.message}` : ""}` });
    }),
  );
  if (run.code !== 0 && (icmpNotPermitted(run.output) || run.code === -1)) {
    const reason = icmpNotPermitted(run.output) ? "ICMP not permitted here" : `ping could not run (${run.output.trim().slice(0, 100)})`;
    if (options.pingBinary === undefined) icmpUnavailable = reason;
    return viaTcp(config, address, policy, timeoutMs, reason);
  }
  if (run.code === 0) {
    const latencyMs = parsePingTime(run.output) ?? 0;
    return { ok: true, message: `ICMP echo reply from ${address} in ${latencyMs} ms`, latencyMs };
  }
  return { ok: false, cause: "timeout", message: `no ICMP echo reply from ${address} within ${waitS} s`, latencyMs: timeoutMs };
}

async function viaTcp(config: PingConfig, address: string, policy: AddressPolicy, timeoutMs: number, why: string): Promise<CheckOutcome> {
  const outcome = await checkTcp({ host: address, port: config.port }, policy, timeoutMs);
  const how = `TCP connect to port ${config.port} (${why})`;
  return { ...outcome, message: outcome.ok ? `${how}: open in ${outcome.latencyMs} ms` : `${how}: ${outcome.message}` };
}
