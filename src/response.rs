//! Reads what the API answered: a raw HTTP response, a body, or a `WWW-Authenticate` value; and turns it into
//! signals (RFC 6750 / RFC 9449 challenges, vendor error texts) that the diagnosis uses as evidence. The same
//! text can mean different things on different platforms; the diagnosis decides with the token and operation.

use serde_json::Value;

/// One `WWW-Authenticate` challenge: its scheme and auth-params.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Challenge {
    /// `Bearer`, `DPoP`, ...
    pub scheme: String,
    /// `(name, value)` pairs, names lower-cased.
    pub params: Vec<(String, String)>,
}

impl Challenge {
    /// The value of auth-param `name`.
    pub fn param(&self, name: &str) -> Option<&str> {
        self.params
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }
}

/// What the response says, by kind. Several can apply.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Signal {
    /// The token lacks a scope (`insufficient_scope`, Google, Auth0, Mastodon, Graph scope texts).
    InsufficientScope,
    /// The operation needs a signed-in user (Graph `/me`, Genesys "requires a user context").
    UserContextRequired,
    /// App-only token with no application permissions (`NoPermissionsInAccessToken`, `IDW10201`).
    NoAppPermissions,
    /// A platform permission / directory role is missing (Genesys `missing.permissions`, Graph
    /// `Authorization_RequestDenied`, GitHub "not accessible by integration").
    PermissionDenied,
    /// Access denied without saying why (Graph `ErrorAccessDenied`, Genesys `not.authorized`).
    AccessDenied,
    /// The audience is wrong (`Invalid audience`, `IDX10214`, "expected audience").
    AudienceInvalid,
    /// The issuer is wrong; with the expected and actual values when given.
    IssuerInvalid {
        /// The issuer the server expected.
        expected: Option<String>,
        /// The issuer the token had.
        actual: Option<String>,
    },
    /// Expired (`IDX10223`, "expired", "Jwt expired").
    Expired,
    /// Lifetime validation failed without an expiry (`IDX10225`): `exp` missing or unreadable (e.g. past 2038).
    LifetimeInvalid,
    /// Not yet valid (`IDX10222`).
    NotYetValid,
    /// The signature did not validate (`IDX10511`, `IDX10503`, "signature").
    SignatureInvalid,
    /// The signing key was not found (`kid`).
    KeyNotFound,
    /// The API could not read what it got as a JWT (`IDX14100` "there are no dots", `IDX12741`, "jwt malformed",
    /// "JWT must have 3 parts"): a JWT was expected and the value sent was not one.
    Unparsable,
    /// The token must be sent with DPoP / mTLS (RFC 9449 "must be presented using the DPoP scheme").
    SenderConstrained,
    /// The token itself was rejected (`invalid_token`) without a more precise reason.
    InvalidToken,
    /// No token reached the server (`authentication.required`, "No authentication bearer token").
    NoToken,
    /// The client was not granted the scopes it asked for (token endpoint: `invalid_scope`,
    /// "has not been granted scopes").
    ScopeNotGranted,
    /// Introspection said `active: false`.
    Inactive,
    /// The API accepts another signing algorithm than the token's (`Incorrect alg in JWT`, "alg not allowed").
    AlgorithmRejected,
    /// The token endpoint refused the client itself: a public client (no secret) registered as confidential,
    /// or the reverse ("Client secret not provided", "public client", `AADSTS7000218`, `AADSTS700025`).
    ClientType,
    /// The token endpoint refused the client's secret: wrong, or expired (`AADSTS7000215`, `AADSTS7000222`).
    ClientSecretInvalid,
    /// The token endpoint could not authenticate the client and says no more (`invalid_client`, RFC 6749
    /// §5.2): unknown client id, wrong secret, wrong authentication method, or another tenant's or region's
    /// token endpoint.
    ClientAuthFailed,
    /// The client may not use this grant type (`unauthorized_client`, RFC 6749 §5.2).
    GrantNotAllowed,
    /// The grant itself was refused (`invalid_grant`, RFC 6749 §5.2): the code or refresh token is invalid,
    /// expired, revoked or used, or was issued to another client or redirect URI; or a user's password is wrong.
    GrantInvalid,
    /// The user or an admin has not consented to the permissions the app asks for (Entra `AADSTS65001`,
    /// `consent_required`).
    ConsentRequired,
    /// The token endpoint knows no API (resource, audience) by the name the request gave (Entra `invalid_resource`
    /// `AADSTS500011`, Auth0 "Service not enabled within domain").
    ResourceUnknown,
    /// The token endpoint does not support the grant type, or could not read it (`unsupported_grant_type`).
    GrantUnsupported,
    /// The application the token was issued to may not act for this user (NICE CXone's legacy 401 "Client
    /// application '…' not authorized for user").
    AppNotForUser,
    /// The server reads the Authorization header more strictly than RFC 6750 (express-jwt: "Format is
    /// Authorization: Bearer [token]", exactly one space).
    HeaderFormat,
    /// The token is of another type than the API takes (djangorestframework-simplejwt: "Token has wrong type",
    /// "Given token not valid for any token type").
    WrongTokenType,
    /// The gateway wants other credentials than a bearer token: what they are (AWS IAM's SigV4 header, an Azure
    /// API Management subscription key).
    OtherCredentials(&'static str),
    /// The API has no audience configured to validate against (.NET `IDX10208`).
    AudienceUnconfigured,
    /// An AWS policy denied the call explicitly (API Gateway: "User is not authorized to access this resource
    /// with an explicit deny"): a Lambda authorizer's returned policy, or the API's resource policy.
    PolicyDeny,
}

/// Everything read from a response.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ResponseInfo {
    /// HTTP status, when a status line or a `status` member was given.
    pub status: Option<u16>,
    /// The `WWW-Authenticate` challenges.
    pub challenges: Vec<Challenge>,
    /// Signals, most specific first.
    pub signals: Vec<Signal>,
    /// Scopes the response names as required.
    pub required_scopes: Vec<String>,
    /// True when any one of `required_scopes` is enough (Auth0 "expected any of"); false = all needed.
    pub scopes_any: bool,
    /// Scopes the response says the token has (Slack `provided`), when it says.
    pub provided_scopes: Option<Vec<String>>,
    /// Platform permissions the response names as missing.
    pub required_permissions: Vec<String>,
    /// True when any one of `required_permissions` is enough (Genesys `missing.any.permissions`).
    pub permissions_any: bool,
    /// The platform the response looks like (`genesys-cloud`, `microsoft-graph`, ...), when it can be told.
    pub platform_hint: Option<&'static str>,
    /// The error message / description to quote as evidence.
    pub message: Option<String>,
    /// The error code (`insufficient_scope`, `missing.permissions`, `ErrorAccessDenied`, ...).
    pub code: Option<String>,
    /// The audience the answer says the API expects (node-jsonwebtoken's `jwt audience invalid. expected: X`,
    /// .NET's `IDX10214: … validationParameters.ValidAudience: 'X'`), when it names one.
    pub expected_audience: Option<String>,
    /// The statuses of final answers pasted before the one read (`curl -i -L` redirects, or two calls' answers
    /// one after the other); interim answers (`100 Continue`, a proxy's `Connection established`) are left out.
    pub earlier: Vec<u16>,
    /// In a JSON batch's answer (Microsoft Graph's `$batch`), the `id` of the request whose refusal was read (its
    /// status and body stand for the answer's).
    pub batch_item: Option<String>,
}

/// The API's answer in a `curl -v` transcript (a line `< HTTP/…`): the last answer's `< ` lines without the mark,
/// then the lines after them that are not curl's (`* `, `> `, `{ [n bytes data]`, `} [n bytes data]`), which are
/// the body. `None` when `text` is no transcript.
pub fn curl_verbose_answer(text: &str) -> Option<String> {
    if !text.lines().any(|l| l.starts_with("< HTTP/")) {
        return None;
    }
    // Each `< HTTP/` starts an answer again: the last one is the API's (after a proxy's `200 Connection
    // established`, a `100 Continue`, or `-L` redirects).
    let mut out = String::with_capacity(text.len());
    let mut started = false;
    for line in text.lines() {
        if let Some(rest) = line
            .strip_prefix("< ")
            .or_else(|| (line == "<").then_some(""))
        {
            if rest.starts_with("HTTP/") {
                started = true;
                out.clear();
            }
            if started {
                out.push_str(rest.trim_end_matches('\r'));
                out.push_str("\r\n");
            }
        } else if started
            && !["* ", "> ", "{ [", "} ["]
                .iter()
                .any(|m| line.starts_with(m))
            && line != ">"
            && line != "*"
        {
            out.push_str(line);
            out.push('\n');
        }
    }
    Some(out)
}

/// Parses a response. Never fails; what cannot be read is simply absent.
pub fn parse(text: &str) -> ResponseInfo {
    let text = text
        .get(..crate::limits::MAX_RESPONSE_BYTES)
        .unwrap_or_else(|| clip_bytes(text, crate::limits::MAX_RESPONSE_BYTES));
    let mut info = ResponseInfo::default();
    // `curl -v` output: the answer is the lines marked `< ` (and the body after them, unmarked); the `* ` and `> `
    // lines are curl's own log and the request.
    let verbose = curl_verbose_answer(text);
    let trimmed = verbose.as_deref().unwrap_or(text).trim();
    let mut body = trimmed;
    if trimmed.starts_with("HTTP/") {
        // Several answers in one paste: an interim answer (`100 Continue`) or a proxy's `200 Connection
        // established` before the API's own, `curl -i -L`'s redirects, or two calls' answers one after the other.
        // The last is read; the final answers before it are noted.
        let mut starts: Vec<usize> = Vec::new();
        let mut at = 0usize;
        for line in trimmed.split_inclusive('\n') {
            if status_of_line(line).is_some() {
                starts.push(at);
            }
            at = at.saturating_add(line.len());
        }
        for pair in starts.windows(2) {
            let &[from, to] = pair else { continue };
            let first = trimmed
                .get(from..to)
                .and_then(|a| a.lines().next())
                .unwrap_or("");
            if let Some(code) = status_of_line(first) {
                if !(100..200).contains(&code)
                    && !first
                        .to_ascii_lowercase()
                        .contains("connection established")
                {
                    info.earlier.push(code);
                }
            }
        }
        let last = starts.last().copied().unwrap_or(0);
        let (head, rest) = split_head(trimmed.get(last..).unwrap_or(trimmed));
        body = rest;
        let mut lines = head.lines();
        if let Some(status_line) = lines.next() {
            info.status = status_line
                .split_whitespace()
                .nth(1)
                .and_then(|s| s.parse().ok());
        }
        for line in lines {
            if let Some((name, value)) = line.split_once(':') {
                if name.trim().eq_ignore_ascii_case("www-authenticate") {
                    info.challenges.extend(parse_challenges(value));
                }
            }
        }
    } else if let Some(value) = header_value(trimmed, "www-authenticate") {
        info.challenges.extend(parse_challenges(value));
        body = "";
    } else if looks_like_challenge(trimmed) {
        info.challenges.extend(parse_challenges(trimmed));
        body = "";
    }
    for ch in info.challenges.clone() {
        read_challenge(&ch, &mut info);
    }
    let body = body.trim();
    let mut strings = String::new();
    // The JSON body, also when text follows it (Okta's body then " (403)") or precedes it on its line (PowerShell's
    // "Invoke-RestMethod : {…}", Make's "[403] {…}").
    // Else the first error object further down (a log or an SDK's exception: "HTTP response body: {…}").
    let json_at = if body.starts_with('{') {
        Some(0)
    } else {
        let first_line = body.lines().next().unwrap_or("");
        // (Only an object that says it is an error, not a bare `message` an answer may echo; within the first
        // 64 KiB.)
        first_line.find("{\"").or_else(|| {
            crate::snippet::json_object(clip_bytes(body, 64 * 1024), |m| {
                ["error", "code", "status", "statusCode", "errorCode"]
                    .iter()
                    .any(|k| m.contains_key(*k))
            })
            .map(|(t, _)| (t.as_ptr() as usize).saturating_sub(body.as_ptr() as usize))
        })
    };
    if let Some(json) = json_at.and_then(|at| body.get(at..)) {
        let mut values = serde_json::Deserializer::from_str(json).into_iter::<Value>();
        if let Some(Ok(v @ Value::Object(_))) = values.next() {
            // A JSON batch's answer (Microsoft Graph's `$batch`: `{"responses": [{"id", "status", "body"}]}`) is
            // a 200 around each request's own answer: the first refused one is read.
            // (Items with an `id`, a `status` and a `body`, as a batch's are; not any list called `responses`.)
            let refused = v
                .get("responses")
                .and_then(Value::as_array)
                .and_then(|list| {
                    list.iter().find(|r| {
                        r.get("id").is_some()
                            && r.get("body").is_some()
                            && r.get("status")
                                .and_then(Value::as_u64)
                                .is_some_and(|s| s == 401 || s == 403)
                    })
                });
            match refused {
                Some(inner) => {
                    info.status = inner
                        .get("status")
                        .and_then(Value::as_u64)
                        .and_then(|s| u16::try_from(s).ok());
                    info.batch_item = inner.get("id").map(|i| match i {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    });
                    let body = inner.get("body").cloned().unwrap_or(Value::Null);
                    read_json_body(&body, &mut info);
                    collect_strings(&body, &mut strings, 0);
                }
                None => {
                    read_json_body(&v, &mut info);
                    collect_strings(&v, &mut strings, 0);
                }
            }
        }
    }
    // Words before the JSON on its line (a log's "… responded with code NoPermissionsInAccessToken: {…}") are
    // read with its strings.
    // (Of an object further down, all the text above it: an exception's words say what its body may not.)
    let before = json_at
        .and_then(|at| body.get(..at))
        .map(|b| {
            // At most its last 8 KiB.
            let from = (b.len().saturating_sub(8192)..b.len())
                .find(|i| b.is_char_boundary(*i))
                .unwrap_or(b.len());
            b.get(from..).unwrap_or("").trim()
        })
        .filter(|b| !b.is_empty() && !strings.is_empty());
    if let Some(b) = before {
        strings.insert(0, '\n');
        strings.insert_str(0, b);
    }
    let text_to_read = if !strings.is_empty() {
        strings.as_str()
    } else if body.is_empty() {
        trimmed
    } else {
        body
    };
    read_text(text_to_read, &mut info);
    if info.status.is_none() {
        info.status = refusal_in_text(trimmed);
    }
    keep_first(&mut info.required_scopes);
    keep_first(&mut info.required_permissions);
    // Google lists in its challenge the scopes any one of which authorizes the method (as its discovery documents
    // list a method's scopes), not a set all needed.
    if !info.required_scopes.is_empty()
        && info.required_scopes.iter().all(|s| {
            s.starts_with("https://www.googleapis.com/auth/")
                || s.starts_with("https://mail.google.com/")
                || s.starts_with("https://www.google.com/m8/")
        })
    {
        info.scopes_any = true;
    }
    info
}

/// A 401 or 403 written in the text of a response pasted without its status line (or of a log that mentions it): `403`, `401 Unauthorized`,
/// `Request failed with status code 403` (axios), `HTTP 401`, `(403) Forbidden` (.NET). Only where the number
/// starts the text, follows a word that introduces a status, or is followed by its reason phrase: an id or a
/// count that happens to be 401 is not a status.
pub fn refusal_in_text(text: &str) -> Option<u16> {
    const BEFORE: [&str; 7] = [
        "status code",
        "statuscode",
        "status",
        "http",
        "response code",
        "response",
        "error",
    ];
    for (at, _) in text.match_indices("40") {
        let Some(status) = text.get(at..at.saturating_add(3)) else {
            continue;
        };
        let status: u16 = match status {
            "401" => 401,
            "403" => 403,
            _ => continue,
        };
        let head = text.get(..at).unwrap_or("");
        let tail = text.get(at.saturating_add(3)..).unwrap_or("");
        if head.ends_with(|c: char| c.is_ascii_alphanumeric())
            || tail.starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            continue;
        }
        // A line of its own (Postman's console prints the status under the URL).
        if head.ends_with('\n') && (tail.is_empty() || tail.starts_with(['\r', '\n'])) {
            return Some(status);
        }
        // A few characters either side (the text can be long, and hold many a "40").
        let head = head
            .get(
                (head.len().saturating_sub(24)..head.len())
                    .find(|i| head.is_char_boundary(*i))
                    .unwrap_or(head.len())..,
            )
            .unwrap_or("");
        let tail = clip_bytes(tail, 24);
        let lead = head
            .trim_end_matches(|c: char| {
                c.is_whitespace() || matches!(c, ':' | '=' | '(' | '"' | '\'')
            })
            .to_ascii_lowercase();
        let reason = tail
            .trim_start_matches(|c: char| c.is_whitespace() || matches!(c, '(' | ')' | '-' | ':'))
            .to_ascii_lowercase();
        // `HTTP/2 403`, `HTTP/1.1 401`: the protocol's version between the word and the number.
        let unversioned = lead
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '.')
            .trim_end_matches('/');
        if lead.is_empty()
            || BEFORE.iter().any(|w| lead.ends_with(w))
            // Zapier: "Got 403 calling POST https://…, expected 2xx."
            || lead.ends_with("got") && reason.starts_with("calling")
            // Make: "[403] Unable to perform …".
            || lead.ends_with('[') && reason.starts_with(']')
            || unversioned.len() < lead.len() && unversioned.ends_with("http")
            || reason.starts_with("unauthorized")
            || reason.starts_with("forbidden")
            // A call and its answer on one line: "GET https://… -> 401 {…}".
            || lead.ends_with("->")
            || lead.ends_with("=>")
            || lead.ends_with('→')
        {
            return Some(status);
        }
    }
    None
}

/// Joins the string values of a JSON document, one per line (bounded depth and size), so that vendor messages
/// can be read without their JSON quoting.
fn collect_strings(v: &Value, out: &mut String, depth: usize) {
    if depth > 16 || out.len() > 64 * 1024 {
        return;
    }
    match v {
        Value::String(s) => {
            out.push_str(s);
            out.push('\n');
        }
        Value::Array(items) => items
            .iter()
            .for_each(|i| collect_strings(i, out, depth.saturating_add(1))),
        Value::Object(map) => map
            .values()
            .for_each(|i| collect_strings(i, out, depth.saturating_add(1))),
        _ => {}
    }
}

/// At most `max` bytes of `text`, cut on a character boundary.
pub fn clip_bytes(text: &str, max: usize) -> &str {
    let mut end = max.min(text.len());
    while end > 0 && !text.is_char_boundary(end) {
        end = end.saturating_sub(1);
    }
    text.get(..end).unwrap_or("")
}

/// Where an HTTP answer pasted below other text starts: the offset of the line break before the first later line
/// that starts (after blanks) with `HTTP/`. `None` when there is none.
pub fn answer_below(text: &str) -> Option<usize> {
    text.match_indices('\n')
        .find(|(at, _)| {
            text.get(at.saturating_add(1)..)
                .is_some_and(|rest| rest.trim_start().starts_with("HTTP/"))
        })
        .map(|(at, _)| at)
}

/// The status of an HTTP status line (`HTTP/1.1 403 Forbidden`, `HTTP/2 401`), `None` for any other line.
fn status_of_line(line: &str) -> Option<u16> {
    let rest = line.strip_prefix("HTTP/")?;
    let (version, rest) = rest.split_once(' ')?;
    let code = rest.get(..3)?;
    (version.bytes().all(|b| b.is_ascii_digit() || b == b'.')
        && code.bytes().all(|b| b.is_ascii_digit())
        && rest
            .get(3..4)
            .is_none_or(|c| c == " " || c == "\r" || c == "\n"))
    .then(|| code.parse().ok())
    .flatten()
}

fn split_head(text: &str) -> (&str, &str) {
    for sep in ["\r\n\r\n", "\n\n"] {
        if let Some(i) = text.find(sep) {
            return (
                text.get(..i).unwrap_or(text),
                text.get(i.saturating_add(sep.len())..).unwrap_or(""),
            );
        }
    }
    (text, "")
}

fn header_value<'t>(text: &'t str, name: &str) -> Option<&'t str> {
    let (n, v) = text.lines().next()?.split_once(':')?;
    n.trim().eq_ignore_ascii_case(name).then_some(v)
}

fn looks_like_challenge(text: &str) -> bool {
    let first = text.split_whitespace().next().unwrap_or("");
    ["bearer", "dpop"].contains(&first.to_ascii_lowercase().as_str()) && text.contains('=')
}

/// Parses a `WWW-Authenticate` value into challenges (RFC 9110 §11.6.1): `Scheme k=v, k="v", Scheme2 ...`.
pub fn parse_challenges(value: &str) -> Vec<Challenge> {
    let mut out: Vec<Challenge> = Vec::new();
    let mut chars = value.trim().chars().peekable();
    let mut token = String::new();
    while let Some(&c) = chars.peek() {
        if c.is_whitespace() || c == ',' {
            chars.next();
            continue;
        }
        token.clear();
        while let Some(&c) = chars.peek() {
            if c.is_whitespace() || c == ',' || c == '=' {
                break;
            }
            token.push(c);
            chars.next();
        }
        while chars.peek().is_some_and(|c| c.is_whitespace()) {
            chars.next();
        }
        if chars.peek() == Some(&'=') {
            chars.next();
            while chars.peek().is_some_and(|c| c.is_whitespace()) {
                chars.next();
            }
            let mut val = String::new();
            if chars.peek() == Some(&'"') {
                chars.next();
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            if let Some(n) = chars.next() {
                                val.push(n)
                            }
                        }
                        '"' => break,
                        c => val.push(c),
                    }
                }
            } else {
                while let Some(&c) = chars.peek() {
                    if c == ',' {
                        break;
                    }
                    val.push(c);
                    chars.next();
                }
                // token68 padding such as `abc==` ends up here too.
                val = val.trim().to_string();
            }
            match out.last_mut() {
                Some(ch) => ch.params.push((token.to_ascii_lowercase(), val)),
                None => out.push(Challenge {
                    scheme: String::new(),
                    params: vec![(token.to_ascii_lowercase(), val)],
                }),
            }
        } else if !token.is_empty() {
            out.push(Challenge {
                scheme: token.clone(),
                params: Vec::new(),
            });
        }
    }
    out
}

fn read_challenge(ch: &Challenge, info: &mut ResponseInfo) {
    if let Some(scope) = ch.param("scope") {
        for s in scope.split_whitespace() {
            push_unique(&mut info.required_scopes, s);
        }
    }
    let desc = ch.param("error_description").map(str::to_string);
    if let Some(d) = &desc {
        info.message.get_or_insert_with(|| d.clone());
    }
    match ch.param("error") {
        Some("insufficient_scope") => {
            info.code.get_or_insert_with(|| "insufficient_scope".into());
            push_signal(info, Signal::InsufficientScope);
        }
        Some("invalid_token") => {
            info.code.get_or_insert_with(|| "invalid_token".into());
            push_signal(info, Signal::InvalidToken);
        }
        Some("invalid_dpop_proof") | Some("use_dpop_nonce") => {
            info.code.get_or_insert_with(|| "invalid_dpop_proof".into());
            push_signal(info, Signal::SenderConstrained);
        }
        Some(other) => {
            info.code.get_or_insert_with(|| other.to_string());
        }
        None => {}
    }
}

fn push_signal(info: &mut ResponseInfo, s: Signal) {
    if !info.signals.contains(&s) {
        info.signals.push(s);
    }
}

/// Adds `s`, trimmed of spaces, quotes and punctuation, unless empty. Repeats are dropped once the list is
/// complete ([`keep_first`]), not by scanning the list per item: a challenge may list thousands of scopes.
fn push_unique(list: &mut Vec<String>, s: &str) {
    let s = s
        .trim()
        .trim_matches(|c| c == '\'' || c == '"' || c == '`' || c == ',' || c == '.');
    if !s.is_empty() {
        list.push(s.to_string());
    }
}

/// Drops the repeats of `list`, each item keeping its first place.
fn keep_first(list: &mut Vec<String>) {
    let mut seen = std::collections::HashSet::with_capacity(list.len());
    list.retain(|s| seen.insert(s.clone()));
}

fn str_at<'v>(v: &'v Value, path: &[&str]) -> Option<&'v str> {
    let mut cur = v;
    for p in path {
        cur = cur.get(p)?;
    }
    cur.as_str()
}

fn read_json_body(v: &Value, info: &mut ResponseInfo) {
    // Genesys Cloud ErrorBody: {message, code, status, messageParams, contextId, ...}
    if v.get("contextId").is_some() || v.get("messageWithParams").is_some() {
        info.platform_hint = Some("genesys-cloud");
    }
    // Genesys `status`; `statusCode` of Auth0, NestJS and Azure API Management; a number or its text.
    for key in ["status", "statusCode"] {
        let status = v.get(key).and_then(|s| {
            s.as_u64()
                .or_else(|| s.as_str().and_then(|t| t.trim().parse().ok()))
        });
        if let Some(status) = status.and_then(|s| u16::try_from(s).ok()) {
            info.status.get_or_insert(status);
        }
    }
    // Microsoft Graph: {error: {code, message, innerError}}
    if let Some(code) = str_at(v, &["error", "code"]) {
        info.code.get_or_insert_with(|| code.to_string());
        if v.get("error")
            .and_then(|e| e.get("innerError").or_else(|| e.get("innererror")))
            .is_some()
        {
            info.platform_hint.get_or_insert("microsoft-graph");
        }
    }
    if let Some(m) = str_at(v, &["error", "message"]) {
        info.message.get_or_insert_with(|| m.to_string());
    }
    // Google: {error: {code: 403, status: "PERMISSION_DENIED", details: [{reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT"}]}}
    if let Some(details) = v
        .get("error")
        .and_then(|e| e.get("details"))
        .and_then(Value::as_array)
    {
        for d in details {
            if let Some(r) = d.get("reason").and_then(Value::as_str) {
                info.code = Some(r.to_string());
            }
        }
    }
    // OAuth-style {error, error_description}
    if let Some(code) = v.get("error").and_then(Value::as_str) {
        info.code.get_or_insert_with(|| code.to_string());
    }
    for key in [
        "error_description",
        // Auth0's API SDKs (express-jwt style): {"error": "invalid_token", "errorDescription": "..."}.
        "errorDescription",
        "message",
        "detail",
        "title",
        "errorMessage",
    ] {
        if let Some(m) = v.get(key).and_then(Value::as_str) {
            info.message.get_or_insert_with(|| m.to_string());
        }
    }
    if let Some(code) = v.get("code").and_then(Value::as_str) {
        info.code.get_or_insert_with(|| code.to_string());
    }
    for key in ["errorCode", "errorName"] {
        if let Some(code) = v.get(key).and_then(Value::as_str) {
            info.code.get_or_insert_with(|| code.to_string());
        }
    }
    for key in ["errorSummary", "description"] {
        if let Some(m) = v.get(key).and_then(Value::as_str) {
            info.message.get_or_insert_with(|| m.to_string());
        }
    }
    // UAA / Spring: {"error": "insufficient_scope", "scope": "a b"}; Slack: {"needed": "a", "provided": "b c"}.
    // A token endpoint's answer (`access_token`, `scope`) grants scopes; it names none as required.
    let token_response = v.get("access_token").is_some();
    for key in ["scope", "needed", "required_scope", "required_scopes"] {
        if token_response {
            break;
        }
        if let Some(list) = v.get(key).and_then(crate::json::string_list) {
            for s in list.iter().flat_map(|s| s.split(',')) {
                push_unique(&mut info.required_scopes, s);
            }
        }
    }
    if let Some(list) = v.get("provided").and_then(crate::json::string_list) {
        info.provided_scopes = Some(
            list.iter()
                .flat_map(|s| s.split(','))
                .map(|s| s.trim().to_string())
                .filter(|s| !s.is_empty())
                .collect(),
        );
    }
    if v.get("active").and_then(Value::as_bool) == Some(false) {
        push_signal(info, Signal::Inactive);
    }
}

fn bracket_list(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    // The first `[…]` that is not a bare number (Make writes the status first: "[403] … [directory:user:view]").
    let mut from = 0usize;
    while let Some(start) = text
        .get(from..)
        .and_then(|t| t.find('['))
        .map(|i| i.saturating_add(from))
    {
        let Some(len) = text.get(start..).and_then(|r| r.find(']')) else {
            break;
        };
        let inner = text
            .get(start.saturating_add(1)..start.saturating_add(len))
            .unwrap_or("");
        from = start.saturating_add(len).saturating_add(1);
        if inner.trim().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        for p in inner.split(',') {
            push_unique(&mut out, p);
        }
        break;
    }
    keep_first(&mut out);
    out
}

fn after<'t>(text: &'t str, lower: &str, marker: &str) -> Option<&'t str> {
    let i = lower.find(marker)?;
    text.get(i.saturating_add(marker.len())..)
}

/// The word after `expected:` in node-jsonwebtoken's messages (`… expected: https://api.example.com`): up to a
/// space, a quote, a comma or the end of the JSON string it is in; `None` when there is none.
fn expected_word(rest: &str) -> Option<String> {
    let word = rest
        .trim_start()
        .split(|c: char| c.is_whitespace() || matches!(c, '"' | '\'' | ',' | '}' | '\\'))
        .next()
        .unwrap_or("");
    (!word.is_empty()).then(|| word.to_string())
}

/// A value an error message names, not one it hides or leaves empty (.NET's `[PII of type … is hidden]`, `null`).
fn named_value(v: &str) -> bool {
    !v.is_empty() && !v.starts_with('[') && !v.eq_ignore_ascii_case("null") && !v.contains("PII")
}

fn quoted_values(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = text;
    while let Some(i) = rest.find(['\'', '"']) {
        let q = rest.get(i..=i).unwrap_or("'");
        let tail = rest.get(i.saturating_add(1)..).unwrap_or("");
        match tail.find(q) {
            Some(j) => {
                out.push(tail.get(..j).unwrap_or("").to_string());
                rest = tail.get(j.saturating_add(1)..).unwrap_or("");
            }
            None => break,
        }
    }
    out
}

fn read_text(text: &str, info: &mut ResponseInfo) {
    let lower = text.to_ascii_lowercase();
    let has = |s: &str| lower.contains(s);
    let code = info.code.clone().unwrap_or_default();
    let code_l = code.to_ascii_lowercase();

    if has("must be presented using the dpop scheme")
        || has("invalid_dpop_proof")
        || has("dpop proof")
        || has("requires dpop")
    {
        push_signal(info, Signal::SenderConstrained);
    }
    if code_l == "missing.permissions"
        || code_l == "missing.any.permissions"
        || has("missing the following permission")
        || has("at least one of the following permissions")
    {
        info.platform_hint.get_or_insert("genesys-cloud");
        info.permissions_any =
            code_l == "missing.any.permissions" || has("at least one of the following permissions");
        for p in bracket_list(text) {
            push_unique(&mut info.required_permissions, &p);
        }
        push_signal(info, Signal::PermissionDenied);
    }
    if has("requires a user context")
        // Microsoft Teams: "Message POST is allowed in application-only context only for import purposes."
        || has("application-only context only for import")
        || has("only valid with delegated authentication flow")
        || has("client credentials cannot be used")
        || has("accessed by application credentials")
        || has("requires a signed-in user")
    {
        push_signal(info, Signal::UserContextRequired);
        if has("delegated authentication flow") {
            info.platform_hint.get_or_insert("microsoft-graph");
        }
    }
    if code_l == "nopermissionsinaccesstoken"
        || has("nopermissionsinaccesstoken")
        || has("idw10201")
        || has("neither scope or roles claim")
        || has("neither scope nor roles claim")
    {
        push_signal(info, Signal::NoAppPermissions);
    }
    if code_l == "authorization_requestdenied"
        || has("insufficient privileges to complete the operation")
        // Graph: a Teams protected API called app-only, an Exchange application access policy ([RAOP]).
        || has("protected api access in application-only context")
        || has("apponly accesspolicy")
    {
        push_signal(info, Signal::PermissionDenied);
        info.platform_hint.get_or_insert("microsoft-graph");
    }
    if has("resource not accessible by integration")
        || has("resource not accessible by personal access token")
    {
        info.platform_hint.get_or_insert("github");
        push_signal(info, Signal::PermissionDenied);
    }
    if code_l == "erroraccessdenied"
        || code_l == "not.authorized"
        || code_l == "accessdenied"
        || code_l == "access_denied"
        || code_l == "permission_denied"
    {
        push_signal(info, Signal::AccessDenied);
    }
    // Microsoft.Identity.Web's IDW10203: "The 'scope' or 'scp' claim does not contain scopes 'A,B' or was not found".
    if let Some(rest) = after(text, &lower, "does not contain scopes '") {
        let listed = rest.split('\'').next().unwrap_or("");
        for p in listed.split([',', ' ']).filter(|p| !p.is_empty()) {
            push_unique(&mut info.required_scopes, p);
        }
        info.scopes_any = true;
        push_signal(info, Signal::InsufficientScope);
    }
    if let Some(rest) = after(text, &lower, "does not contain scopes:") {
        for p in bracket_list(rest) {
            push_unique(&mut info.required_scopes, &p);
        }
        push_signal(info, Signal::InsufficientScope);
    }
    if has("incorrect alg")
        || has("alg not allowed")
        || has("invalid algorithm")
        || has("algorithm not allowed")
        || has("unexpected alg")
        // Auth0's express-jwt: "Algorithm HS256 is not supported. (Expected algs: [RS256])"; go-oidc: "id token
        // signed with unsupported algorithm, expected [\"RS256\"] got \"HS256\"".
        || has("unsupported algorithm")
        || has("expected algs")
        || has("algorithm") && has("is not supported")
        // Spring (Nimbus): "Signed JWT rejected: Another algorithm expected, or no matching key(s) found": the
        // token's algorithm tells which (the diagnosis decides).
        || has("another algorithm expected")
        // PyJWT: `InvalidAlgorithmError: The specified alg value is not allowed`.
        || has("alg value is not allowed")
    {
        push_signal(info, Signal::AlgorithmRejected);
    }
    // Genesys Cloud's `not.authorized` ("You are not authorized to perform the requested action.") names no
    // permission: it is a refusal without a reason (above), not a missing permission.
    if code_l != "not.authorized"
        && (has("do not have permission")
            || has("does not have permission")
            || has("insufficient permissions")
            || has("not authorized to perform")
            || has("permission denied"))
    {
        push_signal(info, Signal::PermissionDenied);
    }
    if code_l == "access_token_scope_insufficient"
        || code_l == "missing_scope"
        || has("insufficient authentication scopes")
        || has("insufficient_scope")
        || has("insufficient scope")
        || has("outside the authorized scopes")
        || has("scope is missing")
        || has("required scopes")
        || has("missing required scope")
    {
        push_signal(info, Signal::InsufficientScope);
    }
    if let Some(rest) = after(text, &lower, "expected any of:") {
        info.scopes_any = true;
        // The list ends with its line, or with the JSON string it is in (a body pasted after other text).
        let line = rest.lines().next().unwrap_or("");
        let line = line.split(['"', '\'', '}', ']', '\\']).next().unwrap_or("");
        for s in line.split([',', ' ']).filter(|s| !s.trim().is_empty()) {
            push_unique(&mut info.required_scopes, s);
        }
    }
    if let Some(rest) = after(text, &lower, "has not been granted scopes:") {
        for s in rest
            .lines()
            .next()
            .unwrap_or("")
            .split([',', ' '])
            .filter(|s| !s.trim().is_empty())
        {
            push_unique(&mut info.required_scopes, s);
        }
        push_signal(info, Signal::ScopeNotGranted);
    } else if code_l == "invalid_scope" || has("invalid_scope") || has("aadsts1002012") {
        push_signal(info, Signal::ScopeNotGranted);
    }
    if has("invalid audience")
        || has("idx10214")
        || has("idx10231")
        || has("expected audience")
        || has("audience validation failed")
        || has("the audience '")
        || has("aud claim")
        || has("audience is invalid")
        || has("invalid_audience")
        // Spring Security's resource server: "The required audience is missing"; Auth0: "Bad audience: …".
        || has("audience is missing")
        || has("bad audience")
        || has("missing audience")
        // jose / express-oauth2-jwt-bearer: `unexpected "aud" value`.
        || has("unexpected \"aud\"")
        // node-jsonwebtoken (express-jwt): `jwt audience invalid. expected: X`.
        || has("jwt audience invalid")
        // PyJWT: `InvalidAudienceError: Audience doesn't match` (also "Invalid audience", above).
        || has("audience doesn't match")
        || has("invalidaudienceerror")
        // Envoy's jwt_authn (Istio's RequestAuthentication), answered with a 403.
        || has("audiences in jwt are not allowed")
    {
        push_signal(info, Signal::AudienceInvalid);
        info.expected_audience = after(text, &lower, "jwt audience invalid. expected:")
            .and_then(expected_word)
            .or_else(|| {
                after(text, &lower, "validationparameters.validaudience:")
                    .and_then(|rest| quoted_values(rest).into_iter().next())
                    .filter(|v| named_value(v))
            });
    }
    if let Some(rest) = after(text, &lower, "jwt issuer invalid. expected:") {
        // node-jsonwebtoken (express-jwt): `jwt issuer invalid. expected: X` (the token's issuer is not named).
        push_signal(
            info,
            Signal::IssuerInvalid {
                expected: expected_word(rest),
                actual: None,
            },
        );
    } else if has("no credentials found for given 'iss'")
        || has("no credentials found for given \"iss\"")
    {
        // Kong's jwt plugin: no consumer credential has the token's `iss` as its key.
        push_signal(
            info,
            Signal::IssuerInvalid {
                expected: None,
                actual: None,
            },
        );
    } else if let Some(rest) = after(text, &lower, "invalid token issuer.")
        // go-oidc (oauth2-proxy): `id token issued by a different provider, expected "X" got "Y"`.
        .or_else(|| after(text, &lower, "issued by a different provider"))
    {
        let q = quoted_values(rest);
        push_signal(
            info,
            Signal::IssuerInvalid {
                expected: q.first().cloned(),
                actual: q.get(1).cloned(),
            },
        );
    } else if let Some(at) = [
        "idx10205",
        "issuer validation failed",
        "invalid issuer",
        "the issuer '",
        "the issuer \"",
        "iss claim",
        "wrong issuer",
        // Envoy's jwt_authn (Istio): no provider is configured for the token's `iss`.
        "jwt issuer is not configured",
    ]
    .iter()
    .filter_map(|m| lower.find(m))
    .min()
    {
        // The issuer is a quoted value after the words that name it (a challenge's `error="invalid_token"` comes
        // before them), the first that looks like one: a URL, else one word.
        let q = quoted_values(text.get(at..).unwrap_or(""));
        let actual = q
            .iter()
            .find(|v| v.contains("://"))
            .or_else(|| {
                q.iter()
                    .find(|v| !v.is_empty() && !v.contains(char::is_whitespace) && *v != "null")
            })
            .cloned();
        // .NET (IDX10205): `… Did not match: validationParameters.ValidIssuer: 'X' or …ValidIssuers: 'Y'`.
        let expected = after(text, &lower, "validationparameters.validissuer:")
            .and_then(|rest| quoted_values(rest).into_iter().next())
            .filter(|v| named_value(v) && Some(v) != actual.as_ref());
        push_signal(info, Signal::IssuerInvalid { expected, actual });
    }
    if has("idx10225") {
        push_signal(info, Signal::LifetimeInvalid);
    }
    if has("idx10223")
        || has("token is expired")
        || has("jwt expired")
        || has("token expired")
        || has("expired token")
        || has("lifetime validation failed. the token is expired")
        || has("has expired")
        || code_l == "expired_token"
    {
        // A token endpoint's `invalid_grant` "the refresh token has expired" is about the grant, not an access
        // token the API saw.
        if code_l != "invalid_grant" {
            push_signal(info, Signal::Expired);
        }
    }
    // Graph's one message for both ("Access token has expired or is not yet valid."): the token's claims decide, and
    // read as expired it becomes token.stale for a token still valid.
    let either = has("expired or is not yet valid");
    if !either && (has("idx10222") || has("not yet valid") || has("not valid yet"))
        || has("used before")
        || has("jwt not active")
        // auth0-js / angular-jwt: "The token was issued in the future. Please check your computed clock."
        || has("issued in the future")
    {
        push_signal(info, Signal::NotYetValid);
    }
    // Spring Security's opaque-token resource server, when introspection says `active: false`.
    // … and Spring Security OAuth's legacy /oauth/check_token, for a token its store does not hold.
    if (has("isn't active") && has("token"))
        || has("token is not active anymore")
        || has("token was not recognised")
    {
        push_signal(info, Signal::Inactive);
    }
    if has("idx14100")
        || has("idx14101")
        || has("idx14102")
        || has("idx12741")
        || has("idx12709")
        || has("jwt is not well formed")
        || has("jwt malformed")
        // RFC 6750 §3.1 `invalid_request` answers: "The access token is malformed".
        || has("token is malformed")
        || has("not a valid jwt")
        || has("invalid compact jws")
        || has("must have 3 parts")
        || has("must have three segments")
    {
        push_signal(info, Signal::Unparsable);
    }
    if has("idx10208") {
        push_signal(info, Signal::AudienceUnconfigured);
    }
    if has("format is authorization: bearer")
        || code_l == "credentials_bad_format"
        || has("credentials_bad_format")
        // The client refused to send the header (Python requests; Node's ERR_INVALID_CHAR).
        || has("return character(s) in header value")
        || has("invalid character in header content")
    {
        push_signal(info, Signal::HeaderFormat);
    }
    if has("token has wrong type") || has("not valid for any token type") {
        push_signal(info, Signal::WrongTokenType);
    }
    if has("invalid key=value pair") && has("authorization header") {
        push_signal(
            info,
            Signal::OtherCredentials("AWS Signature Version 4 (IAM authorization)"),
        );
    }
    if has("with an explicit deny") {
        push_signal(info, Signal::PolicyDeny);
    }
    if has("missing subscription key") || has("invalid subscription key") {
        push_signal(
            info,
            Signal::OtherCredentials(
                "an Azure API Management subscription key (the Ocp-Apim-Subscription-Key header)",
            ),
        );
    }
    if has("didn't find publickey for specified kid")
        // node-jwks-rsa: `SigningKeyNotFoundError: Unable to find a signing key that matches '<kid>'`.
        || has("unable to find a signing key")
        // Envoy's jwt_authn: "Jwks doesn't have key to match kid or alg from Jwt", "Jwks remote fetch is failed".
        || has("jwks doesn't have key")
        || has("jwks remote fetch")
        // ASP.NET Core: the API could not fetch its OpenID configuration or the keys (IDX20803, IDX20804).
        || has("idx20803")
        || has("idx20804")
        || has("idx10501")
        || has("no matching key")
        || has("unable to find the appropriate key")
        // ASP.NET Core's JwtBearer challenge for SecurityTokenSignatureKeyNotFoundException.
        || has("signature key was not found")
        || has("kid") && has("not found")
    {
        push_signal(info, Signal::KeyNotFound);
    }
    if has("idx10511")
        || has("idx10503")
        || has("signature validation failed")
        || has("invalid signature")
        || has("signature verification failed")
    {
        push_signal(info, Signal::SignatureInvalid);
    }
    if code_l == "authentication.required"
        || has("no authentication bearer token")
        // Graph: "Access token is empty."; Django REST framework: "Authentication credentials were not provided."
        || has("access token is empty")
        || has("credentials were not provided")
        || has("missing authentication token")
        || has("no authorization header")
        || has("missing authorization")
    {
        push_signal(info, Signal::NoToken);
    }
    if code_l == "invalidauthenticationtoken"
        || code_l == "bad.credentials"
        || code_l == "invalid_token"
        || has("access token validation failure")
        // Genesys Cloud's `bad.credentials` message, all a Zapier or Make task history shows of the 401.
        || has("invalid login credentials")
        || has("invalid token")
        || code_l == "unauthenticated"
    {
        push_signal(info, Signal::InvalidToken);
    }
    // The client at the token endpoint: what the message says decides, the bare code only when it says nothing.
    if has("aadsts7000215")
        || has("aadsts7000222")
        || has("invalid client secret")
        || has("client secret is invalid")
        || has("client secret has expired")
        || has("client secret expired")
        || has("client secret supplied") && has("is invalid")
    {
        push_signal(info, Signal::ClientSecretInvalid);
    } else if has("client secret not provided")
        || has("invalid_client_credentials")
        || has("public client")
        || has("confidential client")
        || has("aadsts7000218")
        || has("aadsts700025")
        // A single-page application's code redeemed from a server.
        || has("aadsts9002327")
    {
        push_signal(info, Signal::ClientType);
    } else if has("aadsts700016")
        || has("client authentication failed")
        || has("was not found in the directory")
    {
        // An unknown client (Entra: not in this tenant's directory), whatever the code says.
        push_signal(info, Signal::ClientAuthFailed);
    } else if code_l == "unauthorized_client"
        || has("not authorized to use the provided grant type")
        || has("grant type is not allowed")
        || has("unauthorized_client")
        // Keycloak's token exchange: the client may not exchange tokens (for this audience).
        || has("not allowed to exchange")
    {
        push_signal(info, Signal::GrantNotAllowed);
    } else if code_l == "invalid_client" || has("invalid_client") {
        push_signal(info, Signal::ClientAuthFailed);
    }
    if code_l == "invalid_resource"
        || has("aadsts500011")
        || has("service not enabled within domain")
    {
        push_signal(info, Signal::ResourceUnknown);
    }
    if code_l == "unsupported_grant_type" || has("unsupported grant") {
        push_signal(info, Signal::GrantUnsupported);
    }
    if has("client application") && has("not authorized for user") {
        push_signal(info, Signal::AppNotForUser);
    }
    if has("aadsts65001") || code_l == "consent_required" || has("has not consented") {
        push_signal(info, Signal::ConsentRequired);
    } else if code_l == "invalid_grant" {
        push_signal(info, Signal::GrantInvalid);
    }
    if info.message.is_none() {
        let first = message_line(text);
        if !first.is_empty() && (!first.starts_with('{') || first.starts_with("{'")) {
            info.message = Some(crate::json::clip(first.trim(), 300));
        }
    }
}

/// The line of a text answer that says what went wrong: its first line, unless that line says nothing of it (a
/// log's or a traceback's first line, a URL, a one-word heading such as Zapier's "Request", a shell's prompt) and
/// a later line reads as an error.
fn message_line(text: &str) -> &str {
    let mut lines = text.lines().map(str::trim).filter(|l| !l.is_empty());
    let Some(first) = lines.next() else {
        return "";
    };
    if refusal_in_text(first).is_some() {
        return first;
    }
    let lower = first.to_ascii_lowercase();
    // A shell's or REPL's prompt line is the command typed, not what came back.
    let prompt = ["ps ", ">>> ", "$ ", "> ", "% ", "c:\\"]
        .iter()
        .any(|p| lower.starts_with(p));
    let says_nothing = !first.contains(' ') && !crate::snippet::reads_as_error(first)
        || prompt
        || lower.starts_with("traceback")
        || lower.starts_with("http://")
        || lower.starts_with("https://")
        || [
            "debug ",
            "debug:",
            "[debug]",
            "info ",
            "info:",
            "[info]",
            "trace ",
            "trace:",
            "[trace]",
            "navigated to",
        ]
        .iter()
        .any(|w| lower.starts_with(w));
    if !says_nothing {
        return first;
    }
    let later: Vec<&str> = lines.take(40).collect();
    // The first that reads as an error (a 401 or 403 does too): an exception's message before the status it gave.
    later
        .iter()
        .find(|l| crate::snippet::reads_as_error(l))
        .copied()
        .unwrap_or(first)
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn an_answer_further_down_a_log_is_read_and_quoted() {
        // An SDK's exception: the body is on the fourth line, after the traceback's first.
        let sdk = "Traceback (most recent call last):\nPureCloudPlatformClientV2.rest.ApiException: (401)\nReason: Unauthorized\nHTTP response body: {\"message\":\"Invalid login credentials.\",\"code\":\"bad.credentials\",\"status\":401}";
        let info = parse(sdk);
        assert_eq!(info.message.as_deref(), Some("Invalid login credentials."));
        assert_eq!(info.code.as_deref(), Some("bad.credentials"));
        assert_eq!(info.status, Some(401));
        // No JSON: the line with the status, not the URL above it.
        let console = "https://login.example.com/oauth/authorize?response_type=token\nGET https://api.example.com/v2/me 401 (Unauthorized)";
        assert_eq!(
            parse(console).message.as_deref(),
            Some("GET https://api.example.com/v2/me 401 (Unauthorized)")
        );
        // A first line that says something stays the message.
        assert_eq!(
            parse("Access denied for this resource\ncaused by: error 17")
                .message
                .as_deref(),
            Some("Access denied for this resource")
        );
    }

    #[test]
    fn library_and_gateway_wordings_are_read() {
        for (text, signal) in [
            (
                "SigningKeyNotFoundError: Unable to find a signing key that matches 'k1'",
                Signal::KeyNotFound,
            ),
            ("Jwks remote fetch is failed", Signal::KeyNotFound),
            (
                "UnauthorizedError: Format is Authorization: Bearer [token]",
                Signal::HeaderFormat,
            ),
            (
                "{\"detail\":\"Token has wrong type\"}",
                Signal::WrongTokenType,
            ),
            (
                "jwt.exceptions.InvalidAudienceError: Audience doesn't match",
                Signal::AudienceInvalid,
            ),
            (
                "IDX10208: Unable to validate audience. validationParameters.ValidAudience is null or whitespace",
                Signal::AudienceUnconfigured,
            ),
            (
                "{\"Message\":\"User is not authorized to access this resource with an explicit deny\"}",
                Signal::PolicyDeny,
            ),
            (
                "Signed JWT rejected: Another algorithm expected, or no matching key(s) found",
                Signal::AlgorithmRejected,
            ),
        ] {
            assert!(
                parse(text).signals.contains(&signal),
                "{text}: {:?}",
                parse(text).signals
            );
        }
        assert!(matches!(
            parse("{\"statusCode\": 401, \"message\": \"Access denied due to missing subscription key.\"}").signals.as_slice(),
            [.., Signal::OtherCredentials(w)] if w.contains("Ocp-Apim-Subscription-Key")
        ));
        let r = parse(
            r#"oidc: id token issued by a different provider, expected "http://keycloak:8080/realms/demo" got "http://localhost:8080/realms/demo""#,
        );
        assert!(r.signals.contains(&Signal::IssuerInvalid {
            expected: Some("http://keycloak:8080/realms/demo".into()),
            actual: Some("http://localhost:8080/realms/demo".into()),
        }));
    }

    #[test]
    fn repeated_scopes_are_listed_once_in_first_order_even_by_the_thousand() {
        let r = parse(r#"WWW-Authenticate: Bearer error="insufficient_scope", scope="b a b c a""#);
        assert_eq!(r.required_scopes, vec!["b", "a", "c"]);
        let many: Vec<String> = (0..20_000).map(|i| format!("s{}", i % 15_000)).collect();
        let r = parse(&format!(
            r#"WWW-Authenticate: Bearer error="insufficient_scope", scope="{}""#,
            many.join(" ")
        ));
        assert_eq!(r.required_scopes.len(), 15_000);
        assert_eq!(r.required_scopes.first().map(String::as_str), Some("s0"));
        assert_eq!(r.required_scopes.last().map(String::as_str), Some("s14999"));
        let r = parse("The token does not contain scopes: [x, y, x, z]");
        assert_eq!(r.required_scopes, vec!["x", "y", "z"]);
    }

    #[test]
    fn the_issuer_named_in_a_challenge_is_the_one_after_the_words_that_name_it() {
        let issuer = |text: &str| {
            parse(text).signals.iter().find_map(|s| match s {
                Signal::IssuerInvalid { actual, .. } => Some(actual.clone()),
                _ => None,
            })
        };
        let r = "HTTP/1.1 401 Unauthorized\r\nWWW-Authenticate: Bearer error=\"invalid_token\", error_description=\"The issuer 'http://localhost:8080/realms/my-realm' is invalid\"\r\n\r\n";
        assert_eq!(
            issuer(r),
            Some(Some("http://localhost:8080/realms/my-realm".into()))
        );
        let r = "IDX10205: Issuer validation failed. Issuer: 'https://sts.windows.net/t/'. Did not match: validationParameters.ValidIssuer: 'null' or validationParameters.ValidIssuers: 'https://login.microsoftonline.com/t/v2.0'.";
        assert_eq!(issuer(r), Some(Some("https://sts.windows.net/t/".into())));
        // Words that name no issuer value.
        assert_eq!(
            issuer("error=\"invalid_token\", error_description=\"invalid issuer\""),
            Some(None)
        );
    }

    #[test]
    fn token_endpoint_refusals_are_told_apart() {
        for (body, signal) in [
            (
                r#"{"error":"invalid_client","error_description":"AADSTS7000215: Invalid client secret provided."}"#,
                Signal::ClientSecretInvalid,
            ),
            (
                r#"{"error":"invalid_client","error_description":"The client secret supplied for a confidential client is invalid."}"#,
                Signal::ClientSecretInvalid,
            ),
            (
                r#"{"error":"unauthorized_client","error_description":"Client secret not provided in request"}"#,
                Signal::ClientType,
            ),
            (
                r#"{"error":"unauthorized_client","error_description":"AADSTS700016: Application with identifier 'x' was not found in the directory 'y'."}"#,
                Signal::ClientAuthFailed,
            ),
            (
                r#"{"error":"unauthorized_client","error_description":"The client is not authorized to use the provided grant type."}"#,
                Signal::GrantNotAllowed,
            ),
            (
                r#"{"error":"invalid_client","description":"authentication failed"}"#,
                Signal::ClientAuthFailed,
            ),
            (
                r#"{"error":"invalid_grant","error_description":"Token is not active"}"#,
                Signal::GrantInvalid,
            ),
            (
                r#"{"error":"invalid_grant","error_description":"AADSTS65001: The user or administrator has not consented to use the application."}"#,
                Signal::ConsentRequired,
            ),
            (
                r#"{"error":"access_denied","error_description":"Unauthorized"}"#,
                Signal::AccessDenied,
            ),
        ] {
            let r = parse(body);
            assert!(r.signals.contains(&signal), "{body}: {:?}", r.signals);
            for other in [
                Signal::ClientType,
                Signal::ClientSecretInvalid,
                Signal::ClientAuthFailed,
                Signal::GrantNotAllowed,
            ] {
                assert!(
                    other == signal || !r.signals.contains(&other),
                    "{body}: {:?}",
                    r.signals
                );
            }
        }
    }

    #[test]
    fn cxone_legacy_application_not_authorized_for_user() {
        let r = parse(
            "HTTP/1.1 401 Unauthorized\r\n\r\nClient application 'myapp@vendor' not authorized for user",
        );
        assert_eq!(r.status, Some(401));
        assert!(
            r.signals.contains(&Signal::AppNotForUser),
            "{:?}",
            r.signals
        );
    }

    #[test]
    fn genesys_not_authorized_names_no_permission() {
        let r = parse(
            r#"{"message":"You are not authorized to perform the requested action.","code":"not.authorized","status":403,"contextId":"c"}"#,
        );
        assert!(r.signals.contains(&Signal::AccessDenied), "{:?}", r.signals);
        assert!(
            !r.signals.contains(&Signal::PermissionDenied),
            "{:?}",
            r.signals
        );
        // Another platform's text that says the same words still reads as a permission refusal.
        let r = parse("User is not authorized to perform: iam:ListUsers");
        assert!(
            r.signals.contains(&Signal::PermissionDenied),
            "{:?}",
            r.signals
        );
    }

    #[test]
    fn a_status_pasted_without_its_status_line() {
        for (text, status) in [
            ("403", Some(403)),
            ("  401 Unauthorized", Some(401)),
            (
                "Request failed with status code 403: Insufficient scope",
                Some(403),
            ),
            (
                "The remote server returned an error: (403) Forbidden.",
                Some(403),
            ),
            ("HTTP 401", Some(401)),
            ("error 403 - you may not", Some(403)),
            ("sendMail failed: HTTP/2 403", Some(403)),
            ("< HTTP/2 403 \n< content-type: application/json", Some(403)),
            ("Server returned HTTP response code: 401 for URL", Some(401)),
            // A code that is not a status.
            ("Error: wrap-up code 401 is not valid for this queue", None),
            (
                r#"{"statusCode":401,"message":"Unauthorized. Access token is missing or invalid."}"#,
                Some(401),
            ),
            (r#"{"statusCode":"403","message":"Forbidden"}"#, Some(403)),
            // Numbers that are not a status: an id, a longer number, a count.
            ("no such user 401 in this tenant", None),
            ("status code 4031", None),
            ("AADSTS403 something", None),
            ("GET /users/403/messages failed", None),
            ("", None),
        ] {
            assert_eq!(parse(text).status, status, "{text:?}");
        }
        // An interim answer or a proxy's tunnel before the API's own status line.
        assert_eq!(
            parse("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 403 Forbidden\r\n\r\n").status,
            Some(403)
        );
        assert_eq!(
            parse("HTTP/1.1 200 Connection established\r\n\r\nHTTP/1.1 401 Unauthorized\r\n\r\n")
                .status,
            Some(401)
        );
        // Two final answers (`curl -i -L`'s redirect, or two calls' answers pasted together): the last is read, and
        // the one before is noted.
        let two = parse("HTTP/1.1 200 OK\r\n\r\nHTTP/1.1 401 Unauthorized");
        assert_eq!((two.status, two.earlier), (Some(401), vec![200]));
        let redirect = parse(
            "HTTP/1.1 302 Found\r\nLocation: /b\r\n\r\n<html>moved</html>\r\nHTTP/2 403\r\n\r\n{}",
        );
        assert_eq!((redirect.status, redirect.earlier), (Some(403), vec![302]));
        // A line of the body that only starts like a status line is not one.
        let body = parse("HTTP/1.1 403 Forbidden\r\n\r\nHTTP/1.1 is the protocol\r\nHTTP/x 401 no");
        assert_eq!((body.status, body.earlier), (Some(403), vec![]));
        // A status line wins over the text.
        assert_eq!(
            parse("HTTP/1.1 401 Unauthorized\r\n\r\nstatus code 403").status,
            Some(401)
        );
        // Many a "40" in a long text: read near each, not from the start (linear).
        let long = "40 ".repeat(200_000) + "status: 403";
        assert_eq!(parse(&long).status, Some(403));
    }

    #[test]
    fn rfc6750_challenge_with_scope() {
        let r = parse(
            r#"WWW-Authenticate: Bearer realm="example", error="insufficient_scope", error_description="needs more", scope="read write""#,
        );
        assert_eq!(r.challenges.len(), 1);
        assert_eq!(r.required_scopes, vec!["read", "write"]);
        assert!(r.signals.contains(&Signal::InsufficientScope));
        assert_eq!(r.message.as_deref(), Some("needs more"));
    }

    #[test]
    fn dpop_insufficient_scope_is_a_scope_problem() {
        let r = parse(
            "HTTP/1.1 403 Forbidden\r\nWWW-Authenticate: DPoP algs=\"ES256 PS256\", error=\"insufficient_scope\", scope=\"okta.users.read\"\r\n\r\n",
        );
        assert_eq!(r.status, Some(403));
        assert_eq!(
            r.challenges.first().map(|c| c.scheme.as_str()),
            Some("DPoP")
        );
        assert!(r.signals.contains(&Signal::InsufficientScope));
        assert!(!r.signals.contains(&Signal::SenderConstrained));
    }

    #[test]
    fn genesys_missing_any_permissions() {
        let body = r#"{"message":"Unable to perform the requested action. You must have at least one of the following permissions assigned: [journey:actionmap:view, journey:actionmap:add]","code":"missing.any.permissions","status":403,"contextId":"x"}"#;
        let r = parse(body);
        assert_eq!(r.platform_hint, Some("genesys-cloud"));
        assert!(r.permissions_any);
        assert_eq!(
            r.required_permissions,
            vec!["journey:actionmap:view", "journey:actionmap:add"]
        );
        assert_eq!(r.status, Some(403));
    }

    #[test]
    fn keycloak_issuer_values() {
        let r = parse(
            "Invalid token issuer. Expected 'http://localhost:8080/realms/a', but was 'http://keycloak:8080/realms/a'",
        );
        assert_eq!(
            r.signals.first(),
            Some(&Signal::IssuerInvalid {
                expected: Some("http://localhost:8080/realms/a".into()),
                actual: Some("http://keycloak:8080/realms/a".into())
            })
        );
    }

    #[test]
    fn auth0_expected_any_of() {
        let r = parse(
            r#"{"statusCode":403,"error":"Forbidden","message":"Insufficient scope, expected any of: create:users,create:user_tickets"}"#,
        );
        assert!(r.scopes_any);
        assert_eq!(
            r.required_scopes,
            vec!["create:users", "create:user_tickets"]
        );
        assert!(r.signals.contains(&Signal::InsufficientScope));
    }

    #[test]
    fn graph_me_needs_delegated() {
        let r = parse(
            r#"{"error":{"code":"BadRequest","message":"/me request is only valid with delegated authentication flow.","innerError":{}}}"#,
        );
        assert!(r.signals.contains(&Signal::UserContextRequired));
        assert_eq!(r.platform_hint, Some("microsoft-graph"));
    }

    #[test]
    fn client_type_at_the_token_endpoint() {
        let r = parse(
            r#"{"error":"unauthorized_client","error_description":"Client secret not provided in request"}"#,
        );
        assert!(r.signals.contains(&Signal::ClientType));
        assert_eq!(
            r.message.as_deref(),
            Some("Client secret not provided in request")
        );
    }

    #[test]
    fn scopes_named_in_bodies() {
        let r = parse(r#"{"error": "insufficient_scope", "scope": "scim.read zones.uaa.admin"}"#);
        assert_eq!(r.required_scopes, vec!["scim.read", "zones.uaa.admin"]);
        let r = parse(
            r#"{"ok": false, "error": "missing_scope", "needed": "connections:write", "provided": "authorizations:read"}"#,
        );
        assert!(r.signals.contains(&Signal::InsufficientScope));
        assert_eq!(r.required_scopes, vec!["connections:write"]);
        assert_eq!(
            r.provided_scopes,
            Some(vec!["authorizations:read".to_string()])
        );
        let r = parse(
            r#"{"code": 4711, "message": "Invalid access token, does not contain scopes:[user:read:list_users:admin]."}"#,
        );
        assert_eq!(r.required_scopes, vec!["user:read:list_users:admin"]);
    }

    #[test]
    fn dpop_scheme_required() {
        let r = parse(
            "WWW-Authenticate: DPoP error=\"invalid_token\", error_description=\"DPoP-bound access token must be presented using the DPoP scheme\"",
        );
        assert!(r.signals.contains(&Signal::SenderConstrained));
    }
}
