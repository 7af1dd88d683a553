// Shared helpers for the page tests (tests/e2e/page*.test.mjs): tokens, waiting for a diagnosis, clipboard
// contexts, axe-core. Not a test file itself.
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import { makeJwt, openPage, recordProblems, ROOT } from './harness.mjs';

export const NOW = () => Math.floor(Date.now() / 1000);

/** A delegated Microsoft Graph token (v1), with personal claims, valid for an hour. */
export function graphToken(scp, extra = {}) {
  const now = NOW();
  return makeJwt({
    aud: 'https://graph.microsoft.com', iss: 'https://sts.windows.net/72f988bf-0000-4000-8000-000000000001/',
    iat: now - 60, nbf: now - 60, exp: now + 3600, appid: 'd3590ed6-52b3-4102-aeff-aad2292ab01c', idtyp: 'user',
    scp, sub: 'subject-1', tid: '72f988bf-0000-4000-8000-000000000001', ver: '1.0',
    name: 'Ann Example', upn: 'ann.example@contoso.example', ...extra,
  });
}

/** An opaque (non-JWT) access token, shaped like a Genesys Cloud one. */
export const OPAQUE = 'aB3dE5gH7jK9mN1pQ3sT5vW7yZ9bC1dE3fG5hJ7kL9mN1pQ3sT5vW7yZ9bC1dE3fG5hJ7kL9mN1pQ3sT5vW7';

/** A small OpenAPI 3 document with OAuth scopes per operation. */
export const PETS_OPENAPI = {
  openapi: '3.0.3', info: { title: 'Pets', version: '1' }, servers: [{ url: 'https://pets.example.com/v1' }],
  components: { securitySchemes: { oauth: { type: 'oauth2', flows: { clientCredentials: { tokenUrl: 'https://pets.example.com/token', scopes: { 'pets:read': 'read', 'pets:write': 'write' } } } } } },
  paths: {
    '/pets': {
      get: { summary: 'List the pets', security: [{ oauth: ['pets:read'] }], responses: { 200: { description: 'ok' } } },
      post: { summary: 'Add a pet to the store', security: [{ oauth: ['pets:write'] }], responses: { 201: { description: 'ok' } } },
    },
  },
};

/** The same document as YAML (for the file picker). */
export const PETS_YAML = `openapi: 3.0.3
info: { title: Pets, version: "1" }
servers:
  - url: https://pets.example.com/v1
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        clientCredentials:
          tokenUrl: https://pets.example.com/token
          scopes: { "pets:read": read, "pets:write": write }
paths:
  /pets:
    get:
      summary: List the pets
      security: [ { oauth: ["pets:read"] } ]
      responses: { "200": { description: ok } }
    post:
      summary: Add a pet to the store
      security: [ { oauth: ["pets:write"] } ]
      responses: { "201": { description: ok } }
`;

export const petsToken = (scope) => makeJwt({ iss: 'https://idp.example', sub: 'u-1', client_id: 'pets-client', scope, iat: NOW() - 10, exp: NOW() + 3600 });

/** An HS256 token signed with `secret`. */
export function hs256Token(claims, secret) {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const head = `${enc({ alg: 'HS256', typ: 'JWT' })}.${enc(claims)}`;
  return `${head}.${crypto.createHmac('sha256', secret).update(head).digest('base64url')}`;
}

export const sha256hex = (text) => crypto.createHash('sha256').update(text, 'utf8').digest('hex');

/** Waits until `root` (a page or frame; `scope` prefixes selectors) shows a diagnosis. */
export async function ready(page, scope = '') {
  await page.locator(`${scope} #verdict`.trim()).filter({ hasText: /\S{4,}/ }).waitFor();
}

/** Waits for `#verdict[data-verdict=v]`. */
export async function verdictIs(page, verdict, scope = '') {
  await page.locator(`${scope} #verdict[data-verdict="${verdict}"]`.trim()).waitFor();
}

/** A page (harness.openPage) whose context may read and write the clipboard. */
export function openClipboardPage(browser, url, options = {}) {
  return openPage(browser, url, { permissions: ['clipboard-read', 'clipboard-write'], ...options });
}

const requireHere = createRequire(import.meta.url);
const AXE = fs.readFileSync(requireHere.resolve('axe-core/axe.min.js'), 'utf8');

/** Runs axe-core (WCAG 2 A/AA rules) in the page; returns the serious and critical violations. */
export async function axeSerious(page) {
  await page.evaluate(AXE); // Runtime.evaluate: not subject to the page's CSP
  const result = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const r = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] } });
    return r.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
  });
  return result.filter((v) => v.impact === 'serious' || v.impact === 'critical');
}

/** Builds the single file into a temporary directory; returns its path. */
export async function buildSingleFile() {
  fs.mkdirSync(path.join(ROOT, 'target'), { recursive: true });
  const out = path.join(fs.mkdtempSync(path.join(ROOT, 'target', 'td-dist-')), 'token-doctor.html');
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, [path.join(ROOT, 'scripts', 'dist.mjs'), out], { stdio: 'pipe' });
  return out;
}

/**
 * Opens the single file from `file://` in a new context where every request that is not a file is aborted;
 * returns `{ context, page, requests, problems }` (every URL asked for; console errors and page errors).
 */
export async function openSingleFileOffline(browser, file) {
  const context = await browser.newContext();
  const requests = [];
  await context.route('**/*', (route) => {
    requests.push(route.request().url());
    return route.request().url().startsWith('file:') ? route.continue() : route.abort();
  });
  const page = recordProblems(await context.newPage());
  await page.goto(pathToFileURL(file).href);
  return { context, page, requests, problems: page.problems };
}
