// A real browser for end-to-end tests: Debian's chromium driven by playwright-core (browser
// downloads are impossible here, see ENVIRONMENT.md). Every E2E file shares this helper:
//
//   const browser = await openBrowser();            // beforeAll
//   const page = await browser.newPage(server.url); // a fresh context (no cookies) per call
//   ...
//   browser.assertNoPageErrors();                   // uncaught errors / console.error in the page
//   await browser.close();                          // afterAll
import { existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { ADMIN } from "../setup/server";
import { chromium, type Browser, type BrowserContext, type BrowserContextOptions, type Page } from "playwright-core";

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const CHROMIUM_ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Where screenshots and other CI artifacts go (git-ignored). */
export const ARTIFACTS_DIR = fileURLToPath(new URL("./artifacts", import.meta.url));

export function artifactPath(name: string): string {
  mkdirSync(ARTIFACTS_DIR, { recursive: true });
  return join(ARTIFACTS_DIR, name);
}

export interface TestBrowser {
  browser: Browser;
  /** A page in a new, empty context (own cookies, storage, viewport, colour scheme). */
  newPage(baseURL: string, options?: BrowserContextOptions): Promise<Page>;
  /** Uncaught page errors and console.error messages seen so far, from every page. */
  pageErrors(): string[];
  /** Throws when any page logged an error; clears the list either way. */
  assertNoPageErrors(): void;
  close(): Promise<void>;
}

export async function openBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(`No chromium at ${CHROMIUM_PATH}. Install Debian's browser with \`apt-get install -y chromium\` (or set CHROMIUM_PATH).`);
  }
  const browser = await chromium.launch({ executablePath: CHROMIUM_PATH, args: CHROMIUM_ARGS, timeout: 60_000 });
  const contexts: BrowserContext[] = [];
  let errors: string[] = [];

  return {
    browser,
    async newPage(baseURL, options = {}) {
      const context = await browser.newContext({ baseURL, viewport: { width: 1280, height: 800 }, ...options });
      context.setDefaultTimeout(15_000);
      context.setDefaultNavigationTimeout(30_000);
      contexts.push(context);
      const page = await context.newPage();
      page.on("pageerror", (error) => errors.push(`${page.url()}: uncaught ${error.message}`));
      page.on("console", (message) => {
        // Chromium aborts in-flight requests with ERR_NETWORK_CHANGED whenever the machine's
        // network interfaces change — which other tests do by creating Docker networks and
        // containers on the test engine. That is the test machine, not the page.
        if (message.type() === "error" && !message.text().includes("net::ERR_NETWORK_CHANGED")) errors.push(`${page.url()}: console.error ${message.text()}`);
      });
      return page;
    },
    pageErrors: () => [...errors],
    assertNoPageErrors() {
      const seen = errors;
      errors = [];
      if (seen.length > 0) throw new Error(`The browser reported errors:\n${seen.join("\n")}`);
    },
    async close() {
      for (const context of contexts) await context.close().catch(() => {});
      await browser.close();
    },
  };
}

/** Waits until Remix has hydrated, so client-side handlers (menu toggles, etc.) are live. */
export async function waitForHydration(page: Page): Promise<void> {
  await page.waitForFunction(() => {
    const w = window as unknown as { __remixContext?: unknown; __remixRouter?: { state?: { initialized?: boolean } } };
    return Boolean(w.__remixRouter?.state?.initialized);
  });
}

/** Logs in through the login form and waits for the dashboard. */
export async function logIn(page: Page, who: { email: string; password: string } = ADMIN): Promise<void> {
  await page.goto("/login");
  await page.getByLabel("E-mail").fill(who.email);
  await page.getByLabel("Password").fill(who.password);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL("**/dashboard");
}

/**
 * Relative luminance (0 black … 1 white, WCAG formula) of what the page shows behind its content:
 * the body's background colour, or the root's when the body is transparent. Dark mode ≈ < 0.2.
 */
export async function pageBackgroundLuminance(page: Page): Promise<number> {
  return page.evaluate(() => {
    const parse = (c: string) => (c.match(/[\d.]+/g) ?? []).map(Number);
    let rgba = parse(getComputedStyle(document.body).backgroundColor);
    if (rgba.length === 4 && rgba[3] === 0) rgba = parse(getComputedStyle(document.documentElement).backgroundColor);
    const [r, g, b] = rgba.slice(0, 3).map((v) => {
      const s = v / 255;
      return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  });
}
