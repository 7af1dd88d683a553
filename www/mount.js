// One Token Doctor instance: builds the UI into a container (the page's #app, or a <token-doctor> shadow root),
// diagnoses as the user types, loads platform matrices on demand, and copies redacted reports. Nothing is
// written to storage, cookies, the URL or the console; nothing is fetched except the page's own files.
import { diagnose, installPlatform, operations as engineOperations, platforms, lastPanic, tokenOf, engineReady as startEngine, fullEngine, fullEngineLoaded } from './engine.js';
import { matrixBytes, inlined } from './assets.js';
import { buildUi } from './ui.js';
import { setText } from './dom.js';
import { renderReport, loadCompare } from './render.js';
import { countdown } from './format.js';
import { attachCombobox } from './combobox.js';
import { sampleToken, SAMPLE_OPERATION, SAMPLE_PLATFORM } from './sample.js';

// Loaded when first needed, so not part of the first download: the Markdown report (Copy report, its preview)
// and the verify and live panels (when their box is first opened). panels.js imports verify.js and live.js:
// all three are asked for at once rather than one after the other.
const loadReportMd = () => import('./report-md.js');
const loadPanels = () => Promise.all([import('./panels.js'), import('./verify.js'), import('./live.js')]).then(([m]) => m);

const DEBOUNCE_MS = 150;
/** How long a new instance waits for the engine before it shows its UI without a diagnosis ("Loading the engine…"). */
const SKELETON_MS = 100;
/**
 * How long, once the engine is ready, the first diagnosis waits for the matrix it needs (the sample's, or the
 * `platform` option's) before it is shown without it ("Loading the … permission matrix", then diagnosed again).
 */
const FIRST_MATRIX_WAIT_MS = 1500;
/** The largest document the engine reads (`MAX_MATRIX_BYTES` in src/limits.rs; tests/e2e/limits.test.mjs checks that the two agree): a larger file is not even read. */
const MAX_DOCUMENT_BYTES = 32 * 1024 * 1024;
const NAMES = { 'genesys-cloud': 'Genesys Cloud', 'microsoft-graph': 'Microsoft Graph', 'nice-cxone': 'NICE CXone' };
const METHODS = ['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace'];
/** The fields a paste, its call and its answers are typed into (Clear everything empties them). */
const PASTED = ['input', 'operation', 'response', 'previous'];

const fetched = new Map(); // id -> Promise<Uint8Array>, the matrix file (fetched early when the first diagnosis needs it)
const matrices = new Map(); // id -> Promise<{ id, name, count, operations }>
const loaded = new Map(); // id -> the resolved value, for synchronous completion

const opList = (ops, bases = []) => (Array.isArray(ops) ? ops : [])
  .filter((o) => o && typeof o.method === 'string' && typeof o.path === 'string')
  .map((o) => ({ method: o.method.toUpperCase(), path: o.path, summary: typeof o.summary === 'string' ? o.summary : '', bases }));

/**
 * Fetches (or reads inline) built-in matrix `id` and installs it in the engine. Resolves to `{ id, name, count,
 * operations }` as soon as it is installed: the diagnosis needs nothing more. The platform's name, base paths and
 * operation list (for completion) are read the first time `name` or `operations` is asked for, or when the
 * browser is idle: for Microsoft Graph that is a JSON.parse of half a megabyte and 11,000 operations from the
 * engine, kept off the way to the verdict.
 */
export function loadMatrix(id, { beforePaint = false } = {}) {
  if (!matrices.has(id)) {
    matrices.set(id, (async () => {
      // The diagnosis that asked for the matrix is painted before the engine spends time installing it; the first
      // diagnosis of an instance waits for its matrix instead (beforePaint), so that its first verdict is the real one.
      const painted = beforePaint ? null : afterPaint();
      let bytes = await fetchMatrix(id);
      await painted;
      const installed = installPlatform(id, bytes);
      fetched.delete(id); // installed: the bytes are kept only until the details below are read
      let details = null;
      const read = () => {
        if (!details) {
          try {
            const platform = JSON.parse(new TextDecoder().decode(bytes))?.platform ?? {};
            const bases = Array.isArray(platform.basePaths) ? platform.basePaths.filter((b) => typeof b === 'string') : [];
            details = { name: platform.name || NAMES[id] || id, operations: opList(engineOperations(id), bases) };
          } catch {
            details = { name: NAMES[id] ?? id, operations: [] }; // installed all the same: only completion goes without
          }
          bytes = null;
        }
        return details;
      };
      const info = {
        id,
        count: Number.isFinite(installed?.operations) ? installed.operations : null,
        get name() { return read().name; },
        get operations() { return read().operations; },
      };
      loaded.set(id, info);
      whenIdle(read);
      return info;
    })());
  }
  return matrices.get(id);
}

/** Starts fetching built-in matrix `id` (or reads it inline) without installing it; its bytes, once. */
export function fetchMatrix(id) {
  if (!fetched.has(id)) {
    const bytes = matrixBytes(id);
    fetched.set(id, bytes);
    bytes.catch(() => fetched.delete(id)); // asking again retries
  }
  return fetched.get(id);
}

/** Resolves once the browser has had the chance to paint (at the latest after 100 ms: a hidden page does not paint). */
function afterPaint() {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 100);
    requestAnimationFrame(() => setTimeout(() => { clearTimeout(timer); resolve(); }, 0));
  });
}

/** A size for the user: "33,554,433 bytes (32.0 MiB)"; a whole number of MiB as "32 MiB (33,554,432 bytes)". */
function bytes(n) {
  const mib = n / (1024 * 1024);
  const exact = `${n.toLocaleString('en')} bytes`;
  return Number.isInteger(mib) ? `${mib} MiB (${exact})` : `${exact} (${mib.toFixed(1)} MiB)`;
}

/** Runs `fn` when the browser has nothing else to do (a timer where requestIdleCallback is missing). */
function whenIdle(fn) {
  if (typeof requestIdleCallback === 'function') requestIdleCallback(() => fn(), { timeout: 2000 });
  else setTimeout(fn, 50);
}

/** The operations a user-supplied document lists, when it is JSON (a Token Doctor matrix or OpenAPI/Swagger). */
export function documentOperations(text) {
  let doc;
  try { doc = JSON.parse(text); } catch { return null; }
  if (Array.isArray(doc?.operations)) return opList(doc.operations);
  if (!doc?.paths || typeof doc.paths !== 'object') return null;
  const ops = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item?.[method];
      if (op && typeof op === 'object') ops.push({ method: method.toUpperCase(), path, summary: String(op.summary ?? op.operationId ?? '') });
    }
  }
  return ops;
}

/**
 * The operation text for a completion pick: the platform's base path in front of the path (the one already typed,
 * else the first), after the scheme and host already typed, if any.
 */
export function composeOperation(current, op) {
  const bases = op.bases ?? [];
  const m = current.trim().match(/^(?:[A-Za-z]+\s+)?(https?:\/\/[^\s/?#]+)?(\S*)/);
  const origin = m?.[1] ?? '';
  const typedPath = (m?.[2] ?? '').toLowerCase();
  const already = bases.some((b) => op.path.toLowerCase().startsWith(`${b.toLowerCase()}/`));
  const base = already ? '' : bases.find((b) => typedPath.startsWith(b.toLowerCase())) ?? bases[0] ?? '';
  return `${op.method} ${origin}${base}${op.path}`;
}

function embedSnippets() {
  const here = new URL('.', import.meta.url);
  const base = !inlined && /^https?:$/.test(here.protocol) ? here.href : 'https://wiki.example.com/token-doctor/';
  return {
    iframe: `<iframe src="${base}index.html" title="Token Doctor" width="100%" height="1000" loading="lazy"\n        referrerpolicy="no-referrer" allow="clipboard-write"></iframe>`,
    element: `<script type="module" src="${base}element.js"></script>\n<token-doctor></token-doctor>`,
  };
}

/**
 * The instance's "Clear everything after N minutes without use" box from the `clearAfterMinutes` option: a
 * number of minutes (1 to 1440) ticks it; 0 leaves it unticked (at 15 minutes when ticked); absent or anything
 * else, 15 minutes, ticked.
 */
export function idleMinutes(value) {
  const n = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  if (n === 0) return { on: false, minutes: 15 };
  if (typeof n === 'number' && Number.isFinite(n) && n > 0) return { on: true, minutes: Math.min(Math.max(Math.round(n), 1), 1440) };
  return { on: true, minutes: 15 };
}

/**
 * Mounts an instance into `container`. Options: `sample` (default true: open with the sample token),
 * `operation`, `platform`, `clearAfterMinutes` (idleMinutes). Resolves to `{ root, run, destroy }` once the engine
 * is ready.
 */
export async function mountTokenDoctor(container, options = {}) {
  const engineReady = startEngine(); // once per page (assets.js started it already); awaited below
  engineReady.catch(() => {});
  // The matrix the first diagnosis needs is fetched now, while the engine starts (index.html preloads the sample's):
  // the first verdict shown is the one with the matrix, not "unknown" until it arrives.
  const firstPlatform = options.platform ?? (options.sample !== false && !options.operation ? SAMPLE_PLATFORM : null);
  const firstMatrix = firstPlatform && Object.hasOwn(NAMES, firstPlatform) ? firstPlatform : null;
  if (firstMatrix) fetchMatrix(firstMatrix).catch(() => {});
  const root = buildUi();
  // The UI enters the page together with its first diagnosis, so the browser lays it out once, not once empty and
  // again with the diagnosis (that first layout delayed the verdict by tens of ms). When the engine is slow to
  // come (a slow network), the UI shows without a diagnosis after SKELETON_MS.
  const attach = () => { clearTimeout(skeleton); if (root.parentNode !== container) container.replaceChildren(root); };
  const skeleton = setTimeout(attach, SKELETON_MS);
  const q = (id) => root.querySelector(`#${id}`);
  const field = { input: q('input'), operation: q('operation'), response: q('response'), previous: q('previous'), platform: q('platform') };
  const state = { report: null, customMatrix: null, customOps: null, customName: '', introspection: null, debounce: 0, pending: false, exp: null, expired: false, failed: new Map(), clears: 0 };

  let destroyed = false;
  const snippets = embedSnippets();
  setText(q('embed-iframe'), snippets.iframe);
  setText(q('embed-element'), snippets.element);

  try {
    await engineReady;
  } catch (err) {
    setText(q('verdict'), `The engine could not start: ${err?.message ?? err}`);
    setText(q('verdict-label'), '! Error');
    attach();
    throw err;
  }
  for (const id of platforms()?.builtIn ?? []) {
    field.platform.append(Object.assign(document.createElement('option'), { value: id, textContent: NAMES[id] ?? id }));
  }
  if (options.platform) field.platform.value = options.platform;

  function request() {
    const req = { input: field.input.value };
    const add = (key, value) => { if (value && String(value).trim()) req[key] = value; };
    add('operation', field.operation.value);
    add('response', field.response.value);
    add('previous', field.previous.value);
    add('platform', field.platform.value);
    if (state.customMatrix) req.matrix = state.customMatrix;
    if (state.introspection) req.introspection = state.introspection;
    return req;
  }

  function failure(err) {
    const panic = lastPanic?.();
    return {
      verdict: 'unknown', summary: `Token Doctor could not diagnose this: ${err?.message ?? err}${panic ? ` (${panic})` : ''}`,
      recognized: '', findings: [], token: null, claims: null, operation: null, requirements: [],
      signature: { status: 'not_checked' }, platform: null, comparison: null,
    };
  }

  function currentPlatformId() {
    return field.platform.value || state.report?.platform?.id || '';
  }

  function operations() {
    if (state.customOps?.length) return state.customOps;
    return loaded.get(currentPlatformId())?.operations ?? [];
  }

  function platformStatus() {
    const id = currentPlatformId();
    const chosen = field.platform.value ? 'chosen' : `detected from ${state.report?.platform?.reason || 'the input'}`;
    let text;
    if (state.customMatrix) text = `Using your document${state.customName ? ` (${state.customName})` : ''}.`;
    else if (!id) text = 'No platform detected: pick one, give the full URL of the operation, or use your own OpenAPI document.';
    else if (state.failed.has(id)) text = `${NAMES[id] ?? id}: its permission matrix could not be loaded (${state.failed.get(id)}).`;
    else if (loaded.has(id)) {
      const info = loaded.get(id);
      text = `${NAMES[id] ?? info.name} (${chosen}): ${info.count ?? info.operations.length} operations known.`;
    }
    else if (matrices.has(id)) text = `Loading the ${NAMES[id] ?? id} permission matrix\u2026`;
    else text = `${state.report?.platform?.name || NAMES[id] || id} (${chosen}).`;
    setText(q('platform-status'), text);
    setText(q('platform-line'), id || state.customMatrix ? `Platform: ${text}` : '');
  }

  function ensureMatrix(id) {
    if (!id || loaded.has(id) || state.failed.has(id) || !(platforms()?.builtIn ?? []).includes(id)) return;
    const first = !matrices.has(id);
    loadMatrix(id).then(() => { if (first) run(); else platformStatus(); }, (err) => {
      state.failed.set(id, err?.message ?? String(err));
      platformStatus();
    });
    platformStatus();
  }

  function tick() {
    clearWhenIdle();
    const c = countdown(state.exp, Date.now());
    const el = q('countdown');
    el.dataset.state = c.state;
    setText(el, c.text);
    // The verdict depends on the time: diagnose again when the token expires while the page is open.
    const expired = c.state === 'expired';
    if (state.exp !== null && expired && !state.expired) { state.expired = true; run(); }
  }

  function run() {
    clearTimeout(state.debounce);
    state.pending = false;
    delete root.dataset.pending;
    const req = request();
    let report;
    try { report = diagnose(req); } catch (err) { report = failure(err); }
    show(report, !req.input.trim() && !req.introspection);
    panels?.changed();
  }

  function show(report, empty = false) {
    state.report = report;
    renderReport(q, report, { empty });
    const exp = report.claims?.expires?.seconds;
    state.exp = Number.isFinite(exp) ? exp : null;
    state.expired = state.exp !== null && state.exp * 1000 <= Date.now();
    tick();
    ensureMatrix(currentPlatformId());
    platformStatus();
    combo.refresh();
    if (q('report-preview').open) refreshPreview();
  }

  /** The token the paste carries, as the engine reads it (null when there is none). */
  const pastedToken = () => { try { return tokenOf(field.input.value) ?? null; } catch { return null; } };

  /**
   * True when the report says the paste presents Basic credentials (a client id and secret, or a user name and
   * password), to say why nothing is sent: tokenOf returns null for them (and this check keeps them from being
   * sent if it did not). `recognized` names the scheme for a header or a value; `header.malformed` does for a curl
   * command or a raw request too (and when Basic is one of several schemes).
   */
  const basicCredentials = (report) => /\bthe basic scheme\b/i.test(report?.recognized ?? '')
    || (report?.findings ?? []).some((f) => f.code === 'header.malformed' && /\bbasic\b/i.test(f.detail ?? ''));

  /**
   * The token the live checks may send: the one the engine reads in the paste, never the paste itself (it may be a
   * token response with a refresh token, or a request with a client secret) and never Basic credentials. Null when
   * there is none.
   */
  function liveToken() {
    if (state.pending) run(); // a keystroke not yet diagnosed: the report must be this paste's
    const token = pastedToken();
    return token && !basicCredentials(state.report) ? token : null;
  }

  // While a keystroke waits for its diagnosis, the root carries data-pending (tests and embedders can wait on it).
  const schedule = () => {
    clearTimeout(state.debounce);
    state.pending = true;
    root.dataset.pending = 'true';
    state.debounce = setTimeout(run, DEBOUNCE_MS);
  };

  const combo = attachCombobox({
    input: field.operation, listbox: q('operation-list'), status: q('operation-status'), getOperations: operations,
    onPick: (op) => {
      field.operation.value = composeOperation(field.operation.value, op);
      run();
    },
  });

  field.input.addEventListener('input', () => { state.introspection = null; schedule(); });
  for (const el of [field.operation, field.response, field.previous]) el.addEventListener('input', schedule);
  field.platform.addEventListener('change', () => { ensureMatrix(field.platform.value); run(); });

  function loadSample() {
    field.input.value = sampleToken(Math.floor(Date.now() / 1000));
    if (!field.operation.value.trim()) field.operation.value = SAMPLE_OPERATION;
    state.introspection = null;
    run();
  }
  q('load-sample').addEventListener('click', loadSample);
  q('empty-sample').addEventListener('click', () => { loadSample(); field.input.focus(); });
  /**
   * Empties everything that can hold a credential, a personal claim or what a server answered: the paste, the
   * operation, the API's answer, the token that works, your own document, the report's options and preview, the
   * verify panel's keys, the live panel's secrets and results (its endpoint, client id and region stay). `why`:
   * the sentence the status line shows afterwards.
   */
  function clearAll(why = '') {
    for (const key of PASTED) field[key].value = '';
    field.platform.value = '';
    state.introspection = null;
    forgetDocument();
    for (const id of ['include-personal', 'include-token']) q(id).checked = false;
    forgetReport();
    setText(q('copy-status'), '');
    panels?.clear();
    run();
    setText(q('auto-clear-status'), why);
  }
  q('clear-all').addEventListener('click', () => { clearAll(); field.input.focus(); });
  /** Closes and empties the report preview; a report being made now is dropped (markdown). */
  function forgetReport() {
    state.clears += 1;
    q('report-preview').open = false;
    q('report-md').value = '';
  }

  // Clear everything after `clearAfterMinutes` (default 15) without use, so that a token left in an open tab does
  // not stay on the screen (or in a screenshot, or for the next person at the desk). Use is a key, a pointer, a
  // wheel or a focus inside the instance. Checked each second (tick), when the tab is shown again and at the first use.
  const idle = idleMinutes(options.clearAfterMinutes);
  const idleTime = `${idle.minutes} minute${idle.minutes === 1 ? '' : 's'}`;
  q('auto-clear').checked = idle.on;
  setText(q('auto-clear-label'), ` Clear everything after ${idleTime} without use`);
  let lastUse = Date.now();
  // The first use after the time is up clears before it counts: coming back to the tab moves the pointer or
  // focuses a field before the next tick.
  const used = () => { clearWhenIdle(); lastUse = Date.now(); };
  for (const type of ['keydown', 'pointerdown', 'pointermove', 'wheel', 'focusin', 'input']) root.addEventListener(type, used, { capture: true, passive: true });
  q('auto-clear').addEventListener('change', () => setText(q('auto-clear-status'), ''));
  field.input.addEventListener('input', () => setText(q('auto-clear-status'), ''));
  const holdsAnything = () => PASTED.some((key) => field[key].value)
    || Boolean(state.customMatrix || q('matrix-text').value || panels?.holdsSecrets());
  function clearWhenIdle() {
    if (destroyed || !q('auto-clear').checked || Date.now() - lastUse < idle.minutes * 60000) return;
    lastUse = Date.now();
    // Nothing pasted: only the report preview is emptied (it may still show a report made before the fields were
    // emptied by hand), without a word.
    if (!holdsAnything()) { forgetReport(); return; }
    clearAll(`Cleared after ${idleTime} without use, so that no token stays on the screen. Untick the box below the buttons to keep what you paste.`);
  }
  const onVisible = () => { if (document.visibilityState === 'visible') clearWhenIdle(); };
  document.addEventListener('visibilitychange', onVisible);

  // Nearest-operation suggestions in the report are buttons that fill the operation field.
  q('operation-info').addEventListener('click', (e) => {
    const target = e.target.closest('[data-operation]');
    if (!target) return;
    const [method, ...rest] = target.dataset.operation.split(' ');
    const bases = loaded.get(currentPlatformId())?.operations[0]?.bases ?? [];
    field.operation.value = composeOperation(field.operation.value, { method, path: rest.join(' '), bases });
    run();
    field.operation.focus();
  });

  // Your own OpenAPI document: file picker or paste; nothing is fetched but the full engine, which reads documents.
  async function useDocument(name) {
    const given = () => q('matrix-text').value;
    if (!given().trim()) { setText(q('matrix-status'), 'Paste a document or open a file first.'); return; }
    if (!fullEngineLoaded()) {
      setText(q('matrix-status'), 'Loading the document reader\u2026');
      try { await fullEngine(); } catch (err) {
        setText(q('matrix-status'), `The document reader could not be loaded: ${err?.message ?? err}`);
        return;
      }
      if (destroyed) return;
    }
    const text = given(); // as it is now: it may have been edited while the reader loaded
    if (!text.trim()) { setText(q('matrix-status'), 'Paste a document or open a file first.'); return; }
    state.customMatrix = text;
    state.customName = name || 'pasted';
    state.customOps = documentOperations(text);
    const count = state.customOps ? `${state.customOps.length} operations listed` : 'not JSON, so operations cannot be listed for completion';
    setText(q('matrix-status'), `Using ${name ? `\u201c${name}\u201d` : 'the pasted document'} (${text.length.toLocaleString('en')} characters; ${count}). Problems with it appear among the findings.`);
    run();
  }
  // Only the last document chosen is used: a large file picked first can finish reading after a small one picked
  // next, or after Use (a pasted document) or Clear.
  let filePicks = 0;
  q('matrix-use').addEventListener('click', () => { filePicks += 1; useDocument(''); });
  q('matrix-file').addEventListener('change', async (e) => {
    const input = e.target;
    const file = input.files?.[0];
    const pick = ++filePicks;
    if (!file) return;
    const still = state.customMatrix ? ` Still using ${state.customName === 'pasted' ? 'the pasted document' : `\u201c${state.customName}\u201d`}.` : '';
    // The engine refuses a larger document unread: reading it first would only hold the tab (hundreds of MB).
    if (file.size > MAX_DOCUMENT_BYTES) {
      input.value = ''; // choosing the same file again (after trimming it) fires "change" again
      setText(q('matrix-status'), `\u201c${file.name}\u201d is ${bytes(file.size)}; documents over ${bytes(MAX_DOCUMENT_BYTES)} are not read.${still}`);
      return;
    }
    let text;
    try { text = await file.text(); } catch (err) {
      if (pick !== filePicks) return;
      // Removed, moved or changed on disk since it was chosen, or not readable.
      input.value = '';
      setText(q('matrix-status'), `\u201c${file.name}\u201d could not be read: ${String(err?.message ?? err).replace(/\.?$/, '.')}${still}`);
      return;
    }
    if (destroyed || pick !== filePicks) return;
    q('matrix-text').value = text;
    useDocument(file.name);
  });
  /** Stops using your own document and empties its fields (a file still being read is no longer wanted). */
  function forgetDocument() {
    filePicks += 1;
    state.customMatrix = null;
    state.customOps = null;
    state.customName = '';
    q('matrix-text').value = '';
    q('matrix-file').value = '';
    setText(q('matrix-status'), 'No document in use.');
  }
  q('matrix-clear').addEventListener('click', () => { forgetDocument(); run(); });

  // Copy report (Markdown), with a preview of exactly what is copied.
  // The Markdown report of what is on screen; null when everything was cleared while it was being made (its
  // module loading, the fingerprint hashing): it would bring back what was cleared.
  async function markdown() {
    if (state.pending) run(); // a keystroke not yet diagnosed: the report must describe what is on screen
    const at = state.clears;
    const report = state.report ?? failure('nothing diagnosed yet');
    const token = pastedToken();
    const pasted = field.input.value.trim();
    const { reportMarkdown, sha256Hex } = await loadReportMd();
    const fingerprint = token ? await sha256Hex(token) : (pasted ? await sha256Hex(pasted) : null);
    if (at !== state.clears) return null;
    return reportMarkdown(report, {
      fingerprint,
      fingerprintOf: token ? 'of the token' : 'of the pasted text',
      includePersonal: q('include-personal').checked,
      includeToken: q('include-token').checked,
      tokenText: token ?? pasted,
      operationText: field.operation.value,
      generatedAt: Math.floor(Date.now() / 1000),
    });
  }
  async function preview() {
    const md = await markdown();
    if (md !== null) q('report-md').value = md;
    return md;
  }
  const previewFailed = (err) => setText(q('copy-status'), `The report could not be made: ${err?.message ?? err}`);
  function refreshPreview() { preview().catch(previewFailed); }
  q('report-preview').addEventListener('toggle', () => { if (q('report-preview').open) refreshPreview(); });
  for (const id of ['include-personal', 'include-token']) q(id).addEventListener('change', () => { if (q('report-preview').open) refreshPreview(); });
  q('copy-report').addEventListener('click', async () => {
    let md;
    try { md = await preview(); } catch (err) { previewFailed(err); return; }
    if (md === null) return; // cleared meanwhile: nothing to copy
    const at = state.clears;
    try {
      await navigator.clipboard.writeText(md);
      if (at !== state.clears) return; // cleared while the browser copied: say nothing on the cleared page
      setText(q('copy-status'), 'Copied. The token and personal claims are left out unless ticked.');
    } catch {
      if (at !== state.clears) return;
      q('report-preview').open = true;
      q('report-md').focus();
      q('report-md').select();
      setText(q('copy-status'), 'The browser did not allow copying: the report is selected below, press Ctrl+C (\u2318C).');
    }
  });

  // Copy buttons next to the raw JSON and the embed snippets.
  root.addEventListener('click', async (e) => {
    const button = e.target.closest('button[data-copy]');
    if (!button) return;
    const text = q(button.dataset.copy)?.textContent ?? '';
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = 'Copied';
    } catch {
      const range = document.createRange();
      range.selectNodeContents(q(button.dataset.copy));
      const sel = (root.getRootNode().getSelection?.() ?? document.getSelection());
      sel?.removeAllRanges();
      sel?.addRange(range);
      button.textContent = 'Selected: press Ctrl+C';
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  });

  // The verify and live panels: loaded and mounted the first time either box is opened, with the full engine (it
  // verifies with keys and runs the live checks), which starts loading as soon as the pointer or the focus is on
  // either box's summary.
  let panels = null;
  let panelsLoading = null;
  function openPanels() {
    panelsLoading ??= Promise.all([loadPanels(), fullEngine()]).then(([{ mountPanels }, engine]) => {
      if (destroyed) return;
      panels = mountPanels(q, {
        engine,
        getRequest: request,
        getToken: liveToken,
        noToken: () => (basicCredentials(state.report)
          ? 'The paste carries Basic credentials (a client id and secret, or a user name and password), not an access token, so nothing was sent. Paste the access token, or the "Authorization: Bearer \u2026" header of the failing request.'
          : null),
        // A keystroke not yet diagnosed is diagnosed first, so the issuer is the paste's (a discovery answer is
        // applied only while it is the one asked about).
        getIssuer: () => { if (state.pending) run(); return state.report?.claims?.issuer ?? null; },
        // Ask Genesys with the user's permissions: both answers go to the diagnosis (`{ tokensMe, usersMe }`), so the
        // operation's platform permissions are checked against what the user has, not left "unverified".
        onIntrospection: (value, extra) => {
          state.introspection = value && extra?.user && typeof extra.user === 'object' ? { tokensMe: value, usersMe: extra.user } : (value ?? null);
          run();
        },
        onReport: (report) => { if (report && typeof report === 'object') show(report, false); },
      });
      panels.changed();
    }).catch((err) => {
      panelsLoading = null; // opening the box again retries
      for (const id of ['verify-panel', 'live-panel']) setText(q(id), `This panel could not be loaded: ${err?.message ?? err}`);
    });
  }
  for (const id of ['verify-box', 'live-box']) {
    q(id).addEventListener('toggle', () => { if (q(id).open) openPanels(); });
    for (const type of ['pointerenter', 'focusin']) q(id).querySelector('summary')?.addEventListener(type, () => { fullEngine().catch(() => {}); }, { once: true });
  }
  // The comparison renders with compare.js: start loading it as soon as the user heads there.
  const prefetchCompare = () => { loadCompare().catch(() => {}); };
  q('compare-box').addEventListener('toggle', () => { if (q('compare-box').open) prefetchCompare(); });
  field.previous.addEventListener('input', prefetchCompare, { once: true });

  if (options.operation) field.operation.value = options.operation;
  if (options.sample !== false) {
    field.input.value = sampleToken(Math.floor(Date.now() / 1000));
    if (!field.operation.value) field.operation.value = SAMPLE_OPERATION;
  }
  // With nothing pasted yet (no sample), the first diagnosis is the empty state: it need not wait.
  if (firstMatrix && field.input.value) {
    // The skeleton, if it is showing, says what is awaited now.
    setText(q('verdict-label'), `Loading the ${NAMES[firstMatrix]} permission matrix\u2026`);
    const installing = loadMatrix(firstMatrix, { beforePaint: true });
    // While the matrix arrives, the same request is diagnosed once without it and the result dropped: V8 compiles
    // wasm functions on their first call, and this has it compile most of what the first verdict calls while the
    // main thread would otherwise wait (a few ms sooner to the verdict; README, Performance).
    if (!loaded.has(firstMatrix)) { try { diagnose(request()); } catch { /* the real diagnosis below reports it */ } }
    let waiting = 0;
    const wait = new Promise((resolve) => { waiting = setTimeout(resolve, FIRST_MATRIX_WAIT_MS, false); });
    const settled = await Promise.race([installing.then(() => true, () => true), wait]);
    clearTimeout(waiting);
    // Not there in time: the diagnosis below says the matrix is loading; it is diagnosed again when it is installed.
    if (!settled) installing.then(() => { if (!destroyed) run(); }, () => {});
  }
  run();
  attach();
  const timer = setInterval(tick, 1000);
  return {
    root, run,
    destroy() {
      destroyed = true;
      clearInterval(timer);
      clearTimeout(state.debounce);
      document.removeEventListener('visibilitychange', onVisible);
      panels?.destroy();
    },
  };
}
