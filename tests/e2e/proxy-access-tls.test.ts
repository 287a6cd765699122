// Access lists and TLS in a real browser against the production server, a real nginx on loopback
// and pebble (Let's Encrypt's test CA):
// - an access list made on its page and picked in a host's form: nginx answers 401 without the
//   credentials and 200 with them; deleting the list while in use is refused, naming the host;
// - a certificate + key uploaded on the Certificates page (a test root → intermediate → leaf),
//   picked for a host with force HTTPS: the host goes live, HTTPS with that SNI is served with
//   exactly that leaf (trusting only the test root), plain HTTP redirects to HTTPS;
// - a Let's Encrypt request shows its progress (step by step) and then "Valid until".
import { X509Certificate } from "node:crypto";
import { rmSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect as tlsConnect } from "node:tls";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeChain } from "../setup/cert-chain";
import { viaNginx, stopNginxOf } from "../setup/nginx";
import { startPebble, type Pebble } from "../setup/pebble";
import { freePort } from "../setup/postgres";
import { setUpServer, startServer, type TestServer } from "../setup/server";
import { openBrowser, waitForHydration, type TestBrowser, logIn } from "./browser";

let server: TestServer;
let browser: TestBrowser;
let pebble: Pebble;
let upstream: Server;
let upstreamPort: number;
let httpPort: number;
let httpsPort: number;

beforeAll(async () => {
  upstreamPort = await freePort();
  upstream = createServer((req, res) => res.end(`upstream saw ${req.headers.host} ${req.headers.authorization ? "with" : "without"} credentials`));
  await new Promise<void>((r) => upstream.listen(upstreamPort, "127.0.0.1", r));
  httpPort = await freePort();
  httpsPort = await freePort();
  pebble = await startPebble({ httpPort });
  const env = {
    NGINX_BIN: "/usr/sbin/nginx",
    NGINX_HTTP_PORT: String(httpPort),
    NGINX_HTTPS_PORT: String(httpsPort),
    NGINX_LISTEN_ADDRESS: "127.0.0.1",
    ACME_DIRECTORY_URL: pebble.directoryUrl,
    NODE_EXTRA_CA_CERTS: pebble.tlsCaFile,
  };
  [server, browser] = await Promise.all([startServer({ env }), openBrowser()]);
  await setUpServer(server);
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  if (server) stopNginxOf(server.dataDir);
  await pebble?.stop();
  upstream?.close();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

async function loggedInPage(): Promise<Page> {
  const page = await browser.newPage(server.url);
  await logIn(page);
  return page;
}

/** Fills the "Add a host" form's domain and address target (the rest is up to the caller). */
async function fillHost(page: Page, domain: string) {
  await page.goto("/proxies");
  await waitForHydration(page);
  await page.getByLabel("Domains").fill(domain);
  await page.getByLabel("Upstream host").fill("127.0.0.1");
  await page.getByLabel("Port", { exact: true }).fill(String(upstreamPort));
}

/** HTTPS to nginx's loopback port with SNI and Host `name`, trusting only `ca`. */
function httpsGet(name: string, ca: string): Promise<{ fingerprint256: string; status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = tlsConnect({ host: "127.0.0.1", port: httpsPort, servername: name, ca }, () => {
      const fingerprint256 = socket.getPeerCertificate().fingerprint256;
      socket.write(`GET / HTTP/1.1\r\nHost: ${name}\r\nConnection: close\r\n\r\n`);
      let data = "";
      socket.on("data", (d) => (data += d));
      socket.on("end", () => {
        const [head, ...body] = data.split("\r\n\r\n");
        resolve({ fingerprint256, status: Number(head!.split(" ")[1]), body: body.join("\r\n\r\n") });
      });
    });
    socket.on("error", reject);
  });
}

describe("access lists in a browser", () => {
  test("a list made on its page guards a host: 401 without credentials, 200 with them; deleting it while in use is refused", async () => {
    const page = await loggedInPage();
    await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Proxies" }).click();
    await page.waitForURL("**/proxies");
    await page.getByRole("navigation", { name: "Proxy sections" }).getByRole("link", { name: "Access lists" }).click();
    await page.waitForURL("**/access-lists");
    await waitForHydration(page);
    await page.getByText("No access lists yet").waitFor();

    // A refused save keeps the rows and shows the error next to the field it names.
    await page.getByLabel("Name", { exact: true }).fill("Staff");
    await page.getByRole("button", { name: "Add user" }).click();
    // The new row takes the focus: the keyboard goes on from there.
    await expect(page.getByLabel("Username 1").evaluate((el) => el === document.activeElement)).resolves.toBe(true);
    await page.keyboard.type("ann");
    await page.keyboard.press("Tab");
    await page.keyboard.type("short");
    await expect(page.getByLabel("Password 1").inputValue()).resolves.toBe("short");
    await page.getByRole("button", { name: "Add rule" }).click();
    await page.getByLabel("Address 1").fill("10.0.0.0/40");
    await page.getByRole("button", { name: "Create access list" }).click();
    await page.getByText("Use at least 8 characters.").waitFor();
    await page.getByText("Use an IP address, a CIDR range (10.0.0.0/8) or all.").waitFor();
    await expect(page.getByLabel("Password 1").getAttribute("aria-invalid")).resolves.toBe("true");
    await expect(page.getByLabel("Username 1").inputValue()).resolves.toBe("ann");

    await page.getByLabel("Password 1").fill("open sesame 42");
    await page.getByRole("button", { name: "Remove rule 1" }).click();
    await page.getByRole("button", { name: "Create access list" }).click();
    const row = page.locator('[data-testid="access-list-row"][data-name="Staff"]');
    await row.waitFor();
    await expect(row.textContent()).resolves.toContain("Users: ann");
    await expect(row.textContent()).resolves.toContain("Not used by any host");
    // Passwords are write-only: the edit form never carries them back.
    await row.getByRole("link", { name: "Edit Staff" }).click();
    await page.getByText("Edit Staff").waitFor();
    await expect(page.getByLabel("Password 1").inputValue()).resolves.toBe("");
    await expect(page.content()).resolves.not.toMatch(/open sesame|\{SSHA\}/);

    // The host form offers the list.
    await fillHost(page, "guarded.test");
    await page.getByLabel("Access list").selectOption({ label: "Staff" });
    await page.getByRole("button", { name: "Create and apply" }).click();
    await page.locator('[data-testid="proxy-row"][data-domain="guarded.test"][data-state="ok"]').waitFor();
    await expect(page.locator('[data-testid="proxy-row"][data-domain="guarded.test"] [data-testid="host-options"]').textContent()).resolves.toContain("access: Staff");

    expect((await viaNginx(httpPort, "guarded.test")).status).toBe(401);
    const wrong = `Basic ${Buffer.from("ann:wrong password").toString("base64")}`;
    expect((await viaNginx(httpPort, "guarded.test", "/", { Authorization: wrong })).status).toBe(401);
    const right = `Basic ${Buffer.from("ann:open sesame 42").toString("base64")}`;
    // The upstream does not get the credentials (nginx strips them).
    expect(await viaNginx(httpPort, "guarded.test", "/", { Authorization: right })).toEqual({ status: 200, body: "upstream saw guarded.test without credentials" });

    // Deleting the list while the host uses it: the dialog names the host, the server refuses.
    await page.goto("/access-lists");
    await waitForHydration(page);
    await expect(row.getByTestId("access-list-hosts").textContent()).resolves.toBe("Used by guarded.test");
    await row.getByRole("button", { name: "Delete Staff" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete the access list Staff?" });
    await expect(dialog.getByTestId("access-list-in-use").textContent()).resolves.toContain("guarded.test");
    await dialog.getByRole("button", { name: "Delete access list" }).click();
    await dialog.getByRole("alert").getByText(/used by a proxy host \(guarded\.test\)/).waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    expect((await viaNginx(httpPort, "guarded.test")).status).toBe(401);
    browser.assertNoPageErrors();
  });
});

describe("TLS in a browser", () => {
  test("an uploaded certificate picked for a host with force HTTPS is served over HTTPS, and HTTP redirects", async () => {
    const chain = makeChain(["secure.test"]);
    const page = await loggedInPage();
    await page.goto("/certificates");
    await waitForHydration(page);
    await page.getByLabel("Upload a certificate").check();
    await page.getByLabel("Domains").fill("secure.test");
    await page.getByLabel("Certificate chain (PEM)").fill(chain.leaf + chain.intermediate);
    await page.getByLabel("Private key (PEM)").fill(chain.leafKey);
    await page.getByRole("button", { name: "Upload certificate" }).click();
    const certRow = page.locator('[data-testid="certificate-row"][data-domain="secure.test"][data-status="issued"]');
    await certRow.waitFor();
    await expect(certRow.textContent()).resolves.toMatch(/Uploaded.*Valid until/);

    await fillHost(page, "secure.test");
    await page.getByLabel("TLS", { exact: true }).selectOption("custom");
    await page.getByLabel("Certificate", { exact: true }).selectOption({ label: "secure.test (uploaded)" });
    await page.getByLabel("Force HTTPS").check();
    await page.getByLabel("HSTS", { exact: true }).check();
    await page.getByRole("button", { name: "Create and apply" }).click();
    const row = page.locator('[data-testid="proxy-row"][data-domain="secure.test"]');
    await page.locator('[data-testid="proxy-row"][data-domain="secure.test"][data-state="ok"]').waitFor();
    await expect(row.textContent()).resolves.toMatch(/Valid until/);

    const served = await httpsGet("secure.test", chain.root);
    expect(served.fingerprint256).toBe(new X509Certificate(chain.leaf).fingerprint256);
    expect(served.status).toBe(200);
    expect(served.body).toBe("upstream saw secure.test without credentials");
    const plain = await new Promise<{ status: number; location: string | undefined }>((resolve, reject) => {
      import("node:http").then(({ request }) => {
        const req = request({ host: "127.0.0.1", port: httpPort, path: "/some/path?q=1", headers: { Host: "secure.test" }, agent: false }, (res) => {
          res.resume();
          resolve({ status: res.statusCode!, location: res.headers.location });
        });
        req.on("error", reject);
        req.end();
      }, reject);
    });
    // nginx listens for HTTPS on a non-standard port here: the redirect must name it.
    expect(plain).toEqual({ status: 301, location: `https://secure.test:${httpsPort}/some/path?q=1` });
    browser.assertNoPageErrors();
  });

  test("a Let's Encrypt request shows its progress, then the valid certificate", async () => {
    const page = await loggedInPage();
    await page.goto("/certificates");
    await waitForHydration(page);
    // Record every state the row's status cell shows while the page refreshes itself.
    await page.evaluate(() => {
      const seen: string[] = [];
      (window as unknown as { __seen: string[] }).__seen = seen;
      new MutationObserver(() => {
        const row = document.querySelector('[data-testid="certificate-row"][data-domain="acme-e2e.test"]');
        const step = row?.querySelector('[data-testid="issuance-progress"]');
        const text = row ? `${row.getAttribute("data-status")}|${step?.getAttribute("data-step") ?? ""}|${step?.textContent ?? ""}` : "";
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true, attributes: true });
    });
    await page.getByLabel("Let's Encrypt (HTTP-01)").check();
    await page.getByLabel("Domains").fill("acme-e2e.test");
    await page.getByRole("button", { name: "Request certificate" }).click();
    await page.locator('[data-testid="certificate-row"][data-domain="acme-e2e.test"][data-status="issued"]').waitFor({ timeout: 60_000 });
    const seen = await page.evaluate(() => (window as unknown as { __seen: string[] }).__seen);
    // While pending, the row said which step it was at ("Step n of 5: …"), then it settled as issued.
    expect(seen.some((s) => /^pending\|(preflight|account|order|validation|install)\|Step \d of 5: /.test(s)), JSON.stringify(seen)).toBe(true);
    expect(seen[seen.length - 1]).toMatch(/^issued\|/);
    await expect(page.locator('[data-testid="certificate-row"][data-domain="acme-e2e.test"]').textContent()).resolves.toMatch(/Let's Encrypt.*Valid until.*Pebble Intermediate/);
    browser.assertNoPageErrors();
  });
});
