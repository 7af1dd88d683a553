//! What the authorization server says about a token: RFC 7662 introspection, Genesys Cloud
//! `GET /api/v2/tokens/me` (`TokenInfo`) and `GET /api/v2/users/me?expand=authorization`, normalized.

use crate::claims::Grant;
use crate::json::string_list;
use serde_json::{Map, Value};

/// Normalized introspection facts.
#[derive(Debug, Clone, PartialEq)]
pub struct Introspection {
    /// `rfc7662`, `genesys-tokens-me` or `genesys-users-me`.
    pub source: &'static str,
    /// `active`, when the server said.
    pub active: Option<bool>,
    /// The token's scopes (RFC 7662 `scope`, Genesys `authorizedScope`).
    pub scopes: Option<Vec<String>>,
    /// Scopes configured on the OAuth client (Genesys `OAuthClient.scope`): what re-authorizing would grant.
    pub client_scopes: Option<Vec<String>>,
    /// The client.
    pub client_id: Option<String>,
    /// The client's name, when given.
    pub client_name: Option<String>,
    /// User or app-only, when it can be told.
    pub grant: Grant,
    /// Why.
    pub grant_reason: Option<String>,
    /// The user's platform permissions (Genesys `authorization.permissions`), when given.
    pub permissions: Option<Vec<String>>,
    /// `exp`, `iat`, `nbf` (unix seconds).
    pub exp: Option<i64>,
    /// `iat`.
    pub iat: Option<i64>,
    /// `sub` or `username`.
    pub subject: Option<String>,
    /// `iss`.
    pub issuer: Option<String>,
    /// `aud`, as a list.
    pub audiences: Vec<String>,
    /// `token_type`.
    pub token_type: Option<String>,
}

fn s(map: &Map<String, Value>, k: &str) -> Option<String> {
    map.get(k).and_then(Value::as_str).map(str::to_string)
}

/// Reads an introspection-like JSON object. Returns None when it is none of the known shapes.
pub fn read(map: &Map<String, Value>) -> Option<Introspection> {
    if map.contains_key("authorizedScope") || map.contains_key("OAuthClient") {
        let client = map.get("OAuthClient");
        let gt = client
            .and_then(|c| c.get("authorizedGrantType"))
            .and_then(Value::as_str);
        let (grant, reason) = match gt {
            Some(g)
                if g.eq_ignore_ascii_case("CLIENT-CREDENTIALS")
                    || g.eq_ignore_ascii_case("client_credentials") =>
            {
                (
                    Grant::App,
                    Some(format!("tokens/me: OAuthClient.authorizedGrantType is {g}")),
                )
            }
            Some(g) => (
                Grant::User,
                Some(format!("tokens/me: OAuthClient.authorizedGrantType is {g}")),
            ),
            None => (Grant::Unknown, None),
        };
        return Some(Introspection {
            source: "genesys-tokens-me",
            active: Some(true),
            scopes: map.get("authorizedScope").and_then(string_list),
            client_scopes: client.and_then(|c| c.get("scope")).and_then(string_list),
            client_id: client
                .and_then(|c| c.get("id"))
                .and_then(Value::as_str)
                .map(str::to_string),
            client_name: client
                .and_then(|c| c.get("name"))
                .and_then(Value::as_str)
                .map(str::to_string),
            grant,
            grant_reason: reason,
            permissions: None,
            exp: None,
            iat: None,
            subject: None,
            issuer: None,
            audiences: Vec::new(),
            token_type: None,
        });
    }
    if let Some(auth) = map.get("authorization").and_then(Value::as_object) {
        return Some(Introspection {
            source: "genesys-users-me",
            active: Some(true),
            scopes: None,
            client_scopes: None,
            client_id: None,
            client_name: None,
            grant: Grant::User,
            grant_reason: Some("users/me answered: the token carries a user".into()),
            permissions: auth.get("permissions").and_then(string_list),
            exp: None,
            iat: None,
            subject: s(map, "id"),
            issuer: None,
            audiences: Vec::new(),
            token_type: None,
        });
    }
    // Google's tokeninfo (`oauth2.googleapis.com/tokeninfo`) has no `active`: it answers only for a valid token
    // (400 `invalid_token` otherwise), with `scope`, `expires_in` and `exp` as strings, `azp`/`aud` the client.
    let google_client = |k: &str| {
        map.get(k)
            .and_then(Value::as_str)
            .is_some_and(|v| v.ends_with(".apps.googleusercontent.com"))
    };
    if !map.contains_key("active")
        && !map.contains_key("access_token")
        && !map.contains_key("error")
        && map.get("scope").is_some_and(Value::is_string)
        // Google's marks: its client ids, `access_type`, and `expires_in` as a string.
        && (google_client("azp")
            || google_client("aud")
            || map.contains_key("access_type")
            || map.get("expires_in").is_some_and(Value::is_string))
    {
        let num = |k: &str| {
            map.get(k).and_then(|v| {
                v.as_i64()
                    .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
            })
        };
        return Some(Introspection {
            source: "google-tokeninfo",
            active: Some(true),
            scopes: map.get("scope").and_then(string_list),
            client_scopes: None,
            client_id: s(map, "azp").or_else(|| s(map, "aud")),
            client_name: None,
            grant: if map.contains_key("sub") || map.contains_key("email") {
                Grant::User
            } else {
                Grant::Unknown
            },
            grant_reason: (map.contains_key("sub") || map.contains_key("email"))
                .then(|| "Google tokeninfo: the token has a user (sub / email)".to_string()),
            permissions: None,
            exp: num("exp"),
            iat: None,
            subject: s(map, "sub").or_else(|| s(map, "email")),
            issuer: None,
            audiences: map.get("aud").and_then(string_list).unwrap_or_default(),
            token_type: None,
        });
    }
    let active = map
        .get("active")
        .and_then(|a| a.as_bool().or_else(|| a.as_str().map(|s| s == "true")))?;
    let username = s(map, "username");
    let sub = s(map, "sub");
    let client_id = s(map, "client_id");
    let (grant, grant_reason) = if let Some(u) = &username {
        (Grant::User, Some(format!("introspection: username is {u}")))
    } else if sub.is_some() && sub == client_id {
        (
            Grant::App,
            Some("introspection: sub is the client itself".to_string()),
        )
    } else if sub.is_none() && client_id.is_some() {
        (
            Grant::App,
            Some("introspection: no sub, only a client_id".to_string()),
        )
    } else {
        (Grant::Unknown, None)
    };
    Some(Introspection {
        source: "rfc7662",
        active: Some(active),
        scopes: map.get("scope").and_then(string_list),
        client_scopes: None,
        client_id,
        client_name: None,
        grant,
        grant_reason,
        permissions: None,
        exp: map.get("exp").and_then(Value::as_i64),
        iat: map.get("iat").and_then(Value::as_i64),
        subject: sub.or(username),
        issuer: s(map, "iss"),
        audiences: map.get("aud").and_then(string_list).unwrap_or_default(),
        // Keycloak says `typ` ("Bearer", "Refresh", "ID"); RFC 7662 `token_type` is the scheme.
        token_type: s(map, "token_type").or_else(|| s(map, "typ")),
    })
}

/// Combines two answers about the same token (e.g. Genesys tokens/me and users/me): what one lacks, the other
/// fills in; a known grant wins over an unknown one.
pub fn merge(a: Introspection, b: Introspection) -> Introspection {
    Introspection {
        source: a.source,
        active: match (a.active, b.active) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (x, y) => x.or(y),
        },
        scopes: a.scopes.or(b.scopes),
        client_scopes: a.client_scopes.or(b.client_scopes),
        client_id: a.client_id.or(b.client_id),
        client_name: a.client_name.or(b.client_name),
        grant: if a.grant == Grant::Unknown {
            b.grant
        } else {
            a.grant
        },
        grant_reason: a.grant_reason.or(b.grant_reason),
        permissions: a.permissions.or(b.permissions),
        exp: a.exp.or(b.exp),
        iat: a.iat.or(b.iat),
        subject: a.subject.or(b.subject),
        issuer: a.issuer.or(b.issuer),
        audiences: if a.audiences.is_empty() {
            b.audiences
        } else {
            a.audiences
        },
        token_type: a.token_type.or(b.token_type),
    }
}

/// Whether a held permission (possibly with `*` wildcards per segment, Genesys style) covers a required one.
pub fn permission_covers(held: &str, required: &str) -> bool {
    if held == required || held == "*" {
        return true;
    }
    let h: Vec<&str> = held.split(':').collect();
    let r: Vec<&str> = required.split(':').collect();
    h.len() == r.len()
        && h.iter()
            .zip(r.iter())
            .all(|(a, b)| *a == "*" || *b == "*" || a == b)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn obj(t: &str) -> Map<String, Value> {
        serde_json::from_str(t).unwrap()
    }

    #[test]
    fn google_tokeninfo_is_read_and_look_alikes_are_not() {
        let i = read(&obj(r#"{"azp":"1.apps.googleusercontent.com","aud":"1.apps.googleusercontent.com","sub":"7","scope":"openid https://www.googleapis.com/auth/gmail.readonly","exp":"1700003600","expires_in":"3599","email":"a@b.c","access_type":"online"}"#)).unwrap();
        assert_eq!(i.source, "google-tokeninfo");
        assert_eq!(i.active, Some(true));
        assert_eq!(i.exp, Some(1_700_003_600));
        assert_eq!(i.scopes.unwrap_or_default().len(), 2);
        // A token response and decoded claims have `scope` too, but no Google mark (or an access_token).
        assert!(
            read(&obj(
                r#"{"access_token":"x","expires_in":3599,"scope":"orders:read"}"#
            ))
            .is_none()
        );
        assert!(read(&obj(r#"{"azp":"spa","scope":"openid profile","exp":1}"#)).is_none());
    }

    #[test]
    fn genesys_token_info() {
        let i = read(&obj(r#"{"organization":{"id":"o"},"authorizedScope":["users:readonly"],"OAuthClient":{"id":"c","name":"Zapier","authorizedGrantType":"CODE","scope":["users:readonly","conversations"]}}"#)).unwrap();
        assert_eq!(i.source, "genesys-tokens-me");
        assert_eq!(i.grant, Grant::User);
        assert_eq!(i.scopes.unwrap(), vec!["users:readonly"]);
        assert_eq!(
            i.client_scopes.unwrap(),
            vec!["users:readonly", "conversations"]
        );
    }

    #[test]
    fn rfc7662_inactive_and_active() {
        let i = read(&obj(r#"{"active":false}"#)).unwrap();
        assert_eq!(i.active, Some(false));
        let i = read(&obj(
            r#"{"active":true,"scope":"a b","client_id":"c","username":"u"}"#,
        ))
        .unwrap();
        assert_eq!(i.scopes.unwrap(), vec!["a", "b"]);
        assert_eq!(i.grant, Grant::User);
        assert!(read(&obj(r#"{"x":1}"#)).is_none());
    }

    #[test]
    fn tokens_me_and_users_me_merge() {
        let a = read(&obj(
            r#"{"authorizedScope":["conversations"],"OAuthClient":{"authorizedGrantType":"CODE"}}"#,
        ))
        .unwrap();
        let b = read(&obj(
            r#"{"id":"u1","authorization":{"permissions":["conversation:call:add"]}}"#,
        ))
        .unwrap();
        let m = merge(a, b);
        assert_eq!(m.scopes.unwrap(), vec!["conversations"]);
        assert_eq!(m.permissions.unwrap(), vec!["conversation:call:add"]);
        assert_eq!(m.grant, Grant::User);
    }

    #[test]
    fn wildcards() {
        assert!(permission_covers(
            "conversation:*:add",
            "conversation:call:add"
        ));
        assert!(permission_covers(
            "conversation:call:*",
            "conversation:call:add"
        ));
        assert!(!permission_covers(
            "conversation:call:view",
            "conversation:call:add"
        ));
    }
}
