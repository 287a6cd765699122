// The `/agent` namespace: where remote agents (agent/main.ts) dial in. A connection proves the
// agent's identity before anything else: the control plane sends a fresh random nonce, the agent
// answers with its id and an Ed25519 signature of the nonce under the key it enrolled with. Then
// the connection carries RPC (agent/remote/remote-agent.ts) and a heartbeat that keeps the row's
// status, last-seen time, latency and version true. See docs/decisions/080-remote-agent-protocol.md.
import { randomBytes, verify } from "node:crypto";
import type { Namespace, Server, Socket } from "socket.io";
import { z } from "zod";
import { AGENT_NAMESPACE, authMessage, HEARTBEAT_MS, PROTOCOL_VERSION, SUSPENDED_REASON, SUSPENSION_EVENT, type AuthReply, type SuspensionFrame } from "#agent/remote/protocol";
import { audit } from "../audit/audit.server";
import { systemDb, withOrg } from "../db/client.server";
import { edition } from "../edition.server";
import { logger } from "../logger.server";
import { hasFeature } from "~/features";
import { liveAgents, remoteAgentFor, type LiveAgentConnection } from "./connections.server";
import { ingestAgentLogBatch, resumeAgentLogs } from "../logs/agent-log-ingest.server";
import { startRemoteAlertEngine } from "../alerts/engine.server";

const AUTH_TIMEOUT_MS = 10_000;

const authFrame = z.object({
  agentId: z.string().regex(/^[0-9a-f-]{36}$/i),
  signature: z.string().min(40).max(200),
  hello: z.object({
    version: z.string().max(40),
    hostname: z.string().max(253),
    facts: z.object({
      dockerHost: z.string().max(300),
      nginx: z.object({
        mode: z.enum(["local", "container", "off"]),
        listenAddress: z.string().max(100),
        httpPort: z.number().int().min(0).max(65535),
        httpsPort: z.number().int().min(0).max(65535),
        resolver: z.string().max(100),
        user: z.string().max(64).nullable(),
      }),
    }),
  }),
});

export function attachAgentNamespace(io: Server): Namespace {
  const ns = io.of(AGENT_NAMESPACE);
  ns.on("connection", (socket) => {
    if (!hasFeature(edition(), "remoteAgents")) {
      socket.disconnect(true);
      return;
    }
    const nonce = randomBytes(32).toString("base64url");
    const timer = setTimeout(() => refuse(socket, "timeout", "No proof of identity within 10 s."), AUTH_TIMEOUT_MS);
    socket.once("auth", (frame: unknown, ack: unknown) => {
      clearTimeout(timer);
      const reply = typeof ack === "function" ? (ack as (r: AuthReply) => void) : () => {};
      authenticate(socket, nonce, frame).then(
        (result) => {
          reply(result);
          if (!result.ok) setTimeout(() => socket.disconnect(true), 50);
        },
        (error) => {
          logger.error("agent authentication failed", { error });
          socket.disconnect(true);
        },
      );
    });
    socket.emit("challenge", { nonce, protocol: PROTOCOL_VERSION });
  });
  // At boot no socket is held here: rows still marked online are from a stopped control plane.
  systemDb()
    .$queryRaw`SELECT remote_agents_all_offline()`.catch((error) => logger.warn("could not reset remote agent status", { error }));
  return ns;
}

function refuse(socket: Socket, code: Extract<AuthReply, { ok: false }>["code"], message: string): void {
  socket.emit("refused", { code, message });
  setTimeout(() => socket.disconnect(true), 50);
}

async function authenticate(socket: Socket, nonce: string, frame: unknown): Promise<AuthReply> {
  const parsed = authFrame.safeParse(frame);
  if (!parsed.success) return { ok: false, code: "bad_frame", message: "Malformed proof of identity." };
  const { agentId, signature, hello } = parsed.data;
  const ip = socket.handshake.address;
  const found = await systemDb().$queryRaw<{ org: string | null }[]>`SELECT remote_agent_org(${agentId}) AS org`;
  const orgId = found[0]?.org;
  if (!orgId) {
    logger.warn("agent connection refused: unknown agent", { agentId, ip });
    return { ok: false, code: "unknown_agent", message: "This control plane has no such agent: its credentials are gone." };
  }
  const row = await withOrg(orgId, (tx) => tx.agent.findFirst({ where: { id: agentId, orgId, kind: "remote" }, select: { id: true, name: true, publicKey: true, revokedAt: true } }));
  if (!row?.publicKey) return { ok: false, code: "unknown_agent", message: "This control plane has no such agent: its credentials are gone." };
  if (row.revokedAt) {
    logger.warn("agent connection refused: revoked", { agentId, ip });
    return { ok: false, code: "revoked", message: "This agent was deleted or revoked by an administrator." };
  }
  let valid = false;
  try {
    valid = verify(null, authMessage(agentId, nonce), row.publicKey, Buffer.from(signature, "base64"));
  } catch {
    valid = false;
  }
  if (!valid) {
    logger.warn("agent connection refused: bad signature", { agentId, ip });
    await audit({ orgId, action: "agent.connect", outcome: "failure", targetType: "agent", targetId: agentId, ip, details: { reason: "bad_signature" } });
    return { ok: false, code: "bad_signature", message: "The signature does not prove this agent's key for this connection." };
  }
  // A suspended organization's agent is told at connect time, in this reply (decision 125).
  const org = await withOrg(orgId, (tx) => tx.organization.findUnique({ where: { id: orgId }, select: { suspendedAt: true } }));
  const paused = Boolean(org?.suspendedAt);
  register(socket, { agentId, orgId, name: row.name, hello, paused });
  await withOrg(orgId, (tx) =>
    tx.agent.update({
      where: { id: agentId },
      data: { status: "online", lastSeenAt: new Date(), version: hello.version, hostname: hello.hostname, facts: hello.facts as object },
    }),
  );
  logger.info("agent connected", { agentId, name: row.name, version: hello.version, ip, ...(paused ? { paused: true } : {}) });
  // The engine's and nginx's versions, for the list (not awaited: the agent answers after the ack).
  const live = liveAgents().get(agentId);
  setTimeout(() => {
    live?.remote
      .info()
      .then((info) => withOrg(orgId, (tx) => tx.agent.updateMany({ where: { id: agentId }, data: { dockerVersion: info.dockerVersion, nginxVersion: info.nginxVersion } })))
      .catch((error) => logger.warn("could not read the agent's engine version", { agentId, error: error instanceof Error ? error.message : String(error) }));
  }, 100).unref();
  return { ok: true, agentId, name: row.name, paused: paused ? { reason: SUSPENDED_REASON } : null };
}

function register(socket: Socket, who: { agentId: string; orgId: string; name: string; hello: z.infer<typeof authFrame>["hello"]; paused: boolean }): void {
  const { agentId, orgId } = who;
  const connections = liveAgents();
  // A newer connection of the same agent wins (the old one is a half-dead TCP connection).
  connections.get(agentId)?.close();
  const remote = remoteAgentFor(agentId, who.name, (reason) => logger.warn("agent frame dropped", { agentId, reason }));
  remote.attach(socket, who.name);
  remote.setPaused(who.paused ? SUSPENDED_REASON : null);
  let revoked = false;
  // Alert rules on the node's containers (decision 160): one engine per live connection.
  let stopAlerts: (() => void) | null = startRemoteAlertEngine(orgId, remote);
  const endAlerts = () => {
    stopAlerts?.();
    stopAlerts = null;
  };
  const connection: LiveAgentConnection = {
    agentId,
    orgId,
    name: who.name,
    remote,
    facts: who.hello.facts,
    connectedAt: new Date(),
    revoke(reason) {
      if (revoked) return;
      revoked = true;
      socket.emit("revoked", { reason });
      setTimeout(() => socket.disconnect(true), 50);
      endAlerts();
      remote.disconnected(socket, reason);
      if (connections.get(agentId) === connection) connections.delete(agentId);
    },
    close() {
      endAlerts();
      remote.disconnected(socket, "replaced by a newer connection");
      if (connections.get(agentId) === connection) connections.delete(agentId);
      socket.disconnect(true);
    },
    setPaused(paused) {
      // This side refuses first (defence in depth), then the node is told.
      remote.setPaused(paused ? SUSPENDED_REASON : null);
      socket.emit(SUSPENSION_EVENT, (paused ? { paused, reason: SUSPENDED_REASON } : { paused }) satisfies SuspensionFrame);
    },
  };
  connections.set(agentId, connection);
  socket.on("flow:data", (frame: unknown) => remote.receiveData(frame, socket));
  socket.on("flow:end", (frame: unknown) => remote.receiveEnd(frame, socket));
  // Logs from the node (decision 135): acknowledged once committed, duplicates by (agent, seq) dropped.
  socket.on("logs:resume", (_frame: unknown, ack: unknown) => {
    if (typeof ack === "function") void resumeAgentLogs({ agentId, orgId }).then((r) => ack(r));
  });
  socket.on("logs:batch", (frame: unknown, ack: unknown) => {
    if (typeof ack === "function") void ingestAgentLogBatch({ agentId, orgId }, frame).then((r) => ack(r));
  });

  let missed = 0;
  const heartbeat = setInterval(async () => {
    const t0 = performance.now();
    try {
      await socket.timeout(HEARTBEAT_MS / 2).emitWithAck("hb", { t: Date.now() });
      missed = 0;
      const latencyMs = Math.round(performance.now() - t0);
      const updated = await withOrg(orgId, (tx) => tx.agent.updateMany({ where: { id: agentId, revokedAt: null }, data: { status: "online", lastSeenAt: new Date(), latencyMs } }));
      if (updated.count === 0 && connections.get(agentId) === connection) {
        socket.emit("refused", { code: "unknown_agent", message: "This control plane has no such agent any more: its credentials are gone." });
        setTimeout(() => socket.disconnect(true), 50);
      }
    } catch (error) {
      if (!socket.connected) return;
      if (++missed >= 2) {
        logger.warn("agent stopped answering heartbeats; closing its connection", { agentId });
        socket.disconnect(true);
      } else if (!(error instanceof Error && /timed out|timeout/i.test(error.message))) {
        logger.warn("agent heartbeat failed", { agentId, error });
      }
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  socket.on("disconnect", (reason) => {
    clearInterval(heartbeat);
    endAlerts();
    remote.disconnected(socket, String(reason));
    if (connections.get(agentId) !== connection) return;
    connections.delete(agentId);
    logger.info("agent disconnected", { agentId, reason });
    withOrg(orgId, (tx) => tx.agent.updateMany({ where: { id: agentId }, data: { status: "offline" } })).catch((error) => logger.warn("could not mark agent offline", { agentId, error }));
  });
}
