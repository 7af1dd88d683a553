//! Claims normalized across vendors: scopes, app roles, client, grant (user or app-only), token kind, times,
//! audience, issuer, tenant; plus a one-line explanation of each claim for display.

use crate::json::string_list;
use serde::Serialize;
use serde_json::{Map, Value};

/// Whether a token carries a signed-in user or only an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Grant {
    /// A user signed in (authorization code, password, device, ...): delegated.
    User,
    /// No user: client credentials, access key, app-only.
    App,
    /// Cannot be told.
    Unknown,
}

/// What kind of token the claims describe.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum TokenKind {
    /// An access token (for APIs).
    Access,
    /// An OpenID Connect ID token (for the client, not for APIs).
    Id,
    /// A refresh token.
    Refresh,
    /// Cannot be told.
    Unknown,
}

/// A time claim: its value, or why it could not be read.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TimeClaim {
    /// Whole unix seconds, when readable.
    pub seconds: Option<i64>,
    /// The raw claim as JSON text.
    pub raw: String,
    /// Why the value is odd or unreadable (string, negative, fractional, beyond 2038 / 64 bits).
    pub problem: Option<String>,
}

/// Claims normalized across vendors.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Claims {
    /// `iss`.
    pub issuer: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// `aud`, as a list.
    pub audiences: Vec<String>,
    /// Problem with `aud` (wrong type), if any.
    pub audience_problem: Option<String>,
    /// Delegated scopes from `scope`, `scp` or `scopes`.
    pub scopes: Vec<String>,
    /// Which claim the scopes came from.
    pub scope_claim: Option<String>,
    /// Problem with the scope claim (wrong type), if any.
    pub scope_problem: Option<String>,
    /// App permissions from `roles` (Entra ID) or `permissions` (Auth0), or roles under ASP.NET's role claim URI.
    pub roles: Vec<String>,
    /// Which claim the roles came from.
    pub roles_claim: Option<String>,
    /// Keycloak realm and client roles (`realm_access`, `resource_access`), as `realm:x` / `client:x`.
    pub keycloak_roles: Vec<String>,
    /// The client the token was issued to (`azp`, `appid`, `client_id`, `cid`).
    pub client_id: Option<String>,
    /// User or app-only.
    pub grant: Grant,
    /// Why the grant was judged so.
    pub grant_reason: String,
    /// Access, ID or refresh token.
    pub kind: TokenKind,
    /// Why the kind was judged so.
    pub kind_reason: String,
    /// `exp`.
    pub expires: Option<TimeClaim>,
    /// `nbf`.
    pub not_before: Option<TimeClaim>,
    /// `iat`.
    pub issued_at: Option<TimeClaim>,
    /// Entra ID tenant (`tid`) or CXone `tenantId`.
    pub tenant: Option<String>,
    /// Entra ID token version: `1.0` or `2.0` (from `ver`, else from the issuer form).
    pub version: Option<String>,
    /// `cnf`: the token is bound to a key (DPoP `jkt`) or certificate (`x5t#S256`).
    pub confirmation: Option<String>,
}

fn str_claim(map: &Map<String, Value>, name: &str) -> Option<String> {
    match map.get(name)? {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

fn time_claim(map: &Map<String, Value>, name: &str) -> Option<TimeClaim> {
    let v = map.get(name)?;
    let raw = crate::json::clip(&v.to_string(), 80);
    const Y2038: i64 = 2_147_483_647;
    let (seconds, problem) = match v {
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                if i < 0 {
                    (Some(i), Some(format!("`{name}` is negative")))
                } else if i > Y2038 {
                    (
                        Some(i),
                        Some(format!(
                            "`{name}` is past 2038-01-19 03:14:07 UTC; validators that read it as a 32-bit number see it as missing or invalid"
                        )),
                    )
                } else {
                    (Some(i), None)
                }
            } else if let Some(u) = n.as_u64() {
                (
                    None,
                    Some(format!(
                        "`{name}` ({u}) does not fit a signed 64-bit number"
                    )),
                )
            } else {
                // A float: RFC 7519's NumericDate allows fractions, and `1.7e9` or `-0` are whole numbers in
                // float form. Read as the integer form of the same instant would be, within i64's range.
                const LOW: f64 = -9_223_372_036_854_775_808.0; // -2^63, exact
                const HIGH: f64 = 9_223_372_036_854_775_808.0; // 2^63, the first float past i64::MAX
                let f = n.as_f64().unwrap_or(f64::NAN);
                if f.is_finite() && (LOW..HIGH).contains(&f) {
                    #[allow(clippy::cast_possible_truncation)]
                    let whole = f.trunc() as i64;
                    let p = if f < 0.0 {
                        format!("`{name}` is negative")
                    } else if whole > Y2038 {
                        format!(
                            "`{name}` is past 2038-01-19 03:14:07 UTC; validators that read it as a 32-bit number see it as missing or invalid"
                        )
                    } else if f.fract() != 0.0 {
                        format!(
                            "`{name}` has a fractional part; some validators reject non-integer times"
                        )
                    } else {
                        format!(
                            "`{name}` is a whole number written in float form ({n}); validators that expect an integer may reject it"
                        )
                    };
                    (Some(whole), Some(p))
                } else {
                    (None, Some(format!("`{name}` ({n}) is not a usable time")))
                }
            }
        }
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(i) => (
                Some(i),
                Some(format!(
                    "`{name}` is a string, not a number (RFC 7519 NumericDate); many validators reject it"
                )),
            ),
            Err(_) => (
                None,
                Some(format!(
                    "`{name}` is a string that is not a number; validators reject the token"
                )),
            ),
        },
        other => (
            None,
            Some(format!(
                "`{name}` is {}, not a number",
                crate::json::type_name(other)
            )),
        ),
    };
    Some(TimeClaim {
        seconds,
        raw,
        problem,
    })
}

/// Normalizes a claims object.
pub fn normalize(map: &Map<String, Value>, header: Option<&Map<String, Value>>) -> Claims {
    let issuer = str_claim(map, "iss");
    let (audiences, audience_problem) = match map.get("aud") {
        None => (Vec::new(), None),
        Some(Value::String(s)) => (vec![s.clone()], None),
        Some(Value::Array(a)) => (
            a.iter()
                .filter_map(|v| v.as_str().map(str::to_string))
                .collect(),
            None,
        ),
        Some(other) => (
            Vec::new(),
            Some(format!(
                "`aud` is {}, not a string or an array of strings",
                crate::json::type_name(other)
            )),
        ),
    };
    let mut scopes = Vec::new();
    let mut scope_claim = None;
    let mut scope_problem = None;
    for name in ["scp", "scope", "scopes"] {
        if let Some(v) = map.get(name) {
            match string_list(v) {
                Some(list) => {
                    if scope_claim.is_none() {
                        scopes = list;
                        scope_claim = Some(name.to_string());
                    }
                }
                None => {
                    scope_problem = Some(format!(
                        "`{name}` is {}, not a string or a list of strings",
                        crate::json::type_name(v)
                    ))
                }
            }
        }
    }
    let mut roles = Vec::new();
    let mut roles_claim = None;
    // ASP.NET writes roles under ClaimTypes.Role's URI (a string for one role, an array for several).
    for name in [
        "roles",
        "permissions",
        "http://schemas.microsoft.com/ws/2008/06/identity/claims/role",
    ] {
        if let Some(list) = map.get(name).and_then(string_list) {
            if !list.is_empty() && roles_claim.is_none() {
                roles = list;
                roles_claim = Some(name.to_string());
            }
        }
    }
    let mut keycloak_roles = Vec::new();
    if let Some(list) = map
        .get("realm_access")
        .and_then(|r| r.get("roles"))
        .and_then(string_list)
    {
        keycloak_roles.extend(list.into_iter().map(|r| format!("realm:{r}")));
    }
    if let Some(Value::Object(clients)) = map.get("resource_access") {
        for (client, v) in clients {
            if let Some(list) = v.get("roles").and_then(string_list) {
                keycloak_roles.extend(list.into_iter().map(|r| format!("{client}:{r}")));
            }
        }
    }
    let client_id = ["azp", "appid", "client_id", "cid"]
        .iter()
        .find_map(|n| str_claim(map, n));
    let (grant, grant_reason) = grant_of(map, &scopes, &roles, client_id.as_deref());
    let (kind, kind_reason) = kind_of(map, header, client_id.as_deref(), &audiences, &scopes);
    let version = str_claim(map, "ver").or_else(|| {
        let iss = issuer.as_deref()?;
        if iss.contains("sts.windows.net") {
            Some("1.0".into())
        } else if iss.contains("login.microsoftonline.com")
            && iss.trim_end_matches('/').ends_with("/v2.0")
        {
            Some("2.0".into())
        } else {
            None
        }
    });
    let confirmation = map.get("cnf").map(|c| {
        if c.get("jkt").is_some() {
            "bound to a DPoP key (cnf.jkt)".to_string()
        } else if c.get("x5t#S256").is_some() {
            "bound to a client certificate (cnf.x5t#S256, mTLS)".to_string()
        } else {
            format!("bound to a key ({})", crate::json::clip(&c.to_string(), 60))
        }
    });
    Claims {
        issuer,
        subject: str_claim(map, "sub"),
        audiences,
        audience_problem,
        scopes,
        scope_claim,
        scope_problem,
        roles,
        roles_claim,
        keycloak_roles,
        client_id,
        grant,
        grant_reason,
        kind,
        kind_reason,
        expires: time_claim(map, "exp"),
        not_before: time_claim(map, "nbf"),
        issued_at: time_claim(map, "iat"),
        tenant: str_claim(map, "tid").or_else(|| str_claim(map, "tenantId")),
        version,
        confirmation,
    }
}

fn grant_of(
    map: &Map<String, Value>,
    scopes: &[String],
    roles: &[String],
    client: Option<&str>,
) -> (Grant, String) {
    if let Some(g) = str_claim(map, "gty") {
        return if g == "client-credentials" {
            (Grant::App, "`gty` is client-credentials (Auth0)".into())
        } else {
            (Grant::User, format!("`gty` is {g}"))
        };
    }
    if let Some(t) = str_claim(map, "idtyp") {
        return if t == "app" {
            (
                Grant::App,
                "`idtyp` is app (Entra ID app-only token)".into(),
            )
        } else {
            (Grant::User, format!("`idtyp` is {t}"))
        };
    }
    if let Some(g) = str_claim(map, "grant_type").or_else(|| str_claim(map, "authorizedGrantType"))
    {
        let app = g.to_ascii_lowercase().replace('-', "_") == "client_credentials";
        return (
            if app { Grant::App } else { Grant::User },
            format!("grant type {g}"),
        );
    }
    if map.contains_key("icAgentId") || map.contains_key("icUserId") {
        return (Grant::User, "`icAgentId` names a CXone user".into());
    }
    let sub_is_client = map
        .get("sub")
        .and_then(Value::as_str)
        .zip(client)
        .is_some_and(|(s, c)| s == c || s == format!("{c}@clients"));
    let client_credentials = || {
        (
            Grant::App,
            "`sub` is the client itself (client credentials)".to_string(),
        )
    };
    // Before `scp`: Okta's client-credentials tokens carry `scp` too, with `sub` the client itself and no `uid`.
    if sub_is_client && !map.contains_key("uid") {
        return client_credentials();
    }
    if map.contains_key("scp") {
        return (Grant::User, "`scp` (delegated scopes) is present".into());
    }
    if !roles.is_empty()
        && scopes.is_empty()
        && map.get("roles").is_some()
        && map.contains_key("oid")
        && !map.contains_key("name")
    {
        return (
            Grant::App,
            "`roles` without `scp` (Entra ID app-only)".into(),
        );
    }
    let user_claims = [
        "preferred_username",
        "upn",
        "email",
        "name",
        "unique_name",
        "given_name",
        "username",
    ];
    if let Some(c) = user_claims.iter().find(|c| map.contains_key(**c)) {
        return (Grant::User, format!("`{c}` names a user"));
    }
    if sub_is_client {
        return client_credentials();
    }
    if let Some(s) = map.get("sub").and_then(Value::as_str) {
        if s.ends_with("@clients") || s.starts_with("service-account-") {
            return (Grant::App, format!("`sub` ({s}) is a client, not a user"));
        }
    }
    if !map.contains_key("sub") && client.is_some() {
        return (Grant::App, "no `sub` (user) claim, only a client".into());
    }
    (
        Grant::Unknown,
        "the token does not say whether a user signed in".into(),
    )
}

fn kind_of(
    map: &Map<String, Value>,
    header: Option<&Map<String, Value>>,
    client: Option<&str>,
    audiences: &[String],
    scopes: &[String],
) -> (TokenKind, String) {
    let typ = header
        .and_then(|h| h.get("typ"))
        .and_then(Value::as_str)
        .map(str::to_ascii_lowercase);
    if matches!(typ.as_deref(), Some("at+jwt") | Some("application/at+jwt")) {
        return (
            TokenKind::Access,
            "header `typ` is at+jwt (RFC 9068 access token)".into(),
        );
    }
    // `typ` (Keycloak), `token_use` (Cognito), `token_type` (djangorestframework-simplejwt: access or refresh).
    let named = ["typ", "token_use", "token_type"]
        .into_iter()
        .find_map(|n| str_claim(map, n).map(|t| (n, t)));
    if let Some((claim, t)) = named {
        match t.to_ascii_lowercase().as_str() {
            "id" | "id_token" => {
                return (TokenKind::Id, format!("`{claim}` is {t}"));
            }
            "refresh" | "offline" => return (TokenKind::Refresh, format!("`{claim}` is {t}")),
            "bearer" | "access" => return (TokenKind::Access, format!("claim says {t}")),
            _ => {}
        }
    }
    if map.contains_key("at_hash") || map.contains_key("c_hash") {
        return (
            TokenKind::Id,
            "`at_hash` / `c_hash` appear only in ID tokens".into(),
        );
    }
    let aud_is_client = client.is_some_and(|c| audiences.iter().any(|a| a == c));
    if map.contains_key("nonce") && scopes.is_empty() {
        return (
            TokenKind::Id,
            "`nonce` and no scopes: an OpenID Connect ID token".into(),
        );
    }
    if aud_is_client && scopes.is_empty() && !map.contains_key("roles") {
        return (TokenKind::Id, "`aud` is the client itself and there are no scopes: an ID token (or a token for the app's own API)".into());
    }
    // Entra ID access tokens always name their client (`azp` in v2, `appid` in v1) and carry `scp` or `roles`; its ID
    // tokens have neither (and no `nonce` when they come from a silent or refresh flow).
    let entra = str_claim(map, "iss").is_some_and(|i| is_entra_issuer(&i));
    if entra
        && !audiences.is_empty()
        && scopes.is_empty()
        && !["azp", "appid", "roles", "scp"]
            .iter()
            .any(|k| map.contains_key(*k))
    {
        return (
            TokenKind::Id,
            "an Entra ID token: Entra access tokens name their client (`azp` or `appid`) and carry `scp` or `roles`, and this token has none of them".into(),
        );
    }
    if !scopes.is_empty()
        || map.contains_key("roles")
        || map.contains_key("client_id")
        || map.contains_key("scope")
    {
        return (
            TokenKind::Access,
            "it carries scopes, roles or client_id".into(),
        );
    }
    (
        TokenKind::Unknown,
        "no claim says whether this is an access or ID token".into(),
    )
}

/// The host of an issuer URL, lower-cased (`https://host:port/path` → `host`).
fn issuer_host(iss: &str) -> String {
    iss.split("://")
        .nth(1)
        .unwrap_or(iss)
        .split(['/', ':'])
        .next()
        .unwrap_or("")
        .to_ascii_lowercase()
}

/// Whether `iss` is Microsoft Entra ID's (v1 `sts.windows.net`, v2 `login.microsoftonline.com`, and the national
/// clouds' hosts).
pub fn is_entra_issuer(iss: &str) -> bool {
    matches!(
        issuer_host(iss).as_str(),
        "login.microsoftonline.com"
            | "sts.windows.net"
            | "login.microsoftonline.us"
            | "login.partner.microsoftonline.cn"
            | "login.chinacloudapi.cn"
            | "sts.chinacloudapi.cn"
    )
}

/// Whether `iss` is an Auth0 tenant's (`https://<tenant>.<region>.auth0.com/`).
pub fn is_auth0_issuer(iss: &str) -> bool {
    issuer_host(iss).ends_with(".auth0.com")
}

/// Findings about claims whose JSON type makes them unreadable to servers (`claims.invalid_type`, warning):
/// scopes (`scp`, `scope`, `scopes`) and permissions (`roles`, `permissions`) that are not a string or a list of
/// strings, or lists with non-string members (they are skipped, so a scope is silently lost); `iss`, `sub`,
/// `azp`, `client_id` that are not strings. (`aud` and the times are judged by the diagnosis from
/// [`Claims::audience_problem`] and [`TimeClaim::problem`].)
pub fn type_findings(map: &Map<String, Value>) -> Vec<crate::report::Finding> {
    use crate::report::{Finding, Severity};
    let mut out = Vec::new();
    let mut push = |name: &str, v: &Value, what: String, consequence: &str| {
        out.push(
            Finding::new(
                "claims.invalid_type",
                Severity::Warning,
                format!("`{name}` is {what}"),
                format!("`{name}` is {what}. {consequence}"),
            )
            .evidence(
                format!("claim {name}"),
                crate::json::clip(&crate::text::visible(&v.to_string()), 120),
            )
            .fix(format!(
                "Fix the mapper or configuration that emits `{name}` so that it has the type the standards give it."
            ))
            .weight(55),
        );
    };
    for name in ["scp", "scope", "scopes", "roles", "permissions"] {
        let Some(v) = map.get(name) else { continue };
        let list = matches!(name, "scopes" | "roles" | "permissions");
        let consequence = if list {
            "Servers read it as a list of strings; they find no permission in it, so every check against it fails."
        } else {
            "Servers read it as a space-separated string (RFC 8693 §4.2, RFC 9068 §2.2.3); they find no scope in it, so every scope check fails."
        };
        match v {
            Value::String(_) => {}
            Value::Array(items) => {
                let odd = items.iter().filter(|i| !i.is_string()).count();
                if odd > 0 {
                    let first = items
                        .iter()
                        .find(|i| !i.is_string())
                        .map_or("null", crate::json::type_name);
                    push(
                        name,
                        v,
                        format!(
                            "a list with {odd} member(s) that are not strings (the first is {first})"
                        ),
                        "Those members are skipped by servers (and here), so what they were meant to grant is not granted.",
                    );
                }
            }
            other => push(
                name,
                other,
                format!(
                    "{}, not {}",
                    crate::json::type_name(other),
                    if list {
                        "a list of strings"
                    } else {
                        "a string or a list of strings"
                    }
                ),
                consequence,
            ),
        }
    }
    for name in ["iss", "sub", "azp", "client_id"] {
        if let Some(v) = map.get(name) {
            if !v.is_string() {
                push(
                    name,
                    v,
                    format!("{}, not a string", crate::json::type_name(v)),
                    "RFC 7519 makes it a string; strict validators reject the token, others compare it as text and fail to match.",
                );
            }
        }
    }
    out
}

/// Whether a claim is a time (unix seconds) that the display list also shows in UTC and relative to now.
pub fn is_time(name: &str) -> bool {
    matches!(name, "exp" | "nbf" | "iat" | "auth_time")
}

/// Whether a claim holds personal data (a name, an address...): the display list marks it `personal`.
pub fn is_personal(name: &str) -> bool {
    matches!(
        name,
        "name"
            | "email"
            | "upn"
            | "unique_name"
            | "preferred_username"
            | "given_name"
            | "family_name"
            | "phone_number"
            | "address"
            | "birthdate"
    )
}

/// A one-line explanation of a JOSE header parameter, for display next to it.
pub fn explain_header(name: &str) -> &'static str {
    match name {
        "typ" => "Media type of the token: JWT, or at+jwt for an RFC 9068 access token.",
        "nonce" => {
            "Entra ID: a Graph token whose signature only Graph can validate (the nonce is hashed before verifying)."
        }
        "enc" => "Content encryption algorithm (JWE): the claims are encrypted.",
        other => explain(other),
    }
}

/// A one-line explanation of a claim, for display next to it.
pub fn explain(name: &str) -> &'static str {
    match name {
        "iss" => {
            "Issuer: the authorization server that made the token. The API must trust exactly this value."
        }
        "sub" => "Subject: the user (or, for app-only tokens, the client) the token speaks for.",
        "aud" => {
            "Audience: the API(s) the token is for. An API rejects tokens for other audiences."
        }
        "exp" => "Expiry time (UTC). After it, APIs answer 401.",
        "nbf" => "Not before (UTC): the token is not valid before this time.",
        "iat" => "Issued at (UTC).",
        "jti" => "Token id, unique per token; used for revocation and replay checks.",
        "scp" => {
            "Delegated scopes (space-separated), what the user let the app do (Entra ID, Okta)."
        }
        "scope" => "Scopes granted to this token (space-separated, RFC 8693 / RFC 9068).",
        "scopes" => "Scopes granted to this token (list).",
        "roles" => {
            "App roles / application permissions (Entra ID); for app-only tokens these replace scopes."
        }
        "permissions" => {
            "Permissions granted (Auth0 RBAC, when \"Add Permissions in the Access Token\" is on)."
        }
        "azp" => "Authorized party: the client the token was issued to.",
        "appid" => "The client (application) id, Entra ID v1 tokens.",
        "client_id" => "The client the token was issued to (RFC 9068).",
        "cid" => "The client id (Okta).",
        "gty" => "Grant type (Auth0); client-credentials means no user.",
        "idtyp" => "Entra ID: `app` for app-only tokens, `user` for delegated ones.",
        "tid" => "Entra ID tenant (directory) id. Must match the tenant the API trusts.",
        "ver" => {
            "Entra ID token version (1.0: sts.windows.net issuer; 2.0: login.microsoftonline.com/.../v2.0)."
        }
        "oid" => "Entra ID object id of the user or service principal.",
        "upn" | "unique_name" | "preferred_username" | "email" => {
            "The signed-in user's name (personal data)."
        }
        "name" | "given_name" | "family_name" => "The user's display name (personal data).",
        "nonce" => {
            "OpenID Connect nonce: marks an ID token; in an Entra ID *header*, a Graph token that only Graph can verify."
        }
        "at_hash" => "Hash of the access token: present in ID tokens only.",
        "c_hash" => "Hash of the authorization code: present in ID tokens only.",
        "auth_time" => "When the user last signed in.",
        "acr" => "Authentication context class (strength of sign-in).",
        "amr" => "Authentication methods used (pwd, mfa, ...).",
        "sid" => "Session id at the authorization server.",
        "realm_access" => "Keycloak realm roles.",
        "resource_access" => "Keycloak client roles, per client.",
        "typ" => "Keycloak token type (Bearer = access token, ID = ID token, Refresh).",
        "cnf" => {
            "Confirmation: the token is bound to a key or certificate (DPoP or mTLS) and must be presented with it."
        }
        "tenantId" => "NICE CXone tenant id.",
        "icBUId" => "NICE CXone business unit id.",
        "icAgentId" => "NICE CXone agent (user) id.",
        "icClusterId" => "NICE CXone cluster: which CXone cluster (area) serves the tenant.",
        "icSPId" => "NICE CXone security profile id (what the user may do).",
        "icDomain" => "NICE CXone API domain.",
        "token_use" => "AWS Cognito: `access` or `id`.",
        "org_id" => "Organization id (Auth0 Organizations, others).",
        "uti" => "Entra ID internal token id.",
        "xms_cc" => "Entra ID client capabilities.",
        "wids" => "Entra ID directory role template ids of the user.",
        "groups" => "Group memberships.",
        "act" => "Actor: the party acting on behalf of the subject (token exchange).",
        "client_id_name" => "Client name.",
        "alg" => "Signature algorithm. `none` means unsigned.",
        "kid" => "Key id: which of the issuer's keys signed the token.",
        "x5t" => "Thumbprint of the signing certificate.",
        "enc" => "Content encryption algorithm (JWE): the claims are encrypted.",
        "zip" => "Compression of the encrypted content (JWE).",
        "cty" => "Content type of the payload.",
        "jku" => "URL of the key set (only trust it if the server pins it).",
        "x5u" => "URL of the signing certificate (only trust it if the server pins it).",
        "x5c" => "The signing certificate chain, embedded.",
        "x5t#S256" => "SHA-256 thumbprint of the signing certificate.",
        "jwk" => "A public key embedded in the header (never trust it by itself).",
        "crit" => "Header parameters the validator must understand, or reject the token.",
        "b64" => "RFC 7797: whether the payload is base64url-encoded.",
        "epk" => "Ephemeral public key (JWE key agreement).",
        "iv" | "tag" => "JWE key-wrapping parameters.",
        _ => "",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn an_okta_client_credentials_token_with_scp_is_an_app_token() {
        let grant = |claims: Value| match claims {
            Value::Object(m) => {
                let client = m.get("cid").and_then(Value::as_str).map(str::to_string);
                grant_of(&m, &[], &[], client.as_deref()).0
            }
            _ => Grant::Unknown,
        };
        // Okta client credentials: `sub` is the client id, no `uid`.
        let app = serde_json::json!({"cid": "0oa1", "sub": "0oa1", "scp": ["orders.read"]});
        assert_eq!(grant(app), Grant::App);
        // Okta authorization code: `uid` and a user's `sub`.
        let user = serde_json::json!({"cid": "0oa1", "uid": "00u1", "sub": "a@example.com", "scp": ["openid"]});
        assert_eq!(grant(user), Grant::User);
    }

    #[test]
    fn aspnet_role_claims_are_roles() {
        let map = match serde_json::json!({
            "iss": "https://auth.contoso.com", "sub": "u1", "aud": "orders-api",
            "http://schemas.microsoft.com/ws/2008/06/identity/claims/role": ["Orders.Reader", "Auditor"]
        }) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let c = normalize(&map, None);
        assert_eq!(c.roles, ["Orders.Reader", "Auditor"]);
        assert!(c.roles_claim.is_some_and(|n| n.ends_with("/claims/role")));
    }

    #[test]
    fn an_unusable_time_is_quoted_as_written() {
        let map = match serde_json::json!({"exp": 1e300, "nbf": -2.5e20}) {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let exp = time_claim(&map, "exp").and_then(|t| t.problem);
        assert_eq!(exp.as_deref(), Some("`exp` (1e+300) is not a usable time"));
        let nbf = time_claim(&map, "nbf")
            .and_then(|t| t.problem)
            .unwrap_or_default();
        assert!(nbf.starts_with("`nbf` (-2.5e+20)"), "{nbf}");
    }

    #[test]
    fn a_time_in_float_form_is_the_same_instant_as_its_integer_form() {
        let map = match serde_json::from_str::<Value>(
            r#"{"a":1.7e9,"b":17e8,"c":-0,"d":-1e10,"e":9e15,"f":-9e15,"g":1700000000.5,"h":9.3e18}"#,
        ) {
            Ok(Value::Object(m)) => m,
            _ => Map::new(),
        };
        let t = |name: &str| {
            time_claim(&map, name)
                .map(|t| (t.seconds, t.problem.unwrap_or_default()))
                .unwrap_or_default()
        };
        for name in ["a", "b"] {
            let (seconds, problem) = t(name);
            assert_eq!(seconds, Some(1_700_000_000), "{name}");
            assert!(
                problem.contains("whole number written in float form"),
                "{problem}"
            );
        }
        assert_eq!(t("c").0, Some(0));
        assert!(t("c").1.contains("float form"), "{}", t("c").1);
        assert_eq!(
            t("d"),
            (Some(-10_000_000_000), "`d` is negative".to_string())
        );
        // Past 2^53 as before: the integer form's verdict (nbf far ahead, exp long gone), not "unusable".
        assert_eq!(t("e").0, Some(9_000_000_000_000_000));
        assert!(t("e").1.contains("past 2038"), "{}", t("e").1);
        assert_eq!(
            t("f"),
            (Some(-9_000_000_000_000_000), "`f` is negative".to_string())
        );
        assert_eq!(t("g").0, Some(1_700_000_000));
        assert!(t("g").1.contains("fractional"), "{}", t("g").1);
        assert_eq!(t("h").0, None, "beyond i64, as the integer form");
    }

    #[test]
    fn wrong_types_are_findings() {
        let map = match serde_json::json!({"scope": 7, "scp": ["a", 1, {}], "roles": "Admin", "sub": 5, "aud": {"x": 1}})
        {
            Value::Object(m) => m,
            _ => Map::new(),
        };
        let f = type_findings(&map);
        let titles: Vec<&str> = f.iter().map(|f| f.title.as_str()).collect();
        assert_eq!(
            titles,
            vec![
                "`scp` is a list with 2 member(s) that are not strings (the first is a number)",
                "`scope` is a number, not a string or a list of strings",
                "`sub` is a number, not a string",
            ]
        );
        assert!(f.iter().all(|f| f.code == "claims.invalid_type"));
    }
}
