//! The report: what `diagnose` answers. Plain data, serialized to a JSON-compatible object for JS.

use serde::Serialize;
use serde::ser::{SerializeMap, Serializer};
use serde_json::{Map, Value};
use std::rc::Rc;

/// The one-word answer to "will this call be allowed?".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    /// Readable token, known requirements, every visible requirement met.
    Allowed,
    /// At least one cause that alone makes the call fail.
    Denied,
    /// Not enough is known to say either.
    Unknown,
}

/// How much a finding matters; findings are ordered errors first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Alone enough to make the call fail.
    Error,
    /// Likely trouble, or a requirement that cannot be checked.
    Warning,
    /// Context that helps the reader.
    Info,
}

/// One piece of evidence: where it was seen and what it says.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Evidence {
    /// Where: `claim scp`, `header alg`, `response WWW-Authenticate`, `matrix`, ...
    pub source: String,
    /// What was seen there, as text (never interpreted as HTML).
    pub text: String,
}

/// One cause or observation, with the evidence for it and the steps that fix it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Finding {
    /// Stable machine code, e.g. `scope.missing`; documented in the README.
    pub code: String,
    /// Error, warning or info.
    pub severity: Severity,
    /// One sentence a support engineer can read out.
    pub title: String,
    /// The explanation.
    pub detail: String,
    /// What shows it.
    pub evidence: Vec<Evidence>,
    /// Concrete steps, in the platform's own terms where it is known.
    pub fix: Vec<String>,
    /// Ranking weight within a severity: higher is more likely the root cause.
    #[serde(skip)]
    pub weight: u32,
}

impl Finding {
    /// A finding with no evidence or fix yet.
    pub fn new(
        code: &str,
        severity: Severity,
        title: impl Into<String>,
        detail: impl Into<String>,
    ) -> Self {
        Finding {
            code: code.to_string(),
            severity,
            title: title.into(),
            detail: detail.into(),
            evidence: Vec::new(),
            fix: Vec::new(),
            weight: 50,
        }
    }

    /// Adds one piece of evidence.
    pub fn evidence(mut self, source: impl Into<String>, text: impl Into<String>) -> Self {
        self.evidence.push(Evidence {
            source: source.into(),
            text: text.into(),
        });
        self
    }

    /// Adds one fix step.
    pub fn fix(mut self, step: impl Into<String>) -> Self {
        self.fix.push(step.into());
        self
    }

    /// Sets the ranking weight (0..=100; higher ranks first within its severity).
    pub fn weight(mut self, weight: u32) -> Self {
        self.weight = weight;
        self
    }
}

/// State of one requirement of the operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum RequirementState {
    /// The token shows it is satisfied.
    Met,
    /// The token shows it is not satisfied.
    Unmet,
    /// Cannot be told from what was given.
    Unknown,
}

/// One requirement of the operation and whether the token meets it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RequirementCheck {
    /// `scope`, `permission`, `user_context`, `audience`, `issuer`, `token_kind`, ...
    pub kind: String,
    /// What is required, in words (`any of: conversations | conversations:call`).
    pub required: String,
    /// Met, unmet or unknown.
    pub state: RequirementState,
    /// What the token (or introspection, or response) shows.
    pub evidence: String,
    /// Where the requirement comes from (matrix provenance, response challenge, user expectation).
    pub source: String,
}

/// The whole answer of `diagnose`.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct Report {
    /// `allowed`, `denied` or `unknown`.
    pub verdict: Verdict,
    /// One sentence: the verdict and its main reason.
    pub summary: String,
    /// What the pasted input was recognized as.
    pub recognized: String,
    /// Ranked findings: most likely root cause first; errors, then warnings, then info.
    pub findings: Vec<Finding>,
    /// The decoded token, when there is one (header, claims, signature length, kind).
    pub token: Option<TokenView>,
    /// Normalized claims (scopes, roles, grant, subject, times, ...) and the display list of the claims.
    pub claims: Option<ClaimsView>,
    /// The operation called and the matrix entry it matched.
    pub operation: Option<Value>,
    /// Each requirement with met / unmet / unknown.
    pub requirements: Vec<RequirementCheck>,
    /// Signature state: `not_checked` until a key is given (see the signature module).
    pub signature: Value,
    /// The platform used (id and name) and how it was chosen.
    pub platform: Option<Value>,
    /// Differences against `previous`, when given.
    pub comparison: Option<Value>,
    /// The `now` used, in unix seconds.
    pub now: i64,
}

/// Orders findings: severity first, then weight (higher first); stable for equal keys.
pub fn rank(findings: &mut [Finding]) {
    crate::order::sort_by(findings, |a, b| {
        a.severity.cmp(&b.severity).then(b.weight.cmp(&a.weight))
    });
}

/// The verdict that follows from ranked findings and whether every requirement was known and met.
pub fn verdict_of(findings: &[Finding], requirements_known_and_met: bool) -> Verdict {
    if findings.iter().any(|f| f.severity == Severity::Error) {
        Verdict::Denied
    } else if requirements_known_and_met {
        Verdict::Allowed
    } else {
        Verdict::Unknown
    }
}

/// `report.token`: the decoded (not verified) token. It keeps the decoded header and payload as they are and
/// writes them (and the display list of the header) straight into the report's JSON, without copying them into a
/// JSON tree first: `{ header, headerList, issues, kind, payload, payloadText, segments, signatureLength }`.
#[derive(Debug, Clone, PartialEq)]
pub struct TokenView {
    /// `jws`, `jwe`, `opaque` or `malformed`.
    pub kind: &'static str,
    /// Number of dot-separated segments.
    pub segments: usize,
    /// The JOSE header, when it decoded to a JSON object.
    pub header: Option<Map<String, Value>>,
    /// The payload, when it decoded to a JSON object (shared with [`ClaimsView::listed`]).
    pub payload: Option<Rc<Map<String, Value>>>,
    /// The payload as text when it is not a JSON object.
    pub payload_text: Option<String>,
    /// Length of the decoded signature in bytes.
    pub signature_length: usize,
    /// What went wrong or looked odd, segment by segment.
    pub issues: Vec<crate::jose::SegmentIssue>,
}

impl TokenView {
    /// The view of a decoded token; its header and payload move in (nothing is copied).
    pub fn new(d: crate::jose::DecodedToken) -> TokenView {
        TokenView {
            kind: d.shape.name(),
            segments: d.segments,
            header: d.header,
            payload: d.payload.map(Rc::new),
            payload_text: d.payload_text,
            signature_length: d.signature_len,
            issues: d.issues,
        }
    }
}

/// Serializes `items` as a JSON array, each through `f` (for lists computed while they are written).
struct SeqOf<I>(std::cell::Cell<Option<I>>);

impl<I: Iterator<Item = T>, T: Serialize> Serialize for SeqOf<I> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        match self.0.take() {
            Some(items) => s.collect_seq(items),
            None => s.collect_seq(std::iter::empty::<T>()),
        }
    }
}

fn seq_of<I: Iterator<Item = T>, T: Serialize>(items: I) -> SeqOf<I> {
    SeqOf(std::cell::Cell::new(Some(items)))
}

/// One member of a display list: `{ explanation, name, personal?, relative?, utc?, value }` (keys in the order
/// the report has always had them: sorted).
struct ListItem<'a> {
    name: &'a str,
    value: &'a Value,
    explanation: &'static str,
    time: Option<(i64, i64)>,
    personal: bool,
}

impl Serialize for ListItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("explanation", self.explanation)?;
        m.serialize_entry("name", self.name)?;
        if self.personal {
            m.serialize_entry("personal", &true)?;
        }
        if let Some((t, now)) = self.time {
            m.serialize_entry("relative", &crate::time::relative(t, now))?;
            m.serialize_entry("utc", &crate::time::utc(t))?;
        }
        m.serialize_entry("value", self.value)?;
        m.end()
    }
}

/// One entry of `token.issues`: `{ fatal, message, segment }`.
struct IssueItem<'a>(&'a crate::jose::SegmentIssue);

impl Serialize for IssueItem<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("fatal", &self.0.fatal)?;
        m.serialize_entry("message", &self.0.message)?;
        m.serialize_entry("segment", self.0.segment)?;
        m.end()
    }
}

impl Serialize for TokenView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let header_list = self.header.as_ref().map(|h| {
            seq_of(
                h.iter()
                    .take(crate::limits::MAX_CLAIMS_SHOWN)
                    .map(|(name, value)| ListItem {
                        name,
                        value,
                        explanation: crate::claims::explain_header(name),
                        time: None,
                        personal: false,
                    }),
            )
        });
        let mut m = s.serialize_map(Some(8))?;
        m.serialize_entry("header", &self.header)?;
        m.serialize_entry("headerList", &header_list)?;
        m.serialize_entry("issues", &seq_of(self.issues.iter().map(IssueItem)))?;
        m.serialize_entry("kind", self.kind)?;
        m.serialize_entry("payload", &self.payload.as_deref())?;
        m.serialize_entry("payloadText", &self.payload_text)?;
        m.serialize_entry("segments", &self.segments)?;
        m.serialize_entry("signatureLength", &self.signature_length)?;
        m.end()
    }
}

/// `report.claims`: the normalized claims plus `list` (each claim with its one-line explanation and, for times,
/// UTC and relative text), `omitted` (how many were not listed, when any) and `skewSeconds`. Written straight
/// from the claims, members in sorted order as the report always had them (a test holds the names to those of
/// [`crate::claims::Claims`]).
#[derive(Debug, Clone, PartialEq)]
pub struct ClaimsView {
    /// The normalized claims.
    pub claims: crate::claims::Claims,
    /// The claims listed: the token's payload, or the claims pasted.
    pub listed: Option<Rc<Map<String, Value>>>,
    /// The time relative times are told from, unix seconds.
    pub now: i64,
}

/// A [`crate::claims::TimeClaim`] with its members in sorted order: `{ problem, raw, seconds }`.
struct TimeView<'a>(&'a crate::claims::TimeClaim);

impl Serialize for TimeView<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let mut m = s.serialize_map(Some(3))?;
        m.serialize_entry("problem", &self.0.problem)?;
        m.serialize_entry("raw", &self.0.raw)?;
        m.serialize_entry("seconds", &self.0.seconds)?;
        m.end()
    }
}

impl Serialize for ClaimsView {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use crate::limits::{CLOCK_SKEW_SECONDS, MAX_CLAIMS_SHOWN};
        let now = self.now;
        let listed = self.listed.as_deref();
        let list = seq_of(
            listed
                .into_iter()
                .flat_map(|m| m.iter().take(MAX_CLAIMS_SHOWN))
                .map(move |(name, value)| ListItem {
                    name,
                    value,
                    explanation: crate::claims::explain(name),
                    time: crate::claims::is_time(name)
                        .then(|| value.as_i64())
                        .flatten()
                        .map(|t| (t, now)),
                    personal: crate::claims::is_personal(name),
                }),
        );
        let omitted = listed.map_or(0, Map::len).saturating_sub(MAX_CLAIMS_SHOWN);
        let c = &self.claims;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("audienceProblem", &c.audience_problem)?;
        m.serialize_entry("audiences", &c.audiences)?;
        m.serialize_entry("clientId", &c.client_id)?;
        m.serialize_entry("confirmation", &c.confirmation)?;
        m.serialize_entry("expires", &c.expires.as_ref().map(TimeView))?;
        m.serialize_entry("grant", &c.grant)?;
        m.serialize_entry("grantReason", &c.grant_reason)?;
        m.serialize_entry("issuedAt", &c.issued_at.as_ref().map(TimeView))?;
        m.serialize_entry("issuer", &c.issuer)?;
        m.serialize_entry("keycloakRoles", &c.keycloak_roles)?;
        m.serialize_entry("kind", &c.kind)?;
        m.serialize_entry("kindReason", &c.kind_reason)?;
        m.serialize_entry("list", &list)?;
        m.serialize_entry("notBefore", &c.not_before.as_ref().map(TimeView))?;
        if omitted > 0 {
            m.serialize_entry("omitted", &omitted)?;
        }
        m.serialize_entry("roles", &c.roles)?;
        m.serialize_entry("rolesClaim", &c.roles_claim)?;
        m.serialize_entry("scopeClaim", &c.scope_claim)?;
        m.serialize_entry("scopeProblem", &c.scope_problem)?;
        m.serialize_entry("scopes", &c.scopes)?;
        m.serialize_entry("skewSeconds", &CLOCK_SKEW_SECONDS)?;
        m.serialize_entry("subject", &c.subject)?;
        m.serialize_entry("tenant", &c.tenant)?;
        m.serialize_entry("version", &c.version)?;
        m.end()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn b64(s: &str) -> String {
        use base64::Engine;
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(s)
    }

    /// The views are written in the order a JSON tree of the same report has (sorted keys at every level), with
    /// the same members.
    #[test]
    fn views_write_what_a_json_tree_of_them_writes() {
        let token = format!(
            "{}.{}.{}",
            b64(r#"{"typ":"JWT","alg":"RS256","kid":"k1"}"#),
            b64(
                r#"{"sub":"a","exp":1700003600,"name":"Ada","scp":"read write","aud":["x","y"],"xms":{"b":1,"a":[true,null]},"iat":"soon"}"#
            ),
            b64("sig")
        );
        let mut d = crate::jose::decode(&token);
        d.issues.push(crate::jose::SegmentIssue {
            segment: "payload",
            fatal: false,
            message: "odd".into(),
        });
        let normalized = crate::claims::normalize(d.payload.as_ref().unwrap(), d.header.as_ref());
        let view = TokenView::new(d);
        let claims = ClaimsView {
            claims: normalized.clone(),
            listed: view.payload.clone(),
            now: 1_700_000_000,
        };
        for text in [
            serde_json::to_string(&view).unwrap(),
            serde_json::to_string(&claims).unwrap(),
        ] {
            let tree: Value = serde_json::from_str(&text).unwrap();
            assert_eq!(serde_json::to_string(&tree).unwrap(), text);
        }
        let t = serde_json::to_value(&view).unwrap();
        assert_eq!(t["kind"], "jws");
        assert_eq!(t["signatureLength"], 3);
        assert_eq!(t["payload"]["xms"]["a"][0], true);
        assert_eq!(t["headerList"][0]["name"], "alg");
        assert_eq!(t["issues"][0]["message"], "odd");
        let c = serde_json::to_value(&claims).unwrap();
        // Every member of the normalized claims is there, with the value their own serialization gives.
        let mut members = c.as_object().unwrap().clone();
        for added in ["list", "skewSeconds"] {
            members.remove(added).expect(added);
        }
        assert_eq!(
            Value::Object(members),
            serde_json::to_value(&normalized).unwrap()
        );
        assert_eq!(c["skewSeconds"], 300);
        assert!(c.get("omitted").is_none());
        assert_eq!(c["scopes"][1], "write");
        let list = c["list"].as_array().unwrap();
        assert_eq!(list.len(), 7);
        let exp = list.iter().find(|i| i["name"] == "exp").unwrap();
        assert_eq!(exp["relative"], "in 1 h 0 min");
        assert!(exp["utc"].as_str().unwrap().starts_with("2023-11-14"));
        let name = list.iter().find(|i| i["name"] == "name").unwrap();
        assert_eq!(name["personal"], true);
        let iat = list.iter().find(|i| i["name"] == "iat").unwrap();
        assert!(iat.get("utc").is_none(), "a string time is not converted");
    }
}
