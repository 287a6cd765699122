import type { AgentInfo } from "./types";

/** What `info()` says about an engine that did not answer. */
export function unreachableAgentInfo(dockerHost: string, error: string, extra: Partial<AgentInfo> = {}): AgentInfo {
  return {
    reachable: false,
    error,
    dockerHost,
    hostname: "",
    dockerVersion: null,
    apiVersion: null,
    os: null,
    architecture: null,
    cpus: null,
    memoryBytes: null,
    containers: null,
    nginxVersion: null,
    ...extra,
  };
}
