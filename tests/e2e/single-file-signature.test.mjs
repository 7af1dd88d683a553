// Signature verification in the single file (dist/token-doctor.html) opened from file:// with the network cut:
// every algorithm verifies with its key and rejects a tampered token, through the page's own Verify panel.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch } from './harness.mjs';
import { buildSingleFile, openSingleFileOffline } from './page-helpers.mjs';
import { ALGS, newKey, signJwt, publicJwk, tamper } from '../fixtures/jose/sign.mjs';

const claims = { iss: 'https://issuer.example', sub: 'user-42', aud: 'api://tests', iat: 1700000000, exp: 4000000000 };
let browser, singleFile;
before(async () => { singleFile = await buildSingleFile(); browser = await launch(); });
after(async () => {
  await browser?.close();
  if (singleFile) fs.rmSync(path.dirname(singleFile), { recursive: true, force: true });
});

test('single file from file://: every algorithm verifies, and a tampered token does not', async () => {
  const { context, page, requests, problems } = await openSingleFileOffline(browser, singleFile);
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict);
  await page.click('#verify-box > summary');
  const status = '#verify-panel .verify-status';
  for (const alg of ALGS) {
    const key = newKey(alg);
    const token = signJwt(alg, key, claims, { kid: `k-${alg}` });
    await page.fill('#input', token);
    if (alg.startsWith('HS')) {
      await page.check('#verify-panel input[value="secretBase64"]');
      await page.fill('#verify-panel input[type="password"]', key.secret.toString('base64'));
    } else {
      await page.check('#verify-panel input[value="public"]');
      await page.fill('#verify-panel textarea', JSON.stringify({ keys: [publicJwk(key, { kid: `k-${alg}` })] }));
    }
    await page.click('#verify-panel .verify-button');
    await page.waitForFunction((s) => document.querySelector(s).dataset.status === 'verified', status);
    assert.match(await page.textContent(status), new RegExp(`^Verified with key .*\\(${alg}\\)`), alg);

    await page.fill('#input', tamper(token, 1));
    await page.click('#verify-panel .verify-button');
    await page.waitForFunction((s) => document.querySelector(s).dataset.status === 'invalid', status);
    assert.match(await page.textContent(status), /invalid/i, `${alg} tampered`);
  }
  assert.deepEqual(requests.filter((u) => !u.startsWith('file:')), [], 'no network request');
  assert.deepEqual(problems, []);
  await context.close();
});
