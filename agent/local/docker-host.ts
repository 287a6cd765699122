// Parses a DOCKER_HOST value into where to connect. Pure, so it is unit-testable.

export const DEFAULT_DOCKER_HOST = "unix:///var/run/docker.sock";

export type DockerAddress =
  | { kind: "unix"; socketPath: string; display: string }
  | { kind: "tcp"; host: string; port: number; tls: boolean; display: string };

export function parseDockerHost(value: string | undefined | null): DockerAddress {
  const raw = (value ?? "").trim() || DEFAULT_DOCKER_HOST;
  if (raw.startsWith("/")) {
    return { kind: "unix", socketPath: raw, display: `unix://${raw}` };
  }
  const match = /^([a-z]+):\/\/(.*)$/i.exec(raw);
  if (!match) throw new Error(`Invalid DOCKER_HOST "${raw}": expected unix:///path or tcp://host:port`);
  const scheme = match[1].toLowerCase();
  const rest = match[2];
  if (scheme === "unix") {
    if (!rest.startsWith("/")) {
      throw new Error(`Invalid DOCKER_HOST "${raw}": a unix socket needs an absolute path (unix:///path)`);
    }
    return { kind: "unix", socketPath: rest, display: raw };
  }
  if (scheme === "tcp" || scheme === "http" || scheme === "https") {
    const url = new URL(`${scheme === "tcp" ? "http" : scheme}://${rest}`);
    if (!url.hostname) throw new Error(`Invalid DOCKER_HOST "${raw}": missing host`);
    const tls = scheme === "https";
    const port = url.port ? Number(url.port) : tls ? 2376 : 2375;
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    return { kind: "tcp", host, port, tls, display: raw };
  }
  throw new Error(`Unsupported DOCKER_HOST scheme "${scheme}" in "${raw}": use unix:// or tcp://`);
}
