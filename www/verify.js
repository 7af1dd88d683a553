// The "Verify signature" panel: the user gives the issuer's public keys (JWKS, JWK, PEM public key or certificate)
// or the HMAC secret (as text or as base64, chosen explicitly), and the engine's diagnoseAsync checks the signature
// with WebCrypto. Self-contained: builds its own elements inside `container` (a page section or a shadow root),
// renders text only (never HTML), and never writes a key or a token to the console, the URL or storage.
import * as wasm from './pkg/token_doctor.js';
import { keyName, signatureText } from './format.js';

export { keyName, signatureText };

let instances = 0;

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'text') node.textContent = String(v);
    else if (k === 'class') node.className = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children.filter(Boolean));
  return node;
}

/**
 * Mounts the panel into `container`. `getRequest()` returns the current diagnose request (input, operation, ...);
 * the panel adds `keys` and calls diagnoseAsync; `onReport(report)` receives the report with the signature
 * checked. Returns `{ element, verify, refresh, reset, setKeys, clear, holdsKeys }`: call `refresh()` when the request changes (it
 * re-checks when a key is present, and otherwise shows "Decoded, not verified"); `setKeys(jwks)` fills in public
 * keys found elsewhere (discovery's jwks_uri) and checks. `engine` (optional): the initialized module with
 * `diagnoseAsync` (default: the full engine's bindings, pkg/token_doctor.js).
 */
export function mountVerifyPanel(container, { getRequest, onReport, engine = wasm } = {}) {
  const n = ++instances;
  const id = (name) => `td-verify-${name}-${n}`;
  const kinds = [
    ['public', 'Public key: JWKS, JWK, PEM public key or certificate'],
    ['secret', 'HMAC secret, as text'],
    ['secretBase64', 'HMAC secret, as base64'],
  ];
  const radios = kinds.map(([value, label]) => {
    const input = el('input', { type: 'radio', name: id('kind'), value, id: id(value), checked: value === 'public' });
    return [input, el('label', { class: 'check', for: id(value) }, input, ` ${label}`)];
  });
  const publicKey = el('textarea', {
    id: id('public-text'), class: 'verify-key', rows: 5, spellcheck: 'false', autocomplete: 'off',
    placeholder: '{"keys":[...]}  or  -----BEGIN PUBLIC KEY-----  or  -----BEGIN CERTIFICATE-----',
  });
  const secret = el('input', {
    id: id('secret-text'), class: 'verify-secret', type: 'password', spellcheck: 'false', autocomplete: 'off',
  });
  const publicField = el('div', { class: 'field' }, el('label', { for: id('public-text'), text: 'Keys' }), publicKey);
  const secretField = el('div', { class: 'field', hidden: true }, el('label', { for: id('secret-text'), text: 'Secret' }), secret);
  const button = el('button', { type: 'button', class: 'verify-button', text: 'Verify signature' });
  const status = el('p', { class: 'status verify-status', role: 'status', 'aria-live': 'polite', dataset: { status: 'not_checked' }, text: 'Decoded, not verified.' });
  const detail = el('p', { class: 'meta verify-detail', text: '' });
  const element = el('div', { class: 'verify' },
    el('h3', { text: 'Verify signature' }),
    el('p', { class: 'meta', text: 'Give the issuer\u2019s public keys (its JWKS from jwks_uri, one JWK, a PEM public key or certificate) or the shared secret. The check runs in this page with WebCrypto; the key is sent nowhere and not kept.' }),
    el('fieldset', {}, el('legend', { text: 'Key type' }), ...radios.map(([, label]) => label)),
    publicField, secretField,
    el('div', { class: 'row' }, button),
    status, detail);
  container.replaceChildren(element);
  if ('hidden' in container) container.hidden = false;

  const kind = () => radios.find(([input]) => input.checked)?.[0].value ?? 'public';
  function keys() {
    const k = kind();
    if (k === 'public') return publicKey.value.trim() ? publicKey.value : null;
    if (!secret.value) return null;
    return k === 'secret' ? { secret: secret.value } : { secretBase64: secret.value };
  }

  function show(signature, findings = []) {
    const state = signature?.status ?? 'not_checked';
    status.dataset.status = state;
    status.textContent = signatureText(signature);
    // The most relevant signature finding explains a refusal or a failure in a sentence.
    const f = findings.find((x) => /^(signature\.|token\.unsigned)/.test(x?.code ?? ''));
    detail.textContent = f ? `${f.title}. ${f.detail}` : (state === 'not_checked' && signature?.detail ? signature.detail : '');
  }

  let seq = 0;
  /** Checks the signature now with the key given; resolves to the report (or null when there is no key). */
  async function verify() {
    const k = keys();
    const mine = ++seq;
    if (!k) {
      show({ status: 'not_checked' });
      detail.textContent = 'Give a key first.';
      return null;
    }
    button.disabled = true;
    status.dataset.status = 'checking';
    status.textContent = 'Checking the signature\u2026';
    try {
      const report = await engine.diagnoseAsync({ ...(getRequest?.() ?? { input: '' }), keys: k });
      if (mine !== seq) return null; // a newer check started; its answer wins
      show(report.signature, report.findings ?? []);
      onReport?.(report);
      return report;
    } catch (err) {
      if (mine === seq) {
        show({ status: 'not_checked' });
        detail.textContent = `The check could not run: ${err?.message ?? err}`;
      }
      return null;
    } finally {
      if (mine === seq) button.disabled = false;
    }
  }

  /** Back to "Decoded, not verified" (the token changed and no key is given). */
  function reset() {
    seq++;
    button.disabled = false;
    show({ status: 'not_checked' });
  }

  /** Call when the request changed: re-checks when a key is present, otherwise resets. */
  function refresh() {
    return keys() ? verify() : (reset(), Promise.resolve(null));
  }

  for (const [input] of radios) {
    input.addEventListener('change', () => {
      const isPublic = kind() === 'public';
      publicField.hidden = !isPublic;
      secretField.hidden = isPublic;
      reset();
    });
  }
  button.addEventListener('click', () => { void verify(); });

  /** Puts public keys in the panel (e.g. the JWKS the live checks fetched from jwks_uri on the user's click) and checks. */
  function setKeys(text) {
    const [publicRadio] = radios[0];
    publicRadio.checked = true;
    publicField.hidden = false;
    secretField.hidden = true;
    publicKey.value = typeof text === 'string' ? text : JSON.stringify(text);
    return verify();
  }

  /** True while a key or secret is typed in (the instance clears it after a while without use). */
  const holdsKeys = () => Boolean(publicKey.value || secret.value);

  /** Empties the key and the secret, back to public keys and "Decoded, not verified" (Clear everything). */
  function clear() {
    publicKey.value = '';
    secret.value = '';
    const [publicRadio] = radios[0];
    publicRadio.checked = true;
    publicField.hidden = false;
    secretField.hidden = true;
    reset();
    detail.textContent = '';
  }

  return { element, verify, refresh, reset, setKeys, clear, holdsKeys };
}
