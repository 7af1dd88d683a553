// Measurement helpers for the benchmark: medians with their spread, and ratios measured in alternation in the
// same process (each round runs every contender once, in a rotating order, so machine noise hits all alike).
import { performance } from 'node:perf_hooks';

/** The q-quantile (0..1) of a numeric array (linear interpolation). */
export function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  if (!s.length) return NaN;
  const pos = (s.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return s[lo] + (s[hi] - s[lo]) * (pos - lo);
}

/** `{ median, p25, p75, min, n }` of samples. */
export function summary(values) {
  return {
    median: quantile(values, 0.5),
    p25: quantile(values, 0.25),
    p75: quantile(values, 0.75),
    min: Math.min(...values),
    n: values.length,
  };
}

/** How many calls of `fn` take about `targetMs` (at least 1), so one sample is well above timer resolution. */
export function calibrate(fn, targetMs = 2) {
  let n = 1;
  for (;;) {
    const t0 = performance.now();
    for (let i = 0; i < n; i++) fn(i);
    const dt = performance.now() - t0;
    if (dt >= targetMs || n >= 1 << 20) return Math.max(1, Math.round((n * targetMs) / Math.max(dt, 1e-3)));
    n *= 2;
  }
}

/**
 * Runs the contenders `{ name: fn }` in alternation for `rounds` rounds; each sample times `batch[name]` calls
 * (calibrated when not given) and records the time per call in microseconds. Returns `{ name: summary }` plus
 * `ratios[a/b]` for each pair given in `pairs` (the per-round ratio, summarized).
 */
export function alternate(contenders, { rounds = 100, warmup = 5, targetMs = 2, pairs = [], batch = {} } = {}) {
  const names = Object.keys(contenders);
  const sizes = {};
  for (const name of names) {
    for (let w = 0; w < warmup; w++) contenders[name](w);
    sizes[name] = batch[name] ?? calibrate(contenders[name], targetMs);
  }
  const samples = Object.fromEntries(names.map((n) => [n, []]));
  for (let r = 0; r < rounds; r++) {
    for (let k = 0; k < names.length; k++) {
      const name = names[(r + k) % names.length];
      const fn = contenders[name];
      const n = sizes[name];
      const t0 = performance.now();
      for (let i = 0; i < n; i++) fn(i);
      samples[name].push(((performance.now() - t0) * 1000) / n);
    }
  }
  const out = { times: {}, ratios: {}, batch: sizes, rounds };
  for (const name of names) out.times[name] = summary(samples[name]);
  for (const [a, b] of pairs) {
    out.ratios[`${a} / ${b}`] = summary(samples[a].map((t, i) => t / samples[b][i]));
  }
  return out;
}

/** A small deterministic PRNG (mulberry32), so the corpus and the paths are the same on every run. */
export function rng(seed = 0x7d0c) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Formats microseconds (or ms / s) with 3 significant figures. */
export function fmtTime(us) {
  if (!Number.isFinite(us)) return 'n/a';
  if (us < 1000) return `${us.toPrecision(3)} µs`;
  if (us < 1e6) return `${(us / 1000).toPrecision(3)} ms`;
  return `${(us / 1e6).toPrecision(3)} s`;
}

/** `median [p25–p75]` of a time summary in µs. */
export function fmtSummary(s) {
  return `${fmtTime(s.median)} [${fmtTime(s.p25)}–${fmtTime(s.p75)}]`;
}

/** `1.23× [1.10–1.40]` of a ratio summary. */
export function fmtRatio(s) {
  return `${s.median.toFixed(2)}× [${s.p25.toFixed(2)}–${s.p75.toFixed(2)}]`;
}

/** Bytes as KB (1 KB = 1024 bytes) with one decimal. */
export function fmtKB(bytes) {
  return `${(bytes / 1024).toFixed(1)} KB`;
}
