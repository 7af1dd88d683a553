// Renders the engine's comparison of two tokens (report.comparison) side by side. It computes no difference
// itself: gained/lost lists and the `same` flags come from the engine.
import { h, show, richText } from './dom.js';
import { utc, duration } from './format.js';

const list = (values) => (values?.length ? values.join(' ') : '\u2014');
const time = (seconds, expired) => (Number.isFinite(seconds) ? `${utc(seconds)}${expired ? ' (expired)' : ''}` : '\u2014');
const GRANT = { user: 'signed-in user', app: 'app-only (no user)', unknown: 'cannot tell' };

function chips(label, values, kind) {
  if (!values?.length) return null;
  return h('div', { class: `chips ${kind}`, dataset: { diff: kind } },
    h('span', { class: 'chips-label', text: label }),
    values.map((v) => h('code', { class: 'chip', text: show(v) })));
}

/** Nodes for one comparison: a side-by-side table, the scopes gained and lost, and the engine's notes. */
export function renderComparison(c) {
  const a = c.a ?? {};
  const b = c.b ?? {};
  const same = c.same ?? {};
  const differs = (key) => (key in same ? !same[key] : undefined);
  const rows = [
    ['Kind', show(a.kind), show(b.kind), undefined],
    ['Issuer', show(a.issuer ?? '\u2014'), show(b.issuer ?? '\u2014'), differs('issuer')],
    ['Audience', list(a.audiences), list(b.audiences), differs('audience')],
    ['Grant', GRANT[a.grant] ?? show(a.grant), GRANT[b.grant] ?? show(b.grant), differs('grant')],
    ['Client', show(a.clientId ?? '\u2014'), show(b.clientId ?? '\u2014'), differs('client')],
    ['Subject', show(a.subject ?? '\u2014'), show(b.subject ?? '\u2014'), differs('subject')],
    ['Scopes', list(a.scopes), list(b.scopes), (c.scopesGained?.length || c.scopesLost?.length) ? true : undefined],
    ['Roles', list(a.roles), list(b.roles), (c.rolesGained?.length || c.rolesLost?.length) ? true : undefined],
    ['Issued', time(a.issuedAt), time(b.issuedAt), undefined],
    ['Expires', time(a.expires, a.expired), time(b.expires, b.expired), (a.expired !== b.expired) || undefined],
    ['Lifetime', Number.isFinite(a.lifetime) ? duration(a.lifetime) : '\u2014',
      Number.isFinite(b.lifetime) ? duration(b.lifetime) : '\u2014', differs('lifetime')],
  ];
  const table = h('table', { class: 'table compare stack' },
    h('caption', { class: 'visually-hidden', text: 'The token that works and this token, side by side' }),
    h('thead', {}, h('tr', {}, h('th', { scope: 'col', text: 'Aspect' }),
      h('th', { scope: 'col', text: 'Token that works' }), h('th', { scope: 'col', text: 'This token' }))),
    h('tbody', {}, rows.map(([label, left, right, diff]) => h('tr', { dataset: { aspect: label.toLowerCase(), differs: diff === true ? 'yes' : diff === false ? 'no' : '' } },
      h('th', { scope: 'row' }, label, diff === true ? h('span', { class: 'tag diff', text: 'differs' }) : null),
      h('td', { dataset: { label: 'Token that works' }, text: left }),
      h('td', { dataset: { label: 'This token' }, text: right })))));
  return [
    c.identical ? h('p', { class: 'note', text: 'Both are the very same token.' }) : null,
    chips('Scopes lost (the working token has them, this one does not):', c.scopesLost, 'lost'),
    chips('Scopes gained:', c.scopesGained, 'gained'),
    chips('Roles lost:', c.rolesLost, 'lost'),
    chips('Roles gained:', c.rolesGained, 'gained'),
    c.notes?.length ? h('ul', { class: 'notes' }, c.notes.map((n) => h('li', {}, richText(show(n))))) : null,
    h('div', { class: 'scroll' }, table),
  ];
}
