// Share without leaking, and the page's security promises: the Markdown report leaves out the token, its
// signature and personal claims unless ticked; hostile claims render as text and run nothing; a session of use
// leaves nothing in the URL, storage or cookies; the page requests only its own files; strict CSP; no console.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { launch, serve, openPage, assertClean, makeJwt, recordProblems, ROOT } from './harness.mjs';
import { graphToken, NOW, ready, verdictIs, openClipboardPage, sha256hex, PETS_OPENAPI } from './page-helpers.mjs';

let browser, server, url;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('Copy report: verdict, findings, operation, non-sensitive claims and a fingerprint; no token, no personal data', async () => {
  const page = await openClipboardPage(browser, url);
  await ready(page);
  const token = graphToken('User.Read openid');
  const signature = token.split('.')[2];
  await page.fill('#input', `Authorization: Bearer ${token}`);
  await page.fill('#operation', 'POST https://graph.microsoft.com/v1.0/me/sendMail');
  await page.click('#copy-report'); // right after typing: the pending diagnosis runs first
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#copy-status').textContent));
  const md = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(md, await page.inputValue('#report-md'), 'the preview shows exactly what was copied');
  assert.match(md, /^### Token Doctor: denied\n\n> Denied: .*Mail\.Send/);
  assert.match(md, /`scope\.missing`/);
  assert.match(md, /\| Operation \| `POST https:\/\/graph\.microsoft\.com\/v1\.0\/me\/sendMail`/);
  assert.match(md, /- Issuer: `https:\/\/sts\.windows\.net\/72f988bf/);
  assert.match(md, /- Scopes \(`scp`\): `User\.Read` `openid`/);
  assert.match(md, /- Client id: `d3590ed6-52b3-4102-aeff-aad2292ab01c`/);
  assert.match(md, /- Expires: \d{4}-\d\d-\d\d .* UTC \(in /);
  assert.ok(md.includes(`SHA-256 \`${sha256hex(token)}\` (of the token)`), 'fingerprint of the token itself, not of the header line');
  assert.ok(!md.includes(token) && !md.includes(signature) && !md.includes(token.split('.')[1]), 'no token, payload or signature');
  assert.ok(!md.includes('Ann Example') && !md.includes('ann.example@contoso.example'), 'no personal claims');
  // Ticked in: personal claims, then the token.
  await page.check('#include-personal');
  await page.click('#copy-report');
  await page.waitForFunction(() => document.querySelector('#report-md').value.includes('Personal claims'));
  const withPersonal = await page.evaluate(() => navigator.clipboard.readText());
  assert.match(withPersonal, /`upn`: `ann\.example@contoso\.example`/);
  assert.ok(!withPersonal.includes(signature));
  await page.check('#include-token');
  await page.click('#copy-report');
  await page.waitForFunction(() => document.querySelector('#report-md').value.includes('The token (included on request'));
  assert.ok((await page.evaluate(() => navigator.clipboard.readText())).includes(token));
  assertClean(page);
});

test('personal values quoted in findings are scrubbed from the report too', async () => {
  const page = await openClipboardPage(browser, url);
  await ready(page);
  // An ID token presented as an access token: the engine's evidence may quote claims.
  const idToken = makeJwt({ iss: 'https://login.example', aud: 'client-1', sub: 'u', nonce: 'n-1', email: 'carol@private.example', name: 'Carol Private', iat: NOW() - 5, exp: NOW() + 600 });
  await page.fill('#input', idToken);
  await page.waitForSelector('#findings > [data-code="token.id_token"]');
  await page.click('#report-preview > summary');
  await page.waitForFunction(() => document.querySelector('#report-md').value.includes('token.id_token'));
  const md = await page.inputValue('#report-md');
  assert.ok(!md.includes('carol@private.example') && !md.includes('Carol Private'), md);
  assertClean(page);
});

test('a claim holding <img onerror> and <script> renders as text and runs nothing', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.evaluate(() => { window.__pwned = 0; });
  const hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2<\/script>';
  const token = makeJwt({
    sub: hostile, name: '<svg onload="window.__pwned=3"></svg>', scope: `read ${hostile}`, iss: 'https://evil.example/<b>x</b>',
    aud: hostile, exp: NOW() + 600,
  }, { alg: 'RS256', typ: 'JWT', kid: '<img src=y onerror="window.__pwned=4">' });
  await page.fill('#input', token);
  await page.fill('#operation', `GET https://graph.microsoft.com/v1.0/me<img src=z onerror="window.__pwned=5">`);
  await page.fill('#response', `HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer error="insufficient_scope", scope="${hostile}"\r\n\r\n${hostile}`);
  await page.click('#compare-box > summary');
  await page.fill('#previous', token);
  await page.waitForFunction(() => document.querySelector('#claims tr[data-claim="sub"] .value')?.textContent.startsWith('<img'));
  assert.equal(await page.textContent('#claims tr[data-claim="sub"] .value'), hostile);
  assert.ok((await page.textContent('#header')).includes('<img src=y onerror'));
  const injected = await page.evaluate(() => ({
    pwned: window.__pwned,
    imgs: document.querySelectorAll('img').length,
    svgs: document.querySelectorAll('svg').length,
    inlineScripts: [...document.querySelectorAll('script')].filter((s) => !s.src).length,
    bolds: document.querySelectorAll('#app b').length,
  }));
  assert.deepEqual(injected, { pwned: 0, imgs: 0, svgs: 0, inlineScripts: 0, bolds: 0 });
  assertClean(page);
});

test('after a session of use, the URL, localStorage, sessionStorage, cookies, IndexedDB and caches hold nothing', async () => {
  const page = await openClipboardPage(browser, url);
  await ready(page);
  const start = page.url();
  const startHistory = await page.evaluate(() => history.length);
  await page.fill('#input', graphToken('User.Read'));
  await page.fill('#operation', 'GET https://graph.microsoft.com/v1.0/me');
  await page.fill('#response', 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error="invalid_token"');
  await page.selectOption('#platform', 'genesys-cloud');
  await page.selectOption('#platform', '');
  await page.click('#compare-box > summary');
  await page.fill('#previous', graphToken('User.Read Mail.Send'));
  await page.click('#own-document > summary');
  await page.fill('#matrix-text', JSON.stringify(PETS_OPENAPI));
  await page.click('#matrix-use');
  await page.check('#include-token');
  await page.click('#copy-report');
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#copy-status').textContent));
  await page.click('button[data-copy="payload"]');
  await page.click('#verify-box > summary');
  await page.fill('#verify-panel textarea', '{"keys":[]}');
  await page.click('#verify-panel .verify-button');
  await page.click('#clear-all');
  const left = await page.evaluate(async () => ({
    href: location.href,
    local: localStorage.length,
    session: sessionStorage.length,
    cookie: document.cookie,
    idb: (await indexedDB.databases()).length,
    caches: (await caches.keys()).length,
    history: history.length,
  }));
  assert.deepEqual(left, { href: start, local: 0, session: 0, cookie: '', idb: 0, caches: 0, history: startHistory });
  assert.deepEqual(await page.context().cookies(), []);
  assertClean(page);
});

/** What an instance holds that Clear everything empties (and what it keeps: the live panel's endpoint). */
const held = (page) => page.evaluate(() => {
  const v = (sel) => document.querySelector(sel)?.value ?? null;
  return {
    input: v('#input'), operation: v('#operation'), response: v('#response'), previous: v('#previous'),
    document: v('#matrix-text'), documentStatus: document.querySelector('#matrix-status').textContent,
    includeToken: document.querySelector('#include-token').checked, reportMd: v('#report-md'),
    key: v('#verify-panel .verify-key'), secret: v('#verify-panel .verify-secret'),
    clientSecret: v('#live-client-secret'), bearer: v('#live-bearer'), endpoint: v('#live-endpoint'),
    verdict: document.querySelector('#verdict').dataset.verdict,
  };
});
const EMPTY = {
  input: '', operation: '', response: '', previous: '', document: '', documentStatus: 'No document in use.',
  includeToken: false, reportMd: '', key: '', secret: '', clientSecret: '', bearer: '', endpoint: 'https://as.example/introspect',
  verdict: 'unknown',
};

/** Fills every field that can hold a credential, a personal claim or a server's answer, panels included. */
async function fillEverything(page) {
  await page.fill('#input', graphToken('User.Read'));
  await page.fill('#operation', 'GET https://graph.microsoft.com/v1.0/me');
  await page.fill('#response', 'HTTP/1.1 401 Unauthorized');
  await page.click('#compare-box > summary');
  await page.fill('#previous', graphToken('User.Read Mail.Send'));
  await page.click('#own-document > summary');
  await page.fill('#matrix-text', JSON.stringify(PETS_OPENAPI));
  await page.click('#matrix-use');
  await page.locator('#matrix-status', { hasText: 'Using the pasted document' }).waitFor();
  await page.check('#include-token');
  await page.click('#report-preview > summary');
  await page.waitForFunction(() => document.querySelector('#report-md').value.includes('The token (included on request'));
  await page.click('#verify-box > summary');
  await page.fill('#verify-panel .verify-key', '{"keys":[]}');
  await page.click('#live-box > summary');
  await page.fill('#live-endpoint', 'https://as.example/introspect');
  await page.fill('#live-client-secret', 'client-secret-1');
  await page.selectOption('#live-auth', 'bearer');
  await page.fill('#live-bearer', 'bearer-token-1');
}

test('Clear everything empties the paste, the document, the report and the panels\' keys and secrets', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await fillEverything(page);
  await page.click('#verify-panel input[value="secret"]');
  await page.fill('#verify-panel .verify-secret', 'hmac-secret-1');
  await page.click('#clear-all');
  assert.deepEqual(await held(page), EMPTY);
  assert.equal(await page.isChecked('#verify-panel input[value="public"]'), true, 'back to public keys');
  assert.equal(await page.textContent('#auto-clear-status'), '', 'a click says nothing');
  assertClean(page);
});

test('a report still being made when Clear everything is pressed is dropped, not shown or copied', async () => {
  const page = await openClipboardPage(browser, url);
  await ready(page);
  await page.fill('#input', graphToken('User.Read'));
  await page.fill('#operation', 'POST https://graph.microsoft.com/v1.0/me/sendMail');
  const clipboard = await page.evaluate(() => navigator.clipboard.readText()); // the browser's, shared by the tests
  // The report's module is held until the page has been cleared.
  let held = null;
  await page.route('**/report-md.js', (route) => { held = route; });
  await page.click('#copy-report');
  while (!held) await new Promise((r) => setTimeout(r, 20));
  await page.click('#clear-all');
  await held.continue();
  await page.unroute('**/report-md.js');
  await page.evaluate(() => import('./report-md.js')); // loaded: the click's report is made now
  await page.evaluate(() => new Promise((r) => setTimeout(r, 200))); // and its fingerprint hashed
  assert.equal(await page.inputValue('#report-md'), '');
  assert.equal(await page.textContent('#copy-status'), '');
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), clipboard, 'nothing copied');
  assertClean(page);
});

test('after 15 minutes without use everything is cleared, at the next tick, on coming back or at the first use', async () => {
  const context = await browser.newContext();
  const page = recordProblems(await context.newPage());
  await page.clock.install();
  await page.goto(url);
  await ready(page);
  assert.equal(await page.isChecked('#auto-clear'), true, 'on by default');
  assert.match(await page.textContent('label.auto-clear'), /after 15 minutes without use/);
  await fillEverything(page);
  // 14 minutes 50 s without use: kept. A use (a key) starts the 15 minutes again.
  await page.clock.fastForward('14:50');
  assert.equal(await page.inputValue('#live-client-secret'), 'client-secret-1');
  await page.press('#operation', 'End');
  await page.clock.fastForward('14:50');
  assert.notEqual(await page.inputValue('#input'), '', 'the key was a use');
  await page.clock.fastForward('00:20');
  assert.deepEqual(await held(page), EMPTY);
  assert.match(await page.textContent('#auto-clear-status'), /^Cleared after 15 minutes without use/);
  await page.fill('#input', graphToken('User.Read'));
  assert.equal(await page.textContent('#auto-clear-status'), '', 'a new paste removes the sentence');

  // No tick in between (the clock paused): coming back to the tab clears, and so does the first use.
  for (const comeBack of [
    () => page.evaluate(() => document.dispatchEvent(new Event('visibilitychange'))),
    () => page.mouse.move(40, 40),
  ]) {
    await page.fill('#input', graphToken('User.Read'));
    const now = await page.evaluate(() => Date.now());
    await page.clock.pauseAt(now + 1000);
    await page.clock.setSystemTime(now + 1000 + 16 * 60_000);
    assert.notEqual(await page.inputValue('#input'), '', 'no tick ran');
    await comeBack(); // the listener runs before the event's dispatch returns
    assert.equal(await page.inputValue('#input'), '');
    assert.match(await page.textContent('#auto-clear-status'), /^Cleared after 15 minutes/);
    await page.clock.resume();
  }

  // Unticked: kept however long.
  await page.fill('#input', graphToken('User.Read'));
  await page.uncheck('#auto-clear');
  await page.clock.fastForward('02:00:00');
  assert.notEqual(await page.inputValue('#input'), '');
  assertClean(page);
});

test('the clear-after option: minutes from 1 to 1440, 0 unticks the box, anything else is 15', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  const read = await page.evaluate(async () => {
    const { idleMinutes } = await import('./mount.js');
    return [0, '0', 5, '5', '2.6', 0.2, 100000, '', 'soon', null, undefined, -3, NaN].map((v) => idleMinutes(v));
  });
  const on = (minutes) => ({ on: true, minutes });
  assert.deepEqual(read, [
    { on: false, minutes: 15 }, { on: false, minutes: 15 }, on(5), on(5), on(3), on(1), on(1440),
    on(15), on(15), on(15), on(15), on(15), on(15),
  ]);
  assertClean(page);
});

test('the page requests only its own files, and nothing at all while diagnosing', async () => {
  const context = await browser.newContext();
  const page = await context.newPage();
  const requests = [];
  const consoleLines = [];
  page.on('request', (r) => requests.push(r.url()));
  page.on('console', (m) => consoleLines.push(m.text()));
  await page.goto(url);
  await ready(page);
  await verdictIs(page, 'denied'); // the Graph matrix was loaded for the sample
  const origin = new URL(url).origin;
  const foreign = requests.filter((u) => !u.startsWith(`${origin}/`) && !u.startsWith('data:'));
  assert.deepEqual(foreign, []);
  assert.ok(requests.some((u) => u.endsWith('/matrices/microsoft-graph.json')));
  const before = requests.length;
  await page.fill('#input', graphToken('User.Read'));
  await page.fill('#operation', 'GET https://graph.microsoft.com/v1.0/me');
  await verdictIs(page, 'allowed');
  await page.fill('#input', makeJwt({ iss: 'https://idp.example', jku: 'https://attacker.example/jwks', x5u: 'https://attacker.example/cert', sub: 'u', exp: NOW() + 60 }));
  await page.waitForFunction(() => /attacker/.test(document.querySelector('#payload').textContent));
  assert.deepEqual(requests.slice(before), [], 'diagnosing fetches nothing (no jku/x5u/issuer discovery)');
  assert.deepEqual(consoleLines.filter((l) => !l.startsWith('[DOM] ')), [], 'the page logs nothing');
  await context.close();
});

test('strict CSP: default-src none, scripts only from the page and wasm, no inline script; nothing logged', async () => {
  const html = fs.readFileSync(path.join(ROOT, 'www', 'index.html'), 'utf8');
  const csp = html.match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
  assert.match(csp, /default-src 'none'/);
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval';/);
  assert.match(csp, /connect-src 'self' https: http:\/\/127\.0\.0\.1:\* http:\/\/localhost:\*;/);
  assert.doesNotMatch(csp, /unsafe-inline|(?<!wasm-)unsafe-eval|strict-dynamic/);
  assert.doesNotMatch(csp.match(/script-src ([^;]*)/)[1], /data:|blob:|https?:|\*/, 'scripts only from the page itself');
  assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/, 'no inline script in index.html');
  const page = await openPage(browser, url);
  const violations = [];
  await page.exposeFunction('__cspViolation', (v) => violations.push(v));
  await page.evaluate(() => document.addEventListener('securitypolicyviolation', (e) => window.__cspViolation(`${e.violatedDirective} ${e.blockedURI}`)));
  await ready(page);
  await page.fill('#input', graphToken('User.Read'));
  await page.click('#verify-box > summary');
  await page.click('#live-box > summary');
  await page.click('#embed > summary');
  await page.waitForFunction(() => /User\.Read/.test(document.querySelector('#payload').textContent));
  assert.deepEqual(violations, []);
  // Chromium's own "[DOM] Password field is not contained in a form" hints (the key and secret fields) are not
  // written by the page; anything else would be.
  assert.deepEqual(page.consoleLines.filter((l) => !l.startsWith('[DOM] ')), [], 'the page writes nothing to the console');
  assertClean(page);
});
