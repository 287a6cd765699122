// Monitor state transitions, push beats, validation and notification text: pure functions.
import { describe, expect, test } from "vitest";
import { applyOutcome } from "~/server/monitors/state";
import { checkPush } from "~/server/monitors/checks/push";
import { renderMonitorMessage } from "~/server/monitors/notify";
import { CreateMonitorSchema } from "~/validation/monitors";
import { monitorContainerHref, monitorThisHref, publicUrlOfHost } from "~/components/monitors/monitor-this";

describe("applyOutcome", () => {
  test("a first success of a new monitor is up without an incident", () => {
    expect(applyOutcome({ status: "pending", failures: 0 }, true, 0)).toEqual({ next: { status: "up", failures: 0 }, incident: null });
  });

  test("forgives `retries` failures, then goes down with one incident", () => {
    let t = applyOutcome({ status: "up", failures: 0 }, false, 2);
    expect(t).toEqual({ next: { status: "up", failures: 1 }, incident: null });
    t = applyOutcome(t.next, false, 2);
    expect(t.incident).toBeNull();
    t = applyOutcome(t.next, false, 2);
    expect(t).toEqual({ next: { status: "down", failures: 3 }, incident: "down" });
    // Staying down announces nothing more.
    expect(applyOutcome(t.next, false, 2).incident).toBeNull();
    expect(applyOutcome(t.next, true, 2)).toEqual({ next: { status: "up", failures: 0 }, incident: "up" });
  });
});

describe("checkPush", () => {
  const createdAt = new Date(0);
  test("is up with a beat inside the interval and down after a missed one", () => {
    expect(checkPush({ lastPushAt: new Date(100_000), createdAt, intervalSeconds: 60, now: 150_000 })?.ok).toBe(true);
    const missed = checkPush({ lastPushAt: new Date(100_000), createdAt, intervalSeconds: 60, now: 200_000 });
    expect(missed).toMatchObject({ ok: false, cause: "push" });
  });

  test("waits one interval for the first beat of a new monitor", () => {
    expect(checkPush({ lastPushAt: null, createdAt, intervalSeconds: 60, now: 30_000 })).toBeNull();
    expect(checkPush({ lastPushAt: null, createdAt, intervalSeconds: 60, now: 120_000 })?.ok).toBe(false);
  });
});

describe("CreateMonitorSchema", () => {
  const fields = (input: unknown) => {
    const r = CreateMonitorSchema.safeParse(input);
    return r.success ? {} : Object.fromEntries(r.error.issues.map((i) => [i.path.join("."), i.message]));
  };

  test("refuses an interval under 20 s, a non-http scheme and a port out of range", () => {
    expect(fields({ name: "a", type: "http", intervalSeconds: 19, config: { url: "https://example.com/" } })).toHaveProperty("intervalSeconds");
    expect(fields({ name: "a", type: "http", config: { url: "ftp://example.com/" } })).toHaveProperty(["config.url"]);
    expect(fields({ name: "a", type: "tcp", config: { host: "example.com", port: 70000 } })).toHaveProperty(["config.port"]);
  });

  test("accepts ping and dns monitors with their defaults (TCP port 80, A record, system resolvers)", () => {
    expect(CreateMonitorSchema.parse({ name: "a", type: "ping", config: { host: "example.com" } }).config).toEqual({ host: "example.com", port: 80 });
    expect(CreateMonitorSchema.parse({ name: "a", type: "dns", config: { name: "example.com" } }).config).toEqual({ name: "example.com", recordType: "A", expected: null, server: null });
  });

  test("refuses a DNS record type it does not know and a malformed DNS server", () => {
    expect(fields({ name: "a", type: "dns", config: { name: "example.com", recordType: "SOA" } })).toHaveProperty(["config.recordType"]);
    expect(fields({ name: "a", type: "dns", config: { name: "example.com", server: "1.1.1.1; rm" } })).toHaveProperty(["config.server"]);
  });

  test("fills an http monitor's defaults", () => {
    const r = CreateMonitorSchema.parse({ name: "a", type: "http", config: { url: "https://example.com/" } });
    expect(r.config).toMatchObject({ method: "GET", followRedirects: true, timeoutMs: 10_000 });
    expect(r.intervalSeconds).toBe(60);
  });
});

test("renders down and up notifications with the monitor, target and cause", () => {
  const at = new Date("2026-12-03T09:00:00Z");
  const down = renderMonitorMessage({ monitorId: "m", name: "Shop", target: "https://shop.example", kind: "down", cause: "status", message: "HTTP 500", latencyMs: 12, at }, "http://x/monitors");
  expect(down.title).toBe("[InfraPilot] Down: Shop");
  expect(down.text).toContain("https://shop.example");
  expect(down.items[0]).toMatchObject({ state: "firing", message: "DOWN (status): HTTP 500" });
  const up = renderMonitorMessage({ monitorId: "m", name: "Shop", target: "https://shop.example", kind: "up", cause: null, message: "HTTP 200", latencyMs: 12, at }, "http://x/monitors");
  expect(up.items[0]!.state).toBe("resolved");
});

describe("monitorThisHref", () => {
  test("pre-fills the public URL of a proxy host: https when it has TLS, skipping wildcard names", () => {
    expect(monitorThisHref({ domains: ["*.example.com", "shop.example.com"], tls: { mode: "acme" } })).toBe("/monitors?new=http&url=https%3A%2F%2Fshop.example.com%2F&name=shop.example.com#monitor-form");
    expect(publicUrlOfHost({ domains: ["plain.test"], tls: { mode: "none" } })).toBe("http://plain.test/");
  });

  test("offers nothing for a host with only wildcard names", () => {
    expect(monitorThisHref({ domains: ["*.example.com"], tls: { mode: "none" } })).toBeNull();
  });
});

describe("monitorContainerHref", () => {
  test("a container monitor of the container on its own agent, without Docker's leading slash", () => {
    expect(monitorContainerHref({ agentId: "a1", name: "/shop-web" })).toBe("/monitors?new=container&name=shop-web&container=shop-web&agent=a1#monitor-form");
  });
});
