// Single sign-on in a real browser against the production server and a real OpenID provider
// (npm `oidc-provider` over HTTPS on loopback, its CA given to the server as NODE_EXTRA_CA_CERTS):
// the admin adds the provider on the settings page, a person clicks "Sign in with …" on the login
// page, the IdP signs them in, and they land in InfraPilot with the role their group maps to. A
// refusal comes back to the login page as a sentence. The login and settings screens are saved
// light/dark, desktop/phone.
import { rmSync } from "node:fs";
import type { BrowserContextOptions, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { makeLoopbackCert } from "../setup/cert-chain";
import { startTestIdp, type TestIdp } from "../setup/oidc-provider";
import { ADMIN, setUpServer, startServer, type Client, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;
let idp: TestIdp;
let api: Client;
const providerName = "Acme SSO";

const VIEWS: Record<string, BrowserContextOptions> = {
  "desktop-light": { colorScheme: "light" },
  "desktop-dark": { colorScheme: "dark" },
  "phone-light": { colorScheme: "light", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  "phone-dark": { colorScheme: "dark", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
};

beforeAll(async () => {
  const tls = makeLoopbackCert();
  idp = await startTestIdp({
    tls: { cert: tls.certPem, key: tls.keyPem },
    accounts: { "alice-sub": { email: "alice@example.com", email_verified: true, name: "Alice Ops", groups: ["ops"] } },
  });
  [server, browser] = await Promise.all([startServer({ env: { NODE_EXTRA_CA_CERTS: tls.caFile } }), openBrowser()]);
  api = await setUpServer(server);
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
  await idp?.stop();
  if (server) rmSync(server.dataDir, { recursive: true, force: true });
});

async function adminPage(options: BrowserContextOptions = {}): Promise<Page> {
  const page = await browser.newPage(server.url, options);
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(ADMIN.email);
  await page.getByLabel("Password").fill(ADMIN.password);
  await page.getByRole("button", { name: "Log in", exact: true }).click();
  await page.waitForURL("**/dashboard");
  return page;
}

describe("OpenID Connect in the browser", () => {
  test("an http:// issuer is refused by the production server", async () => {
    const res = await api.post("/api/v1/sso/providers", { type: "oidc", name: "Plain", config: { issuer: "http://127.0.0.1:9", clientId: "x" } });
    expect(res.status).toBe(400);
    expect((await res.json()).error.fields["config.issuer"]).toBe("Use https:// (the token endpoint's TLS is what vouches for the ID token).");
  });

  test("the admin adds the provider on the settings page, and Test discovers the issuer", async () => {
    const page = await adminPage();
    await page.goto("/settings");
    await page.getByRole("link", { name: "Configure single sign-on" }).click();
    await page.getByRole("heading", { name: "Single sign-on" }).waitFor();
    await waitForHydration(page);
    await page.getByText("No provider yet").waitFor();
    await page.getByLabel("Name (shown on the login button)").fill(providerName);
    await page.getByLabel("Issuer URL").fill(idp.issuer);
    await page.getByLabel("Client ID").fill("infrapilot");
    await page.getByLabel("Client secret").fill("e2e-client-secret-0123456789");
    await page.getByLabel("Scopes").fill("openid email profile groups");
    await page.getByLabel("Group → role").fill("ops = operator\nadmins = admin");
    await page.getByLabel("Create accounts on first login (JIT)").check();
    await page.getByRole("button", { name: "Add provider" }).click();
    await page.getByTestId("sso-provider").filter({ hasText: providerName }).waitFor();
    const callbackUrl = (await page.getByTestId("sso-provider").locator("code").textContent())!.trim();
    expect(callbackUrl).toMatch(new RegExp(`^${server.url}/api/v1/auth/sso/[0-9a-f-]{36}/callback$`));
    idp.addClient({ client_id: "infrapilot", client_secret: "e2e-client-secret-0123456789", redirect_uris: [callbackUrl] });

    await page.getByRole("button", { name: "Test" }).click();
    await page.getByRole("status").filter({ hasText: `Discovered ${idp.issuer}` }).waitFor();
    for (const [view, options] of Object.entries(VIEWS)) {
      const shot = await adminPage(options);
      await shot.goto("/settings/sso");
      await shot.getByTestId("sso-provider").first().waitFor();
      await shot.screenshot({ path: artifactPath(`sso-settings-${view}.png`), fullPage: true });
      await shot.context().close();
    }
    await page.context().close();
  });

  test("a person signs in with the provider and lands with the role their group maps to", async () => {
    idp.nextLogin = { accountId: "alice-sub" };
    const page = await browser.newPage(server.url, { ignoreHTTPSErrors: true });
    await page.goto("/containers");
    await page.waitForURL("**/login?redirectTo=%2Fcontainers");
    await page.getByRole("link", { name: `Sign in with ${providerName}` }).click();
    await page.waitForURL("**/containers");
    const me = await page.evaluate(async () => (await (await fetch("/api/v1/me")).json()) as { user: { email: string; name: string; role: string } });
    expect(me.user).toMatchObject({ email: "alice@example.com", name: "Alice Ops", role: "operator" });
    await page.context().close();
  });

  test("the login page shows the SSO button and a refusal as a sentence, in every view", async () => {
    for (const [view, options] of Object.entries(VIEWS)) {
      const page = await browser.newPage(server.url, options);
      await page.goto("/login?sso_error=no_account");
      await page.getByRole("link", { name: `Sign in with ${providerName}` }).waitFor();
      await page.getByText("There is no account for you in this organization").waitFor();
      await page.screenshot({ path: artifactPath(`sso-login-${view}.png`), fullPage: true });
      await page.context().close();
    }
    browser.assertNoPageErrors();
  });
});

