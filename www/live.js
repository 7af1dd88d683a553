// The live-check panel: introspection (RFC 7662), discovery from the token's `iss`, and Genesys Cloud
// GET /api/v2/tokens/me. The only part of the page that talks to the network, and only when a button is pressed.
// Before sending, it states which address receives the token (computed by the same engine code that sends).
// The client secret lives in this panel's input only: never stored, never put in the URL, never logged.
// Everything is rendered with textContent, never as HTML.
//
//   import { mountLivePanel } from './live.js';
//   await init();   // the engine must be initialized first
//   mountLivePanel(document.querySelector('#live'), {
//     getToken: () => '<the access token being diagnosed>',   // or null: then nothing is sent
//     noToken: () => null,                              // optional: why there is none, when the default sentence is not it
//     getIssuer: () => report.claims?.issuer,          // the token's iss, if any
//     onIntrospection: (response, extra) => rediagnose({ introspection: response }),
//     onDiscovery: (doc) => {},                         // optional: the metadata document (jwks_uri...)
//   });
import * as wasm from './pkg/token_doctor.js';

const REGIONS = [
  'mypurecloud.com', 'mypurecloud.ie', 'mypurecloud.com.au', 'mypurecloud.jp', 'mypurecloud.de', 'usw2.pure.cloud',
  'cac1.pure.cloud', 'apne2.pure.cloud', 'euw2.pure.cloud', 'aps1.pure.cloud', 'use2.us-gov-pure.cloud',
  'sae1.pure.cloud', 'mec1.pure.cloud', 'apne3.pure.cloud', 'euc2.pure.cloud', 'mxc1.pure.cloud',
  'apse1.pure.cloud', 'edee1.eusc-pure.cloud',
];

let panelCount = 0;

function el(tag, props = {}, children = []) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(props)) {
    if (k === 'text') node.textContent = v;
    else if (k === 'dataset') Object.assign(node.dataset, v);
    else if (k in node && typeof v !== 'string') node[k] = v;
    else node.setAttribute(k, v);
  }
  node.append(...children);
  return node;
}

/**
 * Renders the live-check panel into `container` and returns `{ element, destroy }`.
 * Options: `getToken()` → the token to check (string), or null (or '') when the paste carries none: then the
 * buttons that send a token send nothing and say so; `noToken()` (optional) → the sentence saying why there is no
 * token, when it is not simply that none was recognized; `getIssuer()` → the token's `iss` or undefined;
 * `onIntrospection(response, extra)` → called with an introspection response or a Genesys TokenInfo (extra:
 * `{ source, user, permissions }`), to re-diagnose with it, only while `getToken()` still gives the token that was
 * sent; `onDiscovery(document)` (optional); `engine` (optional): the module with `introspect`, `discover`,
 * `genesysTokenInfo`, `livePlan`.
 */
export function mountLivePanel(container, { getToken, getIssuer, noToken, onIntrospection, onDiscovery, engine = wasm } = {}) {
  const n = ++panelCount;
  const id = (name) => `live-${name}${n > 1 ? `-${n}` : ''}`;
  // Read when a button is pressed and when its answer arrives, not to state the destinations (which need no token).
  const token = () => String((getToken && getToken()) || '').trim();
  const issuer = () => String((getIssuer && getIssuer()) || '').trim();

  const field = (name, label, input, hint) => el('div', { class: 'live-field' }, [
    el('label', { for: id(name), text: label }), input, ...(hint ? [el('small', { text: hint })] : []),
  ]);
  const text = (name, attrs = {}) => el('input', {
    id: id(name), name, type: 'text', spellcheck: false, autocomplete: 'off', autocapitalize: 'off', ...attrs,
  });
  const endpoint = text('endpoint', { type: 'url', placeholder: 'https://as.example.com/oauth2/introspect' });
  const clientId = text('client-id');
  // A password field: not shown on screen, not spell-checked; there is no <form>, so the browser offers no save.
  const clientSecret = text('client-secret', { type: 'password', autocomplete: 'off' });
  const auth = el('select', { id: id('auth'), name: 'auth' }, [
    el('option', { value: 'basic', text: 'client_secret_basic (Authorization: Basic)' }),
    el('option', { value: 'post', text: 'client_secret_post (in the form body)' }),
    el('option', { value: 'bearer', text: 'Bearer token' }),
  ]);
  const bearer = text('bearer', { type: 'password' });
  const bearerField = field('bearer', 'Bearer token that authorizes the introspection call', bearer);
  bearerField.hidden = true;
  const region = text('region', { list: id('regions'), placeholder: 'mypurecloud.com' });
  const regions = el('datalist', { id: id('regions') }, REGIONS.map((r) => el('option', { value: r })));
  const withUser = el('input', { id: id('with-user'), type: 'checkbox' });
  const includeSecrets = el('input', { id: id('include-secrets'), type: 'checkbox' });
  const timeout = text('timeout', { type: 'number', min: '0.1', max: '120', step: '0.1', value: '10', inputmode: 'decimal' });

  const introspectBtn = el('button', { type: 'button', id: id('introspect'), text: 'Introspect' });
  const discoverBtn = el('button', { type: 'button', id: id('discover'), text: 'Discover from iss' });
  const genesysBtn = el('button', { type: 'button', id: id('genesys'), text: 'Ask Genesys tokens/me' });
  const cancelBtn = el('button', { type: 'button', id: id('cancel'), text: 'Cancel', disabled: true });

  const introspectDest = el('p', { class: 'live-destination', id: id('introspect-destination') });
  const discoverDest = el('p', { class: 'live-destination', id: id('discover-destination') });
  const genesysDest = el('p', { class: 'live-destination', id: id('genesys-destination') });

  const status = el('p', { class: 'live-status', id: id('status'), role: 'status' });
  const result = el('div', { class: 'live-result', id: id('result'), 'aria-live': 'polite' });

  const element = el('section', { class: 'live-panel', 'aria-labelledby': id('title') }, [
    el('h2', { id: id('title'), text: 'Ask the server (live checks)' }),
    el('p', { class: 'live-lede', text: 'Everything else on this page stays in your browser. These checks send the token over the network, only when you press a button, only to the address shown above that button.' }),
    el('fieldset', {}, [
      el('legend', { text: 'Introspection (RFC 7662)' }),
      field('endpoint', 'Introspection endpoint', endpoint, 'Typed by you, or filled in by "Discover from iss".'),
      field('client-id', 'Client id', clientId),
      field('client-secret', 'Client secret (kept in this page\u2019s memory only)', clientSecret),
      field('auth', 'Client authentication', auth),
      bearerField,
      introspectDest,
      introspectBtn,
    ]),
    el('fieldset', {}, [
      el('legend', { text: 'Discovery (OpenID Connect, RFC 8414)' }),
      discoverDest,
      discoverBtn,
    ]),
    el('fieldset', {}, [
      el('legend', { text: 'Genesys Cloud' }),
      field('region', 'Region (domain or id)', region),
      regions,
      el('div', { class: 'live-check' }, [withUser, el('label', { for: id('with-user'), text: 'Also check the user\u2019s permissions (GET /api/v2/users/me?expand=authorization; the diagnosis then uses them)' })]),
      genesysDest,
      genesysBtn,
    ]),
    el('div', { class: 'live-options' }, [
      field('timeout', 'Timeout (seconds)', timeout),
      el('div', { class: 'live-check' }, [includeSecrets, el('label', { for: id('include-secrets'), text: 'Put the real token and secret in the commands (instead of placeholders)' })]),
      cancelBtn,
    ]),
    status,
    result,
  ]);
  container.append(element);

  const timeoutMs = () => {
    const s = Number(timeout.value);
    return Number.isFinite(s) && s > 0 ? Math.min(Math.round(s * 1000), 120000) : 10000;
  };
  const introspectOptions = (tok) => ({
    endpoint: endpoint.value, token: tok, clientId: clientId.value, clientSecret: clientSecret.value,
    auth: auth.value, bearer: bearer.value, timeoutMs: timeoutMs(), includeSecrets: includeSecrets.checked,
  });
  const genesysRegion = () => {
    const r = region.value.trim() || 'mypurecloud.com';
    // A loopback host:port (local testing) is an API host, not a region.
    return /^(127\.\d+\.\d+\.\d+|localhost|\[::1\])(:\d+)?$/.test(r) || /^https?:\/\//.test(r) ? { apiHost: r } : { region: r };
  };
  const genesysOptions = (tok) => ({
    ...genesysRegion(), token: tok, withUser: withUser.checked, timeoutMs: timeoutMs(), includeSecrets: includeSecrets.checked,
  });

  function describe(node, plan, what) {
    if (!plan.ok) { node.textContent = `${what}: ${plan.message}`; node.dataset.ok = 'false'; return; }
    node.dataset.ok = 'true';
    node.dataset.url = plan.urls[0];
    node.textContent = plan.check === 'discover'
      ? `${what} asks ${plan.urls.join(', then ')} (in that order, stopping at the first found); it sends ${plan.sends}.`
      : `${what} sends ${plan.sends} to ${plan.urls.join(' and ')}.`;
  }
  function refresh() {
    bearerField.hidden = auth.value !== 'bearer';
    const clean = (o) => ({ ...o, clientSecret: undefined, bearer: o.bearer ? 'x' : undefined, token: undefined, includeSecrets: false });
    describe(introspectDest, engine.livePlan({ check: 'introspect', ...clean(introspectOptions()) }), 'Introspect');
    const iss = issuer();
    if (iss) describe(discoverDest, engine.livePlan({ check: 'discover', issuer: iss }), 'Discover');
    else { discoverDest.textContent = 'Discover needs a token with an iss claim (an issuer).'; discoverDest.dataset.ok = 'false'; }
    describe(genesysDest, engine.livePlan({ check: 'genesys', ...clean(genesysOptions()) }), 'Ask Genesys');
    discoverBtn.disabled = busy || !iss;
  }

  let busy = false;
  let controller = null;
  function setBusy(on, label) {
    busy = on;
    for (const b of [introspectBtn, discoverBtn, genesysBtn]) b.disabled = on;
    cancelBtn.disabled = !on;
    status.textContent = on ? `${label}\u2026` : status.textContent;
    if (!on) refresh();
  }

  function showCommands(commands, title) {
    const box = el('div', { class: 'live-commands' }, [el('h3', { text: title })]);
    for (const [name, label] of [['curl', 'curl'], ['powershell', 'PowerShell']]) {
      const pre = el('pre', { class: `live-command-${name}`, dataset: { command: name }, text: commands[name] });
      const copy = el('button', { type: 'button', text: `Copy ${label} command` });
      copy.addEventListener('click', async () => {
        try { await navigator.clipboard.writeText(pre.textContent); copy.textContent = 'Copied'; } catch { copy.textContent = 'Select the text and copy it'; }
      });
      box.append(el('h4', { text: label }), pre, copy);
    }
    return box;
  }

  function showError(err) {
    const box = el('div', { class: 'live-error', dataset: { kind: err.kind } }, [
      el('p', { class: 'live-error-title', text: `${{
        cors: 'Blocked by the browser (CORS)', network: 'No answer (network)', timeout: 'Timed out',
        http: `The server answered${err.status ? ` ${err.status}` : ''}`, not_json: 'Not a JSON answer', aborted: 'Cancelled',
        no_token: 'No token to send', unsendable: 'Not sent',
      }[err.kind] ?? err.kind}` }),
      el('p', { class: 'live-error-message', text: err.message }),
    ]);
    if (err.commands) box.append(showCommands(err.commands, 'Do the same request from a terminal'));
    return box;
  }

  function showOk(title, value, warnings = [], dataset = {}) {
    const box = el('div', { class: 'live-ok', dataset }, [el('p', { class: 'live-ok-title', text: title })]);
    if (warnings.length) box.append(el('ul', { class: 'live-warnings' }, warnings.map((w) => el('li', { text: w }))));
    box.append(el('pre', { class: 'live-json', text: JSON.stringify(value, null, 2) }));
    return box;
  }

  // `render(r)` returns the nodes to show, or `{ nodes, status }` when the status line must say more than "done".
  // A check under way when the panel is cleared shows nothing when it ends: its answer, error or commands could
  // hold what was cleared.
  let clears = 0;
  async function run(label, call, render) {
    controller = new AbortController();
    setBusy(true, label);
    result.replaceChildren();
    const at = clears;
    try {
      const r = await call(controller.signal);
      if (at !== clears) return;
      const shown = render(r);
      result.replaceChildren(...(shown.nodes ?? shown));
      status.textContent = shown.status ?? (r.ok ? `${label}: done.` : `${label}: failed (${r.error.kind}).`);
    } catch (e) {
      // Invalid options (no endpoint, an address it will not send to...): the engine's message says what is wrong.
      if (at === clears) status.textContent = `${label}: ${e && e.message ? e.message : String(e)}`;
    } finally {
      controller = null;
      setBusy(false);
    }
  }

  /**
   * The token to send, read when the button is pressed; null when there is none, and then the panel says why and
   * sends nothing (never the paste in its place: it may hold a refresh token or a client secret).
   */
  function tokenToSend(label) {
    const tok = token();
    if (tok) return tok;
    const why = (noToken && noToken()) || 'No token was recognized in the paste, so nothing was sent. Paste the access token itself, its "Authorization: Bearer \u2026" header, or the whole token response (with access_token).';
    result.replaceChildren(showError({ kind: 'no_token', message: why }));
    status.textContent = `${label}: nothing sent (no token).`;
    return null;
  }

  /**
   * The answer about `sent` is applied (`apply()`) only while the paste still carries that token: a slow answer
   * must not change the diagnosis of a token pasted since (it could make it "Allowed"). Returns the sentence and
   * the status to show.
   */
  function applyIfCurrent(sent, label, apply, what) {
    if (token() === sent) {
      apply();
      return { note: `The diagnosis now uses this ${what}.`, applied: 'true', status: undefined };
    }
    return {
      note: `The paste has changed since it was asked, so this ${what} was not applied to the diagnosis: press the button again to ask about what is pasted now.`,
      applied: 'false',
      status: `${label}: done; not applied (the paste changed).`,
    };
  }

  introspectBtn.addEventListener('click', () => {
    const sent = tokenToSend('Introspect');
    if (!sent) return;
    run('Introspect', (signal) => engine.introspect({ ...introspectOptions(sent), signal }), (r) => {
      if (!r.ok) return [showError(r.error)];
      const { note, applied, status: line } = applyIfCurrent(sent, 'Introspect', () => onIntrospection?.(r.response, { source: 'introspection', url: r.url }), 'answer');
      const active = r.response.active === true ? 'active' : r.response.active === false ? 'NOT active' : 'unknown';
      return { nodes: [showOk(`${r.url} answered ${r.status}: the token is ${active}. ${note}`, r.response, r.warnings, { applied })], status: line };
    });
  });

  // The answer fills in the introspection endpoint only while the token pasted is still of the issuer asked about: a
  // slow answer must not put another issuer's endpoint in the field for the token pasted since.
  discoverBtn.addEventListener('click', () => {
    const asked = issuer();
    run('Discover', (signal) => engine.discover({ issuer: asked, timeoutMs: timeoutMs(), signal }), (r) => {
      if (!r.ok) return [showError(r.error)];
      const doc = r.response;
      const current = issuer() === asked;
      if (current) {
        if (typeof doc.introspection_endpoint === 'string' && !endpoint.value.trim()) endpoint.value = doc.introspection_endpoint;
        onDiscovery?.(doc, { url: r.url });
      }
      const summary = ['issuer', 'introspection_endpoint', 'jwks_uri', 'token_endpoint', 'revocation_endpoint', 'userinfo_endpoint']
        .filter((k) => typeof doc[k] === 'string').map((k) => `${k}: ${doc[k]}`).join('\n');
      const note = current ? '' : ` The paste has changed since it was asked (its issuer is ${issuer() ? `now ${issuer()}` : 'gone'}), so nothing of it was filled in.`;
      return {
        nodes: [showOk(`Found ${r.url}.${note}`, doc, r.warnings, { applied: String(current) }), el('pre', { class: 'live-summary', text: summary })],
        status: current ? undefined : 'Discover: done; not applied (the paste changed).',
      };
    });
  });

  genesysBtn.addEventListener('click', () => {
    const sent = tokenToSend('Ask Genesys');
    if (!sent) return;
    run('Ask Genesys', (signal) => engine.genesysTokenInfo({ ...genesysOptions(sent), signal }), (r) => {
      if (!r.ok) return [showError(r.error)];
      const { note, applied, status: line } = applyIfCurrent(sent, 'Ask Genesys', () => onIntrospection?.(r.response, { source: 'genesys-tokens-me', url: r.url, user: r.user, permissions: r.permissions }), r.user ? 'answer (TokenInfo and the user\u2019s permissions)' : 'TokenInfo');
      const out = [showOk(`${r.url} answered ${r.status}. ${note}`, r.response, [], { applied })];
      if (r.userSkipped) out.push(el('p', { class: 'live-note', text: r.userSkipped }));
      if (r.userError) out.push(showError(r.userError));
      if (Array.isArray(r.permissions)) out.push(showOk(`The user's permissions (${r.permissions.length}):`, r.permissions));
      return { nodes: out, status: line };
    });
  });

  cancelBtn.addEventListener('click', () => controller?.abort());
  for (const input of [endpoint, clientId, auth, bearer, region, withUser, timeout]) {
    input.addEventListener('input', refresh);
    input.addEventListener('change', refresh);
  }
  refresh();

  return {
    element,
    /** Re-reads the token and issuer (call after the paste changes) and updates the stated destinations. */
    refresh,
    /** True while a secret, a bearer token or a check's result is in the panel. */
    holdsSecrets: () => Boolean(clientSecret.value || bearer.value || result.firstChild),
    /**
     * Cancels a check under way and empties what can hold a credential or what a server answered: the client
     * secret, the bearer token, the results and their commands (Clear everything). The endpoint, client id,
     * region and timeout stay: they are where to ask, not credentials.
     */
    clear() {
      clears += 1;
      controller?.abort();
      clientSecret.value = '';
      bearer.value = '';
      includeSecrets.checked = false;
      result.replaceChildren();
      status.textContent = '';
      refresh();
    },
    destroy() { controller?.abort(); element.remove(); },
  };
}
