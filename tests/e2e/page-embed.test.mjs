// Embedding and offline: the <token-doctor> element in a host page (shadow root, same behaviour), the <iframe>
// snippet, and the single file (make dist) opened from file:// with no server and no network.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serve, openPage, assertClean, screenshot } from './harness.mjs';
import { graphToken, OPAQUE, PETS_YAML, petsToken, ready, verdictIs, buildSingleFile, openSingleFileOffline } from './page-helpers.mjs';

let browser, server, url, singleFile;
before(async () => {
  ({ server, url } = await serve());
  browser = await launch();
  singleFile = await buildSingleFile();
});
after(async () => {
  await browser?.close();
  server?.close();
  if (singleFile) fs.rmSync(path.dirname(singleFile), { recursive: true, force: true });
});

test('<token-doctor> in a host page: a shadow root with the same behaviour, styled, isolated', async () => {
  const page = await openPage(browser, `${url}embed.html`);
  await ready(page, '#embedded');
  await verdictIs(page, 'denied', '#embedded');
  assert.equal(await page.evaluate(() => document.getElementById('input')), null, 'the ids live in the shadow root');
  assert.equal(await page.evaluate(() => document.querySelector('#embedded').shadowRoot.querySelectorAll('#verdict').length), 1);
  await page.fill('#embedded #input', graphToken('User.Read'));
  await page.fill('#embedded #operation', 'GET https://graph.microsoft.com/v1.0/me');
  await verdictIs(page, 'allowed', '#embedded');
  assert.equal(await page.locator('#embedded #findings > li[data-severity="error"]').count(), 0);
  // The stylesheet applies inside the shadow root.
  const border = await page.evaluate(() => getComputedStyle(document.querySelector('#embedded').shadowRoot.querySelector('.verdict-card')).borderLeftWidth);
  assert.equal(border, '6px');
  await screenshot(page, 'page-embedded-element');
  assertClean(page);
});

test('<token-doctor> attributes: no-sample opens empty, operation is prefilled; two instances do not interfere', async () => {
  const page = await openPage(browser, `${url}embed.html`);
  await ready(page, '#embedded');
  await page.evaluate(() => {
    const el = document.createElement('token-doctor');
    el.id = 'second';
    el.setAttribute('no-sample', '');
    el.setAttribute('operation', 'GET https://api.mypurecloud.com/api/v2/users/me');
    document.querySelector('main').append(el);
  });
  await ready(page, '#second');
  assert.equal(await page.inputValue('#second #input'), '');
  assert.equal(await page.inputValue('#second #operation'), 'GET https://api.mypurecloud.com/api/v2/users/me');
  assert.equal(await page.isVisible('#second #empty-state'), true);
  await page.fill('#second #input', OPAQUE);
  await page.waitForSelector('#second #findings > [data-code="token.opaque"]');
  assert.equal(await page.getAttribute('#embedded #verdict', 'data-verdict'), 'denied', 'the first instance is unchanged');
  assertClean(page);
});

test('the <iframe> snippet shows the page', async () => {
  const page = await openPage(browser, `${url}embed.html`);
  await page.locator('#framed').scrollIntoViewIfNeeded();
  const frame = page.frameLocator('#framed');
  await frame.locator('#verdict[data-verdict="denied"]').waitFor();
  await frame.locator('#input').fill(graphToken('User.Read'));
  await frame.locator('#operation').fill('GET https://graph.microsoft.com/v1.0/me');
  await frame.locator('#verdict[data-verdict="allowed"]').waitFor();
  // The page offers both snippets, pointing at where it is served from.
  const main = await openPage(browser, url);
  await ready(main);
  assert.match(await main.textContent('#embed-iframe'), new RegExp(`<iframe src="${url}index.html" title="Token Doctor"`));
  assert.match(await main.textContent('#embed-element'), new RegExp(`<script type="module" src="${url}element.js"></script>\\n<token-doctor></token-doctor>`));
  assertClean(page);
  assertClean(main);
});

test('the single file opened from file:// diagnoses with its inline matrices, with no server and no network', async () => {
  const html = fs.readFileSync(singleFile, 'utf8');
  assert.equal((html.match(/<script\b/g) ?? []).length, 1, 'one script');
  assert.doesNotMatch(html, /<script[^>]*\bsrc=|<link[^>]*stylesheet/, 'nothing loaded from elsewhere');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  assert.match(csp, /default-src 'none'; script-src 'sha256-[A-Za-z0-9+/=]+' 'wasm-unsafe-eval'; style-src 'sha256-[A-Za-z0-9+/=]+';/);
  assert.doesNotMatch(csp, /unsafe-inline|script-src[^;]*'self'/);

  const { context, page, requests, problems } = await openSingleFileOffline(browser, singleFile);
  await verdictIs(page, 'denied'); // the sample against the inlined Microsoft Graph matrix
  assert.match(await page.textContent('#verdict'), /Mail\.Send/);
  await page.fill('#input', graphToken('User.Read'));
  await page.fill('#operation', 'GET https://graph.microsoft.com/v1.0/me');
  await verdictIs(page, 'allowed');
  await page.fill('#input', `Bearer ${OPAQUE}`);
  await page.fill('#operation', 'GET https://api.mypurecloud.com/api/v2/users/me');
  await page.waitForSelector('#findings > [data-code="token.opaque"]');
  await page.waitForFunction(() => /Genesys Cloud .*operations known/.test(document.querySelector('#platform-status').textContent));
  // The single file has one engine, the full one: a YAML document is read with no file to fetch.
  await page.click('#own-document > summary');
  await page.fill('#matrix-text', PETS_YAML);
  await page.click('#matrix-use');
  await page.locator('#matrix-status', { hasText: 'Using the pasted document' }).waitFor();
  await page.fill('#input', petsToken('pets:read'));
  await page.fill('#operation', 'POST https://pets.example.com/v1/pets');
  await page.waitForSelector('#findings > [data-code="scope.missing"]');
  assert.match(await page.textContent('#verdict'), /pets:write/);
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no network request');
  assert.deepEqual(problems, []);
  await screenshot(page, 'page-single-file');
  await context.close();
});
