//! The diagnosis: turns a request into a ranked report. Pure: no clock, no network.
//!
//! The flow: recognize the paste → decode the token → normalize claims → read introspection and the API's
//! response → find the platform and the operation's matrix entry → run the rules (each adds findings with
//! evidence and fixes) → rank → verdict. Each rule is a small function over [`Context`].

use crate::claims::{self, Claims, Grant, TimeClaim, TokenKind};
use crate::input::{self, Call, Recognized};
use crate::introspection::{self, Introspection};
use crate::jose::{self, DecodedToken, TokenShape};
use crate::limits::CLOCK_SKEW_SECONDS;
use crate::matrix::{Lookup, Matrix, Operation, PermissionMode, ScopeRequirement, UserContext};
use crate::registry::{self, Registry};
use crate::report::{self, Finding, Report, RequirementCheck, RequirementState, Severity, Verdict};
use crate::request::Request;
use crate::response::{self, ResponseInfo, Signal};
use serde_json::{Map, Value, json};

/// Everything the rules look at, gathered once.
pub struct Context<'a> {
    /// The request.
    pub request: &'a Request,
    /// Unix seconds.
    pub now: i64,
    /// What the input was.
    pub recognized: Recognized,
    /// The token text diagnosed.
    pub token: Option<String>,
    /// The decoded token, when there is a token.
    pub decoded: Option<DecodedToken>,
    /// Normalized claims, when readable.
    pub claims: Option<Claims>,
    /// What the authorization server said, when given.
    pub introspection: Option<Introspection>,
    /// What the API answered, when given.
    pub response: Option<ResponseInfo>,
    /// The operation called, when given.
    pub call: Option<Call>,
    /// The matrix in use (built-in or the user's), when there is one.
    pub matrix: Option<&'a Matrix>,
    /// The platform id, even when its matrix is not installed.
    pub platform_id: Option<String>,
    /// How the platform was chosen.
    pub platform_reason: String,
    /// The comparison with `previous` (the token that works), made once when first asked for: by a rule, or for
    /// the report.
    comparison: std::cell::OnceCell<Option<crate::compare::Comparison>>,
}

impl Context<'_> {
    /// The comparison of the token that works (`previous`, when given and not too large) with this one.
    fn comparison(&self) -> Option<&crate::compare::Comparison> {
        self.comparison
            .get_or_init(|| {
                self.request
                    .previous
                    .as_deref()
                    .filter(|p| !p.trim().is_empty() && p.len() <= crate::limits::MAX_INPUT_BYTES)
                    .zip(self.token.as_deref())
                    .map(|(p, t)| crate::compare::compare(p, t, self.now))
            })
            .as_ref()
    }

    /// The API's answer as pasted: the request's `response`, else the one found in the paste.
    fn response_text(&self) -> Option<&str> {
        self.request
            .response
            .as_deref()
            .or(self.recognized.response.as_deref())
    }

    /// The first 64 KB of [`Context::response_text`] in lower case, for rules that look for a phrase anywhere in it.
    fn response_text_lower(&self) -> Option<String> {
        self.response_text()
            .map(|t| crate::response::clip_bytes(t, 64 * 1024).to_ascii_lowercase())
    }

    /// Whether the API's response carries `signal`.
    fn response_says(&self, signal: &Signal) -> bool {
        self.response
            .as_ref()
            .is_some_and(|r| r.signals.contains(signal))
    }

    /// The response's error message, for evidence.
    fn response_message(&self) -> Option<String> {
        self.response.as_ref().and_then(|r| r.message.clone())
    }

    /// Whether the API rejected the token itself: a 401, or an `invalid_token` error.
    fn response_rejects_token(&self) -> bool {
        self.response
            .as_ref()
            .is_some_and(|r| r.status == Some(401) || r.signals.contains(&Signal::InvalidToken))
    }
}

/// The token facts that the requirement checks use, merged from claims and introspection.
struct Facts {
    /// Scopes held; None = cannot be seen (opaque token without introspection).
    scopes: Option<Vec<String>>,
    /// Where the scopes were seen.
    scope_source: String,
    /// App roles / application permissions held.
    roles: Vec<String>,
    /// User or app-only.
    grant: Grant,
    /// Why.
    grant_reason: String,
}

/// A user-supplied matrix document, read once. The boundary keeps the last one, so that typing elsewhere on
/// the page does not import a 4 MB document again on every keystroke.
#[derive(Debug, Clone, PartialEq, Default)]
pub enum CustomMatrix {
    /// No document was given.
    #[default]
    None,
    /// The document exceeds `MAX_MATRIX_BYTES` (its size); it was not read.
    TooLarge(usize),
    /// What the importer made of it.
    Imported(Box<crate::openapi::Imported>),
}

impl CustomMatrix {
    /// Reads the request's `matrix` field (text or object).
    pub fn read(value: Option<&Value>) -> CustomMatrix {
        let Some(value) = value else {
            return CustomMatrix::None;
        };
        Self::read_text(&Request::text_of(value))
    }

    /// Reads a document given as text.
    pub fn read_text(text: &str) -> CustomMatrix {
        if text.trim().is_empty() {
            CustomMatrix::None
        } else if text.len() > crate::limits::MAX_MATRIX_BYTES {
            CustomMatrix::TooLarge(text.len())
        } else {
            CustomMatrix::Imported(Box::new(import(text)))
        }
    }
}

/// The document import. The first engine (built without the `full` feature) refuses a document with a problem
/// that says why; the page never sends it one, it loads the full engine first (README, "Two engines"). A constant
/// condition rather than `#[cfg]`: the importer is still compiled, and the linker leaves it out of the first
/// engine's wasm.
fn import(text: &str) -> crate::openapi::Imported {
    if cfg!(feature = "full") {
        crate::openapi::import(text)
    } else {
        crate::openapi::Imported {
            matrix: None,
            problems: vec![crate::openapi::ImportProblem {
                pointer: String::new(),
                message: FIRST_ENGINE_ONLY.into(),
                fatal: true,
            }],
            format: "unknown".into(),
        }
    }
}

/// Why the first engine (built without the `full` feature) read no document or keys.
pub(crate) const FIRST_ENGINE_ONLY: &str = "This is Token Doctor's first engine, built without the document import and the key readers; the page loads the full engine for them.";

/// Diagnoses a request against the installed platforms. Never panics; every problem is a finding.
pub fn diagnose(request: &Request, registry: &Registry) -> Report {
    diagnose_with(
        request,
        registry,
        &CustomMatrix::read(request.matrix.as_ref()),
    )
}

/// [`diagnose`] with the request's `matrix` already read (the request's own `matrix` field is not looked at).
pub fn diagnose_with(request: &Request, registry: &Registry, custom: &CustomMatrix) -> Report {
    #[allow(clippy::cast_possible_truncation)]
    let now = request
        .now
        .filter(|n| n.is_finite())
        .map_or(0, |n| n as i64);
    let mut findings: Vec<Finding> = Vec::new();

    // The operation is read first: of a terminal session's calls, the one to it is the call read.
    let op_text = request
        .operation
        .as_deref()
        .filter(|t| !t.trim().is_empty());
    let op_parsed = op_text
        .filter(|t| t.len() <= crate::limits::MAX_INPUT_BYTES)
        .map(input::parse_operation);
    let recognized = recognize_input(
        &request.input,
        op_parsed.as_ref().and_then(|(c, _)| c.as_ref()),
        &mut findings,
    );

    // The operation: a method + URL, or a curl / raw request that may carry the token too.
    // A request to the token or introspection endpoint is not the API call; its host still tells the region.
    let mut call = recognized
        .call
        .clone()
        .filter(|_| !matches!(recognized.kind, "token_request" | "introspection_request"));
    let mut recognized = recognized;
    if let Some(op_text) = op_text {
        if op_text.len() > crate::limits::MAX_INPUT_BYTES {
            findings.push(Finding::new(
                "input.too_large",
                Severity::Warning,
                "The operation field is too large",
                "It was ignored; give the method and URL, e.g. POST https://api.example.com/v1/things.",
            ));
        } else {
            let (op_call, op_recognized) = op_parsed.unwrap_or_default();
            if let Some(op_r) = op_recognized {
                if recognized.token.is_none() && op_r.token.is_some() {
                    findings.retain(|f| f.code != "input.no_token" && f.code != "input.empty");
                    findings.extend(op_r.findings.iter().cloned());
                    recognized.token = op_r.token.clone();
                    recognized.decoded = op_r.decoded.clone();
                    recognized.scheme = op_r.scheme.clone();
                    if recognized.kind == "empty" {
                        recognized.kind = op_r.kind;
                        recognized.description = op_r.description.clone();
                    }
                }
            }
            match op_call {
                Some(c) => call = Some(c),
                None if call.is_none() => findings.push(
                    Finding::new(
                        "operation.unreadable",
                        Severity::Warning,
                        "The operation could not be read",
                        "Give it as a method and a URL or path, e.g. \"POST https://api.mypurecloud.com/api/v2/conversations/calls\", or paste the curl command.",
                    )
                    .evidence("operation", crate::json::clip(op_text, 120)),
                ),
                None => {}
            }
        }
    }

    let token = recognized.token.clone();
    // Decoded once, while the input was recognized.
    let decoded = recognized
        .decoded
        .take()
        .or_else(|| token.as_deref().map(jose::decode));
    let claims = decoded
        .as_ref()
        .and_then(|d| d.payload.as_ref())
        .or(recognized.claims.as_ref())
        .map(|m| claims::normalize(m, decoded.as_ref().and_then(|d| d.header.as_ref())));

    let introspection = read_introspection(request, &recognized, &mut findings);
    if let Some(r) = request
        .response
        .as_deref()
        .filter(|r| r.len() > crate::limits::MAX_RESPONSE_BYTES)
    {
        findings.push(Finding::new(
            "response.truncated",
            Severity::Info,
            "Only the start of the API's response was read",
            format!(
                "The response is {} bytes; Token Doctor reads the first {} bytes (status line, headers and the start of the body carry the error).",
                r.len(),
                crate::limits::MAX_RESPONSE_BYTES
            ),
        ));
    }
    let response_text = request
        .response
        .clone()
        .filter(|r| !r.trim().is_empty())
        .or_else(|| recognized.response.clone());
    let response = response_text.as_deref().map(response::parse);
    if let Some(r) = response
        .as_ref()
        .filter(|r| r.earlier.iter().any(|&s| Some(s) != r.status))
    {
        let statuses: Vec<String> = r
            .earlier
            .iter()
            .chain(r.status.as_ref())
            .map(u16::to_string)
            .collect();
        findings.push(
            Finding::new(
                "response.several",
                Severity::Info,
                format!(
                    "The response holds {} answers; the last ({}) is read",
                    statuses.len(),
                    r.status.map_or_else(|| "no status".into(), |s| s.to_string())
                ),
                "Redirects followed by curl -i -L end with the API's answer; two calls' answers pasted one after the other are read as the last call's. If the failing call's answer is another, paste it alone.",
            )
            .evidence("response", statuses.join(", then ")),
        );
    }

    // A user-supplied matrix wins over the built-ins.
    let custom = custom_findings(custom, &mut findings);
    let mut ctx = Context {
        request,
        now,
        recognized,
        token,
        decoded,
        claims,
        introspection,
        response,
        call,
        matrix: None,
        platform_id: None,
        platform_reason: String::new(),
        comparison: std::cell::OnceCell::new(),
    };
    choose_platform(&mut ctx, registry, custom, &mut findings);

    token_shape_rules(&ctx, &mut findings);
    let signature = match (&ctx.token, &ctx.decoded) {
        (Some(t), Some(d)) if d.shape == TokenShape::Jws => {
            let a = crate::signature::assess(t, d, request.keys.as_ref());
            findings.extend(a.findings);
            a.state
        }
        _ => json!({ "status": "not_checked", "alg": null, "kid": null, "key": null }),
    };
    kind_rules(&ctx, &mut findings);
    time_rules(&ctx, &mut findings);
    binding_rules(&ctx, &mut findings);
    audience_issuer_rules(&ctx, &mut findings);
    introspection_rules(&ctx, &mut findings);
    let facts = facts_of(&ctx);
    let (requirements, operation_json, requirements_known) =
        operation_rules(&ctx, &facts, &mut findings);
    let response_requirements = response_rules(&ctx, &facts, &mut findings);
    let requirements: Vec<RequirementCheck> = requirements
        .into_iter()
        .chain(response_requirements.0)
        .collect();
    let requirements_known = requirements_known || response_requirements.1;
    user_endpoint_rule(&ctx, &facts, &mut findings);
    unknown_scope_rules(&ctx, &facts, &mut findings);
    // A variable in the header pasted (the command as written), while the API's answer shows it read a token: the
    // value was there when the call ran; the answer's cause is the one to look at.
    let read_a_token = answer_read_a_token(&ctx);
    if let Some(judged) = read_a_token {
        for f in findings.iter_mut().filter(|f| input::holds_stand_in(f)) {
            f.severity = Severity::Info;
            f.weight = 10;
            f.detail.push_str(if judged {
                " The API's answer judges the token's contents, so it read one: the call sent a token in its place, and the token itself is not in the paste."
            } else {
                " The API's answer shows it accepted a token (it refused the operation, or allowed it), so the call sent one in its place: the token itself is not in the paste."
            });
        }
    }
    // A token shortened with `...` when copied here, while the API's answer shows it read one: it was sent whole, so
    // the shortening is no cause (and the answer's own cause, or the fallback below, is said).
    if read_a_token.is_some() && ctx.token.as_deref().is_some_and(input::is_shortened) {
        for f in findings.iter_mut().filter(|f| f.code == "token.malformed") {
            f.severity = Severity::Info;
            f.weight = 10;
            f.fix.clear();
            f.detail.push_str(" The API's answer shows it read a whole token, so the token was shortened when copied here, not when sent: paste it whole to check its claims.");
        }
    }
    rejection_fallback(&ctx, &facts, requirements_known, &mut findings);
    other_status(&ctx, &mut findings);
    if ctx.call.is_none()
        && ctx.response.is_none()
        && ctx.token.is_some()
        && !findings.iter().any(|f| f.severity == Severity::Error)
    {
        findings.push(Finding::new(
            "operation.missing",
            Severity::Info,
            "Which operation was called?",
            "Give the operation (method and URL) to check the token against what it needs; without it only the token itself is checked.",
        ).weight(10));
    }
    let previous_too_large = request
        .previous
        .as_deref()
        .is_some_and(|p| p.len() > crate::limits::MAX_INPUT_BYTES);
    if let Some(p) = request.previous.as_deref().filter(|_| previous_too_large) {
        findings.push(Finding::new(
            "previous.too_large",
            Severity::Warning,
            "The token to compare with is too large to be a token",
            format!(
                "It is {} bytes; Token Doctor reads at most {} bytes. It was not compared.",
                p.len(),
                crate::limits::MAX_INPUT_BYTES
            ),
        ));
    }
    let comparison = ctx.comparison().cloned();

    if findings.iter().any(|f| f.code == "token.id_token") {
        for f in findings
            .iter_mut()
            .filter(|f| f.code == "audience.mismatch")
        {
            f.weight = f.weight.min(84);
        }
    }
    // The API accepted the call (a 2xx answer in hand, not a token endpoint's): what Token Doctor expected to fail
    // did not, for that call. Its errors become warnings that say so, and the verdict is the API's.
    let accepted = ctx
        .response
        .as_ref()
        .and_then(|r| r.status)
        .filter(|s| {
            (200..300).contains(s)
                && !matches!(
                    ctx.recognized.kind,
                    "token_request" | "introspection_request"
                )
        })
        .filter(|_| ctx.token.is_some())
        // Not a token endpoint's answer (it issues tokens; it says nothing of the API call), and not the last of
        // several answers after a refusal.
        .filter(|_| {
            !is_token_response(ctx.response_text().unwrap_or(""))
                && !ctx
                    .call
                    .as_ref()
                    .is_some_and(|c| crate::input::is_token_request(&c.path, ""))
                && !ctx
                    .response
                    .as_ref()
                    .is_some_and(|r| r.earlier.iter().any(|e| matches!(e, 401 | 403)))
                && !answers_another_call(request, &ctx)
        });
    if let Some(status) = accepted {
        let mut demoted = false;
        for f in findings
            .iter_mut()
            .filter(|f| f.severity == Severity::Error && !f.code.starts_with("input."))
        {
            f.severity = Severity::Warning;
            f.detail.push_str(&format!(" But the API answered {status} to the call pasted: it accepted it. If that answer is this call's, the token has what it needs in a way Token Doctor does not see (or its data is stricter than the API); if it is another call's, paste the failing call's answer."));
            demoted = true;
        }
        findings.push(
            Finding::new(
                "response.success",
                Severity::Info,
                format!("The API answered {status}: it accepted the call"),
                if demoted {
                    "The answer pasted is a success, so the call it answers was allowed: the problems Token Doctor found are shown as warnings."
                } else {
                    "The answer pasted is a success, so the call it answers was allowed."
                },
            )
            .evidence("response", status.to_string())
            .weight(if demoted { 95 } else { 10 }),
        );
    }
    // An Azure AD B2C user-flow token sent to Microsoft Graph cannot carry Graph permissions at all: the audience
    // is the cause, and the permissions it lacks are no fix.
    if ctx.platform_id.as_deref() == Some("microsoft-graph")
        && has_error(&findings, "audience.mismatch")
        && b2c_user_flow(&ctx).is_some()
    {
        for f in findings.iter_mut().filter(|f| f.code == "scope.missing") {
            f.severity = Severity::Info;
            f.weight = 10;
            f.fix.clear();
            f.detail.push_str(" An Azure AD B2C user-flow token never carries Microsoft Graph permissions: see the audience finding.");
        }
    }
    dedupe(&mut findings);
    report::rank(&mut findings);
    let all_met = requirements_known
        && ctx
            .decoded
            .as_ref()
            .is_none_or(|d| d.shape != TokenShape::Malformed)
        && requirements
            .iter()
            .all(|r| r.state == RequirementState::Met || r.kind == "permission");
    let mut verdict = report::verdict_of(
        &findings,
        (all_met || accepted.is_some()) && (ctx.token.is_some() || ctx.introspection.is_some()),
    );
    // The API refused: "allowed" stays only when the token shown meets every requirement and the refusal is put
    // down to another token having been sent (scope.stale, token.stale). (A cause it names is an error: rejection_fallback.)
    if refusal(&ctx).is_some()
        && verdict == Verdict::Allowed
        && !findings.iter().any(|f| STALE.contains(&f.code.as_str()))
    {
        verdict = Verdict::Unknown;
    }
    let summary = summary_of(verdict, &findings, ctx.call.as_ref());
    // The decoded token and the claims move into the report (written to JSON from there, not copied).
    let token = ctx.decoded.take().map(report::TokenView::new);
    let listed = token
        .as_ref()
        .and_then(|t| t.payload.clone())
        .or_else(|| ctx.recognized.claims.take().map(std::rc::Rc::new));
    let claims = claims_view(&mut ctx, listed);
    Report {
        verdict,
        summary,
        recognized: ctx.recognized.description.clone(),
        findings,
        token,
        claims,
        operation: operation_json,
        requirements,
        signature,
        platform: ctx.platform_id.as_ref().map(|id| {
            json!({
                "id": id,
                "name": ctx.matrix.map(|m| m.platform.name.clone()),
                "installed": ctx.matrix.is_some(),
                "reason": ctx.platform_reason,
            })
        }),
        comparison: comparison.and_then(|c| serde_json::to_value(c).ok()),
        now,
    }
}

fn recognize_input(
    text: &str,
    operation: Option<&input::Call>,
    findings: &mut Vec<Finding>,
) -> Recognized {
    let recognized = if text.len() > crate::limits::MAX_INPUT_BYTES {
        findings.push(
            Finding::new(
                "input.too_large",
                Severity::Error,
                "The paste is too large to be a token",
                format!(
                    "It is {} bytes; Token Doctor reads at most {} bytes. Tokens are a few kilobytes.",
                    text.len(),
                    crate::limits::MAX_INPUT_BYTES
                ),
            )
            .fix("Paste only the token, the Authorization header, or the token response.")
            .weight(100),
        );
        Recognized {
            kind: "text",
            description: "a paste too large to read".into(),
            ..Default::default()
        }
    } else {
        input::recognize_for(text, operation)
    };
    findings.extend(recognized.findings.iter().cloned());
    recognized
}

fn read_introspection(
    request: &Request,
    recognized: &Recognized,
    findings: &mut Vec<Finding>,
) -> Option<Introspection> {
    let unreadable = |detail: String| {
        Finding::new(
            "introspection.unreadable",
            Severity::Warning,
            "The introspection response is not a JSON object",
            detail,
        )
    };
    let value: Option<Value> = match &request.introspection {
        Some(Value::String(s)) if s.trim().is_empty() => None,
        Some(Value::String(s)) if s.len() > crate::limits::MAX_INPUT_BYTES => {
            findings.push(Finding::new(
                "introspection.too_large",
                Severity::Warning,
                "The introspection response is too large",
                format!(
                    "It is {} bytes; introspection answers are a few hundred bytes and Token Doctor reads at most {} bytes. It was not read.",
                    s.len(),
                    crate::limits::MAX_INPUT_BYTES
                ),
            ));
            None
        }
        Some(Value::String(s)) => match serde_json::from_str::<Value>(s) {
            Ok(v) => Some(v),
            Err(e) => {
                findings.push(unreadable(format!(
                    "It is not JSON: {} (line {}, column {}).",
                    crate::json::error_kind(&e),
                    e.line(),
                    e.column()
                )));
                None
            }
        },
        Some(Value::Null) | None => None,
        Some(v) => Some(v.clone()),
    };
    // One object, or several answers about the same token: an array, or `{ tokensMe, usersMe }` (Genesys).
    let mut objects: Vec<Map<String, Value>> = Vec::new();
    match value {
        Some(Value::Object(m)) if m.contains_key("tokensMe") || m.contains_key("usersMe") => {
            for key in ["tokensMe", "usersMe"] {
                if let Some(Value::Object(o)) = m.get(key) {
                    objects.push(o.clone());
                }
            }
        }
        Some(Value::Object(m)) => objects.push(m),
        Some(Value::Array(items)) => objects.extend(items.into_iter().filter_map(|i| match i {
            Value::Object(o) => Some(o),
            _ => None,
        })),
        Some(other) => findings.push(unreadable(format!(
            "It is {}; RFC 7662 answers with an object such as {{\"active\": true, ...}}.",
            crate::json::type_name(&other)
        ))),
        None => {}
    }
    if objects.is_empty() {
        objects.extend(recognized.introspection.clone());
    }
    // The answer pasted as the response of an introspection request is the introspection answer (Google's
    // tokeninfo, which has no `active`, read as one).
    if objects.is_empty() && recognized.kind == "introspection_request" {
        let tokeninfo = recognized
            .call
            .as_ref()
            .is_some_and(|c| input::is_tokeninfo(&c.path));
        objects.extend(
            request
                .response
                .as_deref()
                .or(recognized.response.as_deref())
                .and_then(|r| input::token_description(r, tokeninfo))
                .filter(|m| m.contains_key("active")),
        );
    }
    let mut merged: Option<Introspection> = None;
    for o in &objects {
        match introspection::read(o) {
            Some(i) => merged = Some(merged.map_or(i.clone(), |m| introspection::merge(m, i))),
            None => findings.push(Finding::new(
                "introspection.unreadable",
                Severity::Warning,
                "The introspection response has no `active` member",
                "RFC 7662 §2.2 requires `active`; Genesys tokens/me has `authorizedScope` and `OAuthClient`, users/me has `authorization`. This object has none of them.",
            )),
        }
    }
    merged
}

fn custom_findings<'c>(
    custom: &'c CustomMatrix,
    findings: &mut Vec<Finding>,
) -> Option<&'c Matrix> {
    let imported = match custom {
        CustomMatrix::None => return None,
        CustomMatrix::TooLarge(len) => {
            findings.push(Finding::new(
                "matrix.too_large",
                Severity::Warning,
                "The matrix document is too large",
                format!(
                    "It is {len} bytes; the limit is {} bytes. It was not read.",
                    crate::limits::MAX_MATRIX_BYTES
                ),
            ));
            return None;
        }
        CustomMatrix::Imported(i) => i,
    };
    for p in imported.problems.iter().take(20) {
        let where_ = if p.pointer.is_empty() {
            "the document".to_string()
        } else {
            format!("`{}`", p.pointer)
        };
        findings.push(
            Finding::new(
                "matrix.problem",
                if p.fatal {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                format!("The matrix document has a problem at {where_}"),
                p.message.clone(),
            )
            .evidence("matrix", format!("{} {}", imported.format, p.pointer)),
        );
    }
    if imported.problems.len() > 20 {
        findings.push(Finding::new(
            "matrix.problem",
            Severity::Info,
            format!(
                "{} more problems in the matrix document",
                imported.problems.len().saturating_sub(20)
            ),
            "Only the first 20 are listed.",
        ));
    }
    imported.matrix.as_ref()
}

fn choose_platform<'a>(
    ctx: &mut Context<'a>,
    registry: &'a Registry,
    custom: Option<&'a Matrix>,
    findings: &mut Vec<Finding>,
) {
    if let Some(m) = custom {
        ctx.matrix = Some(m);
        ctx.platform_id = Some(m.platform.id.clone());
        ctx.platform_reason = "your matrix document".into();
        return;
    }
    let (id, reason) = if let Some(p) = ctx
        .request
        .platform
        .as_deref()
        .filter(|p| !p.is_empty() && *p != "auto")
    {
        (Some(p.to_string()), "chosen".to_string())
    } else if let Some(p) = ctx
        .call
        .as_ref()
        .and_then(|c| c.host.as_deref())
        .and_then(registry::platform_for_host)
    {
        (Some(p.to_string()), "the operation's host".to_string())
    } else if let Some(p) =
        platform_from_token(ctx).filter(|_| ctx.call.as_ref().is_none_or(|c| c.host.is_none()))
    {
        (
            Some(p.to_string()),
            "the token's issuer or audience".to_string(),
        )
    } else if ctx
        .introspection
        .as_ref()
        .is_some_and(|i| i.source.starts_with("genesys"))
    {
        (
            Some("genesys-cloud".to_string()),
            "the Genesys tokens/me response".to_string(),
        )
    } else if let Some(p) = ctx
        .response
        .as_ref()
        .and_then(|r| r.platform_hint)
        .filter(|p| registry::BUILT_IN.contains(p))
        // The answer's wording only when the operation names no host: a host of another API (Azure AD Graph at
        // graph.windows.net answers with Microsoft Graph's error codes) is not the platform it resembles.
        .filter(|_| ctx.call.as_ref().is_none_or(|c| c.host.is_none()))
    {
        (Some(p.to_string()), "the API's response".to_string())
    } else {
        (None, String::new())
    };
    let Some(id) = id else { return };
    ctx.matrix = registry.get(&id);
    if ctx.matrix.is_none() && ctx.call.is_some() {
        let known = registry::BUILT_IN.contains(&id.as_str());
        findings.push(Finding::new(
            "platform.not_installed",
            Severity::Info,
            format!("The {id} permission matrix is not loaded yet"),
            if known {
                format!("What the operation needs comes from the built-in {id} matrix, which is not loaded yet (the page loads it as soon as the operation or token points to it; from the JS API, call loadPlatform(\"{id}\")). Until then only what the token and the response show is checked.")
            } else {
                format!("`{id}` is not a built-in platform (built-ins: {}).", registry::BUILT_IN.join(", "))
            },
        ));
    }
    ctx.platform_id = Some(id);
    ctx.platform_reason = reason;
}

fn platform_from_token(ctx: &Context) -> Option<&'static str> {
    let c = ctx.claims.as_ref()?;
    if c.audiences.iter().any(|a| is_graph_audience(a)) {
        return Some("microsoft-graph");
    }
    let map = ctx
        .decoded
        .as_ref()
        .and_then(|d| d.payload.as_ref())
        .or(ctx.recognized.claims.as_ref())?;
    if map.contains_key("icBUId")
        || map.contains_key("icClusterId")
        || map.contains_key("icAgentId")
    {
        return Some("nice-cxone");
    }
    let iss = c.issuer.as_deref()?;
    let host = iss
        .split("://")
        .nth(1)
        .unwrap_or(iss)
        .split(['/', ':'])
        .next()
        .unwrap_or("");
    registry::platform_for_host(host)
}

fn is_graph_audience(a: &str) -> bool {
    let a = a.trim_end_matches('/').to_ascii_lowercase();
    a == "https://graph.microsoft.com"
        || a == "00000003-0000-0000-c000-000000000000"
        || a == "https://graph.microsoft.us"
}

/// Whether an answer is a token endpoint's: a JSON object with `access_token` and `token_type` at its top.
fn is_token_response(text: &str) -> bool {
    let body = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .filter(|_| text.starts_with("HTTP/"))
        .map_or(text, |(_, b)| b)
        .trim();
    body.starts_with('{')
        && body.len() <= crate::limits::MAX_INPUT_BYTES
        && serde_json::from_str::<Value>(body)
            .is_ok_and(|v| v.get("access_token").is_some() && v.get("token_type").is_some())
}

/// Whether the answer came with a call in the paste (a session's last call) that is not the operation given: another
/// method, or another path (the operation's `{param}` segments match any value; its base path may be left out).
fn answers_another_call(request: &Request, ctx: &Context) -> bool {
    request.operation.is_some()
        && ctx.recognized.response.is_some()
        && request.response.is_none()
        && ctx
            .recognized
            .call
            .as_ref()
            .zip(ctx.call.as_ref())
            .is_some_and(|(a, b)| !input::same_operation(a, b))
}

fn summary_of(verdict: Verdict, findings: &[Finding], call: Option<&Call>) -> String {
    let first = findings.first();
    let op = call
        .map(|c| format!(" {} {}", c.method, c.path))
        .unwrap_or_default();
    match verdict {
        Verdict::Denied => format!("Denied: {}", first.map(|f| f.title.as_str()).unwrap_or("")),
        Verdict::Allowed if findings.iter().any(|f| STALE.contains(&f.code.as_str())) => format!("Allowed for the token shown: it meets every requirement of{op} that Token Doctor can see, so the refusal pasted probably came with another token (see below)."),
        Verdict::Allowed => match findings.iter().find(|f| f.code == "response.success") {
            Some(s) => match findings.iter().find(|f| f.severity == Severity::Warning) {
                Some(w) => format!("Allowed: {}; Token Doctor expected otherwise ({}), see below.", s.title, w.title),
                None => format!("Allowed: {}.", s.title),
            },
            None => format!("Allowed: the token meets every requirement of{op} that Token Doctor can see."),
        },
        Verdict::Unknown => match first {
            Some(f) if f.severity != Severity::Info || f.code != "operation.missing" => format!("Unknown: {}", f.title),
            _ if call.is_some() => "Unknown: not enough information to tell; for an opaque token, give the introspection response.".into(),
            _ => "Unknown: not enough information to tell; give the operation called and, for opaque tokens, the introspection response.".into(),
        },
    }
}

/// The normalized claims plus the display list of `listed` (see [`report::ClaimsView`]).
fn claims_view(
    ctx: &mut Context,
    listed: Option<std::rc::Rc<Map<String, Value>>>,
) -> Option<report::ClaimsView> {
    Some(report::ClaimsView {
        claims: ctx.claims.take()?,
        listed,
        now: ctx.now,
    })
}

fn token_shape_rules(ctx: &Context, out: &mut Vec<Finding>) {
    let r = &ctx.recognized;
    if r.kind == "introspection_request" {
        out.push(
            Finding::new(
                "input.introspection_request",
                Severity::Info,
                "This is a request to the introspection endpoint (RFC 7662)",
                if r.call.as_ref().is_some_and(|c| input::is_tokeninfo(&c.path)) {
                    "Google's tokeninfo describes the token in its query (`access_token=`): that token is diagnosed here, with what tokeninfo printed as its description (introspection)."
                } else if ctx.token.is_none() {
                    "The caller (the API, as a client of the authorization server) authenticates with its own credentials, and the token to describe is the `token` form field of the body, which the paste does not show (`curl -v` prints no request body): the answer pasted with it is diagnosed as the authorization server's description of that token."
                } else {
                    "The caller (the API, as a client of the authorization server) authenticates with its own credentials, and the token to describe is the `token` form field: that token is diagnosed here. The answer pasted as the response is the authorization server's, not an API's."
                },
            )
            .weight(20),
        );
    }
    if r.kind == "empty" && ctx.token.is_none() {
        out.push(
            Finding::new("input.empty", Severity::Info, "Nothing to diagnose yet", "Paste a token, an Authorization header, a token response, a curl command or an introspection response.")
                .fix("Paste what your integration sends, and the operation it calls."),
        );
        return;
    }
    let Some(d) = &ctx.decoded else {
        if r.kind == "token_request" {
            out.push(
                Finding::new(
                    "input.token_request",
                    Severity::Info,
                    "This is the request that gets a token",
                    "It goes to the token endpoint with client credentials and sends no bearer token; its answer (pasted as the response) is the token endpoint's. To diagnose an API call, paste the token it returned and the operation.",
                )
                .weight(20),
            );
            return;
        }
        if r.claims.is_none()
            && ctx.introspection.is_none()
            && r.response.is_none()
            && !out.iter().any(|f| {
                f.code.starts_with("input.")
                    && f.code != "input.quoted"
                    && f.code != "input.wrapped"
            })
        {
            out.push(
                Finding::new("input.no_token", Severity::Error, "No token found in the paste", format!("The paste was read as {}.", r.description))
                    .fix("Paste the access token, the Authorization header, or the whole token response.")
                    .weight(100),
            );
        }
        return;
    };
    match d.shape {
        // With introspection, the server has described the token: nothing is hidden.
        TokenShape::Opaque if ctx.introspection.is_some() => {}
        TokenShape::Opaque
            if ctx.recognized.token.as_deref().is_some_and(|t| {
                is_microsoft_refresh_token(t, d.segments)
                    || ctx
                        .recognized
                        .other_tokens
                        .iter()
                        .any(|(n, o)| n == "refresh_token" && o == t)
            }) =>
        {
            let pasted = ctx.recognized.other_tokens.iter().any(|(n, o)| {
                n == "refresh_token" && Some(o.as_str()) == ctx.recognized.token.as_deref()
            });
            out.push(
                Finding::new(
                    "token.refresh_token",
                    Severity::Error,
                    if pasted {
                        "The request sends the refresh token, not the access token"
                    } else {
                        "This looks like a Microsoft refresh token, not an access token"
                    },
                    if pasted {
                        "The token the request sends is the `refresh_token` of the token response pasted with it. A refresh token is exchanged at the token endpoint for an access token; APIs reject it."
                    } else {
                        "It has the shape of the refresh tokens Microsoft's identity platform issues: opaque, starting `0.A` or `1.A`, with dots. A refresh token is exchanged at the token endpoint for an access token; APIs reject it (Microsoft Graph answers \"CompactToken parsing failed\"), and only Microsoft can read it."
                    },
                )
                .fix("Send the `access_token` of the token response; use the refresh token only at the token endpoint (grant_type=refresh_token).")
                .weight(86),
            );
        }
        TokenShape::Opaque => {
            // A token response pasted with it says what was granted (`scope`), though not the user or the audience.
            let granted = ctx
                .recognized
                .token_response
                .as_ref()
                .is_some_and(|t| t.get("scope").is_some_and(Value::is_string));
            let mut f = Finding::new(
                "token.opaque",
                Severity::Info,
                "The token is opaque (not a JWT)",
                if granted {
                    "Only the server that issued it can say everything it grants: its scopes are read from the token response's `scope`; its audience and user are not readable here."
                } else {
                    "Only the server that issued it can say what it grants: its scopes, expiry and user are not readable here."
                },
            )
            .weight(40);
            let rejected = ctx.response_rejects_token();
            // Auth0 answers with an opaque access token (good only for its /userinfo) when the login names no
            // `audience`: the ID token that came with it tells that the issuer is Auth0.
            let auth0 = ctx.recognized.other_tokens.iter().any(|(name, t)| {
                name == "id_token"
                    && jose::decode(t)
                        .payload
                        .as_ref()
                        .and_then(|p| p.get("iss"))
                        .and_then(Value::as_str)
                        .is_some_and(crate::claims::is_auth0_issuer)
            });
            let said = ctx
                .response
                .as_ref()
                .and_then(|r| r.message.clone().or_else(|| r.code.clone()))
                .unwrap_or_else(|| "401".into());
            // The API says it expected a JWT ("jwt malformed", "not a JWT"): it was given an opaque one.
            let wanted_jwt = {
                let l = said.to_ascii_lowercase();
                [
                    "jwt malformed",
                    "not a jwt",
                    "not a valid jwt",
                    "invalid compact jws",
                    "jwt must have 3 parts",
                    "jws must have 3 parts",
                ]
                .iter()
                .any(|p| l.contains(p))
                    || ctx
                        .response
                        .as_ref()
                        .is_some_and(|r| r.signals.contains(&response::Signal::Unparsable))
            };
            if rejected {
                f.severity = Severity::Warning;
                f.title = if auth0 {
                    "Auth0 issued an opaque access token: the login named no API (`audience`)"
                        .into()
                } else if wanted_jwt {
                    "The API expects a JWT and was sent an opaque token".into()
                } else {
                    "The API rejected an opaque token: only its issuer can say why".into()
                };
                f.detail = if auth0 {
                    format!(
                        "The access token is opaque and the ID token beside it is Auth0's. The API answered {said}. Auth0 issues an opaque access token, good only for its own /userinfo, when the login request names no `audience`: an API cannot validate it. With the API's identifier as `audience`, Auth0 issues a JWT access token for the API."
                    )
                } else if wanted_jwt {
                    format!(
                        "The API answered {said}: it expects a JWT, and this token is opaque. The access token was issued for no API (Auth0 without `audience` issues an opaque one), or it is another kind of token (a refresh token, a session token, another provider's)."
                    )
                } else {
                    format!(
                        "The token is opaque, so its kind, audience and expiry cannot be read here. The API answered {said}. Common causes: a refresh token or an ID token sent instead of the access token,{} an expired or revoked token, or a token from another environment or authorization server.",
                        // Auth0's opaque token for no API is no cause on a platform Token Doctor knows.
                        if ctx.platform_id.is_none() {
                            " an access token issued for no API (Auth0 without `audience`),"
                        } else {
                            ""
                        }
                    )
                };
                f = f.evidence(
                    "response",
                    ctx.response
                        .as_ref()
                        .and_then(|r| r.code.clone())
                        .unwrap_or_else(|| said.clone()),
                );
                f = if auth0 || wanted_jwt {
                    f.fix("Name the API in the authorization request (Auth0: `audience=<the API's identifier>`, Dashboard > Applications > APIs; other servers: the API's `resource` or scope), so that the access token is a JWT for it; then sign in again.")
                } else {
                    f.fix("Check that the integration sends the `access_token` of the token response, not the `refresh_token` or `id_token`.")
                };
            }
            f = if auth0 {
                // Auth0 offers no RFC 7662 introspection.
                f
            } else if ctx.platform_id.as_deref() == Some("genesys-cloud") {
                f.detail("Genesys Cloud access tokens are opaque by design; GET /api/v2/tokens/me describes them (scopes, grant type, OAuth client).")
                    .fix("Run GET https://api.<your region>/api/v2/tokens/me with this token (the Live checks panel can do it) and paste the answer as the introspection response.")
            } else {
                f.fix("Ask the authorization server: introspection (RFC 7662), and paste its answer as the introspection response.")
            };
            out.push(f);
        }
        TokenShape::Malformed => {
            let shortened = ctx.token.as_deref().is_some_and(input::is_shortened);
            out.push(
            Finding::new(
                "token.malformed",
                Severity::Error,
                if shortened {
                    "The token is shortened (`...`)"
                } else {
                    "The token is malformed"
                },
                if shortened {
                    "It holds an ellipsis (`...` or `…`): it was shortened where it was copied from (a log, a screenshot, a post) or when pasted, and the part left out cannot be read. If the call really sent it so, that is the cause; otherwise paste the token whole to diagnose it.".to_string()
                } else {
                    format!(
                        "It has {} dot-separated segments; a JWT has 3 (signed) or 5 (encrypted), an opaque token none. It was probably cut off or joined with something else.",
                        d.segments
                    )
                },
            )
            .evidence("token", format!("{} segments", d.segments))
            .fix("Copy the token again from its source, whole.")
            .weight(95),
        );
        }
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
            // A signature cut with `...` (jose::decode reads the rest): said as such, not as an encoding slip.
            let cut = d.shortened;
            for i in d.issues.iter().filter(|i| !i.fatal) {
                let shortened = cut && i.segment == "signature";
                out.push(
                    Finding::new(
                        "token.encoding",
                        Severity::Warning,
                        if shortened { "The token's signature is shortened (`...`)" } else { "The token's encoding is not strict" },
                        i.message.clone(),
                    )
                    .evidence(format!("token {}", i.segment), i.message.clone())
                    .fix(if shortened {
                        "Paste the whole token to check its signature (if the call really sent it so, the API refuses it as malformed)."
                    } else {
                        "Send the token exactly as the authorization server issued it."
                    }),
                );
            }
            if d.shape == TokenShape::Jwe && fatal.is_empty() {
                let alg = d.alg().unwrap_or("?");
                let enc = d
                    .header
                    .as_ref()
                    .and_then(|h| h.get("enc"))
                    .and_then(Value::as_str)
                    .unwrap_or("?");
                let auth0_hint = alg == "dir";
                let mut f = Finding::new(
                    "token.encrypted",
                    Severity::Warning,
                    "The token is encrypted (JWE): its claims cannot be read here",
                    format!("The header says alg `{alg}`, enc `{enc}`. Only the holder of the decryption key can read it; an API that expects a signed JWT rejects it."),
                )
                .evidence("header", format!("alg {alg}, enc {enc}, 5 segments"))
                .weight(60);
                if auth0_hint {
                    f = f.fix("Auth0 issues an encrypted token like this when no `audience` is requested: add `audience=<your API identifier>` to the authorization or token request to get a signed JWT access token.");
                }
                f = f.fix("If the API is yours, ask the authorization server for a signed (JWS) access token for that API.");
                out.push(f);
            }
        }
    }
}

fn kind_rules(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(c) = &ctx.claims else { return };
    match c.kind {
        TokenKind::Id => {
            let mut f = Finding::new(
                "token.id_token",
                Severity::Error,
                "This is an ID token, not an access token",
                format!(
                    "{}. ID tokens tell the client who signed in; APIs expect an access token issued for them and reject ID tokens (wrong audience, no scopes).",
                    capitalize(&c.kind_reason)
                ),
            )
            .evidence("claims", c.kind_reason.clone())
            .weight(86);
            // The answer is a sign-in library checking this ID token ("Failed to verify ID Token: …"): that is an
            // ID token's right use, and the cause is what the answer names. An answer that names another cause
            // (an algorithm, a clock, a key) ranks before the token's kind.
            let said = ctx
                .response
                .as_ref()
                .and_then(|r| r.message.as_deref().or(r.code.as_deref()))
                .unwrap_or("")
                .to_ascii_lowercase();
            let verifying_id_token = [
                "verify id token",
                "verifying id token",
                "id token signed with",
                "id token verification",
                "validate id token",
                "id token validation",
            ]
            .iter()
            .any(|w| said.contains(w));
            let named_cause = ctx.response.as_ref().is_some_and(|r| {
                r.signals.iter().any(|s| {
                    matches!(
                        s,
                        Signal::AlgorithmRejected
                            | Signal::NotYetValid
                            | Signal::Expired
                            | Signal::KeyNotFound
                            | Signal::SignatureInvalid
                    )
                })
            });
            if verifying_id_token {
                f.severity = Severity::Info;
                f.title = "This is an ID token, and the answer is about checking an ID token".into();
                f.detail = format!(
                    "{}. The answer comes from a client or sign-in library verifying the ID token, which is its right use: the cause is what the answer names. (An API would need the access token instead.)",
                    capitalize(&c.kind_reason)
                );
                f.weight = 30;
                if let Some(aud) = c.audiences.first() {
                    f = f.evidence("claim aud", aud.clone());
                }
                out.push(f);
                return;
            }
            if named_cause {
                f.weight = 70;
                f.detail.push_str(" The answer names another cause, ranked first: if it came from a sign-in library checking this ID token (which is right), that cause is the one to fix.");
            }
            if let Some(aud) = c.audiences.first() {
                f = f.evidence("claim aud", aud.clone());
            }
            if ctx.recognized.kind == "token_response" {
                f = f.fix("Send the `access_token` of the token response, not the `id_token`.");
            }
            f = f.fix("Send the access token (`access_token` in the token response); request it for the API (scope / audience / resource of the API).");
            out.push(f);
        }
        TokenKind::Refresh => out.push(
            Finding::new(
                "token.refresh_token",
                Severity::Error,
                "This is a refresh token, not an access token",
                format!("{}. A refresh token is exchanged at the token endpoint for an access token; APIs reject it.", capitalize(&c.kind_reason)),
            )
            .fix("Send the access token; use the refresh token only at the token endpoint (grant_type=refresh_token).")
            .weight(86),
        ),
        _ => {}
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The token's expiry (unix seconds): its `exp`, or the introspection response's.
fn token_exp(ctx: &Context) -> Option<i64> {
    ctx.claims
        .as_ref()
        .and_then(|c| c.expires.as_ref())
        .and_then(|e| e.seconds)
        .or_else(|| ctx.introspection.as_ref().and_then(|i| i.exp))
}

/// Genesys Cloud's `dateTokenIdles` (tokens/me): when the token stops working for lack of use (an org's idle
/// timeout, 15 minutes in HIPAA orgs). Read from the introspection given, or the one found in the paste.
fn genesys_idles_at(ctx: &Context) -> Option<i64> {
    // The member's time, from tokens/me's object (also as the `tokensMe` of a combined answer).
    let idles = |v: Option<&Value>| v.and_then(Value::as_str).and_then(crate::time::parse_utc);
    let from_value = |v: &Value| idles(v.get("tokensMe").unwrap_or(v).get("dateTokenIdles"));
    match ctx.request.introspection.as_ref() {
        Some(Value::String(t)) => serde_json::from_str::<Value>(t)
            .ok()
            .as_ref()
            .and_then(from_value),
        Some(v) => from_value(v),
        None => None,
    }
    .or_else(|| {
        ctx.recognized
            .introspection
            .as_ref()
            .and_then(|m| idles(m.get("dateTokenIdles")))
    })
}

fn time_rules(ctx: &Context, out: &mut Vec<Finding>) {
    let now = ctx.now;
    if let Some(idle) = genesys_idles_at(ctx).filter(|&t| t < now) {
        out.push(
            Finding::new(
                "token.expired",
                Severity::Error,
                format!("The token idled out {}", crate::time::relative(idle, now)),
                format!(
                    "Genesys Cloud's tokens/me says the token idles at {} ({}); now is {}. An organization's idle timeout ends a token that was not used for a while (15 minutes in HIPAA organizations), before its lifetime.",
                    crate::time::utc(idle),
                    crate::time::relative(idle, now),
                    crate::time::utc(now)
                ),
            )
            .evidence("tokens/me dateTokenIdles", crate::time::utc(idle))
            .fix("Get a new token (sign in again, or let the integration refresh it), and use it before the idle timeout: a job that waits longer between calls needs a new token each time.")
            .weight(93),
        );
    }
    let response_expired = ctx.response_says(&Signal::Expired);
    let response_lifetime = ctx.response_says(&Signal::LifetimeInvalid);
    let (exp, nbf, iat) = match &ctx.claims {
        Some(c) => (c.expires.clone(), c.not_before.clone(), c.issued_at.clone()),
        None => (None, None, None),
    };
    if let Some(e) = token_exp(ctx) {
        if e < now.saturating_sub(CLOCK_SKEW_SECONDS) || (e < now && response_expired) {
            let mut f = Finding::new(
                "token.expired",
                Severity::Error,
                format!("The token expired {}", crate::time::relative(e, now)),
                format!(
                    "`exp` is {} ({}); now is {}. Expired tokens are rejected with 401 even when everything else is right (tolerance for clock skew: {} s).",
                    crate::time::utc(e),
                    crate::time::relative(e, now),
                    crate::time::utc(now),
                    CLOCK_SKEW_SECONDS
                ),
            )
            .evidence("claim exp", format!("{e} = {}", crate::time::utc(e)))
            .fix("Get a new access token (refresh it, or sign in again); make the integration refresh before `exp`.")
            .weight(88);
            if let Some(i) = iat.as_ref().and_then(|i| i.seconds) {
                f = f.evidence("lifetime", crate::time::duration(e.saturating_sub(i)));
            }
            if response_expired {
                f = f
                    .evidence("response", ctx.response_message().unwrap_or_default())
                    .weight(92);
            }
            out.push(f);
        } else if e < now {
            out.push(
                Finding::new(
                    "token.expired",
                    Severity::Warning,
                    format!("The token expired {} (within the clock-skew tolerance)", crate::time::relative(e, now)),
                    format!("`exp` is {}; servers with a tolerance of {} s may still accept it, strict ones do not.", crate::time::utc(e), CLOCK_SKEW_SECONDS),
                )
                .evidence("claim exp", format!("{e} = {}", crate::time::utc(e)))
                .fix("Get a new access token.")
                .weight(70),
            );
        } else if e.saturating_sub(now) < 300 {
            out.push(
                Finding::new(
                    "token.expiring",
                    Severity::Info,
                    format!("The token expires {}", crate::time::relative(e, now)),
                    "It will be rejected after that; long jobs must refresh it.",
                )
                .evidence("claim exp", crate::time::utc(e)),
            );
        }
    } else if ctx.claims.is_some()
        && exp.is_none()
        && ctx
            .claims
            .as_ref()
            .is_some_and(|c| c.kind == TokenKind::Access)
    {
        out.push(Finding::new(
            "token.no_expiry",
            Severity::Info,
            "The token has no `exp` claim",
            "RFC 9068 access tokens carry `exp`; some validators (e.g. Microsoft.IdentityModel, IDX10225) reject tokens without it.",
        ));
    }
    if let Some(e) = &exp {
        if let Some(p) = &e.problem {
            let overflow = e.seconds.is_some_and(|s| s > 2_147_483_647);
            if overflow {
                out.push(
                    Finding::new(
                        "token.exp_overflow",
                        if response_lifetime { Severity::Error } else { Severity::Warning },
                        "`exp` is past 2038: 32-bit validators treat it as missing",
                        format!("{p}. .NET validators report IDX10225 (\"lifetime validation failed... does not have an 'exp' claim\") for such tokens."),
                    )
                    .evidence("claim exp", e.raw.clone())
                    .fix("Issue tokens with a realistic lifetime (minutes to hours), so that `exp` stays below 2147483647.")
                    .weight(if response_lifetime { 89 } else { 60 }),
                );
            } else {
                out.push(
                    Finding::new("token.invalid_time", Severity::Warning, "`exp` is not a plain number of seconds", p.clone())
                        .evidence("claim exp", e.raw.clone())
                        .fix("Issue `exp` as a whole number of seconds since 1970 (RFC 7519 NumericDate).")
                        .weight(55),
                );
            }
        }
    }
    for (t, name) in [(&nbf, "nbf"), (&iat, "iat")] {
        if let Some(TimeClaim {
            problem: Some(p),
            raw,
            seconds,
        }) = t.as_ref()
        {
            if !seconds.is_some_and(|s| s > 2_147_483_647) {
                out.push(
                    Finding::new(
                        "token.invalid_time",
                        Severity::Warning,
                        format!("`{name}` is not a plain number of seconds"),
                        p.clone(),
                    )
                    .evidence(format!("claim {name}"), raw.clone())
                    .weight(50),
                );
            }
        }
    }
    if let Some(n) = nbf.as_ref().and_then(|n| n.seconds) {
        if n > now.saturating_add(CLOCK_SKEW_SECONDS) {
            out.push(
                Finding::new(
                    "token.not_yet_valid",
                    Severity::Error,
                    format!("The token is not valid yet (valid from {})", crate::time::relative(n, now)),
                    format!("`nbf` is {}; now is {}. Either the token was issued for later, or this machine's clock (or the issuer's) is wrong.", crate::time::utc(n), crate::time::utc(now)),
                )
                .evidence("claim nbf", format!("{n} = {}", crate::time::utc(n)))
                .fix("Check the clocks of the issuer and of the API server (NTP); wait until `nbf`.")
                .weight(81),
            );
        }
    }
    // A token from a few seconds in the future, rejected by the API: validators with zero leeway do that.
    // A 403 counts only bare (some validators answer 403 to a token they refuse: Bot Framework); one that says
    // why (access denied, a permission) is about the operation, not the token's time.
    let rejected = ctx.response.as_ref().is_some_and(|r| {
        r.status == Some(401)
            || r.status == Some(403) && r.signals.is_empty()
            || r.signals.contains(&Signal::NotYetValid)
    });
    let ahead = [
        nbf.as_ref().and_then(|n| n.seconds),
        iat.as_ref().and_then(|i| i.seconds),
    ]
    .into_iter()
    .flatten()
    .filter(|t| *t > now && *t <= now.saturating_add(CLOCK_SKEW_SECONDS))
    .max();
    if let (true, Some(t)) = (rejected, ahead) {
        out.push(
            Finding::new(
                "token.clock_skew",
                Severity::Error,
                format!("The token became valid only {} after now: the clocks disagree", crate::time::duration(t.saturating_sub(now))),
                format!(
                    "`iat`/`nbf` is {}, {} later than now ({}). That is within the usual tolerance, but the API rejected the token: a validator with no clock-skew leeway refuses a token issued even a second in the future.",
                    crate::time::utc(t),
                    crate::time::duration(t.saturating_sub(now)),
                    crate::time::utc(now)
                ),
            )
            .evidence("claims iat / nbf", format!("{t} = {}", crate::time::utc(t)))
            .evidence("response", ctx.response_message().unwrap_or_else(|| "rejected".into()))
            .fix("Synchronize the clocks of the issuer and the API server (NTP).")
            .fix("Give the API's validator a small clock-skew leeway (e.g. 30 s to 5 min).")
            .weight(80),
        );
    }
    if let Some(i) = iat.as_ref().and_then(|i| i.seconds) {
        if i > now.saturating_add(CLOCK_SKEW_SECONDS) {
            let nbf_reported = out.iter().any(|f| f.code == "token.not_yet_valid");
            let response_nyv = ctx.response_says(&Signal::NotYetValid);
            out.push(
                Finding::new(
                    "token.clock_skew",
                    if response_nyv && !nbf_reported { Severity::Error } else { Severity::Warning },
                    format!("The token was issued in the future ({})", crate::time::relative(i, now)),
                    format!(
                        "`iat` is {}, later than now ({}) by {}: the issuer's clock and this clock disagree. Validators that check `iat` reject it as not yet valid.",
                        crate::time::utc(i),
                        crate::time::utc(now),
                        crate::time::duration(i.saturating_sub(now))
                    ),
                )
                .evidence("claim iat", format!("{i} = {}", crate::time::utc(i)))
                .fix("Synchronize the clocks of the issuer and the API server (NTP); or allow a small clock skew in the API's validator.")
                .weight(80),
            );
        }
    }
}

fn binding_rules(ctx: &Context, out: &mut Vec<Finding>) {
    let bound = ctx.claims.as_ref().and_then(|c| c.confirmation.clone());
    let scheme = ctx.recognized.scheme.clone().unwrap_or_default();
    let response_says = ctx.response_says(&Signal::SenderConstrained);
    let token_type_dpop = ctx
        .introspection
        .as_ref()
        .and_then(|i| i.token_type.as_deref())
        .is_some_and(|t| t.eq_ignore_ascii_case("dpop"));
    if (bound.is_some() || token_type_dpop || response_says) && !scheme.eq_ignore_ascii_case("dpop")
    {
        let what = bound.clone().unwrap_or_else(|| "sender-constrained".into());
        let is_mtls = what.contains("mTLS");
        let mut f = Finding::new(
            "token.sender_constrained",
            if response_says
                || (!is_mtls && scheme.eq_ignore_ascii_case("bearer"))
                || ctx.response_rejects_token()
            {
                Severity::Error
            } else {
                Severity::Warning
            },
            if is_mtls {
                "The token is bound to a client certificate (mTLS)".to_string()
            } else {
                "The token is DPoP-bound but sent as a plain Bearer token".to_string()
            },
            if is_mtls {
                "It must be sent over a TLS connection that presents the same client certificate (RFC 8705); from anywhere else it is rejected.".to_string()
            } else {
                format!(
                    "The token is {what}: it must be sent as \"Authorization: DPoP <token>\" with a DPoP proof header signed by the same key (RFC 9449 §7.1). Sent as Bearer{} it is rejected.",
                    if scheme.is_empty() { "" } else { " (as here)" }
                )
            },
        )
        .weight(84);
        if let Some(b) = &bound {
            f = f.evidence("claim cnf", b.clone());
        }
        if response_says {
            f = f.evidence(
                "response",
                ctx.response_message()
                    .unwrap_or_else(|| "DPoP required".into()),
            );
        }
        // RFC 8705 sends an mTLS-bound token with the Bearer scheme: the scheme is evidence only for DPoP.
        if !scheme.is_empty() && !is_mtls {
            f = f.evidence("Authorization scheme", scheme.clone());
        }
        f = if is_mtls && ctx.recognized.client_certificate {
            // The command presents a certificate already: another one than the token's, or one a proxy drops.
            f.detail.push_str(" The command presents a client certificate (--cert): either it is not the one the token is bound to, or a TLS-terminating proxy or gateway in front of the API does not pass it on.");
            f.fix("Compare the certificate's SHA-256 thumbprint (base64url) with the token's `cnf.x5t#S256`: request the token over a TLS connection that presents this same certificate.")
                .fix("If a proxy or gateway terminates TLS before the API, have it forward the client certificate (RFC 9440 `Client-Cert` header, or the gateway's own header) and the API read it from there.")
        } else if is_mtls {
            f.fix("Call the API with the client certificate the token was bound to.")
        } else {
            f.fix("Send \"Authorization: DPoP <token>\" plus a \"DPoP: <proof JWT>\" header signed with the key whose thumbprint is cnf.jkt (htm, htu, iat, jti, ath).")
                .fix("Or ask the authorization server for a plain Bearer token if the API does not require DPoP.")
        };
        out.push(f);
    } else if scheme.eq_ignore_ascii_case("dpop")
        && response_says
        && ctx.response.as_ref().is_some_and(|r| {
            r.challenges
                .iter()
                .any(|c| c.param("error") == Some("use_dpop_nonce"))
        })
    {
        // RFC 9449 §9: the resource server wants its nonce in the proof; a normal step, answered by a retry.
        out.push(
            Finding::new(
                "token.sender_constrained",
                Severity::Warning,
                "The API asks for its nonce in the DPoP proof: retry with it",
                "The API answered `use_dpop_nonce` (RFC 9449 §9): the token and the proof's form are not what it refused; it wants each proof to carry a nonce it chose, sent in its DPoP-Nonce header. This is a normal step of DPoP, not a fault of the token.",
            )
            .evidence("response", "use_dpop_nonce")
            .evidence("Authorization scheme", scheme.clone())
            .fix("Make a new DPoP proof for the same request with a `nonce` claim set to the DPoP-Nonce header's value, and send the request again; keep using the latest nonce the API sends (DPoP libraries do this when given the answer).")
            .weight(70),
        );
    } else if scheme.eq_ignore_ascii_case("dpop") && response_says {
        // Sent as DPoP, and the API refuses the proof: missing, or not matching this request or the token's key.
        let said = ctx
            .response_message()
            .unwrap_or_else(|| "invalid_dpop_proof".into());
        let mut f = Finding::new(
            "token.sender_constrained",
            Severity::Error,
            "The API refused the DPoP proof sent with the token",
            format!("The token is sent with the DPoP scheme and the API answered: {said}. Each request needs its own \"DPoP\" header: a proof JWT signed with the token's key (the one whose thumbprint is `cnf.jkt`), with this request's method (`htm`) and URL (`htu`), a fresh `iat` and `jti`, and `ath`, the hash of the token (RFC 9449 §4, §7)."),
        )
        .evidence("response", said)
        .evidence("Authorization scheme", scheme.clone())
        .fix("Send a \"DPoP: <proof JWT>\" header with every call, made for that call (htm, htu, iat, jti, ath) and signed with the key the token is bound to.")
        .fix("If the API answers `use_dpop_nonce`, put the nonce it sends (DPoP-Nonce header) in the proof and retry.")
        .weight(84);
        if let Some(b) = &bound {
            f = f.evidence("claim cnf", b.clone());
        }
        out.push(f);
    }
}

fn host_of(url: &str) -> String {
    let rest = url.split("://").nth(1).unwrap_or(url);
    rest.split('/').next().unwrap_or("").to_ascii_lowercase()
}

/// Explains how two issuer strings differ: scheme, host, port, path (tenant, realm, version), trailing slash.
fn issuer_difference(expected: &str, actual: &str) -> String {
    let mut diffs = Vec::new();
    let scheme = |u: &str| u.split("://").next().unwrap_or("").to_ascii_lowercase();
    if scheme(expected) != scheme(actual) {
        diffs.push(format!(
            "the scheme differs ({} vs {})",
            scheme(expected),
            scheme(actual)
        ));
    }
    let (he, ha) = (host_of(expected), host_of(actual));
    let (hn_e, port_e) = he
        .split_once(':')
        .map_or((he.as_str(), ""), |(h, p)| (h, p));
    let (hn_a, port_a) = ha
        .split_once(':')
        .map_or((ha.as_str(), ""), |(h, p)| (h, p));
    if hn_e != hn_a {
        // Entra ID names its own host by token version (v1 sts.windows.net, v2 login.microsoftonline.com), not by
        // the host the token was requested through; other servers (Keycloak, IdentityServer) name that host.
        let entra = [hn_e, hn_a]
            .iter()
            .all(|h| *h == "sts.windows.net" || *h == "login.microsoftonline.com");
        diffs.push(if entra {
            format!("the host differs ({hn_e} vs {hn_a}): Entra ID writes sts.windows.net in v1.0 tokens and login.microsoftonline.com in v2.0 tokens, whichever host they were requested through")
        } else {
            format!("the host differs ({hn_e} vs {hn_a}): tokens name the host they were requested through")
        });
    }
    if port_e != port_a {
        diffs.push(format!(
            "the port differs ({} vs {})",
            if port_e.is_empty() { "default" } else { port_e },
            if port_a.is_empty() { "default" } else { port_a }
        ));
    }
    let path = |u: &str| {
        let rest = u.split("://").nth(1).unwrap_or(u);
        rest.find('/')
            .and_then(|i| rest.get(i..))
            .unwrap_or("")
            .to_string()
    };
    let (pe, pa) = (path(expected), path(actual));
    if pe.trim_end_matches('/') != pa.trim_end_matches('/') {
        if actual.contains("sts.windows.net") != expected.contains("sts.windows.net") {
            diffs.push("the token version differs: sts.windows.net is the Entra ID v1.0 issuer, login.microsoftonline.com/<tenant>/v2.0 the v2.0 one (set accessTokenAcceptedVersion in the API's app manifest)".into());
        } else if pe.contains("/realms/") || pa.contains("/realms/") {
            diffs.push(format!("the realm path differs ({pe} vs {pa})"));
        } else {
            diffs.push(format!(
                "the path (tenant, realm or version) differs ({pe} vs {pa})"
            ));
        }
    } else if pe != pa {
        diffs.push("only a trailing slash differs; issuer comparison is exact".into());
    }
    if diffs.is_empty() {
        "they differ in letter case or invisible characters".into()
    } else {
        diffs.join("; ")
    }
}

fn audience_issuer_rules(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(c) = &ctx.claims else {
        // Opaque token, or none pasted: issuer/audience can only come from the response and the hosts.
        if ctx.response_says(&Signal::AudienceInvalid) {
            let said = ctx
                .response
                .as_ref()
                .and_then(|r| r.message.clone().or_else(|| r.code.clone()))
                .map(|m| m.trim_end_matches(['.', ' ']).to_string())
                .unwrap_or_else(|| "an audience error".into());
            out.push(
                Finding::new(
                    "audience.mismatch",
                    Severity::Error,
                    "The API says the token is for another audience",
                    format!("It answered: {said}. The token's `aud` (the API it was requested for) is not one this API accepts: a token requested for another API (a Microsoft Graph token sent to your own API, or the reverse), or an API configured with another form of its own identifier (its App ID URI against its client id)."),
                )
                .evidence("response", crate::json::clip(&said, 300))
                .fix("Request the token for this API (its own scope, such as api://<the API>/.default, or its `audience` / `resource`), or configure the API to accept the audience the token carries if it is really meant for it.")
                .weight(84),
            );
        }
        issuer_from_response(ctx, None, out);
        region_rules(ctx, None, out);
        cluster_rules(ctx, out);
        access_key_fix(ctx, out);
        google_token_kind(ctx, out);
        return;
    };
    let expect = ctx.request.expect.clone().unwrap_or_default();
    let response_aud = ctx.response_says(&Signal::AudienceInvalid);
    let response_sig = ctx.response_says(&Signal::SignatureInvalid);
    let header_nonce = ctx
        .decoded
        .as_ref()
        .and_then(|d| d.header.as_ref())
        .is_some_and(|h| h.contains_key("nonce"));
    if let Some(p) = &c.audience_problem {
        out.push(
            Finding::new(
                "audience.mismatch",
                Severity::Error,
                "`aud` has the wrong type",
                p.clone(),
            )
            .evidence("claim aud", "not a string or list")
            .weight(83),
        );
    }
    // A Graph token with no call named and the API's audience error in words that are not Graph's (a JWT
    // library's, such as PyJWT's "Audience doesn't match"): the API is the user's own, not the platform the token
    // was detected as.
    let own_api_answer = ctx.call.is_none()
        && response_aud
        && ctx.platform_reason == "the token's issuer or audience"
        && ctx.response.as_ref().is_some_and(|r| {
            r.platform_hint != Some("microsoft-graph")
                && !r
                    .code
                    .as_deref()
                    .is_some_and(|c| c.eq_ignore_ascii_case("InvalidAuthenticationToken"))
        });
    // What audience does the API want?
    let (wanted, source): (Vec<String>, String) =
        if let Some(a) = expect.audience.clone().filter(|a| !a.is_empty()) {
            (vec![a], "the audience you said the API accepts".into())
        } else if let Some(a) = ctx
            .response
            .as_ref()
            .and_then(|r| r.expected_audience.clone())
        {
            (
                vec![a],
                "the audience the API's answer says it expects".into(),
            )
        } else if let Some(m) = ctx
            .matrix
            .filter(|m| !m.platform.audiences.is_empty() && !own_api_answer)
        {
            // The audiences of the host called, when the platform has one per host (Graph's national clouds):
            // its URL audiences and the ones that are no URL (an application id).
            let host = ctx
                .call
                .as_ref()
                .and_then(|c| c.host.as_deref())
                .map(str::to_ascii_lowercase);
            let of_host: Vec<String> = m
                .platform
                .audiences
                .iter()
                .filter(|a| {
                    !a.contains("://")
                        || host.as_deref() == Some(host_of(a).to_ascii_lowercase().as_str())
                })
                .cloned()
                .collect();
            if host.is_some() && of_host.iter().any(|a| a.contains("://")) {
                (
                    of_host,
                    format!("{} accepts these audiences at this host", m.platform.name),
                )
            } else {
                (
                    m.platform.audiences.clone(),
                    format!("{} accepts these audiences", m.platform.name),
                )
            }
        } else {
            (Vec::new(), String::new())
        };
    let aud_is_client = c
        .client_id
        .as_ref()
        .is_some_and(|cid| c.audiences.iter().any(|a| a == cid));
    let id_token_reported = out.iter().any(|f| f.code == "token.id_token");
    let graph_token_elsewhere = c.audiences.iter().any(|a| is_graph_audience(a))
        && (ctx.platform_id.as_deref() != Some("microsoft-graph") || own_api_answer)
        && (ctx.call.is_some() || response_aud || response_sig || expect.audience.is_some());
    if !wanted.is_empty() && !c.audiences.is_empty() {
        let ok = c.audiences.iter().any(|a| {
            wanted.iter().any(|w| {
                w.trim_end_matches('/')
                    .eq_ignore_ascii_case(a.trim_end_matches('/'))
            })
        });
        if !ok {
            let mut f = Finding::new(
                "audience.mismatch",
                Severity::Error,
                format!("The token is for another audience ({})", c.audiences.join(", ")),
                format!(
                    "The API accepts {} ({}), but the token's `aud` is {}.{}",
                    wanted.join(" or "),
                    source,
                    c.audiences.join(", "),
                    if aud_is_client {
                        " The audience is the client itself: the token was issued for the app (an ID token, or an access token requested without this API's audience or resource), not for this API."
                    } else {
                        ""
                    }
                ),
            )
            .evidence("claim aud", c.audiences.join(", "))
            .weight(83);
            if response_aud {
                f = f
                    .evidence("response", ctx.response_message().unwrap_or_default())
                    .weight(90);
            }
            f = f.fix(audience_fix(ctx, &wanted));
            out.push(f);
        } else if let Some(named) = ctx
            .response
            .as_ref()
            .and_then(|r| r.expected_audience.clone())
            .filter(|_| response_aud && !id_token_reported)
        {
            // The answer names the audience it expects, and `aud` matches it but for a trailing slash (which a
            // validator such as node-jsonwebtoken compares exactly), or matches it exactly: then the token the API
            // judged was another.
            let exact = c.audiences.contains(&named);
            let f = if exact {
                Finding::new(
                    "token.stale",
                    Severity::Warning,
                    "The API says the audience is invalid, but the token shown has the audience it expects",
                    format!("The answer says it expects `{named}`, and the token shown has that audience. So the request carried another token (an older or cached one, or one for another API)."),
                )
                .fix("Make the integration send this token: clear its token cache or reconnect the account, and log the Authorization header it sends to compare.")
                .weight(86)
            } else {
                Finding::new(
                    "audience.mismatch",
                    Severity::Error,
                    "The token's audience differs from the one the API expects by a trailing slash",
                    format!("The answer says it expects `{named}`; the token's `aud` is {}. The API compares them exactly.", c.audiences.join(", ")),
                )
                .fix(format!("Request the token with the audience spelled exactly `{named}` (the API identifier as registered), or configure the API with the audience the token carries."))
                .weight(88)
            };
            out.push(
                f.evidence("claim aud", c.audiences.join(", "))
                    .evidence("response", ctx.response_message().unwrap_or_default()),
            );
        } else if response_aud && !id_token_reported {
            // The API says the audience is invalid though `aud` names it: the same API in another cloud or
            // environment (Graph for US Government takes tokens of login.microsoftonline.us).
            let host = ctx
                .call
                .as_ref()
                .and_then(|c| c.host.as_deref())
                .unwrap_or("")
                .to_ascii_lowercase();
            let global_issuer = c.issuer.as_deref().is_some_and(|i| {
                let h = host_of(i).to_ascii_lowercase();
                h == "login.microsoftonline.com" || h == "sts.windows.net"
            });
            let national = (host.ends_with("graph.microsoft.us")
                || host.ends_with("chinacloudapi.cn"))
                && global_issuer;
            let mut f = Finding::new(
                "audience.mismatch",
                Severity::Error,
                "The API rejected the token's audience, though `aud` names this API",
                format!(
                    "The API says the audience is invalid; the token's `aud` is {}, a name of this API, so the token is for the same API in another cloud, tenant or environment.{}",
                    c.audiences.join(", "),
                    if national {
                        format!(" It was issued by the global Entra ID ({}), and {host} is a national cloud, whose tokens come from its own sign-in host (login.microsoftonline.us for US Government, login.chinacloudapi.cn for China) with its own audience (https://{host}).", c.issuer.clone().unwrap_or_default())
                    } else {
                        String::new()
                    }
                ),
            )
            .evidence("claim aud", c.audiences.join(", "))
            .evidence("response", ctx.response_message().unwrap_or_default())
            .weight(88);
            f = if national {
                f.fix(format!("Sign in and request the token from the national cloud: authority {} and scope https://{host}/.default; the app registration must exist in that cloud.", national_authority(&host)))
            } else {
                f.fix("Get the token from the issuer and environment the API trusts (the same tenant, realm or cloud), for this API.")
            };
            out.push(f);
        }
    } else if graph_token_elsewhere && !id_token_reported {
        let mut f = Finding::new(
            "audience.mismatch",
            Severity::Error,
            "This is a Microsoft Graph token, used for another API",
            format!(
                "`aud` is {}: only Microsoft Graph accepts it.{}",
                c.audiences.join(", "),
                if header_nonce { " Its header carries a `nonce`, so its signature validates only at Graph: other APIs report a signature failure (IDX10511)." } else { "" }
            ),
        )
        .evidence("claim aud", c.audiences.join(", "))
        .fix(match ctx
            .call
            .as_ref()
            .and_then(|c| c.host.as_deref())
            .filter(|h| h.ends_with(".sharepoint.com"))
        {
            // SharePoint's own REST API (`/_api/`) takes tokens for the tenant's SharePoint host.
            Some(sp) => format!("SharePoint's REST API takes a token for SharePoint itself: request scope `https://{sp}/.default` (delegated: `https://{sp}/AllSites.Read` and the like; app-only SharePoint REST needs a certificate credential, not a secret), or call the same data through Microsoft Graph's /sites endpoints with this Graph token."),
            None => "Request a token for your API: scope `api://<your API's client id>/.default` (or its own scope), not Graph scopes such as User.Read.".to_string(),
        })
        .weight(if response_aud || response_sig { 90 } else { 83 });
        if header_nonce {
            f = f.evidence("header nonce", "present");
        }
        out.push(f);
    } else if response_aud && !id_token_reported {
        let mut f = Finding::new(
            "audience.mismatch",
            Severity::Error,
            "The API rejected the token's audience",
            format!("The API says the audience is invalid; the token's `aud` is {}.", if c.audiences.is_empty() { "missing".into() } else { c.audiences.join(", ") }),
        )
        .evidence("claim aud", c.audiences.join(", "))
        .evidence("response", ctx.response_message().unwrap_or_default())
        .fix("Request the token for the API's audience (its identifier / resource / scope prefix), and configure the API to accept exactly that value.")
        .weight(88);
        // The API expects `api://<guid>` and the token carries `<guid>`: one Entra application in its two forms
        // (v2 access tokens carry the GUID), not a token for another party.
        let said = ctx
            .response_message()
            .unwrap_or_default()
            .to_ascii_lowercase();
        let guid_for_uri = c
            .audiences
            .iter()
            .find(|a| is_guid(a) && said.contains(&format!("api://{}", a.to_ascii_lowercase())));
        let keycloak = c.issuer.as_deref().is_some_and(|i| i.contains("/realms/"));
        if let Some(guid) = guid_for_uri {
            f = f.detail(format!(
                "The API expects the App ID URI api://{guid}, and the token's `aud` is {guid}: the same Entra application in its other form. Entra v2 access tokens always carry the application's GUID as `aud` (v1 tokens carry the App ID URI when it was requested), so this is an access token for this API, validated against the wrong form."
            ))
            .fix(format!("Configure the API to accept {guid} (or both {guid} and api://{guid}) as the audience; or make the API's app registration issue v1 tokens (accessTokenAcceptedVersion null or 1) if the API must see the App ID URI."));
        } else if aud_is_client {
            f = f.detail(format!(
                "The API says the audience is invalid; the token's `aud` is {}, the client itself: the token was issued for the app (an ID token, or an access token requested without this API's audience or resource), not for this API.",
                c.audiences.join(", ")
            ));
        } else if c.audiences.is_empty()
            && c.issuer
                .as_deref()
                .is_some_and(|i| i.contains("cognito-idp."))
        {
            // Amazon Cognito's access tokens have `client_id` and no `aud`; its ID tokens have `aud`.
            f = f
                .detail("The API says the audience is invalid; the token has no `aud`: an Amazon Cognito access token, which never carries one (it names its app client in `client_id`; Cognito's ID tokens carry `aud`). An API that checks `aud` refuses every Cognito access token.")
                .fix("Have the API check `client_id` instead of `aud` for access tokens (aws-jwt-verify: CognitoJwtVerifier with tokenUse \"access\" and clientId), or send the ID token if the API is meant to take ID tokens.");
            f.fix.remove(0);
        }
        if keycloak {
            f = f.fix("Keycloak: put the API in the token's `aud` with an Audience mapper (Client scopes > a scope > Mappers > By configuration > Audience, Included Client Audience: the API's client), assigned to the client that gets the token; then get a new token.");
        }
        out.push(f);
    }
    // Issuer.
    if let (Some(want), Some(iss)) = (
        expect.issuer.as_deref().filter(|i| !i.is_empty()),
        c.issuer.as_deref(),
    ) {
        if want != iss {
            out.push(
                Finding::new(
                    "issuer.mismatch",
                    Severity::Error,
                    "The token comes from another issuer than the API trusts",
                    format!("The API trusts `{want}`, the token's `iss` is `{iss}`: {}.", issuer_difference(want, iss)),
                )
                .evidence("claim iss", iss.to_string())
                .evidence("expected", want.to_string())
                .fix("Get the token from the issuer the API trusts (same host name, port, realm/tenant and token version), or configure the API to trust this issuer.")
                .weight(82),
            );
        }
    }
    issuer_from_response(ctx, c.issuer.as_deref(), out);
    region_rules(ctx, c.issuer.as_deref(), out);
    cluster_rules(ctx, out);
    access_key_fix(ctx, out);
    foreign_to_cxone(ctx, out);
    realm_mismatch(ctx, out);
    google_token_kind(ctx, out);
    okta_org_server(ctx, out);
    if let Some(m) = ctx.matrix {
        if !m.platform.issuers.is_empty() {
            if let Some(iss) = c.issuer.as_deref() {
                let known = m.platform.issuers.iter().any(|p| {
                    iss.to_ascii_lowercase()
                        .starts_with(&p.to_ascii_lowercase())
                });
                if !known && !out.iter().any(|f| f.code == "issuer.mismatch") && ctx.call.is_some()
                {
                    out.push(
                        Finding::new(
                            "issuer.mismatch",
                            Severity::Warning,
                            format!("The issuer is not one {} uses", m.platform.name),
                            format!(
                                "`iss` is `{iss}`; {} tokens come from {}.",
                                m.platform.name,
                                m.platform.issuers.join(", ")
                            ),
                        )
                        .evidence("claim iss", iss.to_string())
                        .weight(60),
                    );
                }
            }
        }
    }
}

/// The shape of a refresh token of Microsoft's identity platform: `0.A…` or `1.A…`, opaque, with dots, long.
/// `segments`: the token's, as decoding counted them.
fn is_microsoft_refresh_token(token: &str, segments: usize) -> bool {
    (token.starts_with("0.A") || token.starts_with("1.A")) && token.len() > 100 && segments >= 3
}

/// The permissions GitHub's answer says would do (`X-Accepted-GitHub-Permissions: issues=write; pull_requests=write`),
/// written as a workflow's `permissions:` entries (`issues: write`, `pull-requests: write`).
fn github_accepted_permissions(ctx: &Context) -> Option<String> {
    let text = ctx
        .request
        .response
        .as_deref()
        .or(ctx.recognized.response.as_deref())?;
    let line = text.lines().find(|l| {
        l.get(..29)
            .is_some_and(|h| h.eq_ignore_ascii_case("x-accepted-github-permissions"))
    })?;
    let list: Vec<String> = line
        .split_once(':')?
        .1
        .split([';', ','])
        .filter_map(|p| {
            let (name, level) = p.trim().split_once('=')?;
            Some(format!(
                "`{}: {}`",
                name.trim().replace('_', "-"),
                level.trim()
            ))
        })
        .collect();
    (!list.is_empty()).then(|| list.join(" or "))
}

/// Microsoft's tenant of personal accounts (consumers), the issuer of tokens for personal Microsoft accounts.
const MSA_TENANT: &str = "9188040d-6c67-4c5b-b112-36a304b66dad";

/// An Entra ID issuer's tenant: `https://sts.windows.net/<tenant>/` (v1), `https://login.microsoftonline.com/<tenant>/v2.0`
/// (v2).
fn entra_tenant(iss: &str) -> Option<&str> {
    iss.strip_prefix("https://sts.windows.net/")
        .or_else(|| iss.strip_prefix("https://login.microsoftonline.com/"))?
        .split('/')
        .next()
        .filter(|t| !t.is_empty() && !t.contains('{'))
}

fn issuer_from_response(ctx: &Context, token_iss: Option<&str>, out: &mut Vec<Finding>) {
    let Some(r) = &ctx.response else { return };
    for s in &r.signals {
        if let Signal::IssuerInvalid { expected, actual } = s {
            if out
                .iter()
                .any(|f| f.code == "issuer.mismatch" && f.severity == Severity::Error)
            {
                return;
            }
            let named = actual.clone();
            let actual = named.clone().or_else(|| token_iss.map(str::to_string));
            // The answer names the issuer it expects and the token shown has it: the API judged another token.
            if let Some(e) = expected.as_ref().filter(|e| Some(e.as_str()) == token_iss) {
                out.push(
                    Finding::new(
                        "token.stale",
                        Severity::Warning,
                        "The API says the issuer is invalid, but the token shown has the issuer it expects",
                        format!("The answer says it expects `{e}`, and the token shown was issued by it. So the request carried another token (an older or cached one, or another environment's)."),
                    )
                    .evidence("response", r.message.clone().unwrap_or_default())
                    .evidence("claim iss", e.clone())
                    .fix("Make the integration send this token: clear its token cache or reconnect the account, and log the Authorization header it sends to compare.")
                    .weight(86),
                );
                return;
            }
            let detail = match (expected, &actual) {
                (Some(e), Some(a)) => format!(
                    "The API expected `{e}` but the token's issuer is `{a}`: {}.",
                    issuer_difference(e, a)
                ),
                (None, Some(a)) => format!("The API rejected the issuer `{a}`."),
                _ => "The API rejected the token's issuer.".into(),
            };
            // Entra ID's two issuers: v1 tokens (sts.windows.net) unless the API's app registration asks for v2.
            let entra = actual.as_deref().or(token_iss).is_some_and(|i| {
                let host = host_of(i);
                host == "sts.windows.net" || host == "login.microsoftonline.com"
            });
            let tenants = expected
                .as_deref()
                .and_then(entra_tenant)
                .zip(actual.as_deref().and_then(entra_tenant))
                .filter(|(e, a)| !e.eq_ignore_ascii_case(a));
            let fix = if let Some((_, tenant)) = tenants {
                if tenant.eq_ignore_ascii_case(MSA_TENANT) {
                    "The token comes from Microsoft's personal-account tenant (consumers): the user signed in with a personal Microsoft account. Sign in with a work account of the tenant the API trusts (authority /<tenant> or /organizations rather than /common), or, if personal accounts are meant to work, make the API accept their issuer (multi-tenant issuer validation)."
                } else {
                    "The token comes from another Entra tenant than the one the API trusts: sign in (or request the token) with the API's tenant as authority (/<tenant>, not /common), or, for an API meant for several tenants, validate the issuer per tenant (the issuer's tenant id against the tenants you accept) instead of one fixed issuer."
                }
            } else if entra {
                "Entra ID issues v1 access tokens (iss https://sts.windows.net/<tenant>/) unless the API's app registration sets accessTokenAcceptedVersion (api.requestedAccessTokenVersion) to 2 (iss https://login.microsoftonline.com/<tenant>/v2.0): make the API's valid issuers match the version its tokens have, or change that setting in the manifest; for a multi-tenant API, validate the issuer per tenant."
            } else {
                "Request the token through the same public URL (scheme, host, port, realm) that the API is configured with; inside Docker or Kubernetes, set the issuer/hostname (e.g. Keycloak KC_HOSTNAME) so that both sides see one URL."
            };
            let mut f = Finding::new(
                "issuer.mismatch",
                Severity::Error,
                "The API does not trust the token's issuer",
                detail,
            )
            .evidence("response", r.message.clone().unwrap_or_default())
            .fix(fix)
            .weight(90);
            if let Some(i) = token_iss {
                f = f.evidence("claim iss", i.to_string());
            }
            if let Some(n) = named.filter(|n| Some(n.as_str()) != token_iss) {
                f = f.evidence("issuer in the response", n);
            }
            out.push(f);
            return;
        }
    }
}

/// The cluster of a NICE CXone API host (`api-c32.nice-incontact.com` → `c32`, the older B clusters' `api-b2.…` →
/// `b2`), `None` for any other host (the area hosts, `api-na1.…`, are not a cluster).
fn cxone_cluster(host: &str) -> Option<String> {
    let host = host.split(':').next().unwrap_or("").to_ascii_lowercase();
    let (label, domain) = host.split_once('.')?;
    let cluster = label.strip_prefix("api-")?;
    let digits = cluster.strip_prefix(['b', 'c'])?;
    (!digits.is_empty()
        && digits.bytes().all(|b| b.is_ascii_digit())
        && [
            "incontact.com",
            "nice-incontact.com",
            "niceincontact.com",
            "nicecxone.com",
            "nicecxone-gov.com",
        ]
        .iter()
        .any(|d| domain == *d || domain.ends_with(&format!(".{d}"))))
    .then(|| cluster.to_string())
}

/// A Keycloak token sent to another realm of the same server (`…/realms/customers` token, a call to
/// `…/realms/staff/…`): each realm has its own keys and issuer, and refuses the other's tokens.
fn realm_mismatch(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(iss) = ctx.claims.as_ref().and_then(|c| c.issuer.clone()) else {
        return;
    };
    let Some(call) = ctx.call.as_ref() else {
        return;
    };
    let realm_of = |path: &str| {
        let lower = path.to_ascii_lowercase();
        let at = lower.find("/realms/")?;
        // The Admin REST API (`/admin/realms/<realm>/…`) is called with a token of the admin's own realm (master),
        // as Keycloak documents: only the realm's own endpoints (`/realms/<realm>/protocol/…`) take its tokens.
        if lower.get(..at).is_some_and(|head| head.ends_with("/admin")) {
            return None;
        }
        let rest = path.get(at.saturating_add(8)..)?;
        Some(rest.split(['/', '?', '#']).next().unwrap_or("").to_string())
    };
    // The issuer read as a URL: its host without the port (as a call's host is) and its path.
    let Some(issuer) = input::parse_target("GET", &iss, None) else {
        return;
    };
    let (Some(token_realm), Some(called_realm)) = (realm_of(&issuer.path), realm_of(&call.path))
    else {
        return;
    };
    let same_host = call.host.is_some() && call.host == issuer.host;
    if !same_host || token_realm.is_empty() || token_realm == called_realm {
        return;
    }
    out.push(
        Finding::new(
            "issuer.mismatch",
            Severity::Error,
            format!("The token is of realm `{token_realm}`, and the call goes to realm `{called_realm}`"),
            format!("The token's issuer is {iss}; the call goes to {}{}, another realm of the same Keycloak server. Each realm has its own keys and issuer and refuses other realms' tokens.", call.host.as_deref().unwrap_or(""), call.path),
        )
        .evidence("claim iss", iss.clone())
        .evidence("operation", format!("{} {}", call.method, call.path))
        .fix(format!("Get the token from realm `{called_realm}` (its token endpoint …/realms/{called_realm}/protocol/openid-connect/token), or call realm `{token_realm}`'s endpoint."))
        .weight(89),
    );
}

/// Google's two kinds of token, swapped: Google APIs (`*.googleapis.com`) take OAuth access tokens (`ya29.…`,
/// `gcloud auth print-access-token`), while Cloud Run and Cloud Functions with authentication required take a
/// Google-signed ID token whose audience is the service URL (`gcloud auth print-identity-token`).
fn google_token_kind(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(host) = ctx.call.as_ref().and_then(|c| c.host.as_deref()) else {
        return;
    };
    let host = host.to_ascii_lowercase();
    let google_api = host.ends_with(".googleapis.com");
    let service = host.ends_with(".run.app") || host.ends_with(".cloudfunctions.net");
    if !google_api && !service {
        return;
    }
    // What the diagnosed call's Authorization header holds: its token, or the command whose output it is.
    let command = |name: &str| {
        ctx.recognized
            .stand_in
            .as_deref()
            .is_some_and(|s| s.contains(name))
    };
    let (identity_command, access_command) = (
        command("print-identity-token"),
        command("print-access-token"),
    );
    let token = ctx.token.as_deref().unwrap_or("");
    let google_id_token = ctx.claims.as_ref().is_some_and(|c| {
        c.issuer
            .as_deref()
            .is_some_and(|i| i.trim_end_matches('/').ends_with("accounts.google.com"))
            && c.kind == crate::claims::TokenKind::Id
    });
    let finding = if google_api
        && (identity_command || google_id_token)
        && !has_error(out, "token.id_token")
    {
        Finding::new(
            "token.id_token",
            Severity::Error,
            "A Google ID token sent to a Google API, which takes access tokens",
            format!("{host} is a Google API: it takes an OAuth 2.0 access token (ya29.…) with the API's scope. The request sends an ID token (what `gcloud auth print-identity-token` prints, a JWT for a service's audience), which Google APIs answer with 401 (\"Expected OAuth 2 access token\")."),
        )
        .fix("Send an access token: `gcloud auth print-access-token` (or application-default credentials with the API's scope).")
    } else if service
        && (token.starts_with("ya29.") || access_command)
        && !has_error(out, "token.id_token")
    {
        Finding::new(
            "audience.mismatch",
            Severity::Error,
            "An OAuth access token sent to a Cloud Run or Cloud Functions service, which takes an ID token",
            format!("{host} is a Cloud Run (or Cloud Functions) service that requires authentication: it checks a Google-signed ID token whose audience is the service's URL, and an access token (ya29.…, what `gcloud auth print-access-token` prints) cannot be verified as one."),
        )
        .fix(format!("Send an ID token for the service: `gcloud auth print-identity-token` (as a user, add --audiences=https://{host} for a service account), or from code the metadata server's identity endpoint with audience=https://{host}."))
        .fix("Give the caller the Cloud Run Invoker role (roles/run.invoker) on the service.")
    } else {
        return;
    };
    // The command's output is known by its name: the header holds that token, not a stand-in for any.
    let named = command("gcloud auth print-");
    for f in out
        .iter_mut()
        .filter(|f| named && crate::input::holds_stand_in(f))
    {
        f.severity = Severity::Info;
        f.weight = 10;
    }
    out.push(finding.weight(92));
}

/// A token of an Okta custom authorization server (`https://<org>.okta.com/oauth2/default`) sent to Okta's own
/// management API (`/api/v1/…`), which takes only tokens of the org authorization server (issuer
/// `https://<org>.okta.com`, with `okta.*` scopes).
fn okta_org_server(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(call) = ctx.call.as_ref() else {
        return;
    };
    let Some(host) = call.host.as_deref().map(str::to_ascii_lowercase) else {
        return;
    };
    let okta = [
        ".okta.com",
        ".oktapreview.com",
        ".okta-emea.com",
        ".okta-gov.com",
    ]
    .iter()
    .any(|d| host.ends_with(d));
    if !okta || !call.path.to_ascii_lowercase().starts_with("/api/v1/") {
        return;
    }
    let Some(iss) = ctx.claims.as_ref().and_then(|c| c.issuer.clone()) else {
        return;
    };
    // Okta refuses such a token with 401 (E0000011); a 403 means it got past authentication.
    if !iss.to_ascii_lowercase().contains("/oauth2/")
        || has_error(out, "issuer.mismatch")
        || refusal(ctx) == Some(403)
    {
        return;
    }
    out.push(
        Finding::new(
            "issuer.mismatch",
            Severity::Error,
            "Okta's management API takes tokens of the org authorization server, not of a custom one",
            format!("The call goes to Okta's own API ({host}{}), and the token was issued by the custom authorization server {iss}. Okta's management APIs accept only access tokens of the org authorization server (issuer https://{host}, no /oauth2/… path) with okta.* scopes.", call.path),
        )
        .evidence("claim iss", iss.clone())
        .fix(format!("Get the token from the org authorization server: https://{host}/oauth2/v1/token (not …/oauth2/default/v1/token), with the okta.* scopes the endpoint needs granted to the app (Okta API Scopes tab)."))
        .weight(89),
    );
}

/// A JWT sent to NICE CXone that is no CXone token: none of the claims CXone puts in its tokens (`tenantId`,
/// `icBUId`, `icClusterId`, `icAgentId`) and an issuer of Entra ID or Auth0 (another identity provider's token,
/// such as one for Azure).
fn foreign_to_cxone(ctx: &Context, out: &mut Vec<Finding>) {
    if ctx.platform_id.as_deref() != Some("nice-cxone") {
        return;
    }
    let Some(payload) = ctx.decoded.as_ref().and_then(|d| d.payload.as_ref()) else {
        return;
    };
    if ["tenantId", "icBUId", "icClusterId", "icAgentId"]
        .iter()
        .any(|k| payload.contains_key(*k))
    {
        return;
    }
    let Some(iss) = ctx.claims.as_ref().and_then(|c| c.issuer.clone()) else {
        return;
    };
    if !(crate::claims::is_entra_issuer(&iss) || crate::claims::is_auth0_issuer(&iss)) {
        return;
    }
    out.push(
        Finding::new(
            "issuer.mismatch",
            Severity::Error,
            "This is not a NICE CXone token",
            format!("The call goes to NICE CXone, but the token was issued by {iss} and has none of the claims CXone's tokens carry (tenantId, icBUId, icClusterId, icAgentId): CXone accepts only tokens of its own authorization server."),
        )
        .evidence("claim iss", iss)
        .fix(guidance(ctx, "grant").unwrap_or_else(|| "Get the token from CXone's own authorization server.".into()))
        .weight(89),
    );
}

/// NICE CXone: a token works on the API host of its own cluster (`api-c32.…`), which the token names
/// (`icClusterId`) and a legacy token response gives (`resource_server_base_uri`).
/// NICE CXone: Basic credentials sent to the API (an access key as `-u id:secret`) are exchanged for a token
/// first, at the access-key token endpoint the matrix's guidance names.
fn access_key_fix(ctx: &Context, out: &mut [Finding]) {
    if ctx.platform_id.as_deref() != Some("nice-cxone") {
        return;
    }
    let Some(grant) = guidance(ctx, "grant") else {
        return;
    };
    if let Some(f) = out.iter_mut().find(|f| f.code == "input.basic_credentials") {
        f.fix
            .insert(0, format!("NICE CXone's API takes a bearer token. {grant}"));
    }
}

fn cluster_rules(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(host) = ctx.call.as_ref().and_then(|c| c.host.as_deref()) else {
        return;
    };
    let Some(api_cluster) = cxone_cluster(host) else {
        return;
    };
    let from_claim = ctx
        .decoded
        .as_ref()
        .and_then(|d| d.payload.as_ref())
        .and_then(|p| p.get("icClusterId"))
        .and_then(Value::as_str)
        .map(|c| (c.to_ascii_lowercase(), "claim icClusterId", c.to_string()));
    let from_response = ctx
        .recognized
        .token_response
        .as_ref()
        .and_then(|m| m.get("resource_server_base_uri"))
        .and_then(Value::as_str)
        .and_then(|u| {
            cxone_cluster(&host_of(u))
                .map(|c| (c, "token response resource_server_base_uri", u.to_string()))
        });
    let Some((cluster, source, value)) = from_claim
        .into_iter()
        .chain(from_response)
        .find(|(c, _, _)| *c != api_cluster)
    else {
        return;
    };
    let right_host = host.replacen(
        &format!("api-{api_cluster}."),
        &format!("api-{cluster}."),
        1,
    );
    out.push(
        Finding::new(
            "issuer.mismatch",
            Severity::Error,
            format!(
                "Cluster mismatch: the token is for NICE CXone cluster {} but the API host is cluster {}",
                cluster.to_ascii_uppercase(),
                api_cluster.to_ascii_uppercase()
            ),
            format!(
                "A CXone business unit lives on one cluster, and its tokens work on that cluster's API host (`https://api-{{cluster}}.…`). The call went to {host}; {}.",
                if source.starts_with("claim") {
                    format!("the token's `icClusterId` claim is {value}")
                } else {
                    format!("the token response's `resource_server_base_uri` is {value}")
                }
            ),
        )
        .evidence(source, value.clone())
        .evidence("API host", host.to_string())
        .fix(format!(
            "Call the API of the token's cluster ({right_host}): take the base URL from the token response's `resource_server_base_uri` or from discovery (`.well-known/cxone-configuration`: `api_endpoint`), not from another business unit's configuration."
        ))
        .weight(87),
    );
}

/// Genesys Cloud: the token, the login host and the API host must all be of the org's region.
fn region_rules(ctx: &Context, token_iss: Option<&str>, out: &mut Vec<Finding>) {
    let Some(m) = ctx.matrix.filter(|m| !m.platform.regions.is_empty()) else {
        return;
    };
    let region_of = |host: &str| {
        let host = host.to_ascii_lowercase();
        m.platform.regions.iter().find(|r| {
            let domain = r.api_host.strip_prefix("api.").unwrap_or(&r.api_host);
            host == domain || host.ends_with(&format!(".{domain}"))
        })
    };
    let api = ctx
        .call
        .as_ref()
        .and_then(|c| c.host.as_deref())
        .and_then(|h| region_of(h).map(|r| (h.to_string(), r)));
    let other_hosts: Vec<String> = [
        token_iss.map(host_of),
        ctx.recognized
            .call
            .as_ref()
            .and_then(|c| c.host.clone())
            .filter(|h| Some(h.as_str()) != ctx.call.as_ref().and_then(|c| c.host.as_deref())),
        ctx.recognized
            .token_endpoint
            .as_ref()
            .and_then(|c| c.host.clone()),
        ctx.request
            .expect
            .as_ref()
            .and_then(|e| e.issuer.as_deref())
            .map(host_of),
    ]
    .into_iter()
    .flatten()
    .collect();
    let Some((api_host, api_region)) = api else {
        return;
    };
    // A login host written anywhere in the paste (a debug log's token request, a browser console's authorize
    // URL), unless the API region's own login host is there too.
    // Only on a 401: a 403 (a permission, a scope) says the API's region accepted the token.
    let mut other_hosts = other_hosts;
    let rejected = ctx.response.as_ref().is_some_and(|r| r.status == Some(401));
    let written = login_hosts_in(&ctx.request.input, &m.platform.regions);
    if rejected
        && !written
            .iter()
            .any(|h| Some(h) == api_region.login_host.as_ref())
    {
        other_hosts.extend(written);
    }
    for h in other_hosts {
        let h = h.split(':').next().unwrap_or("").to_string();
        if let Some(r) = region_of(&h) {
            if r.name != api_region.name {
                out.push(
                    Finding::new(
                        "issuer.mismatch",
                        Severity::Error,
                        format!("Region mismatch: the token is from {} but the API host is in {}", r.name, api_region.name),
                        format!(
                            "{h} belongs to region {} while {api_host} belongs to {}. A {} org lives in one region: its tokens only work on that region's hosts.",
                            r.name,
                            api_region.name,
                            m.platform.name
                        ),
                    )
                    .evidence("token / login host", h.clone())
                    .evidence("API host", api_host.clone())
                    .fix(match &api_region.login_host {
                        Some(login) => format!(
                            "Use one region throughout: if the org is in {}, get tokens from {login} and call {}; otherwise use the hosts of the token's region ({}).",
                            api_region.name, api_region.api_host, r.api_host
                        ),
                        None => format!("Use the hosts of the token's region ({}) for every call.", r.api_host),
                    })
                    .weight(87),
                );
                return;
            }
        }
    }
}

/// The regions' login hosts `text` names in URLs (`https://login.mypurecloud.com/oauth/token`, a log's
/// `https://login.mypurecloud.de:443`), not in prose, each once, in the order of the regions.
fn login_hosts_in(text: &str, regions: &[crate::matrix::Region]) -> Vec<String> {
    if !text.contains("login.") {
        return Vec::new();
    }
    let lower = text.to_ascii_lowercase();
    regions
        .iter()
        .filter_map(|r| r.login_host.as_ref())
        .filter(|host| {
            lower.match_indices(host.as_str()).any(|(at, _)| {
                let in_url = lower.get(..at).is_some_and(|b| b.ends_with("://"));
                let after = lower
                    .get(at.saturating_add(host.len())..)
                    .and_then(|a| a.chars().next());
                in_url
                    && after.is_none_or(|c| !(c.is_ascii_alphanumeric() || matches!(c, '.' | '-')))
            })
        })
        .cloned()
        .collect()
}

/// The Entra ID authority of the national cloud a Microsoft Graph host or audience belongs to: China's
/// (`*.chinacloudapi.cn`, operated by 21Vianet), else US Government's.
fn national_authority(host_or_audience: &str) -> &'static str {
    if host_or_audience.contains("chinacloudapi.cn") {
        "https://login.chinacloudapi.cn/<tenant> (China, 21Vianet)"
    } else {
        "https://login.microsoftonline.us/<tenant> (US Government)"
    }
}

/// Why an authorization server says a token is not active, the likeliest first for this token.
fn inactive_causes(ctx: &Context) -> Vec<String> {
    let mut causes = vec![
        "the token was revoked (sign-out, password change, client secret rotated, consent withdrawn)".to_string(),
        "the token expired".to_string(),
        "the token was issued by another authorization server (or another realm/tenant) than the one asked".to_string(),
        "the token was requested through another host name than the one the introspection endpoint uses (the issuer differs, so the server treats it as foreign)".to_string(),
            "the introspecting client is not allowed to see this token (audience or client restrictions, e.g. Keycloak 26.6+ checks the audience)".to_string(),
    ];
    let mut weight_first = None;
    if let Some(e) = ctx
        .claims
        .as_ref()
        .and_then(|c| c.expires.as_ref())
        .and_then(|e| e.seconds)
    {
        if e < ctx.now {
            weight_first = Some(1usize);
        }
    }
    if let Some(idx) = weight_first {
        if idx < causes.len() {
            let c = causes.remove(idx);
            causes.insert(0, format!("{c} (its `exp` has passed)"));
        }
    } else if token_exp(ctx).is_some_and(|e| e > ctx.now) {
        // Its `exp` is still ahead: it did not expire (unless the server's clock is far ahead).
        causes.retain(|c| c != "the token expired");
    }
    // The token names its issuer, and the paste the server asked: another server first.
    if let Some((iss, asked, sure)) = foreign_to_introspection(ctx) {
        let at = if sure { 0 } else { causes.len().min(2) };
        causes.insert(at, format!("the token's issuer is {iss}, and the server asked is {asked}: another authorization server (or another host name for it) than the one that issued the token, which does not know the token"));
    }
    causes
}

/// The token's issuer and the introspection URL asked, when they are not one server: another host, another path
/// (Keycloak's realm), or, on an Okta org, the org's server against a custom one (`/oauth2/default`) or the reverse.
/// The flag says whether that is sure: another path, a Keycloak realm (whose issuer must be the URL asked), or a
/// local forward (`localhost`); another host name alone may be the same server's admin listener (Ory Hydra).
fn foreign_to_introspection(ctx: &Context) -> Option<(String, String, bool)> {
    if ctx.recognized.kind != "introspection_request" {
        return None;
    }
    let iss = ctx.claims.as_ref()?.issuer.clone()?;
    let call = ctx.recognized.call.as_ref()?;
    let host = call.host.as_deref()?.to_ascii_lowercase();
    let asked = format!("{host}{}", call.path);
    let iss_host = host_of(&iss);
    let raw_iss_path = iss
        .split("://")
        .nth(1)
        .and_then(|r| r.find('/').and_then(|at| r.get(at..)))
        .unwrap_or("");
    let iss_path = raw_iss_path.trim_end_matches('/').to_ascii_lowercase();
    let path = call.path.to_ascii_lowercase();
    // An Okta custom authorization server's endpoints are under `/oauth2/<server>/`, the org server's under `/oauth2/v1/`.
    let okta_server = |p: &str| {
        p.strip_prefix("/oauth2/")
            .and_then(|r| r.split('/').next())
            .filter(|s| *s != "v1")
            .map(str::to_string)
    };
    // The same host name on another port is one server's two listeners (Ory Hydra's public and admin ports).
    let name = |h: &str| h.split(':').next().unwrap_or("").to_string();
    let same_name = name(&iss_host) == name(&host);
    let foreign = !same_name
        || !path.starts_with(&iss_path)
        || okta_server(&path) != okta_server(&format!("{iss_path}/"));
    let sure = iss_host.starts_with("localhost")
        || iss_host.starts_with("127.")
        || raw_iss_path.contains("/realms/")
        || !call.path.starts_with(raw_iss_path.trim_end_matches('/'))
        || same_name;
    foreign.then_some((iss, asked, sure))
}

fn introspection_rules(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(i) = &ctx.introspection else {
        // The API introspected the token itself and says so (Spring Security: "Provided token […] isn't active").
        if ctx.response_says(&Signal::Inactive) {
            let mut f = Finding::new(
                "introspection.inactive",
                Severity::Error,
                "The API's authorization server says the token is not active",
                format!("The API answered that the token is not active: it asked its authorization server (RFC 7662 introspection), which answered `active: false` and gives no reason. The usual ones, most likely first: {}.", inactive_causes(ctx).join("; ")),
            )
            .evidence("response", ctx.response_message().unwrap_or_else(|| "token not active".into()))
            .fix("Compare the token's `iss` with the authorization server the API introspects at (its introspection URL, host and realm): a token requested through another host name (a port-forward, localhost) is foreign to it.")
            .fix("Get a new token and call again right away; if it is refused at once, the token is not one that server issued.")
            .weight(87);
            if let Some(iss) = ctx.claims.as_ref().and_then(|c| c.issuer.clone()) {
                f = f.evidence("claim iss", iss);
            }
            out.push(f);
        }
        return;
    };
    if i.active == Some(false) {
        let causes = inactive_causes(ctx);
        let mut f = Finding::new(
            "introspection.inactive",
            Severity::Error,
            "The authorization server says the token is not active",
            format!("Introspection answered `active: false`. RFC 7662 gives no reason; the usual ones, most likely first: {}.", causes.join("; ")),
        )
        .evidence("introspection", "active: false")
        .fix("Get a new token and introspect it right away; if it is inactive at once, compare its `iss` with the introspection endpoint's host and realm.")
        .fix("Introspect with a client that is allowed to (same realm, audience includes it).")
        .weight(87);
        // A 403 means the API accepted the token: the server that answered `active: false` does not know it (another
        // realm or authorization server; Entra ID has no RFC 7662 endpoint), and the refusal is about the operation.
        let accepted = refusal(ctx) == Some(403)
            || ctx.response.as_ref().is_some_and(|r| {
                r.status.is_none()
                    && r.signals.iter().any(|s| {
                        matches!(
                            s,
                            Signal::AccessDenied
                                | Signal::PermissionDenied
                                | Signal::InsufficientScope
                        )
                    })
            });
        if accepted {
            f.severity = Severity::Warning;
            f.detail.push_str(" But the API refused the operation (403, or an access-denied answer), which it does only to a token it accepted: the server that was asked does not know this token (another realm or authorization server), so this answer is not why the call failed.");
            f.weight = 40;
        }
        if let Some(iss) = ctx.claims.as_ref().and_then(|c| c.issuer.clone()) {
            f = f.evidence("claim iss", iss);
        }
        out.push(f);
        return;
    }
    // An active token that is the wrong one: a refresh token, or one for another API than the one configured.
    if i.active != Some(true) || ctx.claims.is_some() {
        return;
    }
    if let Some(t) = i
        .token_type
        .as_deref()
        .filter(|t| t.to_ascii_lowercase().contains("refresh"))
    {
        out.push(
            Finding::new(
                "token.refresh_token",
                Severity::Error,
                "The introspection says this is a refresh token, not an access token",
                format!("Introspection describes the token as `{t}`. A refresh token is exchanged at the token endpoint for an access token; APIs reject it."),
            )
            .evidence("introspection", format!("token type {t}"))
            .fix("Send the access token; use the refresh token only at the token endpoint (grant_type=refresh_token).")
            .weight(86),
        );
    }
    let expected = ctx
        .request
        .expect
        .as_ref()
        .and_then(|e| e.audience.as_deref())
        .filter(|a| !a.is_empty());
    if let Some(a) =
        expected.filter(|a| !i.audiences.is_empty() && !i.audiences.iter().any(|x| x == a))
    {
        out.push(
            Finding::new(
                "audience.mismatch",
                Severity::Error,
                format!("The token is for another audience ({})", i.audiences.join(", ")),
                format!("Introspection gives the token's audience as {}; the API expects {a}.", i.audiences.join(", ")),
            )
            .evidence("introspection aud", i.audiences.join(" "))
            .evidence("expected audience", a.to_string())
            .fix(format!("Request the token for {a} (the `audience` / `resource` parameter, or a scope of that API), or configure the API to accept the token's audience if it is really meant for it."))
            .weight(84),
        );
    }
}

fn facts_of(ctx: &Context) -> Facts {
    let mut scopes: Option<Vec<String>> = None;
    let mut scope_source = String::new();
    let mut roles = Vec::new();
    let mut grant = Grant::Unknown;
    let mut grant_reason = String::from("nothing shows whether a user signed in");
    if let Some(c) = &ctx.claims {
        if c.scope_claim.is_some() || c.kind == TokenKind::Access || !c.roles.is_empty() {
            scopes = Some(c.scopes.clone());
            scope_source = c
                .scope_claim
                .as_ref()
                .map_or("the token (no scope claim)".to_string(), |n| {
                    format!("claim `{n}`")
                });
        }
        if ctx
            .decoded
            .as_ref()
            .is_some_and(|d| d.shape == TokenShape::Jws)
            || ctx.recognized.claims.is_some()
        {
            scopes.get_or_insert_with(Vec::new);
            if scope_source.is_empty() {
                scope_source = "the token (no scope claim)".into();
            }
        }
        roles = c.roles.clone();
        grant = c.grant;
        grant_reason = c.grant_reason.clone();
    }
    if let Some(tr) = &ctx.recognized.token_response {
        if let Some(s) = tr.get("scope").and_then(Value::as_str) {
            if scopes.is_none() {
                scopes = Some(s.split_whitespace().map(str::to_string).collect());
                scope_source = "the token response's `scope`".into();
            }
        }
    }
    if scopes.is_none() {
        if let Some(p) = ctx
            .response
            .as_ref()
            .and_then(|r| r.provided_scopes.clone())
        {
            scopes = Some(p);
            scope_source = "the response's `provided` scopes".into();
        }
    }
    // An opaque token's grant, from the token request the paste shows it came from (a session's).
    if grant == Grant::Unknown {
        if let Some(g) = ctx.recognized.token_grant.as_deref() {
            let user = matches!(
                g,
                "password" | "authorization_code" | "urn:ietf:params:oauth:grant-type:device_code"
            );
            if user || g == "client_credentials" {
                grant = if user { Grant::User } else { Grant::App };
                grant_reason = format!(
                    "the token request that got it used grant_type={g}{}",
                    if user { "" } else { ": no user signs in" }
                );
            }
        }
    }
    if let Some(i) = &ctx.introspection {
        if let Some(s) = &i.scopes {
            scopes = Some(s.clone());
            scope_source = match i.source {
                "genesys-tokens-me" => "tokens/me `authorizedScope`".into(),
                _ => "introspection `scope`".into(),
            };
        }
        if i.grant != Grant::Unknown {
            grant = i.grant;
            grant_reason = i.grant_reason.clone().unwrap_or_default();
        }
    }
    Facts {
        scopes,
        scope_source,
        roles,
        grant,
        grant_reason,
    }
}

fn requirement_text(req: &ScopeRequirement) -> String {
    match req {
        ScopeRequirement::Unknown => "unknown".into(),
        ScopeRequirement::Public => "none (public)".into(),
        ScopeRequirement::AnyOf(sets) => {
            let alts: Vec<String> = sets
                .iter()
                .map(|s| {
                    if s.is_empty() {
                        "(none)".into()
                    } else {
                        s.join(" + ")
                    }
                })
                .collect();
            if alts.len() == 1 {
                alts.join("")
            } else {
                format!("any of: {}", alts.join(" | "))
            }
        }
    }
}

/// The prefixes an Entra ID token's scopes are written with in a document (`api://<app id>/Orders.Write`), when the
/// token is Entra's: `scp` holds the short name (`Orders.Write`) and `aud` the resource (its app id or App ID
/// URI), so the document's `<resource>/<name>` and the token's `<name>` are the same scope.
fn entra_scope_prefixes(ctx: &Context) -> Vec<String> {
    let Some(c) = ctx.claims.as_ref().filter(|c| {
        c.issuer
            .as_deref()
            .is_some_and(crate::claims::is_entra_issuer)
    }) else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for a in &c.audiences {
        let a = a.trim_end_matches('/');
        out.push(format!("{a}/"));
        if !a.contains("://") {
            out.push(format!("api://{a}/"));
        }
    }
    out
}

/// Whether the requirement writes a scope with a resource prefix of [`entra_scope_prefixes`] (`api://<app>/X`).
fn writes_resource_prefix(req: &ScopeRequirement, prefixes: &[String]) -> bool {
    let ScopeRequirement::AnyOf(sets) = req else {
        return false;
    };
    sets.iter().flatten().any(|s| {
        prefixes.iter().any(|p| {
            s.get(..p.len())
                .is_some_and(|head| head.eq_ignore_ascii_case(p))
        })
    })
}

/// `grant.no_user_context` where no matrix describes the operation: an app-only token (client credentials, by its
/// claims or by the token request the paste shows) reading an endpoint that describes the signed-in user (`/me`,
/// `GET …/user`, `/userinfo`, `/users/me`, `/users/current`, `/whoami`). An error with the API's refusal or error
/// in hand (Keyrock answers 400 when `/user` finds no user), a warning without an answer.
fn user_endpoint_rule(ctx: &Context, facts: &Facts, out: &mut Vec<Finding>) {
    let Some(call) = &ctx.call else { return };
    // App-only by the token's own claims or by the token request that got it: an introspection answer without a
    // user (Google's tokeninfo without `email`) does not say that no user signed in.
    let app_only = ctx.claims.as_ref().is_some_and(|c| c.grant == Grant::App)
        || ctx.recognized.token_grant.as_deref() == Some("client_credentials");
    if facts.grant != Grant::App
        || !app_only
        || out.iter().any(|f| f.code == "grant.no_user_context")
    {
        return;
    }
    // A matrix that knows the operation says whether it needs a user (operation_rules).
    if ctx
        .matrix
        .is_some_and(|m| matches!(m.lookup(&call.method, &call.path), Lookup::Found { .. }))
    {
        return;
    }
    let path = call.path.trim_end_matches('/').to_ascii_lowercase();
    let segments: Vec<&str> = path.split('/').filter(|s| !s.is_empty()).collect();
    // A segment that only places the API: `api`, a version (`v1`, `2`, `v2.0`).
    let placing = |s: &str| {
        s == "api"
            || s.strip_prefix('v')
                .unwrap_or(s)
                .bytes()
                .all(|b| b.is_ascii_digit() || b == b'.')
    };
    let last = segments.last().copied().unwrap_or("");
    let reads = matches!(call.method.as_str(), "GET" | "HEAD");
    // `me` at the API's root or after `users`/`user` (`/v1/me`, `/users/me/…`), not a code (`/states/ME/…`);
    // `GET /user` at the root (GitHub, Keyrock), not a user looked up deeper (`/rest/api/3/user?accountId=…`).
    let self_endpoint = segments.iter().enumerate().any(|(i, s)| {
        *s == "me"
            && (segments
                .get(..i)
                .is_some_and(|before| before.iter().all(|b| placing(b)))
                || i.checked_sub(1)
                    .and_then(|j| segments.get(j))
                    .is_some_and(|p| matches!(*p, "users" | "user")))
    }) || matches!(last, "userinfo" | "whoami")
        || reads && last == "user" && segments.iter().rev().skip(1).all(|b| placing(b))
        || path.ends_with("/users/current")
        || path.ends_with("/user/current");
    if !self_endpoint {
        return;
    }
    let r = ctx.response.as_ref();
    let status = r.and_then(|r| r.status);
    // The API allowed it: nothing to explain.
    if status.is_some_and(|s| (200..300).contains(&s)) {
        return;
    }
    // The answer is this rule's evidence only when it is a refusal or an error about the request that names no
    // problem with the token itself (not an expired or foreign token, not a throttle or a server error).
    let token_problem = r.is_some_and(|r| {
        r.signals
            .iter()
            .any(|s| judges_token(s) || *s == Signal::NoToken)
    });
    let answered_error = !token_problem
        && r.is_some_and(|r| match r.status {
            Some(s) => matches!(s, 400 | 403 | 404),
            None => r.message.is_some() || r.code.is_some(),
        });
    let op_name = format!("{} {}", call.method, call.path);
    let mut f = Finding::new(
        "grant.no_user_context",
        if answered_error { Severity::Error } else { Severity::Warning },
        format!("{op_name} describes the signed-in user, and this token has none"),
        format!(
            "The token was issued to an application only ({}). An endpoint such as {op_name} answers about the user who signed in, so with an app-only token it has no one to describe{}.",
            facts.grant_reason,
            match status {
                Some(s) if answered_error => format!(": the API's {s} is that"),
                None if answered_error => ": the API's error is that".to_string(),
                _ => String::new(),
            }
        ),
    )
    .evidence("grant", facts.grant_reason.clone())
    .evidence("operation", op_name.clone())
    .fix("Get the token with a grant that signs a user in (authorization code; device code for scripts and CLIs), then call it again.")
    .fix("Or, to act as the application, call an endpoint that names the user or resource (`/users/{id}`), if the API has one.")
    .weight(if answered_error { 88 } else { 45 });
    if let Some(said) = answer_words(ctx).filter(|_| answered_error) {
        f = f.evidence("response", said);
    }
    out.push(f);
}

/// The API's own words for its answer: its message, else its error code.
fn answer_words(ctx: &Context) -> Option<String> {
    ctx.response
        .as_ref()
        .and_then(|r| r.message.clone().or_else(|| r.code.clone()))
}

/// Whether a signal judges the token's contents: its audience, issuer, lifetime or signature.
fn judges_token(s: &Signal) -> bool {
    matches!(
        s,
        Signal::AudienceInvalid
            | Signal::IssuerInvalid { .. }
            | Signal::Expired
            | Signal::NotYetValid
            | Signal::SignatureInvalid
    )
}

/// Whether the API's answer shows that it read a token: `Some(true)` when it judged the token's contents (its
/// audience, issuer, lifetime or signature), `Some(false)` when it accepted one (a 2xx, or a 403 that refuses the
/// operation), None otherwise (no answer, a 401 without such words, an answer that says no token came).
fn answer_read_a_token(ctx: &Context) -> Option<bool> {
    let r = ctx.response.as_ref()?;
    if r.signals.contains(&Signal::NoToken) {
        return None;
    }
    let judged = r.signals.iter().any(judges_token);
    let accepted = r.status.is_some_and(|s| (200..300).contains(&s))
        || r.status.is_none_or(|s| s == 403)
            && r.signals.iter().any(|s| {
                matches!(
                    s,
                    Signal::AccessDenied | Signal::PermissionDenied | Signal::InsufficientScope
                )
            });
    (judged || accepted).then_some(judged)
}

/// `scope.own_data_only`: Microsoft Graph's delegated permissions without a constraint (`Mail.Read`, `User.Read`,
/// `Files.Read`: two parts, no `.All` or `.Shared`) reach only what the signed-in user owns ("If you specify No
/// constraint, the app can only perform the operations on the resources that the signed-in user owns": Microsoft,
/// "Zero Trust: protected API example", the naming convention of permission names). The permission reference still
/// lists them for `/users/{id}/…`. When the token meets `req` only through such permissions (`implied`: the
/// ReadWrite that stood in for a listed read) and `user`, the path's user, is none of the token's own ids (`oid`,
/// `upn`, `unique_name`, `preferred_username`, `email`), Graph refuses the call. An error when that is certain (an
/// object id against `oid`) or the API refused; otherwise (a name that could be an alias) a warning. None when the
/// rule does not apply or the token names no user id to compare with.
fn own_data_only(
    ctx: &Context,
    op: &Operation,
    req: &ScopeRequirement,
    held: &[String],
    implied: Option<&str>,
    user: &str,
) -> Option<Finding> {
    // `me`, or a variable left in the path (`$userId`, `{{user}}`, `<user-id>`, `:id`, `null`): no user named.
    if ctx.platform_id.as_deref() != Some("microsoft-graph")
        || user.eq_ignore_ascii_case("me")
        || user.starts_with(['$', '{', '<', ':', '%', '['])
        || crate::snippet::is_unset(user)
    {
        return None;
    }
    // A 2xx: the API allowed it.
    let status = ctx.response.as_ref().and_then(|r| r.status);
    if status.is_some_and(|s| (200..300).contains(&s)) {
        return None;
    }
    let ScopeRequirement::AnyOf(sets) = req else {
        return None;
    };
    // Permissions on what a user owns (mail, files, calendars, chats…), without a constraint. An action on other
    // users (`TeamsActivity.Send` notifies them) is no such permission.
    const OWNED: [&str; 12] = [
        "Mail",
        "MailboxSettings",
        "Calendars",
        "Contacts",
        "Files",
        "Notes",
        "Tasks",
        "User",
        "Presence",
        "People",
        "Chat",
        "OnlineMeetings",
    ];
    let own_only = |p: &str| {
        let mut parts = p.split('.');
        let resource = parts.next().unwrap_or("");
        parts.count() == 1 && OWNED.iter().any(|r| r.eq_ignore_ascii_case(resource))
    };
    let has = |p: &String| held.iter().any(|h| h == p);
    let met: Vec<&Vec<String>> = sets
        .iter()
        .filter(|set| !set.is_empty() && set.iter().all(has))
        .collect();
    // A set met without such a permission (`User.ReadBasic.All`, `Directory.Read.All`) reaches other users.
    if met.iter().any(|set| !set.iter().any(|p| own_only(p))) {
        return None;
    }
    let mut own: Vec<String> = met
        .iter()
        .flat_map(|set| set.iter())
        .filter(|p| own_only(p))
        .cloned()
        .collect();
    own.extend(implied.filter(|by| own_only(by)).map(str::to_string));
    own.sort();
    own.dedup();
    if own.is_empty() {
        return None;
    }
    // A constrained permission of the same resource held beside it (`Mail.Read.Shared`, `User.Read.All`) may be
    // the one Graph uses, when it grants as much: a read by Read, ReadBasic or ReadWrite; a write by ReadWrite; a
    // send by Send (`Mail.Read.Shared` does not widen `Mail.ReadWrite`).
    let grants = |held_op: &str, op: &str| {
        held_op.eq_ignore_ascii_case(op)
            || held_op.eq_ignore_ascii_case("ReadWrite") && op.starts_with("Read")
            || held_op.eq_ignore_ascii_case("Read") && op.eq_ignore_ascii_case("ReadBasic")
    };
    let widened = |p: &str| {
        let (resource, operation) = p.split_once('.').unwrap_or((p, ""));
        held.iter().any(|h| {
            let mut parts = h.split('.');
            let (r, o) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
            parts.next().is_some() && r.eq_ignore_ascii_case(resource) && grants(o, operation)
        })
    };
    if own.iter().any(|p| widened(p)) {
        return None;
    }
    let payload = ctx.decoded.as_ref().and_then(|d| d.payload.as_ref())?;
    let ids: Vec<(&str, &str)> = ["oid", "upn", "unique_name", "preferred_username", "email"]
        .iter()
        .filter_map(|k| payload.get(*k).and_then(Value::as_str).map(|v| (*k, v)))
        .filter(|(_, v)| !v.is_empty())
        .collect();
    if ids.is_empty() || ids.iter().any(|(_, v)| v.eq_ignore_ascii_case(user)) {
        return None;
    }
    let object_id = is_guid(user) && ids.iter().any(|(k, _)| *k == "oid");
    let refused = matches!(status, Some(403)) || ctx.response_says(&Signal::AccessDenied);
    // Another answer (a 401: the token itself was refused first; a 404) is about something else first.
    let other_answer = status.filter(|s| *s != 403);
    let certain = (object_id || refused) && other_answer.is_none();
    let op_name = op_display(ctx, op);
    let named = own
        .iter()
        .map(|p| format!("`{p}`"))
        .collect::<Vec<_>>()
        .join(" and ");
    let who = ids
        .iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ");
    let outcome = match other_answer {
        Some(s) if object_id => format!(
            ", another user: the permission does not reach that user's data, though the API's {s} is about something else first"
        ),
        Some(s) => format!(
            ": unless that name is one of the signed-in user's own addresses, the permission does not reach that user's data, though the API's {s} is about something else first"
        ),
        None if refused => ", and the API refused the call".to_string(),
        None if certain => ": another user, so Graph refuses the call (403, ErrorAccessDenied or Authorization_RequestDenied)".to_string(),
        None => ": unless that name is one of the signed-in user's own addresses, Graph refuses the call".to_string(),
    };
    let mut f = Finding::new(
        "scope.own_data_only",
        if certain {
            Severity::Error
        } else {
            Severity::Warning
        },
        format!("{named} reaches only the signed-in user's own data; this call is for the user {user}"),
        format!(
            "{op_name} is listed with {named} in Microsoft Graph's permission reference, but a delegated permission without a constraint (no `.Shared`, no `.All`) lets the app act only on what the signed-in user owns. The path names the user {user}; the token's user is {who}{outcome}.",
        ),
    )
    .evidence("held", own.join(" "))
    .evidence("operation", format!("user in the path: {user}"))
    .evidence("token", who.clone())
    .weight(if !certain {
        40
    } else if refused {
        86
    } else {
        80
    });
    if let Some(said) = answer_words(ctx).filter(|_| refused) {
        f = f.evidence("response", said);
    }
    // Wider delegated permissions of the same resource: those the operation lists, then the `.Shared` and `.All`
    // siblings the catalog has, unless the operation lists one as an application permission (`Chat.Read.All` on
    // /users/{id}/chats is no delegated permission). Each once, in that order.
    let app_sets: &[Vec<String>] = match op.app_scopes.as_ref() {
        Some(ScopeRequirement::AnyOf(sets)) => sets,
        _ => &[],
    };
    let app_listed: Vec<&String> = app_sets.iter().flatten().collect();
    let same_resource = |p: &str| {
        own.iter()
            .any(|o| o.split('.').next() == p.split('.').next())
    };
    let mut wider: Vec<String> = Vec::new();
    for p in sets.iter().filter(|set| set.len() == 1).flatten() {
        if p.split('.').count() > 2 && same_resource(p) && !wider.contains(p) {
            wider.push(p.clone());
        }
    }
    if let Some(m) = ctx.matrix {
        for p in &own {
            for suffix in [".Shared", ".All"] {
                let sibling = format!("{p}{suffix}");
                if m.platform.scope_catalog.contains(&sibling)
                    && !app_listed.contains(&&sibling)
                    && !m.platform.application_only.contains(&sibling)
                    && !wider.contains(&sibling)
                {
                    wider.push(sibling);
                }
            }
        }
    }
    if wider.is_empty() {
        f = f.fix(format!("Microsoft Graph lists no delegated permission that reaches another user's data for {op_name}: a delegated call works only on the signed-in user's own."));
    } else {
        let list = wider
            .iter()
            .map(|p| format!("`{p}`"))
            .collect::<Vec<_>>()
            .join(" or ");
        f = f.fix(format!("To reach another user's data as the signed-in user, add the delegated permission {list} in Entra ID > App registrations > API permissions, consent to it and sign in again.{}", if wider.iter().any(|p| p.ends_with(".Shared")) { " A `.Shared` permission reaches only what the other user shared with or delegated to the signed-in user (mailbox, folder or calendar permissions)." } else { "" }));
    }
    // The application permission of the same name (`Mail.Read`), else its `.All` (`User.Read.All`), else the
    // operation's least privileged one.
    let app_alternatives: Vec<&String> =
        app_sets.iter().filter(|s| s.len() == 1).flatten().collect();
    let first_app = own
        .iter()
        .find_map(|p| {
            let all = format!("{p}.All");
            app_alternatives.iter().find(|a| **a == p || ***a == all)
        })
        .or(app_alternatives.first())
        .map(|a| a.to_string());
    if let Some(app) = first_app {
        let exchange = own.iter().any(|p| {
            ["Mail", "Calendars", "Contacts", "MailboxSettings"]
                .iter()
                .any(|r| p.split('.').next() == Some(*r))
        });
        f = f.fix(format!(
            "{} as the application: the application permission `{app}` with admin consent and a client-credentials token reaches every user's data{}.",
            if wider.is_empty() { "Call it" } else { "Or call it" },
            if exchange { " (an Exchange application access policy or RBAC for Applications can limit it to some mailboxes)" } else { "" }
        ));
    }
    Some(f.fix(format!(
        "If the data is the signed-in user's own, call it through /me (or the user's own id, {}).",
        ids.first().map(|(_, v)| *v).unwrap_or("")
    )))
}

/// A Microsoft Graph read requirement met by the ReadWrite permission of the same resource and constraint
/// (`Mail.Read` by `Mail.ReadWrite`, `User.Read.All` or `User.ReadBasic.All` by `User.ReadWrite.All`): the
/// requirement's one-scope alternative it meets and the permission held, when there is one.
fn implied_read(req: &ScopeRequirement, held: &[String]) -> Option<(String, String)> {
    let ScopeRequirement::AnyOf(sets) = req else {
        return None;
    };
    sets.iter()
        .filter(|set| set.len() == 1)
        .flatten()
        .find_map(|read| {
            let (resource, rest) = read.split_once('.')?;
            let (operation, constraint) = rest.split_once('.').unwrap_or((rest, ""));
            if !(operation.eq_ignore_ascii_case("read")
                || operation.eq_ignore_ascii_case("readbasic"))
            {
                return None;
            }
            let write = if constraint.is_empty() {
                format!("{resource}.ReadWrite")
            } else {
                format!("{resource}.ReadWrite.{constraint}")
            };
            held.iter()
                .find(|h| h.eq_ignore_ascii_case(&write))
                .map(|h| (read.clone(), h.clone()))
        })
}

/// Whether `held` satisfies the requirement; and the set that came closest (fewest missing) when not, ties going
/// to a read-only scope, then for a read (`reads`: GET, HEAD) to one that names no write, then to a general
/// permission over a feature's own.
fn check_scopes(req: &ScopeRequirement, held: &[String], reads: bool) -> (bool, Vec<String>) {
    match req {
        ScopeRequirement::Unknown => (false, Vec::new()),
        ScopeRequirement::Public => (true, Vec::new()),
        ScopeRequirement::AnyOf(sets) => {
            let mut best: Option<Vec<String>> = None;
            for set in sets.iter() {
                let missing: Vec<String> = set
                    .iter()
                    .filter(|s| !held.iter().any(|h| h == *s))
                    .cloned()
                    .collect();
                if missing.is_empty() {
                    return (true, Vec::new());
                }
                // Fewest missing; between as few, a read-only scope (`outbound:readonly`) over its read-write
                // one, and for a read (GET, HEAD) one that names no write (`Calendars.ReadBasic` over a
                // `Calendars.ReadWrite` the reference also marks least privileged): the advice names the least
                // privilege that works.
                let readonly = |m: &[String]| {
                    m.iter()
                        .all(|s| s.to_ascii_lowercase().ends_with("readonly"))
                };
                let no_write = |m: &[String]| {
                    reads && m.iter().all(|s| !s.to_ascii_lowercase().contains("write"))
                };
                // Then a general permission over a feature's own (`Group.ReadBasic.All` over
                // `Group-XTenantIdentitySync.Read.All`: Graph names those with a hyphen).
                let rank = |m: &[String]| {
                    let feature = m
                        .iter()
                        .any(|s| s.split('.').next().is_some_and(|r| r.contains('-')));
                    (m.len(), !readonly(m), !no_write(m), feature)
                };
                if best.as_ref().is_none_or(|b| rank(&missing) < rank(b)) {
                    best = Some(missing);
                }
            }
            (sets.is_empty(), best.unwrap_or_default())
        }
    }
}

fn platform_name(ctx: &Context) -> String {
    ctx.matrix
        .map(|m| m.platform.name.clone())
        .unwrap_or_else(|| "the API".into())
}

/// `8-4-4-4-12` hexadecimal digits: an Entra application or tenant id.
fn is_guid(s: &str) -> bool {
    let parts: Vec<&str> = s.split('-').collect();
    parts.len() == 5
        && parts
            .iter()
            .zip([8, 4, 4, 4, 12])
            .all(|(p, n)| p.len() == n && p.bytes().all(|b| b.is_ascii_hexdigit()))
}

fn guidance(ctx: &Context, topic: &str) -> Option<String> {
    ctx.matrix
        .and_then(|m| m.platform.guidance.get(topic).cloned())
}

fn operation_rules(
    ctx: &Context,
    facts: &Facts,
    out: &mut Vec<Finding>,
) -> (Vec<RequirementCheck>, Option<Value>, bool) {
    let mut checks = Vec::new();
    let Some(call) = &ctx.call else {
        return (checks, None, false);
    };
    let mut op_json =
        json!({ "method": call.method, "host": call.host, "path": call.path, "matched": null });
    // No matrix: the requirements come only from the response (generic OAuth).
    let Some(m) = ctx.matrix else {
        return (checks, Some(op_json), false);
    };
    let source = m
        .platform
        .provenance
        .sources
        .first()
        .cloned()
        .unwrap_or_else(|| format!("{} matrix", m.platform.name));
    // Path parameters sent as what code writes for a variable never set (`/agent-sessions/null/…`).
    let unset: Vec<(String, String)>;
    // The user a `/users/{id}/…` path names (Microsoft Graph: an object id or a user principal name).
    let path_user: Option<String>;
    let op: &Operation = match m.lookup(&call.method, &call.path) {
        Lookup::Found { op, params } => {
            path_user = op
                .path
                .get(..8)
                .filter(|p| p.eq_ignore_ascii_case("/users/{"))
                .and(params.first())
                .map(|(_, v)| v.replace("%40", "@"));
            unset = params
                .iter()
                .filter(|(_, v)| crate::snippet::is_unset(v))
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect();
            set(
                &mut op_json,
                "matched",
                json!({
                    "method": op.method, "path": op.path, "fullPath": display_path(ctx, op), "summary": op.summary,
                    "params": params.iter().map(|(k, v)| json!({"name": k, "value": v})).collect::<Vec<_>>(),
                    "scopes": requirement_text(&op.scopes),
                    "appScopes": op.app_scopes.as_ref().map(requirement_text),
                    "permissions": op.permissions,
                    "userContext": op.user_context,
                    "notes": op.notes,
                }),
            );
            op
        }
        // A JSON batch (Graph's `$batch`): its requests are the operations; its answer says which was refused.
        Lookup::NotFound { .. } if call.path.trim_end_matches('/').ends_with("/$batch") => {
            return (checks, Some(op_json), false);
        }
        Lookup::NotFound { nearest } => {
            // A version segment the platform has no base path for (`/v2.0/me` where Graph has /v1.0 and /beta):
            // said, and the operation looked up without it.
            let first = call
                .path
                .trim_start_matches('/')
                .split('/')
                .next()
                .unwrap_or("");
            let versioned = first.len() > 1
                && first.starts_with(['v', 'V'])
                && first
                    .get(1..)
                    .is_some_and(|r| r.bytes().all(|b| b.is_ascii_digit() || b == b'.'))
                && !m.platform.base_paths.is_empty()
                && !m
                    .platform
                    .base_paths
                    .iter()
                    .any(|b| b.trim_matches('/').eq_ignore_ascii_case(first));
            let unversioned = versioned
                .then(|| call.path.trim_start_matches('/').get(first.len()..))
                .flatten()
                .filter(|rest| rest.starts_with('/'))
                .and_then(|rest| match m.lookup(&call.method, rest) {
                    Lookup::Found { op, .. } => Some(op),
                    Lookup::NotFound { .. } => None,
                });
            let near: Vec<String> = unversioned
                .into_iter()
                .chain(nearest.iter().copied())
                .map(|o| format!("{} {}", o.method, o.path))
                .collect();
            let mut f = Finding::new(
                "operation.unknown",
                Severity::Warning,
                // The matrix's, not the platform's: a matrix holds what its sources publish (NICE CXone's, a dozen).
                format!("The {} matrix has no operation {} {}", m.platform.name, call.method, call.path),
                format!(
                    "{}{}",
                    if versioned {
                        format!("{} has no version `{first}`: its base paths are {}. ", m.platform.name, m.platform.base_paths.join(" and "))
                    } else {
                        String::new()
                    },
                    if near.is_empty() {
                        format!("None of its {} operations is like it.", m.operation_count())
                    } else {
                        format!("Nearest of its {} operations: {}. Check the method and the path (a typo, a missing version prefix, or another API); the operation may also be one its sources do not list.", m.operation_count(), near.join("; "))
                    }
                ),
            )
            .evidence("operation", format!("{} {}", call.method, call.path))
            .weight(65);
            for n in near.iter().take(5) {
                f = f.fix(format!("Did you mean {n}?"));
            }
            if m.platform.unknown_policy.is_some() {
                f = f.fix(m.platform.unknown_policy.clone().unwrap_or_default());
            }
            out.push(f);
            set(&mut op_json, "nearest", json!(near));
            return (checks, Some(op_json), false);
        }
    };
    let op_name = op_display(ctx, op);
    let mut known = true;
    if let Some((name, value)) = unset.first() {
        // The API's 404 or 400 is this: the path names no object.
        let refused = ctx
            .response
            .as_ref()
            .is_some_and(|r| matches!(r.status, Some(400 | 404)));
        out.push(
            Finding::new(
                "operation.unset_parameter",
                if refused { Severity::Error } else { Severity::Warning },
                format!("The path's {{{name}}} is the literal `{value}`"),
                format!("The call sends `{value}` where {op_name} takes {{{name}}}: what code writes for a variable that was never set. The API looks for an object called `{value}`{}.", if refused { ", which is why it answered as it did" } else { ", and there is none" }),
            )
            .evidence("operation", format!("{} {}", call.method, call.path))
            .fix(format!("Set {{{name}}} before the call: check the step that should have given it a value (an earlier call's answer, a mapped field).{}", guidance(ctx, "agent_session").filter(|_| name.to_ascii_lowercase().contains("session")).map(|g| format!(" {g}")).unwrap_or_default()))
            .weight(if refused { 88 } else { 60 }),
        );
    }

    // 0. A call to a document's operation without the document's base path (`/tickets/1` for `/v2/tickets/{id}`):
    // matched leniently here, but the API may not serve it there (a 404 says so).
    if ctx.platform_id.as_deref() == Some("custom") && !op.own_base_path {
        let called = ctx
            .call
            .as_ref()
            .map(|c| c.path.to_ascii_lowercase())
            .unwrap_or_default();
        let bases: Vec<&String> = m
            .platform
            .base_paths
            .iter()
            .filter(|b| !b.contains('{') && !b.trim_end_matches('/').is_empty())
            .collect();
        if !called.is_empty()
            && !bases.is_empty()
            && !bases
                .iter()
                .any(|b| called.starts_with(&b.trim_end_matches('/').to_ascii_lowercase()))
        {
            let not_found = ctx.response.as_ref().and_then(|r| r.status) == Some(404);
            let single_server = m.platform.base_paths.len() == 1 && m.platform.hosts.len() <= 1;
            let base = bases.first().map(|b| b.trim_end_matches('/')).unwrap_or("");
            out.push(
                Finding::new(
                    "operation.base_path",
                    // With a 404, an error when the document has one server; a warning when it has several (one may
                    // have no base path, which the call used).
                    if not_found && single_server {
                        Severity::Error
                    } else if not_found {
                        Severity::Warning
                    } else {
                        Severity::Info
                    },
                    format!("The call's path lacks the document's base path {base}"),
                    format!(
                        "The document's servers put {base} before its paths ({op_name}); the call went to {} without it. Token Doctor matched the operation anyway{}. (If the document also has a server without a base path and the call went there, this does not apply.)",
                        ctx.call.as_ref().map(|c| c.path.clone()).unwrap_or_default(),
                        if not_found { ", but the API answered 404: it serves the operation only under the base path" } else { "" }
                    ),
                )
                .evidence("matrix", format!("base paths: {}", bases.iter().map(|b| b.as_str()).collect::<Vec<_>>().join(", ")))
                .fix(format!("Call {op_name} with the base path, as the document's servers give it."))
                .weight(if not_found { 92 } else { 15 }),
            );
        }
    }

    // 1. User context.
    match op.user_context {
        UserContext::Required => {
            let state = match facts.grant {
                Grant::User => RequirementState::Met,
                Grant::App => RequirementState::Unmet,
                Grant::Unknown => RequirementState::Unknown,
            };
            checks.push(RequirementCheck {
                kind: "user_context".into(),
                required: "a signed-in user (not client credentials / app-only)".into(),
                state,
                evidence: facts.grant_reason.clone(),
                source: source.clone(),
            });
            if state == RequirementState::Unknown {
                known = false;
            }
            if state == RequirementState::Unmet {
                let mut f = Finding::new(
                    "grant.no_user_context",
                    Severity::Error,
                    format!("{op_name} needs a signed-in user, but this is an app-only token"),
                    format!(
                        "The token was issued without a user ({}). {op_name} acts as a user (for example `/me` means \"the signed-in user\"), so app-only / client-credentials tokens are refused.",
                        facts.grant_reason
                    ),
                )
                .evidence("grant", facts.grant_reason.clone())
                .evidence("matrix", format!("{op_name}: user context required"))
                .weight(88);
                if let Some(r) = &ctx.response {
                    if r.signals.contains(&Signal::UserContextRequired) {
                        f = f
                            .evidence("response", r.message.clone().unwrap_or_default())
                            .weight(93);
                    }
                }
                f = grant_fix(ctx, f, op);
                out.push(f);
            }
        }
        UserContext::NotRequired => {}
        UserContext::Unknown => {}
    }

    // 2. Scopes: delegated vs application.
    let app_only = facts.grant == Grant::App;
    let (req, held, held_source, kind_word) = match (&op.app_scopes, app_only) {
        (Some(app), true) => (
            app,
            // Only a token (or its description) shows its roles: an app-only token known from its token request
            // alone (a session's `$token`) shows none.
            (ctx.claims.is_some() || ctx.introspection.is_some()).then(|| facts.roles.clone()),
            "claim `roles`".to_string(),
            "application permission",
        ),
        _ => (
            &op.scopes,
            facts.scopes.clone(),
            facts.scope_source.clone(),
            "scope",
        ),
    };
    // An Entra ID token's scopes against a document that writes them with their resource (`api://<app>/X`): the
    // token holds them in both spellings; the document's is the one named.
    let prefixes = entra_scope_prefixes(ctx);
    let held_checked: Option<Vec<String>> = held
        .as_ref()
        .filter(|_| !prefixes.is_empty() && writes_resource_prefix(req, &prefixes))
        .map(|h| {
            let mut both = h.clone();
            for p in &prefixes {
                both.extend(h.iter().map(|s| format!("{p}{s}")));
            }
            both
        });
    let graph_like = op.app_scopes.is_some();
    let kind_word = if graph_like && !app_only {
        "delegated permission"
    } else {
        kind_word
    };
    // Genesys Cloud sets roles, not scopes, on client-credentials clients ("Scopes must be set for clients not using
    // the CLIENT-CREDENTIALS grant"; "Roles must be set for clients using the CLIENT-CREDENTIALS grant": the OAuth
    // client resource of Genesys' Terraform provider): a scope requirement does not apply to their tokens.
    let genesys_client_credentials =
        app_only && ctx.platform_id.as_deref() == Some("genesys-cloud");
    match (req, &held) {
        (ScopeRequirement::AnyOf(_), _) if genesys_client_credentials => {
            checks.push(RequirementCheck {
                kind: "scope".into(),
                required: format!("{} (not for client credentials)", requirement_text(req)),
                state: RequirementState::Met,
                evidence: "a client-credentials token: Genesys Cloud gives client-credentials clients roles, not scopes, so the operation's scopes do not apply; the client's roles decide (permissions)".into(),
                source: source.clone(),
            });
        }
        (ScopeRequirement::Unknown, _) => {
            known = false;
            checks.push(RequirementCheck {
                kind: "scope".into(),
                required: "unknown".into(),
                state: RequirementState::Unknown,
                evidence: m.platform.unknown_policy.clone().unwrap_or_else(|| {
                    "the matrix does not say which scopes this operation needs".into()
                }),
                source: source.clone(),
            });
            if let Some(policy) = &m.platform.unknown_policy {
                out.push(
                    Finding::new(
                        "scope.requirement_unknown",
                        Severity::Info,
                        format!(
                            "{} does not publish what {op_name} requires",
                            m.platform.name
                        ),
                        policy.clone(),
                    )
                    .evidence("matrix", source.clone()),
                );
            }
        }
        (ScopeRequirement::Public, _) => checks.push(RequirementCheck {
            kind: "scope".into(),
            required: "none (public operation)".into(),
            state: RequirementState::Met,
            evidence: String::new(),
            source: source.clone(),
        }),
        (req, None) => {
            known = false;
            checks.push(RequirementCheck {
                kind: "scope".into(),
                required: requirement_text(req),
                state: RequirementState::Unknown,
                evidence:
                    "the token is opaque and no introspection was given: its scopes cannot be seen"
                        .into(),
                source: source.clone(),
            });
        }
        (req, Some(held)) => {
            let reads = matches!(op.method.as_str(), "GET" | "HEAD");
            let checked = held_checked.as_ref().unwrap_or(held);
            let (mut ok, missing) = check_scopes(req, checked, reads);
            // Microsoft Graph names permissions {resource}.{operation}.{constraint}, and a ReadWrite permission
            // reads too ("create, read, update, and delete"): the permission reference leaves it out of many
            // reads' lists (Mail.ReadWrite for GET /me/messages/{id}), which Graph accepts all the same.
            let implied = (!ok && ctx.platform_id.as_deref() == Some("microsoft-graph"))
                .then(|| implied_read(req, checked))
                .flatten();
            if let Some((read, by)) = &implied {
                ok = true;
                out.push(
                    Finding::new(
                        "scope.implied",
                        Severity::Info,
                        format!("`{by}` includes the `{read}` that {op_name} lists"),
                        format!("Microsoft Graph's permission reference lists {} for {op_name}, not {by}; Microsoft describes ReadWrite permissions as granting read access too (\"create, read, update, and delete\"), and Graph accepts them for reads. The least privilege for this call is still {read}.", requirement_text(req)),
                    )
                    .evidence("held", by.clone())
                    .evidence("matrix", format!("{op_name}: {}", requirement_text(req)))
                    .weight(20),
                );
            }
            // Met only by permissions that reach the signed-in user's own data, on another user's path.
            let own_only = (ok && !app_only && facts.grant == Grant::User)
                .then(|| {
                    own_data_only(
                        ctx,
                        op,
                        req,
                        checked,
                        implied.as_ref().map(|(_, by)| by.as_str()),
                        path_user.as_deref()?,
                    )
                })
                .flatten();
            let own_state = own_only.as_ref().map(|f| {
                if f.severity == Severity::Error {
                    RequirementState::Unmet
                } else {
                    RequirementState::Unknown
                }
            });
            if own_state == Some(RequirementState::Unknown) {
                known = false;
            }
            checks.push(RequirementCheck {
                kind: if kind_word == "scope" {
                    "scope".into()
                } else {
                    kind_word.replace(' ', "_")
                },
                required: requirement_text(req),
                state: match own_state {
                    Some(state) => state,
                    None if ok => RequirementState::Met,
                    None => RequirementState::Unmet,
                },
                evidence: match &implied {
                    _ if held.is_empty() => format!("{held_source}: none"),
                    Some((read, by)) => {
                        format!("{held_source}: {}; {by} includes {read}", held.join(" "))
                    }
                    None => format!("{held_source}: {}", held.join(" ")),
                },
                source: source.clone(),
            });
            out.extend(own_only);
            if !ok {
                let mut f = scope_missing_finding(
                    ctx,
                    facts,
                    op,
                    req,
                    &missing,
                    held,
                    &held_source,
                    kind_word,
                    app_only,
                );
                // A missing scope is refused with 403; a 401 says the token itself was refused (expired, revoked,
                // another region or tenant), which the answer's own finding explains. The scope is still missing.
                // (Graph answers 401 `NoPermissionsInAccessToken` for a token without permissions: that is this.)
                if refusal(ctx) == Some(401)
                    && !ctx.response_says(&Signal::NoAppPermissions)
                    && !ctx.response_says(&Signal::InsufficientScope)
                {
                    f.severity = Severity::Warning;
                    f.detail.push_str(" The API answered 401, not the 403 a missing scope gets: the token itself was refused first; fix that, then this.");
                    f.weight = f.weight.min(60);
                }
                out.push(f);
            }
        }
    }

    // 3. Platform permissions.
    if let Some(p) = &op.permissions {
        if !p.list.is_empty() {
            let mode = if p.mode == PermissionMode::Any {
                "any of"
            } else {
                "all of"
            };
            let held_perms = ctx
                .introspection
                .as_ref()
                .and_then(|i| i.permissions.clone());
            let state = match &held_perms {
                Some(h) => {
                    let covered =
                        |r: &String| h.iter().any(|x| introspection::permission_covers(x, r));
                    let ok = if p.mode == PermissionMode::Any {
                        p.list.iter().any(covered)
                    } else {
                        p.list.iter().all(covered)
                    };
                    if ok {
                        RequirementState::Met
                    } else {
                        RequirementState::Unmet
                    }
                }
                None => RequirementState::Unknown,
            };
            let response_lists = ctx.response_says(&Signal::PermissionDenied);
            checks.push(RequirementCheck {
                kind: "permission".into(),
                required: format!("{mode}: {}", p.list.join(", ")),
                state: if response_lists && state == RequirementState::Unknown { RequirementState::Unmet } else { state },
                evidence: match &held_perms {
                    Some(h) => format!("users/me authorization: {} permissions", h.len()),
                    None => "permissions belong to the user's roles (or the client's roles for client credentials); the token does not show them".into(),
                },
                source: source.clone(),
            });
            // A 403 to a Genesys client-credentials token, whose scopes do not apply: the client's roles are what is
            // left to refuse it.
            let roles_left = genesys_client_credentials
                && state == RequirementState::Unknown
                && refusal(ctx) == Some(403);
            if state == RequirementState::Unmet
                || (state == RequirementState::Unknown && response_lists)
            {
                out.push(permission_missing_finding(
                    ctx,
                    facts,
                    op,
                    &p.list,
                    p.mode == PermissionMode::Any,
                    state == RequirementState::Unmet,
                ));
            } else if roles_left {
                let mut f = permission_missing_finding(
                    ctx,
                    facts,
                    op,
                    &p.list,
                    p.mode == PermissionMode::Any,
                    false,
                );
                f.detail.push_str(" The token is a client-credentials token and Genesys Cloud gives such clients roles, not scopes, so with this 403 the OAuth client's roles are what is left: they lack the permission, or their division does not cover the object the operation touches.");
                f = f.evidence("tokens/me", "authorizedGrantType CLIENT-CREDENTIALS");
                out.push(f);
            } else if state == RequirementState::Unknown {
                let who = if facts.grant == Grant::App {
                    "the OAuth client's roles"
                } else {
                    "the user's roles"
                };
                out.push(
                    Finding::new(
                        "permission.unverified",
                        Severity::Info,
                        format!("{op_name} also needs the permission{} {mode} {}", if p.list.len() > 1 { "s" } else { "" }, p.list.join(", ")),
                        format!("Platform permissions come from {who}, not from the token; Token Doctor cannot see them. If the scopes are right and the call still fails with 403, this is the next thing to check."),
                    )
                    .evidence("matrix", format!("{op_name}: {mode} {}", p.list.join(", ")))
                    .fix(guidance(ctx, "permission").unwrap_or_else(|| format!("Give {who} a role with {}.", p.list.join(", "))))
                    .weight(30),
                );
            }
        }
    }
    // Other credentials the document asks for, instead of the token or beside it: with the API's refusal in hand,
    // the first thing to check (a token fix cannot help).
    if let Some(c) = &op.credentials {
        let refused = refusal(ctx).is_some();
        let (title, detail, fix) = if c.instead {
            (
                format!(
                    "{op_name} takes {} credentials, not a bearer token",
                    c.kinds
                ),
                format!(
                    "The document's security for {op_name} names only {}: no alternative takes an OAuth token, so the token is not what the API checks and no token fix will help.",
                    c.kinds
                ),
                format!(
                    "Send the {} the API documents (and, if the API also takes tokens, check with its owner which security this operation has).",
                    c.kinds
                ),
            )
        } else {
            (
                format!("{op_name} needs {} credentials besides the token", c.kinds),
                format!(
                    "The document's security requirement for {op_name} names the token and {} together (schemes in one requirement are all needed): a request that sends only the token is refused whatever its scopes.",
                    c.kinds
                ),
                format!("Send the {} with the token.", c.kinds),
            )
        };
        out.push(
            Finding::new(
                "credentials.other",
                if refused {
                    Severity::Error
                } else if c.instead {
                    Severity::Warning
                } else {
                    Severity::Info
                },
                title,
                detail,
            )
            .evidence("matrix", format!("{op_name}: {}", c.kinds))
            .fix(fix)
            .weight(if refused { 83 } else { 25 }),
        );
    }
    for note in &op.notes {
        if op.credentials.is_some()
            && (note.contains("credentials, not an OAuth") || note.starts_with("Besides the token"))
        {
            continue;
        }
        out.push(
            Finding::new(
                "operation.note",
                Severity::Info,
                format!("About {op_name}"),
                note.clone(),
            )
            .weight(20),
        );
    }
    (checks, Some(op_json), known)
}

fn grant_fix(ctx: &Context, f: Finding, op: &Operation) -> Finding {
    match ctx.platform_id.as_deref() {
        Some("genesys-cloud") => f
            .fix(if op.path.split('/').any(|s| s == "me") {
                "Use a user grant (authorization code / implicit / SAML2 bearer) so the token carries a user, or call the equivalent non-/me operation with the user's id (e.g. GET /api/v2/users/{userId})."
            } else {
                "Use a user grant (authorization code / implicit / SAML2 bearer) so the token carries a user: the operation acts as the signed-in user."
            })
            .fix(guidance(ctx, "grant").unwrap_or_else(|| "Client-credentials tokens get permissions from the OAuth client's roles, and have no user.".into())),
        Some("microsoft-graph") => {
            let alt = op.path.replacen("/me", "/users/{id}", 1);
            f.fix(format!("With an app-only token, call {} {alt} with the user's id or userPrincipalName instead of /me, and grant the application permission.", op.method))
                .fix("Or sign the user in (authorization code flow) and use a delegated token.")
        }
        Some("nice-cxone") => f.fix("Sign the agent in with the authorization-code flow; CXone does not offer client credentials, and back-end access keys act for the key's user."),
        _ => f.fix("Use a flow with a signed-in user (authorization code), or call an operation that names the user explicitly."),
    }
}

#[allow(clippy::too_many_arguments)]
fn scope_missing_finding(
    ctx: &Context,
    facts: &Facts,
    op: &Operation,
    req: &ScopeRequirement,
    missing: &[String],
    held: &[String],
    held_source: &str,
    kind_word: &str,
    app_only: bool,
) -> Finding {
    let op_name = op_display(ctx, op);
    let alts = requirement_text(req);
    let first_missing = missing.first().cloned().unwrap_or_default();
    // Other sets of scopes would do as well: the title names the closest, not as the only way.
    let or_other = if matches!(req, ScopeRequirement::AnyOf(sets) if sets.len() > 1) {
        " (or an alternative)"
    } else {
        ""
    };
    let client_has = ctx
        .introspection
        .as_ref()
        .and_then(|i| i.client_scopes.as_ref())
        .map(|cs| missing.iter().all(|m| cs.iter().any(|c| c == m)));
    // The token that works (`previous`), of the same client and issuer, has every missing scope: the client is
    // granted them, and the failing token predates the grant or did not ask for them.
    let comparison = ctx.comparison().filter(|c| !c.identical);
    let working_has = comparison.as_ref().is_some_and(|c| {
        c.same.get("client") == Some(&true)
            && c.same.get("issuer") == Some(&true)
            && !missing.is_empty()
            && missing.iter().all(|m| c.scopes_lost.contains(m))
    });
    // The token that works is a JWT that does not meet the requirement either: whatever it worked for, it was not
    // this operation's scope check, and the difference between the two tokens is not what this operation needs.
    // Only when both tokens have the same kind of grant: a working token of the other kind (delegated vs app-only)
    // meets another requirement, and the grant is then the difference (the comparison says so).
    let working_lacks = comparison
        .as_ref()
        .filter(|c| !working_has && c.a.kind == "jws" && c.a.grant == facts.grant)
        .map(|c| if app_only { &c.a.roles } else { &c.a.scopes })
        .filter(|prev| !check_scopes(req, prev, false).0);
    let (code, title) = if working_has {
        (
            "scope.not_granted",
            format!(
                "The token lacks the {kind_word} `{first_missing}`{or_other}, though the token that works has it"
            ),
        )
    } else if client_has == Some(true) {
        (
            "scope.not_granted",
            format!(
                "The token lacks the {kind_word} `{first_missing}`{or_other}, though the OAuth client now has it"
            ),
        )
    } else {
        (
            "scope.missing",
            format!(
                "The token lacks the {kind_word} `{first_missing}`{or_other} that {op_name} needs"
            ),
        )
    };
    let mut detail = format!(
        "{op_name} needs {alts}. The token has {}.",
        if held.is_empty() {
            format!("no {kind_word}s ({held_source})")
        } else {
            format!("{} ({held_source})", held.join(" "))
        }
    );
    if client_has == Some(true) {
        detail.push_str(" The OAuth client is configured with it, so the token was issued before the scope was added: refreshing never adds scopes.");
    }
    if working_has {
        detail.push_str(" The token that works (the same client and issuer) carries it, so the client is granted it already: this token was issued before the grant, or for a request that did not ask for it. The integration needs a new token, not a change to the app registration.");
    }
    if let Some(prev) = working_lacks {
        detail.push_str(&format!(
            " The token given as the one that works lacks it too (it has {}): by the matrix, {op_name} would refuse it as well, so it likely worked with another operation or API. Compare the calls, not the tokens.",
            if prev.is_empty() {
                format!("no {kind_word}s")
            } else {
                crate::json::clip(&prev.join(" "), 200)
            }
        ));
    }
    if app_only
        && op.app_scopes.is_some()
        && facts.roles.is_empty()
        && !facts.scopes.clone().unwrap_or_default().is_empty()
    {
        detail.push_str(" This app-only token carries delegated scopes' names nowhere: application permissions arrive in `roles`.");
    }
    let mut f = Finding::new(code, Severity::Error, title, detail)
        .evidence(
            held_source.to_string(),
            if held.is_empty() {
                "(none)".into()
            } else {
                held.join(" ")
            },
        )
        .evidence("matrix", format!("{op_name} requires {alts}"))
        .weight(if code == "scope.not_granted" { 78 } else { 75 });
    if let Some(r) = &ctx.response {
        if r.signals.iter().any(|s| {
            matches!(
                s,
                Signal::InsufficientScope
                    | Signal::AccessDenied
                    | Signal::NoAppPermissions
                    | Signal::PermissionDenied
            )
        }) {
            f = f
                .evidence(
                    "response",
                    r.message
                        .clone()
                        .or_else(|| r.code.clone())
                        .unwrap_or_default(),
                )
                .weight(85);
        }
    }
    if working_has {
        return f.fix("Get a new token the way the working one was got (sign in again, or reconnect the account; request the scope explicitly if the integration names its scopes), and make the integration use it instead of the one it kept: a refreshed token keeps its old scopes.");
    }
    // One of Microsoft's own client applications (Graph Explorer, …), when the token names one.
    let microsoft = ctx
        .claims
        .as_ref()
        .and_then(|c| c.client_id.as_deref())
        .and_then(microsoft_client);
    f = match ctx.platform_id.as_deref() {
        Some("genesys-cloud") => {
            let mut f = f;
            if client_has != Some(true) {
                f = f.fix(format!("In Genesys Cloud Admin > Integrations > OAuth, add the scope `{first_missing}` to the OAuth client."));
            }
            f.fix("Then get a new token through a new authorization (sign in again, or reconnect the account in the integration, e.g. a Zapier connection): a refreshed token keeps its old scopes.")
                .fix(guidance(ctx, "scope").unwrap_or_else(|| "Scopes limit what the app may do; the user's permissions still apply.".into()))
        }
        // Teamwork.Migrate.All is the only application permission to post in a channel or chat: it is for importing
        // messages into a team in migration mode, not for posting as an app.
        Some("microsoft-graph") if app_only && first_missing.eq_ignore_ascii_case("Teamwork.Migrate.All") => f
            .fix("To post ordinary messages, sign a user in and call with a delegated token that has ChannelMessage.Send (channels) or ChatMessage.Send (chats): Microsoft Graph lets an app post as itself only to import messages (Teamwork.Migrate.All, a team in migration mode).")
            .fix("For notifications from an app, a bot (Bot Framework) or a Workflows webhook posts in the channel instead."),
        // A token of one of Microsoft's own client applications: not in the user's App registrations.
        Some("microsoft-graph") if !app_only && microsoft.is_some() => {
            let (name, how) = microsoft.unwrap_or(("a Microsoft application", ""));
            f.fix(format!("The token was issued to {name}, Microsoft's own application (it is not among your App registrations): {how}"))
                .fix(format!("For an integration of your own, register an application, add Microsoft Graph's delegated permission `{first_missing}` to it, and sign in through it."))
        }
        Some("microsoft-graph") => {
            let kind = if app_only { "Application" } else { "Delegated" };
            f.fix(format!("In Entra ID > App registrations > API permissions, add Microsoft Graph {kind} permission `{first_missing}`{}.", if app_only { " (an application permission, not a delegated one)" } else { "" }))
                .fix(if app_only {
                    "Grant admin consent for it (application permissions always need it)."
                } else {
                    "Consent to it: the user at sign-in, or an admin for the whole tenant if user consent is restricted or the permission needs admin consent."
                })
                .fix(if app_only {
                    // The cloud of the call: a national cloud's Graph takes its own audience.
                    format!("Get a new token with scope https://{}/.default; the new permission appears in `roles`.", ctx.call.as_ref().and_then(|c| c.host.as_deref()).filter(|h| h.ends_with("graph.microsoft.us") || h.ends_with("chinacloudapi.cn")).unwrap_or("graph.microsoft.com"))
                } else {
                    "Sign in again (or request the scope explicitly) to get a new token: refreshing keeps the old `scp`.".to_string()
                })
        }
        _ => f
            .fix(format!("Request `{first_missing}` when getting the token (the `scope` parameter) and make sure the client is allowed it."))
            .fix("Get a new token: refreshing never adds scopes; an integration that stored a token must be reconnected."),
    };
    // Sites.Selected grants an application the sites an admin granted it one by one: the token cannot show them.
    if ctx.platform_id.as_deref() == Some("microsoft-graph")
        && op.path.to_ascii_lowercase().starts_with("/sites/{")
        && held
            .iter()
            .any(|h| h.eq_ignore_ascii_case("Sites.Selected"))
    {
        // With a refusal in hand, the missing site grant is the likely cause.
        f.severity = if refusal(ctx).is_some() {
            Severity::Error
        } else {
            Severity::Warning
        };
        f.title = format!(
            "The token has Sites.Selected: {op_name} works only on sites granted to the app"
        );
        f.detail.push_str(" Sites.Selected gives access to the sites an admin granted the application one by one (read, write or more), which the token does not show: if this site was not granted, Microsoft Graph refuses the call; Token Doctor cannot tell whether it was.");
        f.fix = vec![
            "Have an admin grant the application this site: POST /v1.0/sites/{site-id}/permissions with the role (read or write) and the app's id (PnP PowerShell: Grant-PnPAzureADAppSitePermission), then call again (the token need not change).".to_string(),
            format!("Or add a tenant-wide permission the operation lists ({alts}), if least privilege allows it."),
        ];
        f.weight = 84;
    }
    f
}

fn permission_missing_finding(
    ctx: &Context,
    facts: &Facts,
    op: &Operation,
    list: &[String],
    any: bool,
    from_facts: bool,
) -> Finding {
    let op_name = op_display(ctx, op);
    let who = if facts.grant == Grant::App {
        "the OAuth client's role"
    } else {
        "the user's role"
    };
    let mode = if any { "at least one of" } else { "all of" };
    // When any one will do, the title names the least: a `view` permission before an `edit` one.
    let named = if any && list.len() > 1 {
        let least = list
            .iter()
            .find(|p| {
                let action = p.rsplit(':').next().unwrap_or("").to_ascii_lowercase();
                matches!(action.as_str(), "view" | "read" | "readonly")
            })
            .or(list.first());
        format!(
            "{} (or another of the {})",
            least.cloned().unwrap_or_default(),
            list.len()
        )
    } else {
        list.first().cloned().unwrap_or_default()
    };
    let mut f = Finding::new(
        "permission.missing",
        Severity::Error,
        format!("Missing the {} permission {named}", platform_name(ctx)),
        format!(
            "{op_name} needs {mode} {}. This is a platform permission granted through {who}, not an OAuth scope: adding scopes does not help.",
            list.join(", ")
        ),
    )
    .evidence("matrix", format!("{op_name}: {mode} {}", list.join(", ")))
    .weight(70);
    if let Some(r) = &ctx.response {
        if r.signals.contains(&Signal::PermissionDenied) {
            f = f
                .evidence("response", r.message.clone().unwrap_or_default())
                .weight(79);
        }
    }
    if from_facts {
        f = f.evidence("users/me authorization", "none of the required permissions");
    }
    f.fix(guidance(ctx, "permission").unwrap_or_else(|| format!("Give {who} a role that includes {}; for client credentials the OAuth client's roles apply (per division).", list.join(", "))))
}

/// Requirements and findings that come from the response alone (generic OAuth, or when no matrix entry
/// explains it). Returns the checks and whether they make the requirements known.
fn response_rules(
    ctx: &Context,
    facts: &Facts,
    out: &mut Vec<Finding>,
) -> (Vec<RequirementCheck>, bool) {
    let mut checks = Vec::new();
    let Some(r) = &ctx.response else {
        return (checks, false);
    };
    let mut known = false;
    let msg = r
        .message
        .clone()
        .or_else(|| r.code.clone())
        .unwrap_or_else(|| "(see response)".into());
    // The message in a sentence that ends with its own period ("It answered: {said}."), not two.
    let said = msg
        .trim_end_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();

    let lower = msg.to_ascii_lowercase();
    // The whole answer, lower-cased once: the signals were read from all of it, and the rules below that tell two
    // readings of one signal apart look at the same text (the message alone may be another member's).
    let said_all = ctx.response_text_lower().unwrap_or_else(|| lower.clone());

    // Microsoft.Identity.Web's IDW10203 to an app-only token: the rule of `InsufficientScope` below says why the
    // check reads `scp` only, rather than the scopes it names.
    let idw_app_only = facts.grant == Grant::App && said_all.contains("idw10203");
    // Scopes named by the response (challenge `scope=`, Auth0 "expected any of").
    if !r.required_scopes.is_empty()
        && !has_error(out, "scope.missing")
        && !has_error(out, "scope.not_granted")
        && !idw_app_only
    {
        let held = facts.scopes.clone();
        let state = match &held {
            Some(h) => {
                let ok = if r.scopes_any {
                    r.required_scopes.iter().any(|s| h.contains(s))
                } else {
                    r.required_scopes.iter().all(|s| h.contains(s))
                };
                if ok {
                    RequirementState::Met
                } else {
                    RequirementState::Unmet
                }
            }
            None => RequirementState::Unknown,
        };
        known = state != RequirementState::Unknown;
        let required = format!(
            "{} {}",
            if r.scopes_any { "any of:" } else { "all of:" },
            r.required_scopes.join(" ")
        );
        checks.push(RequirementCheck {
            kind: "scope".into(),
            required: required.clone(),
            state,
            evidence: match &held {
                Some(h) => format!(
                    "{}: {}",
                    facts.scope_source,
                    if h.is_empty() {
                        "none".into()
                    } else {
                        h.join(" ")
                    }
                ),
                None => "the token's scopes cannot be seen".into(),
            },
            source: "the API's response".into(),
        });
        if r.signals.contains(&Signal::ScopeNotGranted) {
            out.push(
                Finding::new(
                    "scope.not_granted",
                    Severity::Error,
                    format!("The client was not granted the scope {}", r.required_scopes.join(", ")),
                    format!("The authorization server refused to issue {} to this client: {msg}", r.required_scopes.join(", ")),
                )
                .evidence("response", msg.clone())
                .fix("Allow the client these scopes at the authorization server (Auth0: APIs > Machine to Machine Applications > authorize the app and tick the scopes; Okta: grant the scopes to the app), then request a new token.")
                .weight(78),
            );
        } else if state != RequirementState::Met {
            let missing: Vec<String> = match &held {
                Some(h) => r
                    .required_scopes
                    .iter()
                    .filter(|s| !h.contains(s))
                    .cloned()
                    .collect(),
                None => r.required_scopes.clone(),
            };
            // Any one will do: name the narrowest-looking (read-only) one.
            let first = if r.scopes_any {
                missing
                    .iter()
                    .find(|s| s.contains("readonly") || s.contains(".read"))
                    .or(missing.first())
                    .cloned()
                    .unwrap_or_default()
            } else {
                missing.first().cloned().unwrap_or_default()
            };
            let request = if r.scopes_any && missing.len() > 1 {
                format!(
                    "Request one of {} when getting the token (the narrowest that does the job, e.g. `{first}`), and make sure the client is allowed it.",
                    missing.join(" ")
                )
            } else {
                format!(
                    "Request {} when getting the token, and make sure the client is allowed it.",
                    missing.join(" ")
                )
            };
            out.push(
                Finding::new(
                    "scope.missing",
                    Severity::Error,
                    if r.scopes_any && missing.len() > 1 {
                        format!("The token has none of the scopes the API accepts (e.g. `{first}`)")
                    } else {
                        format!("The token lacks the scope `{first}` the API asks for")
                    },
                    format!(
                        "The API answered that it needs {required}; the token has {}.",
                        match &held {
                            Some(h) if !h.is_empty() => h.join(" "),
                            Some(_) => "no scopes".into(),
                            None => "scopes that cannot be seen (opaque token)".into(),
                        }
                    ),
                )
                .evidence("response", msg.clone())
                .evidence(
                    if facts.scope_source.is_empty() { "the token's scopes".to_string() } else { facts.scope_source.clone() },
                    match &held {
                        Some(h) if !h.is_empty() => h.join(" "),
                        Some(_) => "(none)".to_string(),
                        None => "cannot be seen (opaque token)".to_string(),
                    },
                )
                .fix(request)
                .fix("Get a new token: refreshing never adds scopes; an integration that stored a token must be reconnected.")
                .weight(85),
            );
            // Auth0's RBAC puts an API's permissions in `permissions`, and a scope check reads `scope`.
            let auth0_permissions = ctx
                .claims
                .as_ref()
                .is_some_and(|c| c.roles_claim.as_deref() == Some("permissions"));
            let as_permission: Vec<&String> = missing
                .iter()
                .filter(|m| auth0_permissions && facts.roles.iter().any(|r| r == *m))
                .collect();
            if !as_permission.is_empty() {
                if let Some(f) = out.iter_mut().rev().find(|f| f.code == "scope.missing") {
                    let names = as_permission
                        .iter()
                        .map(|m| format!("`{m}`"))
                        .collect::<Vec<_>>()
                        .join(", ");
                    f.detail.push_str(&format!(" The token does carry {names}, as a permission (Auth0's RBAC `permissions` claim), not as a scope: the API checks `scope`."));
                    f.fix.insert(0, format!("Have the API check the `permissions` claim for {names} (express-oauth2-jwt-bearer: claimIncludes('permissions', …); other libraries read it as a role), or ask for {names} in the authorize request's `scope` so that Auth0 puts it in `scope` too."));
                }
            }
        // Only when the refusal is about scopes: a `scope=` beside `error="invalid_token"` (Okta) says what the
        // resource needs, not that the token's scopes were the problem.
        } else if r.signals.contains(&Signal::InsufficientScope)
            && !r.signals.contains(&Signal::InvalidToken)
        {
            out.push(
                Finding::new(
                    "scope.stale",
                    Severity::Warning,
                    "The token shown has the scopes the API asks for, yet the API refused",
                    "The token that was sent is probably not this one: an integration often caches the token of an earlier connection (from before the scope was added). Refreshing keeps the old scopes.",
                )
                .evidence("response", msg.clone())
                .fix("Reconnect the account in the integration (new authorization) and send the new token; compare it with this one.")
                .weight(60),
            );
        }
    } else if r.signals.contains(&Signal::ScopeNotGranted) && !has_error(out, "scope.not_granted") {
        out.push(
            Finding::new(
                "scope.not_granted",
                Severity::Error,
                if ctx.recognized.token_request.as_ref().is_some_and(|t| t.scope.is_none()) {
                    "The token request names no scope, and the authorization server did not supply one"
                } else {
                    "The authorization server did not grant the requested scopes"
                },
                format!("It answered: {msg}"),
            )
                .evidence("response", msg.clone())
                .fix(if lower.contains("aadsts1002012") || msg.contains("/.default") {
                    // Entra ID: client credentials take one scope, the resource's `/.default`.
                    "Client credentials ask for one scope, the resource's `/.default` (for Microsoft Graph: https://graph.microsoft.com/.default); the permissions come from the application permissions granted to the app (admin consent), not from the scope parameter."
                } else if lower.contains("must be provided")
                    || lower.contains("default scope")
                    || ctx.recognized.token_request.as_ref().is_some_and(|t| t.scope.is_none())
                {
                    // The request named no scope, and the server has no default one (Okta's custom authorization
                    // servers).
                    "The request sends no `scope`, and the authorization server has no default scope: add scope=<one of the server's scopes> to the token request, or mark a scope as default on the server (Okta: Security > API > Authorization Servers > Scopes, Set as a default scope)."
                } else {
                    "Allow the client the scopes at the authorization server, then request a new token."
                })
                .weight(78),
        );
    }

    // Entra ID's on-behalf-of exchange refused its assertion: an ID token where the access token for the middle-tier
    // API belongs (AADSTS240002).
    if lower.contains("aadsts240002") || lower.contains("id_token cannot be used as") {
        out.push(
            Finding::new(
                "token.id_token",
                Severity::Error,
                "The on-behalf-of request sends an ID token as its assertion",
                format!("The token endpoint answered: {said}. The on-behalf-of exchange takes the access token the client got for the middle-tier API (its `aud` is that API, with `scp`), not the user's ID token (its `aud` is the client itself)."),
            )
            .evidence("response", msg.clone())
            .fix("Send as `assertion` the access token the client obtained for the middle-tier API (request it at sign-in with the API's scope, e.g. api://<the API's client id>/access_as_user), not the id_token.")
            .weight(90),
        );
    }

    // A claims challenge (Entra ID's Conditional Access, continuous access evaluation): the API wants a token
    // obtained again with the claims it names, not this one.
    if r.code.as_deref() == Some("insufficient_claims")
        || said_all.contains("insufficient_claims")
        || said_all.contains("continuous access evaluation")
    {
        let claims = r
            .challenges
            .iter()
            .find_map(|c| c.param("claims"))
            .map(str::to_string);
        let mut f = Finding::new(
            "token.claims_challenge",
            Severity::Error,
            "The API asks for a new token that satisfies a claims challenge",
            format!("It answered: {said}. This is a claims challenge (Entra ID): a Conditional Access policy the token does not meet (multifactor sign-in, a compliant device, a location), or continuous access evaluation revoked it (the user was disabled, their password changed, they signed out, or they moved to another network). The token is not wrong in itself; the same token will be refused again."),
        )
        .evidence("response", msg.clone())
        .fix("Sign the user in again interactively, passing the challenge's `claims` value (base64-decoded) as the claims request: MSAL's WithClaims(…) / `claims` parameter; then call with the new token.")
        .fix("For continuous access evaluation, the client app must declare the `cp1` client capability (MSAL: ClientCapabilities / client_capabilities) to receive these challenges and handle them as above.")
        .weight(91);
        if let Some(c) = claims {
            f = f.evidence("claims", crate::json::clip(&c, 200));
        }
        out.push(f);
    }

    // A JSON batch answered 200 around a refused request: that request is the one to diagnose.
    if let Some(id) = &r.batch_item {
        out.push(
            Finding::new(
                "response.batch",
                Severity::Info,
                format!("A batch: its request `{id}` was refused ({})", r.status.unwrap_or_default()),
                format!("The answer is a JSON batch's (Microsoft Graph's $batch): the batch itself answered 200, and its request `{id}` was refused; that request's answer is the one read here. The batch's own URL says nothing of what the request needs."),
            )
            .evidence("batch request", id.clone())
            .fix(format!("Give the method and URL of request `{id}` (from the batch's body) as the operation to have its permissions checked."))
            .weight(30),
        );
    }
    // Microsoft Graph's refusals of an application whose permission is granted but limited elsewhere.
    let limited = if said_all.contains("apponly accesspolicy") || said_all.contains("[raop]") {
        Some((
            "An Exchange application access policy keeps the app out of this mailbox",
            "Exchange Online limits this application to some mailboxes (an ApplicationAccessPolicy, or RBAC for Applications) and this mailbox is not among them: the token's permission is granted, but only for the mailboxes the policy's group holds.",
            "Add the mailbox to the mail-enabled security group the policy names, or change the policy (Exchange Online PowerShell: Get-ApplicationAccessPolicy, Test-ApplicationAccessPolicy -Identity <mailbox> -AppId <app id>; RBAC for Applications: Get-ManagementRoleAssignment). Changes can take an hour or more to apply.",
        ))
    } else if said_all.contains("protected api access in application-only context") {
        Some((
            "A Teams protected API: application-only access needs Microsoft's approval",
            "The application permission is granted, but Microsoft Teams protects this API (channel and chat messages read or exported by an app): app-only calls need Microsoft's approval of the app for protected APIs, unless resource-specific consent covers it.",
            "Request access to Teams protected APIs for the app (Microsoft Graph docs, \"Protected APIs in Microsoft Teams\"), or use resource-specific consent (ChannelMessage.Read.Group, ChatMessage.Read.Chat) granted by the team's or chat's owner, or a delegated token.",
        ))
    } else {
        None
    };
    if let Some((title, detail, fix)) = limited {
        out.push(
            Finding::new(
                "permission.missing",
                Severity::Error,
                title,
                format!("It answered: {said}. {detail}"),
            )
            .evidence("response", msg.clone())
            .fix(fix)
            .weight(89),
        );
    }

    for s in &r.signals {
        match s {
            Signal::InsufficientScope
                if !has_error(out, "scope.missing")
                    && !has_error(out, "scope.not_granted")
                    && (r.required_scopes.is_empty() || idw_app_only) =>
            {
                let google = r.code.as_deref() == Some("ACCESS_TOKEN_SCOPE_INSUFFICIENT")
                    || msg.contains("insufficient authentication scopes");
                let mut f = Finding::new(
                    "scope.missing",
                    Severity::Error,
                    "The API says the token lacks a scope",
                    format!(
                        "The response says the token's scopes are insufficient{}. {}",
                        if facts.scopes.as_ref().is_some_and(|s| !s.is_empty()) { format!(" (the token has: {})", facts.scopes.clone().unwrap_or_default().join(" ")) } else { String::new() },
                        if google {
                            "With Google APIs the most frequent cause is a stored token from before the scope was added to the app: delete the stored token (token.json / the connection) and consent again."
                        } else {
                            "The response does not say which scope; the API's documentation (or a matrix) does."
                        }
                    ),
                )
                .evidence("response", msg.clone())
                .weight(80);
                // An Entra ID app-only token: client credentials cannot ask for a scope (only `<resource>/.default`),
                // and delegated scopes never reach such a token; the API's app roles do, as application permissions.
                let entra_app = facts.grant == Grant::App
                    && ctx
                        .claims
                        .as_ref()
                        .and_then(|c| c.issuer.as_deref())
                        .is_some_and(crate::claims::is_entra_issuer);
                // Microsoft.Identity.Web's IDW10203 ("The 'scope' or 'scp' claim does not contain scopes …"): the API
                // checks delegated scopes only, which an app-only token never has, whatever its roles.
                // (`said_all` is the whole answer lower-cased, read once above; the message when there is none.)
                let scp_only = lower.contains("idw10203") || said_all.contains("idw10203");
                // Spring Security's own wording, with Keycloak roles in the token: Spring's default converter makes
                // authorities of `scope`/`scp` only (SCOPE_…), so a role check (hasRole, hasAuthority('ROLE_…'))
                // fails whatever realm_access holds.
                // Roles of the realm's own making: not the ones Keycloak gives every user (offline_access,
                // uma_authorization, default-roles-<realm>, the account client's).
                let spring =
                    lower.contains("requires higher privileges than provided by the access token");
                let own_roles: Vec<String> = ctx
                    .claims
                    .as_ref()
                    .filter(|_| spring)
                    .map(|c| {
                        c.keycloak_roles
                            .iter()
                            .filter(|r| {
                                let name = r.rsplit(':').next().unwrap_or(r);
                                !r.starts_with("account:")
                                    && !r.starts_with("realm-management:")
                                    && !r.starts_with("broker:")
                                    && !matches!(name, "offline_access" | "uma_authorization")
                                    && !name.starts_with("default-roles-")
                            })
                            .cloned()
                            .collect()
                    })
                    .unwrap_or_default();
                let spring_roles = !own_roles.is_empty();
                f = if google {
                    f.fix("Add the scope to the consent request, delete the cached token, and authorize again (include_granted_scopes / prompt=consent).")
                } else if spring_roles {
                    let roles = own_roles.join(", ");
                    f.title = "The API (Spring Security) says a scope is missing; if it checks a role, Spring does not see the token's Keycloak roles".into();
                    f.detail.push_str(&format!(" This wording is Spring Security's: its default JwtAuthenticationConverter turns only `scope`/`scp` into authorities (SCOPE_…). The token's Keycloak roles ({roles}) are not authorities unless the API maps them, so if the endpoint checks a role (hasRole, hasAuthority('ROLE_…')), it fails even when the token has that role."));
                    f.fix("If the endpoint checks a role: give the API a JwtAuthenticationConverter that maps realm_access.roles (or resource_access.<client>.roles) to ROLE_ authorities.")
                        .fix(format!("If the API maps them already, the user lacks the role this endpoint checks (the token has {roles}): assign it in Keycloak (Users > the user > Role mapping, a realm role or the API client's role), then get a new token: roles are fixed in a token when it is issued."))
                        .fix("If it checks a scope (hasAuthority('SCOPE_…')): request that scope and get a new token.")
                } else if entra_app && scp_only && !facts.roles.is_empty() {
                    f.title =
                        "The API checks delegated scopes only, and an app-only token has none"
                            .into();
                    f.detail(format!(
                            "The API answered: {said}. IDW10203 comes from Microsoft.Identity.Web's scope check ([RequiredScope], VerifyUserHasAnyAcceptedScope), which reads `scp`. The token is app-only ({}): it carries application permissions in `roles` ({}), never `scp`, so no app role or admin consent satisfies that check.",
                            facts.grant_reason,
                            facts.roles.join(" ")
                        ))
                        .fix("Make the API accept application permissions for app-only callers: [RequiredScopeOrAppPermission] (or a policy that checks `roles`), naming the app role the token carries.")
                        .fix("Or call the API with a delegated token (a user signed in, with the API's scope in `scp`).")
                } else if entra_app {
                    f.detail(format!(
                        "The response says the token's permissions are insufficient. The token is app-only (Entra ID client credentials: {}): it carries no delegated scopes, only the API's app roles granted to the application, in `roles`{}.",
                        facts.grant_reason,
                        if facts.roles.is_empty() { ", and it has none".to_string() } else { format!(" ({})", facts.roles.join(" ")) }
                    ))
                    .fix("Define an app role on the API's app registration (App roles, allowed member types: Applications), if it has none the operation accepts.")
                    .fix("Add it to the calling application as an application permission (API permissions > My APIs > the API > Application permissions) and grant admin consent.")
                    .fix("Get a new token with scope <API's App ID URI>/.default: the role appears in `roles`. Client credentials cannot request single scopes.")
                } else {
                    f.fix("Find the scope the operation needs in the API's documentation, request it, and get a new token (refreshing never adds scopes).")
                };
                out.push(f);
            }
            Signal::UserContextRequired if !has_error(out, "grant.no_user_context") => {
                out.push(
                    Finding::new(
                        "grant.no_user_context",
                        Severity::Error,
                        "The operation needs a signed-in user, and the token has none",
                        format!("The API answered: {said}. The token was issued to an application only ({}).", facts.grant_reason),
                    )
                    .evidence("response", msg.clone())
                    .fix(if ctx.call.as_ref().is_some_and(|c| c.path.split('/').any(|s| s == "me")) {
                        "Use a flow with a signed-in user (authorization code), or call the equivalent operation that names the user (e.g. /users/{id} instead of /me)."
                    } else {
                        "Use a flow with a signed-in user (authorization code): the operation acts as the signed-in user."
                    })
                    .weight(92),
                );
            }
            Signal::NoAppPermissions if !has_error(out, "scope.missing") => {
                out.push(
                    Finding::new(
                        "scope.missing",
                        Severity::Error,
                        "The app-only token carries no application permissions (`roles`)",
                        format!(
                            "The API answered: {said}. An app-only token must carry the API's application permissions (app roles) in `roles`; this one has {}.",
                            if facts.roles.is_empty() { "none".into() } else { facts.roles.join(" ") }
                        ),
                    )
                    .evidence("response", msg.clone())
                    .evidence("claim roles", if facts.roles.is_empty() { "(none)".into() } else { facts.roles.join(" ") })
                    .fix("Add an application permission (app role) of the API to the client app — not a delegated permission — and grant admin consent.")
                    .fix("Get a new token (client credentials with scope <API>/.default); the role appears in `roles`.")
                    .weight(86),
                );
            }
            Signal::PermissionDenied
                if !has_error(out, "permission.missing")
                    && !has_error(out, "scope.missing")
                    && !has_error(out, "grant.no_user_context") =>
            {
                let github = r.platform_hint == Some("github");
                let user_path = ctx
                    .call
                    .as_ref()
                    .is_some_and(|c| c.path == "/user" || c.path.starts_with("/user/"));
                if github && user_path {
                    out.push(
                        Finding::new(
                            "grant.no_user_context",
                            Severity::Error,
                            "This GitHub endpoint needs a user token; an app / GITHUB_TOKEN has no user",
                            format!("GitHub answered \"{msg}\" for a /user endpoint: installation tokens (including GITHUB_TOKEN) act as the app, not as a user."),
                        )
                        .evidence("response", msg.clone())
                        .fix("Use a user access token (OAuth app / GitHub App user-to-server token, or a PAT) for /user endpoints.")
                        .weight(90),
                    );
                    continue;
                }
                let perms = r.required_permissions.clone();
                let mut f = Finding::new(
                    "permission.missing",
                    Severity::Error,
                    if perms.is_empty() {
                        "The API says a permission is missing".to_string()
                    } else {
                        format!("Missing the permission {}", perms.first().cloned().unwrap_or_default())
                    },
                    if perms.is_empty() {
                        format!("The API answered: {said}. This is about what the user, app or installation is allowed (roles, permissions), not about the token's format.")
                    } else {
                        format!(
                            "The API needs {} {}. Platform permissions come from roles (the user's, or the OAuth client's for client credentials), not from OAuth scopes.",
                            if r.permissions_any { "at least one of" } else { "all of" },
                            perms.join(", ")
                        )
                    },
                )
                .evidence("response", msg.clone())
                .weight(79);
                f = if github {
                    match github_accepted_permissions(ctx) {
                        Some(accepted) => f.fix(format!("Give the GitHub App / workflow token one of the permissions GitHub names for this call ({accepted}: in a workflow, `permissions:` with them; for an App, its repository permissions) and re-install / re-run.")),
                        None => f.fix("Give the GitHub App / workflow token the permission (e.g. `permissions: contents: write` in the workflow, or the App's repository permissions) and re-install / re-run."),
                    }
                } else if r.platform_hint == Some("microsoft-graph")
                    && has_error(out, "scope.own_data_only")
                {
                    // The token's permission reaches only the signed-in user's data, and the path is another user's:
                    // that explains Graph's refusal; a directory role is the lesser reading.
                    f.severity = Severity::Warning;
                    f.weight = 40;
                    f.detail.push_str(" The delegated permission that reaches only the signed-in user's own data explains this refusal; a directory role matters for operations that need one (managing users, groups, roles).");
                    f
                } else if r.platform_hint == Some("microsoft-graph") {
                    f.fix(match facts.grant {
                        // A delegated token acts as the user: the user's directory role decides; an application
                        // permission never reaches `scp`.
                        Grant::User => "The signed-in user lacks the directory role the operation needs (e.g. User Administrator to manage users): give the user that Entra ID role; the delegated permission alone is not enough.",
                        Grant::App => "The application lacks the permission: add the application permission with admin consent (or give the app's service principal the directory role), then get a new token.",
                        Grant::Unknown => "The app or user lacks the directory permission or role: add the application permission with admin consent, or give the user the needed Entra ID role.",
                    })
                } else {
                    f.fix(guidance(ctx, "permission").unwrap_or_else(|| format!("Give the user's role (or the OAuth client's role for client credentials) {}.", if perms.is_empty() { "the permission".into() } else { perms.join(", ") })))
                };
                known = known || !perms.is_empty();
                if !perms.is_empty() {
                    checks.push(RequirementCheck {
                        kind: "permission".into(),
                        required: format!(
                            "{} {}",
                            if r.permissions_any {
                                "any of:"
                            } else {
                                "all of:"
                            },
                            perms.join(", ")
                        ),
                        state: RequirementState::Unmet,
                        evidence: "the API says it is missing".into(),
                        source: "the API's response".into(),
                    });
                }
                out.push(f);
            }
            Signal::Expired
                if !out.iter().any(|f| f.code == "token.expired")
                    && token_exp(ctx).is_some_and(|e| e > ctx.now)
                    // Graph's "expired or is not yet valid" with a token not valid yet: its own finding says why.
                    && !out
                        .iter()
                        .any(|f| f.code == "token.not_yet_valid" || f.code == "token.clock_skew") =>
            {
                // The token shown has not expired: the expired one the API saw was another.
                let e = token_exp(ctx).unwrap_or(ctx.now);
                let f = Finding::new(
                        "token.stale",
                        Severity::Warning,
                        "The API says the token has expired, but the token shown has not",
                        format!(
                            "It answered: {said}. The token shown is valid until {} ({}). So the request carried another token, an older one the integration kept (cached from an earlier connection, or refreshed but not replaced), or the API's clock is far ahead.",
                            crate::time::utc(e),
                            crate::time::relative(e, ctx.now)
                        ),
                    )
                    .evidence("response", msg.clone())
                    .evidence("claim exp", crate::time::utc(e))
                    .fix("Make the integration send its current token: clear its token cache or reconnect the account, and refresh before expiry. If it already sends this token, check the API server's clock.")
                    .weight(86);
                // The paste shows the request that sent this very token: no other token was sent.
                let shown_sent = ctx.recognized.call.is_some()
                    && ctx.recognized.token.is_some()
                    && !ctx
                        .recognized
                        .findings
                        .iter()
                        .any(|f| f.code == "input.snippet");
                let f = if shown_sent {
                    let mut f = f.detail(format!(
                        "It answered: {said}. The request shown sent this token, which is valid until {} ({}). So the API's clock is ahead of the issuer's by that much or more, or the API checks another credential than the header's (a session cookie, a token it cached for the client).",
                        crate::time::utc(e),
                        crate::time::relative(e, ctx.now)
                    ));
                    f.fix = vec!["Check the clock of the API's host (NTP) against the issuer's; a container or VM that was suspended can run far behind or ahead.".to_string(), "If the clocks agree, look for another credential the API reads first (a cookie, a cached session or token), and make sure the integration sends its current token.".to_string()];
                    f
                } else {
                    f
                };
                out.push(f);
            }
            // The API could not parse what it got, yet the token shown is a well-formed JWT: the request carried
            // something else.
            Signal::Unparsable
                if ctx.decoded.as_ref().is_some_and(|d| {
                    d.shape == jose::TokenShape::Jws && d.header.is_some() && d.payload.is_some()
                }) && !out.iter().any(|f| f.code == "token.malformed") =>
            {
                let no_dots = said.to_ascii_lowercase().contains("no dots")
                    || said.to_ascii_lowercase().contains("idx14100");
                out.push(
                    Finding::new(
                        "token.stale",
                        Severity::Warning,
                        "The API could not read the token it got as a JWT, but the token shown is one",
                        format!(
                            "It answered: {said}. The token shown is a well-formed JWT (three segments, a readable header and payload). So the request carried another value{}: an empty or unexpanded variable (`$token`, `{{{{token}}}}`), the scheme twice (`Bearer Bearer …`), quotes or a line break inside the header, a refresh token or another opaque value, or a token cut short.",
                            if no_dots { ", one without a single dot" } else { "" }
                        ),
                    )
                    .evidence("response", msg.clone())
                    .fix("Log the Authorization header the integration actually sends (redacted past its first characters) and compare it with this token; make it send `Bearer <this token>` exactly.")
                    .weight(86),
                );
            }
            Signal::Expired
                if !out.iter().any(|f| {
                    f.code == "token.expired"
                        || f.code == "token.not_yet_valid"
                        || f.code == "token.clock_skew"
                }) =>
            {
                out.push(
                    Finding::new(
                        "token.expired",
                        Severity::Error,
                        "The API says the token has expired",
                        format!("It answered: {said}."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Get a new access token; make the integration refresh before expiry.")
                    .weight(88),
                );
            }
            Signal::LifetimeInvalid
                if !out
                    .iter()
                    .any(|f| f.code == "token.exp_overflow" || f.code == "token.expired") =>
            {
                out.push(
                    Finding::new(
                        "token.lifetime_invalid",
                        Severity::Error,
                        "The API could not validate the token's lifetime",
                        format!(
                            "It answered: {said}. The `exp` claim is missing or unreadable to it."
                        ),
                    )
                    .evidence("response", msg.clone())
                    .weight(85),
                );
            }
            Signal::NotYetValid
                if !out
                    .iter()
                    .any(|f| f.code == "token.not_yet_valid" || f.code == "token.clock_skew") =>
            {
                out.push(
                    Finding::new("token.not_yet_valid", Severity::Error, "The API says the token is not valid yet", format!("It answered: {said}. The clocks of the issuer and the API probably disagree."))
                        .evidence("response", msg.clone())
                        .fix("Synchronize clocks (NTP); allow a small clock skew.")
                        .weight(81),
                );
            }
            Signal::KeyNotFound
                if !out.iter().any(|f| f.code.starts_with("signature."))
                    && !has_error(out, "token.refresh_token") =>
            {
                let kid = ctx
                    .decoded
                    .as_ref()
                    .and_then(|d| d.header.as_ref())
                    .and_then(|h| h.get("kid"))
                    .and_then(Value::as_str)
                    .unwrap_or("(none)");
                if said_all.contains("remote fetch")
                    || said_all.contains("idx20803")
                    || said_all.contains("idx20804")
                {
                    // Envoy's "Jwks remote fetch is failed", ASP.NET Core's IDX20803/IDX20804: the API has no keys
                    // at all.
                    out.push(
                        Finding::new(
                            "signature.key_not_found",
                            Severity::Error,
                            "The API could not fetch the issuer's keys",
                            format!("It answered: {said}. It has no keys to check any token with: its JWKS URL is unreachable from where it runs (DNS, the cluster's egress, TLS to the issuer, a wrong URL or cluster in its configuration). This is not the token's fault."),
                        )
                        .evidence("response", msg.clone())
                        .fix("Check the JWKS or metadata URL the API or gateway uses (Envoy: the provider's remote_jwks http_uri and its cluster; ASP.NET Core: Authority or MetadataAddress) and that it can reach it from where it runs (a proxy, a TLS-inspecting firewall whose CA it does not trust, DNS); its log says why the fetch failed. A new token will not help.")
                        .weight(82),
                    );
                    continue;
                }
                out.push(
                    Finding::new(
                        "signature.key_not_found",
                        Severity::Error,
                        "The API does not know the key that signed the token",
                        format!("It answered: {said}. The token's `kid` is {kid}: none of the keys the API has matches it. Either the API fetched the keys of another issuer (another realm, tenant or environment), or it could not fetch the issuer's keys at all (its JWKS URL unreachable from where it runs: DNS, a container network, a proxy; some libraries, such as Keycloak's adapters, then report the key as not found), or its cached keys predate a key rotation."),
                    )
                    .evidence("response", msg.clone())
                    .evidence("header kid", kid.to_string())
                    .fix("Check that the API's issuer / JWKS URL is the token's `iss` (same realm, same environment).")
                    .fix("Check that the API can reach that JWKS URL from where it runs (for Keycloak, <iss>/protocol/openid-connect/certs; from inside its container, not from your machine); its log shows the failed fetch.")
                    .fix("Restart or refresh the API's key cache after a key rotation.")
                    .weight(82),
                );
            }
            // An HMAC token (HS256) checked against public keys (.NET lists the keys it tried: `RsaSecurityKey`,
            // `X509SecurityKey`, `ECDsaSecurityKey`): the algorithms differ, whatever the key.
            Signal::SignatureInvalid
                if !out.iter().any(|f| f.code.starts_with("signature."))
                    && ctx
                        .decoded
                        .as_ref()
                        .and_then(|d| d.alg())
                        .is_some_and(|a| a.starts_with("HS"))
                    && ctx.response_text_lower().is_some_and(|t| {
                        ["rsasecuritykey", "x509securitykey", "ecdsasecuritykey"]
                            .iter()
                            .any(|k| t.contains(k))
                    }) =>
            {
                let alg = ctx
                    .decoded
                    .as_ref()
                    .and_then(|d| d.alg())
                    .unwrap_or("HS256");
                out.push(
                    Finding::new(
                        "signature.alg_mismatch",
                        Severity::Error,
                        format!("An {alg} token was checked against the API's public keys"),
                        format!("It answered: {said}. The token is signed with {alg}, an HMAC with a shared secret; the keys the API tried are public keys (RSA or EC), which verify RS256/ES256 signatures, never an HMAC."),
                    )
                    .evidence("header alg", alg.to_string())
                    .evidence("response", msg.clone())
                    .fix("Have the issuer sign the API's tokens with the asymmetric algorithm the API is configured for (RS256 with the keys it publishes), or, if the API is meant to take HMAC tokens, configure it with the shared secret as its signing key.")
                    .weight(84),
                );
            }
            Signal::SignatureInvalid
                if !out
                    .iter()
                    .any(|f| f.code.starts_with("signature.") || f.code == "audience.mismatch") =>
            {
                let alg = ctx.decoded.as_ref().and_then(|d| d.alg()).unwrap_or("?");
                out.push(
                    Finding::new(
                        "signature.invalid",
                        Severity::Error,
                        "The API could not validate the token's signature",
                        format!("It answered: {said}. The header says alg {alg}. Usual causes: a token from another environment or issuer, an HS256 token sent to an API that expects RS256 (or the reverse), or a wrong key/secret."),
                    )
                    .evidence("response", msg.clone())
                    .evidence("header alg", alg.to_string())
                    .fix("Verify the token here with the issuer's keys (Verify signature) to see which side is wrong.")
                    .weight(80),
                );
            }
            // AWS API Gateway's "Missing Authentication Token": first of all a route or stage it does not have.
            Signal::NoToken
                if said_all.contains("missing authentication token")
                    && !out.iter().any(|f| f.code == "header.malformed")
                    && !has_error(out, "input.no_token") =>
            {
                out.push(
                    Finding::new(
                        "input.no_token",
                        Severity::Error,
                        "API Gateway answered \"Missing Authentication Token\": most often a path, method or stage it does not have",
                        format!("It answered: {said}. AWS API Gateway gives this answer to a request for a resource or method the deployed API does not have (a wrong path or stage, a trailing slash, a change not deployed), and to a method with IAM authorization called without a SigV4 signature; a bearer token is not what it looked for."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Check the URL: the stage name (…/prod/…), the resource path and the method as the API defines them, and deploy the API again after a change.")
                    .fix("If the method uses IAM authorization, sign the request with SigV4, or give it a JWT, Cognito or Lambda authorizer for bearer tokens.")
                    .weight(91),
                );
            }
            // The request shown sends a token, and the API says none came: something on the way drops the header.
            Signal::NoToken
                if !out.iter().any(|f| f.code == "header.malformed")
                    && ctx.token.is_some()
                    && ctx
                        .recognized
                        .scheme
                        .as_deref()
                        .is_some_and(|s| s.eq_ignore_ascii_case("bearer"))
                    && !has_error(out, "input.no_token") =>
            {
                out.push(
                    Finding::new(
                        "input.no_token",
                        Severity::Error,
                        "The API received no bearer token, though the request sends one",
                        format!("It answered: {said}. The request shown carries `Authorization: Bearer …`, so the header was lost on the way: Apache with mod_wsgi drops it unless told not to, a proxy, load balancer or API gateway may strip or rename it, and a redirect (http to https, a trailing slash, another host) is followed without it."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Apache + mod_wsgi (Django REST framework, Flask): add `WSGIPassAuthorization On` to the site's configuration.")
                    .fix("Check what reaches the application (log request.headers at the app) and whether a proxy forwards Authorization; call the final URL directly (curl -i shows a 301/302 and its Location).")
                    .fix("If this is the header you meant to send rather than one captured from the request, check that the integration's header field is not empty or misnamed when it sends it.")
                    .weight(91),
                );
            }
            Signal::NoToken if !out.iter().any(|f| f.code == "header.malformed") => {
                out.push(
                    Finding::new(
                        "input.no_token",
                        Severity::Error,
                        "The API received no bearer token",
                        format!("It answered: {said}. The request reached it without a usable Authorization header."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Send \"Authorization: Bearer <access token>\" (check that the integration's header field is not empty or misnamed).")
                    .weight(91),
                );
            }
            // An API that refuses (403) a token it was given because of the client that got it: the token was
            // issued, so no token endpoint is involved (Keycloak's SCIM API refuses public clients' tokens).
            Signal::ClientType
                if refusal(ctx) == Some(403)
                    && ctx.token.is_some()
                    && !out.iter().any(|f| f.code == "input.token_request") =>
            {
                out.push(
                    Finding::new(
                        "client.type_mismatch",
                        Severity::Error,
                        "The API refuses tokens of this kind of client (public vs confidential)",
                        format!(
                            "It answered 403: {said}. The token was issued; the API refuses it because of the client that got it. Some APIs accept only tokens of confidential clients (Keycloak's SCIM API refuses public clients' tokens)."
                        ),
                    )
                    .evidence("response", msg.clone())
                    .fix("Get the token with a confidential client, one that authenticates with a secret or key (Keycloak: Client authentication on; the client-credentials grant for a back end), and call the API with that token.")
                    .weight(85),
                );
            }
            // The reverse of a confidential client without its secret: a public client that sends one.
            Signal::ClientType
                if lower.contains("aadsts700025") || lower.contains("client is public") =>
            {
                out.push(
                    Finding::new(
                        "client.type_mismatch",
                        Severity::Error,
                        "The client is public, and the request sends a secret",
                        format!("It answered: {said}. The app registration takes public-client flows (a browser, mobile or desktop app, which cannot keep a secret), so the token endpoint refuses a `client_secret` or `client_assertion` from it."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Stop sending client_secret / client_assertion: a public client authenticates nothing and uses PKCE (code_verifier) instead.")
                    .fix("If the app is really a back end that keeps a secret, make the registration confidential (Entra ID: Authentication > Allow public client flows: No, and the redirect URI under Web).")
                    .weight(85),
                );
            }
            Signal::ClientType if lower.contains("aadsts9002327") => {
                out.push(
                    Finding::new(
                        "client.type_mismatch",
                        Severity::Error,
                        "A single-page application's code was redeemed from a server",
                        format!("It answered: {said}. The redirect URI is registered under the Single-page application platform, so Entra ID redeems its codes only from a browser (a cross-origin request with an Origin header), not from a back end or a tool."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Redeem the code in the browser (MSAL.js does), or, for a back end that redeems codes, register the redirect URI under the Web platform and authenticate the client with a secret or certificate.")
                    .weight(85),
                );
            }
            Signal::ClientType => {
                let entra = ctx
                    .recognized
                    .call
                    .as_ref()
                    .and_then(|c| c.host.as_deref())
                    .is_some_and(|h| {
                        h.starts_with("login.microsoftonline.")
                            || h.starts_with("login.partner.")
                            || h == "login.chinacloudapi.cn"
                    });
                out.push(
                    Finding::new(
                        "client.type_mismatch",
                        Severity::Error,
                        "The token endpoint refused the client: public vs confidential",
                        format!(
                            "It answered: {said}. A browser or mobile app cannot keep a secret and must be registered as a public client (authorization code + PKCE); a confidential client must send its secret. This fails before any API call."
                        ),
                    )
                    .evidence("response", msg.clone())
                    .fix(if entra {
                        "If the app runs in a browser, on a device or in a command-line tool (device code), let the app registration take public-client flows (Entra ID: App registrations > Authentication > Allow public client flows: Yes), or register the redirect URI under Mobile and desktop / Single-page application."
                    } else {
                        "If the app runs in a browser or on a device, make the client public (Keycloak: Client authentication off; Okta: Client authentication None) and use PKCE."
                    })
                    .fix("If it is a back end, keep the client confidential and send client_id and client_secret (Basic auth or form fields) to the token endpoint.")
                    .weight(85),
                );
            }
            Signal::ClientSecretInvalid => {
                out.push(
                    Finding::new(
                        "client.secret_invalid",
                        Severity::Error,
                        "The token endpoint refused the client secret",
                        format!("It answered: {said}. The secret sent is not the client's: mistyped, a secret that expired or was rotated, or (Entra ID) the secret's ID sent instead of its value. This fails before any API call."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Create a new client secret (Entra ID: Certificates & secrets; copy the Value, shown once, not the Secret ID) and update the integration with it.")
                    .weight(85),
                );
            }
            Signal::ClientAuthFailed => {
                let genesys = ctx.platform_id.as_deref() == Some("genesys-cloud")
                    || ctx
                        .recognized
                        .call
                        .as_ref()
                        .and_then(|c| c.host.as_deref())
                        .and_then(registry::platform_for_host)
                        == Some("genesys-cloud");
                let mut f = Finding::new(
                    "client.authentication_failed",
                    Severity::Error,
                    "The token endpoint could not authenticate the client",
                    format!("It answered: {said}. The token endpoint did not accept the client (`{}`, RFC 6749 §5.2): the client id is unknown to this token endpoint (another tenant or region), the secret is wrong, or the client authenticated another way than it is registered for (Basic header against form fields). It fails before any API call.", r.code.as_deref().unwrap_or("invalid_client")),
                )
                .evidence("response", msg.clone())
                .weight(80);
                let assertion = lower.contains("client assertion");
                if assertion {
                    f.detail = format!(
                        "It answered: {said}. The client authenticates with a signed client assertion (a certificate or federated credential), and the token endpoint refused the assertion: outside its validity time (an assertion built once and reused, or a clock off), signed with a key the app registration does not hold, or with the wrong `aud`/`iss`/`sub`. It fails before any API call."
                    );
                    f = f.fix("Build a new client assertion for each token request (`exp` a few minutes ahead, `aud` the token endpoint, `iss` and `sub` the client id), signed with a certificate uploaded to the app registration; check the machine's clock.");
                } else {
                    f = f.fix("Check the client id and secret against the authorization server's registration (no spaces, the current secret), and send them the way the client is set up to authenticate (HTTP Basic or client_id and client_secret form fields).");
                }
                if genesys {
                    f = f.fix("Genesys Cloud: an OAuth client exists in one region only; send the token request to the login host of the org's region (login.mypurecloud.com, login.mypurecloud.ie, login.mypurecloud.de, login.mypurecloud.com.au, login.mypurecloud.jp, login.usw2.pure.cloud, ...), and call the API of the same region.");
                } else {
                    f = f.fix("Check that the token endpoint is the one of the tenant, realm or region where the client is registered.");
                }
                out.push(f);
            }
            Signal::AppNotForUser => {
                out.push(
                    Finding::new(
                        "client.not_for_user",
                        Severity::Error,
                        "The API does not let this application act for this user",
                        format!("It answered: {said}. NICE CXone's legacy API (developer.niceincontact.com, FAQ) answers this 401 when the application the token was issued to is not authorized for the user it acts for: the token's signature and lifetime are not the question."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Check the application's registration in CXone (the message names it, as application@vendor) against the business unit and user the token is for, and request the token with an application registered for them.")
                    .weight(82),
                );
            }
            // On-behalf-of (`grant_type=…jwt-bearer`, AADSTS50013): the assertion is refused, not a code or a
            // refresh token.
            Signal::GrantInvalid
                if lower.contains("aadsts50013") || lower.contains("assertion") =>
            {
                out.push(
                    Finding::new(
                        "grant.invalid",
                        Severity::Error,
                        "The token endpoint refused the assertion",
                        format!("It answered: {said}. In an on-behalf-of (or other JWT-bearer) request the `assertion` is the token the middle-tier API received: its `aud` must be that API (the client making the request), and it must be a token Entra can verify (not a Microsoft Graph token, whose signature only Graph checks)."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Send as `assertion` the access token the caller got for this middle-tier API (aud = its client id or App ID URI), unchanged; request it with the API's own scope (api://<the API>/.default or its delegated scope), not a Graph scope.")
                    .weight(80),
                );
            }
            Signal::GrantInvalid => {
                let grant = ctx
                    .recognized
                    .token_request
                    .as_ref()
                    .and_then(|t| t.grant_type.as_deref())
                    .unwrap_or("");
                let f = if lower.contains("aadsts50076")
                    || lower.contains("aadsts50079")
                    || lower.contains("multi-factor")
                {
                    // Conditional Access asks for MFA, which a non-interactive grant cannot do.
                    Finding::new(
                        "grant.invalid",
                        Severity::Error,
                        "The sign-in needs multi-factor authentication, which this grant cannot do",
                        format!("It answered: {said}. The credentials were accepted, but a Conditional Access policy requires MFA for this user or resource. The password grant (ROPC) and other non-interactive grants cannot perform MFA, so they fail however often they are retried."),
                    )
                    .fix("Use an interactive flow: authorization code with PKCE in an app, the device code flow in a command-line tool.")
                    .fix("For a back end that acts as itself, use client credentials with application permissions instead of a user's password.")
                } else if grant == "refresh_token"
                    || lower.contains("aadsts700082")
                    || lower.contains("aadsts50173")
                    || lower.contains("refresh token")
                {
                    Finding::new(
                        "grant.invalid",
                        Severity::Error,
                        "The refresh token no longer works: the user must sign in again",
                        format!("It answered: {said}. The refresh token (the grant behind it) expired or was revoked: unused past its lifetime (Entra ID: 90 days of inactivity), revoked by a password change, sign-out or withdrawn consent, or rotated and used twice. Refreshing cannot fix it."),
                    )
                    .fix("Sign the user in again interactively to get a new refresh token, and store the refresh token each refresh returns (some servers rotate it).")
                    .fix("If this recurs, keep the integration's connection in use, or let it reconnect by itself when refreshing fails with invalid_grant.")
                } else if grant == "password" {
                    Finding::new(
                        "grant.invalid",
                        Severity::Error,
                        "The token endpoint refused the user's credentials",
                        format!("It answered: {said}. That is `invalid_grant` (RFC 6749 §5.2) for the password grant: the user name or password is wrong, the account is locked or disabled, or the server does not allow this grant for the user (federated accounts, policies)."),
                    )
                    .fix("Check the user name and password by signing in interactively; prefer an interactive flow (authorization code with PKCE) over sending passwords.")
                } else {
                    Finding::new(
                        "grant.invalid",
                        Severity::Error,
                        "The token endpoint refused the grant",
                        format!("It answered: {said}. That is `invalid_grant` (RFC 6749 §5.2): the authorization code or refresh token is invalid, expired, revoked or already used, or was issued to another client or redirect URI; for the password grant, the user's credentials are wrong. It fails before any API call."),
                    )
                    .fix("Authorization code: start the sign-in again (a code is single-use and lives a minute or so) and send the same redirect_uri as in the authorization request, with the PKCE verifier if one was used.")
                    .fix("Refresh token: it expired, was revoked (sign-out, password change, consent withdrawn) or was rotated and used twice; sign in again for a new one, and store the refresh token each refresh returns.")
                };
                out.push(f.evidence("response", msg.clone()).weight(80));
            }
            Signal::ResourceUnknown => {
                out.push(
                    Finding::new(
                        "resource.unknown",
                        Severity::Error,
                        "The token endpoint knows no API by the name the request gave",
                        format!("It answered: {said}. The API named in the request (the scope's resource, `resource`, or `audience`) matches no API registered where the token was asked for: a spelling that differs from the registered identifier (a trailing slash, http vs https, another App ID URI), an API registered in another tenant or Auth0 tenant, or (Entra ID) an API whose service principal was never created in this tenant."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Send the API's identifier exactly as registered: Entra ID, the App ID URI under Expose an API (scope `<App ID URI>/.default`); Auth0, the API's Identifier under APIs > Settings (as `audience`).")
                    .fix("For an API of another tenant (Entra ID multi-tenant), have an admin of this tenant consent to it first, so that its service principal exists here.")
                    .weight(84),
                );
            }
            Signal::GrantUnsupported => {
                let json = ctx
                    .recognized
                    .token_request
                    .as_ref()
                    .is_some_and(|t| t.json_body);
                let mut f = Finding::new(
                    "grant.unsupported",
                    Severity::Error,
                    if json {
                        "The token endpoint did not read the JSON body: it takes form fields"
                    } else {
                        "The token endpoint does not support this grant type"
                    },
                    if json {
                        format!("It answered: {said}. The request sends its parameters as JSON; token endpoints read `application/x-www-form-urlencoded` form fields (RFC 6749 §3.2, §4.4.2), so they saw no `grant_type` at all. Only some servers (Auth0) also accept JSON.")
                    } else {
                        format!("It answered: {said}. That is `unsupported_grant_type` (RFC 6749 §5.2): the `grant_type` is missing, misspelled, or not one this server supports.")
                    },
                )
                .evidence("response", msg.clone());
                f = if json {
                    f.fix("Send the parameters as form fields: curl -d grant_type=client_credentials -d client_id=… -d client_secret=… (Content-Type: application/x-www-form-urlencoded).")
                } else {
                    f.fix("Check the spelling of grant_type (client_credentials, authorization_code, refresh_token, password, urn:ietf:params:oauth:grant-type:device_code) and that the server supports it.")
                };
                out.push(f.weight(82));
            }
            Signal::ConsentRequired => {
                // The on-behalf-of flow (a middle-tier API asking for a downstream token as the user), named by the
                // request's own words or an MSAL call, not by prose: the consent missing is the API's own, for its
                // downstream permissions, which the user never saw.
                let pasted =
                    crate::response::clip_bytes(&ctx.request.input, 64 * 1024).to_ascii_lowercase();
                let on_behalf_of = [
                    "requested_token_use=on_behalf_of",
                    "\"requested_token_use\":\"on_behalf_of\"",
                    "acquire_token_on_behalf_of",
                    "acquiretokenonbehalfof",
                    "onbehalfofparameters",
                    "onbehalfofrequest",
                ]
                .iter()
                .any(|m| pasted.contains(m) || said_all.contains(m));
                let f = Finding::new(
                    "consent.required",
                    Severity::Error,
                    if on_behalf_of {
                        "No one has consented to the middle-tier API's own permissions (on-behalf-of)"
                    } else {
                        "No one has consented to the permissions the app asks for"
                    },
                    if on_behalf_of {
                        format!("It answered: {said}. This is the on-behalf-of flow: the API (the application the message names) asks Entra ID for a downstream token as the user, and the user or an admin must have consented to that API's own permissions (its Microsoft Graph permissions, say). A user who signed in to the client app consented to the client's permissions only, and the API has no page to show a consent prompt on.")
                    } else {
                        format!("It answered: {said}. The user (or, for permissions that need it and for tenants that restrict user consent, an admin) must consent before a token is issued.")
                    },
                )
                .evidence("response", msg.clone())
                .weight(80);
                out.push(if on_behalf_of {
                    f.fix("Have an admin grant consent to the middle-tier API's app registration for its downstream permissions (Entra ID: App registrations > the API > API permissions > Grant admin consent).")
                        .fix("Or list the client app's id in the API's `knownClientApplications` (its manifest) and have the client ask for the API's scope with `/.default`, so that the user consents to the client and the API at once when signing in (combined consent).")
                        .fix("Or send the error back to the client as a claims or consent challenge and have the user sign in interactively to the API's scopes.")
                } else {
                    f.fix("Have the user sign in interactively and accept the consent prompt, or have an admin grant consent for the tenant (Entra ID: App registrations > API permissions > Grant admin consent).")
                });
            }
            Signal::GrantNotAllowed if said_all.contains("not allowed to exchange") => {
                out.push(
                    Finding::new(
                        "client.grant_not_allowed",
                        Severity::Error,
                        "The client may not exchange tokens (for this audience)",
                        format!("It answered: {said}. Keycloak refused the token exchange (RFC 8693) because of the client that asked: it authenticated, but it is not allowed to exchange tokens, or not for the audience it asked for. The subject token is not the cause. It fails before any API call."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Keycloak 26.2 and later: turn on Standard Token Exchange in the requesting client's Capability config, and have the audience asked for be a client in the token's reach (an audience mapper or client scope on the requesting client). Legacy token exchange (fine-grained permissions): grant the requesting client the token-exchange permission on the target client.")
                    .weight(82),
                );
            }
            Signal::GrantNotAllowed => {
                out.push(
                    Finding::new(
                        "client.grant_not_allowed",
                        Severity::Error,
                        "The client may not use this grant type",
                        format!("It answered: {said}. That is `unauthorized_client` (RFC 6749 §5.2): the client authenticated, but it is not registered for the grant it asked for (client credentials, authorization code, refresh token, ...). It fails before any API call."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Enable the grant type on the client in the authorization server (Okta: the app's allowed grant types; Keycloak: Service accounts for client credentials; Genesys Cloud: the OAuth client's grant type), or use the grant it is registered for.")
                    .weight(80),
                );
            }
            // At the token endpoint, Auth0 answers a wrong client id or secret with `access_denied` "Unauthorized".
            Signal::AccessDenied
                if ctx.recognized.kind == "token_request"
                    && !r.signals.contains(&Signal::ResourceUnknown)
                    && !r.signals.contains(&Signal::GrantNotAllowed)
                    && !out.iter().any(|f| f.severity == Severity::Error) =>
            {
                out.push(
                    Finding::new(
                        "client.authentication_failed",
                        Severity::Error,
                        "The token endpoint refused the client",
                        format!("It answered: {said}. The token endpoint refused to issue a token to this client: its id or secret is wrong, or it is not allowed this grant or audience (Auth0 answers a wrong client id or secret with `access_denied`). It fails before any API call."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Check the client id and secret against the authorization server's registration, and that the client is authorized for the grant and the audience (Auth0: the API's Machine to Machine Applications tab).")
                    .weight(80),
                );
            }
            Signal::AccessDenied
                if !r.signals.contains(&Signal::ResourceUnknown)
                    && !r.signals.contains(&Signal::GrantNotAllowed)
                    && !out.iter().any(|f| {
                        f.severity == Severity::Error || f.code == "operation.unknown"
                    }) =>
            {
                out.push(
                    Finding::new(
                        "access.denied",
                        Severity::Error,
                        "The API denied access without saying why",
                        format!("It answered: {said}. The token facts above show no other cause: check the user's or app's permissions for this resource (roles, divisions, licences, resource ownership)."),
                    )
                    .evidence("response", msg.clone())
                    .weight(40),
                );
            }
            Signal::AlgorithmRejected
                if !out.iter().any(|f| f.code == "signature.alg_mismatch")
                    // A refresh token sent as the access token: its algorithm (Keycloak's HMAC) is a symptom.
                    && !has_error(out, "token.refresh_token")
                    // Nimbus's "Another algorithm expected, or no matching key(s) found": an asymmetric token
                    // means the key (below), an HMAC one the algorithm.
                    && (!said_all.contains("another algorithm expected")
                        || ctx
                            .decoded
                            .as_ref()
                            .and_then(|d| d.alg())
                            .is_some_and(|a| a.starts_with("HS"))) =>
            {
                let alg = ctx.decoded.as_ref().and_then(|d| d.alg()).unwrap_or("?");
                let hmac = alg.starts_with("HS");
                let f = Finding::new(
                        "signature.alg_mismatch",
                        Severity::Error,
                        format!("The API does not accept the token's algorithm {alg}"),
                        if hmac || alg == "?" {
                            format!("It answered: {said}. The token is signed with {alg}; the API is configured for another algorithm (typically RS256 with the issuer's public keys, while {alg} is an HMAC with a shared secret, or the reverse).")
                        } else {
                            format!("It answered: {said}. The token is signed with {alg}, checked with the issuer's public keys (its JWKS); the API is configured for another algorithm, typically an HMAC (HS256) with a shared secret such as the client secret, which cannot verify {alg}.")
                        },
                    )
                    .evidence("header alg", alg.to_string())
                    .evidence("response", msg.clone())
                    .fix(if hmac || alg == "?" {
                        "Configure the issuer to sign the API's tokens with the algorithm the API expects (Keycloak: the realm's or client's signature algorithm), or configure the API for the issuer's algorithm and keys."
                    } else {
                        "Configure the API to verify with the issuer's public keys and this algorithm (node: jwks-rsa's expressJwtSecret with the issuer's /.well-known/jwks.json and algorithms: ['RS256']; Spring: jwk-set-uri), not with a shared secret."
                    })
                    .weight(84);
                let auth0 = ctx
                    .claims
                    .as_ref()
                    .and_then(|c| c.issuer.as_deref())
                    .is_some_and(crate::claims::is_auth0_issuer);
                let f = if auth0 {
                    f.fix("Auth0: for an API's access tokens, Dashboard > Applications > APIs > the API > Settings > Signing Algorithm; for ID tokens, the application's Advanced Settings > OAuth > JsonWebToken Signature Algorithm (RS256 signs with keys published at /.well-known/jwks.json).")
                } else {
                    f
                };
                out.push(f);
            }
            Signal::HeaderFormat
                if !has_error(out, "header.malformed")
                    && (said_all.contains("in header value")
                        || said_all.contains("in header content")) =>
            {
                out.push(
                    Finding::new(
                        "header.malformed",
                        Severity::Error,
                        "The HTTP client refused to send the Authorization header: its value has a line break or stray space",
                        format!("It said: {said}. The request never left: the header value ends with a line break (a token read from a file, or printed by a command, keeps its trailing newline) or holds a space or control character where none may be."),
                    )
                    .evidence("error", msg.clone())
                    .fix("Trim the token before building the header (Python: open(path).read().strip(); shell: $(tr -d '\\n' < token.txt)), then send `Authorization: Bearer <token>`.")
                    .weight(89),
                );
            }
            Signal::HeaderFormat if !has_error(out, "header.malformed") => {
                out.push(
                    Finding::new(
                        "header.malformed",
                        Severity::Error,
                        "The API reads the Authorization header strictly: `Bearer`, one space, the token",
                        format!("It answered: {said}. Its library (express-jwt, among others) splits the header at spaces and takes exactly two parts: two spaces after `Bearer`, a space or line break at the end of the token, or quotes around it fail, although RFC 6750 allows more than one space."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Send exactly `Authorization: Bearer <token>`: one space, and the token trimmed of spaces, line breaks and quotes (a token read from a file or a JSON tool often ends with a line break or keeps its quotes).")
                    .weight(89),
                );
            }
            Signal::WrongTokenType
                if ctx
                    .claims
                    .as_ref()
                    .is_some_and(|c| c.kind == crate::claims::TokenKind::Refresh)
                    && !has_error(out, "token.refresh_token") =>
            {
                let reason = ctx
                    .claims
                    .as_ref()
                    .map(|c| c.kind_reason.clone())
                    .unwrap_or_default();
                out.push(
                    Finding::new(
                        "token.refresh_token",
                        Severity::Error,
                        "The request sends a refresh token, not the access token",
                        format!("It answered: {said}. The token is a refresh token ({reason}). A refresh token is exchanged at the token endpoint for an access token; APIs refuse it."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Send the `access` token of the token response (djangorestframework-simplejwt: the `access` member, not `refresh`); use the refresh token only to get a new access token.")
                    .weight(88),
                );
            }
            Signal::OtherCredentials(what) if !has_error(out, "credentials.other") => {
                let aws = what.starts_with("AWS");
                out.push(
                    Finding::new(
                        "credentials.other",
                        Severity::Error,
                        format!("The API wants {what}, not a bearer token"),
                        format!("It answered: {said}. It looked for {what} before reading any token: the token was not evaluated, so no token fix will help."),
                    )
                    .evidence("response", msg.clone())
                    .fix(if aws {
                        "Check the URL first (stage, path, method): API Gateway also gives this answer for a route the deployed API does not have, and a private API's VPC endpoint policy can ask for IAM. Otherwise the API Gateway method uses IAM authorization and read the Authorization header as a SigV4 signature. To call it with a JWT, give the method a JWT or Cognito (or Lambda) authorizer instead of AWS_IAM and deploy the API again; or sign the request with SigV4 (AWS credentials), not a bearer token."
                    } else {
                        "Send the subscription key of an API Management subscription to this product or API in the Ocp-Apim-Subscription-Key header (or the subscription-key query parameter), with the token; or have the API's owner turn off Subscription required for it."
                    })
                    .weight(92),
                );
            }
            Signal::PolicyDeny if !has_error(out, "access.denied") => {
                out.push(
                    Finding::new(
                        "access.denied",
                        Severity::Error,
                        "An AWS policy explicitly denies the call",
                        format!("It answered: {said}. API Gateway evaluated an IAM policy with Deny for this method and path: the policy a Lambda authorizer returned for the token, or the API's resource policy. The token's scopes do not enter into it unless the authorizer reads them."),
                    )
                    .evidence("response", msg.clone())
                    .fix("Lambda authorizer: check its log for the policy it returned for this token; its Resource must cover this method and path (arn:…/stage/METHOD/path). With authorizer caching on, a policy returned for one path is reused for the token's other calls: return a wildcard Resource (arn:…/stage/*/*) or turn the cache off (TTL 0).")
                    .fix("Resource policy: check the API's resource policy for a Deny that matches the caller (source IP, VPC endpoint, account).")
                    .weight(86),
                );
            }
            Signal::AudienceUnconfigured if !has_error(out, "audience.unconfigured") => {
                let aud = ctx
                    .claims
                    .as_ref()
                    .map(|c| c.audiences.join(", "))
                    .filter(|a| !a.is_empty());
                out.push(
                    Finding::new(
                        "audience.unconfigured",
                        Severity::Error,
                        "The API has no audience configured to validate tokens against",
                        format!("It answered: {said}. .NET's token validation (IDX10208) needs TokenValidationParameters.ValidAudience or ValidAudiences; with neither set it refuses every token, whatever its `aud`. This is the API's configuration, not the token."),
                    )
                    .evidence("response", msg.clone())
                    .fix(format!("Configure the API's audience: JwtBearerOptions.Audience, or TokenValidationParameters.ValidAudience(s){}; with Microsoft.Identity.Web, the AzureAd section's ClientId (and Audience) of the API's own app registration.", aud.map(|a| format!(", to the token's `aud` ({a}) if the token is meant for this API")).unwrap_or_default()))
                    .weight(90),
                );
            }
            // The generic `invalid_token`: only when nothing names a cause, and the response gave no more
            // precise reason (a signature, an expiry, a key), which has its own finding.
            Signal::InvalidToken
                if !out.iter().any(explains_refusal)
                    && r.signals.iter().all(|s| *s == Signal::InvalidToken)
                    && ctx
                        .decoded
                        .as_ref()
                        .is_none_or(|d| d.shape != TokenShape::Opaque) =>
            {
                let f = Finding::new(
                    "token.rejected",
                    Severity::Error,
                    "The API rejected the token",
                    format!("It answered: {said}. {}", rejected_why(ctx)),
                )
                .evidence("response", msg.clone());
                out.push(rejected_fixes(ctx, f).weight(40));
            }
            _ => {}
        }
    }
    (checks, known)
}

/// Why an API may have rejected a token for no reason the paste shows: Genesys Cloud's opaque tokens, a paste
/// without the token, or a JWT whose claims explain nothing.
fn rejected_why(ctx: &Context) -> &'static str {
    if ctx.platform_id.as_deref() == Some("genesys-cloud") {
        GENESYS_REJECTED
    } else if ctx.decoded.is_none() {
        "The token itself is not in the paste, so Token Doctor cannot look for the cause in it (paste it too: it stays in this page). Check the audience and issuer the API expects, the signature and keys, and that the token is for this environment."
    } else {
        "Nothing in the token itself explains it: check the audience and issuer the API expects (give them under expect), the signature and keys, and that the token is for this environment."
    }
}

/// Why Genesys Cloud rejects a token: its tokens are opaque, so only the platform can say.
const GENESYS_REJECTED: &str = "Genesys Cloud's tokens are opaque, so only the platform can say why: it expired, was revoked (sign-out, DELETE /api/v2/tokens/me, the OAuth client changed or was deleted), or belongs to another region's org.";

/// An answer that is no refusal of the token (a redirect, 400, 404, 405, 429, a server error): what it says
/// instead. Throttling is said whatever else was found; the others only when no error explains the failure (some
/// APIs refuse with a 500: Partner Center to application credentials, ReadonlyREST to `alg: none`).
fn other_status(ctx: &Context, out: &mut Vec<Finding>) {
    let Some(r) = &ctx.response else {
        return;
    };
    let Some(status) = r.status else {
        return;
    };
    let always = status == 429;
    // Not when an error explains it, nor when the answer itself names a token problem (RFC 6750 answers
    // `invalid_request` with a 400; some APIs refuse a token with a 400 or a 500).
    let named = !r.signals.is_empty() || r.challenges.iter().any(|c| c.param("error").is_some());
    if !always && (named || out.iter().any(|f| f.severity == Severity::Error)) {
        return;
    }
    let said = r
        .message
        .as_deref()
        .or(r.code.as_deref())
        .filter(|m| !m.starts_with("HTTP/"))
        .map(|m| format!(" It said: {}.", m.trim_end_matches(['.', ' '])))
        .unwrap_or_default();
    let method = ctx
        .call
        .as_ref()
        .map_or("this method", |c| c.method.as_str());
    let (title, detail, fix) = match status {
        301 | 302 | 303 | 307 | 308 => (
            format!("The API answered {status}, a redirect"),
            format!("Clients that follow a redirect to another host drop the Authorization header (curl -L without --location-trusted, Python requests, a browser's fetch across origins), and curl drops it on a change of scheme or port too (http to https), so the next request arrives without the token.{said}"),
            "Call the final URL directly: the scheme, host and path the Location header names.".to_string(),
        ),
        400 => (
            "The API answered 400 Bad Request".to_string(),
            format!("It found fault with the request (its body, a parameter, a header's value) and named no token problem: a refused token is usually answered 401, a refused operation 403.{said}"),
            "Read the message for the field it names, and check the body and parameters against the operation's documentation.".to_string(),
        ),
        404 => (
            "The API answered 404 Not Found: no such path or object".to_string(),
            format!("The path, its version or base path, or the object's id is not there (an id from another tenant, region or environment). Some APIs answer 404 instead of 403 for what the caller may not see: GitHub does for private repositories a token has no access to.{said}"),
            "Check the method, base path, version and id against the API's documentation; if the object exists, check that the token's user or application may see it.".to_string(),
        ),
        405 => (
            "The API answered 405 Method Not Allowed".to_string(),
            format!("The path exists, but not for {method}: no verdict on the token.{said}"),
            "Check the method against the API's documentation (its Allow header lists those it takes).".to_string(),
        ),
        429 => (
            "The API throttled the call (429 Too Many Requests)".to_string(),
            format!("It is not refusing the token: too many calls came in too short a time (per application, user or tenant), so it did not serve this one.{said}"),
            "Wait as long as its Retry-After header says, then retry, with a back-off; spread the calls over time, or batch them.".to_string(),
        ),
        500..=599 => (
            format!("The API failed on its side ({status})"),
            format!("A server error is no verdict on the token: the call may succeed when retried.{said}"),
            "Retry with a back-off; if it persists, check the API's status page, or give its support the request id it returned.".to_string(),
        ),
        _ => return,
    };
    out.push(
        Finding::new("response.not_a_refusal", Severity::Warning, title, detail)
            .evidence("status", status.to_string())
            .fix(fix)
            .weight(55),
    );
}

/// Microsoft's own public client applications that sign users in to Graph, by client id: the name and how to get
/// a token with another permission through it.
fn microsoft_client(client_id: &str) -> Option<(&'static str, &'static str)> {
    match client_id.to_ascii_lowercase().as_str() {
        "de8bc8b5-d9f9-48b1-a8ad-b748da725064" => Some((
            "Graph Explorer",
            "consent to the permission in Graph Explorer (the Modify permissions tab, or the permissions panel), then copy the new token it shows.",
        )),
        "14d82eec-204b-4c2f-b7e8-296a70dab67e" => Some((
            "Microsoft Graph PowerShell (Microsoft Graph Command Line Tools)",
            "connect again asking for it: Connect-MgGraph -Scopes <the permission> (an admin may have to consent for the tenant).",
        )),
        "04b07795-8ddb-461a-bbee-02f9e1bf7b46" => Some((
            "the Azure CLI",
            "its tokens for Graph carry only the permissions Microsoft pre-authorized for it; `az account get-access-token` cannot add others, so use an application of your own (or Microsoft Graph PowerShell) for this call.",
        )),
        _ => None,
    }
}

/// The fixes of a rejected token: on Genesys Cloud, ask tokens/me; elsewhere, compare what the API expects and
/// try a new token.
fn rejected_fixes(ctx: &Context, f: Finding) -> Finding {
    if ctx.platform_id.as_deref() == Some("genesys-cloud") {
        f.fix("Call GET /api/v2/tokens/me of the API's region with this token (the Live checks panel can): a 401 there too means the token itself is no longer valid; get a new one (a client-credentials integration asks for a new token on each run, or before `expires_in` runs out), from the login host of the org's region.")
    } else {
        f.fix(REJECTED_FIX_EXPECT).fix(REJECTED_FIX_NEW)
    }
}

/// The fixes of a token the API rejected for no reason the paste shows: compare what the API expects.
const REJECTED_FIX_EXPECT: &str = "Look up the issuer and audience the API is configured to accept, and give them under expect to have the token compared with them; check the API's logs for the reason it gives.";
/// … and try a new token from the server the API trusts.
const REJECTED_FIX_NEW: &str = "Get a new token from the authorization server (and environment) the API trusts and call again; if it is refused too, verify its signature against that server's keys (Verify signature).";

/// The warnings that name a cause of a rejected token (as against remarks about the paste or the matrix): with a
/// 401 in hand, they become the errors that explain it, and the generic fallback is not added.
const CAUSE_WARNINGS: [&str; 10] = [
    "input.several_authorization",
    "input.basic_credentials",
    "header.scheme_token",
    "token.opaque",
    "token.expired",
    "token.clock_skew",
    "token.encrypted",
    "token.sender_constrained",
    "issuer.mismatch",
    "audience.mismatch",
];

/// The findings that say the token shown would pass and the refusal came with another token.
const STALE: [&str; 2] = ["scope.stale", "token.stale"];

/// Whether `f` explains a refusal: an error, a warning that names a cause ([`CAUSE_WARNINGS`]), or one that says
/// another token was sent ([`STALE`]).
fn explains_refusal(f: &Finding) -> bool {
    f.severity == Severity::Error
        || f.severity == Severity::Warning
            && (CAUSE_WARNINGS.contains(&f.code.as_str()) || STALE.contains(&f.code.as_str()))
}

/// Whether a role granted on the platform needs a new token: it does when the token carries roles as claims.
const ROLES_IN_TOKEN: &str = "When the token carries roles or groups as claims (Entra `roles`/`wids`/`groups`, Keycloak `realm_access`, an API's own role claim), they are fixed when it is issued: get a new token after the change; otherwise the change applies to the next call.";

/// The status of the API's answer when it refused: 401 or 403.
fn refusal(ctx: &Context) -> Option<u16> {
    ctx.response
        .as_ref()
        .and_then(|r| r.status)
        .filter(|s| matches!(s, 401 | 403))
}

/// When the API's answer is a 401 or 403 and no rule found a cause, say so instead of letting the verdict look
/// clean: a 403 with every visible requirement met points to a platform permission or role; a 401, to the token.
fn rejection_fallback(ctx: &Context, facts: &Facts, known: bool, out: &mut Vec<Finding>) {
    let Some(r) = &ctx.response else { return };
    // A 401 from the introspection endpoint is about its caller's credentials, not the token it asked about (an
    // endpoint that described the token did not refuse its caller: the answer is then another call's).
    if ctx.recognized.kind == "introspection_request"
        && ctx.recognized.introspection.is_none()
        && matches!(r.status, Some(401 | 403))
    {
        if !out.iter().any(|f| f.code.starts_with("client.")) {
            out.push(
                Finding::new(
                    "client.authentication_failed",
                    Severity::Error,
                    "The introspection endpoint refused the caller's credentials",
                    "It answered 401 or 403 to the request itself: RFC 7662 §2.1 has the caller (the protected resource) authenticate to the introspection endpoint, and its id or secret was refused, or it is not allowed to introspect. It says nothing about the token asked about.",
                )
                .evidence("response", r.status.map(|st| st.to_string()).unwrap_or_default())
                .fix("Check the caller's id and secret: IdentityServer, the API resource's name and one of its ApiSecrets (not a client's); Keycloak, a confidential client's id and secret; Okta, a client of the authorization server.")
                .fix("Send them as RFC 7662 expects: Basic authentication (curl -u id:secret) or the server's documented client authentication.")
                .weight(88),
            );
        }
        return;
    }
    // The answer names the scheme (ASP.NET Core: "No authentication handler is configured to authenticate for the
    // scheme: Token"): the `Token` scheme is the cause, whatever the status.
    let names_scheme = !r.status.is_some_and(|s| (200..300).contains(&s))
        && ctx.response_text_lower().is_some_and(|t| {
            [
                "for the scheme",
                "authentication scheme",
                "authorization scheme",
                "scheme not supported",
                "unsupported scheme",
            ]
            .iter()
            .any(|p| t.contains(p))
        });
    // The API's own challenge asks for `Token` (Django REST framework): the scheme is right.
    let asks_token = r
        .challenges
        .iter()
        .any(|c| c.scheme.eq_ignore_ascii_case("token"));
    if let Some(f) = out.iter_mut().find(|f| f.code == "header.scheme_token") {
        if asks_token {
            f.severity = Severity::Info;
            f.title = "The scheme is \"Token\", as the API's challenge asks".into();
            f.detail = "The API answers with `WWW-Authenticate: Token`: it takes \"Token <key>\" (Django REST framework style), so the scheme is right.".into();
            f.fix.clear();
            f.weight = 10;
        } else if names_scheme {
            f.severity = Severity::Error;
            f.detail
                .push_str(" The API's answer names the scheme: it does not accept this one.");
            f.weight = 92;
        }
    }
    // Genesys Cloud's tokens are opaque by design: that is no cause of a refusal there.
    let opaque_by_design = ctx.platform_id.as_deref() == Some("genesys-cloud");
    // The API rejected the token (401), no rule found an error, and a warning names a cause: that warning is the
    // cause, an error (so the verdict is "denied", as every denial is, by an error). Not on a 403: the API
    // accepted the token there and refused the operation. scope.stale and token.stale stay warnings: they say
    // the token shown would pass and the refusal came with another one.
    if r.status == Some(401) && !out.iter().any(|f| f.severity == Severity::Error) {
        for f in out.iter_mut().filter(|f| {
            f.severity == Severity::Warning
                && CAUSE_WARNINGS.contains(&f.code.as_str())
                && !(opaque_by_design && f.code == "token.opaque")
        }) {
            f.severity = Severity::Error;
            f.detail.push_str(if f.code == "token.expired" {
                " The API answered 401: it does not allow that much clock skew."
            } else {
                " The API answered 401, and this is the cause Token Doctor sees."
            });
        }
    }
    // An error already explains it, or another token was sent (scope.stale, token.stale).
    if out
        .iter()
        .any(|f| f.severity == Severity::Error || STALE.contains(&f.code.as_str()))
        || ctx.recognized.kind == "token_request"
    {
        return;
    }
    let msg = r
        .message
        .clone()
        .or_else(|| r.code.clone())
        .unwrap_or_default();
    let opaque = ctx
        .decoded
        .as_ref()
        .is_some_and(|d| d.shape == TokenShape::Opaque);
    // The API's words, in parentheses after its status, and as the evidence (the status itself when it said none).
    let quoted = if msg.is_empty() {
        String::new()
    } else {
        format!(" ({msg})")
    };
    let evidence = |status: &str| {
        if msg.is_empty() {
            status.to_string()
        } else {
            msg.clone()
        }
    };
    let unknown_op = out.iter().any(|f| f.code == "operation.unknown");
    match r.status {
        // NICE CXone publishes no per-operation requirements at all: whatever the operation, a 403 is the user's
        // security profile (its guidance says where to grant it).
        Some(403) if unknown_op && ctx.platform_id.as_deref() == Some("nice-cxone") => {
            let who = if facts.grant == Grant::App {
                "the API user behind the access key"
            } else {
                "the user"
            };
            out.push(
                Finding::new(
                    "permission.missing",
                    Severity::Error,
                    format!("The API refused (403): the security profile of {who} does not allow this"),
                    format!(
                        "The API answered 403{}. NICE CXone publishes no scopes or permissions per operation: what a token may do is what the CXone security profile of {who} allows, so a refusal of a readable token points there. (The operation is not in the matrix; check its path too.)",
                        quoted
                    ),
                )
                .evidence("response", evidence("403"))
                .fix(guidance(ctx, "permission").unwrap_or_else(|| "Give the user's security profile the permission for the feature.".into()))
                .fix("Get a new token after the change if the integration caches one, and check that the path and API version exist as written.")
                .weight(60),
            );
        }
        Some(403) if unknown_op => {
            out.push(
                Finding::new(
                    "access.denied",
                    Severity::Error,
                    "The API refused (403) an operation the matrix does not describe",
                    format!(
                        "The API answered 403{}. The operation is not in the matrix (see below), so Token Doctor cannot say which scope, permission or role it needs: check the operation's path (it may not exist as written) and its documentation.",
                        quoted
                    ),
                )
                .evidence("response", evidence("403"))
                .fix("Check the method and path against the API's documentation, and the scopes, permissions or roles it lists for the operation.")
                .weight(40),
            );
        }
        Some(403) if known => {
            let who = if facts.grant == Grant::App {
                "the application (its app roles or admin roles)"
            } else {
                "the user (their role, group or admin role)"
            };
            out.push(
                Finding::new(
                    "permission.missing",
                    Severity::Error,
                    "The API refused (403) though the token meets what Token Doctor can see",
                    format!(
                        "The API answered 403{}. The token meets the operation's scope requirements, so the refusal is about what {who} may do on the platform: a role or permission, a resource it does not own, a licence, or a division.",
                        quoted
                    ),
                )
                .evidence("response", evidence("403"))
                .fix(guidance(ctx, "permission").unwrap_or_else(|| format!("Give {who} the role or permission the operation needs on the platform (for admin APIs, an admin role), then try again. {ROLES_IN_TOKEN}")))
                .weight(45),
            );
        }
        // The matrix describes the operation, but the token's scopes cannot be seen (an opaque token without its
        // introspection): the requirements are listed; the server's description of the token would settle it.
        // So with a token shortened (`...`) when copied here.
        Some(403)
            if ctx.token.as_deref().is_some_and(input::is_shortened)
                && ctx.matrix.is_some()
                && ctx.call.is_some()
                && !unknown_op =>
        {
            out.push(
                Finding::new(
                    "access.denied",
                    Severity::Error,
                    "The API refused (403); the token shown is shortened, so which requirement failed cannot be told",
                    format!(
                        "The API answered 403{}: it accepted the token and refused the operation. The matrix's requirements for the operation are listed under Requirements, but the token shown is shortened (`...`), so its scopes cannot be checked against them here.",
                        quoted
                    ),
                )
                .evidence("response", evidence("403"))
                .fix("Paste the whole token (from where the integration keeps it, or its Authorization header) to see which requirement it misses.")
                .weight(45),
            );
        }
        Some(403) if opaque && ctx.matrix.is_some() && ctx.call.is_some() && !unknown_op => {
            let ask = if ctx.platform_id.as_deref() == Some("genesys-cloud") {
                "Ask Genesys Cloud what the token carries: GET /api/v2/tokens/me (the Live checks' Ask Genesys, with the user's permissions), or paste its answer as the introspection response."
            } else {
                "Ask the authorization server what the token carries (introspection, RFC 7662), or paste its answer as the introspection response."
            };
            out.push(
                Finding::new(
                    "access.denied",
                    Severity::Error,
                    "The API refused (403); the token's scopes cannot be seen to tell which requirement failed",
                    format!(
                        "The API answered 403{}: it accepted the token and refused the operation. The matrix's requirements for the operation are listed under Requirements, but the token is opaque, so its scopes (and for a user, their permissions) cannot be checked against them here.",
                        quoted
                    ),
                )
                .evidence("response", evidence("403"))
                .fix(ask)
                .weight(45),
            );
        }
        // No matrix says what the operation needs: the token's scopes cannot be judged, only shown.
        Some(403) => {
            let held = facts
                .scopes
                .as_ref()
                .filter(|s| !s.is_empty())
                .map(|s| format!(" The token has the scopes {}; compare them with what the operation's documentation asks for.", crate::json::clip(&s.join(" "), 200)))
                .unwrap_or_default();
            let roles = if facts.roles.is_empty() {
                String::new()
            } else {
                format!(
                    " Its roles: {}.",
                    crate::json::clip(&facts.roles.join(" "), 200)
                )
            };
            out.push(
                Finding::new(
                    "access.denied",
                    Severity::Error,
                    "The API refused (403) and Token Doctor does not know what the operation needs",
                    format!(
                        "The API answered 403{}: it accepted the token and refused the operation. No matrix gives the operation's requirements, so Token Doctor cannot tell which is missing: a scope the token was not granted, a role or permission of the user or application, a resource it does not own, a licence.{held}{roles}",
                        quoted
                    ),
                )
                .evidence("response", evidence("403"))
                .fix("Look up the scope or role the operation needs in the API's documentation (or give its OpenAPI document under \"Your own OpenAPI document\" to have it checked).")
                .fix("A missing scope needs a new token that asks for it: add it to the app's requested scopes or consent, then sign in or reconnect the account again (a refreshed token keeps its old scopes).")
                .fix(format!("A missing role or permission is granted on the platform. {ROLES_IN_TOKEN}"))
                .weight(45),
            );
        }
        Some(401)
            if !opaque
                || opaque_by_design
                || ctx
                    .introspection
                    .as_ref()
                    .is_some_and(|i| i.active == Some(true)) =>
        {
            let why = if opaque && !opaque_by_design {
                "The authorization server says the token is active, yet the API refused it: the API may trust another authorization server (another realm, tenant or environment), expect another audience (give it under expect), or not take this kind of token."
            } else {
                rejected_why(ctx)
            };
            let f = Finding::new(
                "token.rejected",
                Severity::Error,
                "The API rejected the token (401)",
                format!("It answered 401{}. {why}", quoted),
            )
            .evidence("response", evidence("401"))
            .weight(40);
            out.push(rejected_fixes(ctx, f));
        }
        _ => {}
    }
}

/// The operation's path as the user would call it: with the base path (version prefix) the call used, or the
/// platform's first one.
fn display_path(ctx: &Context, op: &Operation) -> String {
    let Some(m) = ctx.matrix else {
        return op.path.clone();
    };
    let called = ctx
        .call
        .as_ref()
        .map(|c| c.path.to_ascii_lowercase())
        .unwrap_or_default();
    let used = m
        .platform
        .base_paths
        .iter()
        .find(|b| !b.contains('{') && called.starts_with(&b.to_ascii_lowercase()));
    match used {
        Some(b) => format!("{}{}", b.trim_end_matches('/'), op.path),
        None => m.full_path(op),
    }
}

/// `METHOD /full/path` of an operation, for titles and details.
fn op_display(ctx: &Context, op: &Operation) -> String {
    format!("{} {}", op.method, display_path(ctx, op))
}

/// Sets `key` on a JSON object (no-op on other values; never panics, unlike `value[key] = ...`).
fn set(value: &mut Value, key: &str, v: Value) {
    if let Value::Object(map) = value {
        map.insert(key.to_string(), v);
    }
}

fn has_error(out: &[Finding], code: &str) -> bool {
    out.iter()
        .any(|f| f.code == code && f.severity == Severity::Error)
}

/// Scopes that appear in the token, the response or the token response but that the platform does not define.
fn unknown_scope_rules(ctx: &Context, facts: &Facts, out: &mut Vec<Finding>) {
    let Some(m) = ctx.matrix else { return };
    // A token for another API (audience.mismatch) carries that API's scopes: they say nothing of this platform.
    if m.platform.scope_catalog.is_empty()
        || out
            .iter()
            .any(|f| f.code == "audience.mismatch" && f.severity == Severity::Error)
    {
        return;
    }
    let mut seen: Vec<(String, &'static str)> = Vec::new();
    for s in facts.scopes.clone().unwrap_or_default() {
        seen.push((s, "the token"));
    }
    if let Some(r) = &ctx.response {
        for s in &r.required_scopes {
            seen.push((s.clone(), "the response"));
        }
    }
    if let Some(i) = &ctx.introspection {
        for s in i.client_scopes.clone().unwrap_or_default() {
            seen.push((s, "the OAuth client"));
        }
    }
    let ignore = [
        "openid",
        "profile",
        "email",
        "offline_access",
        "address",
        "phone",
    ];
    // Each unknown scope once; the first few get their own finding with suggestions, the rest are counted in one
    // (a token with thousands of made-up scopes must not cost thousands of catalog searches).
    const DETAILED: usize = 5;
    let mut reported: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut more: Vec<String> = Vec::new();
    let prefixes = entra_scope_prefixes(ctx);
    for (s, wherefrom) in seen {
        if ignore.contains(&s.as_str())
            || s.contains("://")
            || reported.contains(&s)
            || m.knows_scope(&s)
            // The document writes the token's short scope with its resource (`api://<app>/X`).
            || prefixes.iter().any(|p| m.knows_scope(&format!("{p}{s}")))
        {
            continue;
        }
        reported.insert(s.clone());
        if reported.len() > DETAILED {
            more.push(s);
            continue;
        }
        let near = m.closest_scopes(&s, 3);
        let needed = out
            .iter()
            .find(|f| f.code == "scope.missing")
            .and_then(|f| f.title.split('`').nth(1).map(str::to_string));
        let mut f = Finding::new(
            "scope.unknown",
            Severity::Warning,
            format!("`{s}` is not a {} scope that Token Doctor knows", m.platform.name),
            format!(
                "No {} operation in the matrix accepts `{s}` (seen in {wherefrom}), and its list of {} scopes does not have it. Advice that names it (a forum answer, an old tutorial) is likely wrong for this platform; if the platform itself issued it, it belongs to APIs the matrix does not describe and plays no part here.{}",
                m.platform.name,
                m.platform.scope_catalog.len(),
                match &needed {
                    Some(n) => format!(" The operation needs `{n}`."),
                    None => String::new(),
                }
            ),
        )
        .evidence(wherefrom, s.clone())
        .weight(55);
        if !near.is_empty() {
            f = f.fix(format!("Closest real scopes: {}.", near.join(", ")));
        }
        if let Some(n) = needed {
            f = f.fix(format!("Request `{n}` instead."));
        }
        out.push(f);
    }
    if !more.is_empty() {
        let shown: Vec<String> = more
            .iter()
            .take(10)
            .map(|s| format!("`{}`", crate::json::clip(s, 60)))
            .collect();
        out.push(
            Finding::new(
                "scope.unknown",
                Severity::Warning,
                format!(
                    "{} more scopes are not {} scopes that Token Doctor knows",
                    more.len(),
                    m.platform.name
                ),
                format!(
                    "Also in no {} operation of the matrix: {}{}.",
                    m.platform.name,
                    shown.join(", "),
                    if more.len() > shown.len() {
                        ", …"
                    } else {
                        ""
                    }
                ),
            )
            .weight(50),
        );
    }
}

/// Keeps one finding per code (the highest-ranked), merging evidence.
fn dedupe(findings: &mut Vec<Finding>) {
    report::rank(findings);
    let mut kept: Vec<Finding> = Vec::new();
    for f in findings.drain(..) {
        let multi = matches!(
            f.code.as_str(),
            "scope.unknown"
                | "token.encoding"
                | "token.invalid_time"
                | "matrix.problem"
                | "operation.note"
                | "permission.unverified"
        );
        if !multi {
            if let Some(existing) = kept.iter_mut().find(|k| k.code == f.code) {
                for e in f.evidence {
                    if !existing.evidence.contains(&e) {
                        existing.evidence.push(e);
                    }
                }
                continue;
            }
        }
        kept.push(f);
    }
    *findings = kept;
}

impl Finding {
    /// Replaces the detail text.
    pub fn detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = detail.into();
        self
    }
}

/// The user flow (or custom policy) of an Azure AD B2C token, described for a sentence (`contosob2c.b2clogin.com,
/// policy B2C_1_signupsignin`): its issuer is a `b2clogin.com` host, or it names its policy (`tfp`, or an `acr` of
/// `b2c_1…`). None for other tokens.
fn b2c_user_flow(ctx: &Context) -> Option<String> {
    let payload = ctx.decoded.as_ref().and_then(|d| d.payload.as_ref())?;
    let policy = ["tfp", "acr"]
        .iter()
        .filter_map(|k| payload.get(*k).and_then(Value::as_str))
        .find(|p| p.get(..5).is_some_and(|b| b.eq_ignore_ascii_case("b2c_1")));
    let host = payload
        .get("iss")
        .and_then(Value::as_str)
        .and_then(|i| i.strip_prefix("https://"))
        .and_then(|i| i.split('/').next())
        .filter(|h| h.to_ascii_lowercase().ends_with(".b2clogin.com"));
    match (host, policy) {
        (Some(h), Some(p)) => Some(format!("{h}, policy {p}")),
        (Some(h), None) => Some(h.to_string()),
        (None, Some(p)) => Some(format!("policy {p}")),
        (None, None) => None,
    }
}

fn audience_fix(ctx: &Context, wanted: &[String]) -> String {
    match ctx.platform_id.as_deref() {
        Some("microsoft-graph") => {
            // A national cloud's Graph takes its own audience, from its own sign-in host.
            let national = wanted
                .iter()
                .find(|w| w.contains("://") && !w.contains("graph.microsoft.com"))
                .map(|w| w.trim_end_matches('/').to_string());
            match national {
                Some(aud) => {
                    let login = national_authority(&aud);
                    format!(
                        "Request the token from the national cloud this host belongs to: authority {login} and scope {aud}/.default (app-only) or Graph scopes (delegated); the app registration must exist in that cloud. A token of the global cloud (https://graph.microsoft.com) is not accepted there."
                    )
                }
                None => {
                    // A national cloud's Graph token sent to the global Graph: its tenant's data is in that cloud.
                    let theirs = ctx.claims.as_ref().and_then(|c| {
                        c.audiences.iter().find_map(|a| {
                            let host = a.trim_start_matches("https://").trim_end_matches('/');
                            (host.ends_with("graph.microsoft.us")
                                || host == "microsoftgraph.chinacloudapi.cn")
                                .then_some(host)
                        })
                    });
                    if let Some(b2c) = b2c_user_flow(ctx) {
                        return format!(
                            "The token comes from an Azure AD B2C user flow ({b2c}): B2C user flows issue tokens for your own APIs, never for Microsoft Graph. Call Graph from your back end with an app-only token of the B2C tenant (https://login.microsoftonline.com/<B2C tenant>/oauth2/v2.0/token, client credentials, scope https://graph.microsoft.com/.default, an application permission such as User.Read.All) and name the user (/users/{{the token's oid or sub}}); or read the profile from the token's own claims."
                        );
                    }
                    match theirs {
                        Some(host) => format!(
                            "The token is for Microsoft Graph in a national cloud ({}): call that cloud's Graph, https://{host}{}, where a tenant of that cloud keeps its data. Only for a tenant of the global cloud, request the token from https://login.microsoftonline.com/<tenant> with scope https://graph.microsoft.com/.default (app-only) or Graph scopes (delegated).",
                            if host.ends_with("chinacloudapi.cn") { "China, 21Vianet" } else { "US Government" },
                            ctx.call.as_ref().map(|c| c.path.as_str()).filter(|p| p.starts_with('/')).unwrap_or("/v1.0/…")
                        ),
                        None => "Request the token for Microsoft Graph: scope https://graph.microsoft.com/.default (app-only) or Graph scopes such as Mail.Send (delegated); not your own API's scope.".into(),
                    }
                }
            }
        }
        _ => format!(
            "Request the token for {} (the `audience` / `resource` parameter, or a scope of that API), or configure the API to accept the token's audience if it is really meant for it.",
            wanted.first().cloned().unwrap_or_else(|| "the API".into())
        ),
    }
}
