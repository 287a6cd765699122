// Forms that behave, in a real browser against the production server, a real nginx on loopback and
// a real HTTP receiver for alert channels:
// - a create form clears and closes once it succeeded (no duplicate from a second click, no
//   secret left on screen) and "Add another" opens an empty one;
// - domains are chips checked one by one: "exa mple.com" is one invalid name, a one-label name
//   needs the explicit opt-in, and the server refuses the same inputs;
// - a plain `openssl req -x509` certificate loaded from files is accepted, with a warning;
// - alert channels can be edited, a blank secret keeps the stored one (the receiver checks the
//   signature made with it), and the loopback refusal says how to allow the host.
import { createHmac } from "node:crypto";
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { startReceivers, type Receivers } from "../integration/alert-receivers";
import { stopNginxOf } from "../setup/nginx";
import { freePort } from "../setup/postgres";
import { setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { artifactPath, logIn, openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;
let admin: Client;
let receivers: Receivers;
let agentId: string;
const SHOTS = process.env.SHOTS_DIR;

beforeAll(async () => {
  receivers = await startReceivers();
  const env = {
    NGINX_BIN: "/usr/sbin/nginx",
    NGINX_HTTP_PORT: String(await freePort()),
    NGINX_HTTPS_PORT: String(await freePort()),
    NGINX_LISTEN_ADDRESS: "127.0.0.1",
    // Only the receiver's port is allowed on loopback: any other port shows the refusal.
    ALERTS_ALLOWED_HOSTS: `127.0.0.1:${receivers.httpPort}`,
  };
  [server, browser] = await Promise.all([startServer({ env }), openBrowser()]);
  admin = await setUpServer(server);
  agentId = (await (await admin.request("/api/v1/agents")).json()).items[0].id as string;
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  await receivers?.close();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

async function loggedInPage(path: string, options: Parameters<TestBrowser["newPage"]>[1] = {}): Promise<Page> {
  const page = await browser.newPage(server.url, options);
  await logIn(page);
  await page.goto(path);
  await waitForHydration(page);
  return page;
}

async function shot(page: Page, name: string) {
  await page.screenshot({ path: SHOTS ? `${SHOTS}/${name}.png` : artifactPath(`forms-${name}.png`), fullPage: true });
}

/** Types a name into the domains field and presses Enter, which makes it a chip. */
async function addDomain(page: Page, name: string) {
  await page.getByLabel("Domains").fill(name);
  await page.getByLabel("Domains").press("Enter");
}

describe("forms that behave", () => {
  test("domains are chips checked one by one; the server refuses the same names", async () => {
    const page = await loggedInPage("/proxies");
    await addDomain(page, "exa mple.com");
    const chips = page.getByTestId("domain-chip");
    await expect(chips.count()).resolves.toBe(1);
    await expect(chips.first().getAttribute("data-valid")).resolves.toBe("false");
    await page.getByTestId("domain-problems").getByText('"exa mple.com" is not a domain name.').waitFor();
    await page.getByRole("button", { name: "Remove exa mple.com" }).click();

    await addDomain(page, "intranet");
    await page.getByTestId("domain-problems").getByText(/"intranet" has a single label/).waitFor();
    await page.getByLabel("Allow single-label names").check();
    await expect(page.getByTestId("domain-chip").first().getAttribute("data-valid")).resolves.toBe("true");
    // A comma ends a name too; a pasted list becomes one chip per name.
    await page.getByLabel("Domains").fill("a.test,");
    await expect(page.getByTestId("domain-chip").allTextContents()).resolves.toEqual(["intranet×", "a.test×"]);
    await shot(page, "proxy-domain-chips");

    // The server agrees: a space is refused, one label only with the opt-in.
    const body = (domains: string[], extra = {}) => ({ kind: "proxy", domains, upstream: { scheme: "http", host: "127.0.0.1", port: 9 }, ...extra });
    const spaced = await admin.post(`/api/v1/agents/${agentId}/proxies`, body(["exa mple.com"]));
    expect(spaced.status).toBe(400);
    expect((await spaced.json()).error.fields["domains.0"]).toMatch(/is not a domain name/);
    const single = await admin.post(`/api/v1/agents/${agentId}/proxies`, body(["intranet"]));
    expect(single.status).toBe(400);
    expect((await single.json()).error.fields["domains.0"]).toMatch(/single label/);
    const allowed = await admin.post(`/api/v1/agents/${agentId}/proxies`, body(["intranet"], { allowSingleLabel: true }));
    expect(allowed.status).toBe(201);
    // What GET returns is still a valid PATCH body.
    const created = await allowed.json();
    expect(created.allowSingleLabel).toBe(true);
    const { id, agentId: _a, status: _s, createdAt: _c, updatedAt: _u, ...again } = created;
    expect((await admin.request(`/api/v1/agents/${agentId}/proxies/${id}`, { method: "PATCH", json: again })).status).toBe(200);
    browser.assertNoPageErrors();
  });

  test("a proxy host form clears and closes once the host is created; a double click makes one host", async () => {
    const page = await loggedInPage("/proxies");
    await addDomain(page, "forms.test");
    await page.getByLabel("Upstream host").fill("127.0.0.1");
    await page.getByLabel("Port", { exact: true }).fill("9");
    await page.getByRole("button", { name: "Create and apply" }).dblclick();
    const panel = page.getByTestId("create-panel");
    await page.locator('[data-testid="create-panel"][data-open="false"]').waitFor();
    await expect(panel.getByTestId("create-done").textContent()).resolves.toContain("The host was created");
    await page.locator('[data-testid="proxy-row"][data-domain="forms.test"]').waitFor();
    await shot(page, "proxy-created-closed");
    const hosts = (await (await admin.request(`/api/v1/agents/${agentId}/proxies`)).json()).items as { domains: string[] }[];
    expect(hosts.filter((h) => h.domains.includes("forms.test"))).toHaveLength(1);

    await panel.getByRole("button", { name: "Add another host" }).click();
    await expect(page.getByTestId("domain-chip").count()).resolves.toBe(0);
    await expect(page.getByLabel("Upstream host").inputValue()).resolves.toBe("");
    await expect(page.getByLabel("Domains").evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    browser.assertNoPageErrors();
  });

  test("a self-signed certificate loaded from files is accepted with a warning, and its key leaves the screen", async () => {
    const dir = mkdtempSync(join(tmpdir(), "infrapilot-selfsigned-"));
    execFileSync("openssl", ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "30", "-subj", "/CN=self.test"], { stdio: "ignore" });
    const keyPem = readFileSync(join(dir, "key.pem"), "utf8");
    const page = await loggedInPage("/certificates");
    await page.getByLabel("Upload a certificate").check();
    await addDomain(page, "self.test");
    await page.locator('label:has-text("Load certificate file") input[type=file]').setInputFiles(join(dir, "cert.pem"));
    await page.locator('label:has-text("Load key file") input[type=file]').setInputFiles(join(dir, "key.pem"));
    // The file is read asynchronously: once the form says it loaded it, the key is in the field.
    await page.getByText("Loaded from key.pem.").waitFor();
    await expect(page.getByLabel("Private key (PEM)").inputValue()).resolves.toBe(keyPem);
    await page.getByRole("button", { name: "Upload certificate" }).click();
    const row = page.locator('[data-testid="certificate-row"][data-domain="self.test"][data-status="issued"]');
    await row.waitFor();
    await expect(row.getByTestId("self-signed").textContent()).resolves.toBe("Self-signed: browsers will not trust it");
    await page.getByRole("status").getByText(/self-signed: browsers will show a warning/).waitFor();
    await page.locator('[data-testid="create-panel"][data-open="false"]').waitFor();
    await shot(page, "certificate-self-signed");
    const html = await page.content();
    expect(html).not.toContain("PRIVATE KEY");
    expect(html).not.toContain(keyPem.split("\n")[1]!);
    rmSync(dir, { recursive: true, force: true });
    browser.assertNoPageErrors();
  });

  test("an alert channel can be edited: a blank secret keeps the stored one; loopback is refused with the way to allow it", async () => {
    const page = await loggedInPage("/alerts?tab=channels");
    const otherPort = await freePort();
    await page.getByLabel("Name").fill("Hook");
    await page.getByLabel("Type").selectOption("webhook");
    await page.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${otherPort}/hook`);
    await page.getByLabel("Signing secret").fill("first-secret-42");
    await page.getByRole("button", { name: "Add channel" }).click();
    await page.getByRole("alert").getByText(/loopback address.*ALERTS_ALLOWED_HOSTS/).waitFor();
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("Hook");

    await page.getByLabel("URL", { exact: true }).fill(`http://127.0.0.1:${receivers.httpPort}/hook`);
    await page.getByLabel("Signing secret").fill("first-secret-42");
    await page.getByRole("button", { name: "Add channel" }).click();
    await page.locator('[data-testid="create-panel"][data-open="false"]').waitFor();
    await expect(page.content()).resolves.not.toContain("first-secret-42");
    await shot(page, "channel-created-closed");

    const row = page.locator('[data-testid="channel-row"][data-name="Hook"]');
    await row.getByRole("link", { name: "Edit Hook" }).click();
    await page.getByRole("form", { name: "Edit Hook" }).waitFor();
    await waitForHydration(page);
    await expect(page.getByLabel("Signing secret").inputValue()).resolves.toBe("");
    await page.getByText("Set; leave blank to keep it.").first().waitFor();
    await shot(page, "channel-edit");
    await page.getByLabel("Name").fill("Team hook");
    await page.getByRole("button", { name: "Save channel" }).click();
    await page.waitForURL(/\/alerts\?tab=channels$/);
    const renamed = page.locator('[data-testid="channel-row"][data-name="Team hook"]');
    await renamed.waitFor();

    // The kept secret still signs: the receiver checks the HMAC of the test message.
    const before = receivers.requests.length;
    await renamed.getByRole("button", { name: "Send test" }).click();
    await renamed.getByRole("status").waitFor();
    const [request] = (await receivers.waitFor(() => receivers.requests.slice(before), (r) => r.length > 0)) as typeof receivers.requests;
    expect(request!.headers["x-infrapilot-signature"]).toBe(`sha256=${createHmac("sha256", "first-secret-42").update(request!.body).digest("hex")}`);
    browser.assertNoPageErrors();
  });

  test("an alert rule form clears and closes once the rule is added", async () => {
    const page = await loggedInPage("/alerts?tab=rules");
    await page.getByLabel("Name").fill("Crash watch");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.locator('[data-testid="create-panel"][data-open="false"]').waitFor();
    await page.getByText("Crash watch").first().waitFor();
    await page.getByRole("button", { name: "Add another rule" }).click();
    await expect(page.getByLabel("Name").inputValue()).resolves.toBe("");
    const rules = (await (await admin.request("/api/v1/alerts/rules")).json()).items as { name: string }[];
    expect(rules.filter((r) => r.name === "Crash watch")).toHaveLength(1);
    browser.assertNoPageErrors();
  });
});
