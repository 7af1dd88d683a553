// Where the engines and the built-in matrices come from when the page is served: files next to this module. The
// single-file build (scripts/dist.mjs) replaces this module with one that holds them inline.
//
// Two engines, two builds of the same crate (README, "Two engines"): the first engine (pkg/first/) answers what
// the page diagnoses from a paste; the full engine (pkg/) adds the document import, the live checks and signature
// verification with keys, and is loaded the first time one of them is needed (engine.js).
//
// The first engine starts as soon as this module runs: its bindings are imported while its wasm is fetched and
// compiled, then it is instantiated. index.html also runs this module on its own, as an async module script, so
// all of that happens while the page's other modules are still arriving.

/** True in the single-file build. */
export const inlined = false;

/** The compiled WebAssembly.Module of the wasm at `url`. */
async function compile(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`the engine could not be fetched: HTTP ${response.status}`);
  // Streaming compiles while the bytes arrive; it needs the application/wasm type, else compile the bytes.
  return WebAssembly.compileStreaming(response.clone())
    .catch(() => response.arrayBuffer().then((bytes) => WebAssembly.compile(bytes)));
}

/**
 * An engine: `bindings` (the promise of a wasm-bindgen module, imported by the caller with a literal `import()`)
 * instantiated with the wasm at `url`, fetched and compiled meanwhile. Resolves to the bindings, ready to call.
 */
export function loadEngine(bindings, url) {
  return Promise.all([bindings, compile(url)])
    .then(([b, module]) => b.default({ module_or_path: module }).then(() => b));
}

let first = null;
/** Starts the first engine once per page; resolves to its bindings (`pkg/first/token_doctor.js`) once callable. */
export function startEngine() {
  first ??= loadEngine(import('./pkg/first/token_doctor.js'), new URL('./pkg/first/token_doctor_bg.wasm', import.meta.url));
  return first;
}

/**
 * Starts the full engine (full-engine.js, not part of the first download); resolves to its bindings
 * (`pkg/token_doctor.js`) once callable. Each call starts it: engine.js calls it once at a time, and again only
 * after a failure.
 */
export function startFullEngine() {
  return import('./full-engine.js').then((m) => m.startFullEngine());
}

startEngine().catch(() => {}); // a failure is reported where mount.js awaits the engine

/**
 * The bytes (UTF-8 JSON) of built-in matrix `id` (`matrices/<id>.json`, relative to this module, so embedding
 * works), fetched at low priority: the engine comes first. Bytes, not text: the engine reads UTF-8, so the half
 * megabyte of Microsoft Graph is neither decoded to a string nor encoded back on the way to the verdict.
 */
export async function matrixBytes(id) {
  const response = await fetch(new URL(`./matrices/${encodeURIComponent(id)}.json`, import.meta.url), { priority: 'low' });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return new Uint8Array(await response.arrayBuffer());
}
