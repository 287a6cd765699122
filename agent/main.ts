// The standalone InfraPilot agent (`npm run agent`, or the agent image): runs on a Docker host and
// dials out to the control plane's `/agent` namespace; no inbound port. It carries out commands
// with the same agent/local code as the built-in agent. Configuration:
//   AGENT_SERVER_URL  the control plane's URL; several, comma-separated, are tried in turn
//   AGENT_TOKEN       enrollment token (first run, or enrolling again)
//   AGENT_DATA_DIR    where the private key and the agent id live (default ./agent-data)
//   AGENT_NAME        the name to enroll under (default: the host name)
//   DOCKER_HOST       the engine to manage (default unix:///var/run/docker.sock)
// Exit codes: 0 stopped, 2 not enrolled / enrollment refused, 3 revoked or credentials gone.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { LocalAgent } from "./local/local-agent";
import { LocalProbes } from "./probes";
import { AgentClient } from "./remote/client";

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

const agent = new LocalAgent({ dockerHost: process.env.DOCKER_HOST, nginxBin: null });
const client = new AgentClient({
  serverUrls: urls,
  token: process.env.AGENT_TOKEN?.trim() || null,
  dataDir: resolve(process.env.AGENT_DATA_DIR ?? "agent-data"),
  name: process.env.AGENT_NAME?.trim() || undefined,
  version: version(),
  agent,
  probes: new LocalProbes({ nginxListenAddress: "127.0.0.1", nginxHttpPort: 80 }),
  // Proxy hosts on the node's nginx are not carried yet: the agent reports nginx as unmanaged.
  facts: { dockerHost: agent.dockerHost, nginx: { mode: "off", listenAddress: "127.0.0.1", httpPort: 80, httpsPort: 443, resolver: "127.0.0.1", user: null } },
  backoff: { baseMs: Number(process.env.AGENT_BACKOFF_BASE_MS) || 500, maxMs: Number(process.env.AGENT_BACKOFF_MAX_MS) || 30_000 },
  log,
});

for (const signal of ["SIGTERM", "SIGINT"] as const) {
  process.on(signal, () => {
    log("info", "stopping", { signal });
    client.stop();
  });
}

log("info", "InfraPilot agent starting", { version: version(), servers: urls, dockerHost: agent.dockerHost });
await client.start();
const outcome = await client.done;
await agent.close().catch(() => {});
process.exit(outcome ? outcome.exitCode : 0);
