// A proxy host cannot take a name another organization's status page holds as its custom domain
// (decision 163): two real SaaS organizations on one server (EDITION=saas), each with a remote
// agent row of its own. The refusal is 409 `domain_taken` on `domains`, says the name is taken
// and never by whom; another organization's proxy host with the same name does not count (each
// serves it on its own agent).
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { saasOwnerClient } from "../setup/saas";
import { startServer, type Client, type TestServer, serverSql } from "../setup/server";

let server: TestServer;
let a: { client: Client; orgId: string; agentId: string };
let b: { client: Client; orgId: string; agentId: string };

const sql = (text: string, values: unknown[] = []) => serverSql(server, text, values);

async function orgWithAgent(label: string) {
  const { client, orgId } = await saasOwnerClient(server, label);
  const agentId = randomUUID();
  await sql(`INSERT INTO "Agent" (id, "orgId", name, kind) VALUES ($1, $2, 'edge', 'remote')`, [agentId, orgId]);
  return { client, orgId, agentId };
}

const host = (domains: string[]) => ({ kind: "proxy", domains, upstream: { scheme: "http", host: "127.0.0.1", port: 9 } });
type ErrorBody = { error: { code: string; message: string; fields?: Record<string, string> } };

beforeAll(async () => {
  server = await startServer({ env: { EDITION: "saas", DOCKER_HOST: "unix:///nonexistent/docker.sock" } });
  a = await orgWithAgent("pages");
  b = await orgWithAgent("hosts");
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

describe("a proxy host and another organization's status page domain", () => {
  test("create and update refuse the name with 409 domain_taken on domains, without saying whose it is", async () => {
    const page = await a.client.post("/api/v1/status-pages", { slug: `pages-${a.orgId.slice(0, 8)}`, title: "A", customDomain: "status.shared-a.test" });
    expect(page.status).toBe(201);

    const created = await b.client.post(`/api/v1/agents/${b.agentId}/proxies?wait=false`, host(["www.shared-b.test", "Status.Shared-A.test"]));
    expect(created.status).toBe(409);
    const body = (await created.json()) as ErrorBody;
    expect(body.error).toMatchObject({ code: "domain_taken", fields: { domains: expect.stringMatching(/status\.shared-a\.test is already used/) } });
    expect(JSON.stringify(body)).not.toContain(a.orgId);
    expect(JSON.stringify(body)).not.toContain("pages-");

    // A host of its own without that name is fine; adding the name to it later is refused too.
    const own = await b.client.post(`/api/v1/agents/${b.agentId}/proxies?wait=false`, host(["www.shared-b.test"]));
    expect(own.status).toBe(201);
    const ownId = ((await own.json()) as { id: string }).id;
    const updated = await b.client.request(`/api/v1/agents/${b.agentId}/proxies/${ownId}?wait=false`, { method: "PATCH", json: host(["www.shared-b.test", "status.shared-a.test"]) });
    expect(updated.status).toBe(409);
    expect(((await updated.json()) as ErrorBody).error).toMatchObject({ code: "domain_taken", fields: { domains: expect.any(String) } });
    const stored = (await sql(`SELECT domains FROM "ProxyHost" WHERE "orgId" = $1`, [b.orgId])).rows.map((r) => r.domains);
    expect(stored).toEqual([["www.shared-b.test"]]);

    // Once the page gives the name up, the host may take it.
    const freed = await a.client.request(`/api/v1/status-pages/${((await page.json()) as { id: string }).id}`, { method: "PATCH", json: { customDomain: null } });
    expect(freed.status).toBe(200);
    const now = await b.client.request(`/api/v1/agents/${b.agentId}/proxies/${ownId}?wait=false`, { method: "PATCH", json: host(["www.shared-b.test", "status.shared-a.test"]) });
    expect(now.status).toBe(200);
  });

  test("another organization's proxy host with the same name does not count: each serves it on its own agent", async () => {
    const first = await a.client.post(`/api/v1/agents/${a.agentId}/proxies?wait=false`, host(["app.both.test"]));
    expect(first.status).toBe(201);
    const second = await b.client.post(`/api/v1/agents/${b.agentId}/proxies?wait=false`, host(["app.both.test"]));
    expect(second.status).toBe(201);
    // …while a status page still may not take a name any other organization serves (decision 140).
    const page = await a.client.post("/api/v1/status-pages", { slug: `both-${a.orgId.slice(0, 8)}`, title: "A", customDomain: "app.both.test" });
    expect(page.status).toBe(409);
  });
});
