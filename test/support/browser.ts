/**
 * A real browser for tests: Debian's headless Chromium (/usr/bin/chromium, which .ci/run installs)
 * driven by playwright-core, with a fresh profile and no network beyond what the page asks for.
 * Console errors, uncaught page errors and the URLs the pages requested are collected, so a test
 * can assert there were no errors and no request left the server under test.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { ROOT } from "./process.js";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** Where tests leave screenshots (not committed: .gitignore lists test-artifacts/). */
export const ARTIFACTS = join(ROOT, "test-artifacts");

/** A browser with one page. */
export interface TestBrowser {
  readonly page: Page;
  /** Console errors and uncaught exceptions of every page so far. */
  readonly errors: string[];
  /** The URL of every request the pages made (documents, assets, fetches; not WebSockets). */
  readonly requests: string[];
  /** Saves a full-page screenshot as test-artifacts/<name>.png. */
  screenshot(name: string): Promise<void>;
  close(): Promise<void>;
}

/** Starts headless Chromium; fails with what to install when it is missing. */
export async function launchBrowser(): Promise<TestBrowser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`${CHROMIUM} is missing: install Debian's chromium package (apt-get install -y chromium), as .ci/run does`);
  const profile = mkdtempSync(join(tmpdir(), "weaver-chromium-"));
  const context: BrowserContext = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport: { width: 1366, height: 860 },
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  const errors: string[] = [];
  const requests: string[] = [];
  const watch = (page: Page): void => {
    page.on("request", (r) => requests.push(r.url()));
    page.on("console", (m) => {
      if (m.type() === "error") errors.push(`console: ${m.text()}`);
    });
    page.on("pageerror", (e) => errors.push(`page error: ${e.message}`));
  };
  context.on("page", watch);
  const page = context.pages()[0] ?? (await context.newPage());
  watch(page);
  mkdirSync(ARTIFACTS, { recursive: true });
  return {
    page,
    errors,
    requests,
    screenshot: async (name) => {
      await page.screenshot({ path: join(ARTIFACTS, `${name}.png`), fullPage: true });
    },
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
