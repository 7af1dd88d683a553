// The diagnosis corpus (tests/corpus/*.json, see tests/corpus/build.py) through the wasm JS API in Node: the
// release build in www/pkg (`make build`), the three built-in matrices installed with installPlatform. The same
// expectations as tests/corpus.rs; a failure lists each failing case with its source, what was expected and the
// actual verdict and findings.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

const CORPUS = path.join(ROOT, 'tests/corpus');
const PLATFORMS = ['genesys-cloud', 'microsoft-graph', 'nice-cxone'];

let td;
before(async () => {
  td = await import(path.join(ROOT, 'www/pkg/token_doctor.js'));
  await td.default({ module_or_path: fs.readFileSync(path.join(ROOT, 'www/pkg/token_doctor_bg.wasm')) });
  for (const id of PLATFORMS) {
    const info = td.installPlatform(id, fs.readFileSync(path.join(ROOT, 'www/matrices', `${id}.json`)));
    assert.equal(info.id, id);
    assert.ok(info.operations > 0, `${id} has operations`);
  }
});

const list = (v) => (v === undefined || v === null ? [] : Array.isArray(v) ? v : [v]);

/** Everything `mentions` looks in: title, detail, evidence (source and text), fix; lower case. */
function findingText(f) {
  const parts = [f.title, f.detail];
  for (const e of f.evidence ?? []) parts.push(e.source, e.text);
  for (const step of f.fix ?? []) parts.push(step);
  return parts.filter((p) => typeof p === 'string').join('\n').toLowerCase();
}

/** What the report breaks of the expectations (empty: the case passes). Mirrors `check` in tests/corpus.rs. */
export function check(expect, report) {
  const problems = [];
  const findings = Array.isArray(report.findings) ? report.findings : [];
  const codes = findings.map((f) => f.code);
  const verdicts = list(expect.verdict);
  if (verdicts.length && !verdicts.includes(report.verdict)) {
    problems.push(`verdict ${report.verdict}, expected ${verdicts.join(' or ')}`);
  }
  const firsts = list(expect.first);
  const first = codes[0] ?? '(no findings)';
  if (firsts.length && !firsts.includes(first)) problems.push(`first ${first}, expected ${firsts.join(' or ')}`);
  for (const c of list(expect.codes)) if (!codes.includes(c)) problems.push(`missing code ${c}`);
  for (const c of list(expect.absent)) if (codes.includes(c)) problems.push(`unexpected code ${c}`);
  const mentions = list(expect.mentions);
  if (findings.length) {
    const text = findingText(findings[0]);
    for (const m of mentions) if (!text.includes(m.toLowerCase())) problems.push(`first finding does not mention ${JSON.stringify(m)}`);
  } else if (mentions.length) {
    problems.push('no finding to mention anything');
  }
  // Words no finding may say (a reading that must not be offered).
  for (const m of list(expect.notMentions)) {
    if (findings.some((f) => findingText(f).includes(m.toLowerCase()))) problems.push(`a finding mentions ${JSON.stringify(m)}`);
  }
  if (expect.noErrors === true) {
    const errors = findings.filter((f) => f.severity === 'error').map((f) => f.code);
    if (errors.length) problems.push(`error findings ${JSON.stringify(errors)}, expected none`);
  }
  return problems;
}

function runCase(c) {
  let report;
  try {
    report = td.diagnose(c.request);
  } catch (e) {
    return `${c.id} (${c.source}): diagnose threw: ${e?.message ?? e}`;
  }
  const problems = check(c.expect, report);
  if (!problems.length) return null;
  const actual = (report.findings ?? []).map((f) => `${f.code}(${f.severity})`).join(', ');
  return [
    `${c.id} [${c.class}] ${c.title}`,
    `  source:   ${c.source}`,
    `  expected: ${JSON.stringify(c.expect)}`,
    `  actual:   verdict ${report.verdict}; findings ${actual}`,
    `  problems: ${problems.join('; ')}`,
  ].join('\n');
}

const files = fs.readdirSync(CORPUS).filter((n) => n.endsWith('.json')).sort();

test('the corpus is there', () => {
  assert.ok(files.length >= 18, `corpus files: ${files.join(', ')}`);
});

test('the expectation checker catches each kind of miss', () => {
  const report = {
    verdict: 'denied',
    findings: [
      { code: 'scope.missing', severity: 'error', title: 'Missing Mail.Send', detail: '', evidence: [{ source: 'claim scp', text: 'User.Read' }], fix: ['Add it'] },
      { code: 'token.opaque', severity: 'info', title: '', detail: '', evidence: [], fix: [] },
    ],
  };
  assert.deepEqual(check({ verdict: ['denied'], first: 'scope.missing', codes: ['token.opaque'], absent: ['token.expired'], mentions: ['mail.send', 'user.read', 'ADD IT'], notMentions: ['Mail.Read'] }, report), []);
  for (const [bad, what] of [
    [{ verdict: 'allowed' }, 'verdict'], [{ first: 'token.opaque' }, 'first'], [{ codes: ['token.expired'] }, 'missing code'],
    [{ absent: ['token.opaque'] }, 'unexpected code'], [{ mentions: ['Mail.Read'] }, 'mention'], [{ notMentions: ['add it'] }, 'a finding mentions'],
    [{ noErrors: true }, 'error findings'],
  ]) {
    assert.ok(check(bad, report).some((p) => p.includes(what)), `${JSON.stringify(bad)} should fail with ${what}`);
  }
});

for (const file of files) {
  test(`corpus ${file}`, () => {
    const cases = JSON.parse(fs.readFileSync(path.join(CORPUS, file), 'utf8'));
    assert.ok(cases.length > 0, `${file} has cases`);
    const failures = cases.map(runCase).filter(Boolean);
    assert.ok(failures.length === 0, `${failures.length} of ${cases.length} cases of ${file} fail:\n\n${failures.join('\n\n')}\n`);
  });
}
