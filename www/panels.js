// The panels other modules provide, mounted into one instance: signature verification (verify.js) and live checks
// (live.js, the only part of the page that sends anything, and only on a button press).
import { mountVerifyPanel } from './verify.js';
import { mountLivePanel } from './live.js';

/**
 * Mounts both panels into #verify-panel and #live-panel. `callbacks`: engine (the full engine's bindings, loaded),
 * getRequest, getToken, noToken, getIssuer, onIntrospection, onReport. Returns `{ changed(), holdsSecrets(), clear(),
 * destroy() }`: call `changed()` after each diagnosis.
 */
export function mountPanels(q, { engine, getRequest, getToken, noToken, getIssuer, onIntrospection, onReport }) {
  const verify = mountVerifyPanel(q('verify-panel'), { getRequest, onReport, engine });
  const live = mountLivePanel(q('live-panel'), { getToken, noToken, getIssuer, onIntrospection, engine });
  return {
    changed() { void verify.refresh(); live.refresh(); },
    /** True while either panel holds a key, a secret or a live check's result. */
    holdsSecrets: () => verify.holdsKeys() || live.holdsSecrets(),
    /** Empties both panels' keys, secrets and results (Clear everything). */
    clear() { verify.clear(); live.clear(); },
    destroy() { live.destroy(); },
  };
}
