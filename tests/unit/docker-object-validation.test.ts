import { describe, expect, test } from "vitest";
import { CreateNetworkSchema, gatewayProblem, parseImageReference, parseSubnet } from "~/validation/resources";
import { splitReference } from "#agent/local/resources";
import { summarizePull } from "~/docker-objects";

describe("image references", () => {
  test.each([
    ["busybox", "busybox:latest"],
    ["library/busybox:1.36", "library/busybox:1.36"],
    ["ghcr.io/owner/app:v1.2-RC", "ghcr.io/owner/app:v1.2-RC"],
    ["127.0.0.1:5000/team/app", "127.0.0.1:5000/team/app:latest"],
    ["localhost/app:1", "localhost/app:1"],
    [`nginx@sha256:${"a".repeat(64)}`, `nginx@sha256:${"a".repeat(64)}`],
  ])("%s is pulled as %s", (input, canonical) => {
    expect(parseImageReference(input)).toMatchObject({ ok: true, canonical });
  });

  test.each(["", "Busybox", "busybox;id", "a b", "$(id)", "busybox:", "-x", "x/", "busybox:" + "t".repeat(129), "`id`"])("%j is refused", (input) => {
    expect(parseImageReference(input).ok).toBe(false);
  });

  test("the agent splits a reference at its tag, not at a registry port", () => {
    expect(splitReference("127.0.0.1:5000/app:2")).toEqual({ name: "127.0.0.1:5000/app", tagOrDigest: "2" });
    expect(splitReference("127.0.0.1:5000/app")).toEqual({ name: "127.0.0.1:5000/app", tagOrDigest: "latest" });
    expect(splitReference(`a@sha256:${"b".repeat(64)}`)).toEqual({ name: "a", tagOrDigest: `sha256:${"b".repeat(64)}` });
  });
});

describe("networks", () => {
  test("subnets are IPv4 network addresses with a sane prefix", () => {
    expect(parseSubnet("10.20.0.0/24")).toMatchObject({ ok: true, prefix: 24 });
    expect(parseSubnet("10.20.0.1/24")).toMatchObject({ ok: false, message: expect.stringContaining("10.20.0.0/24") });
    for (const bad of ["10.20.0.0", "10.20.0.0/7", "10.20.0.0/30", "256.0.0.0/8", "010.1.0.0/16", "::1/128"]) expect(parseSubnet(bad).ok, bad).toBe(false);
  });

  test("a gateway must be a host address inside the subnet", () => {
    const subnet = parseSubnet("192.168.50.0/24");
    if (!subnet.ok) throw new Error("subnet");
    expect(gatewayProblem("192.168.50.1", subnet)).toBeNull();
    expect(gatewayProblem("192.168.50.0", subnet)).toMatch(/network or broadcast/);
    expect(gatewayProblem("192.168.50.255", subnet)).toMatch(/network or broadcast/);
    expect(gatewayProblem("192.168.51.1", subnet)).toMatch(/inside/);
  });

  test("the create schema names the field at fault", () => {
    const fieldOf = (input: unknown) => CreateNetworkSchema.safeParse(input).error?.issues[0]?.path.join(".");
    expect(CreateNetworkSchema.safeParse({ name: "app-net", subnet: "", gateway: "", internal: "on" }).data).toMatchObject({ name: "app-net", internal: true, attachable: false, subnet: undefined });
    expect(fieldOf({ name: "a" })).toBe("name");
    expect(fieldOf({ name: "none" })).toBe("name");
    expect(fieldOf({ name: "app", gateway: "10.0.0.1" })).toBe("gateway");
  });
});

test("pull progress folds into layers and bytes", () => {
  const p = (status: string, layer: string | null, current: number | null = null, total: number | null = null) => ({ type: "progress" as const, status, layer, current, total });
  const summary = summarizePull([p("Pulling from app", "1.0"), p("Pulling fs layer", "a"), p("Pulling fs layer", "b"), p("Downloading", "a", 50, 100), p("Downloading", "b", 10, 200), p("Pull complete", "a")]);
  expect(summary).toMatchObject({ layers: 2, layersDone: 1, current: 110, total: 300, last: "a: Pull complete" });
});
