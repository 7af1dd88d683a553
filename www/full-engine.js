// The full engine's files (README, "Two engines"): its bindings (pkg/token_doctor.js) and its wasm, fetched and
// compiled the first time the page needs the full engine. assets.js loads this module with import() then, so
// none of it is part of the first download (the single-file build has its own assets.js and no such module).
import { compile, instantiate } from './assets.js';

let full = null;
/** Starts the full engine once per page; resolves to its bindings once callable. A failure lets the next call retry. */
export function startFullEngine() {
  full ??= Promise.all([
    import('./pkg/token_doctor.js'),
    compile(new URL('./pkg/token_doctor_bg.wasm', import.meta.url)),
  ]).then(instantiate);
  full.catch(() => { full = null; });
  return full;
}
