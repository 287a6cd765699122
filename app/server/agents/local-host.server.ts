// The built-in agent: the process's own Docker engine (DOCKER_HOST) and nginx (NGINX_*), composed
// into an AgentHost. This module and the registry are the only ones that may know the built-in
// agent runs in-process (eslint.config.js keeps `localAgent`, agent/local and these constructors
// out of domain modules): its facts come from the environment here, and from nowhere else.
// Every part is one per process, shared by the Remix build and server.ts through globalThis.
import type { AgentFacts, AgentHost } from "#agent/host";
import { LocalAgent } from "#agent/local/local-agent";
import { ContainerNginx } from "#agent/nginx/container-nginx";
import { PrefixLogSource } from "#agent/nginx/log-source";
import { LocalNginx } from "#agent/nginx/local-nginx";
import { LocalProbes } from "#agent/probes";
import { env } from "../env.server";
import { logger } from "../logger.server";
import { singleton } from "../singleton.server";

/** The process-wide LocalAgent. */
export function localAgent(): LocalAgent {
  const config = env();
  return singleton(`agent:local:${config.DOCKER_HOST}`, () => {
    const agent = new LocalAgent({
      dockerHost: config.DOCKER_HOST,
      nginxBin: config.NGINX_MODE === "local" ? config.NGINX_BIN : null,
      // Part of this deployment whatever NGINX_MODE says: never a target of the panel's own terminal or stop.
      deploymentContainers: config.NGINX_CONTAINER ? [config.NGINX_CONTAINER] : [],
    });
    logger.info("local agent ready", { dockerHost: agent.dockerHost });
    return agent;
  });
}

/** NGINX_MODE=local: NGINX_BIN with the prefix NGINX_CONF_DIR. */
export function localNginx(): LocalNginx {
  const e = env();
  const logRotation = { maxBytes: e.NGINX_LOG_MAX_MB * 1024 * 1024, keep: e.NGINX_LOG_KEEP };
  return singleton(`nginx:local:${e.NGINX_CONF_DIR}`, () => new LocalNginx({ bin: e.NGINX_BIN, confDir: e.NGINX_CONF_DIR, logRotation }));
}

/** NGINX_MODE=container: NGINX_CONTAINER with NGINX_CONF_DIR mounted at the same path, driven through the local agent's engine. */
export function containerNginx(): ContainerNginx {
  const e = env();
  return singleton(
    `nginx:container:${e.NGINX_CONTAINER ?? ""}:${e.NGINX_CONF_DIR}`,
    () => new ContainerNginx({ container: e.NGINX_CONTAINER, confDir: e.NGINX_CONF_DIR, runtime: localAgent() }),
  );
}

/** The applier of the configured mode (local or container); null when nginx management is off. */
export function configuredNginx(): LocalNginx | null {
  const mode = env().NGINX_MODE;
  return mode === "container" ? containerNginx() : mode === "local" ? localNginx() : null;
}

/** The built-in agent's facts, from the environment. */
export function localFacts(): AgentFacts {
  const e = env();
  return {
    dockerHost: localAgent().dockerHost,
    nginx: {
      mode: e.NGINX_MODE,
      listenAddress: e.NGINX_LISTEN_ADDRESS,
      httpPort: e.NGINX_HTTP_PORT,
      httpsPort: e.NGINX_HTTPS_PORT,
      // Docker's embedded DNS answers container names for an nginx container on a user network.
      resolver: e.NGINX_MODE === "container" ? "127.0.0.11" : "127.0.0.1",
      // Workers run as root when we do, so they can reopen logs in a private directory.
      user: process.getuid?.() === 0 ? "root" : null,
    },
  };
}

/** The built-in agent as an AgentHost (a light composition of the process-wide parts above). */
export function localHost(): AgentHost {
  const e = env();
  return {
    agent: localAgent(),
    proxies: configuredNginx(),
    // Only an nginx beside this process writes its logs where this process can read them.
    proxyLogs: e.NGINX_MODE === "local" ? new PrefixLogSource(e.NGINX_CONF_DIR) : null,
    probes: new LocalProbes({ nginxListenAddress: e.NGINX_LISTEN_ADDRESS, nginxHttpPort: e.NGINX_HTTP_PORT }),
    facts: async () => localFacts(),
  };
}
