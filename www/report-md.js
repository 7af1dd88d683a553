// "Copy report": the diagnosis as Markdown for a ticket or a chat. It carries the verdict, the findings, the
// operation, the non-sensitive claims and a SHA-256 fingerprint of the token; never the token, its signature or
// personal claims unless the user ticks them in. Personal values and anything that looks like a token are also
// scrubbed from the engine's prose (evidence can quote claims).
import { utc } from './format.js';

/** Hex SHA-256 of `text` (UTF-8), or null when Web Crypto is not available (insecure context). */
export async function sha256Hex(text) {
  if (!globalThis.crypto?.subtle) return null;
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

const oneLine = (s) => String(s ?? '').replace(/\s*[\r\n]+\s*/g, ' ').trim();

/**
 * An inline code span that survives backticks inside the value. `table`: it goes in a table cell, where GitHub
 * splits cells at a `|` even inside a code span unless it is escaped.
 */
export function code(value, table = false) {
  let text = oneLine(typeof value === 'string' ? value : JSON.stringify(value));
  if (!text) return '` `';
  if (table) text = text.replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/**
 * Text as Markdown that shows it and does nothing else: every character that could start a link, an image, an
 * autolink, raw HTML, a character reference (`&#x202E;` would be a real right-to-left override), emphasis or a
 * table cell is escaped. A bare `https://…` stays text that viewers may link, showing the address itself. Claims reach the engine's prose (a hostile `aud` or
 * `kid` of `![](https://…)` would otherwise be an image, a tracking pixel, in the ticket it is pasted into).
 */
const literal = (s, table) => s
  .replace(table ? /[\\`*[\]<~&|]/g : /[\\`*[\]<~&]/g, '\\$&')
  .replace(/(?<![\p{L}\p{N}])_|_(?![\p{L}\p{N}])/gu, '\\_'); // `_` inside a word makes no emphasis: left as is

/**
 * Prose from the engine, as one line: the engine marks names and values with backticks, which stay code spans
 * (as on the page, dom.js `richText`); the rest is [`literal`]. A leading `#`, `>`, `+`, `-` or `=` is escaped
 * so that the text cannot start a heading, quote or list where a line begins with it.
 */
function prose(s, table = false) {
  const parts = oneLine(s).split('`');
  if (parts.length % 2 === 0) parts.splice(-2, 2, `${parts.at(-2)}\`${parts.at(-1)}`); // an unpaired backtick stays text
  return parts.map((part, i) => (i % 2 === 1 && i < parts.length - 1 ? (part ? code(part, table) : '') : literal(part, table)))
    .join('').replace(/^[#>+=-]/, '\\$&');
}
const cell = (s) => prose(s, true);

/** Anything that looks like a token: a JWT/JWE, or a long mixed-case base64url run with digits. */
const TOKENISH = /eyJ[\w-]*\.[\w.-]*|[A-Za-z0-9_-]{40,}/g;
const looksLikeToken = (run) => run.startsWith('eyJ') || (/[0-9]/.test(run) && /[a-z]/.test(run) && /[A-Z]/.test(run));

function scrubber({ personal, keepToken, tokenText }) {
  const values = personal.filter((v) => v.length >= 3).sort((x, y) => y.length - x.length);
  return (text) => {
    let out = String(text ?? '');
    if (!keepToken) {
      if (tokenText && tokenText.length >= 16) out = out.split(tokenText).join('[token removed]');
      out = out.replace(TOKENISH, (run) => (looksLikeToken(run) ? '[token removed]' : run));
    }
    for (const v of values) out = out.split(v).join('[personal data removed]');
    return out;
  };
}

function timeLine(label, item) {
  if (!item) return null;
  const when = prose(item.utc ? `${item.utc}${item.relative ? ` (${item.relative})` : ''}` : String(item.value));
  return `- ${label}: ${when}`;
}

/**
 * The report as Markdown. Options: `fingerprint` (hex SHA-256), `fingerprintOf` (what was hashed, in words),
 * `includePersonal`, `includeToken`, `tokenText` (what to include when `includeToken`, and to scrub otherwise),
 * `operationText` (the operation field), `generatedAt` (unix seconds).
 */
export function reportMarkdown(report, opts = {}) {
  const claims = report.claims ?? {};
  const list = Array.isArray(claims.list) ? claims.list : [];
  const personalItems = list.filter((c) => c.personal);
  const personal = personalItems.flatMap((c) => (Array.isArray(c.value) ? c.value : [c.value]))
    .filter((v) => typeof v === 'string');
  const scrub = scrubber({ personal: opts.includePersonal ? [] : personal, keepToken: opts.includeToken, tokenText: opts.tokenText });
  const p = (s) => prose(scrub(s));
  const c = (s, table = false) => code(scrub(typeof s === 'string' ? s : JSON.stringify(s)), table);
  const lines = [];
  const verdict = report.verdict ?? 'unknown';
  lines.push(`### Token Doctor: ${verdict}`, '', `> ${p(report.summary || verdict)}`, '');

  const facts = [];
  const op = report.operation;
  if (op) {
    const called = [op.method, op.host ? `https://${op.host}${op.path ?? ''}` : op.path].filter(Boolean).join(' ');
    let text = c(called, true);
    if (op.matched) text += ` matched ${c(`${op.matched.method} ${op.matched.path}`, true)}${op.matched.summary ? ` (${cell(op.matched.summary)})` : ''}`;
    else if (op.nearest?.length) text += ' (not a known operation)';
    facts.push(['Operation', text]);
  } else if (opts.operationText?.trim()) {
    facts.push(['Operation', c(opts.operationText.trim(), true)]);
  }
  if (report.platform?.id) {
    facts.push(['Platform', `${cell(report.platform.name || report.platform.id)}${report.platform.reason ? ` (${cell(report.platform.reason)})` : ''}`]);
  }
  if (report.recognized) facts.push(['Pasted', cell(scrub(report.recognized))]);
  const token = report.token;
  if (token) {
    const bits = [token.kind, token.header?.alg].filter(Boolean).map(String);
    const kid = token.header?.kid != null ? `, kid ${c(String(token.header.kid), true)}` : '';
    facts.push(['Token', `${cell(scrub(bits.join(', ')))}${kid}`]);
  }
  if (opts.fingerprint) facts.push(['Fingerprint', `SHA-256 ${c(opts.fingerprint, true)}${opts.fingerprintOf ? ` (${cell(opts.fingerprintOf)})` : ''}`]);
  const sig = report.signature?.status ?? 'not_checked';
  facts.push(['Signature', sig === 'not_checked' ? 'not checked (decoded, not verified)' : cell(sig)]);
  if (facts.length) {
    lines.push('| | |', '|---|---|', ...facts.map(([k, v]) => `| ${k} | ${v} |`), '');
  }

  const findings = report.findings ?? [];
  if (findings.length) {
    lines.push('#### Findings', '');
    findings.forEach((f, i) => {
      lines.push(`${i + 1}. **${f.severity ?? ''}** ${code(f.code ?? '')}: ${p(f.title)}`);
      if (f.detail) lines.push(`   ${p(f.detail)}`);
      for (const e of f.evidence ?? []) lines.push(`   - Evidence (${p(e.source)}): ${c(e.text)}`);
      for (const step of f.fix ?? []) lines.push(`   - Fix: ${p(step)}`);
    });
    lines.push('');
  }

  const reqs = report.requirements ?? [];
  if (reqs.length) {
    lines.push('#### Requirements', '', '| Requirement | Needed | State | Token shows |', '|---|---|---|---|');
    for (const r of reqs) lines.push(`| ${cell(r.kind)} | ${cell(scrub(r.required))} | ${cell(r.state)} | ${cell(scrub(r.evidence))} |`);
    lines.push('');
  }

  const claimLines = [];
  const item = (name) => list.find((x) => x.name === name);
  if (claims.issuer) claimLines.push(`- Issuer: ${c(claims.issuer)}`);
  if (claims.audiences?.length) claimLines.push(`- Audience: ${claims.audiences.map(c).join(' ')}`);
  if (claims.scopes?.length) claimLines.push(`- Scopes${claims.scopeClaim ? ` (${code(claims.scopeClaim)})` : ''}: ${claims.scopes.map(c).join(' ')}`);
  if (claims.roles?.length) claimLines.push(`- Roles${claims.rolesClaim ? ` (${code(claims.rolesClaim)})` : ''}: ${claims.roles.map(c).join(' ')}`);
  if (claims.keycloakRoles?.length) claimLines.push(`- Keycloak roles: ${claims.keycloakRoles.map(c).join(' ')}`);
  if (claims.grant) claimLines.push(`- Grant: ${p(claims.grant)}${claims.grantReason ? ` (${p(claims.grantReason)})` : ''}`);
  if (claims.kind) claimLines.push(`- Kind: ${p(claims.kind)}${claims.kindReason ? ` (${p(claims.kindReason)})` : ''}`);
  if (claims.clientId) claimLines.push(`- Client id: ${c(claims.clientId)}`);
  if (claims.tenant) claimLines.push(`- Tenant: ${c(claims.tenant)}`);
  if (claims.version) claimLines.push(`- Token version: ${c(claims.version)}`);
  for (const [label, name] of [['Issued', 'iat'], ['Not before', 'nbf'], ['Expires', 'exp']]) {
    const line = timeLine(label, item(name));
    if (line) claimLines.push(line);
  }
  if (claimLines.length) lines.push('#### Token claims (non-sensitive)', '', ...claimLines, '');

  const cmp = report.comparison;
  if (cmp) {
    lines.push('#### Compared with the token that works', '');
    if (cmp.scopesLost?.length) lines.push(`- Scopes lost: ${cmp.scopesLost.map(c).join(' ')}`);
    if (cmp.scopesGained?.length) lines.push(`- Scopes gained: ${cmp.scopesGained.map(c).join(' ')}`);
    if (cmp.rolesLost?.length) lines.push(`- Roles lost: ${cmp.rolesLost.map(c).join(' ')}`);
    if (cmp.rolesGained?.length) lines.push(`- Roles gained: ${cmp.rolesGained.map(c).join(' ')}`);
    for (const note of cmp.notes ?? []) lines.push(`- ${p(note)}`);
    lines.push('');
  }

  if (opts.includePersonal && personalItems.length) {
    lines.push('#### Personal claims (included on request)', '', ...personalItems.map((x) => `- ${code(x.name)}: ${c(x.value)}`), '');
  }
  if (opts.includeToken && opts.tokenText) {
    const fence = '`'.repeat(Math.max(3, ...(opts.tokenText.match(/`+/g) ?? []).map((r) => r.length + 1)));
    lines.push('#### The token (included on request: treat this message like a password)', '', fence, opts.tokenText.trim(), fence, '');
  }
  const when = Number.isFinite(opts.generatedAt) ? ` at ${utc(opts.generatedAt)}` : '';
  lines.push(`_Diagnosed by Token Doctor${when}. ${opts.includeToken ? 'The token is included above.' : 'The token itself is not included; compare fingerprints with `printf %s "$TOKEN" | sha256sum`.'}_`);
  return `${lines.join('\n')}\n`;
}
