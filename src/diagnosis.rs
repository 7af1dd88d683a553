//! The diagnosis: turns a request into a ranked report. Pure: no clock, no network.

use crate::claims::{self, Claims};
use crate::input::{self, Recognized};
use crate::jose::{self, DecodedToken, TokenShape};
use crate::registry::Registry;
use crate::report::{self, Finding, Report, Severity, Verdict};
use crate::request::Request;
use serde_json::{Value, json};

/// Everything the rules look at, gathered once.
pub struct Context<'a> {
    /// The request.
    pub request: &'a Request,
    /// The installed platforms.
    pub registry: &'a Registry,
    /// Unix seconds.
    pub now: i64,
    /// What the input was.
    pub recognized: Recognized,
    /// The decoded token, when there is a token.
    pub decoded: Option<DecodedToken>,
    /// Normalized claims, when readable.
    pub claims: Option<Claims>,
}

/// Diagnoses a request against the installed platforms. Never panics; every problem is a finding.
pub fn diagnose(request: &Request, registry: &Registry) -> Report {
    #[allow(clippy::cast_possible_truncation)]
    let now = request
        .now
        .filter(|n| n.is_finite())
        .map_or(0, |n| n as i64);
    let mut findings: Vec<Finding> = Vec::new();
    let recognized = if request.input.len() > crate::limits::MAX_INPUT_BYTES {
        findings.push(
            Finding::new(
                "input.too_large",
                Severity::Error,
                "The paste is too large to be a token",
                format!(
                    "It is {} bytes; Token Doctor reads at most {} bytes. Tokens are a few kilobytes.",
                    request.input.len(),
                    crate::limits::MAX_INPUT_BYTES
                ),
            )
            .fix("Paste only the token, the Authorization header, or the token response."),
        );
        Recognized {
            kind: "text",
            description: "a paste too large to read".into(),
            ..Default::default()
        }
    } else {
        input::recognize(&request.input)
    };
    findings.extend(recognized.findings.iter().cloned());
    let decoded = recognized.token.as_deref().map(jose::decode);
    let claims_map = decoded
        .as_ref()
        .and_then(|d| d.payload.clone())
        .or_else(|| recognized.claims.clone());
    let claims = claims_map
        .as_ref()
        .map(|m| claims::normalize(m, decoded.as_ref().and_then(|d| d.header.as_ref())));
    let mut ctx = Context {
        request,
        registry,
        now,
        recognized,
        decoded,
        claims,
    };

    token_findings(&mut ctx, &mut findings);

    report::rank(&mut findings);
    let verdict = report::verdict_of(&findings, false);
    let summary = summary_of(verdict, &findings);
    Report {
        verdict,
        summary,
        recognized: ctx.recognized.description.clone(),
        findings,
        token: ctx.decoded.as_ref().map(token_json),
        claims: ctx
            .claims
            .as_ref()
            .and_then(|c| serde_json::to_value(c).ok()),
        operation: None,
        requirements: Vec::new(),
        signature: json!({"status": "not_checked"}),
        platform: None,
        comparison: None,
        now,
    }
}

fn summary_of(verdict: Verdict, findings: &[Finding]) -> String {
    let first = findings.first().map(|f| f.title.as_str()).unwrap_or("");
    match verdict {
        Verdict::Denied => format!("Denied: {first}"),
        Verdict::Allowed => {
            "Allowed: the token meets every requirement Token Doctor can see.".into()
        }
        Verdict::Unknown if first.is_empty() => "Unknown: not enough information to tell.".into(),
        Verdict::Unknown => format!("Unknown: {first}"),
    }
}

fn token_json(d: &DecodedToken) -> Value {
    let kind = match d.shape {
        TokenShape::Jws => "jws",
        TokenShape::Jwe => "jwe",
        TokenShape::Opaque => "opaque",
        TokenShape::Malformed => "malformed",
    };
    json!({
        "kind": kind,
        "segments": d.segments,
        "header": d.header,
        "payload": d.payload,
        "payloadText": d.payload_text,
        "signatureLength": d.signature_len,
        "issues": d.issues.iter().map(|i| json!({"segment": i.segment, "fatal": i.fatal, "message": i.message})).collect::<Vec<_>>(),
    })
}

fn token_findings(ctx: &mut Context, out: &mut Vec<Finding>) {
    let r = &ctx.recognized;
    if r.kind == "empty" {
        out.push(
            Finding::new("input.empty", Severity::Info, "Nothing to diagnose yet", "Paste a token, an Authorization header, a token response, a curl command or an introspection response.")
                .fix("Paste what your integration sends, and the operation it calls."),
        );
        return;
    }
    let Some(d) = &ctx.decoded else {
        if r.token.is_none()
            && r.claims.is_none()
            && r.introspection.is_none()
            && !out.iter().any(|f| f.code.starts_with("input."))
        {
            out.push(
                Finding::new("input.no_token", Severity::Error, "No token found in the paste", format!("The paste was read as {}.", r.description))
                    .fix("Paste the access token, the Authorization header, or the whole token response."),
            );
        }
        return;
    };
    match d.shape {
        TokenShape::Opaque => out.push(
            Finding::new(
                "token.opaque",
                Severity::Info,
                "The token is opaque (not a JWT)",
                "Only the server that issued it can say what it grants: its scopes, expiry and user are not readable here.",
            )
            .fix("Ask the authorization server: use introspection (RFC 7662) or, on Genesys Cloud, GET /api/v2/tokens/me.")
            .weight(40),
        ),
        TokenShape::Malformed => out.push(
            Finding::new(
                "token.malformed",
                Severity::Error,
                "The token is malformed",
                format!(
                    "It has {} dot-separated segments; a JWT has 3 (signed) or 5 (encrypted), an opaque token none. It was probably cut off or joined with something else.",
                    d.segments
                ),
            )
            .fix("Copy the token again from its source, whole.")
            .weight(95),
        ),
        TokenShape::Jws | TokenShape::Jwe => {
            let fatal: Vec<&jose::SegmentIssue> = d.issues.iter().filter(|i| i.fatal).collect();
            if !fatal.is_empty() {
                let mut f = Finding::new(
                    "token.malformed",
                    Severity::Error,
                    "The token is malformed",
                    fatal.iter().map(|i| i.message.as_str()).collect::<Vec<_>>().join("; "),
                )
                .fix("Copy the token again from its source, whole; the API rejects a token it cannot parse with 401.")
                .weight(95);
                for i in &fatal {
                    f = f.evidence(format!("token {}", i.segment), i.message.clone());
                }
                out.push(f);
            }
            for i in d.issues.iter().filter(|i| !i.fatal) {
                out.push(
                    Finding::new("token.encoding", Severity::Warning, "The token's encoding is not strict", i.message.clone())
                        .evidence(format!("token {}", i.segment), i.message.clone())
                        .fix("Send the token exactly as the authorization server issued it."),
                );
            }
        }
    }
}
