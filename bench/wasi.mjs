// Runs a wasm32-wasip1 program in Node's WASI (V8, the engine of Chromium): `node bench/wasi.mjs <file.wasm>
// [args...]`, with the current directory preopened. `make bench` runs the matrix-lookup example this way, so the
// lookup is timed as wasm, as the page runs it.
import fs from 'node:fs';
import { WASI } from 'node:wasi';

const [file, ...args] = process.argv.slice(2);
const wasi = new WASI({ version: 'preview1', args: ['bench_match', ...args], env: {}, preopens: { '.': process.cwd() } });
const instance = await WebAssembly.instantiate(await WebAssembly.compile(fs.readFileSync(file)), wasi.getImportObject());
process.exitCode = wasi.start(instance);
