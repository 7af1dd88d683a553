// The static server of `make serve`, the page tests and the benchmark: plain by default; with `gzip` (the
// benchmark's emulated slow link) it compresses what a web server would, only for a client that accepts it.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { serve, ROOT } from './harness.mjs';

/** GETs `url` with the given request headers; resolves to { status, headers, body (Buffer) }. */
function get(url, headers = {}) {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

let plain, gzip;
before(async () => { plain = await serve(); gzip = await serve(undefined, { gzip: true }); });
after(() => { plain.server.close(); gzip.server.close(); });

test('with gzip, the wasm and a matrix come compressed to a client that accepts gzip, and decompress to the file', async () => {
  for (const file of ['pkg/first/token_doctor_bg.wasm', 'pkg/token_doctor_bg.wasm', 'matrices/nice-cxone.json', 'mount.js']) {
    const res = await get(`${gzip.url}${file}`, { 'accept-encoding': 'gzip, deflate, br' });
    assert.equal(res.status, 200, file);
    assert.equal(res.headers['content-encoding'], 'gzip', file);
    assert.equal(res.headers.vary, 'accept-encoding', file);
    const original = fs.readFileSync(path.join(ROOT, 'www', file));
    assert.ok(res.body.length < original.length, `${file} is smaller compressed`);
    assert.ok(zlib.gunzipSync(res.body).equals(original), `${file} decompresses to the file`);
  }
});

test('without gzip, or to a client that does not accept it, files come as they are', async () => {
  const file = 'matrices/nice-cxone.json';
  const original = fs.readFileSync(path.join(ROOT, 'www', file));
  for (const [url, headers] of [[plain.url, { 'accept-encoding': 'gzip' }], [gzip.url, {}], [gzip.url, { 'accept-encoding': 'br' }]]) {
    const res = await get(`${url}${file}`, headers);
    assert.equal(res.headers['content-encoding'], undefined);
    assert.ok(res.body.equals(original));
    assert.equal(res.headers['content-type'], 'application/json; charset=utf-8');
  }
  assert.equal((await get(`${gzip.url}no-such-file.js`, { 'accept-encoding': 'gzip' })).status, 404);
});

test('nothing outside the served folder, and a broken %-escape is a 400 that leaves the server running', async () => {
  // A sibling folder whose name starts like the served one's: `/..%2fwww-x/…` decodes to `../www-x/…`.
  const parent = fs.mkdtempSync(path.join(ROOT, 'target', 'serve-'));
  fs.mkdirSync(path.join(parent, 'www'));
  fs.mkdirSync(path.join(parent, 'www-secret'));
  fs.writeFileSync(path.join(parent, 'www', 'index.html'), 'page');
  fs.writeFileSync(path.join(parent, 'www-secret', 's.txt'), 'secret');
  const { server, url } = await serve(path.join(parent, 'www'));
  try {
    assert.equal((await get(`${url}index.html`)).body.toString(), 'page');
    for (const attempt of ['..%2fwww-secret/s.txt', '%2e%2e%2fwww-secret%2fs.txt', '..%2f..%2fetc%2fpasswd']) {
      const res = await get(`${url}${attempt}`);
      assert.equal(res.status, 403, attempt);
      assert.ok(!res.body.toString().includes('secret'), attempt);
    }
    assert.equal((await get(`${url}%E0%A4%A`)).status, 400);
    assert.equal((await get(`${url}a%00.txt`)).status, 400);
    fs.writeFileSync(path.join(parent, 'www', '..notes'), 'a file whose name starts with two dots');
    assert.equal((await get(`${url}..notes`)).status, 200, 'inside, though its name starts with ..');
    assert.equal((await get(`${url}index.html`)).status, 200, 'still serving');
  } finally {
    server.close();
    fs.rmSync(parent, { recursive: true, force: true });
  }
});
