// Builds dist/token-doctor.html: the whole page in one self-contained file that works from file:// with no
// server and no network. The WebAssembly (base64), every JS module of the page (joined by the small bundler
// below), the stylesheet and the built-in matrices are inlined; the CSP allows exactly the one inline script and
// the one inline style, by hash. Usage: node scripts/dist.mjs [output.html]   (run `make build` first)
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const WWW = path.join(ROOT, 'www');
const OUT = path.resolve(process.argv[2] ?? path.join(ROOT, 'dist', 'token-doctor.html'));
const CONNECT_SRC = "'self' https: http://127.0.0.1:* http://localhost:*";

const fail = (msg) => { throw new Error(`dist: ${msg}`); };
const rel = (file) => path.relative(ROOT, file);

/**
 * Joins ES modules into one module script. Each module becomes `const __mN = await (async () => { ... return
 * {exports} })();`, its imports become destructurings of the modules it uses. A dynamic `import('./x.js')` (a
 * relative string literal) becomes `Promise.resolve(__mN)`: in the single file every module is already there.
 * Only the forms this project writes are accepted; anything else (a computed dynamic import, `export *`,
 * re-exports, destructuring exports) stops the build with the file and the line, rather than producing a file
 * that breaks at run time.
 */
export function bundle(entry, replacements = new Map()) {
  const ids = new Map();
  const visiting = new Set();
  const chunks = [];
  let counter = 0;

  function visit(file) {
    if (ids.has(file)) return ids.get(file);
    if (visiting.has(file)) fail(`import cycle through ${rel(file)}`);
    visiting.add(file);
    const source = replacements.get(file) ?? fs.readFileSync(file, 'utf8');
    const where = (index) => `${rel(file)}:${source.slice(0, index).split('\n').length}`;
    let code = source.replace(/(?<![\w$.])import\s*\(\s*(['"])(\.[^'"]+)\1\s*\)/g,
      (_all, _q, spec) => `Promise.resolve(${visit(path.resolve(path.dirname(file), spec))})`);
    const dynamic = code.search(/(?<![\w$.])import\s*\(/);
    if (dynamic >= 0) fail(`only import('./relative.js') is supported (${rel(file)}:${code.slice(0, dynamic).split('\n').length})`);

    code = code.replace(
      /^[ \t]*import\s+(?:([\w$]+)\s*,?\s*)?(?:\*\s*as\s+([\w$]+)|\{([^}]*)\})?\s*(?:from\s*)?(['"])([^'"]+)\4[ \t]*;?/gm,
      (_all, def, ns, named, _q, spec) => {
        if (!spec.startsWith('.')) fail(`bare import '${spec}' in ${rel(file)}`);
        const dep = visit(path.resolve(path.dirname(file), spec));
        const parts = [];
        if (def) parts.push(`default: ${def}`);
        for (const item of (named ?? '').split(',').map((s) => s.trim()).filter(Boolean)) {
          const [name, alias] = item.split(/\s+as\s+/);
          parts.push(alias ? `${name}: ${alias}` : name);
        }
        const lines = [];
        if (parts.length) lines.push(`const { ${parts.join(', ')} } = ${dep};`);
        if (ns) lines.push(`const ${ns} = ${dep};`);
        return lines.join(' ');
      });

    const exported = [];
    code = code.replace(/^[ \t]*export\s*\{([^}]*)\}\s*(from\s*['"][^'"]*['"])?\s*;?/gm, (all, list, from, index) => {
      if (from) fail(`re-export is not supported (${where(index)})`);
      for (const item of list.split(',').map((s) => s.trim()).filter(Boolean)) {
        const [name, alias] = item.split(/\s+as\s+/);
        exported.push([alias ?? name, name]);
      }
      return '';
    });
    code = code.replace(/^([ \t]*)export\s+default\s+(async\s+function\*?|function\*?|class)\s+([\w$]+)/gm, (_a, indent, kind, name) => {
      exported.push(['default', name]);
      return `${indent}${kind} ${name}`;
    });
    code = code.replace(/^([ \t]*)export\s+default\s+/gm, (_a, indent) => {
      exported.push(['default', '__default']);
      return `${indent}const __default = `;
    });
    code = code.replace(/^([ \t]*)export\s+(async\s+function\*?|function\*?|const|let|var|class)\s+([\w$]+)/gm, (_a, indent, kind, name) => {
      exported.push([name, name]);
      return `${indent}${kind} ${name}`;
    });
    const left = code.search(/^[ \t]*(export|import)\b(?!\.meta)/m);
    if (left >= 0) fail(`unsupported import/export form in ${rel(file)}: ${code.slice(left, left + 80).split('\n')[0]}`);

    const id = `__m${counter++}`;
    const body = exported.map(([name, local]) => (name === local ? name : `${JSON.stringify(name)}: ${local}`)).join(', ');
    chunks.push(`// ---- ${rel(file)}\nconst ${id} = await (async () => {\n${code}\nreturn { ${body} };\n})();`);
    visiting.delete(file);
    ids.set(file, id);
    return id;
  }

  visit(path.resolve(entry));
  return chunks.join('\n');
}

/** The replacement for www/assets.js: the full engine (the only one in this file) and the matrices as inline data. */
function inlineAssets() {
  const wasm = fs.readFileSync(path.join(WWW, 'pkg', 'token_doctor_bg.wasm'));
  const dir = path.join(WWW, 'matrices');
  const matrices = {};
  for (const name of fs.existsSync(dir) ? fs.readdirSync(dir).sort() : []) {
    if (name.endsWith('.json')) matrices[name.slice(0, -5)] = fs.readFileSync(path.join(dir, name), 'utf8');
  }
  const source = `// Inlined by scripts/dist.mjs: the engine's WebAssembly (base64) and the built-in matrices.
const WASM_BASE64 = ${JSON.stringify(wasm.toString('base64'))};
const MATRICES = ${JSON.stringify(matrices)};
function decode(base64) {
  const text = atob(base64);
  const bytes = new Uint8Array(text.length);
  for (let i = 0; i < text.length; i += 1) bytes[i] = text.charCodeAt(i);
  return bytes;
}
export const inlined = true;
let engine = null;
export function startEngine() {
  engine ??= Promise.all([import('./pkg/token_doctor.js'), WebAssembly.compile(decode(WASM_BASE64))])
    .then(([bindings, module]) => bindings.default({ module_or_path: module }).then(() => bindings));
  return engine;
}
// One engine in this file, the full one: it is also the first (engine.js then has nothing to install again).
export const startFullEngine = startEngine;
startEngine().catch(() => {});
export async function matrixBytes(id) {
  if (!Object.hasOwn(MATRICES, id)) throw new Error('not in this file');
  return new TextEncoder().encode(MATRICES[id]);
}
`;
  return { source, wasmBytes: wasm.length, matrices: Object.keys(matrices) };
}

const sha256 = (text) => `'sha256-${crypto.createHash('sha256').update(text, 'utf8').digest('base64')}'`;

/**
 * Script text that is safe as the raw text of an inline <script>: no `<script`, `</script` or `<!--` (they would
 * end the element or change how it is parsed). `\x3C` means `<` in JS strings, templates and regular expressions,
 * which is where these sequences occur (the embed snippets, matrix text).
 */
function rawScript(text) {
  return text.replace(/<(?=\/?script|!--)/gi, '\\x3C');
}

function main() {
  if (!fs.existsSync(path.join(WWW, 'pkg', 'token_doctor.js'))) fail('www/pkg is missing: run `make build` first');
  const assets = inlineAssets();
  const js = rawScript(bundle(path.join(WWW, 'app.js'), new Map([[path.join(WWW, 'assets.js'), assets.source]])));
  const css = fs.readFileSync(path.join(WWW, 'style.css'), 'utf8');
  if (/<\/style/i.test(css)) fail('style.css contains </style');
  const csp = [
    "default-src 'none'", `script-src ${sha256(js)} 'wasm-unsafe-eval'`, `style-src ${sha256(css)}`, 'img-src data:',
    `connect-src ${CONNECT_SRC}`, "base-uri 'none'", "form-action 'none'",
  ].join('; ');
  const html = `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="referrer" content="no-referrer">
<meta name="color-scheme" content="light dark">
<title>Token Doctor: why did the API answer 401 or 403?</title>
<link rel="icon" href="data:,">
<style>${css}</style>
</head>
<body>
<main id="app" class="td-host"><noscript><p>Token Doctor runs in your browser with JavaScript and WebAssembly; please enable JavaScript.</p></noscript></main>
<script type="module">${js}</script>
</body>
</html>
`;
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, html);
  const kb = (n) => `${(n / 1024).toFixed(0)} KiB`;
  console.log(`[dist] ${rel(OUT)}: ${kb(Buffer.byteLength(html))} (wasm ${kb(assets.wasmBytes)}, matrices: ${assets.matrices.join(', ') || 'none'})`);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) main();
