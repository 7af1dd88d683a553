// The Markdown report ("Copy report") in Node, from real reports of the full engine: whatever the claims, the
// operation or the response say, the Markdown shows them as text. It makes no link, image, autolink, raw HTML or
// emphasis of them, and no extra table cell: a ticket that renders it loads nothing and shows no disguised link.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT, makeJwt } from './harness.mjs';

const NOW = 1795000000;
let td, reportMarkdown;
before(async () => {
  td = await import(path.join(ROOT, 'www/pkg/token_doctor.js'));
  await td.default({ module_or_path: fs.readFileSync(path.join(ROOT, 'www/pkg/token_doctor_bg.wasm')) });
  td.installPlatform('microsoft-graph', fs.readFileSync(path.join(ROOT, 'www/matrices/microsoft-graph.json')));
  ({ reportMarkdown } = await import(path.join(ROOT, 'www/report-md.js')));
});

/** The line with its code spans taken out (CommonMark: a run of n backticks closes at the next run of n). */
function outsideCode(line) {
  let out = '';
  for (let i = 0; i < line.length;) {
    if (line[i] === '\\') { out += line.slice(i, i + 2); i += 2; continue; }
    const run = /^`+/.exec(line.slice(i));
    if (!run) { out += line[i]; i += 1; continue; }
    const close = line.slice(i + run[0].length).search(new RegExp(`(?<!\`)${run[0]}(?!\`)`));
    if (close < 0) { out += run[0]; i += run[0].length; continue; }
    i += run[0].length + close + run[0].length;
    out += '<code>'.replace(/./g, ' ');
  }
  return out;
}

/** Characters that make Markdown syntax, unescaped, outside code spans. */
const unescaped = (text, chars) => [...text.matchAll(new RegExp(`(?<!\\\\)(?:\\\\\\\\)*[${chars}]`, 'g'))].map((m) => m[0].at(-1));

const LINK = '![](https://evil.example/px.png)[Sign in again](https://evil.example/login)<img src=x>*bold*_em_~~s~~&#x202E;gpj.exe';

test('hostile claims, kid, operation and response reach the Markdown as text, in every line and table cell', () => {
  const token = makeJwt({
    aud: LINK, iss: `https://evil.example/${LINK}`, scp: `User.Read ${LINK} a|b \`tick`, sub: LINK, exp: `${LINK}`,
    appid: LINK, tid: LINK, ver: LINK, iat: NOW - 60,
  }, { alg: 'RS256', typ: 'JWT', kid: `${LINK}|x` });
  const operation = `POST https://graph.microsoft.com/v1.0/me/sendMail|${LINK}`;
  const response = `HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer error="insufficient_scope", error_description="${LINK}", scope="${LINK}"\r\n\r\n{"error":{"code":"${LINK}","message":"${LINK}"}}`;
  const report = td.diagnose({ input: token, operation, response, previous: makeJwt({ aud: LINK, scp: LINK }), now: NOW });
  assert.ok(report.findings.length >= 3, `${report.findings.length} findings`);
  assert.ok(JSON.stringify(report).includes('evil.example/px.png'), 'the hostile text reaches the report (else this test shows nothing)');
  for (const opts of [{}, { includePersonal: true, includeToken: true, tokenText: token }]) {
    const md = reportMarkdown(report, { ...opts, operationText: operation, fingerprint: 'ab'.repeat(32), generatedAt: NOW });
    assert.ok(md.includes('evil.example/px.png'), 'shown, as text');
    const lines = md.split('\n');
    const fenced = new Set(); // lines of the token's fenced block (included on request), shown verbatim
    lines.forEach((l, i) => { if (/^`{3,}$/.test(l)) fenced.add(i); });
    const [open, close] = [...fenced];
    let columns = 0;
    for (const [i, line] of lines.entries()) {
      if (open !== undefined && i >= open && i <= close) continue;
      // The report's own syntax: a quote, a finding's bold severity, the closing line in emphasis.
      const text = outsideCode(line).replace(/^> /, '').replace(/^\d+\. \*\*\w+\*\* /, '').replace(/^_Diagnosed by .*_$/, '');
      assert.deepEqual(unescaped(text, '\\[\\]<*~&'), [], `line ${i + 1}: ${line}`);
      // `_` makes emphasis only at a word's edge.
      assert.deepEqual(text.match(/(?<![\\\p{L}\p{N}])_|(?<!\\)_(?![\p{L}\p{N}])/gu) ?? [], [], `line ${i + 1}: ${line}`);
      if (line.startsWith('|')) {
        const cells = unescaped(line, '|').length - 1; // GitHub splits at an unescaped | even inside code
        if (!lines[i - 1]?.startsWith('|')) columns = cells; // the header row
        assert.equal(cells, columns, `line ${i + 1}: ${line}`);
      }
    }
  }
});

test('the engine\'s code spans stay code spans, and a value with backticks stays one code span', () => {
  const token = makeJwt({ aud: 'https://graph.microsoft.com', scp: 'User.Read', iat: NOW - 60, exp: NOW + 600 });
  const report = td.diagnose({ input: token, operation: 'POST https://graph.microsoft.com/v1.0/me/sendMail', now: NOW });
  const md = reportMarkdown(report, {});
  assert.match(md, /`Mail\.Send`/);
  assert.ok(!md.includes('\\`Mail'), md);
  // Readable as plain text too: no escapes where Markdown needs none (`>` mid-line, `_` inside a word).
  assert.ok(!md.includes('\\>'), md);
  assert.ok(!/[\p{L}\p{N}]\\_[\p{L}\p{N}]/u.test(md), md);
});
