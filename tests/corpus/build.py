#!/usr/bin/env python3
"""Builds Token Doctor's diagnosis corpus: tests/corpus/<class>-<topic>.json.

Usage: python3 tests/corpus/build.py            (writes the JSON files next to this script)
       python3 tests/corpus/build.py --check    (exits 1 when a committed file differs from what it builds)

Each case is a real 401/403 situation from ../shared/research/scenarios.md (its `source` is the thread or page
the scenario cites), rebuilt as a `diagnose` request, with what the engine MUST answer given the scenario's
accepted root cause. Cases marked `x` in their id (`A-x01`) come from the product brief, the issue 3 contract or
the platform facts in ../shared/data/README.md rather than from one numbered scenario; their `source` says which.

Tokens are rebuilt from the claims the scenarios quote: header and payload are real base64url JSON, the
signature is deterministic filler bytes (sha256 of the case id), so the files are reproducible byte for byte.
No real, still-valid third-party token is used. Secrets in curl commands are obvious placeholders.

Expectation fields (all optional; the runners tests/corpus.rs and tests/e2e/corpus.test.mjs implement them):
  verdict   "denied" | "allowed" | "unknown", or a list of acceptable verdicts
  first     the code of findings[0], or a list of acceptable codes (used only where issue 3's taxonomy leaves
            two readings open, e.g. a Graph application permission missing from `roles`: scope or permission)
  codes     codes that must all be present among the findings
  absent    codes that must not be present
  mentions  strings that must appear (case-insensitive) in the first finding's title, detail, evidence
            (source or text) or fix
  notMentions  strings that no finding may contain (case-insensitive), in the same parts: a reading that must not
            be offered
  noErrors  true: no finding may have severity "error"

Python 3 standard library only.
"""

from __future__ import annotations

import base64
import hashlib
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

# ---------------------------------------------------------------------------------------------------------------
# Token builders


def b64u(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def j(obj) -> bytes:
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8")


def filler(seed: str, n: int) -> bytes:
    """n deterministic bytes from seed."""
    out = b""
    i = 0
    while len(out) < n:
        out += hashlib.sha256(f"{seed}:{i}".encode()).digest()
        i += 1
    return out[:n]


SIG_LEN = {"RS256": 256, "RS384": 256, "RS512": 256, "PS256": 256, "ES256": 64, "ES384": 96, "ES512": 132,
           "HS256": 32, "HS384": 48, "HS512": 64, "EdDSA": 64}


def jwt(header: dict, payload: dict, seed: str) -> str:
    """A compact JWS with a deterministic filler signature of the algorithm's usual length (none: empty)."""
    alg = header.get("alg", "RS256")
    sig = b"" if str(alg).lower() == "none" else filler("sig:" + seed, SIG_LEN.get(alg, 256))
    return f"{b64u(j(header))}.{b64u(j(payload))}.{b64u(sig)}"


def jwe(header: dict, seed: str, key_len: int = 0, ct_len: int = 700) -> str:
    """A compact JWE: protected header, encrypted key (empty for `dir`), IV, ciphertext, tag."""
    return ".".join([b64u(j(header)), b64u(filler("key:" + seed, key_len)), b64u(filler("iv:" + seed, 12)),
                     b64u(filler("ct:" + seed, ct_len)), b64u(filler("tag:" + seed, 16))])


def opaque(seed: str, n: int = 86, prefix: str = "") -> str:
    """An opaque token: base64url characters derived from seed."""
    return prefix + b64u(filler("opaque:" + seed, n))[:n]


def alnum(seed: str, n: int) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
    return "".join(chars[b % len(chars)] for b in filler("alnum:" + seed, n))


def guid(seed: str) -> str:
    h = hashlib.sha256(("guid:" + seed).encode()).hexdigest()
    return f"{h[0:8]}-{h[8:12]}-4{h[13:16]}-a{h[17:20]}-{h[20:32]}"


def rs256(kid: str = "kid-1", typ: str | None = "JWT") -> dict:
    h = {"alg": "RS256"}
    if typ:
        h["typ"] = typ
    h["kid"] = kid
    return h


# ---------------------------------------------------------------------------------------------------------------
# Platform helpers: Microsoft Graph / Entra ID, Genesys Cloud, Auth0, Keycloak, Google

TID = "72f988bf-86f1-41af-91ab-2d7cd011db47"  # a tenant id (the Microsoft example tenant)
GRAPH_AUD = "https://graph.microsoft.com"
GRAPH_GUID = "00000003-0000-0000-c000-000000000000"
MS_KID = "z039zdsFuizpBfBVK1Tn25QHYO0"  # the kid quoted in O-02


def ms_header(seed: str, nonce: bool = True) -> dict:
    """The header of a Microsoft Graph access token: carries a `nonce` (O-02)."""
    h = {"typ": "JWT"}
    if nonce:
        h["nonce"] = b64u(filler("nonce:" + seed, 32))
    h.update({"alg": "RS256", "x5t": MS_KID, "kid": MS_KID})
    return h


def graph_delegated(seed: str, scp: str, iat: int, aud: str = GRAPH_AUD, tid: str = TID, life: int = 4530,
                    **extra) -> str:
    """A v1 delegated (user) access token for Microsoft Graph, as Entra ID issues it."""
    payload = {
        "aud": aud, "iss": f"https://sts.windows.net/{tid}/", "iat": iat, "nbf": iat, "exp": iat + life,
        "acct": 0, "acr": "1", "aio": b64u(filler("aio:" + seed, 40)), "amr": ["pwd", "mfa"],
        "app_displayname": "Contoso Mailer", "appid": guid("app:" + seed), "appidacr": "0",
        "family_name": "Doe", "given_name": "Jane", "idtyp": "user", "ipaddr": "203.0.113.7", "name": "Jane Doe",
        "oid": guid("oid:" + seed), "platf": "3", "puid": "10032001A2B3C4D5", "rh": "0.AXEAv4j5cvGGr0GRqy180BHbR",
        "scp": scp, "sub": b64u(filler("sub:" + seed, 32)), "tenant_region_scope": "EU", "tid": tid,
        "unique_name": "jane.doe@contoso.com", "upn": "jane.doe@contoso.com", "uti": b64u(filler("uti:" + seed, 16)),
        "ver": "1.0", "xms_tcdt": 1583241201,
    }
    payload.update(extra)
    return jwt(ms_header(seed), payload, seed)


def graph_app(seed: str, roles: list[str] | None, iat: int, aud: str = GRAPH_AUD, tid: str = TID,
              life: int = 3599, **extra) -> str:
    """A v1 app-only (client credentials) access token for Microsoft Graph; `roles` None = no roles claim."""
    sp = guid("sp:" + seed)
    payload = {
        "aud": aud, "iss": f"https://sts.windows.net/{tid}/", "iat": iat, "nbf": iat, "exp": iat + life,
        "aio": b64u(filler("aio:" + seed, 40)), "app_displayname": "Contoso Daemon", "appid": guid("app:" + seed),
        "appidacr": "1", "idp": f"https://sts.windows.net/{tid}/", "idtyp": "app", "oid": sp,
        "rh": "0.AXEAv4j5cvGGr0GRqy180BHbR", "sub": sp, "tenant_region_scope": "EU", "tid": tid,
        "uti": b64u(filler("uti:" + seed, 16)), "ver": "1.0", "xms_tcdt": 1583241201,
    }
    if roles is not None:
        payload["roles"] = roles
    payload.update(extra)
    return jwt(ms_header(seed), payload, seed)


GENESYS_ORG = "9e7b5c1a-3f2d-4b8e-a6c4-1d2e3f4a5b6c"


def genesys_token(seed: str) -> str:
    """Genesys Cloud access tokens are opaque (../shared/data/README.md)."""
    return opaque("genesys:" + seed, 86)


def tokens_me(scopes: list[str], grant: str = "CODE", client_scopes: list[str] | None = None,
              client_name: str = "Zapier integration") -> dict:
    """The JSON of Genesys `GET /api/v2/tokens/me` (TokenInfo), as ../shared/data/README.md describes it."""
    org = {"id": GENESYS_ORG, "name": "Acme Contact Center", "selfUri": f"/api/v2/organizations/{GENESYS_ORG}"}
    client = {
        "id": guid("genesys-client:" + client_name), "name": client_name,
        "organization": {"id": GENESYS_ORG, "selfUri": f"/api/v2/organizations/{GENESYS_ORG}"},
        "authorizedGrantType": grant, "scope": client_scopes if client_scopes is not None else scopes,
    }
    if grant == "CLIENT-CREDENTIALS":
        client["roleDivisions"] = [{"roleId": guid("role:" + client_name), "divisionId": guid("home-division")}]
    return {"organization": org, "homeOrganization": org, "authorizedScope": scopes, "OAuthClient": client}


def auth0_m2m(seed: str, tenant: str, scope: str, iat: int, aud: str | None = None) -> str:
    """An Auth0 Management API token from the client-credentials grant."""
    cid = alnum("cid:" + seed, 32)
    payload = {"iss": f"https://{tenant}/", "sub": f"{cid}@clients", "aud": aud or f"https://{tenant}/api/v2/",
               "iat": iat, "exp": iat + 86400, "scope": scope, "gty": "client-credentials", "azp": cid}
    return jwt(rs256(alnum("kid:" + tenant, 20)), payload, seed)


def keycloak(seed: str, iss: str, iat: int, azp: str, scope: str = "profile email", life: int = 300,
             aud="account", typ: str = "Bearer", **extra) -> str:
    """A Keycloak access token (typ Bearer) or other Keycloak token (typ ID / Refresh)."""
    payload = {"exp": iat + life, "iat": iat, "jti": guid("jti:" + seed), "iss": iss, "aud": aud,
               "sub": guid("sub:" + seed), "typ": typ, "azp": azp, "session_state": guid("ss:" + seed),
               "acr": "1", "scope": scope}
    payload.update(extra)
    return jwt(rs256(b64u(filler("kc-kid:" + iss, 32))), payload, seed)


def introspection(active: bool = True, **fields) -> dict:
    out = {"active": active}
    out.update(fields)
    return out


def google_token(seed: str) -> str:
    """Google OAuth access tokens are opaque (`ya29.` prefix)."""
    return "ya29." + opaque("google:" + seed, 160)


def openapi(title: str, server: str, ops: list[tuple], scopes: dict[str, str] | None = None,
            scheme: str = "oauth") -> dict:
    """A small OpenAPI 3.0 document: ops are (method, path, alternatives) where alternatives is a list of scope
    lists (any one list is enough) or None for `security: []`."""
    paths: dict = {}
    all_scopes: dict[str, str] = dict(scopes or {})
    for method, path, alts in ops:
        op = {"operationId": f"{method.lower()}_{path.strip('/').replace('/', '_').replace('{', '').replace('}', '')}",
              "responses": {"200": {"description": "OK"}, "403": {"description": "Forbidden"}}}
        if alts is None:
            op["security"] = []
        else:
            op["security"] = [{scheme: list(alt)} for alt in alts]
            for alt in alts:
                for s in alt:
                    all_scopes.setdefault(s, s)
        paths.setdefault(path, {})[method.lower()] = op
    return {
        "openapi": "3.0.3",
        "info": {"title": title, "version": "1.0"},
        "servers": [{"url": server}],
        "paths": paths,
        "components": {"securitySchemes": {scheme: {"type": "oauth2", "flows": {"authorizationCode": {
            "authorizationUrl": "https://auth.example.com/authorize", "tokenUrl": "https://auth.example.com/token",
            "scopes": all_scopes}}}}},
    }


def http_response(status: str, headers: list[tuple[str, str]], body: str = "") -> str:
    lines = [f"HTTP/1.1 {status}"] + [f"{k}: {v}" for k, v in headers]
    return "\r\n".join(lines) + "\r\n\r\n" + body


# ---------------------------------------------------------------------------------------------------------------
# The cases

CASES: list[dict] = []


def case(id: str, source: str, cls: str, title: str, request: dict, expect: dict) -> None:
    assert "now" in request, f"{id}: pass `now` explicitly"
    CASES.append({"id": id, "source": source, "class": cls, "title": title, "request": request, "expect": expect})


# A request to a token endpoint carries client credentials, never a bearer token: "no Authorization header"
# would send the reader the wrong way.
TOKEN_ENDPOINT_ABSENT = ["input.no_token"]

D = "denied"
A = "allowed"
U = "unknown"

# --- A. Scope missing from the token for the operation -------------------------------------------------------

NOW_A01 = 1519862400  # 2018-03-01
case("A-01", "raster-foundry/raster-foundry#2030", "A",
     "Auth0 Management API token without read:users; the 403 names the scopes it expects",
     {"input": auth0_m2m("A-01", "raster-foundry.auth0.com", "read:clients read:client_grants", NOW_A01 - 600),
      "operation": "GET https://raster-foundry.auth0.com/api/v2/users/auth0%7C5a1b2c3d4e5f6a7b8c9d0e1f",
      "response": json.dumps({"statusCode": 403, "error": "Forbidden",
                              "message": "Insufficient scope, expected any of: read:users,read:current_user,read:user_idp_tokens",
                              "errorCode": "insufficient_scope"}),
      "now": NOW_A01},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "absent": ["token.expired"],
      "mentions": ["read:users"]})

NOW_A02 = 1500000000
case("A-02", "prosociallearnEU/cf-nodejs-client#102", "A",
     "Cloud Foundry UAA user token without scim.read; the error body's `scope` member names it",
     {"input": jwt(rs256("key-1"), {
         "jti": guid("A-02"), "sub": guid("A-02:user"), "scope": ["openid", "cloud_controller.read"],
         "client_id": "cf", "cid": "cf", "azp": "cf", "grant_type": "password", "user_id": guid("A-02:user"),
         "origin": "uaa", "user_name": "developer", "email": "developer@example.com", "auth_time": NOW_A02 - 120,
         "rev_sig": "5c1a2b3d", "iat": NOW_A02 - 120, "exp": NOW_A02 + 480,
         "iss": "https://uaa.example.com/oauth/token", "zid": "uaa", "aud": ["cloud_controller", "openid", "cf"]},
         "A-02"),
      "operation": "GET https://uaa.example.com/Users?attributes=id,userName",
      "response": http_response("403 Forbidden", [("Content-Type", "application/json;charset=UTF-8")], json.dumps(
          {"error": "insufficient_scope", "error_description": "Insufficient scope for this resource",
           "scope": "scim.read zones.uaa.admin"})),
      "now": NOW_A02},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "absent": ["token.expired"],
      "mentions": ["scim.read"]})

NOW_A04 = 1546300800  # 2019-01-01
case("A-04", "microsoftgraph/aspnetcore-connect-sample#37", "A",
     "Graph delegated token without Mail.Read reads the inbox (the profile read works)",
     {"input": graph_delegated("A-04", "User.Read openid profile email", NOW_A04 - 300),
      "operation": "GET https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages",
      "response": json.dumps({"error": {"code": "ErrorAccessDenied",
                                        "message": "Access is denied. Check credentials and try again."}}),
      "now": NOW_A04},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"],
      "absent": ["token.expired", "grant.no_user_context", "audience.mismatch"], "mentions": ["Mail.Read"]})

NOW_A05 = 1514764800  # 2018-01-01
case("A-05", "AzureCAT-GSI/DevCamp#44", "A",
     "Graph delegated token without Mail.Send calls sendMail (the permission was only added to config)",
     {"input": "Bearer " + graph_delegated("A-05", "User.Read Mail.Read", NOW_A05 - 900),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "response": http_response("403 Forbidden", [("Content-Type", "application/json")], json.dumps(
          {"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}})),
      "now": NOW_A05},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"],
      "absent": ["token.expired", "grant.no_user_context", "header.malformed"], "mentions": ["Mail.Send"]})

NOW_A06 = 1640995200  # 2022-01-01
GOOGLE_403_BODY = {"error": {"code": 403, "message": "Request had insufficient authentication scopes.",
                             "errors": [{"message": "Insufficient Permission", "domain": "global",
                                         "reason": "insufficientPermissions"}],
                             "status": "PERMISSION_DENIED"}}
case("A-06", "googleworkspace/browser-samples#84", "A",
     "Google Sheets read with a cached browser token authorised for an earlier scope set",
     {"input": google_token("A-06"),
      "operation": "GET https://sheets.googleapis.com/v4/spreadsheets/1BxiMVs0XRA5nFMdKvBdBZjgmUUqptlbs74OgvE2upms/values/Class%20Data!A2:E",
      "introspection": introspection(True, scope="openid https://www.googleapis.com/auth/userinfo.email",
                                     client_id="1234567890-abc.apps.googleusercontent.com",
                                     exp=NOW_A06 + 2400, token_type="Bearer"),
      "response": json.dumps(GOOGLE_403_BODY),
      "now": NOW_A06},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"],
      "absent": ["token.expired", "introspection.inactive"]})

NOW_A07 = 1672531200  # 2023-01-01
case("A-07", "GeneralTask/task-manager#2160", "A",
     "Google Calendar events list with a user token granted without the calendar scope (canonical Google 403)",
     {"input": google_token("A-07"),
      "operation": "GET https://www.googleapis.com/calendar/v3/calendars/primary/events?maxResults=50",
      "response": json.dumps({"error": {
          "code": 403, "message": "Request had insufficient authentication scopes.",
          "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}],
          "status": "PERMISSION_DENIED",
          "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
                       "domain": "googleapis.com",
                       "metadata": {"method": "calendar.v3.Events.List",
                                    "service": "calendar-json.googleapis.com"}}]}}),
      "now": NOW_A07},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "absent": ["token.expired"]})

NOW_A08 = 1675209600  # 2023-02-01
case("A-08", "slackapi/bolt-js#1748", "A",
     "Slack app-level token without connections:write opens a Socket Mode connection",
     {"input": "xapp-1-A04KQ3F5X7B-4712345678901-" + alnum("A-08", 64).lower(),
      "operation": "POST https://slack.com/api/apps.connections.open",
      "response": json.dumps({"ok": False, "error": "missing_scope", "needed": "connections:write",
                              "provided": "authorizations:read"}),
      "now": NOW_A08},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["connections:write"]})

NOW_A09 = 1735689600  # 2025-01-01
OKTA = "https://dev-123456.okta.com"


def okta_token(seed: str, scp: list[str], iat: int, cnf: dict | None = None) -> str:
    cid = "0oa" + alnum("okta-cid:" + seed, 17)
    payload = {"ver": 1, "jti": "AT." + b64u(filler("okta-jti:" + seed, 32)), "iss": OKTA, "aud": OKTA,
               "iat": iat, "exp": iat + 3600, "cid": cid, "scp": scp, "sub": cid}
    if cnf:
        payload["cnf"] = cnf
    return jwt(rs256(b64u(filler("okta-kid", 32))), payload, seed)


OKTA_403_BODY = json.dumps({"errorCode": "E0000006",
                            "errorSummary": "You do not have permission to perform the requested action",
                            "errorLink": "E0000006", "errorId": "oae" + alnum("okta-err", 19), "errorCauses": []})
case("A-09", "okta/terraform-provider-okta#2334", "A",
     "Okta service-app token with okta.apps.manage only; creating an app also reads policies (okta.policies.read)",
     {"input": okta_token("A-09", ["okta.apps.manage"], NOW_A09 - 120),
      "operation": f"GET {OKTA}/api/v1/policies?type=ACCESS_POLICY",
      "response": http_response("403 Forbidden", [
          ("WWW-Authenticate", f'Bearer authorization_uri="{OKTA}/oauth2/v1/authorize", realm="{OKTA}", '
                               'scope="okta.policies.read", error="insufficient_scope", '
                               'error_description="The access token provided does not contain the required scopes.", '
                               'resource="/api/v1/policies"'),
          ("Content-Type", "application/json")], OKTA_403_BODY),
      "now": NOW_A09},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"],
      "absent": ["token.expired", "token.sender_constrained"], "mentions": ["okta.policies.read"]})

NOW_A10 = 1704067200  # 2024-01-01
case("A-10", "elastic/connectors#2818", "A",
     "Zoom server-to-server token without the granular scope user:read:list_users:admin lists users",
     {"input": opaque("A-10", 120),
      "operation": "GET https://api.zoom.us/v2/users?page_size=300",
      "response": http_response("400 Bad Request", [("Content-Type", "application/json;charset=UTF-8")], json.dumps(
          {"code": 4711, "message": "Invalid access token, does not contain scopes:[user:read:list_users:admin]."})),
      "now": NOW_A10},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["user:read:list_users:admin"]})

NOW_G = 1767225600  # 2026-01-01
case("A-x01", "product brief (issue 3): the classic Genesys case; scopes from ../shared/data genesys matrix", "A",
     "Genesys opaque token whose tokens/me lacks `conversations` places a call",
     {"input": genesys_token("A-x01"),
      "operation": "POST https://api.mypurecloud.com/api/v2/conversations/calls",
      "introspection": tokens_me(["users:readonly", "user-basic-info", "routing:readonly"]),
      "now": NOW_G},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"],
      "absent": ["token.expired", "grant.no_user_context", "scope.unknown", "operation.unknown",
                 "introspection.inactive"],
      "mentions": ["conversations"]})

SEED_RESPONSE = {"access_token": genesys_token("A-x02"), "token_type": "bearer", "expires_in": 86399,
                 "scope": "interactions:write"}
case("A-x02", "matrix_sources.md §0.2: `interactions:write` is not a Genesys Cloud scope (the seed thread)", "A",
     "A Genesys token response carrying the non-existent scope interactions:write",
     {"input": json.dumps(SEED_RESPONSE, indent=2), "platform": "genesys-cloud", "now": NOW_G},
     {"verdict": [U, D], "first": "scope.unknown", "codes": ["scope.unknown"], "mentions": ["interactions:write"]})

case("A-x03", "matrix_sources.md §0.1-0.2: the seed `POST /api/v2/interactions` with `interactions:write`", "A",
     "The seed: interactions:write on POST /api/v2/interactions, neither of which exists on Genesys Cloud",
     {"input": json.dumps({**SEED_RESPONSE, "access_token": genesys_token("A-x03")}),
      "operation": "POST https://api.mypurecloud.com/api/v2/interactions",
      "response": json.dumps({"message": "Unable to perform the requested action.", "code": "not.authorized",
                              "status": 403, "messageParams": {}, "contextId": guid("A-x03"), "details": [],
                              "errors": []}),
      "platform": "genesys-cloud", "now": NOW_G},
     {"verdict": [U, D], "first": ["scope.unknown", "operation.unknown", "access.denied"],
      "codes": ["scope.unknown", "operation.unknown"], "mentions": []})

case("A-x04", "matrix_sources.md §0.2 (interactions:write) + genesys matrix POST /api/v2/conversations/calls", "A",
     "interactions:write used for placing a call: the real scope is `conversations`",
     {"input": json.dumps({**SEED_RESPONSE, "access_token": genesys_token("A-x04")}),
      "operation": "POST https://api.mypurecloud.com/api/v2/conversations/calls",
      "now": NOW_G},
     {"verdict": D, "first": ["scope.missing", "scope.unknown"], "codes": ["scope.missing", "scope.unknown"],
      "mentions": ["conversations"]})

case("A-x05", "issue 3 brief: an opaque token without introspection has unknown scopes (unknown, not denied)", "A",
     "The classic Genesys call with the opaque token alone: its scopes cannot be seen",
     {"input": genesys_token("A-x05"),
      "operation": "POST https://api.mypurecloud.com/api/v2/conversations/calls",
      "now": NOW_G},
     {"verdict": U, "absent": ["scope.missing", "scope.not_granted", "token.malformed", "operation.unknown"],
      "codes": ["token.opaque"]})

# --- B. App-only / client-credentials token on a user-context endpoint ------------------------------------------

NOW_B = 1577836800  # 2020-01-01
case("B-02", "GearPlug/microsoftgraph-python#20", "B",
     "Graph app-only token on /me: '/me request is only valid with delegated authentication flow'",
     {"input": graph_app("B-02", ["User.Read.All"], NOW_B - 600),
      "operation": "GET https://graph.microsoft.com/v1.0/me",
      "response": http_response("400 Bad Request", [("Content-Type", "application/json")], json.dumps(
          {"error": {"code": "BadRequest", "message": "/me request is only valid with delegated authentication flow.",
                     "innerError": {"date": "2020-01-01T00:00:00", "request-id": guid("B-02:req")}}})),
      "now": NOW_B},
     {"verdict": D, "first": "grant.no_user_context", "codes": ["grant.no_user_context"],
      "absent": ["token.expired", "audience.mismatch"], "mentions": ["/users/"]})

case("B-03", "microsoftgraph/microsoft-graph-docs#10880", "B",
     "ClientCredentialProvider token with Mail.Send (Application) posts to /me/messages",
     {"input": graph_app("B-03", ["Mail.Send"], NOW_B - 60),
      "operation": "POST https://graph.microsoft.com/v1.0/me/messages",
      "response": json.dumps({"error": {"code": "ErrorAccessDenied",
                                        "message": "Access is denied. Check credentials and try again."}}),
      "now": NOW_B},
     # POST /me/messages also needs Mail.ReadWrite (Graph permissions data), so scope.missing is right too; the
     # thread's cause, and the one to fix first, is /me with an app-only token.
     {"verdict": D, "first": "grant.no_user_context", "codes": ["grant.no_user_context", "scope.missing"],
      "absent": ["token.expired"], "mentions": ["/users/"]})

NOW_B06 = 1746057600  # 2025-05-01
GH_INSTALL = "ghs_" + alnum("B-06", 36)
case("B-06", "actions/create-github-app-token#258", "B",
     "GitHub App installation token (token scheme) on GET /user",
     {"input": f'curl -H "Authorization: token {GH_INSTALL}" https://api.github.com/user',
      "response": json.dumps({"message": "Resource not accessible by integration",
                              "documentation_url": "https://docs.github.com/rest/users/users#get-the-authenticated-user",
                              "status": "403"}),
      "now": NOW_B06},
     {"verdict": D, "first": "grant.no_user_context", "codes": ["grant.no_user_context"],
      "absent": ["header.malformed", "input.no_token", "permission.missing"]})

case("B-07", "anmol098/waka-readme-stats#242", "B",
     "Actions GITHUB_TOKEN (installation token) lists the user's emails",
     {"input": "ghs_" + alnum("B-07", 36),
      "operation": "GET https://api.github.com/user/emails",
      "response": http_response("403 Forbidden", [("Content-Type", "application/json; charset=utf-8")], json.dumps(
          {"message": "Resource not accessible by integration",
           "documentation_url": "https://docs.github.com/rest/reference/users#list-email-addresses-for-the-authenticated-user"})),
      "now": NOW_B06},
     {"verdict": D, "first": "grant.no_user_context", "codes": ["grant.no_user_context"]})

case("B-09", "PartnerCenterSamples/Reseller-Web-Application#13", "B",
     "Partner Center app-only token lists a customer's users: 'can't be accessed by application credentials'",
     {"input": graph_app("B-09", None, NOW_B - 300, aud="https://api.partnercenter.microsoft.com"),
      "operation": "GET https://api.partnercenter.microsoft.com/v1/customers/" + guid("B-09:cust") + "/users",
      "response": http_response("500 Internal Server Error", [("Content-Type", "application/json")], json.dumps(
          {"code": 600000, "description": "This resource can't be accessed by application credentials.",
           "errorName": "InternalError"})),
      "now": NOW_B},
     {"verdict": D, "first": "grant.no_user_context", "codes": ["grant.no_user_context"],
      "absent": ["audience.mismatch", "token.expired"]})

case("B-x01", "../shared/data/README.md (Genesys: users/me needs a user context) + scenarios.md §3", "B",
     "Genesys client-credentials token on GET /api/v2/users/me: 400 'requires a user context'",
     {"input": genesys_token("B-x01"),
      "operation": "GET https://api.mypurecloud.ie/api/v2/users/me?expand=presence",
      "introspection": json.dumps(tokens_me(["users:readonly", "user-basic-info", "routing"], "CLIENT-CREDENTIALS",
                                            client_name="Nightly export")),
      "response": http_response("400 Bad Request", [("Content-Type", "application/json")], json.dumps(
          {"message": "This request requires a user context. Client credentials cannot be used for requests to this resource.",
           "code": "bad.request", "status": 400, "messageParams": {}, "contextId": guid("B-x01"), "details": [],
           "errors": []})),
      "now": NOW_G},
     {"verdict": D, "first": "grant.no_user_context", "codes": ["grant.no_user_context"],
      "absent": ["scope.missing", "operation.unknown"]})

case("B-x02", "genesys matrix: GET /api/v2/users/me is notValidForClientCredentials (../shared/data)", "B",
     "Genesys client-credentials token on GET /api/v2/users/me, no response pasted: the matrix alone tells",
     {"input": genesys_token("B-x02"),
      "operation": "GET /api/v2/users/me",
      "platform": "genesys-cloud",
      "introspection": tokens_me(["user-basic-info"], "CLIENT-CREDENTIALS", client_name="Reporting job"),
      "now": NOW_G},
     {"verdict": D, "first": "grant.no_user_context", "codes": ["grant.no_user_context"],
      "absent": ["scope.missing", "operation.unknown"]})

# --- C. App-only token missing application permissions (roles) ---------------------------------------------------
# Issue 3 leaves open whether a Graph application permission missing from `roles` is `scope.missing` (the matrix
# model's app scopes) or `permission.missing` (an app role); either is accepted as the first finding.

SP = ["scope.missing", "permission.missing"]
NOW_C = 1704067200
GRAPH_DENIED = json.dumps({"error": {"code": "ErrorAccessDenied",
                                     "message": "Access is denied. Check credentials and try again."}})
case("C-01", "kartverket/skyline#78", "C",
     "Client-credentials token without roles sends mail: Mail.Send was configured as Delegated",
     {"input": graph_app("C-01", None, NOW_C - 120),
      "operation": "POST https://graph.microsoft.com/v1.0/users/noreply@contoso.com/sendMail",
      "response": GRAPH_DENIED, "now": NOW_C},
     {"verdict": D, "first": SP, "absent": ["grant.no_user_context", "token.expired", "audience.mismatch"],
      "mentions": ["Mail.Send", "Application"]})

AUTHZ_DENIED = json.dumps({"error": {"code": "Authorization_RequestDenied",
                                     "message": "Insufficient privileges to complete the operation.",
                                     "innerError": {"request-id": guid("authz-denied")}}})
case("C-02", "microsoftgraph/dotnetcore-console-sample#44", "C",
     "Client-credentials token (only Delegated permissions assigned) lists users",
     {"input": graph_app("C-02", None, NOW_C - 120), "operation": "GET https://graph.microsoft.com/v1.0/users",
      "response": AUTHZ_DENIED, "now": NOW_C},
     {"verdict": D, "first": SP, "absent": ["grant.no_user_context", "token.expired"], "mentions": ["User.Read"]})

case("C-04", "wapacro/laravel-msgraph-mail#4", "C",
     "App-only token with no permissions sends mail: NoPermissionsInAccessToken",
     {"input": graph_app("C-04", None, NOW_C - 120),
      "operation": "POST https://graph.microsoft.com/v1.0/users/" + guid("C-04:user") + "/sendMail",
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"error": {"code": "NoPermissionsInAccessToken",
                     "message": "The token contains no permissions, or permissions can not be understood."}})),
      "now": NOW_C},
     {"verdict": D, "first": SP, "absent": ["grant.no_user_context"], "mentions": ["Mail.Send"]})

TODO_API = "api://" + guid("C-06:todolist")
case("C-06", "Azure-Samples/active-directory-dotnetcore-daemon-v2#69", "C",
     "Daemon token with neither scp nor roles calls the TodoList API (Microsoft.Identity.Web)",
     {"input": jwt(ms_header("C-06", nonce=False), {
         "aud": TODO_API, "iss": f"https://login.microsoftonline.com/{TID}/v2.0", "iat": NOW_C - 60,
         "nbf": NOW_C - 60, "exp": NOW_C + 3540, "aio": b64u(filler("C-06", 40)), "azp": guid("C-06:daemon"),
         "azpacr": "1", "idtyp": "app", "oid": guid("C-06:sp"), "rh": "0.AXEA", "sub": guid("C-06:sp"),
         "tid": TID, "uti": b64u(filler("C-06:uti", 16)), "ver": "2.0"}, "C-06"),
      "operation": "GET https://localhost:44372/api/todolist/Categories",
      "expect": {"audience": TODO_API},
      "response": http_response("403 Forbidden", [("Content-Type", "text/plain")],
                                "Neither scope or roles claim was found in the bearer token."),
      "now": NOW_C},
     {"verdict": D, "first": SP, "absent": ["audience.mismatch", "token.expired", "grant.no_user_context"]})

case("C-07", "AzureAD/microsoft-identity-web#1038", "C",
     "IDW10201: neither scope nor roles claim in the bearer token",
     {"input": jwt(ms_header("C-07", nonce=False), {
         "aud": guid("C-07:api"), "iss": f"https://login.microsoftonline.com/{TID}/v2.0", "iat": NOW_C - 60,
         "nbf": NOW_C - 60, "exp": NOW_C + 3540, "azp": guid("C-07:client"), "azpacr": "1",
         "oid": guid("C-07:sp"), "sub": guid("C-07:sp"), "tid": TID, "ver": "2.0"}, "C-07"),
      "operation": "GET https://api.contoso.com/weatherforecast",
      "response": "System.UnauthorizedAccessException: IDW10201: Neither scope or roles claim was found in the bearer token.",
      "now": NOW_C},
     {"verdict": D, "first": SP, "absent": ["token.expired"]})

case("C-08", "Azure-Samples/ms-identity-python-daemon#8", "C",
     "App-only token with the wrong application permission (Mail.Send) lists users: needs User.Read.All",
     {"input": graph_app("C-08", ["Mail.Send"], NOW_C - 120), "operation": "GET https://graph.microsoft.com/v1.0/users",
      "response": AUTHZ_DENIED, "now": NOW_C},
     {"verdict": D, "first": SP, "absent": ["grant.no_user_context"], "mentions": ["User.Read"]})

# --- D. Scope requested but not granted; client registration lacks the scope ------------------------------------

NOW_D = 1577836800
case("D-01", "go-auth0/auth0#195", "D",
     "Auth0 M2M token without create:user_tickets (not enabled on the client grant)",
     {"input": auth0_m2m("D-01", "example.eu.auth0.com", "read:users update:users", NOW_D - 600),
      "operation": "POST https://example.eu.auth0.com/api/v2/tickets/password-change",
      "response": "403 Forbidden: Insufficient scope, expected any of: create:user_tickets",
      "now": NOW_D},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["create:user_tickets"]})

case("D-02", "auth0/node-auth0#357", "D",
     "Auth0 token endpoint: 'Client has not been granted scopes: read:roles'",
     {"input": ("curl --request POST --url https://example.auth0.com/oauth/token "
                "--header 'content-type: application/json' "
                "--data '{\"client_id\":\"YOUR_CLIENT_ID\",\"client_secret\":\"YOUR_CLIENT_SECRET\","
                "\"audience\":\"https://example.auth0.com/api/v2/\",\"grant_type\":\"client_credentials\","
                "\"scope\":\"read:users update:users read:roles\"}'"),
      "response": http_response("403 Forbidden", [("Content-Type", "application/json")], json.dumps(
          {"error": "access_denied", "error_description": "Client has not been granted scopes: read:roles"})),
      "now": NOW_D},
     {"verdict": D, "first": "scope.not_granted", "codes": ["scope.not_granted"], "mentions": ["read:roles"],
      "absent": TOKEN_ENDPOINT_ABSENT})

case("D-x01", "auth0/node-auth0#737 (cited in matrix_sources.md §3, Auth0 row)", "D",
     "Auth0 token endpoint refuses two scopes the client grant does not allow (raw HTTP request pasted)",
     {"input": ("POST /oauth/token HTTP/1.1\r\nHost: example.auth0.com\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
                "grant_type=client_credentials&client_id=YOUR_CLIENT_ID&client_secret=YOUR_CLIENT_SECRET"
                "&audience=https%3A%2F%2Fexample.auth0.com%2Fapi%2Fv2%2F"
                "&scope=read%3Aclient_credentials%20read%3Aclient_summary"),
      "response": json.dumps({"error": "access_denied",
                              "error_description": "Client has not been granted scopes: read:client_credentials, read:client_summary"}),
      "now": NOW_D},
     {"verdict": D, "first": "scope.not_granted", "codes": ["scope.not_granted"],
      "mentions": ["read:client_summary"], "absent": TOKEN_ENDPOINT_ABSENT})

NOW_D06 = 1672531200
case("D-06", "Nfactor26/pixel-identity#90", "D",
     "OpenIddict client-credentials token requested without a scope parameter carries no scope",
     {"input": json.dumps({"access_token": jwt(rs256("oidc-1", "at+jwt"), {
         "iss": "https://localhost:44382/", "exp": NOW_D06 + 3300, "iat": NOW_D06 - 300, "aud": "pixel-api",
         "sub": "pixel-automation", "client_id": "pixel-automation", "jti": guid("D-06"), "oi_prst": "pixel-automation"},
         "D-06"), "token_type": "Bearer", "expires_in": 3600}),
      "operation": "GET https://localhost:44382/api/users",
      "response": http_response("403 Forbidden", [
          ("WWW-Authenticate", 'Bearer error="insufficient_scope", error_description="The access token does not '
                               'contain the required scope.", scope="pixel-api"')]),
      "now": NOW_D06},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["pixel-api"]})

# --- E. Stale or cached token; refresh keeps the original scopes ------------------------------------------------

NOW_E = 1609459200  # 2021-01-01
DRIVE = "https://www.googleapis.com/auth/drive"
case("E-01", "googleworkspace/java-samples#62", "E",
     "Drive upload with a stored credential authorised for drive.metadata.readonly (scopes changed, tokens kept)",
     {"input": google_token("E-01"),
      "operation": "POST https://www.googleapis.com/upload/drive/v3/files?uploadType=multipart",
      "introspection": introspection(True, scope="https://www.googleapis.com/auth/drive.metadata.readonly",
                                     client_id="1234567890-java.apps.googleusercontent.com", exp=NOW_E + 3000),
      "matrix": openapi("Drive API (files.create)", "https://www.googleapis.com", [
          ("POST", "/upload/drive/v3/files", [[DRIVE], [DRIVE + ".file"], [DRIVE + ".appdata"]]),
          ("GET", "/drive/v3/files", [[DRIVE], [DRIVE + ".metadata.readonly"], [DRIVE + ".readonly"]])]),
      "response": json.dumps({"code": 403, "errors": [{"domain": "global",
                                                       "message": "Insufficient Permission: Request had insufficient authentication scopes.",
                                                       "reason": "insufficientPermissions"}],
                              "message": "Insufficient Permission: Request had insufficient authentication scopes."}),
      "now": NOW_E},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"],
      "absent": ["token.expired", "operation.unknown", "introspection.inactive"]})

case("E-02", "auth0/auth0-java#145", "E",
     "Auth0 Management API token generated before create:email_templates was enabled",
     {"input": auth0_m2m("E-02", "example.us.auth0.com", "read:email_templates update:email_templates",
                         NOW_E - 3600),
      "operation": "POST https://example.us.auth0.com/api/v2/email-templates",
      "response": "Request failed with status code 403: Insufficient scope, expected any of: create:email_templates",
      "now": NOW_E},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["create:email_templates"]})

IS4 = "https://localhost:5001"


def is4_token(seed: str, iat: int, scope: list[str]) -> str:
    return jwt(rs256("8C4FDD5AD9F5F1A1", "at+jwt"), {
        "nbf": iat, "exp": iat + 3600, "iss": IS4, "aud": ["api1", "api2"], "client_id": "mvc", "sub": "818727",
        "auth_time": iat - 86400, "idp": "local", "sid": alnum("sid:" + seed, 32), "iat": iat, "scope": scope,
        "amr": ["pwd"]}, seed)


case("E-03", "DuendeArchive/IdentityServer4#2057", "E",
     "A refreshed token keeps the original scopes: api2 was added to the client later",
     {"input": is4_token("E-03", NOW_E - 60, ["openid", "profile", "api1", "offline_access"]),
      "previous": is4_token("E-03:before", NOW_E - 86400, ["openid", "profile", "api1", "offline_access"]),
      "operation": "GET https://localhost:6001/identity",
      "response": http_response("403 Forbidden", [
          ("WWW-Authenticate", 'Bearer error="insufficient_scope", scope="api2"')]),
      "now": NOW_E},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["api2", "refresh"]})

NOW_E04 = 1767225600
case("E-04", "vm0-ai/vm0#3648", "E",
     "Gmail token refreshed from an old grant still has gmail.readonly after the code moved to gmail.modify",
     {"input": google_token("E-04"),
      "operation": "POST https://gmail.googleapis.com/gmail/v1/users/me/messages/18c2f0a1b2c3d4e5/modify",
      "introspection": introspection(True, scope="https://www.googleapis.com/auth/gmail.readonly",
                                     client_id="987654321-vm0.apps.googleusercontent.com", exp=NOW_E04 + 3500),
      "response": http_response("403 Forbidden", [
          ("WWW-Authenticate", 'Bearer realm="https://accounts.google.com/", error="insufficient_scope", '
                               'scope="https://mail.google.com/ https://www.googleapis.com/auth/gmail.modify"'),
          ("Content-Type", "application/json; charset=UTF-8")], json.dumps(GOOGLE_403_BODY)),
      "now": NOW_E04},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["gmail.modify", "refresh"]})

case("E-06", "https://docs.zapier.com/platform/manage/auth-scope", "E",
     "Zapier connection to Genesys authorised before `conversations` was added to the OAuth client",
     {"input": genesys_token("E-06"),
      "operation": "POST https://api.mypurecloud.com/api/v2/conversations/calls",
      "introspection": tokens_me(["users:readonly", "user-basic-info"], "CODE",
                                 client_scopes=["users:readonly", "user-basic-info", "conversations"]),
      "now": NOW_G},
     # The OAuth client has the scope and the token does not: issue 3's `scope.not_granted` (asked for, not issued)
     # and `scope.missing` (the operation's scope is not in the token) both fit; either may come first.
     {"verdict": D, "first": ["scope.missing", "scope.not_granted"], "mentions": ["conversations", "reconnect"]})

NOW_E07 = 1780272000  # 2026-06-01
MCP_AS = "https://auth.mcp.example.com"


def mcp_token(seed: str, scope: str, iat: int) -> str:
    return jwt(rs256("mcp-1", "at+jwt"), {
        "iss": MCP_AS, "sub": "user_2f9a", "aud": "https://mcp.example.com/mcp", "client_id": "claude-connector",
        "scope": scope, "iat": iat, "exp": iat + 3600, "jti": guid("jti:" + seed)}, seed)


case("E-07", "anthropics/claude-ai-mcp#931", "E",
     "MCP server step-up: the 403 challenge lists every scope needed; the token has only the connect-time ones",
     {"input": mcp_token("E-07", "files:read tasks:read", NOW_E07 - 300),
      "operation": "POST https://mcp.example.com/mcp",
      "response": http_response("403 Forbidden", [
          ("WWW-Authenticate", 'Bearer error="insufficient_scope", scope="files:read tasks:read tasks:write", '
                               'resource_metadata="https://mcp.example.com/.well-known/oauth-protected-resource"')]),
      "now": NOW_E07},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["tasks:write"]})

# --- F. Wrong audience ------------------------------------------------------------------------------------------

NOW_F = 1546300800
case("F-02", "oauth2-proxy/oauth2-proxy#105", "F",
     "Kubernetes API server gets an AAD Graph access token (aud https://graph.windows.net)",
     {"input": graph_delegated("F-02", "User.Read", NOW_F - 200, aud="https://graph.windows.net"),
      "operation": "GET https://k8s.contoso.com:6443/api/v1/namespaces/kube-system/pods",
      "expect": {"audience": "spn:" + guid("F-02:k8s")},
      "response": ("Unable to authenticate the request due to an error: [invalid bearer token, oidc: verify token: "
                   f"oidc: expected audience \"spn:{guid('F-02:k8s')}\" got [\"https://graph.windows.net\"]]"),
      "now": NOW_F},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "absent": ["token.expired"],
      "mentions": ["graph.windows.net"]})

F03_RES = "https://oauth2-proxy.contoso.com"
case("F-03", "oauth2-proxy/oauth2-proxy#779", "F",
     "A token for the proxy's custom resource is used on Graph /me: Invalid audience",
     {"input": graph_delegated("F-03", "user_impersonation", NOW_F - 200, aud=F03_RES),
      "operation": "GET https://graph.microsoft.com/v1.0/me",
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure. Invalid audience.",
                     "innerError": {"request-id": guid("F-03:req")}}})),
      "now": NOW_F},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"],
      "absent": ["token.id_token", "grant.no_user_context", "scope.unknown"], "mentions": [F03_RES, "at this host"]})

OWN_API = "api://" + guid("F-04:api")
case("F-04", "AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet#1334", "F",
     "A Graph token (aud 00000003-..., header nonce) sent to the SPA's own API: IDX10511 is only the symptom",
     {"input": graph_delegated("F-04", "Mail.Send User.Read", NOW_F - 200, aud=GRAPH_GUID),
      "operation": "GET https://localhost:5001/api/values",
      "expect": {"audience": OWN_API},
      "response": ("Microsoft.IdentityModel.Tokens.SecurityTokenInvalidSignatureException: 'IDX10511: Signature "
                   "validation failed. Keys tried: 'Microsoft.IdentityModel.Tokens.X509SecurityKey, KeyId: "
                   "'HlC0R12skxNZ1WQwmjOF_6t_tDE', InternalId: 'HlC0R12skxNZ1WQwmjOF_6t_tDE'. , KeyId: HlC0R12skxNZ1WQwmjOF_6t_tDE"),
      "now": NOW_F},
     # The call goes to localhost, not to Graph: Graph's matrix says nothing about it.
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "mentions": [GRAPH_GUID],
      "absent": ["operation.unknown"]})

NOW_F05 = 1623196800  # 2021-06-09
case("F-05", "AzureAD/microsoft-authentication-library-for-js#3819", "F",
     "A Graph token (full claims quoted) is sent to the team's own Spring Boot API",
     {"input": jwt(ms_header("F-05"), {
         "aud": GRAPH_GUID, "iss": "https://sts.windows.net/tenantId/", "iat": NOW_F05 - 100, "nbf": NOW_F05 - 100,
         "exp": NOW_F05 + 3500, "acct": 0, "acr": "1", "aio": "aio", "amr": ["pwd"], "app_displayname": "appName",
         "appid": "apID", "appidacr": "0", "idtyp": "user", "ipaddr": "ipaddr", "name": "name", "oid": "oid",
         "platf": "3", "puid": "puid", "rh": "rh", "scp": "openid profile User.Read email", "sub": "sub",
         "tenant_region_scope": "EU", "tid": "tenantId", "unique_name": "user@contoso.com",
         "upn": "user@contoso.com", "uti": "uti", "ver": "1.0"}, "F-05"),
      "operation": "GET http://localhost:8080/api/hello",
      "expect": {"audience": "api://apID"},
      "now": NOW_F05},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"],
      "absent": ["token.expired", "token.id_token", "operation.unknown"], "mentions": [GRAPH_GUID]})

NOW_F08 = 1640995200
case("F-08", "microsoft/Partner-Center-DotNet-Samples#140", "F",
     "Partner Center API: 'The audience https://graph.windows.net in the token is invalid' (900420)",
     {"input": graph_delegated("F-08", "user_impersonation", NOW_F08 - 300, aud="https://graph.windows.net"),
      "operation": "GET https://api.partnercenter.microsoft.com/v1/customers",
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"code": "900420", "description": "The audience 'https://graph.windows.net' in the token is invalid and "
                                            "is no longer supported in Partner Center API."})),
      "now": NOW_F08},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "mentions": ["graph.windows.net"]})

NOW_F10 = 1577836800
case("F-10", "pivotal-cf/identity-sample-apps#337", "F",
     "Spring resource server: 'The required audience is missing' (aud lacks `todo`)",
     {"input": jwt(rs256("key-1"), {
         "jti": guid("F-10"), "sub": guid("F-10:user"), "scope": ["openid", "todo.read"], "client_id": "todo-app",
         "cid": "todo-app", "azp": "todo-app", "grant_type": "authorization_code", "user_name": "alice",
         "origin": "uaa", "iat": NOW_F10 - 60, "exp": NOW_F10 + 43140, "iss": "https://login.sys.example.com/oauth/token",
         "zid": "uaa", "aud": ["openid", "todo-app"]}, "F-10"),
      "operation": "GET https://todo-api.apps.example.com/todos",
      "expect": {"audience": "todo"},
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'Bearer error="invalid_token", error_description="An error occurred while attempting '
                               'to decode the Jwt: The required audience is missing", '
                               'error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"')]),
      "now": NOW_F10},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "mentions": ["todo"]})

F11_AUD = "4be05bf7-" + guid("F-11")[9:]
case("F-11", "Azure-Samples/active-directory-dotnetcore-daemon-v2#136", "F",
     "Daemon calls its API: 'The audience ... is invalid' (GUID vs api:// form, v1/v2 mismatch)",
     {"input": jwt(ms_header("F-11", nonce=False), {
         "aud": F11_AUD, "iss": f"https://login.microsoftonline.com/{TID}/v2.0", "iat": NOW_F - 60, "nbf": NOW_F - 60,
         "exp": NOW_F + 3540, "azp": guid("F-11:daemon"), "azpacr": "1", "oid": guid("F-11:sp"),
         "roles": ["DaemonAppRole"], "sub": guid("F-11:sp"), "tid": TID, "ver": "2.0"}, "F-11"),
      "operation": "GET https://localhost:44372/api/todolist",
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", f'Bearer error="invalid_token", error_description="The audience \'{F11_AUD}\' is invalid"')]),
      "now": NOW_F},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "mentions": [F11_AUD]})

F12_ID = "95283728-" + guid("F-12")[9:]
case("F-12", "microsoft/AzureTRE#362 (opposite direction: oauth2-proxy/oauth2-proxy#2083)", "F",
     "A v2 token with aud = the GUID, validated against the App ID URI api://<GUID>",
     {"input": jwt(ms_header("F-12", nonce=False), {
         "aud": F12_ID, "iss": f"https://login.microsoftonline.com/{TID}/v2.0", "iat": NOW_F08 - 60,
         "nbf": NOW_F08 - 60, "exp": NOW_F08 + 3540, "azp": guid("F-12:spa"), "azpacr": "0", "name": "Jane Doe",
         "oid": guid("F-12:user"), "preferred_username": "jane@contoso.com", "scp": "user_impersonation",
         "sub": b64u(filler("F-12:sub", 32)), "tid": TID, "ver": "2.0"}, "F-12"),
      "operation": "GET https://tre.contoso.com/api/workspaces",
      "expect": {"audience": "api://" + F12_ID},
      "now": NOW_F08},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "absent": ["token.id_token"],
      "mentions": ["api://" + F12_ID]})

NOW_F13 = 1483228800  # 2017-01-01
F13_CLIENT = guid("F-13:spa")
F13_API = "https://contoso.onmicrosoft.com/todo-api"
case("F-13", "AzureAD/azure-activedirectory-library-for-js#472", "F",
     "adal.js sends the SPA's own token (aud = its client id); the Postman token for the API works",
     {"input": jwt(ms_header("F-13", nonce=False), {
         "aud": F13_CLIENT, "iss": f"https://sts.windows.net/{TID}/", "iat": NOW_F13 - 100, "nbf": NOW_F13 - 100,
         "exp": NOW_F13 + 3500, "amr": ["pwd"], "family_name": "Doe", "given_name": "Jane", "ipaddr": "203.0.113.7",
         "name": "Jane Doe", "nonce": guid("F-13:nonce"), "oid": guid("F-13:user"), "sub": b64u(filler("F-13", 32)),
         "tid": TID, "unique_name": "jane@contoso.com", "upn": "jane@contoso.com", "ver": "1.0"}, "F-13"),
      "previous": graph_delegated("F-13:postman", "user_impersonation", NOW_F13 - 400, aud=F13_API),
      "operation": "GET https://todo-api.contoso.com/api/todolist",
      "expect": {"audience": F13_API},
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'Bearer error="invalid_token", error_description="The audience is invalid"')]),
      "now": NOW_F13},
     {"verdict": D, "first": "token.id_token", "codes": ["token.id_token", "audience.mismatch"]})

NOW_F14 = 1483228800
F14_CLIENT = alnum("F-14:client", 32)
case("F-14", "auth0-samples/auth0-aspnet-owin-webapi-samples#3", "F",
     "Auth0 API token (aud = API identifier) checked against the client_id by the sample API",
     {"input": jwt(rs256("NjVBRjY5MDlCMUIwNzU4RTA2QzZFMDQ4QzQ2MDAyQjVDNjk1RTM2Qg"), {
         "iss": "https://example.auth0.com/", "sub": "auth0|5a1b2c3d4e5f", "aud": "https://api.example.com",
         "iat": NOW_F14 - 60, "exp": NOW_F14 + 86340, "azp": F14_CLIENT, "scope": "read:messages"}, "F-14"),
      "operation": "GET http://localhost:58105/api/messages",
      "expect": {"audience": F14_CLIENT},
      "response": "HTTP/1.1 401 Unauthorized",
      "now": NOW_F14},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "absent": ["token.id_token"]})

# --- G. Wrong issuer, host, tenant, token version or region ---------------------------------------------------

NOW_G2 = 1514764800
case("G-02", "thomasdarimont/spring-boot-keycloak-server-example#17", "G",
     "Keycloak behind a proxy mints tokens without the port: 'Invalid token issuer. Expected ... but was ...'",
     {"input": keycloak("G-02", "http://keycloak/auth/realms/sample", NOW_G2 - 30, "app-greeting"),
      "operation": "GET http://localhost:8081/api/greetings",
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'Bearer realm="sample", error="invalid_token", error_description="Invalid token issuer. '
                               "Expected 'http://keycloak:8080/auth/realms/sample', but was "
                               "'http://keycloak/auth/realms/sample'\"")]),
      "now": NOW_G2},
     {"verdict": D, "first": "issuer.mismatch", "codes": ["issuer.mismatch"], "absent": ["token.expired"],
      "mentions": ["keycloak:8080"]})

case("G-03", "LandRegistry/common-dev-env#83", "G",
     "Containers verify Keycloak tokens minted via localhost:8180 against keycloak:8080",
     {"input": keycloak("G-03", "http://localhost:8180/auth/realms/development", NOW_G2 - 30, "dev-client"),
      "operation": "GET http://api:8080/v1/cases",
      "response": json.dumps({"error": "invalid_token", "error_description": "Token invalid: Invalid token issuer. "
                              "Expected 'http://keycloak:8080/auth/realms/development', but was "
                              "'http://localhost:8180/auth/realms/development'"}),
      "now": NOW_G2},
     {"verdict": D, "first": "issuer.mismatch", "codes": ["issuer.mismatch"], "mentions": ["localhost:8180"]})

NOW_G4 = 1704067200
case("G-04", "NikiforovAll/keycloak-authorization-services-dotnet#115", "G",
     "Containerized .NET API expects host.docker.internal; the token says localhost",
     {"input": keycloak("G-04", "http://localhost:8080/realms/my-realm", NOW_G4 - 30, "my-client"),
      "operation": "GET http://localhost:5000/weatherforecast",
      "expect": {"issuer": "http://host.docker.internal:8080/realms/my-realm"},
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", "Bearer error=\"invalid_token\", error_description=\"The issuer "
                               "'http://localhost:8080/realms/my-realm' is invalid\"")]),
      "now": NOW_G4},
     {"verdict": D, "first": "issuer.mismatch", "codes": ["issuer.mismatch"], "mentions": ["host.docker.internal"]})

NOW_G5 = 1609459200
G5_API = guid("G-05:api")
case("G-05", "AzureAD/microsoft-authentication-library-for-js#2363", "G",
     "APIM validate-jwt expects the v2 issuer; the API's manifest makes Entra issue v1 tokens (sts.windows.net)",
     {"input": jwt(ms_header("G-05", nonce=False), {
         "aud": "api://" + G5_API, "iss": f"https://sts.windows.net/{TID}/", "iat": NOW_G5 - 60, "nbf": NOW_G5 - 60,
         "exp": NOW_G5 + 3540, "acr": "1", "amr": ["pwd"], "appid": guid("G-05:spa"), "appidacr": "0",
         "name": "Jane Doe", "oid": guid("G-05:user"), "scp": "access_as_user", "sub": b64u(filler("G-05", 32)),
         "tid": TID, "unique_name": "jane@contoso.com", "upn": "jane@contoso.com", "ver": "1.0"}, "G-05"),
      "operation": "GET https://contoso-apim.azure-api.net/orders",
      "expect": {"issuer": f"https://login.microsoftonline.com/{TID}/v2.0", "audience": "api://" + G5_API},
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"statusCode": 401, "message": "Invalid JWT Token. Wrong Issuer"})),
      "now": NOW_G5},
     {"verdict": D, "first": "issuer.mismatch", "codes": ["issuer.mismatch"], "absent": ["audience.mismatch"],
      "mentions": ["sts.windows.net"]})

NOW_G6 = 1577836800
case("G-06", "microsoft/azure-spring-boot#642", "G",
     "A v2 token (login.microsoftonline.com/.../v2.0) rejected by a validator hard-coded for sts.windows.net",
     {"input": jwt(ms_header("G-06", nonce=False), {
         "aud": guid("G-06:app"), "iss": f"https://login.microsoftonline.com/{TID}/v2.0", "iat": NOW_G6 - 60,
         "nbf": NOW_G6 - 60, "exp": NOW_G6 + 3540, "azp": guid("G-06:client"), "azpacr": "0", "name": "Jane Doe",
         "oid": guid("G-06:user"), "preferred_username": "jane@contoso.com", "scp": "access_as_user",
         "sub": b64u(filler("G-06", 32)), "tid": TID, "ver": "2.0"}, "G-06"),
      "operation": "GET http://localhost:8080/api/todolist",
      "expect": {"issuer": f"https://sts.windows.net/{TID}/"},
      "response": "com.nimbusds.jwt.proc.BadJWTException: Invalid token issuer",
      "now": NOW_G6},
     {"verdict": D, "first": "issuer.mismatch", "codes": ["issuer.mismatch"], "mentions": ["v2.0"]})

G8_TENANT = guid("G-08:customer-tenant")
case("G-08", "OfficeDev/Microsoft-Teams-Samples#80", "G",
     "Multi-tenant app: a user from another tenant presents a v1 token the valid-issuers list lacks",
     {"input": jwt(ms_header("G-08", nonce=False), {
         "aud": "api://contoso-teams-app/" + guid("G-08:app"), "iss": f"https://sts.windows.net/{G8_TENANT}/",
         "iat": NOW_G6 - 60, "nbf": NOW_G6 - 60, "exp": NOW_G6 + 3540, "appid": guid("G-08:teams"),
         "appidacr": "0", "name": "Sam Guest", "oid": guid("G-08:user"), "scp": "access_as_user",
         "sub": b64u(filler("G-08", 32)), "tid": G8_TENANT, "upn": "sam@fabrikam.com", "ver": "1.0"}, "G-08"),
      "operation": "GET https://contoso-teams-app.azurewebsites.net/api/profile",
      "expect": {"issuer": f"https://login.microsoftonline.com/{TID}/v2.0"},
      "response": http_response("401 Unauthorized", [
          ("Www-Authenticate", f"Bearer error=\"invalid_token\", error_description=\"The issuer "
                               f"'https://sts.windows.net/{G8_TENANT}/' is invalid\"")]),
      "now": NOW_G6},
     {"verdict": D, "first": "issuer.mismatch", "codes": ["issuer.mismatch"], "mentions": [G8_TENANT]})

case("G-09", "tishige/CallFlowVisualizer#9", "G",
     "Genesys region mix-up: the token is requested from login.mypurecloud.com for an org in ap_southeast_2",
     {"input": ("curl -X POST https://login.mypurecloud.com/oauth/token "
                "-H 'Content-Type: application/x-www-form-urlencoded' "
                "-u 'YOUR_CLIENT_ID:YOUR_CLIENT_SECRET' -d 'grant_type=client_credentials'"),
      "operation": "GET https://api.mypurecloud.com.au/api/v2/flows?pageSize=100",
      "response": http_response("400 Bad Request", [("Content-Type", "application/json")], json.dumps(
          {"error": "invalid_client", "description": "authentication failed",
           "error_description": "authentication failed"})),
      "now": NOW_G},
     {"verdict": D, "first": "issuer.mismatch", "codes": ["issuer.mismatch"], "mentions": ["mypurecloud.com.au"],
      "absent": TOKEN_ENDPOINT_ABSENT})

# --- H. Expired, not yet valid, clock skew, lifetime encoding -----------------------------------------------------

NOW_H3 = 1593561600  # 2020-07-01
case("H-03", "DuendeArchive/IdentityServer4#5058", "H",
     "IDX10222 on Linux: the API host's clock is two hours behind the token service",
     {"input": jwt(rs256("8C4FDD5AD9F5F1A1", "at+jwt"), {
         "nbf": NOW_H3 + 7200, "exp": NOW_H3 + 10800, "iss": "https://ids.example.com", "aud": "api1",
         "client_id": "ids4-client", "sub": "88421113", "auth_time": NOW_H3 + 7190, "idp": "local",
         "iat": NOW_H3 + 7200, "scope": ["api1"], "amr": ["pwd"]}, "H-03"),
      "operation": "GET https://api.example.com/identity",
      "response": "ids4 was not authenticated. Failure message: IDX10222: Lifetime validation failed. The token is not yet valid.",
      "now": NOW_H3},
     {"verdict": D, "first": ["token.not_yet_valid", "token.clock_skew"], "codes": ["token.not_yet_valid"],
      "absent": ["token.expired"]})

case("H-x01", "DuendeArchive/IdentityServer4#5058 (IDX10222); token issued now with nbf one day ahead", "H",
     "A token issued now but valid only from tomorrow (nbf in the future, iat not)",
     {"input": jwt(rs256("8C4FDD5AD9F5F1A1", "at+jwt"), {
         "iss": "https://ids.example.com", "aud": "api1", "client_id": "batch", "sub": "batch",
         "iat": NOW_H3 - 10, "nbf": NOW_H3 + 86400, "exp": NOW_H3 + 90000, "scope": ["api1"]}, "H-x01"),
      "now": NOW_H3},
     {"verdict": D, "first": "token.not_yet_valid", "codes": ["token.not_yet_valid"],
      "absent": ["token.expired", "token.clock_skew"]})

NOW_HX2 = 1767225600
case("H-x10", "Token Doctor audit of 2026-11-24: a 401 for a token whose exp passed within the clock-skew tolerance", "H",
     "The API answers 401 to a Graph token that expired 100 s ago: it allows no such skew",
     {"input": graph_delegated("H-x10", "Mail.Send User.Read", NOW_HX2 - 4630),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "response": "HTTP/1.1 401 Unauthorized",
      "now": NOW_HX2},
     {"verdict": D, "first": "token.expired", "codes": ["token.expired"], "absent": ["token.rejected"]})

NOW_H4 = 1483228800
BOT_APP = guid("H-04:bot")
case("H-04", "microsoft/botframework-sdk#1885", "H",
     "Bot Framework token whose nbf is four seconds ahead of the bot's clock; the validator allows no skew",
     {"input": jwt({"alg": "RS256", "typ": "JWT", "kid": "GCxArXoN8Sqo7PweA7-z65denJQ", "x5t": "GCxArXoN8Sqo7PweA7-z65denJQ"}, {
         "serviceurl": "https://skype.botframework.com/", "iss": "https://api.botframework.com", "aud": BOT_APP,
         "exp": NOW_H4 + 3604, "nbf": NOW_H4 + 4}, "H-04"),
      "operation": "POST https://bot.contoso.com/api/calling/call",
      "expect": {"audience": BOT_APP, "issuer": "https://api.botframework.com"},
      "response": "HTTP/1.1 403 Forbidden",
      "now": NOW_H4},
     {"first": ["token.clock_skew", "token.not_yet_valid"], "codes": [], "absent": ["token.expired", "audience.mismatch",
                                                                               "issuer.mismatch"]})

NOW_H5 = 1767225600
case("H-05", "surrealdb/surrealdb#7491", "H",
     "Server-minted token with iat == nbf two seconds ahead after a backward clock step under WSL2",
     {"input": jwt({"alg": "HS512", "typ": "JWT"}, {
         "iat": NOW_H5 + 2, "nbf": NOW_H5 + 2, "exp": NOW_H5 + 3602, "iss": "SurrealDB", "jti": guid("H-05"),
         "NS": "test", "DB": "test", "AC": "user", "ID": "user:tobie"}, "H-05"),
      "operation": "POST http://localhost:8000/sql",
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"code": 401, "details": "Authentication failed",
           "description": "Your authentication details are invalid. Reauthenticate using valid authentication parameters.",
           "information": "There was a problem with authentication"})),
      "now": NOW_H5},
     {"first": "token.clock_skew", "codes": ["token.clock_skew"], "absent": ["token.expired"]})

H6_EXP = 1463654759  # 2016-05-19T10:45:59Z
H6_NOW = 1463694391  # 2016-05-19T21:46:31Z
case("H-06", "Azure-Samples/active-directory-dotnet-webapp-openidconnect#25", "H",
     "IDX10223: a session left open overnight presents a token that expired eleven hours ago",
     {"input": jwt(ms_header("H-06", nonce=False), {
         "aud": "https://contoso.onmicrosoft.com/TodoListService", "iss": f"https://sts.windows.net/{TID}/",
         "iat": H6_EXP - 3600, "nbf": H6_EXP - 3600, "exp": H6_EXP, "appid": guid("H-06:web"), "appidacr": "1",
         "name": "Jane Doe", "oid": guid("H-06:user"), "scp": "user_impersonation", "sub": b64u(filler("H-06", 32)),
         "tid": TID, "unique_name": "jane@contoso.com", "upn": "jane@contoso.com", "ver": "1.0"}, "H-06"),
      "operation": "GET https://localhost:44321/api/todolist",
      "response": ("IDX10223: Lifetime validation failed. The token is expired. ValidTo: '05/19/2016 10:45:59' "
                   "Current time: '05/19/2016 21:46:31'."),
      "now": H6_NOW},
     {"verdict": D, "first": "token.expired", "codes": ["token.expired"], "absent": ["token.not_yet_valid"]})

NOW_HX = 1700000000
case("H-x02", "scenarios.md §3: IDX10225 can mean exp > 2^31 (H-02)", "H",
     "A 'never expires' token with exp in year 9999 is rejected by .NET: IDX10225 missing expiration time",
     {"input": jwt(rs256("legacy-1"), {"iss": "https://legacy-sts.contoso.com", "aud": "https://api.contoso.com",
                                       "sub": "svc-reporting", "iat": NOW_HX - 3600, "exp": 253402300799,
                                       "scope": "reports.read"}, "H-x02"),
      "operation": "GET https://api.contoso.com/reports/daily",
      "response": ("IDX10225: Lifetime validation failed. The token is missing an Expiration Time. Tokentype: "
                   "'System.IdentityModel.Tokens.Jwt.JwtSecurityToken'."),
      "now": NOW_HX},
     {"verdict": D, "first": "token.exp_overflow", "codes": ["token.exp_overflow"], "absent": ["token.expired"],
      "mentions": ["2038"]})

case("H-x03", "scenarios.md §3 (IDX10225, exp > 2^31); issue 3: token.exp_overflow", "H",
     "A token with exp in 2100, pasted alone: 32-bit validators will read exp as missing",
     {"input": jwt(rs256("legacy-1"), {"iss": "https://legacy-sts.contoso.com", "aud": "https://api.contoso.com",
                                       "sub": "svc-reporting", "iat": NOW_HX - 60, "exp": 4102444800}, "H-x03"),
      "now": NOW_HX},
     {"first": "token.exp_overflow", "codes": ["token.exp_overflow"], "absent": ["token.expired"]})

NOW_HX4 = 1735689600
case("H-x04", "Azure-Samples/active-directory-dotnet-webapp-openidconnect#25 (expired) on Microsoft Graph", "H",
     "Graph: 'Lifetime validation failed, the token is expired.' two hours after exp",
     {"input": graph_delegated("H-x04", "User.Read Mail.Read", NOW_HX4 - 7500 - 4530),
      "operation": "GET https://graph.microsoft.com/v1.0/me",
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"error": {"code": "InvalidAuthenticationToken", "message": "Lifetime validation failed, the token is expired.",
                     "innerError": {"request-id": guid("H-x04")}}})),
      "now": NOW_HX4},
     {"verdict": D, "first": "token.expired", "codes": ["token.expired"],
      "absent": ["scope.missing", "audience.mismatch", "grant.no_user_context"]})

# --- I. Token-type confusion --------------------------------------------------------------------------------------

NOW_I = 1640995200
I2_CLIENT = "f92863b8-" + guid("I-02")[9:]
case("I-02", "AzureAD/microsoft-authentication-library-for-android#1956", "I",
     "Graph /me called with the ID token (aud = the app's client id, v2 issuer, no scp)",
     {"input": jwt(ms_header("I-02", nonce=False), {
         "aud": I2_CLIENT, "iss": f"https://login.microsoftonline.com/{TID}/v2.0", "iat": NOW_I - 60,
         "nbf": NOW_I - 60, "exp": NOW_I + 3540, "name": "Jane Doe", "nonce": guid("I-02:nonce"),
         "oid": guid("I-02:user"), "preferred_username": "jane@contoso.com", "rh": "0.AXEA",
         "sub": b64u(filler("I-02", 32)), "tid": TID, "uti": b64u(filler("I-02:uti", 16)), "ver": "2.0"}, "I-02"),
      "operation": "GET https://graph.microsoft.com/v1.0/me",
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure. Invalid audience."}})),
      "now": NOW_I},
     {"verdict": D, "first": "token.id_token", "codes": ["token.id_token"], "absent": ["token.expired"]})

B2C = "https://fabrikamb2c.b2clogin.com/" + guid("I-03:tenant") + "/v2.0/"
I3_CLIENT = guid("I-03:client")
case("I-03", "Azure-Samples/active-directory-b2c-dotnetcore-webapi#26", "I",
     "Azure AD B2C: the web app sends the id_token to its API",
     {"input": jwt(rs256("X5eXk4xyojNFum1kl2Ytv8dlNP4-c57dO6QGTVBwaNk"), {
         "exp": NOW_I + 3600, "nbf": NOW_I, "ver": "1.0", "iss": B2C, "sub": guid("I-03:user"), "aud": I3_CLIENT,
         "nonce": b64u(filler("I-03:nonce", 24)), "iat": NOW_I, "auth_time": NOW_I, "name": "Jane Doe",
         "emails": ["jane@example.com"], "tfp": "B2C_1_SUSI", "at_hash": b64u(filler("I-03:ath", 16))}, "I-03"),
      "operation": "GET https://localhost:44332/api/values",
      "expect": {"audience": "https://fabrikamb2c.onmicrosoft.com/demoapi"},
      "response": "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer",
      "now": NOW_I + 30},
     {"verdict": D, "first": "token.id_token", "codes": ["token.id_token"], "absent": ["token.expired"]})

NOW_I4 = 1451606400  # 2016-01-01
case("I-04", "IdentityServer/IdentityServer3.AccessTokenValidation#168", "I",
     "IdentityServer3: the identity token is sent to the resource server",
     {"input": jwt(rs256("a3rMUgMFv9tPclLa6yF3zAkfquE"), {
         "iss": "https://localhost:44333/core", "aud": "mvc", "exp": NOW_I4 + 300, "nbf": NOW_I4,
         "nonce": b64u(filler("I-04:nonce", 24)), "iat": NOW_I4, "at_hash": b64u(filler("I-04:ath", 16)),
         "sid": alnum("I-04:sid", 32), "sub": "818727", "auth_time": NOW_I4 - 10, "idp": "idsrv", "amr": ["password"]},
         "I-04"),
      "operation": "GET https://localhost:44321/identity",
      "response": "HTTP/1.1 401 Unauthorized",
      "now": NOW_I4 + 20},
     {"verdict": D, "first": "token.id_token", "codes": ["token.id_token"]})

case("I-05", "IdentityServer/IdentityServer3#2944", "I",
     "An id_token (aud = client id) at an API that expects <authority>/resources",
     {"input": jwt(rs256("a3rMUgMFv9tPclLa6yF3zAkfquE"), {
         "iss": "https://localhost:44333/core", "aud": "js_oidc", "exp": NOW_I4 + 300, "nbf": NOW_I4,
         "nonce": b64u(filler("I-05:nonce", 24)), "iat": NOW_I4, "at_hash": b64u(filler("I-05:ath", 16)),
         "sub": "88421113", "auth_time": NOW_I4 - 10, "idp": "idsrv", "amr": ["password"]}, "I-05"),
      "operation": "GET https://localhost:44347/api/claims",
      "expect": {"audience": "https://localhost:44333/core/resources"},
      "response": "IDX10214: Audience validation failed. Audiences: 'js_oidc'. Did not match: validationParameters.ValidAudience: 'https://localhost:44333/core/resources'",
      "now": NOW_I4 + 20},
     {"verdict": D, "first": "token.id_token", "codes": ["token.id_token", "audience.mismatch"]})

I6_CLIENT = guid("I-06:spa")
case("I-06", "AzureAD/azure-activedirectory-library-for-js#890", "I",
     "adal.js ID token (aud = the client id) sent to another resource",
     {"input": jwt({"typ": "JWT", "alg": "RS256", "x5t": MS_KID, "kid": MS_KID}, {
         "aud": I6_CLIENT, "iss": f"https://sts.windows.net/{TID}/", "iat": NOW_I - 100, "nbf": NOW_I - 100,
         "exp": NOW_I + 3500, "amr": ["pwd"], "family_name": "Doe", "given_name": "Jane", "ipaddr": "203.0.113.7",
         "name": "Jane Doe", "nonce": guid("I-06:nonce"), "oid": guid("I-06:user"), "sub": b64u(filler("I-06", 32)),
         "tid": TID, "unique_name": "jane@contoso.com", "upn": "jane@contoso.com", "ver": "1.0"}, "I-06"),
      "operation": "GET https://contoso-api.azurewebsites.net/api/orders",
      "expect": {"audience": "https://contoso.onmicrosoft.com/orders-api"},
      "now": NOW_I},
     {"verdict": D, "first": "token.id_token", "codes": ["token.id_token"]})

NOW_I7 = 1704067200
case("I-07", "haithamabass/WebApi_CleanArchitecture#1", "I",
     "The refresh token (a random string, not a JWT) is sent as the bearer to a JWT API",
     {"input": "Authorization: Bearer " + b64u(filler("I-07:refresh", 64)),
      "operation": "GET https://localhost:7001/api/products",
      "response": http_response("401 Unauthorized", [("WWW-Authenticate", 'Bearer error="invalid_token"')]),
      "now": NOW_I7},
     {"first": "token.opaque", "codes": ["token.opaque"], "absent": ["token.malformed", "header.malformed"]})

NOW_IX = 1704067200
case("I-x01", "keycloak/keycloak-nodejs-connect#146 (design note in scenarios.md class I)", "I",
     "A Keycloak ID token (typ ID, nonce, at_hash) sent as the bearer",
     {"input": keycloak("I-x01", "http://localhost:8080/realms/demo", NOW_IX - 20, "frontend", typ="ID",
                        aud="frontend", nonce=guid("I-x01:nonce"), at_hash=b64u(filler("I-x01:ath", 16)),
                        auth_time=NOW_IX - 20, sid=guid("I-x01:sid"), email_verified=True,
                        preferred_username="alice"),
      "operation": "GET http://localhost:3000/api/orders",
      "response": "HTTP/1.1 401 Unauthorized",
      "now": NOW_IX},
     {"verdict": D, "first": "token.id_token", "codes": ["token.id_token"], "absent": ["token.expired"]})

# --- J. Not a JWS: opaque, JWE, reference token -----------------------------------------------------------------

NOW_J = 1609459200
case("J-01", "scenarios.md §3: 5 dot-separated parts, alg dir, enc A256GCM (Auth0, no audience requested)", "J",
     "Auth0 returns a JWE (dir / A256GCM) because no API audience was requested",
     {"input": jwe({"alg": "dir", "enc": "A256GCM", "iss": "https://example.auth0.com/"}, "J-01"),
      "now": NOW_J},
     {"first": "token.encrypted", "codes": ["token.encrypted"], "absent": ["token.malformed", "token.opaque"]})

case("J-01b", "scenarios.md §3 (JWE row) with a JWE for an API that expects a signed JWT", "J",
     "An RSA-OAEP-256 encrypted access token at an API; the claims cannot be read",
     {"input": "Bearer " + jwe({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": "enc-2024", "cty": "JWT"}, "J-01b",
                                key_len=256, ct_len=900),
      "operation": "GET https://api.example.com/v1/accounts",
      "expect": {"audience": "https://api.example.com"},
      "now": NOW_J},
     {"verdict": U, "first": "token.encrypted", "codes": ["token.encrypted"], "absent": ["token.malformed"]})

case("J-02", "auth0-samples/auth0-ios-swift-sample#39", "J",
     "Auth0 access token `KBSxkmG-OcpA6-cg`: opaque, because the audience was /userinfo",
     {"input": "KBSxkmG-OcpA6-cg", "now": NOW_J},
     {"verdict": U, "first": "token.opaque", "codes": ["token.opaque"], "absent": ["token.malformed", "input.no_token"]})

case("J-03", "auth0/nextjs-auth0#12", "J",
     "Auth0 opaque token sent to a Go API that validates JWTs for its audience",
     {"input": "Bearer 6RvJb3Tu9bxGOUIRV7tsiT7bnB0lVBiY",
      "operation": "GET http://localhost:3010/api/private",
      "expect": {"audience": "https://go-api.example.com", "issuer": "https://example.auth0.com/"},
      "now": NOW_J},
     {"first": "token.opaque", "codes": ["token.opaque"], "absent": ["token.malformed", "input.no_token"]})

# --- K. Introspection returns active:false ------------------------------------------------------------------------

NOW_K = 1577836800
case("K-01", "keycloak/keycloak#15694 + spring-projects/spring-security#7858", "K",
     "Keycloak introspection says active:false: the token was minted via localhost:8844 (port-forward)",
     {"input": keycloak("K-01", "http://localhost:8844/auth/realms/scdf23", NOW_K - 60, "dataflow", life=600),
      "operation": "GET http://localhost:9393/apps",
      "introspection": {"active": False},
      "response": "Provided token [xxxxx] isn't active",
      "now": NOW_K},
     {"verdict": D, "first": "introspection.inactive", "codes": ["introspection.inactive"],
      "absent": ["token.expired"], "mentions": ["localhost:8844"]})

NOW_K2 = 1767225600
case("K-02", "better-auth/better-auth#8267", "K",
     "Introspection by the API's own client returns active:false for a token issued to the frontend client",
     {"input": jwt(rs256("ba-1"), {"iss": "https://auth.example.com", "sub": "user_42", "aud": "https://api.example.com",
                                   "azp": "frontend-client", "client_id": "frontend-client", "scope": "openid profile",
                                   "iat": NOW_K2 - 30, "exp": NOW_K2 + 870}, "K-02"),
      "introspection": json.dumps({"active": False}),
      "operation": "GET https://api.example.com/me",
      "now": NOW_K2},
     {"verdict": D, "first": "introspection.inactive", "codes": ["introspection.inactive"], "absent": ["token.expired"]})

case("K-03", "dotnet/AspNetCore.Docs#36588", "K",
     "Keycloak: introspecting a reference token with the client that minted it gives active:false",
     {"input": opaque("K-03", 64),
      "introspection": {"active": False},
      "operation": "GET https://localhost:7001/api/weather",
      "now": NOW_K2},
     {"verdict": D, "first": "introspection.inactive", "codes": ["introspection.inactive"]})

case("K-06", "openiddict/openiddict-core#532", "K",
     "OpenIddict introspection returns active:false: Postman sent the wrong token",
     {"input": "Bearer " + opaque("K-06", 43),
      "introspection": '{ "active": false }',
      "operation": "GET http://localhost:5002/api/message",
      "now": NOW_K},
     {"verdict": D, "first": "introspection.inactive", "codes": ["introspection.inactive"]})

# --- L. Platform role, permission, licence, division -------------------------------------------------------------

case("L-02", "MyPureCloud/terraform-provider-genesyscloud#277", "L",
     "Genesys client-credentials token with the scope, but the permission (a closed-beta feature) is missing",
     {"input": genesys_token("L-02"),
      "operation": "GET https://api.mypurecloud.com/api/v2/processautomation/triggers",
      "introspection": tokens_me(["process-automation", "architect", "routing"], "CLIENT-CREDENTIALS",
                                 client_name="Terraform CX as Code"),
      "response": http_response("403 Forbidden", [("Content-Type", "application/json")], json.dumps(
          {"message": "Unable to perform the requested action. You must have at least one of the following "
                      "permissions assigned: [processautomation:trigger:edit, processautomation:trigger:view]",
           "code": "missing.any.permissions", "status": 403, "messageParams": {}, "contextId": guid("L-02"),
           "details": [], "errors": []})),
      "now": NOW_G},
     {"verdict": D, "first": "permission.missing", "codes": ["permission.missing"],
      "absent": ["scope.missing", "grant.no_user_context"], "mentions": ["processautomation:trigger:view"]})

case("L-04", "MyPureCloud/terraform-provider-genesyscloud#340", "L",
     "Genesys media retention policies: 'Unable to perform the requested action' (permission hidden by licensing)",
     {"input": genesys_token("L-04"),
      "operation": "GET https://api.mypurecloud.com/api/v2/recording/crossplatform/mediaretentionpolicies",
      "introspection": tokens_me(["recordings"], "CLIENT-CREDENTIALS", client_name="Terraform CX as Code"),
      "response": json.dumps({"message": "Unable to perform the requested action. You must have at least one of the "
                                         "following permissions assigned: [recording:crossPlatformRetentionPolicy:view]",
                              "code": "missing.any.permissions", "status": 403, "messageParams": {},
                              "contextId": guid("L-04"), "details": [], "errors": []}),
      "now": NOW_G},
     {"verdict": D, "first": "permission.missing", "codes": ["permission.missing"], "absent": ["scope.missing"],
      "mentions": ["recording:crossPlatformRetentionPolicy:view"]})

NOW_L5 = 1672531200
case("L-05", "okta/okta-developer-docs#4377", "L",
     "Okta service app has okta.apps.read but no admin role: 403 E0000006",
     {"input": okta_token("L-05", ["okta.apps.read"], NOW_L5 - 60),
      "operation": f"GET {OKTA}/api/v1/apps?limit=200",
      "matrix": json.dumps(openapi("Okta Management (apps)", OKTA, [
          ("GET", "/api/v1/apps", [["okta.apps.read"], ["okta.apps.manage"]]),
          ("POST", "/api/v1/apps", [["okta.apps.manage"]])], scheme="oauth2")),
      "response": http_response("403 Forbidden", [("Content-Type", "application/json")], OKTA_403_BODY),
      "now": NOW_L5},
     {"verdict": D, "first": "permission.missing", "codes": ["permission.missing"],
      "absent": ["scope.missing", "token.expired", "operation.unknown"], "mentions": ["role"]})

NOW_L9 = 1672531200
case("L-09", "microsoftgraph/microsoft-graph-docs-contrib#8353", "L",
     "Graph delegated token with User.Read.All, still Authorization_RequestDenied on /users/{id}/manager",
     {"input": graph_delegated("L-09", "User.Read User.Read.All", NOW_L9 - 300),
      "operation": "GET https://graph.microsoft.com/v1.0/users/" + guid("L-09:user") + "/manager",
      "response": http_response("403 Forbidden", [("Content-Type", "application/json")], AUTHZ_DENIED),
      "now": NOW_L9},
     {"verdict": D, "first": "permission.missing", "codes": ["permission.missing"],
      "absent": ["scope.missing", "grant.no_user_context"]})

# --- M. Operation- or method-specific permission -----------------------------------------------------------------

NOW_M1 = 1492300800  # 2017-04-16
MASTODON = openapi("Mastodon (statuses)", "https://mastodon.social", [
    ("GET", "/api/v1/statuses/{id}", [["read:statuses"], ["read"]]),
    ("POST", "/api/v1/statuses", [["write:statuses"], ["write"]])])
MASTODON_TOKEN = json.dumps({"access_token": b64u(filler("M-01", 32)), "token_type": "Bearer", "scope": "read",
                             "created_at": NOW_M1 - 86400})
case("M-01", "mastodon/mastodon#1367", "M",
     "Mastodon token issued with `read` only (scope omitted at the token request) posts a status",
     {"input": MASTODON_TOKEN, "operation": "POST https://mastodon.social/api/v1/statuses", "matrix": MASTODON,
      "response": http_response("403 Forbidden", [("Content-Type", "application/json")],
                                json.dumps({"error": "This action is outside the authorized scopes"})),
      "now": NOW_M1},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["write"]})

case("M-01b", "mastodon/mastodon#1367", "M",
     "The same read-only Mastodon token reads a status (200 in the thread)",
     {"input": MASTODON_TOKEN, "operation": "GET https://mastodon.social/api/v1/statuses/1895661", "matrix": MASTODON,
      "now": NOW_M1},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "operation.unknown"]})

NOW_M2 = 1640995200
GMAIL = "https://www.googleapis.com/auth/gmail"
GMAIL_API = openapi("Gmail API (messages)", "https://gmail.googleapis.com", [
    ("DELETE", "/gmail/v1/users/{userId}/messages/{id}", [["https://mail.google.com/"]]),
    ("POST", "/gmail/v1/users/{userId}/messages/send",
     [["https://mail.google.com/"], [GMAIL + ".modify"], [GMAIL + ".compose"], [GMAIL + ".send"]])])
GMAIL_INTRO = introspection(True, scope=GMAIL + ".modify", client_id="1234567890-gm.apps.googleusercontent.com",
                            exp=NOW_M2 + 3000)
case("M-02", "googleworkspace/java-samples#631", "M",
     "Gmail permanent delete with gmail.modify: users.messages.delete needs https://mail.google.com/",
     {"input": google_token("M-02"), "operation": "DELETE https://gmail.googleapis.com/gmail/v1/users/me/messages/18c2f0a1b2c3d4e5",
      "introspection": GMAIL_INTRO, "matrix": GMAIL_API,
      "response": json.dumps({"error": {**GOOGLE_403_BODY["error"], "details": [{
          "@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
          "domain": "googleapis.com", "metadata": {"method": "caribou.api.proto.MailboxService.DeleteMessage",
                                                   "service": "gmail.googleapis.com"}}]}}),
      "now": NOW_M2},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["https://mail.google.com/"]})

case("M-02b", "googleworkspace/java-samples#631", "M",
     "The same gmail.modify token sends mail (works in the thread)",
     {"input": google_token("M-02"), "operation": "POST https://gmail.googleapis.com/gmail/v1/users/me/messages/send",
      "introspection": GMAIL_INTRO, "matrix": GMAIL_API, "now": NOW_M2},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "token.opaque"]})

NOW_M3 = 1648771200
WSO2 = openapi("WSO2 Identity Server SCIM 2.0 (Users)", "https://localhost:9443/scim2", [
    ("GET", "/Users", [["internal_user_mgt_list"]]),
    ("GET", "/Users/{id}", [["internal_user_mgt_view"]]),
    ("DELETE", "/Users/{id}", [["internal_user_mgt_delete"]])])
WSO2_TOKEN = jwt({"x5t": "MDJlNjIxN2E1OGZlOGVmMGQxOTFlMzBmNmFjZjQ0Y2YwOGY0N2I0YzE4YzZjNjRhYmRmMmQ0ODdiNDhjMGEwMA",
                  "kid": "MDJlNjIxN2E1OGZlOGVmMGQxOTFlMzBmNmFjZjQ0Y2YwOGY0N2I0YzE4YzZjNjRhYmRmMmQ0ODdiNDhjMGEwMA_RS256",
                  "typ": "at+jwt", "alg": "RS256"}, {
    "sub": "Tz4VuLr7q7YSa0q1zGBYfvXGc5Ia", "aut": "APPLICATION", "aud": "Tz4VuLr7q7YSa0q1zGBYfvXGc5Ia",
    "nbf": NOW_M3 - 60, "azp": "Tz4VuLr7q7YSa0q1zGBYfvXGc5Ia", "scope": "internal_user_mgt_list",
    "iss": "https://localhost:9443/oauth2/token", "exp": NOW_M3 + 3540, "iat": NOW_M3 - 60,
    "jti": guid("M-03"), "client_id": "Tz4VuLr7q7YSa0q1zGBYfvXGc5Ia"}, "M-03")
case("M-03", "wso2/product-is#14140", "M",
     "WSO2 SCIM2: listing users works with internal_user_mgt_list, reading one user needs internal_user_mgt_view",
     {"input": WSO2_TOKEN, "operation": "GET https://localhost:9443/scim2/Users/" + guid("M-03:user"), "matrix": WSO2,
      "response": http_response("403 Forbidden", [("Content-Type", "application/scim+json")], json.dumps(
          {"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"],
           "detail": "Operation is not permitted. You do not have permissions to make this request.", "status": 403})),
      "now": NOW_M3},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"], "mentions": ["internal_user_mgt_view"]})

case("M-03b", "wso2/product-is#14140", "M",
     "The same WSO2 token lists users (200 in the thread)",
     {"input": WSO2_TOKEN, "operation": "GET https://localhost:9443/scim2/Users?count=10", "matrix": WSO2,
      "now": NOW_M3},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "grant.no_user_context"]})

NOW_M4 = 1640995200
case("M-04", "devmasx/merge-branch#34", "M",
     "GITHUB_TOKEN with default read-only permissions merges a branch",
     {"input": "ghs_" + alnum("M-04", 36),
      "operation": "POST https://api.github.com/repos/i3drobotics/phase-dev/merges",
      "response": ("POST https://api.github.com/repos/i3drobotics/phase-dev/merges: 403 - Resource not accessible by "
                   "integration // See: https://docs.github.com/rest/reference/repos#merge-a-branch (Octokit::Forbidden)"),
      "now": NOW_M4},
     {"verdict": D, "first": "permission.missing", "codes": ["permission.missing"],
      "absent": ["grant.no_user_context", "scope.missing"]})

case("M-06", "hasura/comment-progress#9", "M",
     "A fork pull request's read-only GITHUB_TOKEN comments on the PR",
     {"input": "ghs_" + alnum("M-06", 36),
      "operation": "POST https://api.github.com/repos/hasura/graphql-engine/issues/8123/comments",
      "response": http_response("403 Forbidden", [("Content-Type", "application/json; charset=utf-8")], json.dumps(
          {"message": "Resource not accessible by integration",
           "documentation_url": "https://docs.github.com/rest/reference/issues#create-an-issue-comment"})),
      "now": NOW_M4},
     {"verdict": D, "first": "permission.missing", "codes": ["permission.missing"],
      "absent": ["grant.no_user_context"]})

# --- N. Authorization header / scheme formatting, and what was pasted ---------------------------------------------

NOW_N = 1704067200
EVENTRA = jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "user@eventra.dev", "roles": ["USER"], "iat": NOW_N - 600,
                                               "exp": NOW_N + 85800}, "N-01")
case("N-01", "SandeepVashishtha/Eventra#6195", "N",
     "The header carries the bare JWT: 'Authorization: <token>' without the Bearer scheme",
     {"input": "Authorization: " + EVENTRA, "operation": "POST https://eventra-backend.example.com/api/hackathons/12/submissions",
      "response": "HTTP/1.1 401 Unauthorized", "now": NOW_N},
     {"verdict": D, "first": "header.malformed", "codes": ["header.malformed"], "absent": ["token.malformed"],
      "mentions": ["Bearer"]})

HA = jwt({"alg": "HS256", "typ": "JWT"}, {"iss": alnum("N-02:iss", 32).lower(), "iat": 1672531200,
                                          "exp": 1987891200}, "N-02")
case("N-02", "MartinPham/FindMySync#6", "N",
     "Home Assistant long-lived token sent without a scheme in a curl",
     {"input": f'curl -X POST -H "Authorization: {HA}" -H "Content-Type: application/json" '
               '-d \'{"state": "home"}\' http://homeassistant.local:8123/api/states/device_tracker.phone',
      "response": http_response("401 Unauthorized", [("Content-Type", "text/plain; charset=utf-8")], "401: Unauthorized"),
      "now": NOW_N},
     {"verdict": D, "first": "header.malformed", "codes": ["header.malformed"], "mentions": ["Bearer"]})

NOW_N3 = 1498867200
RW = jwt({"alg": "HS256", "typ": "JWT"}, {"sub": "jake", "jti": guid("N-03"), "iat": NOW_N3 - 60,
                                          "nbf": NOW_N3 - 60, "exp": NOW_N3 + 86340, "iss": "issuer",
                                          "aud": "audience"}, "N-03")
case("N-03", "realworld-apps/aspnetcore-realworld-example-app#9", "N",
     "RealWorld client sends 'Authorization: Token <jwt>' to a server that expects Bearer",
     {"input": "Authorization: Token " + RW, "operation": "GET http://localhost:5000/api/user",
      "response": "System.InvalidOperationException: No authentication handler is configured to authenticate for the scheme: Token",
      "now": NOW_N3},
     {"verdict": D, "first": "header.scheme_token", "codes": ["header.scheme_token"], "absent": ["header.malformed"], "mentions": ["Token"]})

N04_TOKEN = jwt({"alg": "HS256", "typ": "JWT"}, {"exp": 1667510654, "iat": 1667424254, "sub": "123"}, "N-04")
assert N04_TOKEN.startswith("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJleHAiOjE2Njc1MTA2NTQsImlhdCI6MTY2NzQyNDI1NCwic3ViIjoiMTIzIn0.")
case("N-04", "litestar-org/starlite-jwt#16", "N",
     "Correct 'Authorization: Bearer <jwt>' that the library rejected (library bug): nothing wrong with the paste",
     {"input": f"curl -H 'Authorization: Bearer {N04_TOKEN}' http://localhost:8000/test",
      "response": http_response("401 Unauthorized", [("content-type", "application/json")],
                                json.dumps({"status_code": 401, "detail": "Invalid token"})),
      "now": 1667424300},
     {"absent": ["header.malformed", "token.malformed", "token.expired", "token.not_yet_valid", "token.clock_skew",
                 "input.no_token", "token.unsigned"]})

case("N-04b", "litestar-org/starlite-jwt#16 (the token as printed in the thread, signature cut: `D62l...`)", "N",
     "The N-04 token as printed in the thread, with its signature cut off by an ellipsis",
     {"input": N04_TOKEN.rsplit(".", 1)[0] + ".D62l...", "now": 1667424300},
     # Since session 14 (2026-11-25): a signature cut with `...` leaves the header and payload readable, so the
     # token is decoded and the cut said as a warning, not a malformed token (was: denied, token.malformed).
     {"verdict": "unknown", "first": "token.encoding", "absent": ["token.malformed"], "mentions": ["shortened"]})

case("N-05", "the-guild-org/apollo-angular#1539", "N",
     "Apollo link sets the header to the bare token: 'Malformed Authorization header'",
     {"input": "Authorization: " + jwt(rs256("apollo"), {"sub": "42", "iat": NOW_N - 60, "exp": NOW_N + 3540,
                                                         "iss": "https://auth.example.com/", "aud": "graphql"}, "N-05"),
      "operation": "POST https://api.example.com/graphql",
      "response": json.dumps({"errors": [{"message": "Error: Malformed Authorization header"}]}),
      "now": NOW_N},
     {"verdict": D, "first": "header.malformed", "codes": ["header.malformed"], "mentions": ["Bearer"]})

NX = jwt(rs256("k1"), {"iss": "https://auth.example.com/", "sub": "u1", "aud": "https://api.example.com",
                       "scope": "read", "iat": NOW_N - 60, "exp": NOW_N + 3540}, "N-x")
case("N-x01", "issue 3: header.malformed (`Bearer Bearer`)", "N",
     "The scheme twice: 'Authorization: Bearer Bearer <jwt>' (the client adds Bearer to a value that has it)",
     {"input": "Authorization: Bearer Bearer " + NX, "operation": "GET https://api.example.com/v1/items",
      "now": NOW_N},
     {"verdict": D, "first": "header.malformed", "codes": ["header.malformed"], "absent": ["token.malformed"]})

case("N-x02", "issue 3: header.malformed (stray quotes)", "N",
     "Stray quotes around the token: 'Authorization: Bearer \"<jwt>\"' (a JSON string pasted into a header)",
     {"input": f'Authorization: Bearer "{NX}"', "operation": "GET https://api.example.com/v1/items", "now": NOW_N},
     {"verdict": D, "first": "header.malformed", "codes": ["header.malformed"]})

half = len(NX) // 2
case("N-x03", "issue 3: header.malformed (line break inside the header value)", "N",
     "A line break inside the header value (the token wrapped by a terminal, copied with the newline)",
     {"input": "Authorization: Bearer " + NX[:half] + "\r\n" + NX[half:], "operation": "GET https://api.example.com/v1/items",
      "now": NOW_N},
     {"verdict": D, "first": ["header.malformed", "token.malformed"], "codes": ["header.malformed"]})

case("N-x04", "issue 3: input.empty", "N", "Nothing pasted",
     {"input": "", "now": NOW_N},
     {"verdict": [U, D], "first": "input.empty", "codes": ["input.empty"], "absent": ["token.malformed"]})

case("N-x05", "issue 3: input.empty", "N", "Only whitespace and a line break pasted",
     {"input": "  \n\t \r\n ", "operation": "GET https://graph.microsoft.com/v1.0/me", "now": NOW_N},
     {"verdict": [U, D], "first": "input.empty", "codes": ["input.empty"], "absent": ["token.malformed"]})

case("N-x06", "issue 3: input.no_token; ../shared/data README (Genesys users/me)", "N",
     "A curl with no Authorization header at all",
     {"input": "curl -X GET 'https://api.mypurecloud.com/api/v2/users/me' -H 'Content-Type: application/json'",
      "response": json.dumps({"message": "No authentication bearer token specified in authorization header.",
                              "code": "authentication.required", "status": 401}),
      "now": NOW_G},
     {"verdict": D, "first": "input.no_token", "codes": ["input.no_token"], "absent": ["token.malformed", "input.empty"]})

case("N-x07", "issue 3: input.no_token (the lib.rs example)", "N",
     "Plain words, no token",
     {"input": "my token doesn't work, please help", "now": NOW_N},
     {"verdict": D, "first": "input.no_token", "codes": ["input.no_token"], "absent": ["token.opaque"]})

case("N-x08", "issue 3: token.malformed (invalid base64url in the payload)", "N",
     "A JWT whose payload segment holds characters outside base64url",
     {"input": "eyJhbGciOiJSUzI1NiJ9.eyJzdWIi*OiJ1c2VyIn0.c2lnbmF0dXJl", "now": NOW_N},
     {"verdict": D, "first": "token.malformed", "codes": ["token.malformed"]})

case("N-x09", "issue 3: token.malformed (payload is not JSON)", "N",
     "A JWT-shaped string whose payload decodes to text, not JSON",
     {"input": f"{b64u(j({'alg': 'RS256', 'typ': 'JWT'}))}.{b64u(b'user=alice;role=admin')}.{b64u(filler('N-x09', 256))}",
      "now": NOW_N},
     {"verdict": D, "first": "token.malformed", "codes": ["token.malformed"]})

# --- O. Signature, algorithm or key problems ---------------------------------------------------------------------

O1_NOW = 1551843400
case("O-01", "ivangfr/springboot-keycloak-openldap#3", "O",
     "Keycloak token (claims quoted) rejected: \"Didn't find publicKey for specified kid\"",
     {"input": jwt(rs256("cLq2lr7oBYBMZg6g4HfsvVCrMe3gM0k3F9IQH_2eJWk"), {
         "jti": guid("O-01"), "exp": 1551843672, "nbf": 0, "iat": 1551843372,
         "iss": "http://localhost:8181/auth/realms/company-services", "aud": "account",
         "sub": guid("O-01:bgates"), "typ": "Bearer", "azp": "simple-service", "auth_time": 0,
         "session_state": guid("O-01:ss"), "acr": "1", "realm_access": {"roles": ["offline_access", "uma_authorization"]},
         "resource_access": {"simple-service": {"roles": ["user"]},
                             "account": {"roles": ["manage-account", "manage-account-links", "view-profile"]}},
         "scope": "profile email", "email_verified": True, "preferred_username": "bgates"}, "O-01"),
      "operation": "POST http://localhost:9080/api/private",
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'Bearer realm="company-services", error="invalid_token", '
                               'error_description="Didn\'t find publicKey for specified kid"')]),
      "now": O1_NOW},
     {"verdict": D, "absent": ["token.expired", "token.malformed", "scope.missing", "token.not_yet_valid"],
      "mentions": ["kid"]})

NOW_O2 = 1514764800
O2_API = "api://" + guid("O-02:api")
case("O-02", "AzureAD/azure-activedirectory-identitymodel-extensions-for-dotnet#609", "O",
     "Signature validation fails on an access token whose header has a `nonce`: a Graph token at your own API",
     {"input": graph_delegated("O-02", "User.Read", NOW_O2 - 120),
      "operation": "GET https://localhost:44351/api/values",
      "expect": {"audience": O2_API},
      "response": "IDX10503: Signature validation failed. Keys tried: 'System.IdentityModel.Tokens.X509SecurityKey'.",
      "now": NOW_O2},
     {"verdict": D, "first": "audience.mismatch", "codes": ["audience.mismatch"], "mentions": ["graph"],
      "absent": ["operation.unknown"]})

NOW_O4 = 1609459200
case("O-04", "haproxytech/haproxy-lua-oauth#11", "O",
     "HAProxy gateway verifies RS256 only; the Keycloak client signs HS256",
     {"input": jwt({"alg": "HS256", "typ": "JWT", "kid": guid("O-04:kid")}, {
         "exp": NOW_O4 + 300, "iat": NOW_O4 - 10, "jti": guid("O-04"), "iss": "http://keycloak:8080/auth/realms/api",
         "aud": "api", "sub": guid("O-04:sub"), "typ": "Bearer", "azp": "api-client", "scope": "email profile"},
         "O-04"),
      "operation": "GET http://haproxy.local/api/resource",
      "response": "RS256 supported. Incorrect alg in JWT: HS256",
      "now": NOW_O4},
     {"verdict": D, "absent": ["token.expired", "token.unsigned", "token.malformed"], "mentions": ["HS256"]})

NOW_O6 = 1546300800
case("O-06", "sscarduzio/elasticsearch-readonlyrest-plugin#396", "O",
     "An unsigned JWT (alg none) presented to ReadonlyREST",
     {"input": "Bearer " + jwt({"alg": "none", "typ": "JWT"}, {"sub": "kibana-user", "roles": ["admin"],
                                                                "iat": NOW_O6 - 60, "exp": NOW_O6 + 3540}, "O-06"),
      "operation": "GET http://localhost:9200/_cat/indices",
      "response": json.dumps({"error": {"root_cause": [{"type": "exception",
                                                        "reason": "unrecognised algorithm family NONE. Should be either of: HMAC, EC, RSA"}],
                                        "type": "exception",
                                        "reason": "unrecognised algorithm family NONE. Should be either of: HMAC, EC, RSA"},
                              "status": 500}),
      "now": NOW_O6},
     {"verdict": D, "first": "token.unsigned", "codes": ["token.unsigned"], "absent": ["token.malformed"]})

case("O-06b", "GluuFederation/oxAuth#1358 (cited in O-06): `none` must be rejected", "O",
     "An alg:none token pasted alone",
     {"input": jwt({"alg": "none"}, {"iss": "https://idp.example.com", "sub": "admin", "aud": "https://api.example.com",
                                     "scope": "admin", "iat": NOW_O6 - 60, "exp": NOW_O6 + 3540}, "O-06b"),
      "now": NOW_O6},
     {"verdict": D, "first": "token.unsigned", "codes": ["token.unsigned"], "absent": ["token.malformed"]})

# --- P. Sender-constrained tokens (DPoP, mTLS) -------------------------------------------------------------------

NOW_P = 1735689600
JKT = b64u(hashlib.sha256(b"P-01 jwk thumbprint").digest())


def dpop_token(seed: str, iss: str, aud: str, iat: int, scope: str) -> str:
    return jwt({"alg": "ES256", "typ": "at+jwt", "kid": "as-es256-1"}, {
        "iss": iss, "sub": "wallet-" + alnum("sub:" + seed, 8).lower(), "aud": aud, "client_id": "wallet-dev",
        "scope": scope, "iat": iat, "exp": iat + 600, "jti": guid("jti:" + seed), "cnf": {"jkt": JKT}}, seed)


def dpop_proof(seed: str, htm: str, htu: str, iat: int) -> str:
    return jwt({"typ": "dpop+jwt", "alg": "ES256", "jwk": {"kty": "EC", "crv": "P-256",
                                                           "x": b64u(filler("x:" + seed, 32)),
                                                           "y": b64u(filler("y:" + seed, 32))}},
               {"jti": guid("proof:" + seed), "htm": htm, "htu": htu, "iat": iat}, "proof:" + seed)


P1_TOKEN = dpop_token("P-01", "https://issuer.example.eu", "https://issuer.example.eu", NOW_P - 30,
                      "eu.europa.ec.eudi.pid_jwt_vc_json")
case("P-01", "webuild-consortium/wp4-interop-test-bed#33", "P",
     "DPoP-bound token (cnf.jkt) sent as Bearer without a DPoP proof to /credential",
     {"input": ("POST /credential HTTP/1.1\r\nHost: issuer.example.eu\r\n"
                f"Authorization: Bearer {P1_TOKEN}\r\nContent-Type: application/json\r\n\r\n"
                '{"format":"vc+sd-jwt","vct":"eu.europa.ec.eudi.pid.1"}'),
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'DPoP algs="ES256", error="invalid_dpop_proof", error_description="DPoP proof is missing"')]),
      "now": NOW_P},
     {"verdict": D, "first": "token.sender_constrained", "codes": ["token.sender_constrained"],
      "absent": ["scope.missing", "token.expired"], "mentions": ["DPoP"]})

case("P-x01", "issue 3: RFC 9449 'must be presented using the DPoP scheme'", "P",
     "A cnf.jkt token sent as Bearer; the resource server says it must use the DPoP scheme",
     {"input": "Authorization: Bearer " + dpop_token("P-x01", "https://as.example.com", "https://rs.example.com",
                                                      NOW_P - 30, "orders.read"),
      "operation": "GET https://rs.example.com/orders",
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'DPoP algs="ES256 PS256", error="invalid_token", error_description="DPoP-bound access '
                               'token must be presented using the DPoP scheme"')]),
      "now": NOW_P},
     {"verdict": D, "first": "token.sender_constrained", "codes": ["token.sender_constrained"],
      "absent": ["scope.missing", "header.malformed"]})

case("P-x02", "issue 3: RFC 9449 'must be presented using the DPoP scheme' (opaque token: the response tells)", "P",
     "An opaque DPoP-bound token sent as Bearer: only the response shows the binding",
     {"input": "Authorization: Bearer " + opaque("P-x02", 43),
      "operation": "GET https://rs.example.com/orders",
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'DPoP algs="ES256", error="invalid_token", error_description="DPoP-bound access token '
                               'must be presented using the DPoP scheme"')]),
      "now": NOW_P},
     {"verdict": D, "first": "token.sender_constrained", "codes": ["token.sender_constrained"],
      "absent": ["scope.missing"]})

NOW_P3 = 1704067200
case("P-03", "wso2/api-manager#4655 (with coreos/go-oidc#450 for the forwarded-certificate cause)", "P",
     "Certificate-bound token (cnf.x5t#S256) sent as a plain Bearer without the client certificate",
     {"input": "Bearer " + jwt({"typ": "at+jwt", "alg": "RS256", "kid": "wso2carbon"}, {
         "sub": "admin", "aut": "APPLICATION_USER", "aud": "Xw3bCkgd1fYaAqF2DmEqkJcg0d8a", "nbf": NOW_P3 - 60,
         "azp": "Xw3bCkgd1fYaAqF2DmEqkJcg0d8a", "scope": "default", "iss": "https://localhost:9443/oauth2/token",
         "exp": NOW_P3 + 3540, "iat": NOW_P3 - 60, "jti": guid("P-03"),
         "cnf": {"x5t#S256": b64u(hashlib.sha256(b"P-03 client certificate").digest())},
         "client_id": "Xw3bCkgd1fYaAqF2DmEqkJcg0d8a"}, "P-03"),
      "operation": "GET https://localhost:8243/pizzashack/1.0.0/menu",
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"code": "900901", "message": "Invalid Credentials",
           "description": "Invalid Credentials. Make sure you have provided the correct security credentials"})),
      "now": NOW_P3},
     # mTLS binding is at the TLS layer, which the paste does not show: the engine may only suspect it.
     {"verdict": [D, U], "first": "token.sender_constrained", "codes": ["token.sender_constrained"],
      "absent": ["scope.missing", "token.expired"], "mentions": ["certificate"]})

P4_TOKEN = okta_token("P-x03", ["okta.apps.manage"], NOW_A09 - 60, cnf={"jkt": JKT})
case("P-x03", "scenarios.md class P cross-ref (D-05): Okta answers a scope error with a DPoP challenge; A-09", "P",
     "Correctly presented DPoP token; the DPoP-scheme challenge says insufficient_scope: a scope problem",
     {"input": (f"curl -H 'Authorization: DPoP {P4_TOKEN}' "
                f"-H 'DPoP: {dpop_proof('P-x03', 'GET', OKTA + '/api/v1/policies', NOW_A09)}' "
                f"'{OKTA}/api/v1/policies?type=ACCESS_POLICY'"),
      "response": http_response("403 Forbidden", [
          ("WWW-Authenticate", f'DPoP algs="RS256 RS384 RS512 ES256 ES384 ES512", authorization_uri="{OKTA}/oauth2/v1/authorize", '
                               f'realm="{OKTA}", scope="okta.policies.read", error="insufficient_scope", '
                               'error_description="The access token provided does not contain the required scopes.", '
                               'resource="/api/v1/policies"')], OKTA_403_BODY),
      "now": NOW_A09},
     {"verdict": D, "first": "scope.missing", "codes": ["scope.missing"],
      "absent": ["token.sender_constrained", "header.malformed"], "mentions": ["okta.policies.read"]})

# --- Q. Public vs confidential client (token endpoint) -----------------------------------------------------------

NOW_Q = 1577836800
case("Q-01", "mauriciovigolo/keycloak-angular#212", "Q",
     "SPA registered as a confidential client: code-to-token exchange fails with invalid client credentials",
     {"input": ("curl -X POST http://localhost:8080/auth/realms/demo/protocol/openid-connect/token "
                "-d grant_type=authorization_code -d client_id=angular-app "
                "-d code=" + alnum("Q-01:code", 40) + " -d redirect_uri=http://localhost:4200/"),
      "response": ("WARN [org.keycloak.events] type=CODE_TO_TOKEN_ERROR, realmId=demo, clientId=angular-app, "
                   "userId=null, ipAddress=172.17.0.1, error=invalid_client_credentials, grant_type=authorization_code"),
      "now": NOW_Q},
     {"verdict": D, "absent": ["token.expired", "scope.missing", "audience.mismatch", "token.malformed",
                               *TOKEN_ENDPOINT_ABSENT], "mentions": ["client"]})

case("Q-02", "ApicurioArchive/apicurio-studio#1257", "Q",
     "Keycloak: 'Client secret not provided in request' for a browser app (Access Type confidential)",
     {"input": ("POST /auth/realms/apicurio/protocol/openid-connect/token HTTP/1.1\r\nHost: localhost:8090\r\n"
                "Content-Type: application/x-www-form-urlencoded\r\n\r\n"
                "grant_type=authorization_code&client_id=apicurio-studio&code=" + alnum("Q-02:code", 40) +
                "&redirect_uri=http%3A%2F%2Flocalhost%3A8080%2Fstudio%2F"),
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"error": "unauthorized_client", "error_description": "Client secret not provided in request"})),
      "now": NOW_Q},
     {"verdict": D, "absent": ["token.expired", "scope.missing", "audience.mismatch", "token.malformed",
                               *TOKEN_ENDPOINT_ABSENT], "mentions": ["secret"]})

case("Q-x01", "tishige/CallFlowVisualizer#9 (scenarios.md G-09): a Genesys Cloud org in ap_southeast_2, the token asked of login.mypurecloud.com", "Q",
     "Genesys Cloud client credentials sent to another region's login host: invalid_client, authentication failed",
     {"input": ("curl -X POST 'https://login.mypurecloud.com/oauth/token' -H 'Content-Type: application/x-www-form-urlencoded' "
                "-u '" + guid("Q-x01:client") + ":placeholder-secret' -d 'grant_type=client_credentials'"),
      "response": json.dumps({"error": "invalid_client", "description": "authentication failed",
                              "error_description": "authentication failed"}),
      "now": NOW_Q},
     {"verdict": D, "first": "client.authentication_failed", "absent": ["client.type_mismatch", *TOKEN_ENDPOINT_ABSENT],
      "mentions": ["region", "login.mypurecloud.com.au"]})

case("Q-x02", "Entra ID error AADSTS7000215 (the secret's ID sent instead of its value; Microsoft's error text)", "Q",
     "Client credentials with a wrong client secret at Entra ID's token endpoint",
     {"input": ("curl -X POST https://login.microsoftonline.com/" + TID + "/oauth2/v2.0/token -d client_id="
                + guid("Q-x02:client") + " -d client_secret=placeholder-secret-id -d scope=https://graph.microsoft.com/.default "
                "-d grant_type=client_credentials"),
      "response": http_response("401 Unauthorized", [("Content-Type", "application/json")], json.dumps(
          {"error": "invalid_client",
           "error_description": "AADSTS7000215: Invalid client secret provided. Ensure the secret being sent in the request "
                                "is the client secret value, not the client secret ID, for a secret added to app '"
                                + guid("Q-x02:client") + "'.",
           "error_codes": [7000215]})),
      "now": NOW_Q},
     {"verdict": D, "first": "client.secret_invalid", "absent": ["client.type_mismatch", *TOKEN_ENDPOINT_ABSENT],
      "mentions": ["Value"]})

case("Q-x03", "RFC 6749 §5.2 unauthorized_client; Okta's text for a grant type the app does not allow", "Q",
     "An Okta app without the client-credentials grant asks for a token with it",
     {"input": ("curl -X POST https://dev-000000.okta.com/oauth2/default/v1/token -u " + guid("Q-x03:client")
                + ":placeholder-secret -d grant_type=client_credentials -d scope=orders.read"),
      "response": http_response("400 Bad Request", [("Content-Type", "application/json")], json.dumps(
          {"error": "unauthorized_client",
           "error_description": "The client is not authorized to use the provided grant type. Configured grant types: [authorization_code]."})),
      "now": NOW_Q},
     {"verdict": D, "first": "client.grant_not_allowed", "absent": ["client.type_mismatch", *TOKEN_ENDPOINT_ABSENT],
      "mentions": ["grant"]})

case("Q-x04", "RFC 6749 §5.2 invalid_grant; Keycloak's text for a refresh token that is no longer active", "Q",
     "A Keycloak refresh token that expired (or was revoked) is used to get a new access token",
     {"input": ("curl -X POST https://sso.example.com/realms/acme/protocol/openid-connect/token -d grant_type=refresh_token "
                "-d client_id=web -d refresh_token=" + alnum("Q-x04:rt", 48)),
      "response": http_response("400 Bad Request", [("Content-Type", "application/json")], json.dumps(
          {"error": "invalid_grant", "error_description": "Token is not active"})),
      "now": NOW_Q},
     {"verdict": D, "first": "grant.invalid", "absent": ["client.type_mismatch", *TOKEN_ENDPOINT_ABSENT],
      "mentions": ["sign in again"]})

case("Q-x05", "Entra ID error AADSTS65001 (Microsoft's error text): no consent yet", "Q",
     "An authorization-code exchange for an app nobody has consented to",
     {"input": ("curl -X POST https://login.microsoftonline.com/" + TID + "/oauth2/v2.0/token -d grant_type=authorization_code "
                "-d client_id=" + guid("Q-x05:client") + " -d client_secret=placeholder -d code=" + alnum("Q-x05:code", 40)),
      "response": json.dumps({"error": "invalid_grant",
                              "error_description": "AADSTS65001: The user or administrator has not consented to use the "
                                                   "application with ID '" + guid("Q-x05:client") + "' named 'app'.",
                              "error_codes": [65001], "suberror": "consent_required"}),
      "now": NOW_Q},
     {"verdict": D, "first": "consent.required", "absent": ["grant.invalid", "client.type_mismatch"],
      "mentions": ["admin consent"]})

case("J-x10", "Token Doctor re-audit of 2026-11-24: a 403 means the token was accepted, so its being a JWE is no cause", "J",
     "An encrypted token and a bare 403: the refusal is about the operation, the JWE stays a remark",
     {"input": jwe({"alg": "dir", "enc": "A256GCM"}, "J-x10"),
      "operation": "POST https://api.example.com/orders",
      "response": "HTTP/1.1 403 Forbidden",
      "now": NOW_Q},
     {"verdict": D, "first": "access.denied", "codes": ["token.encrypted"], "absent": ["permission.missing"]})

case("L-x11", "Genesys Cloud bad.credentials (401) with an opaque token: opacity is normal there", "L",
     "A Genesys Cloud token the API no longer accepts: expired, revoked or of another region",
     {"input": genesys_token("L-x11"),
      "operation": "GET https://api.mypurecloud.com/api/v2/users/me",
      "response": json.dumps({"message": "Invalid login credentials.", "code": "bad.credentials", "status": 401,
                              "messageParams": {}, "contextId": guid("L-x11"), "details": [], "errors": []}),
      "now": NOW_G},
     {"verdict": D, "first": "token.rejected", "mentions": ["tokens/me", "region"]})

# --- Negative controls: correct tokens that must be allowed with no error findings --------------------------------

case("Z-01", "product brief (issue 3) classic case, fixed; genesys matrix POST /api/v2/conversations/calls", "control",
     "Genesys opaque token whose tokens/me shows `conversations` places a call",
     {"input": genesys_token("Z-01"),
      "operation": "POST https://api.mypurecloud.com/api/v2/conversations/calls",
      "introspection": tokens_me(["conversations", "users:readonly", "user-basic-info"]),
      "now": NOW_G},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "scope.unknown", "grant.no_user_context",
                                                  "operation.unknown", "introspection.inactive"]})

case("Z-02", "genesys matrix GET /api/v2/routing/queues (routing or routing:readonly)", "control",
     "Genesys client-credentials token with routing:readonly lists queues",
     {"input": "Bearer " + genesys_token("Z-02"),
      "operation": "GET https://api.mypurecloud.de/api/v2/routing/queues?pageSize=25",
      "introspection": tokens_me(["routing:readonly"], "CLIENT-CREDENTIALS", client_name="Queue dashboard"),
      "now": NOW_G},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "grant.no_user_context", "operation.unknown"]})

case("Z-03", "msgraph permissions: POST /me/sendMail needs Mail.Send (delegated)", "control",
     "Graph delegated token with Mail.Send sends mail as the signed-in user",
     {"input": graph_delegated("Z-03", "Mail.Send User.Read openid profile email", NOW_C - 300),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "now": NOW_C},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "grant.no_user_context", "audience.mismatch"]})

case("Z-04", "msgraph permissions: POST /users/{id}/sendMail, Mail.Send (application); kartverket/skyline#78 fixed",
     "control", "Graph app-only token with roles Mail.Send sends mail from a mailbox",
     {"input": graph_app("Z-04", ["Mail.Send"], NOW_C - 300),
      "operation": "POST https://graph.microsoft.com/v1.0/users/noreply@contoso.com/sendMail",
      "now": NOW_C},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "permission.missing", "grant.no_user_context"]})

case("Z-05", "msgraph permissions: GET /users, User.Read.All (application); Azure-Samples/ms-identity-python-daemon#8 fixed",
     "control", "Graph app-only token with roles User.Read.All lists users",
     {"input": graph_app("Z-05", ["User.Read.All"], NOW_C - 300, aud=GRAPH_GUID),
      "operation": "GET https://graph.microsoft.com/v1.0/users?$select=displayName",
      "now": NOW_C},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "permission.missing", "grant.no_user_context"]})

NOW_Z6 = 1767225600
THINGS = openapi("Things API", "https://api.things.example.com/v1", [
    ("GET", "/things", [["read:things"]]),
    ("POST", "/things", [["write:things"]]),
    ("DELETE", "/things/{id}", [["admin:things"]])])
case("Z-06", "issue 4: user-supplied OpenAPI matrix; RFC 9068 access token", "control",
     "Custom API from an inline OpenAPI document: token with write:things creates a thing",
     {"input": jwt(rs256("things-1", "at+jwt"), {
         "iss": "https://auth.things.example.com/", "sub": "user-7", "aud": "https://api.things.example.com",
         "client_id": "things-web", "scope": "read:things write:things", "iat": NOW_Z6 - 60, "exp": NOW_Z6 + 840,
         "jti": guid("Z-06")}, "Z-06"),
      "operation": "POST https://api.things.example.com/v1/things",
      "matrix": THINGS,
      "expect": {"audience": "https://api.things.example.com", "issuer": "https://auth.things.example.com/"},
      "now": NOW_Z6},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing", "audience.mismatch", "issuer.mismatch",
                                                  "operation.unknown"]})

case("Z-07", "anthropics/claude-ai-mcp#931 after the fix: re-authorised with the union of scopes", "control",
     "After the step-up, the new token has every scope the 403 challenge named",
     {"input": mcp_token("Z-07", "files:read tasks:read tasks:write", NOW_E07 - 30),
      "previous": mcp_token("E-07", "files:read tasks:read", NOW_E07 - 300),
      "operation": "POST https://mcp.example.com/mcp",
      "response": http_response("403 Forbidden", [
          ("WWW-Authenticate", 'Bearer error="insufficient_scope", scope="files:read tasks:read tasks:write"')]),
      "now": NOW_E07},
     {"verdict": A, "noErrors": True, "absent": ["scope.missing"]})

case("Z-08", "matrix_sources.md §2 (NICE CXone: no public per-operation matrix; never invent a scope)", "control",
     "NICE CXone agent token on Personal Connection dialer-login: requirement unknown, nothing invented",
     {"input": jwt(rs256("cxone-1"), {
         "iss": "https://cxone.niceincontact.com", "sub": "user:11ec7c2a-3b4d-4e5f-8a9b-0c1d2e3f4a5b",
         "aud": "impersonation-client@cxone", "tenantId": "11ea1a2b-3c4d-5e6f-7a8b-9c0d1e2f3a4b",
         "icAgentId": "4452851", "icBUId": 4600123, "icClusterId": "C32", "name": "agent.one@acme.com",
         "iat": NOW_G - 60, "exp": NOW_G + 3540}, "Z-08"),
      "operation": "POST https://api-c32.incontact.com/InContactAPI/services/v23.0/agent-sessions/"
                   + guid("Z-08:session") + "/dialer-login?skillName=PC_Outbound",
      "now": NOW_G},
     {"verdict": U, "noErrors": True, "absent": ["scope.missing", "scope.unknown", "grant.no_user_context",
                                                  "permission.missing"]})

case("Z-09", "Azure-Samples/active-directory-b2c-dotnetcore-webapi#26 (send the access token, not the id_token)",
     "control", "A token response carrying an access token and an ID token: the access token is the one to send",
     {"input": json.dumps({"token_type": "Bearer", "scope": "Mail.Send User.Read openid profile email",
                           "expires_in": 4530, "ext_expires_in": 4530,
                           "access_token": graph_delegated("Z-09", "Mail.Send User.Read openid profile email",
                                                           NOW_C - 30),
                           "id_token": jwt(ms_header("Z-09:id", nonce=False), {
                               "aud": guid("app:Z-09"), "iss": f"https://login.microsoftonline.com/{TID}/v2.0",
                               "iat": NOW_C - 30, "nbf": NOW_C - 30, "exp": NOW_C + 3570, "name": "Jane Doe",
                               "nonce": guid("Z-09:nonce"), "oid": guid("oid:Z-09"),
                               "preferred_username": "jane.doe@contoso.com", "sub": b64u(filler("Z-09", 32)),
                               "tid": TID, "ver": "2.0"}, "Z-09:id")}, indent=2),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "now": NOW_C},
     {"verdict": A, "noErrors": True, "absent": ["token.id_token", "scope.missing", "audience.mismatch"]})

# ---------------------------------------------------------------------------------------------------------------
# Output

FILES = {
    "A": "A-scope-missing", "B": "B-no-user-context", "C": "C-app-permissions", "D": "D-scope-not-granted",
    "E": "E-stale-token", "F": "F-audience", "G": "G-issuer", "H": "H-lifetime", "I": "I-token-type",
    "J": "J-not-a-jws", "K": "K-introspection", "L": "L-platform-permission", "M": "M-method-permission",
    "N": "N-header-and-paste", "O": "O-signature-alg", "P": "P-sender-constrained", "Q": "Q-client-type",
    "control": "Z-controls",
}

ISSUE3_CODES = ["input.empty", "input.no_token", "token.malformed", "token.opaque", "token.encrypted",
                "token.unsigned", "token.id_token", "token.expired", "token.not_yet_valid", "token.clock_skew",
                "token.exp_overflow", "audience.mismatch", "issuer.mismatch", "scope.missing", "scope.not_granted",
                "scope.unknown", "permission.missing", "grant.no_user_context", "introspection.inactive",
                "operation.unknown", "header.malformed", "token.sender_constrained"]


NOW_RX = 1767225600
case("L-x10", "Token Doctor audit of 2026-11-24: a response pasted as its bare status (curl -s -o /dev/null -w '%{http_code}')", "L",
     "A Graph token that has Mail.Send; the response pasted is just `403`",
     {"input": graph_delegated("L-x10", "Mail.Send User.Read", NOW_RX - 600),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "response": "403",
      "now": NOW_RX},
     {"verdict": D, "first": "permission.missing", "codes": ["permission.missing"]})

case("G-x10", "Token Doctor audit of 2026-11-24: Azure API Management's body {statusCode, message} without a status line", "G",
     "A token for another API sent through API Management; the 401 comes as a JSON body with statusCode",
     {"input": graph_delegated("G-x10", "access_as_user", NOW_RX - 600, aud="api://orders-api"),
      "operation": "GET https://contoso.azure-api.net/orders/v1/orders",
      "response": '{"statusCode":401,"message":"Unauthorized. Access token is missing or invalid."}',
      "now": NOW_RX},
     {"verdict": D, "first": "token.rejected", "codes": ["token.rejected"]})


case("G-x11", "Token Doctor audit of 2026-11-24 (scenarios.md G-08): the rejected issuer quoted in a WWW-Authenticate challenge", "G",
     "An Entra ID v1 token to an API that only trusts the v2 issuer; the challenge quotes the issuer after error=\"invalid_token\"",
     {"input": graph_delegated("G-x11", "access_as_user", NOW_RX - 600, aud="api://orders-api"),
      "operation": "GET https://orders.contoso.com/api/orders",
      "response": http_response("401 Unauthorized", [
          ("WWW-Authenticate", 'Bearer error="invalid_token", error_description="The issuer \'https://sts.windows.net/'
                               + TID + '/\' is invalid"')]),
      "now": NOW_RX},
     {"verdict": D, "first": "issuer.mismatch", "mentions": ["https://sts.windows.net/" + TID + "/",
                                                             "accessTokenAcceptedVersion"]})


case("E-x10", "Token Doctor audit of 2026-11-24: Graph says 'the token is expired' about a token valid for another hour", "E",
     "The API says the token expired, but the token pasted is valid: the integration sent an older, cached one",
     {"input": "Bearer " + graph_delegated("E-x10", "Mail.Send User.Read", NOW_RX - 60),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "response": json.dumps({"error": {"code": "InvalidAuthenticationToken",
                                        "message": "Lifetime validation failed, the token is expired.",
                                        "innerError": {"request-id": guid("E-x10")}}}),
      "now": NOW_RX},
     {"verdict": A, "first": "token.stale", "absent": ["token.expired", "token.rejected"], "mentions": ["cache"]})


case("E-x11", "Token Doctor audit of 2026-11-24: the token that works (given to compare) already has the scope the failing one lacks", "E",
     "The failing Graph token predates the Mail.Send grant; a newer token of the same app has it",
     {"input": graph_delegated("E-x11", "User.Read", NOW_RX - 600),
      "previous": graph_delegated("E-x11:works", "User.Read Mail.Send", NOW_RX - 300, appid=guid("app:E-x11")),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "now": NOW_RX},
     {"verdict": D, "first": "scope.not_granted", "absent": ["scope.missing"], "mentions": ["new token"]})


case("C-x10", "matrix_sources.md §2: NICE CXone's legacy 401 (developer.niceincontact.com FAQ)", "C",
     "A CXone agent token refused because its application is not authorized for the user",
     {"input": "Bearer " + jwt(rs256("cxone-1"), {
         "iss": "https://cxone.niceincontact.com", "sub": "user:" + guid("C-x10:user"),
         "aud": "impersonation-client@cxone", "icAgentId": "4452851", "icBUId": 4600123, "icClusterId": "C32",
         "name": "agent.one@acme.com", "iat": NOW_RX - 60, "exp": NOW_RX + 3540}, "C-x10"),
      "operation": "GET https://api-c32.incontact.com/InContactAPI/services/v27.0/agents",
      "response": "HTTP/1.1 401 Unauthorized\r\n\r\nClient application 'myapp@vendor' not authorized for user",
      "now": NOW_RX},
     {"verdict": D, "first": "client.not_for_user", "absent": ["token.rejected"], "mentions": ["myapp@vendor"]})

case("A-x10", "Microsoft Graph docs (the OData key form /users('{id | userPrincipalName}') that Graph accepts)", "A",
     "A delegated Graph token without Mail.Send posts to /users('upn')/sendMail: the OData key form is the same operation",
     {"input": graph_delegated("A-x10", "User.Read Mail.Read", NOW_RX - 600),
      "operation": "POST https://graph.microsoft.com/v1.0/users('noreply@contoso.com')/sendMail",
      "response": GRAPH_DENIED, "now": NOW_RX},
     {"verdict": D, "first": SP, "absent": ["operation.unknown"], "mentions": ["Mail.Send"]})

case("D-x10", "Token Doctor audit of 2026-11-24: 'the token that works' was used with another operation", "D",
     "The token that works lacks Mail.Send too: the difference between the tokens is not the cause",
     {"input": graph_delegated("D-x10:new", "User.Read", NOW_RX - 600),
      "previous": graph_delegated("D-x10:old", "User.Read Calendars.Read", NOW_RX - 4000),
      "operation": "POST https://graph.microsoft.com/v1.0/me/sendMail",
      "response": GRAPH_DENIED, "now": NOW_RX},
     {"verdict": D, "first": "scope.missing", "absent": ["scope.not_granted"],
      "mentions": ["lacks it too", "Calendars.Read", "another operation"]})

GENESYS_403 = http_response("403 Forbidden", [("Content-Type", "application/json")], json.dumps(
    {"message": "You are not authorized to perform the requested action.", "code": "not.authorized", "status": 403,
     "contextId": guid("L-x12:ctx"), "details": [], "errors": []}))
case("L-x12", "matrix_sources.md §1.4 (Genesys: 'Roles must be set for clients using the CLIENT-CREDENTIALS grant'); audit of 2026-11-24", "L",
     "A Genesys client-credentials token (no scopes, by design) refused 403: the client's roles, not a scope",
     {"input": genesys_token("L-x12"), "operation": "POST https://api.mypurecloud.com/api/v2/conversations/calls",
      "introspection": tokens_me([], grant="CLIENT-CREDENTIALS", client_name="backend job"),
      "response": GENESYS_403, "now": NOW_RX},
     {"verdict": D, "first": "permission.missing", "absent": ["scope.missing", "access.denied"],
      "mentions": ["client-credentials", "roles", "division"]})

case("L-x13", "MyPureCloud/terraform-provider-genesyscloud#389 (audit of 2026-11-24: a 200 in hand was 'denied')", "L",
     "A Genesys client-credentials token lists queues (200) but sees only its Home division: not denied for a scope",
     {"input": genesys_token("L-x13"), "operation": "GET https://api.mypurecloud.com/api/v2/routing/queues?pageSize=100",
      "introspection": tokens_me([], grant="CLIENT-CREDENTIALS", client_name="terraform-exporter"),
      "response": http_response("200 OK", [("Content-Type", "application/json")], json.dumps(
          {"entities": [{"id": guid("L-x13:queue"), "name": "Support",
                         "division": {"id": guid("home-division"), "name": "Home"}}], "pageSize": 100, "total": 1})),
      "now": NOW_RX},
     {"verdict": "allowed", "absent": ["scope.missing"], "codes": ["permission.unverified"], "mentions": ["division"]})

case("A-x11", "PipedreamHQ/pipedream#4195 (Zendesk; audit of 2026-11-24: 'scopes look right' without a matrix)", "A",
     "An opaque Zendesk token (scope 'read tickets:write') refused 403 on PUT users: no matrix, so no claim that the scopes are right",
     {"input": json.dumps({"access_token": alnum("A-x11", 64), "token_type": "bearer", "scope": "read tickets:write"}),
      "operation": "PUT https://acme.zendesk.com/api/v2/users/381626101.json",
      "response": http_response("403 Forbidden", [("Content-Type", "application/json; charset=utf-8")], json.dumps(
          {"error": "Forbidden", "description": "You do not have access to this page. Please contact the account owner of this help desk for further help."})),
      "now": NOW_RX},
     {"verdict": D, "first": "access.denied", "absent": ["permission.missing"],
      "mentions": ["read tickets:write", "new token"]})

# Audit of 2026-11-24, third round: requests as the audit built them.
case('O-x10', 'auth0-blog/auth0-golang-jwt#14 (audit of 2026-11-24: camelCase errorDescription was ignored)', 'O',
     "Auth0's express-jwt says 'Algorithm HS256 is not supported. (Expected algs: [RS256])' in errorDescription",
     {'input': 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJodHRwczovL2FjbWUuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDU5ZjFhMmIzYzRkNWU2ZjdhOGI5YzBkMSIsImF1ZCI6Imh0dHBzOi8vYXBpLmFjbWUuY29tIiwiaWF0IjoxNTA5OTk5OTQwLCJleHAiOjE1MTAwODYzNDAsImF6cCI6ImszSmQ4c0xxMFdwMlh6NUN2N0JuOU1tMUFhNFNzNkRkIiwic2NvcGUiOiJvcGVuaWQgcmVhZDptZXNzYWdlcyJ9.evcOWmvsdz9JQKs4IBz-c4CFbHJlnSlcIMq67lCEHsQ', 'operation': 'GET https://api.acme.com/api/private', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"error":"invalid_token","errorDescription":"Algorithm HS256 is not supported. (Expected algs: [RS256])"}', 'now': 1510000000},
     {'verdict': 'denied', 'first': 'signature.alg_mismatch', 'absent': ['token.rejected'], 'mentions': ['HS256', 'Signing Algorithm']})

case('O-x11', 'auth0-samples/auth0-golang-web-app#24 (audit of 2026-11-24: the ID token was blamed)', 'O',
     'go-oidc verifying its ID token: \'id token signed with unsupported algorithm, expected ["RS256"] got "HS256"\'',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJodHRwczovL2FjbWUuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDU5ZjFhMmIzYzRkNWU2ZjdhOGI5YzBkMSIsImF1ZCI6ImszSmQ4c0xxMFdwMlh6NUN2N0JuOU1tMUFhNFNzNkRkIiwiaWF0IjoxNTA5OTk5OTk1LCJleHAiOjE1MTAwMzU5OTUsIm5vbmNlIjoicExJaXg2TUVPTGVNYTYxRXFKb21URUkxIiwiZW1haWwiOiJqYW5lQGFjbWUuY29tIn0.2x4zOAoVLLoj-1tZJeNCM29nw3o48CyfwMNhOcx0r3w', 'response': 'Failed to verify ID Token: oidc: id token signed with unsupported algorithm, expected ["RS256"] got "HS256"', 'now': 1510000000},
     {'verdict': 'denied', 'first': 'signature.alg_mismatch', 'codes': ['token.id_token'], 'mentions': ['JsonWebToken Signature Algorithm']})

case('H-x11', 'auth0-samples/auth0-angular-samples#30 (audit of 2026-11-24)', 'H',
     "A sign-in library: 'The token was issued in the future. Please check your computed clock.' (iat 4 s ahead)",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im1hRTgxNE5HQko4N1RvY1ZEMVdRVkgifQ.eyJpc3MiOiJodHRwczovL2FjbWUuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDVhMWIyYzNkNGU1ZjZhN2I4YzlkMGUxZiIsImF1ZCI6IkFiQ2RFZjAxMjM0NTY3ODlHaElqS2xNbk9wUXJTdFV2IiwiaWF0IjoxNTAwMDAwMDA0LCJleHAiOjE1MDAwMzYwMDQsIm5vbmNlIjoiOXNJdjRvM2UyTHNoWnBjYzVaU0c3bTU0NUJLZGFFVmgiLCJhdF9oYXNoIjoiQWozay15V0NtMDdFTnYyMXl5cXB4ZyIsImVtYWlsIjoiamFuZUBhY21lLmNvbSIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJuYW1lIjoiamFuZUBhY21lLmNvbSJ9.JizvjRpLQVGB1QBM5zoyqKxt1ssOU_hqJ7622RwEGySI_TuAcn1NWpDUiYjQvngmU4yHb2Lfoe6qY0Gha_2ar8HFI1snTuO9HvyNY9tZ2b45FBRS3YF2NZdscDQC5NxKhCJMrZ_zI7ceibRoJhGKIvPvIIIftyCn9iRPp7y-ei5pRqIN6xY99VL_wlV3bZplLWvJ83AT6dfT4R2zef0E6xT_Ee-YZ6vPKHC1BlsaYtetZAJcDdv3JFrJoNgoeNwQFcMSbIE9EhXK8NFcRDx6jxnC9TMzJtoOQY7WIXJnx5PA4aXZ922O8VOEMkLLgWdKCtI6cgskfyyraos_uP481A', 'response': 'Error: The token was issued in the future. Please check your computed clock.', 'now': 1500000000},
     {'verdict': 'denied', 'first': 'token.clock_skew', 'mentions': ['clock']})

case('F-x10', "keycloak/keycloak#12415 (audit of 2026-11-24: 'nothing in the token explains it')", 'F',
     "Spring Security: 'The required audience is missing' for a Keycloak token without aud",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IktpdS1FS3FQSThFMHBtajRxQ0NHZEhrOGZaajQ3UWtmb0dobklTR3czcEEifQ.eyJleHAiOjE2NTUwMDAyNDAsImlhdCI6MTY1NDk5OTk0MCwianRpIjoiYmMxMDgxZGMtOGZkNi00ZjQ3LWIzZWYtMmZmYWRlYzMwYTM0IiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5jb20vcmVhbG1zL2FjbWUiLCJzdWIiOiIzYzY2NmVjOS01OGQwLTRhZmYtOWY5ZC01YjUxMGVjZTFmNDYiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJvcmRlcnMtZnJvbnRlbmQiLCJzZXNzaW9uX3N0YXRlIjoiMWM3ZDA0MjgtOGRkMC00NDU0LTgxNDUtN2E1YzYxMzcyYzZiIiwiYWNyIjoiMSIsInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgZW1haWwifQ.9DDSEVnP-PriXXPpwQ4y-cys3G449GXBOGjDVM9B3fS5YwtV-HZQmA-GVsGjQpBVD9eGGn1BmqspF-oJtOdras_jhrwKSX1UZ5vyLYKbLcX4bhVKzGyZA6hqYv5u3_slq9Ok551UD9p0LqN8V7BO1bf6gPG-CH0CpFoXRT5hVMxA9rDe2QBpMNFkp9VugbpKiUVtHg9tQ7bPIeBsGwxkDTMpyDXDi5T-4T4_Nmpr9hqu6pTJ5ivDHqVY-7zeygX-rKmzhSWZeFimH2oEvN47387rRKaEgtlCoS--9uK6P6p_bzlQeFZ80t5YJYmvUrHX16viYhtSy6uppv4jKjcY6w', 'operation': 'GET https://orders.acme.com/api/orders', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: The required audience is missing", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"\r\nContent-Length: 0\r\n\r\n', 'now': 1655000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'absent': ['token.rejected'], 'mentions': ['Audience mapper']})

case('F-x11', 'oauth2-proxy/oauth2-proxy#2083 (audit of 2026-11-24: a valid access token was called an ID token)', 'F',
     'oauth2-proxy expects api://<guid> and the v2 access token carries <guid>',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiI5NTI4MzcyOC0xZDNjLTRlNWYtOGE5Yi0wYzFkMmUzZjRhNWIiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE2Nzk5OTk5MDAsIm5iZiI6MTY3OTk5OTkwMCwiZXhwIjoxNjgwMDAzNDk5LCJhaW8iOiJFYjJJZE1aZVJ1VUxuU21mc1JrUlQxVXg1QzduWjNrM19WQURYQzBEejFGdVRGNlh2dm9hOEEiLCJhenAiOiI5NTI4MzcyOC0xZDNjLTRlNWYtOGE5Yi0wYzFkMmUzZjRhNWIiLCJhenBhY3IiOiIwIiwib2lkIjoiYjk3NjJmODEtNmE4MC00NjcwLTkzNTktYWZmNzIwNzBhOGRlIiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzdWIiOiIzVV83VnBCWk1FTzYyY2U3ZTRta3dMZ2lLUzNjdEptUTZTbXNlME9YVXRFIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiQWg2R0c0ZlJSa1lsOHFRSmxUbldkdyIsInZlciI6IjIuMCIsIm5hbWUiOiJKYW5lIERvZSIsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwic2NwIjoidXNlcl9pbXBlcnNvbmF0aW9uIn0._wrLVv6K-GbkdfnVF4DSY5ObFRzeeytrDEFYfb5EKtBv5ajA24dyveOeSnLBamNkDEPGMhUV-VhYy_rq2_0Ou971jwF01BbknKPh9IAkxlj3ne3blyBDbIJ5k1r6V_Fp7cw58-e7GS6hoxJ6k8zeqgeog9TeMvgmYR1oGtJbKBSP87Rp3kH3PJO7bEIUo1eUR6Kj3sThEIHNQM-FXj9NBJMshLaLxamD7OmuT4Z2wFBuuE4FsSl3Gk9zW5FpUmkRNE1wHk5hRvizyivgZnNT56y53hlNvP8Wg6F-5sxzFsi_BPRtTe07s1yAkUo_mMt0n7NBmYSfNmlvsIzTD7laLA', 'operation': 'GET https://app.contoso.com/', 'response': '[2023/03/28 09:00:00] [oauthproxy.go:1020] Error loading cookied session: session ticket cookie failed validation: oidc: expected audience "api://95283728-1d3c-4e5f-8a9b-0c1d2e3f4a5b" got ["95283728-1d3c-4e5f-8a9b-0c1d2e3f4a5b"], removing session', 'now': 1680000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['other form', 'accessTokenAcceptedVersion']})

case('I-x10', 'AzureAD/microsoft-authentication-library-for-android#1956 (audit of 2026-11-24: an ID token without nonce)', 'I',
     'An Entra ID token without nonce (silent flow) sent to Graph /me',
     {'input': 'authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJhdWQiOiJmOTI4NjNiOC0wYzJlLTRkMmYtOWEzYi0xYzRkNWU2ZjdhOGIiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE2MTk5OTk5NDAsIm5iZiI6MTYxOTk5OTk0MCwiZXhwIjoxNjIwMDAzNTQwLCJuYW1lIjoiSmFuZSBEb2UiLCJvaWQiOiIzMTFmODI5NS1jMzM5LTQ1ZmMtOWE2Mi05OTNlYTg1MDMyZjkiLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJqYW5lQGNvbnRvc28uY29tIiwicmgiOiIwLkFYRUEiLCJzdWIiOiJ2cDdOUmZqLWZzQ0p5d2xvNTltMU9BZ2RCWWhRcWdiVi1ZajZBR1VTQjlNIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiT0VVZEsyVU9MMDdIT0F0dEhhdDk2ZyIsInZlciI6IjIuMCJ9.RK3GuD2cAQ7m4IB02rpIT6vlw5vjjeXKYsZDa4FS_gmo8INAzm6LbOdZm0JTpsi2YMs-ef0LdSPylrMJunwvyjwL9_WZ0uct-uiZz45-d-R68QjM0QarbYmeShtLAFArlXgVRpF6g5bPd8o4Y83K61iqKO8zPE6LjIDba3bu5V35qP7sLX-za349tJpzZYPTsReisJGXtUmAMCjz7oWsfmlPT7SNquPN4wtZlTGgxYAdIO2XLJ5PpF1cgGvPbUXbkloUbp6Rs69aSiQuZd71wXcebTwa6Y3pdwOvgevDknKj15Zua-z6lOO8RSnBF-DwwvvxYkDD2vd1hYt8QqGtIA', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'response': 'HTTP/2 401\r\ncontent-type: application/json\r\nwww-authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"\r\n\r\n{"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure. Invalid audience."}}', 'now': 1620000000},
     {'verdict': 'denied', 'first': 'token.id_token', 'mentions': ['azp', 'appid']})

case('O-x12', 'Activiti/activiti-cloud-examples#108 (audit of 2026-11-24: the unreachable JWKS was left out)', 'O',
     "Keycloak adapter: 'Didn't find publicKey for specified kid' when the API cannot reach the certs URL",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImZsTUhyem1mWmlqZlM4UHhxemZJVEpWc0w1b2VQc0VneFR3VnpRbFRhSEEifQ.eyJleHAiOjE1NDAwMDAyNzAsImlhdCI6MTUzOTk5OTk3MCwianRpIjoiNWQ1YjA2YzAtYjUxNC00YjQwLWFjYTctZDg4ZGI3MWRmZmZlIiwiaXNzIjoiaHR0cDovL2FjdGl2aXRpLWtleWNsb2FrOjgxODAvYXV0aC9yZWFsbXMvYWN0aXZpdGkiLCJhdWQiOiJhY2NvdW50Iiwic3ViIjoiZGY3NGM3NjYtMWEzNC00NjgxLThiZWMtYjllYjI3ZGVhMzkxIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoiYWN0aXZpdGkiLCJzZXNzaW9uX3N0YXRlIjoiMDk3OTAxMjctMTVlNC00Nzk4LWE5ZTgtMGI4N2E5YzhmNzRmIiwiYWNyIjoiMSIsInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgZW1haWwiLCJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsiQUNUSVZJVElfVVNFUiIsIm9mZmxpbmVfYWNjZXNzIl19LCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJ0ZXN0dXNlciJ9.GzJfgI4E8RR97SDX6DPO0ES2XrJYfEqN0SAB2II-y24nkRftEqjkKxj6SfQ3MLZjRWX0XXgJqb31JRswKFsN1atYPXN_oeQynI00uFPwkJRib45ZwiHWX7L4QNGPqZaV1F-U4Yzgu0fQSmQlqv9oB3gMweByV780HpA0mXd5Iff8kJ6jG_eEKOFUdZ1G7OT-f-QAwjidVyCfgsdr-QfJ3HOrDrp_CKOD-z2PokJ2iLBMuOqsRIjHCNBBi4HlWU5Hw2PZI7971xIXCwf790DM_w7fPGYVIhgDdPpFWUAB89X8HEwHgyiP490jOQJjyfNeeCY4l3ySd1krsidhEBYmjg', 'operation': 'GET http://gateway.activiti.local/rb-my-app/v1/process-definitions', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="activiti", error="invalid_token", error_description="Didn\'t find publicKey for specified kid"\r\n\r\n', 'now': 1540000000},
     {'verdict': 'denied', 'first': 'signature.key_not_found', 'mentions': ['could not fetch', 'protocol/openid-connect/certs']})

case('G-x12', "MyPureCloud/platform-client-sdk-javascript#5 (audit of 2026-11-24: the redirect URL was 'a malformed token')", 'G',
     'The implicit-grant redirect URL pasted whole (#access_token=…): the token is read from it',
     {'input': 'https://myapp.example.com/callback#access_token=EqV8ib8HDy88YtDtXbiufMdI8X2Y4rUmer_BH3M1XS0DRdJuPnBIKpi99lSi0tcL21pffWQJEeNajnez0LHtfR&expires_in=86399&token_type=bearer', 'operation': 'GET https://api.usw2.pure.cloud/api/v2/users/me', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\ninin-correlation-id: a682791d-bc19-4576-82e7-760f44baf81f\r\n\r\n{"message": "Invalid login credentials.", "code": "bad.credentials", "status": 401, "messageParams": {}, "contextId": "c7d88515-0dd6-4b29-8451-6a3a87937f4e", "details": [], "errors": []}', 'now': 1500000000},
     {'verdict': 'denied', 'first': 'token.rejected', 'absent': ['token.malformed'], 'mentions': ['region']})

case('F-x12', "microsoftgraph/microsoft-graph-docs#4752 (audit of 2026-11-24: App Service /.auth/me was 'malformed')", 'F',
     "App Service's /.auth/me array pasted whole: its access_token, for the app itself, sent to Graph",
     {'input': '[\n  {\n    "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwYjljOGQ3ZS02ZjVhLTRiM2MtOWQyZS0xZjBhOWI4YzdkNmUiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNTU5OTk5OTAwLCJuYmYiOjE1NTk5OTk5MDAsImV4cCI6MTU2MDAwNDQzMCwiYWNyIjoiMSIsImFpbyI6Ikc0eXFacWVzX0VDeFAtU2xWb1A4bXVKOWFkUGl6UWdodmROaHlWS1o3ZjhXZklZeWFBTnNCUSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjBiOWM4ZDdlLTZmNWEtNGIzYy05ZDJlLTFmMGE5YjhjN2Q2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6Ijc2ODUzOGJiLWU0NGUtNGZlNy1iZWY5LTY0N2JhZWFlMWNhNyIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJ1c2VyX2ltcGVyc29uYXRpb24iLCJzdWIiOiJFQ2lQNkFRZ19yUUNoYk91T3Rpd2s4eV9iRWExUmR0RjFmUDZIZDVqS0drIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiSVJlZVZaSnVCUTRoY0NEVjBwSEx1USIsInZlciI6IjEuMCJ9.aoe8pPEAwT-YiANMHlgGRB04s8N93hCcouWOugjqREhXy3cwhrL9N2tcqf3eR8t5AFT-Ty3wQKnyGBQeR89-wZ8zXfJ4ygyf5hDHOJTWcPPFB5kL0pYQrMC70NVRq027cOqqUeCc2Rn8Bo4uobIRFjZtgnTmczDjpmSw8f12DCcIeltUPRIB67x3PmGR9TIewEsQk8duHySJf5YIvGzdtaGk4TYSjIhjYPdv_BuMvdRgDq-0Az0OXg4rr1gHPnJs5pp_UtQ_RcLd0hir1Xal9z0qkGFJcuYXQ2eTSS780wgwaymayykuflee6OeKgOdkLPAha_aUB-xT90eU1mJ5vA",\n    "expires_on": "2019-06-08T14:38:20.0000000Z",\n    "id_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6InU0T2ZORlBId0VCb3NIanRyYXVPYlY4NExuWSIsImtpZCI6InU0T2ZORlBId0VCb3NIanRyYXVPYlY4NExuWSJ9.eyJhdWQiOiIwYjljOGQ3ZS02ZjVhLTRiM2MtOWQyZS0xZjBhOWI4YzdkNmUiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNTU5OTk5OTAwLCJuYmYiOjE1NTk5OTk5MDAsImV4cCI6MTU2MDAwMzUwMCwiYW1yIjpbInB3ZCJdLCJuYW1lIjoiSmFuZSBEb2UiLCJub25jZSI6Im1oMXI1MHN6QXdPRjk5WDd4bmg1UGRnckI0USIsIm9pZCI6IjIxNDIyZmU4LTMwYTEtNDVmYy04NGMzLWQ5MjkxY2U5NDA0MCIsInN1YiI6IncyZ0ZJRHpKVzZ2c3REeFFTQjRIa1ZBR0xzNUxfVE5yVU9VVGRsVmRsS00iLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ1bmlxdWVfbmFtZSI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXBuIjoiamFuZS5kb2VAY29udG9zby5jb20iLCJ2ZXIiOiIxLjAifQ.q-Q2zClP6W-PvZMyqnjZ9oGE2S7KRMkmYflSuEOqd4dC24Bzs75HULXuBYovtOHbViC3JeGfMAlpecyJc0Si2M8n6hyi38orXvXSjXneKlNAlwyd91xTqcr2O13MGIyHJdST-5Pd20_QlkWeM5vuUbN3VmXnuqYqPXKl4LzjprVjugavmSjNL8hptc1eDXAg4hJUisEk1NdNl-txsO4LSk8ImymTa7fHAQhvdCwnTy32etx1-x_gOlhMJnYWfhZhFqxGTgKVDx23mfNIFMJOytOHE5JXJ9OJly3guEwBkfMas2bqi9VjvUa9vCdjEd9eqzyOATIsjCclILsSCTJW5w",\n    "provider_name": "aad",\n    "user_claims": [\n      {\n        "typ": "aud",\n        "val": "0b9c8d7e-6f5a-4b3c-9d2e-1f0a9b8c7d6e"\n      },\n      {\n        "typ": "iss",\n        "val": "https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/"\n      },\n      {\n        "typ": "name",\n        "val": "Jane Doe"\n      }\n    ],\n    "user_id": "jane.doe@contoso.com"\n  }\n]', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'response': '{"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure. Invalid audience.", "innerError": {"request-id": "d557d956-3e66-4121-bc81-1995cc742a7b", "date": "2019-06-08T13:40:00"}}}', 'now': 1560000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'absent': ['token.malformed', 'header.malformed']})

case('O-x13', "ivangfr/springboot-keycloak-openldap#3 pasted as curl -v output (audit of 2026-11-24: 'It answered: * Trying …')", 'O',
     "The response pasted as a curl -v transcript: the answer is its '< ' lines",
     {'input': 'curl -i -X POST http://localhost:9080/api/private -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Ijd5dVNJUlB3OHZFNmRHbVplVmdmUTNRQ3VGWFlfZkJTMTdvUDY4am1jemcifQ.eyJleHAiOjE1NTE4NDM2NzIsImlhdCI6MTU1MTg0MzM3MiwianRpIjoiYmM1MGM3OTAtMmVhMS00ZjY2LTk4YmEtYzkzNzM5ODZmYWM4IiwiaXNzIjoiaHR0cDovL2xvY2FsaG9zdDo4MTgxL2F1dGgvcmVhbG1zL2NvbXBhbnktc2VydmljZXMiLCJhdWQiOiJhY2NvdW50Iiwic3ViIjoiYjRiZTM3ZGMtMzE0NC00MjUzLTg2MDUtZTgzZmY1NmQwMzFmIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoic2ltcGxlLXNlcnZpY2UiLCJzZXNzaW9uX3N0YXRlIjoiYjdlNjdiZWEtN2I2Ni00NmVhLTkyZGQtZDJjOTM4ODZkZWZmIiwiYWNyIjoiMSIsInNjb3BlIjoicHJvZmlsZSBlbWFpbCIsInJlc291cmNlX2FjY2VzcyI6eyJzaW1wbGUtc2VydmljZSI6eyJyb2xlcyI6WyJ1c2VyIl19fX0._3LYObHOaY6-Me1MrHdM5fJrfkdO8qetBVQSXVx3Mh8BTJ_OXKhXlkjQMAZSzMc8Dq4pZsIuCocfZcFY6EQF1RzESJg2rflFyChPMRQIJl37EMmCvFJ9MUUrYcdyy6mGJKUZFPPb5iZdGceTopXmHctam0WB9iy9W3XassmrfaM1NImDaVHvoYpdTaGwzBVNg-ny2MF4rMTEKySBETHrJq7w2j7oLrJegrPEvUSgH5_sDPWqiBkCnYkBuTpjQdX_r-YfzJ8va8J_NsVc2xLV3_oIGPVSunqaIQpSZ2JIEPZjizWIx72r59sLEpJYtvW1GaojAhsI2Qbeuij1yDrxyw"', 'response': '*   Trying 127.0.0.1:9080...\n* Connected to localhost (127.0.0.1) port 9080 (#0)\n> POST /api/private HTTP/1.1\n> Host: localhost:9080\n> User-Agent: curl/7.54.0\n> Accept: */*\n>\n< HTTP/1.1 401\n< WWW-Authenticate: Bearer realm="company-services", error="invalid_token", error_description="Didn\'t find publicKey for specified kid"\n< Content-Length: 0\n< Date: Wed, 06 Mar 2019 03:38:00 GMT\n<\n* Connection #0 to host localhost left intact', 'now': 1551843400},
     {'verdict': 'denied', 'first': 'signature.key_not_found', 'mentions': ["Didn't find publicKey"]})

case('N-x10', "dbt-labs/terraform-provider-dbtcloud#207 (audit of 2026-11-24: a documented 'Token' scheme was 'malformed')", 'N',
     "dbt Cloud documents 'Authorization: Token <key>'; a 404 for a service token without the role",
     {'input': 'Authorization: Token dbtc_oRqG9hTCzppvEJqa_ZgIFI2g8Pahqfpgi9el_OuOjSXXMUHy', 'operation': 'POST https://cloud.getdbt.com/api/v3/accounts/12345/groups/', 'response': 'HTTP/1.1 404 Not Found\r\nContent-Type: application/json\r\n\r\n{"status": {"code": 404, "is_success": false, "user_message": "The requested resource was not found.", "developer_message": ""}, "data": null}', 'now': 1690000000},
     {'verdict': 'unknown', 'first': 'header.scheme_token', 'absent': ['header.malformed'], 'mentions': ['dbt Cloud']})

case('Q-x06', "keycloak/keycloak#50222 (audit of 2026-11-24: the first fix was 'make the client public')", 'Q',
     "Keycloak's SCIM API refuses (403) a public client's token",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Ii0yQmt4TmZjQjZnSEIxMk0tOGNBRGtpa0E4alRHLVdRb3dJRm9RcDdFMXMifQ.eyJleHAiOjE3NjAwMDAyNzAsImlhdCI6MTc1OTk5OTk3MCwianRpIjoiOGQwYzAzNmEtNjhjMi00YTljLTkxMjgtMWQwYWZjNzY4ZjZiIiwiaXNzIjoiaHR0cHM6Ly9rYy5hY21lLmNvbS9yZWFsbXMvYWNtZSIsImF1ZCI6WyJyZWFsbS1tYW5hZ2VtZW50IiwiYWNjb3VudCJdLCJzdWIiOiI5YWRjZGViMC00YmFjLTRjMjUtOTM5OC0zNjNiOWNhMzdhYWEiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJhY21lLXNwYSIsInNlc3Npb25fc3RhdGUiOiJlYmZhMjIxNi01YTU2LTRiNTYtYjMyNi0wZWIyMWEzMjEwOTMiLCJhY3IiOiIxIiwic2NvcGUiOiJvcGVuaWQgcHJvZmlsZSBlbWFpbCIsInJlc291cmNlX2FjY2VzcyI6eyJyZWFsbS1tYW5hZ2VtZW50Ijp7InJvbGVzIjpbInZpZXctdXNlcnMiLCJtYW5hZ2UtdXNlcnMiXX19LCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJhZG1pbiJ9.Kdrr-vb1WOwR5tApfuxabHVcoX_JIyEtfwlS3eMHOSMz-fSXia2YIRYrlegS5jupIo56bQ10uP8YddpG4ipaAdaCrER-odebWpupRllFjXWMMI3k158ibZ8zfUYcfIXCesRouNUGOmuNpw1CDKV7zKzw2fc51mv91q3DRc0P9CRGgYbwxu2PEI8HNcOjG6F9MYLmd0ImdLIWscvGZJRx3-XwW00UQ2Z_58pnrw0x60q_ky9pu4TRhlQsifipOTMcTIZVFd_cl8f06jc1ady5Z5vXdWwg63cR02zrMgQ8kG7GB61Q6oGNFEI6ISBoJDRztMeKX9xIZK3mffL79_ezew', 'operation': 'GET https://kc.acme.com/realms/acme/scim/v2/Users', 'response': 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/scim+json\r\n\r\n{"schemas": ["urn:ietf:params:scim:api:messages:2.0:Error"], "detail": "Public clients are not allowed to access the SCIM API", "status": "403"}', 'now': 1760000000},
     {'verdict': 'denied', 'first': 'client.type_mismatch', 'mentions': ['confidential client', 'The token was issued']})

case('C-x11', 'Azure-Samples/active-directory-dotnet-graphapi-console#38 (audit of 2026-11-24: Azure AD Graph was taken for Microsoft Graph)', 'C',
     'An app-only token for Azure AD Graph (graph.windows.net) without roles: Authorization_RequestDenied, no invented audience error',
     {'input': 'Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLndpbmRvd3MubmV0IiwiaXNzIjoiaHR0cHM6Ly9zdHMud2luZG93cy5uZXQvNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3LyIsImlhdCI6MTQ4MzIyODc0MCwibmJmIjoxNDgzMjI4NzQwLCJleHAiOjE0ODMyMzIzMzksImFpbyI6Il9TdWc3MFBKdW9lM1VXWWJyUVoyZUh4NEppelFNdnR0ZUpLYjRLRHVQU1RQSUZ4QklYMUVtQSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiJhMzc0ZTM3MC0wYTk0LTRhNjAtYmVkYS04YzRlODc0NjRjZjciLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YjBlMzdiOC01NWJjLTQ1ZWMtYjMwNi1hODg1NzY1YTdiZDAiLCJyaCI6IjAuQVhFQXY0ajVjdkdHcjBHUnF5MTgwQkhiUiIsInN1YiI6IjViMGUzN2I4LTU1YmMtNDVlYy1iMzA2LWE4ODU3NjVhN2JkMCIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6IjlCTU9PNUpRaDNtVWpIamxtRHRuQXciLCJ2ZXIiOiIxLjAifQ.1vJzEVRbTkstWxo4HFpNay0MeqEuY3G9z85FFw6IamBTdywiSg09NQQe9Ty69Pbc5MzeZwYUN8-rsgy2e3UV5-T-Ywxm8HZK-9HGssHg1M1UKnWPH10vLZx_f2bXLWIoIWY4Nh5xMBr3EzNcBfKoHtqoAScZW64yIdgAt04BXg7p1FAkfjpqwK4r_r4-JnKQ7kdhGqbIzRlQszhcC1BwQuCw4GFDeV2ZAZdRylPsaRHlnIAfqgBS6iC0boxtUW1PzossH6ceaqo7hfwKk_Jty5c7LX0M4g62ZGKlm8lKtCL7hD8itay7zkJ7rQu-vcvtl55pem7vFIaGxzo02xMB5g', 'operation': 'GET https://graph.windows.net/contoso.onmicrosoft.com/users?api-version=1.6', 'response': 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json;odata=minimalmetadata;streaming=true;charset=utf-8\r\nocp-aad-diagnostics-server-name: AZ1P4nB4A7z3zK8u\r\nrequest-id: 5d1824f6-7366-4469-9dee-b39fd4a8081c\r\n\r\n{"odata.error":{"code":"Authorization_RequestDenied","message":{"lang":"en","value":"Insufficient privileges to complete the operation."}}}', 'now': 1483228800},
     {'verdict': 'denied', 'first': 'permission.missing', 'absent': ['audience.mismatch'], 'mentions': ['admin consent']})

case('C-x12', "MicrosoftDocs/azure-docs#50935 (audit of 2026-11-24: 'request the scope' for client credentials)", 'C',
     'An Entra app-only token without roles refused with insufficient_scope by an own API: app roles, not scopes',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJhcGk6Ly82ZTFkNGEyYi05YzNmLTRiOGUtYTFkMi0zYzRiNWE2ZjdlODAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNTg0MzE2NjgwLCJuYmYiOjE1ODQzMTY2ODAsImV4cCI6MTU4NDMyMDI3OSwiYWlvIjoiMHQ2MWNtNHc2QzFqOHhaaUd0dEx3SFcwSGp3VnBfWXE4NHcxbFBFdUhvU3MwakRRT0tRdGpRIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjM0YTdiMGJhLTYwZjgtNDlkMi05MGVmLWMyYTczZGZiODAyOCIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjE2ZDljN2UyLTdkZmQtNDI1Yi1iZGJlLTFjZWFlNGU0ZThjZCIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiMTZkOWM3ZTItN2RmZC00MjViLWJkYmUtMWNlYWU0ZTRlOGNkIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoickJHWm5PREp5Zmdkbkw3MmgxTmZzUSIsInZlciI6IjEuMCJ9.pGOe93k9l5ixgRv_5rFCM3sjKUBhxhXfDBv6erVGPrWXwTyQVHg3MpC6l_L1QwDx4EmUAL89YbYPzR6AYcEnjFD62P3r8T9eeUImnUepHUOvCT3xij0qrtBUeCJ3iVI5tvbduHoLF0NoxSXPQXSNufmxlY15uGugPc4ix1aJs9w0yRalOVyf6sV1kIdWhM6ByERXtUFwXh0cI8tSvf_g3MGjzprhEgHIyX9SxPEfXBSNpC67gzUJy5LA5tNimyZQrF6qArwGMfwdiNwBYo1l8hMnEEadfC69r9Z1_-NiOwbZqjIZn2HmcF_rcZv_MOVCWe5EpAo2K9IMjH5xCCxAHw', 'operation': 'GET https://appb.contoso.com/api/values', 'response': 'HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer error="insufficient_scope", error_description="The token has no scp, scope or roles claim"\r\nContent-Length: 0\r\n\r\n', 'now': 1584316800},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['app role', 'admin consent', '.default']})

case('A-x12', "different-ai/openwork#2579 (audit of 2026-11-24: Google's challenge read as 'all of')", 'A',
     "Google's insufficient_scope challenge lists alternatives; the Google tokeninfo pasted as introspection shows the scopes",
     {'input': 'ya29.csHGEwjPtF50eXmxBNcNFLLio7TrzDAHIhXLcqaypWZt4Z5Ucues0C0bLivlE4kYrn_x8IWOLEBkB5GWyNqBALxmYCCnjddUIlobSanscXKkDD57W17xK9nevKElU4SjrXdsZ_fI3GMWaMlIGxZ2hTnJ5GJHQdMQ', 'operation': 'GET https://gmail.googleapis.com/gmail/v1/users/me/messages?maxResults=20', 'introspection': {'azp': '1234567890-abc.apps.googleusercontent.com', 'aud': '1234567890-abc.apps.googleusercontent.com', 'sub': '110248495921238986420', 'scope': 'https://www.googleapis.com/auth/calendar.readonly https://www.googleapis.com/auth/userinfo.email openid', 'exp': '1735692600', 'expires_in': '3000', 'email': 'jane@acme.com', 'email_verified': 'true', 'access_type': 'offline'}, 'response': 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json; charset=UTF-8\r\nWWW-Authenticate: Bearer realm="https://accounts.google.com/", error="insufficient_scope", scope="https://mail.google.com/ https://www.googleapis.com/auth/gmail.modify https://www.googleapis.com/auth/gmail.readonly https://www.googleapis.com/auth/gmail.metadata"\r\n\r\n{"error": {"code": 403, "message": "Request had insufficient authentication scopes.", "errors": [{"message": "Insufficient Permission", "domain": "global", "reason": "insufficientPermissions"}], "status": "PERMISSION_DENIED", "details": [{"@type": "type.googleapis.com/google.rpc.ErrorInfo", "reason": "ACCESS_TOKEN_SCOPE_INSUFFICIENT", "domain": "googleapis.com", "metadata": {"service": "gmail.googleapis.com", "method": "caribou.api.proto.MailboxService.ListMessages"}}]}}', 'now': 1735689600},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['introspection.unreadable'], 'mentions': ['none of the scopes', 'one of', 'gmail.readonly']})

case('K-x10', "DuendeArchive/IdentityServer4#4682 (audit of 2026-11-24: 'the curl command sends no Authorization header')", 'K',
     "A curl to the introspection endpoint with -u api1:wrongsecret answered 401: the caller's credentials",
     {'input': 'curl -X POST https://ids.acme.com/connect/introspect -u api1:wrongsecret -d token=eyJhbGciOiJSUzI1NiIsImtpZCI6IkFCNENDRUMzOEQ3OUQ4OUEwREEwQzQxQUVCQjhGMDEwIiwidHlwIjoiYXQrand0In0.eyJuYmYiOjE1OTk5OTk5NDAsImV4cCI6MTYwMDAwMzU0MCwiaXNzIjoiaHR0cHM6Ly9pZHMuYWNtZS5jb20iLCJhdWQiOiJhcGkxIiwiY2xpZW50X2lkIjoic3BhIiwic3ViIjoiODE4NzI3IiwiYXV0aF90aW1lIjoxNTk5OTk5OTMwLCJpZHAiOiJsb2NhbCIsInNjb3BlIjpbIm9wZW5pZCIsImFwaTEiXSwiYW1yIjpbInB3ZCJdfQ.fgiKJAM0bJ8aTkIyZCJ47afi3xFHTk80xmItLX_XUpjUaoydsB7D_8uSEYiagBc4ZSHAr1DwMkqylpZtH7hQbIZlKd15nOBDwc9_fKXiNe2XydLe6WfArumDG7p7CRFEKXorgigqIijtZg32VJLZwnDpE_ATqgCzw_4TVNzA98u_xMnIM_p1nJ8Npt_ujc66FLjTVRrE8OWY8jlrjiIyJNZjT-FQtGNHp3wYruLJPFEg8NSQoNBY8Nx-SdJAtmDW5HCQCvyymUCjoKBTrHriCtYLJP3rDohM_FvyN-vVr51cyY8YQCavjQsnI0-9iXOaiRdIKb24br5cguzhnI8oRg', 'operation': 'POST https://ids.acme.com/connect/introspect', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Length: 0\r\n\r\n', 'now': 1600000000},
     {'verdict': 'denied', 'first': 'client.authentication_failed', 'codes': ['input.introspection_request'], 'absent': ['input.no_token', 'token.rejected'], 'mentions': ['ApiSecrets']})

case('I-x11', 'Azure-Samples/active-directory-aspnetcore-webapp-openidconnect-v2#747 (audit of 2026-11-24: only an info)', 'I',
     "On-behalf-of with the user's ID token as assertion: AADSTS240002",
     {'input': 'curl -X POST https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d client_id=a489f663-32be-439b-a4ea-6c1a4d5fbdc4 -d client_secret=<secret> -d requested_token_use=on_behalf_of -d scope=https://graph.microsoft.com/User.Read -d assertion=eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IlQxU3QtZExUdnlXUmd4Ql82NzZ1OGtyWFMtSSJ9.eyJhdWQiOiJhNDg5ZjY2My0zMmJlLTQzOWItYTRlYS02YzFhNGQ1ZmJkYzQiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3MDE4MjA3NDAsIm5iZiI6MTcwMTgyMDc0MCwiZXhwIjoxNzAxODI0MzQwLCJhaW8iOiJJeTRGX1dKY2lGTVozNFZmTmFkNVliUm83WWNTWW1VVkpSZE85MDdMd050cHJMODdRT1Vhc2ciLCJuYW1lIjoiSmFuZSBEb2UiLCJub25jZSI6IkdiV1RTNmcxWFRJd2hBd1hCaFhMdmd1aGd0dm9Yb251Iiwib2lkIjoiMDAwMTgyMjEtNGU5ZC00ZTk1LThkMjgtNjg1ODcyZWExYzU4IiwicHJlZmVycmVkX3VzZXJuYW1lIjoiamFuZS5kb2VAY29udG9zby5jb20iLCJyaCI6IjAuQVhFQXY0ajVjdkdHcjBHUnF5MTgwQkhiUiIsInN1YiI6IkVNOUNHWVVDcGtYNndGTlphZ0hBeHZnRWpCMkRTNS1hR0plSndoQzBMZ00iLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ1dGkiOiJaNjE0RnJuQkhBYlg1cVhERVdvRzdRIiwidmVyIjoiMi4wIn0.oTN2IckZLJN66AGAaejWHbrlYtFm0_C8cmsmpPUb5e1zxrUWcQMcB5BCqxpV4MDKGEE9k7Pw2RAAlhyMomvJMwyAuKwNzCU0SVwR35lIVVfxdzzjD34dhVBHLQRJ8qGA0hJMrTahCQAhjcdy4DZtOhbMochF4ob3njN14vllx2W5mWGOxESBLzOUVa9YxMFLvqexPjmsPEOQJT_gEK_n3p50Cfz5pc3jNlkl4raODFMAOqI1MlYL8bCPLW1r3kEvyFcEgAv1G7STlvzGhMX4BP1rHHAwSTeTl9CMvtak1k1N10TdR6puq7uVs2mJqYUlsfv_lu8wNJ8bcd594z8Bpg', 'operation': 'POST https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token', 'response': 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\n\r\n{"error": "invalid_request", "error_description": "AADSTS240002: Input id_token cannot be used as \'urn:ietf:params:oauth:grant-type:jwt-bearer\' grant. Trace ID: 66beb880-3213-47a8-b580-6d9d11145bc1 Correlation ID: 3e3346c8-e158-4509-b63a-f54b08cf975a Timestamp: 2023-12-06 12:15:29Z", "error_codes": [240002], "timestamp": "2023-12-06 12:15:29Z"}', 'now': 1701820800},
     {'verdict': 'denied', 'first': 'token.id_token', 'mentions': ['on-behalf-of', 'assertion']})

case('J-x11', 'zuplo/zudoku#2206 (audit of 2026-11-24: generic opaque causes and an introspection Auth0 does not offer)', 'J',
     'An Auth0 token response with an opaque access token and an Auth0 ID token: the login named no audience',
     {'input': '{"access_token": "PVHp7pWnOna8sEXflmWwdRpdo9KMleEn", "id_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlgwYTJkWGljaGRlRWMyVGZHR0Z1a3UifQ.eyJpc3MiOiJodHRwczovL2Rldi16dWRva3UudXMuYXV0aDAuY29tLyIsInN1YiI6Imdvb2dsZS1vYXV0aDJ8MTA0ODU3MzYxMjM0NTY3ODkwMTIzIiwiYXVkIjoiWnExWHcyQ2UzVnI0QnQ1Tnk2TXU3S2k4TG85UGEwU2QiLCJpYXQiOjE3MzU2ODk1NzAsImV4cCI6MTczNTcyNTU3MCwic2lkIjoiZXd5UHlMdHhxbXZCaGlKYVRVeVlmS2xjeERNUFlJeU8iLCJub25jZSI6IlpjTjRCZHhPRldTdUE4U0FEYnBuSXJTTGVaQm9CaTRiIiwibmFtZSI6IkphbmUgRG9lIiwiZW1haWwiOiJqYW5lQGFjbWUuY29tIn0.EXhLdk-ysbDl_ioePj9PTryys8TUd3HkIMMcs0PY3NX0IAyLHI13RQczBmOKILCOeNGxWqv3EDOOtizpBsRttSluUcaARsrrF-j_lDM1A2OoOZRu1EvDULRdPqXBBtDI9huIzrZn3lQ3N6XYhpJPnOCkSW5IGHLuk6ngv8lEKR1AYgKEaItjcCSEKm-t0FcakBkIZqWyFF-_TsCnnELdy9CmV1aBOYXXWYgMqc51jFQ5Py8NGC-LvYl1fKQIByQ8E1LiGsqynhXQs2sh1X0OpjlClGFFqiNTiWmrAdxfSCfKA_RKLuYqXY1Ny0chwc1Uu7UfjL8AWBh9G2F_sV-Qsg", "scope": "openid profile email", "expires_in": 86400, "token_type": "Bearer"}', 'operation': 'GET https://api.acme.com/v1/api-keys', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"message":"Unauthorized"}', 'now': 1735689600},
     {'verdict': 'denied', 'first': 'token.opaque', 'mentions': ["the ID token beside it is Auth0's", 'login named no API']})

case('J-x12', 'auth0-samples/auth0-nodejs-webapp-sample#52 (audit of 2026-11-24)', 'J',
     "An opaque token sent to an API that answers 'jwt malformed': it expects a JWT",
     {'input': 'Authorization: Bearer vMEc0goRqG9hTCzppvEJqa-ZgIFI2g8P', 'operation': 'GET https://api.acme.com/v1/orders', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: text/html; charset=utf-8\r\nX-Powered-By: Express\r\n\r\nUnauthorizedError: jwt malformed', 'now': 1546300800},
     {'verdict': 'denied', 'first': 'token.opaque', 'mentions': ['expects a JWT', 'audience']})

case('M-x10', 'jazzband/django-oauth-toolkit#555 (review of 2026-11-24: a caller with its own bearer token at the introspection endpoint)', 'M',
     "The introspection endpoint refuses (403 insufficient_scope) the caller's bearer token: its token is diagnosed, not the token= field",
     {'input': "curl -X POST https://auth.acme.com/o/introspect/ -H 'Authorization: Bearer vBhiJaTUyYfKlcxDMPYIyOZcN4BdxO' -d token=FWSuA8SADbpnIrSLeZBoBi4b7ux5JY", 'operation': 'POST https://auth.acme.com/o/introspect/', 'response': 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\nWWW-Authenticate: Bearer realm="api",error="insufficient_scope"\r\n\r\n{"detail":"You do not have permission to perform this action."}', 'introspection': {'active': True, 'scope': 'introspection', 'client_id': 'resource-server', 'username': '', 'exp': 1520030000}, 'now': 1520000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['client.authentication_failed', 'input.introspection_request']})

# Audit of 2026-11-24, fourth round: requests as the audit built them.
case('G-x13', "Okta developer docs: org vs custom authorization server (audit of 2026-11-24, fourth round: 'allowed' on a 401)", 'G',
     "An Okta custom-AS token at Okta's own API: 401 invalid_token with a scope= parameter is no stale scope",
     {'input': 'eyJraWQiOiJIcTh6SzFhWCIsImFsZyI6IlJTMjU2In0.eyJ2ZXIiOjEsImp0aSI6IkFULkkyM2FxTExLdEREdXNnM04wdWttWTVDUmFvQ1BPSHRZR2tHZUZDSjciLCJpc3MiOiJodHRwczovL2Rldi0xMjM0NTY3OC5va3RhLmNvbS9vYXV0aDIvZGVmYXVsdCIsImF1ZCI6ImFwaTovL2RlZmF1bHQiLCJpYXQiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzAwMCwiY2lkIjoiMG9hMWIyYzNkNEU1RjZnN0g4aTkiLCJzY3AiOlsib2t0YS51c2Vycy5yZWFkIl0sInN1YiI6ImphbmVAYWNtZS5jb20iLCJ1aWQiOiIwMHUxYTJiM2M0RDVFNmY3RzhoOSJ9.RVns3l_8fvqYXhHphHtj6KpAYyybaABrl4kgrUK-nHJ2UqeJC-aKXDMuhastcJx9-sOegZNfaeg8LaYbOjKEDv6tKqXU56DAWaZNLveQgmul1QwouKwcMGvKILThErtET5hlfPLOb8jwV0mGvZl2ysCJmu5oxlE8u4grkiANrvLElDSNv4dwyzQ_Ex0qXaeSgXCSESXr_o8bqBosg5eaAHNaT3pcmur0MBWcSFgEfqNij6BawDoI0_wfop2UYJkH7HHcneEZs8a0hk6Ax-psP4k4BoieJPK4a-f-k19d8tWO-hU6V8ozysE7vTD5m34MrBXFG-HLCJ0_3ESYrs6zPA', 'operation': 'GET https://dev-12345678.okta.com/api/v1/users', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer authorization_uri="http://dev-12345678.okta.com/oauth2/v1/authorize", realm="IdP", scope="okta.users.read", error="invalid_token", error_description="The access token is invalid.", resource="/api/v1/users"\r\n\r\n{"errorCode":"E0000011","errorSummary":"Invalid token provided","errorLink":"E0000011","errorId":"oae2","errorCauses":[]}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'absent': ['scope.stale'], 'mentions': ['org authorization server']})

case('F-x13', "Auth0 Management API 'Bad audience' (audit of 2026-11-24, fourth round)", 'F',
     "Auth0's 'Bad audience: https://api.acme.com' from the Management API",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InNCWEEzaGNNTldjeVRMdko0N3JHcGMifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6ImtTM3U5STVLS2dUUG5PMUtyc2hlRTJPRWZ3WmVBNWpiQGNsaWVudHMiLCJhdWQiOiJodHRwczovL2FwaS5hY21lLmNvbSIsImlhdCI6MTc5NTQ5OTQwMCwiZXhwIjoxNzk1NTg1ODAwLCJhenAiOiJrUzN1OUk1S0tnVFBuTzFLcnNoZUUyT0Vmd1plQTVqYiIsInNjb3BlIjoicmVhZDp1c2VycyIsImd0eSI6ImNsaWVudC1jcmVkZW50aWFscyJ9.iHgKgj2Aj4svaSIT6Yedjcgr--sHm0VkfskYo2AIoLsmmyxdpK08QCYKHyaLl-9Aap-PYdiH0Agn6IOd4AqQecLV8ROFInAvY0lhodDrf3qh0RSLZNL3JBj5ev8B0WYvdybwPpi3jqWhpmbGvq5hG_CJE2EmZZOLssYPmeGZ0IldyA517taU9QaVeXkFB0c3ETki5hJnD7uGvZfrJ5KkxNkdY4tYpvY4cO2af7AFxNknn2LCtWNqVgLR0f2bX6iB2X0ch3XOwxCVPu0VjfvfBHPZPQ312DyyjkZafelzAeo0174XYhA_hZ0XFY4i3IjpmtIdO_E_BLAPHezPDp9alw', 'operation': 'GET https://acme.eu.auth0.com/api/v2/users', 'response': '{"statusCode":401,"error":"Unauthorized","message":"Bad audience: https://api.acme.com"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'absent': ['token.rejected']})

case('F-x14', 'Microsoft Graph national clouds (audit of 2026-11-24, fourth round)', 'F',
     "A global Graph token sent to US Government Graph: 'Invalid audience' though aud names Graph",
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6ImZoUW90aWN3Z1E0UXE3dDVDQjRMZjM5b3JVeFNvZEQwZWI5Rjl1MDY0MUkiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzkzMCwiYWNyIjoiMSIsImFpbyI6InJsbU15dzdFeDhCYkRudW5LUWFIVTZFTDhJREVPa0s3YjVfem1jQWEyODkyV0dMOV9EYk9pdyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjVlNjQ3ZDcyLWY2MmYtNGQxYi1iZWM2LTFhN2ExZjhjMjFmMiIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjQxNGU0ZjRhLWU4MjEtNDEwNS04YmM4LTg5ZDcxZDQxZDgwNiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQiLCJzdWIiOiJvbmtpd2NRODkwMVZIUDFKUTlCZFppMDEwWjZsYXhWTkUyeE43M2EwU1NjIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoicjdKQW51ZDdwc0huTEp5TE9VcjFaQSIsInZlciI6IjEuMCJ9.n3dCZfTtsOcr20C8iZp3zbtvdvTJr04ekTuyKs27-XgyUkxrZNNXdpd1eKRYoHSzaMvwXQqLc9F3oSCQjKJGpN5GXf4UiESMHXoMbVMD5eIyF_s7363oEGQ14IxWkUXYgGrKPuFbR-UmhqxqKlmurka15gHbzMsBDnvXiT6xKYjKC1Ve1t6ZcXrsHhvOwpsbq2OfguZzavarcuVlhvZyBIke7pciu8NRyZ9KmLdnpVTb5h2KGbJhqXLie_QPUruZ7HOe5KFi33k4Oi1GudWLLlsopcAGU-y_n5in00GibwF_Cck3VwDFGNsp3F7NRPQ6rh0-7ytd5N5aGOIpXlSekw', 'operation': 'GET https://graph.microsoft.us/v1.0/me', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.us/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"\r\n\r\n{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['login.microsoftonline.us']})

case('L-x14', "Make.com error text (audit of 2026-11-24, fourth round: 'Missing the permission 403')", 'L',
     "Make prefixes the status: '[403] … permissions assigned: [directory:user:view]'",
     {'input': 'vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s', 'operation': 'GET https://api.euw2.pure.cloud/api/v2/users?pageSize=100', 'introspection': {'authorizedScope': ['users:readonly'], 'OAuthClient': {'authorizedGrantType': 'CODE', 'name': 'Make'}}, 'response': '[403] Unable to perform the requested action. You must have at least one of the following permissions assigned: [directory:user:view]', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing', 'mentions': ['directory:user:view']})

case('A-x13', "Auth0 403 in a PowerShell error (audit of 2026-11-24, fourth round: a scope named 'errorCode…')", 'A',
     "Invoke-RestMethod : {…'Insufficient scope, expected any of: read:users,read:user_idp_tokens'…}",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkFHMXlLd0lMQUxvNXZSNjdiMnJNUVMifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6Ik1VNjR5VFk2QnpVWktDOTdpNHhnY2lGbnE5UkJYTzJ0QGNsaWVudHMiLCJhdWQiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tL2FwaS92Mi8iLCJpYXQiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTU4NTgwMCwiYXpwIjoiTVU2NHlUWTZCelVaS0M5N2k0eGdjaUZucTlSQlhPMnQiLCJzY29wZSI6InJlYWQ6Y2xpZW50cyByZWFkOmNsaWVudF9ncmFudHMiLCJndHkiOiJjbGllbnQtY3JlZGVudGlhbHMifQ.Ke8z-xqG2oB2gUdj8JYLc46BinsnNiiTVV1ifOWqFmYWHmRPThjHcm1buNEwSvOBI2wyCS-Nq9MLLBIseYrhqpPxDi5nw-zdlacYw_0kYe6Pczz3gBE3r4NUknHddtrWp2HjTm1zlEqF5f0D54CfvHozUBHytyFrdoqxvajDWMV8EfAZZkbBA_6l3YxDcGKMsKABpCNyJbHJCri1iNUJC8pn4Bb_s28moDgr-7C3OhsBBrQNStNONkgJhdoqj1Dd5VQ_qthn0B-HSog5i8_SZzvWBRI5eiqo6J_MmGPtk870ZTYAGcCwbpOsnNHxZa216W_gxptNTpqloGROx5nSUA', 'operation': 'GET https://acme.eu.auth0.com/api/v2/users?q=email%3A%22jane%40acme.com%22', 'response': 'Invoke-RestMethod : {"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: read:users,read:user_idp_tokens","errorCode":"insufficient_scope"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['read:user_idp_tokens when']})

case('L-x15', 'zapier-platform-core raiseForStatus (audit of 2026-11-24, fourth round: not read as a 403)', 'L',
     "Zapier's 'Got 403 calling POST …, expected 2xx.'",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJpY0JVSWQiOjQ2MDAxMjMsImljQ2x1c3RlcklkIjoiQzMyIiwiaXNzIjoiaHR0cHM6Ly9hdXRoLm5pY2UtaW5jb250YWN0LmNvbSIsImF1ZCI6IkNYb25lQGluQ29udGFjdCIsInN1YiI6InVzZXI6MTFlYiIsImV4cCI6MTc5NTUwMzAwMCwiaWF0IjoxNzk1NDk5NDAwLCJ0ZW5hbnRJZCI6IjExZWIifQ.8ig47c8Xnn_JU_3VzhyeTJsrgVWY0H8nKEhK2hqjTi2RljVa5y0tIsO9-GwEZNqSGR3CHr1himlgPw6w0uQeiyilcUcnj8TEe7QJmMpDM57q_4oN3riv-70jaCJ9J3HIk8okistbvrQSpl0eng8HvHcwNiCQoBB4gqsQtiktdIi8iMxiWGSBYt4kAe_PHnXqnjuuAn3glqrLeugwWrvGE8AIU3Dl6NfaEq9jukbhyijCvHXcpONNSURIB8IKiXzRDMsqx_sxGJTBKfKlG2m9vTb0a3WA9AX_NktxzGf9oLgHYpsMsD2Z6G_eosCqHthmMmWGM4ln4wkqA_r1QWM5IQ', 'operation': 'POST https://api-c32.incontact.com/InContactAPI/services/v23.0/agent-sessions/3a7f/dialer-login', 'response': 'Got 403 calling POST https://api-c32.incontact.com/InContactAPI/services/v23.0/agent-sessions/3a7f/dialer-login, expected 2xx.', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'access.denied'})

case('L-x16', 'scenarios.md L-06 (audit of 2026-11-24, fourth round: app permission advice for a delegated token)', 'L',
     "A delegated token with User.ReadWrite.All refused 'Insufficient privileges' on DELETE user: the user's directory role",
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6Imc3TFJZLVI1T3FPN05wQ19pdF92WmpSUDc4a0dsdmoxaFBlU2h5WlhjbzQiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzkzMCwiYWNyIjoiMSIsImFpbyI6InFZMHVjYlZzR1BjQnNkU2h0bUI1TXZRdHZHNnVjSEg5WndTb3lUOE9xbk9MU2tOSFV2ZlBFQSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImZjMGYwZTkyLTg2ZjgtNGZjMy1iMGRlLTczMTY0ZDVmMDk4OCIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjM3NWVmMWNlLTBlYjktNGUzOS04ZDA2LWRmNTdlMjgwODgzNCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgVXNlci5SZWFkV3JpdGUuQWxsIiwic3ViIjoiNkxMTE1LT0JuYjF1S3BFR2steTVoUDAtM2l3bnQ4c3A0enE2NU1qcWFfSSIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZS5kb2VAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInV0aSI6IldzWXh4enNhLTBOZHJxRHFQTnM2T2ciLCJ2ZXIiOiIxLjAifQ.aGq-l331WbSJW7-5V95jtvwGA3iE3CCf9kMnm44BNdxssotYo00CwH2CAeozosslhHeOwT3nZhT8jMD2ujN2p1qpCyS-IwDrAQKOs4cWmPA4UEbIUlRtgg7-A73AUpe8p4K76WtwmwYXDncDf64rq6CMIqXT1dHbS98koXX-mzJB0Kzy--ed5GVDNiVpL0nYcob7wT6KHMLCXOsAG60gU_kiqyRGNsDCxmsuc3VKvSNehMAWjh9RSys8sFGrhzSxRAaXswxJRcNxCaDNnr5xiNVn3bRzcvUd0wsgJX_-GvI6QPEjzI9fhO-7TeRb7woAEwuYPi_VxfglPgDMKr3R9A', 'operation': 'DELETE https://graph.microsoft.com/v1.0/users/4d5e6f70-1111-4222-8333-444455556666', 'response': '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation.","innerError":{"date":"2026-11-24T06:00:00","request-id":"r"}}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing', 'mentions': ['directory role']})

case('H-x12', 'matrix_sources.md §1.6 (audit of 2026-11-24, fourth round: scope.missing for a 401 bad.credentials)', 'H',
     'Genesys 401 bad.credentials with tokens/me lacking a scope: the token was refused first',
     {'input': 'vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s', 'operation': 'GET https://api.mypurecloud.com/api/v2/users/me', 'introspection': {'authorizedScope': ['users:readonly'], 'OAuthClient': {'name': 'App', 'authorizedGrantType': 'CODE'}, 'organization': {'id': 'o1'}}, 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n{"message":"Invalid login credentials.","code":"bad.credentials","status":401}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.rejected', 'codes': ['scope.missing']})

case('N-x11', 'A token response line copied out of JSON (audit of 2026-11-24, fourth round)', 'N',
     '\'  "access_token": "eyJ…",\' pasted: read as the member, the expiry is the cause',
     {'input': '  "access_token": "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkJpREQycXdyQUFEdkNQSUJuUTlDQzBpMnppaXhJY3VRdXI0RjdBQUJoSFkiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDkyODAwLCJuYmYiOjE3OTU0OTI4MDAsImV4cCI6MTc5NTQ5NjQwMCwiYWNyIjoiMSIsImFpbyI6ImhlSzQzSmpTLXprNkd5dUd3b2RzeHBhYzg3OEZlOUIyR1NjZ0JGT2cyeEhtRzVBNUd5TGJQQSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjVjMDJhMjk0LTRjNmYtNDViZS05Njg2LTg0NzI1YmRlYjYyMyIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImZhMDYzMjYwLWYxMDItNGQ1Yy04ZDUyLWY1OWExNWVhNDUzYiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQiLCJzdWIiOiJYMS1lS1VDZ1JRVFpZYWl2R2N6QjhzNEZYdzM4SGJQSDgyeVI5c2ZmSFFRIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiZnJpek10MUFZME0wRHNSNlNESXRpZyIsInZlciI6IjEuMCJ9.Ko26BAbtzfkuZP-_4hOlrEy8YOh5GFiCFt5-2wJMrAigQiuPdeUNW6pQ4nk1K117otMIT1t-LcVZo5TiEc1lHDWrU3b6a5_N59oq66cJmZlRHYsPUgE6BvaS5Rz8Sa_1vLSZQ7gGXDwOuWuV4eGZu9tR-7vOMPRc5bxDVzE6FkvOIVIsxSExUO3GXMcxPDpatbfQBi7j37jOm6-cPVAetuXmyq3XhCyGPDJQgzCaNbTHH5_oMU2HgJvHzJe8kD_iy4fMrO4VTWRiBWvFqnohzULQ-0qxaxRqTGdcA9kxRVhqmDlmI5UNb4JYI3V9-LeZ5XgqMwAPR177eZPA7DGSXw",', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'response': '{"error":{"code":"InvalidAuthenticationToken","message":"Lifetime validation failed, the token is expired."}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.expired', 'absent': ['token.malformed', 'header.malformed']})

case('N-x12', 'A JWT copied with its JSON quotes and comma (audit of 2026-11-24, fourth round)', 'N',
     '\'"eyJ…",\' pasted: read without them, the expiry is the cause',
     {'input': '"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjliOGYwZTJjMWQifQ.eyJyb2xlIjp7ImxlZ2FjeUlkIjoiQWRtaW5pc3RyYXRvciIsImlkIjoiMTFlYjBkMWMtNGFhMy02M2QwLTliMmUtMDI0MmFjMTEwMDAzIn0sImljQlVJZCI6NDYwMDEyMywibmFtZSI6ImphbmUuZG9lQGFjbWUuY29tIiwiaXNCT1VzZXIiOmZhbHNlLCJpY0FnZW50SWQiOiIzMDAxMjM0NSIsImlzcyI6Imh0dHBzOi8vYXV0aC5uaWNlLWluY29udGFjdC5jb20iLCJ0ZW5hbnRJZCI6IjExZWIwYzdlLTFhMmItM2M0ZC04ZTlmLTAyNDJhYzExMDAwMiIsInN1YiI6InVzZXI6MTFlYjBkMWMtNWJiNC03MWUwLTliMmUtMDI0MmFjMTEwMDAzIiwiYXVkIjoiQ1hvbmVAaW5Db250YWN0IiwiaWNTUElkIjoiMjciLCJpY0NsdXN0ZXJJZCI6IkMzMiIsImljU2NvcGUiOiJBZG1pbkFwaSBBZ2VudEFwaSBSZWFsVGltZUFwaSIsImV4cCI6MTc5NTQ5NjQwMCwiaWF0IjoxNzk1NDkyODAwfQ.byVr65o1K2y-JDFCEFFvgzJS2OLOZPhzuYkckPWZmPJQzk9XflqPA6KPLjZTdPWjfsk_cydWd3rWHsoxaxR8qeRU8yHJZYDKhy0fRd_H3gfkG8TzCdntp5GiI0vLAyiHEC9TpJk6CIhpekMe3_X2bU72gJQlV8K9KriXFlBR8B5kxzGWxpj0uiXUdfopiqFQUCO0toZdRy8LPuUm69I_vaHkaqhhNtbZcqyC3gMYLCBcm_GQxt5v-jCLRAiZQUqukAInwQM6DZL0Coq0ydJg_7-vLxioZStP4PZfi5_HXD9yNuuM09CEs3aqgSZSRN8edl6o34KIWoHrGEv8chLwwg",', 'operation': 'GET https://api-c32.incontact.com/inContactAPI/services/v27.0/skills', 'response': '{"error":"invalid_token","error_description":"The access token expired"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.expired', 'absent': ['token.malformed', 'header.malformed'], 'codes': ['input.quoted']})

case('N-x13', "A bare JWT wrapped at 76 columns (audit of 2026-11-24, fourth round: 'The Authorization header is malformed')", 'N',
     'A CXone JWT wrapped over lines, no header, no refusal: not a malformed header',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjliOGYwZTJjMWQifQ.eyJyb2xlIjp7I\nmxlZ2FjeUlkIjoiQWRtaW5pc3RyYXRvciIsImlkIjoiMTFlYjBkMWMtNGFhMy02M2QwLTliMmUtM\nDI0MmFjMTEwMDAzIn0sImljQlVJZCI6NDYwMDEyMywibmFtZSI6ImphbmUuZG9lQGFjbWUuY29tI\niwiaXNCT1VzZXIiOmZhbHNlLCJpY0FnZW50SWQiOiIzMDAxMjM0NSIsImlzcyI6Imh0dHBzOi8vY\nXV0aC5uaWNlLWluY29udGFjdC5jb20iLCJ0ZW5hbnRJZCI6IjExZWIwYzdlLTFhMmItM2M0ZC04Z\nTlmLTAyNDJhYzExMDAwMiIsInN1YiI6InVzZXI6MTFlYjBkMWMtNWJiNC03MWUwLTliMmUtMDI0M\nmFjMTEwMDAzIiwiYXVkIjoiQ1hvbmVAaW5Db250YWN0IiwiaWNTUElkIjoiMjciLCJpY0NsdXN0Z\nXJJZCI6IkMzMiIsImljU2NvcGUiOiJBZG1pbkFwaSBBZ2VudEFwaSBSZWFsVGltZUFwaSIsImV4c\nCI6MTc5NTUwMzAwMCwiaWF0IjoxNzk1NDk5NDAwfQ.Mje_9QdZBqRl8DsU3-n4lSIoDEehfLPGFW\njlXQBixQQRB8eAB-2IVkQRBgWi8Z7uMRhEw2T_wV2dY1FetyrHe4JLCobvHM-WhkeoBdqixKGtPI\nJVqhmIajhTOPV1_rsthTTLNiPcvtZqjg4xywz9igqnuM4vV4OZEBh9nLNx10-krmJSQJrNjqneTl\nnMjLfU7Bn90tM1DCZZL2gwgs_RcUl6oWqeiYvo5pRCLK8cRBOjdwTI73N5EonkASs7QlZ3jxEiNX\nFKGs64rRqS1e96G9__2X_yGMxFk2Eo-iMOnc8rZXfCjMG-q8jcuxUJsMWGIn3XldD_zTy0gDjjvg\nyC5A', 'operation': 'GET https://api-c32.incontact.com/inContactAPI/services/v27.0/agents/30012345', 'now': 1795500000},
     {'verdict': 'unknown', 'absent': ['header.malformed', 'token.malformed'], 'codes': ['input.wrapped']})

case('N-x14', "DevTools 'Copy as fetch' (audit of 2026-11-24, fourth round: '7 segments')", 'N',
     'A fetch() call copied from DevTools with a Graph token lacking Mail.Read*',
     {'input': 'fetch("https://graph.microsoft.com/v1.0/me/messages?$top=10", {\n  "headers": {\n    "accept": "application/json",\n    "accept-language": "en-US,en;q=0.9",\n    "authorization": "Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IlNRVko4RWR5bmRDRzE4bVI2V3BCUlVVWmJucHNEblhwaXVmd2pmcVBrZjAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzkzMCwiYWNyIjoiMSIsImFpbyI6IjN5aVYtSDc4WWY3NExzYUZ2cHJMVW5FTnhJV3RhZW9vSmVyT1V6bmp0a3hyUkVFWHpWUTZBUSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6Ijg5ZmVkMTcyLTFkYjEtNGFjZS1iMDU4LTM4Yzk4MmVmNTM4NCIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjY3ODc3ZGQ5LTkzNGQtNDk0Ni05MzdhLWIxYzIxMjlkNGVmMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQiLCJzdWIiOiI4MDNfVzgxSW10MVdEWXd3T2VrLW1mYnZsNldiUDA3c28waWxEbzVmeE5FIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoic3NnWm81VEpuMndXZWlTR1B6ejkxZyIsInZlciI6IjEuMCJ9.iyr6UJSVfLTrFEeZ-2a4Q5lDBWffq9VjuFUAx2Nlo7n3EwJeTij3y_p7vzhZqvAX4zKAYG3qDzryyOiF9AFdSWIpv8QjdB0n_IAR4Mwd9SgUKYiTx03zvvwTBHVaFxeawN_X-pUBd0Wdh20cyrwqPWxqjy47rO37JhcdeENQqKV91JkzqxQL2E7IFZk9r1nue7wAgBRmlwKYagUMk8OEmrqbHKMUg3XIRKzH9HFiJvRT7-xt5xTVCq-T1tiA9mM1QYvTqGl98fwC9C7wU0wZBH6iVMfXO0jtCl_W4T1paoHWlzR58zntAuA0NjiYk2G-PotwuOD3m3Qmq_XIyvzaQQ",\n    "sec-fetch-mode": "cors"\n  },\n  "referrer": "http://localhost:3000/",\n  "body": null,\n  "method": "GET",\n  "mode": "cors",\n  "credentials": "omit"\n});', 'response': '{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['token.malformed', 'header.malformed']})

case('L-x17', "scenarios.md L-05, Okta E0000006 (audit of 2026-11-24, fourth round: quoted as '(see response)')", 'L',
     "Okta's 403 body followed by ' (403)': its errorSummary is read",
     {'input': 'eyJraWQiOiJIcTh6SzFhWCIsImFsZyI6IlJTMjU2In0.eyJ2ZXIiOjEsImp0aSI6IkFULmliYnFMRXR0Nk9iZk5DVGc1Z2hYVllGV1p4QWdUSGFQNGl6YjRGcHciLCJpc3MiOiJodHRwczovL2Rldi0xMjM0NTY3OC5va3RhLmNvbSIsImF1ZCI6Imh0dHBzOi8vZGV2LTEyMzQ1Njc4Lm9rdGEuY29tIiwiaWF0IjoxNzk1NDk5NDAwLCJleHAiOjE3OTU1MDMwMDAsImNpZCI6IjBvYTFiMmMzZDRFNUY2ZzdIOGk5Iiwic2NwIjpbIm9rdGEuYXBwcy5tYW5hZ2UiLCJva3RhLmFwcHMucmVhZCJdLCJzdWIiOiIwb2ExYjJjM2Q0RTVGNmc3SDhpOSJ9.b9zOioSYHWXFDK8ka6zIKSJT_AfgndZ8TMQLZJKl06Er_gPysu58s3Ww8UoiO0NABteYzlLXdRJIWzmN1YXae8INPjYKyxY10sN2-tcbsIH5CnQ8bLEK_wvdXA3M5weG-DpVC13Y2uEw0Y7UeWqXuCb-N3FD8miyV5HEdkEWYUokth6WNjJy8HP5jqapTtd8bhM3nAnE1gZx4hWj0vVH1wIHhIv_EOnq8Uq7_8g-87bhPUVbDjca-4cdN5w_Bx60hmtIf1ZUv4CdqooV5O0x-7uXwhKEQbSaFNVrUxwrWidiK8NXKwuns54iNt5DcYjeWF2lgDXJ5TGdz2AVgEHzSA', 'operation': 'GET https://dev-12345678.okta.com/api/v1/apps', 'response': '{"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorLink":"E0000006","errorId":"oae3","errorCauses":[]}  (403)', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing', 'mentions': ['You do not have permission']})

case('C-x13', 'Microsoft Graph OData type casts (audit of 2026-11-24, fourth round: the cast matched as an id)', 'C',
     "An app-only token on /users/{id}/memberOf/microsoft.graph.group: the collection's permissions, not /memberOf/{id}'s",
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6IjY5SzFUQ29WdzJjMDhTRER4SXRFNFR5enpodVdUcjBIQXVOX191SFJwWFUiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMjk5OSwiYWlvIjoiZ0NITDlGUVJDQzlOaUV0VmMzUmRnNDRYUXN3UXFOT2FCT2xUVUlYUGFpRW5uVzFzWnFTdEJBIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjIyMjk2Zjc1LWQ3OGMtNGY5ZS1iNDk1LWEwOTk4OTEyODM5NyIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjA0Y2VlZDI3LWEzZGItNDMyNC1hNmNhLThmZDM5NGMwNjgzZiIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiMDRjZWVkMjctYTNkYi00MzI0LWE2Y2EtOGZkMzk0YzA2ODNmIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiOG1udTdMdVIxVGZrR3Z2RHc2bjBHUSIsInZlciI6IjEuMCIsInJvbGVzIjpbIkdyb3VwTWVtYmVyLlJlYWQuQWxsIl19.0pL1VIa9QbHbLFyABDhhdRJKivsNcPMa2Re49BUX5TZfoCFEUhXacYYTOM90uMzhXvwWW8vZgBNnkI8ucxwj1G32tZErATvywdm1Pt1Xu1ZAXfx4t7-oWUlQnLtzcRKp8vjsOiWXouHnpW_jyRGf9xX-WwBfI7AS63CElnckuROhMNsTeHGenivsVSvvfC_ke0DMk7xOBgYDShPCKf0rQd_qdLB3KmqLVj5UagdKb4-fl5bWReRJIO1EAxZDK-EqG8Iigi0DCNyINW9Oo0RWrTKXZR2XrKmFXpDpWnQUHLzo6DnhJxA67c5T_Al4YLbaMAhJkpiiUvDlYlWh2Dvr6Q', 'operation': 'GET https://graph.microsoft.com/v1.0/users/4d5e6f70-1111-4222-8333-444455556666/memberOf/microsoft.graph.group?$select=displayName', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['operation.unknown'], 'mentions': ['Directory.Read.All']})

case('H-x13', 'matrix_sources.md §1.4, Genesys dateTokenIdles (audit of 2026-11-24, fourth round)', 'H',
     'Genesys 401 bad.credentials with tokens/me saying the token idled 30 minutes ago',
     {'input': 'vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s', 'operation': 'GET https://api.mypurecloud.com/api/v2/users/me', 'introspection': {'authorizedScope': ['user-basic-info'], 'dateTokenIdles': '2026-11-24T05:30:00Z', 'OAuthClient': {'name': 'HIPAA app', 'authorizedGrantType': 'CODE'}}, 'response': '{"message":"Invalid login credentials.","code":"bad.credentials","status":401}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.expired', 'mentions': ['idle']})

case('K-x11', "README 'With the API's refusal in hand' (audit of 2026-11-24, fourth round: an inactive introspection outranked a 403)", 'K',
     "A Graph token refused with ErrorAccessDenied, and an introspection answer 'active: false' from a server that does not know it",
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6IldwaGVZMURwQ2tRQks5VEl3Z3ZfUDJGRTJCZm9KRmtHZ3V2cHA0M1ZZRlEiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzkzMCwiYWNyIjoiMSIsImFpbyI6InQtaXJOYVlmMHRPTGRFRTdDS01UbW9xMVlpNGhtLS04bnJiNjFNMkFMVmhYeHFiQlpJNzNzUSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImMyMTFmYWQ2LWMxYTctNDE5NC05MDViLTM4YjJmZWI2MWRkMCIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImM1OTIwNTJhLThkZDQtNDg2MS05OTY4LTljZDVjOTFhMTdlMyIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgTWFpbC5SZWFkIiwic3ViIjoidC1ZUlRFd1ZGOUdCc0RCVDVjRE5wbkg0MktpUk5TWWo3V094Z2RnWk92WSIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZS5kb2VAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInV0aSI6Ilo2d3VxckNpWGRrbTNVZ05uVmZUV0EiLCJ2ZXIiOiIxLjAifQ.8XZscHb1h4kS2mDJuShpoDFeXfH3oeCQDClxEpEfVwJC6VVR4Qd39zyXUwvsYyeX7sEuJznSZxqmaNnt3V3PbR7iGXKHaWcYUbXTiyNvbf9R71gAZcBxr0gc0HCCU8jPdMmgeV-mwyYqvhJlzatsPI-U401qa4lTDdJjy1Jl3iE1ogMY5H9seixGTWPjCgNbOHCfsfd5Y54O8N0SN9r7B1GP5qEwO7GCixACyg9fqLLCAqJMjmBQ3k0eB5SytUV-jlRURGUdhae6cMmHmxFidvGYfPhp7y1I7rND6pAZmvw3t2lbtul3CJ0fQabmanfkFSILjaDRkmnb-oeRkt2ytw', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'introspection': {'active': False}, 'response': '{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'access.denied', 'codes': ['introspection.inactive']})

case('I-x12', 'AzureAD/microsoft-authentication-library-for-js#389 (audit of 2026-11-24, fourth round: code and refresh-token fixes for OBO)', 'I',
     'On-behalf-of refused with AADSTS50013 (assertion audience): the assertion, not a code or refresh token',
     {'input': 'curl -X POST https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token -d client_id=c7d8e9f0-2222-4333-8444-555566667777 -d client_secret=s3cr3t -d grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer -d requested_token_use=on_behalf_of -d scope=https://graph.microsoft.com/User.Read -d assertion=eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiJhcGk6Ly9iMWMyZDNlNC0xMTExLTQyMjItODMzMy00NDQ0NTU1NTY2NjYiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3OTU0OTk0MDAsIm5iZiI6MTc5NTQ5OTQwMCwiZXhwIjoxNzk1NTAyOTk5LCJhaW8iOiJmeUxhMUpmalNuVXVjQmY2N1ZtWnhfZWcwUjlYbjZhUGdNSjRQR1d3d1RTZVJvNW1Yb3U2ckEiLCJhenAiOiIzNzQ4ODgxZi1mNTA3LTQ3NmYtYTMzZS03MWE4M2E4MWVmOTkiLCJhenBhY3IiOiIwIiwib2lkIjoiMWZlMzNkOWMtMTU2Ny00YzA2LTkxYTAtNTE4ZGNiYWI2MTEwIiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzdWIiOiIzLTFodm1QTEIxcUFDcXNUU19vYUVzajFxR0lXVVZoUW1Sd3JEQmxmTUVFIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiZmxhZjVhZU5FeU1ITFJBRWh5X3M4USIsInZlciI6IjIuMCIsIm5hbWUiOiJKYW5lIERvZSIsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwic2NwIjoiYWNjZXNzX2FzX3VzZXIifQ.OtYyVLzba3eS2IPwunL5-7JMFeuAOCzGh-RWVoU_itkaEjrgvK8ab14l2SYueo1rj-8NKz2i035ilKSSdpkGnrhIeFX-QcWfsrpO6hCUdkegKLQ_zuzJBQUpDG9pNU8zrnjG7PGmcZr_bPMIKl7yD3EqdMi7KKJOIHcBFYZ4Vlt489GYvD_FyVYs-XkadwKs0cMWFI1WOHT_yggGj5EAw2lPQ6Sgqfuq6MZxOryRh3QSol5Mocxnkx-_qWVle3IKOdifZ3h-XCV0mxtbj5L9naCH6Q7TQHOZ3In_XZpOLnieUPQTOQs2vvGXulBmhj-p2Z1LTpj073-GuGcaSFzfXw', 'response': '{"error":"invalid_grant","error_description":"AADSTS50013: Assertion audience does not match the Client app audience. Trace ID: 1","error_codes":[50013]}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'grant.invalid', 'mentions': ['assertion', 'middle-tier']})


case('N-x15', 'PowerShell session whose header holds `$token` (audit of 2026-11-24, fifth round: read as a malformed 17-segment token)', 'N',
     'A PowerShell session: $headers with "Bearer $token", Invoke-RestMethod to Genesys, authentication.required',
     {'input': 'PS C:\\> $headers = @{ Authorization = "Bearer $token" }\nPS C:\\> Invoke-RestMethod -Uri https://api.mypurecloud.com.au/api/v2/users/me -Headers $headers\nInvoke-RestMethod : {"message":"No authentication bearer token specified in authorization header.","code":"authentication.required","status":401,"contextId":"1b2c","details":[],"errors":[]}\nAt line:1 char:1\n+ Invoke-RestMethod -Uri https://api.mypurecloud.com.au/api/v2/users/me ...\n    + CategoryInfo          : InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [Invoke-RestMethod], WebException\n    + FullyQualifiedErrorId : WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeRestMethodCommand', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'input.no_token', 'codes': ['input.session'], 'absent': ['token.malformed', 'header.malformed', 'token.opaque'], 'mentions': ['$token', 'variable']})

case('L-x18', "PowerShell's error repeating the command with the token (audit of 2026-11-24, fifth round: 'the pasted header is Invoke-RestMethod')", 'L',
     "Invoke-RestMethod's Authorization_RequestDenied with the command echoed after '+', a delegated User.Read token, GET /v1.0/groups",
     {'input': 'Invoke-RestMethod : {"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}\nAt line:1 char:1\n+ Invoke-RestMethod -Method Get -Uri \'https://graph.microsoft.com/v1.0/groups\' -Headers @{Authorization="Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IlNRVko4RWR5bmRDRzE4bVI2V3BCUlVVWmJucHNEblhwaXVmd2pmcVBrZjAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzkzMCwiYWNyIjoiMSIsImFpbyI6IjN5aVYtSDc4WWY3NExzYUZ2cHJMVW5FTnhJV3RhZW9vSmVyT1V6bmp0a3hyUkVFWHpWUTZBUSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6Ijg5ZmVkMTcyLTFkYjEtNGFjZS1iMDU4LTM4Yzk4MmVmNTM4NCIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjY3ODc3ZGQ5LTkzNGQtNDk0Ni05MzdhLWIxYzIxMjlkNGVmMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQiLCJzdWIiOiI4MDNfVzgxSW10MVdEWXd3T2VrLW1mYnZsNldiUDA3c28waWxEbzVmeE5FIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoic3NnWm81VEpuMndXZWlTR1B6ejkxZyIsInZlciI6IjEuMCJ9.iyr6UJSVfLTrFEeZ-2a4Q5lDBWffq9VjuFUAx2Nlo7n3EwJeTij3y_p7vzhZqvAX4zKAYG3qDzryyOiF9AFdSWIpv8QjdB0n_IAR4Mwd9SgUKYiTx03zvvwTBHVaFxeawN_X-pUBd0Wdh20cyrwqPWxqjy47rO37JhcdeENQqKV91JkzqxQL2E7IFZk9r1nue7wAgBRmlwKYagUMk8OEmrqbHKMUg3XIRKzH9HFiJvRT7-xt5xTVCq-T1tiA9mM1QYvTqGl98fwC9C7wU0wZBH6iVMfXO0jtCl_W4T1paoHWlzR58zntAuA0NjiYk2G-PotwuOD3m3Qmq_XIyvzaQQ"}\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n    + CategoryInfo          : InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [Invoke-RestMethod], WebException', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.session'], 'mentions': ['Group.ReadBasic.All']})

case('L-x19', 'Terminal session with two curl commands (audit of 2026-11-24, fifth round: merged into DELETE /users/me)', 'L',
     'GET /users/me worked, then DELETE /routing/queues/{id} answered missing.permissions',
     {'input': '$ curl -s https://api.mypurecloud.ie/api/v2/users/me -H "Authorization: Bearer vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s" | jq .name\n"Jane Agent"\n$ curl -s -X DELETE https://api.mypurecloud.ie/api/v2/routing/queues/8d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b -H "Authorization: Bearer vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s"\n{"message":"Unable to perform the requested action. You are missing the following permission(s): [routing:queue:delete]","code":"missing.permissions","status":403,"details":[],"errors":[]}\n$', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing', 'codes': ['input.session'], 'absent': ['input.several_authorization'], 'mentions': ['routing:queue:delete']})

case('L-x23', "One line of prose quoting the API's answer, no token (session 10: the README's known limit 'prose that names a failure without a token is no token found')", 'L',
     'A forum-style line: 403 on POST /conversations/calls with Genesys missing.permissions in it',
     {'input': 'I get 403 Forbidden when calling POST /api/v2/conversations/calls: {"message":"Unable to perform the requested action. You are missing the following permission(s): [conversation:call:add]","code":"missing.permissions","status":403}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing', 'absent': ['input.no_token'], 'mentions': ['conversation:call:add']})

case('H-x15', "A .NET IDX10223 message pasted alone, on one line (session 10: was 'a \"IDX10223:\" header, not an Authorization header')", 'H',
     "IDX10223: Lifetime validation failed. The token is expired. (fuzz/seeds/response_parse/H-06-idx10223.txt)",
     {'input': "IDX10223: Lifetime validation failed. The token is expired. ValidTo: '05/19/2016 10:45:59' Current time: '05/19/2016 21:46:31'.", 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.expired', 'absent': ['input.no_token']})

case('L-x22', "Terminal session whose refused call is not the last, with the operation given (session 10: the README's known limit 'the call diagnosed is still the session's last')", 'L',
     'DELETE /routing/queues/{id} answered missing.permissions, then GET /users/me worked; the operation given is the DELETE',
     {'input': '$ curl -s -X DELETE https://api.mypurecloud.ie/api/v2/routing/queues/8d1f2a3b-4c5d-4e6f-8a9b-0c1d2e3f4a5b -H "Authorization: Bearer vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s"\n{"message":"Unable to perform the requested action. You are missing the following permission(s): [routing:queue:delete]","code":"missing.permissions","status":403,"details":[],"errors":[]}\n$ curl -s -i https://api.mypurecloud.ie/api/v2/users/me -H "Authorization: Bearer vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s"\nHTTP/2 200\ncontent-type: application/json\n\n{"id":"5c2f1d0e-8a9b-4c3d-9e8f-7a6b5c4d3e2f","name":"Jane Agent"}\n$',
      'operation': 'DELETE https://api.mypurecloud.ie/api/v2/routing/queues/{queueId}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing', 'codes': ['input.session'], 'absent': ['response.success'], 'mentions': ['routing:queue:delete']})

case('G-x14', "Terminal session: token from login.mypurecloud.com, call to api.mypurecloud.ie (audit of 2026-11-24, fifth round: only 'this is the token request')", 'G',
     'A client-credentials token request to us-east-1, then the API call to eu-west-1 answered bad.credentials',
     {'input': '$ curl -s -X POST https://login.mypurecloud.com/oauth/token -u "$CID:$SECRET" -d grant_type=client_credentials\n{"access_token":"Zq8-Lk3VbN1mXc7RtY5uHw2sJe9Pa4Gd6Fo0Ki-Qy3Tn8Mv1Bz5Wx","token_type":"bearer","expires_in":86399}\n$ curl -s https://api.mypurecloud.ie/api/v2/routing/queues -H "Authorization: Bearer Zq8-Lk3VbN1mXc7RtY5uHw2sJe9Pa4Gd6Fo0Ki-Qy3Tn8Mv1Bz5Wx"\n{"message":"Invalid login credentials.","code":"bad.credentials","status":401,"details":[],"errors":[]}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'codes': ['input.session'], 'mentions': ['us_east_1', 'eu_west_1']})

case('F-x15', 'HTTPie session with its printed answer (audit of 2026-11-24, fifth round: read as a malformed token)', 'F',
     "http GET graph.microsoft.com/v1.0/me 'Authorization:Bearer <token for api://…>', 401 Invalid audience",
     {'input': '$ http GET https://graph.microsoft.com/v1.0/me "Authorization:Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiJhcGk6Ly9iMWMyZDNlNC0xMTExLTQyMjItODMzMy00NDQ0NTU1NTY2NjYiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3OTU0OTk0MDAsIm5iZiI6MTc5NTQ5OTQwMCwiZXhwIjoxNzk1NTAyOTk5LCJhaW8iOiJ3WXRpV1Vxcmt4Q1JVWVcxeE1SMkxkMHZLM2wzTU9KUzl5UUF5MFZUcFFqZHJObGZIYTZkVVEiLCJhenAiOiI1YjM0ZTZiMy1lNTVjLTQ0NzMtYTRhMy1kODgwMWQ5NDdhOTEiLCJhenBhY3IiOiIwIiwib2lkIjoiMTFiMGZjZTItOTYyNy00Nzk5LWJmYzgtNDE3MGQwZjJjMDBiIiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzdWIiOiJIaTJfejNhd2xsZjUxYkJrbXBYWmZObWl5SWQ4ZWRyb2l5VENtQWg4WTdrIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiVkdvSkJPdU8zQU00SHF2NjF3V2IwQSIsInZlciI6IjIuMCIsIm5hbWUiOiJKYW5lIERvZSIsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwic2NwIjoiYWNjZXNzX2FzX3VzZXIifQ.-2YHf8WjZU7yVuDA3NCbXIW3nsUS1EV3rUcyOIAP_bcsPmbGyFRQjKtB5PkriROSL4hfAATpnPx_BaUxlF2bpDutc23pUrRwzSC_WmpREpLXV51IVcvyD0E0Iyx4bCKylAuMWoaljTGOsMY4YkFOQT58FPktCLC8uwHzSA44uuK4qHtuw4SofvGZrpFMzTA0T1Of9T0jrjHpkxj7vuNpbqlZ3xpSLKxgXfvJuniU3ugqckw-QFvu6NvLmW046NCBcUFDOHUe5zRRWzc6SmIYigvs-tUIX5tU5Zjy8uRtnH1fz67obsAvBgxfbmzHt4yqAzZobBJ6IevEHIr8LCDmEA"\nHTTP/1.1 401 Unauthorized\nContent-Type: application/json\nWWW-Authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"\n\n{\n    "error": {\n        "code": "InvalidAuthenticationToken",\n        "message": "Access token validation failure. Invalid audience."\n    }\n}\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'codes': ['input.session'], 'absent': ['token.malformed', 'header.malformed']})

case('G-x15', "NICE CXone token of cluster C32 sent to api-c47 (audit of 2026-11-24, fifth round: 'nothing in the token explains it')", 'G',
     'A CXone JWT with icClusterId C32, a bare 401 from api-c47.nice-incontact.com',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjliOGYwZTJjMWQifQ.eyJyb2xlIjp7ImxlZ2FjeUlkIjoiQWRtaW5pc3RyYXRvciIsImlkIjoiMTFlYjBkMWMtNGFhMy02M2QwLTliMmUtMDI0MmFjMTEwMDAzIn0sImljQlVJZCI6NDYwMDEyMywibmFtZSI6ImphbmUuZG9lQGFjbWUuY29tIiwiaXNCT1VzZXIiOmZhbHNlLCJpY0FnZW50SWQiOiIzMDAxMjM0NSIsImlzcyI6Imh0dHBzOi8vYXV0aC5uaWNlLWluY29udGFjdC5jb20iLCJ0ZW5hbnRJZCI6IjExZWIwYzdlLTFhMmItM2M0ZC04ZTlmLTAyNDJhYzExMDAwMiIsInN1YiI6InVzZXI6MTFlYjBkMWMtNWJiNC03MWUwLTliMmUtMDI0MmFjMTEwMDAzIiwiYXVkIjoiQ1hvbmVAaW5Db250YWN0IiwiaWNTUElkIjoiMjciLCJpY0NsdXN0ZXJJZCI6IkMzMiIsImljU2NvcGUiOiJBZG1pbkFwaSBBZ2VudEFwaSBSZWFsVGltZUFwaSIsImV4cCI6MTc5NTUwMzAwMCwiaWF0IjoxNzk1NDk5NDAwfQ.Mje_9QdZBqRl8DsU3-n4lSIoDEehfLPGFWjlXQBixQQRB8eAB-2IVkQRBgWi8Z7uMRhEw2T_wV2dY1FetyrHe4JLCobvHM-WhkeoBdqixKGtPIJVqhmIajhTOPV1_rsthTTLNiPcvtZqjg4xywz9igqnuM4vV4OZEBh9nLNx10-krmJSQJrNjqneTlnMjLfU7Bn90tM1DCZZL2gwgs_RcUl6oWqeiYvo5pRCLK8cRBOjdwTI73N5EonkASs7QlZ3jxEiNXFKGs64rRqS1e96G9__2X_yGMxFk2Eo-iMOnc8rZXfCjMG-q8jcuxUJsMWGIn3XldD_zTy0gDjjvgyC5A', 'operation': 'POST https://api-c47.nice-incontact.com/inContactAPI/services/v23.0/agent-sessions/join', 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['C32', 'C47', 'api-c32.nice-incontact.com']})

case('G-x16', 'CXone legacy token response naming resource_server_base_uri of another cluster (audit of 2026-11-24, fifth round)', 'G',
     'resource_server_base_uri https://api-c32.incontact.com/inContactAPI/, the call to api-c47.incontact.com, 401',
     {'input': '{"access_token":"2Vq8LkX1mN7bRt3Yc5Hw9Pz0Ja4Gd6FsE8uKo2Qi","token_type":"bearer","expires_in":3600,"refresh_token":"fQ7xv0aQ2eN9cK3mL8pR1tY6uW4zB5dH","scope":"RealTimeApi AdminApi AgentApi","resource_server_base_uri":"https://api-c32.incontact.com/inContactAPI/","refresh_token_server_uri":"https://api-c32.incontact.com/InContactAuthorizationServer/Token","agent_id":30012345,"team_id":120034,"bus_no":4600123}', 'operation': 'GET https://api-c47.incontact.com/inContactAPI/services/v27.0/agents', 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['resource_server_base_uri']})

case('E-x12', "IDX14100 'there are no dots' while the token shown is a JWT (audit of 2026-11-24, fifth round: audience and issuer advice)", 'E',
     'A valid Graph token with Mail.Read on GET /me/messages; 401 IDX14100: JWT is not well formed, there are no dots',
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6IldwaGVZMURwQ2tRQks5VEl3Z3ZfUDJGRTJCZm9KRmtHZ3V2cHA0M1ZZRlEiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzkzMCwiYWNyIjoiMSIsImFpbyI6InQtaXJOYVlmMHRPTGRFRTdDS01UbW9xMVlpNGhtLS04bnJiNjFNMkFMVmhYeHFiQlpJNzNzUSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImMyMTFmYWQ2LWMxYTctNDE5NC05MDViLTM4YjJmZWI2MWRkMCIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImM1OTIwNTJhLThkZDQtNDg2MS05OTY4LTljZDVjOTFhMTdlMyIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgTWFpbC5SZWFkIiwic3ViIjoidC1ZUlRFd1ZGOUdCc0RCVDVjRE5wbkg0MktpUk5TWWo3V094Z2RnWk92WSIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZS5kb2VAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInV0aSI6Ilo2d3VxckNpWGRrbTNVZ05uVmZUV0EiLCJ2ZXIiOiIxLjAifQ.8XZscHb1h4kS2mDJuShpoDFeXfH3oeCQDClxEpEfVwJC6VVR4Qd39zyXUwvsYyeX7sEuJznSZxqmaNnt3V3PbR7iGXKHaWcYUbXTiyNvbf9R71gAZcBxr0gc0HCCU8jPdMmgeV-mwyYqvhJlzatsPI-U401qa4lTDdJjy1Jl3iE1ogMY5H9seixGTWPjCgNbOHCfsfd5Y54O8N0SN9r7B1GP5qEwO7GCixACyg9fqLLCAqJMjmBQ3k0eB5SytUV-jlRURGUdhae6cMmHmxFidvGYfPhp7y1I7rND6pAZmvw3t2lbtul3CJ0fQabmanfkFSILjaDRkmnb-oeRkt2ytw', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n{"error":{"code":"InvalidAuthenticationToken","message":"IDX14100: JWT is not well formed, there are no dots (.).\\nThe token needs to be in JWS or JWE Compact Serialization Format."}}', 'now': 1795500000},
     {'verdict': 'allowed', 'first': 'token.stale', 'mentions': ['one without a single dot']})

case('O-x14', "Two answers pasted one after the other: 403 then 401 with 'The signature key was not found' (audit of 2026-11-24, fifth round)", 'O',
     "The 403 quoted with the 401's status; now the last answer is read and the earlier one noted",
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiJiMWMyZDNlNC0xMTExLTQyMjItODMzMy00NDQ0NTU1NTY2NjYiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3OTU0OTk0MDAsIm5iZiI6MTc5NTQ5OTQwMCwiZXhwIjoxNzk1NTAyOTk5LCJhaW8iOiJmQkxhZEJUQXRKU3ZhQW1NdlhjVm1TbUJGdVkwbWJRcXFGM1lFeU96Tjd5RXNNVEsySUtSb3ciLCJhenAiOiIwZGQwYmNmNC1hNDMyLTQ1Y2YtOTRkOS02OTI4NDZiYTNiYzMiLCJhenBhY3IiOiIwIiwib2lkIjoiMjk1NTU4Y2QtODlkOC00M2E4LWE5YWEtMmNhNjc4ZDUyZjIwIiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzdWIiOiJFZC1JMnRITWQ0VEtZa3Z6ajlQSmczeGxsOUJ3eXpiRFk1T2hQS056VWp3IiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoibHVBWVdqaE1qN09Pa1RRNjJ5YTBLdyIsInZlciI6IjIuMCIsIm5hbWUiOiJKYW5lIERvZSIsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwic2NwIjoiYWNjZXNzX2FzX3VzZXIiLCJyb2xlcyI6WyJPcmRlcnMuUmVhZGVyIl19.XQdMJLLUpiZI-Mu1rChJ1qBnxdyy1yix1e3Hf4STXGubfu02p5LIBkhoktsdId7YhALQWKWD_7gkxwk22Y-Golu6htLTSqdoG1BAtw7x-vIXk2l6-oMnD8-xaPn2JZtVScgUFk7HrfthW6cSmzCf70QMGdiOMPcp9Su8et5HYlbLGp6M6ToaNuy8-InvksZXxhh1e1XDrgNmIYBKIitPvBRjfs9qlB8Z8qOka2vobOIhbAElfSknP5BBJFHdxAukruAIYCeXvnla_8FfneMKZAqFXO0krNS8jMDEirFuPXKYVWNLFgPrpBK1IM2KUiOm2EB7o7LNt4i0NPZEJrnGHA', 'operation': 'GET https://orders.acme.com/api/orders', 'response': 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\nHTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error="invalid_token", error_description="The signature key was not found"\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'signature.key_not_found', 'codes': ['response.several']})


case('I-x13', 'Token Doctor audit of 2026-11-24, fifth round (T02)', 'I',
     'AADSTS700082 refresh token expired due to inactivity (90 days)',
     {'input': "curl -X POST 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -d 'client_id=3f1c9d2e-7a4b-4c8e-9f10-2b3c4d5e6f70&grant_type=refresh_token&refresh_token=0.AXEAv4j5cvGGNqVwYS81VP7Hb1DX8pPd5khxE3pyIgKpaUnArl63XykWZeiNNCiia3anXn9k&scope=offline_access%20Mail.Read'", 'response': 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store, no-cache\r\n\r\n{"error": "invalid_grant", "error_description": "AADSTS700082: The refresh token has expired due to inactivity. The token was issued on 2026-08-20T10:12:03.0000000Z and was inactive for 90.00:00:00. Trace ID: 63da5164-c7f5-45ed-9815-b8232c4cc8a0 Correlation ID: 8d0a4c49-28c4-476b-ab73-271adabc3a6b Timestamp: 2026-11-24 05:59:41Z", "error_codes": [700082], "timestamp": "2026-11-24 05:59:41Z", "trace_id": "872e700b-6aeb-449e-a9a0-cc558a1e7b35", "correlation_id": "2fadcc29-c3ce-4bc2-a3c3-43659bec6b5a", "error_uri": "https://login.microsoftonline.com/error?code=700082"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'grant.invalid', 'absent': ['token.expired'], 'mentions': ['sign in again']})

case('I-x14', 'Token Doctor audit of 2026-11-24, fifth round (T06)', 'I',
     'AADSTS50076 ROPC hits MFA (Conditional Access)',
     {'input': "curl -X POST 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -d 'client_id=3f1c9d2e-7a4b-4c8e-9f10-2b3c4d5e6f70&grant_type=password&username=jane.doe%40contoso.com&password=Secr3t%21&scope=User.Read'", 'response': 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store, no-cache\r\n\r\n{"error": "invalid_grant", "error_description": "AADSTS50076: Due to a configuration change made by your administrator, or because you moved to a new location, you must use multi-factor authentication to access \'00000003-0000-0000-c000-000000000000\'. Trace ID: dc7c670e-ee46-457b-a9d2-8e2d0e08a830 Correlation ID: 48140f6f-7b12-412b-8f3a-cf629230e050 Timestamp: 2026-11-24 05:59:41Z", "error_codes": [50076], "timestamp": "2026-11-24 05:59:41Z", "trace_id": "284dbd8b-53f9-4ad5-9814-112b3c05a8ea", "correlation_id": "925b4d39-d0c3-4e40-b455-34f64b2a2d76", "error_uri": "https://login.microsoftonline.com/error?code=50076"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'grant.invalid', 'mentions': ['multi-factor']})

case('F-x16', 'Token Doctor audit of 2026-11-24, fifth round (T05)', 'F',
     'AADSTS500011 resource principal not found in tenant (wrong App ID URI or API not consented in the tenant)',
     {'input': "curl -X POST 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -d 'client_id=3f1c9d2e-7a4b-4c8e-9f10-2b3c4d5e6f70&client_secret=Qx98Q~aBcD&grant_type=client_credentials&scope=api%3A%2F%2Forders-api%2F.default'", 'response': 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store, no-cache\r\n\r\n{"error": "invalid_resource", "error_description": "AADSTS500011: The resource principal named api://orders-api was not found in the tenant named Contoso. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant. Trace ID: b54b86b6-7268-4eea-b003-c25864b30302 Correlation ID: f7d73437-ca49-4c32-83ef-6075f8e6dc1e Timestamp: 2026-11-24 05:59:41Z", "error_codes": [500011], "timestamp": "2026-11-24 05:59:41Z", "trace_id": "e03e0692-057b-4097-8250-3522e682da33", "correlation_id": "dfc6494a-6cd0-4975-b3a7-b4393dac761b", "error_uri": "https://login.microsoftonline.com/error?code=500011"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'resource.unknown', 'mentions': ['App ID URI']})

case('F-x17', 'Token Doctor audit of 2026-11-24, fifth round (T21)', 'F',
     "Auth0 audience that no API has: 'Service not enabled within domain'",
     {'input': 'curl --request POST --url https://acme.eu.auth0.com/oauth/token --header \'content-type: application/json\' --data \'{"client_id": "kcmTbKoQfNz6TxRtlDxseUTDkXplRn8c", "client_secret": "PMBUraDdCXRAkccJ11HKw8gTep5ZFf7EdRpPdFzYddq1ACtOd4c8mlSGOzmIof7u", "audience": "https://api.acme.com/", "grant_type": "client_credentials"}\'', 'response': 'HTTP/1.1 403 Forbidden\r\nContent-Type: application/json\r\n\r\n{"error": "access_denied", "error_description": "Service not enabled within domain: https://api.acme.com/"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'resource.unknown', 'absent': ['access.denied', 'client.authentication_failed']})

case('Q-x07', 'Token Doctor audit of 2026-11-24, fifth round (T07)', 'Q',
     'AADSTS9002327 SPA-registered redirect URI redeemed from a server (Postman/backend)',
     {'input': "curl -X POST 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -d 'client_id=3f1c9d2e-7a4b-4c8e-9f10-2b3c4d5e6f70&grant_type=authorization_code&code=0.AXEAvPlL2aEJXquQrDs0GPRZwwrPwV81Aw71l33SCx9vHjHkm1x72EsSfUQUAkNX7LHQ7AtNJX3OrUbmkLCN&redirect_uri=http%3A%2F%2Flocalhost%3A5173&code_verifier=PloWRlOTcEokd5ihu9lEmJcADwyQNeLnpT5xawz8r2A'", 'response': 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store, no-cache\r\n\r\n{"error": "invalid_request", "error_description": "AADSTS9002327: Tokens issued for the \'Single-Page Application\' client-type may only be redeemed via cross-origin requests. Trace ID: df701a2e-21c5-43d2-b16e-487b5e17a516 Correlation ID: a9897b3f-b5cc-403f-addc-415442bcf9d9 Timestamp: 2026-11-24 05:59:41Z", "error_codes": [9002327], "timestamp": "2026-11-24 05:59:41Z", "trace_id": "af6f77bc-0774-4e5b-85e1-35ecbe93b82b", "correlation_id": "116952d8-c839-4483-b320-c1d504979c5b", "error_uri": "https://login.microsoftonline.com/error?code=9002327"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'client.type_mismatch', 'mentions': ['Single-page application']})

case('Q-x08', 'Token Doctor audit of 2026-11-24, fifth round (T04)', 'Q',
     "AADSTS7000218: device code / ROPC without secret on an app without 'Allow public client flows'",
     {'input': "curl -X POST 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -d 'client_id=3f1c9d2e-7a4b-4c8e-9f10-2b3c4d5e6f70&grant_type=urn:ietf:params:oauth:grant-type:device_code&device_code=ZfOjUStEkUdfMI7zcpVMw0qDPAjd6OcZFv1niUK8iO5YAgkBxjd2AsjD7N2kHD9FSUuErsEz5jhy0I9lO7F3vlfFrGYJ3GxeYYXwSLQcWtxJTQr1FqXSTs98'", 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store, no-cache\r\n\r\n{"error": "invalid_client", "error_description": "AADSTS7000218: The request body must contain the following parameter: \'client_assertion\' or \'client_secret\'. Trace ID: 86e77ca5-5f24-432e-96ab-f97a9f8ed282 Correlation ID: 5928fac7-8b5c-4b33-8786-9b61f3d13802 Timestamp: 2026-11-24 05:59:41Z", "error_codes": [7000218], "timestamp": "2026-11-24 05:59:41Z", "trace_id": "e0b2d222-53a5-44aa-ae6b-76446fa0d338", "correlation_id": "d32c1e55-8eb5-44ea-800f-5a28a16c221c", "error_uri": "https://login.microsoftonline.com/error?code=7000218"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'client.type_mismatch', 'mentions': ['Allow public client flows']})

case('Q-x09', 'Token Doctor audit of 2026-11-24, fifth round (T10)', 'Q',
     'AADSTS700024 client assertion (certificate JWT) outside its valid time range',
     {'input': "curl -X POST 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -d 'client_id=3f1c9d2e-7a4b-4c8e-9f10-2b3c4d5e6f70&grant_type=client_credentials&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJSUzI1NiJ9.e30.c2ln'", 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json; charset=utf-8\r\nCache-Control: no-store, no-cache\r\n\r\n{"error": "invalid_client", "error_description": "AADSTS700024: Client assertion is not within its valid time range. Current time: 2026-11-24T05:59:41.0000000Z, assertion valid from 2026-11-24T04:48:00.0000000Z, expiry time of assertion 2026-11-24T04:58:00.0000000Z. Trace ID: 52bb4be0-be1e-4890-81a0-5b28287cc228 Correlation ID: bcfa1ee2-a6c3-438a-9dba-0a20bf9bc9c3 Timestamp: 2026-11-24 05:59:41Z", "error_codes": [700024], "timestamp": "2026-11-24 05:59:41Z", "trace_id": "18506eb6-5c4f-4b65-b233-f874c1c16782", "correlation_id": "5c410520-7beb-4df6-bcef-0b536ac5b9af", "error_uri": "https://login.microsoftonline.com/error?code=700024"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'client.authentication_failed', 'mentions': ['client assertion']})

case('Q-x10', 'Token Doctor audit of 2026-11-24, fifth round (T20)', 'Q',
     'Keycloak unsupported_grant_type (grant_type misspelled / sent as JSON body)',
     {'input': 'curl -X POST https://sso.contoso.com/realms/shop/protocol/openid-connect/token -H \'Content-Type: application/json\' -d \'{"grant_type":"client_credentials","client_id":"orders-batch","client_secret":"s3cr3t"}\'', 'response': 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{"error": "unsupported_grant_type", "error_description": "Unsupported grant_type"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'grant.unsupported', 'mentions': ['form fields']})

case('D-x11', 'Token Doctor audit of 2026-11-24, fifth round (T12)', 'D',
     'Okta custom AS with no default scope, client credentials without scope',
     {'input': "curl -X POST 'https://acme.okta.com/oauth2/default/v1/token' \\\n  -H 'Content-Type: application/x-www-form-urlencoded' \\\n  -d 'grant_type=client_credentials&client_id=0oaor0fYeQ8bvUBezSFd&client_secret=h1hoNP08hT5isT6CjlNlAZkeNncJgQyVerdKKhVz'", 'response': 'HTTP/1.1 400 Bad Request\r\nContent-Type: application/json\r\n\r\n{"error": "invalid_scope", "error_description": "The authorization server resource does not have any configured default scopes, \'scope\' must be provided."}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.not_granted', 'mentions': ['default scope']})

case('C-x14', 'Token Doctor audit of 2026-11-24, fifth round (E01)', 'C',
     "Entra v1 app-only token for own API with roles; API's [RequiredScope] (Microsoft.Identity.Web VerifyUserHasAnyAcceptedScope) answers 403 'The scope or scopes declared in the token are not the expected one(s)'",
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJhcGk6Ly82ZTNiMmYwYS04YzRkLTRmMWUtOWE3Yi0yYzVkOGU5ZjBhMWIiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMjY5OSwiYWlvIjoiNUFrRTc3N0Qtc3Vvd1B4NXNZNkhxdkZJZ2xXZWhYQjVMMnpBQ0lIX2szal9ORkhIYlhYVVBnIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjFlN2YyMDhhLWExNzgtNDBiYi05OTY4LTY0MjJlZmIyMDVmMiIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjU3NDA5OTI1LTQ5MWMtNGI0Ny05ODU3LTZlYTIxODQ1ZTUxOSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNTc0MDk5MjUtNDkxYy00YjQ3LTk4NTctNmVhMjE4NDVlNTE5IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiWXU1eHJZdE9mZHVfSDV5TWJNR1puQSIsInZlciI6IjEuMCIsInJvbGVzIjpbIk9yZGVycy5SZWFkV3JpdGUuQWxsIl19.Pzlklh45BaAeuKDKoic_v07dOOxNxgOD8lmaK3sUUo15rwGydBSaKDAZwm-lFhtcLNr1akpliycrVhazGnmA7rdG-7urPA8lgaMKbI9bZzqxVk8h-0AG4YqIjUkJ-n3-OOb5Pc786_D6lOCDYs_gOB-BrJtBDmNyae0OEaOQw2-7Qc6zxFTuaxJ1TyRrz1khfpGqNF0AdcSzo83MueWTSCy0SEuQhPRlFR4ebfNwZk4Dyq_uHp-DiMLHdED1Sc-fTBH1xpP46j_17jA_p1ht36d9WZD10S2-KM7FNdQhKKXjkvg2yHBBHGhR8hhEiOES8FgOszuJwfoNcrlMgWtpZg', 'operation': 'POST https://orders-api.contoso.com/api/orders', 'response': 'HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer error="insufficient_scope", error_description="The user or application was not granted the required scope."\r\nContent-Type: text/plain\r\n\r\nIDW10203: The \'scope\' or \'scp\' claim does not contain scopes \'Orders.Write\' or was not found. ', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['RequiredScopeOrAppPermission']})

case('F-x18', 'Token Doctor audit of 2026-11-24, fifth round (P05)', 'F',
     'previous: Auth0 working token with scope read:orders write:orders; failing token from the SPA with only openid profile (audience param omitted: aud userinfo only)',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IktPUkdzNjhKSk5vcWVKcHExV3NIaVoifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDY1NDNhMWIyYzMiLCJhdWQiOlsiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS91c2VyaW5mbyJdLCJpYXQiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwNzIwMCwiYXpwIjoicDN4RFZ5bGlUYlB2ZktRY2YzaEdNRHB5NERFOXVnWUgiLCJzY29wZSI6Im9wZW5pZCBwcm9maWxlIGVtYWlsIn0.MVOoaa4onlZAwrVak3d1e3c4if33rhzwyDmVecQpvSD_l-G68k6Py_EmtbDRWWAUhuwP2PLeCi0nV0vV--6JEZvSJ2KXxtQva18EzdAnBzZhz-8hgHl65yFJ0N2s8OZrS0MXkQ2efF-Gn3F8flEACgHGnB3d_uvCLq-T2wG4evJ4SIwG10nUxRB4BwUiXkkh4rOvYHu2G6T2Bj2I-ha6shwHnZhkx_bC_NC55xtOocSr1OIEFMxIFFI-9fmh2-1pB8dGlbEoinni_EHdyvXPfdRkVFDNj8jdiYQCaitOXN_-bryHS81jGMgCmdQKR6ywX_eIZ-lTX2iAbRhCNFm-PA', 'previous': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlR3WXl5aVUxd1BzWk9COTJ4SGNMS24ifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDY1NDNhMWIyYzMiLCJhdWQiOiJodHRwczovL2FwaS5hY21lLmNvbSIsImlhdCI6MTc5NTQ5NjEwMCwiZXhwIjoxNzk1NTgyNTAwLCJhenAiOiJiSVV5ZDJqODhCUllvVmhmNlFGMG5pU055dzFwc3Y3TiIsInNjb3BlIjoicmVhZDpvcmRlcnMgd3JpdGU6b3JkZXJzIn0.Yt-lXKtppnjO6gte6I4lXR7V5oMaVSuFrEDUFAvso3nqx-2NjDutk1XI0G_yCc87ddNoE2t0vGwvdPX08-LBtd_RdXm1F5SGFzHikbIahH1AXkdVqMh597NWOWEptqjxQpJ_ZYf0ij1Q52GXpJ2dqVN9M4hgg8Wn9sfp27B7TH3tJjeOAF1d4OFfW96rP09L_8vO1x0Of5H5LPb28Z5Sd3pZVKbtNy5qRHf9QfK2U-idla1ScXN7wT7LioiD5aHkwkAPMJq37Vwdy0mqdyl_ASoGLvBSIcPM6TH6FzsAqu2KNQbi-_bfjx488OGcL1_Bm4zhvYoIhJ6a3ryyZlSSmA', 'operation': 'POST https://api.acme.com/orders', 'matrix': {'openapi': '3.0.0', 'info': {'title': 'Shop', 'version': '1'}, 'servers': [{'url': 'https://api.acme.com'}], 'components': {'securitySchemes': {'a0': {'type': 'oauth2', 'flows': {'authorizationCode': {'authorizationUrl': 'https://acme.eu.auth0.com/authorize', 'tokenUrl': 'https://acme.eu.auth0.com/oauth/token', 'scopes': {'read:orders': 'r', 'write:orders': 'w'}}}}}}, 'paths': {'/orders': {'post': {'security': [{'a0': ['write:orders']}], 'responses': {'201': {'description': 'ok'}}}}}}, 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="api", error="invalid_token", error_description="unexpected \\"aud\\" value"\r\nContent-Type: text/html\r\n\r\nInvalidTokenError: unexpected "aud" value<br> &nbsp; &nbsp;at /app/node_modules/express-oauth2-jwt-bearer/dist/index.js:300:19', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'audience.mismatch'})

case('K-x12', 'Token Doctor audit of 2026-11-24, fifth round (I05)', 'K',
     'Introspection active:true with aud of another API; expect audience orders-api',
     {'input': 'Bearer KRLd7SUqeaG6nyb229X8YzL7iMa3K8Nsv9_Qt2giDIk', 'operation': 'GET https://orders.contoso.com/api/orders', 'matrix': {'openapi': '3.0.3', 'info': {'title': 'Orders', 'version': '1'}, 'servers': [{'url': 'https://orders.contoso.com/api'}], 'components': {'securitySchemes': {'kc': {'type': 'openIdConnect', 'openIdConnectUrl': 'https://sso.contoso.com/realms/shop/.well-known/openid-configuration'}}}, 'paths': {'/orders': {'post': {'security': [{'kc': ['orders:write']}], 'responses': {'201': {'description': 'ok'}}}, 'get': {'security': [{'kc': ['orders:read']}], 'responses': {'200': {'description': 'ok'}}}}}}, 'expect': {'audience': 'orders-api'}, 'introspection': {'active': True, 'scope': 'orders:read', 'client_id': 'billing-svc', 'aud': ['billing-api'], 'exp': 1795501200, 'iss': 'https://sso.contoso.com/realms/shop'}, 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['billing-api']})

case('K-x13', 'Token Doctor audit of 2026-11-24, fifth round (I06)', 'K',
     'Introspection says token_type refresh_token (Keycloak typ Refresh in introspection)',
     {'input': 'Bearer idQ2iZ-gppCorL4txx0uiBfnWjJhpZrb3lO--TVhrLt', 'operation': 'GET https://orders.contoso.com/api/orders', 'matrix': {'openapi': '3.0.3', 'info': {'title': 'Orders', 'version': '1'}, 'servers': [{'url': 'https://orders.contoso.com/api'}], 'components': {'securitySchemes': {'kc': {'type': 'openIdConnect', 'openIdConnectUrl': 'https://sso.contoso.com/realms/shop/.well-known/openid-configuration'}}}, 'paths': {'/orders': {'post': {'security': [{'kc': ['orders:write']}], 'responses': {'201': {'description': 'ok'}}}, 'get': {'security': [{'kc': ['orders:read']}], 'responses': {'200': {'description': 'ok'}}}}}}, 'introspection': {'active': True, 'typ': 'Refresh', 'token_type': 'refresh_token', 'client_id': 'shop-web', 'exp': 1795501200, 'scope': 'openid orders:read'}, 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.refresh_token'})


case('N-x16', 'Token Doctor audit of 2026-11-24, fifth round (X01)', 'N',
     'Postman Console (expanded request, copied): request headers + response headers + body',
     {'input': 'GET https://graph.microsoft.com/v1.0/me/messages?$top=5\n403\n187 ms\nNetwork\nRequest Headers\nAuthorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjlUS1Z2djAxX2VuMWR1SmcyQy1qbDgwZHdzbXBsdUpJeVpjcW9fWlpxQTAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMzYzMCwiYWNyIjoiMSIsImFpbyI6ImhLS29jbTM3Tkhua2UwNDhka0NkVVFzbnhRWXZrT3Y0bUVWX3FRWkVlRWYyNXlUa2Y5Zkk5dyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImM2MjhiM2RmLThiYTctNDlmYy05NjZiLTM0OTkwOGU3NmMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjU3MWVmYjJjLWI0ZTktNDUwMC1iM2JmLWQ3ODk4ZjQ2MDBjMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgb3BlbmlkIHByb2ZpbGUgZW1haWwiLCJzdWIiOiIxWVpTbm5UMHRNNmpmdXhQS01wWDk5VEJQSDYwRzZ4cllrRFFZRzNlRmY0IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiWGpUN0R2ZjJaUDdaTXp2V2tzV0JGUSIsInZlciI6IjEuMCJ9.sOxfyFQbtRuH0UaPGcm2gXlvoJ3uUK3csrxwfnIFPJFg77lDvJWYJmrIW7a9i9Zvwb5t-acxtVoA1FlRZ52iGyriq1-orlwGJJmyEVV8xa1WXNUySlYvQU6fQQ_ePnRn-Esk9Rp2pVtrxu0Yh4zWalOU-MRNrgnRAGKEDzmL8_rjuqojdKGFMColF4VI12oFebLfxvED3V05pvnv0g8SIkB3WxPB1moU5gwKRSeqPqxqQAmNYe-fm-RoIDHxP-7YiW3yI7TvMpp2cdBW292TrpFoWlYlt8Zp5o7KNkqs8h2KGKRIvB8VylQV_MkIvJRRqQQZUNICeR1O7-CDjkCEag\nUser-Agent: PostmanRuntime/7.42.0\nAccept: */*\nCache-Control: no-cache\nPostman-Token: be7e125b-4a5c-42bf-9951-8d68f7ffe9af\nHost: graph.microsoft.com\nAccept-Encoding: gzip, deflate, br\nConnection: keep-alive\nResponse Headers\nCache-Control: no-cache\nContent-Type: application/json\nrequest-id: c66406e9-3770-44ee-9758-57d02dbb93d8\nDate: Tue, 24 Nov 2026 05:59:58 GMT\nResponse Body\n{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again.","innerError":{"date":"2026-11-24T05:59:58","request-id":"735a67f2-af4f-4eb1-8c48-af6200d757b2"}}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet'], 'absent': ['token.malformed', 'header.malformed']})

case('N-x17', 'Token Doctor audit of 2026-11-24, fifth round (X03)', 'N',
     'Python requests: print(r, r.request.headers, r.text)',
     {'input': '<Response [403]>\n{\'User-Agent\': \'python-requests/2.32.3\', \'Accept-Encoding\': \'gzip, deflate\', \'Accept\': \'*/*\', \'Connection\': \'keep-alive\', \'Authorization\': \'Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjlUS1Z2djAxX2VuMWR1SmcyQy1qbDgwZHdzbXBsdUpJeVpjcW9fWlpxQTAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMzYzMCwiYWNyIjoiMSIsImFpbyI6ImhLS29jbTM3Tkhua2UwNDhka0NkVVFzbnhRWXZrT3Y0bUVWX3FRWkVlRWYyNXlUa2Y5Zkk5dyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImM2MjhiM2RmLThiYTctNDlmYy05NjZiLTM0OTkwOGU3NmMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjU3MWVmYjJjLWI0ZTktNDUwMC1iM2JmLWQ3ODk4ZjQ2MDBjMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgb3BlbmlkIHByb2ZpbGUgZW1haWwiLCJzdWIiOiIxWVpTbm5UMHRNNmpmdXhQS01wWDk5VEJQSDYwRzZ4cllrRFFZRzNlRmY0IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiWGpUN0R2ZjJaUDdaTXp2V2tzV0JGUSIsInZlciI6IjEuMCJ9.sOxfyFQbtRuH0UaPGcm2gXlvoJ3uUK3csrxwfnIFPJFg77lDvJWYJmrIW7a9i9Zvwb5t-acxtVoA1FlRZ52iGyriq1-orlwGJJmyEVV8xa1WXNUySlYvQU6fQQ_ePnRn-Esk9Rp2pVtrxu0Yh4zWalOU-MRNrgnRAGKEDzmL8_rjuqojdKGFMColF4VI12oFebLfxvED3V05pvnv0g8SIkB3WxPB1moU5gwKRSeqPqxqQAmNYe-fm-RoIDHxP-7YiW3yI7TvMpp2cdBW292TrpFoWlYlt8Zp5o7KNkqs8h2KGKRIvB8VylQV_MkIvJRRqQQZUNICeR1O7-CDjkCEag\'}\n{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}', 'operation': 'GET https://graph.microsoft.com/v1.0/me/mailFolders/inbox/messages', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet']})

case('N-x18', 'Token Doctor audit of 2026-11-24, fifth round (X04)', 'N',
     'Node axios error dump (console.log(err)) with config.headers',
     {'input': 'AxiosError: Request failed with status code 403\n    at settle (/app/node_modules/axios/dist/node/axios.cjs:2019:12)\n    at IncomingMessage.handleStreamEnd (/app/node_modules/axios/dist/node/axios.cjs:3135:11) {\n  code: \'ERR_BAD_REQUEST\',\n  config: {\n    transitional: { silentJSONParsing: true, forcedJSONParsing: true, clarifyTimeoutError: false },\n    adapter: [ \'xhr\', \'http\', \'fetch\' ],\n    timeout: 0,\n    headers: Object [AxiosHeaders] {\n      Accept: \'application/json, text/plain, */*\',\n      Authorization: \'Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6ImtpYnc2cUxPdlJZMURXdjVyS2Zhd01EbmxwbVNjd21aM0luNjVMbFdNdVUiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMjY5OSwiYWlvIjoiRU9senpuMlVvcDNTRGd6Wkl4X0JtMVhVbElfOWV4UmJuVGstV2gtc1c3ZG9VekVjLVA4RTlRIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6ImE5NDJkNmM2LTBmODktNDE0NC05Y2NkLWQwZDYxZWM5YWJjMyIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjUxNGY0NGY4LTY4ZGYtNDkwYS1iMjA1LTI2ODY0YmRkMjg4YSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNTE0ZjQ0ZjgtNjhkZi00OTBhLWIyMDUtMjY4NjRiZGQyODhhIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiOG5QRFB4SkxFQ1ZxVEtCYks2Yzc0QSIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.JGnufisIyjbSVYiL_XaxFsRH8FkmyMeUGUdnUJZINjBUw8laAneQiooFYslKepMths7vRs87ubyKmCXVG837yPEJHhWxP7Kalcuj8kAJ-86ABTyfqa_ZJlp28EmItigGiBSa1wUuedc0NKkSAZpboqpn3Oth5XRlDwX1CHlcQZ_pD_DaVuDZ6tfrqJVpjipkrt7lksSEcZhaOLjCmb4_jnBKUIy2feUh4Ud7ZIoxOnnlkRKb7JRA9_aWYc7CaBFQLroej-Q-4qxHi6c2ytZIPGxdu_h9irXNCEfyi9anqBwTWnIOMLjb_gZLOJhzwBZVlLgzjegWOtUiBzK4kNecJg\',\n      \'User-Agent\': \'axios/1.7.7\',\n      \'Accept-Encoding\': \'gzip, compress, deflate, br\'\n    },\n    method: \'post\',\n    url: \'https://graph.microsoft.com/v1.0/users/ops@contoso.com/sendMail\',\n    data: \'{"message":{"subject":"Nightly report"}}\'\n  },\n  response: {\n    status: 403,\n    statusText: \'Forbidden\',\n    data: { error: [Object] }\n  }\n}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet'], 'mentions': ['Mail.Send']})

case('N-x19', 'Token Doctor audit of 2026-11-24, fifth round (X05)', 'N',
     'Spring WebClient exception with logged request header (Java)',
     {'input': '2026-11-24T05:59:58.412Z DEBUG 1 --- [ctor-http-nio-3] o.s.w.r.f.client.ExchangeFunctions : [6f1d2a] HTTP GET https://graph.microsoft.com/v1.0/groups/d7afe197-7851-42ce-a0d2-3699f2564d08/members, headers=[Authorization:"Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjlUS1Z2djAxX2VuMWR1SmcyQy1qbDgwZHdzbXBsdUpJeVpjcW9fWlpxQTAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMzYzMCwiYWNyIjoiMSIsImFpbyI6ImhLS29jbTM3Tkhua2UwNDhka0NkVVFzbnhRWXZrT3Y0bUVWX3FRWkVlRWYyNXlUa2Y5Zkk5dyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImM2MjhiM2RmLThiYTctNDlmYy05NjZiLTM0OTkwOGU3NmMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjU3MWVmYjJjLWI0ZTktNDUwMC1iM2JmLWQ3ODk4ZjQ2MDBjMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgb3BlbmlkIHByb2ZpbGUgZW1haWwiLCJzdWIiOiIxWVpTbm5UMHRNNmpmdXhQS01wWDk5VEJQSDYwRzZ4cllrRFFZRzNlRmY0IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiWGpUN0R2ZjJaUDdaTXp2V2tzV0JGUSIsInZlciI6IjEuMCJ9.sOxfyFQbtRuH0UaPGcm2gXlvoJ3uUK3csrxwfnIFPJFg77lDvJWYJmrIW7a9i9Zvwb5t-acxtVoA1FlRZ52iGyriq1-orlwGJJmyEVV8xa1WXNUySlYvQU6fQQ_ePnRn-Esk9Rp2pVtrxu0Yh4zWalOU-MRNrgnRAGKEDzmL8_rjuqojdKGFMColF4VI12oFebLfxvED3V05pvnv0g8SIkB3WxPB1moU5gwKRSeqPqxqQAmNYe-fm-RoIDHxP-7YiW3yI7TvMpp2cdBW292TrpFoWlYlt8Zp5o7KNkqs8h2KGKRIvB8VylQV_MkIvJRRqQQZUNICeR1O7-CDjkCEag", Accept:"application/json"]\n2026-11-24T05:59:58.611Z ERROR 1 --- [ctor-http-nio-3] c.c.sync.GroupSync : sync failed\norg.springframework.web.reactive.function.client.WebClientResponseException$Forbidden: 403 Forbidden from GET https://graph.microsoft.com/v1.0/groups/853d83b5-89c5-496b-bf39-b65ddc7f6a54/members\n\tat org.springframework.web.reactive.function.client.WebClientResponseException.create(WebClientResponseException.java:312)\n\tSuppressed: reactor.core.publisher.FluxOnAssembly$OnAssemblyException: ', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet']})

case('N-x20', 'Token Doctor audit of 2026-11-24, fifth round (X06)', 'N',
     '.NET HttpRequestException + token logged separately',
     {'input': 'info: System.Net.Http.HttpClient.Graph.LogicalHandler[100]\n      Start processing HTTP request GET https://graph.microsoft.com/v1.0/sites/root/lists\ntrce: System.Net.Http.HttpClient.Graph.ClientHandler[102]\n      Request Headers:\n      Authorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6ImtpYnc2cUxPdlJZMURXdjVyS2Zhd01EbmxwbVNjd21aM0luNjVMbFdNdVUiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMjY5OSwiYWlvIjoiRU9senpuMlVvcDNTRGd6Wkl4X0JtMVhVbElfOWV4UmJuVGstV2gtc1c3ZG9VekVjLVA4RTlRIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6ImE5NDJkNmM2LTBmODktNDE0NC05Y2NkLWQwZDYxZWM5YWJjMyIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjUxNGY0NGY4LTY4ZGYtNDkwYS1iMjA1LTI2ODY0YmRkMjg4YSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNTE0ZjQ0ZjgtNjhkZi00OTBhLWIyMDUtMjY4NjRiZGQyODhhIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiOG5QRFB4SkxFQ1ZxVEtCYks2Yzc0QSIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.JGnufisIyjbSVYiL_XaxFsRH8FkmyMeUGUdnUJZINjBUw8laAneQiooFYslKepMths7vRs87ubyKmCXVG837yPEJHhWxP7Kalcuj8kAJ-86ABTyfqa_ZJlp28EmItigGiBSa1wUuedc0NKkSAZpboqpn3Oth5XRlDwX1CHlcQZ_pD_DaVuDZ6tfrqJVpjipkrt7lksSEcZhaOLjCmb4_jnBKUIy2feUh4Ud7ZIoxOnnlkRKb7JRA9_aWYc7CaBFQLroej-Q-4qxHi6c2ytZIPGxdu_h9irXNCEfyi9anqBwTWnIOMLjb_gZLOJhzwBZVlLgzjegWOtUiBzK4kNecJg\nfail: Contoso.Sync.Worker[0]\n      System.Net.Http.HttpRequestException: Response status code does not indicate success: 403 (Forbidden).\n         at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet']})

case('N-x21', 'Token Doctor audit of 2026-11-24, fifth round (X08)', 'N',
     'Browser console lines (Chrome): the failed fetch and the MSAL-cached token printed by the app',
     {'input': 'GET https://graph.microsoft.com/v1.0/me/drive/root/children 403 (Forbidden)\nFailed to load resource: the server responded with a status of 403 ()\nmain.js:42 token eyJ0eXAiOiJKV1QiLCJub25jZSI6IjlUS1Z2djAxX2VuMWR1SmcyQy1qbDgwZHdzbXBsdUpJeVpjcW9fWlpxQTAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMzYzMCwiYWNyIjoiMSIsImFpbyI6ImhLS29jbTM3Tkhua2UwNDhka0NkVVFzbnhRWXZrT3Y0bUVWX3FRWkVlRWYyNXlUa2Y5Zkk5dyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImM2MjhiM2RmLThiYTctNDlmYy05NjZiLTM0OTkwOGU3NmMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjU3MWVmYjJjLWI0ZTktNDUwMC1iM2JmLWQ3ODk4ZjQ2MDBjMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgb3BlbmlkIHByb2ZpbGUgZW1haWwiLCJzdWIiOiIxWVpTbm5UMHRNNmpmdXhQS01wWDk5VEJQSDYwRzZ4cllrRFFZRzNlRmY0IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiWGpUN0R2ZjJaUDdaTXp2V2tzV0JGUSIsInZlciI6IjEuMCJ9.sOxfyFQbtRuH0UaPGcm2gXlvoJ3uUK3csrxwfnIFPJFg77lDvJWYJmrIW7a9i9Zvwb5t-acxtVoA1FlRZ52iGyriq1-orlwGJJmyEVV8xa1WXNUySlYvQU6fQQ_ePnRn-Esk9Rp2pVtrxu0Yh4zWalOU-MRNrgnRAGKEDzmL8_rjuqojdKGFMColF4VI12oFebLfxvED3V05pvnv0g8SIkB3WxPB1moU5gwKRSeqPqxqQAmNYe-fm-RoIDHxP-7YiW3yI7TvMpp2cdBW292TrpFoWlYlt8Zp5o7KNkqs8h2KGKRIvB8VylQV_MkIvJRRqQQZUNICeR1O7-CDjkCEag', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet']})

case('N-x22', 'Token Doctor audit of 2026-11-24, fifth round (X09)', 'N',
     "Chrome DevTools 'Copy request headers' (HTTP/2 pseudo-headers)",
     {'input': ':authority: graph.microsoft.com\n:method: GET\n:path: /v1.0/me/calendar/events?$top=10\n:scheme: https\naccept: */*\naccept-language: en-US,en;q=0.9\nauthorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjlUS1Z2djAxX2VuMWR1SmcyQy1qbDgwZHdzbXBsdUpJeVpjcW9fWlpxQTAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMzYzMCwiYWNyIjoiMSIsImFpbyI6ImhLS29jbTM3Tkhua2UwNDhka0NkVVFzbnhRWXZrT3Y0bUVWX3FRWkVlRWYyNXlUa2Y5Zkk5dyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImM2MjhiM2RmLThiYTctNDlmYy05NjZiLTM0OTkwOGU3NmMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjU3MWVmYjJjLWI0ZTktNDUwMC1iM2JmLWQ3ODk4ZjQ2MDBjMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgb3BlbmlkIHByb2ZpbGUgZW1haWwiLCJzdWIiOiIxWVpTbm5UMHRNNmpmdXhQS01wWDk5VEJQSDYwRzZ4cllrRFFZRzNlRmY0IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiWGpUN0R2ZjJaUDdaTXp2V2tzV0JGUSIsInZlciI6IjEuMCJ9.sOxfyFQbtRuH0UaPGcm2gXlvoJ3uUK3csrxwfnIFPJFg77lDvJWYJmrIW7a9i9Zvwb5t-acxtVoA1FlRZ52iGyriq1-orlwGJJmyEVV8xa1WXNUySlYvQU6fQQ_ePnRn-Esk9Rp2pVtrxu0Yh4zWalOU-MRNrgnRAGKEDzmL8_rjuqojdKGFMColF4VI12oFebLfxvED3V05pvnv0g8SIkB3WxPB1moU5gwKRSeqPqxqQAmNYe-fm-RoIDHxP-7YiW3yI7TvMpp2cdBW292TrpFoWlYlt8Zp5o7KNkqs8h2KGKRIvB8VylQV_MkIvJRRqQQZUNICeR1O7-CDjkCEag\norigin: http://localhost:3000\nreferer: http://localhost:3000/\nsec-fetch-mode: cors', 'response': '{"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet'], 'absent': ['header.malformed']})

case('N-x23', 'Token Doctor audit of 2026-11-24, fifth round (X11)', 'N',
     'VS Code REST Client .http file with unexpanded variable {{token}}',
     {'input': '@token = {{$aadToken}}\nGET https://graph.microsoft.com/v1.0/me HTTP/1.1\nAuthorization: Bearer {{token}}', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"\r\n\r\n{"error":{"code":"InvalidAuthenticationToken","message":"IDX14100: JWT is not well formed, there are no dots (.).\\nThe token needs to be in JWS or JWE Compact Serialization Format."}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['{{token}}']})

case('N-x24', 'Token Doctor audit of 2026-11-24, fifth round (X12)', 'N',
     'Postman code snippet Python - Requests',
     {'input': 'import requests\n\nurl = "https://graph.microsoft.com/v1.0/users/7aadfc5d-185a-4921-a22b-bdcd0eca2887/manager"\n\npayload = {}\nheaders = {\n  \'Authorization\': \'Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjlUS1Z2djAxX2VuMWR1SmcyQy1qbDgwZHdzbXBsdUpJeVpjcW9fWlpxQTAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMzYzMCwiYWNyIjoiMSIsImFpbyI6ImhLS29jbTM3Tkhua2UwNDhka0NkVVFzbnhRWXZrT3Y0bUVWX3FRWkVlRWYyNXlUa2Y5Zkk5dyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6ImM2MjhiM2RmLThiYTctNDlmYy05NjZiLTM0OTkwOGU3NmMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjU3MWVmYjJjLWI0ZTktNDUwMC1iM2JmLWQ3ODk4ZjQ2MDBjMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQgb3BlbmlkIHByb2ZpbGUgZW1haWwiLCJzdWIiOiIxWVpTbm5UMHRNNmpmdXhQS01wWDk5VEJQSDYwRzZ4cllrRFFZRzNlRmY0IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiWGpUN0R2ZjJaUDdaTXp2V2tzV0JGUSIsInZlciI6IjEuMCJ9.sOxfyFQbtRuH0UaPGcm2gXlvoJ3uUK3csrxwfnIFPJFg77lDvJWYJmrIW7a9i9Zvwb5t-acxtVoA1FlRZ52iGyriq1-orlwGJJmyEVV8xa1WXNUySlYvQU6fQQ_ePnRn-Esk9Rp2pVtrxu0Yh4zWalOU-MRNrgnRAGKEDzmL8_rjuqojdKGFMColF4VI12oFebLfxvED3V05pvnv0g8SIkB3WxPB1moU5gwKRSeqPqxqQAmNYe-fm-RoIDHxP-7YiW3yI7TvMpp2cdBW292TrpFoWlYlt8Zp5o7KNkqs8h2KGKRIvB8VylQV_MkIvJRRqQQZUNICeR1O7-CDjkCEag\'\n}\n\nresponse = requests.request("GET", url, headers=headers, data=payload)\n\nprint(response.text)', 'response': '{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet']})

case('N-x25', 'Token Doctor audit of 2026-11-24, fifth round (X13)', 'N',
     'Postman code snippet JavaScript - Fetch (myHeaders.append)',
     {'input': 'const myHeaders = new Headers();\nmyHeaders.append("Authorization", "Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6ImtpYnc2cUxPdlJZMURXdjVyS2Zhd01EbmxwbVNjd21aM0luNjVMbFdNdVUiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5MTAwLCJuYmYiOjE3OTU0OTkxMDAsImV4cCI6MTc5NTUwMjY5OSwiYWlvIjoiRU9senpuMlVvcDNTRGd6Wkl4X0JtMVhVbElfOWV4UmJuVGstV2gtc1c3ZG9VekVjLVA4RTlRIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6ImE5NDJkNmM2LTBmODktNDE0NC05Y2NkLWQwZDYxZWM5YWJjMyIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjUxNGY0NGY4LTY4ZGYtNDkwYS1iMjA1LTI2ODY0YmRkMjg4YSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNTE0ZjQ0ZjgtNjhkZi00OTBhLWIyMDUtMjY4NjRiZGQyODhhIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiOG5QRFB4SkxFQ1ZxVEtCYks2Yzc0QSIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.JGnufisIyjbSVYiL_XaxFsRH8FkmyMeUGUdnUJZINjBUw8laAneQiooFYslKepMths7vRs87ubyKmCXVG837yPEJHhWxP7Kalcuj8kAJ-86ABTyfqa_ZJlp28EmItigGiBSa1wUuedc0NKkSAZpboqpn3Oth5XRlDwX1CHlcQZ_pD_DaVuDZ6tfrqJVpjipkrt7lksSEcZhaOLjCmb4_jnBKUIy2feUh4Ud7ZIoxOnnlkRKb7JRA9_aWYc7CaBFQLroej-Q-4qxHi6c2ytZIPGxdu_h9irXNCEfyi9anqBwTWnIOMLjb_gZLOJhzwBZVlLgzjegWOtUiBzK4kNecJg");\n\nconst requestOptions = {\n  method: "GET",\n  headers: myHeaders,\n  redirect: "follow"\n};\n\nfetch("https://graph.microsoft.com/v1.0/groups", requestOptions)\n  .then((response) => response.text())\n  .then((result) => console.log(result))\n  .catch((error) => console.error(error));', 'response': '403', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['input.snippet']})

case('L-x20', 'Token Doctor audit of 2026-11-24, fifth round (X15)', 'L',
     'Genesys Java SDK ApiException toString with the Authorization header in the logged request (Genesys)',
     {'input': 'com.mypurecloud.sdk.v2.ApiException: error\n\tat com.mypurecloud.sdk.v2.ApiClient.interpretResponse(ApiClient.java:712)\nDEBUG c.m.sdk.v2.ApiClient - Request: POST https://api.mypurecloud.de/api/v2/conversations/emails\nDEBUG c.m.sdk.v2.ApiClient - Header: Authorization: Bearer GTd7FguoV8FWnFbB0JxXujr4qqaaABvvLOzAxzXMcU1vsHiQMaRiNTN9Ox98whGcTZc1UWb5fxzpF7STG7nVLe\nDEBUG c.m.sdk.v2.ApiClient - Response: 403 {"message":"You are missing the following permission(s): [conversation:email:create]","code":"missing.permissions","status":403}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing', 'codes': ['input.snippet'], 'mentions': ['conversation:email:create']})

case('Q-x11', 'Token Doctor audit of 2026-11-24, fifth round (X07)', 'Q',
     'Go golang.org/x/oauth2 error string: cannot fetch token 401 + response body',
     {'input': '2026/11/24 05:59:58 Get "https://api.acme.com/v1/orders": oauth2: "invalid_client" "Client authentication failed. Either the client or the client credentials are invalid."\nexit status 1', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'client.authentication_failed', 'absent': ['token.malformed', 'token.encrypted']})

case('Q-x12', 'Token Doctor audit of 2026-11-24, fifth round (X16)', 'Q',
     "Go golang.org/x/oauth2 older RetrieveError format (token.go: 'oauth2: cannot fetch token: %v\\nResponse: %s')",
     {'input': 'Get "https://api.acme.com/v1/orders": oauth2: cannot fetch token: 401 Unauthorized\nResponse: {"error":"invalid_client","error_description":"Client authentication failed. Either the client or the client credentials are invalid."}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'client.authentication_failed', 'absent': ['token.malformed', 'token.encrypted']})


case('A-x14', 'Token Doctor audit of 2026-11-24, fifth round (OA15)', 'A',
     'YAML with a tab in indentation (copied from an editor) before the put operation',
     {'input': 'eyJraWQiOiJhdENGekRYTVF5dTZnRlVTc1FoclBOX2JzSlptbDBWcEJEYTIwT0llZUZFIiwiYWxnIjoiUlMyNTYifQ.eyJ2ZXIiOjEsImp0aSI6IkFULnRFZzNDTjJjOHRtQk1FMGNOSW9KTFdnNW01QzZyZTNtcXVDUnBmcGJxYWsiLCJpc3MiOiJodHRwczovL2FjbWUub2t0YS5jb20vb2F1dGgyL2F1czFmbGVldCIsImF1ZCI6ImFwaTovL2ZsZWV0IiwiaWF0IjoxNzk1NDk5MTAwLCJleHAiOjE3OTU1MDI3MDAsImNpZCI6IjBvYVFOOUNwc2NZaTB6YUVJSnJwIiwic3ViIjoiMG9hUU45Q3BzY1lpMHphRUlKcnAiLCJzY3AiOlsiZmxlZXQudmVoaWNsZXMucmVhZCJdfQ.1ODNkudmwcNHm2xIwdVN65roaW04QKjhBTo2olFcd14a8LT-lAguFbGJODglqae57gxf3HfbxqibM4wsHlrqlvaNOhspEThSL8-3_pAgJS0R-1GI68Cwzbl-6ly0hP9Eo1PzEaAFUeiZ5HA_EX1CQ5nLSWKDVXkC9j2TaumHfaKjXVbbEl8dvov4QPoLwP2XOUo1VvtGJZKzrLDdgZvlZigXJOPhVFhG_WLLSiXdWnm8o9LvEIjjnVggtpakwCIndryeduj3jDqIpEiCd5N6vpK-CTzi4CLSeBkipKXC98mIUo4UlCZQ_g7x1V7Eh5BbQo-1bq5I3g57z6ucLejpRg', 'operation': 'PUT https://eu.api.fleet.io/v3/vehicles/1HGCM82633A004352', 'matrix': 'openapi: 3.1.0\ninfo:\n  title: Fleet API\n  version: "3.2"\nservers:\n  - url: https://{region}.api.fleet.io/v3\n    variables:\n      region:\n        default: eu\n        enum: [eu, us, ap]\ncomponents:\n  securitySchemes:\n    okta:\n      type: oauth2\n      flows:\n        clientCredentials:\n          tokenUrl: https://acme.okta.com/oauth2/aus1fleet/v1/token\n          scopes:\n            fleet.vehicles.read: Read vehicles\n            fleet.vehicles.write: Write vehicles\n            fleet.telemetry.read: Read telemetry\nsecurity:\n  - okta: [fleet.vehicles.read]\npaths:\n  /vehicles/{vin}:\n    get:\n      operationId: getVehicle\n      responses:\n        \'200\': {description: ok}\n    put:\n      operationId: putVehicle\n\t  deprecated: true\n      security:\n        - okta: [fleet.vehicles.write]\n      responses:\n        \'200\': {description: ok}\n  /vehicles/{vin}/telemetry:\n    servers:\n      - url: https://telemetry.fleet.io/stream/v1\n    get:\n      operationId: getTelemetry\n      security:\n        - okta: [fleet.telemetry.read]\n      responses:\n        \'200\': {description: ok}\n', 'now': 1795500000},
     {'verdict': 'unknown', 'codes': ['matrix.problem', 'operation.note'], 'absent': ['scope.missing']})

case('A-x15', 'Token Doctor audit of 2026-11-24, fifth round (OA18)', 'A',
     "Swashbuckle + Microsoft.Identity.Web: the document lists scopes as full URIs api://<app>/Orders.Read; the v2 token's scp is 'Orders.Read Orders.Write' (short names)",
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiI2ZTNiMmYwYS04YzRkLTRmMWUtOWE3Yi0yYzVkOGU5ZjBhMWIiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3OTU0OTkxMDAsIm5iZiI6MTc5NTQ5OTEwMCwiZXhwIjoxNzk1NTAyNjk5LCJhaW8iOiJCMXJmdnRScFV2OXhPVHJuNVhkRE5WTTc4UnQ2eDRnejdNSS1tM29Rc0RKTmpHTTFwNS0tdHciLCJhenAiOiIzNWI1MWRlZS0wMWQwLTQ2YjEtYTExYy03ZWUzYmI4YmE2NjYiLCJhenBhY3IiOiIwIiwib2lkIjoiOGM1N2IwMTUtNjA1Yy00OTYzLWFiOGUtNzEwODIyZmE1ZDhiIiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzdWIiOiJiRHJtWnVsYWlRcXZhbFBaOUNEMU1CdnFtTzBwOHNjd3RWU2d0VkJ0SnlVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiWUNTQmFDVDZTWGFSOFlWai15RXFxQSIsInZlciI6IjIuMCIsIm5hbWUiOiJKYW5lIERvZSIsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwic2NwIjoiT3JkZXJzLlJlYWQgT3JkZXJzLldyaXRlIn0.aUL1M1lvRp6T4plq8GcUgTWMeNv2lbRmCBVKCZQV0JF7g-LthTjIHdp7rbSbDRjjJrRtZiJebiaVxrApuMPuNhRw5Rg16861ZugiKwuL6MAfXYDfwRDcXDvyRnK3Z-ofGrNdBoDJ-DEqnC89837mZ6HbB91bW_LwuEV4gfe3Q9UmsYG-0cbW_FqHASAAt_7F38XRNx1DTosNVm0iwa6Y9eznCSrHlTEpCM6TT5BCPniWFg7xq8MLC_sWdDZy2O4HyZdZcPGjaYto37A0jMcvVAZ7YToRx7ZXP6vzc1_Pefmaxh-oQQsiO2jjaK1yLWz34R2yLVav9uWcWzz4X55MUg', 'operation': 'POST https://orders-api.contoso.com/api/orders', 'matrix': {'openapi': '3.0.1', 'info': {'title': 'Contoso.Orders.Api', 'version': 'v1'}, 'servers': [{'url': 'https://orders-api.contoso.com'}], 'components': {'securitySchemes': {'oauth2': {'type': 'oauth2', 'flows': {'authorizationCode': {'authorizationUrl': 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize', 'tokenUrl': 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token', 'scopes': {'api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Read': 'Read orders', 'api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Write': 'Write orders'}}}}}}, 'security': [{'oauth2': ['api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Read']}], 'paths': {'/api/orders': {'get': {'tags': ['Orders'], 'responses': {'200': {'description': 'Success'}}}, 'post': {'tags': ['Orders'], 'security': [{'oauth2': ['api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Write']}], 'responses': {'200': {'description': 'Success'}}}}}}, 'now': 1795500000},
     {'verdict': 'allowed', 'absent': ['scope.missing', 'scope.unknown']})

case('A-x16', 'Token Doctor audit of 2026-11-24, fifth round (OA19)', 'A',
     'Same doc, token really lacks Orders.Write; 403 from Microsoft.Identity.Web',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiI2ZTNiMmYwYS04YzRkLTRmMWUtOWE3Yi0yYzVkOGU5ZjBhMWIiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3OTU0OTkxMDAsIm5iZiI6MTc5NTQ5OTEwMCwiZXhwIjoxNzk1NTAyNjk5LCJhaW8iOiJuLXoxYnk3eG1jbzI2UlpvNnBGT0NZMV9yMWlLMEdkTGwydUJ6UUpCSmtHT0ZWUEw4WGUwYUEiLCJhenAiOiI3ZmQ0NTFhMS04NDJmLTRjMDQtYjk4My1jMDgwYmVmYzc1MDAiLCJhenBhY3IiOiIwIiwib2lkIjoiZWViNTZkY2MtZWUwMC00MDI5LWExMmYtYjgzNjljMGRlNzkwIiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzdWIiOiJ6WGpsVzBodFVoem5mRERpY3phTTlybWRybmY5UHdMVUJ5M0NXUVFSM2ZBIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiVHBLYVVwMkdiTU1KYjlYRGJFWjJ4dyIsInZlciI6IjIuMCIsIm5hbWUiOiJKYW5lIERvZSIsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwic2NwIjoiT3JkZXJzLlJlYWQifQ.tc0tkl7EdGbwhJaIIIG56WzHXGjCsGNxcUoD4jizG6nWJ7-TqW5RItGCCYnUdchX8ye4xXrsDhSOdzJOMJrxdUvGv9PjNb1T3BK5c63y-oxkC7at7Z1r3CWlcTUREq5MGYP-XtlobATtSHpvHB_p1DaqcfOjWVLELEYZDNlpw93zQzX9bN1__lRLR7L08LCImL7KA3zRRd-2lUtj_va6Qe02gHwm3bocY4QuVRHrgPCp-n7OHijERql18mgGI5rVhtnzme5LL3bAo1UxIJ6I90aA1dlrnGy4JK_x0N1tKAyHxKOQulp_enhXJRoi-ULlB7AEIRLRKNQCgf0OEax1sQ', 'operation': 'POST https://orders-api.contoso.com/api/orders', 'matrix': {'openapi': '3.0.1', 'info': {'title': 'Contoso.Orders.Api', 'version': 'v1'}, 'servers': [{'url': 'https://orders-api.contoso.com'}], 'components': {'securitySchemes': {'oauth2': {'type': 'oauth2', 'flows': {'authorizationCode': {'authorizationUrl': 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/authorize', 'tokenUrl': 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token', 'scopes': {'api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Read': 'Read orders', 'api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Write': 'Write orders'}}}}}}, 'security': [{'oauth2': ['api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Read']}], 'paths': {'/api/orders': {'get': {'tags': ['Orders'], 'responses': {'200': {'description': 'Success'}}}, 'post': {'tags': ['Orders'], 'security': [{'oauth2': ['api://6e3b2f0a-8c4d-4f1e-9a7b-2c5d8e9f0a1b/Orders.Write']}], 'responses': {'200': {'description': 'Success'}}}}}}, 'response': 'HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['scope.unknown'], 'mentions': ['Orders.Write']})

case('A-x17', 'Token Doctor audit of 2026-11-24, fifth round (OA11)', 'A',
     "Swagger 2.0 AND-ed schemes: refunds need oauth orders.write AND an X-Api-Key; token has orders.write; 401 'Missing API key'",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkEwY3BrWmQxS3l3MUY1Y2Y5dThydjJvd1RnR2ZrUHlJNWJZbjhLY2kzZVEifQ.eyJleHAiOjE3OTU1MDI3MDAsImlhdCI6MTc5NTQ5OTEwMCwianRpIjoiMTA2NjBiZDktMzA1OC00ZWMwLWE0NzQtNDEyYzI5ZGY0YWZiIiwiaXNzIjoiaHR0cHM6Ly9zc28uY29udG9zby5jb20vcmVhbG1zL3Nob3AiLCJhdWQiOiJvcmRlcnMtYXBpIiwic3ViIjoiYWUxY2ZkNzktYzRhYy00NmMwLTk5ZWEtMmU3YjRkZTEzZGM2IiwidHlwIjoiQmVhcmVyIiwiYXpwIjoib3JkZXJzLWJhdGNoIiwic2Vzc2lvbl9zdGF0ZSI6IjllM2JhZWY2LTVmNTgtNDI3Zi1hN2M2LWRmYTQxODRiMTBhOSIsImFjciI6IjEiLCJzY29wZSI6Im9yZGVycy5yZWFkIG9yZGVycy53cml0ZSJ9.Y1-q8w9UkfLKk0mLsoZraagcFvvF2_pF3PtYX2jvkDI5aUDyirYj9i-sgS2eLbWSQuN8aVxWFZgFmBZBkINBKWruyWt_rPPnoVyZgsZhW1ZlXBP5hIRU3nwNgrn8vvoXW0twlAp90xKgwUU4QowkiTpk6hstBd7TbhcqA3K7TnurGZ9sKsjdC1N6POQUxQh3UMi6UAuzzo4q54MwMAEygS__oaznFEeaDYQ1eE5EhKd0di5-maiPKSswRs2XPAM4Dgcq_pgqYGrfo0XShB9bC7AyUsbxk0fxmV8xvX-Pyh3fWY3VWORqH2B7clru60LhvQcn1nwnRQcyYX1RY3ec4Q', 'operation': 'POST https://orders.contoso.com/api/v1/orders/5512/refunds', 'matrix': '{"swagger": "2.0", "info": {"title": "Orders", "version": "1.0"}, "host": "orders.contoso.com", "basePath": "/api/v1", "schemes": ["https"], "securityDefinitions": {"oauth": {"type": "oauth2", "flow": "application", "tokenUrl": "https://login.contoso.com/oauth2/token", "scopes": {"orders.read": "read", "orders.write": "write", "orders.admin": "admin"}}, "api_key": {"type": "apiKey", "name": "X-Api-Key", "in": "header"}}, "security": [{"oauth": ["orders.read"]}], "paths": {"/orders": {"get": {"responses": {"200": {"description": "ok"}}}, "post": {"security": [{"oauth": ["orders.write"]}], "responses": {"201": {"description": "ok"}}}}, "/orders/{orderId}": {"delete": {"security": [{"oauth": ["orders.admin"]}], "responses": {"204": {"description": "ok"}}}}, "/orders/{orderId}/refunds": {"post": {"security": [{"oauth": ["orders.write"], "api_key": []}], "responses": {"201": {"description": "ok"}}}}, "/catalog": {"get": {"security": [{"api_key": []}], "responses": {"200": {"description": "ok"}}}}}}', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"statusCode":401,"message":"Access denied due to missing subscription key or API key. Make sure to include the X-Api-Key header."}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'credentials.other', 'mentions': ['X-Api-Key', 'besides the token']})

case('A-x18', 'Token Doctor audit of 2026-11-24, fifth round (OA12)', 'A',
     'Swagger 2.0 op secured only by an API key; bearer sent, 401',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjFETmx2T0EtWE83TTN6YmtaNno2ZkZsMGxuRFdLaFFoaGVxUE5YNkxQNDQifQ.eyJleHAiOjE3OTU1MDI3MDAsImlhdCI6MTc5NTQ5OTEwMCwianRpIjoiZTc0NzM0OTQtNTliNS00ZDQyLWFiZDItOWRjMDBkNDMxZmE2IiwiaXNzIjoiaHR0cHM6Ly9zc28uY29udG9zby5jb20vcmVhbG1zL3Nob3AiLCJhdWQiOiJvcmRlcnMtYXBpIiwic3ViIjoiNjJiYjU4YTQtOTljYy00YzViLWExMjMtMTJmZTM5YzNjNTYwIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoib3JkZXJzLWJhdGNoIiwic2Vzc2lvbl9zdGF0ZSI6IjZiY2VjM2FlLTJhNjgtNDk3NC1iNzMxLTJmMzEyMmExMzlmYyIsImFjciI6IjEiLCJzY29wZSI6Im9yZGVycy5yZWFkIn0.n7Sc9zjiuRs_q7XMLsdKPuF-7T9qTBay-nHnHxbdiVBwUnWIFwUPTADLfcoDii8FB-pd7yB0FsngFlNxIgWfHUuu_TslC4ImEBOMEhSPaNrhnsrLKERiyIeg2dFK6ZICIh7-68HZtikwrmU9J-1vhG_S7U6BO6r70qQcUhOGcd-5P63LeEnOtbaG1Pt4wUBNnkXNhZmB2_2s4orqq74LTZTG9AARGYYGXkNkcqFIp5ZjzwUAZvb774OsC_vs7XTJ5RTf4zQGhwNmQRwIpbhIdD_KIGcvfncYTPsihht33kuzbSJMhU_8Mlko5-I2NmQH8YaT257vxvfjcmAotYZOsw', 'operation': 'GET https://orders.contoso.com/api/v1/catalog', 'matrix': '{"swagger": "2.0", "info": {"title": "Orders", "version": "1.0"}, "host": "orders.contoso.com", "basePath": "/api/v1", "schemes": ["https"], "securityDefinitions": {"oauth": {"type": "oauth2", "flow": "application", "tokenUrl": "https://login.contoso.com/oauth2/token", "scopes": {"orders.read": "read", "orders.write": "write", "orders.admin": "admin"}}, "api_key": {"type": "apiKey", "name": "X-Api-Key", "in": "header"}}, "security": [{"oauth": ["orders.read"]}], "paths": {"/orders": {"get": {"responses": {"200": {"description": "ok"}}}, "post": {"security": [{"oauth": ["orders.write"]}], "responses": {"201": {"description": "ok"}}}}, "/orders/{orderId}": {"delete": {"security": [{"oauth": ["orders.admin"]}], "responses": {"204": {"description": "ok"}}}}, "/orders/{orderId}/refunds": {"post": {"security": [{"oauth": ["orders.write"], "api_key": []}], "responses": {"201": {"description": "ok"}}}}, "/catalog": {"get": {"security": [{"api_key": []}], "responses": {"200": {"description": "ok"}}}}}}', 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'credentials.other', 'mentions': ['not a bearer token']})

case('A-x19', 'Token Doctor audit of 2026-11-24, fifth round (OA14)', 'A',
     'YAML path-level servers: telemetry lives on telemetry.fleet.io/stream/v1; token lacks fleet.telemetry.read; Okta 403',
     {'input': 'eyJraWQiOiJiVGw4amtFNDVYQWFnaDlVRWk1NVVpdFdITUNUckttVHdaX0VwV29EaGQwIiwiYWxnIjoiUlMyNTYifQ.eyJ2ZXIiOjEsImp0aSI6IkFULmItTi00Vk5sMkZyQlpHbExuV3Y3RW51ZklRYlJ0SGlNUUpIbDRpbWpfWE0iLCJpc3MiOiJodHRwczovL2FjbWUub2t0YS5jb20vb2F1dGgyL2F1czFmbGVldCIsImF1ZCI6ImFwaTovL2ZsZWV0IiwiaWF0IjoxNzk1NDk5MTAwLCJleHAiOjE3OTU1MDI3MDAsImNpZCI6IjBvYXFWdEZxQWJ1OHRGN3NqRWJoIiwic3ViIjoiMG9hcVZ0RnFBYnU4dEY3c2pFYmgiLCJzY3AiOlsiZmxlZXQudmVoaWNsZXMucmVhZCJdfQ.BDk0niI13ozDt3EZt5ple8L4JjdcZfK-qPL_nzhy2vd9f5OPvTWFQZsagY0GSL-WPRYPZtb0sCe0Lfgxbk-5BX66SfHNp2nX2kiMwv4x7GdDIdowA1Xa2o0jx8F1T1QPxIKKkxR7u3g3shPb1Et_mFAdL9pXSF2ssU4p8hA3IX0KY2hJEX6AL8hjZs-QWt1YkhRWIQe5bVEv8OkvvwMM14ohuTuGk7WCZMo9xxy1DOza63LmbMheGH6UW9m1AvwTz4FzIOjGfWbXUTyoZQiuJLkrqiBlVfvdAzlT6j3dVVS0BPF6be-KZ0bTRqHS9lFHVQuubHmuYVZeFSDoSofpag', 'operation': 'GET https://telemetry.fleet.io/stream/v1/vehicles/1HGCM82633A004352/telemetry', 'matrix': 'openapi: 3.1.0\ninfo:\n  title: Fleet API\n  version: "3.2"\nservers:\n  - url: https://{region}.api.fleet.io/v3\n    variables:\n      region:\n        default: eu\n        enum: [eu, us, ap]\ncomponents:\n  securitySchemes:\n    okta:\n      type: oauth2\n      flows:\n        clientCredentials:\n          tokenUrl: https://acme.okta.com/oauth2/aus1fleet/v1/token\n          scopes:\n            fleet.vehicles.read: Read vehicles\n            fleet.vehicles.write: Write vehicles\n            fleet.telemetry.read: Read telemetry\nsecurity:\n  - okta: [fleet.vehicles.read]\npaths:\n  /vehicles/{vin}:\n    get:\n      operationId: getVehicle\n      responses:\n        \'200\': {description: ok}\n    put:\n      operationId: putVehicle\n      security:\n        - okta: [fleet.vehicles.write]\n      responses:\n        \'200\': {description: ok}\n  /vehicles/{vin}/telemetry:\n    servers:\n      - url: https://telemetry.fleet.io/stream/v1\n    get:\n      operationId: getTelemetry\n      security:\n        - okta: [fleet.telemetry.read]\n      responses:\n        \'200\': {description: ok}\n', 'response': 'HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: Bearer authorization_uri="https://acme.okta.com/oauth2/aus1fleet/v1/authorize", realm="api://fleet", scope="fleet.telemetry.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/stream/v1/vehicles/1HGCM82633A004352/telemetry"\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['GET /stream/v1/vehicles/{vin}/telemetry']})


case('A-x20', 'Token Doctor audit of 2026-11-24, fifth round (OA08)', 'A',
     'Call without the server base path (/tickets/...), relative to host root: server URL has /v2',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlFOZUxucFQ1eGF3ejhyMkEzaFMxSngifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6Im1rTENOUGxvV1JsT1RjRW9rZDVpaHU5bEVtSmNBRHd5QGNsaWVudHMiLCJhdWQiOiJodHRwczovL2FwaS50aWNrZXRzLmV4YW1wbGUuY29tIiwiaWF0IjoxNzk1NDk5MTAwLCJleHAiOjE3OTU1ODU1MDAsImF6cCI6Im1rTENOUGxvV1JsT1RjRW9rZDVpaHU5bEVtSmNBRHd5Iiwic2NvcGUiOiJ0aWNrZXRzOnJlYWQiLCJndHkiOiJjbGllbnQtY3JlZGVudGlhbHMifQ.iBT57xPFoZyDcrWlTrdYOQtSbqCP_VZziylhCDf8W-WKSw9_Th-bKLXh02j7yMhF4HDbMgEgFIhrG0GQaEt4qd7OnwWnEA13Yi31HTCLuirJu36w14TDuE8EMkLFLdt1aZOi1IAlX34YOspAUYwfpT2smTOBmKo7MhTSCTvb6WAkwKz58vhp7vIaXcBapGcSWsGSGrpP7UNHK3BiPIeZ0sn48t29XD-gaBFvfbbOa3LQjqBD_i_xzUcLNEWjYNHF3bMd3Av9sN9-AT3OZ4l83AL9BLbvcmuczbmD5i-wFOhfIFDbEz8eXlOH9-WVKxNbbUHx2ijzPsbOBMMpuSouuA', 'operation': 'DELETE https://api.tickets.example.com/tickets/TCK-3', 'matrix': {'openapi': '3.0.3', 'info': {'title': 'Tickets API', 'version': '2.4.0'}, 'servers': [{'url': 'https://api.tickets.example.com/v2'}], 'components': {'securitySchemes': {'auth0': {'type': 'oauth2', 'flows': {'authorizationCode': {'authorizationUrl': 'https://acme.eu.auth0.com/authorize', 'tokenUrl': 'https://acme.eu.auth0.com/oauth/token', 'scopes': {'tickets:read': 'Read tickets', 'tickets:write': 'Create and update tickets', 'tickets:admin': 'Delete tickets'}}, 'clientCredentials': {'tokenUrl': 'https://acme.eu.auth0.com/oauth/token', 'scopes': {'tickets:read': 'Read tickets', 'tickets:write': 'Create and update tickets', 'tickets:admin': 'Delete tickets'}}}}}}, 'security': [{'auth0': ['tickets:read']}], 'paths': {'/health': {'get': {'summary': 'Liveness', 'security': [], 'responses': {'200': {'description': 'ok'}}}}, '/tickets': {'get': {'summary': 'List tickets', 'responses': {'200': {'description': 'ok'}}}, 'post': {'summary': 'Create a ticket', 'security': [{'auth0': ['tickets:write']}], 'responses': {'201': {'description': 'created'}}}}, '/tickets/{ticketId}': {'parameters': [{'name': 'ticketId', 'in': 'path', 'required': True, 'schema': {'type': 'string'}}], 'get': {'summary': 'Get a ticket', 'responses': {'200': {'description': 'ok'}}}, 'patch': {'summary': 'Update a ticket', 'security': [{'auth0': ['tickets:write']}, {'auth0': ['tickets:admin']}], 'responses': {'200': {'description': 'ok'}}}, 'delete': {'summary': 'Delete a ticket', 'security': [{'auth0': ['tickets:admin']}], 'responses': {'204': {'description': 'deleted'}}}}, '/tickets/{ticketId}/comments': {'post': {'summary': 'Comment', 'security': [{'auth0': ['tickets:read', 'tickets:write']}], 'responses': {'201': {'description': 'ok'}}}}, '/tickets/me': {'get': {'summary': 'My tickets', 'security': [{'auth0': ['openid']}], 'responses': {'200': {'description': 'ok'}}}}, '/reports/{reportId}:export': {'post': {'summary': 'Export a report', 'security': [{'auth0': ['tickets:admin']}], 'responses': {'200': {'description': 'ok'}}}}}}, 'response': 'HTTP/1.1 404 Not Found\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'operation.base_path', 'codes': ['scope.missing'], 'mentions': ['/v2']})


case('M-x11', 'README Known limits: roles under the ASP.NET ClaimTypes.Role URI were not read (2026-11-24, fifth round)', 'M',
     'A 403 to a token whose roles are under http://schemas.microsoft.com/ws/2008/06/identity/claims/role',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguY29udG9zby5jb20iLCJzdWIiOiJ1LTQyIiwiYXVkIjoib3JkZXJzLWFwaSIsImV4cCI6MTc5NTUwMzYwMCwiaWF0IjoxNzk1NDk5NDAwLCJodHRwOi8vc2NoZW1hcy5taWNyb3NvZnQuY29tL3dzLzIwMDgvMDYvaWRlbnRpdHkvY2xhaW1zL3JvbGUiOlsiT3JkZXJzLlJlYWRlciJdLCJuYW1lIjoiSmFuZSJ9.c2lnbmF0dXJlLWJ5dGVz', 'operation': 'DELETE https://orders.contoso.com/api/orders/17', 'response': 'HTTP/1.1 403 Forbidden\r\n\r\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'access.denied', 'mentions': ['Orders.Reader']})

case('L-x21', 'Token Doctor audit of 2026-11-24, fourth round (M19): a 2xx answer in hand was denied', 'L',
     'GET /users/{id}/manager answered 200 to a token without User.Read.All: the API allowed it',
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6IlNRVko4RWR5bmRDRzE4bVI2V3BCUlVVWmJucHNEblhwaXVmd2pmcVBrZjAiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk5NDAwLCJuYmYiOjE3OTU0OTk0MDAsImV4cCI6MTc5NTUwMzkzMCwiYWNyIjoiMSIsImFpbyI6IjN5aVYtSDc4WWY3NExzYUZ2cHJMVW5FTnhJV3RhZW9vSmVyT1V6bmp0a3hyUkVFWHpWUTZBUSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6Ijg5ZmVkMTcyLTFkYjEtNGFjZS1iMDU4LTM4Yzk4MmVmNTM4NCIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjY3ODc3ZGQ5LTkzNGQtNDk0Ni05MzdhLWIxYzIxMjlkNGVmMiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJVc2VyLlJlYWQiLCJzdWIiOiI4MDNfVzgxSW10MVdEWXd3T2VrLW1mYnZsNldiUDA3c28waWxEbzVmeE5FIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoic3NnWm81VEpuMndXZWlTR1B6ejkxZyIsInZlciI6IjEuMCJ9.iyr6UJSVfLTrFEeZ-2a4Q5lDBWffq9VjuFUAx2Nlo7n3EwJeTij3y_p7vzhZqvAX4zKAYG3qDzryyOiF9AFdSWIpv8QjdB0n_IAR4Mwd9SgUKYiTx03zvvwTBHVaFxeawN_X-pUBd0Wdh20cyrwqPWxqjy47rO37JhcdeENQqKV91JkzqxQL2E7IFZk9r1nue7wAgBRmlwKYagUMk8OEmrqbHKMUg3XIRKzH9HFiJvRT7-xt5xTVCq-T1tiA9mM1QYvTqGl98fwC9C7wU0wZBH6iVMfXO0jtCl_W4T1paoHWlzR58zntAuA0NjiYk2G-PotwuOD3m3Qmq_XIyvzaQQ', 'operation': 'GET https://graph.microsoft.com/v1.0/users/4d5e6f70-1111-4222-8333-444455556666/manager', 'response': 'HTTP/1.1 200 OK\r\n\r\n{"id":"x"}', 'now': 1795500000},
     {'verdict': 'allowed', 'first': 'scope.missing', 'codes': ['response.success']})


case('K-x14', 'README Known limits: a raw HTTP request to an introspection endpoint was read as an API call (2026-11-24, fifth round)', 'K',
     'A raw POST to Keycloak token/introspect with Basic caller credentials and token=<JWT>; its answer active:false pasted as the response',
     {'input': 'POST /realms/shop/protocol/openid-connect/token/introspect HTTP/1.1\r\nHost: sso.contoso.com\r\nAuthorization: Basic b3JkZXJzOnNlY3JldA==\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\ntoken=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3Nzby5jb250b3NvLmNvbS9yZWFsbXMvc2hvcCIsInN1YiI6InUiLCJhdWQiOiJvcmRlcnMiLCJleHAiOjE3OTU1MDM2MDAsImlhdCI6MTc5NTQ5OTQwMCwic2NvcGUiOiJvcmRlcnM6cmVhZCIsImF6cCI6IndlYiJ9.c2lnbmF0dXJl', 'response': '{"active":false}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'introspection.inactive', 'codes': ['input.introspection_request']})

case('K-x15', 'README Known limits: a raw HTTP request to an introspection endpoint was read as an API call (2026-11-24, fifth round)', 'K',
     'The same raw introspection request refused with invalid_client: the caller, not the token',
     {'input': 'POST /realms/shop/protocol/openid-connect/token/introspect HTTP/1.1\r\nHost: sso.contoso.com\r\nAuthorization: Basic b3JkZXJzOnNlY3JldA==\r\nContent-Type: application/x-www-form-urlencoded\r\n\r\ntoken=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3Nzby5jb250b3NvLmNvbS9yZWFsbXMvc2hvcCIsInN1YiI6InUiLCJhdWQiOiJvcmRlcnMiLCJleHAiOjE3OTU1MDM2MDAsImlhdCI6MTc5NTQ5OTQwMCwic2NvcGUiOiJvcmRlcnM6cmVhZCIsImF6cCI6IndlYiJ9.c2lnbmF0dXJl', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"error":"invalid_client","error_description":"Invalid client or Invalid client credentials"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'client.authentication_failed', 'absent': ['input.no_token', 'header.malformed']})


case('N-x26', 'Token Doctor audit of 2026-11-24, sixth round (C08)', 'N',
     'PowerShell 7 session: Invoke-RestMethod GET /me/messages with a token that HAS Mail.Read; PS7 ConciseView error with ErrorAccessDenied body',
     {'input': 'PS C:\\> Invoke-RestMethod -Uri https://graph.microsoft.com/v1.0/me/messages -Headers @{Authorization="Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjFkc1Q2VHFiU2oyVHpWZ3hOMXlNYkUtT3JlOUZsREd5NURoekthVEg4WXciLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6InZNaVZPVEpmVWRxQzh3SUxBS3B4QkZ2MUhtWXprcEJodFo2ME1BRW1jcFd0WWdXTU4yc3phQSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjRiNmZmODM2LTVkNzUtNGJhZC04MGRjLWQ1NzM3NDdlNjM1YiIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgTWFpbC5SZWFkIGVtYWlsIiwic3ViIjoiNjcxcnRUWnhZSTFyUERwTGhIQmJnS0M1eU1ZSmFYQXNDcHZTUXBCVHRNQSIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZS5kb2VAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInV0aSI6ImY0andCcWpYcVkyS2MzcHdJR2pFU0EiLCJ2ZXIiOiIxLjAifQ.x2nTqUPPPJZWRbTc9-szPltkfkkifLnPkUTauxOwO3KEcqRaFbmfy5DOCP-zPMPZ6SdGresL7vJb46SvuD_zke1XHp1z29x4N2zHRlKkHR0_qTTYZu1CzTEOdTmQbbRbxRTrrhBYl45sVpAzuD-Yq6ot2OWYf_LOnBOKZvE3LoiV00JLyodcGYmB_OJrQ5h4zFrEACZrNoyV-A39DX7lhyUhfEskxE1FoDQ50xcD8UxOQI34pHOlmIAk_WSEgpKOq0Wl2zRiN-FoB86SKQwni3nDzO7lDkK13Ip-X3e_XN2M0ZhxKOlWI1g6UgO3dKjdDn2JZ791xhBYG5cpep0hSg"}\nInvoke-RestMethod: \nLine |\n   1 |  Invoke-RestMethod -Uri https://graph.microsoft.com/v1.0/me/messages -Headers @{Auth …\n     |  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n     | {"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "9ced3918-5538-422a-88c8-6b574f800a97", "client-request-id": "e5648e8c-4469-44d9-88a6-431215bcb703"}}}\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'access.denied'})

case('N-x27', 'Token Doctor audit of 2026-11-24, sixth round (C04)', 'N',
     'PowerShell with -Authentication Bearer -Token (ConvertTo-SecureString) and PS7 error',
     {'input': 'PS C:\\> Invoke-RestMethod -Uri https://graph.microsoft.com/v1.0/me/messages -Authentication Bearer -Token (ConvertTo-SecureString "eyJ0eXAiOiJKV1QiLCJub25jZSI6Ik5mNWN6NXpzeTdSMVBnN3AySVpzaXZKU2xtVFJlZ09uOWxCYjNDTHNlMU0iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6IjV4WmE2VF9wLS1qamlDSTR4bGN0eUhEbWdEN2k5dFVGQktLOUZOUEY4Mmo4aHp4VDdCTkx3QSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjI3ZTZhMTIxLWVjOTItNDM0MC05YmYxLTIzMDBiNDQyMDdjOCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiJsUGZHTnNnZGZ1bXJBWVJqOThDbU5zaEk1eWl3QnhtVnM3alJ0VXJTWmRzIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiUjBCQ0lSN1B2QnFIZXZObnhpcUxtZyIsInZlciI6IjEuMCJ9.Huw-5-OS3PTj1Qnzaj6icduE-cE5hzVb6t7zqU_zp4Ozk4rRjIcbNC8XRG2xvwqI4Ur_ldqJaoxzNdTiSF56DhMQIEcXJmLZe9TutX9JO_hJUXz1OjFByMDtPa1efrzIHzBFD7SPY5-UC62tCDE0lNSIHRZQVIQ2HaqXEKXOJP6he9TSX0y_bupkYL5OdWVLFKRNahz5jkHtpydhMo74UbMB2aMiUT8bxv2b4Gjp6n4CJysDB5k5eyfqJ39t9u5vtvBPaC4aqsELMU6qkodrUuARgjtdcCUNlk0uKVtD8n71Ilkcbc5REvvRhEnEI7NeE3uSxcmN82jvJfAft1bIdg" -AsPlainText -Force)\nInvoke-RestMethod: \nLine |\n   1 |  Invoke-RestMethod -Uri https://graph.microsoft.com/v1.0/me/messages -Authenticat …\n     |  ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n     | {"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "9ced3918-5538-422a-88c8-6b574f800a97", "client-request-id": "e5648e8c-4469-44d9-88a6-431215bcb703"}}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x28', 'Token Doctor audit of 2026-11-24, sixth round (A10)', 'N',
     "bash: TOKEN=$(curl … /oauth/token (JSON body, Auth0 M2M) | jq -r .access_token), then curl $TOKEN to /api/v2/users; Auth0 403 'Insufficient scope, expected any of: read:users'",
     {'input': '$ TOKEN=$(curl -s --request POST --url https://acme.eu.auth0.com/oauth/token --header \'content-type: application/json\' --data \'{"client_id":"Xk3mQ9LpT2vR8sWn5YbZ1cDe7FgHj4Ka","client_secret":"\'"$SECRET"\'","audience":"https://acme.eu.auth0.com/api/v2/","grant_type":"client_credentials"}\' | jq -r .access_token)\n$ curl -s https://acme.eu.auth0.com/api/v2/users -H "Authorization: Bearer $TOKEN" | jq .\n{\n  "statusCode": 403,\n  "error": "Forbidden",\n  "message": "Insufficient scope, expected any of: read:users",\n  "errorCode": "insufficient_scope"\n}\n$ ', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x29', 'Token Doctor audit of 2026-11-24, sixth round (A21)', 'N',
     "Node snippet: fetch(url, {method:'DELETE', headers:{Authorization:`Bearer ${token}`}}) and console.log(res.status, await res.text()) printed 403 Genesys missing.permissions",
     {'input': 'const res = await fetch(`https://api.mypurecloud.com/api/v2/routing/queues/${queueId}`, {\n  method: \'DELETE\',\n  headers: { Authorization: `Bearer ${token}` },\n});\nconsole.log(res.status, await res.text());\n\n403 {"message": "Unable to perform the requested action. You are missing the following permission(s): [routing:queue:delete]", "code": "missing.permissions", "status": 403, "messageParams": {}, "contextId": "45cf453f-cf28-40e7-9334-33c6b55e1b59", "details": [], "errors": []}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing'})

case('N-x30', 'Token Doctor audit of 2026-11-24, sixth round (A05)', 'N',
     'PowerShell: $tok from a client-credentials token request, then iwr -Headers @{"Authorization"="Bearer $($tok.access_token)"} to GET /users; 5.1 error with Authorization_RequestDenied',
     {'input': 'PS C:\\> $tok = Invoke-RestMethod -Method Post -Uri "https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token" -Body @{client_id="4c8d2f1a-9e3b-4a7c-8d5e-1f2a3b4c5d6e"; client_secret=$secret; scope="https://graph.microsoft.com/.default"; grant_type="client_credentials"}\nPS C:\\> iwr -Uri "https://graph.microsoft.com/v1.0/users" -Headers @{"Authorization"="Bearer $($tok.access_token)"}\niwr : {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "23ab0fd6-58d6-4401-9d17-bc3940f36821", "client-request-id": "f10241a6-0039-4b52-9a00-238ebbf7764c"}}}\nAt line:1 char:1\n+ iwr -Uri "https://graph.microsoft.com/v1.0/users" -Headers @{"Authorizati ...\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~~\n    + CategoryInfo          : InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [Invoke-WebRequest], WebException\n    + FullyQualifiedErrorId : WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeWebRequestCommand', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'permission.missing'})

case('N-x31', 'Token Doctor audit of 2026-11-24, sixth round (A17)', 'N',
     "Python snippet: token = '<jwt>' literal, then headers={'Authorization': f'Bearer {token}'}, requests.get(users/{id}/messages); print(r.status_code, r.text) output 403 ErrorAccessDenied",
     {'input': 'import requests\ntoken = "eyJ0eXAiOiJKV1QiLCJub25jZSI6IjJxM3ZTUmxYbTkwTmVya0E0LXpEZllidUVIM1FNbHhvYUZ3eVFFUjVfSVEiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMjM5OSwiYWlvIjoiYU0zZG9fODM2YkxWMnZSM1NaeXZSbkYxVVBqTVotR3F6N0NzNDk5TVBHLWNmQmlrTnpiLWhnIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjE5NjJjNDc0LTdjYTgtNGVhMS04NjUzLTk2ZTQyOGRlMGQzNSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiMTk2MmM0NzQtN2NhOC00ZWExLTg2NTMtOTZlNDI4ZGUwZDM1IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoia1pGV3lUTjhlZUZsMlBOLTdrSmNrZyIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.8uJP1CbwPr1SZoA54z713FEmNuES-lC44lb7L7ePrgZNceDvsSnj9-D6wLWJnj2Bvw8WhUFPIu7kVWtt4dwRF0tlVJ87YfKSaPG0Pwnh3YlHXIc-f2o2k-PWZQMO4wX_6ue5xpLus8Vxdq3rhkPa83Lo1twnEUaReZhWHjGmzM3RcFlHNLh_s1hrqKl7h1NXmyZaB2fDHDgyvLroKOr-JfxdJUAYYT0Gy7fwSmAke9pN4vMN2j4L4BSdsIBS9L3wskjWcx7z6JtdHCOPyojSa90UxF5-Of_v0kgenknjXkjS9RmOtauw6zSIm593tf4uB64Hns8fxJxjBGPLwZXHxg"\nr = requests.get("https://graph.microsoft.com/v1.0/users/jane.doe@contoso.com/messages", headers={"Authorization": f"Bearer {token}"})\nprint(r.status_code, r.text)\n\n403 {"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "7eeb54d2-0eb9-4a77-8584-0bcd13a82eba", "client-request-id": "d2111b01-6929-4655-972a-408da348dfd6"}}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x32', 'Token Doctor audit of 2026-11-24, sixth round (A18)', 'N',
     'C#: var token = "<jwt>"; DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token); await client.PostAsync("…/users/{id}/sendMail", content) + HttpRequestException 403',
     {'input': 'var token = "eyJ0eXAiOiJKV1QiLCJub25jZSI6IkpBRDNwZjdtcXh0b2s5NEhmampXSXYwbFAyTDN0Vi1JNXVEdnlhYmE1ODQiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMjM5OSwiYWlvIjoiLVh0LWhQTjdXeVBBR1psMW9EaHZXSmp2YkVsS0pNQWhaZWFrZEhlQUtlVmJnM19jN0dLNFp3IiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjU0MWNhOTgxLWRhNDYtNDA1Mi04OTY2LTRkYjAyMmMxMzA0OCIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNTQxY2E5ODEtZGE0Ni00MDUyLTg5NjYtNGRiMDIyYzEzMDQ4IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiSnd3YUFGSkU4M3Q5M1A3V3JHQ2pfUSIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.5-Vcg3KDS1HuiaSd1ysdIzatCMA_9wWxysBXMsQXNW8rX7kbKY8PUfhfm1wIAfhWMBzttn-6irgQPqGAkRW3uPcFkGAapZLGs7grcHRppUL-DLitcvvqulAGpPUMKeGfUwXQRv0n_cR0oMQJ_aJfURJ1VDvt-6b19FYghxw3rcn2s6pN32FLARBe-okFsEssh4E2d-GA8Ae8djGMbUfxCyKOJE_bhALdZQmbOTlqI_4rZvDfESwJ2lMQGHid5nZT6iq0gdu6rvrH8BmzFs8Qhr8L8jo2KThY9gq1pH4D6rEw_XGES_l7U5fTDaOC6j90fsyNh82wIf2OluBKH2ZZng";\nusing var client = new HttpClient();\nclient.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token);\nvar content = new StringContent(json, Encoding.UTF8, "application/json");\nvar resp = await client.PostAsync("https://graph.microsoft.com/v1.0/users/noreply@contoso.com/sendMail", content);\nresp.EnsureSuccessStatusCode();\n\nUnhandled exception. System.Net.Http.HttpRequestException: Response status code does not indicate success: 403 (Forbidden).\n   at System.Net.Http.HttpResponseMessage.EnsureSuccessStatusCode()\n   at Program.<Main>$(String[] args) in C:\\src\\Mailer\\Program.cs:line 18', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x33', 'Token Doctor audit of 2026-11-24, sixth round (B07)', 'N',
     'Authorization: Bearer header followed by Content-Type: and Accept: lines (a headers block without request line)',
     {'input': 'Authorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6Ijd6a1hZWWllaFBRMTBkS1I0NFZrakxKRHdfSVFObWs0V1NWUVZvTFQ3Z00iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6IjhIZEU2UHZhMmdzZFA2N0RjT0Fhb2QxREpoZDI3YVFLa0FVV25WczdFbWJpOEh6UjBOckhpZyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjE1NTc3NDUwLWEyYzAtNGNjNC05YzE1LTQyMjhjMjkyYzJhNCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiIySml0S19IU1RZakJuNlNBRllWVDdhaUJldDRNS2lBVnpHXzVHREJBSkNVIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiTk5zOWx2bHoyZVJMMFFHSEFKbGJ5dyIsInZlciI6IjEuMCJ9.tWTETBabu0DwU1jsqrKedk2OJGYE5-f7b1SL3NsLZ5kIAJ5jlAU4g1YHDrvvHY5ZsWr2W2DAlcz25GJqJmxeSzkP3fEV74GluiKM45mn-QTSHGW-5WW7AcYfUqTPTHpuPIRrdjOYGvi8W0rajPakTcfK7XjHB4Zl_zStLX1THerDFEnRON8-fEHedmNUp3XKbD8r4VGdSPTCs95ZBBqcLP3O3WoK6x_gMg5mHsrZhKzK1sSQEDe2W2XnZiugE0WKWFizawEMD8N7R9Z9FB_ZmhXUydIqCVEn0IeNtpTCYqp_wJjcE7l1GqdLmstZ-fozeDc3pwCRHXGkA1IUT9WL1Q\nContent-Type: application/json\nAccept: application/json', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'now': 1795500000},
     {'verdict': 'allowed'})

case('N-x34', 'Token Doctor audit of 2026-11-24, sixth round (A28)', 'N',
     "Authorization header line, blank line, then the Graph JSON error body pasted below (no status line): InvalidAuthenticationToken 'Invalid audience.'",
     {'input': 'Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJhcGk6Ly9vcmRlcnMtYXBpIiwiaXNzIjoiaHR0cHM6Ly9zdHMud2luZG93cy5uZXQvNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3LyIsImlhdCI6MTc5NTQ5ODgwMCwibmJmIjoxNzk1NDk4ODAwLCJleHAiOjE3OTU1MDMzMzAsImFjciI6IjEiLCJhaW8iOiJJRUJETHhLcmhsU09GZExrYldGR3hkb2pWWTAyOUxwS3E4TnprNDNRUFB2ODZKUVJHSjlYeUEiLCJhbXIiOlsicHdkIiwibWZhIl0sImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gUG9ydGFsIiwiYXBwaWQiOiI0YzhkMmYxYS05ZTNiLTRhN2MtOGQ1ZS0xZjJhM2I0YzVkNmUiLCJhcHBpZGFjciI6IjAiLCJmYW1pbHlfbmFtZSI6IkRvZSIsImdpdmVuX25hbWUiOiJKYW5lIiwiaWR0eXAiOiJ1c2VyIiwiaXBhZGRyIjoiMjAzLjAuMTEzLjciLCJuYW1lIjoiSmFuZSBEb2UiLCJvaWQiOiI1OTAzMjdlZi01ZGE0LTQzODktODIwZC0zZDgwNDE1Y2E2ZTYiLCJwbGF0ZiI6IjMiLCJwdWlkIjoiMTAwMzIwMDFBMkIzQzRENSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic2NwIjoiT3JkZXJzLlJlYWQiLCJzdWIiOiJBbm9SN2EtT01aRHluYVRlWUljUjZVbmoyYTBHSXVHcXRfby1qejUxeDRNIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiaGxmV3F2NkxvNVVFU1ZWa2xoYlFkZyIsInZlciI6IjEuMCJ9.VAZ5DgcmMdTc0Qj8qXIESf2ReoOV41F_09q_bEj-8Wwm39FuCKXzGexwSsSypi4rpZcel9fuJpgSRc_FSGC2vT-HXm9YSuz8bKSpZnugqi4RtaeqphccS0znZowvKi1WPxI6e_h5HxB3JicCBpFocBSJTPaRz1YT5ohKJxbGy1ZJN01me6YomJbPvnp9QpUTbFp-yninMXuhjpjpLQT2spBk5oBmNMx47F8WwzM-I639nvguIEFMQOMLF2Lf_bcG-Y7-Jb76FkpEkTLDPvg9OlGuUVJWJH-me30l3QRjQjmvHIJFcEqUAPO7j8L7Bc7saZrH916tlaQUAEnIDbHkYQ\n\n{"error": {"code": "InvalidAuthenticationToken", "message": "Access token validation failure. Invalid audience.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "a0fd176f-1e01-48de-8407-ad26500da717", "client-request-id": "d99c623b-f1bf-4ec9-a414-956653671f34"}}}', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'audience.mismatch'})

case('N-x35', 'Token Doctor audit of 2026-11-24, sixth round (B18)', 'N',
     "Authorization header, blank line, '403 Forbidden' then a JSON body (answer pasted without HTTP/ status line)",
     {'input': 'Authorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6Ijd6a1hZWWllaFBRMTBkS1I0NFZrakxKRHdfSVFObWs0V1NWUVZvTFQ3Z00iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6IjhIZEU2UHZhMmdzZFA2N0RjT0Fhb2QxREpoZDI3YVFLa0FVV25WczdFbWJpOEh6UjBOckhpZyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjE1NTc3NDUwLWEyYzAtNGNjNC05YzE1LTQyMjhjMjkyYzJhNCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiIySml0S19IU1RZakJuNlNBRllWVDdhaUJldDRNS2lBVnpHXzVHREJBSkNVIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiTk5zOWx2bHoyZVJMMFFHSEFKbGJ5dyIsInZlciI6IjEuMCJ9.tWTETBabu0DwU1jsqrKedk2OJGYE5-f7b1SL3NsLZ5kIAJ5jlAU4g1YHDrvvHY5ZsWr2W2DAlcz25GJqJmxeSzkP3fEV74GluiKM45mn-QTSHGW-5WW7AcYfUqTPTHpuPIRrdjOYGvi8W0rajPakTcfK7XjHB4Zl_zStLX1THerDFEnRON8-fEHedmNUp3XKbD8r4VGdSPTCs95ZBBqcLP3O3WoK6x_gMg5mHsrZhKzK1sSQEDe2W2XnZiugE0WKWFizawEMD8N7R9Z9FB_ZmhXUydIqCVEn0IeNtpTCYqp_wJjcE7l1GqdLmstZ-fozeDc3pwCRHXGkA1IUT9WL1Q\n\n403 Forbidden\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "c068dc3f-2381-4a87-837f-f54c7f3539c3", "client-request-id": "a891361a-4023-4478-9b3f-4222748f0095"}}}', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x36', 'Token Doctor audit of 2026-11-24, sixth round (B16)', 'N',
     "A JWT as input, and the token endpoint's 200 answer (token response) pasted as response",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlNsZFI2YlcxUlVCUFRzcUNvbTAyUFgifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6IklnUnhNY2RJb1lBb1dLUzc4c2ZFZVVLM2RrNVFDaDloQGNsaWVudHMiLCJhdWQiOiJodHRwczovL2FwaS5hY21lLmNvbSIsImlhdCI6MTc5NTQ5ODgwMCwiZXhwIjoxNzk1NTg1MjAwLCJhenAiOiJJZ1J4TWNkSW9ZQW9XS1M3OHNmRWVVSzNkazVRQ2g5aCIsInNjb3BlIjoicmVhZDpvcmRlcnMgd3JpdGU6b3JkZXJzIiwiZ3R5IjoiY2xpZW50LWNyZWRlbnRpYWxzIn0.Wg1a_8Jjg5POHK5d-Q61mY1eGrnYOZObm8UojkgbOCMCyQSJVw_SELqAlON-S33JVzAi6k0EjV1fMTtIMW7q7ewO8BW6ZZgIqjXjA_ntOFHSHmrWQFtkW9g3BMGEYDSaZcsKYYu4-QeDyTv-oqljfZRg7l04OOCeZM3tbNsakNdSDyYYGkmNVe9zadCV7wUuhMobtE7oVUIIMACNk1dIj1OHktV20XLdfd0-S0FGuHOU2T4vBdeP4ouEi0lDOLgG_T7hkL54J7KW7aE7JFs6TLpZCB0t-d3Xn12ZhzsxadUSH34a32all5fnOK3q9AiryMnfpGyeTW2zFbaIZ-rpTg', 'operation': 'POST https://api.acme.com/v1/orders', 'response': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nCache-Control: no-store\r\n\r\n{"access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlNsZFI2YlcxUlVCUFRzcUNvbTAyUFgifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6IklnUnhNY2RJb1lBb1dLUzc4c2ZFZVVLM2RrNVFDaDloQGNsaWVudHMiLCJhdWQiOiJodHRwczovL2FwaS5hY21lLmNvbSIsImlhdCI6MTc5NTQ5ODgwMCwiZXhwIjoxNzk1NTg1MjAwLCJhenAiOiJJZ1J4TWNkSW9ZQW9XS1M3OHNmRWVVSzNkazVRQ2g5aCIsInNjb3BlIjoicmVhZDpvcmRlcnMgd3JpdGU6b3JkZXJzIiwiZ3R5IjoiY2xpZW50LWNyZWRlbnRpYWxzIn0.Wg1a_8Jjg5POHK5d-Q61mY1eGrnYOZObm8UojkgbOCMCyQSJVw_SELqAlON-S33JVzAi6k0EjV1fMTtIMW7q7ewO8BW6ZZgIqjXjA_ntOFHSHmrWQFtkW9g3BMGEYDSaZcsKYYu4-QeDyTv-oqljfZRg7l04OOCeZM3tbNsakNdSDyYYGkmNVe9zadCV7wUuhMobtE7oVUIIMACNk1dIj1OHktV20XLdfd0-S0FGuHOU2T4vBdeP4ouEi0lDOLgG_T7hkL54J7KW7aE7JFs6TLpZCB0t-d3Xn12ZhzsxadUSH34a32all5fnOK3q9AiryMnfpGyeTW2zFbaIZ-rpTg", "scope": "read:orders write:orders", "expires_in": 86400, "token_type": "Bearer"}', 'now': 1795500000},
     {'verdict': 'unknown'})

case('N-x37', 'Token Doctor audit of 2026-11-24, sixth round (B17)', 'N',
     'A .NET log with a successful 200 call (GET /users) then a failing 403 call (POST /users/{id}/sendMail) with the same token',
     {'input': 'info: System.Net.Http.HttpClient.GraphClient.LogicalHandler[100]\n      Start processing HTTP request GET https://graph.microsoft.com/v1.0/users?$top=1\ntrce: System.Net.Http.HttpClient.GraphClient.ClientHandler[102]\n      Request Headers:\n      Authorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IldLSUJzbUpEaEpYTjZrY2NkVzVfQmlNMVBEeFY2RFdHSm1aRlVKVWNaRkkiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMjM5OSwiYWlvIjoiME9WOHJBMWIyb3otZzNFbzRuOHI5VFUxNXVCTFV1SnAwZjV1by1DUmdRUTBXMVdnN3FxOGt3IiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjQ3MzRiMjJhLWZhODYtNDBlNy1hNDNkLTJiOWFiMmVhZmY2MiIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNDczNGIyMmEtZmE4Ni00MGU3LWE0M2QtMmI5YWIyZWFmZjYyIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiOGNhb2tpbWFmWC00TFpYOHVHS2lEdyIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.4gCAEr1EzsLOIdtKXe8XQwqdUIihJWsjagDRnfrZm_7NSyC56yZ0h7nw5ZA6eu8QbrO0QkuPnpo3witf3O4wbItXfKrL83dxTRxqyTYhOnu9NOUlFFGlWk_aQ1GU1yd206rd554KHHfhieL8XWoWDIMOGzaNa5u1qKd5nRVbQvjr_4qOKYvUyLVQPEk2NvLfCLU3K5vDs5GbVu147f78VIU3wZiTASfON5CEpy2E4qz6aEPfeNCL1SATCeS4lVxZEQTtSj0YpClQd_KECS8nUzV2ncWJWk2MvwoIcrvTJterhUt5eicIAaOFWEX2RMDUcIx8m1lzGeESVLmOfPg3dA\ninfo: System.Net.Http.HttpClient.GraphClient.ClientHandler[101]\n      Received HTTP response headers after 212.4ms - 200\ninfo: System.Net.Http.HttpClient.GraphClient.LogicalHandler[100]\n      Start processing HTTP request POST https://graph.microsoft.com/v1.0/users/noreply@contoso.com/sendMail\ntrce: System.Net.Http.HttpClient.GraphClient.ClientHandler[102]\n      Request Headers:\n      Authorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IldLSUJzbUpEaEpYTjZrY2NkVzVfQmlNMVBEeFY2RFdHSm1aRlVKVWNaRkkiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMjM5OSwiYWlvIjoiME9WOHJBMWIyb3otZzNFbzRuOHI5VFUxNXVCTFV1SnAwZjV1by1DUmdRUTBXMVdnN3FxOGt3IiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjQ3MzRiMjJhLWZhODYtNDBlNy1hNDNkLTJiOWFiMmVhZmY2MiIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNDczNGIyMmEtZmE4Ni00MGU3LWE0M2QtMmI5YWIyZWFmZjYyIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoiOGNhb2tpbWFmWC00TFpYOHVHS2lEdyIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.4gCAEr1EzsLOIdtKXe8XQwqdUIihJWsjagDRnfrZm_7NSyC56yZ0h7nw5ZA6eu8QbrO0QkuPnpo3witf3O4wbItXfKrL83dxTRxqyTYhOnu9NOUlFFGlWk_aQ1GU1yd206rd554KHHfhieL8XWoWDIMOGzaNa5u1qKd5nRVbQvjr_4qOKYvUyLVQPEk2NvLfCLU3K5vDs5GbVu147f78VIU3wZiTASfON5CEpy2E4qz6aEPfeNCL1SATCeS4lVxZEQTtSj0YpClQd_KECS8nUzV2ncWJWk2MvwoIcrvTJterhUt5eicIAaOFWEX2RMDUcIx8m1lzGeESVLmOfPg3dA\ninfo: System.Net.Http.HttpClient.GraphClient.ClientHandler[101]\n      Received HTTP response headers after 98.1ms - 403\nfail: Mailer[0]\n      System.Net.Http.HttpRequestException: Response status code does not indicate success: 403 (Forbidden).', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x38', 'Token Doctor audit of 2026-11-24, sixth round (A15)', 'N',
     'Postman Console copied whole: first the token request (POST …/v1/token, 200), then GET https://orders.acme.com/api/orders/42 with Bearer (403 insufficient_scope orders.write? no: GET -> 403 with scope orders.admin)',
     {'input': 'POST https://acme.okta.com/oauth2/default/v1/token\n200\n312 ms\nNetwork\nRequest Headers\nContent-Type: application/x-www-form-urlencoded\nAuthorization: Basic MG9hYWJjOnNlY3JldA==\nUser-Agent: PostmanRuntime/7.43.0\nRequest Body\ngrant_type: "client_credentials"\nscope: "orders.read"\nResponse Headers\nContent-Type: application/json\nResponse Body\n{"token_type":"Bearer","expires_in":3600,"access_token":"eyJraWQiOiJORHBzQjJjSlZHeV9QTHpRZFZjM0FVZW5QZWFrNEo1bnBTalZoWF9YXzNvIiwiYWxnIjoiUlMyNTYifQ.eyJ2ZXIiOjEsImp0aSI6IkFULlAxTDhEVTFSM0xXeVZpUkdZU2IxOUEzRnNvRGxtbUNzd0xneTRhLWNqZUEiLCJpc3MiOiJodHRwczovL2FjbWUub2t0YS5jb20vb2F1dGgyL2RlZmF1bHQiLCJhdWQiOiJhcGk6Ly9kZWZhdWx0IiwiaWF0IjoxNzk1NDk4ODAwLCJleHAiOjE3OTU1MDI0MDAsImNpZCI6IjBvYXh4OEYyTGQ2bWo4ck5hQlpZIiwic3ViIjoiMG9heHg4RjJMZDZtajhyTmFCWlkiLCJzY3AiOlsib3JkZXJzLnJlYWQiXX0.xHLlgNBbdssymxf28Na67ceDBffQ3F7CiyIJu_jTdnT_n7HYJj5TmmIQtWMYgXJxNYps12L75gszOOS4rEk402QQzC1mdvMw9ZwQ-Eg2ri_f_Vlp5KcKZXqtrrbCZm64Jv4qIHrBVp4nRn0v3XmrKyDli61d4D5p9xeDBuyzjogPywtjvjNgRm5pJvCoEWhTZM3WWYRnBxilRRw6hZgmi226i6P22Og5kzKs7zhnDHLYg3bjqomNiVXvtYCNUjQv1uFuf0ki3hV__kNh7TPfh4Ov0uTcCfNSFjpZxO7eBZKsay6atx-P95wcPyRpJjW_1u4KNXU0EJTPezsjhjrI2g","scope":"orders.read"}\nGET https://orders.acme.com/api/orders/42\n403\n87 ms\nNetwork\nRequest Headers\nAuthorization: Bearer eyJraWQiOiJORHBzQjJjSlZHeV9QTHpRZFZjM0FVZW5QZWFrNEo1bnBTalZoWF9YXzNvIiwiYWxnIjoiUlMyNTYifQ.eyJ2ZXIiOjEsImp0aSI6IkFULlAxTDhEVTFSM0xXeVZpUkdZU2IxOUEzRnNvRGxtbUNzd0xneTRhLWNqZUEiLCJpc3MiOiJodHRwczovL2FjbWUub2t0YS5jb20vb2F1dGgyL2RlZmF1bHQiLCJhdWQiOiJhcGk6Ly9kZWZhdWx0IiwiaWF0IjoxNzk1NDk4ODAwLCJleHAiOjE3OTU1MDI0MDAsImNpZCI6IjBvYXh4OEYyTGQ2bWo4ck5hQlpZIiwic3ViIjoiMG9heHg4RjJMZDZtajhyTmFCWlkiLCJzY3AiOlsib3JkZXJzLnJlYWQiXX0.xHLlgNBbdssymxf28Na67ceDBffQ3F7CiyIJu_jTdnT_n7HYJj5TmmIQtWMYgXJxNYps12L75gszOOS4rEk402QQzC1mdvMw9ZwQ-Eg2ri_f_Vlp5KcKZXqtrrbCZm64Jv4qIHrBVp4nRn0v3XmrKyDli61d4D5p9xeDBuyzjogPywtjvjNgRm5pJvCoEWhTZM3WWYRnBxilRRw6hZgmi226i6P22Og5kzKs7zhnDHLYg3bjqomNiVXvtYCNUjQv1uFuf0ki3hV__kNh7TPfh4Ov0uTcCfNSFjpZxO7eBZKsay6atx-P95wcPyRpJjW_1u4KNXU0EJTPezsjhjrI2g\nUser-Agent: PostmanRuntime/7.43.0\nAccept: */*\nResponse Headers\nWWW-Authenticate: Bearer error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="orders.admin"\nContent-Length: 0', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x39', 'Token Doctor audit of 2026-11-24, sixth round (A40)', 'N',
     "bash: curl -i GET graph /me with a Graph token that expired 50 min ago; 401 InvalidAuthenticationToken 'Access token has expired or is not yet valid.'",
     {'input': '$ curl -i https://graph.microsoft.com/v1.0/me -H "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IldBTVV0M2JxR0o5T044eFZXOVhEU1lIOWl0ajViMXd0ZEk5MjNYeG55N28iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDkxMDAwLCJuYmYiOjE3OTU0OTEwMDAsImV4cCI6MTc5NTQ5NTUzMCwiYWNyIjoiMSIsImFpbyI6Ii1uYXdnOHVWVksxdU5IM1YwWUdncVlud3dITHN4VnZGNl9jQWNDRk1naEI3UkVyMHFWR3drZyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6Ijc0MTRhYzI3LTA4YWEtNGQ5Ny05OGU4LTgxYWU5NTM1OWQyMSIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiJkQ3pqTnNVSHNHRENTcEx1OEhkbjdXQXFTRUdXS1YyVGF5dkRGcmlkaFdRIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiV0ZNN1pzMGlOdElLOU16b0twbm9UZyIsInZlciI6IjEuMCJ9.DZCI44gokBmMOGUcy5SJaNi_sAqNVSYvB6kCpsOoAiAn1c5P5ivMUGN2ushyD16LyQB81rWMGaCef6K8llPQ0PFz0thTAy2foDrXNqfLJxT_pYKMjHdKvOnpH0aSUdXEH76k7yLnqTAMjL55XjXBay9HLxlyKD3BeyU8QjhM80l47kkMqPzeujEtTm2nZ_UEy8TVPQBSlv6OaRfO4LOaGWzyLYO9M_piSvv7ZrEaaSm8MxMr4CnF9d4QiLOHy2YUF-2ImEtY8oKsObriLtPee37hScCKbkvzvA8QkFPCZSQwF74S_e45DgSN3E5wwJ8p8HLzAb30cB2DtcYncHbs-g"\nHTTP/2 401 \ncontent-type: application/json\nwww-authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"\n\n{"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "5a3551f7-67b3-459b-8a7b-e5a734daed1f", "client-request-id": "7c8c1799-19f0-4d4b-bb59-fc6c4f35937e"}}}\n$ ', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.expired'})

case('N-x40', 'Token Doctor audit of 2026-11-24, sixth round (A41)', 'N',
     "Graph 401 'Access token has expired or is not yet valid.' for a token shown that is valid (issued 20 min ago): the integration sends another token",
     {'input': 'Authorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6Ijd6a1hZWWllaFBRMTBkS1I0NFZrakxKRHdfSVFObWs0V1NWUVZvTFQ3Z00iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6IjhIZEU2UHZhMmdzZFA2N0RjT0Fhb2QxREpoZDI3YVFLa0FVV25WczdFbWJpOEh6UjBOckhpZyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjE1NTc3NDUwLWEyYzAtNGNjNC05YzE1LTQyMjhjMjkyYzJhNCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiIySml0S19IU1RZakJuNlNBRllWVDdhaUJldDRNS2lBVnpHXzVHREJBSkNVIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiTk5zOWx2bHoyZVJMMFFHSEFKbGJ5dyIsInZlciI6IjEuMCJ9.tWTETBabu0DwU1jsqrKedk2OJGYE5-f7b1SL3NsLZ5kIAJ5jlAU4g1YHDrvvHY5ZsWr2W2DAlcz25GJqJmxeSzkP3fEV74GluiKM45mn-QTSHGW-5WW7AcYfUqTPTHpuPIRrdjOYGvi8W0rajPakTcfK7XjHB4Zl_zStLX1THerDFEnRON8-fEHedmNUp3XKbD8r4VGdSPTCs95ZBBqcLP3O3WoK6x_gMg5mHsrZhKzK1sSQEDe2W2XnZiugE0WKWFizawEMD8N7R9Z9FB_ZmhXUydIqCVEn0IeNtpTCYqp_wJjcE7l1GqdLmstZ-fozeDc3pwCRHXGkA1IUT9WL1Q', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'response': 'HTTP/1.1 401 Unauthorized\r\nContent-Type: application/json\r\n\r\n{"error": {"code": "InvalidAuthenticationToken", "message": "Access token has expired or is not yet valid.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "13a1f658-2fdf-464b-93af-d9f68131c39c", "client-request-id": "c151221f-4b7a-4f56-b232-7e446180e6a0"}}}', 'now': 1795500000},
     {'verdict': 'allowed', 'first': 'token.stale'})

case('N-x41', 'Token Doctor audit of 2026-11-24, sixth round (A19)', 'N',
     'Java OkHttp HttpLoggingInterceptor (BODY): --> GET https://acme.okta.com/api/v1/groups, Authorization: Bearer, <-- 403 Forbidden … (123ms), www-authenticate insufficient_scope okta.groups.read',
     {'input': 'I/okhttp.OkHttpClient: --> GET https://acme.okta.com/api/v1/groups?limit=200\nI/okhttp.OkHttpClient: Authorization: Bearer eyJraWQiOiJyR3BnbVR6Q284WFZRenc5aWZaeGdfMFFrT2hlcmk3Q2owbHlBSFpSQjg4IiwiYWxnIjoiUlMyNTYifQ.eyJ2ZXIiOjEsImp0aSI6IkFULmxMVUZ4dGkxaWZnTlA2eU1FYmRaX1N6OHdzcnExQnJnY01YdzU0THdPWXciLCJpc3MiOiJodHRwczovL2FjbWUub2t0YS5jb20iLCJhdWQiOiJodHRwczovL2FjbWUub2t0YS5jb20iLCJpYXQiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMjQwMCwiY2lkIjoiMG9hWjBIRmVFb2d4eDlqUk9wTXUiLCJzdWIiOiIwb2FaMEhGZUVvZ3h4OWpST3BNdSIsInNjcCI6WyJva3RhLnVzZXJzLnJlYWQiXX0.rRT42-MiGGPBwF8K5joApmzrwRGgzsJyxE67JjxHlPLrHSOWf6fZ7i_pkn1TEZns10rWSZvYheoJBS1fVzA5noDlQ6OsgXi3QoFVko1cYJzS_dmrJH0g8b6FKCispCfH8CK-zFBOd5OtPN9GOCzJBMlh-eqy5_mR3JrOEE0-pUniMrfEpUP7frB93mNVrw8uwxZcUptCZD5igDTDX3f_Eqry1JayPWZusjIOUQPouZYQ7oYxleNu3qy9es73kD_ZEH2KtZuta44uxdrdRAmXOYeQz5LxAXlUqOqybwrVCNHCnLuFuOBFo1IbbnnlNk4eDu4oxzT4u212q3FTRmd78A\nI/okhttp.OkHttpClient: Accept: application/json\nI/okhttp.OkHttpClient: --> END GET\nI/okhttp.OkHttpClient: <-- 403 Forbidden https://acme.okta.com/api/v1/groups?limit=200 (123ms)\nI/okhttp.OkHttpClient: content-type: application/json\nI/okhttp.OkHttpClient: www-authenticate: Bearer authorization_uri="https://acme.okta.com/oauth2/v1/authorize", realm="https://acme.okta.com", scope="okta.groups.read", error="insufficient_scope", error_description="The access token provided does not contain the required scopes.", resource="/api/v1/groups"\nI/okhttp.OkHttpClient: {"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action","errorLink":"E0000006","errorId":"oae8Qn3r","errorCauses":[]}\nI/okhttp.OkHttpClient: <-- END HTTP (146-byte body)', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x42', 'Token Doctor audit of 2026-11-24, sixth round (A38)', 'N',
     "Spring WebClient DEBUG log (client side): HTTP GET https://orders.acme.io/api/orders, Authorization: Bearer <Keycloak token iss http://localhost:8080/realms/shop>, 401 with 'The iss claim is not valid'",
     {'input': '2026-11-24 06:00:00.101 DEBUG 7 --- [ctor-http-nio-2] o.s.w.r.f.client.ExchangeFunctions       : [5b1c2d3e] HTTP GET https://orders.acme.io/api/orders\n2026-11-24 06:00:00.102 TRACE 7 --- [ctor-http-nio-2] o.s.w.r.f.client.ExchangeFunctions       : [5b1c2d3e] Request headers: [Authorization:"Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6InRsYnpLdmU0LWhaaXRiNFhoVHdKbXQ4ZkF1TGlsYzZaOEVaSzZWWXhUMTAifQ.eyJleHAiOjE3OTU1MDI0MDAsImlhdCI6MTc5NTQ5ODgwMCwianRpIjoiMjVjOWJkMzctZDlkNC00MDNmLTllYzEtMGNmYmQ0MjI0MDE1IiwiaXNzIjoiaHR0cDovL2xvY2FsaG9zdDo4MDgwL3JlYWxtcy9zaG9wIiwiYXVkIjoib3JkZXJzLWFwaSIsInN1YiI6IjBmZDNhYzE1LTIxNmItNDc5NC04N2MzLTdlM2FiMTdiYTQ4YiIsInR5cCI6IkJlYXJlciIsImF6cCI6Im9yZGVycy1jbGllbnQiLCJzZXNzaW9uX3N0YXRlIjoiYjhlOTg1NjgtMDJlMC00OWExLWEyOGUtZmQ2NGJmYTg5NTIyIiwiYWNyIjoiMSIsInNjb3BlIjoicHJvZmlsZSBlbWFpbCBvcmRlcnM6cmVhZCJ9.mViTQCz0Z54AccLCt8tOOwvjFgPHW8av5PUVYJNvHfIwT_9xs1IIdUgzpdhg39x5oDu50nrd_balp_WIAjK4O0GNtq-1_DQkpw9SGvl7w19GWyD_9dwJSsM98Jatht34MokV2DxF0D6iLihoZW08uVJBCyske5qQPXQMLVvIViqGLHF023NkLgLIcStfbQ137brygThtKqDdrCZvsmOdz-S9McG0GWxQU3djq5ijrfO_06cZNuitnXvmZShViRvN0iUw-HrOpCUeeaRCedR3GZppGSWHpkK-ZPTm-KbRjz4Rv17z8kvRK4qbolNOWYqaG_rrbtSbBC3NyAqMaFTTlw", Accept:"application/json"]\n2026-11-24 06:00:00.233 DEBUG 7 --- [ctor-http-nio-2] o.s.w.r.f.client.ExchangeFunctions       : [5b1c2d3e] [7a8b9c0d-1] Response 401 UNAUTHORIZED\n2026-11-24 06:00:00.234 TRACE 7 --- [ctor-http-nio-2] o.s.w.r.f.client.ExchangeFunctions       : [5b1c2d3e] Response headers: [WWW-Authenticate:"Bearer error=\\"invalid_token\\", error_description=\\"An error occurred while attempting to decode the Jwt: The iss claim is not valid\\", error_uri=\\"https://tools.ietf.org/html/rfc6750#section-3.1\\""]', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'issuer.mismatch'})

case('N-x43', 'Token Doctor audit of 2026-11-24, sixth round (A20)', 'N',
     "Node axios error printed by console.error(err.response): status 401, data in JS object notation { error: 'invalid_token', … }, config.headers with the Bearer token (expired 1 h ago)",
     {'input': '{\n  status: 401,\n  statusText: \'Unauthorized\',\n  headers: AxiosHeaders {\n    \'www-authenticate\': \'Bearer error="invalid_token", error_description="The token expired at \\\'11/24/2026 05:00:00\\\'"\',\n    \'content-length\': \'0\'\n  },\n  config: {\n    method: \'get\',\n    url: \'https://orders.contoso.com/api/orders\',\n    headers: Object [AxiosHeaders] {\n      Accept: \'application/json, text/plain, */*\',\n      Authorization: \'Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkwxS2ZLRklfam5YYndXYzIyeFp4dzFzVUhIMCJ9.eyJhdWQiOiJhcGk6Ly9vcmRlcnMtYXBpIiwiaXNzIjoiaHR0cHM6Ly9sb2dpbi5taWNyb3NvZnRvbmxpbmUuY29tLzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny92Mi4wIiwiaWF0IjoxNzk1NDkyODAwLCJuYmYiOjE3OTU0OTI4MDAsImV4cCI6MTc5NTQ5NjQwMCwiYWlvIjoiM1Z3VTlneHphVG5Jc0RtSmdzWHBWNXFNcmJNRVRHYmctWnNrRlVSWHBaaEdMeFVWT3dReFVBIiwiYXpwIjoiMTRhNmZlOWYtNzkxZC00NWQ0LWEwY2UtMDlkYTM5NzIyNTQ2IiwiYXpwYWNyIjoiMCIsIm9pZCI6IjAxZTdkNzJlLWI1YmQtNDgxOC1hOTM0LWNiMjA5NWUyOGQ4ZSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoicko1cmlDLThmU2pnUVoxYUxYNnRzdVNTaTd0Q2ZzdzZ4YnphbFRvZG5rTSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6IlRnLUktOVotY0szXzZZTTVCSFplc0EiLCJ2ZXIiOiIyLjAiLCJuYW1lIjoiSmFuZSBEb2UiLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInNjcCI6Ik9yZGVycy5SZWFkIn0.K6soXR65go-hLqQO9yOhC0RmI14gfqBciVG9tAHLwfV4MC5oJatF07UbiBlMmjCOqGkKYNBlhoWBFSuLSs0kq47O7G2xRWrOju5C4qrvJkT3eoeFjbpLiUeHpWFwhDbHQ6meRiOirav_9JCbHPD7UVoCjPwqk1BtLKaHd9H5ceVQgsY8JefLXRfdiBs0LQCBALhX-1vbMFuG4YxG_RZfTKeu_PVed05RFW4yVfilAThehehyHqKID3LA4l93sGi6Zx5Mz9HFCYIwQwJU_sM0Tcch3S-AzaZ0EP447toysO_vjfqcqmJjuOQ_M5OBzaYRioABpyG7aPbP8WCD6gY0FQ\',\n      \'User-Agent\': \'axios/1.7.7\'\n    }\n  },\n  data: \'\'\n}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'token.expired'})

case('N-x44', 'Token Doctor audit of 2026-11-24, sixth round (A42)', 'N',
     "A HAR entry (DevTools 'Copy as HAR' of one request): JSON with request.method/url/headers[Authorization] and response.status 403",
     {'input': '{\n  "startedDateTime": "2026-11-24T05:59:58.120Z",\n  "request": {\n    "method": "GET",\n    "url": "https://graph.microsoft.com/v1.0/me/messages?$top=10",\n    "httpVersion": "http/2.0",\n    "headers": [\n      {\n        "name": ":authority",\n        "value": "graph.microsoft.com"\n      },\n      {\n        "name": "authorization",\n        "value": "Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6Ijd6a1hZWWllaFBRMTBkS1I0NFZrakxKRHdfSVFObWs0V1NWUVZvTFQ3Z00iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6IjhIZEU2UHZhMmdzZFA2N0RjT0Fhb2QxREpoZDI3YVFLa0FVV25WczdFbWJpOEh6UjBOckhpZyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjE1NTc3NDUwLWEyYzAtNGNjNC05YzE1LTQyMjhjMjkyYzJhNCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiIySml0S19IU1RZakJuNlNBRllWVDdhaUJldDRNS2lBVnpHXzVHREJBSkNVIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiTk5zOWx2bHoyZVJMMFFHSEFKbGJ5dyIsInZlciI6IjEuMCJ9.tWTETBabu0DwU1jsqrKedk2OJGYE5-f7b1SL3NsLZ5kIAJ5jlAU4g1YHDrvvHY5ZsWr2W2DAlcz25GJqJmxeSzkP3fEV74GluiKM45mn-QTSHGW-5WW7AcYfUqTPTHpuPIRrdjOYGvi8W0rajPakTcfK7XjHB4Zl_zStLX1THerDFEnRON8-fEHedmNUp3XKbD8r4VGdSPTCs95ZBBqcLP3O3WoK6x_gMg5mHsrZhKzK1sSQEDe2W2XnZiugE0WKWFizawEMD8N7R9Z9FB_ZmhXUydIqCVEn0IeNtpTCYqp_wJjcE7l1GqdLmstZ-fozeDc3pwCRHXGkA1IUT9WL1Q"\n      },\n      {\n        "name": "accept",\n        "value": "application/json"\n      }\n    ]\n  },\n  "response": {\n    "status": 403,\n    "statusText": "",\n    "headers": [\n      {\n        "name": "content-type",\n        "value": "application/json"\n      }\n    ],\n    "content": {\n      "mimeType": "application/json",\n      "text": "{\\"error\\": {\\"code\\": \\"ErrorAccessDenied\\", \\"message\\": \\"Access is denied. Check credentials and try again.\\", \\"innerError\\": {\\"date\\": \\"2026-11-24T05:59:12\\", \\"request-id\\": \\"c068dc3f-2381-4a87-837f-f54c7f3539c3\\", \\"client-request-id\\": \\"a891361a-4023-4478-9b3f-4222748f0095\\"}}}"\n    }\n  }\n}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x45', 'Token Doctor audit of 2026-11-24, sixth round (A30)', 'N',
     'cmd.exe: set TOKEN=<jwt>, then curl -H "Authorization: Bearer %TOKEN%" to Graph /me/messages; ErrorAccessDenied printed',
     {'input': 'C:\\work>set TOKEN=eyJ0eXAiOiJKV1QiLCJub25jZSI6InpGNWxNZVpKMGRhWW1yS09ZRTF6Q19zallocmJOQnNNelJlbFUtaGY0RVkiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6Illob2V1XzVTTm12b01sVkItVENYMUR3aTdsVTA1dGE5RXloZnJRdXJ2YjQyRGZ2Q21qVEdmZyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6Ijg5NDBkYzQxLTczMTktNDQyNi04YTY5LWExNmM2N2QzMTU0MCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiI5elY2STdwRC1kT0J0alU5RjM0bjdPTEZFWDZycVREdkxiSlVzUnJxWWJjIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiZEVoMVFIeWNNajg3SUVOTHF0R3Z4dyIsInZlciI6IjEuMCJ9.sCFYgI9D1M1OR2r3Unxd7I-uGytXzs6-IiCWnvbntTyPbTIp1AlLkNpVnqr7WFImprYDm6vm7gEFy5QZYGHmI84ZE4Wb-WRv_lwzARKRGDKLM2o46iVxX7X7h-c5b8zXwKzFlQNmJv0uD9OmdS4T9xfSAlAsXZlc_iRQBVN69M8kJSQx4FICEcAvwBdrDzFUj6I7us32dP7FNjhvLYYxu2bxnUl8ZNH_khLwHGn_Prz5RbJPT-RBQuytFjkVA7hKc4zv9P8L5ZtI-olt8qSt5d8zemEnqevHSN8TuxmUQPmkiK0UbSo_PNhxnauX65hg3bFSH_-33gTlPF6ZycqDMg\n\nC:\\work>curl -s -H "Authorization: Bearer %TOKEN%" https://graph.microsoft.com/v1.0/me/messages\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "7eeb54d2-0eb9-4a77-8584-0bcd13a82eba", "client-request-id": "d2111b01-6929-4655-972a-408da348dfd6"}}}\nC:\\work>', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x46', 'Token Doctor audit of 2026-11-24, sixth round (A31)', 'N',
     'PowerShell splatting: $params = @{ Uri = \'…/users/…/messages\'; Headers = @{ Authorization = "Bearer <jwt>" }; Method = \'Get\' }; Invoke-RestMethod @params; 5.1 error ErrorAccessDenied',
     {'input': 'PS C:\\> $params = @{ Uri = \'https://graph.microsoft.com/v1.0/users/jane.doe@contoso.com/messages\'; Headers = @{ Authorization = "Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjJxM3ZTUmxYbTkwTmVya0E0LXpEZllidUVIM1FNbHhvYUZ3eVFFUjVfSVEiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMjM5OSwiYWlvIjoiYU0zZG9fODM2YkxWMnZSM1NaeXZSbkYxVVBqTVotR3F6N0NzNDk5TVBHLWNmQmlrTnpiLWhnIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjE5NjJjNDc0LTdjYTgtNGVhMS04NjUzLTk2ZTQyOGRlMGQzNSIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiMTk2MmM0NzQtN2NhOC00ZWExLTg2NTMtOTZlNDI4ZGUwZDM1IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoia1pGV3lUTjhlZUZsMlBOLTdrSmNrZyIsInZlciI6IjEuMCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXX0.8uJP1CbwPr1SZoA54z713FEmNuES-lC44lb7L7ePrgZNceDvsSnj9-D6wLWJnj2Bvw8WhUFPIu7kVWtt4dwRF0tlVJ87YfKSaPG0Pwnh3YlHXIc-f2o2k-PWZQMO4wX_6ue5xpLus8Vxdq3rhkPa83Lo1twnEUaReZhWHjGmzM3RcFlHNLh_s1hrqKl7h1NXmyZaB2fDHDgyvLroKOr-JfxdJUAYYT0Gy7fwSmAke9pN4vMN2j4L4BSdsIBS9L3wskjWcx7z6JtdHCOPyojSa90UxF5-Of_v0kgenknjXkjS9RmOtauw6zSIm593tf4uB64Hns8fxJxjBGPLwZXHxg" }; Method = \'Get\' }\nPS C:\\> Invoke-RestMethod @params\nInvoke-RestMethod : {"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "7eeb54d2-0eb9-4a77-8584-0bcd13a82eba", "client-request-id": "d2111b01-6929-4655-972a-408da348dfd6"}}}\nAt line:1 char:1\n+ Invoke-RestMethod @params\n+ ~~~~~~~~~~~~~~~~~~~~~~~~~\n    + CategoryInfo          : InvalidOperation: (System.Net.HttpWebRequest:HttpWebRequest) [Invoke-RestMethod], WebException\n    + FullyQualifiedErrorId : WebCmdletWebResponseException,Microsoft.PowerShell.Commands.InvokeRestMethodCommand', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x47', 'Token Doctor audit of 2026-11-24, sixth round (C01)', 'N',
     'One line: export TOKEN=<jwt> (copied from a shell history)',
     {'input': 'export TOKEN=eyJ0eXAiOiJKV1QiLCJub25jZSI6Ik5mNWN6NXpzeTdSMVBnN3AySVpzaXZKU2xtVFJlZ09uOWxCYjNDTHNlMU0iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6IjV4WmE2VF9wLS1qamlDSTR4bGN0eUhEbWdEN2k5dFVGQktLOUZOUEY4Mmo4aHp4VDdCTkx3QSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjI3ZTZhMTIxLWVjOTItNDM0MC05YmYxLTIzMDBiNDQyMDdjOCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiJsUGZHTnNnZGZ1bXJBWVJqOThDbU5zaEk1eWl3QnhtVnM3alJ0VXJTWmRzIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiUjBCQ0lSN1B2QnFIZXZObnhpcUxtZyIsInZlciI6IjEuMCJ9.Huw-5-OS3PTj1Qnzaj6icduE-cE5hzVb6t7zqU_zp4Ozk4rRjIcbNC8XRG2xvwqI4Ur_ldqJaoxzNdTiSF56DhMQIEcXJmLZe9TutX9JO_hJUXz1OjFByMDtPa1efrzIHzBFD7SPY5-UC62tCDE0lNSIHRZQVIQ2HaqXEKXOJP6he9TSX0y_bupkYL5OdWVLFKRNahz5jkHtpydhMo74UbMB2aMiUT8bxv2b4Gjp6n4CJysDB5k5eyfqJ39t9u5vtvBPaC4aqsELMU6qkodrUuARgjtdcCUNlk0uKVtD8n71Ilkcbc5REvvRhEnEI7NeE3uSxcmN82jvJfAft1bIdg', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x48', 'Token Doctor audit of 2026-11-24, sixth round (B21)', 'N',
     '.env file lines: ACCESS_TOKEN=<jwt> and GRAPH_URL=…',
     {'input': 'ACCESS_TOKEN=eyJ0eXAiOiJKV1QiLCJub25jZSI6Ijd6a1hZWWllaFBRMTBkS1I0NFZrakxKRHdfSVFObWs0V1NWUVZvTFQ3Z00iLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6IjhIZEU2UHZhMmdzZFA2N0RjT0Fhb2QxREpoZDI3YVFLa0FVV25WczdFbWJpOEh6UjBOckhpZyIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjE1NTc3NDUwLWEyYzAtNGNjNC05YzE1LTQyMjhjMjkyYzJhNCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgZW1haWwiLCJzdWIiOiIySml0S19IU1RZakJuNlNBRllWVDdhaUJldDRNS2lBVnpHXzVHREJBSkNVIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiTk5zOWx2bHoyZVJMMFFHSEFKbGJ5dyIsInZlciI6IjEuMCJ9.tWTETBabu0DwU1jsqrKedk2OJGYE5-f7b1SL3NsLZ5kIAJ5jlAU4g1YHDrvvHY5ZsWr2W2DAlcz25GJqJmxeSzkP3fEV74GluiKM45mn-QTSHGW-5WW7AcYfUqTPTHpuPIRrdjOYGvi8W0rajPakTcfK7XjHB4Zl_zStLX1THerDFEnRON8-fEHedmNUp3XKbD8r4VGdSPTCs95ZBBqcLP3O3WoK6x_gMg5mHsrZhKzK1sSQEDe2W2XnZiugE0WKWFizawEMD8N7R9Z9FB_ZmhXUydIqCVEn0IeNtpTCYqp_wJjcE7l1GqdLmstZ-fozeDc3pwCRHXGkA1IUT9WL1Q\nGRAPH_URL=https://graph.microsoft.com/v1.0/me/messages', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x49', 'Token Doctor audit of 2026-11-24, sixth round (B12)', 'N',
     'A WWW-Authenticate value pasted as input (no token)',
     {'input': 'Bearer realm="orders", error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", scope="orders:write"', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x50', 'Token Doctor audit of 2026-11-24, sixth round (A34)', 'N',
     "Python requests with http.client debuglevel=1: send: b'GET /v1.0/groups?$top=5 HTTP/1.1\\r\\nHost: graph.microsoft.com…Authorization: Bearer …', reply: 'HTTP/1.1 403 Forbidden'",
     {'input': 'send: b\'GET /v1.0/groups?$top=5 HTTP/1.1\\r\\nHost: graph.microsoft.com\\r\\nUser-Agent: python-requests/2.32.3\\r\\nAccept-Encoding: gzip, deflate\\r\\nAccept: */*\\r\\nConnection: keep-alive\\r\\nAuthorization: Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IjdJMTlsUnNidnRBTFhDYjZDaVNheUl1anBUUDJEU3hCSE94YVVDdzZLVFEiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMjM5OSwiYWlvIjoiQmVENG9zdmtaX2VhN094Yk8wYUNrSXZIcFJrMHJqNGdDTzJaeS1HMnpLaDBBcnZvOGladVBRIiwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBEYWVtb24iLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMSIsImlkcCI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpZHR5cCI6ImFwcCIsIm9pZCI6IjRiYTA0Yzc1LWE0YWUtNDk1ZC1hOWE0LTc3N2YxY2FlNjVhNCIsInJoIjoiMC5BWEVBdjRqNWN2R0dyMEdScXkxODBCSGJSIiwic3ViIjoiNGJhMDRjNzUtYTRhZS00OTVkLWE5YTQtNzc3ZjFjYWU2NWE0IiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXRpIjoicVJFeVVXWldtcHNtay1LYmxkWDhPUSIsInZlciI6IjEuMCJ9.F8Tl6moRjbbI33BSX6CRtf8F-KXYhqJjSjOo2gUsdLBwtgyM2jE7Ojf6_hpX6rMpJyImd1cwAKrXEWrw3EHv9n2yCzS6aL9XxqtDixIUlCVCngh4E2maySAZqA2n0rneN1tgSCp6M8nxT57EEpic_NsicxN1CkHi29TkSmTwtHKHijQlB3nK1MweRvevQZPpOcyH-HbVW16MOi8V8rFPENVlDBxTfM9tw5w0rW6ILpkpQsJnn_uuKU-HG0D8yZSbUwbhe3fJTnMYi12RWUjpsG5EZMfwPBFPEHhMqP0Abq5lxUK8UgcMonmQ-pYLH401mq02VhKp5napUN1YcKXQoQ\\r\\n\\r\\n\'\nreply: \'HTTP/1.1 403 Forbidden\\r\\n\'\nheader: Content-Type: application/json\nheader: request-id: bb6e0d65-6607-41e1-85a2-e428d24e3063\nDEBUG:urllib3.connectionpool:https://graph.microsoft.com:443 "GET /v1.0/groups?$top=5 HTTP/1.1" 403 None\n{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation.", "innerError": {"date": "2026-11-24T05:59:12", "request-id": "23ab0fd6-58d6-4401-9d17-bc3940f36821", "client-request-id": "f10241a6-0039-4b52-9a00-238ebbf7764c"}}}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x51', 'Token Doctor audit of 2026-11-24, sixth round (A13)', 'N',
     'xh with its --bearer option: `xh --bearer <jwt> get https://graph.microsoft.com/v1.0/me/drive/root/children` (no output)',
     {'input': 'xh --bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6Ik05OVZqc0pBVlhZUUV3dTBQSDY5Uk0xakh6cHlmLXVaUEUwQ2NtZ1BFRDQiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6Ik5XcW1ReXE4UGFObFNDdk5jdHl2Q0NIZFc1QTY0eTFCQWVScVJtY3RjcDJsMms3ZXhMeG5vUSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6IjBjNjMxNzZlLTYzYjAtNGVmOS1iMmExLTFiNDZhZWJiM2E0YSIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQiLCJzdWIiOiI2enBkTU40b1JZNnNDM3FzQi1CeXB6XzFjNG11eGlXSmpBRmZDbXlTTmowIiwidGVuYW50X3JlZ2lvbl9zY29wZSI6IkVVIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidW5pcXVlX25hbWUiOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmUuZG9lQGNvbnRvc28uY29tIiwidXRpIjoiMVlCRDhHbmxHUHo5TGNPY21KRk8zQSIsInZlciI6IjEuMCJ9.p7jZcSvUVvIcNKj4VBEvOqIi_sWRKayYX-dGk-J2yRzEPGGwp-LamKnLASk6qeOagC46PLdvVi3HyshioPt4Tk9zzat2VJ_nohti8hNPojM9YkusPn-juIpU6KSj1wNOTSSch5CKWEsCEZVLbuan5GLheMDwSjRysJsPRRq5_1CMztnyRsGLkuI23yw3zFFbQnnDRAh8IPXYrxGF5m_MbtmiQI7ANsd3KRFY5-_Oq0iQ2oSQkg9xKFPrj9tI5cWisG8m2xjJtfrNeWw4X9yghu74DdJibWv4vT9UrfOAjklZbSbU0xRsxG7OOXXFCk2lSL4oMsYOxogKjSy0gor-3g get https://graph.microsoft.com/v1.0/me/drive/root/children', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x52', 'Token Doctor audit of 2026-11-24, sixth round (B24)', 'N',
     "JWT preceded by a label line 'access_token:' (YAML-ish)",
     {'input': 'access_token:\n  eyJ0eXAiOiJKV1QiLCJub25jZSI6ImJmMHdCaVAwUWI1VGpJVV9oVzJhS3hDa0hwMHlXZnBwZUVOalRqMUkxbUEiLCJhbGciOiJSUzI1NiIsIng1dCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSIsImtpZCI6IkhsQzBSMTJza3hOWjFXUXdtak9GXzZ0X3RERSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzk1NDk4ODAwLCJuYmYiOjE3OTU0OTg4MDAsImV4cCI6MTc5NTUwMzMzMCwiYWNyIjoiMSIsImFpbyI6ImpVSTNGclg5cE1aWGM1ZXd2WXRBdkVlelNqNmtadE9raXJ4dVZBV19CYWNhLVRaY3JzaGJ5QSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBQb3J0YWwiLCJhcHBpZCI6IjRjOGQyZjFhLTllM2ItNGE3Yy04ZDVlLTFmMmEzYjRjNWQ2ZSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImI5NjcwMjhhLWVjMGYtNDk5OC1hYjIxLTAzYmEwMzY5OWE0MCIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1IiwicmgiOiIwLkFYRUF2NGo1Y3ZHR3IwR1JxeTE4MEJIYlIiLCJzY3AiOiJvcGVuaWQgcHJvZmlsZSBVc2VyLlJlYWQgTWFpbC5SZWFkIGVtYWlsIiwic3ViIjoieGdWazFXUy0xUnBnNHl5WlR0Tl9mV3ZLVmEwM3lzeHJOQWJQQkNJZkVjNCIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZS5kb2VAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lLmRvZUBjb250b3NvLmNvbSIsInV0aSI6IlU0NDRGUWsxaUNpUU5XVjdpcnhtLXciLCJ2ZXIiOiIxLjAifQ.dc0O13AOiZzMEUcNPioUo-EpB6LlScxcq0VluQYL7wSzgEgptghQSIbj1xmmXgBFKKqLuJDnYMXhIbV5o6hAty3_qCtVKSGkqSxqAnxKY1PyevjZePPKHJToNNv_kLxVPMWGay-ILh1Ay8gWytmHelaC19fFwgXSCCbs0vOGG38FfvuyxEtRe_-sDJemPD42sdz5M0V2Ov5uteijj8RoBm9K-cb_XFgqZvhioTSNQt0fTo1P_CY9bNvHYjfi0lCSbJYbbyHDNm4_jxgNjmrEuxPS1rzZJqRAlFcotdOPC-EHjidht4M-29_BuUuAePK3kcF6VMW5vHZLdnJAkl03CQ', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'now': 1795500000},
     {'verdict': 'allowed'})


case('N-x53', 'Token Doctor audit of 2026-11-24, sixth round (A25)', 'N',
     'A25',
     {'input': "info: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[1]\n      Failed to validate the token.\n      Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException: IDX10214: Audience validation failed. Audience: '00000003-0000-0000-c000-000000000000'. Did not match: validationParameters.ValidAudience: 'api://orders' or validationParameters.ValidAudiences: 'null'.\n         at Microsoft.IdentityModel.Tokens.Validators.ValidateAudience(IEnumerable`1 audiences, SecurityToken securityToken, TokenValidationParameters validationParameters)\ninfo: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[7]\n      Bearer was not authenticated. Failure message: IDX10214: Audience validation failed.", 'now': 1795500000},
     {'verdict': 'denied', 'first': 'audience.mismatch'})

case('N-x54', 'Token Doctor audit of 2026-11-24, sixth round (A39)', 'N',
     'A39',
     {'input': '$ export TOKEN=eUUoCdUR3gSrdbRi-a7HlIDqq1xFX29IGrMey5nwnauptY8-8BXt6bR1GOrKVUCaNwk0DlyW0qsg-UQXIiHqfo\n$ curl -i -X DELETE https://api.mypurecloud.com/api/v2/routing/queues/6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b -H "Authorization: Bearer $TOKEN"\nHTTP/2 403 \ncontent-type: application/json\n\n{"message": "Unable to perform the requested action. You are missing the following permission(s): [routing:queue:delete]", "code": "missing.permissions", "status": 403, "messageParams": {}, "contextId": "f9a7bfb3-abff-4761-a120-f7760d8e19b3", "details": [], "errors": []}\n$ curl -s -o /dev/null -w \'%{http_code}\\n\' https://api.mypurecloud.com/api/v2/routing/queues/6f1a2b3c-4d5e-4f60-8a7b-9c0d1e2f3a4b -H "Authorization: Bearer $TOKEN"\n200\n$ ', 'now': 1795500000},
     {'verdict': 'unknown', 'codes': ['input.session']})


case('N-x55', 'Review of 2026-11-24 evening, second round: curl backslash first line, session prompt', 'N',
     'curl backslash first line, session prompt',
     {'input': '$ curl \\\n  -H "Authorization: Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA" \\\n  https://api.example.com/v1/items\n{"error":"insufficient_scope","scope":"write"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x56', 'Review of 2026-11-24 evening, second round: E3 REST client .http', 'N',
     'E3 REST client .http',
     {'input': '@token=eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA\n\nDELETE https://api.example.com/v1/items/1\nAuthorization: Bearer {{token}}\n\nHTTP/1.1 403 Forbidden\nWWW-Authenticate: Bearer error="insufficient_scope", scope="items.write"\n', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x57', 'Review of 2026-11-24 evening, second round: E6 Python snippet TOKEN="..." no spaces', 'N',
     'E6 Python snippet TOKEN="..." no spaces',
     {'input': 'TOKEN="eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA"\nr = requests.delete("https://api.example.com/v1/items/1", headers={"Authorization": "Bearer " + TOKEN})\nprint(r.status_code, r.text)\n403 {"error":"insufficient_scope","scope":"items.write"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x58', 'Review of 2026-11-24 evening, second round: L DRF', 'N',
     'L DRF',
     {'input': '$ curl -i https://api.example.com/v1/items -H "Authorization: Bearer $TOKEN"\nHTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"detail":"Authentication credentials were not provided."}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'input.no_token'})

case('N-x59', 'Review of 2026-11-24 evening, second round: G1 session 200, operation template', 'N',
     'G1 session 200, operation template',
     {'input': '$ curl -i https://api.example.com/v1/items/42 -H "Authorization: Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA"\nHTTP/1.1 200 OK\nContent-Type: application/json\n\n{"id":42}', 'now': 1795500000, 'operation': 'GET /v1/items/{id}', 'matrix': {'openapi': '3.0.0', 'info': {'title': 't', 'version': '1'}, 'servers': [{'url': 'https://api.example.com/v1'}], 'components': {'securitySchemes': {'oauth': {'type': 'oauth2', 'flows': {'clientCredentials': {'tokenUrl': 'https://login.example.com/token', 'scopes': {'read': 'r', 'items.write': 'w'}}}}}}, 'paths': {'/items/{id}': {'get': {'security': [{'oauth': ['items.write']}], 'responses': {'200': {'description': 'ok'}}}}}}},
     {'verdict': 'allowed', 'first': 'scope.missing'})

case('N-x60', 'Review of 2026-11-24 evening, second round: G6 API 200 body has access_token field', 'N',
     'G6 API 200 body has access_token field',
     {'input': 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA', 'now': 1795500000, 'operation': 'GET https://api.example.com/v1/items/42', 'response': 'HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{"id":"c1","provider":"github","access_token":"gho_xxx"}', 'matrix': {'openapi': '3.0.0', 'info': {'title': 't', 'version': '1'}, 'servers': [{'url': 'https://api.example.com/v1'}], 'components': {'securitySchemes': {'oauth': {'type': 'oauth2', 'flows': {'clientCredentials': {'tokenUrl': 'https://login.example.com/token', 'scopes': {'read': 'r', 'items.write': 'w'}}}}}}, 'paths': {'/items/{id}': {'get': {'security': [{'oauth': ['items.write']}], 'responses': {'200': {'description': 'ok'}}}}}}},
     {'verdict': 'allowed', 'first': 'scope.missing'})

case('N-x61', 'Review of 2026-11-24 evening, second round: prompt bash-5.1$', 'N',
     'prompt bash-5.1$',
     {'input': 'bash-5.1$ curl -s https://api.example.com/v1/me -H "Authorization: Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA"\n{"name":"x"}\nbash-5.1$ curl -s -X DELETE https://api.example.com/v1/items/1 -H "Authorization: Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA"\n{"error":"insufficient_scope","scope":"write"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x62', 'Review of 2026-11-24 evening, second round: prompt (venv) $', 'N',
     'prompt (venv) $',
     {'input': '(venv) $ curl -s https://api.example.com/v1/me -H "Authorization: Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA"\n{"name":"x"}\n(venv) $ curl -s -X DELETE https://api.example.com/v1/items/1 -H "Authorization: Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9sb2dpbi5leGFtcGxlLmNvbS8iLCAiYXVkIjogImh0dHBzOi8vYXBpLmV4YW1wbGUuY29tIiwgInN1YiI6ICJ1MSIsICJleHAiOiAxNzk1NjAwMDAwLCAiaWF0IjogMTc5NTQwMDAwMCwgInNjb3BlIjogInJlYWQifQ.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA"\n{"error":"insufficient_scope","scope":"write"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x63', 'Review of 2026-11-24 evening, second round: K2 token request then call, prompt bash-5.1$ ', 'N',
     'K2 token request then call, prompt bash-5.1$ ',
     {'input': 'bash-5.1$ TOKEN=$(curl -s -X POST https://login.example.com/oauth/token -d grant_type=client_credentials -d client_id=abc -d client_secret=xyz | jq -r .access_token)\nbash-5.1$ curl -s https://api.example.com/v1/items -H "Authorization: Bearer $TOKEN"\n{"error":"insufficient_scope","error_description":"Insufficient scope, expected any of: items:read"}', 'now': 1795500000},
     {'verdict': 'denied', 'first': 'scope.missing'})


case('H-x14', 'Review of 2026-11-24 evening, second round: Graph expired-or-not-yet-valid with nbf ahead', 'H',
     'Graph answers "Access token has expired or is not yet valid." to a token whose nbf is 20 min ahead',
     {'input': 'eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC90aWQvIiwgInRpZCI6ICJ0aWQiLCAic2NwIjogIlVzZXIuUmVhZCIsICJpYXQiOiAxNzk1NTAxMjAwLCAibmJmIjogMTc5NTUwMTIwMCwgImV4cCI6IDE3OTU1MDQ4MDAsICJhcHBpZCI6ICJjIn0.eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eHh4eA', 'now': 1795500000, 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer realm="", error="invalid_token"\r\n\r\n{"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}'},
     {'verdict': 'denied', 'first': 'token.not_yet_valid', 'absent': ['token.expired', 'token.stale']})


case('B-x03', "Seventh audit (2026-11-25), case a08 (B-x01 variant (Genesys usw2, token response + error); scenarios.md §3 'This request requires a user context' (Genesys))", 'B',
     'Genesys client-credentials token response, then the 400 "requires a user context" (was: the paste starts like JSON but cannot be read)',
     {'input': '{"access_token":"EC2W9z4ytOGr0LWo_ABWsaVpi1VGYxZrm7xw_OsbIVSEvpCh-FGXS6zdYkYWjSNrDKs_vEEa4s5BkWwTg2WXHo","token_type":"bearer","expires_in":172799}\n\n{"message":"This request requires a user context. Client credentials cannot be used for requests to this resource.","code":"bad.request","status":400}', 'operation': 'GET https://api.usw2.pure.cloud/api/v2/users/me', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'grant.no_user_context', 'absent': ['input.no_token']})

case('H-x16', 'Seventh audit (2026-11-25), case a36 (H-06 / H class (Keycloak token response, expired access token); https://github.com/Azure-Samples/active-directory-dotnet-webapp-openidconnect/issues/25)', 'H',
     'Keycloak token response (refresh token a JWT too) with an expired access token, then a 401 (was: cannot be read)',
     {'input': '{"access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImNWMW1TMHg0YVhKNGJFWjIifQ.eyJleHAiOjE3NjM5OTg1MDAsImlhdCI6MTc2Mzk5ODIwMCwianRpIjoiajM2IiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvYWNtZSIsImF1ZCI6WyJvcmRlcnMtYXBpIiwiYWNjb3VudCJdLCJzdWIiOiJmMWUyIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoib3JkZXJzLWNsaSIsInNjb3BlIjoicHJvZmlsZSBlbWFpbCBvcmRlcnM6cmVhZCIsInByZWZlcnJlZF91c2VybmFtZSI6InN2YyJ9.y756loeQ4x6o9JolewN3w-_HSsDh0X7eydQokr6JFpp17anxzyEjvtTtK70qdT3LODELtUE4GoEU7YLAJORt-4TkcfTzt_cmzakbjsXWMCsVcXrCV7dJ9Jf0zyQEdbuKaaXw4AwaG2C62SOi_-DXsmgN1pLqdom3rRIm2dteOkNrmDacTPJzvVZpdARs1olDVXjOc2pSpUy8FczLPadGZu7bemY1DiVdkY2Xjck-E1DNo7SWLbL70VHDVV53I65-AeNSqc5tKpzAMDCOoFnd-zuLbzeostXDJIaTKPwbO3upEoImjMEpmWHKT2AzRgDfgFxo22NqlNE_IsrHiSf6Tw","refresh_token":"eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCIsImtpZCI6InIxIn0.eyJleHAiOjE3NjQwMDAwMDAsImlhdCI6MTc2Mzk5ODIwMCwianRpIjoicjM2IiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvYWNtZSIsImF1ZCI6Imh0dHBzOi8vc3NvLmFjbWUuaW8vcmVhbG1zL2FjbWUiLCJzdWIiOiJmMWUyIiwidHlwIjoiUmVmcmVzaCIsImF6cCI6Im9yZGVycy1jbGkiLCJzY29wZSI6InByb2ZpbGUgZW1haWwgb3JkZXJzOnJlYWQifQ.cat2Zf-H_Mxh019hP2A6KxXtdbtMuDjqXTHn6kzmw5k","token_type":"Bearer"}\n\nHTTP/1.1 401 Unauthorized', 'operation': 'GET https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.expired', 'absent': ['input.no_token']})

case('L-x24', 'Seventh audit (2026-11-25), case b47 (L-09 (line 764; microsoftgraph/microsoft-graph-docs-contrib#8353 https://github.com/microsoftgraph/microsoft-graph-docs-contrib/issues/8353): `Forbidden (403) … Authorization_RequestDenied` although t)', 'L',
     'Raw Graph request, a blank line, then its raw 403 Authorization_RequestDenied (was: allowed, no findings)',
     {'input': 'GET /v1.0/users/8a7b/manager HTTP/1.1\nHost: graph.microsoft.com\nAuthorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJhcHBfZGlzcGxheW5hbWUiOiJPcmcgQ2hhcnQiLCJpZHR5cCI6InVzZXIiLCJuYW1lIjoiSmFuZSBEb2UiLCJvaWQiOiIzODQwZmViMi1iZTU1LTRiNDUtYWU4Yi1kYmVmNDRmM2QzNmIiLCJzY3AiOiJVc2VyLlJlYWQgVXNlci5SZWFkLkFsbCBvcGVuaWQgcHJvZmlsZSBlbWFpbCIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVwbiI6ImphbmVAY29udG9zby5jb20iLCJ2ZXIiOiIxLjAifQ.wYPI7x4e8jJPSVj2FtobYVGHcAmwIrrf2jTQdta9ExBK23fDn2R-TnygRmvVpzPWzgHjxWx_Q3bN49B2DWqRBhtyxBzSULHfb0qzx572SWa2x3fKjV1C0RuJJzNT-ZM5yqRTaNFfy43LIbD_tkfoO_5Als9DS5TJcRziVSOms4Uy2H2lt3W4uKYTUUZ4_JzuyO-eDxTMI7m8Kkt4r3-Y59RUsfb0p1R-aRyod5XamQKgW6ISMR4QvhIJNEJUK6mhF-WmsDkx1P-DG_DdntA5UAZQp4AEGO8HGVFL2ZsrkO0dsaZkQPqF7fkI-Z_yCBkbaE0wDynphwVlE5GMS56EPA\n\nHTTP/1.1 403 Forbidden\n\n{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'permission.missing'})

case('O-x15', 'Seventh audit (2026-11-25), case b46 (O-01 (line 871; ivangfr/springboot-keycloak-openldap#3 https://github.com/ivangfr/springboot-keycloak-openldap/issues/3): `WWW-Authenticate: Bearer … error_description="Didn\'t find publicKey for speci)', 'O',
     'Raw request, a blank line, then its raw 401 "Didn\'t find publicKey for specified kid" (was: the answer ignored)',
     {'input': 'GET /api/private HTTP/1.1\nHost: localhost:9080\nAuthorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlhiM2tQMFFtVDd5VzJ2TjhzUjV1TDFjQTlkRjRnSDZqSyJ9.eyJleHAiOjE3NjQwMDAyNDAsImlhdCI6MTc2Mzk5OTk0MCwianRpIjoibzEiLCJpc3MiOiJodHRwOi8vbG9jYWxob3N0OjgxODEvYXV0aC9yZWFsbXMvY29tcGFueS1zZXJ2aWNlcyIsImF1ZCI6ImFjY291bnQiLCJzdWIiOiJiMmMzZDRlNS0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDEiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJzaW1wbGUtc2VydmljZSIsInNjb3BlIjoicHJvZmlsZSBlbWFpbCIsInJlc291cmNlX2FjY2VzcyI6eyJzaW1wbGUtc2VydmljZSI6eyJyb2xlcyI6WyJ1c2VyIl19fSwicHJlZmVycmVkX3VzZXJuYW1lIjoiYmdhdGVzIn0.H9SITF2XnGJnRea8u3lsVijlPAYZTwS9qWJ7WjNfx-snvyy-dsi-e67HTel9fDPQKdIDTHMLU8fwda9FuKOylCPAD-Mh3E5xll3Smu3SoF0GyCLgovytPU405BTju1vdJT1mutiOZAH3eRnYJ5kifqFpCNp0lWffcOLjou1rMQSMYUdbu0e_Wx7f5pfESZIjvU-td6nRAwpkd7ihxh60QpMaLXF3Tv7WFaMi3cUmpBm-BMMZcqVWtV28M35Iq2k5A5Ii8CvWy2Am1YQe9sDPDqBX9xv4Tv4I7AJysV50vFE42l-JnFohwQdXq6vRRRe_aMJwLRoZXT77mw2UopPlEA\n\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error="invalid_token", error_description="Didn\'t find publicKey for specified kid"\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.key_not_found'})

case('G-x17', 'Seventh audit (2026-11-25), case a32 (G-x16 variant (CXone cluster B2 vs C32, legacy token response); scenarios.md G class (region/cluster); README CXone cluster rule)', 'G',
     'NICE CXone legacy token response for cluster C32, call to api-b2 (was: B clusters not read)',
     {'input': '{"access_token":"jqcfgyz7zPIUHZni75nLyaiZnpFoZgMGULZ9W9sFilaSn9QxLJ6v2GNTip7wZFiufFOa-cKyZrphEoRWZEAV1vcBuu1blxY2r3HoNlB3K7isMujHRUQnCuqJ","token_type":"bearer","expires_in":3600,"resource_server_base_uri":"https://api-c32.incontact.com/inContactAPI/"}', 'operation': 'GET https://api-b2.incontact.com/inContactAPI/services/v27.0/agents', 'response': 'HTTP/1.1 401 Unauthorized', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['C32', 'B2']})

case('F-x19', 'Seventh audit (2026-11-25), case a26 (F-14 / F class (Auth0 API identifier); https://github.com/auth0-samples/auth0-aspnet-owin-webapi-samples/issues/3)', 'F',
     'express-jwt "jwt audience invalid. expected: X" with the token (was: token.rejected, no fix)',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlNuYVBJZXkyUHJEam5SbnlrV0Q4In0.eyJpc3MiOiJodHRwczovL2FjbWUudXMuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDY0ZjFjMmQzZTRhNWI2YzdkOGU5ZjBhMSIsImF1ZCI6WyJodHRwczovL2FwaS5hY21lLmNvbSIsImh0dHBzOi8vYWNtZS51cy5hdXRoMC5jb20vdXNlcmluZm8iXSwiaWF0IjoxNzYzOTk5NzAwLCJleHAiOjE3NjQwODYxMDAsInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgZW1haWwgcmVhZDpvcmRlcnMiLCJhenAiOiJYeTdacTFBYjJDZDNFZjRHaDVJajZLbDdNbjhPcDlRciJ9.rjgeLznBukx7WtTvPqNt0xN2I5Khkh5m7BTeWO-NadL70QksVt4FZKT1CzQwowSGcGuaS7AFivqA03Z3I7AmkwQMsfPDKtWWszCD1R7cDjt0kx8_r7clF6AxtDZ9ozdCbcIRu08ZrN1LHb26vx2mzksOhWqPlsmRt9HMY-93ECm6_BzChCC1K_PCNUr6tEFATFV2qj8qvC-V7rqSgg-TlruMMfuAFOoZgvse94RlkFrYWqU_Zb-samuOuUbAebiSmPEAHD3t53GKflumRtlWpv1u8bRhhPVqoisVnwM3NInnhDHUk_WSBJCWuFVcoKbbc_Ya5HB86upWejsKMA68yw', 'operation': 'GET https://orders.acme.com/api/orders', 'response': 'HTTP/1.1 401 Unauthorized\n\nUnauthorizedError: jwt audience invalid. expected: https://orders.acme.com', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['https://orders.acme.com']})

case('G-x18', "Seventh audit (2026-11-25), case a39 (G class (issuer: dev tenant token at prod API), node-jsonwebtoken wording; scenarios.md G class; §3 'Invalid token issuer')", 'G',
     'express-jwt "jwt issuer invalid. expected: X": a dev tenant\'s token at the prod API (was: token.rejected)',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlNuYVBJZXkyUHJEam5SbnlrV0Q4In0.eyJpc3MiOiJodHRwczovL2FjbWUtZGV2LnVzLmF1dGgwLmNvbS8iLCJzdWIiOiJhdXRoMHw2NGYxIiwiYXVkIjoiaHR0cHM6Ly9vcmRlcnMuYWNtZS5jb20iLCJpYXQiOjE3NjM5OTk3MDAsImV4cCI6MTc2NDA4NjEwMCwic2NvcGUiOiJyZWFkOm9yZGVycyIsImF6cCI6Ilh5N1oifQ.HIY9DXCKRUwTfgc8umhoqL7r0iRhbuYn3ub4YkfXxQ6qDu2te78X3plT0a-lTssoWXOOCpUa59TeOw5Tvckm4oc-f5TbgAN1x4kcN8lr8jtktw8OIlZP2Knorin21MUlg3KjApJ9AZ_BC-DoNXHoF3vS0QCj-HVIcpLKrCiRw1s1MEWouzqO5n9fbxcpSbfgF6ngoFErLKJchfy2VLL0T38egzPFbmcYfEO3zJmOawdGGYXFMIqpA-mYDtdUM-W1vJPwzN2wKr11Dq5Ra1S2asrk3_rj9fIVvvyf9PXturesEQBMZTB37F3LSQLcsWPyagluqtcPnqv4FFJ0gcNjDg', 'operation': 'GET https://orders.acme.com/api/orders', 'response': 'HTTP/1.1 401 Unauthorized\n\n{"error":"invalid_token","message":"jwt issuer invalid. expected: https://acme.us.auth0.com/"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['acme-dev.us.auth0.com']})

case('G-x19', "Seventh audit (2026-11-25), case a31 (G-08 (tenant) / §3 'The issuer … is invalid' (.NET IDX10205); https://github.com/OfficeDev/Microsoft-Teams-Samples/issues/80)", 'G',
     'IDX10205 for a personal-account (consumers tenant) token at a single-tenant API (was: fix about token versions only)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCIsImtpZCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCJ9.eyJhdWQiOiJiMWMyZDNlNC0xMTExLTQyMjItODMzMy00NDQ0NTU1NTY2NjYiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vOTE4ODA0MGQtNmM2Ny00YzViLWIxMTItMzZhMzA0YjY2ZGFkL3YyLjAiLCJpYXQiOjE3NjM5OTk3MDAsIm5iZiI6MTc2Mzk5OTcwMCwiZXhwIjoxNzY0MDAzMzAwLCJhaW8iOiJEayIsImF6cCI6IjhjMWY1ZDBlLTJhNGItNGM2ZC04ZTlmLTBhMWIyYzNkNGU1ZiIsImF6cGFjciI6IjAiLCJuYW1lIjoiSm9lIFBlcnNvbmFsIiwib2lkIjoiMDAwMDAwMDAtMDAwMC0wMDAwLTY2ZjMtMzMzMmVjYTdlYTgxIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiam9lQG91dGxvb2suY29tIiwic2NwIjoiYWNjZXNzX2FzX3VzZXIiLCJzdWIiOiJzMzEiLCJ0aWQiOiI5MTg4MDQwZC02YzY3LTRjNWItYjExMi0zNmEzMDRiNjZkYWQiLCJ2ZXIiOiIyLjAifQ.wCqN5QcW_pGKC1PCY1Q7XYzOTkPWWEh_rpvVMZjwvi-HTxiwQ1sxkF2PdeJxeOCS7xW7s_2K8qzVWdSUHdLp9dKiQtHlYvkFYzbOedmRGZ3BjG-PjSywrURCZt-x2qQcid6jsftfHRyWFygaQHHbzhg0ifbC5frvAn1pKkXs0UoL664oeLQfIOelHhhQJuhuJ0IuVolJ93qYoUd7f4EBxdX3sdz_ZBBUZzHBLFM5CxAToLqMRkBllebe3prCCt3niw3w4pBT6HcXJm4D4PtN1vf2e0Yqc2HHF1Ub2BN6n1AKCU2lahcEJSsAdRvqW8IvnlUFMw1XpmJPO-VGXI0vlQ', 'operation': 'GET https://orders-api.azurewebsites.net/api/orders', 'response': "IDX10205: Issuer validation failed. Issuer: 'https://login.microsoftonline.com/9188040d-6c67-4c5b-b112-36a304b66dad/v2.0'. Did not match: validationParameters.ValidIssuer: 'https://login.microsoftonline.com/3f7a2c1e-5b8d-4e6f-9a0b-1c2d3e4f5a6b/v2.0' or validationParameters.ValidIssuers: 'null'.", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['personal']})

case('N-x64', 'Seventh audit (2026-11-25), case b27 (class N (header or scheme formatting, lines 822–868): an RFC 6750 server splits on the space, sees the scheme `Bearer:`, and refuses.)', 'N',
     'Authorization: Bearer: <token> (was: unknown, no findings)',
     {'input': 'Authorization: Bearer: eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJhdWQiOiJhcGk6Ly9vcmRlcnMiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJhenAiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJzY3AiOiJPcmRlcnMuUmVhZCIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsIm9pZCI6Im8iLCJzdWIiOiJzIiwidmVyIjoiMi4wIn0.QaH7QJUjxaMU8dGH6CfaEG3Qe9sPBre4Dcn0ixpa-Dmp5fpq-U7bwULYwMt9NZzSVIy1TYiVsEOOqZkO8Fjw4N09YObSxTeS8m3jHOEQgUNm695bMDcOtM4fxkWH3fh_98_xygf6SOixCF6PPVnIFkjUHB5ZJuShufR-HdyUF1jqmecptWo-7ijTSrfFr1EDtYTKNNjm-CZM-0G660DPU2ZRhg7H7wLZqCkZSmL3PRgPPo-o3z4PO4let0F35w0lRCRlRjw0uWs_QoXXt364Y02vAR8tW1iDFYKRTdw8PSzOuPBXrmz_uOBugRhLQLvHSKmW-_vlZhy6UK03MKRLnw', 'operation': 'GET https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'header.malformed', 'mentions': ['colon']})

case('N-x65', 'Seventh audit (2026-11-25), case b45 (class N (header formatting, lines 822–868); the N-05 symptom family ("Malformed Authorization header"), where the client built the header from an empty value.)', 'N',
     'Authorization: Bearer undefined, answered 401 (was: an opaque token rejected)',
     {'input': 'Authorization: Bearer undefined', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'response': 'HTTP/1.1 401 Unauthorized', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['undefined']})

case('I-x15', "Seventh audit (2026-11-25), case b06 (I-07 (line 625), Entra variant. Section 3 notes that Graph's answer needs token facts.)", 'I',
     'A Microsoft refresh token (0.A…) sent to Graph (was: a malformed JWT, "copy it again")',
     {'input': 'Bearer 0.AXEAv4j5cvGGr0GRqy180BHbR7hjKPnTZEtApl1pHUyr2ulxAGg.AgABAwEAAADW6jl31mB3T7ugrWTT8pFeAwDs_wUA9P-hT1Xt0nAxkC2mP4yV7t8Uq3LZc1d9b0Ew5rN2jH6kG8fS4aQ1oI7uY3tR5eW9qZ2xC4vB6nM8lK0jH1gF3dS5aP7oI9uY1tR3eW5qZ7xC9vB1nM3lK5jH7gF9dS1aP3oI5uY7tR9eW1qZ3xC5vB7nM9lK1jH3gF5dS7aP9oI1uY3tR5eW7qZ9xC1vB3nM5lK7jH9gF1dS3aP5oI7uY9tR1eW3qZ5xC7vB9nM1lK3jH5gF7dS9aP1oI3u', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'response': 'HTTP/1.1 401 Unauthorized\r\n\r\n{"error":{"code":"InvalidAuthenticationToken","message":"CompactToken parsing failed with error code: 80049217"}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.refresh_token', 'absent': ['token.malformed']})

case('I-x16', 'Seventh audit (2026-11-25), case b05 (I-07 (line 625), haithamabass/WebApi_CleanArchitecture#1 (https://github.com/haithamabass/WebApi_CleanArchitecture/issues/1): "the refresh token … was sent as the bearer". Here it is an Okta variant i)', 'I',
     'Token response, then a request that sends its refresh token, then a 401 (was: the access token diagnosed)',
     {'input': '{"access_token": "eyJraWQiOiJKZzJoQzB5NEp4MnNWOG1KMHdxM3k1S3E5YkwxIiwiYWxnIjoiUlMyNTYifQ.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJ2ZXIiOjEsImp0aSI6IkFULngxIiwiaXNzIjoiaHR0cHM6Ly9kZXYtNDgyMTkzNy5va3RhLmNvbS9vYXV0aDIvZGVmYXVsdCIsImF1ZCI6ImFwaTovL2RlZmF1bHQiLCJjaWQiOiIwb2E4azJ4M3JZYlE1Y1o5ZDVkNyIsInVpZCI6IjAwdTV0YjdrejJTSm84bVExNWQ3Iiwic2NwIjpbIm9mZmxpbmVfYWNjZXNzIiwib3JkZXJzLnJlYWQiXSwiYXV0aF90aW1lIjoxNzYzOTk5MzAwLCJzdWIiOiJqYW5lQGFjbWUuaW8ifQ.D0RB7Ni3TCBdZ_8L_8FcoX-SxnYhr2JBvKTRRVjp_MzCFWhmtHUya7xMm_Z2E6weJDVyMjV8xm1wuM9wbD21w2tqnTYNx9AQFwuOG9HrzVjv3kspx3xY78YKGfYPNgp_7BNbU3hitU1N0k-RihkzA1dt6Cp7u35PbHuWj6wYqNyxN7mPh4j39i3kKIBbzrTPjLHgI8b5iL1JMwKsiL4YuYUAp--yEnh3q4p6a2aQlQdhZbgUz-Zy6b6aoP1NVnd2337bkdEyzolZOJGq2Zgx6C4JfA9pIr7Hswkp9dfZi7S1ob0OFLHF9stby1K96X2c1H28cmlzmS-kDETSCy-79w", "refresh_token": "rR3yZ0F5m1WgZkJq9_x8Dq2LmN5pQ7sT9vW1yA3cE5g"}\n\nAuthorization: Bearer rR3yZ0F5m1WgZkJq9_x8Dq2LmN5pQ7sT9vW1yA3cE5g\n\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error="invalid_token"', 'operation': 'GET https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.refresh_token'})

case('I-x17', 'Seventh audit (2026-11-25), case b05 (I-07 (line 625), haithamabass/WebApi_CleanArchitecture#1 (https://github.com/haithamabass/WebApi_CleanArchitecture/issues/1): "the refresh token … was sent as the bearer". Here it is an Okta variant i)', 'I',
     "Postman console: the token request's answer, then a call that sends its refresh token (was: the access token diagnosed)",
     {'input': 'POST https://dev-4821937.okta.com/oauth2/default/v1/token\n200\n147 ms\nResponse Body:\n{"token_type":"Bearer","expires_in":3600,"access_token":"eyJraWQiOiJKZzJoQzB5NEp4MnNWOG1KMHdxM3k1S3E5YkwxIiwiYWxnIjoiUlMyNTYifQ.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJ2ZXIiOjEsImp0aSI6IkFULngxIiwiaXNzIjoiaHR0cHM6Ly9kZXYtNDgyMTkzNy5va3RhLmNvbS9vYXV0aDIvZGVmYXVsdCIsImF1ZCI6ImFwaTovL2RlZmF1bHQiLCJjaWQiOiIwb2E4azJ4M3JZYlE1Y1o5ZDVkNyIsInVpZCI6IjAwdTV0YjdrejJTSm84bVExNWQ3Iiwic2NwIjpbIm9mZmxpbmVfYWNjZXNzIiwib3JkZXJzLnJlYWQiXSwiYXV0aF90aW1lIjoxNzYzOTk5MzAwLCJzdWIiOiJqYW5lQGFjbWUuaW8ifQ.D0RB7Ni3TCBdZ_8L_8FcoX-SxnYhr2JBvKTRRVjp_MzCFWhmtHUya7xMm_Z2E6weJDVyMjV8xm1wuM9wbD21w2tqnTYNx9AQFwuOG9HrzVjv3kspx3xY78YKGfYPNgp_7BNbU3hitU1N0k-RihkzA1dt6Cp7u35PbHuWj6wYqNyxN7mPh4j39i3kKIBbzrTPjLHgI8b5iL1JMwKsiL4YuYUAp--yEnh3q4p6a2aQlQdhZbgUz-Zy6b6aoP1NVnd2337bkdEyzolZOJGq2Zgx6C4JfA9pIr7Hswkp9dfZi7S1ob0OFLHF9stby1K96X2c1H28cmlzmS-kDETSCy-79w","scope":"offline_access orders.read","refresh_token":"rR3yZ0F5m1WgZkJq9_x8Dq2LmN5pQ7sT9vW1yA3cE5g"}\nGET https://orders.acme.io/api/orders\n401\n23 ms\nRequest Headers\nAuthorization: Bearer rR3yZ0F5m1WgZkJq9_x8Dq2LmN5pQ7sT9vW1yA3cE5g\nUser-Agent: PostmanRuntime/7.39.0\nAccept: */*\nResponse Headers\nWWW-Authenticate: Bearer error="invalid_token", error_description="Invalid JWT serialization: Missing dot delimiter(s)"\nContent-Length: 0', 'operation': 'GET https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.refresh_token'})

case('K-x16', 'Seventh audit (2026-11-25), case b12 (K-01 plus spring-security#7858 (line 679; https://github.com/spring-projects/spring-security/issues/7858). The message is quoted verbatim.)', 'K',
     'Spring Security\'s "Provided token [<jwt>] isn\'t active" on one line (was: no token found)',
     {'input': "Provided token [eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJqdGkiOiJ5IiwiaXNzIjoiaHR0cDovL2xvY2FsaG9zdDo4ODQ0L2F1dGgvcmVhbG1zL3NjZGYyMyIsImF1ZCI6ImFjY291bnQiLCJzdWIiOiJ1MiIsInR5cCI6IkJlYXJlciIsImF6cCI6ImRhdGFmbG93Iiwic2NvcGUiOiJvcGVuaWQgZGF0YWZsb3cudmlldyJ9.oOdL0hCS8yndhedcLT9Xrr2NY_u-AqzfbG5iBdlXG4LyuE9h5_cEcKQ4BSVMQURkYZZB61wb3n9H9KRKrnbO5z2BDe6nQ4Yy0qSPEIV9_UncE_fS2ylFiiVHlBrZbZmFjzQS3geX7uILT_KfSxd5tnJZZHxBteBJdFcWMuInfRtWiANRZhsqUHg1QlUeMiogICHAZ4wZF8tTSkrNVISmA5aiT5H1WC3IVzuW7-oWUZXSBGES2AGDzGWtI4fkjgo5uDT716PTbhILU6gI4fDmqnz5COj2jNgTqYqCUPonG0FWeYrmENaLByoayFBSOfFPiXYs5yll8CRQFJr-SaOzfw] isn't active", 'operation': 'GET http://scdf-server:9393/about', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'introspection.inactive', 'mentions': ['localhost:8844']})

case('K-x17', 'Seventh audit (2026-11-25), case b12 (K-01 plus spring-security#7858 (line 679; https://github.com/spring-projects/spring-security/issues/7858). The message is quoted verbatim.)', 'K',
     "Spring Security's BadOpaqueTokenException in a log (was: unknown)",
     {'input': "2025-11-24 16:00:00.000 DEBUG 1 --- [nio-9393-exec-1] o.s.s.o.s.r.w.BearerTokenAuthenticationFilter : Authentication request for failed!\norg.springframework.security.oauth2.server.resource.introspection.BadOpaqueTokenException: Provided token [eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJqdGkiOiJ5IiwiaXNzIjoiaHR0cDovL2xvY2FsaG9zdDo4ODQ0L2F1dGgvcmVhbG1zL3NjZGYyMyIsImF1ZCI6ImFjY291bnQiLCJzdWIiOiJ1MiIsInR5cCI6IkJlYXJlciIsImF6cCI6ImRhdGFmbG93Iiwic2NvcGUiOiJvcGVuaWQgZGF0YWZsb3cudmlldyJ9.oOdL0hCS8yndhedcLT9Xrr2NY_u-AqzfbG5iBdlXG4LyuE9h5_cEcKQ4BSVMQURkYZZB61wb3n9H9KRKrnbO5z2BDe6nQ4Yy0qSPEIV9_UncE_fS2ylFiiVHlBrZbZmFjzQS3geX7uILT_KfSxd5tnJZZHxBteBJdFcWMuInfRtWiANRZhsqUHg1QlUeMiogICHAZ4wZF8tTSkrNVISmA5aiT5H1WC3IVzuW7-oWUZXSBGES2AGDzGWtI4fkjgo5uDT716PTbhILU6gI4fDmqnz5COj2jNgTqYqCUPonG0FWeYrmENaLByoayFBSOfFPiXYs5yll8CRQFJr-SaOzfw] isn't active\n\tat org.springframework.security.oauth2.server.resource.introspection.NimbusOpaqueTokenIntrospector.validate(NimbusOpaqueTokenIntrospector.java:232)", 'operation': 'GET http://scdf-server:9393/about', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'introspection.inactive'})

case('A-x21', 'Seventh audit (2026-11-25), case a03 (A-02; https://github.com/prosociallearnEU/cf-nodejs-client/issues/102)', 'A',
     'Python REPL: the JWT, 403, and r.json() printed as a dict naming the scope (was: access.denied)',
     {'input': "eyJhbGciOiJSUzI1NiIsImtpZCI6ImtleS0xIiwidHlwIjoiSldUIiwiamt1IjoiaHR0cHM6Ly91YWEuc3lzLmV4YW1wbGUuY29tL3Rva2VuX2tleXMifQ.eyJqdGkiOiJhNWUzODJiMCIsInN1YiI6ImRmZWFkMzY5LWFmMWMtNGIzYS1hMTVkLWZlMmZjNGVmMjVmMCIsInNjb3BlIjpbIm9wZW5pZCIsImNsb3VkX2NvbnRyb2xsZXIucmVhZCIsImNsb3VkX2NvbnRyb2xsZXIud3JpdGUiXSwiY2xpZW50X2lkIjoiY2YiLCJjaWQiOiJjZiIsImF6cCI6ImNmIiwiZ3JhbnRfdHlwZSI6InBhc3N3b3JkIiwidXNlcl9pZCI6ImRmZWFkMzY5LWFmMWMtNGIzYS1hMTVkLWZlMmZjNGVmMjVmMCIsIm9yaWdpbiI6InVhYSIsInVzZXJfbmFtZSI6ImRldmVsb3BlciIsImVtYWlsIjoiZGV2ZWxvcGVyQGV4YW1wbGUuY29tIiwiaWF0IjoxNzYzOTk5NzAwLCJleHAiOjE3NjQwMDA5MDAsImlzcyI6Imh0dHBzOi8vdWFhLnN5cy5leGFtcGxlLmNvbS9vYXV0aC90b2tlbiIsInppZCI6InVhYSIsImF1ZCI6WyJjbG91ZF9jb250cm9sbGVyIiwib3BlbmlkIiwiY2YiXX0.DzJiILUn5_sHnd1sjYEubKEGhXJ-NNY57L8Yo4H3JHBPpJwYirmZPXC48zAIo1bvOXmU3J5WD9Y-S2w0VCmeC_az47OskBRDAvQp49wdhgkjbcartNNOZhXh4J9799OzIAqOqR2EE4KEatdaFyKq-kKChKfdh6ga5FgAHqBp-fiG72tJqQJ6TGUWapN-9kmjXHW-2y23B6DatUu2n1i-wIVHpY9qXu76XY1s-LJbZPd-UFyomw5ZDIMpXo89FbpF-9y-dQb_m-05I6GPO4qxjNYiXLKL6I1N0XmFe6sbjhXiK1C_bFyKx9TGJgEXEv3FuSZROtT6QDCAxcrnYiVJRQ\n403\n{'error': 'insufficient_scope', 'scope': 'scim.read zones.uaa.admin'}", 'operation': 'GET https://uaa.sys.example.com/Users', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['scim.read']})

case('B-x04', 'Seventh audit (2026-11-25), case a11 (B-07; https://github.com/anmol098/waka-readme-stats/issues/242)', 'B',
     'GitHub Actions "Run curl" line and a pretty-printed "Resource not accessible by integration" (was: access.denied)',
     {'input': 'Run curl -sS -H "Authorization: Bearer ghs_16C7e42F292c6912E7710c838347Ae178B4a" https://api.github.com/user/emails\n{\n  "message": "Resource not accessible by integration",\n  "status": "403"\n}', 'operation': 'GET https://api.github.com/user/emails', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'grant.no_user_context'})

case('C-x15', 'Seventh audit (2026-11-25), case a14 (C-07 / C-06; https://github.com/AzureAD/microsoft-identity-web/issues/1038)', 'C',
     'ASP.NET log with the request line and an IDW10201 exception (was: unknown)',
     {'input': 'info: Microsoft.AspNetCore.Hosting.Diagnostics[1]\n      Request starting HTTP/1.1 GET https://localhost:7071/api/todolist - - -\n      Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCIsImtpZCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCJ9.eyJhdWQiOiJhcGk6Ly82NmI0NDlmNS0xYWZiLTRhNDYtYTA5MC1iNWRkZmVmOTVhY2MiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vM2Y3YTJjMWUtNWI4ZC00ZTZmLTlhMGItMWMyZDNlNGY1YTZiL3YyLjAiLCJpYXQiOjE3NjM5OTk3MDAsIm5iZiI6MTc2Mzk5OTcwMCwiZXhwIjoxNzY0MDAzMzAwLCJhaW8iOiJrMkJnIiwiYXpwIjoiMGM5ZDhlN2YtNmE1Yi00YzNkLTJlMWYtMGE5YjhjN2Q2ZTVmIiwiYXpwYWNyIjoiMSIsImlkdHlwIjoiYXBwIiwib2lkIjoiZTVmNmE3YjgtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAzIiwicmgiOiIwLkFTIiwic3ViIjoiZTVmNmE3YjgtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAzIiwidGlkIjoiM2Y3YTJjMWUtNWI4ZC00ZTZmLTlhMGItMWMyZDNlNGY1YTZiIiwidXRpIjoicTEiLCJ2ZXIiOiIyLjAifQ.Sg3mOXDvYUi_N3CXMY7E884xzLc1tA9af90Tfsg_ob6fagn7JDcltl_alhQgt50DYAzOpLnon5GmqobWNu0bjZE0dH7qZ2_QXr8OSHWNNFL7Zjzit9XfS-h-qIlG0wqTvsuZyZz5duWu33pG-vNdYIB0NXf5hZ75O710Zen7sSw3wnGEd0VfhllzhFQLed61Jl8csQn1aI_n_z_tEz2axDluLvc719OIeUA_eLHIkJTveAuKwE427iZhqTyBakAwrvB6UrTEYjp5xLXS_pLIV4DgKWOHJQTBqt9uRH9uthULOoYFhTjxe8WwfH6CJfPCM3Cbisi61rxEKIp3WWXkcg\n      System.UnauthorizedAccessException: IDW10201: Neither scope or roles claim was found in the bearer token.', 'operation': 'GET https://localhost:7071/api/todolist', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['roles']})

case('E-x13', 'Seventh audit (2026-11-25), case a20 (E-02; https://github.com/auth0/auth0-java/issues/145)', 'E',
     'axios error dump: JS object with "Insufficient scope, expected any of: create:email_templates" (was: access.denied)',
     {'input': "config: { headers: { Authorization: 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlNuYVBJZXkyUHJEam5SbnlrV0Q4In0.eyJpc3MiOiJodHRwczovL2FjbWUudXMuYXV0aDAuY29tLyIsInN1YiI6Img0TUZVdVVJUUgxdWVZN3Vpa3JHdWw5VmpiNW9DUVk0QGNsaWVudHMiLCJhdWQiOiJodHRwczovL2FjbWUudXMuYXV0aDAuY29tL2FwaS92Mi8iLCJpYXQiOjE3NjM5OTI4MDAsImV4cCI6MTc2NDA3OTIwMCwic2NvcGUiOiJyZWFkOmVtYWlsX3RlbXBsYXRlcyB1cGRhdGU6ZW1haWxfdGVtcGxhdGVzIiwiZ3R5IjoiY2xpZW50LWNyZWRlbnRpYWxzIiwiYXpwIjoiaDRNRlV1VUlRSDF1ZVk3dWlrckd1bDlWamI1b0NRWTQifQ.igZrbjoAcLQdSoDc1uLbTNFdLBCHOgYijJah3siLx5WsnmIW5eWHFyOxoog_5yhRdZID-_bbKFGxnCam-RzZqE0RvbSQEF3K74t5C2g1PBak-u7Eqq9a-khAiLP_T_8cmmOmB1kCuZY6iaMbqR2heE7SOUTmBFx59jA3ibgC-lwT4p6tULfcrnwC1qGzadLBnnPJXQZ-p1R9ryf2_ALQX0mO9dNfJXk84EtiHPIMI514sOC1q09P11JwhvSlv1gc2R-uRiHBaH2CUTCnkdJRI8pIhkDnIzu45Jx04cdJQ5wUXwNVM53DwKk1jeqdUOUtT4FQtmBI2dTbMcFd3XuubQ' } },\nresponse: { status: 403, data: { message: 'Insufficient scope, expected any of: create:email_templates', errorCode: 'insufficient_scope' } }", 'operation': 'POST https://acme.us.auth0.com/api/v2/email-templates', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['create:email_templates']})

case('Q-x13', 'Seventh audit (2026-11-25), case b37 (class Q (lines 947–965; Q-02 "Client secret not provided in request", the Entra form of the public vs confidential mismatch).)', 'Q',
     'AADSTS7000218 printed as a Python dict (was: the paste starts like JSON but cannot be read)',
     {'input': '{\'error\': \'invalid_client\', \'error_description\': "AADSTS7000218: The request body must contain the following parameter: \'client_assertion\' or \'client_secret\'."}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'client.type_mismatch'})

case('E-x14', 'Seventh audit (2026-11-25), case a23 (E-01; https://github.com/googleworkspace/java-samples/issues/62)', 'E',
     'A 403 "insufficient authentication scopes", then a tokeninfo call showing the token\'s one scope (was: told to request the scope the token has)',
     {'input': 'Exception in thread "main" com.google.api.client.googleapis.json.GoogleJsonResponseException: 403 Forbidden\nPOST https://www.googleapis.com/upload/drive/v3/files?uploadType=multipart\n{\n  "code" : 403,\n  "errors" : [ {\n    "domain" : "global",\n    "message" : "Insufficient Permission: Request had insufficient authentication scopes.",\n    "reason" : "insufficientPermissions"\n  } ],\n  "message" : "Insufficient Permission: Request had insufficient authentication scopes.",\n  "status" : "PERMISSION_DENIED"\n}\n\tat com.google.api.client.googleapis.json.GoogleJsonResponseException.from(GoogleJsonResponseException.java:146)\n\n$ curl -s "https://oauth2.googleapis.com/tokeninfo?access_token=ya29.a0AfB_byDdr58VNbhrIX2iJBQP9paJQbHS-gKXY1pyVxnQVidEEMJMxnesEzVodgIhrqnynyzCDodAhifjhuBRFP60tJ3yG50PR_5WMgtS-xtZwqvirw4iPaegTAlJvvev7W2dOXO97IlFYKuCO-7-X2x_BqTlU"\n{\n  "azp": "407408718192.apps.googleusercontent.com",\n  "aud": "407408718192.apps.googleusercontent.com",\n  "scope": "https://www.googleapis.com/auth/drive.metadata.readonly",\n  "exp": "1764003000",\n  "expires_in": "3000",\n  "access_type": "offline"\n}', 'operation': 'POST https://www.googleapis.com/upload/drive/v3/files', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['client.authentication_failed', 'input.no_token']})

case('A-x22', 'Seventh audit (2026-11-25), case a06 (A-x01 variant (Genesys scope via tokens/me, mypurecloud.de); scenarios.md A class / shared/data README (Genesys tokens/me))', 'A',
     'Session: Genesys tokens/me printed, then the refused call (was: the tokens/me output ignored)',
     {'input': '$ curl -s https://api.mypurecloud.de/api/v2/tokens/me -H "Authorization: Bearer ukaGgS2_29bKDHSofxvK9vOjOfsKjdYM-IGGWw_Px1-oAjeqBhQ9MgfoFeRCwEEYTl9ubXm7dqAxi2ZmLXZ1QY"\n{"authorizedScope":["users:readonly","routing"],"OAuthClient":{"name":"Widget","authorizedGrantType":"CODE"}}\n$ curl -s -o /dev/null -w "%{http_code}\\n" -X POST https://api.mypurecloud.de/api/v2/conversations/calls -H "Authorization: Bearer ukaGgS2_29bKDHSofxvK9vOjOfsKjdYM-IGGWw_Px1-oAjeqBhQ9MgfoFeRCwEEYTl9ubXm7dqAxi2ZmLXZ1QY"\n403', 'operation': 'POST https://api.mypurecloud.de/api/v2/conversations/calls', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['conversations']})

case('A-x23', 'Seventh audit (2026-11-25), case a06 (A-x01 variant (Genesys scope via tokens/me, mypurecloud.de); scenarios.md A class / shared/data README (Genesys tokens/me))', 'A',
     'curl -H @hdr.txt (was: "sends no Authorization header", which is false)',
     {'input': 'curl -X POST https://api.mypurecloud.de/api/v2/conversations/calls -H @hdr.txt', 'operation': 'POST https://api.mypurecloud.de/api/v2/conversations/calls', 'now': 1764000000},
     {'codes': ['input.no_token'], 'mentions': ['hdr.txt']})

case('G-x20', 'Seventh audit (2026-11-25), case a29 (G-09 / G-10 (Genesys login region ≠ API region), PowerShell; https://github.com/tishige/CallFlowVisualizer/issues/9 ; https://github.com/MyPureCloud/platform-client-sdk-javascript/issues/5)', 'G',
     'PowerShell: $auth from login.usw2.pure.cloud, call to api.mypurecloud.com with $($auth.access_token) (was: "a variable, not a token" first)',
     {'input': 'PS> $auth = Invoke-RestMethod -Method Post -Uri "https://login.usw2.pure.cloud/oauth/token" -Body @{grant_type="client_credentials"} -Headers @{Authorization="Basic $b64"}\nPS> Invoke-RestMethod -Uri "https://api.mypurecloud.com/api/v2/routing/queues" -Headers @{Authorization="Bearer $($auth.access_token)"}\nInvoke-RestMethod : {"message":"Invalid login credentials.","code":"bad.credentials","status":401}', 'operation': 'GET https://api.mypurecloud.com/api/v2/routing/queues', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['us_west_2']})

case('F-x20', "Seventh audit (2026-11-25), case a24 (F-03 / §3 'Invalid audience' (az CLI ARM token sent to Graph); https://github.com/oauth2-proxy/oauth2-proxy/issues/779)", 'F',
     'curl with $(az account get-access-token …) and Graph\'s "Invalid audience" (was: a variable and "spaces in the token" first)',
     {'input': '$ curl -s https://graph.microsoft.com/v1.0/me -H "Authorization: Bearer $(az account get-access-token --query accessToken -o tsv)"\n{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'absent': ['header.malformed']})

case('A-x24', 'Seventh audit (2026-11-25), case b43 (A-05 / M-01 shape (read works, write fails). Section 3, line 1002: ErrorAccessDenied.)', 'A',
     'PowerShell script without prompts: $token = "<jwt>", then the call (was: the variable not filled in)',
     {'input': '$token = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJhcHBfZGlzcGxheW5hbWUiOiJNYWlsZXIiLCJpZHR5cCI6InVzZXIiLCJuYW1lIjoiSmFuZSBEb2UiLCJvaWQiOiIzODQwZmViMi1iZTU1LTRiNDUtYWU4Yi1kYmVmNDRmM2QzNmIiLCJzY3AiOiJNYWlsLlJlYWQgVXNlci5SZWFkIG9wZW5pZCBwcm9maWxlIGVtYWlsIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidXBuIjoiamFuZUBjb250b3NvLmNvbSIsInZlciI6IjEuMCJ9.OwqwBzAJ4pqezxMYpczK7LSEJdP_4HmZYL3OEDPjcUDyojVIRG3pAl6tqsA2LxFmkMFZTJH6Le9s-NHVxLwoPdNpmTQ_s0xXnJ9LQ92a5_dbJ2vfEru6sTXe0qg3Csq9sIAwyLzjj-tUGAs5_MAPmcqPOKtqxn47rhDw-rdQZ60-BfatoGh5Ejd9B5lkLAfIjwAawcEbV5A6ul8sCb4vU6n90qwUjVfnmLLpspwl24zDd0FLRmm8139h7w7SR_miSm_UVw96G45D3rkGNHzqeaozE73UiImK9vJywNACzhtvRHMaOZbhL243iqS_Gx-pRVOZV84TV34Hff4ad6FXOA"\nInvoke-RestMethod -Method Post -Uri "https://graph.microsoft.com/v1.0/me/sendMail" -Headers @{Authorization = "Bearer $token"}\nInvoke-RestMethod : {"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Mail.Send']})

case('P-x04', 'Seventh audit (2026-11-25), case b34 (P-01 (line 923; webuild-consortium/wp4-interop-test-bed#33 https://github.com/webuild-consortium/wp4-interop-test-bed/issues/33). Section 3, line 1016: `invalid_dpop_proof` → class P.)', 'P',
     'DPoP scheme, no proof, answered invalid_dpop_proof (was: token.rejected, no fix)',
     {'input': 'Authorization: DPoP eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImFzLTEifQ.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJpc3MiOiJodHRwczovL2FzLmFjbWUuaW8iLCJhdWQiOiJodHRwczovL3JzLmFjbWUuaW8iLCJzdWIiOiJ1NCIsImNsaWVudF9pZCI6IndhbGxldC0xIiwic2NvcGUiOiJjcmVkZW50aWFsIiwiY25mIjp7ImprdCI6IjBaY09DT1JaTll5LURXcHFxMzBqWnlKR0hUTjBkMkhnbEJWM3VpZ3VBNEkifX0.w4tBdxNFbZxir9z-yd-3_-QgZru6oYQXAR3UzJ28OPoHjtf1jMkvVnNrouzgjW8MJlT-gMyWHs7Y7nVCExOyTIxnxREckFpYrn8jBpjrsiXmr2ZJCtmPoh9yjJDNqxFWfrtMiDvNq2Efy9VO3zIsth0eWw_Q5g2dVTMd_G3P6yC2YesDBCAGB85Jwi3E3qS8-S46rTmg94jkr7cWpKdAsEtjcawlCDUTtwQUsmszKQql0JRmpyerowpH-eEoKumpCxYvZ3Zs4o9ejigz_Df0l_NYW_bFnHs0HVp6Hnh5fRWj0phoeH9B_Nf9DRFQ-jFrotU_jNXCe39CvC2Fbo1jcw', 'operation': 'POST https://rs.acme.io/credential', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: DPoP algs="ES256", error="invalid_dpop_proof", error_description="DPoP proof is missing"\r\n\r\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.sender_constrained', 'mentions': ['proof']})

case('J-x13', 'Seventh audit (2026-11-25), case b09 (J-03/J-04 (lines 651 and 658; auth0/nextjs-auth0#12 https://github.com/auth0/nextjs-auth0/issues/12, auth0-samples/auth0-nodejs-webapp-sample#52). Section 3, line 1018: "5 dot-separated parts, alg dir)', 'J',
     'Auth0 token response with a JWE access token, then "GET … -> 401 jwt malformed" (was: the ID token diagnosed)',
     {'input': '{\n  "access_token": "eyJhbGciOiJkaXIiLCJlbmMiOiJBMjU2R0NNIiwiaXNzIjoiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS8ifQ..Yq3p7x9kZ2mN4bV6.Ot62drR62BNooFhwwIieCeHELKGpAZj9v5Q7ra6nKT3kfwDcijghbSzSaz0YLM2eMrDGU3lOTp-R6WATL8x57OfpNmtytHWGtBz0q5izwvyRFUEsDOEU-dmvJ4d7QtLEKRH9UXp_1S4L_b34qgbi8UmjDrlJ4jL4rgN7GAaVnXvWPwO6Di3jone44Gbr7N7hHGDuY1zQmB0ds2AtLXKp6rSTB5ym7VP4NpRBoR2AbgbV7w-h.c2R3ZTRyNXQ2eTd1OGk5bw",\n  "id_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlF6QkZRalV4TmtFM1FUTkJSREEyIn0.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJnaXZlbl9uYW1lIjoiSmFuZSIsIm5pY2tuYW1lIjoiamFuZSIsIm5hbWUiOiJKYW5lIERvZSIsInBpY3R1cmUiOiJodHRwczovL3MuZ3JhdmF0YXIuY29tL2F2YXRhci94LnBuZyIsInVwZGF0ZWRfYXQiOiIyMDI1LTExLTIwVDEwOjAwOjAwLjAwMFoiLCJlbWFpbCI6ImphbmVAYWNtZS5pbyIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsImF1ZCI6Ing3WWIyUWtMOW1ONHBSNnNUOHZXMHpBMWNEM2VGNWdIIiwic3ViIjoiYXV0aDB8NjU1MWYwYzJhMWIyYzNkNGU1ZjYwNzE4Iiwic2lkIjoiUHE4ci0yWGJGazNzWjBjVmJOMW1Rd0U0clQ2eVU4aU8iLCJub25jZSI6ImFHVnNiRzh0ZDI5eWJHUXRibTl1WTJVIn0.KwlkBADmAUZg-g9IBrr20s0VarCpFkI2ZWDS-ueyqdnVg2XeS2EBycvi_n21pTfOXr5ld-awpz39wip5Ux-LtezXXRSzkD3Ar1C1SGAKRtp7VoP_e01UUy4jLDigrO-3LZlLibU3jeMRQKW49XUBXgSKu5a_BRGCA5L2SOhi2U7--VblocNU6ROPjaVaIYcZWeXjYYSyqo37movfo7Zo71H3LkV9x6-735P1AXkTPaxLyFuY_HaUPE1ejXTb1B7QyXTvqbtYMMLsgJJ58INg3hsVnpxmRMk5D1PTADA_OQJn9KelobTV4UeGkBl4BaGFVQU4vRi2FoHl00A3-9iY0g",\n  "scope": "openid profile email",\n  "expires_in": 86400,\n  "token_type": "Bearer"\n}\n\nGET https://api.acme.io/v1/orders -> 401 {"message":"jwt malformed"}', 'operation': 'GET https://api.acme.io/v1/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.encrypted', 'mentions': ['audience']})

case('J-x14', 'Seventh audit (2026-11-25), case b42 (J-03 (line 651; auth0/nextjs-auth0#12 https://github.com/auth0/nextjs-auth0/issues/12). The token `6RvJb3Tu9bxGOUIRV7tsiT7bnB0lVBiY` is verbatim from the thread.)', 'J',
     "Auth0 token response with an opaque access token and an ID token, then the API's answer (was: the ID token diagnosed)",
     {'input': '{"access_token": "6RvJb3Tu9bxGOUIRV7tsiT7bnB0lVBiY", "id_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlF6QkZRalV4TmtFM1FUTkJSREEyIn0.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJnaXZlbl9uYW1lIjoiSmFuZSIsIm5pY2tuYW1lIjoiamFuZSIsIm5hbWUiOiJKYW5lIERvZSIsInBpY3R1cmUiOiJodHRwczovL3MuZ3JhdmF0YXIuY29tL2F2YXRhci94LnBuZyIsInVwZGF0ZWRfYXQiOiIyMDI1LTExLTIwVDEwOjAwOjAwLjAwMFoiLCJlbWFpbCI6ImphbmVAYWNtZS5pbyIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsImF1ZCI6Ing3WWIyUWtMOW1ONHBSNnNUOHZXMHpBMWNEM2VGNWdIIiwic3ViIjoiYXV0aDB8NjU1MWYwYzJhMWIyYzNkNGU1ZjYwNzE4Iiwic2lkIjoiUHE4ci0yWGJGazNzWjBjVmJOMW1Rd0U0clQ2eVU4aU8iLCJub25jZSI6ImFHVnNiRzh0ZDI5eWJHUXRibTl1WTJVIn0.KwlkBADmAUZg-g9IBrr20s0VarCpFkI2ZWDS-ueyqdnVg2XeS2EBycvi_n21pTfOXr5ld-awpz39wip5Ux-LtezXXRSzkD3Ar1C1SGAKRtp7VoP_e01UUy4jLDigrO-3LZlLibU3jeMRQKW49XUBXgSKu5a_BRGCA5L2SOhi2U7--VblocNU6ROPjaVaIYcZWeXjYYSyqo37movfo7Zo71H3LkV9x6-735P1AXkTPaxLyFuY_HaUPE1ejXTb1B7QyXTvqbtYMMLsgJJ58INg3hsVnpxmRMk5D1PTADA_OQJn9KelobTV4UeGkBl4BaGFVQU4vRi2FoHl00A3-9iY0g"}\n\n401 {"message":"jwt malformed"}', 'operation': 'GET https://api.acme.io/v1/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.opaque', 'mentions': ['audience']})

case('C-x16', 'Seventh audit (2026-11-25), case b41', 'C',
     'A log line: Graph "NoPermissionsInAccessToken" (401) with the app-only token in its JSON (was: token.rejected once the answer was read)',
     {'input': '[2025-11-24 16:00:00] production.ERROR: Microsoft Graph API responded with code NoPermissionsInAccessToken: The token contains no permissions, or permissions can not be understood. {"url":"https://graph.microsoft.com/v1.0/users/noreply@contoso.com/sendMail","status":401,"token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJhcHBfZGlzcGxheW5hbWUiOiJNYWlsZXIgRGFlbW9uIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI5YThiN2M2ZC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwY2MiLCJzdWIiOiI5YThiN2M2ZC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwY2MiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ2ZXIiOiIxLjAifQ.bnX9qmxY7KttyFQp5vYRvfcp9DD3-8TAegMI4t4TBQ6F-VB_OlhNw8jvVDf6F9ocTxtL9NIyrcfvv31iayXPgtt3IUuJpy_Vl3wnvR2KG17zvsWiguaTQKsJQhzfFiNEiXR3M_zJnA_KTRBU3nRVpI2jkcUCC43igrQrNEuE6OK_DeaPZlIM9wowA01Cg9lg-Yc8yJ-V-RRiRAnD6Y8jPHnxsWt0p9sBEqpbwfmkXroUHfILVEDuC7vmmLaC64fd1A7iSFvHHGkcx8hLoToZ91hIKFWbgV5V2AXvDSI3KLfaBcWMDy8md2V0lPYS-a2nmkdJUj2ecN5FEGUuv2FzBA"}', 'operation': 'POST https://graph.microsoft.com/v1.0/users/noreply@contoso.com/sendMail', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Mail.Send']})

case('N-x66', 'Seventh audit (2026-11-25), case b24 (class N (lines 822–868), the header-formatting variant of N-02/N-05 (the API sees no credentials).)', 'N',
     'curl with a misspelled "Authorisation:" header (was: "sends no Authorization header")',
     {'input': 'curl https://orders.acme.io/api/orders -H "Authorisation: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJhdWQiOiJhcGk6Ly9vcmRlcnMiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJhenAiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJzY3AiOiJPcmRlcnMuUmVhZCIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsIm9pZCI6Im8iLCJzdWIiOiJzIiwidmVyIjoiMi4wIn0.QaH7QJUjxaMU8dGH6CfaEG3Qe9sPBre4Dcn0ixpa-Dmp5fpq-U7bwULYwMt9NZzSVIy1TYiVsEOOqZkO8Fjw4N09YObSxTeS8m3jHOEQgUNm695bMDcOtM4fxkWH3fh_98_xygf6SOixCF6PPVnIFkjUHB5ZJuShufR-HdyUF1jqmecptWo-7ijTSrfFr1EDtYTKNNjm-CZM-0G660DPU2ZRhg7H7wLZqCkZSmL3PRgPPo-o3z4PO4let0F35w0lRCRlRjw0uWs_QoXXt364Y02vAR8tW1iDFYKRTdw8PSzOuPBXrmz_uOBugRhLQLvHSKmW-_vlZhy6UK03MKRLnw"', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer\r\n\r\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['Authorisation']})

case('K-x18', 'Seventh audit (2026-11-25), case b10 (K-01 (line 672, keycloak/keycloak#15694 https://github.com/keycloak/keycloak/issues/15694). Section 3, line 1017: `{"active": false}`, "also check the issuer host".)', 'K',
     'Okta: an org-server token introspected at /oauth2/default answers active:false (was: "revoked" first)',
     {'input': 'curl -s -X POST https://dev-4821937.okta.com/oauth2/default/v1/introspect \\\n  -u 0oa9api1Xy2Zw3Vu4T5d7:s3cr3t \\\n  -d token=eyJraWQiOiJPcmdLZXkxIiwiYWxnIjoiUlMyNTYifQ.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJ2ZXIiOjEsImp0aSI6IkFULm9yZzEiLCJpc3MiOiJodHRwczovL2Rldi00ODIxOTM3Lm9rdGEuY29tIiwiYXVkIjoiaHR0cHM6Ly9kZXYtNDgyMTkzNy5va3RhLmNvbSIsImNpZCI6IjBvYThrMngzclliUTVjWjlkNWQ3IiwidWlkIjoiMDB1NXRiN2t6MlNKbzhtUTE1ZDciLCJzY3AiOlsib3BlbmlkIiwicHJvZmlsZSJdLCJzdWIiOiJqYW5lQGFjbWUuaW8ifQ.lnPJy1RnSjxvkAFrkrT1NlugOEnmn9MlGeFRDr1Jv3vIs6WfqC37-Jc4WKBAN0ibj6A4te-YkWcUuyozGqypEBvl-xjG_HNZaV1q7k0wtHzwknkTHYHX5FqQ_ByovO-n6oPFXo43YTJxeNX1DcoYXrXQl1HA_57-vYRWxIHDrDDkUmfZ0aeQ7OjmGKbs3Xc7ifaGHjp35-a0ZveY3-WOVtb4VYvhiCRm26Kkcm6DfJoQEJUrDW0aMfaD_zZRG3oJB0zz3UQAkjEMZl8aZz_FmIVAdj7DtxlnFtDzXmmxGm53MdcYEifpGhaa2UxXTjDnzaHiuipeckKzEetdqhBsUg \\\n  -d token_type_hint=access_token\n{"active":false}', 'operation': 'GET https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'introspection.inactive', 'mentions': ['oauth2/default']})

case('A-x25', 'Seventh audit (2026-11-25), case a18 (A-05 / D (token response shows the granted scope); https://github.com/AzureCAT-GSI/DevCamp/issues/44)', 'A',
     'Entra token response, a line of words, then the 403 (was: the paste starts like JSON but cannot be read)',
     {'input': '{"token_type":"Bearer","scope":"openid profile email https://graph.microsoft.com/User.Read","expires_in":4779,"ext_expires_in":4779,"access_token":"eyJ0eXAiOiJKV1QiLCJub25jZSI6IjlRODczTWJkUUJBQ0xvWWpJWndpSUJxZ1JJVm9mTkluMnZRTU5NNnpLejQiLCJhbGciOiJSUzI1NiIsIng1dCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCIsImtpZCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC8zZjdhMmMxZS01YjhkLTRlNmYtOWEwYi0xYzJkM2U0ZjVhNmIvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzYwMCwiYWNyIjoiMSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBNYWlsZXIiLCJhcHBpZCI6IjhjMWY1ZDBlLTJhNGItNGM2ZC04ZTlmLTBhMWIyYzNkNGU1ZiIsImFwcGlkYWNyIjoiMCIsImlkdHlwIjoidXNlciIsImlwYWRkciI6IjIwMy4wLjExMy43IiwibmFtZSI6IkphbmUgRG9lIiwib2lkIjoiYTFiMmMzZDQtMDAwMC00MDAwLTgwMDAtMDAwMDAwMDAwMDAxIiwic2NwIjoib3BlbmlkIHByb2ZpbGUgZW1haWwgVXNlci5SZWFkIiwic3ViIjoieDdZcTMiLCJ0aWQiOiIzZjdhMmMxZS01YjhkLTRlNmYtOWEwYi0xYzJkM2U0ZjVhNmIiLCJ1bmlxdWVfbmFtZSI6ImphbmVAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lQGNvbnRvc28uY29tIiwidXRpIjoiYWJjIiwidmVyIjoiMS4wIiwieG1zX3RjZHQiOjE2MDAwMDAwMDB9.toqdEdUBeklOGP7-chqYkwB8OccdOAo7kn_d0X1-rNx4wnY_NPZ1cm93wvrM0YfEC_L6VuPU2307ym4iBypRRIaXoa2JUZBrIs33TJ8_JBpp78cOxle33CBA0LdpHpVIVkbYAHgdnsmrXkG43KtPxLrEs4Axr-OWD8SA49KZjwaxIOG8le4RymUqrFme5oNQlekgOY_1_cT7FSBVYoIgHKysdAcxGLxRP0rLFSFjaIUSg1MeHm9Xa_l4gSfc0BGqhPyRcAB9me5um92p_vFTDzln-4A3PgCnYV1tOt9SIE-tLZbjRDWyDFr6iWryLfXNUtU3_6tm92Ycm_y29Rnp4A","refresh_token":"1.AVYAAj8gvJRj-ElWFcv9zUMVN5gP_6bLmjOEzgmvHrdPeOnxJrX45HVzY905qAWRrApguTEPH4VK160bm1pjxHUOLwugyQvuWwv6-BeJ0Y9_px8kTxfaFygMvMYq","id_token":"eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCIsImtpZCI6InowMzl6ZHNGdWl6cEJmQlZLMVRuMjVRSFlPMCJ9.eyJhdWQiOiI4YzFmNWQwZS0yYTRiLTRjNmQtOGU5Zi0wYTFiMmMzZDRlNWYiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vM2Y3YTJjMWUtNWI4ZC00ZTZmLTlhMGItMWMyZDNlNGY1YTZiL3YyLjAiLCJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJuYW1lIjoiSmFuZSBEb2UiLCJvaWQiOiJhMWIyYzNkNC0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMDAwMDEiLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJqYW5lQGNvbnRvc28uY29tIiwic3ViIjoiYWJjIiwidGlkIjoiM2Y3YTJjMWUtNWI4ZC00ZTZmLTlhMGItMWMyZDNlNGY1YTZiIiwidmVyIjoiMi4wIiwibm9uY2UiOiI2Nzg5MTAifQ.1UPSjRCuefZuN8iL3MlZkBMZe5JBbiUh5ECmn5PstGjxAfD6LQwualNJUvTipSOoPYwITtT1cxglkrGK5G0pgoo2_wm4PbnvwVPqaBJSR25j6mnz-h2ZA7t6a7VtILbGFwJtNT8SCBGu5aPevUByDYGoc1VzM73pjh8MrYdQMKb77Txysqzs8T2q1BhCw4OFTh3FvF6_UZirPQatThrpBoBJvkggC27UFkQ9Y_JOqP5Jv5w071u6TIF6H0GSIU-Sjuva4bXA_qC6mTA9fyMjLManQWg2g-SID66z9Qb-W315fYtdqlJVLDmeZxNrASBjsaovLfC4KkyT37yALcVGiQ"}\n\nthen POST https://graph.microsoft.com/v1.0/me/sendMail gives\n403 {"error":{"code":"ErrorAccessDenied","message":"Access is denied. Check credentials and try again."}}', 'operation': 'POST https://graph.microsoft.com/v1.0/me/sendMail', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Mail.Send']})


case('E-x15', 'Review of the seventh audit fixes (2026-11-25), case 05', 'E',
     "A question above a tokeninfo call is not the API's answer",
     {'input': 'I suspect my token is expired or lacks a scope, so I checked it with tokeninfo:\n$ curl -s \'https://oauth2.googleapis.com/tokeninfo?access_token=ya29.a0AfH6SMBx12345678901234567890abcdef\'\n{"azp":"123.apps.googleusercontent.com","aud":"123.apps.googleusercontent.com","scope":"https://www.googleapis.com/auth/drive.readonly","exp":"1764003000","expires_in":"3000","access_type":"online"}', 'operation': 'GET https://www.googleapis.com/drive/v3/files', 'now': 1764000000},
     {'verdict': 'unknown', 'absent': ['token.expired']})

case('F-x21', 'Review of the seventh audit fixes (2026-11-25), case 07', 'F',
     'A log\'s hint line ("if you see \'invalid audience\'") is not the API\'s answer',
     {'input': "[axios] request: GET https://graph.microsoft.com/v1.0/me/messages\nheaders: { Authorization: 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXVkIjoiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwic3ViIjoidTEiLCJzY3AiOiJVc2VyLlJlYWQiLCJhcHBpZCI6ImMxIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwidmVyIjoiMS4wIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl' }\n[auth] refresh scheduled: token expires in 50 min\n[auth] tip: if you see 'invalid audience', check the scope\n", 'now': 1764000000},
     {'absent': ['audience.mismatch']})

case('F-x22', 'Review of the seventh audit fixes (2026-11-25), case 11', 'F',
     "A question typed below a token response is not the API's answer",
     {'input': '{\n  "token_type": "Bearer",\n  "scope": "User.Read",\n  "expires_in": 3599,\n  "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXVkIjoiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwic3ViIjoidTEiLCJzY3AiOiJVc2VyLlJlYWQiLCJhcHBpZCI6ImMxIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwidmVyIjoiMS4wIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl",\n  "refresh_token": "0.AXoAv4j5cvGGr0GRqy180BHbRxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"\n}\nthe token is not valid for this audience? invalid audience maybe', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'now': 1764000000},
     {'absent': ['audience.mismatch']})

case('N-x67', 'Review of the seventh audit fixes (2026-11-25), case 13', 'N',
     'A JWT cut short after Bearer in a log does not beat the whole JWT pasted above it',
     {'input': 'My token:\neyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXVkIjoiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwic3ViIjoidTEiLCJzY3AiOiJVc2VyLlJlYWQiLCJhcHBpZCI6ImMxIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwidmVyIjoiMS4wIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl\n\nServer log:\n2025-11-24 16:00:01 DEBUG GET https://graph.microsoft.com/v1.0/me/messages Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6Ik...\n2025-11-24 16:00:01 WARN response 401 Unauthorized', 'now': 1764000000},
     {'absent': ['token.malformed', 'token.opaque']})

case('N-x68', 'Review of the seventh audit fixes (2026-11-25), case 15', 'N',
     '`Bearer null` in a comment does not beat the token the code sends',
     {'input': "// when logged out the app sends 'Authorization: Bearer null'\nfetch('https://api.github.com/user', {headers: {Authorization: 'Bearer gho_16C7e42F292c6912E7710c838347Ae178B4a'}})\n401 Bad credentials", 'now': 1764000000},
     {'absent': ['input.no_token']})

case('N-x69', 'Review of the seventh audit fixes (2026-11-25), case 16', 'N',
     'A log label `Bearer: <jwt>` beside the real header line is not a malformed header',
     {'input': 'DEBUG token acquired, Bearer: eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXVkIjoiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwic3ViIjoidTEiLCJzY3AiOiJVc2VyLlJlYWQiLCJhcHBpZCI6ImMxIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwidmVyIjoiMS4wIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl\nDEBUG > GET https://graph.microsoft.com/v1.0/me/messages\nDEBUG > Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXVkIjoiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwic3ViIjoidTEiLCJzY3AiOiJVc2VyLlJlYWQiLCJhcHBpZCI6ImMxIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwidmVyIjoiMS4wIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl\nDEBUG < 403 Forbidden\n{"error":{"code":"ErrorAccessDenied","message":"Access is denied."}}', 'now': 1764000000},
     {'absent': ['header.malformed']})

case('K-x19', 'Review of the seventh audit fixes (2026-11-25), case 20', 'K',
     'An earlier call\'s SCIM user with "active": false is not an introspection answer',
     {'input': '$ curl -s -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20vIiwiYXVkIjoiaHR0cHM6Ly9pZG0uZXhhbXBsZS5jb20iLCJzdWIiOiJ1MSIsInNjb3BlIjoic2NpbTpyZWFkIiwiaWF0IjoxNzYzOTk5NDAwLCJleHAiOjE3NjQwMDMwMDB9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl" https://idm.example.com/scim/v2/Users/2819c223\n{"schemas":["urn:ietf:params:scim:schemas:core:2.0:User"],"id":"2819c223","userName":"bjensen","active":false}\n$ curl -s -X PATCH -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20vIiwiYXVkIjoiaHR0cHM6Ly9pZG0uZXhhbXBsZS5jb20iLCJzdWIiOiJ1MSIsInNjb3BlIjoic2NpbTpyZWFkIiwiaWF0IjoxNzYzOTk5NDAwLCJleHAiOjE3NjQwMDMwMDB9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl" -H "Content-Type: application/scim+json" https://idm.example.com/scim/v2/Users/2819c223 -d \'{"Operations":[{"op":"replace","path":"active","value":true}]}\'\nHTTP/1.1 401 Unauthorized\n{"detail":"Authentication failed","status":"401"}\n', 'now': 1764000000},
     {'absent': ['introspection.inactive']})

case('N-x70', 'Review of the seventh audit fixes (2026-11-25), case 22', 'N',
     'The call sends $ACCESS_TOKEN, the session set TOKEN: not linked to the token request',
     {'input': '$ TOKEN=$(curl -s -X POST https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token -d \'grant_type=client_credentials&client_id=a&client_secret=b&scope=https://graph.microsoft.com/.default\' | jq -r .access_token)\n$ curl -si -H "Authorization: Bearer $ACCESS_TOKEN" https://graph.microsoft.com/v1.0/users\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000"\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token'})

case('N-x71', 'Review of the seventh audit fixes (2026-11-25), case 23', 'N',
     'TOKEN from `jq -r .accessToken` (null) and the API says no dots: the variable stays the cause',
     {'input': '$ TOKEN=$(curl -s -X POST https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/oauth2/v2.0/token -d \'grant_type=client_credentials&client_id=a&client_secret=b&scope=https://graph.microsoft.com/.default\' | jq -r .accessToken)\n$ curl -s -H "Authorization: Bearer $TOKEN" https://graph.microsoft.com/v1.0/users\n{"error":{"code":"InvalidAuthenticationToken","message":"IDX14100: JWT is not well formed, there are no dots (.)."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token'})

case('G-x21', 'Review of the seventh audit fixes (2026-11-25), case 25', 'G',
     'The answer expects the issuer the token shown has: another token was sent',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20vIiwiYXVkIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCJzdWIiOiJ1MSIsInNjb3BlIjoicmVhZCIsImlhdCI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET https://api.example.com/orders', 'response': 'HTTP/1.1 401 Unauthorized\n\n{"message":"jwt issuer invalid. expected: https://auth.example.com/"}', 'now': 1764000000},
     {'first': 'token.stale', 'absent': ['issuer.mismatch']})

case('F-x23', 'Review of the seventh audit fixes (2026-11-25), case 26', 'F',
     "The answer's expected audience differs from aud by a trailing slash",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20vIiwiYXVkIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCJzdWIiOiJ1MSIsInNjb3BlIjoicmVhZCIsImlhdCI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET https://api.example.com/orders', 'response': 'HTTP/1.1 401 Unauthorized\n\n{"message":"jwt audience invalid. expected: https://api.example.com/"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['trailing slash']})

case('F-x24', 'Review of the seventh audit fixes (2026-11-25), case 27', 'F',
     'The answer expects the audience the token shown has: another token was sent',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2F1dGguZXhhbXBsZS5jb20vIiwiYXVkIjoiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCJzdWIiOiJ1MSIsInNjb3BlIjoicmVhZCIsImlhdCI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET https://api.example.com/orders', 'response': 'HTTP/1.1 401 Unauthorized\n\n{"message":"jwt audience invalid. expected: https://api.example.com"}', 'now': 1764000000},
     {'first': 'token.stale', 'absent': ['audience.mismatch']})

case('H-x17', 'Review of the seventh audit fixes (2026-11-25), case 29', 'H',
     'A raw request with a pretty-printed body holding a `message` object: the body is not the answer',
     {'input': 'POST https://graph.microsoft.com/v1.0/me/sendMail\nAuthorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXVkIjoiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwic3ViIjoidTEiLCJzY3AiOiJVc2VyLlJlYWQiLCJhcHBpZCI6ImMxIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwidmVyIjoiMS4wIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl\nContent-Type: application/json\n\n{\n  "message": {\n    "subject": "Quarterly report",\n    "toRecipients": [{"emailAddress": {"address": "a@contoso.com"}}]\n  }\n}\n\nResponse: 401 {"error":{"code":"InvalidAuthenticationToken","message":"Access token has expired or is not yet valid."}}\n', 'now': 1764000000},
     {'first': 'token.stale'})

case('N-x72', 'Review of the seventh audit fixes (2026-11-25), case 37', 'N',
     '`Bearer undefined` in the request beats a JWT shown elsewhere in the paste',
     {'input': '[auth] token response: {"token_type":"Bearer","access_token":"eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXVkIjoiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwic3ViIjoidTEiLCJzY3AiOiJVc2VyLlJlYWQiLCJhcHBpZCI6ImMxIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwidmVyIjoiMS4wIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl","expires_in":3599}\n[http] GET https://graph.microsoft.com/v1.0/me/messages\n[http] Authorization: Bearer undefined\n[http] 401 Unauthorized {"error":{"code":"InvalidAuthenticationToken","message":"IDX14100: JWT is not well formed, there are no dots (.)."}}\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['undefined']})


case('M-x12', 'Seventh audit (2026-11-25), case b20 (M-06 (line 814; hasura/comment-progress#9 https://github.com/hasura/comment-progress/issues/9). Section 3, line 1011.)', 'M',
     'GitHub 403 "Resource not accessible by integration" with X-Accepted-GitHub-Permissions (was: the fix named contents: write)',
     {'input': 'Authorization: token ghs_16C7e42F292c6912E7710c838347Ae178B4a', 'operation': 'POST https://api.github.com/repos/acme/web/issues/42/comments', 'response': 'HTTP/2 403\r\nx-accepted-github-permissions: issues=write; pull_requests=write\r\n\r\n{"message":"Resource not accessible by integration"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'permission.missing', 'mentions': ['issues: write']})

case('O-x16', 'Seventh audit (2026-11-25), case b30 (O-04/O-05 (lines 894 and 902; haproxytech/haproxy-lua-oauth#11, nearform/fastify-jwt-jwks#10). Section 3, line 1005, lists IDX10503.)', 'O',
     'ASP.NET log: IDX10503 for an HS256 token, keys tried are RsaSecurityKey (was: signature.invalid, "verify here")',
     {'input': "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJpc3MiOiJodHRwczovL3Nzby5hY21lLmlvL3JlYWxtcy9hY21lIiwiYXVkIjoib3JkZXJzLWFwaSIsInN1YiI6InUzIiwiYXpwIjoib3JkZXJzLXdlYiIsInNjb3BlIjoib3JkZXJzLnJlYWQiLCJ0eXAiOiJCZWFyZXIifQ.v1nHMI66FGZNnzlmWB8K6RrTNeJneTi4tjpAMrYj78E\n\nfail: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[3]\n      Exception occurred while processing message.\n      Microsoft.IdentityModel.Tokens.SecurityTokenSignatureKeyNotFoundException: IDX10503: Signature validation failed. Token does not have a kid. Keys tried: 'Microsoft.IdentityModel.Tokens.RsaSecurityKey, KeyId: 'kc-rsa-1', InternalId: 'kc-rsa-1'. , KeyId: kc-rsa-1'. Number of keys in TokenValidationParameters: '0'. Number of keys in Configuration: '1'. Exceptions caught: ''. token: '[PII of type 'System.IdentityModel.Tokens.Jwt.JwtSecurityToken' is hidden.]'.\ninfo: Microsoft.AspNetCore.Authentication.JwtBearer.JwtBearerHandler[7]\n      Bearer was not authenticated. Failure message: IDX10503: Signature validation failed. Token does not have a kid.", 'operation': 'GET https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.alg_mismatch'})

case('P-x05', 'Seventh audit (2026-11-25), case b36 (P-03/P-04 (lines 932 and 940; wso2/api-manager#4655, coreos/go-oidc#450): the certificate must be forwarded by a TLS-terminating proxy (RFC 9440).)', 'P',
     'An mTLS-bound token from a curl that presents --cert, answered 401 (was: "call with the client certificate")',
     {'input': 'curl --cert tpp.crt --key tpp.key https://accounts.bank.example/accounts -H "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJpc3MiOiJodHRwczovL2FzLmJhbmsuZXhhbXBsZSIsImF1ZCI6Imh0dHBzOi8vYWNjb3VudHMuYmFuay5leGFtcGxlIiwic3ViIjoidTUiLCJjbGllbnRfaWQiOiJ0cHAtMSIsInNjb3BlIjoiYWNjb3VudHMiLCJjbmYiOnsieDV0I1MyNTYiOiJid2NLMGVzYzNBQ0MzREIyWTVfbEVTc1hFOG85bHRjMDVPODlqZE4tZGcyIn19.VglUm9z3-LFzW2k0ap_LIqfyZF_scNAb70aCkbSt8HWFdmgJelRfE6mgkhsRMQJJsARGN5BRG0P4Xm5cUJWtAauIQwDEqD4gaXkSHjzxIAAKgZEZQoTyLDwDepaj5OYVDx5UkH1UjwdpXJFaz8uiEjBmU4-WLWQaOX-2l0LO6LK2o6snF7pflUYcR9pTQ2WriAGVAi5kCjAaqMaNqLuEfcGsP67WrqWfAkOhVaBjJkGItkzV88BYOuMFSkGuA1cDvQauKBPT9hPQ55bGYKeYKmOfEPPYg5dtzVEYta9zpkzUGJa7-4I3nFghw9B3-Sh7s0u7W3ZCajS3kLBnEizVwA"', 'response': 'HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error="invalid_token"\r\n\r\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.sender_constrained', 'mentions': ['x5t#S256']})

case('Q-x14', 'Seventh audit (2026-11-25), case b38 (class Q (lines 947–965), the reverse of Q-02: the registration is public and the request carries a secret.)', 'Q',
     'AADSTS700025: a public client sends a secret (was: the confidential-client fixes)',
     {'input': '{"error":"invalid_client","error_description":"AADSTS700025: Client is public so neither \'client_assertion\' nor \'client_secret\' should be presented.","error_codes":[700025]}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'client.type_mismatch', 'mentions': ['Stop sending client_secret']})


case('E-x16', 'Seventh audit (2026-11-25), case a37 (E-07 (scenarios.md l.359), https://github.com/anthropics/claude-ai-mcp/issues/931)', 'E',
     '`token: <reference token>`, its introspection answer and the API\'s 403 challenge naming scope="orders:write", with notes between (was: "the response does not say which scope")',
     {'input': 'token: XT6--2AG1ZVFAQBVWZRI9GR70RZEW_BFPJ47IYOZPKBECNERJJITCKKIESLFGLXP\n\nintrospection (POST /connect/introspect):\n{"iss":"https://ids.acme.io","nbf":1763999100,"iat":1763999100,"exp":1764002700,"aud":"orders","client_id":"orders-web","sub":"88421113","auth_time":1763999000,"idp":"local","active":true,"scope":"openid profile orders:read"}\n\nAPI answer:\nHTTP/1.1 403 Forbidden\nWWW-Authenticate: Bearer error="insufficient_scope", scope="orders:write"', 'operation': 'POST https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['orders:write']})

case('N-x73', 'Seventh audit (2026-11-25), case a37 (E-07 (scenarios.md l.359), https://github.com/anthropics/claude-ai-mcp/issues/931)', 'N',
     "`token: <opaque>` then the API's 403 challenge (was: read as an error message without a token)",
     {'input': 'token: XT6--2AG1ZVFAQBVWZRI9GR70RZEW_BFPJ47IYOZPKBECNERJJITCKKIESLFGLXP\n\nHTTP/1.1 403 Forbidden\nWWW-Authenticate: Bearer error="insufficient_scope", scope="orders:write"', 'operation': 'POST https://orders.acme.io/api/orders', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['orders:write'], 'absent': ['input.no_token']})


case('N-x74', 'Review of the seventh audit fixes (2026-11-25), case 36', 'N',
     'curl -H "Authorization: Bearer `cat token.txt`": a command substitution in backticks (was: quotes and spaces in the token)',
     {'input': 'curl -H "Authorization: Bearer `cat token.txt`" https://graph.microsoft.com/v1.0/me/messages', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'absent': ['header.malformed'], 'mentions': ['cat token.txt']})


case('K-x20', "README Known limits until 2026-11-25: a `curl -v` transcript to an introspection endpoint was read as an API call (K-01, keycloak/keycloak#15694: active false)", 'K',
     "A curl -v transcript to Keycloak's introspection endpoint, no request body shown, answered active:false (was: \"allowed: the API answered 200\")",
     {"input": "*   Trying 10.0.0.5:8443...\n* Connected to keycloak.example.com (10.0.0.5) port 8443 (#0)\n> POST /realms/demo/protocol/openid-connect/token/introspect HTTP/1.1\n> Host: keycloak.example.com:8443\n> Authorization: Basic YXBpOnNlY3JldA==\n> User-Agent: curl/8.5.0\n> Accept: */*\n> Content-Length: 1187\n> Content-Type: application/x-www-form-urlencoded\n>\n< HTTP/1.1 200 OK\n< Content-Type: application/json\n< Content-Length: 16\n<\n* Connection #0 to host keycloak.example.com left intact\n{\"active\":false}", "now": 1764000000},
     {'verdict': 'denied', 'first': 'introspection.inactive', 'codes': ['input.introspection_request'], 'absent': ['header.malformed', 'response.success']})

case('K-x21', "README Known limits until 2026-11-25: a `curl -v` transcript to an introspection endpoint (K-01, keycloak/keycloak#15694: a token of another realm)", 'K',
     "The curl command above the transcript holds the token= field: the token of another realm is diagnosed, its issuer named as the likely cause",
     {"input": "$ curl -v -u api:secret -d \"token=eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9rZXljbG9hay5leGFtcGxlLmNvbTo4NDQzL3JlYWxtcy9vdGhlciIsICJhdWQiOiAiYWNjb3VudCIsICJhenAiOiAid2ViIiwgImV4cCI6IDE3NjQwMDMwMDAsICJpYXQiOiAxNzY0MDAwMDAwLCAic2NvcGUiOiAib3BlbmlkIHByb2ZpbGUiLCAidHlwIjogIkJlYXJlciIsICJzdWIiOiAidTEifQ.c2lnbmF0dXJlc2lnbmF0dXJl\" https://keycloak.example.com:8443/realms/demo/protocol/openid-connect/token/introspect\n*   Trying 10.0.0.5:8443...\n* Connected to keycloak.example.com (10.0.0.5) port 8443 (#0)\n> POST /realms/demo/protocol/openid-connect/token/introspect HTTP/1.1\n> Host: keycloak.example.com:8443\n> Authorization: Basic YXBpOnNlY3JldA==\n> User-Agent: curl/8.5.0\n> Accept: */*\n> Content-Length: 1187\n> Content-Type: application/x-www-form-urlencoded\n>\n< HTTP/1.1 200 OK\n< Content-Type: application/json\n< Content-Length: 16\n<\n* Connection #0 to host keycloak.example.com left intact\n{\"active\":false}", "now": 1764000000},
     {'verdict': 'denied', 'first': 'introspection.inactive', 'mentions': ['realms/other']})


case('N-x75', "README Known limits until 2026-11-25 (seventh audit, case a06): the token behind `curl -H @file` was not read from a `cat file` printed earlier in the session", 'N',
     "`cat headers.txt` prints the Authorization line, then `curl -H @headers.txt` to Graph's sendMail answers ErrorAccessDenied (was: \"the token is not in the paste\")",
     {"input": "$ cat headers.txt\nAuthorization: Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwgImV4cCI6IDE3NjQwMDMwMDAsICJpYXQiOiAxNzY0MDAwMDAwLCAibmJmIjogMTc2NDAwMDAwMCwgInNjcCI6ICJVc2VyLlJlYWQgTWFpbC5SZWFkIiwgImFwcGlkIjogImMxIiwgInRpZCI6ICI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCAidmVyIjogIjEuMCIsICJzdWIiOiAidSJ9.c2lnbmF0dXJlc2lnbmF0dXJl\nContent-Type: application/json\n$ curl -s -X POST -H @headers.txt https://graph.microsoft.com/v1.0/me/sendMail -d @mail.json\n{\"error\":{\"code\":\"ErrorAccessDenied\",\"message\":\"Access is denied. Check credentials and try again.\"}}", "now": 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Mail.Send'], 'absent': ['input.no_token']})


case('A-x26', "Eighth audit (2026-11-25), case a02: msgraph-permissions.json Mail.ReadWrite adminDescription ('Allows the app to create, read, update, and delete email'); the matrix row GET /me/messages/{id} lists only Mail.Read/Mail.ReadBasic (a gap in the permissions reference's pathSets)", 'A',
     'Delegated Mail.ReadWrite reading one message: the reference lists only Mail.Read/Mail.ReadBasic for it (was: denied, scope.missing Mail.Read)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJzY3AiOiJNYWlsLlJlYWRXcml0ZSIsImV4cCI6MTc2NDAwMzYwMCwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3In0._mzPEuNPDiWMwaLvu-1dT484XHUhB-Sw6q23ceAZbXEgvCzfgmjKzLVr_vAX_oBT8srE3GnY0FMzwlYy9tYcC_5szxLjTw4ljMGi77vtXU-POFx1IQfksOqtt3HgGW1xILws34Joysy1a_7wF_6AU_LKxNxp2NBTM8JWMvbWHAv-bM8S408OJYzBou-77V1PjzhcdSEH5LDqrbdx4BltcSC8LN-CaMrMtWv-8Bf-gFPyysTcadjQUzPCVjL21hwL_mzPEuNPDiWMwaLvu-1dT484XHUhB-Sw6q23ceAZbXEgvCzfgmjKzLVr_vAX_oBT8srE3GnY0FMzwlYy9tYcCw', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages/AAMk1', 'now': 1764000000},
     {'verdict': 'allowed', 'codes': ['scope.implied'], 'absent': ['scope.missing']})

case('A-x27', 'Eighth audit (2026-11-25), case a05: matrix row GET /users/{id}/calendar/events appScopes', 'A',
     'App-only token on GET /users/{upn}/calendar/events: the read permission is named, not Calendars.ReadWrite (was: the fix named Calendars.ReadWrite)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJpZHR5cCI6ImFwcCIsInJvbGVzIjpbIk1haWwuUmVhZCJdLCJleHAiOjE3NjQwMDM2MDAsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyJ9.e_33mxyy7OKLOfMO_3QBimJ8P6NwPFsNhcCastYQ-zq6Ph9jPYBGdOQa0x86imusdKFnrW0h4ZZC2HMSKcfbvnv995scsuziiznzDv90AYpifD-jcDxbDYXAmrLWEPs6uj4fYz2ARnTkGtMfOoprrHShZ61tIeGWQthzEinH2757_febHLLs4os58w7_dAGKYnw_o3A8Ww2FwJqy1hD7Oro-H2M9gEZ05BrTHzqKa6x0oWetbSHhlkLYcxIpx9u-e_33mxyy7OKLOfMO_3QBimJ8P6NwPFsNhcCastYQ-zq6Ph9jPYBGdOQa0x86imusdKFnrW0h4ZZC2HMSKcfbvg', 'operation': 'GET https://graph.microsoft.com/v1.0/users/u1/calendar/events', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Calendars.ReadBasic']})

case('G-x22', "Eighth audit (2026-11-25), case a09: scenarios.md §3 'Access token validation failure. Invalid audience.' -> F; matrix platform.audiences per host", 'G',
     'A global-cloud Graph token sent to graph.microsoft.us: the fix names the US Government sign-in host and audience (was: the fix named https://graph.microsoft.com/.default)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJpZHR5cCI6ImFwcCIsInJvbGVzIjpbIlVzZXIuUmVhZC5BbGwiXSwiZXhwIjoxNzY0MDAzNjAwLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcifQ.WwFSoKsbopiMfgHkmrGRVBKe4L2dXdN7xmjNcVsNpgjZDUQKKTwc5UE9oma-a-ahbwieuFJAYDk36LxY45MBFVsBUqCrG6KYjH4B5JqxkVQSnuC9nV3Te8ZozXFbDaYI2Q1ECik8HOVBPaJmvmvmoW8InrhSQGA5N-i8WOOTARVbAVKgqxuimIx-AeSasZFUEp7gvZ1d03vGaM1xWw2mCNkNRAopPBzlQT2iZr5r5qFvCJ64UkBgOTfovFjjkwEVWwFSoKsbopiMfgHkmrGRVBKe4L2dXdN7xmjNcVsNpgjZDUQKKTwc5UE9oma-a-ahbwieuFJAYDk36LxY45MBFQ', 'operation': 'GET https://graph.microsoft.us/v1.0/users', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['login.microsoftonline.us', 'https://graph.microsoft.us/.default']})

case('A-x28', 'Eighth audit (2026-11-25), case a11: matrix row GET /groups/{id}', 'A',
     "User.Read token on GET /groups/{id}: the general Group.ReadBasic.All is named, not a feature's ReadWrite permission (was: Group-NestingSupport.ReadWrite.All)",
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJzY3AiOiJVc2VyLlJlYWQiLCJleHAiOjE3NjQwMDM2MDAsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyJ9.9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQPbucK7AmkK_VYwJkZI0PAQXGLgXYZYEPDMwfYGWh87heHCxEf4uC9kb6QufPIH-lour7A58Xsz4Itog5sABzUD27nCuwJpCv1WMCZGSNDwEFxi4F2GWBDwzMH2BlofO4XhwsRH-LgvZG-kLnzyB_paLq-wOfF7M-CLaIObAAc1A9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQA', 'operation': 'GET https://graph.microsoft.com/v1.0/groups/g1', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Group.ReadBasic.All']})

case('M-x13', "Eighth audit (2026-11-25), case a13: matrix platform.basePaths ['/v1.0','/beta']", 'M',
     'GET /v2.0/me on Graph: no such version; the base paths are said and GET /me offered (was: "none of its operations is like it")',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJzY3AiOiJVc2VyLlJlYWQiLCJleHAiOjE3NjQwMDM2MDAsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyJ9.9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQPbucK7AmkK_VYwJkZI0PAQXGLgXYZYEPDMwfYGWh87heHCxEf4uC9kb6QufPIH-lour7A58Xsz4Itog5sABzUD27nCuwJpCv1WMCZGSNDwEFxi4F2GWBDwzMH2BlofO4XhwsRH-LgvZG-kLnzyB_paLq-wOfF7M-CLaIObAAc1A9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQA', 'operation': 'GET https://graph.microsoft.com/v2.0/me', 'now': 1764000000},
     {'verdict': 'unknown', 'first': 'operation.unknown', 'mentions': ['/v1.0 and /beta', 'GET /me']})

case('C-x17', 'Eighth audit (2026-11-25), case a15: matrix row POST /teams/{id}/channels/{id}/messages (appScopes Teamwork.Migrate.All; scopes ChannelMessage.Send, Group.ReadWrite.All)', 'C',
     'App-only post to a Teams channel: Teamwork.Migrate.All is for imports; the fix says to post with a delegated ChannelMessage.Send token (was: only "add Teamwork.Migrate.All")',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJpZHR5cCI6ImFwcCIsInJvbGVzIjpbIkdyb3VwLlJlYWRXcml0ZS5BbGwiXSwiZXhwIjoxNzY0MDAzNjAwLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcifQ.5OM_Gx7spqR2xvFlGPJd2PJpX87J4ZylUgTacrBbIL2es4OmpkIG74yQr_h13EBGYtEdRAlE5dnhTbdW2t7dq-TjPxse7KakdsbxZRjyXdjyaV_OyeGcpVIE2nKwWyC9nrODpqZCBu-MkK_4ddxARmLRHUQJROXZ4U23Vtre3avk4z8bHuympHbG8WUY8l3Y8mlfzsnhnKVSBNpysFsgvZ6zg6amQgbvjJCv-HXcQEZi0R1ECUTl2eFNt1ba3t2r5OM_Gx7spqR2xvFlGPJd2PJpX87J4ZylUgTacrBbIL2es4OmpkIG74yQr_h13EBGYtEdRAlE5dnhTbdW2t7dqw', 'operation': 'POST https://graph.microsoft.com/v1.0/teams/t1/channels/c1/messages', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['ChannelMessage.Send']})

case('A-x29', 'Eighth audit (2026-11-25), case a18: matrix rows for PUT .../root:/{path}:/content (or PUT /me/drive/items/{id}/content: Files.ReadWrite)', 'A',
     'PUT …/me/drive/root:/Reports/Q3%20summary.xlsx:/content with Files.Read: the upload-by-path operation matches (was: access.denied, an operation the matrix does not describe (the reference wrote the path with its docs example item))',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJzY3AiOiJGaWxlcy5SZWFkIiwiZXhwIjoxNzY0MDAzNjAwLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcifQ.K-bQQsPmCYAWKL07P2us_Hv6WRKBUzIDBDKKyWa39NeP3O6OY3ixdkWiIBkNg2zOV4XvsujvjGDQaXJVEwIlkSvm0ELD5gmAFii9Oz9rrPx7-lkSgVMyAwQyislmt_TXj9zujmN4sXZFoiAZDYNszleF77Lo74xg0GlyVRMCJZEr5tBCw-YJgBYovTs_a6z8e_pZEoFTMgMEMorJZrf014_c7o5jeLF2RaIgGQ2DbM5Xhe-y6O-MYNBpclUTAiWRK-bQQsPmCYAWKL07P2us_Hv6WRKBUzIDBDKKyWa39NeP3O6OY3ixdkWiIBkNg2zOV4XvsujvjGDQaXJVEwIlkQ', 'operation': 'PUT https://graph.microsoft.com/v1.0/me/drive/root:/a.txt:/content', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Files.ReadWrite']})

case('L-x25', 'Eighth audit (2026-11-25), case a32: nice-cxone.json platform.guidance.permission; README scope.requirement_unknown', 'L',
     'NICE CXone 403 on an operation the matrix does not list: the security profile is the cause (was: access.denied with no fix)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJpc3MiOiJodHRwczovL2N4b25lLm5pY2VpbmNvbnRhY3QuY29tIiwiYXVkIjoiQ1hvbmVBZ2VudFdlYkBpbkNvbnRhY3QuY29tIiwic3ViIjoidXNlcjoxMWVlM2E1Yi03YzFkLTRlMmYtOWE4Yi0wMjQyYWMxMTAwMDMiLCJ0ZW5hbnRJZCI6IjExZWUzYTViLTExMTEtMjIyMi0zMzMzLTAyNDJhYzExMDAwMyIsImljQWdlbnRJZCI6IjMxMDEyMzQ1IiwiaWNCVUlkIjo0NjAwMTIzLCJpY0NsdXN0ZXJJZCI6IkMzMSIsImljRG9tYWluIjoibmljZWluY29udGFjdC5jb20iLCJpYXQiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwibmFtZSI6ImFnZW50QGNvbnRvc28uY29tIiwicm9sZSI6eyJsZWdhY3lJZCI6IkFnZW50IiwiaWQiOiIxMWVlLXJvbGUiLCJzZWNvbmRhcnlSb2xlcyI6W119fQ.HPSaclI7s6gyRgDH596cnyTAGxviy1dH0xqYVy4LGmR0JhBRdSHIZPRhD1HXJ_YRVZnYzuq07QwScSR0FmpB8Rz0mnJSO7OoMkYAx-fenJ8kwBsb4stXR9MamFcuCxpkdCYQUXUhyGT0YQ9R1yf2EVWZ2M7qtO0MEnEkdBZqQfEc9JpyUjuzqDJGAMfn3pyfJMAbG-LLV0fTGphXLgsaZHQmEFF1Ichk9GEPUdcn9hFVmdjO6rTtDBJxJHQWakHxHPSaclI7s6gyRgDH596cnyTAGxviy1dH0xqYVy4LGmR0JhBRdSHIZPRhD1HXJ_YRVZnYzuq07QwScSR0FmpB8Q', 'operation': 'GET https://api-na1.niceincontact.com/incontactapi/services/v31.0/contacts/active', 'response': '403', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'permission.missing', 'mentions': ['security profile']})

case('G-x23', 'Eighth audit (2026-11-25), case a33: nice-cxone.json claims; README audience.mismatch', 'G',
     'An Azure Resource Manager token sent to NICE CXone, no answer: not a CXone token (was: unknown, operation.unknown only)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL21hbmFnZW1lbnQuYXp1cmUuY29tIiwiaXNzIjoiaHR0cHM6Ly9zdHMud2luZG93cy5uZXQvNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3LyIsImFwcGlkIjoiNGExYjljN2UtMmQzZi00ZTVhLThiNmMtOWQwZTFmMmEzYjRjIiwic2NwIjoidXNlcl9pbXBlcnNvbmF0aW9uIiwiZXhwIjoxNzY0MDAzNjAwLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcifQ.oDJD5kOeHYQlvWaO7ZkOStwsycN3ibVxu3QKllGF5J-wXR79Igw8jQdH9KC2mCEXFH2G__y6LYFIkrimnmqZNqAyQ-ZDnh2EJb1mju2ZDkrcLMnDd4m1cbt0CpZRheSfsF0e_SIMPI0HR_SgtpghFxR9hv_8ui2BSJK4pp5qmTagMkPmQ54dhCW9Zo7tmQ5K3CzJw3eJtXG7dAqWUYXkn7BdHv0iDDyNB0f0oLaYIRcUfYb__LotgUiSuKaeapk2oDJD5kOeHYQlvWaO7ZkOStwsycN3ibVxu3QKllGF5J-wXR79Igw8jQdH9KC2mCEXFH2G__y6LYFIkrimnmqZNg', 'operation': 'GET https://api-na1.niceincontact.com/incontactapi/services/v27.0/skills', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['not a NICE CXone token']})

case('A-x30', "Eighth audit (2026-11-25), case a34: matrix row GET /users (no User.Read); Graph's /users/$count is the list's count; msgraph-permissions.json User.Read 'sign in and read the profile of signed-in users'", 'A',
     'GET /users/$count with User.Read: $count counts the collection, GET /users (was: matched GET /users/{id}, allowed) (was: allowed)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJzY3AiOiJVc2VyLlJlYWQiLCJleHAiOjE3NjQwMDM2MDAsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyJ9.9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQPbucK7AmkK_VYwJkZI0PAQXGLgXYZYEPDMwfYGWh87heHCxEf4uC9kb6QufPIH-lour7A58Xsz4Itog5sABzUD27nCuwJpCv1WMCZGSNDwEFxi4F2GWBDwzMH2BlofO4XhwsRH-LgvZG-kLnzyB_paLq-wOfF7M-CLaIObAAc1A9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQA', 'operation': 'GET https://graph.microsoft.com/v1.0/users/$count', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['User.ReadBasic.All']})

case('M-x14', 'Eighth audit (2026-11-25), case a37: matrix row GET /me/mailFolders/{id}/messages', 'M',
     'An operation written without its leading slash (me/mailFolders/…): read as a path (was: unknown, operation.unreadable)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJzY3AiOiJVc2VyLlJlYWQiLCJleHAiOjE3NjQwMDM2MDAsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyJ9.9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQPbucK7AmkK_VYwJkZI0PAQXGLgXYZYEPDMwfYGWh87heHCxEf4uC9kb6QufPIH-lour7A58Xsz4Itog5sABzUD27nCuwJpCv1WMCZGSNDwEFxi4F2GWBDwzMH2BlofO4XhwsRH-LgvZG-kLnzyB_paLq-wOfF7M-CLaIObAAc1A9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQA', 'operation': 'GET me/messages', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['operation.unreadable']})

case('F-x25', 'Eighth audit (2026-11-25), case a38: matrix row GET /me/messages; platform.basePaths /v1.0; scenarios.md A-04', 'F',
     'GET v1.0/me/messages (no leading slash): v1.0 is a version, not a host (was: audience.mismatch, "a Microsoft Graph token used for another API")',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiYXBwaWQiOiI0YTFiOWM3ZS0yZDNmLTRlNWEtOGI2Yy05ZDBlMWYyYTNiNGMiLCJzY3AiOiJVc2VyLlJlYWQiLCJleHAiOjE3NjQwMDM2MDAsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyJ9.9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQPbucK7AmkK_VYwJkZI0PAQXGLgXYZYEPDMwfYGWh87heHCxEf4uC9kb6QufPIH-lour7A58Xsz4Itog5sABzUD27nCuwJpCv1WMCZGSNDwEFxi4F2GWBDwzMH2BlofO4XhwsRH-LgvZG-kLnzyB_paLq-wOfF7M-CLaIObAAc1A9u5wrsCaQr9VjAmRkjQ8BBcYuBdhlgQ8MzB9gZaHzuF4cLER_i4L2RvpC588gf6Wi6vsDnxezPgi2iDmwAHNQA', 'operation': 'GET v1.0/me/messages', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['audience.mismatch']})

case('M-x15', 'Eighth audit (2026-11-25), case a39: matrix row GET /routing/queues', 'M',
     'GET api/v2/routing/queues (no leading slash) on Genesys Cloud (was: unknown, operation.unreadable)',
     {'input': 'aFtA7mRUAo6Nd2uhrc10V2P0l1qcF8AcPPFPDoyoZKwKa8I8D1Wsk-CD', 'operation': 'GET api/v2/routing/queues', 'introspection': {'authorizedScope': ['users:readonly'], 'OAuthClient': {'authorizedGrantType': 'CODE'}}, 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['routing:readonly']})

case('O-x17', "Eighth audit (2026-11-25), case b03: Nimbus JOSE 'Signed JWT rejected: Another algorithm expected, or no matching key(s) found' is raised when the JWS alg does not match the JWSKeySelector's algorithm or no key matches; Spring docs https://docs.spring.io/spring-security/reference/servlet/oauth2/resource-server/jwt.html (jws-algorithms, withSecretKey)", 'O',
     'Spring (Nimbus) "Another algorithm expected, or no matching key(s) found" for an HS256 token without kid (was: signature.key_not_found)',
     {'input': 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI0MiIsImlzcyI6Imh0dHBzOi8vYXV0aC5hY21lLmlvIiwiYXVkIjoib3JkZXJzLWFwaSIsInNjb3BlIjoib3JkZXJzOnJlYWQiLCJpYXQiOjE3NjM5OTk4ODAsImV4cCI6MTc2NDAwMzQ4MH0.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4s', 'response': 'HTTP/1.1 401\nWWW-Authenticate: Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Signed JWT rejected: Another algorithm expected, or no matching key(s) found"', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.alg_mismatch'})

case('F-x26', "Eighth audit (2026-11-25), case b07: IDX10208: 'Unable to validate audience. validationParameters.ValidAudience is null or whitespace and validationParameters.ValidAudiences is null.' (IdentityModel LogMessages.cs; https://learn.microsoft.com/en-us/entra/identity-platform/scenario-protected-web-api-app-configuration)", 'F',
     '.NET IDX10208: the API has no audience configured (was: token.rejected)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJhdWQiOiJhcGk6Ly9vcmRlcnMiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJhenAiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJhenBhY3IiOiIxIiwibmFtZSI6IkphbmUgRG9lIiwib2lkIjoiYjBmMWUyZDMtYzRiNS00YTY5LTg3ODgtOTlhYWJiY2NkZGVlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiamFuZUBjb250b3NvLmNvbSIsInNjcCI6Ik9yZGVycy5SZWFkIiwic3ViIjoiRUNpUDZBUWdfclFDaGJPdU90aXdrOHlfYkVhMVJkdEYxZlA2SGQ1aktHayIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6IklSZWUiLCJ2ZXIiOiIyLjAifQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': 'HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error="invalid_token", error_description="IDX10208: Unable to validate audience. validationParameters.ValidAudience is null or whitespace and validationParameters.ValidAudiences is null."', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.unconfigured', 'mentions': ['ValidAudience']})

case('O-x18', "Eighth audit (2026-11-25), case b08: node-jsonwebtoken README: 'invalid algorithm' JsonWebTokenError; 'If algorithms not specified, defaults according to the type of key: secret -> HS256, HS384, HS512' (https://github.com/auth0/node-jsonwebtoken#jwtverifytoken-secretorpublickey-options-callback); Auth0 docs 'Validate Access Tokens' (RS256, JWKS)", 'O',
     'node-jsonwebtoken "invalid algorithm": an RS256 Auth0 token checked with the client secret (was: "while RS256 is an HMAC")',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlF6WTAifQ.eyJpc3MiOiJodHRwczovL2FjbWUudXMuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDY1NzFjMGZmZWUwZGRiYTExYzBmZmVlMSIsImF1ZCI6WyJodHRwczovL2FwaS5hY21lLmNvbSIsImh0dHBzOi8vYWNtZS51cy5hdXRoMC5jb20vdXNlcmluZm8iXSwiaWF0IjoxNzYzOTk5NDAwLCJleHAiOjE3NjQwMDMwMDAsImF6cCI6InE4WmtMbTJYdjRUbjdSdzFZczVCYzlEaDNGajZHcDBBIiwic2NvcGUiOiJvcGVuaWQgcHJvZmlsZSBlbWFpbCByZWFkOm9yZGVycyIsInBlcm1pc3Npb25zIjpbInJlYWQ6b3JkZXJzIl19.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': '401 JsonWebTokenError: invalid algorithm', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.alg_mismatch', 'mentions': ['jwks']})

case('N-x76', "Eighth audit (2026-11-25), case b09: express-jwt source: `const parts = req.headers.authorization.split(' '); if (parts.length == 2) ... else throw new UnauthorizedError('credentials_bad_format', { message: 'Format is Authorization: Bearer [token]' })` (https://github.com/auth0/express-jwt/blob/master/src/index.ts)", 'N',
     'express-jwt "Format is Authorization: Bearer [token]" (two spaces after Bearer) (was: token.rejected)',
     {'input': 'Authorization: Bearer  eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlF6WTAifQ.eyJpc3MiOiJodHRwczovL2FjbWUudXMuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDY1NzFjMGZmZWUwZGRiYTExYzBmZmVlMSIsImF1ZCI6WyJodHRwczovL2FwaS5hY21lLmNvbSIsImh0dHBzOi8vYWNtZS51cy5hdXRoMC5jb20vdXNlcmluZm8iXSwiaWF0IjoxNzYzOTk5NDAwLCJleHAiOjE3NjQwMDMwMDAsImF6cCI6InE4WmtMbTJYdjRUbjdSdzFZczVCYzlEaDNGajZHcDBBIiwic2NvcGUiOiJyZWFkOm9yZGVycyIsInBlcm1pc3Npb25zIjpbInJlYWQ6b3JkZXJzIl19.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': 'HTTP/1.1 401 Unauthorized\n\nUnauthorizedError: Format is Authorization: Bearer [token]', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'header.malformed'})

case('O-x19', "Eighth audit (2026-11-25), case b10: node-jwks-rsa SigningKeyNotFoundError message (https://github.com/auth0/node-jwks-rsa/blob/master/src/JwksClient.js); Auth0 docs 'Signing Keys rotation' (revoking the previous key invalidates tokens signed with it)", 'O',
     'jwks-rsa SigningKeyNotFoundError after a key rotation, no status (was: unknown, no finding)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im1FNHZUN2FRMl9vbGQifQ.eyJpc3MiOiJodHRwczovL2FjbWUudXMuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDY1NzFjMGZmZWUwZGRiYTExYzBmZmVlMSIsImF1ZCI6WyJodHRwczovL2FwaS5nbG9iZXguaW8iXSwiaWF0IjoxNzYzOTk5NDAwLCJleHAiOjE3NjQwMDMwMDAsImF6cCI6InE4WmtMbTJYdjRUbjdSdzFZczVCYzlEaDNGajZHcDBBIiwic2NvcGUiOiJyZWFkOmludm9pY2VzIiwicGVybWlzc2lvbnMiOlsicmVhZDpvcmRlcnMiXX0.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': "SigningKeyNotFoundError: Unable to find a signing key that matches 'mE4vT7aQ2_old'", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.key_not_found'})

case('N-x77', "Eighth audit (2026-11-25), case b15: requests utils._validate_header_part raises InvalidHeader 'Invalid leading whitespace, reserved character(s), or return character(s) in header value' (https://github.com/psf/requests/blob/main/src/requests/utils.py)", 'N',
     'Python requests InvalidHeader: the token read from a file ends with a newline (was: "No token found in the paste")',
     {'input': "requests.exceptions.InvalidHeader: Invalid leading whitespace, reserved character(s), or return character(s) in header value: 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkhxOHpLMWFYIn0.eyJ2ZXIiOjEsImp0aSI6IkFULmszSnI4djJRMXhZN3BOMHNXNG1aNmJDOWRGNWdIMmpMIiwiaXNzIjoiaHR0cHM6Ly9hY21lLm9rdGEuY29tL29hdXRoMi9kZWZhdWx0IiwiYXVkIjoiYXBpOi8vb3JkZXJzIiwiaWF0IjoxNzYzOTk5NDAwLCJleHAiOjE3NjQwMDMwMDAsImNpZCI6IjBvYThmMmsxeFpxUDRtTjd2NWQ3IiwidWlkIjoiMDB1OXgyeTN6NEE1YjZDN2Q1ZDciLCJzY3AiOlsib3JkZXJzLnJlYWQiXSwiYXV0aF90aW1lIjoxNzYzOTk5NDAwLCJzdWIiOiJqYW5lQGFjbWUuaW8ifQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg\\n'", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'header.malformed', 'mentions': ['.strip()']})

case('N-x78', "Eighth audit (2026-11-25), case b16: jq manual: --raw-output / -r 'if the filter's result is a string then it will be written directly to standard output rather than being formatted as a JSON string with quotes' (https://jqlang.github.io/jq/manual/)", 'N',
     'TOKEN=$(curl … | jq .access_token) without -r: the token keeps its JSON quotes (was: token.rejected)',
     {'input': '$ TOKEN=$(curl -s -X POST https://acme.okta.com/oauth2/default/v1/token -d grant_type=client_credentials | jq .access_token)\n$ curl -s -i https://orders.acme.io/api/orders -H "Authorization: Bearer $TOKEN"\nHTTP/1.1 401 Unauthorized\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'header.malformed', 'mentions': ['jq -r']})

case('I-x18', "Eighth audit (2026-11-25), case b19: simplejwt: JWTAuthentication validates against AUTH_TOKEN_CLASSES (AccessToken); a refresh token fails with 'Given token not valid for any token type' / 'Token has wrong type' (https://django-rest-framework-simplejwt.readthedocs.io/en/latest/getting_started.html)", 'I',
     'djangorestframework-simplejwt refresh token (token_type: refresh) sent as the bearer (was: token.rejected)',
     {'input': 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoicmVmcmVzaCIsImV4cCI6MTc2NDA4NjAwMCwiaWF0IjoxNzYzOTk5NjAwLCJqdGkiOiI2ZjFjMGQ1ZThiMmE0ZjdjOWUzZDFhMGI1YzdlOWYyMSIsInVzZXJfaWQiOjE3fQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4s', 'response': '401', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.refresh_token'})

case('N-x79', "Eighth audit (2026-11-25), case b20: DRF docs, Authentication: 'if deploying to Apache using mod_wsgi, the authorization header is not passed through to a WSGI application by default... set WSGIPassAuthorization On' (https://www.django-rest-framework.org/api-guide/authentication/#apache-mod_wsgi-specific-configuration)", 'N',
     'DRF "Authentication credentials were not provided." while the request sends the header (mod_wsgi drops it) (was: "Send Authorization: Bearer …")',
     {'input': 'curl https://app.acme.io/api/profile/ -H "Authorization: Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzY0MDAwMjQwLCJpYXQiOjE3NjM5OTk5NDAsImp0aSI6ImExYjIiLCJ1c2VyX2lkIjoxN30.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4s"\n{"detail":"Authentication credentials were not provided."}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['WSGIPassAuthorization']})

case('G-x24', 'Eighth audit (2026-11-25), case b21: Kong jwt plugin docs: \'key_claim_name\' default \'iss\'; the plugin looks up a jwt_secret whose key matches and answers 401 "No credentials found for given \'iss\'" (https://docs.konghq.com/hub/kong-inc/jwt/)', 'G',
     'Kong "No credentials found for given \'iss\'" (was: token.rejected)',
     {'input': 'Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtjLXJzMjU2LTEifQ.eyJleHAiOjE3NjQwMDMwMDAsImlhdCI6MTc2Mzk5OTcwMCwiYXV0aF90aW1lIjoxNzYzOTk5NzAwLCJqdGkiOiJvbnJ0YWM6NWM3ZTJhNDEtOWIzZC00ZTdhLThmMjEtMGQ2YzNiOWExZTU1IiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvc2hvcCIsImF1ZCI6WyJhY2NvdW50Il0sInN1YiI6ImYzYjJjMWQwLTdlNmEtNGI1Yy05ZDhlLTFhMmIzYzRkNWU2ZiIsInR5cCI6IkJlYXJlciIsImF6cCI6InBhcnRuZXItcG9ydGFsIiwic2lkIjoiOGExZDJjM2ItNGU1Zi00YTZiLTljN2QtMGUxZjJhM2I0YzVkIiwiYWNyIjoiMSIsImFsbG93ZWQtb3JpZ2lucyI6WyJodHRwczovL3Nob3AuYWNtZS5pbyJdLCJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsib2ZmbGluZV9hY2Nlc3MiLCJ1bWFfYXV0aG9yaXphdGlvbiIsImRlZmF1bHQtcm9sZXMtc2hvcCJdfSwicmVzb3VyY2VfYWNjZXNzIjp7ImFjY291bnQiOnsicm9sZXMiOlsibWFuYWdlLWFjY291bnQiLCJ2aWV3LXByb2ZpbGUiXX19LCJzY29wZSI6Im9wZW5pZCBwcm9maWxlIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUiLCJlbWFpbCI6ImphbmVAYWNtZS5pbyJ9.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': '401 {"message":"No credentials found for given \'iss\'"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch'})

case('N-x80', 'Eighth audit (2026-11-25), case b22: Kong jwt plugin: no token found -> 401 {"message":"Unauthorized"} (https://docs.konghq.com/hub/kong-inc/jwt/); curl -v shows the expanded header', 'N',
     '"Authorization: Bearer" with nothing after it (an unset variable), answered 401 (was: header.malformed, "no scheme", a token named Bearer)',
     {'input': 'Authorization: Bearer', 'response': '401', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'absent': ['header.malformed', 'token.opaque']})

case('N-x81', "Eighth audit (2026-11-25), case b25: AWS re:Post knowledge center 'Invalid key=value pair (missing equal-sign) in Authorization header' - the method uses IAM authorization or the resource path/stage is wrong (https://repost.aws/knowledge-center/api-gateway-troubleshoot-403-forbidden)", 'N',
     'AWS API Gateway "Invalid key=value pair (missing equal-sign) in Authorization header": the method uses IAM (SigV4) (was: access.denied, "it accepted the token")',
     {'input': 'Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImY4S2ozbVE5eFQydlI3c1cxbkI1Y1o2ZEwwcEg0Z0E4PSJ9.eyJzdWIiOiI3YzFkMmUzZi00YTViLTZjN2QtOGU5Zi0wYTFiMmMzZDRlNWYiLCJ0b2tlbl91c2UiOiJhY2Nlc3MiLCJzY29wZSI6ImF3cy5jb2duaXRvLnNpZ25pbi51c2VyLmFkbWluIiwiaXNzIjoiaHR0cHM6Ly9jb2duaXRvLWlkcC5ldS13ZXN0LTEuYW1hem9uYXdzLmNvbS9ldS13ZXN0LTFfQWIxMkNkMzRFIiwiZXhwIjoxNzY0MDAzMDAwLCJpYXQiOjE3NjM5OTk0MDAsImNsaWVudF9pZCI6IjNrN3A5cTFyMnM0dDZ2OHcweDJ5NHo2YThiIiwidXNlcm5hbWUiOiJqYW5lIiwiYXV0aF90aW1lIjoxNzYzOTk5NDAwLCJqdGkiOiIyYzNkIiwib3JpZ2luX2p0aSI6IjNkNGUiLCJldmVudF9pZCI6IjRlNWYifQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': '403 {"message":"Invalid key=value pair (missing equal-sign) in Authorization header (hashed with SHA-256 and encoded with Base64): \'9Q0BQ2L4nZ3oX8yW7vU6tS5rQ4pO3nM2lK1jI0hG9fE=\'."}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'credentials.other', 'mentions': ['SigV4']})

case('L-x26', "Eighth audit (2026-11-25), case b26: AWS re:Post 'User is not authorized to access this resource with an explicit deny' - Lambda authorizer returned Deny or a cached policy for another resource (https://repost.aws/knowledge-center/api-gateway-lambda-authorization-errors)", 'L',
     'AWS "explicit deny" from a Lambda authorizer\'s cached policy (was: access.denied with scope and role fixes)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkhxOHpLMWFYIn0.eyJ2ZXIiOjEsImp0aSI6IkFULmszSnI4djJRMXhZN3BOMHNXNG1aNmJDOWRGNWdIMmpMIiwiaXNzIjoiaHR0cHM6Ly9hY21lLm9rdGEuY29tL29hdXRoMi9hdXMxazJsM200TjVvNlA3cThyOSIsImF1ZCI6ImFwaTovL29yZGVycyIsImlhdCI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJjaWQiOiIwb2E4ZjJrMXhacVA0bU43djVkNyIsInVpZCI6IjAwdTl4MnkzejRBNWI2QzdkNWQ3Iiwic2NwIjpbIm9yZGVycy5yZWFkIiwib3JkZXJzLndyaXRlIl0sImF1dGhfdGltZSI6MTc2Mzk5OTQwMCwic3ViIjoiamFuZUBhY21lLmlvIn0.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': '403 {"Message":"User is not authorized to access this resource with an explicit deny"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'access.denied', 'mentions': ['Lambda authorizer']})

case('N-x82', "Eighth audit (2026-11-25), case b27: Azure APIM docs 'Subscriptions in Azure API Management' (https://learn.microsoft.com/en-us/azure/api-management/api-management-subscriptions) - 401 'Access denied due to missing subscription key'", 'N',
     'Azure API Management "Access denied due to missing subscription key" (was: token.rejected)',
     {'input': 'Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJhdWQiOiJhcGk6Ly9vcmRlcnMiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3NjM5OTk0MDAsIm5iZiI6MTc2Mzk5OTQwMCwiZXhwIjoxNzY0MDAzMDAwLCJhenAiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJhenBhY3IiOiIxIiwib2lkIjoiYjBmMSIsInNjcCI6Ik9yZGVycy5SZWFkIiwic3ViIjoicyIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInZlciI6IjIuMCJ9.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': '401 { "statusCode": 401, "message": "Access denied due to missing subscription key. Make sure to include subscription key when making requests to an API." }', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'credentials.other', 'mentions': ['Ocp-Apim-Subscription-Key']})

case('I-x19', "Eighth audit (2026-11-25), case b30: Google Cloud docs: Google APIs take OAuth 2.0 access tokens; ID tokens are for Cloud Run/IAP/Functions (https://cloud.google.com/docs/authentication/token-types); the error 'Expected OAuth 2 access token' with reason ACCESS_TOKEN_TYPE_UNSUPPORTED", 'I',
     '$(gcloud auth print-identity-token) sent to a Google API (was: input.no_token as the cause)',
     {'input': '$ curl -s -H "Authorization: Bearer $(gcloud auth print-identity-token)" https://storage.googleapis.com/storage/v1/b\n{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.id_token', 'mentions': ['print-access-token']})

case('I-x20', 'Eighth audit (2026-11-25), case b31: Cloud Run docs \'Authenticating developers\' / \'service-to-service\': send an ID token: `curl -H "Authorization: Bearer $(gcloud auth print-identity-token)"` (https://cloud.google.com/run/docs/authenticating/developers)', 'I',
     'A ya29 access token sent to an authenticated Cloud Run service (was: token.opaque, "send the access token")',
     {'input': 'Bearer ya29.a0AfB_byC1dE2fG3hI4jK5lM6nO7pQ8rS9tU0vW1xY2zA3bC4dE5fG6hI7jK8lM9nO0pQ1rS2tU3vW4xY5zA6bC7dE8fG9hI0jK1lM2nO3pQ4rS5tU6vW7xY8zA9bC0dE1fG2hI3jK4l0171', 'operation': 'GET https://orders-svc-4k2h7x3qpa-ew.a.run.app/api/orders', 'response': 'HTTP/2 401\nwww-authenticate: Bearer error="invalid_token" error_description="The access token could not be verified"', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['print-identity-token']})

case('G-x25', "Eighth audit (2026-11-25), case b32: Okta docs 'Implement OAuth for Okta': 'you can't use a custom authorization server to get tokens for Okta management APIs; use the org authorization server' (https://developer.okta.com/docs/guides/implement-oauth-for-okta/main/)", 'G',
     'Okta /api/v1/users called with a token of the custom authorization server /oauth2/default (was: token.rejected)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IkhxOHpLMWFYIn0.eyJ2ZXIiOjEsImp0aSI6IkFULmszSnI4djJRMXhZN3BOMHNXNG1aNmJDOWRGNWdIMmpMIiwiaXNzIjoiaHR0cHM6Ly9kZXYtNDgyMTkzNy5va3RhLmNvbS9vYXV0aDIvZGVmYXVsdCIsImF1ZCI6ImFwaTovL2RlZmF1bHQiLCJpYXQiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiY2lkIjoiMG9hOGYyazF4WnFQNG1ON3Y1ZDciLCJ1aWQiOiIwMHU5eDJ5M3o0QTViNkM3ZDVkNyIsInNjcCI6WyJva3RhLnVzZXJzLnJlYWQiXSwiYXV0aF90aW1lIjoxNzYzOTk5NDAwLCJzdWIiOiJqYW5lQGFjbWUuaW8ifQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'operation': 'GET https://dev-4821937.okta.com/api/v1/users?limit=25', 'response': '401 {"errorCode":"invalid_token","errorSummary":"The access token is invalid."}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['org authorization server']})

case('G-x26', "Eighth audit (2026-11-25), case b34: Keycloak UserInfoEndpoint verifies the token against the request's realm; a token of another realm fails with invalid_token 'Token verification failed' (keycloak/services UserInfoEndpoint.java; https://www.keycloak.org/docs/latest/securing_apps/#_oidc)", 'G',
     'Keycloak userinfo of realm staff called with a token of realm customers (was: token.rejected)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtjLXJzMjU2LTEifQ.eyJleHAiOjE3NjQwMDMwMDAsImlhdCI6MTc2Mzk5OTcwMCwiYXV0aF90aW1lIjoxNzYzOTk5NzAwLCJqdGkiOiJvbnJ0YWM6NWM3ZTJhNDEtOWIzZC00ZTdhLThmMjEtMGQ2YzNiOWExZTU1IiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvY3VzdG9tZXJzIiwiYXVkIjoiYWNjb3VudCIsInN1YiI6ImYzYjJjMWQwLTdlNmEtNGI1Yy05ZDhlLTFhMmIzYzRkNWU2ZiIsInR5cCI6IkJlYXJlciIsImF6cCI6InN0b3JlZnJvbnQiLCJzaWQiOiI4YTFkMmMzYi00ZTVmLTRhNmItOWM3ZC0wZTFmMmEzYjRjNWQiLCJhY3IiOiIxIiwiYWxsb3dlZC1vcmlnaW5zIjpbImh0dHBzOi8vc2hvcC5hY21lLmlvIl0sInJlYWxtX2FjY2VzcyI6eyJyb2xlcyI6WyJvZmZsaW5lX2FjY2VzcyIsInVtYV9hdXRob3JpemF0aW9uIiwiZGVmYXVsdC1yb2xlcy1jdXN0b21lcnMiXX0sInJlc291cmNlX2FjY2VzcyI6eyJhY2NvdW50Ijp7InJvbGVzIjpbIm1hbmFnZS1hY2NvdW50Iiwidmlldy1wcm9maWxlIl19fSwic2NvcGUiOiJvcGVuaWQgcHJvZmlsZSBlbWFpbCIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJqYW5lIiwiZW1haWwiOiJqYW5lQGFjbWUuaW8ifQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'operation': 'GET https://sso.acme.io/realms/staff/protocol/openid-connect/userinfo', 'response': '401', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['realm `customers`']})

case('G-x27', "Eighth audit (2026-11-25), case b35: coreos/go-oidc verify.go: 'oidc: id token issued by a different provider, expected %q got %q'; Keycloak hostname docs (https://www.keycloak.org/server/hostname)", 'G',
     'go-oidc (oauth2-proxy) "id token issued by a different provider, expected … got …" (localhost vs the container host) (was: unknown, no finding)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtjLXJzMjU2LTEifQ.eyJleHAiOjE3NjQwMDMwMDAsImlhdCI6MTc2Mzk5OTcwMCwiYXV0aF90aW1lIjoxNzYzOTk5NzAwLCJqdGkiOiJvbnJ0YWM6NWM3ZTJhNDEtOWIzZC00ZTdhLThmMjEtMGQ2YzNiOWExZTU1IiwiaXNzIjoiaHR0cDovL2xvY2FsaG9zdDo4MDgwL3JlYWxtcy9kZW1vIiwiYXVkIjpbIm9hdXRoMi1wcm94eSIsImFjY291bnQiXSwic3ViIjoiZjNiMmMxZDAtN2U2YS00YjVjLTlkOGUtMWEyYjNjNGQ1ZTZmIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoib2F1dGgyLXByb3h5Iiwic2lkIjoiOGExZDJjM2ItNGU1Zi00YTZiLTljN2QtMGUxZjJhM2I0YzVkIiwiYWNyIjoiMSIsImFsbG93ZWQtb3JpZ2lucyI6WyJodHRwczovL3Nob3AuYWNtZS5pbyJdLCJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsib2ZmbGluZV9hY2Nlc3MiLCJ1bWFfYXV0aG9yaXphdGlvbiIsImRlZmF1bHQtcm9sZXMtZGVtbyJdfSwicmVzb3VyY2VfYWNjZXNzIjp7ImFjY291bnQiOnsicm9sZXMiOlsibWFuYWdlLWFjY291bnQiLCJ2aWV3LXByb2ZpbGUiXX19LCJzY29wZSI6Im9wZW5pZCBwcm9maWxlIGVtYWlsIiwiZW1haWxfdmVyaWZpZWQiOnRydWUsInByZWZlcnJlZF91c2VybmFtZSI6ImphbmUiLCJlbWFpbCI6ImphbmVAYWNtZS5pbyJ9.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': '401 oidc: id token issued by a different provider, expected "http://keycloak:8080/realms/demo" got "http://localhost:8080/realms/demo"', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch'})

case('O-x20', "Eighth audit (2026-11-25), case b37: Envoy jwt_authn: 'Jwks remote fetch is failed' status when remote_jwks cannot be fetched (https://www.envoyproxy.io/docs/envoy/latest/api-v3/extensions/filters/http/jwt_authn/v3/config.proto); Istio troubleshooting", 'O',
     'Envoy "Jwks remote fetch is failed" (was: token.rejected with get-a-new-token fixes)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtjLXJzMjU2LTEifQ.eyJleHAiOjE3NjQwMDMwMDAsImlhdCI6MTc2Mzk5OTcwMCwiYXV0aF90aW1lIjoxNzYzOTk5NzAwLCJqdGkiOiJvbnJ0YWM6NWM3ZTJhNDEtOWIzZC00ZTdhLThmMjEtMGQ2YzNiOWExZTU1IiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvc2hvcCIsImF1ZCI6WyJvcmRlcnMtYXBpIiwiYWNjb3VudCJdLCJzdWIiOiJmM2IyYzFkMC03ZTZhLTRiNWMtOWQ4ZS0xYTJiM2M0ZDVlNmYiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJvcmRlcnMtd2ViIiwic2lkIjoiOGExZDJjM2ItNGU1Zi00YTZiLTljN2QtMGUxZjJhM2I0YzVkIiwiYWNyIjoiMSIsImFsbG93ZWQtb3JpZ2lucyI6WyJodHRwczovL3Nob3AuYWNtZS5pbyJdLCJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsib2ZmbGluZV9hY2Nlc3MiLCJ1bWFfYXV0aG9yaXphdGlvbiIsImRlZmF1bHQtcm9sZXMtc2hvcCJdfSwicmVzb3VyY2VfYWNjZXNzIjp7ImFjY291bnQiOnsicm9sZXMiOlsibWFuYWdlLWFjY291bnQiLCJ2aWV3LXByb2ZpbGUiXX19LCJzY29wZSI6Im9wZW5pZCBvcmRlcnM6cmVhZCIsImVtYWlsX3ZlcmlmaWVkIjp0cnVlLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJqYW5lIiwiZW1haWwiOiJqYW5lQGFjbWUuaW8ifQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': '401 Jwks remote fetch is failed', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.key_not_found', 'mentions': ['fetch']})

case('L-x27', 'Eighth audit (2026-11-25), case b38: Spring Security docs: JwtGrantedAuthoritiesConverter reads scope/scp only; custom authorities claim via setAuthoritiesClaimName (https://docs.spring.io/spring-security/reference/servlet/oauth2/resource-server/jwt.html#oauth2resourceserver-jwt-authorization-extraction); frequent Keycloak+Spring Q&A', 'L',
     'Spring 403 insufficient_scope with the role in realm_access.roles (hasRole) (was: "request the scope" only)',
     {'input': 'Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImtjLXJzMjU2LTEifQ.eyJleHAiOjE3NjQwMDMwMDAsImlhdCI6MTc2Mzk5OTcwMCwiYXV0aF90aW1lIjoxNzYzOTk5NzAwLCJqdGkiOiJvbnJ0YWM6NWM3ZTJhNDEtOWIzZC00ZTdhLThmMjEtMGQ2YzNiOWExZTU1IiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvc2hvcCIsImF1ZCI6WyJvcmRlcnMtYXBpIiwiYWNjb3VudCJdLCJzdWIiOiJmM2IyYzFkMC03ZTZhLTRiNWMtOWQ4ZS0xYTJiM2M0ZDVlNmYiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJvcmRlcnMtd2ViIiwic2lkIjoiOGExZDJjM2ItNGU1Zi00YTZiLTljN2QtMGUxZjJhM2I0YzVkIiwiYWNyIjoiMSIsImFsbG93ZWQtb3JpZ2lucyI6WyJodHRwczovL3Nob3AuYWNtZS5pbyJdLCJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsib2ZmbGluZV9hY2Nlc3MiLCJ1bWFfYXV0aG9yaXphdGlvbiIsImRlZmF1bHQtcm9sZXMtc2hvcCIsImFkbWluIl19LCJyZXNvdXJjZV9hY2Nlc3MiOnsiYWNjb3VudCI6eyJyb2xlcyI6WyJtYW5hZ2UtYWNjb3VudCIsInZpZXctcHJvZmlsZSJdfX0sInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgZW1haWwiLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwicHJlZmVycmVkX3VzZXJuYW1lIjoiamFuZSIsImVtYWlsIjoiamFuZUBhY21lLmlvIn0.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'operation': 'DELETE https://orders.acme.io/api/orders/981', 'response': 'HTTP/1.1 403\nWWW-Authenticate: Bearer error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token."', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['JwtAuthenticationConverter']})

case('F-x27', 'Eighth audit (2026-11-25), case b39: PyJWT InvalidAudienceError "Audience doesn\'t match"; Microsoft identity platform: access tokens for Graph are not meant for your API (https://learn.microsoft.com/en-us/entra/identity-platform/access-tokens#validate-tokens)', 'F',
     'PyJWT "Audience doesn\'t match" with a Microsoft Graph token, no operation (was: token.rejected)',
     {'input': 'Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6IlFtOXZaMmxsVjI5dloybGxUbTl1WTJVIiwiYWxnIjoiUlMyNTYiLCJ4NXQiOiJuT28zWkRyT0RYRUsxaktXaFhzbEhSX0tYRWciLCJraWQiOiJuT28zWkRyT0RYRUsxaktXaFhzbEhSX0tYRWcifQ.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYXBwaWQiOiJmOTI4NjNiOC02NGQzLTQwNGItYTY1ZC02OTFkNGNhYmRhZTkiLCJhcHBpZGFjciI6IjEiLCJpZHR5cCI6InVzZXIiLCJuYW1lIjoiSmFuZSBEb2UiLCJvaWQiOiJiMGYxIiwic2NwIjoib3BlbmlkIHByb2ZpbGUgVXNlci5SZWFkIGVtYWlsIiwic3ViIjoicyIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmVAY29udG9zby5jb20iLCJ2ZXIiOiIxLjAifQ.pKvURIxJVi2CgRXROh_M6pJ_UrTVRZKX-LQ-QtqJI4vBNibkPcs43bCCSIkn7JBPtCBXRDmD6IWFF51QVRr-Yj7wW3iWmrBnERfqW0iEjR_nyOu9LVLAKeer3F5C1-7CKb1by43pi4CKq8L8s4wtiBfFmro-NrTcq7lpz0EqDgfjjW4soE0qUgUk819SrAVYbNonrU4ZUqgGUgh9Z6iOtiWmFKV-bBcpZJlBSfdEdWDQg9xwAA8q4j1OdvwqrQ8LHLaZRwFc0zfEEs-uvx0Vc3mBntWwycOA7-oQ1467-fisGkVE-gSGAJeS6_leEYeBZXK953fW98BIPYGAcfvPwg', 'response': "401 Audience doesn't match", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['Microsoft Graph token']})


case('G-x28', "Review of the eighth audit's fixes (2026-11-25), probe 20: Keycloak admin REST /admin/realms/acme/users with a master-realm admin token (admin-cli): legitimate, cross-realm admin is how Keycloak works; 403 means the admin lacks view-users on acme-realm client, not a realm mismatch", 'G',
     'Keycloak Admin REST API (/admin/realms/acme/…) with a master-realm admin token: documented, no realm mismatch (was: issuer.mismatch, "get the token from realm acme")',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJleHAiOjE3NjQwMDMwMDAsImlhdCI6MTc2Mzk5OTk0MCwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvbWFzdGVyIiwiYXVkIjoiYWNjb3VudCIsInN1YiI6ImYzYjIiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJhZG1pbi1jbGkiLCJzY29wZSI6InByb2ZpbGUgZW1haWwiLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJhZG1pbiIsInJlYWxtX2FjY2VzcyI6eyJyb2xlcyI6WyJjcmVhdGUtcmVhbG0iLCJvZmZsaW5lX2FjY2VzcyIsInVtYV9hdXRob3JpemF0aW9uIiwiYWRtaW4iLCJkZWZhdWx0LXJvbGVzLW1hc3RlciJdfSwicmVzb3VyY2VfYWNjZXNzIjp7ImFjbWUtcmVhbG0iOnsicm9sZXMiOlsidmlldy11c2VycyIsIm1hbmFnZS11c2VycyJdfX19.a-bbVqZHr6XRO2GDuzv6lBwUeylZvSxzXKkOYDFg-zUCgVW1qRb8EBJrvWKexQKg08V-5IfeED-FTIhcV00l3w', 'now': 1764000000, 'operation': 'GET https://sso.acme.io/admin/realms/acme/users', 'response': '403 {"error":"unknown_error"}'},
     {'verdict': 'denied', 'absent': ['issuer.mismatch']})

case('N-x83', "Review of the eighth audit's fixes (2026-11-25), probe 60: TOKEN via jq -r (fine), ORDER_ID via jq .id (a number: jq prints no quotes); 403 insufficient scope. No 'holds the token in quotes' finding expected", 'N',
     'A session whose ORDER_ID comes from jq without -r (a number in the URL) and TOKEN from jq -r: the scope is the cause (was: header.malformed: "$ORDER_ID holds the token in quotes")',
     {'input': '$ TOKEN=$(curl -s https://acme.eu.auth0.com/oauth/token -d client_id=abc -d client_secret=s -d audience=https://api.acme.io -d grant_type=client_credentials | jq -r .access_token)\n$ ORDER_ID=$(curl -s -H "Authorization: Bearer $TOKEN" https://api.acme.io/orders | jq \'.[0].id\')\n$ curl -s -X DELETE -H "Authorization: Bearer $TOKEN" https://api.acme.io/orders/$ORDER_ID\n{"error":"insufficient_scope","error_description":"Insufficient scope, expected any of: delete:orders"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['header.malformed']})

case('N-x84', 'Review of the eighth audit\'s fixes (2026-11-25), probe 61: jq without -r but piped through tr -d \'"\' (quotes stripped): no quotes finding expected', 'N',
     'jq .access_token without -r, then tr -d \'"\': the quotes are gone (was: header.malformed)',
     {'input': '$ TOKEN=$(curl -s https://acme.eu.auth0.com/oauth/token -d client_id=abc -d client_secret=s -d audience=https://api.acme.io -d grant_type=client_credentials | jq .access_token | tr -d \'"\')\n$ curl -s -H "Authorization: Bearer $TOKEN" https://api.acme.io/orders\n{"error":"insufficient_scope","error_description":"Insufficient scope, expected any of: delete:orders"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['header.malformed']})

case('I-x21', "Review of the eighth audit's fixes (2026-11-25), probe 32: session: ID token for Cloud Run svc earlier, then print-access-token for storage.googleapis.com 403 (missing IAM). Should NOT say 'ID token sent to Google API'", 'I',
     'A session: an identity token for Cloud Run, then print-access-token to Cloud Storage refused by IAM: no ID-token claim (was: token.id_token from the other call)',
     {'input': '$ curl -s -H "Authorization: Bearer $(gcloud auth print-identity-token)" https://orders-abc-ew.a.run.app/health\nok\n$ curl -s -H "Authorization: Bearer $(gcloud auth print-access-token)" https://storage.googleapis.com/storage/v1/b/acme-bucket/o\n{"error":{"code":403,"message":"alice@acme.io does not have storage.objects.list access to the Google Cloud Storage bucket. Permission \'storage.objects.list\' denied on resource (or it may not exist).","errors":[{"message":"...","domain":"global","reason":"forbidden"}]}}', 'now': 1764000000},
     {'absent': ['token.id_token']})

case('I-x22', "Review of the eighth audit's fixes (2026-11-25), probe 33: session: access token for storage first, then identity token to Cloud Run 403 (no run.invoker). Should not say 'access token sent to Cloud Run'", 'I',
     'A session: an access token for Storage, then print-identity-token to Cloud Run refused (no run.invoker) (was: audience.mismatch from the other call)',
     {'input': '$ curl -s -H "Authorization: Bearer $(gcloud auth print-access-token)" https://storage.googleapis.com/storage/v1/b/acme-bucket/o\n{"items":[]}\n$ curl -s -H "Authorization: Bearer $(gcloud auth print-identity-token)" https://orders-abc-ew.a.run.app/api/orders\n<html><head>\n<meta http-equiv="content-type" content="text/html;charset=utf-8">\n<title>403 Forbidden</title>\n</head>\n<body text=#000000 bgcolor=#ffffff>\n<h1>Error: Forbidden</h1>\n<h2>Your client does not have permission to get URL <code>/api/orders</code> from this server.</h2>\n</body></html>', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'permission.missing', 'absent': ['audience.mismatch']})

case('M-x16', "Review of the eighth audit's fixes (2026-11-25), probe 10: PowerShell var $userId left in operation: template var, should match /users/{id}/messages as old", 'M',
     'GET …/users/$userId/messages with the shell variable left in: $userId is no OData segment (was: operation.unknown)',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIiwieDV0IjoiazEiLCJub25jZSI6ImFiYyJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYXBwaWQiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ2ZXIiOiIxLjAiLCJvaWQiOiJhYWFhYWFhYS1iYmJiLWNjY2MtZGRkZC1lZWVlZWVlZWVlZWUiLCJzY3AiOiJNYWlsLlJlYWQgVXNlci5SZWFkIiwidXBuIjoidXNlckBjb250b3NvLmNvbSIsIm5hbWUiOiJVc2VyIn0.D5xMcNTDhGNJFj10JNtlack5pqnxnPck7LfEC95OxvbsiaKxwZFADMAQxUP81qA9dZb-eEuobf3hQIBB1NMfOw', 'now': 1764000000, 'operation': 'GET https://graph.microsoft.com/v1.0/users/$userId/messages'},
     {'absent': ['operation.unknown']})

case('M-x17', "Review of the eighth audit's fixes (2026-11-25), probe 99: PowerShell snippet with $userId unexpanded in URI: should still match /users/{id}/messages", 'M',
     'PowerShell Invoke-RestMethod with $userId unexpanded in the URI (was: operation.unknown and access.denied)',
     {'input': '$headers = @{ Authorization = "Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIiwieDV0IjoiazEiLCJub25jZSI6ImFiYyJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYXBwaWQiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ2ZXIiOiIxLjAiLCJvaWQiOiJhYWFhYWFhYS1iYmJiLWNjY2MtZGRkZC1lZWVlZWVlZWVlZWUiLCJyb2xlcyI6WyJVc2VyLlJlYWQuQWxsIl19.9aKyPDbsWuajICQv6_i3Uo5ZdIcC8vw_lNOZYxNR0pzMDyme07PXVo-vATAUCXKrchsLJ7_ltU7T-YRLD59vKA" }\nInvoke-RestMethod -Uri "https://graph.microsoft.com/v1.0/users/$userId/messages" -Headers $headers\nInvoke-RestMethod : The remote server returned an error: (403) Forbidden.', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['operation.unknown']})

case('N-x85', "Review of the eighth audit's fixes (2026-11-25), probe 53: API Gateway 'Missing Authentication Token' - is the well-known wrong-path answer of API Gateway (route does not exist), request sends token -> new says header dropped by mod_wsgi", 'N',
     'API Gateway "Missing Authentication Token" to a curl that sends a bearer token: a route or stage it does not have (was: "the header was lost on the way", mod_wsgi)',
     {'input': "curl -H 'Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsImF1ZCI6Imh0dHBzOi8vYXBpLmFjbWUuaW8iLCJzdWIiOiJhdXRoMHwxIiwiZXhwIjoxNzY0MDAzMDAwLCJpYXQiOjE3NjM5OTk5NDAsInNjb3BlIjoicmVhZDpvcmRlcnMiLCJhenAiOiJhYmMifQ.lsnhq8_jdlbYXbwHxv2Mz1cw4YzLgkFZ4JZZDjuRxYPQHYBUmNvyemBgfBl4O-ayooofa6ww7lkIwbYqUve20g' https://abc123.execute-api.eu-west-1.amazonaws.com/prod/order", 'now': 1764000000, 'response': '403 {"message":"Missing Authentication Token"}'},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['stage']})

case('K-x22', "Review of the eighth audit's fixes (2026-11-25), probe 71: Spring legacy /oauth/check_token?token=... in query (curl -v): token IS in the paste (query), not 'in the body'", 'K',
     'curl -v to Spring\'s /oauth/check_token?token=… (the token in the query): "Token was not recognised" (was: "the token is in the body, which the paste does not show")',
     {'input': '*   Trying 127.0.0.1:8080...\n> POST /oauth/check_token?token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2tjLmFjbWUuaW8vcmVhbG1zL2RlbW8iLCJhdWQiOiJhY2NvdW50IiwiZXhwIjoxNzY0MDAzMDAwLCJpYXQiOjE3NjM5OTk5NDAsInN1YiI6InUiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJ3ZWIiLCJzY29wZSI6Im9wZW5pZCJ9.ktGGYJNF2f8rFQgXn786LBD7ThGXJF9bY8jWZ7p45Pp1-A9AknjABQiU7YSRbla_CuKtGLina-WAlDu4SZrIsQ HTTP/1.1\n> Host: localhost:8080\n> Authorization: Basic Y2xpZW50OnNlY3JldA==\n> User-Agent: curl/8.5.0\n> Accept: */*\n>\n< HTTP/1.1 400\n< Content-Type: application/json\n<\n{"error":"invalid_token","error_description":"Token was not recognised"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'introspection.inactive'})

case('K-x23', "Review of the eighth audit's fixes (2026-11-25), probe 72: curl -v introspection, command above uses -d token=$TOKEN with TOKEN exported earlier in session", 'K',
     'curl -v introspection transcript whose command sends -d token=$TOKEN: the variable is no token (was: the literal $TOKEN diagnosed as an opaque token)',
     {'input': '$ export TOKEN=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2tjLmFjbWUuaW8vcmVhbG1zL2RlbW8iLCJhdWQiOiJhY2NvdW50IiwiZXhwIjoxNzY0MDAzMDAwLCJpYXQiOjE3NjM5OTk5NDAsInN1YiI6InUiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJ3ZWIiLCJzY29wZSI6Im9wZW5pZCJ9.ktGGYJNF2f8rFQgXn786LBD7ThGXJF9bY8jWZ7p45Pp1-A9AknjABQiU7YSRbla_CuKtGLina-WAlDu4SZrIsQ\n$ curl -v -u api:secret -d "token=$TOKEN" https://kc.acme.io/realms/demo/protocol/openid-connect/token/introspect\n*   Trying 10.0.0.5:443...\n* Connected to kc.acme.io (10.0.0.5) port 443 (#0)\n> POST /realms/demo/protocol/openid-connect/token/introspect HTTP/1.1\n> Host: kc.acme.io\n> Authorization: Basic YXBpOnNlY3JldA==\n> User-Agent: curl/8.5.0\n> Accept: */*\n> Content-Length: 1187\n> Content-Type: application/x-www-form-urlencoded\n>\n< HTTP/1.1 200 OK\n< Content-Type: application/json\n<\n* Connection #0 to host kc.acme.io left intact\n{"active":false}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'introspection.inactive', 'absent': ['token.opaque']})

case('G-x29', "Review of the eighth audit's fixes (2026-11-25), probe B2: Okta org AS via custom domain with /oauth2/v1/token? iss = https://acme.okta.com (org). Fine. But ID token from org AS? skip; Okta /api/v1/users with a custom AS token of ANOTHER org's /oauth2/ path: ok", 'G',
     "A custom-AS token at Okta's /api/v1/users/me answered 403 E0000006: past authentication, a permission (was: issuer.mismatch first)",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJ2ZXIiOjEsImlzcyI6Imh0dHBzOi8vYWNtZS5va3RhLmNvbS9vYXV0aDIvYXVzMWFiYyIsImF1ZCI6ImFwaTovL29yZGVycyIsImV4cCI6MTc2NDAwMzAwMCwiaWF0IjoxNzYzOTk5OTQwLCJjaWQiOiIwb2EiLCJzY3AiOlsib3JkZXJzLnJlYWQiXSwic3ViIjoidSJ9.v6IiXrgGGcsJ8Hnf_t_VrpLDhDeTkk1WmCCj-tLktbex8DEwy1XH_oEtZajqNe19pk9cOH0jyVAKAiaA2V2Kxg', 'now': 1764000000, 'operation': 'GET https://acme.okta.com/api/v1/users/me', 'response': '403 {"errorCode":"E0000006","errorSummary":"You do not have permission to perform the requested action"}'},
     {'verdict': 'denied', 'first': 'permission.missing', 'absent': ['issuer.mismatch']})


case('G-x30', "Code review of the eighth audit's fixes (2026-11-25), finding 1: the realm rule compared a host with its port (localhost:8080) against a call's host, which has none", 'G',
     "A Keycloak token of realm customers on localhost:8080 sent to realm staff's userinfo (was: token.rejected, the realm rule never fired with a port)",
     {'input': 'Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cDovL2xvY2FsaG9zdDo4MDgwL3JlYWxtcy9jdXN0b21lcnMiLCAiYXVkIjogImFjY291bnQiLCAiYXpwIjogIndlYiIsICJleHAiOiAxNzY0MDAzMDAwLCAiaWF0IjogMTc2NDAwMDAwMCwgInNjb3BlIjogIm9wZW5pZCBwcm9maWxlIiwgInR5cCI6ICJCZWFyZXIiLCAic3ViIjogInUxIn0.c2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET http://localhost:8080/realms/staff/protocol/openid-connect/userinfo', 'response': 'HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm="staff", error="invalid_token", error_description="Token verification failed"', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['realm `customers`']})

case('E-x17', "Audit 8c (2026-11-25), case 01: Zapier task history shows only Genesys Cloud's bad.credentials message (matrix_sources.md §1.6)", 'E',
     "Zapier: 'The app returned \"Invalid login credentials.\"' (was: input.no_token, \"the paste is several words, not a token\")",
     {'input': 'The app returned "Invalid login credentials.".', 'operation': 'POST https://api.mypurecloud.com/api/v2/externalcontacts/contacts', 'now': 1764000000},
     {'verdict': 'denied', 'absent': ['input.no_token']})

case('E-x18', "Audit 8c (2026-11-25), case 04: Python SDK ApiException (401) with Genesys Cloud's bad.credentials body (matrix_sources.md §1.6)", 'E',
     "SDK traceback, no token: the answer quoted is the body's message, with Genesys Cloud's causes (was: 'It answered: Traceback…' and JWT advice)",
     {'input': 'Traceback (most recent call last):\nPureCloudPlatformClientV2.rest.ApiException: (401)\nReason: Unauthorized\nHTTP response body: {"message":"Invalid login credentials.","code":"bad.credentials","status":401}', 'operation': 'GET https://api.mypurecloud.com/api/v2/routing/queues', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.rejected', 'mentions': ['Invalid login credentials', 'another region']})

case('G-x31', 'Audit 8c (2026-11-25), case 09: urllib3 debug log, token from login.mypurecloud.com, call to api.mypurecloud.de (scenarios.md G-09/G-10; shared/data README regions)', 'G',
     "A debug log's token request at login.mypurecloud.com, the call to api.mypurecloud.de answered 401 (was: token.rejected quoting the log's first line)",
     {'input': 'https://login.mypurecloud.com:443 "POST /oauth/token HTTP/1.1" 200 None\nhttps://api.mypurecloud.de:443 "GET /api/v2/users HTTP/1.1" 401 143\n{"message":"Invalid login credentials.","code":"bad.credentials","status":401}', 'operation': 'GET https://api.mypurecloud.de/api/v2/users', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['us_east_1', 'eu_central_1']})

case('G-x32', 'Audit 8c (2026-11-25), case 18: browser console, implicit grant at login.mypurecloud.com, call to api.mypurecloud.ie (scenarios.md G-10; MyPureCloud/platform-client-sdk-javascript#5)', 'G',
     'Browser console: authorize at login.mypurecloud.com, `#access_token=` callback, GET api.mypurecloud.ie 401 (was: no token read, the authorize URL quoted as the answer)',
     {'input': 'https://login.mypurecloud.com/oauth/authorize?client_id=4d5e6f7a&response_type=token\nhttps://app.example/callback#access_token=vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s&expires_in=86399&token_type=bearer\nGET https://api.mypurecloud.ie/api/v2/users/me 401 (Unauthorized)', 'operation': 'GET https://api.mypurecloud.ie/api/v2/users/me', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['eu_west_1', 'login.mypurecloud.ie'], 'codes': ['input.snippet']})

case('N-x86', "Audit 8c (2026-11-25), case 11: Zapier 'Data In' with an empty mapped token, Genesys authentication.required (matrix_sources.md §1.6)", 'N',
     "Zapier's Request/Response view with `Authorization: Bearer ` empty: the answer quoted is the API's message (was: 'It answered: Request.')",
     {'input': 'Request\nheaders:\n  Authorization: Bearer \nResponse\nstatus: 401\n{"message":"No authentication bearer token specified in authorization header.","code":"authentication.required","status":401}', 'operation': 'POST https://api.mypurecloud.com/api/v2/externalcontacts/contacts', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['No authentication bearer token specified']})

case('N-x87', "Audit 8c (2026-11-25), case 12: Power Automate HTTP action's raw inputs/outputs, Authorization set to the token without 'Bearer ' (matrix_sources.md §1.6 authentication.required)", 'N',
     'Power Automate raw inputs and outputs as JSON, the header without `Bearer` (was: input.no_token)',
     {'input': '{\n  "inputs": {\n    "method": "GET",\n    "uri": "https://api.mypurecloud.com.au/api/v2/users?pageSize=25",\n    "headers": {\n      "Authorization": "BBdOHDD9_HyYo9pVdddGkIuxAF8_VL4VR1k4TPuLymtGCTRefHPvoEYhsDHltiqzxfK4C0VXS_f971xs0IWexw"\n    }\n  },\n  "outputs": {\n    "statusCode": 401,\n    "headers": {\n      "Content-Type": "application/json"\n    },\n    "body": {\n      "message": "No authentication bearer token specified in authorization header.",\n      "code": "authentication.required",\n      "status": 401,\n      "details": [],\n      "errors": []\n    }\n  }\n}', 'operation': 'GET https://api.mypurecloud.com.au/api/v2/users?pageSize=25', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'header.malformed', 'absent': ['input.no_token']})

case('M-x18', 'Audit 8c (2026-11-25), case 15: CXone dialer-login with the session id variable unset (nice-cxone.json guidance.agent_session)', 'M',
     "POST …/agent-sessions/null/dialer-login answered 404: the path's session id is the literal null (was: unknown, an info note third)",
     {'input': 'POST https://api-c32.nice-incontact.com/InContactAPI/services/v23.0/agent-sessions/null/dialer-login\nAuthorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImN4MSJ9.eyJpc3MiOiJodHRwczovL2N4b25lLm5pY2VpbmNvbnRhY3QuY29tIiwiYXVkIjoiQ1hvbmVBZ2VudFdlYkBpbkNvbnRhY3QuY29tIiwic3ViIjoidXNlcjoxMWVlOGExYi0yYzNkLTRlNWYtOGE5Yi03YzZkNWU0ZjNhMmIiLCJ0ZW5hbnRJZCI6IjExZWExYTJiLTNjNGQtNWU2Zi03YThiLTljMGQxZTJmM2E0YiIsImljQWdlbnRJZCI6IjMwMTI0NTY3IiwiaWNCVUlkIjo0NjAxMjM0LCJpY0NsdXN0ZXJJZCI6IkMzMiIsIm5hbWUiOiJzdmMuaW50ZWdyYXRpb25AYWNtZS5jb20iLCJpYXQiOjE3NjM5OTg4MDAsImV4cCI6MTc2NDAwMjQwMH0.509vY_fnrHZEVPaPL-TAa_AfTD5aROJ81_x-BhALA_ooC65ymxipjAMNOMDfvy_ACndS741Ae5sixUVze8SjMOdPb2P356x2RFT2jy_kwGvwH0w-WkTifNf8fgYQCwP6KAuucpsYqYwDDTjA378vwAp3Uu-NQHubIsVFc3vEozDnT29j9-esdkRU9o8v5MBr8B9MPlpE4nzX_H4GEAsD-igLrnKbGKmMAw04wN-_L8AKd1LvjUB7myLFRXN7xKMw509vY_fnrHZEVPaPL-TAa_AfTD5aROJ81_x-BhALA_ooC65ymxipjAMNOMDfvy_ACndS741Ae5sixUVze8SjMA\n\nHTTP/1.1 404 Not Found', 'operation': 'POST https://api-c32.nice-incontact.com/InContactAPI/services/v23.0/agent-sessions/null/dialer-login?skillName=PC_Outbound', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'operation.unset_parameter', 'mentions': ['agent-sessions']})

case('N-x88', 'Audit 8c (2026-11-25), case 16: a CXone access key sent as Basic credentials straight to the API (shared/data README; nice-cxone.json guidance.grant)', 'N',
     'curl -u accessKeyId:secret to the CXone API answered 401: the fix names the access-key token endpoint',
     {'input': "curl -u 'ZW8K3XQ4HN5M2BFJY7TR6CDP:s3cr3tAcc3ssK3yV4lu3xyz' https://api-c47.nice-incontact.com/incontactapi/services/v30.0/skills\nHTTP/1.1 401 Unauthorized", 'operation': 'GET https://api-c47.nice-incontact.com/incontactapi/services/v30.0/skills', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.basic_credentials', 'mentions': ['authentication/v1/token/access-key']})

case('E-x19', 'Audit 8c (2026-11-25), case 24: a session that revoked its token with DELETE /api/v2/tokens/me, then called with it (matrix_sources.md §1.7)', 'E',
     'Session: DELETE /api/v2/tokens/me, then the same token refused with bad.credentials (was: the possible causes listed)',
     {'input': '$ curl -X DELETE https://api.mypurecloud.com/api/v2/tokens/me -H "Authorization: Bearer vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s"\n$ curl https://api.mypurecloud.com/api/v2/routing/queues -H "Authorization: Bearer vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s"\n{"message":"Invalid login credentials.","code":"bad.credentials","status":401}', 'operation': 'GET https://api.mypurecloud.com/api/v2/routing/queues', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.revoked'})

case('E-x20', 'Audit 8c (2026-11-25), case 25: tokens/me itself answered 401 bad.credentials (matrix_sources.md §1.7)', 'E',
     "curl GET /api/v2/tokens/me answered 401: the token itself is dead (was: the fix repeated 'call tokens/me')",
     {'input': '$ curl https://api.mypurecloud.com/api/v2/tokens/me -H "Authorization: Bearer vT3kQm9xH2pLr8sYw1cZ6nB4dF0gJ5aE7uIoK3tRq-WZmNx2bCy8vLp1s"\n{"message":"Invalid login credentials.","code":"bad.credentials","status":401}', 'operation': 'POST https://api.mypurecloud.com/api/v2/conversations/emails', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.rejected', 'mentions': ['Get a new token from the login host']})

case('B-x05', "Audit 8c (2026-11-25), case 05: Python SDK, client credentials, GET /api/v2/conversations answered 'requires a user context' (shared/data README)", 'B',
     "A client-credentials token listing the user's conversations: no '/users/{id} instead of /me' advice for a path without /me",
     {'input': 'PureCloudPlatformClientV2.rest.ApiException: (400)\nReason: Bad Request\nHTTP response headers: HTTPHeaderDict({\'Content-Type\': \'application/json\', \'ININ-Correlation-Id\': \'3c2d1e0f-aaaa-4bbb-8ccc-1d2e3f4a5b6c\'})\nHTTP response body: {"message": "This request requires a user context. Client credentials cannot be used for requests to this resource.", "code": "bad.request", "status": 400, "contextId": "3c2d1e0f-aaaa-4bbb-8ccc-1d2e3f4a5b6c", "details": [], "errors": []}', 'operation': 'GET https://api.mypurecloud.com/api/v2/conversations', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'grant.no_user_context'})

case('N-x89', "README Known limits (2026-11-25): Postman's console prints an empty {{token}} as 'Authorization: Bearer' with nothing after it", 'N',
     "Postman console with `Authorization: Bearer` and nothing after it, a bare 401 (was: token.rejected, 'the token is not in the paste')",
     {'input': 'GET https://graph.microsoft.com/v1.0/me\nRequest Headers\n  Authorization: Bearer\n  User-Agent: PostmanRuntime/7.36.0\nResponse Body\n401 Unauthorized', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'absent': ['token.rejected']})

case('M-x19', "README Known limits (2026-11-25): OData $count after a literal segment counts the collection (Microsoft Graph docs, 'Use the $count query parameter': GET /groups/{id}/members/$count)", 'M',
     "GET /groups/{id}/members/$count with a token without GroupMember.Read.All: the members collection's requirements (was: operation.unknown)",
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIiwieDV0IjoiazEiLCJub25jZSI6ImFiYyJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYXBwaWQiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ2ZXIiOiIxLjAiLCJvaWQiOiJhYWFhYWFhYS1iYmJiLWNjY2MtZGRkZC1lZWVlZWVlZWVlZWUiLCJzY3AiOiJNYWlsLlJlYWQgVXNlci5SZWFkIiwidXBuIjoidXNlckBjb250b3NvLmNvbSIsIm5hbWUiOiJVc2VyIn0.D5xMcNTDhGNJFj10JNtlack5pqnxnPck7LfEC95OxvbsiaKxwZFADMAQxUP81qA9dZb-eEuobf3hQIBB1NMfOw', 'now': 1764000000, 'operation': 'GET https://graph.microsoft.com/v1.0/groups/02bd9fd6-8f93-4758-87c3-1fb73740a315/members/$count'},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['operation.unknown']})

case('F-x28', "Microsoft Graph national cloud deployments (https://learn.microsoft.com/graph/deployments): China's Graph is microsoftgraph.chinacloudapi.cn, its sign-in host login.chinacloudapi.cn", 'F',
     'A global Graph token sent to Graph in China (21Vianet), 401 Invalid audience: the fix names login.chinacloudapi.cn',
     {'input': 'eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIiwieDV0IjoiazEiLCJub25jZSI6ImFiYyJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYXBwaWQiOiIxMTExMTExMS0yMjIyLTMzMzMtNDQ0NC01NTU1NTU1NTU1NTUiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ2ZXIiOiIxLjAiLCJvaWQiOiJhYWFhYWFhYS1iYmJiLWNjY2MtZGRkZC1lZWVlZWVlZWVlZWUiLCJzY3AiOiJNYWlsLlJlYWQgVXNlci5SZWFkIiwidXBuIjoidXNlckBjb250b3NvLmNvbSIsIm5hbWUiOiJVc2VyIn0.D5xMcNTDhGNJFj10JNtlack5pqnxnPck7LfEC95OxvbsiaKxwZFADMAQxUP81qA9dZb-eEuobf3hQIBB1NMfOw', 'now': 1764000000, 'operation': 'GET https://microsoftgraph.chinacloudapi.cn/v1.0/me', 'response': 'HTTP/1.1 401 Unauthorized\n\n{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}'},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['login.chinacloudapi.cn']})

case('I-x23', "Code review of the eighth audit (2026-11-25): the gcloud rule read the command from the finding's title, clipped to 40 characters; Google Cloud docs: APIs answer an ID token with 'Expected OAuth 2 access token'", 'I',
     '$(/usr/lib/google-cloud-sdk/bin/gcloud auth print-identity-token) sent to Cloud Storage: a long path to gcloud (was: input.no_token only)',
     {'input': 'curl -s -H "Authorization: Bearer $(/usr/lib/google-cloud-sdk/bin/gcloud auth print-identity-token)" https://storage.googleapis.com/storage/v1/b/acme-bucket/o', 'now': 1764000000, 'response': 'HTTP/2 401\n\n{"error":{"code":401,"message":"Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential.","status":"UNAUTHENTICATED"}}'},
     {'verdict': 'denied', 'first': 'token.id_token'})

case('G-x33', "Ninth audit (2026-11-25), case b08: istio/istio#40718 'Jwt issuer is not configured' (issuer https://keycloak.example.com/auth/realms/test in the config; the cause, the /auth path dropped in Keycloak 17, is my inference); Envoy jwt_verify_lib status text 'Jwt issuer is not configured'.", 'G',
     "Envoy/Istio 401 'Jwt issuer is not configured' (was: token.rejected)",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlZiM245bVEyc1g4a0wxcFI1dFc3eVowYUM0ZEU2ZkcifQ.eyJleHAiOjE3NjQwMDAyNTAsImlhdCI6MTc2Mzk5OTk1MCwianRpIjoiOGY3ZTZkNWMtNGIzYS00ZjJlLTFkMGMtOWI4YTdmNmU1ZDRjIiwiaXNzIjoiaHR0cHM6Ly9rZXljbG9hay5leGFtcGxlLmNvbS9yZWFsbXMvdGVzdCIsImF1ZCI6ImFjY291bnQiLCJzdWIiOiJmM2EyYjFjMC05ZDhlLTRmN2EtOGI2Yy01ZDRlM2YyYTFiMGMiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJhcHAiLCJzY29wZSI6Im9wZW5pZCBwcm9maWxlIiwicHJlZmVycmVkX3VzZXJuYW1lIjoiZGFuYSJ9.uArt92I2AOn9lxJ2EQ4QPQWX_7QHqOfHz3x3B0otPXPWNsLdJg5IypfzfC5D1T9Kl-WXyDkHk1-yDLJt9n4ksrgK7fdiNgDp_ZcSdhEOED0Fl_-0B6jnx898dwdKLT1z1jbC3SYOSMqX83wuQ9U_Spfll8g5B5NfsgyybfZ-JLK4Cu33YjYA6f2XEnYRDhA9BZf_tAeo58fPfHcHSi09c9Y2wt0mDkjKl_N8LkPVP0qX5ZfIOQeTX7IMsm32fiSyuArt92I2AOn9lxJ2EQ4QPQWX_7QHqOfHz3x3B0otPXPWNsLdJg5IypfzfC5D1T9Kl-WXyDkHk1-yDLJt9n4ksg', 'response': 'HTTP/1.1 401 Unauthorized\n\nJwt issuer is not configured', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch'})

case('F-x29', "Ninth audit (2026-11-25), case b22: Envoy jwt_verify_lib status text 'Audiences in Jwt are not allowed' and Envoy answering it with 403 (find_string ids 6291954056, 59738481965, 30348350886: 'With invalid audience - returns 403'); scenarios.md F-12 (GUID vs api:// forms).", 'F',
     "Envoy's 403 'Audiences in Jwt are not allowed' (was: access.denied, a permission)",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyIsInR5cCI6IkpXVCJ9.eyJhdWQiOiI3ZDFmNmI1YS0zYzJlLTRhOWQtOGI3Yy0wZTFmMmEzYjRjNWQiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3NjM5OTk4MDAsIm5iZiI6MTc2Mzk5OTgwMCwiZXhwIjoxNzY0MDAzNDAwLCJhenAiOiIwYzVlMWIyYS05ZjhkLTRlN2MtYTZiNS00ZDNjMmIxYTBmOWUiLCJhenBhY3IiOiIxIiwib2lkIjoiMWYyZTNkNGMtNWI2YS00OTc4LTg2OTUtYTRiM2MyZDFlMGY5Iiwicm9sZXMiOlsiSW52ZW50b3J5LlJlYWQuQWxsIl0sInN1YiI6IjFmMmUzZDRjLTViNmEtNDk3OC04Njk1LWE0YjNjMmQxZTBmOSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInZlciI6IjIuMCJ9.e9WYy5ZicedNsAd8iPis7Egvm-m6P_y2VfQgOol5l7Rld1ycJcUrtpCEeVPf0MkszVOXWUEPWNVwpYnqPSiVSXvVmMuWYnHnTbAHfIj4rOxIL5vpuj_8tlX0IDqJeZe0ZXdcnCXFK7aQhHlT39DJLM1Tl1lBD1jVcKWJ6j0olUl71ZjLlmJx502wB3yI-KzsSC-b6bo__LZV9CA6iXmXtGV3XJwlxSu2kIR5U9_QySzNU5dZQQ9Y1XClieo9KJVJe9WYy5ZicedNsAd8iPis7Egvm-m6P_y2VfQgOol5l7Rld1ycJcUrtpCEeVPf0MkszVOXWUEPWNVwpYnqPSiVSQ', 'response': 'HTTP/1.1 403 Forbidden\ncontent-type: text/plain\n\nAudiences in Jwt are not allowed', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch'})

case('O-x21', "Ninth audit (2026-11-25), case b15: PyJWT InvalidAlgorithmError('The specified alg value is not allowed') (from memory of PyJWT api_jws.py); scenarios.md O-04/O-05.", 'O',
     "PyJWT 'The specified alg value is not allowed' with an HS256 token (was: token.rejected)",
     {'input': 'Bearer eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkYW5hIiwiaXNzIjoiaHR0cHM6Ly9hdXRoLmFjbWUuaW8iLCJhdWQiOiJyZXBvcnRzLWFwaSIsImlhdCI6MTc2Mzk5OTk0MCwiZXhwIjoxNzY0MDAzNTQwLCJzY29wZSI6InJlcG9ydHM6cmVhZCJ9.DEwBTrAX9Cy8urNV-cukzWGeympw6-H0IMdlApZI5gE', 'response': 'HTTP/1.1 401 Unauthorized\n\n{"detail": "The specified alg value is not allowed"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.alg_mismatch'})

case('O-x22', "Ninth audit (2026-11-25), case b14: IDX20803/IDX20804 messages (find_string ids 9888823999 LogMessages.cs, 3528487637 Microsoft troubleshooting doc listing 'IDX20804: Unable to retrieve document from' and 'IDX20803: Unable to obtain configuration from'); scenarios.md O-07 (JWKS unreachable, Keycloak).", 'O',
     "ASP.NET Core IDX20803, the API cannot fetch its OpenID configuration (was: token.rejected, 'get a new token')",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyIsInR5cCI6IkpXVCIsIng1dCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyJ9.eyJhdWQiOiJhcGk6Ly83ZDFmNmI1YS0zYzJlLTRhOWQtOGI3Yy0wZTFmMmEzYjRjNWQiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3NjM5OTk3MDAsIm5iZiI6MTc2Mzk5OTcwMCwiZXhwIjoxNzY0MDAzNjAwLCJhenAiOiIwYzVlMWIyYS05ZjhkLTRlN2MtYTZiNS00ZDNjMmIxYTBmOWUiLCJhenBhY3IiOiIwIiwibmFtZSI6IkRhbmEgUmV5ZXMiLCJvaWQiOiI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiLCJwcmVmZXJyZWRfdXNlcm5hbWUiOiJkYW5hQGNvbnRvc28uY29tIiwic2NwIjoiT3JkZXJzLlJlYWQiLCJzdWIiOiJrWjN4WTJ3VjF1VDBzUjlxUDhvTjdtTDZrSjVpSDRnRjNlRDJjQjFhQTB6IiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidmVyIjoiMi4wIn0.LMkyRlRJwvGEI6DKj9zn5W6OP2XZaUtFJUGwHoGWtXeCp4MXXlbMqChcgqlvWU9VtHPzd8XVGQTeVI-HuLktvCzJMkZUScLxhCOgyo_c5-Vujj9l2WlLRSVBsB6BlrV3gqeDF15WzKgoXIKpb1lPVbRz83fF1RkE3lSPh7i5LbwsyTJGVEnC8YQjoMqP3Oflbo4_ZdlpS0UlQbAegZa1d4KngxdeVsyoKFyCqW9ZT1W0c_N3xdUZBN5Uj4e4uS28LMkyRlRJwvGEI6DKj9zn5W6OP2XZaUtFJUGwHoGWtXeCp4MXXlbMqChcgqlvWU9VtHPzd8XVGQTeVI-HuLktvA', 'response': "HTTP/1.1 401 Unauthorized\n\nIDX20803: Unable to obtain configuration from: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0/.well-known/openid-configuration'.", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.key_not_found', 'mentions': ['MetadataAddress']})

case('A-x31', 'Ninth audit (2026-11-25), case b27: Microsoft.Identity.Web IDW10203 message ("The \'scope\' or \'scp\' claim does not contain scopes \'{0}\' or was not found"; from memory of IdentityModel/Microsoft.Identity.Web error constants); scenarios.md A / C-07 (IDW10201 sibling).', 'A',
     "Microsoft.Identity.Web IDW10203 naming Orders.Write to a delegated token (was: access.denied, 'cannot tell')",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyIsInR5cCI6IkpXVCJ9.eyJhdWQiOiJhcGk6Ly9vcmRlcnMtYXBpIiwiaXNzIjoiaHR0cHM6Ly9zdHMud2luZG93cy5uZXQvNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3LyIsImlhdCI6MTc2Mzk5OTgwMCwibmJmIjoxNzYzOTk5ODAwLCJleHAiOjE3NjQwMDM0MDAsImFjciI6IjEiLCJhbXIiOlsicHdkIiwibWZhIl0sImFwcGlkIjoiMGM1ZTFiMmEtOWY4ZC00ZTdjLWE2YjUtNGQzYzJiMWEwZjllIiwiYXBwaWRhY3IiOiIwIiwibmFtZSI6IkRhbmEgUmV5ZXMiLCJvaWQiOiI1YTRiM2MyZC0xZTBmLTRhOWItOGM3ZC02ZTVmNGEzYjJjMWQiLCJzY3AiOiJPcmRlcnMuUmVhZCIsInN1YiI6ImtaM3hZMndWMXVUMHNSOXFQOG9ON21MNmtKNWlINGdGM2VEMmNCMWFBMHoiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ1bmlxdWVfbmFtZSI6ImRhbmFAY29udG9zby5jb20iLCJ1cG4iOiJkYW5hQGNvbnRvc28uY29tIiwidmVyIjoiMS4wIn0.TcS3R7j3WpS2E7E0LP5iGD3_soa1tlyq9K6lj9chGgTILL6Xf0yMiIhTBe9NsLxfIMpx8IfIrZrhJo_kRnUKN03Et0e491qUthOxNCz-Yhg9_7KGtbZcqvSupY_XIRoEyCy-l39MjIiIUwXvTbC8XyDKcfCHyK2a4SaP5EZ1CjdNxLdHuPdalLYTsTQs_mIYPf-yhrW2XKr0rqWP1yEaBMgsvpd_TIyIiFMF702wvF8gynHwh8itmuEmj-RGdQo3TcS3R7j3WpS2E7E0LP5iGD3_soa1tlyq9K6lj9chGgTILL6Xf0yMiIhTBe9NsLxfIMpx8IfIrZrhJo_kRnUKNw', 'response': "HTTP/1.1 403 Forbidden\n\nIDW10203: The 'scope' or 'scp' claim does not contain scopes 'Orders.Write' or was not found.", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Orders.Write']})

case('H-x18', "Ninth audit (2026-11-25), case b11: find_string hit id 59898798542 (Casdoor gateway 'token has invalid claims: token is not valid yet', token minted ms before the call, nbf ahead; curl with the same token passes seconds later); scenarios.md H-04/H-05.", 'H',
     "golang-jwt 'token is not valid yet' in a JSON body without a status line (was: unknown, no findings)",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImNlcnQtYnVpbHQtaW4iLCJ0eXAiOiJKV1QifQ.eyJvd25lciI6ImJ1aWx0LWluIiwibmFtZSI6ImRhbmEiLCJpc3MiOiJodHRwczovL2Rvb3IuYWNtZS5jbiIsInN1YiI6IjZmMWUyZDNjLTRiNWEtNGM5ZC04ZTdmLTBhMWIyYzNkNGU1ZiIsImF1ZCI6WyJhMWIyYzNkNGU1ZjZhN2I4YzlkMCJdLCJleHAiOjE3NjQ2MDQ4MDAsIm5iZiI6MTc2NDAwMDAwMiwiaWF0IjoxNzY0MDAwMDAyLCJqdGkiOiJhZG1pbi84YzdiNmE1ZC00ZTNmLTRhMmItOWMxZC0wZTlmOGE3YjZjNWQiLCJ0b2tlblR5cGUiOiJhY2Nlc3MtdG9rZW4iLCJzY29wZSI6InJlYWQifQ.lXDje3vCavR2PDFc8nzzABbpKsfTdJS6p-miAyI0b8U6fzMlyuSKUSIGl4_DC9B8fmDzZ7Q4zTh5y52JkPEnCpVw43t7wmr0djwxXPJ88wAW6SrH03SUuqfpogMiNG_FOn8zJcrkilEiBpePwwvQfH5g82e0OM04ecudiZDxJwqVcON7e8Jq9HY8MVzyfPMAFukqx9N0lLqn6aIDIjRvxTp_MyXK5IpRIgaXj8ML0Hx-YPNntDjNOHnLnYmQ8ScKlXDje3vCavR2PDFc8nzzABbpKsfTdJS6p-miAyI0b8U6fzMlyuSKUSIGl4_DC9B8fmDzZ7Q4zTh5y52JkPEnCg', 'response': '{"error":"unauthorized","message":"token has invalid claims: token is not valid yet"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.clock_skew'})

case('H-x19', "Ninth audit (2026-11-25), case b11: find_string hit id 59898798542 (Casdoor gateway 'token has invalid claims: token is not valid yet', token minted ms before the call, nbf ahead; curl with the same token passes seconds later); scenarios.md H-04/H-05.", 'H',
     "A gateway log: the token, then '401 … token is not valid yet' (was: unknown)",
     {'input': 'gateway  | 2025/11/24 16:00:00 [auth] GET /api/v1/me uid=- token=Bearer eyJhbGciOiJSUzI1NiIsImtpZCI6ImNlcnQtYnVpbHQtaW4iLCJ0eXAiOiJKV1QifQ.eyJvd25lciI6ImJ1aWx0LWluIiwibmFtZSI6ImRhbmEiLCJpc3MiOiJodHRwczovL2Rvb3IuYWNtZS5jbiIsInN1YiI6IjZmMWUyZDNjLTRiNWEtNGM5ZC04ZTdmLTBhMWIyYzNkNGU1ZiIsImF1ZCI6WyJhMWIyYzNkNGU1ZjZhN2I4YzlkMCJdLCJleHAiOjE3NjQ2MDQ4MDAsIm5iZiI6MTc2NDAwMDAwMiwiaWF0IjoxNzY0MDAwMDAyLCJqdGkiOiJhZG1pbi84YzdiNmE1ZC00ZTNmLTRhMmItOWMxZC0wZTlmOGE3YjZjNWQiLCJ0b2tlblR5cGUiOiJhY2Nlc3MtdG9rZW4iLCJzY29wZSI6InJlYWQifQ.lXDje3vCavR2PDFc8nzzABbpKsfTdJS6p-miAyI0b8U6fzMlyuSKUSIGl4_DC9B8fmDzZ7Q4zTh5y52JkPEnCpVw43t7wmr0djwxXPJ88wAW6SrH03SUuqfpogMiNG_FOn8zJcrkilEiBpePwwvQfH5g82e0OM04ecudiZDxJwqVcON7e8Jq9HY8MVzyfPMAFukqx9N0lLqn6aIDIjRvxTp_MyXK5IpRIgaXj8ML0Hx-YPNntDjNOHnLnYmQ8ScKlXDje3vCavR2PDFc8nzzABbpKsfTdJS6p-miAyI0b8U6fzMlyuSKUSIGl4_DC9B8fmDzZ7Q4zTh5y52JkPEnCg\ngateway  | 2025/11/24 16:00:00 [auth] 401 TOKEN_PARSE_FAILED: token has invalid claims: token is not valid yet', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.clock_skew'})

case('Q-x15', 'Ninth audit (2026-11-25), case b26: Keycloak TokenExchangeProvider: CorsErrorResponseException(ACCESS_DENIED, "Client not allowed to exchange") (find_string id 785385931, Keycloak source); troubleshooting notes (find_string id 26112510120: \'Standard Token Exchange capability\').', 'Q',
     "Keycloak token exchange refused: 'Client not allowed to exchange' (was: client.authentication_failed, 'its id or secret is wrong')",
     {'input': '$ curl -s -X POST https://sso.acme.io/realms/acme/protocol/openid-connect/token \\\n    -d grant_type=urn:ietf:params:oauth:grant-type:token-exchange \\\n    -d client_id=gateway -d client_secret=Zk8sP2vQ9xL4mN7r \\\n    -d subject_token=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlZiM245bVEyc1g4a0wxcFI1dFc3eVowYUM0ZEU2ZkcifQ.eyJleHAiOjE3NjQwMDAyNTAsImlhdCI6MTc2Mzk5OTk1MCwianRpIjoiNGM1ZDZlN2YtODA5MS00YTJiLThjM2QtNGU1ZjZhN2I4YzlkIiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvYWNtZSIsImF1ZCI6ImdhdGV3YXkiLCJzdWIiOiJmM2EyYjFjMC05ZDhlLTRmN2EtOGI2Yy01ZDRlM2YyYTFiMGMiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJ3ZWItYXBwIiwic2NvcGUiOiJvcGVuaWQifQ.otdVszqn5LLrBup5K434txmRH7XntHxBn3hH76CiMioWOtLM_CMmfxvQgn3mkWQUDQ2z_RIrMAlI8VY6f2ttD6LXVbM6p-Sy6wbqeSuN-LcZkR-157R8QZ94R--gojIqFjrSzPwjJn8b0IJ95pFkFA0Ns_0SKzAJSPFWOn9rbQ-i11WzOqfksusG6nkrjfi3GZEftee0fEGfeEfvoKIyKhY60sz8IyZ_G9CCfeaRZBQNDbP9EiswCUjxVjp_a20PotdVszqn5LLrBup5K434txmRH7XntHxBn3hH76CiMioWOtLM_CMmfxvQgn3mkWQUDQ2z_RIrMAlI8VY6f2ttDw \\\n    -d subject_token_type=urn:ietf:params:oauth:token-type:access_token \\\n    -d audience=billing-api\n{"error":"access_denied","error_description":"Client not allowed to exchange"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'client.grant_not_allowed', 'absent': ['client.authentication_failed', 'access.denied']})

case('P-x6', 'Ninth audit (2026-11-25), case b25: RFC 9449 §9 (resource server nonce: 401, WWW-Authenticate: DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof", DPoP-Nonce header); Curity docs \'DPoP and Nonces\' (search result).', 'P',
     "DPoP token answered use_dpop_nonce (RFC 9449 §9): retry with the nonce (was: 'send a DPoP header' first)",
     {'input': '$ curl -i https://rs.acme.io/credentials/1 -H "Authorization: DPoP eyJhbGciOiJFUzI1NiIsInR5cCI6ImF0K2p3dCIsImtpZCI6ImFzLTIwMjUtMTEifQ.eyJpc3MiOiJodHRwczovL2FzLmFjbWUuaW8iLCJzdWIiOiJkYW5hIiwiYXVkIjoiaHR0cHM6Ly9ycy5hY21lLmlvIiwiY2xpZW50X2lkIjoid2FsbGV0LWFwcCIsImlhdCI6MTc2Mzk5OTk3MCwiZXhwIjoxNzY0MDAwNTcwLCJzY29wZSI6ImNyZWRlbnRpYWwiLCJqdGkiOiI2YzViNGEzOS0yODE3LTRmNmUtOWQ1Yy00YjNhMjkxODBmN2UiLCJjbmYiOnsiamt0IjoiMFpjT0NPUlpOWXktRFdwcXEzMGpaeUpHSFROMGQySGdsQlYzdWlndUE0SSJ9fQ.xICuaw4NTxnILRaOO5cbQIuU9YnVglEhJIJE4ugkTZS8og23cLO3ksf5y3PmUtK4ve_2VLB5hosanz-yf9Sdsg" -H "DPoP: eyJ0eXAiOiJkcG9wK2p3dCIsImFsZyI6IkVTMjU2IiwiandrIjp7Imt0eSI6IkVDIiwieCI6Imw4dEZyaHgtMzR0VjNoUklDUkRZOXpDa0RscEJoRjQyVVFVZldWQVdCRnMiLCJ5IjoiOVZFNGpmX09rX282NHpiVFRsY3VOSmFqSG10NnY5VERWclUwQ2R2R1JEQSIsImNydiI6IlAtMjU2In19.eyJqdGkiOiJlMWozVl9iS2ljOC1MQUVCIiwiaHRtIjoiR0VUIiwiaHR1IjoiaHR0cHM6Ly9ycy5hY21lLmlvL2NyZWRlbnRpYWxzLzEiLCJpYXQiOjE3NjQwMDAwMDAsImF0aCI6ImZVSHlPMnIyWjNEWjUzRXNOcldCYjB4V1hvYU55NTlJaUtDQXFrc21RRW8ifQ.Ayx_B9Co74755GSONUhCzc3Iv-3v1Ko0pH2_puu8hB2yLhug6L9rgasEVVpbCNhvKvp5QWdC646-EoiLagq5WA"\nHTTP/1.1 401 Unauthorized\nWWW-Authenticate: DPoP error="use_dpop_nonce", error_description="Resource server requires nonce in DPoP proof"\nDPoP-Nonce: eyJ7S_zG.eyJH0-Z.HX4w-7v\nContent-Length: 0\n', 'now': 1764000000},
     {'first': 'token.sender_constrained', 'mentions': ['DPoP-Nonce']})

case('I-x24', "Ninth audit (2026-11-25), case b18: Spring/Nimbus message 'Signed JWT rejected: Another algorithm expected, or no matching key(s) found' (corpus O-x17 uses it); keycloak-nodejs-connect#146 (refresh token accepted as access token, typ Refresh) cited in scenarios.md class I design note.", 'I',
     'A Keycloak refresh token sent as the access token, refused by Spring: no second error about the signing algorithm',
     {'input': 'Authorization: Bearer eyJhbGciOiJIUzUxMiIsInR5cCI6IkpXVCIsImtpZCI6ImQ0ZTVmNmE3LWI4YzktNGQwZS05ZjFhLTJiM2M0ZDVlNmY3MCJ9.eyJleHAiOjE3NjQwMDE1MDAsImlhdCI6MTc2Mzk5OTcwMCwianRpIjoiMmMzZDRlNWYtNmE3Yi00YzhkLTllMGYtMWEyYjNjNGQ1ZTZmIiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvYWNtZSIsImF1ZCI6Imh0dHBzOi8vc3NvLmFjbWUuaW8vcmVhbG1zL2FjbWUiLCJzdWIiOiJmM2EyYjFjMC05ZDhlLTRmN2EtOGI2Yy01ZDRlM2YyYTFiMGMiLCJ0eXAiOiJSZWZyZXNoIiwiYXpwIjoib3JkZXJzLXdlYiIsInNpZCI6IjljOGI3YTZkLTVlNGYtNGEzYi0yYzFkLTBlOWY4YTdiNmM1ZCIsInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgZW1haWwifQ.QGOcwBESvyimFMC3k6ipoqpiW4r81-900TyfhadoLDyVu3pKvsknXVyMEqk8oQaZ9zvP8c3-W8eE5zHLi0wXgA', 'operation': 'GET https://orders.acme.io/api/orders', 'response': 'HTTP/1.1 401 \nWWW-Authenticate: Bearer error="invalid_token", error_description="An error occurred while attempting to decode the Jwt: Signed JWT rejected: Another algorithm expected, or no matching key(s) found", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"\n\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.refresh_token', 'absent': ['signature.alg_mismatch', 'signature.key_not_found']})

case('A-x32', 'Ninth audit (2026-11-25), case b03: express-oauth2-jwt-bearer InsufficientScopeError header text (find_string id 50268830758: \'Bearer realm="api", error="insufficient_scope", error_description="Insufficient Scope", scope="foo bar"\'); Auth0 docs \'Enable Role-Based Access Control for APIs\' (permissions claim; from memory).', 'A',
     'Auth0 RBAC: read:orders in `permissions`, not in `scope`, and the API checks scope: the fix says so',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6Im5ROG1aMXhMdzIifQ.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsInN1YiI6ImF1dGgwfDY1NTFlMGMyZjdhMWI0YzlkOGU3ZjYwMSIsImF1ZCI6WyJodHRwczovL29yZGVycy5hY21lLmlvIiwiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS91c2VyaW5mbyJdLCJpYXQiOjE3NjM5OTkxMDAsImV4cCI6MTc2NDA4NTUwMCwic2NvcGUiOiJvcGVuaWQgcHJvZmlsZSBlbWFpbCIsImF6cCI6Ikt4OVEybVA3dk4zYlI4dEwxd1k2ekE0Y0Q1ZUYwZ0giLCJwZXJtaXNzaW9ucyI6WyJyZWFkOm9yZGVycyIsIndyaXRlOm9yZGVycyJdfQ.2SnKpRPOC4MCeJIe3hHspd2lrXT5AmLIIvEKA2GRXZMNH-CiV6kI9G_5QOY8kqDaGX7tC3JApD7BwJBLbg6nfNkpyqUTzguDAniSHt4R7KXdpa10-QJiyCLxCgNhkV2TDR_golepCPRv-UDmPJKg2hl-7QtyQKQ-wcCQS24Op3zZKcqlE84LgwJ4kh7eEeyl3aWtdPkCYsgi8QoDYZFdkw0f4KJXqQj0b_lA5jySoNoZfu0LckCkPsHAkEtuDqd82SnKpRPOC4MCeJIe3hHspd2lrXT5AmLIIvEKA2GRXZMNH-CiV6kI9G_5QOY8kqDaGX7tC3JApD7BwJBLbg6nfA', 'operation': 'GET https://orders.acme.io/api/orders', 'response': 'HTTP/1.1 403 Forbidden\nX-Powered-By: Express\nWWW-Authenticate: Bearer realm="api", error="insufficient_scope", error_description="Insufficient Scope", scope="read:orders"\nContent-Type: text/html; charset=utf-8\n\nForbidden', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['`permissions` claim']})

case('F-x30', "Ninth audit (2026-11-25), case b02: jsonwebtoken verify.js message 'jwt audience invalid. expected: '; Cognito access tokens lack aud (find_string hit id 70255242226 and 48026627598: 'Cognito access tokens from client_credentials do NOT include an aud claim... use AllowedClients (validates client_id)'); AWS docs on Cognito access toke", 'F',
     'A Cognito access token (no aud by design) refused by a jsonwebtoken audience check: check client_id',
     {'input': 'Authorization: Bearer eyJraWQiOiJRejd2UjFrTnEwYzdKNHNIMGU4WXozRnZWdFgyUXkxcFpzOWRQNlJyVDVvPSIsImFsZyI6IlJTMjU2In0.eyJzdWIiOiI3YjFjMGY2ZS0yYTRkLTRjM2UtOWY1MS0wZTdkMmE2YjljMTEiLCJpc3MiOiJodHRwczovL2NvZ25pdG8taWRwLmV1LXdlc3QtMS5hbWF6b25hd3MuY29tL2V1LXdlc3QtMV9YazNtUDlxUXciLCJjbGllbnRfaWQiOiIzbjRiNXVyazFmdDRmbDNtZzVlNjJkOWFkbyIsIm9yaWdpbl9qdGkiOiJhMWYwZTJkMy0xMTExLTRjM2UtOWY1MS0wZTdkMmE2YjljMTEiLCJldmVudF9pZCI6ImU1YjdjMmQxLTVkNGYtNGY2Yi04YTRlLTJiMWMwZDllOGY3YSIsInRva2VuX3VzZSI6ImFjY2VzcyIsInNjb3BlIjoiYXdzLmNvZ25pdG8uc2lnbmluLnVzZXIuYWRtaW4iLCJhdXRoX3RpbWUiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiaWF0IjoxNzYzOTk5NDAwLCJqdGkiOiJkMDBkZmVlZC0xMjM0LTRjM2UtOWY1MS0wZTdkMmE2YjljMTEiLCJ1c2VybmFtZSI6IjdiMWMwZjZlLTJhNGQtNGMzZS05ZjUxLTBlN2QyYTZiOWMxMSJ9.aLAwREtMhRHRRl_TzCeE1YYN0nz4GqYXAoVjYgeHgJ08Cc7ivZmJBxo9DsyjIrbFwJ1PnTrhSy0h5l5OP3AEmmiwMERLTIUR0UZf08wnhNWGDdJ8-BqmFwKFY2IHh4CdPAnO4r2ZiQcaPQ7MoyK2xcCdT5064UstIeZeTj9wBJposDBES0yFEdFGX9PMJ4TVhg3SfPgaphcChWNiB4eAnTwJzuK9mYkHGj0OzKMitsXAnU-dOuFLLSHmXk4_cASaaLAwREtMhRHRRl_TzCeE1YYN0nz4GqYXAoVjYgeHgJ08Cc7ivZmJBxo9DsyjIrbFwJ1PnTrhSy0h5l5OP3AEmg\n\nJsonWebTokenError: jwt audience invalid. expected: 3n4b5urk1ft4fl3mg5e62d9ado\n    at /app/node_modules/jsonwebtoken/verify.js:190:21\n    at getSecret (/app/node_modules/jsonwebtoken/verify.js:97:14)\n    at module.exports [as verify] (/app/node_modules/jsonwebtoken/verify.js:101:10)\n    at authenticate (/app/src/middleware/auth.js:22:9)\nGET /api/profile 401 3.112 ms - 39', 'operation': 'GET https://api.acme.io/api/profile', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['client_id']})

case('E-x21', "Ninth audit (2026-11-25), case b10: golang-jwt v5 error text 'token has invalid claims: token is expired' (find_string hit id 39764910132); scenarios.md E (cached token) and H-06 (clock).", 'E',
     "A session sends the token shown and the API says 'token is expired': the API's clock, not a cached token",
     {'input': '$ TOKEN=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjIwMjUtMTEifQ.eyJpc3MiOiJodHRwczovL2F1dGguYWNtZS5pby8iLCJzdWIiOiJzdmMtYmlsbGluZyIsImF1ZCI6Imh0dHBzOi8vbGVkZ2VyLmFjbWUuaW8iLCJpYXQiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwic2NvcGUiOiJsZWRnZXI6cmVhZCIsImNsaWVudF9pZCI6InN2Yy1iaWxsaW5nIn0.s8PYQ5PMgBaOZn-t7OlyFTmhe0r-uKttx7GFwK6QV9em4MnkfTRpGXevDLbdoiY-HQkzRbQQ0ndeytbLReVYtrPD2EOTzIAWjmZ_rezpchU5oXtK_rirbcexhcCukFfXpuDJ5H00aRl3rwy23aImPh0JM0W0ENJ3XsrWy0XlWLazw9hDk8yAFo5mf63s6XIVOaF7Sv64q23HsYXArpBX16bgyeR9NGkZd68Mtt2iJj4dCTNFtBDSd17K1stF5Vi2s8PYQ5PMgBaOZn-t7OlyFTmhe0r-uKttx7GFwK6QV9em4MnkfTRpGXevDLbdoiY-HQkzRbQQ0ndeytbLReVYtg\n$ curl -s https://ledger.acme.io/v1/entries -H "Authorization: Bearer $TOKEN"\n{"error":"unauthorized","message":"token has invalid claims: token is expired"}', 'now': 1764000000, 'operation': 'GET https://ledger.acme.io/v1/entries'},
     {'first': 'token.stale', 'mentions': ['clock of the API']})

case('O-x23', "Ninth audit (2026-11-25), case b29: find_string id 36017844877 (Otomi 'Known Issues: Istio': 'Jwks doesn't have key to match kid or alg from Jwt', cause: istio-proxy caches JWKS 20 min, Keycloak redeployed) and istio/istio#37710; Envoy jwt_verify_lib status text.", 'O',
     "DevTools copy: 'GET url 401', headers, Response 'Jwks doesn't have key to match kid or alg from Jwt' (was: unknown)",
     {'input': "GET https://kubeflow.acme.io/pipeline/apis/v2beta1/runs 401\nRequest Headers\n  :authority: kubeflow.acme.io\n  :method: GET\n  :path: /pipeline/apis/v2beta1/runs\n  authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlRxMXcyRTNyNFQ1eTZVN2k4TzlwMEFzRGZHaEprTHpYIn0.eyJleHAiOjE3NjQwMDAyODAsImlhdCI6MTc2Mzk5OTk4MCwianRpIjoiNWQ2ZTdmODAtOTFhMi00YjNjLThkNGUtNWY2YTdiOGM5ZDBlIiwiaXNzIjoiaHR0cHM6Ly9rZXljbG9hay5hY21lLmlvL3JlYWxtcy9wbGF0Zm9ybSIsImF1ZCI6Imt1YmVmbG93Iiwic3ViIjoiYTFiMmMzZDQtZTVmNi00YTdiLThjOWQtMGUxZjJhM2I0YzVkIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoia3ViZWZsb3ciLCJzY29wZSI6Im9wZW5pZCBwcm9maWxlIGVtYWlsIiwiZW1haWwiOiJkYW5hQGFjbWUuaW8ifQ.wLXUGt7hshU9Jo13AvsdVUo4mAV_DKEWW8i6d9H2mzwka-LKh32uidQrWPAnzdrzRcS7ggl3ccmGbwSFRB0ZV8C11Bre4bIVPSaNdwL7HVVKOJgFfwyhFlvIunfR9ps8JGviyod9ronUK1jwJ83a80XEu4IJd3HJhm8EhUQdGVfAtdQa3uGyFT0mjXcC-x1VSjiYBX8MoRZbyLp30fabPCRr4sqHfa6J1CtY8CfN2vNFxLuCCXdxyYZvBIVEHRlXwLXUGt7hshU9Jo13AvsdVUo4mAV_DKEWW8i6d9H2mzwka-LKh32uidQrWPAnzdrzRcS7ggl3ccmGbwSFRB0ZVw\nResponse\n  Jwks doesn't have key to match kid or alg from Jwt", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'signature.key_not_found'})

case('N-x90', "Ninth audit (2026-11-25), case b30: FastAPI security/http.py HTTPBearer: scheme.lower() != 'bearer' -> HTTPException(403, 'Invalid authentication credentials') in older releases (find_string id 345796043 shows the same check and message in a FastAPI-derived class, with 401); scenarios.md N-01/N-03 (non-Bearer schemes).", 'N',
     "A HAR entry whose header is 'authorization: JWT <token>', FastAPI's 403 (was: access.denied; the scheme lost)",
     {'input': '{\n  "log": {\n    "version": "1.2",\n    "creator": {\n      "name": "WebInspector",\n      "version": "537.36"\n    },\n    "entries": [\n      {\n        "startedDateTime": "2025-11-24T16:00:00.000Z",\n        "time": 41.2,\n        "request": {\n          "method": "GET",\n          "url": "https://notes.acme.io/api/notes",\n          "httpVersion": "http/2.0",\n          "headers": [\n            {\n              "name": ":authority",\n              "value": "notes.acme.io"\n            },\n            {\n              "name": "accept",\n              "value": "application/json"\n            },\n            {\n              "name": "authorization",\n              "value": "JWT eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJkYW5hIiwiZXhwIjoxNzY0MDAxNzAwLCJpYXQiOjE3NjM5OTk5MDAsInR5cGUiOiJhY2Nlc3MifQ.r2vqWfx9S5bKPLnBZLvagD2PhETXkSD8HOZdtlD701M"\n            }\n          ],\n          "queryString": [],\n          "cookies": [],\n          "headersSize": -1,\n          "bodySize": 0\n        },\n        "response": {\n          "status": 403,\n          "statusText": "",\n          "httpVersion": "http/2.0",\n          "headers": [\n            {\n              "name": "content-type",\n              "value": "application/json"\n            }\n          ],\n          "content": {\n            "size": 46,\n            "mimeType": "application/json",\n            "text": "{\\"detail\\":\\"Invalid authentication credentials\\"}"\n          },\n          "redirectURL": "",\n          "headersSize": -1,\n          "bodySize": -1,\n          "_transferSize": 120\n        }\n      }\n    ]\n  }\n}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'header.malformed'})

case('N-x91', "Ninth audit (2026-11-25), case b22: Envoy jwt_verify_lib status text 'Audiences in Jwt are not allowed' and Envoy answering it with 403 (find_string ids 6291954056, 59738481965, 30348350886: 'With invalid audience - returns 403'); scenarios.md F-12 (GUID vs api:// forms).", 'N',
     "TOKEN=$(az …), `echo $TOKEN` prints the JWT, then curl with $TOKEN: the printed token is the one sent (was: 'holds a variable')",
     {'input': '$ TOKEN=$(az account get-access-token --resource api://7d1f6b5a-3c2e-4a9d-8b7c-0e1f2a3b4c5d --query accessToken -o tsv)\n$ echo $TOKEN\neyJhbGciOiJSUzI1NiIsImtpZCI6Im5PbzNaRHJPRFhFSzFqS1doWHNsSFJfS1hFZyIsInR5cCI6IkpXVCJ9.eyJhdWQiOiI3ZDFmNmI1YS0zYzJlLTRhOWQtOGI3Yy0wZTFmMmEzYjRjNWQiLCJpc3MiOiJodHRwczovL2xvZ2luLm1pY3Jvc29mdG9ubGluZS5jb20vNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3L3YyLjAiLCJpYXQiOjE3NjM5OTk4MDAsIm5iZiI6MTc2Mzk5OTgwMCwiZXhwIjoxNzY0MDAzNDAwLCJhenAiOiIwYzVlMWIyYS05ZjhkLTRlN2MtYTZiNS00ZDNjMmIxYTBmOWUiLCJhenBhY3IiOiIxIiwib2lkIjoiMWYyZTNkNGMtNWI2YS00OTc4LTg2OTUtYTRiM2MyZDFlMGY5Iiwicm9sZXMiOlsiSW52ZW50b3J5LlJlYWQuQWxsIl0sInN1YiI6IjFmMmUzZDRjLTViNmEtNDk3OC04Njk1LWE0YjNjMmQxZTBmOSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInZlciI6IjIuMCJ9.e9WYy5ZicedNsAd8iPis7Egvm-m6P_y2VfQgOol5l7Rld1ycJcUrtpCEeVPf0MkszVOXWUEPWNVwpYnqPSiVSXvVmMuWYnHnTbAHfIj4rOxIL5vpuj_8tlX0IDqJeZe0ZXdcnCXFK7aQhHlT39DJLM1Tl1lBD1jVcKWJ6j0olUl71ZjLlmJx502wB3yI-KzsSC-b6bo__LZV9CA6iXmXtGV3XJwlxSu2kIR5U9_QySzNU5dZQQ9Y1XClieo9KJVJe9WYy5ZicedNsAd8iPis7Egvm-m6P_y2VfQgOol5l7Rld1ycJcUrtpCEeVPf0MkszVOXWUEPWNVwpYnqPSiVSQ\n$ curl -s -w " %{http_code}\\n" -H "Authorization: Bearer $TOKEN" https://inventory.acme.io/api/items\nAudiences in Jwt are not allowed 403', 'now': 1764000000, 'expect': {'audience': 'api://7d1f6b5a-3c2e-4a9d-8b7c-0e1f2a3b4c5d'}},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'absent': ['input.no_token']})

case('H-x20', 'Ninth audit (2026-11-25), case a09: microsoftgraph/msgraph-sdk-powershell#1741 (error string, repro with Revoke-MgUserSignInSession); WWW-Authenticate shape from learn.microsoft.com/entra/identity-platform/claims-challenge + PowerShell error layout from Microsoft365DSC#4427', 'H',
     "Graph 401 'Continuous access evaluation resulted in claims challenge' (was: token.rejected)",
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6Ing4SmQwYlExdk0zX2tQMkxyOXNUNXVXeVowYUI0Y0Q2ZUY4Z0gwaUoya0wiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWNjdCI6MCwiYWNyIjoiMSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBNYWlsZXIiLCJhcHBpZCI6IjRhMWYwYzJlLThkM2ItNGM1Ny05ZTEwLTJiN2Y2ZDNhOWMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImIxZTJjM2Q0LTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYTAwMSIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1Iiwic2NwIjoiTWFpbC5SZWFkIFVzZXIuUmVhZCIsInN1YiI6ImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCJ0ZW5hbnRfcmVnaW9uX3Njb3BlIjoiRVUiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ1bmlxdWVfbmFtZSI6ImphbmVAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lQGNvbnRvc28uY29tIiwidXRpIjoiQWJDZEVmR2hJaktsTW5PcFFyU3RBQSIsInZlciI6IjEuMCIsIndpZHMiOlsiYjc5ZmJmNGQtM2VmOS00Njg5LTgxNDMtNzZiMTk0ZTg1NTA5Il0sInhtc190Y2R0IjoxNTAwMDAwMDAwfQ.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'GET https://graph.microsoft.com/v1.0/applications', 'response': 'HTTP/1.1 401 Unauthorized\n\n{"error": {"code": "InvalidAuthenticationToken", "message": "Continuous access evaluation resulted in claims challenge with result: InteractionRequired and code: TokenIssuedBeforeRevocationTimestamp"}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.claims_challenge'})

case('H-x21', "Ninth audit (2026-11-25), case a10: learn.microsoft.com/entra/identity-platform/claims-challenge (WWW-Authenticate format, search corpus 'docs'); body omitted (not documented)", 'H',
     'Graph 401 with WWW-Authenticate error="insufficient_claims" and a claims value (was: token.rejected)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6Ing4SmQwYlExdk0zX2tQMkxyOXNUNXVXeVowYUI0Y0Q2ZUY4Z0gwaUoya0wiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWNjdCI6MCwiYWNyIjoiMSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBNYWlsZXIiLCJhcHBpZCI6IjRhMWYwYzJlLThkM2ItNGM1Ny05ZTEwLTJiN2Y2ZDNhOWMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImIxZTJjM2Q0LTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYTAwMSIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1Iiwic2NwIjoiTWFpbC5SZWFkIFVzZXIuUmVhZCIsInN1YiI6ImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCJ0ZW5hbnRfcmVnaW9uX3Njb3BlIjoiRVUiLCJ0aWQiOiI3MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDciLCJ1bmlxdWVfbmFtZSI6ImphbmVAY29udG9zby5jb20iLCJ1cG4iOiJqYW5lQGNvbnRvc28uY29tIiwidXRpIjoiQWJDZEVmR2hJaktsTW5PcFFyU3RBQSIsInZlciI6IjEuMCIsIndpZHMiOlsiYjc5ZmJmNGQtM2VmOS00Njg5LTgxNDMtNzZiMTk0ZTg1NTA5Il0sInhtc190Y2R0IjoxNTAwMDAwMDAwfQ.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'response': 'HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer realm="", authorization_uri="https://login.microsoftonline.com/common/oauth2/authorize", client_id="00000003-0000-0000-c000-000000000000", error="insufficient_claims", claims="eyJhY2Nlc3NfdG9rZW4iOnsiYWNycyI6eyJlc3NlbnRpYWwiOnRydWUsInZhbHVlIjoiYzEifX19"', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.claims_challenge'})

case('L-x28', "Ninth audit (2026-11-25), case a07: Error string verified via find_string (several public repos quoting 403 ErrorAccessDenied 'Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings.'); learn.microsoft.com/graph/auth-limit-mailbox-access", 'L',
     "Graph ErrorAccessDenied '[RAOP] … AppOnly AccessPolicy' (was: 'denied without saying why')",
     {'input': '$ python3 read_inbox.py kelsey.ruhland@contoso.com\nGET https://graph.microsoft.com/v1.0/users/kelsey.ruhland@contoso.com/messages?$top=25\nAuthorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWlvIjoiRTJaZ1lKaSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiI5ZDJmNmMxYS0zYjRlLTRmNWEtOGM2ZC03ZThmOWEwYjFjMmQiLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YzZkN2U4Zi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMGIwMDIiLCJyaCI6IjAuQVhrQSIsInN1YiI6IjVjNmQ3ZThmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYjAwMiIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6Ilp5WHdWdVRzUnFQb05tTGtKaUhnQUEiLCJ2ZXIiOiIxLjAiLCJ4bXNfdGNkdCI6MTUwMDAwMDAwMCwicm9sZXMiOlsiTWFpbC5SZWFkIiwiTWFpbC5TZW5kIl19.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w\nFailed to read mail: 403 - {"error":{"code":"ErrorAccessDenied","message":"Access to OData is disabled: [RAOP] : Blocked by tenant configured AppOnly AccessPolicy settings."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'permission.missing', 'mentions': ['ApplicationAccessPolicy']})

case('L-x29', "Ninth audit (2026-11-25), case a08: support.activenav.com 'Requesting Extra Approval for Protected APIs from Microsoft' (search corpus 'pages', verbatim error); learn.microsoft.com/graph/teams-protected-apis", 'L',
     "Graph 403 'Invoked API requires Protected API access' in an app's log (was: the answer lost, 'give an admin role')",
     {'input': 'fail: ChannelArchiver.Worker[0]\n      Archiving channel 19:a1b2c3d4e5f6@thread.tacv2 failed\n      Microsoft.Graph.Models.ODataErrors.ODataError: Invoked API requires Protected API access in application-only context when not using Resource Specific Consent. Visit https://docs.microsoft.com/en-us/graph/teams-protected-apis for more details.\n         at Microsoft.Kiota.Http.HttpClientLibrary.HttpClientRequestAdapter.ThrowIfFailedResponse(HttpResponseMessage response, Dictionary`2 errorMapping, Activity activityForAttributes, CancellationToken cancellationToken)\n         at Microsoft.Kiota.Http.HttpClientLibrary.HttpClientRequestAdapter.SendAsync[ModelType](RequestInformation requestInfo, ParsableFactory`1 factory, Dictionary`2 errorMapping, CancellationToken cancellationToken)\n         at ChannelArchiver.Worker.ExecuteAsync(CancellationToken stoppingToken) in /src/Worker.cs:line 58\n      ResponseStatusCode: 403\ndbug: ChannelArchiver.GraphAuth[0]\n      Acquired app token: eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWlvIjoiRTJaZ1lKaSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiI5ZDJmNmMxYS0zYjRlLTRmNWEtOGM2ZC03ZThmOWEwYjFjMmQiLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YzZkN2U4Zi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMGIwMDIiLCJyaCI6IjAuQVhrQSIsInN1YiI6IjVjNmQ3ZThmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYjAwMiIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6Ilp5WHdWdVRzUnFQb05tTGtKaUhnQUEiLCJ2ZXIiOiIxLjAiLCJ4bXNfdGNkdCI6MTUwMDAwMDAwMCwicm9sZXMiOlsiQ2hhbm5lbE1lc3NhZ2UuUmVhZC5BbGwiLCJUZWFtLlJlYWRCYXNpYy5BbGwiXX0.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'GET https://graph.microsoft.com/v1.0/teams/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/channels/19:a1b2c3d4e5f6@thread.tacv2/messages', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'permission.missing', 'mentions': ['Protected APIs in Microsoft Teams']})

case('A-x33', "Ninth audit (2026-11-25), case a22: scenarios.md A-05 (AzureCAT-GSI/DevCamp#44, sendMail 403 'Access is denied'); Graph Explorer app id de8bc8b5-... (well-known, from memory)", 'A',
     'A Graph Explorer token without Mail.Send: consent in Graph Explorer, not in App registrations',
     {'input': 'eyJ0eXAiOiJKV1QiLCJub25jZSI6Ing4SmQwYlExdk0zX2tQMkxyOXNUNXVXeVowYUI0Y0Q2ZUY4Z0gwaUoya0wiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWNjdCI6MCwiYWNyIjoiMSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiR3JhcGggRXhwbG9yZXIiLCJhcHBpZCI6ImRlOGJjOGI1LWQ5ZjktNDhiMS1hOGFkLWI3NDhkYTcyNTA2NCIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImIxZTJjM2Q0LTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYTAwMSIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1Iiwic2NwIjoib3BlbmlkIHByb2ZpbGUgVXNlci5SZWFkIGVtYWlsIiwic3ViIjoia1l3MGRZM1hqMWdxMW1PMG41ZjBiMll0N3lRazlaczF4MmMzdjRiNW42bSIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmVAY29udG9zby5jb20iLCJ1dGkiOiJBYkNkRWZHaElqS2xNbk9wUXJTdEFBIiwidmVyIjoiMS4wIiwid2lkcyI6WyJiNzlmYmY0ZC0zZWY5LTQ2ODktODE0My03NmIxOTRlODU1MDkiXSwieG1zX3RjZHQiOjE1MDAwMDAwMDB9.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'POST https://graph.microsoft.com/v1.0/me/sendMail', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Graph Explorer']})

case('F-x31', "Ninth audit (2026-11-25), case a23: pnp/pnpframework#662 and AzureAD/azure-activedirectory-library-for-js#589 (x-ms-diagnostics and body verbatim, search corpus 'issues')", 'F',
     'A Graph token sent to SharePoint REST (/_api/): the fix names https://<tenant>.sharepoint.com/.default',
     {'input': 'Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWlvIjoiRTJaZ1lKaSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiI5ZDJmNmMxYS0zYjRlLTRmNWEtOGM2ZC03ZThmOWEwYjFjMmQiLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YzZkN2U4Zi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMGIwMDIiLCJyaCI6IjAuQVhrQSIsInN1YiI6IjVjNmQ3ZThmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYjAwMiIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6Ilp5WHdWdVRzUnFQb05tTGtKaUhnQUEiLCJ2ZXIiOiIxLjAiLCJ4bXNfdGNkdCI6MTUwMDAwMDAwMCwicm9sZXMiOlsiU2l0ZXMuUmVhZC5BbGwiXX0.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'GET https://contoso.sharepoint.com/sites/Finance/_api/web/lists', 'response': 'HTTP/1.1 401 Unauthorized\nContent-Length: 123\nContent-Type: application/json;odata=verbose;charset=utf-8\nServer: Microsoft-IIS/10.0\nWWW-Authenticate: Bearer realm="72f988bf-86f1-41af-91ab-2d7cd011db47",client_id="00000003-0000-0ff1-ce00-000000000000",trusted_issuers="00000001-0000-0000-c000-000000000000@*,D3776938-3DBA-481F-A652-4BEDFCAB7CD8@*,https://sts.windows.net/*/,https://login.microsoftonline.com/*/v2.0,00000003-0000-0ff1-ce00-000000000000@90140122-8516-11e1-8eff-49304924019b",authorization_uri="https://login.windows.net/common/oauth2/authorize"\nx-ms-diagnostics: 3000003;reason="Invalid audience Uri \'https://graph.microsoft.com\'.";category="invalid_client"\nSPRequestGuid: 9401049e-00dd-3000-1cb8-1ecdd1037ce1\n\n{"error_description":"Exception of type \'Microsoft.IdentityModel.Tokens.AudienceUriValidationFailedException\' was thrown."}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['sharepoint.com/.default']})

case('C-x18', "Ninth audit (2026-11-25), case a06: acsone/msgraphfs#9 'Forbidden error when client only has Site.Selected permission' (search corpus 'issues'); msgraph-sdk-dotnet#1591", 'C',
     "An app with Sites.Selected reading a site: the site grant, not 'add Sites.Read.All' (was: scope.missing with tenant-wide advice)",
     {'input': 'httpx.HTTPStatusError: Client error \'403 Forbidden\' for url \'https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com,2c7d1f3e-8a9b-4c0d-9e1f-2a3b4c5d6e7f,7e6d5c4b-3a2f-4e1d-8c0b-9a8f7e6d5c4b\'\nHTTP error 403: b\'{"error":{"code":"accessDenied","message":"Access denied","innerError":{"date":"2025-11-24T16:02:11","request-id":"9b1c6f0e-3f2a-4c1e-8d55-2a6b0f3c7e11","client-request-id":"9b1c6f0e-3f2a-4c1e-8d55-2a6b0f3c7e11"}}}\'\ntoken used: eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWlvIjoiRTJaZ1lKaSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiI5ZDJmNmMxYS0zYjRlLTRmNWEtOGM2ZC03ZThmOWEwYjFjMmQiLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YzZkN2U4Zi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMGIwMDIiLCJyaCI6IjAuQVhrQSIsInN1YiI6IjVjNmQ3ZThmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYjAwMiIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6Ilp5WHdWdVRzUnFQb05tTGtKaUhnQUEiLCJ2ZXIiOiIxLjAiLCJ4bXNfdGNkdCI6MTUwMDAwMDAwMCwicm9sZXMiOlsiU2l0ZXMuU2VsZWN0ZWQiXX0.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'GET https://graph.microsoft.com/v1.0/sites/contoso.sharepoint.com,2c7d1f3e-8a9b-4c0d-9e1f-2a3b4c5d6e7f,7e6d5c4b-3a2f-4e1d-8c0b-9a8f7e6d5c4b', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['sites/{site-id}/permissions']})

case('L-x30', 'Ninth audit (2026-11-25), case a18: learn.microsoft.com/graph/json-batching (batch 200, per-request status; quoted in dotnet/dev-proxy#1358); manager 403 from scenarios.md L-09 (microsoft-graph-docs-contrib#8353); permission from msgraph-permissions.json', 'L',
     'A Graph $batch answered 200 around a 403 (was: allowed)',
     {'input': 'Bearer eyJ0eXAiOiJKV1QiLCJub25jZSI6Ing4SmQwYlExdk0zX2tQMkxyOXNUNXVXeVowYUI0Y0Q2ZUY4Z0gwaUoya0wiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiIwMDAwMDAwMy0wMDAwLTAwMDAtYzAwMC0wMDAwMDAwMDAwMDAiLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWNjdCI6MCwiYWNyIjoiMSIsImFtciI6WyJwd2QiLCJtZmEiXSwiYXBwX2Rpc3BsYXluYW1lIjoiQ29udG9zbyBNYWlsZXIiLCJhcHBpZCI6IjRhMWYwYzJlLThkM2ItNGM1Ny05ZTEwLTJiN2Y2ZDNhOWMwMSIsImFwcGlkYWNyIjoiMCIsImZhbWlseV9uYW1lIjoiRG9lIiwiZ2l2ZW5fbmFtZSI6IkphbmUiLCJpZHR5cCI6InVzZXIiLCJpcGFkZHIiOiIyMDMuMC4xMTMuNyIsIm5hbWUiOiJKYW5lIERvZSIsIm9pZCI6ImIxZTJjM2Q0LTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYTAwMSIsInBsYXRmIjoiMyIsInB1aWQiOiIxMDAzMjAwMUEyQjNDNEQ1Iiwic2NwIjoiVXNlci5SZWFkIiwic3ViIjoia1l3MGRZM1hqMWdxMW1PMG41ZjBiMll0N3lRazlaczF4MmMzdjRiNW42bSIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInVuaXF1ZV9uYW1lIjoiamFuZUBjb250b3NvLmNvbSIsInVwbiI6ImphbmVAY29udG9zby5jb20iLCJ1dGkiOiJBYkNkRWZHaElqS2xNbk9wUXJTdEFBIiwidmVyIjoiMS4wIiwid2lkcyI6WyJiNzlmYmY0ZC0zZWY5LTQ2ODktODE0My03NmIxOTRlODU1MDkiXSwieG1zX3RjZHQiOjE1MDAwMDAwMDB9.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'POST https://graph.microsoft.com/v1.0/$batch', 'response': 'HTTP/1.1 200 OK\nContent-Type: application/json\n\n{"responses": [{"id": "1", "status": 200, "body": {"displayName": "Jane Doe"}}, {"id": "2", "status": 403, "body": {"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}}]}', 'now': 1764000000},
     {'verdict': 'denied', 'codes': ['response.batch'], 'absent': ['response.success']})

case('N-x92', 'Ninth audit (2026-11-25), case a24: magodo/terraform-provider-outlook#21 and alcionai/corso#3695 (error body verbatim); learn.microsoft.com/graph/throttling', 'N',
     'Graph 429 throttling (was: allowed with no word of it)',
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWlvIjoiRTJaZ1lKaSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiI5ZDJmNmMxYS0zYjRlLTRmNWEtOGM2ZC03ZThmOWEwYjFjMmQiLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YzZkN2U4Zi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMGIwMDIiLCJyaCI6IjAuQVhrQSIsInN1YiI6IjVjNmQ3ZThmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYjAwMiIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6Ilp5WHdWdVRzUnFQb05tTGtKaUhnQUEiLCJ2ZXIiOiIxLjAiLCJ4bXNfdGNkdCI6MTUwMDAwMDAwMCwicm9sZXMiOlsiTWFpbC5SZWFkIl19.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'GET https://graph.microsoft.com/v1.0/users/jane@contoso.com/messages', 'response': 'HTTP/1.1 429 Too Many Requests\nContent-Type: application/json\nRetry-After: 30\nrequest-id: 9b1c6f0e-3f2a-4c1e-8d55-2a6b0f3c7e11\n\n{"error":{"code":"ApplicationThrottled","message":"Application is over its MailboxConcurrency limit."}}', 'now': 1764000000},
     {'codes': ['response.not_a_refusal']})

case('G-x34', 'Ninth audit (2026-11-25), case a12: scenarios.md G (MSAL.js#2363, msal-python#600 maintainer note); IDX10205 wording from memory of Microsoft.IdentityModel (format varies by version)', 'G',
     "v1 token (sts.windows.net) at an API configured for v2: no false 'tokens name the host they were requested through'",
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJhcGk6Ly9jb250b3NvLW9yZGVycyIsImlzcyI6Imh0dHBzOi8vc3RzLndpbmRvd3MubmV0LzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny8iLCJpYXQiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYXBwaWQiOiI0YTFmMGMyZS04ZDNiLTRjNTctOWUxMC0yYjdmNmQzYTljMDEiLCJzY3AiOiJPcmRlcnMuUmVhZCIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInZlciI6IjEuMCIsInN1YiI6IngifQ.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'response': "HTTP/1.1 401 Unauthorized\n\nIDX10205: Issuer validation failed. Issuer: 'https://sts.windows.net/72f988bf-86f1-41af-91ab-2d7cd011db47/'. Did not match: validationParameters.ValidIssuer: 'https://login.microsoftonline.com/72f988bf-86f1-41af-91ab-2d7cd011db47/v2.0' or validationParameters.ValidIssuers: 'null'.", 'now': 1764000000},
     {'verdict': 'denied', 'first': 'issuer.mismatch', 'mentions': ['whichever host']})

case('H-x22', "Ninth audit (2026-11-25), case aextra_quote_ps_prompt: an extra repro of the audit's defect 7 (a REPL or shell prompt line quoted as the answer); Microsoft Graph PowerShell SDK error output", 'H',
     'PowerShell Get-MgUser error after a `PS C:\\>` prompt: the answer quoted is the error, not the prompt',
     {'input': 'PS C:\\> Get-MgUser -UserId jane@contoso.com\nGet-MgUser_Get: Lifetime validation failed, the token is expired.\n\nStatus: 401 (Unauthorized)\nErrorCode: InvalidAuthenticationToken', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.expired', 'mentions': ['Lifetime validation failed']})

case('B-x6', "Ninth audit (2026-11-25), case a30: MicrosoftDocs/msteams-docs#12992 (error message verbatim); status 401/code 'Unauthorized' from memory", 'B',
     "Teams 'Message POST is allowed in application-only context only for import purposes' (was: token.rejected first)",
     {'input': 'Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWlvIjoiRTJaZ1lKaSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiI5ZDJmNmMxYS0zYjRlLTRmNWEtOGM2ZC03ZThmOWEwYjFjMmQiLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YzZkN2U4Zi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMGIwMDIiLCJyaCI6IjAuQVhrQSIsInN1YiI6IjVjNmQ3ZThmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYjAwMiIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6Ilp5WHdWdVRzUnFQb05tTGtKaUhnQUEiLCJ2ZXIiOiIxLjAiLCJ4bXNfdGNkdCI6MTUwMDAwMDAwMCwicm9sZXMiOlsiQ2hhbm5lbE1lc3NhZ2UuUmVhZC5BbGwiLCJHcm91cC5SZWFkV3JpdGUuQWxsIl19.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'POST https://graph.microsoft.com/v1.0/teams/0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0/channels/19:a1b2c3d4e5f6@thread.tacv2/messages', 'response': 'HTTP/1.1 401 Unauthorized\nContent-Type: application/json\n\n{"error": {"code": "Unauthorized", "message": "Message POST is allowed in application-only context only for import purposes. Refer to https://docs.microsoft.com/microsoftteams/platform/graph-api/import-messages/import-external-messages-to-teams for more details.", "innerError": {"date": "2025-11-24T16:02:11", "request-id": "9b1c6f0e-3f2a-4c1e-8d55-2a6b0f3c7e11", "client-request-id": "9b1c6f0e-3f2a-4c1e-8d55-2a6b0f3c7e11"}}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'grant.no_user_context'})

case('N-x93', "GitHub REST docs ('Requests that require authentication will return 404 Not Found, instead of 403 Forbidden, in some places'); ninth audit (2026-11-25): other statuses were ignored", 'N',
     'A 404 Not Found to an Auth0 token (was: unknown, no findings)',
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJpc3MiOiJodHRwczovL2FjbWUuZXUuYXV0aDAuY29tLyIsImF1ZCI6Imh0dHBzOi8vYXBpLmFjbWUuaW8iLCJzdWIiOiJhdXRoMHwxIiwiZXhwIjoxNzY0MDAzMDAwLCJpYXQiOjE3NjM5OTk5NDAsInNjb3BlIjoicmVhZDpvcmRlcnMiLCJhenAiOiJhYmMifQ.lsnhq8_jdlbYXbwHxv2Mz1cw4YzLgkFZ4JZZDjuRxYPQHYBUmNvyemBgfBl4O-ayooofa6ww7lkIwbYqUve20g', 'operation': 'GET https://api.acme.io/orders/42', 'response': 'HTTP/1.1 404 Not Found\n\n{"error":"not_found","message":"Order 42 not found"}', 'now': 1764000000},
     {'codes': ['response.not_a_refusal']})

case('N-x94', "Code review of the ninth audit's fixes (2026-11-25), finding 1", 'N',
     "A HAR whose refused request sent no Authorization header, after a 200 that did (was: 'allowed', the earlier call)",
     {'input': '{"log": {"entries": [{"request": {"method": "GET", "url": "https://api.example.com/v1/profile", "headers": [{"name": "authorization", "value": "Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tLyIsICJhdWQiOiAiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCAic2NvcGUiOiAicmVhZDp0aGluZ3MiLCAic3ViIjogInUxIiwgImlhdCI6IDE3NjM5OTkwMDAsICJleHAiOiAxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln"}]}, "response": {"status": 200, "headers": [], "content": {"text": "{}"}}}, {"request": {"method": "GET", "url": "https://api.example.com/v1/things", "headers": [{"name": "accept", "value": "*/*"}]}, "response": {"status": 401, "headers": [], "content": {"text": "{\\"error\\":\\"No authorization header\\"}"}}}]}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token'})

case('E-x22', "Code review of the ninth audit's fixes (2026-11-25), finding 2", 'E',
     "A log whose prose says 'Token expired yesterday': the user's words are not the API's answer (was: token.stale)",
     {'input': 'Token expired yesterday; this is the new one\nheaders = {"Authorization": "Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tLyIsICJhdWQiOiAiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCAic2NvcGUiOiAicmVhZDp0aGluZ3MiLCAic3ViIjogInUxIiwgImlhdCI6IDE3NjM5OTkwMDAsICJleHAiOiAxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln"}\nrequests.get("https://api.example.com/v1/things", headers=headers)\n401 Unauthorized', 'now': 1764000000},
     {'verdict': 'denied', 'absent': ['token.stale']})

case('L-x31', "Code review of the ninth audit's fixes (2026-11-25), finding 5", 'L',
     "A plan's 'protected API access' 403 from a non-Microsoft API: no Teams diagnosis (was: 'A Teams protected API')",
     {'input': 'Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tLyIsICJhdWQiOiAiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCAic2NvcGUiOiAicmVhZDp0aGluZ3MiLCAic3ViIjogInUxIiwgImlhdCI6IDE3NjM5OTkwMDAsICJleHAiOiAxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln', 'operation': 'GET https://api.example.com/v1/things', 'response': 'HTTP/1.1 403 Forbidden\n\n{"error":"forbidden","message":"Your plan does not include protected API access. Upgrade to Pro."}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'access.denied'})

case('G-x35', "Code review of the ninth audit's fixes (2026-11-25), finding 6", 'G',
     "A Genesys 403 missing.permissions with 'I first tried login.mypurecloud.de' in prose: no region mismatch (was: issuer.mismatch first)",
     {'input': 'Our org is in Dublin. I first tried login.mypurecloud.de by mistake but that failed, now using the right one.\n$ curl -H "Authorization: Bearer Zq8-Lk3VbN1mXc7RtY5uHw2sJe9Pa4Gd6Fo0Ki-Qy3Tn8Mv1Bz5Wx" https://api.mypurecloud.ie/api/v2/routing/queues\n{"message":"Unable to perform the requested action. You are missing the following permission(s): [routing:queue:view]","code":"missing.permissions","status":403}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'permission.missing', 'absent': ['issuer.mismatch']})

case('N-x95', "Code review of the ninth audit's fixes (2026-11-25), finding 7", 'N',
     "Power Automate raw JSON whose Authorization is a JWT without Bearer (was: 'the header was lost on the way')",
     {'input': '{"inputs": {"method": "GET", "uri": "https://graph.microsoft.com/v1.0/users", "headers": {"Authorization": "eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tLyIsICJhdWQiOiAiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCAic2NvcGUiOiAicmVhZDp0aGluZ3MiLCAic3ViIjogInUxIiwgImlhdCI6IDE3NjM5OTkwMDAsICJleHAiOiAxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln"}}, "outputs": {"statusCode": 401, "body": {"error": {"code": "InvalidAuthenticationToken", "message": "Access token is empty."}}}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'header.malformed'})

case('E-x23', "Code review of the ninth audit's fixes (2026-11-25), finding 8", 'E',
     "A 400 invalid_request 'The access token is malformed' (was: 'it faults the request, not the token')",
     {'input': 'Bearer eyJhbGciOiAiUlMyNTYiLCAidHlwIjogIkpXVCIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9hdXRoLmV4YW1wbGUuY29tLyIsICJhdWQiOiAiaHR0cHM6Ly9hcGkuZXhhbXBsZS5jb20iLCAic2NvcGUiOiAicmVhZDp0aGluZ3MiLCAic3ViIjogInUxIiwgImlhdCI6IDE3NjM5OTkwMDAsICJleHAiOiAxNzY0MDAzMDAwfQ.c2lnbmF0dXJlc2lnbmF0dXJlc2ln', 'operation': 'GET https://api.example.com/v1/things', 'response': 'HTTP/1.1 400 Bad Request\nWWW-Authenticate: Bearer error="invalid_request", error_description="The access token is malformed"\n\n', 'now': 1764000000},
     {'first': 'token.stale', 'absent': ['response.not_a_refusal']})

case('N-x96', "Ninth audit (2026-11-25), case b24: curl CVE-2022-27776 fix (7.83.0: custom Authorization/Cookie headers not sent after a redirect to another port or scheme; from memory), curl's verbose line 'Clear auth, redirects to port from 80 to 443' (from memory of lib/transfer.c); DRF NotAuthenticated default detail 'Authentication credentials ", 'N',
     "curl -v -L: the header sent, a 301 to https, curl's 'Clear auth', then the request without it refused (was: 'no bearer token', the redirect unnamed)",
     {'input': '$ curl -v -L -H "Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjIwMjUtMTEifQ.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzY0MDAzMDAwLCJpYXQiOjE3NjM5OTk0MDAsImp0aSI6IjlmOGU3ZDZjNWI0YTQ5MzgyNzE2YTViNGMzZDJlMWYwIiwidXNlcl9pZCI6NDIsImlzcyI6Imh0dHBzOi8vYXBpLmFjbWUuaW8iLCJhdWQiOiJhY21lLWFwaSJ9.ddPKhiDMP8ho-JvYGJ4pIo0pQDPnBjMr5Exm9W-S-oxWzNjO-WfTUlg4AUoATolSBAqpjDgtPXrwlLcrqEfAwnXTyoYgzD_IaPib2BieKSKNKUAz5wYzK-RMZvVvkvqMVszYzvln01JYOAFKAE6JUgQKqYw4LT168JS3K6hHwMJ108qGIMw_yGj4m9gYnikijSlAM-cGMyvkTGb1b5L6jFbM2M75Z9NSWDgBSgBOiVIECqmMOC09evCUtyuoR8DCddPKhiDMP8ho-JvYGJ4pIo0pQDPnBjMr5Exm9W-S-oxWzNjO-WfTUlg4AUoATolSBAqpjDgtPXrwlLcrqEfAwg" http://api.acme.io/api/projects/\n*   Trying 203.0.113.10:80...\n* Connected to api.acme.io (203.0.113.10) port 80\n> GET /api/projects/ HTTP/1.1\n> Host: api.acme.io\n> User-Agent: curl/8.5.0\n> Accept: */*\n> Authorization: Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IjIwMjUtMTEifQ.eyJ0b2tlbl90eXBlIjoiYWNjZXNzIiwiZXhwIjoxNzY0MDAzMDAwLCJpYXQiOjE3NjM5OTk0MDAsImp0aSI6IjlmOGU3ZDZjNWI0YTQ5MzgyNzE2YTViNGMzZDJlMWYwIiwidXNlcl9pZCI6NDIsImlzcyI6Imh0dHBzOi8vYXBpLmFjbWUuaW8iLCJhdWQiOiJhY21lLWFwaSJ9.ddPKhiDMP8ho-JvYGJ4pIo0pQDPnBjMr5Exm9W-S-oxWzNjO-WfTUlg4AUoATolSBAqpjDgtPXrwlLcrqEfAwnXTyoYgzD_IaPib2BieKSKNKUAz5wYzK-RMZvVvkvqMVszYzvln01JYOAFKAE6JUgQKqYw4LT168JS3K6hHwMJ108qGIMw_yGj4m9gYnikijSlAM-cGMyvkTGb1b5L6jFbM2M75Z9NSWDgBSgBOiVIECqmMOC09evCUtyuoR8DCddPKhiDMP8ho-JvYGJ4pIo0pQDPnBjMr5Exm9W-S-oxWzNjO-WfTUlg4AUoATolSBAqpjDgtPXrwlLcrqEfAwg\n>\n< HTTP/1.1 301 Moved Permanently\n< Server: nginx\n< Location: https://api.acme.io/api/projects/\n< Content-Length: 162\n<\n* Ignoring the response-body\n* Connection #0 to host api.acme.io left intact\n* Clear auth, redirects to port from 80 to 443\n* Issue another request to this URL: \'https://api.acme.io/api/projects/\'\n*   Trying 203.0.113.10:443...\n* Connected to api.acme.io (203.0.113.10) port 443\n> GET /api/projects/ HTTP/1.1\n> Host: api.acme.io\n> User-Agent: curl/8.5.0\n> Accept: */*\n>\n< HTTP/1.1 401 Unauthorized\n< Server: nginx\n< Content-Type: application/json\n< WWW-Authenticate: Bearer realm="api"\n< Allow: GET, POST, HEAD, OPTIONS\n<\n{"detail":"Authentication credentials were not provided."}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'input.no_token', 'mentions': ['--location-trusted']})

case('F-x32', "Ninth audit (2026-11-25), case b05: scenarios.md F class (Keycloak 'account' audience, F-09/G-12) and IDX10214 message format (Microsoft.IdentityModel LogMessages; from memory).", 'F',
     "A session: curl prints only 401, then `kubectl logs` shows IDX10214 (aud 'account'): the log is the API's words (was: token.rejected)",
     {'input': '$ export TOKEN=eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlZiM245bVEyc1g4a0wxcFI1dFc3eVowYUM0ZEU2ZkcifQ.eyJleHAiOjE3NjQwMDAyMDAsImlhdCI6MTc2Mzk5OTkwMCwianRpIjoiNWQ0YzNiMmEtMWYwZS00ZDljLThiN2EtNmY1ZTRkM2MyYjFhIiwiaXNzIjoiaHR0cHM6Ly9zc28uYWNtZS5pby9yZWFsbXMvYWNtZSIsImF1ZCI6ImFjY291bnQiLCJzdWIiOiJmM2EyYjFjMC05ZDhlLTRmN2EtOGI2Yy01ZDRlM2YyYTFiMGMiLCJ0eXAiOiJCZWFyZXIiLCJhenAiOiJvcmRlcnMtc3BhIiwic2lkIjoiOWM4YjdhNmQtNWU0Zi00YTNiLTJjMWQtMGU5ZjhhN2I2YzVkIiwicmVhbG1fYWNjZXNzIjp7InJvbGVzIjpbImRlZmF1bHQtcm9sZXMtYWNtZSIsIm9mZmxpbmVfYWNjZXNzIiwidW1hX2F1dGhvcml6YXRpb24iXX0sInJlc291cmNlX2FjY2VzcyI6eyJhY2NvdW50Ijp7InJvbGVzIjpbIm1hbmFnZS1hY2NvdW50Iiwidmlldy1wcm9maWxlIl19fSwic2NvcGUiOiJvcGVuaWQgZW1haWwgcHJvZmlsZSIsInByZWZlcnJlZF91c2VybmFtZSI6ImRhbmEifQ.Y6ZrcgAQdXgpVK4-U_6Mi1CrhCR87LymiXG-YBTEIkW1bkc7RTL_HnW0iDNkMY9hQnWNI8e0t5RHhOFWpDmmHmOma3IAEHV4KVSuPlP-jItQq4QkfOy8polxvmAUxCJFtW5HO0Uy_x51tIgzZDGPYUJ1jSPHtLeUR4ThVqQ5ph5jpmtyABB1eClUrj5T_oyLUKuEJHzsvKaJcb5gFMQiRbVuRztFMv8edbSIM2Qxj2FCdY0jx7S3lEeE4VakOaYeY6ZrcgAQdXgpVK4-U_6Mi1CrhCR87LymiXG-YBTEIkW1bkc7RTL_HnW0iDNkMY9hQnWNI8e0t5RHhOFWpDmmHg\n$ curl -s -o /dev/null -w "%{http_code}\\n" -H "Authorization: Bearer $TOKEN" https://orders.acme.io/api/orders\n401\n$ kubectl logs deploy/orders-api\n      Microsoft.IdentityModel.Tokens.SecurityTokenInvalidAudienceException: IDX10214: Audience validation failed. Audiences: \'account\'. Did not match: validationParameters.ValidAudience: \'orders-api\' or validationParameters.ValidAudiences: \'null\'.', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'codes': ['input.session']})

case('C-x19', 'Ninth audit (2026-11-25), case a20: scenarios.md C-01 pattern on a national cloud host; permissions from msgraph-permissions.json; README lists national clouds among the Graph audiences', 'C',
     "An app-only token without Mail.ReadBasic.All calling graph.microsoft.us: the new token's scope is https://graph.microsoft.us/.default",
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC51cyIsImlzcyI6Imh0dHBzOi8vbG9naW4ubWljcm9zb2Z0b25saW5lLnVzLzcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0Ny92Mi4wIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYXpwIjoiOWQyZjZjMWEtM2I0ZS00ZjVhLThjNmQtN2U4ZjlhMGIxYzJkIiwiYXpwYWNyIjoiMSIsImlkdHlwIjoiYXBwIiwib2lkIjoiNWM2ZCIsInJvbGVzIjpbIk1haWwuU2VuZCJdLCJzdWIiOiI1YzZkIiwidGlkIjoiNzJmOTg4YmYtODZmMS00MWFmLTkxYWItMmQ3Y2QwMTFkYjQ3IiwidmVyIjoiMi4wIn0.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w', 'operation': 'GET https://graph.microsoft.us/v1.0/users/jane@contoso.us/messages', 'response': 'HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again.", "innerError": {"date": "2025-11-24T16:02:11", "request-id": "9b1c6f0e-3f2a-4c1e-8d55-2a6b0f3c7e11", "client-request-id": "9b1c6f0e-3f2a-4c1e-8d55-2a6b0f3c7e11"}}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['https://graph.microsoft.us/.default']})

case('L-x32', "Ninth audit (2026-11-25), case b04: Spring Security BearerTokenAccessDeniedHandler (error_description 'The request requires higher privileges than provided by the access token.'; from memory); scenarios.md L-07 (DELETE needs Admin role) and corpus L-x27 (realm role variant).", 'L',
     "Spring's generic insufficient_scope with a Keycloak client role orders-viewer: the fixes include assigning the missing role",
     {'input': 'Bearer eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6IlZiM245bVEyc1g4a0wxcFI1dFc3eVowYUM0ZEU2ZkcifQ.eyJleHAiOjE3NjQwMDAyNDAsImlhdCI6MTc2Mzk5OTk0MCwianRpIjoib25ydGFjOjRmMmIxYzBkLThlN2YtNGE2Yi05YzVkLTNlMmYxYTBiOWM4ZCIsImlzcyI6Imh0dHBzOi8vc3NvLmFjbWUuaW8vcmVhbG1zL2FjbWUiLCJhdWQiOlsib3JkZXJzLWFwaSIsImFjY291bnQiXSwic3ViIjoiZjNhMmIxYzAtOWQ4ZS00ZjdhLThiNmMtNWQ0ZTNmMmExYjBjIiwidHlwIjoiQmVhcmVyIiwiYXpwIjoib3JkZXJzLXdlYiIsInNpZCI6IjljOGI3YTZkLTVlNGYtNGEzYi0yYzFkLTBlOWY4YTdiNmM1ZCIsImFjciI6IjEiLCJhbGxvd2VkLW9yaWdpbnMiOlsiaHR0cHM6Ly9vcmRlcnMuYWNtZS5pbyJdLCJyZWFsbV9hY2Nlc3MiOnsicm9sZXMiOlsiZGVmYXVsdC1yb2xlcy1hY21lIiwib2ZmbGluZV9hY2Nlc3MiLCJ1bWFfYXV0aG9yaXphdGlvbiJdfSwicmVzb3VyY2VfYWNjZXNzIjp7Im9yZGVycy1hcGkiOnsicm9sZXMiOlsib3JkZXJzLXZpZXdlciJdfSwiYWNjb3VudCI6eyJyb2xlcyI6WyJtYW5hZ2UtYWNjb3VudCIsInZpZXctcHJvZmlsZSJdfX0sInNjb3BlIjoib3BlbmlkIHByb2ZpbGUgZW1haWwiLCJlbWFpbF92ZXJpZmllZCI6dHJ1ZSwicHJlZmVycmVkX3VzZXJuYW1lIjoiZGFuYSIsImVtYWlsIjoiZGFuYUBhY21lLmlvIn0.9iwCjVAEijCxg3hzG2pzDm8Hfpt99kwqx_AjjKKA0e608J59qFGsK1F0iVuyg4bAuFXbMlmPPXNmchukMFP7qfYsAo1QBIowsYN4cxtqcw5vB36bffZMKsfwI4yigNHutPCefahRrCtRdIlbsoOGwLhV2zJZjz1zZnIbpDBT-6n2LAKNUASKMLGDeHMbanMObwd-m332TCrH8COMooDR7rTwnn2oUawrUXSJW7KDhsC4VdsyWY89c2ZyG6QwU_up9iwCjVAEijCxg3hzG2pzDm8Hfpt99kwqx_AjjKKA0e608J59qFGsK1F0iVuyg4bAuFXbMlmPPXNmchukMFP7qQ', 'operation': 'DELETE https://orders.acme.io/api/orders/42', 'response': 'HTTP/1.1 403 \nWWW-Authenticate: Bearer error="insufficient_scope", error_description="The request requires higher privileges than provided by the access token.", error_uri="https://tools.ietf.org/html/rfc6750#section-3.1"\nContent-Length: 0\n\n', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'mentions': ['Role mapping']})

OWN_SRC = ("Ninth audit's known limit, 2026-11-25 session 14: Microsoft's naming convention for Graph permission names "
           "(learn.microsoft.com/security/zero-trust/develop/protected-api-example: 'If you specify No constraint, the "
           "app can only perform the operations on the resources that the signed-in user owns'); permissions from "
           "msgraph-permissions.json; ErrorAccessDenied and Authorization_RequestDenied bodies as in A-05 and L-09")
NOW_OWN = 1764000000
ACCESS_DENIED = http_response("403 Forbidden", [("Content-Type", "application/json")],
                              '{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}}')

case('L-x33', OWN_SRC, 'L',
     "A delegated Mail.Read token reading another user's mailbox, refused: Mail.Read reaches only the signed-in user's own mail (was: 'denied without saying why')",
     {'input': graph_delegated("L-x33", "openid profile User.Read Mail.Read", NOW_OWN - 600),
      'operation': 'GET https://graph.microsoft.com/v1.0/users/bob@contoso.com/messages',
      'response': ACCESS_DENIED, 'now': NOW_OWN},
     {'verdict': 'denied', 'first': 'scope.own_data_only', 'absent': ['access.denied'], 'mentions': ['Mail.Read.Shared']})

case('L-x34', OWN_SRC, 'L',
     "User.Read on GET /users/{another user's object id}, no answer pasted: denied, User.ReadBasic.All named (was: 'allowed')",
     {'input': graph_delegated("L-x34", "openid profile User.Read", NOW_OWN - 600),
      'operation': 'GET https://graph.microsoft.com/v1.0/users/' + guid("L-x34 other user"), 'now': NOW_OWN},
     {'verdict': 'denied', 'first': 'scope.own_data_only', 'mentions': ['User.ReadBasic.All']})

case('L-x35', OWN_SRC, 'L',
     "Mail.Read with Mail.Read.Shared on another user's mailbox: the shared permission may be the one used, no finding",
     {'input': graph_delegated("L-x35", "openid User.Read Mail.Read Mail.Read.Shared", NOW_OWN - 600),
      'operation': 'GET https://graph.microsoft.com/v1.0/users/bob@contoso.com/messages', 'now': NOW_OWN},
     {'verdict': 'allowed', 'absent': ['scope.own_data_only']})

case('L-x36', OWN_SRC, 'L',
     "User.Read on GET /users/{the signed-in user's own upn, other case}: the user's own data, allowed",
     {'input': graph_delegated("L-x36", "openid User.Read", NOW_OWN - 600),
      'operation': 'GET https://graph.microsoft.com/v1.0/users/Jane.Doe@Contoso.com', 'now': NOW_OWN},
     {'verdict': 'allowed', 'absent': ['scope.own_data_only']})

case('L-x37', OWN_SRC, 'L',
     "User.Read on another user refused with Authorization_RequestDenied: the own-data permission first, the directory-role reading a warning",
     {'input': graph_delegated("L-x37", "openid User.Read", NOW_OWN - 600),
      'operation': 'GET https://graph.microsoft.com/v1.0/users/bob@contoso.com',
      'response': http_response("403 Forbidden", [("Content-Type", "application/json")],
                                '{"error": {"code": "Authorization_RequestDenied", "message": "Insufficient privileges to complete the operation."}}'),
      'now': NOW_OWN},
     {'verdict': 'denied', 'first': 'scope.own_data_only', 'codes': ['permission.missing']})

case('F-x33', "Ninth audit (2026-11-25), case a21: AzureAD/microsoft-authentication-library-for-dotnet#526 (curl + 401 body), "
     "nextauthjs/next-auth#5472 (decoded B2C claims), ms-identity-python-webapp#10; learn.microsoft.com/azure/active-directory-b2c/"
     "microsoft-graph-get-started (B2C's own client credentials cannot manage B2C through Graph; use the Entra ID /token endpoint) "
     "and learn.microsoft.com/answers/questions/1069755 ('user flows/custom policies can only be used to get tokens for your custom "
     "web APIs, not the graph APIs')", 'F',
     "An Azure AD B2C user-flow token (b2clogin.com, tfp) sent to Graph /me: the audience, with B2C's way to Graph; no delegated-permission error (was: 'request Graph scopes', and 'add User.Read')",
     {'input': "curl 'https://graph.microsoft.com/v1.0/me' -H 'authorization: Bearer " + jwt(rs256("b2c-kid"), {
          "iss": "https://contosob2c.b2clogin.com/" + guid("b2c tenant") + "/v2.0/", "exp": 1764003000, "nbf": 1763999400,
          "aud": guid("b2c app"), "idp": "live.com", "name": "Will De", "sub": guid("b2c user"), "tfp": "B2C_1_signupsignin",
          "scp": "demo.read", "azp": guid("b2c app"), "ver": "1.0", "iat": 1763999400}, "F-x33") + "'\n\n"
      '{"error":{"code":"InvalidAuthenticationToken","message":"Access token validation failure. Invalid audience."}}',
      'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['Azure AD B2C user flow', 'login.microsoftonline.com/<B2C tenant>']})

case('G-x36', "Ninth audit (2026-11-25), known limit: a US Government (GCC High) token, audience https://graph.microsoft.us, "
     "sent to the global Graph; national cloud endpoints from learn.microsoft.com/graph/deployments", 'G',
     "A US Government cloud token sent to graph.microsoft.com: call graph.microsoft.us (was: 'request a token for https://graph.microsoft.com')",
     {'input': jwt(rs256("usgov-kid"), {
          "aud": "https://graph.microsoft.us", "iss": "https://login.microsoftonline.us/" + TID + "/v2.0", "iat": 1763999000,
          "nbf": 1763999000, "exp": 1764003000, "scp": "User.Read Mail.Read", "oid": guid("usgov user"), "tid": TID,
          "ver": "2.0", "azp": guid("usgov app"), "idtyp": "user", "preferred_username": "alice@contoso.us"}, "G-x36"),
      'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'audience.mismatch', 'mentions': ['https://graph.microsoft.us/v1.0/me/messages']})

case('N-x97', "Ninth audit (2026-11-25), minor observation: 'curl -v prefers the shortened token' (repro min/extra_curl_v_elided_token.json: "
     "the > Authorization line shortened by hand under the command that holds the whole token)", 'N',
     "A curl -v transcript whose > Authorization line was shortened with ... under the whole command: the command's token is diagnosed (was: token.malformed, 4 segments)",
     {'input': '$ curl -v -H "Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiIsIng1dCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSIsImtpZCI6IkpETmFfNGk0cjdGZ2lnTDNzSElsSTN4Vi1JVSJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm1pY3Jvc29mdC5jb20iLCJpc3MiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWF0IjoxNzYzOTk5NDAwLCJuYmYiOjE3NjM5OTk0MDAsImV4cCI6MTc2NDAwMzAwMCwiYWlvIjoiRTJaZ1lKaSIsImFwcF9kaXNwbGF5bmFtZSI6IkNvbnRvc28gRGFlbW9uIiwiYXBwaWQiOiI5ZDJmNmMxYS0zYjRlLTRmNWEtOGM2ZC03ZThmOWEwYjFjMmQiLCJhcHBpZGFjciI6IjEiLCJpZHAiOiJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwiaWR0eXAiOiJhcHAiLCJvaWQiOiI1YzZkN2U4Zi0wMDAwLTQwMDAtODAwMC0wMDAwMDAwMGIwMDIiLCJyaCI6IjAuQVhrQSIsInN1YiI6IjVjNmQ3ZThmLTAwMDAtNDAwMC04MDAwLTAwMDAwMDAwYjAwMiIsInRlbmFudF9yZWdpb25fc2NvcGUiOiJFVSIsInRpZCI6IjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsInV0aSI6Ilp5WHdWdVRzUnFQb05tTGtKaUhnQUEiLCJ2ZXIiOiIxLjAiLCJ4bXNfdGNkdCI6MTUwMDAwMDAwMCwicm9sZXMiOlsiTWFpbC5TZW5kIl19.AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8gISIjJCUmJygpKissLS4vMDEyMzQ1Njc4OTo7PD0-P0BBQkNERUZHSElKS0xNTk9QUVJTVFVWV1hZWltcXV5fYGFiY2RlZmdoaWprbG1ub3BxcnN0dXZ3eHl6e3x9fn-AgYKDhIWGh4iJiouMjY6PkJGSk5SVlpeYmZqbnJ2en6ChoqOkpaanqKmqq6ytrq-wsbKztLW2t7i5uru8vb6_wMHCw8TFxsfIycrLzM3Oz9DR0tPU1dbX2Nna29zd3t_g4eLj5OXm5-jp6uvs7e7v8PHy8_T19vf4-fr7_P3-_w" https://graph.microsoft.com/v1.0/users\n> GET /v1.0/users HTTP/1.1\n> Host: graph.microsoft.com\n> Authorization: Bearer eyJ0eXAiOiJKV1QiLCJh...\n>\n< HTTP/1.1 403 Forbidden\n<\n{"error":{"code":"Authorization_RequestDenied","message":"Insufficient privileges to complete the operation."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['token.malformed']})

case('N-x98', "Session 14 (2026-11-25): a header shortened by hand with ... above Graph's ErrorAccessDenied (bodies as in A-05)", 'N',
     "Authorization: Bearer eyJ0eXAi... with a 403 ErrorAccessDenied: the API read a whole token, so the shortening is no cause; the 403 cannot be explained without the token",
     {'input': 'Authorization: Bearer eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9...',
      'operation': 'POST https://graph.microsoft.com/v1.0/me/sendMail',
      'response': ACCESS_DENIED, 'now': 1764000000},
     {'verdict': 'denied', 'first': 'access.denied', 'codes': ['token.malformed'], 'mentions': ['Paste the whole token']})

case('N-x99', "Session 14 (2026-11-25): a JWT shortened with ... after its payload's start has five dot-separated parts, the count of a JWE", 'N',
     "A JWT cut with ... (five parts): shortened, not an encrypted JWT (was: 'an encrypted JWT (JWE)' with four segment errors)",
     {'input': 'eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL2dyYXBoLm...', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.malformed', 'mentions': ['shortened'], 'absent': ['token.encoding']})

case('B-x07', "Ninth audit (2026-11-25), case b19: FIWARE Keyrock's GET /user with a client-credentials token answers 400 "
     "(telefonicaid/fiware-idm issues: 'object of type NoneType has no len()'), the token from the session's own token request", 'B',
     "A session: a client_credentials token request, then GET /user with its opaque token, answered with an error: the token has no user (was: 'opaque, introspect')",
     {'input': '$ curl -s -X POST https://idm.acme.io/oauth2/token -H "Authorization: Basic NTJhZmU2YTQtOWMxYi00ZjBjLWFkNjMtNjQ0NjUyZTk4YjE2OnNlY3JldA==" -d "grant_type=client_credentials"\n{"access_token":"5f0c2b8e4a7d6c3b9e1f0a2d4c6b8e0f1a3c5e7d","token_type":"Bearer","expires_in":3599,"refresh_token":"8d6b4f2e0c9a7b5d3f1e8c6a4b2d0f9e7c5a3b1d","scope":["bearer"]}\n$ curl -s https://idm.acme.io/user -H "Authorization: Bearer 5f0c2b8e4a7d6c3b9e1f0a2d4c6b8e0f1a3c5e7d"\n{"error": {"message": "object of type \'NoneType\' has no len()", "code": 400, "title": "Bad Request"}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'grant.no_user_context', 'mentions': ['grant_type=client_credentials']})

case('B-x08', "Session 14 (2026-11-25): scenarios.md class B (client credentials on a user endpoint); Auth0 M2M tokens carry "
     "gty=client-credentials (B-03); OIDC Core §5.3 (UserInfo returns claims about the authenticated end-user)", 'B',
     "An Auth0 client-credentials token calling an API's GET /userinfo, no answer pasted: a warning that it has no user",
     {'input': auth0_m2m("B-x08", "acme", "read:users", 1763999000, aud="https://api.acme.io"),
      'operation': 'GET https://api.acme.io/userinfo', 'now': 1764000000},
     {'codes': ['grant.no_user_context'], 'noErrors': True})

case('B-x09', "Session 14 (2026-11-25): a client-credentials token creating a user (POST /user) is an ordinary admin call", 'B',
     "An Auth0 client-credentials token on POST /user: no 'needs a user' finding (only reads of /user describe the signed-in user)",
     {'input': auth0_m2m("B-x09", "acme", "create:users", 1763999000, aud="https://api.acme.io"),
      'operation': 'POST https://api.acme.io/user', 'now': 1764000000},
     {'absent': ['grant.no_user_context']})

case('N-x100', "Code review of session 14's changes (2026-11-25), repro 01", 'N',
     "A token whose signature was cut with … (a chat tool's shortening): its header and payload are read and the missing scope found (was: 'shortened, which requirement failed cannot be told')",
     {'input': 'Authorization: Bearer eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEiLCAieDV0IjogImsxIn0.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwgImlhdCI6IDE3NjM5OTk0MDAsICJuYmYiOiAxNzYzOTk5NDAwLCAiZXhwIjogMTc2NDAwMzAwMCwgImFjY3QiOiAwLCAiYWNyIjogIjEiLCAiYW1yIjogWyJwd2QiXSwgImFwcF9kaXNwbGF5bmFtZSI6ICJDb250b3NvIE1haWxlciIsICJhcHBpZCI6ICI4OTAyZmRhNS05NjFmLTRiYzMtYTQ3NC00NGVhNGExNWQ4NWMiLCAiYXBwaWRhY3IiOiAiMCIsICJmYW1pbHlfbmFtZSI6ICJEb2UiLCAiZ2l2ZW5fbmFtZSI6ICJKYW5lIiwgImlkdHlwIjogInVzZXIiLCAibmFtZSI6ICJKYW5lIERvZSIsICJvaWQiOiAiMGYyYjFhM2MtMWYzYi00NWRjLWEzZWYtNGI5NTZmODk2Y2ZjIiwgInBsYXRmIjogIjMiLCAic3ViIjogImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCAidGlkIjogIjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsICJ1bmlxdWVfbmFtZSI6ICJqYW5lLmRvZUBjb250b3NvLmNvbSIsICJ1cG4iOiAiamFuZS5kb2VAY29udG9zby5jb20iLCAidmVyIjogIjEuMCIsICJzY3AiOiAib3BlbmlkIHByb2ZpbGUgVXNlci5SZWFkIn0.c2lnbmF0dXJl…', 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'response': 'HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'codes': ['token.encoding'], 'absent': ['token.malformed']})

case('N-x101', "Code review of session 14's changes (2026-11-25), repro 08a", 'N',
     'Bearer eyJ… (an ellipsis after three characters): a token shortened, not a four-segment JWT',
     {'input': 'Authorization: Bearer eyJ…', 'operation': 'GET https://graph.microsoft.com/v1.0/me', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'token.malformed', 'mentions': ['ellipsis']})

case('L-x38', "Code review of session 14's changes (2026-11-25), repro 02 (learn.microsoft.com userteamwork-sendactivitynotification: TeamsActivity.Send is its only delegated permission)", 'L',
     'TeamsActivity.Send on POST /users/{another}/teamwork/sendActivityNotification: notifying another user is what it is for, no own-data finding',
     {'input': 'eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEiLCAieDV0IjogImsxIn0.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwgImlhdCI6IDE3NjM5OTk0MDAsICJuYmYiOiAxNzYzOTk5NDAwLCAiZXhwIjogMTc2NDAwMzAwMCwgImFjY3QiOiAwLCAiYWNyIjogIjEiLCAiYW1yIjogWyJwd2QiXSwgImFwcF9kaXNwbGF5bmFtZSI6ICJDb250b3NvIE1haWxlciIsICJhcHBpZCI6ICI4OTAyZmRhNS05NjFmLTRiYzMtYTQ3NC00NGVhNGExNWQ4NWMiLCAiYXBwaWRhY3IiOiAiMCIsICJmYW1pbHlfbmFtZSI6ICJEb2UiLCAiZ2l2ZW5fbmFtZSI6ICJKYW5lIiwgImlkdHlwIjogInVzZXIiLCAibmFtZSI6ICJKYW5lIERvZSIsICJvaWQiOiAiMGYyYjFhM2MtMWYzYi00NWRjLWEzZWYtNGI5NTZmODk2Y2ZjIiwgInBsYXRmIjogIjMiLCAic3ViIjogImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCAidGlkIjogIjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsICJ1bmlxdWVfbmFtZSI6ICJqYW5lLmRvZUBjb250b3NvLmNvbSIsICJ1cG4iOiAiamFuZS5kb2VAY29udG9zby5jb20iLCAidmVyIjogIjEuMCIsICJzY3AiOiAib3BlbmlkIFVzZXIuUmVhZCBUZWFtc0FjdGl2aXR5LlNlbmQifQ.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'POST https://graph.microsoft.com/v1.0/users/11111111-2222-3333-4444-555555555555/teamwork/sendActivityNotification', 'now': 1764000000},
     {'absent': ['scope.own_data_only']})

case('L-x39', "Code review of session 14's changes (2026-11-25), repro 03b", 'L',
     "Mail.ReadWrite with Mail.Read.Shared, PATCH of another user's message refused: the read-only .Shared permission grants no write, so the own-data finding stands",
     {'input': 'eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEiLCAieDV0IjogImsxIn0.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwgImlhdCI6IDE3NjM5OTk0MDAsICJuYmYiOiAxNzYzOTk5NDAwLCAiZXhwIjogMTc2NDAwMzAwMCwgImFjY3QiOiAwLCAiYWNyIjogIjEiLCAiYW1yIjogWyJwd2QiXSwgImFwcF9kaXNwbGF5bmFtZSI6ICJDb250b3NvIE1haWxlciIsICJhcHBpZCI6ICI4OTAyZmRhNS05NjFmLTRiYzMtYTQ3NC00NGVhNGExNWQ4NWMiLCAiYXBwaWRhY3IiOiAiMCIsICJmYW1pbHlfbmFtZSI6ICJEb2UiLCAiZ2l2ZW5fbmFtZSI6ICJKYW5lIiwgImlkdHlwIjogInVzZXIiLCAibmFtZSI6ICJKYW5lIERvZSIsICJvaWQiOiAiMGYyYjFhM2MtMWYzYi00NWRjLWEzZWYtNGI5NTZmODk2Y2ZjIiwgInBsYXRmIjogIjMiLCAic3ViIjogImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCAidGlkIjogIjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsICJ1bmlxdWVfbmFtZSI6ICJqYW5lLmRvZUBjb250b3NvLmNvbSIsICJ1cG4iOiAiamFuZS5kb2VAY29udG9zby5jb20iLCAidmVyIjogIjEuMCIsICJzY3AiOiAib3BlbmlkIFVzZXIuUmVhZCBNYWlsLlJlYWRXcml0ZSBNYWlsLlJlYWQuU2hhcmVkIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'PATCH https://graph.microsoft.com/v1.0/users/bob@contoso.com/messages/AAMk1', 'response': 'HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.own_data_only'})

case('L-x40', "Code review of session 14's changes (2026-11-25), repro 04a", 'L',
     "Mail.Read on another user's object id answered 401 'token expired': the own-data finding is a warning, the 401's reading first",
     {'input': 'eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEiLCAieDV0IjogImsxIn0.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwgImlhdCI6IDE3NjM5OTk0MDAsICJuYmYiOiAxNzYzOTk5NDAwLCAiZXhwIjogMTc2NDAwMzAwMCwgImFjY3QiOiAwLCAiYWNyIjogIjEiLCAiYW1yIjogWyJwd2QiXSwgImFwcF9kaXNwbGF5bmFtZSI6ICJDb250b3NvIE1haWxlciIsICJhcHBpZCI6ICI4OTAyZmRhNS05NjFmLTRiYzMtYTQ3NC00NGVhNGExNWQ4NWMiLCAiYXBwaWRhY3IiOiAiMCIsICJmYW1pbHlfbmFtZSI6ICJEb2UiLCAiZ2l2ZW5fbmFtZSI6ICJKYW5lIiwgImlkdHlwIjogInVzZXIiLCAibmFtZSI6ICJKYW5lIERvZSIsICJvaWQiOiAiMGYyYjFhM2MtMWYzYi00NWRjLWEzZWYtNGI5NTZmODk2Y2ZjIiwgInBsYXRmIjogIjMiLCAic3ViIjogImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCAidGlkIjogIjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsICJ1bmlxdWVfbmFtZSI6ICJqYW5lLmRvZUBjb250b3NvLmNvbSIsICJ1cG4iOiAiamFuZS5kb2VAY29udG9zby5jb20iLCAidmVyIjogIjEuMCIsICJzY3AiOiAib3BlbmlkIHByb2ZpbGUgVXNlci5SZWFkIE1haWwuUmVhZCJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET https://graph.microsoft.com/v1.0/users/11111111-2222-3333-4444-555555555555/messages', 'response': 'HTTP/1.1 401 Unauthorized\nWWW-Authenticate: Bearer error="invalid_token", error_description="The token is expired"\n\n', 'now': 1764000000},
     {'noErrors': True, 'codes': ['scope.own_data_only', 'token.stale']})

case('L-x41', "Code review of session 14's changes (2026-11-25), repro 05 (msgraph-permissions.json: Chat.Read.All has only the Application scheme)", 'L',
     "Chat.Read on another user's chats refused: no delegated permission reaches them (Chat.Read.All is application-only), so none is offered",
     {'input': 'eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEiLCAieDV0IjogImsxIn0.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwgImlhdCI6IDE3NjM5OTk0MDAsICJuYmYiOiAxNzYzOTk5NDAwLCAiZXhwIjogMTc2NDAwMzAwMCwgImFjY3QiOiAwLCAiYWNyIjogIjEiLCAiYW1yIjogWyJwd2QiXSwgImFwcF9kaXNwbGF5bmFtZSI6ICJDb250b3NvIE1haWxlciIsICJhcHBpZCI6ICI4OTAyZmRhNS05NjFmLTRiYzMtYTQ3NC00NGVhNGExNWQ4NWMiLCAiYXBwaWRhY3IiOiAiMCIsICJmYW1pbHlfbmFtZSI6ICJEb2UiLCAiZ2l2ZW5fbmFtZSI6ICJKYW5lIiwgImlkdHlwIjogInVzZXIiLCAibmFtZSI6ICJKYW5lIERvZSIsICJvaWQiOiAiMGYyYjFhM2MtMWYzYi00NWRjLWEzZWYtNGI5NTZmODk2Y2ZjIiwgInBsYXRmIjogIjMiLCAic3ViIjogImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCAidGlkIjogIjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsICJ1bmlxdWVfbmFtZSI6ICJqYW5lLmRvZUBjb250b3NvLmNvbSIsICJ1cG4iOiAiamFuZS5kb2VAY29udG9zby5jb20iLCAidmVyIjogIjEuMCIsICJzY3AiOiAib3BlbmlkIENoYXQuUmVhZCJ9.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET https://graph.microsoft.com/v1.0/users/bob@contoso.com/chats', 'response': 'HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.own_data_only', 'mentions': ['no delegated permission']})

case('D-x20', "Ninth audit (2026-11-25), case a05: AADSTS65001 text from Azure-Samples/active-directory-dotnet-native-headless#10 and "
     "microsoftgraph/nodejs-connect-rest-sample#50; dict shape as MSAL Python prints it; learn.microsoft.com/entra/identity-platform/"
     "v2-oauth2-on-behalf-of-flow (consent for the middle-tier application, knownClientApplications, /.default)", 'D',
     "MSAL Python acquire_token_on_behalf_of answered AADSTS65001: the middle-tier API's own consent, with admin consent and knownClientApplications as fixes (was: the direct-consent fix)",
     {'input': '>>> result = cca.acquire_token_on_behalf_of(user_assertion=incoming_token, scopes=["https://graph.microsoft.com/Mail.Send"])\n>>> result\n{\'error\': \'invalid_grant\', \'error_description\': "AADSTS65001: The user or administrator has not consented to use the application with ID \'6f1c2a9e-5b3d-4e8a-9c7f-0d1e2f3a4b5c\' named \'Contoso Orders API\'. Send an interactive authorization request for this user and resource. Trace ID: 0c3e7d2a-41b5-4f9e-9a10-6b7c8d9e0f11 Correlation ID: 5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f Timestamp: 2025-11-24 16:05:41Z", \'error_codes\': [65001], \'timestamp\': \'2025-11-24 16:05:41Z\', \'trace_id\': \'0c3e7d2a-41b5-4f9e-9a10-6b7c8d9e0f11\', \'correlation_id\': \'5d6e7f80-9a1b-4c2d-8e3f-4a5b6c7d8e9f\', \'suberror\': \'consent_required\'}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'consent.required', 'mentions': ['on-behalf-of']})

case('B-x10', "Second code review of session 14's changes (2026-11-25), repro 1k (Atlassian: GET /rest/api/3/user takes accountId; the caller is /myself)", 'B',
     "Jira's GET /rest/api/3/user?accountId=… with a client-credentials token, answered 404: a user looked up by id, not the caller: no 'needs a user'",
     {'input': '$ curl -s -X POST https://auth.atlassian.com/oauth/token -H \'Content-Type: application/json\' -d \'{"grant_type":"client_credentials","client_id":"svcClientId","client_secret":"svcSecret"}\'\n{"access_token":"ATSAopaque0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN","expires_in":3600,"token_type":"Bearer","scope":"read:jira-user"}\n$ curl -s -i "https://api.atlassian.com/ex/jira/4f1c9a2e-0000-4000-8000-00000000c10d/rest/api/3/user?accountId=5b10ac8d82e05b22cc7d4ef5" -H "Authorization: Bearer ATSAopaque0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN"\nHTTP/1.1 404 Not Found\nContent-Type: application/json\n\n{"errorMessages":["Specified user does not exist or you do not have required permissions"],"errors":{}}\n$ ', 'now': 1764000000},
     {'absent': ['grant.no_user_context']})

case('B-x11', "Second code review of session 14's changes (2026-11-25), repro 1a", 'B',
     'A client-credentials token on /v1/states/ME/tax-rates refused for a scope: ME is Maine, not the caller; the scope the API names is the cause',
     {'input': 'eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS8iLCAic3ViIjogIjVqMjFXUVoyZnBEQzY1eENVQ0lWeFFnREpZZjdtbzcyQGNsaWVudHMiLCAiYXVkIjogImh0dHBzOi8vYXBpLmFjbWUuaW8iLCAiaWF0IjogMTc2Mzk5OTQwMCwgImV4cCI6IDE3NjQwMDMwMDAsICJzY29wZSI6ICJyZWFkOnVzZXJzIiwgImd0eSI6ICJjbGllbnQtY3JlZGVudGlhbHMiLCAiYXpwIjogIjVqMjFXUVoyZnBEQzY1eENVQ0lWeFFnREpZZjdtbzcyIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET https://api.acme.io/v1/states/ME/tax-rates', 'response': 'HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error":"insufficient_scope","error_description":"Insufficient scope, expected any of: read:tax_rates"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'scope.missing', 'absent': ['grant.no_user_context']})

case('B-x12', "Second code review of session 14's changes (2026-11-25), repro 1f", 'B',
     "A client-credentials token on /v1/me answered 429: the throttle is no evidence for 'needs a user', which stays a warning",
     {'input': 'eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEifQ.eyJpc3MiOiAiaHR0cHM6Ly9hY21lLmV1LmF1dGgwLmNvbS8iLCAic3ViIjogIjVqMjFXUVoyZnBEQzY1eENVQ0lWeFFnREpZZjdtbzcyQGNsaWVudHMiLCAiYXVkIjogImh0dHBzOi8vYXBpLmFjbWUuaW8iLCAiaWF0IjogMTc2Mzk5OTQwMCwgImV4cCI6IDE3NjQwMDMwMDAsICJzY29wZSI6ICJyZWFkOnVzZXJzIiwgImd0eSI6ICJjbGllbnQtY3JlZGVudGlhbHMiLCAiYXpwIjogIjVqMjFXUVoyZnBEQzY1eENVQ0lWeFFnREpZZjdtbzcyIn0.c2lnbmF0dXJlc2lnbmF0dXJlc2lnbmF0dXJl', 'operation': 'GET https://api.acme.io/v1/me', 'response': 'HTTP/1.1 429 Too Many Requests\nRetry-After: 30\n\n{"message":"Rate limit exceeded"}', 'now': 1764000000},
     {'noErrors': True, 'codes': ['grant.no_user_context', 'response.not_a_refusal']})

case('N-x102', "Second code review of session 14's changes (2026-11-25), repro 2a", 'N',
     "A session sends $TOKEN_USER (a password grant's) after a later TOKEN=$(… client_credentials …): the name ends where it ends, so no 'app-only' from the wrong request",
     {'input': '$ TOKEN_USER=$(curl -s -X POST https://idp.acme.io/oauth/token -d grant_type=password -d username=jane -d password=hunter2 -d client_id=cli | jq -r .access_token)\n$ TOKEN=$(curl -s -X POST https://idp.acme.io/oauth/token -d grant_type=client_credentials -d client_id=svc -d client_secret=s3 | jq -r .access_token)\n$ curl -s -i https://api.acme.io/v1/me -H "Authorization: Bearer $TOKEN_USER"\nHTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error":"forbidden","error_description":"Missing permission profile:read"}\n$ ', 'now': 1764000000},
     {'absent': ['grant.no_user_context']})

case('N-x103', "Second code review of session 14's changes (2026-11-25), repro 2b", 'N',
     "A session set TOKEN again with az account get-access-token before the call: the earlier client-credentials request no longer tells the token's grant",
     {'input': '$ TOKEN=$(curl -s -X POST https://idp.acme.io/oauth/token -d grant_type=client_credentials -d client_id=svc -d client_secret=s3 | jq -r .access_token)\n$ curl -s -i https://api.acme.io/v1/reports -H "Authorization: Bearer $TOKEN"\nHTTP/1.1 200 OK\n\n[]\n$ TOKEN=$(az account get-access-token --resource api://acme-api --query accessToken -o tsv)\n$ curl -s -i https://api.acme.io/v1/me -H "Authorization: Bearer $TOKEN"\nHTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error":"forbidden","error_description":"Missing permission profile:read"}\n$ ', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'access.denied', 'absent': ['grant.no_user_context']})

case('N-x104', "Second code review of session 14's changes (2026-11-25), repro 4g", 'N',
     'A JWT written header.payload.… (the whole signature left out): the header and payload are read, the missing scope found',
     {'input': 'Authorization: Bearer eyJ0eXAiOiAiSldUIiwgImFsZyI6ICJSUzI1NiIsICJraWQiOiAiazEiLCAieDV0IjogImsxIn0.eyJhdWQiOiAiaHR0cHM6Ly9ncmFwaC5taWNyb3NvZnQuY29tIiwgImlzcyI6ICJodHRwczovL3N0cy53aW5kb3dzLm5ldC83MmY5ODhiZi04NmYxLTQxYWYtOTFhYi0yZDdjZDAxMWRiNDcvIiwgImlhdCI6IDE3NjM5OTk0MDAsICJuYmYiOiAxNzYzOTk5NDAwLCAiZXhwIjogMTc2NDAwMzAwMCwgImFjY3QiOiAwLCAiYWNyIjogIjEiLCAiYW1yIjogWyJwd2QiXSwgImFwcF9kaXNwbGF5bmFtZSI6ICJDb250b3NvIE1haWxlciIsICJhcHBpZCI6ICI4OTAyZmRhNS05NjFmLTRiYzMtYTQ3NC00NGVhNGExNWQ4NWMiLCAiYXBwaWRhY3IiOiAiMCIsICJmYW1pbHlfbmFtZSI6ICJEb2UiLCAiZ2l2ZW5fbmFtZSI6ICJKYW5lIiwgImlkdHlwIjogInVzZXIiLCAibmFtZSI6ICJKYW5lIERvZSIsICJvaWQiOiAiMGYyYjFhM2MtMWYzYi00NWRjLWEzZWYtNGI5NTZmODk2Y2ZjIiwgInBsYXRmIjogIjMiLCAic3ViIjogImtZdzBkWTNYajFncTFtTzBuNWYwYjJZdDd5UWs5WnMxeDJjM3Y0YjVuNm0iLCAidGlkIjogIjcyZjk4OGJmLTg2ZjEtNDFhZi05MWFiLTJkN2NkMDExZGI0NyIsICJ1bmlxdWVfbmFtZSI6ICJqYW5lLmRvZUBjb250b3NvLmNvbSIsICJ1cG4iOiAiamFuZS5kb2VAY29udG9zby5jb20iLCAidmVyIjogIjEuMCIsICJzY3AiOiAib3BlbmlkIHByb2ZpbGUgVXNlci5SZWFkIn0.…', 'now': 1764000000, 'operation': 'GET https://graph.microsoft.com/v1.0/me/messages', 'response': 'HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}}'},
     {'verdict': 'denied', 'first': 'scope.missing'})

case('N-x105', "Second code review of session 14's changes (2026-11-25), repro 4m", 'N',
     "curl -H 'Authorization: Bearer ...' with a 403 answer: '...' stands in for the token left out, the 403 is explained as a refusal",
     {'input': 'curl -H "Authorization: Bearer ..." https://graph.microsoft.com/v1.0/users/bob@contoso.com/messages', 'response': 'HTTP/1.1 403 Forbidden\nContent-Type: application/json\n\n{"error": {"code": "ErrorAccessDenied", "message": "Access is denied. Check credentials and try again."}}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'access.denied', 'codes': ['input.no_token'], 'absent': ['token.malformed']})

case('D-x21', "Second code review of session 14's changes (2026-11-25), repro 3a: Exchange's SendOnBehalfOf right in an app log", 'D',
     "AADSTS65001 in a log that also names SendOnBehalfOf (a mailbox right): the direct consent, not the on-behalf-of flow",
     {'input': '2025-11-24 15:00:01 INFO  mail: shared mailbox policy SendOnBehalfOf=jane@contoso.com\n2025-11-24 15:00:02 ERROR msal: acquire_token_by_authorization_code failed\n{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID \'2a7c1e9b-0000-4000-8000-00000000abcd\' named \'Contoso Outlook Add-in\'. Send an interactive authorization request for this user and resource. Trace ID: 1 Correlation ID: 2 Timestamp: 2025-11-24 15:00:00Z","error_codes":[65001],"suberror":"consent_required"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'consent.required', 'notMentions': ['middle-tier']})

case('D-x22', "Second code review of session 14's changes (2026-11-25), repro 3b: prose that says 'no on-behalf-of'", 'D',
     "AADSTS65001 under a note 'no on-behalf-of, no backend': prose names no flow, so the direct consent",
     {'input': 'This is a plain SPA with auth code + PKCE (no on-behalf-of, no backend):\n{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application with ID \'2a7c1e9b-0000-4000-8000-00000000abcd\' named \'Contoso Outlook Add-in\'. Send an interactive authorization request for this user and resource. Trace ID: 1 Correlation ID: 2 Timestamp: 2025-11-24 15:00:00Z","error_codes":[65001],"suberror":"consent_required"}', 'now': 1764000000},
     {'verdict': 'denied', 'first': 'consent.required', 'notMentions': ['middle-tier']})


def render() -> dict[str, str]:
    ids = [c["id"] for c in CASES]
    dupes = {i for i in ids if ids.count(i) > 1}
    assert not dupes, f"duplicate ids: {dupes}"
    covered = set()
    for c in CASES:
        e = c["expect"]
        first = e.get("first")
        covered.update(first if isinstance(first, list) else [first] if first else [])
        covered.update(e.get("codes", []))
    missing = [code for code in ISSUE3_CODES if code not in covered]
    assert not missing, f"codes of issue 3 no case covers: {missing}"
    out = {}
    for cls, name in FILES.items():
        cases = [c for c in CASES if c["class"] == cls]
        assert cases, f"no case for class {cls}"
        out[f"{name}.json"] = json.dumps(cases, indent=2, ensure_ascii=False) + "\n"
    assert sum(len(json.loads(t)) for t in out.values()) == len(CASES), "a case has an unknown class"
    return out


def main() -> int:
    files = render()
    if "--check" in sys.argv:
        stale = [n for n, t in files.items() if not (HERE / n).exists() or (HERE / n).read_text("utf-8") != t]
        if stale:
            print("stale corpus files (run python3 tests/corpus/build.py):", ", ".join(stale))
            return 1
        return 0
    for name, text in files.items():
        (HERE / name).write_text(text, "utf-8")
    print(f"{len(CASES)} cases in {len(files)} files")
    return 0


if __name__ == "__main__":
    sys.exit(main())
