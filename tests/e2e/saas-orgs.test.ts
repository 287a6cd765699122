// SaaS organizations in Chromium: sign up two organizations, invite a member who accepts by link,
// switch organizations in the header, and see only each organization's data.
import { afterAll, beforeAll, expect, test } from "vitest";
import { Client, startServer, type TestServer } from "../setup/server";
import { artifactPath, openBrowser, waitForHydration, type TestBrowser } from "./browser";

let server: TestServer;
let browser: TestBrowser;
const PASSWORD = "a long enough password";

beforeAll(async () => {
  [server, browser] = await Promise.all([startServer({ env: { EDITION: "saas", SIGNUP: "open" } }), openBrowser()]);
  // The platform operator is set up first (/setup); tenants sign up afterwards.
  const setup = await new Client(server.url).post("/api/v1/setup", { email: "operator@infrapilot.test", name: "Operator", password: PASSWORD });
  if (setup.status !== 201) throw new Error(`setup failed: ${setup.status}`);
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

async function apiAs(email: string): Promise<Client> {
  const client = new Client(server.url);
  const res = await client.post("/api/v1/auth/login", { email, password: PASSWORD });
  if (res.status !== 200) throw new Error(`login failed: ${res.status}`);
  return client;
}

test("two organizations sign up, one invites a member who accepts by link, switches and sees only each organization's data", async () => {
  // Alice signs up in the browser.
  const alice = await browser.newPage(server.url);
  await alice.goto("/login");
  await alice.getByRole("link", { name: "Create an account" }).click();
  await alice.getByLabel("Your name").fill("Alice");
  await alice.getByLabel("E-mail").fill("alice@alpha.example");
  await alice.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await alice.getByLabel("Organization name").fill("Alpha Org");
  await alice.getByRole("button", { name: "Create account" }).click();
  await alice.waitForURL("**/dashboard");
  await alice.getByTestId("current-org").locator("visible=true").first().getByText("Alpha Org").waitFor();

  // Bob signs up (API) with his own organization; each organization gets a monitor of its own.
  const bobApi = new Client(server.url);
  expect((await bobApi.post("/api/v1/auth/signup", { email: "bob@beta.example", name: "Bob", password: PASSWORD, orgName: "Beta Org" })).status).toBe(201);
  expect((await bobApi.post("/api/v1/monitors", { name: "beta-only-monitor", type: "push", config: {}, intervalSeconds: 60 })).status).toBe(201);
  const aliceApi = await apiAs("alice@alpha.example");
  expect((await aliceApi.post("/api/v1/monitors", { name: "alpha-only-monitor", type: "push", config: {}, intervalSeconds: 60 })).status).toBe(201);

  // Alice invites Bob from the Organization page.
  await alice.goto("/organizations");
  await waitForHydration(alice);
  await alice.getByLabel("E-mail address").fill("bob@beta.example");
  await alice.getByLabel("Role", { exact: true }).selectOption("operator");
  await alice.getByRole("button", { name: "Invite" }).click();
  const link = (await alice.getByTestId("invitation-url").textContent())!.trim();
  expect(link).toContain("/invite/");
  await alice.getByTestId("invitations").getByText("bob@beta.example", { exact: true }).waitFor();
  for (const [scheme, viewport, name] of [["light", { width: 1280, height: 900 }, "desktop"], ["dark", { width: 390, height: 844 }, "phone"]] as const) {
    await alice.emulateMedia({ colorScheme: scheme });
    await alice.setViewportSize(viewport);
    await alice.screenshot({ path: artifactPath(`saas-organizations-${name}-${scheme}.png`), fullPage: true });
  }
  await alice.setViewportSize({ width: 1280, height: 800 });

  // Bob opens the link, logs in from it and joins.
  const bob = await browser.newPage(server.url);
  await bob.goto(new URL(link).pathname);
  await bob.getByRole("link", { name: "Log in to accept" }).click();
  await bob.getByLabel("E-mail").fill("bob@beta.example");
  await bob.getByLabel("Password").fill(PASSWORD);
  await bob.getByRole("button", { name: "Log in" }).click();
  await bob.getByRole("button", { name: "Join Alpha Org" }).click();
  await bob.waitForURL("**/dashboard");
  await bob.getByTestId("current-org").locator("visible=true").first().getByText("Alpha Org").waitFor();

  // In Alpha, Bob sees Alpha's monitor only.
  await bob.goto("/monitors");
  await bob.getByText("alpha-only-monitor").first().waitFor();
  expect(await bob.getByText("beta-only-monitor").count()).toBe(0);

  // He switches to Beta in the header: Beta's data only.
  await waitForHydration(bob);
  const switcher = bob.getByTestId("org-switcher").locator("visible=true").first();
  await switcher.locator("summary").click();
  await switcher.getByRole("button", { name: /Beta Org/ }).click();
  await bob.waitForURL("**/dashboard");
  await bob.getByTestId("current-org").locator("visible=true").first().getByText("Beta Org").waitFor();
  await bob.goto("/monitors");
  await bob.getByText("beta-only-monitor").first().waitFor();
  expect(await bob.getByText("alpha-only-monitor").count()).toBe(0);

  // Alice's Organization page lists Bob as an operator of Alpha.
  await alice.goto("/organizations");
  await alice.getByTestId("members").getByText("bob@beta.example", { exact: true }).waitFor();
  await bob.screenshot({ path: artifactPath("saas-org-switched-beta.png") });
  browser.assertNoPageErrors();
}, 120_000);
