// The full engine's files (README, "Two engines"): its bindings (pkg/token_doctor.js) and its wasm, fetched and
// compiled the first time the page needs the full engine. assets.js loads this module with import() then, so
// none of it is part of the first download (the single-file build has its own assets.js and no such module).
import { loadEngine } from './assets.js';

/** Starts the full engine; resolves to its bindings once callable (engine.js keeps the one that loaded). */
export function startFullEngine() {
  return loadEngine(import('./pkg/token_doctor.js'), new URL('./pkg/token_doctor_bg.wasm', import.meta.url));
}
