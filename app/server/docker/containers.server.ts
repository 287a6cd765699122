// Container verbs: list with fresh stats, inspect (secrets masked), start/stop/restart/remove,
// recent logs. Every verb checks the permission first, then that the agent is the actor's
// organization's (404 otherwise), then binds to the inspected immutable id — so nothing reaches
// Docker for a caller who may not act, and a name cannot be swapped under an action. InfraPilot's
// own deployment is never stopped, restarted or deleted from here (docs/decisions/050).
import type { Agent, ContainerDetail, ContainerStats, ContainerSummary, SelfContainers } from "#agent/types";
import type { Permission } from "~/permissions";
import { agentFor, agentOfflineMessage } from "../agents/registry.server";
import { audit } from "../audit/audit.server";
import { assertPermission, type Actor } from "../auth/require.server";
import { NotFoundError, SelfProtectedError, toAppError } from "../errors.server";
import { logger } from "../logger.server";
import { toLogLine, type LogLine } from "../logs/log-line";
import { maskArgv, maskEnv, maskInText, maskLabels, type MaskedEnvVar } from "./mask-secrets";
import { NO_SELF, selfProtectionReason, terminalRestriction } from "./protection";

export interface ContainerListItem {
  id: string;
  name: string;
  image: string;
  state: ContainerSummary["state"];
  status: string;
  createdAt: string;
  stack: string | null;
  service: string | null;
  ports: ContainerSummary["ports"];
  health: ContainerSummary["health"];
  cpuPercent: number | null;
  memoryBytes: number | null;
  memoryLimitBytes: number | null;
  networkRxBytes: number | null;
  networkTxBytes: number | null;
  /** Why InfraPilot refuses to stop, restart, delete or open a terminal in it; null when it does not. */
  protection: string | null;
}

export interface ContainerDetailDto extends Omit<ContainerDetail, "env"> {
  agentId: string;
  /** Values masked (API.md: "••••"; credentials inside other values masked in place). */
  env: MaskedEnvVar[];
  /** Fields that were masked, each revealable by an admin: `env:KEY`, `label:KEY`, `cmd`, `entrypoint`. */
  secrets: string[];
  /** The one field shown in clear in this answer (audited), or null. */
  revealed: string | null;
  protection: string | null;
  /** Why only a super admin may open a terminal here (Docker socket, privileged), or null. */
  terminalRestriction: string | null;
}

export type ContainerAction = "start" | "stop" | "restart";

const CONTAINER_REF = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,254}$/;

/** Ids and names only: anything else is not a container of ours (and never reaches the engine). */
export function checkContainerRef(ref: string): string {
  if (!CONTAINER_REF.test(ref)) throw new NotFoundError("No such container on this host.");
  return ref;
}

export function toListItem(summary: ContainerSummary, stats?: ContainerStats, self: SelfContainers = NO_SELF): ContainerListItem {
  return {
    id: summary.id,
    name: summary.name,
    image: summary.image,
    state: summary.state,
    status: summary.status,
    createdAt: summary.createdAt,
    stack: summary.stack,
    service: summary.service,
    ports: summary.ports,
    health: summary.health,
    cpuPercent: stats?.cpuPercent ?? null,
    memoryBytes: stats?.memoryBytes ?? null,
    memoryLimitBytes: stats?.memoryLimitBytes ?? null,
    networkRxBytes: stats?.networkRxBytes ?? null,
    networkTxBytes: stats?.networkTxBytes ?? null,
    protection: selfProtectionReason(summary, self),
  };
}

/** What the agent knows of its own deployment; an agent that cannot tell protects by label only. */
export async function selfContainersOf(agent: Agent): Promise<SelfContainers> {
  if (!agent.selfContainers) return NO_SELF;
  return agent.selfContainers().catch((error) => {
    logger.warn("could not tell InfraPilot's own containers", { error });
    return NO_SELF;
  });
}

/** A reveal target (`env:KEY`, `label:KEY`, `cmd`, `entrypoint`) split into its kind and key. */
function revealTarget(reveal: string | undefined): { kind: "env" | "label" | "cmd" | "entrypoint"; key: string } | null {
  if (!reveal) return null;
  if (reveal === "cmd" || reveal === "entrypoint") return { kind: reveal, key: "" };
  const [kind, ...rest] = reveal.split(":");
  return kind === "env" || kind === "label" ? { kind, key: rest.join(":") } : null;
}

/** The detail as anyone who may read it sees it: secrets masked, one field revealed when asked. */
export function toDetailDto(detail: ContainerDetail, agentId: string, self: SelfContainers, reveal: string | null = null): ContainerDetailDto {
  const target = revealTarget(reveal ?? undefined);
  const env = maskEnv(detail.env, target?.kind === "env" ? target.key : null);
  const labels = maskLabels(detail.config.labels, target?.kind === "label" ? target.key : null);
  const cmd = maskArgv(detail.config.cmd);
  const entrypoint = maskArgv(detail.config.entrypoint);
  const secrets = [
    ...env.filter((e) => e.secret).map((e) => `env:${e.key}`),
    ...labels.secretKeys.map((k) => `label:${k}`),
    ...(cmd.secret ? ["cmd"] : []),
    ...(entrypoint.secret ? ["entrypoint"] : []),
  ];
  const revealed = reveal && secrets.includes(reveal) ? reveal : null;
  return {
    ...detail,
    agentId,
    env,
    // A health check's output can echo the URL it probed, credentials included.
    health: detail.health && { ...detail.health, log: detail.health.log.map((entry) => ({ ...entry, output: maskInText(entry.output) })) },
    config: {
      ...detail.config,
      cmd: revealed === "cmd" ? detail.config.cmd : cmd.argv,
      entrypoint: revealed === "entrypoint" ? detail.config.entrypoint : entrypoint.argv,
      labels: labels.labels,
    },
    secrets,
    revealed,
    protection: selfProtectionReason({ id: detail.id, name: detail.name, labels: detail.config.labels, stack: detail.stack }, self),
    terminalRestriction: terminalRestriction(detail),
  };
}

/** Every container of the agent (running only unless `all`), with stats, sorted by stack and name. */
export async function listContainersWithStats(agent: Agent, options: { all?: boolean } = {}): Promise<ContainerListItem[]> {
  const [containers, self] = await Promise.all([agent.listContainers({ all: options.all ?? true }), selfContainersOf(agent)]);
  const running = containers.filter((c) => c.state === "running").map((c) => c.id);
  const stats = running.length
    ? await agent.stats(running).catch((error) => {
        logger.warn("container stats failed", { error });
        return [] as ContainerStats[];
      })
    : [];
  const byId = new Map(stats.map((s) => [s.id, s]));
  return containers
    .map((c) => toListItem(c, byId.get(c.id), self))
    .sort((a, b) => (a.stack ?? "\uffff").localeCompare(b.stack ?? "\uffff") || a.name.localeCompare(b.name));
}

export async function listContainers(
  actor: Actor,
  agentId: string,
  query: { all?: boolean; q?: string; stack?: string },
): Promise<{ items: ContainerListItem[]; nextCursor: null }> {
  assertPermission(actor, "read:container");
  const { agent } = await agentFor(actor, agentId);
  const text = query.q?.trim().toLowerCase();
  const items = (await listContainersWithStats(agent, { all: query.all ?? false })).filter(
    (c) => (!text || c.name.toLowerCase().includes(text) || c.image.toLowerCase().includes(text)) && (!query.stack || c.stack === query.stack),
  );
  return { items, nextCursor: null };
}

/**
 * One container; `reveal` (`env:KEY`, `label:KEY`, `cmd`, `entrypoint`) shows that one masked field
 * in clear, for admins, audited with the container and the field's name — never its value.
 */
export async function getContainer(actor: Actor, agentId: string, ref: string, options: { reveal?: string } = {}): Promise<ContainerDetailDto> {
  assertPermission(actor, "read:container");
  if (options.reveal) assertPermission(actor, "reveal:secret");
  const { agent } = await agentFor(actor, agentId);
  const [detail, self] = await Promise.all([agent.inspectContainer(checkContainerRef(ref)), selfContainersOf(agent)]);
  const dto = toDetailDto(detail, agentId, self, options.reveal ?? null);
  if (dto.revealed) {
    await audit({ ...auditActor(actor), action: "container.secrets.reveal", outcome: "success", targetType: "container", targetId: detail.id, details: { agentId, name: detail.name, field: dto.revealed } });
  }
  return dto;
}

const ACTION_PERMISSION: Record<ContainerAction | "remove", Permission> = {
  start: "operate:container",
  stop: "operate:container",
  restart: "operate:container",
  remove: "delete:container",
};

/** Start, stop or restart; answers the container as it is afterwards. */
export async function operateContainer(actor: Actor, agentId: string, ref: string, action: ContainerAction): Promise<ContainerDetailDto> {
  const { agent, id } = await bind(actor, agentId, ref, action);
  await audited(actor, agentId, id, `container.${action}`, () =>
    action === "start" ? agent.startContainer(id.id) : action === "stop" ? agent.stopContainer(id.id) : agent.restartContainer(id.id),
  );
  const [detail, self] = await Promise.all([agent.inspectContainer(id.id), selfContainersOf(agent)]);
  return toDetailDto(detail, agentId, self);
}

export async function removeContainer(actor: Actor, agentId: string, ref: string, options: { force?: boolean } = {}): Promise<void> {
  const { agent, id } = await bind(actor, agentId, ref, "remove");
  await audited(actor, agentId, id, "container.remove", () => agent.removeContainer(id.id, { force: options.force ?? false }), { force: Boolean(options.force) });
}

/** The last lines a container printed (no follow: the live tail is the socket's job). */
export async function containerLogs(
  actor: Actor,
  agentId: string,
  ref: string,
  query: { tail?: number; since?: string; until?: string },
): Promise<{ items: LogLine[]; nextCursor: null }> {
  assertPermission(actor, "read:logs");
  const { agent } = await agentFor(actor, agentId);
  const detail = await agent.inspectContainer(checkContainerRef(ref));
  const source = { agentId, containerId: detail.id, containerName: detail.name };
  const items: LogLine[] = [];
  const controller = new AbortController();
  const options = { tail: query.tail ?? 200, since: query.since, until: query.until, follow: false, timestamps: true };
  for await (const batch of agent.logs(detail.id, options, controller.signal)) {
    for (const entry of batch) items.push(toLogLine(entry, source));
  }
  return { items, nextCursor: null };
}

async function bind(actor: Actor, agentId: string, ref: string, action: ContainerAction | "remove") {
  assertPermission(actor, ACTION_PERMISSION[action]);
  const { agent } = await agentFor(actor, agentId);
  const detail = await agent.inspectContainer(checkContainerRef(ref));
  // Starting is harmless (InfraPilot starts its own nginx itself); anything that stops is not.
  if (action !== "start") await refuseSelf(actor, agentId, agent, detail, `container.${action}`);
  return { agent, id: { id: detail.id, name: detail.name } };
}

/** 409 self_protected for InfraPilot's own deployment, whoever asks; the refusal is audited. */
export async function refuseSelf(actor: Actor, agentId: string, agent: Agent, detail: ContainerDetail, action: string): Promise<void> {
  const reason = selfProtectionReason({ id: detail.id, name: detail.name, labels: detail.config.labels, stack: detail.stack }, await selfContainersOf(agent));
  if (!reason) return;
  await audit({ ...auditActor(actor), action, outcome: "denied", targetType: "container", targetId: detail.id, details: { agentId, name: detail.name, reason: "self_protected" } }).catch((error) =>
    logger.error("audit failed", { error }),
  );
  throw new SelfProtectedError(reason);
}

async function audited(actor: Actor, agentId: string, target: { id: string; name: string }, action: string, run: () => Promise<void>, extra: Record<string, unknown> = {}) {
  const details = { agentId, name: target.name, ...extra };
  try {
    await run();
  } catch (error) {
    const known = toAppError(error);
    await audit({ ...auditActor(actor), action, outcome: "failure", targetType: "container", targetId: target.id, details: { ...details, error: known?.message ?? "internal error" } }).catch(
      (e) => logger.error("audit failed", { error: e }),
    );
    throw error;
  }
  await audit({ ...auditActor(actor), action, outcome: "success", targetType: "container", targetId: target.id, details });
}

export function auditActor(actor: Actor) {
  return { orgId: actor.orgId, actorId: actor.userId, actorEmail: actor.email, ip: actor.ip ?? null, userAgent: actor.userAgent ?? null };
}

/**
 * The Containers page: the chosen agent's containers, or why they cannot be listed (its engine is
 * unreachable, or the agent is offline: `offline`, said at once instead of waiting).
 */
export async function containersOverview(
  actor: Actor,
  agentId: string,
): Promise<{ agentId: string; dockerHost: string | null; items: ContainerListItem[]; unreachable: string | null; offline: boolean }> {
  assertPermission(actor, "read:container");
  let host: Awaited<ReturnType<typeof agentFor>>;
  try {
    host = await agentFor(actor, agentId);
  } catch (error) {
    const offline = agentOfflineMessage(error);
    if (!offline) throw error;
    return { agentId, dockerHost: null, items: [], unreachable: offline, offline: true };
  }
  const { agent, facts } = host;
  const { dockerHost } = await facts();
  try {
    return { agentId, dockerHost, items: await listContainersWithStats(agent, { all: true }), unreachable: null, offline: false };
  } catch (error) {
    const known = toAppError(error);
    if (known?.code === "agent_offline") return { agentId, dockerHost, items: [], unreachable: known.message, offline: true };
    if (known?.code !== "docker_unreachable") throw error;
    return { agentId, dockerHost, items: [], unreachable: known.message, offline: false };
  }
}
