// Cold start in headless Chromium: from navigation to `#verdict` showing the sample token's verdict, each load in
// a new browser context (empty HTTP cache). The page renders a diagnosis by setting `data-verdict` and the
// sentence on `#verdict` (www/render.js); the first diagnosis may be rendered before the UI enters the document
// (www/mount.js). An init script records performance.now() (ms since navigation start) each time the document
// holds a `#verdict` with a new `data-verdict` and a text: on a change of the attribute or on the insertion, and
// reports the first through a CDP binding (nothing of the harness runs in the page before the verdict).
// The figure is the moment the verdict the page settles on first shows (for the sample: "denied", which needs the
// Microsoft Graph matrix); a load that showed another verdict before it is counted as an interim verdict.
// Also lists every file the page fetched. With `openPanel`, each load then opens the Verify signature box and times,
// in the page, the click to the panel's button: that first opening loads the full engine (README, "Two engines").
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { launch, serve } from '../tests/e2e/harness.mjs';
import { summary } from './lib.mjs';

const OBSERVER = `(() => {
  window.__tdChanges = [];
  new MutationObserver(() => {
    const el = document.getElementById('verdict');
    if (!el || !el.dataset.verdict || !el.textContent.trim()) return;
    const at = performance.now();
    const verdict = el.dataset.verdict;
    if (window.__tdVerdictAt === undefined) { window.__tdVerdictAt = at; window.__tdVerdict = verdict; window.__tdVerdictShown(''); }
    const last = window.__tdChanges[window.__tdChanges.length - 1];
    if (!last || last.verdict !== verdict) window.__tdChanges.push({ at, verdict });
  }).observe(document, { subtree: true, childList: true, attributes: true, attributeFilter: ['data-verdict'] });
})();`;

/**
 * Loads the page `loads` times, each in a fresh context; returns the figures (ms). `dir`: what to serve. `link`:
 * `{ mbit, latencyMs }`, a slow link emulated by Chromium (DevTools network conditions) with the files served
 * gzip-compressed, as a web server would.
 */
export async function coldStart({ loads = 10, timeoutMs = 15000, dir, link = null, openPanel = false } = {}) {
  const browser = await launch();
  const { server, url } = await serve(dir, { gzip: Boolean(link) });
  const samples = [];
  const navToLoad = [];
  const wall = [];
  const settled = [];
  const lastJs = [];
  const wasmEnd = [];
  const matrixEnd = [];
  const finals = [];
  const panel = [];
  let interim = 0;
  let changes = [];
  const errors = [];
  let fetched = [];
  let verdict;
  try {
    // One unmeasured load first: the browser process itself starts cold once, not per page.
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const cdp = await context.newCDPSession(page);
      // The first verdict is reported through a CDP binding: waiting with page.waitForFunction would have
      // Playwright evaluate its own script in the page while it starts (about 12 ms of main thread, counted in
      // the figure before this change).
      await cdp.send('Runtime.enable');
      await cdp.send('Runtime.addBinding', { name: '__tdVerdictShown' });
      const shown = new Promise((resolve) => cdp.on('Runtime.bindingCalled', (e) => { if (e.name === '__tdVerdictShown') resolve(); }));
      if (link) {
        await cdp.send('Network.enable');
        const bytesPerSecond = (link.mbit * 1e6) / 8;
        await cdp.send('Network.emulateNetworkConditions', {
          offline: false, latency: link.latencyMs, downloadThroughput: bytesPerSecond, uploadThroughput: bytesPerSecond,
        });
      }
      const requests = [];
      // Names only: asking the sizes (req.sizes()) sends DevTools commands while the page loads, and the
      // machine has two cores (about 25 ms later verdicts than the same loads without it).
      page.on('requestfinished', (req) => { requests.push({ url: req.url().replace(url, '') }); });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.addInitScript(OBSERVER);
      const t0 = Date.now();
      await page.goto(url);
      let timer;
      const late = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`no verdict within ${timeoutMs} ms`)), timeoutMs); });
      await Promise.race([shown, late]).finally(() => clearTimeout(timer));
      const w = Date.now() - t0;
      // Then let the page settle (a matrix it loads for the sample operation may change the verdict).
      await page.waitForLoadState('networkidle').catch(() => {});
      const at = await page.evaluate(() => {
        /** When the last file whose URL matches `re` arrived (0: none was fetched). */
        const arrived = (re) => Math.max(0, ...performance.getEntriesByType('resource').filter((e) => re.test(e.name)).map((e) => e.responseEnd));
        return {
          verdictAt: window.__tdVerdictAt,
          verdict: window.__tdVerdict,
          changes: window.__tdChanges,
          load: performance.getEntriesByType('navigation')[0]?.loadEventEnd,
          js: arrived(/\.m?js$/),
          wasm: arrived(/\.wasm$/),
          matrix: arrived(/\/matrices\//),
        };
      });
      const firstFiles = [...requests]; // what the load fetched, before the panel below adds the full engine
      // The first opening of the Verify signature box: the full engine loads (fetched, compiled, matrices installed).
      const panelMs = openPanel ? await page.evaluate(() => new Promise((resolve) => {
        const t0 = performance.now();
        const ready = () => document.querySelector('#verify-panel .verify-button');
        new MutationObserver((_, observer) => {
          if (ready()) { observer.disconnect(); resolve(performance.now() - t0); }
        }).observe(document, { subtree: true, childList: true });
        document.querySelector('#verify-box > summary').click();
      })) : null;
      // The verdict the load settled on: its last change.
      const final = at.changes[at.changes.length - 1] ?? { at: at.verdictAt, verdict: at.verdict };
      if (i > 0) {
        samples.push(at.verdictAt);
        settled.push(final.at);
        navToLoad.push(at.load);
        lastJs.push(at.js);
        wasmEnd.push(at.wasm);
        if (at.matrix > 0) matrixEnd.push(at.matrix);
        if (at.changes.length > 1) interim += 1;
        finals.push(final.verdict);
        wall.push(w);
        if (panelMs !== null) panel.push(panelMs);
      }
      verdict = final.verdict;
      changes = at.changes.map((c) => `${c.verdict}@${c.at.toFixed(0)}ms`);
      fetched = firstFiles;
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  return {
    loads, verdict, settledVerdicts: [...new Set(finals)], toVerdict: summary(samples), toSettledVerdict: summary(settled), lastLoadChanges: changes, toLoadEvent: summary(navToLoad.filter((x) => x > 0)),
    lastModuleFetched: summary(lastJs), wasmFetched: summary(wasmEnd), matrixFetched: matrixEnd.length ? summary(matrixEnd) : null, interim,
    wallFromGoto: summary(wall), samples, fetched, errors: [...new Set(errors)].slice(0, 5),
    panelOpened: panel.length ? summary(panel) : null,
  };
}

/** The floor of this machine and browser: a page whose one module sets the verdict, measured the same way. */
export async function blankBaseline({ loads = 10 } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bench-blank-'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><meta charset="utf-8"><title>blank</title><p id="verdict"></p><script type="module" src="m.js"></script>');
  fs.writeFileSync(path.join(dir, 'm.js'), "const v = document.getElementById('verdict');\nv.dataset.verdict = 'blank';\nv.textContent = 'blank';\n");
  try {
    return await coldStart({ loads, dir });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The floor of the files themselves: a page that asks for the same files as the real page's load (`files`: paths
 * under `dir`, default www/, copied as they are) at once with `<link rel="preload" as="fetch">`, runs none of them,
 * and whose one module sets the verdict when every one has arrived (Resource Timing). What is left of the real
 * page's figure above this one is its own work: running the modules, compiling the wasm, the install, the diagnosis.
 */
export async function filesBaseline(files, { loads = 10, dir = path.join(path.dirname(new URL(import.meta.url).pathname), '..', 'www') } = {}) {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'td-bench-files-'));
  const wanted = files.filter((f) => f && !f.endsWith('/') && !f.includes('?'));
  for (const f of wanted) {
    fs.mkdirSync(path.dirname(path.join(tmp, f)), { recursive: true });
    fs.copyFileSync(path.join(dir, f), path.join(tmp, f));
  }
  const links = wanted.map((f) => `<link rel="preload" href="${f}" as="fetch" crossorigin>`).join('\n');
  fs.writeFileSync(path.join(tmp, 'index.html'), `<!doctype html><meta charset="utf-8"><title>files</title>\n${links}\n<p id="verdict"></p><script type="module" src="floor-m.js"></script>`);
  fs.writeFileSync(path.join(tmp, 'floor-m.js'), `const want = new Set(${JSON.stringify(wanted)});
const seen = new Set();
const check = (entries) => {
  for (const e of entries) {
    const name = new URL(e.name).pathname.slice(1);
    if (want.has(name) && e.responseEnd > 0) seen.add(name);
  }
  if (seen.size === want.size) {
    const v = document.getElementById('verdict');
    if (!v.dataset.verdict) { v.dataset.verdict = 'files'; v.textContent = 'files'; }
  }
};
new PerformanceObserver((list) => check(list.getEntries())).observe({ type: 'resource', buffered: true });
`);
  try {
    return { files: wanted.length, ...(await coldStart({ loads, dir: tmp })) };
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** The Chromium version (for the README's machine line). */
export async function chromiumVersion() {
  const browser = await launch();
  try {
    return browser.version();
  } finally {
    await browser.close();
  }
}
