// A tiny static file server for www/ (and for the end-to-end tests): right MIME types, no caching, nosniff,
// 127.0.0.1 only, nothing outside `root`; with `gzip` (the benchmark's emulated slow link), compressed as a web
// server would send it. The page's CSP is in its own <meta> tag, so it holds wherever the page is served.
// Usage: node scripts/serve.mjs <dir> <port>
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.wasm': 'application/wasm', '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.txt': 'text/plain; charset=utf-8',
};

/** Types worth compressing (the wasm and the JSON matrices compress 2.6–8×). */
const COMPRESSIBLE = /^(text\/|application\/(json|wasm)|image\/svg)/;

/**
 * Starts a server for `root` on 127.0.0.1:`port` (0 = any free port); resolves to the http.Server. `gzip`: answer
 * a request that accepts it with the file gzip-compressed (level 6, compressed once per file and kept).
 */
export function serveStatic(root, port = 0, { log = false, gzip = false } = {}) {
  const base = path.resolve(root);
  const compressed = new Map(); // file -> gzip bytes
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://127.0.0.1');
    let file;
    try {
      file = path.join(base, decodeURIComponent(url.pathname));
    } catch {
      file = null; // a broken %-escape
    }
    if (file === null || file.includes('\0')) { res.writeHead(400, { 'content-type': 'text/plain' }).end('bad request'); return; }
    // `..` decoded from %2f is still `..` here: a file must be under `root` itself, not beside it.
    const within = path.relative(base, file);
    if (within === '..' || within.startsWith(`..${path.sep}`) || path.isAbsolute(within)) { res.writeHead(403).end(); return; }
    if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    fs.readFile(file, (err, data) => {
      if (log) console.log(req.method, url.pathname, err ? 404 : 200);
      if (err) { res.writeHead(404, { 'content-type': 'text/plain' }).end('not found'); return; }
      const type = TYPES[path.extname(file)] || 'application/octet-stream';
      const headers = {
        'content-type': type,
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
        'referrer-policy': 'no-referrer',
      };
      if (gzip && COMPRESSIBLE.test(type) && /\bgzip\b/.test(req.headers['accept-encoding'] ?? '')) {
        if (!compressed.has(file)) compressed.set(file, zlib.gzipSync(data, { level: 6 }));
        data = compressed.get(file);
        headers['content-encoding'] = 'gzip';
        headers.vary = 'accept-encoding';
      }
      res.writeHead(200, headers);
      res.end(data);
    });
  });
  return new Promise((resolve) => server.listen(port, '127.0.0.1', () => resolve(server)));
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [root = 'www', port = '8080'] = process.argv.slice(2);
  serveStatic(root, Number(port), { log: true }).then((s) => {
    console.log(`serving ${root} on http://127.0.0.1:${s.address().port}/`);
  });
}
