// Live checks against a real OAuth server (oidc-provider, tests/e2e/oidc-server.mjs) and a local stand-in for
// Genesys Cloud (tests/e2e/genesys-standin.mjs: Genesys itself cannot be reached from here), in real Chromium,
// through the live-check panel (www/live.js) mounted in a test page with the page's proposed CSP, and through
// the JS API (introspect, discover, genesysTokenInfo).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { serveStatic } from '../../scripts/serve.mjs';
import { launch, openPage, assertClean, ROOT } from './harness.mjs';
import { startOidc, CLIENTS, RESOURCE_JWT, RESOURCE_OPAQUE } from './oidc-server.mjs';
import { startGenesysStandin } from './genesys-standin.mjs';

let browser, pageServer, pageOrigin, pageUrl, oidc, genesys;
const GENESYS = {
  user: 'genesys-user-token-7a3c', // authorization-code token of a user
  app: 'genesys-app-token-19be', // client-credentials token
};

before(async () => {
  pageServer = await serveStatic(ROOT, 0);
  pageOrigin = `http://127.0.0.1:${pageServer.address().port}`;
  pageUrl = `${pageOrigin}/tests/e2e/fixtures/live.html`;
  oidc = await startOidc({ allowedOrigin: pageOrigin });
  genesys = await startGenesysStandin({
    allowedOrigin: pageOrigin,
    tokens: {
      [GENESYS.user]: { grant: 'CODE', scopes: ['users:readonly', 'routing'], permissions: ['routing:queue:view', 'analytics:conversationDetail:view'] },
      [GENESYS.app]: { grant: 'CLIENT-CREDENTIALS', scopes: ['analytics'] },
    },
  });
  browser = await launch();
});
after(async () => {
  await browser?.close();
  await oidc?.close();
  await genesys?.close();
  pageServer?.close();
});

/** Opens the test page and waits for the engine and the panel. */
async function open() {
  const page = await openPage(browser, pageUrl);
  await page.waitForSelector('body[data-ready="true"]');
  return page;
}

/** CORS and refused connections log console errors in Chromium by design; everything else must stay clean. */
function assertCleanExcept(page, patterns) {
  page.problems = page.problems.filter((p) => !patterns.some((re) => re.test(p)));
  assertClean(page);
}

async function fillIntrospection(page, { endpoint = oidc.introspectionEndpoint, client = CLIENTS.introspector, auth = 'basic' } = {}) {
  await page.fill('#live-endpoint', endpoint);
  await page.fill('#live-client-id', client.id);
  await page.fill('#live-client-secret', client.secret);
  await page.selectOption('#live-auth', auth);
}

async function paste(page, token) {
  await page.fill('#input', token);
  await page.waitForFunction(() => document.querySelector('#verdict')?.textContent.length > 3);
}

/** Calls one of the full engine's exports inside the page (engine.js loads it once, as the live panel does). */
function api(page, name, options) {
  return page.evaluate(async ([fn, opts]) => {
    const m = await (await import('/www/engine.js')).fullEngine();
    return m[fn](opts);
  }, [name, options]);
}

test('nothing leaves the page until a button is pressed; the panel says where the token will go', async () => {
  // Recording starts before the page loads: loading, pasting and typing may fetch only the page's own files.
  const page = await openPage(browser);
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  await page.goto(pageUrl);
  await page.waitForSelector('body[data-ready="true"]');
  assert.ok(requests.includes(`${pageOrigin}/www/live.js`) && requests.some((u) => u.endsWith('token_doctor_bg.wasm')));
  const token = await oidc.token();
  await paste(page, token);
  await fillIntrospection(page);
  await page.fill('#live-region', genesys.apiHost);
  await page.check('#live-with-user');
  await page.fill('#live-timeout', '5');
  await page.waitForFunction((ep) => document.querySelector('#live-introspect-destination').textContent.includes(ep), oidc.introspectionEndpoint);
  assert.equal(await page.getAttribute('#live-introspect-destination', 'data-url'), oidc.introspectionEndpoint);
  assert.match(await page.textContent('#live-introspect-destination'), /sends the token and the client id and secret to http:\/\/127\.0\.0\.1:\d+\/oidc\/token\/introspection/);
  assert.match(await page.textContent('#live-genesys-destination'), new RegExp(`to http://${genesys.apiHost}/api/v2/tokens/me and http://${genesys.apiHost}/api/v2/users/me\\?expand=authorization`));
  const offPage = requests.filter((u) => !u.startsWith(`${pageOrigin}/`));
  assert.deepEqual(offPage, [], 'typing and pasting sent nothing anywhere');
  assert.ok(requests.every((u) => !u.includes(token) && !u.includes(CLIENTS.introspector.secret)));

  await page.click('#live-introspect');
  await page.waitForSelector('#live-result .live-ok');
  assert.ok(requests.includes(oidc.introspectionEndpoint), 'the button sends to the stated address (and the recorder sees it)');
  assert.deepEqual(requests.filter((u) => !u.startsWith(`${pageOrigin}/`)), [oidc.introspectionEndpoint]);

  // The secret stays in memory: not in the URL, storage, cookies or the console.
  const kept = await page.evaluate(() => ({
    url: location.href, local: JSON.stringify(localStorage), session: JSON.stringify(sessionStorage), cookie: document.cookie,
  }));
  for (const v of Object.values(kept)) {
    assert.ok(!v.includes(CLIENTS.introspector.secret) && !v.includes(token), v);
  }
  assert.ok(page.consoleLines.every((l) => !l.includes(CLIENTS.introspector.secret) && !l.includes(token)));
  assertClean(page);
});

test('introspecting an active token: the scopes arrive and the verdict changes', async () => {
  const page = await open();
  // The API the token is for: POST /things needs api:write (a matrix in the project's format).
  const matrix = {
    platform: { id: 'custom', name: 'Things API', hosts: ['api.token-doctor.test'] },
    operations: [{ method: 'POST', path: '/things', scopes: { type: 'anyOf', sets: [['api:write']] } }],
  };
  await page.fill('#matrix', JSON.stringify(matrix));
  await page.fill('#operation', 'POST https://api.token-doctor.test/things');
  await fillIntrospection(page);

  // A token with api:read only: opaque, so the verdict is unknown until the server says what it grants.
  await paste(page, await oidc.token({ resource: RESOURCE_OPAQUE, scope: 'api:read' }));
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'unknown');
  await page.click('#live-introspect');
  await page.waitForSelector('#live-result .live-ok');
  const shown = JSON.parse(await page.textContent('#live-result .live-json'));
  assert.equal(shown.active, true);
  assert.equal(shown.scope, 'api:read');
  assert.equal(shown.client_id, CLIENTS.app.id);
  assert.equal(shown.aud, 'https://api.token-doctor.test');
  await page.waitForSelector('#findings [data-code="scope.missing"]');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'denied');
  assert.match(await page.textContent('#verdict'), /api:write/);

  // A token with both scopes: allowed once introspected.
  const token = await oidc.token({ resource: RESOURCE_OPAQUE, scope: 'api:read api:write' });
  await paste(page, token);
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'unknown');
  await page.click('#live-introspect');
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict === 'allowed');
  assertClean(page);

  // The same through the JS API, with client_secret_post, and fed to diagnose as text and as an object.
  const r = await api(page, 'introspect', {
    endpoint: oidc.introspectionEndpoint, token, clientId: CLIENTS.poster.id, clientSecret: CLIENTS.poster.secret, auth: 'post',
  });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.status, 200);
  assert.equal(r.response.scope, 'api:read api:write');
  assert.deepEqual(r.warnings, []);
  const reports = await page.evaluate(async ([tok, resp, mtx]) => {
    const m = await (await import('/www/engine.js')).fullEngine();
    const base = { input: tok, operation: 'POST https://api.token-doctor.test/things', matrix: mtx };
    return [m.diagnose(base), m.diagnose({ ...base, introspection: resp }), m.diagnose({ ...base, introspection: JSON.stringify(resp) })];
  }, [token, r.response, matrix]);
  assert.deepEqual(reports.map((x) => x.verdict), ['unknown', 'allowed', 'allowed']);
});

test('a revoked token: introspection says inactive and the verdict becomes denied', async () => {
  const page = await open();
  const token = await oidc.token();
  await oidc.revoke(token);
  // Pasted as a whole token response: the panel sends the access token the engine found in it.
  await paste(page, JSON.stringify({ access_token: token, token_type: 'Bearer', expires_in: 600 }));
  assert.notEqual(await page.getAttribute('#verdict', 'data-verdict'), 'denied');
  await fillIntrospection(page);
  await page.click('#live-introspect');
  await page.waitForSelector('#live-result .live-ok');
  assert.deepEqual(JSON.parse(await page.textContent('#live-result .live-json')), { active: false });
  assert.match(await page.textContent('#live-result'), /NOT active/);
  await page.waitForSelector('#findings [data-code="introspection.inactive"]');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'denied');
  assertClean(page);
});

test('a wrong client secret: 401 explained, commands offered without the secret', async () => {
  const page = await open();
  await paste(page, await oidc.token());
  await fillIntrospection(page, { client: { id: CLIENTS.introspector.id, secret: 'not-the-secret' } });
  await page.click('#live-introspect');
  await page.waitForSelector('#live-result .live-error');
  assert.equal(await page.getAttribute('#live-result .live-error', 'data-kind'), 'http');
  const message = await page.textContent('.live-error-message');
  assert.match(message, /401/);
  assert.match(message, /client id and secret/);
  assert.match(message, /invalid_client/, 'the server\'s own words are quoted');
  const curl = await page.textContent('.live-command-curl');
  const ps = await page.textContent('.live-command-powershell');
  assert.match(curl, /^curl -sS .*-u 'introspector:<CLIENT_SECRET>' --data-urlencode 'token=<ACCESS_TOKEN>'/);
  assert.match(ps, /^Invoke-RestMethod -Method Post -Uri 'http:\/\/127\.0\.0\.1:\d+\/oidc\/token\/introspection'/);
  assert.ok(!curl.includes('not-the-secret') && !ps.includes('not-the-secret'));
  // Chromium logs the 401 itself as a failed resource load.
  assertCleanExcept(page, [/status of 401/]);
});

test('an origin without CORS headers: blocked, explained honestly, commands offered', async () => {
  const page = await open();
  const token = await oidc.token();
  await paste(page, token);
  await fillIntrospection(page, { endpoint: oidc.bareIntrospectionEndpoint });
  await page.click('#live-introspect');
  await page.waitForSelector('#live-result .live-error');
  assert.equal(await page.getAttribute('#live-result .live-error', 'data-kind'), 'cors');
  const message = await page.textContent('.live-error-message');
  assert.match(message, /CORS/);
  assert.match(message, /no-cors/, 'says how CORS was told apart from a network error');
  assert.ok(message.includes(oidc.bareOrigin));
  assert.ok((await page.textContent('.live-command-curl')).includes(oidc.bareIntrospectionEndpoint));
  assert.ok((await page.textContent('.live-command-powershell')).includes(oidc.bareIntrospectionEndpoint));
  // The commands carry the real values only when asked.
  const withSecrets = await api(page, 'introspect', {
    endpoint: oidc.bareIntrospectionEndpoint, token, clientId: CLIENTS.introspector.id, clientSecret: CLIENTS.introspector.secret, includeSecrets: true,
  });
  assert.equal(withSecrets.ok, false);
  assert.equal(withSecrets.error.kind, 'cors');
  assert.ok(withSecrets.error.commands.curl.includes(`token=${token}`));
  assert.ok(withSecrets.error.commands.curl.includes(CLIENTS.introspector.secret));
  // The no-cors probe (a GET to a POST endpoint) is answered 404; Chromium logs that too.
  assertCleanExcept(page, [/CORS policy/, /net::ERR_FAILED/, /status of 404/]);
});

test('discovery from the token\'s iss finds the introspection endpoint (OpenID Connect, then RFC 8414)', async () => {
  const page = await open();
  const jwt = await oidc.token({ resource: RESOURCE_JWT, scope: 'api:read' });
  await paste(page, jwt);
  await page.waitForFunction(() => document.querySelector('#live-discover-destination').dataset.ok === 'true');
  assert.equal(await page.getAttribute('#live-discover-destination', 'data-url'), `${oidc.issuer}/.well-known/openid-configuration`);
  assert.match(await page.textContent('#live-discover-destination'), /no token/);
  await page.click('#live-discover');
  await page.waitForSelector('#live-result .live-ok');
  assert.equal(await page.inputValue('#live-endpoint'), oidc.introspectionEndpoint, 'the endpoint field is filled in');
  const doc = JSON.parse(await page.textContent('#live-result .live-json'));
  assert.equal(doc.issuer, oidc.issuer);
  assert.equal(doc.jwks_uri, `${oidc.issuer}/jwks`);
  assertClean(page);

  // RFC 8414 §3.1 (path inserted after the host) when the OpenID document is missing.
  oidc.state.hideOpenidConfiguration = true;
  try {
    const r = await api(page, 'discover', { issuer: oidc.issuer });
    assert.equal(r.ok, true, JSON.stringify(r));
    assert.equal(r.url, `${oidc.origin}/.well-known/oauth-authorization-server/oidc`);
    assert.deepEqual(r.tried, [`${oidc.issuer}/.well-known/openid-configuration`, r.url]);
    assert.equal(r.response.introspection_endpoint, oidc.introspectionEndpoint);
    assert.deepEqual(r.warnings, []);
  } finally {
    oidc.state.hideOpenidConfiguration = false;
  }
  // An issuer that differs from what the server calls itself (trailing slash) is flagged.
  const slash = await api(page, 'discover', { issuer: `${oidc.issuer}/` });
  assert.equal(slash.ok, true);
  assert.match(slash.warnings.join(' '), /trailing slash/);

  // This server does not introspect its JWT access tokens: the 400 is explained.
  const j = await api(page, 'introspect', { endpoint: oidc.introspectionEndpoint, token: jwt, clientId: CLIENTS.introspector.id, clientSecret: CLIENTS.introspector.secret });
  assert.equal(j.ok, false);
  assert.equal(j.error.status, 400);
  assert.match(j.error.message, /unsupported_token_type/);
});

test('Genesys tokens/me (through the local stand-in for Genesys Cloud)', async () => {
  const page = await open();
  await paste(page, GENESYS.user);
  await page.fill('#live-region', genesys.apiHost);
  await page.check('#live-with-user');
  await page.click('#live-genesys');
  await page.waitForSelector('#live-result .live-ok');
  const info = JSON.parse(await page.textContent('#live-result .live-json'));
  assert.deepEqual(info.authorizedScope, ['users:readonly', 'routing']);
  assert.equal(info.OAuthClient.authorizedGrantType, 'CODE');
  assert.match(await page.textContent('#live-result'), /permissions \(2\)/);
  const sent = genesys.requests.filter((r) => r.authorization === `Bearer ${GENESYS.user}`).map((r) => r.url);
  assert.deepEqual(sent, ['/api/v2/tokens/me', '/api/v2/users/me?expand=authorization']);
  assertClean(page);

  // JS API: a client-credentials token skips users/me (it has no user); an unknown token gets 401 explained.
  const app = await api(page, 'genesysTokenInfo', { apiHost: genesys.apiHost, token: GENESYS.app, withUser: true });
  assert.equal(app.ok, true, JSON.stringify(app));
  assert.equal(app.response.OAuthClient.authorizedGrantType, 'CLIENT-CREDENTIALS');
  assert.equal(app.user, null);
  assert.match(app.userSkipped, /client-credentials/);
  assert.ok(!genesys.requests.some((r) => r.authorization === `Bearer ${GENESYS.app}` && r.url.startsWith('/api/v2/users/me')));
  const report = await page.evaluate(async ([tok, resp]) => {
    const m = await (await import('/www/engine.js')).fullEngine();
    return m.diagnose({ input: tok, introspection: resp });
  }, [GENESYS.app, app.response]);
  assert.equal(report.platform?.id, 'genesys-cloud', 'the engine reads the TokenInfo as Genesys tokens/me');

  const bad = await api(page, 'genesysTokenInfo', { apiHost: genesys.apiHost, token: 'expired-or-other-region' });
  assert.equal(bad.ok, false);
  assert.equal(bad.error.kind, 'http');
  assert.equal(bad.error.status, 401);
  assert.match(bad.error.message, /region/);
  assert.match(bad.error.message, /bad\.credentials/);
  assert.equal(bad.error.commands.curl, `curl -sS -H 'Accept: application/json' -H 'Authorization: Bearer <ACCESS_TOKEN>' 'http://${genesys.apiHost}/api/v2/tokens/me'`);

  // A token with a line break: the browser will not build the request, and that is said (before, the probe that
  // followed explained it as CORS or the network).
  const unsendable = await api(page, 'genesysTokenInfo', { apiHost: genesys.apiHost, token: 'abc\ndef' });
  assert.equal(unsendable.ok, false);
  assert.equal(unsendable.error.kind, 'unsendable', unsendable.error.message);
  assert.match(unsendable.error.message, /nothing was sent/);
});

test('a server that never answers times out; a cancelled request says so; a closed port is a network error', async () => {
  const page = await open();
  const slow = await api(page, 'introspect', {
    endpoint: `${oidc.silentOrigin}/introspect`, token: 'abc', clientId: 'c', clientSecret: 's', timeoutMs: 300,
  });
  assert.equal(slow.ok, false);
  assert.equal(slow.error.kind, 'timeout');
  assert.equal(slow.error.status, null);
  assert.match(slow.error.message, /within 0\.3 s/);
  assert.ok(slow.error.commands.curl.includes(`${oidc.silentOrigin}/introspect`));

  const cancelled = await page.evaluate(async (endpoint) => {
    const m = await (await import('/www/engine.js')).fullEngine();
    const c = new AbortController();
    const p = m.introspect({ endpoint, token: 'abc', clientId: 'c', clientSecret: 's', signal: c.signal });
    c.abort();
    return p;
  }, `${oidc.silentOrigin}/introspect`);
  assert.equal(cancelled.error.kind, 'aborted');

  // The panel's Cancel button aborts a request in flight.
  await page.fill('#input', 'abc');
  await fillIntrospection(page, { endpoint: `${oidc.silentOrigin}/introspect` });
  await page.click('#live-introspect');
  await page.waitForFunction(() => !document.querySelector('#live-cancel').disabled);
  await page.click('#live-cancel');
  await page.waitForSelector('#live-result .live-error[data-kind="aborted"]');

  const closedPort = await new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
  const refused = await api(page, 'introspect', { endpoint: `http://127.0.0.1:${closedPort}/introspect`, token: 'abc', clientId: 'c' });
  assert.equal(refused.error.kind, 'network');
  assert.match(refused.error.message, /unreachable/);
  assertCleanExcept(page, [/ERR_CONNECTION_REFUSED/, /net::ERR_FAILED/]);
});

test('invalid options reject with a clear message and send nothing', async () => {
  const page = await open();
  const requests = [];
  page.on('request', (r) => requests.push(r.url()));
  const errors = await page.evaluate(async () => {
    const m = await (await import('/www/engine.js')).fullEngine();
    const out = [];
    for (const [fn, opts] of [
      ['introspect', { token: 'abc', clientId: 'c' }],
      ['introspect', { endpoint: 'http://as.example.com/introspect', token: 'abc', clientId: 'c' }],
      ['introspect', { endpoint: 'https://as.example.com/introspect', clientId: 'c' }],
      ['discover', {}],
      ['genesysTokenInfo', { region: 'mypurecloud.org', token: 'abc' }],
      ['introspect', 'not an object'],
    ]) {
      try { await m[fn](opts); out.push('resolved'); } catch (e) { out.push(e.message); }
    }
    return out;
  });
  assert.match(errors[0], /`endpoint`/);
  assert.match(errors[1], /only over https/);
  assert.match(errors[2], /`token`/);
  assert.match(errors[3], /`issuer`/);
  assert.match(errors[4], /not a Genesys Cloud region/);
  assert.match(errors[5], /must be an object/);
  assert.deepEqual(requests.filter((u) => !u.startsWith(`${pageOrigin}/`)), []);
  assertClean(page);
});

/** Opens the real page (www/index.html, through mount.js) with its live-check box open and the panel mounted. */
async function openApp() {
  const page = await openPage(browser, `${pageOrigin}/www/index.html`);
  await page.locator('#verdict').filter({ hasText: /\S{4,}/ }).waitFor();
  await page.click('#live-box > summary');
  await page.waitForSelector('#live-introspect');
  return page;
}

/** Pastes `text` into the real page and waits for its diagnosis. */
async function pasteApp(page, text) {
  await page.fill('#input', text);
  await page.waitForSelector('.td:not([data-pending])');
}

/** Presses a live-check button and waits until the panel has said what came of it. */
async function press(page, button) {
  await page.evaluate(() => { document.querySelector('#live-status').textContent = ''; });
  await page.click(button);
  await page.waitForFunction(() => {
    const status = document.querySelector('#live-status').textContent;
    return status && !status.endsWith('\u2026') && document.querySelector('#live-cancel').disabled;
  });
}

/** The kind of the error the live panel shows (null when it shows none). */
const errorKind = (page) => page.evaluate(() => document.querySelector('#live-result .live-error')?.dataset.kind ?? null);

/** The requests of `page` that leave the page's origin, from now on. */
function offPage(page) {
  const sent = [];
  page.on('request', (r) => { if (!r.url().startsWith(`${pageOrigin}/`)) sent.push(`${r.method()} ${r.url()} ${r.postData() ?? ''}`); });
  return sent;
}

test('the page\'s panel sends nothing when the paste carries no token, and never Basic credentials as a token', async () => {
  const page = await openApp();
  const sent = offPage(page);
  await fillIntrospection(page);
  await page.fill('#live-region', genesys.apiHost);
  const secret = 'Sup3rSecretValue';
  const basic = Buffer.from(`myclient:${secret}`).toString('base64');
  // Pastes in which the engine finds no token: before, the panel sent the whole paste as the token.
  const noToken = [
    JSON.stringify({ refresh_token: secret, token_type: 'bearer' }),
    `curl -u myclient:${secret} https://api.example.com/x`,
    `POST /oauth/token HTTP/1.1\nHost: as.example.com\nContent-Type: application/x-www-form-urlencoded\n\ngrant_type=client_credentials&client_id=myclient&client_secret=${secret}`,
  ];
  for (const text of noToken) {
    await pasteApp(page, text);
    for (const button of ['#live-introspect', '#live-genesys']) {
      await press(page, button);
      assert.deepEqual(sent, [], `${button} after ${text}`);
      assert.equal(await errorKind(page), 'no_token', `${button} after ${text}`);
      assert.match(await page.textContent('#live-result'), /No token was recognized in the paste.*nothing was sent/s);
      assert.match(await page.textContent('#live-status'), /nothing sent/);
    }
  }
  // Basic credentials, which the engine reads as the token of a malformed header: not sent either.
  for (const text of [`Authorization: Basic ${basic}`, `curl -H "Authorization: Basic ${basic}" https://api.example.com/x`]) {
    await pasteApp(page, text);
    for (const button of ['#live-introspect', '#live-genesys']) {
      await press(page, button);
      assert.deepEqual(sent, [], `${button} after ${text}`);
      assert.equal(await errorKind(page), 'no_token', `${button} after ${text}`);
      assert.match(await page.textContent('#live-result'), /Basic credentials.*nothing was sent/s);
    }
  }
  assert.ok(genesys.requests.every((r) => !String(r.authorization).includes(basic) && !String(r.authorization).includes(secret)));

  // Control: a Bearer header pasted, its token goes out (only the token, not the header).
  await pasteApp(page, `Authorization: Bearer ${GENESYS.user}`);
  await press(page, '#live-genesys');
  await page.waitForSelector('#live-result .live-ok');
  assert.equal(genesys.requests.at(-1).authorization, `Bearer ${GENESYS.user}`);
  assert.deepEqual(sent.map((s) => s.split(' ').slice(0, 2).join(' ')), [`GET http://${genesys.apiHost}/api/v2/tokens/me`]);
  assertClean(page);
});

test('an answer that arrives after the paste changed is not applied to the new paste (typed, sample); after Clear everything it is not shown', async () => {
  const page = await openApp();
  // POST /things needs api:write (your own document, in the project's format).
  const matrix = {
    platform: { id: 'custom', name: 'Things API', hosts: ['api.token-doctor.test'] },
    operations: [{ method: 'POST', path: '/things', scopes: { type: 'anyOf', sets: [['api:write']] } }],
  };
  await page.click('#own-document > summary');
  await page.fill('#matrix-text', JSON.stringify(matrix));
  await page.click('#matrix-use');
  await page.locator('#matrix-status', { hasText: 'Using the pasted document' }).waitFor();
  await fillIntrospection(page);
  // The introspection answers are held until the paste has changed.
  const held = [];
  await page.route(oidc.introspectionEndpoint, (route) => (route.request().method() === 'POST' ? held.push(route) : route.continue()));
  const nextHeld = async () => { while (held.length === 0) await new Promise((r) => setTimeout(r, 20)); };
  const both = await oidc.token({ scope: 'api:read api:write' }); // allowed once introspected
  const readOnly = await oidc.token({ scope: 'api:read' });
  const verdict = () => page.evaluate(() => ({ verdict: document.querySelector('#verdict').dataset.verdict, text: document.querySelector('#verdict')?.textContent }));
  const changes = {
    'another token pasted': () => pasteApp(page, readOnly),
    'the sample button': () => page.click('#load-sample'),
  };
  for (const [name, change] of Object.entries(changes)) {
    await page.fill('#operation', 'POST https://api.token-doctor.test/things');
    await pasteApp(page, both);
    await page.click('#live-introspect');
    await nextHeld();
    await change();
    const shown = await verdict();
    assert.notEqual(shown.verdict, 'allowed', name);
    await held.shift().continue();
    await page.waitForSelector('#live-result .live-ok');
    await page.waitForFunction(() => document.querySelector('#live-cancel').disabled);
    await page.waitForSelector('.td:not([data-pending])');
    assert.deepEqual(await verdict(), shown, `${name}: the verdict is still the new paste's`);
    assert.equal(await page.getAttribute('#live-result .live-ok', 'data-applied'), 'false', name);
    assert.match(await page.textContent('#live-result'), /The paste has changed since.*not applied/s, name);
    assert.match(await page.textContent('#live-status'), /not applied/, name);
  }

  // Control: asked about the token pasted now, the answer is applied.
  await page.fill('#operation', 'POST https://api.token-doctor.test/things');
  await pasteApp(page, readOnly);
  await page.click('#live-introspect');
  await nextHeld();
  await held.shift().continue();
  await page.waitForSelector('#findings [data-code="scope.missing"]');
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'denied');
  assert.equal(await page.getAttribute('#live-result .live-ok', 'data-applied'), 'true');
  assert.match(await page.textContent('#verdict'), /api:write/);

  // Clear everything while an answer is awaited: the check is cancelled and shows nothing when it ends (its answer
  // could hold what was cleared); the client secret and the document are gone, where to ask stays.
  await pasteApp(page, both);
  await page.click('#live-introspect');
  await nextHeld();
  await page.waitForFunction(() => !document.querySelector('#live-cancel').disabled);
  await page.click('#clear-all');
  await held.shift().continue().catch(() => {}); // cancelled by the page: nothing to continue
  await page.waitForFunction(() => document.querySelector('#live-cancel').disabled);
  assert.equal(await page.textContent('#live-result'), '');
  assert.equal(await page.textContent('#live-status'), '');
  assert.equal(await page.inputValue('#live-client-secret'), '');
  assert.equal(await page.inputValue('#live-endpoint'), oidc.introspectionEndpoint);
  assert.equal(await page.textContent('#matrix-status'), 'No document in use.');
  assert.equal(await page.inputValue('#input'), '');
  assert.notEqual((await verdict()).verdict, 'allowed');
  await page.unroute(oidc.introspectionEndpoint);
  assertClean(page);
});

test('the page\'s Ask Genesys with the user\'s permissions: the diagnosis checks the operation\'s permissions with them', async () => {
  const page = await openApp();
  await page.fill('#operation', 'POST https://api.mypurecloud.com/api/v2/routing/queues');
  await pasteApp(page, GENESYS.user);
  await page.fill('#live-region', genesys.apiHost);
  const verdict = () => page.getAttribute('#verdict', 'data-verdict');
  // TokenInfo alone: the scope `routing` is met; the permission routing:queue:add cannot be seen.
  await page.click('#live-genesys');
  await page.waitForSelector('#live-result .live-ok[data-applied="true"]');
  await page.waitForSelector('#findings [data-code="permission.unverified"]');
  assert.equal(await verdict(), 'allowed');
  // With the user's permissions (they lack routing:queue:add): denied, and the permission is named.
  await page.check('#live-with-user');
  await page.click('#live-genesys');
  await page.waitForSelector('#findings [data-code="permission.missing"]');
  assert.match(await page.textContent('#live-result .live-ok-title'), /The diagnosis now uses this answer \(TokenInfo and the user\u2019s permissions\)/);
  assert.equal(await verdict(), 'denied');
  assert.match(await page.textContent('#verdict'), /routing:queue:add/);
  assert.equal(await page.locator('#findings [data-code="permission.unverified"]').count(), 0);
  assertClean(page);
});

test('a discovery answer that arrives after the paste changed fills in nothing', async () => {
  const page = await openApp();
  const jwt = await oidc.token({ resource: RESOURCE_JWT, scope: 'api:read' });
  const discovery = `${oidc.issuer}/.well-known/openid-configuration`;
  const held = [];
  await page.route(discovery, (route) => held.push(route));
  const b64 = (o) => Buffer.from(JSON.stringify(o)).toString('base64url');
  const other = `${b64({ alg: 'RS256', typ: 'JWT' })}.${b64({ iss: 'https://other-issuer.token-doctor.test', sub: 'u', exp: 4102444800 })}.c2ln`;
  for (const [name, change] of Object.entries({
    'a token of another issuer': () => pasteApp(page, other),
    'the paste cleared': () => pasteApp(page, ''),
    // Typed, and not yet diagnosed when the answer arrives (the page diagnoses after a pause in typing).
    'another issuer still being typed': () => page.fill('#input', other),
  })) {
    await pasteApp(page, jwt);
    await page.waitForFunction(() => !document.querySelector('#live-discover').disabled);
    await page.click('#live-discover');
    while (held.length === 0) await new Promise((r) => setTimeout(r, 20));
    await change();
    await held.shift().continue();
    await page.waitForSelector('#live-result .live-ok');
    assert.equal(await page.inputValue('#live-endpoint'), '', `${name}: the endpoint field stays empty`);
    assert.equal(await page.getAttribute('#live-result .live-ok', 'data-applied'), 'false', name);
    assert.match(await page.textContent('#live-result .live-ok-title'), /The paste has changed since it was asked.*nothing of it was filled in/, name);
    assert.match(await page.textContent('#live-status'), /not applied/, name);
  }
  // Control: asked and answered about the token pasted now, the field is filled in.
  await pasteApp(page, jwt);
  await page.waitForFunction(() => !document.querySelector('#live-discover').disabled);
  await page.click('#live-discover');
  while (held.length === 0) await new Promise((r) => setTimeout(r, 20));
  await held.shift().continue();
  await page.waitForSelector('#live-result .live-ok[data-applied="true"]');
  assert.equal(await page.inputValue('#live-endpoint'), oidc.introspectionEndpoint);
  await page.unroute(discovery);
  assertClean(page);
});

test('the JS API works in Node too (no CORS there): introspection and a timeout', async () => {
  const fs = await import('node:fs');
  const path = await import('node:path');
  const { default: init, introspect } = await import(path.join(ROOT, 'www/pkg/token_doctor.js'));
  await init({ module_or_path: fs.readFileSync(path.join(ROOT, 'www/pkg/token_doctor_bg.wasm')) });
  const token = await oidc.token({ scope: 'api:write' });
  const r = await introspect({ endpoint: oidc.introspectionEndpoint, token, clientId: CLIENTS.introspector.id, clientSecret: CLIENTS.introspector.secret });
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(r.response.scope, 'api:write');
  const slow = await introspect({ endpoint: `${oidc.silentOrigin}/x`, token, clientId: 'c', timeoutMs: 200 });
  assert.equal(slow.error.kind, 'timeout');
});
