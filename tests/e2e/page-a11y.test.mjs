// Quality a user notices: axe-core finds no serious violations (light, dark, empty, embedded); keyboard-only
// use; no layout jump while typing; a 360 px phone without horizontal scrolling; and screenshots of the main
// states in target/e2e-artifacts/ (denied, allowed, opaque, compare, dark, phone).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { launch, serve, openPage, assertClean, screenshot, makeJwt, ARTIFACTS } from './harness.mjs';
import { graphToken, OPAQUE, NOW, ready, verdictIs, axeSerious, openClipboardPage } from './page-helpers.mjs';

let browser, server, url;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

const openAll = (page) => page.evaluate(() => { for (const d of document.querySelectorAll('details')) d.open = true; });

test('axe-core: no serious or critical violations, light and dark, with every panel open', async () => {
  for (const colorScheme of ['light', 'dark']) {
    const page = await openPage(browser, url, { colorScheme, viewport: { width: 1280, height: 900 } });
    await verdictIs(page, 'denied');
    await page.click('#compare-box > summary');
    await page.fill('#previous', graphToken('User.Read Mail.Send'));
    await page.waitForSelector('#comparison-section:not([hidden])');
    await openAll(page);
    assert.deepEqual(await axeSerious(page), [], `${colorScheme} theme`);
    assertClean(page);
  }
});

test('axe-core: the empty state and the embedded element', async () => {
  const page = await openPage(browser, url);
  await ready(page);
  await page.click('#clear-all');
  await page.waitForSelector('#empty-state:not([hidden])');
  assert.deepEqual(await axeSerious(page), [], 'empty state');
  // axe itself sets inline styles while it inspects shadow roots; the host page's CSP would refuse them.
  const host = await openClipboardPage(browser, `${url}embed.html`, { bypassCSP: true });
  await verdictIs(host, 'denied', '#embedded');
  await host.evaluate(() => { for (const d of document.querySelector('#embedded').shadowRoot.querySelectorAll('details')) d.open = true; });
  assert.deepEqual(await axeSerious(host), [], 'embedded element');
  assertClean(page);
  assertClean(host);
});

test('keyboard only: paste, pick the platform and the operation, copy the report', async () => {
  const page = await openClipboardPage(browser, url);
  await ready(page);
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'input', 'the paste area comes first');
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText(graphToken('User.Read'));
  const order = [];
  for (let i = 0; i < 4; i += 1) {
    await page.keyboard.press('Tab');
    order.push(await page.evaluate(() => document.activeElement.id));
  }
  assert.deepEqual(order, ['load-sample', 'clear-all', 'auto-clear', 'operation']);
  await page.keyboard.press('Control+A');
  await page.keyboard.insertText('get /v1.0/me');
  await page.waitForSelector('#operation-list:not([hidden]) [role="option"]');
  await page.keyboard.press('ArrowDown');
  const chosen = await page.evaluate(() => document.querySelector('[role="option"][aria-selected="true"]').textContent);
  await page.keyboard.press('Enter');
  assert.equal(await page.inputValue('#operation'), chosen);
  await verdictIs(page, 'allowed');
  // After the operation: the diagnosis (Copy report first), then the optional fields, the platform picker first.
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement.id), 'copy-report');
  let reached = false;
  for (let i = 0; i < 40 && !reached; i += 1) {
    await page.keyboard.press('Tab');
    reached = await page.evaluate(() => document.activeElement.id === 'platform');
  }
  assert.ok(reached, 'the platform picker is reachable with Tab');
  await page.keyboard.press('ArrowDown'); // a closed <select> changes its value with the arrow keys
  await page.waitForFunction(() => document.querySelector('#platform').value !== '');
  // Summaries open with Enter; the Copy report button works with Enter.
  await page.focus('#compare-box > summary');
  await page.keyboard.press('Enter');
  assert.equal(await page.evaluate(() => document.querySelector('#compare-box').open), true);
  await page.focus('#copy-report');
  await page.keyboard.press('Enter');
  await page.waitForFunction(() => /Copied/.test(document.querySelector('#copy-status').textContent));
  // Focus is visible.
  const outline = await page.evaluate(() => getComputedStyle(document.activeElement).outlineStyle);
  assert.equal(outline, 'solid');
  assertClean(page);
});

test('no layout jump while typing: the field you type in stays where it is, whatever the diagnosis says', async () => {
  for (const viewport of [{ width: 1280, height: 900 }, { width: 360, height: 740 }]) {
    const page = await openPage(browser, url, { viewport });
    await verdictIs(page, 'denied');
    const boxes = (ids) => page.evaluate((list) => list
      .map((id) => { const r = document.getElementById(id).getBoundingClientRect(); return [id, Math.round(r.top), Math.round(r.left), Math.round(r.width)]; }), ids);
    // The paste area and the operation come before the diagnosis (phones) or beside it (wide screens).
    const above = ['input', 'operation'];
    const start = await boxes(above);
    const pastes = [
      '', `Bearer ${OPAQUE}`, graphToken('User.Read', { exp: NOW() - 100000 }),
      JSON.stringify({ access_token: graphToken('User.Read'), id_token: makeJwt({ sub: 'u', nonce: 'n', aud: 'c' }), token_type: 'Bearer', scope: 'User.Read' }),
      'curl -H "Authorization: Bearer Bearer abc.def" https://graph.microsoft.com/v1.0/me', 'garbage.garbage', graphToken('User.Read'),
    ];
    for (const text of pastes) {
      await page.fill('#input', text);
      await page.waitForSelector('.td:not([data-pending])'); // the diagnosis of this paste is on screen
      assert.deepEqual(await boxes(above), start, `after pasting ${text.slice(0, 30) || '(nothing)'} at ${viewport.width}px`);
    }
    // A field below the diagnosis (phones): typing there changes the findings above it; the field stays put.
    await page.locator('#response').scrollIntoViewIfNeeded();
    await page.focus('#response');
    const before = await boxes(['response']);
    await page.keyboard.insertText('HTTP/1.1 403 Forbidden\nWWW-Authenticate: Bearer error="insufficient_scope", scope="Mail.Send Calendars.Read"');
    await page.waitForSelector('.td:not([data-pending])');
    await page.waitForFunction(() => document.querySelectorAll('#findings > li').length > 0);
    assert.deepEqual(await boxes(['response']), before, `the answer field at ${viewport.width}px`);
    assertClean(page);
  }
});

test('a 360 px phone: no horizontal scrolling, the verdict is readable', async () => {
  const page = await openPage(browser, url, { viewport: { width: 360, height: 740 } });
  await verdictIs(page, 'denied');
  await openAll(page);
  const widths = await page.evaluate(() => ({ doc: document.documentElement.scrollWidth, view: innerWidth }));
  assert.ok(widths.doc <= widths.view, `page is ${widths.doc}px wide on a ${widths.view}px screen`);
  const font = await page.evaluate(() => parseFloat(getComputedStyle(document.querySelector('#verdict')).fontSize));
  assert.ok(font >= 16, `verdict font ${font}px`);
  assertClean(page);
});

test('screenshots of the main states (kept in target/e2e-artifacts/)', async () => {
  const wide = { width: 1280, height: 900 };
  let page = await openPage(browser, url, { viewport: wide });
  await verdictIs(page, 'denied');
  await screenshot(page, 'page-denied');
  await page.fill('#input', graphToken('User.Read openid'));
  await page.fill('#operation', 'GET https://graph.microsoft.com/v1.0/me');
  await verdictIs(page, 'allowed');
  await screenshot(page, 'page-allowed');
  await page.fill('#input', `Bearer ${OPAQUE}`);
  await page.fill('#operation', 'POST https://api.mypurecloud.ie/api/v2/conversations/calls');
  await page.waitForSelector('#findings > [data-code="token.opaque"]');
  await screenshot(page, 'page-opaque');
  await page.fill('#input', graphToken('User.Read'));
  await page.fill('#operation', 'POST https://graph.microsoft.com/v1.0/me/sendMail');
  await page.click('#compare-box > summary');
  await page.fill('#previous', graphToken('User.Read Mail.Send', { appid: 'another-client' }));
  await page.waitForSelector('#comparison-section:not([hidden])');
  await screenshot(page, 'page-compare');
  await page.click('#clear-all');
  await page.waitForSelector('#empty-state:not([hidden])');
  await screenshot(page, 'page-empty');
  assertClean(page);

  page = await openPage(browser, url, { viewport: wide, colorScheme: 'dark' });
  await verdictIs(page, 'denied');
  await screenshot(page, 'page-dark');
  assertClean(page);

  page = await openPage(browser, url, { viewport: { width: 360, height: 740 } });
  await verdictIs(page, 'denied');
  await screenshot(page, 'page-phone');
  await page.focus('#operation');
  await page.fill('#operation', '');
  await page.keyboard.insertText('me mail');
  await page.waitForSelector('#operation-list:not([hidden]) [role="option"]');
  await page.screenshot({ path: path.join(ARTIFACTS, 'page-phone-completion.png') });
  assertClean(page);
});
