// Completion for the operation field: an ARIA 1.2 combobox (input + listbox) searched by method, path or words
// of the summary. Keyboard: Down/Up move, Enter picks, Escape closes, Tab leaves. Options are text nodes.
import { h, fill, setText } from './dom.js';

const MAX_SHOWN = 30;
const METHODS = new Set(['get', 'put', 'post', 'delete', 'patch', 'head', 'options', 'trace']);

/** The words of a query; a full URL counts by its path. */
function words(query) {
  let q = query.trim();
  const url = q.match(/https?:\/\/[^\s/]+(\/\S*)?/i);
  if (url) q = q.replace(url[0], url[1] ?? '/');
  return q.toLowerCase().split(/[\s?#]+/).filter(Boolean);
}

/**
 * Operations (`{method, path, summary, bases}`; `bases` = the platform's base paths, shown before the path)
 * matching every word of `query`, best first: method+path prefix, then path prefix, then path, then summary.
 */
export function search(operations, query, max = MAX_SHOWN) {
  const all = words(query);
  // A word that is an HTTP method selects the method (so "post" does not match /postal/... paths).
  const methods = all.filter((w) => METHODS.has(w));
  const ws = all.filter((w) => !METHODS.has(w));
  if (!all.length) return operations.slice(0, max);
  const joined = all.join(' ');
  const last = ws.at(-1) ?? '';
  const scored = [];
  for (const op of operations) {
    const full = `${op.bases?.[0] ?? ''}${op.path}`;
    const head = `${op.method} ${full}`.toLowerCase();
    const variants = (op.bases ?? []).map((b) => `${b}${op.path}`).join(' ');
    const hay = `${head} ${op.path} ${variants} ${op.summary ?? ''}`.toLowerCase();
    if (methods.length && !methods.includes(op.method.toLowerCase())) continue;
    if (!ws.every((w) => hay.includes(w))) continue;
    const score = head.startsWith(joined) ? 0
      : (full.toLowerCase().startsWith(last) || op.path.toLowerCase().startsWith(last)) ? 1
        : ws.every((w) => head.includes(w)) ? 2 : 3;
    scored.push([score, op.path.length, op]);
  }
  scored.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  return scored.slice(0, max).map((s) => s[2]);
}

/**
 * Wires completion onto `input` + `listbox`. `getOperations()` returns `[{method, path, summary, bases}]` (or []);
 * `onPick(op)` is called with the chosen operation; `status` is a polite live region for the count.
 */
export function attachCombobox({ input, listbox, status, getOperations, onPick }) {
  let shown = [];
  let active = -1;
  let noMatch = false; // the last search found nothing (the operations may arrive later)
  const idBase = `${listbox.id}-opt`;

  function close() {
    listbox.hidden = true;
    input.setAttribute('aria-expanded', 'false');
    input.removeAttribute('aria-activedescendant');
    active = -1;
  }

  function setActive(i) {
    active = i;
    for (const [n, li] of [...listbox.children].entries()) li.setAttribute('aria-selected', String(n === i));
    if (i >= 0 && listbox.children[i]) {
      input.setAttribute('aria-activedescendant', listbox.children[i].id);
      listbox.children[i].scrollIntoView({ block: 'nearest' });
    } else input.removeAttribute('aria-activedescendant');
  }

  function open() {
    const ops = getOperations();
    noMatch = !ops.length;
    if (!ops.length) { close(); setText(status, ''); return; }
    shown = search(ops, input.value);
    noMatch = shown.length === 0;
    fill(listbox, shown.map((op, i) => h('li', {
      id: `${idBase}-${i}`, role: 'option', 'aria-selected': 'false', dataset: { index: String(i) },
    }, h('span', { class: 'op-method', text: op.method }), ' ', h('span', { class: 'op-path', text: `${op.bases?.[0] ?? ''}${op.path}` }),
    op.summary ? h('span', { class: 'op-summary', text: op.summary }) : null)));
    listbox.hidden = shown.length === 0;
    input.setAttribute('aria-expanded', String(shown.length > 0));
    active = -1;
    input.removeAttribute('aria-activedescendant');
    setText(status, shown.length ? `${shown.length}${shown.length === MAX_SHOWN ? '+' : ''} matching operations; use the arrow keys to choose.`
      : 'No known operation matches.');
  }

  function pick(i) {
    const op = shown[i];
    close();
    if (op) onPick(op);
  }

  input.addEventListener('input', open);
  input.addEventListener('focus', () => { if (input.value.trim() === '' && getOperations().length) open(); });
  input.addEventListener('blur', () => setTimeout(close, 0));
  input.addEventListener('keydown', (e) => {
    const isOpen = !listbox.hidden;
    if (e.key === 'ArrowDown') {
      e.preventDefault();
      if (!isOpen) { open(); if (shown.length) setActive(0); return; }
      setActive(Math.min(active + 1, shown.length - 1));
    } else if (e.key === 'ArrowUp') {
      if (!isOpen) return;
      e.preventDefault();
      setActive(Math.max(active - 1, 0));
    } else if (e.key === 'Enter') {
      if (isOpen && active >= 0) { e.preventDefault(); pick(active); }
    } else if (e.key === 'Escape') {
      if (isOpen) { e.preventDefault(); close(); }
    }
  });
  // mousedown would blur the input first; keep focus and pick on click.
  listbox.addEventListener('mousedown', (e) => e.preventDefault());
  listbox.addEventListener('click', (e) => {
    const li = e.target.closest('[role="option"]');
    if (li) pick(Number(li.dataset.index));
  });
  // After a diagnosis (the platform or its operations may have changed): search again while the user is in the
  // field, otherwise drop a stale "no match" message.
  function refresh() {
    const searching = input.getRootNode().activeElement === input && (!listbox.hidden || noMatch);
    if (searching) open();
    else if (listbox.hidden) { noMatch = false; setText(status, ''); }
  }
  return { open, close, refresh };
}
