// The two engines (README, "Two engines") in Node: the first engine (www/pkg/first/, `--no-default-features`)
// answers every request it is given the way the full engine (www/pkg/) does, byte for byte, with the three
// built-in matrices installed in both; a request that needs the full engine (a document, keys) is refused by the
// first one (it throws), never answered with a report that looks complete. And the first engine has none of the
// full engine's exports.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const PLATFORMS = ['genesys-cloud', 'microsoft-graph', 'nice-cxone'];
const FULL_ONLY = ['importMatrix', 'loadPlatform', 'introspect', 'discover', 'genesysTokenInfo', 'livePlan', 'diagnoseAsync'];
const NOW = 1795000000; // a fixed time: both engines diagnose at the same instant

const engines = {};
before(async () => {
  for (const [name, dir] of [['first', 'www/pkg/first'], ['full', 'www/pkg']]) {
    const td = await import(path.join(ROOT, dir, 'token_doctor.js'));
    await td.default({ module_or_path: fs.readFileSync(path.join(ROOT, dir, 'token_doctor_bg.wasm')) });
    for (const id of PLATFORMS) td.installPlatform(id, fs.readFileSync(path.join(ROOT, 'www/matrices', `${id}.json`)));
    engines[name] = td;
  }
  assert.notEqual(engines.first, engines.full, 'two module instances');
});

/** Every request of the diagnosis corpus (tests/corpus) and of the diagnose fuzz seeds that are JSON requests. */
function requests() {
  const out = [];
  const corpus = path.join(ROOT, 'tests/corpus');
  for (const file of fs.readdirSync(corpus).filter((n) => n.endsWith('.json')).sort()) {
    for (const c of JSON.parse(fs.readFileSync(path.join(corpus, file), 'utf8'))) out.push([`${file} ${c.id}`, c.request]);
  }
  const seeds = path.join(ROOT, 'fuzz/seeds/diagnose');
  for (const file of fs.readdirSync(seeds).sort()) {
    try {
      const r = JSON.parse(fs.readFileSync(path.join(seeds, file), 'utf8'));
      if (r && typeof r.input === 'string') out.push([`seed ${file}`, r]);
    } catch { /* a seed of fields split at 0xFF, not JSON */ }
  }
  return out.map(([name, r]) => [name, { ...r, now: r.now ?? NOW }]);
}

// The page's rule, from engine.js itself (imported in Node it loads no wasm: its fetch of a file URL fails, quietly).
const { needsFull } = await import(path.join(ROOT, 'www/engine.js'));

test('the first engine answers as the full engine does, byte for byte, wherever it does not need the full one', () => {
  const all = requests();
  const plain = all.filter(([, r]) => !needsFull(r));
  assert.ok(plain.length >= 100, `${plain.length} requests`);
  const differ = plain.filter(([, r]) => JSON.stringify(engines.first.diagnose(r)) !== JSON.stringify(engines.full.diagnose(r)));
  assert.deepEqual(differ.map(([name]) => name), []);
  // Also the other synchronous exports.
  for (const id of PLATFORMS) assert.deepEqual(engines.first.operations(id), engines.full.operations(id));
  assert.deepEqual(engines.first.platforms(), engines.full.platforms());
  for (const [, r] of plain) assert.equal(engines.first.tokenOf(r.input), engines.full.tokenOf(r.input));
  const [a, b] = plain.map(([, r]) => r.input).filter((i) => i.split('.').length === 3);
  assert.deepEqual(engines.first.compare(a, b, NOW), engines.full.compare(a, b, NOW));
  const compared = engines.full.compare(a, b, NOW); // both read, not two empty sides
  assert.deepEqual([compared.a.kind, compared.b.kind], ['jws', 'jws']);
});

test('a request with a document or keys: the first engine refuses it, the full one reads them', () => {
  const jwt = requests().map(([, r]) => r).find((r) => !needsFull(r) && /^eyJ[\w-]*\.eyJ[\w-]*\.[\w-]+$/.test(r.input.trim()));
  const documents = requests().map(([, r]) => r).filter((r) => r.matrix != null);
  assert.ok(documents.length >= 5, `${documents.length} requests with a document`);
  const withKeys = [
    { ...jwt, keys: { keys: [{ kty: 'oct', k: 'c2VjcmV0LXRoYXQtaXMtbG9uZy1lbm91Z2gtZm9yLWhzMjU2' }] } },
    { ...jwt, keys: '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----' },
  ];
  for (const r of [...documents, ...withKeys]) {
    // No report that left the document or the keys out (it would look complete, and its verdict could differ).
    assert.throws(() => engines.first.diagnose(r), /only the full engine \(www\/pkg\/\) reads/);
    assert.doesNotMatch(JSON.stringify(engines.full.diagnose(r)), /full engine/);
  }
  // Blank keys and a blank document are no keys and no document, in both engines.
  for (const blank of [{ keys: '' }, { keys: ' ' }, { keys: {} }, { keys: [] }, { keys: null }, { matrix: '' }, { matrix: '  ' }, { matrix: null }]) {
    const r = { ...jwt, ...blank };
    assert.equal(JSON.stringify(engines.first.diagnose(r)), JSON.stringify(engines.full.diagnose(r)), JSON.stringify(blank));
  }
});

test('engine.js sends to the full engine exactly the requests the first engine refuses', async () => {
  const jwt = requests().map(([, r]) => r).find((r) => !needsFull(r));
  const values = ['', '  ', 'x', '{}', {}, [], { keys: [] }, [1], 0, false, true, null];
  let refused = 0;
  for (const field of ['matrix', 'keys']) {
    for (const value of values) {
      const r = { ...jwt, [field]: value };
      let throws = false;
      try { engines.first.diagnose(r); } catch { throws = true; }
      assert.equal(needsFull(r), throws, `${field}: ${JSON.stringify(value)}`);
      if (throws) refused += 1;
    }
  }
  assert.ok(refused >= 10, `${refused} refused`);
});

test('the page\'s most frequent request, { input } alone (read without JSON, at the current time), alike', () => {
  const inputs = requests().map(([, r]) => r.input);
  const same = (input) => JSON.stringify(engines.first.diagnose({ input })) === JSON.stringify(engines.full.diagnose({ input }));
  // The two calls may fall on each side of a second: a difference is asked again once.
  const differ = inputs.filter((input) => !same(input) && !same(input));
  assert.deepEqual(differ, []);
});

test('the first engine has none of the full engine\'s exports, and is smaller', () => {
  for (const name of FULL_ONLY) {
    assert.equal(typeof engines.full[name], 'function', `full: ${name}`);
    assert.equal(engines.first[name], undefined, `first: ${name}`);
  }
  const size = (dir) => fs.statSync(path.join(ROOT, dir, 'token_doctor_bg.wasm')).size;
  assert.ok(size('www/pkg/first') < 0.8 * size('www/pkg'), `${size('www/pkg/first')} against ${size('www/pkg')} bytes`);
});
