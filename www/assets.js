// Where the engine and the built-in matrices come from when the page is served: files next to this module. The
// single-file build (scripts/dist.mjs) replaces this module with one that holds them inline.
//
// The engine starts as soon as this module runs: its bindings (pkg/token_doctor.js) are imported while its wasm
// is fetched and compiled, then it is instantiated. index.html also runs this module on its own, as an async
// module script, so all of that happens while the page's other modules are still arriving.

/** True in the single-file build. */
export const inlined = false;

/** The engine's compiled WebAssembly.Module (`pkg/token_doctor_bg.wasm` next to this module). */
async function compileEngine() {
  const response = await fetch(new URL('./pkg/token_doctor_bg.wasm', import.meta.url));
  if (!response.ok) throw new Error(`the engine could not be fetched: HTTP ${response.status}`);
  // Streaming compiles while the bytes arrive; it needs the application/wasm type, else compile the bytes.
  return WebAssembly.compileStreaming(response.clone())
    .catch(() => response.arrayBuffer().then((bytes) => WebAssembly.compile(bytes)));
}

let engine = null;
/** Starts the engine once per page; resolves when its exports can be called. */
export function startEngine() {
  engine ??= Promise.all([import('./pkg/token_doctor.js'), compileEngine()])
    .then(([bindings, module]) => bindings.default({ module_or_path: module }));
  return engine;
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
