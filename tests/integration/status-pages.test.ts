// Status pages beyond the basics (decision 063), through the real server: groups in order, a logo
// by URL or upload (checked by its bytes, SVG refused), incident posts and maintenance notices
// (create, update, resolve) on the public page and its JSON, monitors in a maintenance window
// shown as "maintenance", the shields.io badge, and nothing of the tenant beyond what is shown.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { setUpServer, startServer, Client, type TestServer } from "../setup/server";

let server: TestServer;
let admin: Client;
let anonymous: Client;

beforeAll(async () => {
  server = await startServer({});
  admin = await setUpServer(server);
  anonymous = new Client(server.url);
}, 120_000);

afterAll(async () => {
  await server?.stop();
});

const PNG = Buffer.from("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==", "base64");
const fieldsOf = async (res: Response) => ((await res.json()) as { error: { fields: Record<string, string> } }).error.fields;
const patch = (path: string, json: unknown) => admin.request(path, { method: "PATCH", json });

async function monitor(name: string, extra: Record<string, unknown> = {}): Promise<string> {
  const res = await admin.post("/api/v1/monitors", { name, type: "push", intervalSeconds: 86_400, ...extra });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

describe("status pages", () => {
  test("groups, logo, incident posts and maintenance on the public page, its JSON and its badge", async () => {
    const api = await monitor("Public API");
    const web = await monitor("Website");
    const now = Date.now();
    const db = await monitor("Database", { maintenance: [{ start: new Date(now - 60_000).toISOString(), end: new Date(now + 3_600_000).toISOString() }] });
    const created = await admin.post("/api/v1/status-pages", {
      slug: "grouped",
      title: "Grouped",
      groups: [
        { name: "Frontend", monitorIds: [web] },
        { name: "Backend", monitorIds: [api, db] },
      ],
      logoUrl: "https://example.com/logo.png",
    });
    expect(created.status).toBe(201);
    const page = (await created.json()) as { id: string; monitorIds: string[]; groups: unknown[]; hasLogo: boolean };
    expect(page.monitorIds).toEqual([web, api, db]);
    expect(page.hasLogo).toBe(false);

    let pub = (await (await anonymous.request("/api/v1/status/grouped")).json()) as Record<string, unknown> & { groups: { name: string; monitors: { name: string; status: string }[] }[] };
    expect(pub.groups.map((g) => [g.name, g.monitors.map((m) => `${m.name}:${m.status}`)])).toEqual([
      ["Frontend", ["Website:pending"]],
      ["Backend", ["Public API:pending", "Database:maintenance"]],
    ]);
    expect(pub.logoUrl).toBe("https://example.com/logo.png");
    expect(pub.overall).toBe("maintenance");
    // Nothing but what the page shows: no ids, no push URLs, no org.
    const raw = JSON.stringify(pub);
    for (const secret of [api, web, db, page.id, "pushUrl", "orgId", "config"]) expect(raw).not.toContain(secret);

    // Logos: a javascript: URL, an SVG and a fake PNG are refused; a real PNG is served by its bytes' type.
    expect(await fieldsOf(await patch(`/api/v1/status-pages/${page.id}`, { logoUrl: "javascript:alert(1)" }))).toHaveProperty("logoUrl");
    const svg = `data:image/svg+xml;base64,${Buffer.from("<svg xmlns='http://www.w3.org/2000/svg'><script>alert(1)</script></svg>").toString("base64")}`;
    expect(await fieldsOf(await patch(`/api/v1/status-pages/${page.id}`, { logo: svg }))).toHaveProperty("logo");
    expect(await fieldsOf(await patch(`/api/v1/status-pages/${page.id}`, { logo: `data:image/png;base64,${Buffer.from("not an image").toString("base64")}` }))).toHaveProperty("logo");
    const big = Buffer.concat([PNG, Buffer.alloc(300 * 1024)]);
    expect((await patch(`/api/v1/status-pages/${page.id}`, { logo: `data:image/png;base64,${big.toString("base64")}` })).status).toBe(400);
    const withLogo = await patch(`/api/v1/status-pages/${page.id}`, { logo: `data:image/jpeg;base64,${PNG.toString("base64")}` });
    expect(withLogo.status).toBe(200);
    expect(((await withLogo.json()) as { hasLogo: boolean }).hasLogo).toBe(true);
    const logo = await anonymous.request("/status/grouped/logo");
    expect(logo.status).toBe(200);
    expect(logo.headers.get("content-type")).toBe("image/png"); // from the bytes, not the claimed jpeg
    expect(logo.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await logo.arrayBuffer()).equals(PNG)).toBe(true);

    // Posts: an incident, updated and resolved; a maintenance notice; bad input is 400 with fields.
    expect(await fieldsOf(await admin.post(`/api/v1/status-pages/${page.id}/posts`, { kind: "incident", title: "", status: "investigating" }))).toHaveProperty("title");
    expect(await fieldsOf(await admin.post(`/api/v1/status-pages/${page.id}/posts`, { kind: "incident", title: "x", status: "completed" }))).toHaveProperty("status");
    expect(await fieldsOf(await admin.post(`/api/v1/status-pages/${page.id}/posts`, { kind: "maintenance", title: "x", status: "scheduled" }))).toHaveProperty("startsAt");
    const incident = await admin.post(`/api/v1/status-pages/${page.id}/posts`, { kind: "incident", title: "Slow API", body: "We are looking into it.", status: "investigating" });
    expect(incident.status).toBe(201);
    const post = (await incident.json()) as { id: string; resolvedAt: string | null };
    expect(post.resolvedAt).toBeNull();
    const start = new Date(now + 86_400_000).toISOString();
    expect((await admin.post(`/api/v1/status-pages/${page.id}/posts`, { kind: "maintenance", title: "Database upgrade", status: "scheduled", startsAt: start, endsAt: new Date(now + 90_000_000).toISOString() })).status).toBe(201);
    pub = (await (await anonymous.request("/api/v1/status/grouped")).json()) as typeof pub;
    const posts = pub.posts as { kind: string; title: string; status: string; resolvedAt: string | null }[];
    expect(posts.map((p) => [p.kind, p.title, p.status])).toEqual(
      expect.arrayContaining([
        ["incident", "Slow API", "investigating"],
        ["maintenance", "Database upgrade", "scheduled"],
      ]),
    );
    expect(JSON.stringify(posts)).not.toContain(post.id);
    expect((await patch(`/api/v1/status-pages/${page.id}/posts/${post.id}`, { status: "scheduled" })).status).toBe(400);
    const resolved = await patch(`/api/v1/status-pages/${page.id}/posts/${post.id}`, { status: "resolved", body: "Fixed: a bad deploy was rolled back." });
    expect(resolved.status).toBe(200);
    expect(((await resolved.json()) as { resolvedAt: string | null }).resolvedAt).not.toBeNull();
    const html = await (await anonymous.request("/status/grouped")).text();
    expect(html).toContain("Fixed: a bad deploy was rolled back.");
    expect(html).toContain("Resolved");
    expect(html).toContain("Maintenance: <!-- -->Database upgrade");
    expect(html).toContain("Frontend");

    // The badge for embedding (shields.io endpoint format).
    const badge = await anonymous.request("/api/v1/status/grouped/badge");
    expect(badge.status).toBe(200);
    expect(badge.headers.get("cache-control")).toBe("public, max-age=30");
    expect(await badge.json()).toEqual({ schemaVersion: 1, label: "Grouped", message: "maintenance", color: "blue" });
    expect((await anonymous.request("/api/v1/status/no-such/badge")).status).toBe(404);

    // Posts are the organization's: no one else's page, and deleting one removes it from the page.
    expect((await admin.request(`/api/v1/status-pages/${page.id}/posts/${post.id}`, { method: "DELETE" })).status).toBe(204);
    expect(((await (await admin.request(`/api/v1/status-pages/${page.id}/posts`)).json()) as { items: unknown[] }).items).toHaveLength(1);
  });
});
