// Cold start in headless Chromium: from navigation to `#verdict` showing the sample token's verdict, each load in
// a new browser context (empty HTTP cache). The page sets `data-verdict` on `#verdict` when it renders the first
// diagnosis (www/app.js, render()); an init script records performance.now() (ms since navigation start) at the
// first script-made change of that attribute. Also lists every file the page fetched before the verdict.
import { launch, serve } from '../tests/e2e/harness.mjs';
import { summary } from './lib.mjs';

const OBSERVER = `(() => {
  const mark = () => {
    if (window.__tdVerdictAt !== undefined) return;
    const v = document.getElementById('verdict');
    window.__tdVerdictAt = performance.now();
    window.__tdVerdict = v ? v.dataset.verdict : undefined;
  };
  new MutationObserver((records) => {
    for (const r of records) {
      if (r.type === 'attributes' && r.target.id === 'verdict') { mark(); return; }
    }
  }).observe(document, { subtree: true, attributes: true, attributeFilter: ['data-verdict'] });
})();`;

/** Loads the page `loads` times, each in a fresh context; returns the figures (ms). */
export async function coldStart({ loads = 10, timeoutMs = 15000 } = {}) {
  const browser = await launch();
  const { server, url } = await serve();
  const samples = [];
  const navToLoad = [];
  const wall = [];
  const errors = [];
  let fetched = [];
  let verdict;
  try {
    // One unmeasured load first: the browser process itself starts cold once, not per page.
    for (let i = 0; i <= loads; i++) {
      const context = await browser.newContext();
      const page = await context.newPage();
      const requests = [];
      page.on('requestfinished', async (req) => {
        const sizes = await req.sizes().catch(() => null);
        requests.push({ url: req.url().replace(url, ''), bytes: sizes?.responseBodySize ?? 0 });
      });
      page.on('pageerror', (e) => errors.push(e.message));
      page.on('console', (m) => { if (m.type() === 'error') errors.push(m.text()); });
      await page.addInitScript(OBSERVER);
      const t0 = Date.now();
      await page.goto(url);
      await page.waitForFunction(() => window.__tdVerdictAt !== undefined, null, { timeout: timeoutMs });
      const w = Date.now() - t0;
      const at = await page.evaluate(() => ({
        verdictAt: window.__tdVerdictAt,
        verdict: window.__tdVerdict,
        load: performance.getEntriesByType('navigation')[0]?.loadEventEnd,
      }));
      if (i > 0) {
        samples.push(at.verdictAt);
        navToLoad.push(at.load);
        wall.push(w);
      }
      verdict = at.verdict;
      fetched = requests;
      await context.close();
    }
  } finally {
    await browser.close();
    server.close();
  }
  return {
    loads, verdict, toVerdict: summary(samples), toLoadEvent: summary(navToLoad.filter((x) => x > 0)),
    wallFromGoto: summary(wall), samples, fetched, errors: [...new Set(errors)].slice(0, 5),
  };
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
