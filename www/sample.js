// The sample shown on a first visit: a delegated Microsoft Graph token that can read the profile but not send
// mail, built at load time so that it is always fresh. Its signature is random bytes: it verifies nowhere.
/** The operation the sample calls: sending mail needs `Mail.Send`, which the sample token does not have. */
export const SAMPLE_OPERATION = 'POST https://graph.microsoft.com/v1.0/me/sendMail';
/** The built-in platform of the sample operation (the page fetches its matrix while the engine starts). */
export const SAMPLE_PLATFORM = 'microsoft-graph';

const b64url = (text) => btoa(text).replaceAll('+', '-').replaceAll('/', '_').replace(/=+$/, '');

/** A sample access token issued `now` (unix seconds), valid for an hour. */
export function sampleToken(now) {
  const header = { typ: 'JWT', alg: 'RS256', kid: 'sample-key-1' };
  const claims = {
    aud: 'https://graph.microsoft.com',
    iss: 'https://sts.windows.net/72f988bf-0000-4000-8000-000000000001/',
    iat: now - 60, nbf: now - 60, exp: now + 3540,
    app_displayname: 'Zapier integration (sample)',
    appid: 'd3590ed6-52b3-4102-aeff-aad2292ab01c',
    idtyp: 'user', name: 'Sample User', oid: '00000000-0000-4000-8000-0000000000aa',
    scp: 'openid profile User.Read email',
    sub: 'sample-subject', tid: '72f988bf-0000-4000-8000-000000000001',
    upn: 'sample.user@example.com', ver: '1.0',
  };
  return `${b64url(JSON.stringify(header))}.${b64url(JSON.stringify(claims))}.c2FtcGxlLXNpZ25hdHVyZS1ub3QtdmFsaWQ`;
}
