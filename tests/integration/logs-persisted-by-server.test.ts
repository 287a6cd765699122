// The running server persists the built-in agent's container logs by itself: after first-run
// setup, lines a container prints become searchable history without anyone watching.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { removeTestContainers } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";

const RUN_ID = `persist-${process.pid}-${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
let server: TestServer;
let admin: Client;

beforeAll(async () => {
  server = await startServer({ env: { DOCKER_HOST: dockerHost } });
  admin = await setUpServer(server);
});
afterAll(async () => {
  await server?.stop();
  await removeTestContainers(dockerHost, RUN_ID);
});

async function eventually<T>(fn: () => Promise<T | undefined>, ms = 30_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await fn();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error("not found in time");
    await new Promise((r) => setTimeout(r, 500));
  }
}

describe("log persistence in the running server", () => {
  test("lines printed by a container become searchable history", async () => {
    const marker = `persisted-${RUN_ID}`;
    const id = await runContainer(dockerHost, RUN_ID, `${RUN_ID}-printer`, ["sh", "-c", `echo ${marker} one; sleep 0.2; echo ERROR ${marker} two >&2; while true; do sleep 1; done`]);
    const items = await eventually(async () => {
      const res = await admin.request(`/api/v1/logs?q=${encodeURIComponent(marker)}`);
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: { message: string; stream: string; level: string; source: { containerId: string } }[] };
      return body.items.length >= 2 ? body.items : undefined;
    });
    expect(items.map((l) => l.message)).toEqual([`ERROR ${marker} two`, `${marker} one`]);
    expect(items[0]).toMatchObject({ stream: "stderr", level: "error", source: { containerId: id } });
    expect(items[1]).toMatchObject({ stream: "stdout", source: { containerId: id } });
  });
});

describe("without a Docker engine", () => {
  test("the server keeps running while the log collector waits for the engine", async () => {
    const lonely = await startServer({ env: { DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
    try {
      await setUpServer(lonely);
      // The collector starts within 5 s of boot and 15 s of setup, finds no engine and says so;
      // the server keeps answering.
      const deadline = Date.now() + 30_000;
      while (!/container events unavailable; retrying/.test(lonely.output())) {
        if (Date.now() > deadline) throw new Error(`the collector never reported the missing engine:\n${lonely.output()}`);
        await new Promise((r) => setTimeout(r, 200));
      }
      expect((await fetch(`${lonely.url}/healthz`)).status).toBe(200);
    } finally {
      expect(await lonely.stop()).toBe(0);
    }
  });
});
