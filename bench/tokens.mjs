// The benchmark's token corpus: real-shaped access tokens (the claim sets and sizes each issuer really sends,
// with made-up values and random signatures that verify nowhere), built deterministically for `now`.
import { rng } from './lib.mjs';

const b64url = (bytes) => Buffer.from(bytes).toString('base64url');
const enc = (obj) => b64url(JSON.stringify(obj));

/** Builds the corpus: `[{ name, token, jwt }]` (jwt false for the opaque one). */
export function corpus(now = Math.floor(Date.now() / 1000)) {
  const rand = rng(0x5eed);
  const bytes = (n) => Uint8Array.from({ length: n }, () => Math.floor(rand() * 256));
  const hex = (n) => Buffer.from(bytes(n)).toString('hex');
  const guid = () => {
    const h = hex(16);
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
  };
  const sig = (n = 256) => b64url(bytes(n));
  const jwt = (header, claims, sigBytes = 256) => `${enc(header)}.${enc(claims)}.${sig(sigBytes)}`;
  const tid = guid();
  const x5t = b64url(bytes(20));

  const entraV1 = jwt(
    { typ: 'JWT', nonce: b64url(bytes(32)), alg: 'RS256', x5t, kid: x5t },
    {
      aud: 'https://graph.microsoft.com', iss: `https://sts.windows.net/${tid}/`,
      iat: now - 300, nbf: now - 300, exp: now + 4500, acct: 0, acr: '1',
      aio: b64url(bytes(60)), amr: ['pwd', 'mfa'], app_displayname: 'Contoso Helpdesk Connector',
      appid: guid(), appidacr: '0', family_name: 'Lindqvist', given_name: 'Astrid', idtyp: 'user',
      ipaddr: '203.0.113.24', name: 'Astrid Lindqvist', oid: guid(), platf: '3', puid: '10032001C0FFEE42',
      rh: `0.${b64url(bytes(48))}.`, scp: 'Calendars.Read Mail.Read openid profile User.Read email',
      signin_state: ['kmsi'], sub: b64url(bytes(32)), tenant_region_scope: 'EU', tid,
      unique_name: 'astrid@contoso.example', upn: 'astrid@contoso.example', uti: b64url(bytes(16)), ver: '1.0',
      wids: ['b79fbf4d-3ef9-4689-8143-76b194e85509'], xms_st: { sub: b64url(bytes(32)) }, xms_tcdt: now - 9e7,
    },
  );

  const entraV2 = jwt(
    { typ: 'JWT', alg: 'RS256', kid: x5t },
    {
      aud: guid(), iss: `https://login.microsoftonline.com/${tid}/v2.0`, iat: now - 120, nbf: now - 120,
      exp: now + 3480, aio: b64url(bytes(56)), azp: guid(), azpacr: '1', idp: `https://sts.windows.net/${tid}/`,
      oid: guid(), rh: `0.${b64url(bytes(48))}.`, roles: ['Orders.Read.All', 'Orders.Write.All'],
      sub: guid(), tid, uti: b64url(bytes(16)), ver: '2.0',
    },
  );

  const okta = jwt(
    { kid: b64url(bytes(32)), alg: 'RS256' },
    {
      ver: 1, jti: `AT.${b64url(bytes(32))}`, iss: 'https://dev-31415926.okta.com/oauth2/default',
      aud: 'api://default', iat: now - 60, exp: now + 3540, cid: '0oa5x7z9abCDEFghi5d7', uid: '00u5x7z9abCDEFghi5d7',
      scp: ['openid', 'profile', 'email', 'orders:read'], auth_time: now - 600, sub: 'jordan.rivera@example.com',
      groups: ['Everyone', 'Support Agents'],
    },
  );

  const keycloak = jwt(
    { alg: 'RS256', typ: 'JWT', kid: b64url(bytes(32)) },
    {
      exp: now + 300, iat: now, auth_time: now - 30, jti: guid(), iss: 'https://sso.example.org/realms/support',
      aud: ['orders-api', 'account'], sub: guid(), typ: 'Bearer', azp: 'support-portal', sid: guid(),
      acr: '1', 'allowed-origins': ['https://portal.example.org'],
      realm_access: { roles: ['default-roles-support', 'offline_access', 'uma_authorization', 'agent'] },
      resource_access: {
        'orders-api': { roles: ['orders.read'] },
        account: { roles: ['manage-account', 'manage-account-links', 'view-profile'] },
      },
      scope: 'openid email profile', email_verified: true, name: 'Mika Tanaka', preferred_username: 'mika',
      given_name: 'Mika', family_name: 'Tanaka', email: 'mika@example.org',
    },
  );

  const auth0 = jwt(
    { alg: 'RS256', typ: 'JWT', kid: b64url(bytes(16)) },
    {
      iss: 'https://example-tenant.eu.auth0.com/', sub: 'auth0|64f1c0ffee0123456789abcd',
      aud: ['https://api.example.com', 'https://example-tenant.eu.auth0.com/userinfo'], iat: now - 10,
      exp: now + 86390, azp: 'Xk3Jq9ZcP4mW7sT2vB8nR1yL6dF0hG5a', scope: 'openid profile email read:orders',
      permissions: ['read:orders', 'read:customers'],
    },
  );

  // A 4 KB Entra token: a user in many groups (the claim Entra caps at 200 before it switches to an overage).
  const big = { ...JSON.parse(Buffer.from(entraV1.split('.')[1], 'base64url').toString()), groups: [] };
  let bigToken = '';
  for (;;) {
    bigToken = jwt({ typ: 'JWT', alg: 'RS256', x5t, kid: x5t }, big);
    if (bigToken.length >= 4096) break;
    big.groups.push(guid());
  }

  // An opaque access token (Genesys Cloud style: 86 base64url characters, no structure).
  const opaque = b64url(bytes(64)).slice(0, 86);

  return [
    { name: 'Entra ID v1 (Graph)', token: entraV1, jwt: true },
    { name: 'Entra ID v2 (app)', token: entraV2, jwt: true },
    { name: 'Okta', token: okta, jwt: true },
    { name: 'Keycloak', token: keycloak, jwt: true },
    { name: 'Auth0', token: auth0, jwt: true },
    { name: `Entra 4 KB (${big.groups.length} groups)`, token: bigToken, jwt: true },
    { name: 'opaque (86 chars)', token: opaque, jwt: false },
  ];
}
