// The standalone InfraPilot agent (`npm run agent`, or the agent image): runs on a Docker host and
// dials out to the control plane's `/agent` namespace; no inbound port. It carries out commands
// with the same agent/local code as the built-in agent. Configuration:
//   AGENT_SERVER_URL  the control plane's URL; several, comma-separated, are tried in turn
//   AGENT_TOKEN       enrollment token (first run, or enrolling again)
//   AGENT_DATA_DIR    where the private key and the agent id live (default ./agent-data)
//   AGENT_NAME        the name to enroll under (default: the host name)
//   DOCKER_HOST       the engine to manage (default unix:///var/run/docker.sock)
//   NGINX_MODE        `local` to run proxy hosts on this node's nginx (NGINX_BIN, NGINX_CONF_DIR,
//                     NGINX_LISTEN_ADDRESS, NGINX_HTTP_PORT, NGINX_HTTPS_PORT), `off` (default)
//   AGENT_LOGS        `off` to ship no logs; by default the containers' (and local nginx's) logs
//                     are shipped to the control plane's log store (docs/decisions/135)
//   AGENT_LOG_SPOOL_MB  size of the on-disk spool of unacknowledged log batches under
//                     AGENT_DATA_DIR/log-spool (default 256; fractions allowed); when full the
//                     oldest lines are dropped and a marker line says how many
// Exit codes: 0 stopped, 2 not enrolled / enrollment refused, 3 revoked or credentials gone.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LocalAgent } from "./local/local-agent";
import { LocalNginx } from "./nginx/local-nginx";
import { LocalProbes } from "./probes";
import { AgentClient } from "./remote/client";
import { PrefixLogSource } from "./nginx/log-source";
import { LogShipper } from "./remote/log-shipper";

function log(level: "info" | "warn" | "error", message: string, details: Record<string, unknown> = {}): void {
  process.stdout.write(`${JSON.stringify({ time: new Date().toISOString(), level, ...details, message })}\n`);
}

function version(): string {
  try {
    return (JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version: string }).version;
  } catch {
    return "0.0.0";
  }
}

const urls = (process.env.AGENT_SERVER_URL ?? "")
  .split(",")
  .map((u) => u.trim())
  .filter(Boolean);
const bad = urls.find((u) => !/^https?:\/\/[^\s/]+/.test(u));
if (urls.length === 0 || bad) {
  log("error", bad ? `AGENT_SERVER_URL: ${bad} is not an http(s) URL` : "Set AGENT_SERVER_URL to the control plane's URL (several, comma-separated, are tried in turn).");
  process.exit(2);
}

const dataDir = resolve(process.env.AGENT_DATA_DIR ?? "agent-data");
const nginxMode = process.env.NGINX_MODE === "local" ? "local" : "off";
const nginxBin = process.env.NGINX_BIN || "nginx";
const port = (value: string | undefined, fallback: number) => {
  const n = Number(value);
  return Number.isInteger(n) && n > 0 && n < 65536 ? n : fallback;
};
const nginxFacts = {
  mode: nginxMode,
  listenAddress: process.env.NGINX_LISTEN_ADDRESS || "0.0.0.0",
  httpPort: port(process.env.NGINX_HTTP_PORT, 80),
  httpsPort: port(process.env.NGINX_HTTPS_PORT, 443),
  resolver: "127.0.0.1",
  user: process.getuid?.() === 0 ? "root" : null,
} as const;
const nginx = nginxMode === "local" ? new LocalNginx({ bin: nginxBin, confDir: resolve(process.env.NGINX_CONF_DIR || `${dataDir}/nginx`) }) : null;
const agent = new LocalAgent({ dockerHost: process.env.DOCKER_HOST, nginxBin: nginx ? nginxBin : null });
// The node keeps its own usage history (decision 105): the control plane's charts ask for it.
agent.keepStatsHistory();
const spoolMb = Number(process.env.AGENT_LOG_SPOOL_MB);
const nginxPrefix = resolve(process.env.NGINX_CONF_DIR || `${dataDir}/nginx`);
const shipper =
  process.env.AGENT_LOGS === "off"
    ? null
    : new LogShipper({
        agent,
        spoolDir: `${dataDir}/log-spool`,
        spoolMaxBytes: Math.round((Number.isFinite(spoolMb) && spoolMb > 0 ? spoolMb : 256) * 1024 * 1024),
        proxyLogs: nginx ? new PrefixLogSource(nginxPrefix) : null,
        log,
      });
const client = new AgentClient({
  serverUrls: urls,
  token: process.env.AGENT_TOKEN?.trim() || null,
  dataDir,
  name: process.env.AGENT_NAME?.trim() || undefined,
  version: version(),
  agent,
  probes: new LocalProbes({ nginxListenAddress: nginxFacts.listenAddress, nginxHttpPort: nginxFacts.httpPort }),
  nginx,
  facts: { dockerHost: agent.dockerHost, nginx: nginxFacts },
  backoff: { baseMs: Number(process.env.AGENT_BACKOFF_BASE_MS) || 500, maxMs: Number(process.env.AGENT_BACKOFF_MAX_MS) || 30_000 },
  log,
  logs: shipper,
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    log("info", "stopping", { signal });
    client.stop();
  });
}

log("info", "InfraPilot agent starting", { version: version(), servers: urls, dockerHost: agent.dockerHost });
shipper?.start();
await client.start();
const outcome = await client.done;
await shipper?.stop().catch(() => {});
await agent.close().catch(() => {});
// A revoked node stops serving the control plane's sites; a stopped agent leaves them running.
if (outcome && outcome.exitCode === 3) await nginx?.stop().catch(() => {});
process.exit(outcome ? outcome.exitCode : 0);
