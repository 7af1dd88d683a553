// Shared harness for the end-to-end tests: serves www/ on 127.0.0.1, launches Debian's Chromium through
// playwright-core, and fails a test on any console error or page error.
import { chromium } from 'playwright-core';
import { serveStatic } from '../../scripts/serve.mjs';
import path from 'node:path';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const ARTIFACTS = path.join(ROOT, 'target', 'e2e-artifacts');

/** The flags DEVELOPERS.md asks for: headless, no sandbox (root), no background traffic. */
export const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync', '--disable-quic',
];

/** Launches Chromium. */
export function launch() {
  return chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS, headless: true });
}

/** Serves `dir` (default www/) on a free port; returns { server, url }. `options` go to serveStatic (`gzip`). */
export async function serve(dir = path.join(ROOT, 'www'), options = {}) {
  const server = await serveStatic(dir, 0, options);
  return { server, url: `http://127.0.0.1:${server.address().port}/` };
}

/**
 * Opens a new page in a new context (`contextOptions` go to `browser.newContext`) that records console errors and
 * page errors; `page.problems` lists them and `assertClean(page)` throws if there are any.
 */
export async function openPage(browser, url, contextOptions = {}) {
  const context = await browser.newContext(contextOptions);
  const page = recordProblems(await context.newPage());
  if (url) await page.goto(url);
  return page;
}

/** Records the console lines of `page` (`page.consoleLines`) and its console errors and page errors
 * (`page.problems`); returns the page. */
export function recordProblems(page) {
  page.problems = [];
  page.consoleLines = [];
  page.on('console', (msg) => {
    page.consoleLines.push(msg.text());
    if (msg.type() === 'error') page.problems.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => page.problems.push(`page error: ${err.message}`));
  return page;
}

/** Throws when the page logged a console error or threw. */
export function assertClean(page) {
  if (page.problems.length) throw new Error(`the page reported problems:\n${page.problems.join('\n')}`);
}

/** Saves a screenshot under target/e2e-artifacts/ (kept as an artifact, not committed). */
export async function screenshot(page, name) {
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** A JWT with the given claims and a random signature. */
export function makeJwt(claims, header = { alg: 'RS256', typ: 'JWT', kid: 'k1' }) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc(header)}.${enc(claims)}.${Buffer.from('not-a-real-signature').toString('base64url')}`;
}
