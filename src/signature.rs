//! Signature state of a token: `not_checked` until keys are given; `token.unsigned` for `alg: none`.
//! (Verification itself is built by the signature issue; this module owns it.)

use crate::jose::DecodedToken;
use crate::report::{Finding, Severity};
use serde_json::{Value, json};

/// What the report says about the signature, and the findings that go with it.
#[derive(Debug, Clone, PartialEq)]
pub struct SignatureAssessment {
    /// `{ status: "verified" | "invalid" | "not_checked" | "unsupported", alg, kid, key }`.
    pub state: Value,
    /// `signature.*` and `token.unsigned` findings.
    pub findings: Vec<Finding>,
}

/// Assesses the signature of `token` (its compact text) given the optional `keys` of the request.
pub fn assess(_token: &str, decoded: &DecodedToken, _keys: Option<&Value>) -> SignatureAssessment {
    let alg = decoded.alg().map(str::to_string);
    let kid = decoded.header.as_ref().and_then(|h| h.get("kid")).and_then(Value::as_str).map(str::to_string);
    let mut findings = Vec::new();
    if alg.as_deref().is_some_and(|a| a.eq_ignore_ascii_case("none")) && decoded.shape == crate::jose::TokenShape::Jws {
        findings.push(
            Finding::new(
                "token.unsigned",
                Severity::Error,
                "The token is unsigned (alg: none)",
                "Its header says `alg: none` and it carries no signature, so anyone could have written it. APIs reject unsigned tokens (RFC 8725 §3.2).",
            )
            .evidence("header alg", "none")
            .fix("Get the token from the real authorization server; a test or mock issuer made this one.")
            .weight(85),
        );
    }
    SignatureAssessment { state: json!({ "status": "not_checked", "alg": alg, "kid": kid, "key": null }), findings }
}
