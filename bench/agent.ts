// Benchmark: the standalone agent (agent/main.ts) against the built-in agent, on loopback.
//
//   npm run bench:agent                    (npx tsx bench/agent.ts; bench:agent:idle, :list, :logs for one part)
//   BENCH_CONTAINERS=50 BENCH_WINDOW_S=10 BENCH_IDLE_S=30 BENCH_REQUESTS=100 npm run bench:agent
//
// Needs `npm run build`, the test Docker engine (scripts/docker-test-env.sh start) and a PostgreSQL
// superuser (TEST_DATABASE_URL, or the embedded one tests/setup/postgres.ts starts).
//
// Two real servers on one database server: Community (built-in agent on the test engine) and
// SaaS (no engine of its own) with the real standalone agent, bundled with esbuild and run with
// plain node as it would be deployed, enrolled and connected on loopback to the same engine,
// log shipping on (its default). With BENCH_CONTAINERS idle busybox containers running:
// 1. idle: the agent's RSS and CPU over BENCH_IDLE_S once settled, next to a bare `node` process
//    (baseline) and the same agent run through tsx (`npm run agent`). Targets: RSS < 60 MB, CPU < 1 %.
// 2. container list: p50/p95 of GET /api/v1/agents/:id/containers?all=true through the remote
//    agent vs the built-in agent, requests alternating. Target: p50 ≤ 1.5× the built-in agent.
// 3. live log throughput: a container prints 120-byte lines flat out (`yes`); one /ui subscriber
//    (`logs:stream`) through the remote agent and one `docker logs -f` read it in the same
//    window. Target: ≥ 0.5× docker logs -f.
// `--check` exits 1 on a missed target.
import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { cpus, loadavg, tmpdir, totalmem } from "node:os";
import { join } from "node:path";
import { build } from "esbuild";
import pg from "pg";
import { io } from "socket.io-client";
import { hashPassword } from "../app/server/auth/password.server";
import { docker, ensureTestDocker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../tests/setup/docker";
import { createTestDatabase, freePort, startTestPostgres } from "../tests/setup/postgres";

const ROOT = join(import.meta.dirname, "..");
const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 50);
const WINDOW_MS = Number(process.env.BENCH_WINDOW_S ?? 10) * 1000;
const IDLE_MS = Number(process.env.BENCH_IDLE_S ?? 30) * 1000;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 100);
const CHECK = process.argv.includes("--check");
/** `--only=idle,list,logs` (npm run bench:agent:idle etc.): the parts to run; all by default. */
const ONLY = new Set((process.argv.find((a) => a.startsWith("--only="))?.slice("--only=".length) ?? "idle,list,logs").split(","));
/** Node flags of the deployed agent (the agent image's command line); the bundled agent runs with them. */
const AGENT_NODE_FLAGS = (process.env.BENCH_AGENT_NODE_FLAGS ?? "--max-semi-space-size=1").split(" ").filter(Boolean);
const RUN_ID = `bench-agent-${process.pid}`;
const CLK_TCK = 100;
const LINE = "x".repeat(10) + " the quick brown fox jumps over the lazy dog; pack my box with five dozen liquor jugs; sphinx of black quartz".padEnd(109, ".");
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  return (Number(fields[11]) + Number(fields[12])) / CLK_TCK;
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : NaN;
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

interface Server {
  url: string;
  pid: number;
  cookie: string;
  child: ChildProcess;
}

const children: ChildProcess[] = [];

async function startServer(databaseUrl: string, env: Record<string, string>): Promise<Omit<Server, "cookie">> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dataDir = mkdtempSync(join(tmpdir(), "bench-agent-server-"));
  const child = spawn(process.execPath, [join(ROOT, "build", "server.js")], {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", PORT: String(port), HOST: "127.0.0.1", PUBLIC_URL: url, DATA_DIR: dataDir, LOG_LEVEL: "warn", DATABASE_URL: databaseUrl, NGINX_MODE: "off", ...env },
    stdio: ["ignore", "inherit", "inherit"],
  });
  children.push(child);
  const deadline = Date.now() + 90_000;
  for (;;) {
    if (Date.now() > deadline || child.exitCode !== null) throw new Error("the server did not become ready");
    if (await fetch(`${url}/readyz`).then((r) => r.status === 200, () => false)) break;
    await sleep(100);
  }
  return { url, pid: child.pid!, child };
}

async function login(url: string, email: string, password: string): Promise<string> {
  const res = await fetch(`${url}/api/v1/auth/login`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ email, password }) });
  if (res.status !== 200) throw new Error(`login: ${res.status}`);
  return res.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
}

async function communityServer(databaseUrl: string, dockerHost: string): Promise<Server & { agentId: string }> {
  const s = await startServer(databaseUrl, { DOCKER_HOST: dockerHost, LOGS_PERSIST: "false" });
  const admin = { email: "bench@example.com", name: "Bench", password: "correct horse battery staple" };
  const setup = await fetch(`${s.url}/api/v1/setup`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(admin) });
  if (setup.status !== 201) throw new Error(`setup: ${setup.status}`);
  const cookie = await login(s.url, admin.email, admin.password);
  const agents = (await (await fetch(`${s.url}/api/v1/agents`, { headers: { cookie } })).json()) as { items: { id: string; name: string }[] };
  return { ...s, cookie, agentId: agents.items.find((a) => a.name === "local")!.id };
}

async function saasServer(databaseUrl: string): Promise<Server> {
  const s = await startServer(databaseUrl, { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const orgId = randomUUID();
  const userId = randomUUID();
  const password = "a long enough bench password";
  try {
    await db.query(`INSERT INTO "Organization" (id, name, slug, plan) VALUES ($1, 'bench', $2, 'business')`, [orgId, `bench-${orgId.slice(0, 8)}`]);
    await db.query(`INSERT INTO "User" (id, email, name, "passwordHash") VALUES ($1, 'owner@example.com', 'Owner', $2)`, [userId, await hashPassword(password)]);
    await db.query(`INSERT INTO "Membership" (id, "orgId", "userId", role) VALUES ($1, $2, $3, 'super_admin')`, [randomUUID(), orgId, userId]);
  } finally {
    await db.end();
  }
  return { ...s, cookie: await login(s.url, "owner@example.com", password) };
}

interface AgentRun {
  child: ChildProcess;
  output: () => string;
  dataDir: string;
}

function startAgent(command: string[], server: Server, dockerHost: string, env: Record<string, string>): AgentRun {
  const dataDir = join(mkdtempSync(join(tmpdir(), "bench-agent-")), "data");
  const child = spawn(command[0]!, command.slice(1), {
    cwd: ROOT,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: "production", AGENT_SERVER_URL: server.url, AGENT_DATA_DIR: dataDir, DOCKER_HOST: dockerHost, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.push(child);
  let output = "";
  child.stdout!.on("data", (d) => (output += d));
  child.stderr!.on("data", (d) => (output += d));
  return { child, output: () => output, dataDir };
}

async function enrollToken(server: Server): Promise<string> {
  const res = await fetch(`${server.url}/api/v1/agents/enrollment-tokens`, {
    method: "POST",
    headers: { "content-type": "application/json", cookie: server.cookie, origin: server.url },
    body: JSON.stringify({ name: `bench-${randomUUID().slice(0, 6)}`, maxUses: 1, expiresAt: new Date(Date.now() + 3600_000).toISOString() }),
  });
  if (res.status !== 201) throw new Error(`token: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { secret: string }).secret;
}

async function waitConnected(agent: AgentRun, count = 1): Promise<void> {
  const deadline = Date.now() + 90_000;
  while ((agent.output().match(/connected to the control plane/g) ?? []).length < count) {
    if (Date.now() > deadline || agent.child.exitCode !== null) throw new Error(`agent did not connect:\n${agent.output()}`);
    await sleep(200);
  }
}

async function idleWindow(pid: number): Promise<{ rss: number; cpuPercent: number }> {
  const c0 = cpuSeconds(pid);
  const t0 = Date.now();
  await sleep(IDLE_MS);
  return { rss: rssMb(pid), cpuPercent: ((cpuSeconds(pid) - c0) / ((Date.now() - t0) / 1000)) * 100 };
}

async function listTimes(url: string, cookie: string, agentId: string): Promise<number> {
  const t0 = performance.now();
  const res = await fetch(`${url}/api/v1/agents/${agentId}/containers?all=true`, { headers: { cookie } });
  const body = (await res.json()) as { items: unknown[] };
  if (res.status !== 200 || !Array.isArray(body.items)) throw new Error(`list: ${res.status}`);
  return performance.now() - t0;
}

let floods = 0;
async function liveThroughput(dockerHost: string, server: Server, agentId: string) {
  const id = (await docker(dockerHost, ["run", "-d", "--name", `${RUN_ID}-flood-${++floods}`, "--label", `${TEST_LABEL}=${RUN_ID}`, "--log-opt", "max-size=20m", "--log-opt", "max-file=2", "-e", `L=${LINE}`, TEST_IMAGE, "sh", "-c", 'trap "exit 0" TERM; sleep 3; yes "$L"'])).trim();
  const socket = io(`${server.url}/ui`, { transports: ["websocket"], extraHeaders: { cookie: server.cookie, origin: server.url }, reconnection: false });
  await new Promise<void>((resolve, reject) => {
    socket.once("hello", () => resolve());
    socket.once("connect_error", reject);
  });
  const sub = { lines: 0 };
  socket.on("logs:stream:batch", (p: { items: unknown[]; skipped?: number }) => (sub.lines += p.items.length + (p.skipped ?? 0)));
  const answer = (await socket.timeout(30_000).emitWithAck("logs:stream", { agentId, containerIds: [id] })) as { ok: boolean };
  if (!answer.ok) throw new Error(`subscribe: ${JSON.stringify(answer)}`);
  const follow = spawn("docker", ["logs", "-f", "--since", "0s", id], { env: { ...process.env, DOCKER_HOST: dockerHost }, stdio: ["ignore", "pipe", "ignore"] });
  const base = { lines: 0 };
  follow.stdout!.on("data", (chunk: Buffer) => {
    for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) base.lines++;
  });
  await sleep(5_000);
  const start = { at: Date.now(), sub: sub.lines, base: base.lines };
  await sleep(WINDOW_MS);
  const seconds = (Date.now() - start.at) / 1000;
  const result = { agent: (sub.lines - start.sub) / seconds, docker: (base.lines - start.base) / seconds };
  follow.kill("SIGTERM");
  socket.close();
  await docker(dockerHost, ["rm", "-f", id]);
  return result;
}

const fmt = (n: number, d = 1) => n.toLocaleString("en", { maximumFractionDigits: d, minimumFractionDigits: d });

async function main() {
  console.log(`machine: ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB, node ${process.version}, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  console.log(`containers: ${CONTAINERS} idle; idle window ${IDLE_MS / 1000} s; ${REQUESTS} list requests per agent; log window ${WINDOW_MS / 1000} s`);
  const dockerHost = await ensureTestDocker();
  const postgres = await startTestPostgres();
  const agentBundle = join(ROOT, "build", `agent-bench-${process.pid}.mjs`);
  const cleanup = async () => {
    for (const c of children) if (c.exitCode === null) c.kill("SIGTERM");
    await sleep(500);
    for (const c of children) if (c.exitCode === null) c.kill("SIGKILL");
    await removeTestContainers(dockerHost, RUN_ID).catch(() => {});
    await postgres.stop().catch(() => {});
    rmSync(agentBundle, { force: true });
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  const missed: string[] = [];
  try {
    await build({ entryPoints: [join(ROOT, "agent/main.ts")], outfile: agentBundle, bundle: true, platform: "node", target: "node20", format: "esm", packages: "external", logLevel: "warning", tsconfig: join(ROOT, "tsconfig.json") });
    await Promise.all(
      Array.from({ length: CONTAINERS }, (_, i) =>
        docker(dockerHost, ["run", "-d", "--name", `${RUN_ID}-idle-${i}`, "--label", `${TEST_LABEL}=${RUN_ID}`, TEST_IMAGE, "sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]),
      ),
    );
    const community = ONLY.has("list") ? await communityServer(await createTestDatabase(postgres.url, "ip_bench"), dockerHost) : null;
    const saas = await saasServer(await createTestDatabase(postgres.url, "ip_bench"));
    const agent = startAgent([process.execPath, ...AGENT_NODE_FLAGS, agentBundle], saas, dockerHost, { AGENT_TOKEN: await enrollToken(saas), AGENT_NAME: "bench-node" });
    await waitConnected(agent);
    const remoteId = ((await (await fetch(`${saas.url}/api/v1/agents`, { headers: { cookie: saas.cookie } })).json()) as { items: { id: string; name: string }[] }).items.find((a) => a.name === "bench-node")!.id;

    if (ONLY.has("idle")) await idlePart(saas, dockerHost, agent, missed);
    if (community) await listPart(community, saas, remoteId, missed);
    if (ONLY.has("logs")) await logsPart(dockerHost, saas, agent, remoteId, agentBundle, missed);

    console.log(`\ntargets: ${missed.length === 0 ? "all met" : `MISSED: ${missed.join("; ")}`}`);
    console.log(`load average at the end: ${loadavg().map((l) => l.toFixed(1)).join(" ")}`);
  } finally {
    await cleanup();
  }
  if (CHECK && missed.length > 0) process.exit(1);
}

/** 1. idle */
async function idlePart(saas: Server, dockerHost: string, agent: AgentRun, missed: string[]): Promise<void> {
  const bare = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)"], { stdio: "ignore" });
  children.push(bare);
  // What the agent's three libraries cost by themselves, loaded and idle.
  const deps = spawn(process.execPath, [...AGENT_NODE_FLAGS, "--input-type=module", "-e", "await Promise.all([import('dockerode'), import('socket.io-client'), import('zod')]); setInterval(() => {}, 1000);"], { cwd: ROOT, stdio: "ignore" });
  children.push(deps);
  const tsxAgent = startAgent([process.execPath, "--import", "tsx", join(ROOT, "agent/main.ts")], saas, dockerHost, { AGENT_TOKEN: await enrollToken(saas), AGENT_NAME: "bench-tsx" });
  await waitConnected(tsxAgent);
  await sleep(15_000); // settled: first list, follows of every container opened, first stats rounds
  const [idle, idleTsx, idleBare, idleDeps] = await Promise.all([idleWindow(agent.child.pid!), idleWindow(tsxAgent.child.pid!), idleWindow(bare.pid!), idleWindow(deps.pid!)]);
  tsxAgent.child.kill("SIGTERM");
  console.log(`\n1. idle with ${CONTAINERS} containers (after 15 s to settle, over ${IDLE_MS / 1000} s)`);
  console.log("| process | RSS MB | CPU % |");
  console.log("| --- | ---: | ---: |");
  console.log(`| bare \`node -e setInterval\` (baseline) | ${fmt(idleBare.rss)} | ${fmt(idleBare.cpuPercent, 2)} |`);
  console.log(`| node importing dockerode + socket.io-client + zod, nothing else (baseline) | ${fmt(idleDeps.rss)} | ${fmt(idleDeps.cpuPercent, 2)} |`);
  console.log(`| agent, bundled, \`node ${AGENT_NODE_FLAGS.join(" ")} agent.mjs\` | ${fmt(idle.rss)} | ${fmt(idle.cpuPercent, 2)} |`);
  console.log(`| agent through tsx (\`npm run agent\`) | ${fmt(idleTsx.rss)} | ${fmt(idleTsx.cpuPercent, 2)} |`);
  console.log(`ratio bundled agent / bare node: RSS ${fmt(idle.rss / idleBare.rss, 2)}×; / its libraries alone: ${fmt(idle.rss / idleDeps.rss, 2)}×`);
  if (!(idle.rss < 60)) missed.push(`agent idle RSS ${fmt(idle.rss)} MB ≥ 60 MB`);
  if (!(idle.cpuPercent < 1)) missed.push(`agent idle CPU ${fmt(idle.cpuPercent, 2)} % ≥ 1 %`);
}

/** 2. container list */
async function listPart(community: Server & { agentId: string }, saas: Server, remoteId: string, missed: string[]): Promise<void> {
  for (let i = 0; i < 5; i++) {
    await listTimes(community.url, community.cookie, community.agentId);
    await listTimes(saas.url, saas.cookie, remoteId);
  }
  const local: number[] = [];
  const remote: number[] = [];
  for (let i = 0; i < REQUESTS; i++) {
    local.push(await listTimes(community.url, community.cookie, community.agentId));
    remote.push(await listTimes(saas.url, saas.cookie, remoteId));
  }
  local.sort((a, b) => a - b);
  remote.sort((a, b) => a - b);
  const listRatio = percentile(remote, 50) / percentile(local, 50);
  console.log(`\n2. GET /api/v1/agents/:id/containers?all=true (${CONTAINERS}+ containers), ${REQUESTS} requests each, alternating`);
  console.log("| agent | p50 ms | p95 ms | max ms |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(`| built-in (Community, baseline) | ${fmt(percentile(local, 50))} | ${fmt(percentile(local, 95))} | ${fmt(local.at(-1)!)} |`);
  console.log(`| remote agent on loopback (SaaS) | ${fmt(percentile(remote, 50))} | ${fmt(percentile(remote, 95))} | ${fmt(remote.at(-1)!)} |`);
  console.log(`ratio remote / built-in: p50 ${fmt(listRatio, 2)}×, p95 ${fmt(percentile(remote, 95) / percentile(local, 95), 2)}×`);
  if (!(listRatio <= 1.5)) missed.push(`container list p50 ratio ${fmt(listRatio, 2)}× > 1.5×`);
}

/** 3. live log throughput */
async function logsPart(dockerHost: string, saas: Server, agent: AgentRun, remoteId: string, agentBundle: string, missed: string[]): Promise<void> {
  // Shipping on (the default: the agent also spools the flood and the control plane stores it),
  // then an agent with AGENT_LOGS=off (the live path alone).
  const live = await liveThroughput(dockerHost, saas, remoteId);
  agent.child.kill("SIGTERM");
  const quiet = startAgent([process.execPath, ...AGENT_NODE_FLAGS, agentBundle], saas, dockerHost, { AGENT_TOKEN: await enrollToken(saas), AGENT_NAME: "bench-quiet", AGENT_LOGS: "off" });
  await waitConnected(quiet);
  const quietId = ((await (await fetch(`${saas.url}/api/v1/agents`, { headers: { cookie: saas.cookie } })).json()) as { items: { id: string; name: string }[] }).items.find((a) => a.name === "bench-quiet")!.id;
  const liveOnly = await liveThroughput(dockerHost, saas, quietId);
  const liveRatio = live.agent / live.docker;
  console.log(`\n3. live logs flat out (120-byte lines), one subscriber through the remote agent vs docker logs -f in the same window, ${WINDOW_MS / 1000} s`);
  console.log("| agent | docker logs -f lines/s (baseline) | /ui logs:stream lines/s | ratio |");
  console.log("| --- | ---: | ---: | ---: |");
  console.log(`| log shipping on (default) | ${fmt(live.docker, 0)} | ${fmt(live.agent, 0)} | ${fmt(liveRatio, 2)}× |`);
  console.log(`| AGENT_LOGS=off | ${fmt(liveOnly.docker, 0)} | ${fmt(liveOnly.agent, 0)} | ${fmt(liveOnly.agent / liveOnly.docker, 2)}× |`);
  if (!(liveRatio >= 0.5)) missed.push(`live log throughput ${fmt(liveRatio, 2)}× < 0.5× docker logs -f (shipping on)`);
}

await main();
