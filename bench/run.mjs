// `make bench`: measures Token Doctor against its budgets (issue 8) and prints one table; writes every figure to
// target/bench/results.json. Needs the release page in www/pkg/ (`make build`). It is a measurement, not a test:
// it prints PASS/FAIL per budget and exits 0.
//
// Usage: node bench/run.mjs [size] [node] [native] [cold]   (default: all sections)
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { pathToFileURL } from 'node:url';
import { fmtKB, fmtRatio, fmtSummary, fmtTime } from './lib.mjs';
import { ROOT, FIRST_PKG, instance, installAll, decodeLatency, diagnoseWithOperation, lookupThroughApi, openapiImport } from './node.mjs';
import { sizes } from './size.mjs';
import { coldStart, blankBaseline, filesBaseline, chromiumVersion } from './coldstart.mjs';

const KB = 1024;
const BUDGET = {
  firstDownloadGzip: 150 * KB,
  matrixGzip: 100 * KB,
  diagnoseOverJose: 1.5,
  importOverParse: 1.5,
  importMemoryOverText: 3,
  graphMatchUs: 2,
  coldStartMs: 100,
};

const wanted = new Set(process.argv.slice(2));
const want = (s) => wanted.size === 0 || wanted.has(s);
const log = (...a) => console.error('[bench]', ...a);

function machine() {
  const cpuinfo = fs.existsSync('/proc/cpuinfo') ? fs.readFileSync('/proc/cpuinfo', 'utf8') : '';
  return {
    date: new Date().toISOString(),
    nproc: os.availableParallelism?.() ?? os.cpus().length,
    cpu: /^model name\s*:\s*(.*)$/m.exec(cpuinfo)?.[1] ?? os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    loadavg: os.loadavg().map((x) => Number(x.toFixed(2))),
    wasmBytes: fs.statSync(path.join(ROOT, 'www', 'pkg', 'token_doctor_bg.wasm')).size,
    firstWasmBytes: fs.statSync(path.join(ROOT, 'www', 'pkg', 'first', 'token_doctor_bg.wasm')).size,
  };
}

/**
 * Runs the lookup benchmark (examples/bench_match.rs) on the Graph and Genesys matrices: `native` (x86-64) or
 * `wasm` (built for wasm32-wasip1, run in Node's V8 through WASI: the engine and code generation the page gets).
 */
function rustLookup(kind) {
  const files = ['microsoft-graph', 'genesys-cloud'].map((id) => `www/matrices/${id}.json`);
  const target = kind === 'wasm' ? ['--target', 'wasm32-wasip1'] : [];
  const build = spawnSync('cargo', ['build', '--release', '--quiet', '--example', 'bench_match', ...target], {
    cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24,
  });
  if (build.status !== 0) return { error: (build.stderr || '').trim().split('\n').slice(-3).join(' ') || `cargo exit ${build.status}` };
  const dir = path.join(ROOT, 'target', ...(kind === 'wasm' ? ['wasm32-wasip1'] : []), 'release', 'examples');
  const r = kind === 'wasm'
    ? spawnSync(process.execPath, ['--no-warnings', 'bench/wasi.mjs', path.join(dir, 'bench_match.wasm'), ...files], { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 })
    : spawnSync(path.join(dir, 'bench_match'), files, { cwd: ROOT, encoding: 'utf8', maxBuffer: 1 << 24 });
  const lines = (r.stdout || '').split('\n').filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  if (!lines.length) return { error: (r.stderr || '').trim().split('\n').slice(-5).join(' ') || `exit ${r.status}` };
  return Object.fromEntries(lines.map((l) => [l.platform ?? path.basename(l.file, '.json'), l]));
}

const rows = [];
const row = (what, figure, comparison = '', budget = '', pass = null) =>
  rows.push({ what, figure, comparison, budget, result: pass === null ? '' : pass ? 'PASS' : 'FAIL' });

const results = { machine: machine(), budgets: BUDGET };

if (want('size')) {
  log('sizes');
  const s = sizes(ROOT);
  results.size = s;
  const t = s.firstDownload.total;
  const name = (f) => f.file.split(path.sep).join('/').replace(/^www\//, '');
  const fullWasm = s.later.files.find((f) => name(f) === 'pkg/token_doctor_bg.wasm');
  row(
    `first download (${s.firstDownload.files.length} files: ${s.firstDownload.files.map(name).join(', ')}; `
      + `not counted, loaded by dynamic import() when first used: ${s.later.files.map(name).join(', ') || 'none'}, gzip ${fmtKB(s.later.total.gzip)})`,
    `gzip ${fmtKB(t.gzip)}, brotli ${fmtKB(t.brotli)} (raw ${fmtKB(t.raw)})`,
    `wasm gzip ${fmtKB(s.firstDownload.files.find((f) => f.file.endsWith('.wasm'))?.gzip ?? 0)}`
      + (fullWasm ? ` (the full engine's, loaded when first needed: ${fmtKB(fullWasm.gzip)})` : '')
      + (s.firstDownload.data.files.length
        ? `; also preloaded, for the sample's first verdict: ${s.firstDownload.data.files.map(name).join(', ')}, gzip ${fmtKB(s.firstDownload.data.total.gzip)} (with it: gzip ${fmtKB(t.gzip + s.firstDownload.data.total.gzip)})`
        : ''),
    `gzip ≤ ${fmtKB(BUDGET.firstDownloadGzip)}`,
    t.gzip <= BUDGET.firstDownloadGzip,
  );
  for (const m of s.matrices) {
    row(`matrix ${path.basename(m.file)}`, `gzip ${fmtKB(m.gzip)}, brotli ${fmtKB(m.brotli)} (raw ${fmtKB(m.raw)})`, '',
      `gzip ≤ ${fmtKB(BUDGET.matrixGzip)}`, m.gzip <= BUDGET.matrixGzip);
  }
  if (s.singleFile) {
    row('single file dist/token-doctor.html', `gzip ${fmtKB(s.singleFile.gzip)}, brotli ${fmtKB(s.singleFile.brotli)} (raw ${fmtKB(s.singleFile.raw)})`);
  } else {
    row('single file dist/token-doctor.html', 'not built (no `make dist` yet)');
  }
}

if (want('node')) {
  const { api } = await instance('main');
  log('installing the built-in matrices');
  results.install = installAll(api);
  for (const [id, r] of Object.entries(results.install)) {
    row(`installPlatform(${id})`, r.ok ? `${r.operations} operations, ${r.ms.toFixed(1)} ms (first call)` : `failed: ${r.error}`);
  }

  log('1. diagnose({input}) vs jose and jwt-decode');
  const { api: first } = await instance('first', FIRST_PKG);
  results.decode = decodeLatency(api, { first });
  const jwtRows = results.decode.filter((d) => d.jwt);
  const worst = jwtRows.reduce((w, d) => (d.ratios['diagnose / jose'].median > (w?.ratios['diagnose / jose'].median ?? -1) ? d : w), null);
  for (const d of results.decode) {
    const over = d.ratios['diagnose / jose'];
    row(
      `diagnose({input}) ${d.name}, ${d.bytes} B`,
      fmtSummary(d.times.diagnose),
      `jose ${fmtTime(d.times.jose.median)}, jwt-decode ${fmtTime(d.times['jwt-decode'].median)}; ÷jose ${fmtRatio(over)}, ÷jwt-decode ${fmtRatio(d.ratios['diagnose / jwt-decode'])}; the page's first engine ÷ this ${fmtRatio(d.ratios['first engine / diagnose'])}`,
      d.jwt ? `≤ ${BUDGET.diagnoseOverJose}× jose` : '(peers throw)',
      d.jwt ? over.median <= BUDGET.diagnoseOverJose : null,
    );
  }
  results.decodeBudget = { worst: worst?.name, ratio: worst?.ratios['diagnose / jose'].median };

  log('1b. diagnose({input, operation}) with the matrices installed');
  results.withOperation = diagnoseWithOperation(api);
  for (const d of results.withOperation) {
    row(`diagnose({input, operation}) ${d.name}${d.matched ? '' : ' (NOT matched)'}`, fmtSummary(d.times['with operation']),
      `÷ input only ${fmtRatio(d.ratios['with operation / input only'])}`);
  }

  log('3. matrix lookup through the JS API');
  results.lookupApi = lookupThroughApi(api);
  for (const [id, r] of Object.entries(results.lookupApi)) {
    if (r.skipped) {
      row(`diagnose with operation over all ${id} operations`, `skipped: ${r.skipped}`);
      continue;
    }
    const t = r.times['diagnose with operation'];
    row(
      `diagnose with operation over all ${id} operations (${r.matched}/${r.operations} matched)`,
      `${fmtSummary(t)} → ${Math.round(r.perSecond)}/s`,
      `÷ input only ${fmtRatio(r.ratios['diagnose with operation / diagnose input only'])}`,
    );
  }

  log('2. OpenAPI import vs JSON.parse (fresh instances)');
  results.import = await openapiImport();
  const im = results.import;
  if (im.skipped) {
    row('OpenAPI import of the 4.2 MB Swagger document', `skipped: ${im.skipped}`);
  } else {
    const parse = `JSON.parse ${fmtSummary(im.times['JSON.parse'])}`;
    const memRow = (label, mem, budgeted) => {
      const factor = mem.growth / im.textBytes;
      row(`wasm memory during ${label} (fresh instance)`, `${fmtKB(mem.before)} → ${fmtKB(mem.after)}: +${fmtKB(mem.growth)}`,
        `${factor.toFixed(2)}× the text`, budgeted ? `≤ ${BUDGET.importMemoryOverText}× text` : '',
        budgeted ? factor <= BUDGET.importMemoryOverText : null);
    };
    if (im.importMatrix) {
      const ratio = im.ratios['importMatrix / JSON.parse'];
      row(`importMatrix(text), ${fmtKB(im.textBytes)} Swagger → ${im.importMatrix.operations} operations, ${im.importMatrix.problems} problems`,
        fmtSummary(im.times.importMatrix), `${parse}; ÷ ${fmtRatio(ratio)}`, `≤ ${BUDGET.importOverParse}× JSON.parse`,
        ratio.median <= BUDGET.importOverParse);
      memRow('importMatrix', im.importMatrix.memory, true);
    }
    const unmatched = im.diagnose.matched ? '' : ' (operation NOT matched)';
    for (const [label, key] of [['a new document each call', 'diagnose, new document'], ['the same document again (kept by the boundary)', 'diagnose, same document again']]) {
      const ratio = im.ratios[`${key} / JSON.parse`];
      row(`diagnose({input, operation, matrix: text}), ${label}${unmatched}`,
        fmtSummary(im.times[key]), `${parse}; ÷ ${fmtRatio(ratio)}`, '', null);
    }
    memRow('diagnose with the document', im.diagnose.memory, !im.importMatrix);
  }
}

if (want('native')) {
  results.lookup = {};
  for (const kind of ['wasm', 'native']) {
    log(`3. matrix lookup, ${kind} (examples/bench_match.rs)`);
    const res = rustLookup(kind);
    results.lookup[kind] = res;
    // The budget is judged on the wasm figure (what the page runs); native only when wasm could not run.
    const judged = kind === 'wasm' || results.lookup.wasm?.error;
    if (res.error) {
      row(`one operation match, ${kind}`, `failed: ${res.error}`);
      continue;
    }
    for (const [id, r] of Object.entries(res)) {
      if (r.error) {
        row(`one operation match, ${kind}, ${id}`, `failed: ${r.error}`);
        continue;
      }
      const us = r.lookupNs.median / 1000;
      const budgeted = judged && id === 'microsoft-graph';
      row(
        `one operation match, ${kind === 'wasm' ? 'wasm (V8 via WASI)' : 'native x86-64'}, ${id} (${r.matched}/${r.operations} matched)`,
        fmtSummary({ median: us, p25: r.lookupNs.p25 / 1000, p75: r.lookupNs.p75 / 1000 }),
        `${Math.round(r.perSecond).toLocaleString('en')} matches/s`,
        budgeted ? `≤ ${BUDGET.graphMatchUs} µs` : '',
        budgeted ? us <= BUDGET.graphMatchUs : null,
      );
    }
  }
}

if (want('cold')) {
  log('4. cold start in headless Chromium (10 loads)');
  const fmtMs = (s) => `${s.median.toFixed(1)} ms [${s.p25.toFixed(1)}–${s.p75.toFixed(1)}]`;
  // The verdict the page must settle on: the sample diagnosed by the engine itself, with the built-ins installed.
  const { api } = await instance('cold');
  installAll(api);
  const sample = await import(pathToFileURL(path.join(ROOT, 'www', 'sample.js')).href);
  const now = Math.floor(Date.now() / 1000);
  const expected = api.diagnose({ input: sample.sampleToken(now), operation: sample.SAMPLE_OPERATION, now }).verdict;
  /** What the loads settled on, when it is not the sample's verdict (then the figure times something else). */
  const wrong = (c) => c.settledVerdicts.filter((v) => v !== expected);
  /** What the loads showed: a wrong settled verdict, interim verdicts (with `detail`), or neither. */
  const shown = (c, detail = '') => `${wrong(c).length ? `WRONG: the page settled on ${wrong(c).join(', ')}; ` : ''}${c.interim ? `an interim verdict showed first in ${c.interim} of ${c.loads} loads${detail}` : 'the first verdict shown was this one in every load'}`;
  try {
    results.machine.chromium = await chromiumVersion();
    results.coldStart = await coldStart({ openPanel: true });
    const c = results.coldStart;
    row(
      `cold start to the sample's verdict "${expected}" (${c.loads} loads, new context each)`,
      fmtMs(c.toSettledVerdict),
      `${shown(c, ` (first verdict ${fmtMs(c.toVerdict)}; last load ${c.lastLoadChanges.join(' → ')})`)}; last JS module fetched ${fmtMs(c.lastModuleFetched)}, wasm fetched ${fmtMs(c.wasmFetched)}${c.matrixFetched ? `, matrix fetched ${fmtMs(c.matrixFetched)}` : ''}, load event ${fmtMs(c.toLoadEvent)}; fetched ${c.fetched.length} files: ${c.fetched.map((f) => f.url || '/').join(', ')}`,
      `≤ ${BUDGET.coldStartMs} ms`,
      !wrong(c).length && c.toSettledVerdict.median <= BUDGET.coldStartMs,
    );
    if (c.errors.length) row('page errors during cold start', c.errors.join(' | '));
    if (c.panelOpened) {
      row('then the first opening of the Verify signature box, click to panel (loads the full engine)', fmtMs(c.panelOpened));
    }
    results.coldStartBlank = await blankBaseline();
    row('cold start of a blank page (one module sets the verdict): the floor here', fmtMs(results.coldStartBlank.toVerdict));
    results.coldStartFiles = await filesBaseline(c.fetched.map((f) => f.url));
    row(
      `cold start of a page that fetches the same ${results.coldStartFiles.files} files at once and runs none of them (one module sets the verdict when all have arrived)`,
      fmtMs(results.coldStartFiles.toVerdict),
    );
  } catch (e) {
    results.coldStart = { error: String(e?.message ?? e) };
    row('cold start', `failed: ${String(e?.message ?? e).split('\n')[0]}`, '', `≤ ${BUDGET.coldStartMs} ms`, false);
  }
  // Not a budget: what a reader on a slow connection waits for, where the bytes of the first download count.
  const link = { mbit: 10, latencyMs: 40 };
  try {
    const slow = await coldStart({ loads: 5, link, openPanel: true });
    results.coldStartSlowLink = { link, ...slow };
    row(
      `cold start to the sample's verdict "${expected}" over an emulated ${link.mbit} Mbit/s link with ${link.latencyMs} ms latency, files gzip-compressed (${slow.loads} loads)`,
      fmtMs(slow.toSettledVerdict),
      `${shown(slow)}; wasm fetched ${fmtMs(slow.wasmFetched)}${slow.matrixFetched ? `, matrix fetched ${fmtMs(slow.matrixFetched)}` : ''}`,
    );
    if (slow.errors.length) row('page errors during the slow-link cold start', slow.errors.join(' | '));
    if (slow.panelOpened) {
      row(`then the first opening of the Verify signature box over the same link (loads the full engine)`, fmtMs(slow.panelOpened));
    }
  } catch (e) {
    results.coldStartSlowLink = { link, error: String(e?.message ?? e) };
    row('cold start over the emulated slow link', `failed: ${String(e?.message ?? e).split('\n')[0]}`);
  }
}

results.table = rows;
const cell = (s) => String(s).replaceAll('|', '\\|');
const lines = [
  '| what | median [p25–p75] or size | comparison (same process, alternating) | budget | result |',
  '|---|---|---|---|---|',
  ...rows.map((r) => `| ${cell(r.what)} | ${cell(r.figure)} | ${cell(r.comparison)} | ${cell(r.budget)} | ${r.result} |`),
];
const m = results.machine;
console.log(`Token Doctor benchmark, ${m.date}: ${m.nproc} × ${m.cpu}, Node ${m.node}${m.chromium ? `, Chromium ${m.chromium}` : ''}, load ${m.loadavg.join(' ')}`);
console.log(lines.join('\n'));
const out = path.join(ROOT, 'target', 'bench');
fs.mkdirSync(out, { recursive: true });
fs.writeFileSync(path.join(out, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
fs.writeFileSync(path.join(out, 'table.md'), `${lines.join('\n')}\n`);
log(`wrote ${path.relative(ROOT, path.join(out, 'results.json'))}`);
