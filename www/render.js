// Renders a report into the UI built by ui.js. Everything the engine or the token says is set as text.
// The report's fields may be null while the engine grows: every access is defensive.
import { h, fill, setText, show, richText } from './dom.js';
import { signatureText } from './format.js';

const SEVERITY = { error: 'Error', warning: 'Warning', info: 'Info' };
const STATE = { met: '\u2713 met', unmet: '\u2717 not met', unknown: '? unknown' };
const KIND = { scope: 'OAuth scope', permission: 'Platform permission', user_context: 'Signed-in user' };
const kindLabel = (kind) => KIND[kind] ?? (String(kind ?? '').replace(/_/g, ' ').replace(/^./, (c) => c.toUpperCase()));
const VERDICT_LABEL = { allowed: '\u2713 Allowed', denied: '\u2717 Denied', unknown: '? Unknown' };
const TOKEN_KIND = { jws: 'a signed JWT (JWS)', jwe: 'an encrypted JWT (JWE)', opaque: 'an opaque token', malformed: 'a malformed token' };

function renderVerdict(q, report) {
  const verdict = ['allowed', 'denied', 'unknown'].includes(report.verdict) ? report.verdict : 'unknown';
  const el = q('verdict');
  el.dataset.verdict = verdict;
  q('verdict-card').dataset.verdict = verdict;
  setText(q('verdict-label'), VERDICT_LABEL[verdict]);
  q('verdict-label').setAttribute('aria-hidden', 'true');
  const summary = report.summary || VERDICT_LABEL[verdict];
  // Only replace the sentence when it changed, so screen readers do not hear it again on every keystroke.
  if (el.dataset.text !== summary) { fill(el, richText(summary)); el.dataset.text = summary; }
  const recognized = report.recognized ? `Recognized ${report.recognized}.` : '';
  setText(q('recognized'), recognized);
}

/** The signature line: "Decoded, not verified" until a key has checked it (wording shared with the verify panel). */
export function renderSignature(q, signature) {
  const el = q('signature-state');
  const status = signature?.status || 'not_checked';
  el.dataset.status = status;
  setText(el, status === 'not_checked' ? 'Decoded, not verified: the signature has not been checked.' : signatureText(signature));
}

function renderFindings(q, findings) {
  const items = (findings ?? []).map((f) => h('li', { class: 'finding', dataset: { code: f.code ?? '', severity: f.severity ?? 'info' } },
    h('div', { class: 'finding-head' },
      h('span', { class: 'sev', text: SEVERITY[f.severity] ?? f.severity ?? '' }),
      h('strong', { class: 'title' }, richText(f.title)),
      h('code', { class: 'code', text: f.code ?? '' })),
    f.detail ? h('p', { class: 'detail' }, richText(f.detail)) : null,
    f.evidence?.length ? [h('p', { class: 'label', text: 'Evidence' }),
      h('ul', { class: 'evidence' }, f.evidence.map((e) => h('li', {},
        h('span', { class: 'src' }, richText(`${e.source ?? ''}: `)), h('code', { text: show(e.text) }))))] : null,
    f.fix?.length ? [h('p', { class: 'label', text: 'How to fix it' }),
      h('ol', { class: 'fix' }, f.fix.map((step) => h('li', {}, richText(show(step)))))] : null));
  fill(q('findings'), items);
  q('findings-section').hidden = items.length === 0;
}

function operationInfo(report) {
  const op = report.operation;
  if (!op) return [];
  const called = [op.method, op.host ? `https://${op.host}${op.path ?? ''}` : op.path].filter(Boolean).join(' ');
  const platform = report.platform?.name || report.platform?.id;
  const parts = [h('p', {}, 'Called: ', h('code', { text: called }))];
  const m = op.matched;
  if (m) {
    parts.push(h('p', {}, 'Matched ', h('code', { text: `${m.method} ${m.path}` }),
      m.summary ? ` \u2014 ${m.summary}` : '', platform ? ` (${platform})` : ''));
    for (const note of m.notes ?? []) parts.push(h('p', { class: 'hint' }, richText(show(note))));
  } else if (op.nearest?.length) {
    parts.push(h('p', { text: 'Not a known operation. Nearest known operations:' }),
      h('ul', { class: 'nearest' }, op.nearest.map((n) => h('li', {},
        h('button', { type: 'button', class: 'link', dataset: { operation: show(n) }, text: show(n) })))));
  }
  return parts;
}

function renderRequirements(q, report) {
  const rows = (report.requirements ?? []).map((r) => h('tr', { dataset: { state: r.state ?? 'unknown', kind: r.kind ?? '' } },
    h('td', { dataset: { label: 'Requirement' } }, kindLabel(r.kind),
      r.source ? h('details', { class: 'source' }, h('summary', { text: 'source' }), h('span', { text: show(r.source) })) : null),
    h('td', { dataset: { label: 'Needed' } }, richText(show(r.required))),
    h('td', { dataset: { label: 'State' } }, h('span', { class: 'state', text: STATE[r.state] ?? show(r.state) })),
    h('td', { dataset: { label: 'Token shows' } }, richText(show(r.evidence)))));
  fill(q('requirements').tBodies[0], rows);
  q('requirements').hidden = rows.length === 0;
  fill(q('operation-info'), operationInfo(report));
  let empty = '';
  if (!rows.length) {
    if (!report.operation) empty = 'Give the operation called to see what it needs.';
    else if (!report.operation.matched) empty = 'What this operation needs is not known here: pick its platform, or use your own OpenAPI document.';
    else empty = 'The operation has no requirement the token could show.';
  }
  setText(q('requirements-empty'), empty);
  q('requirements-empty').hidden = !empty;
}

function claimValue(item) {
  const value = h('span', { class: 'value', text: show(item.value) });
  if (!item.utc) return [value];
  return [value, h('span', { class: 'time', text: `${item.utc}${item.relative ? `, ${item.relative}` : ''}` })];
}

function renderToken(q, report) {
  const token = report.token;
  const claims = report.claims;
  const list = Array.isArray(claims?.list) ? claims.list : [];
  const rows = list.map((item) => h('tr', { dataset: { claim: show(item.name) } },
    h('th', { scope: 'row' }, h('code', { text: show(item.name) }), item.personal ? h('span', { class: 'tag', text: 'personal' }) : null),
    h('td', {}, claimValue(item)),
    h('td', { class: 'meaning' }, richText(item.explanation || ''))));
  if (claims?.omitted) rows.push(h('tr', {}, h('td', { colspan: '3', class: 'hint', text: `${claims.omitted} more claims are not shown.` })));
  fill(q('claims').tBodies[0], rows);
  q('claims').hidden = rows.length === 0;

  const facts = [];
  if (token?.kind) facts.push(`This is ${TOKEN_KIND[token.kind] ?? token.kind}`);
  if (token?.header?.alg) facts.push(`signed with ${show(token.header.alg)}`);
  if (token?.signatureLength) facts.push(`signature ${token.signatureLength} bytes`);
  if (claims?.kind && claims.kind !== 'unknown') facts.push(`${claims.kind === 'id' ? 'an ID token' : `${claims.kind} token`} (${claims.kindReason ?? ''})`);
  if (claims?.grant && claims.grant !== 'unknown') facts.push(`${claims.grant === 'app' ? 'app-only, no user' : 'a signed-in user'} (${claims.grantReason ?? ''})`);
  let text = facts.length ? `${facts.join('; ')}.` : '';
  if (token?.kind === 'opaque') text += ' Only the server that issued it can say what it grants: paste its introspection answer, or use the live checks.';
  if (token?.kind === 'jwe') text += ' The header is readable; the claims are encrypted and need the recipient\u2019s key.';
  if (Number.isFinite(claims?.skewSeconds)) text += ` Times are judged with a clock-skew tolerance of ${claims.skewSeconds} s.`;
  fill(q('token-facts'), richText(text.trim()));

  setText(q('header'), token?.header ? JSON.stringify(token.header, null, 2) : '');
  setText(q('payload'), token?.payload ? JSON.stringify(token.payload, null, 2) : (token?.payloadText ?? ''));
  q('header-block').hidden = !q('header').textContent;
  q('payload-block').hidden = !q('payload').textContent;
  setText(q('report-json'), JSON.stringify(report, null, 2));
  q('token-section').hidden = !token && rows.length === 0;
}

// compare.js is loaded the first time a report carries a comparison (it is not part of the first download).
let comparing = null;
/** Starts loading compare.js (mount.js calls it as soon as the user opens the comparison box). */
export function loadCompare() {
  comparing ??= import('./compare.js').catch((err) => { comparing = null; throw err; }); // a failure can retry
  return comparing;
}
let compareModule = null;
const wanted = new WeakMap(); // #comparison element -> the comparison it should show (the latest report's)

/** The comparison section; hidden until its content is there (it may wait for compare.js). */
function renderComparisonSection(q, comparison) {
  const section = q('comparison-section');
  const box = q('comparison');
  wanted.set(box, comparison ?? null);
  if (!comparison) {
    section.hidden = true;
    fill(box);
    return;
  }
  const put = (nodes) => {
    if (wanted.get(box) !== comparison) return; // a newer report replaced this one
    fill(box, nodes);
    section.hidden = false;
  };
  if (compareModule) { put(compareModule.renderComparison(comparison)); return; }
  loadCompare().then((m) => { compareModule = m; put(m.renderComparison(comparison)); },
    (err) => put(h('p', { class: 'hint', text: `The comparison could not be shown: ${err?.message ?? err}` })));
}

/** Renders the whole report. `q(id)` finds an element of this instance. */
export function renderReport(q, report, { empty = false } = {}) {
  renderVerdict(q, report);
  if (empty) setText(q('recognized'), '');
  renderSignature(q, report.signature);
  renderFindings(q, empty ? [] : report.findings);
  q('empty-state').hidden = !empty;
  q('requirements-section').hidden = empty;
  renderRequirements(q, report);
  renderComparisonSection(q, report.comparison);
  renderToken(q, report);
  if (empty) q('token-section').hidden = true;
}
