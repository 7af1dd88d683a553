#!/usr/bin/env python3
"""Generates Token Doctor's built-in permission matrices from public data.

Usage: python3 scripts/gen_matrices.py [DATA_DIR]

DATA_DIR defaults to ../shared/data relative to the repository. It must hold
genesys-permission-matrix.json and msgraph-permissions.json (see the README,
"Matrices: built-ins and bring your own OpenAPI"). The script writes
www/matrices/genesys-cloud.json, microsoft-graph.json and nice-cxone.json in the
compact matrix format read by src/matrix.rs (`Matrix::from_json`). The output is
deterministic: running it twice on the same data gives byte-identical files.

Python 3.11 standard library only.
"""

from __future__ import annotations

import gzip
import json
import re
import sys
from pathlib import Path

FORMAT = "token-doctor-matrix-compact/1"
REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "www" / "matrices"

# User-context codes in the compact format.
UC_UNKNOWN, UC_REQUIRED, UC_NOT_REQUIRED = 0, 1, 2


class Tables:
    """Shared tables of the compact format: names, scope requirements, permission requirements, notes."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self.scope_reqs: list = ["unknown", "public"]
        self.perm_reqs: list = []
        self.notes: list[str] = []
        self._scope_ix: dict[str, int] = {}
        self._perm_ix: dict[str, int] = {}
        self._note_ix: dict[str, int] = {}

    def set_names(self, names: set[str]) -> None:
        self.names = sorted(names)
        self._name_ix = {n: i for i, n in enumerate(self.names)}

    def scope_req(self, alternatives: list[list[str]] | None, least: int = 0) -> int:
        """Index of a scope requirement: None = unknown, 'public', or alternatives (least-privileged first)."""
        if alternatives is None:
            return 0
        if alternatives == "public":
            return 1
        entry = {"anyOf": [[self._name_ix[n] for n in alt] for alt in alternatives]}
        if least:
            entry["least"] = least
        key = json.dumps(entry, sort_keys=True)
        if key not in self._scope_ix:
            self._scope_ix[key] = len(self.scope_reqs)
            self.scope_reqs.append(entry)
        return self._scope_ix[key]

    def perm_req(self, mode: str, names: list[str]) -> int:
        entry = [mode, [self._name_ix[n] for n in names]]
        key = json.dumps(entry)
        if key not in self._perm_ix:
            self._perm_ix[key] = len(self.perm_reqs)
            self.perm_reqs.append(entry)
        return self._perm_ix[key]

    def note(self, text: str) -> int:
        if text not in self._note_ix:
            self._note_ix[text] = len(self.notes)
            self.notes.append(text)
        return self._note_ix[text]


def op_row(path: str, method: str, scopes: int, app: int = -1, perms: int = -1, uc: int = UC_UNKNOWN,
           notes: list[int] | None = None) -> list:
    row = [path, method, scopes, app, perms, uc]
    if notes:
        row.append(notes)
    return row


def document(platform: dict, tables: Tables, ops: list[list], catalog_is_names: bool = False) -> dict:
    """The compact document. Operations are grouped by path; each path is front-coded by segments: `[k, rest,
    rows]` means the first k '/'-separated segments of the previous path, then `rest`."""
    ops.sort(key=lambda r: (r[0].lower(), r[0], r[1]))
    paths: list[list] = []
    prev: list[str] = []
    for row in ops:
        path, rest = row[0], row[1:]
        if paths and path == "/".join(prev):
            paths[-1][2].append(rest)
            continue
        segs = path.split("/")
        k = 0
        while k < min(len(segs) - 1, len(prev)) and segs[k] == prev[k]:
            k += 1
        paths.append([k, "/".join(segs[k:]), [rest]])
        prev = segs
    doc = {
        "format": FORMAT,
        "platform": platform,
        "names": tables.names,
        "scopeReqs": tables.scope_reqs,
        "permReqs": tables.perm_reqs,
        "notes": tables.notes,
        "paths": paths,
    }
    if catalog_is_names:
        # The scope catalog is the whole name table: say so instead of repeating it.
        platform["scopeCatalog"] = []
        doc["catalogIsNames"] = True
    return doc


def write(name: str, doc: dict) -> None:
    text = json.dumps(doc, ensure_ascii=False, separators=(",", ":"), sort_keys=False)
    # One operation per line keeps diffs of regenerated files readable; gzip cost is negligible.
    text = text.replace(']]],[', ']]],\n[').replace('"paths":[[', '"paths":[\n[')
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    path.write_text(text + "\n", encoding="utf-8")
    gz = len(gzip.compress(path.read_bytes(), compresslevel=9, mtime=0))
    print(f"[matrices] {path.relative_to(REPO)}: {sum(len(p[2]) for p in doc['paths'])} operations, "
          f"{path.stat().st_size} bytes, {gz} bytes gzip", file=sys.stderr)


# ---------------------------------------------------------------------------------------------------------------
# Genesys Cloud

def genesys_regions() -> list[tuple[str, str]]:
    """(region, domain) pairs: API host = api.<domain>, login host = login.<domain>. Read from the one table in
    src/livecheck.rs (`GENESYS_REGIONS`, from the Genesys JS SDK PureCloudRegionHosts.js, 2026-08), which the
    live checks use, so the matrix and the live checks cannot disagree."""
    rust = (REPO / "src" / "livecheck.rs").read_text(encoding="utf-8")
    table = re.search(r"pub const GENESYS_REGIONS: \[\(&str, &str\); (\d+)\] = \[(.*?)\];", rust, re.S)
    if not table:
        sys.exit("gen_matrices: GENESYS_REGIONS not found in src/livecheck.rs")
    pairs = re.findall(r'\("([a-z0-9_]+)", "([a-z0-9.-]+)"\)', table.group(2))
    if len(pairs) != int(table.group(1)):
        sys.exit(f"gen_matrices: read {len(pairs)} of the {table.group(1)} regions of src/livecheck.rs")
    return pairs


GENESYS_REGIONS = genesys_regions()

# `/me` paths where "me" is the organization or the token, not a user: client-credentials tokens may call them
# (GET /api/v2/tokens/me describes any token, including a client-credentials one).
GENESYS_ME_NOT_USER = ("/organizations/me", "/tokens/me")

GENESYS_GUIDANCE = {
    "scope": "Genesys Cloud checks the OAuth client's scopes: an operation needs any one of its listed scopes "
             "(a read-write scope, or its :readonly twin for reads). Add the scope to the OAuth client (Admin > "
             "Integrations > OAuth > the client > Scope), then authorize again: a token keeps the scopes it was "
             "issued with, and a refresh never adds scopes.",
    "scope_enforcement": "Scope enforcement is an organization setting: organizations that do not enforce "
                         "scopes give applications the same access as the user, so a missing scope only "
                         "matters where scopes are enforced.",
    "permission": "Permissions come from roles, not from OAuth scopes. For a user token (authorization code, "
                  "implicit, SAML2 bearer, password), give the user a role with the permission; for a "
                  "client-credentials token, give the OAuth client's roles the permission (Admin > OAuth > the "
                  "client > Roles). Roles are granted per division: the role must cover the division of the "
                  "object the operation touches.",
    "grant": "A client-credentials token has no user context: operations about the current user (/me, e.g. "
             "GET /api/v2/users/me) answer \"This request requires a user context\". Use an authorization-code "
             "(or implicit / SAML2 bearer) grant for those.",
    "region": "An organization lives in one region. The login host that issued the token, the API host and "
              "the organization must all be of the same region (e.g. login.mypurecloud.ie and "
              "api.mypurecloud.ie).",
    "token": "Genesys Cloud access tokens are opaque. GET /api/v2/tokens/me with the token as Bearer describes "
             "it: authorizedScope, OAuthClient.authorizedGrantType, scope and roleDivisions.",
}


def genesys(data_dir: Path) -> dict:
    src = json.loads((data_dir / "genesys-permission-matrix.json").read_text(encoding="utf-8"))
    ops_in = src["operations"]
    t = Tables()
    names: set[str] = set()
    scope_catalog: set[str] = set()
    for v in ops_in.values():
        names.update(v["permissions"]["list"])
        for alt in v.get("scopeAlternatives") or []:
            names.update(alt)
            scope_catalog.update(alt)
    t.set_names(names)
    note_cc = t.note("The API documentation says this request is not valid with the Client Credentials grant.")
    note_me = t.note("An operation on the current user (/me): it needs a token with a user context.")
    # Both facts in one note, not two that say nearly the same.
    note_me_cc = t.note("An operation on the current user (/me): it needs a token with a user context (the API documentation says this request is not valid with the Client Credentials grant).")
    rows = []
    for key in sorted(ops_in):
        v = ops_in[key]
        method, full = v["method"].upper(), v["path"]
        if not full.startswith("/api/v2/"):
            raise SystemExit(f"unexpected Genesys path {full}")
        path = full[len("/api/v2"):]
        sa = v.get("scopeAlternatives")
        if sa is None:
            scopes = t.scope_req(None)
        elif sa == []:
            scopes = t.scope_req("public")
        else:
            # The swagger lists the scopes of an operation in one array; Genesys accepts any one of them
            # (help.mypurecloud.com "Introduction to scopes"). An empty list = a token is needed, no scope.
            alts: list[list[str]] = []
            for alt in sa:
                if not alt:
                    alts.append([])
                for s in alt:
                    if [s] not in alts:
                        alts.append([s])
            scopes = t.scope_req(alts)
        p = v["permissions"]
        ptype = p["type"].upper()
        if ptype == "NO":
            perms = t.perm_req("ALL", [])
        elif ptype in ("ANY", "ALL"):
            perms = t.perm_req(ptype, p["list"])
        else:
            raise SystemExit(f"unexpected permission type {ptype} for {key}")
        notes = []
        uc = UC_UNKNOWN
        if v.get("notValidForClientCredentials"):
            uc = UC_REQUIRED
            notes.append(note_cc)
        if "me" in path.split("/") and not any(path.startswith(x) for x in GENESYS_ME_NOT_USER):
            uc = UC_REQUIRED
            notes = [note_me_cc] if notes == [note_cc] else notes + [note_me]
        rows.append(op_row(path, method, scopes, -1, perms, uc, notes))
    platform = {
        "id": "genesys-cloud",
        "name": "Genesys Cloud",
        "hosts": sorted({f"*.{d}" for _, d in GENESYS_REGIONS}),
        "basePaths": ["/api/v2"],
        "regions": [{"name": r, "apiHost": f"api.{d}", "loginHost": f"login.{d}"} for r, d in GENESYS_REGIONS],
        "audiences": [],
        "issuers": [],
        "scopeCatalog": sorted(scope_catalog),
        "caseInsensitive": False,
        "unknownPolicy": "Where no scope is listed, the scope requirement of the operation is unknown here (the "
                         "scope data covers 2,657 of 3,348 operations); the API Explorer in the Genesys Cloud "
                         "Developer Center shows it.",
        "guidance": GENESYS_GUIDANCE,
        "provenance": {
            "sources": [
                "permissions: MyPureCloud/platform-client-sdk-javascript build/docs/*Api.md @ "
                "e09e27aa2f5657f4aa76f526bb909e893199d384 (SDK 259.0.0, 2026-08-15), MIT, generated by Genesys "
                "from x-inin-requires-permissions",
                "scopes: derived from the live API definition cached 2026-02-12 as listed by "
                "xfaith4/genesys-contract-client generated/operations.json @ "
                "3ce8c7ded83423e26fca5c5e6f9a2772562a9293 (facts only: which scopes an operation accepts)",
                "regions: MyPureCloud/platform-client-sdk-javascript "
                "build/src/purecloud-platform-client-v2/PureCloudRegionHosts.js (2026-08)",
                "scope semantics: https://help.mypurecloud.com/articles/introduction-to-scopes/ (any one listed "
                "scope is enough); scope enforcement: "
                "https://help.dev-genesys.cloud/articles/enable-oauth-scope-enforcement",
            ],
        },
    }
    return document(platform, t, rows)


# ---------------------------------------------------------------------------------------------------------------
# Microsoft Graph

GRAPH_GUIDANCE = {
    "scope": "Delegated tokens (a signed-in user) carry Graph permissions in the scp claim; app-only tokens "
             "(client credentials) carry them in the roles claim. Add the permission to the app registration "
             "(Entra admin center > App registrations > the app > API permissions > Microsoft Graph) as a "
             "Delegated permission for user tokens or an Application permission for app-only tokens.",
    "consent": "Application permissions and many delegated ones need admin consent: select \"Grant admin "
               "consent\" for the tenant. A permission that is added but not consented is not in the token.",
    "token": "Get a new token after adding or consenting a permission: an existing token keeps the permissions "
             "it was issued with, and a refresh returns only what was consented. With client credentials, "
             "request scope=https://graph.microsoft.com/.default.",
    "grant": "App-only tokens (client credentials) have no signed-in user: /me operations need a delegated "
             "token. For another user's data with an app-only token, call /users/{id} instead of /me.",
    "audience": "A Graph token's aud is https://graph.microsoft.com (or 00000003-0000-0000-c000-000000000000); "
                "a token for another API (e.g. your own app ID URI) is rejected with 401.",
}


def graph_template(raw: str) -> str | None:
    """Cleans a Graph path template; None when it cannot be matched (a query string in the template)."""
    if "?" in raw:
        return None
    path = re.sub(r"/\(([A-Za-z-]+)\)(?=/|$)", r"/{\1}", raw)  # /teams/(team-id)/ -> /teams/{team-id}/
    path = path.replace(", ", ",").replace("}}", "}").replace("{{", "{")  # `/applications/{id}}/repair`
    # The reference writes four upload paths with the docs' example item (`root:/foldera/fileb.txt:/content`):
    # any item path goes there.
    path = path.replace("root:/foldera/fileb.txt:", "root:/{id}:")
    return path


def parse_graph_value(value: str) -> tuple[set[str], list[str]]:
    least: set[str] = set()
    also: list[str] = []
    for part in filter(None, value.split(";")):
        key, _, val = part.partition("=")
        items = [x for x in val.split(",") if x]
        if key.lower() == "least":
            least.update(items)
        elif key.lower() == "alsorequires":
            also.extend(items)
        else:
            raise SystemExit(f"unknown Graph path annotation {part!r}")
    return least, also


def graph(data_dir: Path) -> dict:
    src = json.loads((data_dir / "msgraph-permissions.json").read_text(encoding="utf-8"))
    perms = src["permissions"]
    t = Tables()
    t.set_names(set(perms))
    # (lower path, method) -> {"paths": set of spellings, scheme -> {perm: (least, also)}}
    acc: dict[tuple[str, str], dict] = {}
    skipped: dict[str, set] = {"query string in the path template": set()}
    for name in sorted(perms):
        perm = perms[name]
        for ps in perm.get("pathSets", []):
            for raw, value in sorted(ps["paths"].items()):
                path = graph_template(raw)
                if path is None:
                    for m in ps["methods"]:
                        skipped["query string in the path template"].add((m, raw))
                    continue
                least, also = parse_graph_value(value)
                for m in ps["methods"]:
                    # Templates that differ only in letter case or parameter names are one route: merged.
                    key = re.sub(r"\{[^}]*\}", "{}", path.lower())
                    entry = acc.setdefault((key, m.upper()), {"paths": set()})
                    entry["paths"].add(path)
                    for scheme in ps["schemeKeys"]:
                        prev = entry.setdefault(scheme, {}).get(name)
                        is_least = scheme in least or (prev is not None and prev[0])
                        entry[scheme][name] = (is_least, sorted(set(also) | set(prev[1] if prev else [])))

    def level(name: str, scheme: str) -> int:
        return perms[name].get("schemes", {}).get(scheme, {}).get("privilegeLevel", 9)

    def alternatives(claims: dict, scheme: str) -> tuple[list[list[str]], int]:
        # Least privileged first; among equals, one that only reads before one that also writes or manages
        # (Microsoft marks both Group.ReadBasic.All and Group-NestingSupport.ReadWrite.All least for GET /groups).
        def writes(n: str) -> bool:
            return "Write" in n or "Manage" in n

        order = sorted(claims, key=lambda n: (not claims[n][0], level(n, scheme), writes(n), n))
        alts: list[list[str]] = []
        least = 0
        for n in order:
            is_least, also = claims[n]
            expanded = [[n, a] for a in also] if also else [[n]]
            for alt in expanded:
                if alt not in alts:
                    alts.append(alt)
                    if is_least:
                        least += 1
        return alts, least

    note_personal = t.note("Microsoft Graph lists only personal-account (DelegatedPersonal) permissions for "
                           "this operation; they are shown as its delegated permissions.")
    note_no_app = t.note("No application permission allows this operation: app-only (client credentials) "
                         "tokens cannot call it.")
    note_no_delegated = t.note("No delegated permission allows this operation: only app-only (client "
                               "credentials) tokens with an application permission can call it.")
    rows = []
    personal_only = 0
    for (lower, method) in sorted(acc):
        entry = acc[(lower, method)]
        path = sorted(entry["paths"])[0]
        work = entry.get("DelegatedWork", {})
        app = entry.get("Application", {})
        notes = []
        if not work and not app:
            personal_only += 1
            work = entry.get("DelegatedPersonal", {})
            notes.append(note_personal)
        d_alts, d_least = alternatives(work, "DelegatedWork" if not notes else "DelegatedPersonal")
        a_alts, a_least = alternatives(app, "Application")
        first = lower.strip("/").split("/")[0]
        is_me = first == "me" or first.startswith("me:")
        uc = UC_REQUIRED if is_me or not app else UC_NOT_REQUIRED
        if not app and not is_me:
            notes.append(note_no_app)
        if not work:
            notes.append(note_no_delegated)
        scopes = t.scope_req(d_alts, d_least)
        app_scopes = t.scope_req(a_alts, a_least)
        rows.append(op_row(path, method, scopes, app_scopes, -1, uc, notes))
    ident = {
        "id": "microsoft-graph",
        "name": "Microsoft Graph",
        "hosts": ["graph.microsoft.com", "graph.microsoft.us", "dod-graph.microsoft.us",
                  "microsoftgraph.chinacloudapi.cn"],
        "basePaths": ["/v1.0", "/beta"],
        "regions": [],
        "audiences": ["https://graph.microsoft.com", "https://graph.microsoft.com/",
                      "00000003-0000-0000-c000-000000000000", "https://graph.microsoft.us",
                      "https://dod-graph.microsoft.us", "https://microsoftgraph.chinacloudapi.cn"],
        "issuers": [],
        "scopeCatalog": sorted(perms),
        # Granted only to applications: never offered as a delegated permission.
        "applicationOnly": sorted(n for n in perms if set(perms[n].get("schemes", {})) == {"Application"}),
        "caseInsensitive": True,
        "unknownPolicy": "Operations missing from Microsoft's permissions reference are unknown here; the "
                         "operation's page on learn.microsoft.com lists its permissions.",
        "guidance": GRAPH_GUIDANCE,
        "provenance": {
            "sources": [
                "microsoftgraph/microsoft-graph-devx-content permissions/new/permissions.json @ "
                "6cbd6bbd665a877560fdefbad74f3bdb5b57af88 (2026-08-07), MIT; read as in microsoftgraph/kibali "
                "(schema specs/permissions-schema.json): every permission whose pathSet lists a path and method "
                "is accepted for its schemes, least=<schemes> marks the least privileged, "
                "AlsoRequires=<a,b> needs one of those as well",
                "national clouds: https://learn.microsoft.com/graph/deployments",
            ],
        },
    }
    pairs = {(m, p) for (_, m), e in acc.items() for p in e["paths"]}
    ident["provenance"]["sources"].append(
        "not imported: " + ", ".join(f"{len(v)} method+path pairs with a {k}" for k, v in skipped.items())
        + f"; merged (their permissions are alternatives): {len(pairs) - len(acc)} method+path pairs that "
        + "differ from another only in letter case (Graph paths are case-insensitive) or parameter names; "
        + f"{personal_only} operations list only personal-account "
        + "(DelegatedPersonal) permissions, used as their delegated permissions")
    doc = document(ident, t, rows, catalog_is_names=True)
    return doc


# ---------------------------------------------------------------------------------------------------------------
# NICE CXone

CXONE_GUIDANCE = {
    "scope": "CXone publishes no per-operation OAuth scopes. Current apps request scope=openid; legacy API "
             "applications had API-family scopes (AdminAPI, AgentAPI, AuthenticationAPI, RealTimeDataAPI, "
             "ReportingAPI, PatronAPI, CustomAPI), which do not change what a user may do.",
    "permission": "Access is governed by the CXone security profile of the user (or the API user of an access "
                  "key): give that profile the permission for the feature (e.g. Personal Connection) in CXone "
                  "Admin > Security Settings > Security Profiles.",
    "grant": "User apps use the authorization-code flow; back-end integrations use an API user's access key "
             "(POST https://{area}.nice-incontact.com/authentication/v1/token/access-key with accessKeyId and "
             "accessKeySecret). CXone does not document a client-credentials grant.",
    "agent_session": "Agent API operations under /agent-sessions/{sessionId} act in a running agent session: "
                     "start one first (POST .../agent-sessions), as the agent the token belongs to.",
    "token": "CXone tokens are JWTs; the claims tenantId, icAgentId, icBUId and icClusterId identify the tenant, "
             "agent, business unit and cluster.",
}

# Personal Connection / dialer operations documented by NICE's agent SDK (api-uri-constants.js). The version
# segment varies by release, so it is a parameter here.
CXONE_OPS = [
    ("POST", "/agent-sessions/{sessionId}/dialer-login"),
    ("POST", "/agent-sessions/{sessionId}/dialer-logout"),
    ("POST", "/agent-sessions/{sessionId}/interactions/{contactId}/amd-override"),
    ("POST", "/agent-sessions/{sessionId}/interactions/{contactId}/ans-machine-override"),
    ("POST", "/agent-sessions/{sessionId}/interactions/{contactId}/snooze"),
    ("POST", "/agent-sessions/{sessionId}/interactions/{contactId}/independent-dial"),
    ("POST", "/agent-sessions/{sessionId}/interactions/{contactId}/independent-dial-outcome"),
    ("POST", "/agent-sessions/{sessionId}/dial-phone"),
    ("POST", "/agent-sessions/{sessionId}/dial-agent"),
    ("POST", "/agent-sessions/{sessionId}/dial-skill"),
]
CXONE_SKILL_OPS = [
    ("GET", "/skills/{skillId}/parameters/delivery-preferences"),
    ("GET", "/skills/{skillId}/parameters/cpa-management"),
]


def cxone() -> dict:
    t = Tables()
    t.set_names(set())
    session = t.note("Needs an active agent session: start one (POST .../agent-sessions) as this agent first. "
                     "Access is governed by the agent's security profile; CXone publishes no scope for it.")
    profile = t.note("Access is governed by the user's security profile; CXone publishes no scope for it.")
    rows = []
    for method, path in CXONE_OPS:
        rows.append(op_row(path, method, 0, -1, -1, UC_REQUIRED, [session]))
    for method, path in CXONE_SKILL_OPS:
        rows.append(op_row(path, method, 0, -1, -1, UC_UNKNOWN, [profile]))
    platform = {
        "id": "nice-cxone",
        "name": "NICE CXone",
        "hosts": ["*.nice-incontact.com", "*.niceincontact.com", "*.incontact.com", "*.nicecxone-gov.com"],
        # The Agent API lives under /InContactAPI/services/v{N}/ (v13.0 in the legacy docs, v23.0 and v34.0 in
        # the agent SDK); every version prefix is stripped before matching.
        "basePaths": ["/InContactAPI/services/v{version}", "/incontactapi/services/v{version}"],
        "regions": [
            {"name": "na1", "apiHost": "na1.nice-incontact.com"},
            {"name": "au1", "apiHost": "au1.nice-incontact.com"},
            {"name": "eu1", "apiHost": "eu1.nice-incontact.com"},
            {"name": "na2 (FedRAMP)", "apiHost": "na2.nicecxone-gov.com"},
        ],
        "audiences": [],
        "issuers": [],
        "claims": ["tenantId", "icAgentId", "icBUId", "icClusterId"],
        "scopeCatalog": [],
        "caseInsensitive": True,
        "unknownPolicy": "NICE CXone publishes no per-operation scopes or permissions: access is governed by the "
                         "security profile of the user (or of the API user behind an access key). The "
                         "requirement of an operation is unknown, not missing.",
        "guidance": CXONE_GUIDANCE,
        "provenance": {
            "sources": [
                "nice-devone/nice-cxone-agent-sdk @ abf046da283c2007a6d206e3cf92ecbd63f013e0 (2026-06-18): "
                "dist/core-sdk/src/constants/api-uri-constants.js (Personal Connection / dialer operations), "
                "dist/common-sdk/src/lib/model/authenticate/user-info.d.ts (token claims), "
                "dist/auth-sdk/src/lib/cxone-auth.js (scope=openid, authorization code + PKCE)",
                "https://developer.niceincontact.com/FAQ and "
                "https://developer.niceincontact.com/Documentation/APIAuthenticationAndAuthorization "
                "(authorization code for users, access keys for back-end integrations)",
                "https://developer.niceincontact.com/Documentation/UserHubGettingStarted (access-key token "
                "API, areas na1, au1, eu1); https://developer.niceincontact.com/API/AgentAPI (Agent API base)",
            ],
        },
    }
    return document(platform, t, rows)


def main(argv: list[str]) -> int:
    data_dir = Path(argv[1]) if len(argv) > 1 else (REPO / ".." / "shared" / "data")
    data_dir = data_dir.resolve()
    if not (data_dir / "genesys-permission-matrix.json").exists():
        print(f"gen_matrices: no genesys-permission-matrix.json in {data_dir}", file=sys.stderr)
        return 2
    write("genesys-cloud", genesys(data_dir))
    write("microsoft-graph", graph(data_dir))
    write("nice-cxone", cxone())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
