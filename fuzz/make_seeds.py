#!/usr/bin/env python3
"""Writes the committed seed corpora under fuzz/seeds/<target>/ (run it again after editing; it is deterministic).

The seeds are real shapes: tokens rebuilt from the claims quoted in ../shared/research/scenarios.md (case ids in the
file names; signatures are placeholder bytes), error responses and WWW-Authenticate challenges quoted there, a
fragment of the real Genesys Swagger 2.0 document (MIT, MyPureCloud/platform-client-sdk-javascript swagger.json @
16de29d7), small OpenAPI 3 documents in JSON and YAML, and the hostile shapes of issue 7 kept small (the fuzzer
grows them).
"""
import base64
import json
import os
import shutil

ROOT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "seeds")


def b64(data):
    if isinstance(data, (dict, list)):
        data = json.dumps(data, separators=(",", ":"))
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


SIG = b64(b"placeholder-signature-bytes-not-a-real-one")


def jwt(claims, header=None):
    header = header or {"alg": "RS256", "typ": "JWT", "kid": "k1"}
    return f"{b64(header)}.{b64(claims)}.{SIG}"


# Claims from scenarios.md (ids in the names).
O01 = {  # Keycloak via Spring, ivangfr/springboot-keycloak-openldap#3
    "iss": "http://localhost:8181/auth/realms/company-services", "aud": "account", "azp": "simple-service",
    "typ": "Bearer", "exp": 1551843672, "iat": 1551843372, "scope": "profile email",
    "resource_access": {"simple-service": {"roles": ["user"]}}, "realm_access": {"roles": ["offline_access"]},
    "sub": "0a1b2c3d-4e5f-6789-abcd-ef0123456789",
}
F05 = {  # Entra ID v1 Graph token sent to an own API
    "aud": "00000003-0000-0000-c000-000000000000", "iss": "https://sts.windows.net/tenantId/", "appid": "apID",
    "idtyp": "user", "amr": ["pwd"], "ver": "1.0", "tid": "tenantId", "scp": "User.Read Mail.Send",
    "upn": "user@example.com", "exp": 1700003600, "iat": 1700000000, "nbf": 1700000000,
}
I02 = {  # MSAL Android, ID token sent to Graph
    "aud": "f92863b8-0000-0000-0000-000000000000", "iss": "https://login.microsoftonline.com/tid/v2.0",
    "nonce": "n-0S6_WzA2Mj", "sub": "user-sub", "exp": 1700003600, "iat": 1700000000, "ver": "2.0",
}
B03 = {  # Graph app-only token on /me
    "aud": "https://graph.microsoft.com", "iss": "https://sts.windows.net/tid/", "appid": "client-guid",
    "idtyp": "app", "roles": ["Mail.Send"], "oid": "sp-oid", "tid": "tid", "exp": 1700003600,
}
AUTH0_CC = {  # Auth0 client credentials (A-01 shape)
    "iss": "https://tenant.eu.auth0.com/", "sub": "abc123@clients", "aud": "https://tenant.eu.auth0.com/api/v2/",
    "gty": "client-credentials", "azp": "abc123", "scope": "read:users", "permissions": ["read:users"],
    "exp": 1700086400, "iat": 1700000000,
}
CXONE = {  # NICE CXone user token claims
    "iss": "https://auth.niceincontact.com", "tenantId": "11eb0000-0000-0000-0000-000000000000",
    "icBUId": 4600000, "icAgentId": 12345, "icClusterId": "B32", "icSPId": 9, "icDomain": "niceincontact.com",
    "sub": "user:11eb0000", "aud": "impersonation", "exp": 1700003600,
}
DPOP = {"iss": "https://as.example", "sub": "u1", "scope": "credential", "cnf": {"jkt": "0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I"}, "exp": 1700003600}
MTLS = {"iss": "https://as.example", "sub": "u1", "scope": "read", "cnf": {"x5t#S256": "bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2"}, "exp": 1700003600}
RFC9068 = {"iss": "https://as.example", "sub": "u1", "aud": "https://rs.example", "client_id": "c1", "scope": "a b", "jti": "j1", "exp": 1700003600, "iat": 1700000000}
O02_HEADER = {"typ": "JWT", "nonce": "AQABAAAAAAD--DLA3VO7QrddgJg7WevrQ", "alg": "RS256",
              "x5t": "z039zdsFuizpBfBVK1Tn25QHYO0", "kid": "z039zdsFuizpBfBVK1Tn25QHYO0"}

TOKENS = {
    "O-01-keycloak.jwt": jwt(O01),
    "F-05-entra-v1-graph.jwt": jwt(F05),
    "I-02-id-token.jwt": jwt(I02),
    "B-03-graph-app-only.jwt": jwt(B03),
    "A-01-auth0-client-credentials.jwt": jwt(AUTH0_CC),
    "cxone-user.jwt": jwt(CXONE),
    "P-01-dpop-bound.jwt": jwt(DPOP),
    "P-03-mtls-bound.jwt": jwt(MTLS),
    "rfc9068-at.jwt": jwt(RFC9068, {"alg": "ES256", "typ": "at+jwt", "kid": "e1"}),
    "O-02-graph-nonce-header.jwt": jwt(F05, O02_HEADER),
    "O-06-alg-none.jwt": f"{b64({'alg': 'none'})}.{b64({'sub': 'a', 'scope': 'x'})}.",
    "es512.jwt": jwt({"sub": "a"}, {"alg": "ES512", "kid": "p521"}),
    "es256k-unknown-alg.jwt": jwt({"sub": "a"}, {"alg": "ES256K"}),
    "J-01-jwe-dir.jwe": f"{b64({'alg': 'dir', 'enc': 'A256GCM', 'iss': 'https://tenant.auth0.com/'})}..{b64(b'iv-12-bytes!')}.{b64(b'ciphertext')}.{b64(b'tag-16-bytes----')}",
    "J-02-auth0-opaque.txt": "KBSxkmG-OcpA6-cg",
    "J-03-auth0-opaque.txt": "6RvJb3Tu9bxGOUIRV7tsiT7bnB0lVBiY",
    "exp-2038.jwt": jwt({"sub": "a", "exp": 4102444800}),
    "exp-string.jwt": jwt({"sub": "a", "exp": "1700000000"}),
    "exp-float.jwt": jwt({"sub": "a", "exp": 1700000000.5, "nbf": -1, "iat": 1e308}),
    "exp-2pow63.jwt": b64({"alg": "HS256"}) + "." + b64('{"exp":9223372036854775808}') + "." + SIG,
    "aud-object-scope-number.jwt": jwt({"aud": {"a": 1}, "scope": 7, "scp": [1, "x"]}),
    "duplicate-claims.jwt": b64({"alg": "HS256"}) + "." + b64('{"sub":"a","sub":"admin"}') + "." + SIG,
    "rtl-zero-width.jwt": jwt({"sub": "admin\u202etxt.exe", "aud": "api://orders\u200b", "n\u200dame": "x"}),
    "nul-in-claim.jwt": jwt({"sub": "a\u0000b"}),
    "invalid-utf8-payload.jwt": f"{b64({'alg': 'HS256'})}.{b64(bytes([0x7b, 0xff, 0xfe, 0x7d]))}.{SIG}",
    "payload-array.jwt": f"{b64({'alg': 'HS256'})}.{b64([1, 2])}.{SIG}",
    "payload-string.jwt": f"{b64({'alg': 'HS256'})}.{b64(chr(34) + 'x' + chr(34))}.{SIG}",
    "payload-number.jwt": f"{b64({'alg': 'HS256'})}.{b64('42')}.{SIG}",
    "header-not-json.jwt": f"{b64('alg=RS256')}.{b64({'sub': 'a'})}.{SIG}",
    "deep-payload.jwt": f"{b64({'alg': 'HS256'})}.{b64('[' * 200)}.{SIG}",
    "padded.jwt": base64.urlsafe_b64encode(json.dumps({"alg": "HS256"}).encode()).decode() + "." + base64.urlsafe_b64encode(b'{"sub":"ab"}').decode() + "." + SIG,
    "standard-alphabet.jwt": base64.b64encode(b'{"alg":"HS256","kid":"??>"}').decode().rstrip("=") + "." + base64.b64encode(b'{"sub":"???"}').decode().rstrip("=") + ".ab+/",
    "bad-char.jwt": "eyJhbGciOiJIUzI1NiJ9.eyJzdWIi*OiJhIn0.sig",
    "cut-off.jwt": jwt(O01)[:57],
    "two-segments.jwt": ".".join(jwt(O01).split(".")[:2]),
    "many-dots.txt": "." * 64,
    "non-canonical.jwt": f"{b64({'alg': 'HS256'})}.eyJzdWIiOiJhIn1.{SIG}",
}

HEADERS = {
    "bearer.txt": "Bearer " + TOKENS["F-05-entra-v1-graph.jwt"],
    "authorization-header.txt": "Authorization: Bearer " + TOKENS["O-01-keycloak.jwt"],
    "bearer-bearer.txt": "Authorization: Bearer Bearer " + TOKENS["I-02-id-token.jwt"],
    "quoted.txt": 'Authorization: "' + TOKENS["B-03-graph-app-only.jwt"] + '"',
    "no-scheme.txt": "Authorization: " + TOKENS["cxone-user.jwt"],
    "basic.txt": "Authorization: Basic dXNlcjpwYXNz",
    "B-06-token-scheme.txt": "Authorization: token ghs_16C7e42F292c6912E7710c838347Ae178B4a",
    "dpop-scheme.txt": "DPoP " + TOKENS["P-01-dpop-bound.jwt"],
    "wrapped-lines.txt": "Bearer " + TOKENS["O-01-keycloak.jwt"][:40] + "\n" + TOKENS["O-01-keycloak.jwt"][40:],
    "zero-width-in-token.txt": "Bearer abc\u200bdef",
    "not-authorization.txt": "Cookie: session=abc",
    "prose.txt": "my token does not work please help",
    "token-response.json": json.dumps({"access_token": TOKENS["F-05-entra-v1-graph.jwt"], "id_token": TOKENS["I-02-id-token.jwt"], "refresh_token": "0.AX4A", "token_type": "Bearer", "scope": "User.Read Mail.Send", "expires_in": 3599}),
    "token-response-dpop.json": json.dumps({"access_token": TOKENS["P-01-dpop-bound.jwt"], "token_type": "DPoP", "expires_in": 300}),
    "K-01-introspection-inactive.json": '{"active": false}',
    "introspection-active.json": json.dumps({"active": True, "scope": "read write", "client_id": "c1", "sub": "u1", "exp": 1700003600, "iss": "http://localhost:8844/auth/realms/scdf23"}),
    "genesys-tokens-me.json": json.dumps({"organization": {"id": "o1"}, "authorizedScope": ["users:readonly"], "OAuthClient": {"id": "c1", "name": "Integration", "authorizedGrantType": "CLIENT-CREDENTIALS", "scope": ["users:readonly"]}}),
    "jwks.json": json.dumps({"keys": [{"kty": "RSA", "kid": "k1", "n": "sXch", "e": "AQAB"}]}),
    "claims.json": json.dumps(O01),
    "error-response.json": '{"error":"insufficient_scope","error_description":"Insufficient scope for this resource","scope":"scim.read zones.uaa.admin"}',
    "O-01-curl.txt": "curl -i -X POST http://localhost:9080/api/private -H \"Authorization: Bearer " + TOKENS["O-01-keycloak.jwt"] + "\"",
    "B-06-curl.txt": "curl -H \"Authorization: token $GITHUB_TOKEN\" https://api.github.com/user",
    "curl-continuations.txt": "curl -X POST 'https://api.mypurecloud.com/api/v2/conversations/calls?x=1' \\\n  -H 'Authorization: Bearer " + TOKENS["cxone-user.jwt"] + "' \\\n  --data-raw '{\"phoneNumber\":\"+1555\"}'",
    "curl-oauth2-bearer.txt": "curl.exe --oauth2-bearer abc.def.ghi --url=https://graph.microsoft.com/v1.0/me",
    "curl-unbalanced-quote.txt": "curl https://x.example/a -H 'Authorization: Bearer abc",
    "http-request.txt": "GET /v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com\r\nAuthorization: Bearer " + TOKENS["I-02-id-token.jwt"] + "\r\n\r\n",
    "http-response.txt": "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\"\r\n\r\n",
    "bom-and-space.txt": "\ufeff  \t\n",
    "json-array.txt": "[1,2,3]",
    "broken-json.txt": '{"access_token": "abc',
}

CHALLENGES = {
    "E-07-insufficient-scope.txt": 'HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer error="insufficient_scope", scope="files:read files:write"\r\n\r\n',
    "F-11-audience.txt": 'WWW-Authenticate: Bearer error="invalid_token", error_description="The audience \'4be05bf7-xxxx-xxxx-xxxc-xxxxxxx\' is invalid"',
    "G-02-keycloak-issuer.txt": 'Bearer realm="sample", error="invalid_token", error_description="Invalid token issuer. Expected \'http://keycloak:8080/auth/realms/sample\', but was \'http://keycloak/auth/realms/sample\'"',
    "G-03-keycloak-issuer-body.json": '{"error":"invalid_token","error_description":"Token invalid: Invalid token issuer. Expected \'http://keycloak:8080/auth/realms/development\', but was \'http://localhost:8180/auth/realms/development\'"}',
    "G-04-aspnet-issuer.txt": 'WWW-Authenticate: Bearer error="invalid_token", error_description="The issuer \'http://localhost:8080/realms/my-realm\' is invalid"',
    "O-01-kid.txt": 'HTTP/1.1 401\r\nWWW-Authenticate: Bearer realm="company-services", error="invalid_token", error_description="Didn\'t find publicKey for specified kid"\r\nContent-Length: 0\r\n\r\n',
    "okta-dpop-insufficient-scope.txt": 'WWW-Authenticate: DPoP algs="RS256 ES256", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/policies"',
    "rfc9449-dpop-required.txt": 'WWW-Authenticate: DPoP error="invalid_token", error_description="DPoP-bound access token must be presented using the DPoP scheme"',
    "A-01-auth0.json": '{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:users,read:current_user,read:user_idp_tokens","errorCode":"insufficient_scope"}',
    "A-02-uaa.json": '{"error":"insufficient_scope","error_description":"Insufficient scope for this resource","scope":"scim.read zones.uaa.admin"}',
    "A-07-google.json": json.dumps({"error": {"code": 403, "message": "Request had insufficient authentication scopes.", "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}], "status": "PERMISSION_DENIED", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com", "metadata": {"method": "calendar.v3.Events.List", "service": "calendar-json.googleapis.com"}}]}}),
    "B-02-graph-me.json": '{"error":{"code":"BadRequest","message":"/me request is only valid with delegated authentication flow."}}',
    "B-03-graph-access-denied.json": '{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}',
    "B-06-github.txt": 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n{"message": "Resource not accessible by integration", "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user", "status": "403"}',
    "C-06-idw10201.txt": "IDW10201: Neither scope or roles claim was found in the bearer token.",
    "graph-request-denied.json": '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}',
    "graph-invalid-audience.json": '{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}',
    "graph-no-permissions.json": '{"error":{"code":"NoPermissionsInAccessToken","message":"The token contains no permissions, or permissions can not be understood."}}',
    "L-02-genesys-missing-any.json": '{"message":"Unable to perform the requested action. You must have at least one of the following permissions assigned: [processautomation:trigger:edit, processautomation:trigger:view]","code":"missing.any.permissions","status":403,"messageParams":{},"contextId":"c0ffee","details":[],"errors":[]}',
    "genesys-user-context.json": '{"message":"This request requires a user context. Client credentials cannot be used for requests to this resource.","code":"not.a.user","status":400,"contextId":"c1","details":[],"errors":[]}',
    "M-01-mastodon.json": '{"error":"This action is outside the authorized scopes"}',
    "M-03-scim.json": '{"schemas":["urn:ietf:params:scim:api:messages:2.0:Error"],"detail":"Operation is not permitted. You do not have permissions to make this request.","status":403}',
    "N-06-salesforce.json": '[{"message": "Session expired or invalid", "errorCode": "INVALID_SESSION_ID"}]',
    "H-06-idx10223.txt": "IDX10223: Lifetime validation failed. The token is expired. ValidTo: '05/19/2016 10:45:59' Current time: '05/19/2016 21:46:31'.",
    "idx10225.txt": "IDX10225: Lifetime validation failed. The token is missing an Expiration Time.",
    "idx10511.txt": "IDX10511: Signature validation failed. Keys tried: 'Microsoft.IdentityModel.Tokens.X509SecurityKey'.",
    "auth0-not-granted.json": '{"error":"access_denied","error_description":"Client has not been granted scopes: read:users"}',
    "introspection-inactive.json": '{"active": false}',
    "unbalanced-challenge.txt": 'Bearer error="insufficient_scope, scope="a b',
    "many-challenges.txt": 'Basic realm="x", Bearer realm="y", error="invalid_token", DPoP algs="ES256", Negotiate',
}

SWAGGER_PATHS = ["/api/v2/users/me", "/api/v2/conversations/calls", "/api/v2/analytics/conversations/details/query"]


def genesys_fragment():
    path = os.path.join(os.path.dirname(ROOT), "..", "..", "shared", "data", "genesys-swagger-2018-03-21.json")
    if not os.path.exists(path):
        return None
    with open(path) as f:
        doc = json.load(f)
    paths = {p: doc["paths"][p] for p in SWAGGER_PATHS if p in doc["paths"]}
    for p in paths.values():  # keep the shape, drop the long parameter lists
        for op in p.values():
            if isinstance(op, dict):
                op.pop("parameters", None)
                op.pop("responses", None)
    return json.dumps({"swagger": "2.0", "info": doc["info"], "host": doc["host"], "basePath": doc.get("basePath", "/"),
                       "securityDefinitions": doc["securityDefinitions"], "paths": paths})


OPENAPI3_JSON = json.dumps({
    "openapi": "3.0.3", "info": {"title": "Orders", "version": "1"}, "servers": [{"url": "https://api.example.com/v1"}],
    "components": {"securitySchemes": {"oauth": {"type": "oauth2", "flows": {"clientCredentials": {"tokenUrl": "https://as.example/token", "scopes": {"orders:read": "read", "orders:write": "write"}}}}},
                   "schemas": {"Order": {"type": "object", "properties": {"id": {"type": "string"}}}}},
    "security": [{"oauth": ["orders:read"]}],
    "paths": {
        "/orders": {"get": {"summary": "List orders", "responses": {"200": {"description": "ok"}}},
                    "post": {"summary": "Create", "security": [{"oauth": ["orders:write"]}, {}], "responses": {"201": {"description": "ok"}}}},
        "/orders/{id}": {"parameters": [{"name": "id", "in": "path", "required": True, "schema": {"type": "string"}}],
                         "delete": {"security": [], "responses": {"204": {"description": "ok"}}}},
        "/health": {"get": {"security": [], "responses": {"200": {"$ref": "#/components/responses/Ok"}}}},
    },
})

OPENAPI3_YAML = """openapi: 3.1.0
info:
  title: Orders
  version: '1'
servers:
  - url: https://api.example.com/v1
components:
  securitySchemes:
    oauth:
      type: oauth2
      flows:
        authorizationCode:
          authorizationUrl: https://as.example/authorize
          tokenUrl: https://as.example/token
          scopes:
            orders:read: read orders
            orders:write: write orders
paths:
  /orders:
    get:
      summary: List orders
      security:
        - oauth: [orders:read]
    post:
      security:
        - oauth: [orders:write]
        - {}
  /orders/{id}:
    delete:
      security: []
"""

REF_CYCLE = json.dumps({
    "openapi": "3.0.0", "info": {"title": "cycle", "version": "1"},
    "paths": {"/a": {"$ref": "#/paths/~1b"}, "/b": {"$ref": "#/paths/~1a"},
              "/c": {"get": {"security": [{"$ref": "#/components/x"}], "parameters": [{"$ref": "#/components/parameters/p"}]}}},
    "components": {"x": {"$ref": "#/components/x"}, "parameters": {"p": {"$ref": "#/components/parameters/p"}}},
})

YAML_ANCHORS = """openapi: 3.0.0
info: &i {title: a, version: '1'}
x: &a [*i, *i, *i]
y: &b [*a, *a, *a]
paths:
  /a: {get: {security: [{oauth: [r]}]}}
"""

MATRIX = json.dumps({
    "platform": {"id": "custom", "name": "Orders API", "hosts": ["api.example.com"], "basePaths": ["/v1"], "scopeCatalog": ["orders:read", "orders:write"]},
    "operations": [
        {"method": "GET", "path": "/orders", "scopes": {"type": "anyOf", "sets": [["orders:read"]]}, "userContext": "notRequired"},
        {"method": "POST", "path": "/orders", "scopes": {"type": "anyOf", "sets": [["orders:write"]]}, "permissions": {"mode": "ANY", "list": ["orders:edit"]}, "userContext": "required"},
        {"method": "DELETE", "path": "/orders/{id}", "scopes": {"type": "public"}},
    ],
})

OPENAPI = {
    "openapi3.json": OPENAPI3_JSON,
    "openapi3.yaml": OPENAPI3_YAML,
    "ref-cycle.json": REF_CYCLE,
    "yaml-anchors.yaml": YAML_ANCHORS,
    "token-doctor-matrix.json": MATRIX,
    "swagger2-minimal.json": json.dumps({"swagger": "2.0", "info": {"title": "x", "version": "1"}, "basePath": "/api", "securityDefinitions": {"o": {"type": "oauth2", "flow": "application", "tokenUrl": "https://t", "scopes": {"s": ""}}}, "paths": {"/x": {"get": {"security": [{"o": ["s"]}], "x-inin-requires-permissions": {"type": "ANY", "permissions": ["a:b:c"]}}}}}),
    "not-a-document.txt": "hello: [unclosed",
    "empty-paths.json": '{"openapi":"3.0.0","paths":{}}',
}


# The `matrix` target: a document, then a line `---` and called operations, one a line. The compact form (as the
# built-ins are written) with a mixed segment, a drive path (`root:/{path}:`) and a lower-case method; the plain
# form with a base path; the smallest built-in, NICE CXone, is added whole by main().
MATRICES = {
    "compact-small.json": "\n".join([
        '{"format":"token-doctor-matrix-compact/1","platform":{"id":"x","name":"X","caseInsensitive":true},',
        '"names":["a","b"],"scopeReqs":["unknown","public",{"anyOf":[[0],[1]],"least":1}],',
        '"permReqs":[["ALL",[1]]],"notes":["n"],',
        '"paths":[[0,"/p",[["GET",2,-1,0,1,[0]]]],[2,"{id}",[["PUT",1,2,-1,2],["get",0,-1,-1,0]]],'
        '[1,"me/drive/root:/{path}:/content",[["GET",0,-1,-1,0]]],[1,"f(x={v})",[["PATCH",2,2,0,0]]]]}',
        "---",
        "GET /p", "PUT /p/7", "GET /P/8", "GET /p/me/drive/root:/a/b.txt:/content", "PATCH /p/F(x=1)", "DELETE /p", "",
    ]),
    "plain.json": MATRIX + "\n---\nGET /v1/orders\nPOST https://api.example.com/v1/orders?x=1\nDELETE /orders/7\n",
    # A path entry without rows lends its prefix only: its `a:` segment must not make `:` segments join in calls
    # (a review found the compact reader counting it, 2026-11-24). `{param}` first segment and a root template.
    "compact-entry-without-rows.json": "\n".join([
        '{"format":"token-doctor-matrix-compact/1","platform":{"id":"t","name":"T"},"names":[],"scopeReqs":["unknown"],',
        '"permReqs":[],"paths":[[0,"/a:/b",[]],[0,"/x/{p}/{q}",[["GET",0,-1,-1,0]]],[0,"/{t}/y",[["GET",0,-1,-1,0]]],',
        '[0,"/",[["GET",0,-1,-1,0]]]]}',
        "---",
        "GET /x/a:/b/c", "GET /t1/y", "GET /", "GET /x/y",
    ]),
}


def requests():
    """JSON requests for the `diagnose` target: what the page sends."""
    out = {}
    now = 1700000000
    out["B-03-app-only-on-me.json"] = {"input": TOKENS["B-03-graph-app-only.jwt"], "operation": "POST https://graph.microsoft.com/v1.0/me/messages", "response": CHALLENGES["B-03-graph-access-denied.json"], "now": now}
    out["O-01-curl-and-challenge.json"] = {"input": HEADERS["O-01-curl.txt"], "response": CHALLENGES["O-01-kid.txt"], "now": now}
    out["I-02-id-token-to-graph.json"] = {"input": TOKENS["I-02-id-token.jwt"], "operation": "GET https://graph.microsoft.com/v1.0/me", "response": CHALLENGES["graph-invalid-audience.json"], "now": now}
    out["L-02-genesys.json"] = {"input": "Bearer " + TOKENS["J-03-auth0-opaque.txt"], "operation": "GET https://api.mypurecloud.com/api/v2/processautomation/triggers", "response": CHALLENGES["L-02-genesys-missing-any.json"], "introspection": HEADERS["genesys-tokens-me.json"], "now": now}
    out["expect-and-previous.json"] = {"input": TOKENS["F-05-entra-v1-graph.jwt"], "previous": TOKENS["B-03-graph-app-only.jwt"], "expect": {"audience": "api://orders", "issuer": "https://login.microsoftonline.com/tid/v2.0"}, "now": now}
    out["custom-matrix.json"] = {"input": TOKENS["rfc9068-at.jwt"], "operation": "POST https://api.example.com/v1/orders", "matrix": MATRIX, "now": now}
    out["openapi-matrix-object.json"] = {"input": TOKENS["rfc9068-at.jwt"], "operation": "DELETE /orders/7", "matrix": json.loads(OPENAPI3_JSON), "now": now}
    out["keycloak-introspection.json"] = {"input": TOKENS["O-01-keycloak.jwt"], "introspection": {"active": False}, "now": now}
    out["hostile-claims.json"] = {"input": TOKENS["rtl-zero-width.jwt"], "operation": "GET /x", "now": now}
    out["dpop.json"] = {"input": "Bearer " + TOKENS["P-01-dpop-bound.jwt"], "response": CHALLENGES["rfc9449-dpop-required.txt"], "now": now}
    out["weird-now.json"] = {"input": TOKENS["exp-float.jwt"], "now": -1e300}
    return {k: json.dumps(v) for k, v in out.items()}


def fields(*parts):
    """The 0xFF-separated form of the `diagnose` target."""
    return b"\xff".join(p.encode() for p in parts)


def write(target, name, data):
    d = os.path.join(ROOT, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data.encode() if isinstance(data, str) else data)


def main():
    if os.path.isdir(ROOT):
        shutil.rmtree(ROOT)
    for name, t in TOKENS.items():
        write("jose_decode", name, t)
    for name, t in {**TOKENS, **HEADERS}.items():
        write("input_recognize", name, t)
    claims = {"O-01.json": O01, "F-05.json": F05, "I-02.json": I02, "B-03.json": B03, "A-01-auth0.json": AUTH0_CC,
              "cxone.json": CXONE, "P-01-dpop.json": DPOP, "P-03-mtls.json": MTLS, "rfc9068.json": RFC9068,
              "O-02-header.json": O02_HEADER,
              "hostile-types.json": {"exp": "soon", "nbf": -5, "iat": 1e308, "aud": {"x": 1}, "scope": 42, "roles": "a b", "sub": "\u202eadmin", "typ": "ID", "at_hash": "x"},
              "id-token.json": {"iss": "https://as", "aud": "c1", "azp": "c1", "sub": "u", "nonce": "n", "exp": 1},
              "keycloak-refresh.json": {"typ": "Refresh", "sub": "u", "azp": "c"}}
    for name, c in claims.items():
        write("claims", name, json.dumps(c))
    for name, t in CHALLENGES.items():
        write("response_parse", name, t)
    frag = genesys_fragment()
    if frag:
        OPENAPI["genesys-swagger-2018-fragment.json"] = frag
    for name, t in OPENAPI.items():
        write("openapi_import", name, t)
    for name, t in MATRICES.items():
        write("matrix", name, t)
    cxone = os.path.join(os.path.dirname(ROOT), "..", "www", "matrices", "nice-cxone.json")
    with open(cxone, encoding="utf-8") as f:
        write("matrix", "nice-cxone.json", f.read())
    for name, t in requests().items():
        write("diagnose", name, t)
    write("diagnose", "fields-token-op-response.bin", fields(HEADERS["bearer.txt"], "POST https://graph.microsoft.com/v1.0/me/sendMail", CHALLENGES["B-03-graph-access-denied.json"]))
    write("diagnose", "fields-all.bin", fields(TOKENS["O-01-keycloak.jwt"], "POST /api/private", CHALLENGES["O-01-kid.txt"], TOKENS["I-02-id-token.jwt"], OPENAPI3_YAML, '{"active":false}', "account", "http://keycloak:8080/auth/realms/sample", "custom"))
    write("diagnose", "fields-curl.bin", fields(HEADERS["curl-continuations.txt"], "", CHALLENGES["L-02-genesys-missing-any.json"]))
    for target in ["jose_decode", "input_recognize", "claims", "response_parse", "openapi_import", "diagnose", "matrix"]:
        print(target, len(os.listdir(os.path.join(ROOT, target))), "seeds")


if __name__ == "__main__":
    main()
