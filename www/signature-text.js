// The wording of a report's signature state, shared by the verdict card (render.js) and the "Verify signature"
// panel (verify.js, which re-exports it). Kept apart so that the page's first download does not need verify.js.

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
