// The diagnosis view: verdict first, ranked findings with evidence and fix, the requirement table, the decoded
// token with times and a live countdown, diagnosis as you type, the platform picker and operation completion,
// your own OpenAPI document (paste and file), comparing two tokens, copyable raw JSON, signature state.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serve, openPage, assertClean, ROOT } from './harness.mjs';
import {
  graphToken, OPAQUE, PETS_OPENAPI, PETS_YAML, petsToken, hs256Token, NOW, ready, verdictIs, openClipboardPage,
} from './page-helpers.mjs';

let browser, server, url;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const texts = (page, selector) => page.$$eval(selector, (els) => els.map((e) => e.textContent));

test('the sample opens denied: one-sentence verdict, then ranked findings with evidence and fix, requirements, claims', async () => {
  const page = await openPage(browser, url);
  await verdictIs(page, 'denied');
  const verdict = await page.textContent('#verdict');
  assert.match(verdict, /^Denied: .*Mail\.Send.*sendmail/i, 'the verdict names the missing permission and the operation');
  const first = page.locator('#findings > li').first();
  assert.equal(await first.getAttribute('data-code'), 'scope.missing');
  assert.equal(await first.getAttribute('data-severity'), 'error');
  assert.ok((await first.locator('.evidence li').count()) >= 1, 'evidence is listed');
  assert.ok((await first.locator('.fix li').count()) >= 1, 'fix steps are listed');
  // Requirement table: the unmet permission and the met user context.
  const states = await page.$$eval('#requirements tbody tr', (rows) => rows.map((r) => r.dataset.state));
  assert.ok(states.includes('unmet') && states.includes('met'), `requirement states: ${states}`);
  assert.match(await page.textContent('#requirements tbody tr[data-state="unmet"]'), /Mail\.Send/);
  assert.match(await page.textContent('#operation-info'), /Matched/);
  // Claims with explanations, UTC and relative times; the live countdown ticks.
  assert.match(await page.textContent('#claims tr[data-claim="aud"]'), /Audience/);
  assert.match(await page.textContent('#claims tr[data-claim="exp"] .time'), /\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC, in \d+ min/);
  const first1 = await page.textContent('#countdown');
  assert.match(first1, /^Expires in 5\d min \d+ s \(.* UTC\)\.$/);
  await page.waitForFunction((t) => document.querySelector('#countdown').textContent !== t, first1);
  assert.match(await page.textContent('#signature-state'), /Decoded, not verified/);
  assert.match(await page.textContent('#recognized'), /Recognized a JWT/);
  assertClean(page);
});

test('a token that has what the operation needs is allowed, with every requirement met', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.fill('#input', graphToken('User.Read openid'));
  await page.fill('#operation', 'GET https://graph.microsoft.com/v1.0/me');
  await verdictIs(page, 'allowed');
  assert.match(await page.textContent('#verdict'), /^Allowed/);
  assert.equal(await page.locator('#findings > li[data-severity="error"]').count(), 0);
  const states = await page.$$eval('#requirements tbody tr', (rows) => rows.map((r) => r.dataset.state));
  assert.ok(states.length >= 1 && states.every((s) => s === 'met'), `states: ${states}`);
  assertClean(page);
});

test('diagnosis as you type: no button, the contract ids stay, the expired token is denied', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.fill('#input', '');
  await page.focus('#input');
  const expired = graphToken('User.Read', { exp: NOW() - 7200 });
  await page.keyboard.insertText(expired.slice(0, 40));
  await page.keyboard.insertText(expired.slice(40));
  await page.waitForSelector('#findings > [data-code="token.expired"]');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'denied');
  assert.match(await page.textContent('#countdown'), /^Expired 2 h 0 min ago/);
  for (const id of ['input', 'operation', 'response', 'verdict', 'findings']) assert.ok(await page.$(`#${id}`), `#${id} exists`);
  assertClean(page);
});

test('the empty state explains what to paste and offers the sample', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.click('#clear-all');
  await page.waitForSelector('#empty-state:not([hidden])');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'unknown');
  assert.equal(await page.inputValue('#input'), '');
  assert.equal(await page.isVisible('#token-section'), false);
  assert.equal(await page.isVisible('#findings'), false);
  assert.equal(await page.evaluate(() => document.activeElement.id), 'input', 'focus returns to the paste area');
  await page.click('#empty-sample');
  await verdictIs(page, 'denied');
  assert.equal(await page.isVisible('#empty-state'), false);
  assertClean(page);
});

test('an opaque token says so and points to introspection; nothing pretends to decode it', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.fill('#input', `Bearer ${OPAQUE}`);
  await page.fill('#operation', 'GET https://api.mypurecloud.ie/api/v2/users/me');
  await page.waitForSelector('#findings > [data-code="token.opaque"]');
  assert.match(await page.textContent('#token-facts'), /opaque token/);
  assert.equal(await page.isVisible('#claims'), false);
  assert.equal(await page.textContent('#countdown'), '');
  // The operation's platform: its diagnosis may come after the paste's (150 ms after the last keystroke), so the
  // line is awaited; it fails the test if it never names Genesys Cloud.
  await page.locator('#platform-status', { hasText: /Genesys Cloud/ }).waitFor();
  assertClean(page);
});

test('platform picker and operation completion: search by words, pick with the keyboard', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.selectOption('#platform', 'genesys-cloud');
  await page.waitForFunction(() => /operations known/.test(document.querySelector('#platform-status').textContent));
  await page.fill('#operation', '');
  await page.focus('#operation');
  await page.keyboard.insertText('conversations calls post');
  await page.waitForSelector('#operation-list:not([hidden]) [role="option"]');
  assert.equal(await page.getAttribute('#operation', 'aria-expanded'), 'true');
  const options = await texts(page, '#operation-list [role="option"]');
  assert.ok(options.some((o) => o.includes('/api/v2/conversations/calls')), options.slice(0, 5).join(' | '));
  assert.ok(options.every((o) => o.startsWith('POST')), 'every word must match (post)');
  assert.match(await page.textContent('#operation-status'), /matching operations/);
  const wanted = options.findIndex((o) => /^POST \/api\/v2\/conversations\/calls$/.test(o.trim()));
  assert.ok(wanted >= 0, 'the exact operation is offered');
  for (let i = 0; i <= wanted; i += 1) await page.keyboard.press('ArrowDown');
  assert.equal(await page.getAttribute('#operation', 'aria-activedescendant'), `operation-list-opt-${wanted}`);
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#operation'), 'POST /api/v2/conversations/calls');
  assert.equal(await page.getAttribute('#operation', 'aria-expanded'), 'false');
  await page.waitForFunction(() => /Matched POST \/conversations\/calls|Matched POST \/api\/v2\/conversations\/calls/.test(document.querySelector('#operation-info').textContent));
  // Escape closes the list without changing the value.
  await page.fill('#operation', '');
  await page.keyboard.insertText('get users me');
  await page.waitForSelector('#operation-list:not([hidden]) [role="option"]');
  await page.keyboard.press('Escape');
  assert.equal(await page.getAttribute('#operation', 'aria-expanded'), 'false');
  assert.equal(await page.isVisible('#operation-list'), false);
  assert.equal(await page.inputValue('#operation'), 'get users me');
  assertClean(page);
});

test('an unknown operation lists the nearest ones; a click fills the field', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.fill('#input', graphToken('User.Read'));
  await page.fill('#operation', 'GET https://graph.microsoft.com/v1.0/mee');
  await page.waitForSelector('#findings > [data-code="operation.unknown"]');
  await page.click('#operation-info button[data-operation="GET /me"]');
  assert.equal(await page.inputValue('#operation'), 'GET https://graph.microsoft.com/v1.0/me');
  await verdictIs(page, 'allowed');
  assertClean(page);
});

test('your own OpenAPI document, pasted: requirements come from it, completion searches its summaries', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.click('#own-document > summary');
  await page.fill('#matrix-text', JSON.stringify(PETS_OPENAPI, null, 2));
  await page.click('#matrix-use');
  // The first use of a document loads the full engine (README, "Two engines"), then says what it uses.
  await page.locator('#matrix-status', { hasText: 'Using the pasted document' }).waitFor();
  assert.match(await page.textContent('#matrix-status'), /Using the pasted document .*2 operations listed/);
  await page.fill('#input', petsToken('pets:read'));
  await page.fill('#operation', 'POST https://pets.example.com/v1/pets');
  await page.waitForSelector('#findings > [data-code="scope.missing"]');
  assert.match(await page.textContent('#verdict'), /pets:write/);
  // Completion from the document's summaries.
  await page.fill('#operation', '');
  await page.focus('#operation');
  await page.keyboard.insertText('add pet');
  await page.waitForSelector('#operation-list:not([hidden]) [role="option"]');
  assert.deepEqual((await texts(page, '#operation-list [role="option"]')).map((t) => t.trim()), ['POST /petsAdd a pet to the store']);
  await page.keyboard.press('Escape');
  await page.click('#matrix-clear');
  assert.match(await page.textContent('#matrix-status'), /No document in use/);
  assertClean(page);
});

test('your own OpenAPI document, from the file picker (YAML)', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.click('#own-document > summary');
  await page.setInputFiles('#matrix-file', { name: 'pets.yaml', mimeType: 'text/yaml', buffer: Buffer.from(PETS_YAML) });
  await page.waitForFunction(() => /Using .pets\.yaml/.test(document.querySelector('#matrix-status').textContent));
  await page.fill('#input', petsToken('pets:read'));
  await page.fill('#operation', 'GET https://pets.example.com/v1/pets');
  await verdictIs(page, 'allowed');
  await page.fill('#operation', 'POST https://pets.example.com/v1/pets');
  await verdictIs(page, 'denied');
  assert.match(await page.textContent('#verdict'), /pets:write/);
  assertClean(page);
});

test('your own OpenAPI document, from the file picker: a file over the engine\'s limit is refused unread; a read error is said', async () => {
  // The engine's limit, as src/limits.rs states it (mount.js repeats it): the file is one byte over it.
  const [, n, shift] = fs.readFileSync(path.join(ROOT, 'src/limits.rs'), 'utf8').match(/MAX_MATRIX_BYTES: usize = (\d+) << (\d+);/);
  const limit = Number(n) * 2 ** Number(shift);
  const page = await openPage(browser, url);
  await ready(page);
  await page.click('#own-document > summary');
  await page.setInputFiles('#matrix-file', { name: 'huge.json', mimeType: 'application/json', buffer: Buffer.alloc(limit + 1, 'a') });
  await page.locator('#matrix-status', { hasText: 'huge.json' }).waitFor();
  const status = await page.textContent('#matrix-status');
  const size = (b) => b.toLocaleString('en');
  assert.equal(status, `\u201chuge.json\u201d is ${size(limit + 1)} bytes (${(limit / 2 ** 20).toFixed(1)} MiB); documents over ${limit / 2 ** 20} MiB (${size(limit)} bytes) are not read.`);
  assert.equal(await page.inputValue('#matrix-text'), '', 'nothing was read into the page');
  assert.doesNotMatch(await page.textContent('#platform-status'), /Using your document/);

  // A file that cannot be read (removed or changed on disk after it was chosen): File.text() rejects, here because
  // the test makes it. The document in use stays in use.
  await page.fill('#matrix-text', JSON.stringify(PETS_OPENAPI));
  await page.click('#matrix-use');
  await page.locator('#matrix-status', { hasText: 'Using the pasted document' }).waitFor();
  await page.evaluate(() => {
    File.prototype.text = () => Promise.reject(new DOMException('The requested file could not be read', 'NotReadableError'));
  });
  await page.setInputFiles('#matrix-file', { name: 'pets.yaml', mimeType: 'text/yaml', buffer: Buffer.from(PETS_YAML) });
  await page.locator('#matrix-status', { hasText: 'could not be read' }).waitFor();
  assert.equal(await page.textContent('#matrix-status'), '\u201cpets.yaml\u201d could not be read: The requested file could not be read. Still using the pasted document.');
  assert.match(await page.textContent('#platform-status'), /Using your document/);
  assertClean(page);
});

test('your own OpenAPI document, from the file picker: two quick picks, the last one is used', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.click('#own-document > summary');
  // The first file finishes reading after the second (the test slows its read down, as a large file would).
  await page.evaluate(() => {
    const text = File.prototype.text;
    File.prototype.text = function slowFirst() {
      const read = text.call(this);
      if (this.name !== 'first.json') return read;
      return read.then((t) => new Promise((r) => setTimeout(() => { r(t); window.firstReadDone = true; }, 400)));
    };
  });
  const first = { ...PETS_OPENAPI, info: { ...PETS_OPENAPI.info, title: 'First' } };
  await page.setInputFiles('#matrix-file', { name: 'first.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(first)) });
  await page.setInputFiles('#matrix-file', { name: 'pets.yaml', mimeType: 'text/yaml', buffer: Buffer.from(PETS_YAML) });
  await page.waitForFunction(() => /Using .pets\.yaml/.test(document.querySelector('#matrix-status').textContent));
  await page.waitForFunction(() => window.firstReadDone); // the first file's read has finished since
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  assert.match(await page.textContent('#matrix-status'), /Using .pets\.yaml/);
  assert.equal(await page.inputValue('#matrix-text'), PETS_YAML);
  // A slow file, then Clear before it is read: the cleared state stays.
  await page.evaluate(() => { window.firstReadDone = false; });
  await page.setInputFiles('#matrix-file', { name: 'first.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(first)) });
  await page.click('#matrix-clear');
  await page.waitForFunction(() => window.firstReadDone);
  await page.evaluate(() => new Promise((r) => setTimeout(r, 0)));
  assert.match(await page.textContent('#matrix-status'), /No document in use/);
  assert.equal(await page.inputValue('#matrix-text'), '');
  assertClean(page);
});

test('compare two tokens: side by side, the scope lost is named', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.fill('#input', graphToken('User.Read'));
  await page.click('#compare-box > summary');
  await page.fill('#previous', graphToken('User.Read Mail.Send'));
  await page.waitForSelector('#comparison-section:not([hidden])');
  assert.deepEqual(await texts(page, '#comparison [data-diff="lost"] .chip'), ['Mail.Send']);
  assert.equal(await page.getAttribute('#comparison tr[data-aspect="scopes"]', 'data-differs'), 'yes');
  assert.equal(await page.getAttribute('#comparison tr[data-aspect="issuer"]', 'data-differs'), 'no');
  assert.match(await page.textContent('#comparison .notes'), /Mail\.Send/);
  const cells = await texts(page, '#comparison tr[data-aspect="scopes"] td');
  assert.deepEqual(cells, ['User.Read Mail.Send', 'User.Read']);
  await page.fill('#previous', '');
  await page.waitForSelector('#comparison-section[hidden]', { state: 'attached' });
  assertClean(page);
});

test('the raw header and payload are copyable JSON', async () => {
  const page = await openClipboardPage(browser, url);
  await ready(page);
  await page.click('button[data-copy="payload"]');
  await page.waitForFunction(() => document.querySelector('button[data-copy="payload"]').textContent === 'Copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(JSON.parse(copied).aud, 'https://graph.microsoft.com');
  await page.click('button[data-copy="header"]');
  await page.waitForFunction(() => document.querySelector('button[data-copy="header"]').textContent === 'Copied');
  assert.equal(JSON.parse(await page.evaluate(() => navigator.clipboard.readText())).alg, 'RS256');
  assertClean(page);
});

test('"Decoded, not verified" until the verify panel checks the signature', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  const secret = 'a-shared-secret-that-is-long-enough-for-hs256!';
  await page.fill('#input', hs256Token({ sub: 'u', scope: 'read', iat: NOW() - 5, exp: NOW() + 600 }, secret));
  await page.waitForFunction(() => /HS256/.test(document.querySelector('#header').textContent));
  assert.equal(await page.getAttribute('#signature-state', 'data-status'), 'not_checked');
  assert.match(await page.textContent('#signature-state'), /Decoded, not verified/);
  await page.click('#verify-box > summary');
  await page.check('#verify-panel input[type="radio"][value="secret"]');
  await page.fill('#verify-panel input[type="password"]', secret);
  await page.click('#verify-panel .verify-button');
  await page.waitForSelector('#signature-state[data-status="verified"]');
  assert.match(await page.textContent('#signature-state'), /^Verified with key HMAC secret/);
  await page.fill('#verify-panel input[type="password"]', 'another secret, wrong');
  await page.click('#verify-panel .verify-button');
  await page.waitForSelector('#signature-state[data-status="invalid"]');
  assertClean(page);
});
