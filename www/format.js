// Text for display: times in the engine's formats (UTC text, durations in words, the countdown to expiry) and
// the wording of a report's signature state (shared by the verdict card and the "Verify signature" panel).

/** `2026-11-23 22:07:48 UTC` for unix seconds (the engine's format). */
export function utc(seconds) {
  const d = new Date(seconds * 1000);
  if (!Number.isFinite(d.getTime())) return String(seconds);
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration in words, like the engine's: "3 d 4 h", "2 h 5 min", "45 s". */
export function duration(seconds) {
  const s = Math.abs(Math.trunc(seconds));
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d >= 365) return `${Math.floor(d / 365)} years`;
  if (d > 0) return `${d} d ${hr} h`;
  if (hr > 0) return `${hr} h ${m} min`;
  if (m > 0) return `${m} min ${sec} s`;
  return `${sec} s`;
}

/**
 * The countdown line for `exp` (unix seconds) at `nowMs`: text and state (`valid`, `soon`, `expired`, `none`).
 */
export function countdown(exp, nowMs) {
  if (!Number.isFinite(exp)) return { state: 'none', text: '' };
  const left = Math.floor(exp - nowMs / 1000);
  if (left <= 0) return { state: 'expired', text: `Expired ${duration(-left)} ago (${utc(exp)}).` };
  return { state: left < 300 ? 'soon' : 'valid', text: `Expires in ${duration(left)} (${utc(exp)}).` };
}

/** The key's name for people: its kid, else where it came from ("PEM public key", "HMAC secret (text)"). */
export function keyName(key) {
  if (!key || typeof key !== 'object') return '';
  return key.kid ? String(key.kid) : String(key.source ?? key.kty ?? 'the key given');
}

/**
 * The one-line signature state for a report's `signature`: "Decoded, not verified" until a key has checked it,
 * then "Verified with key <kid>" or "Signature invalid ...". The page shows it next to the verdict.
 */
export function signatureText(signature) {
  const status = signature?.status ?? 'not_checked';
  const alg = signature?.alg ? ` (${signature.alg})` : '';
  const name = keyName(signature?.key);
  switch (status) {
    case 'verified':
      return `Verified with key ${name}${alg}.`;
    case 'invalid':
      return name
        ? `Signature invalid: it does not verify with key ${name}${alg}.`
        : `Signature invalid${alg}: it does not verify with the keys given.`;
    case 'unsupported':
      return `Decoded, not verified: ${signature?.alg ? `${signature.alg} ` : 'this algorithm '}cannot be checked here.`;
    default:
      return 'Decoded, not verified.';
  }
}
