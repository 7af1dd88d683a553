// DOM building without HTML parsing: every string becomes a text node or an attribute value, never markup.

/**
 * Creates an element. `props`: `class`, `text` (textContent), `dataset` (object), `on<event>` (listener),
 * anything else becomes an attribute (`true` = present, `null`/`false`/`undefined` = absent).
 * Children: nodes, strings (text nodes), arrays of those, and null/false (skipped).
 */
export function h(tag, props = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === 'class') el.className = value;
    else if (key === 'text') el.textContent = String(value);
    else if (key === 'dataset') Object.assign(el.dataset, value);
    else if (key.startsWith('on') && typeof value === 'function') el.addEventListener(key.slice(2), value);
    else el.setAttribute(key, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

/** Appends children (nodes, strings, arrays, null) to `el`. */
export function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(typeof child === 'string' || typeof child === 'number' ? document.createTextNode(String(child)) : child);
  }
  return el;
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** Sets the text of `el` only when it changed (keeps screen readers from re-announcing the same text). */
export function setText(el, text) {
  const value = String(text ?? '');
  if (el.textContent !== value) el.textContent = value;
}

/** A value for display: strings as they are, everything else as compact JSON. */
export function show(value) {
  if (typeof value === 'string') return value;
  if (value === undefined) return '';
  return JSON.stringify(value);
}

/**
 * Text with `backtick` spans turned into <code> elements (the engine writes claim and scope names that way).
 * Only text nodes are made; nothing is parsed as HTML.
 */
export function richText(text) {
  const parts = String(text ?? '').split('`');
  if (parts.length < 3) return [String(text ?? '')];
  if (parts.length % 2 === 0) parts.splice(-2, 2, `${parts.at(-2)}\`${parts.at(-1)}`); // an unpaired backtick stays text
  return parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? h('code', { text: part }) : part))
    .filter((part) => part !== '');
}
