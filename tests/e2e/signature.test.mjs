// Signature verification through the JS API (diagnoseAsync), in Node and in Chromium, on tokens signed here with
// fresh keys of every algorithm (Node crypto), tampered tokens, a rotating JWKS, algorithm-confusion attempts, PEM
// certificates and the RFC 7515 / RFC 7520 examples; and the "Verify signature" panel (www/verify.js) in Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serve, openPage, assertClean, ROOT } from './harness.mjs';
import { ALGS, newKey, signJwt, publicJwk, spkiPem, selfSignedCert, tamper, b64u } from '../fixtures/jose/sign.mjs';

const NOW = 1700000100;
const claims = { iss: 'https://issuer.example', sub: 'user-42', aud: 'api://tests', iat: 1700000000, exp: 4000000000 };
const rfc = ['rfc7515.json', 'rfc7520.json']
  .flatMap((f) => JSON.parse(fs.readFileSync(path.join(ROOT, 'tests/fixtures/jose', f), 'utf8')).examples);

/** Every case: a request for diagnoseAsync and what its report must say. Fresh keys each run. */
function buildCases() {
  const cases = [];
  const add = (name, input, keys, expect) => cases.push({ name, request: { input, keys, now: NOW }, expect });
  for (const alg of ALGS) {
    const kid = `fresh-${alg}`;
    const key = newKey(alg);
    const token = signJwt(alg, key, claims, { kid });
    const jwk = publicJwk(key, { kid, alg, use: 'sig' });
    const ok = { status: 'verified', kid };
    add(`${alg} with its JWK`, token, jwk, ok);
    add(`${alg} in a JWKS of three`, token, { keys: [publicJwk(newKey('ES256'), { kid: 'other-1' }), jwk, publicJwk(newKey('EdDSA'), { kid: 'other-2' })] }, ok);
    if (key.secret) {
      add(`${alg} with the secret as base64`, token, { secretBase64: key.secret.toString('base64') }, { status: 'verified' });
    } else {
      add(`${alg} with a PEM public key`, token, spkiPem(key), { status: 'verified' });
      add(`${alg} with a PEM certificate`, token, selfSignedCert(key), { status: 'verified' });
    }
    for (const [part, i] of [['header', 0], ['payload', 1], ['signature', 2]]) {
      add(`${alg}, one byte of the ${part} changed`, tamper(token, i), jwk, { status: 'invalid', code: 'signature.invalid', verdict: 'denied' });
    }
    const other = publicJwk(newKey(alg), { kid, alg, use: 'sig' });
    add(`${alg} with another key under the same kid`, token, other, { status: 'invalid', code: 'signature.invalid', verdict: 'denied' });
  }

  const text = 'correct-horse-battery-staple-and-some-more-bytes';
  const hs = signJwt('HS256', { secret: Buffer.from(text) }, claims);
  add('HS256 with a text secret', hs, { secret: text }, { status: 'verified' });
  add('HS256 with the text secret read as base64 (the classic mix-up)', hs, { secretBase64: text }, { status: 'invalid', code: 'signature.invalid' });

  // A JWKS with rotating kids.
  const rotation = [['2024-10', 'RS256'], ['2025-04', 'ES256'], ['2025-10', 'EdDSA']].map(([kid, alg]) => ({ kid, alg, key: newKey(alg) }));
  const jwks = { keys: rotation.map((r) => publicJwk(r.key, { kid: r.kid, alg: r.alg, use: 'sig' })) };
  for (const r of rotation) add(`rotating JWKS, kid ${r.kid}`, signJwt(r.alg, r.key, claims, { kid: r.kid }), jwks, { status: 'verified', kid: r.kid });
  add('rotating JWKS, a retired kid', signJwt('RS256', newKey('RS256'), claims, { kid: '2024-04' }), jwks,
    { status: 'not_checked', code: 'signature.key_not_found', mentions: ['2024-10', '2025-04', '2025-10'], verdict: 'denied' });

  // Algorithm confusion: an HS256 token whose HMAC key is the RSA public key's PEM text.
  const rsa = newKey('RS256');
  const pem = spkiPem(rsa);
  const forged = signJwt('HS256', { secret: Buffer.from(pem) }, { ...claims, sub: 'admin' });
  const confusion = { status: 'not_checked', code: 'signature.alg_mismatch', verdict: 'denied' };
  add('HS256 forged with the RSA PEM, PEM as the secret', forged, { secret: pem }, confusion);
  add('HS256 forged with the RSA PEM, PEM as the key', forged, pem, confusion);
  add('HS256 forged with the RSA PEM, as secretBase64', forged, { secretBase64: Buffer.from(pem).toString('base64') }, confusion);
  add('HS256 forged with the RSA PEM, the RSA JWK', forged, publicJwk(rsa, { kid: 'rsa-1' }), confusion);
  add('RS256 token with an HMAC secret', signJwt('RS256', rsa, claims), { secret: 'not-a-public-key-but-a-secret-32b' }, confusion);

  for (const ex of rfc) add(ex.name, ex.token, ex.jwk, { status: 'verified' });
  return { cases, forged, pem };
}

function checkReport(c, report) {
  const sig = report.signature;
  const codes = report.findings.map((f) => f.code);
  assert.equal(sig.status, c.expect.status, `${c.name}: status (${codes.join(', ')})`);
  if (c.expect.kid) assert.equal(sig.key?.kid, c.expect.kid, `${c.name}: key`);
  if (c.expect.code) assert.ok(codes.includes(c.expect.code), `${c.name}: ${codes.join(', ')}`);
  if (c.expect.verdict) assert.equal(report.verdict, c.expect.verdict, `${c.name}: verdict`);
  for (const word of c.expect.mentions ?? []) {
    assert.ok(report.findings.some((f) => f.detail.includes(word)), `${c.name}: mentions ${word}`);
  }
  if (c.expect.status !== 'verified') assert.notEqual(sig.status, 'verified', c.name);
}

const { cases, forged, pem } = buildCases();
let browser, server, url;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('the forged HS256 token would fool a verifier that trusts its alg (so refusing it matters)', () => {
  const [h, p, s] = forged.split('.');
  const mac = crypto.createHmac('sha256', pem).update(`${h}.${p}`).digest();
  assert.ok(crypto.timingSafeEqual(mac, Buffer.from(s, 'base64url')));
});

test('Node: every case through diagnoseAsync', async () => {
  const { default: init, diagnoseAsync, diagnose } = await import(path.join(ROOT, 'www/pkg/token_doctor.js'));
  await init({ module_or_path: fs.readFileSync(path.join(ROOT, 'www/pkg/token_doctor_bg.wasm')) });
  assert.ok(cases.length > 80, `${cases.length} cases`);
  for (const c of cases) checkReport(c, await diagnoseAsync(c.request));
  // The synchronous diagnose does not verify: it says not_checked for the same request.
  const first = cases.find((c) => c.expect.status === 'verified');
  assert.equal(diagnose(first.request).signature.status, 'not_checked');
  await assert.rejects(diagnoseAsync('a string'), /request must be an object/);
});

test('Chromium: every case through diagnoseAsync', async () => {
  const page = await openPage(browser, url);
  const reports = await page.evaluate(async (requests) => {
    const m = await import('/pkg/token_doctor.js');
    await m.default();
    const out = [];
    for (const r of requests) out.push(await m.diagnoseAsync(r));
    return out;
  }, cases.map((c) => c.request));
  cases.forEach((c, i) => checkReport(c, reports[i]));
  assertClean(page);
});

test('Chromium: the Verify signature panel', async () => {
  const page = await openPage(browser, url);
  const key = newKey('ES256');
  const token = signJwt('ES256', key, claims, { kid: 'panel-key' });
  const jwks = JSON.stringify({ keys: [publicJwk(newKey('RS256'), { kid: 'old' }), publicJwk(key, { kid: 'panel-key' })] });
  const secret = 'panel-secret-that-is-long-enough-for-hs256';
  const hsToken = signJwt('HS256', { secret: Buffer.from(secret) }, claims);
  await page.evaluate(async (token) => {
    const m = await import('/pkg/token_doctor.js');
    await m.default();
    const { mountVerifyPanel } = await import('/verify.js');
    const box = document.createElement('section');
    box.id = 'test-verify';
    document.body.append(box);
    window.tdRequest = { input: token, now: 1700000100 };
    window.tdReports = [];
    window.tdPanel = mountVerifyPanel(box, { getRequest: () => window.tdRequest, onReport: (r) => window.tdReports.push(r) });
  }, token);
  const status = '#test-verify .verify-status';
  assert.equal(await page.textContent(status), 'Decoded, not verified.');
  await page.fill('#test-verify textarea', jwks);
  await page.click('#test-verify .verify-button');
  await page.waitForFunction((s) => document.querySelector(s).dataset.status === 'verified', status);
  assert.match(await page.textContent(status), /^Verified with key panel-key \(ES256\)/);
  assert.equal(await page.evaluate(() => window.tdReports.at(-1).signature.status), 'verified');

  // The token changes to a tampered one: refresh re-checks with the key still there.
  await page.evaluate((t) => { window.tdRequest = { input: t, now: 1700000100 }; return window.tdPanel.refresh(); }, tamper(token, 1));
  assert.equal(await page.getAttribute(status, 'data-status'), 'invalid');
  assert.match(await page.textContent(status), /Signature invalid/);
  assert.equal(await page.evaluate(() => window.tdReports.at(-1).verdict), 'denied');

  // An HS256 token with the secret typed as text (a password field).
  await page.evaluate((t) => { window.tdRequest = { input: t, now: 1700000100 }; }, hsToken);
  await page.check('#test-verify input[value="secret"]');
  assert.equal(await page.textContent(status), 'Decoded, not verified.');
  await page.fill('#test-verify input[type="password"]', secret);
  await page.click('#test-verify .verify-button');
  await page.waitForFunction((s) => document.querySelector(s).dataset.status === 'verified', status);
  assert.match(await page.textContent(status), /^Verified with key HMAC secret \(text\) \(HS256\)/);

  // The same secret chosen as base64 is other bytes: it does not verify.
  await page.check('#test-verify input[value="secretBase64"]');
  await page.fill('#test-verify input[type="password"]', Buffer.from('another').toString('base64'));
  await page.click('#test-verify .verify-button');
  await page.waitForFunction((s) => document.querySelector(s).dataset.status === 'invalid', status);

  // Keys handed over by another panel (discovery's jwks_uri): public keys again, checked at once.
  await page.evaluate((t) => { window.tdRequest = { input: t, now: 1700000100 }; }, token);
  await page.evaluate((k) => window.tdPanel.setKeys(JSON.parse(k)), jwks);
  assert.match(await page.textContent(status), /^Verified with key panel-key/);
  assert.equal(await page.isVisible('#test-verify textarea'), true);

  // No key: back to "Decoded, not verified".
  await page.check('#test-verify input[value="secretBase64"]');
  await page.fill('#test-verify input[type="password"]', '');
  await page.evaluate(() => window.tdPanel.refresh());
  assert.equal(await page.textContent(status), 'Decoded, not verified.');
  // Nothing about keys or tokens reached the console.
  assert.ok(!page.consoleLines.some((l) => l.includes(secret) || l.includes('panel-key')), page.consoleLines.join('\n'));
  assertClean(page);
});
