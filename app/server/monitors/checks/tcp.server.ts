// TCP port check from the control plane: the host passes the alerts' SSRF policy (every address it
// resolves to) and the socket connects to exactly the checked address.
import { connect } from "node:net";
import type { TcpConfig } from "~/validation/monitors";
import { checkHost, resolveTarget, type AddressPolicy } from "../../alerts/safe-fetch.server";
import type { CheckOutcome } from "../state";

export async function checkTcp(config: TcpConfig, policy: AddressPolicy, timeoutMs = 10_000): Promise<CheckOutcome> {
  const checked = checkHost(config.host, config.port, policy);
  if (!checked.ok) return { ok: false, cause: "refused", message: `refused: ${checked.reason}`, latencyMs: null };
  let pinned;
  try {
    pinned = await resolveTarget(checked.target, policy);
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, cause: message.startsWith("refused") ? "refused" : "connection", message, latencyMs: null };
  }
  const started = Date.now();
  return new Promise<CheckOutcome>((resolve) => {
    const socket = connect({ host: pinned.address, port: config.port, family: pinned.family });
    const done = (outcome: CheckOutcome) => {
      clearTimeout(timer);
      socket.destroy();
      resolve(outcome);
    };
    const timer = setTimeout(() => done({ ok: false, cause: "timeout", message: `no connection within ${timeoutMs} ms`, latencyMs: timeoutMs }), timeoutMs);
    socket.once("connect", () => done({ ok: true, message: `port ${config.port} open`, latencyMs: Date.now() - started }));
    socket.once("error", (error: NodeJS.ErrnoException) => done({ ok: false, cause: "connection", message: `${config.host}:${config.port}: ${error.code ?? error.message}`, latencyMs: null }));
  });
}
