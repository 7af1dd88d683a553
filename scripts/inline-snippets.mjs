// Folds wasm-bindgen's `inline_js` snippets into the bindings (www/pkg/token_doctor.js), run by `make build` after
// wasm-bindgen. An imported snippet is one more request that starts only once the bindings have arrived and been
// parsed, on the page's critical path to its first verdict (about 25 ms of a 130 ms cold start here). The snippet's
// `import.meta.url` is replaced by the URL the snippet file has, so the code means the same in its new place
// (src/bindings.rs finds the built-in matrices relative to it). Only the form wasm-bindgen writes for this crate
// is accepted (`import { a, b } from './snippets/<dir>/inlineN.js';`, snippets of `export function` declarations);
// anything else fails the build rather than be folded wrongly.
//
// Usage: node scripts/inline-snippets.mjs www/pkg/token_doctor.js
import fs from 'node:fs';
import path from 'node:path';

const fail = (message) => { console.error(`[inline-snippets] ${message}`); process.exit(1); };
const glue = process.argv[2] ?? fail('usage: inline-snippets.mjs <bindings.js>');
const dir = path.dirname(glue);
let code = fs.readFileSync(glue, 'utf8');
let folded = 0;
code = code.replace(/^import \{([^}]*)\} from '(\.\/snippets\/[^']+\.js)';\n/gm, (line, names, spec) => {
  let snippet = fs.readFileSync(path.join(dir, spec), 'utf8');
  if (/^\s*(import|export\s+(?!function\s))/m.test(snippet)) fail(`${spec}: only \`export function\` snippets are folded`);
  const declared = [...snippet.matchAll(/^\s*export\s+function\s+([\w$]+)/gm)].map((m) => m[1]);
  for (const name of names.split(',').map((n) => n.trim()).filter(Boolean)) {
    if (!declared.includes(name)) fail(`${spec} does not declare ${name}`);
  }
  snippet = snippet
    .replace(/^(\s*)export\s+function\s/gm, '$1function ')
    .replaceAll('import.meta.url', `new URL(${JSON.stringify(spec)}, import.meta.url).href`);
  folded += 1;
  return `// ${spec}, folded in by scripts/inline-snippets.mjs\n${snippet.trimEnd()}\n`;
});
if (/from '\.\/snippets\//.test(code)) fail('a snippet import of another form is left');
fs.writeFileSync(glue, code);
console.log(`[inline-snippets] ${folded} snippet(s) folded into ${glue}`);
