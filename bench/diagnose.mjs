// A narrow benchmark of `diagnose({input})` alone (issue 8, the decode budget), for working on its speed:
//   node bench/diagnose.mjs [pkgDir] [otherPkgDir]
// With one package directory (default www/pkg): the same table as `make bench` section 1 (÷jose, ÷jwt-decode)
// for every token of bench/tokens.mjs. With two: also both builds in alternation on each token (second ÷ first),
// so a change can be judged against the build before it in the same process. Also prints the report's JSON size
// and the time of `JSON.parse` of that JSON (the boundary's JS half).
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { alternate, fmtRatio, fmtTime } from './lib.mjs';
import { ROOT, decodeLatency } from './node.mjs';
import { corpus } from './tokens.mjs';

/** The bindings of the build in `dir`, instantiated under its own URL (its own memory). */
async function load(dir, name) {
  const abs = path.resolve(ROOT, dir);
  const api = await import(`${pathToFileURL(path.join(abs, 'token_doctor.js')).href}?instance=${name}`);
  api.initSync({ module: fs.readFileSync(path.join(abs, 'token_doctor_bg.wasm')) });
  return api;
}

const dirs = process.argv.slice(2);
if (!dirs.length) dirs.push('www/pkg');
const rounds = Number(process.env.ROUNDS ?? 150);
const apis = [];
for (const [i, d] of dirs.entries()) apis.push(await load(d, `b${i}`));

for (const [i, api] of apis.entries()) {
  console.log(`## ${dirs[i]}`);
  console.log('| token | bytes | report JSON | JSON.parse of it | diagnose | jose | ÷jose | ÷jwt-decode |');
  console.log('|---|---|---|---|---|---|---|---|');
  for (const r of decodeLatency(api, { rounds })) {
    const token = corpus().find((t) => t.name === r.name).token;
    const json = JSON.stringify(api.diagnose({ input: token }));
    const parse = alternate({ parse: () => JSON.parse(json) }, { rounds: 30 }).times.parse.median;
    console.log(
      `| ${r.name} | ${r.bytes} | ${json.length} B | ${fmtTime(parse)} | ${fmtTime(r.times.diagnose.median)} | ` +
        `${fmtTime(r.times.jose.median)} | ${fmtRatio(r.ratios['diagnose / jose'])} | ${fmtRatio(r.ratios['diagnose / jwt-decode'])} |`,
    );
  }
}

if (apis.length === 2) {
  console.log(`## ${dirs[1]} ÷ ${dirs[0]} (alternating)`);
  for (const { name, token } of corpus()) {
    const [a, b] = apis;
    const r = alternate(
      { before: () => a.diagnose({ input: token }), after: () => b.diagnose({ input: token }) },
      { rounds, pairs: [['after', 'before']] },
    );
    console.log(
      `| ${name} | ${fmtTime(r.times.before.median)} → ${fmtTime(r.times.after.median)} | ${fmtRatio(r.ratios['after / before'])} |`,
    );
  }
}
