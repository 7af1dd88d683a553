// A STAND-IN FOR GENESYS CLOUD. The tests cannot reach Genesys Cloud (api.{region}), so this small local server
// answers the two calls Token Doctor makes there, with the shapes Genesys documents:
// - GET /api/v2/tokens/me → TokenInfo { organization, homeOrganization, authorizedScope[], clonedUser,
//   dateTokenIdles, OAuthClient { id, name, authorizedGrantType, scope[], roleDivisions[], state, organization } }
//   (platform-client-sdk-javascript docs, summarized in shared/research/matrix_sources.md);
// - GET /api/v2/users/me?expand=authorization → a User with authorization { roles[], permissions[],
//   permissionPolicies[] } (UserAuthorization in the Platform API's Swagger), or, for a client-credentials
//   token, 400 "This request requires a user context. Client credentials cannot be used for requests to this
//   resource.";
// - 401 with Genesys' error body { message, code: "bad.credentials", status } for an unknown token.
// It allows CORS for the test page's origin only, listens on 127.0.0.1, and records what it was asked.
import http from 'node:http';

const ORG = { id: '8f7a1c2e-0000-4000-8000-000000000001', name: 'Token Doctor Test Org' };

function errorBody(status, code, message) {
  return { message, code, status, messageParams: {}, contextId: 'standin-context', details: [], errors: [] };
}

/**
 * Starts the stand-in. `tokens` maps a token to { grant: 'CODE' | 'CLIENT-CREDENTIALS', scopes, clientScopes,
 * permissions }.
 */
export async function startGenesysStandin({ allowedOrigin, tokens }) {
  const requests = [];
  const server = http.createServer((req, res) => {
    const cors = {
      'access-control-allow-origin': allowedOrigin,
      'access-control-allow-headers': 'authorization, accept',
      'access-control-allow-methods': 'GET',
      vary: 'Origin',
    };
    const send = (status, body) => {
      res.writeHead(status, { ...cors, 'content-type': 'application/json' }).end(JSON.stringify(body));
    };
    if (req.method === 'OPTIONS') { res.writeHead(204, cors).end(); return; }
    const auth = req.headers.authorization || '';
    requests.push({ method: req.method, url: req.url, authorization: auth });
    const token = auth.startsWith('Bearer ') ? auth.slice(7) : '';
    const known = tokens[token];
    const url = new URL(req.url, 'http://standin');
    if (req.method !== 'GET') { send(405, errorBody(405, 'method.not.allowed', 'Method not allowed')); return; }
    if (!['/api/v2/tokens/me', '/api/v2/users/me'].includes(url.pathname)) {
      send(404, errorBody(404, 'not.found', 'The requested resource was not found.'));
      return;
    }
    if (!token) { send(401, errorBody(401, 'authentication.required', 'No authentication bearer token specified in authorization header.')); return; }
    if (!known) { send(401, errorBody(401, 'bad.credentials', 'Invalid login credentials.')); return; }
    const client = {
      id: '3f1b2c4d-0000-4000-8000-00000000c1e7',
      name: known.grant === 'CLIENT-CREDENTIALS' ? 'Nightly export (client credentials)' : 'Support dashboard (code)',
      dateCreated: '2026-01-12T09:30:00Z',
      authorizedGrantType: known.grant,
      scope: known.clientScopes ?? known.scopes,
      roleDivisions: [],
      state: 'active',
      organization: ORG,
    };
    if (url.pathname === '/api/v2/tokens/me') {
      send(200, {
        organization: ORG,
        homeOrganization: ORG,
        authorizedScope: known.scopes,
        dateTokenIdles: '2026-12-01T12:00:00Z',
        OAuthClient: client,
      });
      return;
    }
    if (known.grant === 'CLIENT-CREDENTIALS') {
      send(400, errorBody(400, 'bad.request', 'This request requires a user context. Client credentials cannot be used for requests to this resource.'));
      return;
    }
    send(200, {
      id: '5d6e7f80-0000-4000-8000-0000000000a1',
      name: 'Dana Agent',
      state: 'active',
      username: 'dana@example.test',
      selfUri: '/api/v2/users/5d6e7f80-0000-4000-8000-0000000000a1',
      authorization: url.searchParams.get('expand') === 'authorization'
        ? { roles: [{ id: 'r1', name: 'Agent' }], permissions: known.permissions ?? [], permissionPolicies: [] }
        : undefined,
    });
  });
  const port = await new Promise((r) => server.listen(0, '127.0.0.1', () => r(server.address().port)));
  return {
    apiHost: `127.0.0.1:${port}`,
    requests,
    close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(() => r()); }),
  };
}
