//! Compares two tokens: what scopes, audience, issuer, grant, client and lifetime differ. For "the token from
//! the trigger works, the one in the action does not" and "I added the scope but the connection still has the old
//! token".

use crate::claims::{self, Claims, Grant};
use crate::input;
use crate::jose;
use serde::Serialize;

/// One side of the comparison, summarized.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Side {
    /// `jws`, `jwe`, `opaque`, `malformed`, or `none`.
    pub kind: String,
    /// `iss`.
    pub issuer: Option<String>,
    /// `aud`.
    pub audiences: Vec<String>,
    /// Scopes (delegated).
    pub scopes: Vec<String>,
    /// App roles.
    pub roles: Vec<String>,
    /// User or app-only.
    pub grant: Grant,
    /// The client.
    pub client_id: Option<String>,
    /// `sub`.
    pub subject: Option<String>,
    /// `iat`.
    pub issued_at: Option<i64>,
    /// `exp`.
    pub expires: Option<i64>,
    /// `exp - iat`, seconds.
    pub lifetime: Option<i64>,
    /// Expired at `now`?
    pub expired: Option<bool>,
}

/// The differences between two tokens: `a` is "the one that works" (previous), `b` the one diagnosed.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Comparison {
    /// The working token.
    pub a: Side,
    /// The failing token.
    pub b: Side,
    /// Scopes in `b` but not `a`.
    pub scopes_gained: Vec<String>,
    /// Scopes in `a` but not `b`.
    pub scopes_lost: Vec<String>,
    /// Roles in `b` but not `a`.
    pub roles_gained: Vec<String>,
    /// Roles in `a` but not `b`.
    pub roles_lost: Vec<String>,
    /// Whether each aspect is the same: `audience`, `issuer`, `grant`, `client`, `subject`, `lifetime`.
    pub same: std::collections::BTreeMap<String, bool>,
    /// True when both are the very same token.
    pub identical: bool,
    /// Plain-language differences, most telling first.
    pub notes: Vec<String>,
}

/// One side, and the token it was read from ("" when none was found).
fn side(text: &str, now: i64) -> (Side, String) {
    let r = input::recognize(text);
    let token = r.token.unwrap_or_default();
    let d = jose::decode(&token);
    let kind = if token.is_empty() {
        "none"
    } else {
        d.shape.name()
    };
    let c: Option<Claims> = d
        .payload
        .as_ref()
        .or(r.claims.as_ref())
        .map(|p| claims::normalize(p, d.header.as_ref()));
    let exp = c
        .as_ref()
        .and_then(|c| c.expires.as_ref())
        .and_then(|t| t.seconds);
    let iat = c
        .as_ref()
        .and_then(|c| c.issued_at.as_ref())
        .and_then(|t| t.seconds);
    let side = Side {
        kind: kind.into(),
        issuer: c.as_ref().and_then(|c| c.issuer.clone()),
        audiences: c.as_ref().map(|c| c.audiences.clone()).unwrap_or_default(),
        scopes: c.as_ref().map(|c| c.scopes.clone()).unwrap_or_default(),
        roles: c.as_ref().map(|c| c.roles.clone()).unwrap_or_default(),
        grant: c.as_ref().map_or(Grant::Unknown, |c| c.grant),
        client_id: c.as_ref().and_then(|c| c.client_id.clone()),
        subject: c.as_ref().and_then(|c| c.subject.clone()),
        issued_at: iat,
        expires: exp,
        lifetime: exp.zip(iat).map(|(e, i)| e.saturating_sub(i)),
        expired: exp.map(|e| e < now),
    };
    (side, token)
}

/// The values as the page shows names and values, each in backticks (a code span; and in the Markdown report,
/// text that makes no link), `none` when there are none.
fn quoted(values: &[String]) -> String {
    if values.is_empty() {
        return "none".into();
    }
    values
        .iter()
        .map(|v| format!("`{v}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The items of `a` that are not in `b`, in `a`'s order (a set, not a scan: tokens may hold thousands of scopes).
fn minus(a: &[String], b: &[String]) -> Vec<String> {
    let b: std::collections::HashSet<&str> = b.iter().map(String::as_str).collect();
    a.iter()
        .filter(|x| !b.contains(x.as_str()))
        .cloned()
        .collect()
}

/// Compares `previous` (the token that works) with `current` (the one that fails), at `now`. A side longer
/// than [`MAX_INPUT_BYTES`](crate::limits::MAX_INPUT_BYTES) is not read (a note says so), as `diagnose` does.
pub fn compare(previous: &str, current: &str, now: i64) -> Comparison {
    let max = crate::limits::MAX_INPUT_BYTES;
    let within = |text: &str| text.len() <= max;
    let (a, token_a) = side(if within(previous) { previous } else { "" }, now);
    let (b, token_b) = side(if within(current) { current } else { "" }, now);
    let mut same = std::collections::BTreeMap::new();
    same.insert("audience".to_string(), a.audiences == b.audiences);
    same.insert("issuer".to_string(), a.issuer == b.issuer);
    same.insert("grant".to_string(), a.grant == b.grant);
    same.insert("client".to_string(), a.client_id == b.client_id);
    same.insert("subject".to_string(), a.subject == b.subject);
    same.insert("lifetime".to_string(), a.lifetime == b.lifetime);
    let scopes_gained = minus(&b.scopes, &a.scopes);
    let scopes_lost = minus(&a.scopes, &b.scopes);
    let roles_gained = minus(&b.roles, &a.roles);
    let roles_lost = minus(&a.roles, &b.roles);
    let identical = !token_a.is_empty() && token_a == token_b;
    let mut notes = Vec::new();
    for (which, text) in [("working", previous), ("failing", current)] {
        if !within(text) {
            notes.push(format!(
                "The {which} token was not read: it is {} bytes, and Token Doctor reads at most {max} bytes.",
                text.len()
            ));
        }
    }
    if identical {
        notes.push("Both are the same token: if one call works and the other does not, the difference is in the operation, not the token.".to_string());
    }
    if !scopes_lost.is_empty() {
        notes.push(format!(
            "The failing token lacks {} that the working one has.",
            quoted(&scopes_lost)
        ));
    }
    if !roles_lost.is_empty() {
        notes.push(format!(
            "The failing token lacks the roles {}.",
            quoted(&roles_lost)
        ));
    }
    if a.grant != b.grant {
        notes.push(format!("The grant differs: the working token is {:?}, the failing one {:?} (user vs app-only).", a.grant, b.grant).to_lowercase());
    }
    if a.audiences != b.audiences {
        notes.push(format!(
            "The audience differs: {} vs {}.",
            quoted(&a.audiences),
            quoted(&b.audiences)
        ));
    }
    if a.issuer != b.issuer {
        notes.push(format!(
            "The issuer differs: {} vs {}.",
            quoted(a.issuer.as_slice()),
            quoted(b.issuer.as_slice())
        ));
    }
    if a.client_id != b.client_id {
        notes.push("They were issued to different clients: the failing step may use another connection or app.".to_string());
    }
    if let (Some(ia), Some(ib)) = (a.issued_at, b.issued_at) {
        if ib < ia && (!scopes_gained.is_empty() || !scopes_lost.is_empty()) {
            notes.push("The failing token is older than the working one: it may be a cached token from before the app's scopes changed.".to_string());
        }
    }
    if b.expired == Some(true) && a.expired != Some(true) {
        notes.push("The failing token has expired; the working one has not.".to_string());
    }
    if notes.is_empty() {
        notes.push("No difference in scopes, audience, issuer, grant or client.".to_string());
    }
    Comparison {
        a,
        b,
        scopes_gained,
        scopes_lost,
        roles_gained,
        roles_lost,
        same,
        identical,
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn jwt(claims: &str) -> String {
        let e = |s: &str| base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s);
        format!("{}.{}.c2ln", e(r#"{"alg":"RS256"}"#), e(claims))
    }

    #[test]
    fn scopes_lost_and_older_token() {
        let works =
            jwt(r#"{"iss":"i","aud":"api","scope":"read write","iat":200,"exp":4000,"sub":"u"}"#);
        let fails = jwt(r#"{"iss":"i","aud":"api","scope":"read","iat":100,"exp":3900,"sub":"u"}"#);
        let c = compare(&works, &fails, 150);
        assert_eq!(c.scopes_lost, vec!["write"]);
        assert!(c.scopes_gained.is_empty());
        assert!(c.notes.iter().any(|n| n.contains("older")), "{:?}", c.notes);
        assert_eq!(c.same.get("audience"), Some(&true));
    }

    #[test]
    fn identical_tokens() {
        let t = jwt(r#"{"sub":"u"}"#);
        assert!(compare(&t, &format!("Bearer {t}"), 0).identical);
    }

    #[test]
    fn blank_and_oversized_sides_are_not_the_same_token() {
        let t = jwt(r#"{"sub":"u","scope":"read"}"#);
        assert!(!compare("", "", 0).identical);
        let huge = format!("{t}{}", " ".repeat(crate::limits::MAX_INPUT_BYTES));
        let c = compare(&huge, &t, 0);
        assert_eq!(c.a.kind, "none");
        assert_eq!(c.b.kind, "jws");
        assert_eq!(c.b.scopes, vec!["read"]);
        assert!(!c.identical);
        assert!(
            c.notes
                .iter()
                .any(|n| n.starts_with("The working token was not read")),
            "{:?}",
            c.notes
        );
    }

    #[test]
    fn thousands_of_scopes_are_compared_as_sets() {
        let many: Vec<String> = (0..20_000).map(|i| format!("s{i}")).collect();
        let works = jwt(&format!(r#"{{"scope":"{}"}}"#, many.join(" ")));
        let fails = jwt(&format!(r#"{{"scope":"{} extra"}}"#, many[1..].join(" ")));
        let c = compare(&works, &fails, 0);
        assert_eq!(c.scopes_lost, vec!["s0"]);
        assert_eq!(c.scopes_gained, vec!["extra"]);
    }
}
