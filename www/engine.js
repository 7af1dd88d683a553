// The engine an instance talks to (README, "Two engines"). The page starts with the first engine (pkg/first/,
// about two thirds of the full one's size), which answers everything diagnosed from a paste, a built-in matrix, an
// error response or an introspection response. The full engine (pkg/) adds the document import, the live checks
// and signature verification with keys; it is loaded the first time one of them is needed (`fullEngine()`).
// From then on it answers every call: the built-in matrices installed so far are installed in it first, so its
// answers are the ones the first engine gave, and more.
import { startEngine, startFullEngine, inlined } from './assets.js';

let active = null; // the bindings that answer: the first engine's, then the full engine's
let full = null; // the full engine's bindings, once it answers
let loading = null; // Promise of the full engine, while it loads
// id -> bytes of each built-in matrix installed in the first engine, to install again in the full one; emptied then.
// The single file has one engine: nothing to keep.
const installed = new Map();

/** Resolves once the first engine (or the full one, if it came first) can be called. */
export function engineReady() {
  return startEngine().then((bindings) => { active ??= bindings; });
}

/**
 * True when `request` needs the full engine: it brings a document (`matrix`: anything but null or blank text) or
 * keys to verify with (`keys`: anything but null, blank text, `{}` or `[]`), as the engine reads them (the first
 * engine refuses exactly these; tests/e2e/engines.test.mjs compares the two rules).
 */
export function needsFull(request) {
  const matrix = request?.matrix;
  const keys = request?.keys;
  const blankText = (v) => typeof v === 'string' && !v.trim();
  const hasMatrix = matrix != null && !blankText(matrix);
  const hasKeys = keys != null && !blankText(keys)
    && !(typeof keys === 'object' && (Array.isArray(keys) ? keys.length === 0 : Object.keys(keys).length === 0));
  return hasMatrix || hasKeys;
}

/** True once the full engine answers. */
export function fullEngineLoaded() {
  return full !== null;
}

/**
 * Loads the full engine once per page (a failure lets the next call retry), installs in it every built-in
 * matrix installed so far, and makes it answer every call. Resolves to its bindings (`introspect`,
 * `diagnoseAsync`, `importMatrix`...).
 */
export function fullEngine() {
  if (full) return Promise.resolve(full);
  loading ??= startFullEngine().then((bindings) => {
    // The single-file build has one engine: then there is nothing to install again.
    if (bindings !== active) for (const [id, bytes] of installed) bindings.installPlatform(id, bytes);
    installed.clear();
    full = bindings;
    active = bindings;
    return bindings;
  }).finally(() => { loading = null; });
  return loading;
}

/** `diagnose(request)` of the engine that answers; a request that needs the full engine throws until it is loaded. */
export function diagnose(request) {
  if (!full && needsFull(request)) throw new Error('diagnose: this request needs the full engine: await fullEngine() first');
  return active.diagnose(request);
}

/**
 * Installs built-in matrix `id` from its bytes, and keeps them while the first engine answers, to install them in
 * the full engine when it loads.
 */
export function installPlatform(id, bytes) {
  const result = active.installPlatform(id, bytes);
  if (!full && !inlined) installed.set(id, bytes);
  return result;
}

/** The operations of installed platform `id` (for completion). */
export const operations = (id) => active.operations(id);
/** The built-in platforms: `{ builtIn: [id...], installed: [...] }`. */
export const platforms = () => active.platforms();
/** The message of the engine's last Rust panic, if any. */
export const lastPanic = () => active?.lastPanic();
/** The token a paste carries, as the engine reads it, or null. */
export const tokenOf = (input) => active.tokenOf(input);
