// The page's structure, built with DOM calls (no HTML strings), so that the page, the <token-doctor> element and
// the single-file build share exactly the same markup. Element ids are a contract for tests and embedders:
// #input #operation #response #verdict[data-verdict] #findings > [data-code] (see the README).
import { h } from './dom.js';

const field = (id, label, hint, control) => h('div', { class: 'field' },
  h('label', { for: id, text: label }),
  hint ? h('p', { class: 'hint', id: `${id}-hint`, text: hint }) : null,
  control);

const textarea = (id, rows, extra = {}) => h('textarea', {
  id, rows, spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off', 'aria-describedby': `${id}-hint`, ...extra,
});

const copyButton = (target, label) => h('button', { type: 'button', class: 'copy', dataset: { copy: target }, text: label });

/** What is needed: the paste and the operation. */
function inputsColumn() {
  return h('section', { class: 'td-inputs', 'aria-labelledby': 'inputs-title' },
    h('h2', { id: 'inputs-title', class: 'visually-hidden', text: 'What to diagnose' }),
    field('input', 'What your integration sends',
      'A token, an Authorization header, a token response, an introspection response, a curl command, or a raw HTTP request.',
      textarea('input', 7)),
    h('p', { id: 'recognized', class: 'recognized', text: '' }),
    h('div', { class: 'row' },
      h('button', { type: 'button', id: 'load-sample', text: 'Paste the sample token' }),
      h('button', { type: 'button', id: 'clear-all', text: 'Clear everything' })),
    // The minutes are the instance's (mount.js, `clearAfterMinutes`); the label is written there.
    h('label', { class: 'check auto-clear' }, h('input', { type: 'checkbox', id: 'auto-clear' }),
      h('span', { id: 'auto-clear-label', text: ' Clear everything after 15 minutes without use' })),
    h('p', { id: 'auto-clear-status', class: 'status', role: 'status', text: '' }),
    h('div', { class: 'field' },
      h('label', { for: 'operation', id: 'operation-label', text: 'Operation called' }),
      h('p', { class: 'hint', id: 'operation-hint',
        text: 'Method and path or full URL (or a curl command). Type words of the path or summary to search the platform\u2019s operations.' }),
      h('div', { class: 'combo' },
        h('input', {
          id: 'operation', type: 'text', spellcheck: 'false', autocomplete: 'off', autocapitalize: 'off',
          role: 'combobox', 'aria-autocomplete': 'list', 'aria-expanded': 'false', 'aria-controls': 'operation-list',
          'aria-describedby': 'operation-hint', placeholder: 'POST https://api.mypurecloud.com/api/v2/conversations/calls',
        }),
        h('ul', { id: 'operation-list', role: 'listbox', 'aria-labelledby': 'operation-label', hidden: true })),
      h('p', { id: 'operation-status', class: 'status', role: 'status', text: '' })));
}

/** The optional refinements: platform, the API's answer, your own document, comparison, verification, live. */
function moreColumn() {
  return h('section', { class: 'td-more', 'aria-labelledby': 'more-title' },
    h('h2', { id: 'more-title', class: 'section-title', text: 'More about the call (optional)' }),
    h('div', { class: 'field' },
      h('label', { for: 'platform', text: 'Platform' }),
      h('select', { id: 'platform', 'aria-describedby': 'platform-status' },
        h('option', { value: '', text: 'Detect automatically' })),
      h('p', { id: 'platform-status', class: 'status', text: '' })),
    field('response', 'What the API answered (optional)',
      'The status line, headers and body; just the body; or the WWW-Authenticate value.',
      textarea('response', 3)),
    h('details', { id: 'own-document', class: 'box' },
      h('summary', { text: 'Your own OpenAPI document' }),
      h('p', { class: 'hint', text: 'An OpenAPI 3.x or Swagger 2.0 document (JSON or YAML), or a Token Doctor matrix. It is read here, in the page; nothing is fetched.' }),
      h('div', { class: 'field' },
        h('label', { for: 'matrix-file', text: 'Open a file' }),
        h('input', { id: 'matrix-file', type: 'file', accept: '.json,.yaml,.yml,application/json,text/yaml' })),
      field('matrix-text', 'Or paste it', null, h('textarea', { id: 'matrix-text', rows: 4, spellcheck: 'false', autocomplete: 'off' })),
      h('div', { class: 'row' },
        h('button', { type: 'button', id: 'matrix-use', text: 'Use this document' }),
        h('button', { type: 'button', id: 'matrix-clear', text: 'Stop using it' })),
      h('p', { id: 'matrix-status', class: 'status', role: 'status', text: 'No document in use.' })),
    h('details', { id: 'compare-box', class: 'box' },
      h('summary', { text: 'Compare with the token that works' }),
      field('previous', 'The token that works',
        'Paste the token from the call that succeeds; the diagnosis shows what differs.',
        textarea('previous', 4))),
    h('details', { id: 'verify-box', class: 'box' },
      h('summary', { text: 'Verify the signature' }),
      h('div', { id: 'verify-panel', class: 'panel' })),
    h('details', { id: 'live-box', class: 'box' },
      h('summary', { text: 'Ask the server (live checks: these send the token)' }),
      h('div', { id: 'live-panel', class: 'panel' })));
}

function resultsColumn() {
  return h('section', { class: 'td-results', 'aria-labelledby': 'results-title' },
    h('h2', { id: 'results-title', class: 'visually-hidden', text: 'Diagnosis' }),
    h('div', { class: 'verdict-card', id: 'verdict-card', dataset: { verdict: 'unknown' } },
      // #verdict stays empty until the engine has answered (tests and embedders wait for its text).
      h('p', { id: 'verdict-label', class: 'verdict-label', text: 'Loading the engine\u2026' }),
      h('p', { id: 'verdict', role: 'status', 'aria-live': 'polite', dataset: { verdict: 'unknown' }, text: '' }),
      h('p', { id: 'signature-state', class: 'signature', dataset: { status: 'not_checked' },
        text: 'Decoded, not verified: the signature has not been checked.' }),
      h('p', { id: 'platform-line', class: 'meta', text: '' }),
      h('div', { class: 'share' },
        h('button', { type: 'button', id: 'copy-report', text: 'Copy report (Markdown)' }),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'include-personal' }), ' include personal claims (name, email, upn)'),
        h('label', { class: 'check' }, h('input', { type: 'checkbox', id: 'include-token' }), ' include the token itself'),
        h('p', { id: 'copy-status', class: 'status', role: 'status', text: '' })),
      h('details', { id: 'report-preview', class: 'preview' },
        h('summary', { text: 'What "Copy report" copies' }),
        h('label', { for: 'report-md', class: 'visually-hidden', text: 'Report as Markdown' }),
        h('textarea', { id: 'report-md', rows: 10, readonly: true, spellcheck: 'false' }))),
    h('div', { id: 'empty-state', class: 'empty', hidden: true },
      h('p', { text: 'Nothing to diagnose yet.' }),
      h('p', { text: 'Paste the token your integration sends (or its Authorization header, or the token response) and the operation it called. Token Doctor tells you why the API answered 401 or 403.' }),
      h('button', { type: 'button', id: 'empty-sample', text: 'Try it with the sample token' })),
    h('section', { id: 'findings-section', 'aria-labelledby': 'findings-title' },
      h('h3', { id: 'findings-title', text: 'Findings' }),
      h('ol', { id: 'findings', class: 'findings' })),
    h('section', { id: 'requirements-section', 'aria-labelledby': 'requirements-title' },
      h('h3', { id: 'requirements-title', text: 'What the operation needs' }),
      h('div', { id: 'operation-info', class: 'operation-info' }),
      h('div', { class: 'scroll' }, h('table', { id: 'requirements', class: 'table stack' },
        h('caption', { class: 'visually-hidden', text: 'Requirements of the operation and whether the token meets them' }),
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col', text: 'Requirement' }), h('th', { scope: 'col', text: 'Needed' }),
          h('th', { scope: 'col', text: 'State' }), h('th', { scope: 'col', text: 'What the token shows' }))),
        h('tbody', {}))),
      h('p', { id: 'requirements-empty', class: 'hint', text: '' })),
    h('section', { id: 'comparison-section', 'aria-labelledby': 'comparison-title', hidden: true },
      h('h3', { id: 'comparison-title', text: 'Compared with the token that works' }),
      h('div', { id: 'comparison' })),
    h('section', { id: 'token-section', 'aria-labelledby': 'token-title' },
      h('h3', { id: 'token-title', text: 'Decoded token' }),
      h('p', { id: 'countdown', class: 'countdown', dataset: { state: 'none' }, text: '' }),
      h('p', { id: 'token-facts', class: 'meta', text: '' }),
      h('div', { class: 'scroll' },
        h('table', { id: 'claims', class: 'table claims stack' },
          h('caption', { text: 'Claims, with what each one means' }),
          h('thead', {}, h('tr', {},
            h('th', { scope: 'col', text: 'Claim' }), h('th', { scope: 'col', text: 'Value' }),
            h('th', { scope: 'col', text: 'Meaning' }))),
          h('tbody', {}))),
      h('div', { class: 'raw' },
        h('div', { id: 'header-block' },
          h('div', { class: 'raw-head' }, h('h4', { id: 'header-title', text: 'Header (JSON)' }), copyButton('header', 'Copy header')),
          h('pre', { id: 'header', tabindex: '0', 'aria-labelledby': 'header-title' })),
        h('div', { id: 'payload-block' },
          h('div', { class: 'raw-head' }, h('h4', { id: 'payload-title', text: 'Payload (JSON)' }), copyButton('payload', 'Copy payload')),
          h('pre', { id: 'payload', tabindex: '0', 'aria-labelledby': 'payload-title' })),
        h('div', { class: 'raw-head' }, h('h4', { id: 'report-json-title', text: 'The whole diagnosis (JSON)' }), copyButton('report-json', 'Copy diagnosis JSON')),
        h('details', { class: 'preview' }, h('summary', { text: 'Show' }),
          h('pre', { id: 'report-json', tabindex: '0', 'aria-labelledby': 'report-json-title' })))));
}

function footer() {
  return h('footer', { class: 'td-foot' },
    h('details', { id: 'embed', class: 'box' },
      h('summary', { text: 'Embed Token Doctor in a wiki or portal' }),
      h('p', { text: 'As a frame:' }),
      h('pre', { id: 'embed-iframe', tabindex: '0' }),
      h('p', { text: 'As an element (renders inside a shadow root, same behaviour):' }),
      h('pre', { id: 'embed-element', tabindex: '0' }),
      h('div', { class: 'row' }, copyButton('embed-iframe', 'Copy frame snippet'), copyButton('embed-element', 'Copy element snippet'))),
    h('p', { class: 'hint', text: 'Token Doctor runs in this page (Rust compiled to WebAssembly). It stores nothing and sends nothing unless you press a button that says it will.' }));
}

/** Builds the whole UI; returns its root element (class `td`). */
export function buildUi() {
  return h('div', { class: 'td' },
    h('header', { class: 'td-head' },
      h('h1', { text: 'Token Doctor' }),
      h('p', { class: 'lede', text: 'Why did the API answer 401 or 403? Paste what your integration sends and the operation it called.' })),
    // DOM order = phone order: the paste and the operation, then the diagnosis, then the optional refinements.
    // On wide screens the diagnosis is the right-hand column, next to both.
    h('div', { class: 'td-layout' }, inputsColumn(), resultsColumn(), moreColumn()),
    footer());
}
