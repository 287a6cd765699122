// The alert engine end to end: real busybox containers on the test Docker engine crash, stop and
// burn CPU; notifications arrive at a real SMTP server and a loopback webhook receiver. The tick
// runs every 2 s here (ALERTS_TICK_SECONDS) instead of 30 s.
// "Nothing was sent" is only asserted once the engine provably handled the event: either the
// history records it (a suppressed alert), or a barrier crash that happened after it has been
// delivered (the engine handles container events in order, one batch at a time), or /metrics
// shows ticks after the moment in question.
import { afterAll, beforeAll, describe, expect, inject, test } from "vitest";
import { createHmac } from "node:crypto";
import pg from "pg";
import { docker, removeTestContainers, TEST_IMAGE, TEST_LABEL } from "../setup/docker";
import { runContainer } from "../setup/containers";
import { Client, setUpServer, startServer, type TestServer } from "../setup/server";
import { startReceivers, type Receivers, type ReceivedRequest } from "./alert-receivers";

const RUN = `al${process.pid.toString(36)}${Date.now().toString(36)}`;
const dockerHost = inject("dockerHost");
const SECRET = "hook-signing-secret";
let server: TestServer;
let admin: Client;
let rx: Receivers;
let db: pg.Client;
let hookId: string;
let mailId: string;
let serverEnv: Record<string, string>;
const METRICS_TOKEN = "alerts-engine-metrics-token";

interface HookBody {
  event: string;
  title: string;
  alerts: { ruleName: string; ruleType: string; targetName: string; state: string; message: string; value: number | null }[];
}
const bodyOf = (r: ReceivedRequest) => JSON.parse(r.body) as HookBody;
const hooks = () => rx.requests.filter((r) => r.path === "/alerts").map((r) => ({ ...r, json: bodyOf(r) }));
const hooksFor = (target: string) => hooks().filter((h) => h.json.alerts.some((a) => a.targetName === target));

let barriers = 0;
let barrierRule: Promise<string> | undefined;
/** Returns once the engine has handled every container event that happened before the call. */
async function engineCaughtUp(): Promise<void> {
  barrierRule ??= rule({ name: "Barrier", type: "container_crash", scope: { namePattern: `${RUN}-barrier*` }, channelIds: [hookId] });
  await barrierRule;
  const name = `${RUN}-barrier${++barriers}`;
  await runContainer(dockerHost, RUN, name, ["sh", "-c", "exit 1"]);
  await rx.waitFor(() => hooksFor(name), (l) => l.length === 1, 20_000);
}

/** Unix seconds of the engine's last completed tick, from /metrics (0 before the first). */
async function lastTick(): Promise<number> {
  const res = await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}` } });
  const line = (await res.text()).split("\n").find((l) => l.startsWith("infrapilot_alert_engine_last_tick_seconds "));
  return line ? Number(line.split(" ")[1]) : 0;
}

/** Waits until the engine has completed a tick at or after `unixSeconds`. */
async function tickedSince(unixSeconds: number, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while ((await lastTick()) < unixSeconds) {
    if (Date.now() > deadline) throw new Error(`the alert engine has not ticked since ${new Date(unixSeconds * 1000).toISOString()} within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

async function rule(body: Record<string, unknown>): Promise<string> {
  const res = await admin.post("/api/v1/alerts/rules", body);
  if (res.status !== 201) throw new Error(`rule: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { id: string }).id;
}

beforeAll(async () => {
  rx = await startReceivers();
  serverEnv = { DOCKER_HOST: dockerHost, ALERTS_ALLOWED_HOSTS: `127.0.0.1:${rx.smtpPort},127.0.0.1:${rx.httpPort}`, ALERTS_TICK_SECONDS: "2", METRICS_TOKEN };
  server = await startServer({ env: serverEnv });
  admin = await setUpServer(server);
  db = new pg.Client({ connectionString: server.databaseUrl });
  await db.connect();
  const hook = await admin.post("/api/v1/alerts/channels", { name: "hook", type: "webhook", config: { url: `http://127.0.0.1:${rx.httpPort}/alerts`, secret: SECRET } });
  hookId = ((await hook.json()) as { id: string }).id;
  const mail = await admin.post("/api/v1/alerts/channels", { name: "mail", type: "smtp", config: { host: "127.0.0.1", port: rx.smtpPort, tls: "none", from: "ip@example.com", to: ["ops@example.com"] } });
  mailId = ((await mail.json()) as { id: string }).id;
  // The engine follows the event stream from its first tick on.
  await tickedSince(1);
}, 120_000);

afterAll(async () => {
  await server?.stop();
  await db?.end();
  await rx?.close();
  await removeTestContainers(dockerHost, RUN);
});

describe("container events", () => {
  test("a crash reaches SMTP and the webhook within 5 s, signed; a second crash inside the cooldown sends nothing", async () => {
    await rule({ name: "Crash", type: "container_crash", scope: { namePattern: `${RUN}-c*` }, channelIds: [hookId, mailId], cooldownSeconds: 600 });
    const name = `${RUN}-c1`;
    const started = Date.now();
    await runContainer(dockerHost, RUN, name, ["sh", "-c", "exit 1"]);
    const [delivered] = await rx.waitFor(() => hooksFor(name), (l) => l.length === 1, 5_000);
    const mails = await rx.waitFor(() => rx.mails.filter((m) => m.raw.includes(name)), (l) => l.length === 1, 5_000);
    expect(Date.now() - started).toBeLessThan(5_000 + 1_500); // docker run itself takes a moment
    expect(delivered!.json.alerts).toEqual([expect.objectContaining({ ruleType: "container_crash", targetName: name, state: "firing", message: "crashed: exited with code 1", value: 1 })]);
    expect(delivered!.headers["x-infrapilot-signature"]).toBe(`sha256=${createHmac("sha256", SECRET).update(delivered!.body).digest("hex")}`);
    expect(mails[0]!.raw).toMatch(new RegExp(`Subject: \\[InfraPilot\\] Alert: Crash on ${name}`));

    await docker(dockerHost, ["start", name]);
    // The engine saw the second crash: the history records it, suppressed by the cooldown.
    type History = { items: { state: string; suppressed: string | null; deliveries: { channelId: string; ok: boolean }[] }[] };
    let history: History = { items: [] };
    await expect
      .poll(async () => (history = (await (await admin.request(`/api/v1/alerts/history?q=${name}`)).json()) as History).items.length, { timeout: 15_000, interval: 500 })
      .toBe(2);
    await engineCaughtUp();
    expect(hooksFor(name)).toHaveLength(1);
    expect(rx.mails.filter((m) => m.raw.includes(name))).toHaveLength(1);
    const [second, first] = history.items;
    expect(second).toMatchObject({ suppressed: "cooldown", deliveries: [] });
    expect(first!.deliveries.map((d) => [d.channelId, d.ok]).sort()).toEqual([[hookId, true], [mailId, true]].sort());
  });

  test("docker stop does not fire the crash rule but fires 'stopped unexpectedly'", async () => {
    await rule({ name: "Stopped", type: "container_stopped", scope: { namePattern: `${RUN}-cs*` }, channelIds: [hookId] });
    const name = `${RUN}-cs1`;
    // busybox sleep as PID 1 ignores SIGTERM: docker stop ends it with SIGKILL, exit code 137.
    await runContainer(dockerHost, RUN, name, ["sleep", "3600"]);
    await docker(dockerHost, ["stop", "-t", "1", name]);
    expect((await docker(dockerHost, ["inspect", "-f", "{{.State.ExitCode}}", name])).trim()).toBe("137");
    const [h] = await rx.waitFor(() => hooksFor(name), (l) => l.length >= 1, 5_000);
    await engineCaughtUp();
    expect(hooksFor(name)).toHaveLength(1);
    expect(h!.json.alerts).toEqual([expect.objectContaining({ ruleType: "container_stopped", message: "stopped (exit code 137)" })]);
  });

  test("three containers crashing together make one message per channel", async () => {
    await rule({ name: "Group", type: "container_crash", scope: { namePattern: `${RUN}-g*` }, channelIds: [hookId, mailId] });
    const names = ["g1", "g2", "g3"].map((n) => `${RUN}-${n}`);
    // All three exit at the same wall-clock second, however slowly a loaded engine starts them.
    const at = Math.floor(Date.now() / 1000) + 4;
    const script = `while [ $(date +%s) -lt ${at} ]; do sleep 0.05; done; exit 3`;
    for (const n of names) await docker(dockerHost, ["create", "--name", n, "--label", `${TEST_LABEL}=${RUN}`, TEST_IMAGE, "sh", "-c", script]);
    await docker(dockerHost, ["start", ...names]);
    const [h] = await rx.waitFor(() => hooks().filter((x) => x.json.alerts.some((a) => names.includes(a.targetName))), (l) => l.length >= 1, 10_000);
    await engineCaughtUp();
    expect(hooks().filter((x) => x.json.alerts.some((a) => names.includes(a.targetName)))).toHaveLength(1);
    expect(h!.json.alerts.map((a) => a.targetName).sort()).toEqual(names);
    expect(h!.json.title).toBe("[InfraPilot] 3 alerts firing");
    expect(rx.mails.filter((m) => names.every((n) => m.raw.includes(n)))).toHaveLength(1);
  });

  test("a maintenance window mutes the rule", async () => {
    const now = Date.now();
    await rule({
      name: "Muted",
      type: "container_crash",
      scope: { namePattern: `${RUN}-m*` },
      channelIds: [hookId],
      maintenance: [{ start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString() }],
    });
    const name = `${RUN}-m1`;
    await runContainer(dockerHost, RUN, name, ["sh", "-c", "exit 1"]);
    await docker(dockerHost, ["wait", name]);
    await engineCaughtUp();
    expect(hooksFor(name)).toHaveLength(0);
    const history = (await (await admin.request(`/api/v1/alerts/history?q=${name}`)).json()) as { items: unknown[] };
    expect(history.items).toHaveLength(0);
  });
});

describe("periodic rules", () => {
  test("a certificate expiring within N days fires", async () => {
    const orgId = (await db.query<{ id: string }>(`SELECT id FROM "Organization" LIMIT 1`)).rows[0]!.id;
    const domain = `${RUN}.example.com`;
    await db.query(
      `INSERT INTO "Certificate" (id, "orgId", domains, mode, status, "notBefore", "notAfter", "updatedAt") VALUES (gen_random_uuid(), $1, $2, 'custom', 'issued', now() - interval '80 days', now() + interval '3 days', now())`,
      [orgId, [domain]],
    );
    await rule({ name: "Expiring", type: "cert_expiry", threshold: 14, channelIds: [hookId], scope: { namePattern: `${RUN}.*` } });
    const [h] = await rx.waitFor(() => hooksFor(domain), (l) => l.length >= 1, 10_000);
    expect(h!.json.alerts[0]).toMatchObject({ ruleType: "cert_expiry", state: "firing", value: 3, message: expect.stringMatching(/expires in 3 days/) });
  });

  test("a crash while InfraPilot was down is reported once when it starts again; a docker stop while down is not", async () => {
    await rule({ name: "Crash while down", type: "container_crash", scope: { namePattern: `${RUN}-down*` }, channelIds: [hookId] });
    const name = `${RUN}-down1`;
    const stopped = `${RUN}-down-stopped`;
    const earlier = `${RUN}-down-earlier`;
    // Crashed while InfraPilot was running: reported live, so not again at start-up.
    await runContainer(dockerHost, RUN, earlier, ["sh", "-c", "exit 4"]);
    await rx.waitFor(() => hooksFor(earlier), (l) => l.length === 1, 5_000);
    await runContainer(dockerHost, RUN, stopped);

    await server.stop();
    await runContainer(dockerHost, RUN, name, ["sh", "-c", "exit 3"]);
    await docker(dockerHost, ["stop", "-t", "1", stopped]);
    await docker(dockerHost, ["wait", name]);
    server = await startServer({ env: serverEnv, database: server.databaseUrl, dataDir: server.dataDir, port: server.port });
    const [h] = await rx.waitFor(() => hooksFor(name), (l) => l.length === 1, 15_000);
    expect(h!.json.alerts).toEqual([expect.objectContaining({ ruleType: "container_crash", targetName: name, state: "firing", value: 3, message: expect.stringMatching(/^crashed: exited with code 3 at .+, while InfraPilot was not running$/) })]);

    // Another restart: the alert is already firing, nothing is sent again.
    await server.stop();
    server = await startServer({ env: serverEnv, database: server.databaseUrl, dataDir: server.dataDir, port: server.port });
    // The downtime report is queued with the first tick (2 s after start); a barrier crash after
    // that tick is handled after the report.
    await tickedSince(1);
    await engineCaughtUp();
    expect(hooksFor(name)).toHaveLength(1);
    expect(hooksFor(earlier)).toHaveLength(1);
    expect(hooksFor(stopped)).toHaveLength(0);
    const history = (await (await admin.request(`/api/v1/alerts/history?q=${name}`)).json()) as { items: unknown[] };
    expect(history.items).toHaveLength(1);
  }, 120_000);

  test("a container burning CPU fires after the window; a restart of InfraPilot does not repeat it; stopping it resolves", async () => {
    // A busy loop is far above 10% of a core even when the suite loads both cores (it measured
    // 32–47% at a load average of 10–20, under the 50% this used to ask for); an idle one is ~0%.
    await rule({ name: "Hot", type: "cpu", threshold: 10, windowSeconds: 10, scope: { namePattern: `${RUN}-cpu*` }, channelIds: [hookId], notifyOnResolve: true });
    const name = `${RUN}-cpu1`;
    const started = Date.now();
    await runContainer(dockerHost, RUN, name, ["sh", "-c", "yes > /dev/null"]);
    const [fired] = await rx.waitFor(() => hooksFor(name), (l) => l.length >= 1, 40_000);
    // Not before its 10-s window is (nearly) covered: the window is judged on samples, which may
    // fall up to one sampling interval short of its edge.
    expect(fired!.at - started).toBeGreaterThanOrEqual(9_000);
    expect(fired!.json.alerts[0]).toMatchObject({ ruleType: "cpu", state: "firing", message: expect.stringMatching(/^CPU at/) });
    expect(fired!.json.alerts[0]!.value).toBeGreaterThan(10);

    await server.stop();
    const restartedAt = Math.floor(Date.now() / 1000);
    server = await startServer({ env: serverEnv, database: server.databaseUrl, dataDir: server.dataDir, port: server.port });
    // The new process has filled a 10-s window with samples and ticked twice since (it would
    // have fired again by then).
    await tickedSince(restartedAt + 10 + 4);
    expect(hooksFor(name)).toHaveLength(1);

    await docker(dockerHost, ["rm", "-f", name]);
    const all = await rx.waitFor(() => hooksFor(name), (l) => l.length >= 2, 15_000);
    expect(all[1]!.json.alerts[0]).toMatchObject({ state: "resolved", targetName: name });
    const history = (await (await admin.request(`/api/v1/alerts/history?q=${name}`)).json()) as { items: { state: string; resolvedAt: string | null }[] };
    expect(history.items).toEqual([expect.objectContaining({ state: "resolved", resolvedAt: expect.any(String) })]);
  }, 120_000);
});
