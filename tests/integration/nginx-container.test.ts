// NGINX_MODE=container against the real private dockerd: nginx runs in a container (an image
// built from this machine's nginx, tests/setup/nginx-image.ts) with NGINX_CONF_DIR bind-mounted
// at the same path; `nginx -t`, start and reload go through docker exec. Traffic only to
// loopback: the nginx container and the busybox upstreams use --network host. The network attach
// runs with a second nginx container on a user network and is checked through docker inspect.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { mkdtempSync, readFileSync, readlinkSync } from "node:fs";
import { randomUUID } from "node:crypto";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { docker, ensureTestDocker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../setup/docker";
import { ensureNginxTestImage } from "../setup/nginx-image";
import { freePort } from "../setup/postgres";
import { viaNginx } from "../setup/nginx";
import { setUpServer, startServer, type TestServer } from "../setup/server";

const dockerHost = await ensureTestDocker();
const image = await ensureNginxTestImage(dockerHost);
const runId = `nginx-ctr-${randomUUID().slice(0, 8)}`;
const nginxName = `ip-nginx-${runId}`;
const confDir = mkdtempSync(join(tmpdir(), "infrapilot-nginx-ctr-"));
const httpPort = await freePort();
process.env.DOCKER_HOST = dockerHost;
process.env.NGINX_MODE = "container";
process.env.NGINX_CONTAINER = nginxName;
process.env.NGINX_CONF_DIR = confDir;
process.env.NGINX_HTTP_PORT = String(httpPort);
process.env.NGINX_HTTPS_PORT = String(await freePort());
process.env.NGINX_LISTEN_ADDRESS = "127.0.0.1";
process.env.DATA_DIR = mkdtempSync(join(tmpdir(), "infrapilot-nginx-ctr-data-"));

const { setupTestDb } = await import("../setup/db");
const { withOrg } = await import("~/server/db/client.server");
const hosts = await import("~/server/proxy/hosts.server");
const { applierFor } = await import("~/server/proxy/appliers.server");
const { containerNginx } = await import("~/server/agents/local-host.server");
const { nginxProblem } = await import("~/server/proxy/boot.server");
const { renderTree } = await import("~/server/proxy/render");
const { ContainerNginx } = await import("#agent/nginx/container-nginx");
const { LocalAgent } = await import("#agent/local/local-agent");
type Actor = import("~/server/auth/require.server").Actor;

let db: Awaited<ReturnType<typeof setupTestDb>>;
const orgId = randomUUID();
let agentId: string;
const superAdmin = { userId: randomUUID(), orgId, role: "super_admin", email: "root@example.com", name: "Root", mfaEnabled: false, sessionId: "s" } as Actor;
const networks: string[] = [];
const runtime = new LocalAgent({ dockerHost, nginxBin: null });
const servers: TestServer[] = [];

function dockerRun(name: string, args: string[], command: string[] = []): Promise<string> {
  return docker(dockerHost, ["run", "-d", "--name", name, "--label", `${TEST_LABEL}=${runId}`, ...args, ...command]);
}

/** A busybox httpd on a loopback port of the host network, serving `body` at /. */
async function busyboxUpstream(body: string): Promise<number> {
  const port = await freePort();
  await dockerRun(`ip-up-${runId}-${port}`, ["--network", "host", TEST_IMAGE], ["sh", "-c", `printf '%s' "$0" > /tmp/index.html; exec httpd -f -p 127.0.0.1:${port} -h /tmp`, body]);
  for (let i = 0; i < 300; i++) {
    try {
      if ((await viaNginxDirect(port)).includes(body)) return port;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`busybox httpd on 127.0.0.1:${port} did not answer within 15 s`);
}

async function viaNginxDirect(port: number): Promise<string> {
  return (await viaNginx(port, "127.0.0.1")).body;
}

async function inspect(name: string): Promise<{ State: { Running: boolean }; NetworkSettings: { Networks: Record<string, unknown> } }> {
  return JSON.parse(await docker(dockerHost, ["inspect", name]))[0];
}

function proxyBody(domain: string, port: number, extra: Record<string, unknown> = {}) {
  return { kind: "proxy", domains: [domain], upstream: { scheme: "http", host: "127.0.0.1", port }, ...extra };
}

/** A plain proxy host for renderTree (the network tests render trees directly, without the database). */
const base = {
  enabled: true,
  http2: false,
  tls: { mode: "none" as const, certificateId: null, forceHttps: false, hsts: { enabled: false, maxAge: 0, includeSubdomains: false, preload: false } },
  headers: {},
  advanced: "",
  kind: "proxy" as const,
  websockets: false,
  blockExploits: false,
  gzip: false,
  clientMaxBodySizeMb: 1,
  rateLimit: null,
  accessListId: null,
};

beforeAll(async () => {
  db = await setupTestDb();
  agentId = await withOrg(orgId, async (tx) => {
    await tx.organization.create({ data: { id: orgId, name: "Container nginx org", slug: `ctr-${orgId.slice(0, 8)}` } });
    return (await tx.agent.create({ data: { orgId, name: "local" } })).id;
  });
  // The nginx container exists but is stopped: the first apply must start it.
  await dockerRun(nginxName, ["--network", "host", "-v", `${confDir}:${confDir}`, image]);
  await docker(dockerHost, ["stop", "-t", "1", nginxName]);
}, 180_000);

afterAll(async () => {
  for (const server of servers) await server.stop();
  await removeTestContainers(dockerHost, runId).catch(() => {});
  for (const n of networks) await docker(dockerHost, ["network", "rm", n]).catch(() => {});
  await db?.close();
}, 120_000);

describe("NGINX_MODE=container", () => {
  test("the applier is ContainerNginx; a stopped container is reported, then started by the first apply", async () => {
    expect(await applierFor(superAdmin, agentId)).toBeInstanceOf(ContainerNginx);
    expect(await nginxProblem(superAdmin, agentId)).toMatch(new RegExp(`nginx container ${nginxName} is exited; the next apply .* starts it`));
    expect((await inspect(nginxName)).State.Running).toBe(false);

    const port = await busyboxUpstream("hello from busybox");
    const host = await hosts.createProxyHost(superAdmin, agentId, proxyBody("app.test", port));
    expect(host.status).toMatchObject({ state: "ok", message: null });
    expect((await inspect(nginxName)).State.Running).toBe(true);
    expect(await viaNginx(httpPort, "app.test")).toEqual({ status: 200, body: "hello from busybox" });
    expect((await viaNginx(httpPort, "nobody.test")).status).toBe(404);

    const status = await containerNginx().status();
    expect(status).toMatchObject({ mode: "container", running: true, confDir });
    expect(status.version).toMatch(/^\d+\.\d+/);
    expect(await nginxProblem(superAdmin, agentId)).toBeNull();
    // nginx runs inside the container, on the mounted tree.
    const top = await docker(dockerHost, ["top", nginxName, "-eo", "pid,args"]);
    expect(top).toContain(`nginx: master process nginx -p ${confDir}/ -c ${confDir}/live/nginx.conf`);
  }, 120_000);

  test("a reload serves the new config; every save is confirmed by nginx's log in the mounted directory", async () => {
    const one = await busyboxUpstream("first upstream");
    const two = await busyboxUpstream("second upstream");
    const host = await hosts.createProxyHost(superAdmin, agentId, proxyBody("reload.test", one));
    expect((await viaNginx(httpPort, "reload.test")).body).toBe("first upstream");
    const before = readlinkSync(join(confDir, "live"));
    const updated = await hosts.updateProxyHost(superAdmin, agentId, host.id, proxyBody("reload.test", two));
    expect(updated.status.state).toBe("ok");
    expect(readlinkSync(join(confDir, "live"))).not.toBe(before);
    expect((await viaNginx(httpPort, "reload.test")).body).toBe("second upstream");
    expect(readFileSync(join(confDir, "logs", "error.log"), "utf8")).toMatch(/signal 1 \(SIGHUP\) received/);
    // A small save to a running nginx: one quick `nginx -t` through docker exec, one reload.
    const { requestApply } = await import("~/server/proxy/apply.server");
    await hosts.updateProxyHost(superAdmin, agentId, host.id, proxyBody("reload.test", one));
    const save = await requestApply(orgId, agentId);
    expect({ ok: save.ok, testMode: save.testMode, tests: save.tests, reloads: save.reloads }).toEqual({ ok: true, testMode: "quick", tests: 1, reloads: 1 });
    expect((await viaNginx(httpPort, "reload.test")).body).toBe("first upstream");
  }, 120_000);

  test("a config nginx rejects is refused, the previous one keeps serving, nginx's error is stored", async () => {
    const port = await busyboxUpstream("v1");
    const host = await hosts.createProxyHost(superAdmin, agentId, proxyBody("adv.test", port));
    const updated = await hosts.updateProxyHost(superAdmin, agentId, host.id, proxyBody("adv.test", port, { advanced: "no_such_directive on;" }));
    expect(updated.status.state).toBe("error");
    expect(updated.status.message).toContain('unknown directive "no_such_directive"');
    expect((await viaNginx(httpPort, "adv.test")).body).toBe("v1");
    expect((await viaNginx(httpPort, "app.test")).body).toBe("hello from busybox");
    expect(await containerNginx().liveFile(`hosts/${host.id}.conf`)).not.toContain("no_such_directive");
    expect((await containerNginx().testLive()).ok).toBe(true);

    // A clash only the whole tree shows passes the quick test and is refused by nginx at reload
    // time: the container's master logs [emerg], keeps the old config, live is swapped back.
    const listen = await freePort();
    await hosts.updateProxyHost(superAdmin, agentId, host.id, proxyBody("adv.test", port, { advanced: `listen 127.0.0.1:${listen} backlog=100;` }));
    const other = await hosts.createProxyHost(superAdmin, agentId, proxyBody("clash.test", port, { advanced: `listen 127.0.0.1:${listen} backlog=200;` }));
    expect(other.status.state).toBe("error");
    expect(other.status.message).toContain("duplicate listen options");
    expect((await viaNginx(httpPort, "adv.test")).body).toBe("v1");
    expect((await containerNginx().testLive()).ok).toBe(true);
    await hosts.deleteProxyHost(superAdmin, agentId, other.id);
  }, 120_000);

  test("nginx stopped inside the container, or the container stopped, comes back on the last good tree", async () => {
    const nginx = containerNginx();
    await nginx.stop();
    expect((await nginx.status()).running).toBe(false);
    expect(await nginx.ensureRunning()).toEqual({ ok: true, output: "" });
    expect((await viaNginx(httpPort, "app.test")).body).toBe("hello from busybox");

    await docker(dockerHost, ["stop", "-t", "1", nginxName]);
    expect((await nginx.status()).running).toBe(false);
    expect(await nginx.ensureRunning()).toEqual({ ok: true, output: "" });
    expect((await inspect(nginxName)).State.Running).toBe(true);
    expect((await viaNginx(httpPort, "app.test")).body).toBe("hello from busybox");
  }, 120_000);

  test("setup problems are reported with the fix: NGINX_CONTAINER unset, no such container, no mount", async () => {
    const dir = mkdtempSync(join(tmpdir(), "infrapilot-nginx-ctr-bad-"));
    const unset = new ContainerNginx({ container: undefined, confDir: dir, runtime });
    expect(await unset.problem()).toMatch(/NGINX_MODE=container needs NGINX_CONTAINER/);
    const apply = await unset.apply({ files: { "nginx.conf": "events {}\n" } }).catch((e: Error) => e.message);
    expect(apply).toMatch(/needs NGINX_CONTAINER/);

    const missing = new ContainerNginx({ container: `no-such-${runId}`, confDir: dir, runtime });
    expect(await missing.problem()).toMatch(new RegExp(`no-such-${runId} \\(NGINX_CONTAINER\\) does not exist. Create it with .*-v ${dir}:${dir}`));

    const noEngine = new ContainerNginx({ container: "infrapilot-nginx", confDir: dir, runtime: new LocalAgent({ dockerHost: `unix://${dir}/no-docker.sock`, nginxBin: null }) });
    expect(await noEngine.problem()).toMatch(/Docker engine not reachable at .*no-docker\.sock.*start Docker or set DOCKER_HOST/);

    const unmounted = `ip-nginx-unmounted-${runId}`;
    await dockerRun(unmounted, ["--network", "none", image]);
    const noMount = new ContainerNginx({ container: unmounted, confDir: dir, runtime });
    const problem = await noMount.problem(true);
    expect(problem).toContain(`does not see InfraPilot's nginx directory ${dir}`);
    expect(problem).toContain(`Mount it at the same path: -v ${dir}:${dir}`);

    const noNginx = `ip-busybox-${runId}`;
    await dockerRun(noNginx, ["--network", "none", "-v", `${dir}:${dir}`, TEST_IMAGE], ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]);
    expect(await new ContainerNginx({ container: noNginx, confDir: dir, runtime }).problem(true)).toMatch(/has no nginx binary/);
  }, 120_000);

  test("nginx on a user network joins the network of each target container; host-network targets are refused with the reason", async () => {
    const netA = `ip-net-a-${runId}`;
    const netB = `ip-net-b-${runId}`;
    for (const n of [netA, netB]) {
      await docker(dockerHost, ["network", "create", "--label", `${TEST_LABEL}=${runId}`, n]);
      networks.push(n);
    }
    const dir = mkdtempSync(join(tmpdir(), "infrapilot-nginx-ctr-net-"));
    const nginxB = `ip-nginx-net-${runId}`;
    await dockerRun(nginxB, ["--network", netA, "-v", `${dir}:${dir}`, image]);
    const app = `ip-app-${runId}`;
    await dockerRun(app, ["--network", netB, TEST_IMAGE], ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]);
    const onHost = `ip-hostnet-${runId}`;
    await dockerRun(onHost, ["--network", "host", TEST_IMAGE], ["sh", "-c", "trap 'exit 0' TERM; while true; do sleep 1; done"]);

    const nginx = new ContainerNginx({ container: nginxB, confDir: dir, runtime });
    const files = renderTree({
      settings: { listenAddress: "127.0.0.1", httpPort: 8080, httpsPort: 8443, resolver: "127.0.0.11", user: "root", defaultSite: { mode: "404" } },
      hosts: [
        { ...base, id: "h-app", domains: ["app.test"], upstream: { scheme: "http", host: app, port: 80 } },
        { ...base, id: "h-hostnet", domains: ["hostnet.test"], upstream: { scheme: "http", host: onHost, port: 80 } },
        { ...base, id: "h-dns", domains: ["dns.test"], upstream: { scheme: "http", host: "example.internal", port: 80 } },
      ] as never,
      accessLists: [],
      certificates: [],
    });
    const result = await nginx.apply({ files, isolatePrefix: "hosts/" });
    expect(result.ok).toBe(true);
    expect(result.rejected).toEqual([{ path: "hosts/h-hostnet.conf", message: expect.stringContaining(`Container ${onHost} is on the host network`) }]);
    expect(await nginx.liveFile("hosts/h-app.conf")).toContain(`set $ip_upstream http://${app}:80;`);
    expect(await nginx.liveFile("hosts/h-hostnet.conf")).not.toContain(onHost);
    // Attachment checked through the engine only (no traffic to container addresses).
    const attached = Object.keys((await inspect(nginxB)).NetworkSettings.Networks).sort();
    expect(attached).toEqual([netA, netB].sort());
    expect((await nginx.status()).running).toBe(true);

    // A second apply finds it attached already and changes nothing.
    expect((await nginx.apply({ files, isolatePrefix: "hosts/" })).ok).toBe(true);
    expect(Object.keys((await inspect(nginxB)).NetworkSettings.Networks).sort()).toEqual([netA, netB].sort());

    // nginx on the host network cannot join a container network: said per host, others still go live.
    const hostNginx = new ContainerNginx({ container: nginxName, confDir, runtime });
    const refused = await hostNginx.apply({
      files: renderTree({
        settings: { listenAddress: "127.0.0.1", httpPort, httpsPort: 8443, resolver: "127.0.0.11", user: "root", defaultSite: { mode: "404" } },
        hosts: [{ ...base, id: "h-app", domains: ["app.test"], upstream: { scheme: "http", host: app, port: 80 } }] as never,
        accessLists: [],
        certificates: [],
      }),
      isolatePrefix: "hosts/",
    });
    expect(refused.rejected).toEqual([{ path: "hosts/h-app.conf", message: expect.stringContaining("runs with --network host and cannot join") }]);
    await nginx.stop();
  }, 180_000);

  test("a container whose own command is nginx on the live tree is found, reloaded and started with the container", async () => {
    const dir = mkdtempSync(join(tmpdir(), "infrapilot-nginx-ctr-own-"));
    const port = await freePort();
    const tree = (upstreamPort: number) =>
      renderTree({
        settings: { listenAddress: "127.0.0.1", httpPort: port, httpsPort: 8443, resolver: "127.0.0.1", user: "root", defaultSite: { mode: "404" } },
        hosts: [{ ...base, id: "h-one", domains: ["one.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstreamPort } }] as never,
        accessLists: [],
        certificates: [],
      });
    const v1 = await busyboxUpstream("own nginx v1");
    const v2 = await busyboxUpstream("own nginx v2");
    // A first tree, written through an idle container; then a container whose command is that nginx.
    const seedName = `ip-nginx-seed-${runId}`;
    await dockerRun(seedName, ["--network", "host", "-v", `${dir}:${dir}`, image]);
    const seed = new ContainerNginx({ container: seedName, confDir: dir, runtime });
    expect((await seed.apply({ files: tree(v1) })).ok).toBe(true);
    await seed.stop();
    await docker(dockerHost, ["rm", "-f", seedName]);

    const own = `ip-nginx-own-${runId}`;
    await dockerRun(own, ["--network", "host", "-v", `${dir}:${dir}`, image], ["nginx", "-p", `${dir}/`, "-c", `${dir}/live/nginx.conf`, "-g", "daemon off;"]);
    const nginx = new ContainerNginx({ container: own, confDir: dir, runtime });
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !(await nginx.status()).running) await new Promise((r) => setTimeout(r, 50));
    expect(await viaNginx(port, "one.test")).toEqual({ status: 200, body: "own nginx v1" });

    const applied = await nginx.apply({ files: tree(v2) });
    expect({ ok: applied.ok, reloads: applied.reloads, started: applied.started }).toEqual({ ok: true, reloads: 1, started: false });
    expect(await viaNginx(port, "one.test")).toEqual({ status: 200, body: "own nginx v2" });

    // Stopped with its container; brought back by starting the container, not by a second nginx.
    await docker(dockerHost, ["stop", "-t", "5", own]);
    expect(await nginx.ensureRunning()).toEqual({ ok: true, output: "" });
    expect(await viaNginx(port, "one.test")).toEqual({ status: 200, body: "own nginx v2" });
    const masters = (await docker(dockerHost, ["top", own, "-eo", "pid,args"])).split("\n").filter((l) => l.includes("nginx: master process"));
    expect(masters).toHaveLength(1);
    await docker(dockerHost, ["rm", "-f", own]);
  }, 180_000);
});

describe("NGINX_MODE=container at server start", () => {
  test("the server starts the stopped nginx container and nginx in it on the last good tree", async () => {
    const dir = mkdtempSync(join(tmpdir(), "infrapilot-nginx-ctr-boot-"));
    const name = `ip-nginx-boot-${runId}`;
    await dockerRun(name, ["--network", "host", "-v", `${dir}:${dir}`, image]);
    const port = await freePort();
    const env = {
      NGINX_MODE: "container",
      NGINX_CONTAINER: name,
      NGINX_CONF_DIR: dir,
      DOCKER_HOST: dockerHost,
      NGINX_HTTP_PORT: String(port),
      NGINX_HTTPS_PORT: String(await freePort()),
      NGINX_LISTEN_ADDRESS: "127.0.0.1",
    };
    const first = await startServer({ env });
    servers.push(first);
    const admin = await setUpServer(first);
    const agent = (await (await admin.request("/api/v1/agents")).json()).items[0].id;
    const upstream = await busyboxUpstream("served after a reboot");
    const created = await admin.post(`/api/v1/agents/${agent}/proxies`, { kind: "proxy", domains: ["boot.test"], upstream: { scheme: "http", host: "127.0.0.1", port: upstream } });
    expect(created.status).toBe(201);
    expect(await viaNginx(port, "boot.test")).toEqual({ status: 200, body: "served after a reboot" });

    // A "reboot": InfraPilot and the nginx container both go away; InfraPilot comes back.
    await first.stop();
    await docker(dockerHost, ["stop", "-t", "1", name]);
    await expect(viaNginx(port, "boot.test")).rejects.toThrow(/ECONNREFUSED/);
    const second = await startServer({ env, dataDir: first.dataDir, database: first.databaseUrl });
    servers.push(second);
    const deadline = Date.now() + 30_000;
    let res: { status: number; body: string } | null = null;
    while (Date.now() < deadline && !res) res = await viaNginx(port, "boot.test").catch(() => new Promise<null>((r) => setTimeout(() => r(null), 100)));
    expect(res).toEqual({ status: 200, body: "served after a reboot" });
    expect((await inspect(name)).State.Running).toBe(true);
    await second.stop();
  }, 180_000);

  test("a missing nginx container is a warning at start and the Proxies page says how to fix it", async () => {
    const server = await startServer({
      env: { NGINX_MODE: "container", NGINX_CONTAINER: `absent-${runId}`, DOCKER_HOST: dockerHost, NGINX_HTTP_PORT: String(await freePort()), NGINX_HTTPS_PORT: String(await freePort()), NGINX_LISTEN_ADDRESS: "127.0.0.1" },
    });
    servers.push(server);
    const admin = await setUpServer(server);
    const deadline = Date.now() + 15_000;
    while (Date.now() < deadline && !server.output().includes("does not exist")) await new Promise((r) => setTimeout(r, 50));
    expect(server.output()).toContain(`The nginx container absent-${runId} (NGINX_CONTAINER) does not exist`);
    const page = await (await admin.request("/proxies")).text();
    expect(page).toContain(`absent-${runId} (NGINX_CONTAINER) does not exist`);
    const health = (await (await admin.request("/api/v1/health")).json()) as { areas: { nginx: { status: string; reasons: string[] } } };
    expect(health.areas.nginx.status).toBe("fail");
    expect(health.areas.nginx.reasons.join("\n")).toContain(`absent-${runId} (NGINX_CONTAINER) does not exist`);
  }, 120_000);
});
