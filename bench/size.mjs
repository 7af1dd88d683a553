// Sizes: gzip (level 9) and brotli (quality 11) bytes of the page's first download, of each built-in matrix,
// and of the single-file build. The first download is found by following the page: index.html, its stylesheets
// and module scripts, every module they import statically (transitively), and the wasm the bindings load
// (`new URL('….wasm', import.meta.url)`), and whatever index.html preloads. The budget's first download is the
// HTML, JS, CSS and wasm of it; data it preloads (the sample's matrix: its first verdict is diagnosed with it) is
// listed apart, as are the modules loaded later by dynamic `import()` (the panels, the comparison, the Markdown
// report: when first used). Matrices fetched on demand are not part of it.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const gzip = (b) => zlib.gzipSync(b, { level: 9 }).length;
const brotli = (b) =>
  zlib.brotliCompressSync(b, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11 } }).length;

/** `{ file, raw, gzip, brotli }` of one file. */
export function sizeOf(file, root) {
  const b = fs.readFileSync(file);
  return { file: path.relative(root, file), raw: b.length, gzip: gzip(b), brotli: brotli(b) };
}

const local = (ref) => ref && !/^(?:[a-z]+:|\/\/|#)/i.test(ref);

/** The local files `file` (a module) imports statically, the wasm it loads with `new URL(…, import.meta.url)`. */
export function staticImports(file) {
  const js = fs.readFileSync(file, 'utf8');
  const deps = [
    ...[...js.matchAll(/(?:^|[;\n}])\s*import\s+(?:[^'"();]*?\s+from\s+)?["']([^"']+)["']/g)].map((m) => m[1]),
    ...[...js.matchAll(/\bexport\s+(?:\*|\{[^}]*\})\s+from\s+["']([^"']+)["']/g)].map((m) => m[1]),
    ...[...js.matchAll(/new URL\(\s*["']([^"']+\.wasm)["']\s*,\s*import\.meta\.url\s*\)/g)].map((m) => m[1]),
    ...[...js.matchAll(/@import\s+(?:url\()?["']([^"']+)["']/g)].map((m) => m[1]),
  ];
  return deps.filter(local).map((d) => path.join(path.dirname(file), d));
}

/** The local modules `file` loads with a dynamic `import('…')` of a string literal. */
export function dynamicImports(file) {
  const js = fs.readFileSync(file, 'utf8');
  return [...js.matchAll(/(?<![\w$.])import\s*\(\s*["']([^"']+)["']\s*\)/g)].map((m) => m[1])
    .filter(local).map((d) => path.join(path.dirname(file), d));
}

/** The modules reachable from `first` (files) only through a dynamic import, with their static imports. */
export function laterFiles(first) {
  const seen = new Set(first);
  const later = [];
  const queue = first.filter((f) => /\.m?js$/.test(f)).flatMap(dynamicImports);
  while (queue.length) {
    const file = path.normalize(queue.shift());
    if (seen.has(file) || !fs.existsSync(file)) continue;
    seen.add(file);
    later.push(file);
    queue.push(...staticImports(file), ...dynamicImports(file));
  }
  return later;
}

/** The files of the first download of `www/index.html`, in discovery order. */
export function firstDownloadFiles(www) {
  const seen = new Set();
  const order = [];
  const add = (file) => {
    const f = path.normalize(file.split(/[?#]/)[0]);
    if (seen.has(f) || !fs.existsSync(f)) return false;
    seen.add(f);
    order.push(f);
    return true;
  };
  const index = path.join(www, 'index.html');
  add(index);
  const html = fs.readFileSync(index, 'utf8');
  const refs = [];
  for (const m of html.matchAll(/<script\b[^>]*\bsrc\s*=\s*["']([^"']+)["']/gi)) refs.push(m[1]);
  for (const m of html.matchAll(/<link\b[^>]*>/gi)) {
    const tag = m[0];
    const href = /\bhref\s*=\s*["']([^"']+)["']/i.exec(tag)?.[1];
    if (/\brel\s*=\s*["']?(?:stylesheet|modulepreload|preload)/i.test(tag)) refs.push(href);
  }
  const queue = refs.filter(local).map((r) => path.join(www, r));
  while (queue.length) {
    const file = queue.shift();
    if (!add(file) || !/\.m?js$/.test(file)) continue;
    queue.push(...staticImports(file));
  }
  return order;
}

/** Every size figure: first download (per file and total), each matrix, the single file. */
export function sizes(root) {
  const www = path.join(root, 'www');
  const first = firstDownloadFiles(www);
  const sum = (list) => list.reduce((t, f) => ({ raw: t.raw + f.raw, gzip: t.gzip + f.gzip, brotli: t.brotli + f.brotli }), { raw: 0, gzip: 0, brotli: 0 });
  const isData = (f) => /\.json$/.test(f);
  const files = first.filter((f) => !isData(f)).map((f) => sizeOf(f, root));
  const total = sum(files);
  const data = first.filter(isData).map((f) => sizeOf(f, root));
  const later = laterFiles(first).map((f) => sizeOf(f, root));
  const mdir = path.join(www, 'matrices');
  const matrices = fs.existsSync(mdir)
    ? fs.readdirSync(mdir).sort().map((f) => sizeOf(path.join(mdir, f), root))
    : [];
  const dist = path.join(root, 'dist', 'token-doctor.html');
  return {
    firstDownload: { files, total, data: { files: data, total: sum(data) } },
    later: { files: later, total: sum(later) },
    matrices,
    singleFile: fs.existsSync(dist) ? sizeOf(dist, root) : null,
  };
}
