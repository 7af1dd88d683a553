// The foundation: the page opens with a sample token decoded, decodes a pasted JWT as you type, and explains a
// garbled one; the engine also loads in Node.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serve, openPage, assertClean, makeJwt, ROOT } from './harness.mjs';

let browser, server, url;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('the page opens with the sample token decoded', async () => {
  const page = await openPage(browser, url);
  await page.waitForFunction(() => document.querySelector('#verdict')?.textContent.length > 3);
  const input = await page.inputValue('#input');
  assert.equal(input.split('.').length, 3, 'a sample JWT is pasted');
  assert.match(await page.textContent('#payload'), /graph\.microsoft\.com/);
  assert.ok(['allowed', 'denied', 'unknown'].includes(await page.getAttribute('#verdict', 'data-verdict')));
  assertClean(page);
});

test('pasting a JWT shows its claims as text', async () => {
  const page = await openPage(browser, url);
  await page.waitForFunction(() => document.querySelector('#verdict')?.textContent.length > 3);
  const jwt = makeJwt({ iss: 'https://issuer.example', sub: 'user-42', scope: 'read:things', exp: 4000000000 });
  await page.fill('#input', jwt);
  await page.waitForFunction(() => document.querySelector('#payload').textContent.includes('user-42'));
  assert.match(await page.textContent('#header'), /RS256/);
  assertClean(page);
});

test('a truncated token gives a finding, not an exception', async () => {
  const page = await openPage(browser, url);
  await page.waitForFunction(() => document.querySelector('#verdict')?.textContent.length > 3);
  const jwt = makeJwt({ sub: 'abc', exp: 1 });
  await page.fill('#input', jwt.slice(0, jwt.indexOf('.') + 7));
  await page.waitForSelector('#findings [data-code="token.malformed"]');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'denied');
  assertClean(page);
});

test('the engine loads in Node and returns a plain object', async () => {
  const { default: init, diagnose } = await import(path.join(ROOT, 'www/pkg/token_doctor.js'));
  await init({ module_or_path: fs.readFileSync(path.join(ROOT, 'www/pkg/token_doctor_bg.wasm')) });
  const report = diagnose({ input: makeJwt({ sub: 'a' }), now: 1700000000 });
  assert.equal(Object.getPrototypeOf(report), Object.prototype);
  assert.ok(Array.isArray(report.findings));
  assert.ok(['allowed', 'denied', 'unknown'].includes(report.verdict));
  assert.equal(report.token.header.alg, 'RS256');
  assert.throws(() => diagnose('just a string'), /request must be an object/);
});
