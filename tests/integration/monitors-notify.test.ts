// Monitor notifications through the real server (decision 062), against real loopback targets
// this file starts (an HTTP server with a controllable status, and a TLS server whose certificate
// expires in two days) and a real webhook receiver: resend-every-N while still down, maintenance
// windows that silence notifications, alert rules that target monitors by name, and one
// certificate-expiry warning per certificate without the monitor going down.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { createServer as createHttpsServer, type Server as HttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeChain } from "../setup/cert-chain";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { startReceivers, type Receivers } from "./alert-receivers";

const DAY = 86_400;
let server: TestServer;
let admin: Client;
let rx: Receivers;
let target: Server;
let targetPort: number;
let tls: HttpsServer;
let tlsPort: number;
let hookId: string;
let ruleHookId: string;
let caDir: string;
let status = 200;

beforeAll(async () => {
  target = createServer((_req, res) => {
    res.writeHead(status);
    res.end("ok");
  });
  await new Promise<void>((r) => target.listen(0, "127.0.0.1", r));
  targetPort = (target.address() as AddressInfo).port;
  // A certificate that ends in two days, from a throwaway CA the server process trusts.
  const chain = makeChain(["localhost"], 2);
  caDir = mkdtempSync(join(tmpdir(), "monitor-ca-"));
  writeFileSync(join(caDir, "root.pem"), chain.root);
  tls = createHttpsServer({ key: chain.leafKey, cert: chain.leaf + chain.intermediate }, (_req, res) => {
    res.writeHead(200);
    res.end("secure");
  });
  await new Promise<void>((r) => tls.listen(0, "127.0.0.1", r));
  tlsPort = (tls.address() as AddressInfo).port;
  rx = await startReceivers();
  server = await startServer({
    env: {
      ALERTS_ALLOWED_HOSTS: `127.0.0.1:${targetPort},localhost:${tlsPort},127.0.0.1:${rx.httpPort}`,
      NODE_EXTRA_CA_CERTS: join(caDir, "root.pem"),
    },
  });
  admin = await setUpServer(server);
  const hook = await admin.post("/api/v1/alerts/channels", { name: "hook", type: "webhook", config: { url: `http://127.0.0.1:${rx.httpPort}/monitors` } });
  hookId = ((await hook.json()) as { id: string }).id;
  const ruleHook = await admin.post("/api/v1/alerts/channels", { name: "rules", type: "webhook", config: { url: `http://127.0.0.1:${rx.httpPort}/rules` } });
  ruleHookId = ((await ruleHook.json()) as { id: string }).id;
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await rx?.close();
  await new Promise<void>((r) => (target ? target.close(() => r()) : r()));
  await new Promise<void>((r) => (tls ? tls.close(() => r()) : r()));
  if (caDir) rmSync(caDir, { recursive: true, force: true });
});

const get = (path: string) => admin.request(path);
const patch = (path: string, json: unknown) => admin.request(path, { method: "PATCH", json });
const titles = (path: string) => rx.requests.filter((r) => r.path === path).map((r) => (JSON.parse(r.body) as { title: string }).title);

async function create(body: Record<string, unknown>): Promise<string> {
  const res = await admin.post("/api/v1/monitors", { intervalSeconds: DAY, ...body });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}
const checkNow = async (id: string) => expect((await admin.post(`/api/v1/monitors/${id}/check`, {})).status).toBe(200);
const settle = () => new Promise((r) => setTimeout(r, 300));

describe("monitor notifications", () => {
  test("resend-every-N: while still down, every Nth failed check is announced again; up ends it", async () => {
    const name = `resend-${randomUUID().slice(0, 6)}`;
    const id = await create({ name, type: "http", retries: 1, resendEvery: 2, channelIds: [hookId], config: { url: `http://127.0.0.1:${targetPort}/resend` } });
    status = 500;
    for (let i = 0; i < 6; i++) await checkNow(id); // failures 1 (retry), 2 (down), 3, 4 (reminder), 5, 6 (reminder)
    await settle();
    const mine = titles("/monitors").filter((t) => t.endsWith(name));
    expect(mine).toEqual([`[InfraPilot] Down: ${name}`, `[InfraPilot] Still down: ${name}`, `[InfraPilot] Still down: ${name}`]);
    status = 200;
    await checkNow(id);
    await rx.waitFor(() => titles("/monitors"), (t) => t.includes(`[InfraPilot] Up: ${name}`));
    const incidents = (await (await get(`/api/v1/monitors/${id}/incidents`)).json()) as { items: { kind: string }[] };
    expect(incidents.items.map((i) => i.kind)).toEqual(["up", "down"]); // reminders are not incidents
    const bad = await patch(`/api/v1/monitors/${id}`, { resendEvery: -1 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty("resendEvery");
  });

  test("inside a maintenance window the down is recorded but nobody is told; outside it, they are", async () => {
    const name = `maint-${randomUUID().slice(0, 6)}`;
    const now = Date.now();
    const window = { start: new Date(now - 3_600_000).toISOString(), end: new Date(now + 3_600_000).toISOString() };
    const id = await create({ name, type: "http", channelIds: [hookId], maintenance: [window], config: { url: `http://127.0.0.1:${targetPort}/maint` } });
    const read = async () => (await (await get(`/api/v1/monitors/${id}`)).json()) as { inMaintenance: boolean; status: string; maintenance: unknown[] };
    expect((await read()).inMaintenance).toBe(true);
    status = 500;
    await checkNow(id);
    await settle();
    expect((await read()).status).toBe("down");
    expect(titles("/monitors").filter((t) => t.endsWith(name))).toEqual([]);
    const incidents = (await (await get(`/api/v1/monitors/${id}/incidents`)).json()) as { items: { kind: string; deliveries: unknown }[] };
    expect(incidents.items[0]).toMatchObject({ kind: "down", deliveries: [{ suppressed: "maintenance" }] });
    // The window over (a bad window is refused first), the next change is announced.
    const refused = await patch(`/api/v1/monitors/${id}`, { maintenance: [{ start: window.end, end: window.start }] });
    expect(refused.status).toBe(400);
    expect((await patch(`/api/v1/monitors/${id}`, { maintenance: [] })).status).toBe(200);
    expect((await read()).inMaintenance).toBe(false);
    status = 200;
    await checkNow(id);
    await rx.waitFor(() => titles("/monitors"), (t) => t.includes(`[InfraPilot] Up: ${name}`));
  });

  test("an alert rule of type monitor_down fires for monitors its name pattern matches and resolves when they are up", async () => {
    const prefix = `shop${randomUUID().slice(0, 4)}`;
    const rule = await admin.post("/api/v1/alerts/rules", { name: "Shop monitors", type: "monitor_down", scope: { namePattern: `${prefix}-*` }, channelIds: [ruleHookId], notifyOnResolve: true });
    expect(rule.status).toBe(201);
    const ruleId = ((await rule.json()) as { id: string }).id;
    const matched = await create({ name: `${prefix}-api`, type: "http", config: { url: `http://127.0.0.1:${targetPort}/rule` } });
    const other = await create({ name: `blog-${prefix}`, type: "http", config: { url: `http://127.0.0.1:${targetPort}/rule2` } });
    status = 500;
    await checkNow(matched);
    await checkNow(other);
    const fired = await rx.waitFor(() => rx.requests.filter((r) => r.path === "/rules"), (items) => items.some((r) => r.body.includes(`${prefix}-api`)));
    expect(fired.some((r) => r.body.includes(`blog-${prefix}`))).toBe(false);
    const history = (await (await get(`/api/v1/alerts/history?ruleId=${ruleId}`)).json()) as { items: { target: string; targetName: string; state: string }[] };
    expect(history.items).toHaveLength(1);
    expect(history.items[0]).toMatchObject({ target: `${prefix}-api`, state: "firing" });
    status = 200;
    await checkNow(matched);
    await checkNow(other);
    await settle();
    const after = (await (await get(`/api/v1/alerts/history?ruleId=${ruleId}`)).json()) as { items: { state: string }[] };
    expect(after.items.map((i) => i.state)).toEqual(["resolved"]);
    await rx.waitFor(() => rx.requests.filter((r) => r.path === "/rules"), (items) => items.length >= 2);
  });

  test("a certificate that expires within certExpiryDays warns once (monitor stays up) and feeds monitor_cert_expiry rules", async () => {
    const name = `tls-${randomUUID().slice(0, 6)}`;
    const rule = await admin.post("/api/v1/alerts/rules", { name: "Certs", type: "monitor_cert_expiry", scope: { namePattern: "tls-*" }, channelIds: [ruleHookId] });
    expect(rule.status).toBe(201);
    const ruleId = ((await rule.json()) as { id: string }).id;
    const id = await create({ name, type: "http", channelIds: [hookId], config: { url: `https://localhost:${tlsPort}/`, certExpiryDays: 7 } });
    await checkNow(id);
    await checkNow(id);
    const monitor = (await (await get(`/api/v1/monitors/${id}`)).json()) as { status: string; message: string };
    expect(monitor.status).toBe("up");
    expect(monitor.message).toMatch(/certificate expires in [01] days/);
    await rx.waitFor(() => titles("/monitors"), (t) => t.includes(`[InfraPilot] Certificate expiring: ${name}`));
    await settle();
    expect(titles("/monitors").filter((t) => t.endsWith(name))).toEqual([`[InfraPilot] Certificate expiring: ${name}`]);
    const incidents = (await (await get(`/api/v1/monitors/${id}/incidents`)).json()) as { items: { kind: string }[] };
    expect(incidents.items.map((i) => i.kind)).toEqual(["cert"]);
    const history = (await (await get(`/api/v1/alerts/history?ruleId=${ruleId}`)).json()) as { items: { state: string; message: string }[] };
    expect(history.items).toHaveLength(1);
    expect(history.items[0]!.message).toMatch(/certificate expires/);
    // Without a threshold a short-lived certificate is just a working site.
    const quiet = await create({ name: `quiet-${name}`, type: "http", channelIds: [hookId], config: { url: `https://localhost:${tlsPort}/` } });
    await checkNow(quiet);
    expect(((await (await get(`/api/v1/monitors/${quiet}`)).json()) as { status: string }).status).toBe("up");
  });

  test("TCP and HTTP monitors can check from a chosen agent (the built-in one: still under the address policy)", async () => {
    const agents = (await (await get("/api/v1/agents")).json()) as { items?: { id: string; kind: string }[] } | { id: string; kind: string }[];
    const list = Array.isArray(agents) ? agents : (agents.items ?? []);
    const local = list.find((a) => a.kind === "local")!;
    const id = await create({ name: "port via agent", type: "tcp", agentId: local.id, config: { host: "127.0.0.1", port: targetPort } });
    await checkNow(id);
    const m = (await (await get(`/api/v1/monitors/${id}`)).json()) as { status: string; message: string; agentId: string };
    expect(m).toMatchObject({ status: "up", agentId: local.id });
    expect(m.message).toMatch(/reachable from agent/);
    // The built-in agent is the control plane's host: a private address not allowed is refused at save.
    const refused = await admin.post("/api/v1/monitors", { name: "ssh via agent", type: "tcp", agentId: local.id, config: { host: "127.0.0.1", port: 22 } });
    expect(refused.status).toBe(400);
    const unknown = await admin.post("/api/v1/monitors", { name: "x", type: "tcp", agentId: randomUUID(), config: { host: "127.0.0.1", port: targetPort } });
    expect(((await unknown.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty("agentId");
    const httpId = await create({ name: "page via agent", type: "http", agentId: local.id, config: { url: `http://127.0.0.1:${targetPort}/` } });
    await checkNow(httpId);
    const viaAgent = (await (await get(`/api/v1/monitors/${httpId}`)).json()) as { status: string; message: string };
    expect(viaAgent).toMatchObject({ status: "up" });
    expect(viaAgent.message).toMatch(/^HTTP 200 \(from agent /);
    // …and an HTTP target the policy does not allow is refused at save, as from the control plane.
    const refusedHttp = await admin.post("/api/v1/monitors", { name: "x", type: "http", agentId: local.id, config: { url: `http://127.0.0.1:22/` } });
    expect(refusedHttp.status).toBe(400);
    expect(((await refusedHttp.json()) as { error: { fields: Record<string, string> } }).error.fields).toHaveProperty(["config.url"]);
  });
});
