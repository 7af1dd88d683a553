// scripts/setup.sh on a machine without Chromium, for a user who is not root (SETUP_UID and SETUP_CHROMIUM stand in
// for `id -u` and /usr/bin/chromium): building and serving the page go on with a warning, the tests' setup stops.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const setup = (...args) => spawnSync('bash', ['scripts/setup.sh', ...args], {
  cwd: ROOT, encoding: 'utf8', env: { ...process.env, SETUP_UID: '1000', SETUP_CHROMIUM: '/nonexistent/chromium' },
});

test('setup without Chromium and without root: `build` warns and goes on, the full setup stops and says how', () => {
  const build = setup('build');
  assert.equal(build.status, 0, build.stderr);
  assert.match(build.stderr, /warning: Chromium is missing \(only the tests need it/);
  assert.match(build.stderr, /sudo apt-get install chromium chromium-driver/);

  const all = setup();
  assert.equal(all.status, 1);
  assert.match(all.stderr, /Chromium is missing and installing it needs root: run 'sudo apt-get install chromium chromium-driver'/);
  assert.doesNotMatch(all.stderr, /warning/);
});

test('setup for building, as root, where Chromium cannot be installed (no apt-get): warns and goes on', () => {
  const r = spawnSync('bash', ['scripts/setup.sh', 'build'], {
    cwd: ROOT, encoding: 'utf8',
    env: { ...process.env, SETUP_UID: '0', SETUP_CHROMIUM: '/nonexistent/chromium', SETUP_APT: '/nonexistent/apt-get' },
  });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /warning: Chromium could not be installed \(only the tests need it\)/);
});

test('setup on this machine (Chromium present) says nothing about Chromium', () => {
  const r = spawnSync('bash', ['scripts/setup.sh'], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, r.stderr);
  assert.doesNotMatch(r.stderr + r.stdout, /Chromium/);
});
