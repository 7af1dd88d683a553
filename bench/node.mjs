// The Node part of the benchmark: decode/diagnose latency against jose and jwt-decode, diagnose with an
// operation against the built-in matrices, the OpenAPI import against JSON.parse, and matrix lookup through the
// JS API. Everything goes through the release wasm in www/pkg/ (built by `make build`).
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { jwtDecode } from 'jwt-decode';
import { alternate, rng } from './lib.mjs';
import { corpus } from './tokens.mjs';

export const ROOT = path.resolve(import.meta.dirname, '..');
const PKG = path.join(ROOT, 'www', 'pkg');
/** The page's first engine (README, "Two engines"): the one that diagnoses pastes in the page. */
export const FIRST_PKG = path.join(PKG, 'first');

/**
 * A fresh instance of the wasm module (of `pkg`, default the full engine): the bindings are imported under a
 * distinct URL (`?instance=<name>`) so each name gets its own module state and its own linear memory. Returns
 * `{ api, memory }`.
 */
export async function instance(name, pkg = PKG) {
  const url = `${pathToFileURL(path.join(pkg, 'token_doctor.js')).href}?instance=${name}`;
  const api = await import(url);
  const exports = api.initSync({ module: fs.readFileSync(path.join(pkg, 'token_doctor_bg.wasm')) });
  return { api, memory: exports.memory };
}

/** The built-in platforms the bench uses, with the base path and host their called URLs carry. */
export const PLATFORMS = {
  'microsoft-graph': { base: 'https://graph.microsoft.com/v1.0', prefix: '/v1.0' },
  'genesys-cloud': { base: 'https://api.mypurecloud.com/api/v2', prefix: '/api/v2' },
};

/** Installs the built-in matrices from www/matrices/; returns `{ id: { ok, operations | error, ms } }`. */
export function installAll(api) {
  const out = {};
  for (const id of Object.keys(PLATFORMS)) {
    const file = path.join(ROOT, 'www', 'matrices', `${id}.json`);
    try {
      const bytes = fs.readFileSync(file);
      const t0 = performance.now();
      const r = api.installPlatform(id, bytes);
      out[id] = { ok: true, operations: r?.operations, ms: performance.now() - t0, bytes: bytes.length };
    } catch (e) {
      out[id] = { ok: false, error: String(e?.message ?? e).slice(0, 200) };
    }
  }
  return out;
}

/** Real-looking values for path parameters: GUIDs for ids, a date for dates, a word otherwise. */
function filler(rand) {
  const h = () => Math.floor(rand() * 16).toString(16);
  const hexs = (n) => Array.from({ length: n }, h).join('');
  const guid = () => `${hexs(8)}-${hexs(4)}-4${hexs(3)}-8${hexs(3)}-${hexs(12)}`;
  return (name) => {
    if (/id$|^id|key$/i.test(name)) return guid();
    if (/date|day|interval/i.test(name)) return '2024-05-01';
    if (/version/i.test(name)) return '3';
    return `sample${Math.floor(rand() * 1000)}`;
  };
}

/**
 * Every operation of an installed platform as a called operation string (`GET https://host/base/path`, with
 * real-looking ids filled in), shuffled deterministically. Empty when `operations(id)` is not exported.
 */
export function calledOperations(api, id) {
  if (typeof api.operations !== 'function') return [];
  const { base, prefix } = PLATFORMS[id];
  const rand = rng(0xab5 + id.length);
  const fill = filler(rand);
  const list = api.operations(id).map((op) => {
    const p = op.path.startsWith(prefix) ? op.path.slice(prefix.length) : op.path;
    const filled = p.replace(/\{([^}]*)\}/g, (_, name) => fill(name));
    return `${op.method} ${base}${filled.startsWith('/') ? '' : '/'}${filled}`;
  });
  for (let i = list.length - 1; i > 0; i--) {
    const j = Math.floor(rand() * (i + 1));
    [list[i], list[j]] = [list[j], list[i]];
  }
  return list;
}

/**
 * 1. diagnose({input}) against jose and jwt-decode on each token, in alternation; with `first` (the first engine's
 * API), also the first engine against the full one.
 */
export function decodeLatency(api, { rounds = 150, first = null } = {}) {
  const rows = [];
  for (const { name, token, jwt } of corpus()) {
    const sample = api.diagnose({ input: token });
    const contenders = {
      diagnose: () => api.diagnose({ input: token }),
      ...(first ? { 'first engine': () => first.diagnose({ input: token }) } : {}),
      jose: () => {
        try {
          return [decodeProtectedHeader(token), decodeJwt(token)];
        } catch (e) {
          return e;
        }
      },
      'jwt-decode': () => {
        try {
          return [jwtDecode(token, { header: true }), jwtDecode(token)];
        } catch (e) {
          return e;
        }
      },
    };
    const r = alternate(contenders, {
      rounds,
      pairs: [['diagnose', 'jose'], ['diagnose', 'jwt-decode'], ...(first ? [['first engine', 'diagnose']] : [])],
    });
    rows.push({ name, bytes: token.length, jwt, verdict: sample.verdict, recognized: sample.recognized, ...r });
  }
  return rows;
}

/** 1b. diagnose({input, operation}) with the matrices installed, against diagnose({input}) of the same token. */
export function diagnoseWithOperation(api, { rounds = 150 } = {}) {
  const tokens = corpus();
  const graphToken = tokens[0].token;
  const opaque = tokens.find((t) => !t.jwt).token;
  const cases = [
    { name: 'Graph token + POST /me/sendMail', input: graphToken, operation: 'POST https://graph.microsoft.com/v1.0/me/sendMail' },
    { name: 'Graph token + GET /users/{id}/messages', input: graphToken, operation: 'GET https://graph.microsoft.com/v1.0/users/0f3e0b7a-1c2d-4e5f-8a9b-0c1d2e3f4a5b/messages?$top=5' },
    { name: 'opaque token + Genesys POST /conversations/calls', input: opaque, operation: 'POST https://api.mypurecloud.ie/api/v2/conversations/calls' },
    // The wrong token for the API (a common 401): its scopes are unknown to Genesys, so suggestions are searched.
    { name: 'Graph token + Genesys POST /conversations/calls', input: graphToken, operation: 'POST https://api.mypurecloud.ie/api/v2/conversations/calls' },
  ];
  return cases.map(({ name, input, operation }) => {
    const sample = api.diagnose({ input, operation });
    const r = alternate(
      { 'with operation': () => api.diagnose({ input, operation }), 'input only': () => api.diagnose({ input }) },
      { rounds, pairs: [['with operation', 'input only']] },
    );
    return { name, matched: Boolean(sample.operation?.matched), verdict: sample.verdict, ...r };
  });
}

/** 3. Matrix lookup through the JS API: every operation of each platform, called with filled-in ids. */
export function lookupThroughApi(api, { rounds = 60 } = {}) {
  const tokens = corpus();
  const out = {};
  for (const id of Object.keys(PLATFORMS)) {
    // Each platform's own kind of token: an Entra ID token for Graph, an opaque one for Genesys Cloud.
    const token = (id === 'microsoft-graph' ? tokens[0] : tokens.find((t) => !t.jwt)).token;
    const ops = calledOperations(api, id);
    if (!ops.length) {
      out[id] = { skipped: typeof api.operations !== 'function' ? 'operations(id) is not exported' : 'not installed' };
      continue;
    }
    let matched = 0;
    const unmatched = [];
    const t0 = performance.now();
    for (const operation of ops) {
      const r = api.diagnose({ input: token, operation });
      if (r.operation?.matched) matched++;
      else if (unmatched.length < 5) unmatched.push(operation);
    }
    const fullPassMs = performance.now() - t0;
    let k = 0;
    const r = alternate(
      {
        'diagnose with operation': () => api.diagnose({ input: token, operation: ops[k++ % ops.length] }),
        'diagnose input only': () => api.diagnose({ input: token }),
      },
      { rounds, pairs: [['diagnose with operation', 'diagnose input only']] },
    );
    out[id] = {
      operations: ops.length, matched, unmatched, fullPassMs,
      perSecond: 1e6 / r.times['diagnose with operation'].median, ...r,
    };
  }
  return out;
}

/** Where the real 4.2 MB Swagger document is: the committed fixture, else the shared data copy. */
export function swaggerText() {
  const fixture = path.join(ROOT, 'tests', 'fixtures', 'genesys-swagger-2018-03-21.json.gz');
  if (fs.existsSync(fixture)) return { text: zlib.gunzipSync(fs.readFileSync(fixture)).toString('utf8'), source: path.relative(ROOT, fixture) };
  const shared = path.resolve(ROOT, '..', 'shared', 'data', 'genesys-swagger-2018-03-21.json');
  if (fs.existsSync(shared)) return { text: fs.readFileSync(shared, 'utf8'), source: shared };
  return null;
}

/** Imports `text` once in a fresh instance; returns the wasm memory before and after (the linear memory only
 * grows, so its size after the call is the call's peak) and what the import said. */
async function importOnce(name, call) {
  const { api, memory } = await instance(name);
  const before = memory.buffer.byteLength;
  const t0 = performance.now();
  const result = call(api);
  const ms = performance.now() - t0;
  const after = memory.buffer.byteLength;
  return { api, firstMs: ms, memory: { before, after, growth: after - before }, result };
}

/**
 * 2. The OpenAPI import against JSON.parse of the same text: through `importMatrix(text)` when the bindings export
 * it (the import alone, plus the operation list it returns), and through `diagnose({input, operation, matrix})`
 * (what the page does on a diagnosis with the user's document). Memory is measured first, each in a fresh instance.
 */
export async function openapiImport({ rounds = 9 } = {}) {
  const doc = swaggerText();
  if (!doc) return { skipped: 'the Swagger fixture is not there (tests/fixtures/genesys-swagger-2018-03-21.json.gz)' };
  const { text, source } = doc;
  const input = corpus().find((t) => !t.jwt).token;
  const operation = 'GET https://api.mypurecloud.com/api/v2/users/me';
  const viaDiagnose = (api) => api.diagnose({ input, operation, matrix: text });
  const viaImport = (api) => api.importMatrix(text);
  const d = await importOnce('import-diagnose', viaDiagnose);
  const out = {
    source,
    textBytes: Buffer.byteLength(text),
    diagnose: {
      firstMs: d.firstMs,
      memory: d.memory,
      matched: Boolean(d.result?.operation?.matched),
      problems: (d.result?.findings ?? []).filter((f) => f.code.startsWith('matrix.')).map((f) => `${f.code}: ${f.title}`).slice(0, 3),
    },
  };
  // The boundary keeps the last document it read and recognizes the same string again (===): a diagnosis with the
  // document the page already sent costs no import. "new document" alternates between two texts (the second has
  // a trailing newline) so that every call reads its document; "same document again" is the page's repeat call.
  const texts = [text, `${text}\n`];
  let turn = 0;
  const again = await instance('import-diagnose-again');
  viaDiagnose(again.api);
  const contenders = {
    'diagnose, new document': () => d.api.diagnose({ input, operation, matrix: texts[(turn = 1 - turn)] }),
    'diagnose, same document again': () => viaDiagnose(again.api),
    'JSON.parse': () => JSON.parse(text),
  };
  const pairs = [['diagnose, new document', 'JSON.parse'], ['diagnose, same document again', 'JSON.parse']];
  if (typeof d.api.importMatrix === 'function') {
    const i = await importOnce('import-only', viaImport);
    const r = i.result ?? {};
    out.importMatrix = {
      firstMs: i.firstMs,
      memory: i.memory,
      format: r.format,
      operations: Array.isArray(r.operations) ? r.operations.length : r.operations,
      problems: Array.isArray(r.problems) ? r.problems.length : r.problems,
    };
    contenders.importMatrix = () => viaImport(i.api);
    pairs.unshift(['importMatrix', 'JSON.parse']);
  }
  const batch = Object.fromEntries(Object.keys(contenders).map((k) => [k, 1]));
  return { ...out, ...alternate(contenders, { rounds, warmup: 1, batch, pairs }) };
}

