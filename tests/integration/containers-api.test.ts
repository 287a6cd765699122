// The container REST API and its authorization against the real server and a real Docker engine.
// Every container here is a labelled busybox container removed afterwards; traffic stays on
// loopback and unix sockets.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { docker, removeTestContainers } from "../setup/docker";
import { connectUi, IDLE, localAgentId, PrivateDockerd, runContainer, userClient } from "../setup/containers";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";

const RUN_ID = `api-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let admin: Client;
let operator: Client;
let viewer: Client;
let agentId: string;
let base: string;

beforeAll(async () => {
  server = await startServer({ env: { DOCKER_HOST: dockerHost } });
  admin = await setUpServer(server);
  operator = await userClient(server, admin, "operator", "operator@example.com");
  viewer = await userClient(server, admin, "viewer", "viewer@example.com");
  agentId = await localAgentId(admin);
  base = `/api/v1/agents/${agentId}/containers`;
});

afterAll(async () => {
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

const name = (suffix: string) => `${RUN_ID}-${suffix}`;

async function state(id: string): Promise<string> {
  return (await docker(dockerHost, ["inspect", "-f", "{{.State.Status}}", id])).trim();
}

describe("agents", () => {
  test("the built-in agent is listed, online, with the engine's version", async () => {
    const res = await viewer.request("/api/v1/agents");
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items).toEqual([expect.objectContaining({ id: agentId, name: "local", kind: "local", status: "online", dockerVersion: expect.stringMatching(/^\d+\./) })]);
    expect(body.nextCursor).toBeNull();
  });

  test("an agent id that is not the organization's is a 404", async () => {
    const res = await admin.request(`/api/v1/agents/00000000-0000-4000-8000-000000000000/containers`);
    expect(res.status).toBe(404);
    expect((await admin.request(`/api/v1/agents/not-a-uuid/containers`)).status).toBe(404);
  });
});

describe("containers", () => {
  test("the list groups compose projects by their label, filters by text and hides stopped ones unless all=true", async () => {
    const stack = `${RUN_ID}-shop`;
    const compose = (service: string) => ["--label", `com.docker.compose.project=${stack}`, "--label", `com.docker.compose.service=${service}`];
    await runContainer(dockerHost, RUN_ID, name("shop-web"), IDLE, compose("web"));
    await runContainer(dockerHost, RUN_ID, name("shop-db"), IDLE, compose("db"));
    const lone = await runContainer(dockerHost, RUN_ID, name("lone"), ["sh", "-c", "exit 0"]);
    await docker(dockerHost, ["wait", lone]);

    const running = await (await viewer.request(`${base}?q=${RUN_ID}`)).json();
    expect(running.items.map((c: { name: string }) => c.name).sort()).toEqual([name("shop-db"), name("shop-web")]);
    for (const item of running.items) {
      expect(item).toMatchObject({ stack, state: "running", image: "infrapilot-test/busybox:latest", health: "none", ports: [] });
      expect(item.id).toMatch(/^[0-9a-f]{64}$/);
      expect(Date.parse(item.createdAt)).not.toBeNaN();
      // Fresh stats come with the list: a running container uses some memory.
      expect(item.memoryBytes).toBeGreaterThan(0);
      expect(item.memoryLimitBytes).toBeGreaterThan(0);
      expect(item).toHaveProperty("cpuPercent");
    }

    const all = await (await viewer.request(`${base}?all=true&q=${RUN_ID}`)).json();
    const loneItem = all.items.find((c: { name: string }) => c.name === name("lone"));
    expect(loneItem).toMatchObject({ stack: null, state: "exited", cpuPercent: null, memoryBytes: null });
    const byStack = await (await viewer.request(`${base}?all=true&stack=${stack}`)).json();
    expect(byStack.items).toHaveLength(2);
  });

  test("start, stop, restart and remove change the real container, and are audited", async () => {
    const id = (await docker(dockerHost, ["create", "--name", name("life"), "--label", `infrapilot.test=${RUN_ID}`, "infrapilot-test/busybox:latest", ...IDLE])).trim();

    const started = await operator.post(`${base}/${id}/start`, {});
    expect(started.status).toBe(200);
    expect((await started.json()).container).toMatchObject({ id, name: name("life"), state: { status: "running", running: true } });
    expect(await state(id)).toBe("running");

    const stopped = await operator.post(`${base}/${name("life")}/stop`, {});
    expect(stopped.status).toBe(200);
    expect((await stopped.json()).container.state.status).toBe("exited");
    expect(await state(id)).toBe("exited");

    // Acting on a container in the wrong state is a clear 409, not an error page.
    const again = await operator.post(`${base}/${id}/stop`, {});
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatchObject({ code: "conflict", message: expect.stringMatching(/is not running/) });

    expect((await operator.post(`${base}/${id}/restart`, {})).status).toBe(200);
    expect(await state(id)).toBe("running");

    // Removing is for admins; the operator is refused before anything reaches Docker.
    expect((await operator.request(`${base}/${id}?force=true`, { method: "DELETE" })).status).toBe(403);
    const running = await admin.request(`${base}/${id}`, { method: "DELETE" });
    expect(running.status).toBe(409);
    expect((await running.json()).error.message).toMatch(/running/);
    expect((await admin.request(`${base}/${id}?force=true`, { method: "DELETE" })).status).toBe(204);
    expect((await admin.request(`${base}/${id}`)).status).toBe(404);

    const audit = await (await admin.request(`/api/v1/audit?target=${id}&limit=50`)).json();
    const actions = audit.items.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`);
    expect(actions).toEqual(
      expect.arrayContaining(["container.start:success", "container.stop:success", "container.stop:failure", "container.restart:success", "container.remove:success"]),
    );
  });

  test("a container Docker cannot start is a 409 with Docker's reason, not a 500", async () => {
    const id = (await docker(dockerHost, ["create", "--name", name("broken"), "--label", `infrapilot.test=${RUN_ID}`, "infrapilot-test/busybox:latest", "/no/such/program"])).trim();
    for (const verb of ["start", "restart"]) {
      const res = await operator.post(`${base}/${id}/${verb}`, {});
      expect(res.status).toBe(409);
      expect((await res.json()).error).toMatchObject({ code: "conflict", message: expect.stringMatching(new RegExp(`^Docker could not ${verb} the container: .*(no such file|not found)`, "i")) });
    }
  });

  test("a viewer can read but cannot stop or delete; unknown ids are 404", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("guarded"));
    expect((await viewer.request(`${base}/${id}`)).status).toBe(200);
    const stop = await viewer.post(`${base}/${id}/stop`, {});
    expect(stop.status).toBe(403);
    expect((await stop.json()).error.code).toBe("forbidden");
    expect((await viewer.request(`${base}/${id}?force=true`, { method: "DELETE" })).status).toBe(403);
    expect((await viewer.request(`${base}/${id}/logs`)).status).toBe(403);
    // the page's own form action, posted like the browser would, is refused the same way
    for (const intent of ["stop", "delete"]) {
      const res = await viewer.form("/containers", { intent, agentId, containerId: id, confirmation: name("guarded") });
      const text = await res.text();
      expect(text, intent).toMatch(/not allowed|does not allow/);
    }
    expect(await state(id)).toBe("running");

    for (const unknown of ["0".repeat(64), "no-such-container", "bad%2Fid"]) {
      const res = await admin.request(`${base}/${unknown}`);
      expect(res.status, unknown).toBe(404);
      expect((await admin.post(`${base}/${unknown}/start`, {})).status).toBe(404);
    }
    expect((await admin.post(`${base}/${id}/explode`, {})).status).toBe(404);
    // An action asked for with GET is a 405 naming the method to use, and does nothing.
    const get = await admin.request(`${base}/${id}/stop`);
    expect(get.status).toBe(405);
    expect(get.headers.get("allow")).toBe("POST");
    expect((await get.json()).error.code).toBe("method_not_allowed");
    expect(await state(id)).toBe("running");
  });

  test("secret-looking environment values are masked unless an admin reveals one of them (audited)", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("env"), IDLE, ["-e", "DB_PASSWORD=hunter2", "-e", "API_KEY=k3y", "-e", "GREETING=hello"]);
    const env = (body: { env: { key: string; value: string }[] }) => Object.fromEntries(body.env.map((e) => [e.key, e.value]));

    const masked = await (await operator.request(`${base}/${id}`)).json();
    expect(env(masked)).toMatchObject({ DB_PASSWORD: "••••", API_KEY: "••••", GREETING: "hello" });
    expect(JSON.stringify(masked)).not.toContain("hunter2");
    expect((await operator.request(`${base}/${id}?reveal=env:DB_PASSWORD`)).status).toBe(403);

    const revealed = await (await admin.request(`${base}/${id}?reveal=env:DB_PASSWORD`)).json();
    expect(env(revealed)).toMatchObject({ DB_PASSWORD: "hunter2", API_KEY: "••••" });
    const audit = await (await admin.request(`/api/v1/audit?action=container.secrets.reveal&target=${id}`)).json();
    expect(audit.items).toHaveLength(1);
  });

  test("logs come back in order with stdout and stderr told apart", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("logs"), ["sh", "-c", "echo one; sleep 0.1; echo two >&2; sleep 0.1; echo 'ERROR: three'; sleep 0.1; echo four >&2; sleep 1000"]);
    let items: { message: string; stream: string; level: string; time: string; source: unknown }[] = [];
    for (let i = 0; i < 50 && items.length < 4; i++) {
      items = (await (await operator.request(`${base}/${id}/logs?tail=100`)).json()).items;
      if (items.length < 4) await new Promise((r) => setTimeout(r, 100));
    }
    expect(items.map((l) => [l.message, l.stream])).toEqual([
      ["one", "stdout"],
      ["two", "stderr"],
      ["ERROR: three", "stdout"],
      ["four", "stderr"],
    ]);
    expect(items[2].level).toBe("error");
    expect(items[0]).toMatchObject({ source: { agentId, containerId: id, containerName: name("logs") }, time: expect.any(String) });
    const lastTwo = (await (await operator.request(`${base}/${id}/logs?tail=2`)).json()).items;
    expect(lastTwo.map((l: { message: string }) => l.message)).toEqual(["ERROR: three", "four"]);
    expect((await operator.request(`${base}/${id}/logs?follow=true`)).status).toBe(400);
  });

  test("over the socket, a viewer cannot open a terminal or tail logs with a raw container id; an operator can tail logs", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("socket-guard"));
    const ui = await connectUi(server, viewer);
    try {
      const terminal = await ui.ack("terminal:open", { agentId, containerId: id, shell: "sh", cols: 80, rows: 24 });
      expect(terminal).toMatchObject({ ok: false, error: { code: "forbidden" } });
      expect(await ui.ack("logs:subscribe", { agentId, containerId: id, tail: 10 })).toMatchObject({ ok: false, error: { code: "forbidden" } });
      expect(ui.events.some((e) => e.event === "terminal:output")).toBe(false);
      // The connection survives a refusal.
      expect(await ui.ack("containers:subscribe", { agentId })).toMatchObject({ ok: true });
    } finally {
      ui.close();
    }
    const audit = await (await admin.request(`/api/v1/audit?action=container.terminal.open`)).json();
    expect(audit.items.some((e: { outcome: string; targetId: string }) => e.outcome === "denied" && e.targetId === id)).toBe(true);

    const op = await connectUi(server, operator);
    try {
      expect(await op.ack("logs:subscribe", { agentId, containerId: id, tail: 10 })).toMatchObject({ ok: true });
      expect(await op.ack("terminal:open", { agentId, containerId: id })).toMatchObject({ ok: false, error: { code: "forbidden" } });
    } finally {
      op.close();
    }
  });

  test("a terminal into a stopped container answers with a clear message", async () => {
    const id = await runContainer(dockerHost, RUN_ID, name("stopped"), ["sh", "-c", "exit 0"]);
    await docker(dockerHost, ["wait", id]);
    const ui = await connectUi(server, admin);
    try {
      const result = await ui.ack("terminal:open", { agentId, containerId: id });
      expect(result).toMatchObject({ ok: false, error: { code: "conflict", message: expect.stringMatching(/not running/) } });
    } finally {
      ui.close();
    }
  });
});

describe("when the Docker engine goes away", () => {
  let engine: PrivateDockerd;
  let other: TestServer;

  afterAll(async () => {
    await other?.stop();
    await engine?.destroy();
  });

  test("the API answers 503 docker_unreachable, the page says so, and both recover when it is back", async () => {
    engine = new PrivateDockerd();
    await engine.start();
    other = await startServer({ env: { DOCKER_HOST: engine.dockerHost } });
    const client = await setUpServer(other);
    const id = await localAgentId(client);
    const list = `/api/v1/agents/${id}/containers?all=true`;
    expect((await client.request(list)).status).toBe(200);
    const ui = await connectUi(other, client);
    try {
      expect(await ui.ack("containers:subscribe", { agentId: id })).toMatchObject({ ok: true });
      await ui.waitFor("containers:list");

      await engine.stop();
      const down = await client.request(list);
      expect(down.status).toBe(503);
      const body = await down.json();
      expect(body.error).toMatchObject({ code: "docker_unreachable", message: expect.stringContaining(`Docker engine not reachable at ${engine.dockerHost}: `) });
      const html = await (await client.request("/containers")).text();
      expect(html).toContain("Docker engine not reachable at");
      // The rest of the app keeps working.
      expect((await client.request("/api/v1/me")).status).toBe(200);
      expect((await client.request("/dashboard")).status).toBe(200);
      const pushed = await ui.waitFor<{ message: string }>("containers:unreachable");
      expect(pushed.message).toContain("Docker engine not reachable at");

      await engine.start();
      const seen = ui.events.length;
      let status = 0;
      for (let i = 0; i < 50 && status !== 200; i++) {
        status = (await client.request(list)).status;
        if (status !== 200) await new Promise((r) => setTimeout(r, 200));
      }
      expect(status).toBe(200);
      expect(await (await client.request("/containers")).text()).not.toContain("Docker engine not reachable at");
      // The live feed recovers on its own and pushes the list again.
      await ui.waitFor("containers:list", undefined, 20_000, seen);
    } finally {
      ui.close();
    }
  });
});
