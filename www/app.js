// The page: mounts one Token Doctor instance into #app. Everything else lives in mount.js, shared with the
// <token-doctor> element (element.js) and the single-file build (scripts/dist.mjs).
import { mountTokenDoctor } from './mount.js';

await mountTokenDoctor(document.getElementById('app'));
