// A real OAuth 2.0 / OpenID Connect authorization server for the live-check tests: `oidc-provider` (npm) on
// 127.0.0.1, mounted under /oidc so its issuer has a path (http://127.0.0.1:PORT/oidc), with
// - client credentials, JWT access tokens for one resource and opaque ones for another (RFC 8707 resource
//   indicators), introspection (RFC 7662), revocation (RFC 7009) and discovery (OpenID Connect Discovery, and
//   RFC 8414 at /.well-known/oauth-authorization-server/oidc, the path-inserted form of RFC 8414 §3.1);
// - CORS allowed for one origin (the test page's) on the client endpoints;
// - a second origin (another port) that forwards to the same server but strips every CORS header;
// - a third origin that accepts connections and never answers (for timeouts).
// Everything listens on 127.0.0.1 only and stops with close().
import http from 'node:http';
import net from 'node:net';
import crypto from 'node:crypto';
import Provider from 'oidc-provider';

export const CLIENTS = {
  app: { id: 'app', secret: 'app-secret' }, // gets the tokens (client credentials)
  introspector: { id: 'introspector', secret: 'intro-secret' }, // client_secret_basic
  poster: { id: 'poster', secret: 'post-secret' }, // client_secret_post
};
export const API = 'https://api.token-doctor.test';
export const RESOURCE_JWT = `${API}/jwt`;
export const RESOURCE_OPAQUE = `${API}/opaque`;

function listen(server) {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server.address().port)));
}

/** Starts the servers. `allowedOrigin`: the page origin that CORS allows. */
export async function startOidc({ allowedOrigin }) {
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = { ...privateKey.export({ format: 'jwk' }), kid: 'td-test-1', alg: 'RS256', use: 'sig' };
  const main = http.createServer();
  const port = await listen(main);
  const origin = `http://127.0.0.1:${port}`;
  const issuer = `${origin}/oidc`;
  const resourceServers = {
    [RESOURCE_JWT]: { scope: 'api:read api:write', audience: API, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'RS256' } } },
    [RESOURCE_OPAQUE]: { scope: 'api:read api:write', audience: API, accessTokenFormat: 'opaque' },
  };
  const client = (c, method) => ({
    client_id: c.id, client_secret: c.secret, grant_types: ['client_credentials'], response_types: [],
    redirect_uris: [], scope: 'api:read api:write', token_endpoint_auth_method: method,
  });
  const provider = new Provider(issuer, {
    clients: [
      client(CLIENTS.app, 'client_secret_basic'),
      client(CLIENTS.introspector, 'client_secret_basic'),
      client(CLIENTS.poster, 'client_secret_post'),
    ],
    jwks: { keys: [jwk] },
    scopes: ['api:read', 'api:write'],
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => undefined,
        useGrantedResource: () => true,
        getResourceServerInfo: (_ctx, indicator) => {
          const info = resourceServers[indicator];
          if (!info) throw new Provider.errors.InvalidTarget();
          return info;
        },
      },
    },
    clientBasedCORS: (_ctx, requestOrigin) => requestOrigin === allowedOrigin,
  });
  provider.on('server_error', (_ctx, err) => console.error('oidc-provider server_error', err));
  const callback = provider.callback();
  const state = { hideOpenidConfiguration: false, requests: [] };

  main.on('request', (req, res) => {
    state.requests.push(`${req.method} ${req.url}`);
    const rfc8414 = '/.well-known/oauth-authorization-server/oidc';
    if (req.url === rfc8414 || req.url.startsWith(`${rfc8414}?`)) {
      // oidc-provider derives its endpoint URLs' mount path from originalUrl minus url.
      req.originalUrl = '/oidc/.well-known/oauth-authorization-server';
      req.url = '/.well-known/oauth-authorization-server';
      return callback(req, res);
    }
    if (state.hideOpenidConfiguration && req.url.startsWith('/oidc/.well-known/openid-configuration')) {
      res.writeHead(404, { 'content-type': 'text/plain', 'access-control-allow-origin': '*' }).end('not found');
      return undefined;
    }
    if (req.url === '/oidc' || req.url.startsWith('/oidc/') || req.url.startsWith('/oidc?')) {
      req.originalUrl = req.url;
      req.url = req.url.slice('/oidc'.length) || '/';
      return callback(req, res);
    }
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
    return undefined;
  });

  // The same server behind an origin that sends no CORS headers at all.
  const bare = http.createServer((req, res) => {
    const upstream = http.request({ host: '127.0.0.1', port, method: req.method, path: req.url, headers: req.headers }, (up) => {
      const headers = Object.fromEntries(Object.entries(up.headers).filter(([k]) => !k.startsWith('access-control-')));
      res.writeHead(up.statusCode, headers);
      up.pipe(res);
    });
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  const barePort = await listen(bare);

  // A server that accepts connections and never answers.
  const sockets = new Set();
  const silent = net.createServer((socket) => { sockets.add(socket); socket.on('close', () => sockets.delete(socket)); });
  const silentPort = await listen(silent);

  const form = (fields) => new URLSearchParams(fields).toString();
  const basic = (c) => `Basic ${Buffer.from(`${encodeURIComponent(c.id)}:${encodeURIComponent(c.secret)}`).toString('base64')}`;

  async function post(path, c, fields) {
    const r = await fetch(`${issuer}${path}`, {
      method: 'POST',
      headers: { authorization: basic(c), 'content-type': 'application/x-www-form-urlencoded' },
      body: form(fields),
    });
    const text = await r.text();
    if (!r.ok) throw new Error(`${path} answered ${r.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  }

  return {
    issuer,
    origin,
    introspectionEndpoint: `${issuer}/token/introspection`,
    bareOrigin: `http://127.0.0.1:${barePort}`,
    bareIntrospectionEndpoint: `http://127.0.0.1:${barePort}/oidc/token/introspection`,
    silentOrigin: `http://127.0.0.1:${silentPort}`,
    state,
    /** A client-credentials access token for `resource` (JWT or opaque, by resource). */
    async token({ resource = RESOURCE_OPAQUE, scope = 'api:read' } = {}) {
      return (await post('/token', CLIENTS.app, { grant_type: 'client_credentials', resource, scope })).access_token;
    },
    /** Revokes a token (RFC 7009) as the client it was issued to. */
    async revoke(token) {
      await post('/token/revocation', CLIENTS.app, { token, token_type_hint: 'access_token' });
    },
    async close() {
      for (const s of sockets) s.destroy();
      await Promise.all([main, bare, silent].map((s) => new Promise((r) => { s.closeAllConnections?.(); s.close(() => r()); })));
    },
  };
}
