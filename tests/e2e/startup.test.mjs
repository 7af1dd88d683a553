// The page's start and first download: index.html asks at once for every module the first verdict needs
// (modulepreload) and for the engine's wasm (preload), and that list stays equal to what app.js imports statically;
// the panels, the comparison and the Markdown report are not part of it and load when first used; the wasm preload
// is the very request the page makes (fetched once, no console warning about an unused or mismatched preload); the
// sample operation's matrix, fetched early, is the one the sample needs, and the first verdict shown is the
// sample's own (no "unknown" while its matrix loads, unless the matrix is slow); the UI shows without a diagnosis
// while a slow engine loads, and says so when the engine cannot load.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serve, openPage, assertClean, ROOT } from './harness.mjs';
import { staticImports } from '../../bench/size.mjs';

const WWW = path.join(ROOT, 'www');
const LAZY = ['panels.js', 'verify.js', 'live.js', 'compare.js', 'report-md.js'];
const html = () => fs.readFileSync(path.join(WWW, 'index.html'), 'utf8');
const rel = (file) => path.relative(WWW, file).split(path.sep).join('/');

/** Holds every request of `page` matching `pattern` until the returned function is called. */
async function holdRoute(page, pattern) {
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route(pattern, async (route) => { await held; await route.continue(); });
  return release;
}

/** Every module reachable from `entry` by static imports (wasm-bindgen's hashed snippets left out). */
function staticGraph(entry) {
  const seen = new Set();
  const queue = [path.join(WWW, entry)];
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file) || !/\.m?js$/.test(file)) continue;
    seen.add(file);
    queue.push(...staticImports(file));
  }
  return [...seen].map(rel).filter((f) => !f.startsWith('pkg/snippets/')).sort();
}

test('index.html asks at once for exactly the modules app.js imports statically', () => {
  const page = html();
  const scripts = [...page.matchAll(/<script\b[^>]*\bsrc="([^"]+)"/g)].map((m) => m[1]);
  const preloaded = [...page.matchAll(/<link rel="modulepreload" href="([^"]+)">/g)].map((m) => m[1]);
  const asked = [...new Set([...scripts, ...preloaded])].sort();
  // The first engine's bindings are imported by assets.js with import(), on the way to the first verdict.
  assert.deepEqual(asked, [...staticGraph('app.js'), 'pkg/first/token_doctor.js'].sort());
  for (const file of asked) assert.ok(fs.existsSync(path.join(WWW, file)), `${file} exists`);
  assert.match(page, /<link rel="preload" href="pkg\/first\/token_doctor_bg\.wasm" as="fetch" type="application\/wasm" crossorigin>/);
  assert.ok(!/href="pkg\/token_doctor/.test(page), 'the full engine is not asked for');
});

test('the panels, the comparison and the Markdown report are not in the first download', () => {
  const graph = staticGraph('app.js');
  for (const file of LAZY) assert.ok(!graph.includes(file), `${file} is imported statically`);
});

test('the matrix fetched while the engine starts is the one the sample operation needs', async () => {
  const { default: init, diagnose } = await import(path.join(WWW, 'pkg/first/token_doctor.js'));
  await init({ module_or_path: fs.readFileSync(path.join(WWW, 'pkg/first/token_doctor_bg.wasm')) });
  const { sampleToken, SAMPLE_OPERATION, SAMPLE_PLATFORM } = await import(path.join(WWW, 'sample.js'));
  const now = Math.floor(Date.now() / 1000);
  assert.equal(diagnose({ input: sampleToken(now), operation: SAMPLE_OPERATION, now }).platform?.id, SAMPLE_PLATFORM);
});

let browser, server, url;
before(async () => { ({ server, url } = await serve()); browser = await launch(); });
after(async () => { await browser?.close(); server?.close(); });

test('the page fetches the wasm once and the lazy modules only when they are needed', async () => {
  const page = await openPage(browser);
  const requested = [];
  page.on('request', (req) => requested.push(req.url().replace(url, '')));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict === 'denied'); // the sample, settled
  await page.waitForLoadState('networkidle');
  assert.equal(requested.filter((u) => u === 'pkg/first/token_doctor_bg.wasm').length, 1, 'the preload is the request the engine uses');
  assert.deepEqual(requested.filter((u) => /^pkg\/token_doctor/.test(u)), [], 'the full engine waits until it is needed');
  assert.deepEqual(requested.filter((u) => u.includes('/snippets/')), [], 'wasm-bindgen snippets are folded into the bindings (scripts/inline-snippets.mjs)');
  assert.equal(requested.filter((u) => u === 'matrices/microsoft-graph.json').length, 1, 'fetched early, once');
  for (const file of LAZY) assert.ok(!requested.includes(file), `${file} was fetched before it was needed`);
  assert.deepEqual(page.consoleLines.filter((line) => /preload/i.test(line)), []);

  // Until the full engine answers, a request that needs it is refused, not answered without its keys or document.
  assert.match(await page.evaluate(async () => {
    try { (await import('./engine.js')).diagnose({ input: 'abc', keys: '{}' }); return 'answered'; } catch (err) { return err.message; }
  }), /needs the full engine/);

  await page.click('#verify-box > summary');
  await page.waitForSelector('#verify-panel .verify-button');
  for (const file of ['panels.js', 'verify.js', 'live.js']) assert.ok(requested.includes(file), `${file} loads with the panel`);
  assert.ok(!requested.includes('compare.js') && !requested.includes('report-md.js'));
  assert.equal(requested.filter((u) => u === 'pkg/token_doctor_bg.wasm').length, 1, 'the full engine loads with the panel, once');
  assert.equal(requested.filter((u) => u === 'pkg/first/token_doctor_bg.wasm').length, 1);

  // The full engine now answers, with the matrix the first engine had installed: the sample is diagnosed the same.
  const before = await page.evaluate(() => document.querySelector('#verdict')?.textContent);
  const sample = await page.inputValue('#operation');
  await page.fill('#operation', '');
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict !== 'denied');
  await page.fill('#operation', sample);
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict === 'denied');
  assert.equal(await page.evaluate(() => document.querySelector('#verdict')?.textContent), before);
  assert.ok(await page.evaluate(async () => (await import('./engine.js')).fullEngineLoaded()));
  assert.equal(requested.filter((u) => u === 'matrices/microsoft-graph.json').length, 1, 'installed again from the bytes, not fetched again');

  await page.click('#report-preview > summary');
  await page.waitForFunction(() => document.querySelector('#report-md').value.startsWith('### Token Doctor'));
  assert.ok(requested.includes('report-md.js'));
  assertClean(page);
});

test('a matrix installed while the full engine loads is installed in it too; a document waits for the full engine', async () => {
  const page = await openPage(browser);
  const release = await holdRoute(page, '**/pkg/token_doctor_bg.wasm');
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict === 'denied');
  await page.click('#own-document > summary');
  await page.fill('#matrix-text', '{"openapi": "3.0.3"');
  await page.click('#matrix-use'); // needs the full engine, which is held
  await page.locator('#matrix-status', { hasText: 'Loading the document reader' }).waitFor();
  await page.selectOption('#platform', 'genesys-cloud'); // installed in the first engine meanwhile
  await page.locator('#platform-status', { hasText: /Genesys Cloud .*operations known/ }).waitFor();
  await page.fill('#matrix-text', '{"openapi": "3.0.3", "paths": {}}'); // edited while the reader loads
  release();
  await page.locator('#matrix-status', { hasText: 'Using the pasted document' }).waitFor();
  const engine = await page.evaluate(async () => {
    const e = await import('./engine.js');
    return { full: e.fullEngineLoaded(), installed: e.platforms().installed };
  });
  assert.equal(engine.full, true);
  for (const id of ['microsoft-graph', 'genesys-cloud']) assert.ok(engine.installed.includes(id), `${id} in ${engine.installed}`);
  // The document is the one in the field when the reader came: its problems are the edited text's, not the first's.
  assert.match(await page.textContent('#matrix-status'), /Using the pasted document \(33 characters/);
  assertClean(page);
});

test('a full engine that cannot be fetched: the panel and the document reader say so, and the next try loads it', async () => {
  const page = await openPage(browser);
  let fail = true;
  await page.route('**/pkg/token_doctor_bg.wasm', (route) => (fail ? route.abort() : route.continue()));
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict === 'denied');
  await page.click('#verify-box > summary');
  await page.locator('#verify-panel', { hasText: 'This panel could not be loaded' }).waitFor();
  await page.click('#own-document > summary');
  await page.fill('#matrix-text', '{"openapi": "3.0.3", "paths": {}}');
  await page.click('#matrix-use');
  await page.locator('#matrix-status', { hasText: 'The document reader could not be loaded' }).waitFor();
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'denied', 'the first engine still answers');

  fail = false; // the network is back: the same actions load the full engine
  await page.click('#matrix-use');
  await page.locator('#matrix-status', { hasText: 'Using the pasted document' }).waitFor();
  await page.click('#verify-box > summary'); // closes the box
  await page.click('#verify-box > summary'); // opens it again: the panel loads now
  await page.waitForSelector('#verify-panel .verify-button');
  // The failed fetches are the only console errors (the browser's own lines); the page reported them as text.
  const expected = (p) => /^console\.error: Failed to load resource: net::ERR_FAILED$/.test(p);
  assert.ok(page.problems.some(expected), page.problems.join('\n'));
  assert.deepEqual(page.problems.filter((p) => !expected(p)), []);
});

test('loadPlatform finds the built-in matrices next to the bindings (its snippet folded in), also below the root', async () => {
  // The page served from /sub/: a base computed from the wrong module would climb to /matrices/ and miss.
  const top = fs.mkdtempSync(path.join(os.tmpdir(), 'td-sub-'));
  fs.symlinkSync(WWW, path.join(top, 'sub'));
  const sub = await serve(top);
  try {
    const page = await openPage(browser);
    const requested = [];
    page.on('request', (req) => requested.push(req.url().replace(sub.url, '')));
    await page.goto(`${sub.url}sub/`);
    await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict);
    const loaded = await page.evaluate(async () => (await (await import('./engine.js')).fullEngine()).loadPlatform('nice-cxone'));
    assert.equal(loaded.id, 'nice-cxone');
    assert.ok(loaded.operations > 0, JSON.stringify(loaded));
    assert.ok(requested.includes('sub/matrices/nice-cxone.json'), requested.join(' '));
    assertClean(page);
  } finally {
    sub.server.close();
    fs.rmSync(top, { recursive: true, force: true });
  }
});

test('a slow engine: the UI shows without a diagnosis ("Loading the engine"), then the verdict', async () => {
  const page = await openPage(browser);
  const release = await holdRoute(page, '**/pkg/first/token_doctor_bg.wasm');
  await page.goto(url);
  await page.locator('#verdict-label', { hasText: 'Loading the engine' }).waitFor();
  assert.equal(await page.textContent('#verdict'), '', 'no verdict before the engine');
  release();
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict === 'denied');
  assertClean(page);
});

test('an engine that cannot load: the page says so', async () => {
  const page = await openPage(browser);
  await page.route('**/pkg/first/token_doctor_bg.wasm', (route) => route.abort());
  await page.goto(url);
  await page.locator('#verdict', { hasText: 'The engine could not start' }).waitFor();
  assert.equal(await page.textContent('#verdict-label'), '! Error');
});

/**
 * Records every diagnosis `#verdict` shows, in order (an init script: it runs before the page's modules): its
 * verdict and text, once per change of either. The skeleton's `#verdict` has no text: it is not a verdict.
 */
const RECORD_VERDICTS = () => {
  window.__verdicts = [];
  let last = '';
  new MutationObserver(() => {
    const el = document.getElementById('verdict');
    const v = el?.dataset.verdict;
    const text = el?.textContent.trim();
    if (!v || !text || `${v} ${text}` === last) return;
    last = `${v} ${text}`;
    window.__verdicts.push(v);
  }).observe(document, { subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ['data-verdict'] });
};

test('the first verdict shown is the sample\'s own: diagnosed with its matrix, no "unknown" while it loads', async () => {
  const page = await openPage(browser);
  await page.addInitScript(RECORD_VERDICTS);
  // The engine is held until the matrix has arrived, so that a busy machine cannot make the matrix later than the
  // 1.5 s the first diagnosis waits for it (that path is the next test).
  let arrived;
  const matrixArrived = new Promise((resolve) => { arrived = resolve; });
  page.on('requestfinished', (req) => { if (req.url().endsWith('/matrices/microsoft-graph.json')) arrived(); });
  await page.route('**/pkg/first/token_doctor_bg.wasm', async (route) => { await matrixArrived; await route.continue(); });
  await page.goto(url);
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict);
  await page.waitForLoadState('networkidle');
  assert.deepEqual(await page.evaluate(() => window.__verdicts), ['denied']);
  assert.match(await page.textContent('#platform-line'), /Microsoft Graph .*operations known/);
  assertClean(page);
});

test('a matrix slower than the first diagnosis waits for: the token is diagnosed without it, then again with it', async () => {
  const page = await openPage(browser);
  await page.addInitScript(RECORD_VERDICTS);
  const release = await holdRoute(page, '**/matrices/microsoft-graph.json');
  await page.goto(url);
  await page.locator('#verdict-label', { hasText: 'Loading the Microsoft Graph permission matrix' }).waitFor();
  await page.locator('#platform-line', { hasText: 'Loading the Microsoft Graph permission matrix' }).waitFor({ timeout: 10000 });
  assert.equal(await page.getAttribute('#verdict', 'data-verdict'), 'unknown');
  assert.match(await page.textContent('#verdict'), /not loaded yet/);
  release();
  await page.waitForFunction(() => document.querySelector('#verdict')?.dataset.verdict === 'denied');
  assert.deepEqual(await page.evaluate(() => window.__verdicts), ['unknown', 'denied']);
  assertClean(page);
});
