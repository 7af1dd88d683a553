// Where the engine's WebAssembly and the built-in matrices come from when the page is served: files next to this
// module. The single-file build (scripts/dist.mjs) replaces this module with one that holds them inline.

/** The argument for the engine's `init()`: undefined = `pkg/token_doctor_bg.wasm` next to the engine module. */
export const engineSource = undefined;

/** True in the single-file build. */
export const inlined = false;

/** The text of built-in matrix `id` (`matrices/<id>.json`, relative to this module, so embedding works). */
export async function matrixText(id) {
  const response = await fetch(new URL(`./matrices/${encodeURIComponent(id)}.json`, import.meta.url));
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}
