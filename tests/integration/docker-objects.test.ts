// Images, volumes and networks through the REST API against the real server and a real Docker
// engine: a private dockerd of this file's own (prunes must not touch other tests' images and
// volumes on the shared engine) and a real registry on loopback to pull from (no internet here).
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { docker, TEST_IMAGE } from "../setup/docker";
import { IDLE, localAgentId, PrivateDockerd, userClient } from "../setup/containers";
import { TestRegistry } from "../setup/registry";
import { secondOrganizationClient, setUpServer, startServer, type Client, type TestServer } from "../setup/server";

const SCRIPT = fileURLToPath(new URL("../../scripts/docker-test-env.sh", import.meta.url));
const engine = new PrivateDockerd();
const registry = new TestRegistry();
let server: TestServer;
let admin: Client;
let operator: Client;
let viewer: Client;
let base: string;
const d = (args: string[]) => docker(engine.dockerHost, args, 120_000).then((out) => out.trim());

beforeAll(async () => {
  await Promise.all([engine.start(), registry.start()]);
  await new Promise<void>((resolve, reject) =>
    execFile("bash", [SCRIPT, "image"], { env: { ...process.env, DOCKER_HOST: engine.dockerHost }, timeout: 120_000 }, (error) => (error ? reject(error) : resolve())),
  );
  server = await startServer({ env: { DOCKER_HOST: engine.dockerHost } });
  admin = await setUpServer(server);
  operator = await userClient(server, admin, "operator", "operator@example.com");
  viewer = await userClient(server, admin, "viewer", "viewer@example.com");
  base = `/api/v1/agents/${await localAgentId(admin)}`;
}, 240_000);

afterAll(async () => {
  await server?.stop();
  await engine.destroy();
  await registry.destroy();
});

async function auditActions(client: Client, target: string): Promise<string[]> {
  const body = await (await client.request(`/api/v1/audit?target=${encodeURIComponent(target)}&limit=50`)).json();
  return body.items.map((e: { action: string; outcome: string }) => `${e.action}:${e.outcome}`);
}

async function readLines(res: Response): Promise<{ type: string; [key: string]: unknown }[]> {
  return (await res.text()).split("\n").filter(Boolean).map((l) => JSON.parse(l));
}

/** A one-file image imported under `tag` (its content differs per call). */
async function importImage(tag: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "img-"));
  writeFileSync(join(dir, "file"), `${tag} ${Math.random()}`);
  await new Promise<void>((resolve, reject) => execFile("tar", ["-C", dir, "-cf", join(dir, "..", `${dir.split("/").pop()}.tar`), "file"], (e) => (e ? reject(e) : resolve())));
  const id = await d(["import", `${dir}.tar`, tag]);
  rmSync(dir, { recursive: true, force: true });
  rmSync(`${dir}.tar`, { force: true });
  return id;
}

describe("images", () => {
  test("an operator pulls from a registry with progress streamed; the image is listed with size and tags, and the pull is audited", async () => {
    const reference = `${registry.host}/i20/busybox:1.0`;
    await d(["tag", TEST_IMAGE, reference]);
    await d(["push", reference]);
    await d(["rmi", reference]);

    const res = await operator.post(`${base}/images/pull`, { reference });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/application\/x-ndjson/);
    const lines = await readLines(res);
    expect(lines.filter((l) => l.type === "progress").length).toBeGreaterThan(0);
    expect(lines.some((l) => l.type === "progress" && /Pull complete|Downloaded newer image|Already exists/.test(String(l.status)))).toBe(true);
    const done = lines.at(-1)!;
    expect(done).toMatchObject({ type: "done", reference, image: { tags: expect.arrayContaining([reference]), dangling: false } });

    const list = await (await viewer.request(`${base}/images`)).json();
    const item = list.items.find((i: { tags: string[] }) => i.tags.includes(reference));
    expect(item).toMatchObject({ id: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), shortId: expect.stringMatching(/^[0-9a-f]{12}$/), containers: [], protection: null });
    expect(item.sizeBytes).toBeGreaterThan(100_000);
    expect(Date.parse(item.createdAt)).not.toBeNaN();
    expect(list.totalBytes).toBeGreaterThanOrEqual(item.sizeBytes);
    expect(await auditActions(admin, reference)).toContain("image.pull:success");
  });

  test("a pull of a tag the registry does not have ends with an error line, audited as a failure", async () => {
    const reference = `${registry.host}/i20/busybox:missing`;
    const res = await operator.post(`${base}/images/pull`, { reference });
    expect(res.status).toBe(200);
    const last = (await readLines(res)).at(-1)!;
    expect(last).toMatchObject({ type: "error", error: { message: expect.stringMatching(/missing|not found|manifest unknown/i) } });
    expect(await auditActions(admin, reference)).toContain("image.pull:failure");
  });

  test("invalid references are 400 with a field error and never reach the engine; viewers cannot pull", async () => {
    for (const reference of ["", "Busybox", "busybox; rm -rf /", "a b", "$(id)", "busybox:", "-busybox", "x".repeat(300)]) {
      const res = await operator.post(`${base}/images/pull`, { reference });
      expect(res.status, reference).toBe(400);
      expect((await res.json()).error.fields.reference, reference).toBeTruthy();
    }
    const res = await viewer.post(`${base}/images/pull`, { reference: "busybox:latest" });
    expect(res.status).toBe(403);
  });

  test("an image in use shows its containers and is removed only when forced; removing is for admins", async () => {
    const tag = "i20-used:1";
    const id = await importImage(tag);
    const container = await d(["create", "--name", "i20-user", tag, "sh"]);
    const listed = (await (await viewer.request(`${base}/images`)).json()).items.find((i: { id: string }) => i.id === id);
    expect(listed.containers).toEqual([{ id: container, name: "i20-user", state: "created" }]);

    expect((await operator.request(`${base}/images/${id}`, { method: "DELETE" })).status).toBe(403);
    const refused = await admin.request(`${base}/images/${id}`, { method: "DELETE" });
    expect(refused.status).toBe(409);
    expect((await refused.json()).error.message).toMatch(/used by i20-user/);
    const forced = await admin.request(`${base}/images/${id}?force=true`, { method: "DELETE" });
    expect(forced.status).toBe(200);
    expect((await forced.json()).deleted.length).toBeGreaterThan(0);
    expect(await d(["images", "-q", tag])).toBe("");
    expect(await auditActions(admin, id)).toEqual(expect.arrayContaining(["image.remove:success"]));
    expect((await admin.request(`${base}/images/sha256:${"0".repeat(64)}`, { method: "DELETE" })).status).toBe(404);
    expect((await admin.request(`${base}/images/not-an-id`, { method: "DELETE" })).status).toBe(404);
    await d(["rm", container]);
  });

  test("an image used by InfraPilot's own deployment is never removed, even forced (409 self_protected, audited)", async () => {
    const tag = "i20-self:1";
    const id = await importImage(tag);
    await d(["create", "--name", "i20-panel", "--label", "io.infrapilot.protected=true", tag, "sh"]);
    const listed = (await (await viewer.request(`${base}/images`)).json()).items.find((i: { id: string }) => i.id === id);
    expect(listed.protection).toMatch(/i20-panel/);
    const res = await admin.request(`${base}/images/${id}?force=true`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect((await res.json()).error.code).toBe("self_protected");
    expect(await d(["images", "-q", tag])).not.toBe("");
    expect(await auditActions(admin, id)).toContain("image.remove:denied");
  });

  test("prune removes dangling images, then every unused one, and says how much space it reclaimed", async () => {
    const dangling = await importImage("i20-prune:1");
    await importImage("i20-prune:1"); // takes the tag: the first one is dangling now
    const unused = await importImage("i20-unused:1");
    await d(["create", "--name", "i20-keeper", TEST_IMAGE, "sh"]);
    expect((await operator.post(`${base}/images/prune`, {})).status).toBe(403);

    const first = await admin.post(`${base}/images/prune`, { all: false });
    expect(first.status).toBe(200);
    const report = await first.json();
    expect(report.deleted).toContain(dangling);
    expect(report.reclaimedBytes).toBeGreaterThanOrEqual(0);
    expect(await d(["images", "-q", "i20-unused:1"])).not.toBe("");

    const all = await (await admin.post(`${base}/images/prune`, { all: true })).json();
    expect(all.deleted).toContain(unused);
    // In use (by a created container) or the panel's own: kept.
    expect(await d(["images", "-q", "i20-self:1"])).not.toBe("");
    expect(await d(["images", "-q", TEST_IMAGE])).not.toBe("");
    expect(await auditActions(admin, "image")).toEqual(expect.arrayContaining(["image.prune:success"]));
    expect((await admin.post(`${base}/images/prune`, { all: "yes" })).status).toBe(400);
  });
});

describe("volumes", () => {
  test("volumes list the containers using them and their size; an unused one is removed, a used one refused", async () => {
    await d(["volume", "create", "i20-free"]);
    const container = await d(["run", "-d", "--name", "i20-vol-user", "-v", "i20-data:/data", TEST_IMAGE, ...IDLE]);
    await d(["exec", container, "sh", "-c", "dd if=/dev/zero of=/data/blob bs=1024 count=64 2>/dev/null"]);

    const body = await (await viewer.request(`${base}/volumes`)).json();
    const data = body.items.find((v: { name: string }) => v.name === "i20-data");
    expect(data.containers).toEqual([{ id: container, name: "i20-vol-user", state: "running" }]);
    expect(data.sizeBytes).toBeGreaterThanOrEqual(64 * 1024);
    expect(body.sizesKnown).toBe(true);
    expect((await (await viewer.request(`${base}/volumes?sizes=false`)).json()).items.every((v: { sizeBytes: unknown }) => v.sizeBytes === null)).toBe(true);

    expect((await operator.request(`${base}/volumes/i20-free`, { method: "DELETE" })).status).toBe(403);
    const used = await admin.request(`${base}/volumes/i20-data`, { method: "DELETE" });
    expect(used.status).toBe(409);
    expect((await used.json()).error.message).toMatch(/i20-vol-user/);
    expect((await admin.request(`${base}/volumes/i20-free`, { method: "DELETE" })).status).toBe(204);
    expect(await d(["volume", "ls", "-q", "--filter", "name=i20-free"])).toBe("");
    expect(await auditActions(admin, "i20-free")).toContain("volume.remove:success");
    expect((await admin.request(`${base}/volumes/no-such-volume`, { method: "DELETE" })).status).toBe(404);
    await d(["rm", "-f", container]);
  });

  test("prune removes unused anonymous volumes, then named ones, never the panel's own", async () => {
    const anon = await d(["create", "--name", "i20-anon", "-v", "/scratch", TEST_IMAGE, "sh"]);
    const anonVolume = await d(["inspect", "-f", "{{range .Mounts}}{{.Name}}{{end}}", anon]);
    await d(["rm", anon]);
    await d(["volume", "create", "i20-named"]);
    await d(["volume", "create", "--label", "io.infrapilot.protected=true", "i20-panel-data"]);

    const first = await (await admin.post(`${base}/volumes/prune`, {})).json();
    expect(first.deleted).toContain(anonVolume);
    expect(first.deleted).not.toContain("i20-named");
    const all = await (await admin.post(`${base}/volumes/prune`, { all: true })).json();
    expect(all.deleted).toContain("i20-named");
    expect(all.deleted).not.toContain("i20-panel-data");
    expect(await d(["volume", "ls", "-q", "--filter", "name=i20-panel-data"])).toBe("i20-panel-data");
    const remove = await admin.request(`${base}/volumes/i20-panel-data`, { method: "DELETE" });
    expect(remove.status).toBe(409);
    expect((await remove.json()).error.code).toBe("self_protected");
  });
});

describe("networks", () => {
  test("an operator creates a user network with a subnet; it lists attached containers; an admin removes it once empty", async () => {
    const created = await operator.post(`${base}/networks`, { name: "i20-net", subnet: "10.123.0.0/24", gateway: "10.123.0.1", internal: true });
    expect(created.status).toBe(201);
    const { network } = await created.json();
    expect(network).toMatchObject({ name: "i20-net", driver: "bridge", internal: true, builtIn: false, subnets: [{ subnet: "10.123.0.0/24", gateway: "10.123.0.1" }] });
    expect(await d(["network", "inspect", "-f", "{{range .IPAM.Config}}{{.Subnet}}{{end}}", "i20-net"])).toBe("10.123.0.0/24");
    // Created under its name (the id comes with the answer), removed by id.
    expect(await auditActions(admin, "i20-net")).toContain("network.create:success");

    const container = await d(["run", "-d", "--name", "i20-net-user", "--network", "i20-net", TEST_IMAGE, ...IDLE]);
    const listed = (await (await viewer.request(`${base}/networks`)).json()).items.find((n: { name: string }) => n.name === "i20-net");
    expect(listed.containers).toEqual([{ id: container, name: "i20-net-user", state: "running", ipv4Address: expect.stringMatching(/^10\.123\.0\.\d+/) }]);

    expect((await operator.request(`${base}/networks/${network.id}`, { method: "DELETE" })).status).toBe(403);
    const busy = await admin.request(`${base}/networks/${network.id}`, { method: "DELETE" });
    expect(busy.status).toBe(409);
    expect((await busy.json()).error.message).toMatch(/i20-net-user/);
    await d(["rm", "-f", container]);
    expect((await admin.request(`${base}/networks/i20-net`, { method: "DELETE" })).status).toBe(204);
    expect(await d(["network", "ls", "-q", "--filter", "name=^i20-net$"])).toBe("");
    expect(await auditActions(admin, network.id)).toContain("network.remove:success");
  });

  test("bad names, subnets and gateways are 400 with field errors; duplicates too; viewers cannot create", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [{ name: "bad name" }, "name"],
      [{ name: "x;rm" }, "name"],
      [{ name: "host" }, "name"],
      [{ name: "i20-a", subnet: "10.0.0.5/24" }, "subnet"],
      [{ name: "i20-a", subnet: "300.1.0.0/16" }, "subnet"],
      [{ name: "i20-a", subnet: "10.0.0.0/31" }, "subnet"],
      [{ name: "i20-a", subnet: "10.9.0.0/24", gateway: "10.8.0.1" }, "gateway"],
      [{ name: "i20-a", subnet: "10.9.0.0/24", gateway: "10.9.0.255" }, "gateway"],
      [{ name: "i20-a", gateway: "10.9.0.1" }, "gateway"],
      [{ name: "i20-a", driver: "macvlan" }, "driver"],
    ];
    for (const [input, field] of cases) {
      const res = await operator.post(`${base}/networks`, input);
      expect(res.status, JSON.stringify(input)).toBe(400);
      expect((await res.json()).error.fields[field], JSON.stringify(input)).toBeTruthy();
    }
    expect((await operator.post(`${base}/networks`, { name: "i20-dup" })).status).toBe(201);
    const dup = await operator.post(`${base}/networks`, { name: "i20-dup" });
    expect(dup.status).toBe(400);
    expect((await dup.json()).error.fields.name).toMatch(/already exists/);
    expect((await viewer.post(`${base}/networks`, { name: "i20-viewer" })).status).toBe(403);
  });

  test("the engine's own networks cannot be removed", async () => {
    const items = (await (await viewer.request(`${base}/networks`)).json()).items as { id: string; name: string; builtIn: boolean }[];
    const host = items.find((n) => n.name === "host")!;
    expect(host.builtIn).toBe(true);
    const res = await admin.request(`${base}/networks/${host.id}`, { method: "DELETE" });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/engine's own/);
  });
});

test("another organization's agent id is a 404 for every object route", async () => {
  const other = await secondOrganizationClient(server);
  for (const path of ["/images", "/volumes", "/networks"]) expect((await other.request(`${base}${path}`)).status, path).toBe(404);
  expect((await other.post(`${base}/images/pull`, { reference: "busybox:latest" })).status).toBe(404);
  expect((await other.post(`${base}/images/prune`, { all: true })).status).toBe(404);
  expect((await other.post(`${base}/volumes/prune`, { all: true })).status).toBe(404);
  expect((await other.post(`${base}/networks`, { name: "i20-other" })).status).toBe(404);
  expect((await other.request(`${base}/volumes/i20-data`, { method: "DELETE" })).status).toBe(404);
});
