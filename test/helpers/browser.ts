/** Debian's chromium through playwright-core, shared by the browser tests. */
import assert from "node:assert/strict";
import { existsSync, mkdirSync } from "node:fs";
import { chromium, type Browser, type Page } from "playwright-core";
// @ts-expect-error: a plain .mjs script without type declarations
import { ensureWebBuild } from "../../scripts/ensure-web-build.mjs";

export const CHROMIUM = process.env.CHROMIUM_BIN ?? "/usr/bin/chromium";
/** Screenshots go here (git-ignored); docs/screenshots holds copies chosen by hand. */
export const ARTIFACTS = "test-artifacts";

/** Outside CI a machine without chromium skips the browser tests; CI installs it, so there they fail instead. */
export const skipWithoutChromium: string | false = !existsSync(CHROMIUM) && !process.env.CI && `no chromium at ${CHROMIUM}`;

/** Builds the dashboard when dist/web is missing or older than its sources, and makes the artifacts folder. */
export function ensureBuilt(): void {
  assert.equal(ensureWebBuild(), true, "vite build failed (or vite is not installed)");
  mkdirSync(ARTIFACTS, { recursive: true });
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"] });
}

/** A page in a fresh chromium that records the page's uncaught errors; `await using` closes the browser. */
export interface ChromiumPage extends AsyncDisposable {
  readonly browser: Browser;
  readonly page: Page;
  /** Messages of the page's uncaught exceptions, in order (a test asserts it stays empty). */
  readonly pageErrors: string[];
}

export async function openChromiumPage(viewport: { width: number; height: number }): Promise<ChromiumPage> {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage({ viewport });
    const pageErrors: string[] = [];
    page.on("pageerror", (e) => pageErrors.push(e.message));
    return { browser, page, pageErrors, [Symbol.asyncDispose]: () => browser.close() };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
