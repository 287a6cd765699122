// Sends RFC 5424 lines to a syslog receiver (decision 146): UDP (RFC 5426, one datagram per
// message, no acknowledgement), TCP and TLS (RFC 6587/5425 octet-counting framing: "LEN SP MSG").
//
// Syslog has no application-level acknowledgement, so a TCP/TLS batch counts as delivered only
// when the receiver has read all of it: each batch goes over its own connection, we half-close
// it after the last byte and wait for the receiver to close its side — which it does only after
// reading up to our FIN. A receiver that dies mid-batch resets or never closes: the batch fails
// and is sent again (at least once). The destination passes the alert channels' address policy
// (ALERTS_ALLOW_PRIVATE, ALERTS_ALLOWED_HOSTS) and the socket connects to the checked address.
import dgram from "node:dgram";
import net from "node:net";
import tls from "node:tls";
import type { SyslogForwarderConfig } from "~/validation/audit";
import { DeliveryError, pinnedLookup, resolveHostAllowed, type AddressPolicy, policyFromEnv } from "../alerts/safe-fetch.server";

export interface SendOptions {
  policy?: AddressPolicy;
  /** Whole batch: connect, write, the receiver's close. */
  timeoutMs?: number;
}

/** Pure: RFC 6587 §3.4.1 octet counting (the length counts bytes of the UTF-8 message). */
export function octetCounted(lines: string[]): Buffer {
  return Buffer.concat(lines.map((line) => Buffer.from(`${Buffer.byteLength(line)} ${line}`)));
}

/** UDP datagrams over 64 KiB cannot be sent; receivers commonly accept far less (rsyslog: 8 KiB by default). */
const UDP_MAX_BYTES = 60_000;

export async function sendSyslog(config: SyslogForwarderConfig, lines: string[], options: SendOptions = {}): Promise<void> {
  if (lines.length === 0) return;
  const host = config.host.replace(/^\[(.*)\]$/, "$1");
  const pinned = await resolveHostAllowed(host, config.port, options.policy ?? policyFromEnv());
  const timeoutMs = options.timeoutMs ?? 15_000;
  if (config.protocol === "udp") return sendUdp(pinned.address, pinned.family, config.port, lines, timeoutMs);
  return sendStream(config, host, pinned, lines, timeoutMs);
}

async function sendUdp(address: string, family: 4 | 6, port: number, lines: string[], timeoutMs: number): Promise<void> {
  const socket = dgram.createSocket(family === 6 ? "udp6" : "udp4");
  const timer = setTimeout(() => socket.close(), timeoutMs);
  try {
    for (const line of lines) {
      let message = Buffer.from(line);
      if (message.length > UDP_MAX_BYTES) message = message.subarray(0, UDP_MAX_BYTES);
      await new Promise<void>((resolve, reject) =>
        socket.send(message, port, address, (error) => (error ? reject(new DeliveryError(`syslog over UDP to ${address}:${port} failed: ${error.message}`, true)) : resolve())),
      );
    }
  } finally {
    clearTimeout(timer);
    try {
      socket.close();
    } catch {
      // already closed by the timer
    }
  }
}

function sendStream(config: SyslogForwarderConfig, host: string, pinned: { address: string; family: 4 | 6 }, lines: string[], timeoutMs: number): Promise<void> {
  const where = `${config.host}:${config.port}`;
  const payload = octetCounted(lines);
  return new Promise<void>((resolve, reject) => {
    let settled = false;
    let wroteAll = false;
    let socket: net.Socket;
    const fail = (message: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      reject(new DeliveryError(message, true));
    };
    const timer = setTimeout(() => fail(`syslog over ${config.protocol.toUpperCase()} to ${where}: no answer within ${Math.round(timeoutMs / 1000)} s`), timeoutMs);
    const onConnect = () => {
      socket.end(payload, () => (wroteAll = true));
    };
    if (config.protocol === "tls") {
      socket = tls.connect({
        host,
        port: config.port,
        lookup: pinnedLookup(pinned),
        servername: net.isIP(host) ? undefined : host,
        ca: config.caCertPem?.trim() ? [config.caCertPem] : undefined,
        rejectUnauthorized: true,
      });
      socket.once("secureConnect", onConnect);
    } else {
      socket = net.connect({ host: pinned.address, port: config.port, family: pinned.family });
      socket.once("connect", onConnect);
    }
    socket.setNoDelay(true);
    socket.on("error", (error: NodeJS.ErrnoException) => fail(`syslog over ${config.protocol.toUpperCase()} to ${where} failed: ${error.code ? `${error.code} ` : ""}${error.message}`));
    // The receiver closes its side once it has read up to our FIN: everything arrived.
    socket.on("data", () => {}); // a receiver may answer (nothing to read); keep the stream flowing
    socket.on("close", (hadError) => {
      if (settled) return;
      if (hadError || !wroteAll) return fail(`syslog over ${config.protocol.toUpperCase()} to ${where}: the connection closed before the batch was sent`);
      settled = true;
      clearTimeout(timer);
      resolve();
    });
  });
}
