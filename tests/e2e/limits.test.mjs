// The page refuses a document file over the engine's limit before reading it (www/mount.js, MAX_DOCUMENT_BYTES);
// the engine's own limit is MAX_MATRIX_BYTES in src/limits.rs. The two are written in two languages: this test
// fails when one changes without the other.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { ROOT } from './harness.mjs';

/** The value of `A << B` or `A * B * …` (decimal integers), the forms both files use. */
function value(expr) {
  const shift = expr.match(/^\s*(\d+)\s*<<\s*(\d+)\s*$/);
  if (shift) return Number(shift[1]) * 2 ** Number(shift[2]);
  assert.match(expr, /^\s*\d+(\s*\*\s*\d+)*\s*$/, `an expression this test reads: ${expr}`);
  return expr.split('*').reduce((product, n) => product * Number(n), 1);
}

/** The expression assigned to `name` in `file` by `pattern` (its one group). */
function constant(file, pattern) {
  const m = fs.readFileSync(path.join(ROOT, file), 'utf8').match(pattern);
  assert.ok(m, `${pattern} in ${file}`);
  return value(m[1]);
}

test("the page's document limit is the engine's", () => {
  const engine = constant('src/limits.rs', /pub const MAX_MATRIX_BYTES: usize = ([^;]+);/);
  const page = constant('www/mount.js', /const MAX_DOCUMENT_BYTES = ([^;]+);/);
  assert.equal(engine, 32 * 1024 * 1024);
  assert.equal(page, engine);
});

test('the limit reader reads both forms and refuses others', () => {
  assert.equal(value('32 << 20'), 33554432);
  assert.equal(value('32 * 1024 * 1024'), 33554432);
  assert.throws(() => value('MAX + 1'));
});
