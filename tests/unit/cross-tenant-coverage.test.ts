// The cross-tenant table (tests/integration/cross-tenant/cases.ts) covers the route table read from
// the code: a new route, method, page intent or /ui event without an entry fails here, naming it,
// without starting a server. The integration suite runs the cases.
import { describe, expect, test } from "vitest";
import { routeTable, socketEvents, urlPattern } from "../integration/cross-tenant/route-table";
import { SUITE } from "../integration/cross-tenant/cases";

const discovered = [...routeTable(), ...socketEvents()];

describe("the cross-tenant table covers the route table", () => {
  test("every route, method, page intent and socket event has an entry", () => {
    const missing = discovered.filter((e) => !(e.key in SUITE)).map((e) => `${e.key}   (${e.file})`);
    expect(missing, `No cross-tenant case for:\n  ${missing.join("\n  ")}\nAdd an entry to tests/integration/cross-tenant/cases.ts.`).toEqual([]);
  });

  test("every entry names something that exists", () => {
    const keys = new Set(discovered.map((e) => e.key));
    const stale = Object.keys(SUITE).filter((k) => !keys.has(k));
    expect(stale, `Entries for routes that no longer exist:\n  ${stale.join("\n  ")}`).toEqual([]);
  });

  test("a route that takes an id in its path is never merely listed", () => {
    const listed = discovered.filter((e) => e.takesId && "list" in (SUITE[e.key] ?? {})).map((e) => e.key);
    expect(listed).toEqual([]);
  });
});

describe("reading the route table", () => {
  test("Remix flat-route file names become URL patterns", () => {
    expect(urlPattern("api.v1.agents.$agentId.proxies.$id.ts")).toBe("/api/v1/agents/:agentId/proxies/:id");
    expect(urlPattern("_app.containers_.$agentId.$id.tsx")).toBe("/containers/:agentId/:id");
    expect(urlPattern("_app.account._index.tsx")).toBe("/account");
    expect(urlPattern("api.v1.$.ts")).toBe("/api/v1/*");
    expect(urlPattern("_index.tsx")).toBe("/");
    expect(urlPattern("install[.]sh.ts")).toBe("/install.sh");
  });

  test("methods, page intents and socket events are found", () => {
    const keys = discovered.map((e) => e.key);
    expect(keys).toEqual(expect.arrayContaining([
      "GET /api/v1/agents/:agentId/proxies/:id",
      "PATCH /api/v1/agents/:agentId/proxies/:id",
      "DELETE /api/v1/agents/:agentId/proxies/:id",
      "POST /proxies intent=delete",
      "POST /alerts intent=acknowledge",
      "POST /containers intent=stop",
      "GET /account (layout)",
      "socket containers:subscribe",
      "socket terminal:open",
    ]));
    expect(keys).not.toContain("socket disconnect");
  });
});
