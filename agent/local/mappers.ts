// Engine JSON → the agent's DTOs. Pure functions.
import type {
  ContainerDetail,
  ContainerEvent,
  ContainerState,
  ContainerSummary,
  EnvVar,
  HealthStatus,
  PortMapping,
} from "../types";
import type { RawContainerInspect, RawContainerSummary, RawEvent, RawHealth, RawPort } from "./raw-types";

export const COMPOSE_PROJECT_LABEL = "com.docker.compose.project";
export const COMPOSE_SERVICE_LABEL = "com.docker.compose.service";

const STATES: readonly ContainerState[] = ["created", "running", "paused", "restarting", "removing", "exited", "dead"];

export function toContainerState(value: string | undefined): ContainerState {
  const state = (value ?? "").toLowerCase() as ContainerState;
  return STATES.includes(state) ? state : "dead";
}

export function toHealthStatus(value: string | undefined | null): HealthStatus {
  switch ((value ?? "").toLowerCase()) {
    case "healthy":
      return "healthy";
    case "unhealthy":
      return "unhealthy";
    case "starting":
      return "starting";
    default:
      return "none";
  }
}

/** The list endpoint has no health field; it is only in the status text. */
export function healthFromStatusText(status: string | undefined): HealthStatus {
  const match = /\((healthy|unhealthy|health: starting)\)/i.exec(status ?? "");
  if (!match) return "none";
  return match[1].toLowerCase() === "health: starting" ? "starting" : toHealthStatus(match[1]);
}

function toProtocol(value: string | undefined): PortMapping["protocol"] {
  return value === "udp" || value === "sctp" ? value : "tcp";
}

function nullIfEmpty(value: string | undefined | null): string | null {
  return value ? value : null;
}

export function toPortMappings(ports: RawPort[] | undefined): PortMapping[] {
  const seen = new Set<string>();
  const result: PortMapping[] = [];
  for (const port of ports ?? []) {
    const mapping: PortMapping = {
      private: port.PrivatePort,
      public: port.PublicPort ?? null,
      protocol: toProtocol(port.Type),
      ip: nullIfEmpty(port.IP),
    };
    const key = `${mapping.ip}|${mapping.public}|${mapping.private}|${mapping.protocol}`;
    if (seen.has(key)) continue;
    seen.add(key);
    result.push(mapping);
  }
  return result.sort((a, b) => a.private - b.private || (a.public ?? 0) - (b.public ?? 0));
}

function trimName(name: string | undefined): string {
  return (name ?? "").replace(/^\//, "");
}

export function toContainerSummary(raw: RawContainerSummary): ContainerSummary {
  const labels = raw.Labels ?? {};
  return {
    id: raw.Id,
    name: trimName(raw.Names?.[0]),
    image: raw.Image ?? "",
    imageId: raw.ImageID ?? "",
    command: raw.Command ?? "",
    state: toContainerState(raw.State),
    status: raw.Status ?? "",
    createdAt: new Date((raw.Created ?? 0) * 1000).toISOString(),
    labels,
    stack: labels[COMPOSE_PROJECT_LABEL] ?? null,
    service: labels[COMPOSE_SERVICE_LABEL] ?? null,
    ports: toPortMappings(raw.Ports),
    health: healthFromStatusText(raw.Status),
  };
}

export function parseEnv(env: string[] | null | undefined): EnvVar[] {
  return (env ?? []).map((entry) => {
    const index = entry.indexOf("=");
    return index === -1 ? { key: entry, value: "" } : { key: entry.slice(0, index), value: entry.slice(index + 1) };
  });
}

/** Docker reports never-set times as "0001-01-01T00:00:00Z". */
function engineTime(value: string | undefined): string | null {
  if (!value || value.startsWith("0001-01-01")) return null;
  const time = new Date(value);
  return Number.isNaN(time.getTime()) ? null : time.toISOString();
}

function toArgv(value: string[] | string | null | undefined): string[] | null {
  if (value === null || value === undefined) return null;
  return Array.isArray(value) ? value : [value];
}

function toHealth(raw: RawHealth | null | undefined): ContainerDetail["health"] {
  if (!raw) return null;
  return {
    status: toHealthStatus(raw.Status),
    failingStreak: raw.FailingStreak ?? 0,
    log: (raw.Log ?? []).map((entry) => ({
      start: engineTime(entry.Start) ?? "",
      end: engineTime(entry.End) ?? "",
      exitCode: entry.ExitCode ?? -1,
      output: entry.Output ?? "",
    })),
  };
}

function inspectPorts(raw: RawContainerInspect): PortMapping[] {
  const ports: RawPort[] = [];
  for (const [spec, bindings] of Object.entries(raw.NetworkSettings?.Ports ?? {})) {
    const [privatePort, protocol] = spec.split("/");
    if (!bindings || bindings.length === 0) {
      ports.push({ PrivatePort: Number(privatePort), Type: protocol });
      continue;
    }
    for (const binding of bindings) {
      ports.push({
        PrivatePort: Number(privatePort),
        PublicPort: binding.HostPort ? Number(binding.HostPort) : undefined,
        IP: binding.HostIp,
        Type: protocol,
      });
    }
  }
  return toPortMappings(ports);
}

export function toContainerDetail(raw: RawContainerInspect): ContainerDetail {
  const state = raw.State ?? {};
  const config = raw.Config ?? {};
  const labels = config.Labels ?? {};
  const status = toContainerState(state.Status);
  return {
    id: raw.Id,
    name: trimName(raw.Name),
    image: config.Image ?? "",
    imageId: raw.Image ?? "",
    createdAt: engineTime(raw.Created) ?? new Date(0).toISOString(),
    stack: labels[COMPOSE_PROJECT_LABEL] ?? null,
    service: labels[COMPOSE_SERVICE_LABEL] ?? null,
    state: {
      status,
      running: state.Running ?? false,
      paused: state.Paused ?? false,
      restarting: state.Restarting ?? false,
      oomKilled: state.OOMKilled ?? false,
      dead: state.Dead ?? false,
      pid: state.Pid ? state.Pid : null,
      // A container that never ran has no meaningful exit code.
      exitCode: status === "created" || state.ExitCode === undefined ? null : state.ExitCode,
      error: nullIfEmpty(state.Error),
      startedAt: engineTime(state.StartedAt),
      finishedAt: engineTime(state.FinishedAt),
    },
    restartPolicy: {
      name: raw.HostConfig?.RestartPolicy?.Name || "no",
      maximumRetryCount: raw.HostConfig?.RestartPolicy?.MaximumRetryCount ?? 0,
    },
    restartCount: raw.RestartCount ?? 0,
    health: toHealth(state.Health),
    env: parseEnv(config.Env),
    mounts: (raw.Mounts ?? []).map((mount) => ({
      type: mount.Type ?? "bind",
      name: nullIfEmpty(mount.Name),
      source: mount.Source ?? "",
      destination: mount.Destination ?? "",
      mode: mount.Mode ?? "",
      readOnly: mount.RW === false,
    })),
    networkMode: raw.HostConfig?.NetworkMode ?? "default",
    privileged: raw.HostConfig?.Privileged ?? false,
    networks: Object.entries(raw.NetworkSettings?.Networks ?? {}).map(([name, network]) => ({
      name,
      networkId: network.NetworkID ?? "",
      ipAddress: nullIfEmpty(network.IPAddress),
      ipv6Address: nullIfEmpty(network.GlobalIPv6Address),
      gateway: nullIfEmpty(network.Gateway),
      macAddress: nullIfEmpty(network.MacAddress),
      aliases: network.Aliases ?? [],
    })),
    ports: inspectPorts(raw),
    config: {
      cmd: toArgv(config.Cmd),
      entrypoint: toArgv(config.Entrypoint),
      workingDir: nullIfEmpty(config.WorkingDir),
      user: nullIfEmpty(config.User),
      hostname: config.Hostname ?? "",
      tty: config.Tty ?? false,
      labels,
    },
  };
}

/** null for events that are not about a container. */
export function toContainerEvent(raw: RawEvent): ContainerEvent | null {
  if (raw.Type !== undefined && raw.Type !== "container") return null;
  const fullAction = raw.Action ?? raw.status ?? "";
  const colon = fullAction.indexOf(":");
  const action = colon === -1 ? fullAction : fullAction.slice(0, colon);
  const argument = colon === -1 ? "" : fullAction.slice(colon + 1).trim();
  const attributes = raw.Actor?.Attributes ?? {};
  const id = raw.Actor?.ID ?? raw.id ?? "";
  const timeMs = raw.timeNano ? Math.floor(raw.timeNano / 1e6) : (raw.time ?? 0) * 1000;
  const exitCode = attributes.exitCode === undefined ? null : Number(attributes.exitCode);
  return {
    time: new Date(timeMs).toISOString(),
    action,
    id,
    name: attributes.name ?? null,
    image: attributes.image ?? null,
    stack: attributes[COMPOSE_PROJECT_LABEL] ?? null,
    exitCode: Number.isFinite(exitCode) ? exitCode : null,
    health: action === "health_status" ? toHealthStatus(argument) : null,
    attributes,
  };
}
