//! Recognizes what was pasted: a bare token, `Bearer x`, an `Authorization:` header, a token-endpoint response,
//! an introspection response, Genesys `tokens/me`, a curl command, a raw HTTP request or response, or decoded
//! claims; and extracts the token, the call (method + URL) and any response found in it.

use crate::jose::describe_char;
use crate::report::{Finding, Severity};
use serde_json::{Map, Value};

/// A called operation: method and URL (absolute or a bare path).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Call {
    /// Upper-case method.
    pub method: String,
    /// Host (lower case, no port) when the URL was absolute or a `Host:` header was given.
    pub host: Option<String>,
    /// Path with query string removed.
    pub path: String,
}

/// The parameters of a token request, as far as the paste shows them.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TokenRequest {
    /// `grant_type` (`client_credentials`, `password`, `refresh_token`, ...).
    pub grant_type: Option<String>,
    /// `scope`, percent-decoded; `None` when the request sends none.
    pub scope: Option<String>,
    /// True when the body is JSON (a `Content-Type: application/json` header, `--json`, or a body that starts
    /// with `{`).
    pub json_body: bool,
}

impl TokenRequest {
    /// Reads a token request's body: form fields, or a JSON object's members.
    pub fn read(body: &str, json_header: bool) -> TokenRequest {
        let json_body = json_header || body.trim_start().starts_with('{');
        let field = |name: &str| -> Option<String> {
            if json_body {
                let v: serde_json::Value =
                    serde_json::from_str(body.trim().trim_end_matches('&')).ok()?;
                return v.get(name)?.as_str().map(str::to_string);
            }
            body.split('&').find_map(|kv| {
                let (k, v) = kv.split_once('=')?;
                (k.trim() == name).then(|| crate::text::percent_decode(v.trim()))
            })
        };
        TokenRequest {
            grant_type: field("grant_type"),
            scope: field("scope"),
            json_body,
        }
    }
}

impl Call {
    /// `METHOD host/path` (the host left out when unknown), as descriptions and evidence name a call.
    pub fn label(&self) -> String {
        format!(
            "{} {}{}",
            self.method,
            self.host.as_deref().unwrap_or(""),
            self.path
        )
    }
}

/// What the paste was recognized as, and what was taken from it.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct Recognized {
    /// One sentence for the user: "a token response with an access token and an ID token; diagnosing the access token".
    pub description: String,
    /// Short kind: `jwt`, `opaque`, `header`, `token_response`, `introspection`, `tokens_me`, `curl`,
    /// `http_request`, `http_response`, `claims`, `jwks`, `error_response`, `token_request`,
    /// `introspection_request`, `empty`, `text`.
    pub kind: &'static str,
    /// The token to diagnose, cleaned.
    pub token: Option<String>,
    /// The authorization scheme it was presented with (`Bearer`, `DPoP`, ...), if any.
    pub scheme: Option<String>,
    /// True when the value was presented with the Basic scheme, first or among several (`Bearer Basic <b64>`):
    /// the "token" is then a user name and password or a client id and secret, and must never be sent as a
    /// bearer token (`tokenOf` returns null).
    pub basic: bool,
    /// Other tokens that came with it (`id_token`, `refresh_token`), by name.
    pub other_tokens: Vec<(String, String)>,
    /// The token-endpoint response fields other than tokens (`scope`, `expires_in`, `token_type`).
    pub token_response: Option<Map<String, Value>>,
    /// A call found in the paste (curl, raw HTTP request).
    pub call: Option<Call>,
    /// The token request that got the token, when the paste holds it too (a terminal session that asked the token
    /// endpoint, then called the API): its host tells the token's region or tenant.
    pub token_endpoint: Option<Call>,
    /// The grant type of that token request (`client_credentials`, `password`, …), when it shows one: it tells
    /// whether the token has a user, which an opaque token cannot show.
    pub token_grant: Option<String>,
    /// What a token request (the paste's, when it is one) asks for: its grant type and scope, and whether its body
    /// is JSON (token endpoints read form fields, RFC 6749 §3.2).
    pub token_request: Option<TokenRequest>,
    /// An introspection or tokens/me response found in the paste.
    pub introspection: Option<Map<String, Value>>,
    /// An API response found in the paste.
    pub response: Option<String>,
    /// Decoded claims pasted directly (copied from a decoder), when that is what the paste was.
    pub claims: Option<Map<String, Value>>,
    /// Problems with the header or the paste (header.malformed, input.*).
    pub findings: Vec<Finding>,
    /// The curl command presents a client certificate (`--cert`, `-E`): what an mTLS-bound token needs.
    pub client_certificate: bool,
    /// `token` decoded (set by [`recognize`], which reads the header and claims for its findings; kept so that
    /// the token is decoded once per diagnosis).
    pub decoded: Option<crate::jose::DecodedToken>,
    /// What the Authorization header holds instead of a token, whole (`$TOKEN`, `{{token}}`,
    /// `$(gcloud auth print-identity-token)`): the finding's title shows it clipped.
    pub stand_in: Option<String>,
}

/// Recognizes a paste. Never fails.
///
/// Besides the shape of the paste, it reports what the paste hides: the token's header and claims (or pasted
/// claims) are checked for invisible characters and the display limits ([`crate::text::claim_findings`]) and for
/// claims of the wrong JSON type ([`crate::claims::type_findings`]); those findings are in
/// [`Recognized::findings`] with the others.
pub fn recognize(text: &str) -> Recognized {
    recognize_for(text, None)
}

/// [`recognize`], told the operation the user gave: of a terminal session's calls, the last to that operation is
/// the one read (else the last call to an API, as without it).
pub fn recognize_for(text: &str, operation: Option<&Call>) -> Recognized {
    let mut out = recognize_paste(text, operation, true);
    if let Some(token) = &out.token {
        let decoded = crate::jose::decode(token);
        if let Some(header) = &decoded.header {
            out.findings
                .extend(crate::text::claim_findings(header, "header"));
        }
        if let Some(payload) = &decoded.payload {
            out.findings
                .extend(crate::text::claim_findings(payload, "claim"));
            out.findings.extend(crate::claims::type_findings(payload));
        }
        out.decoded = Some(decoded);
    } else if let Some(claims) = &out.claims {
        out.findings
            .extend(crate::text::claim_findings(claims, "claim"));
        out.findings.extend(crate::claims::type_findings(claims));
    }
    out
}

/// `split_json`: a paste that starts with a whole JSON object and goes on may be read as two parts
/// ([`recognize_object_and_rest`]); false when reading such a part, so that a paste of many objects is not read
/// one nested call per object.
fn recognize_paste(text: &str, operation: Option<&Call>, split_json: bool) -> Recognized {
    let mut out = Recognized::default();
    let trimmed = text.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    if trimmed.is_empty() {
        out.kind = "empty";
        out.description = "nothing was pasted".into();
        return out;
    }
    if trimmed.starts_with('{') {
        if split_json
            && let Some((object, rest)) = leading_object(trimmed)
            && let Some(read) = recognize_object_and_rest(object, rest, operation)
        {
            return read;
        }
        // A dict as Python prints it (MSAL Python's result, `r.json()` in a REPL): read as the JSON it stands for.
        if let Some((json, _, used)) = crate::snippet::python_dict(trimmed) {
            let rest = trimmed.get(used..).unwrap_or("").trim();
            let read = if rest.is_empty() {
                Some(recognize_paste(&json, operation, false)).filter(|r| r.kind != "text")
            } else if split_json {
                recognize_object_and_rest(&json, rest, operation)
            } else {
                None
            };
            if let Some(mut read) = read {
                read.description = format!("a dict as Python prints it: {}", read.description);
                return read;
            }
        }
        recognize_json(trimmed, &mut out);
        // Not a token, token response or introspection answer, but a dump that holds `Bearer <token>` (an axios
        // error object, a HAR entry): read as a snippet.
        if out.token.is_none() && out.findings.iter().any(|f| f.code == "input.no_token") {
            // A HAR entry names its header, call and answer: read as such, not picked out as a snippet.
            // (The text parsed once for both readers.)
            if let Some(read) = serde_json::from_str::<Value>(trimmed)
                .ok()
                .and_then(|v| har_entry(&v).or_else(|| json_request(&v)))
            {
                return read;
            }
            if let Some(snippet) = crate::snippet::read(trimmed) {
                let mut read = Recognized::default();
                recognize_snippet(snippet, &mut read);
                return read;
            }
        }
        return out;
    }
    // A list of token sets, as App Service's `/.auth/me` answers: the first one with an access token.
    if trimmed.starts_with('[') {
        if let Ok(Value::Array(items)) = serde_json::from_str::<Value>(trimmed) {
            if let Some(set) = items
                .iter()
                .find(|v| v.get("access_token").is_some_and(Value::is_string))
            {
                recognize_json(&set.to_string(), &mut out);
                out.description = format!(
                    "a list of {} token set{} (as App Service's /.auth/me answers), the first with an access token: {}",
                    items.len(),
                    if items.len() == 1 { "" } else { "s" },
                    out.description
                );
                return out;
            }
        }
    }
    // A redirect URL that carries the token (the implicit grant: `…#access_token=…&expires_in=…`), or the
    // authorization server's error (`…?error=access_denied&error_description=…`).
    if let Some((params, in_fragment)) = url_token_params(trimmed) {
        recognize_json(&Value::Object(params).to_string(), &mut out);
        // In the query of an http(s) URL, the token travels with an API call (RFC 6750 §2.3): that is the call.
        if !in_fragment && (trimmed.starts_with("https://") || trimmed.starts_with("http://")) {
            out.call = parse_target("GET", trimmed, None);
        }
        out.description = if out.token.is_some() {
            format!(
                "a URL that carries an access token in its {}; {}",
                if in_fragment {
                    "fragment (an implicit-grant redirect)"
                } else {
                    "query (RFC 6750 §2.3; many APIs accept the token only in the Authorization header)"
                },
                out.description
            )
        } else {
            format!(
                "a redirect URL with the authorization server's answer; {}",
                out.description
            )
        };
        return out;
    }
    // A line copied out of JSON: `"access_token": "eyJ…",` is read as the member it is; `"eyJ…",` and `eyJ…,` lose
    // the comma (and the quotes, below).
    let unlisted = trimmed.trim_end_matches([',', ';']).trim_end();
    if unlisted.starts_with('"') && unlisted.contains("\":") && !unlisted.contains('\n') {
        let as_object = format!("{{{unlisted}}}");
        if matches!(
            crate::json::parse_noting_duplicates(&as_object),
            Ok(crate::json::Parsed::Object(..))
        ) {
            recognize_json(&as_object, &mut out);
            out.description = format!("a line of JSON: {}", out.description);
            return out;
        }
    }
    let trimmed = if unlisted.len() < trimmed.len() && !unlisted.contains(char::is_whitespace) {
        unlisted
    } else {
        trimmed
    };
    let first_line = trimmed.lines().next().unwrap_or("");
    // An opaque token after a label on the first line (`token: …`, `access_token = …`), with nothing below it or
    // the API's refusal (a JWT after a label is read below, with the header lines).
    if let Some(read) = labelled_opaque_token(trimmed, first_line) {
        return read;
    }
    // DevTools' "Copy as fetch": `fetch("URL", {"headers": {"authorization": "Bearer …"}, "method": "GET", …});`
    if let Some(curl) = fetch_as_curl(trimmed) {
        recognize_curl(&curl, &mut out);
        out.description = format!(
            "a fetch() call (as DevTools copies it): {}",
            out.description
        );
        return out;
    }
    // A `curl -v` transcript (also after the command line that made it): the request is its `> ` lines, which
    // hold the expanded header values, and the answer its `< ` lines.
    if let Some((request, call)) = curl_verbose_request(trimmed) {
        recognize_http_request(&request, call, &mut out);
        // `curl -v -L`: the first request sent the header, a redirect followed, and the request it led to did not.
        if out.token.is_none() {
            if let Some((status, location)) = redirect_dropped_authorization(trimmed) {
                out.findings.push(
                    Finding::new(
                        "input.no_token",
                        Severity::Error,
                        "curl dropped the Authorization header when it followed the redirect",
                        format!("The first request sent the header and was answered {status}{}; curl followed it (-L) without the header, as it does for a redirect to another host, and since 7.83 to another scheme or port (http to https). So the request the API refused carried no token.", location.map(|l| format!(" (Location: {l})")).unwrap_or_default()),
                    )
                    .fix("Call the final URL directly (https, the host and path the Location header names), so that no redirect is followed.")
                    .fix("Or, if the redirect's target is trusted, let curl resend the header with --location-trusted.")
                    .weight(96),
                );
            }
        }
        // The `> Authorization` line shortened when pasted (`eyJ0eXAi...`) under a command that holds the whole
        // token: the command's token is the one sent.
        if let Some(whole) = out
            .token
            .as_deref()
            .filter(|t| is_shortened(t))
            .and_then(|short| {
                let cmd = command_above_transcript(trimmed)?;
                let mut sent = Recognized::default();
                recognize_curl(cmd, &mut sent);
                sent.token
                    .filter(|w| !is_shortened(w) && shortened_from(short, w))
            })
        {
            out.token = Some(whole);
            out.description.push_str(
                "; its Authorization line is shortened, so the token is the command's, whole",
            );
        }
        // `curl -v` shows no request body: the token an introspection request asks about is the `token` field of
        // the command's data, when the command is pasted above the transcript.
        if out.kind == "introspection_request" && out.token.is_none() {
            out.token = command_above_transcript(trimmed).and_then(|cmd| {
                let mut asked = Recognized::default();
                recognize_curl(cmd, &mut asked);
                asked
                    .token
                    .filter(|_| asked.kind == "introspection_request")
            });
            if out.token.is_some() {
                out.description = out.description.replace(
                    "the token it asks about is in the body, which the paste does not show",
                    "diagnosing the token it asks about, the `token` field of the command's data",
                );
            }
        }
        out.response = crate::response::curl_verbose_answer(trimmed);
        out.description = format!("a curl -v transcript: {}", out.description);
        return out;
    }
    // A terminal session (several commands, a command with its output, HTTPie, PowerShell): a one-line paste
    // without a space (a token) is turned away at once.
    // A token has no space: one byte search tells the readers below that need words to stand aside.
    let spaced = first_line.contains(' ');
    let header = split_header(first_line);
    let authorization_line = header.is_some_and(|(n, _)| n.eq_ignore_ascii_case("authorization"));
    if (first_line.len() < trimmed.len() || spaced)
        && !authorization_line
        && let Some(session) = crate::session::read(trimmed)
    {
        recognize_session(session, operation, &mut out);
        return out;
    }
    if looks_like_curl(trimmed) {
        recognize_curl(trimmed, &mut out);
        return out;
    }
    if first_line.starts_with("HTTP/") {
        out.kind = "http_response";
        out.description = "an HTTP response; paste the token (or the request) in the paste area and this in the response area".into();
        out.response = Some(trimmed.to_string());
        return out;
    }
    if let Some(call) = request_line(first_line) {
        // The API's answer pasted below the request (from its status line on) is the response, not the body.
        let (request, answer) = match crate::response::answer_below(trimmed) {
            Some(at) => (
                trimmed.get(..at).unwrap_or(trimmed).trim_end(),
                trimmed.get(at..).map(str::trim),
            ),
            None => (trimmed, None),
        };
        recognize_http_request(request, call, &mut out);
        if out.response.is_none() {
            out.response = answer.map(str::to_string);
        }
        return out;
    }
    // A `WWW-Authenticate` value (`Bearer realm="…", error="…"`) or header pasted as the paste: the API's answer.
    let (scheme_word, params) = if spaced {
        split_first_word(first_line)
    } else {
        (first_line, None)
    };
    let challenge = ["bearer", "dpop"]
        .iter()
        .any(|w| scheme_word.eq_ignore_ascii_case(w))
        && params.is_some_and(|p| {
            // An auth-param (`realm="…"`, `error=…`), not a token that ends in `=` padding.
            p.split_once('=').is_some_and(|(k, v)| {
                !k.is_empty()
                    && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
                    && !v.is_empty()
                    && !v.starts_with('=')
            })
        });
    if challenge
        || first_line
            .get(..17)
            .is_some_and(|h| h.eq_ignore_ascii_case("www-authenticate:"))
    {
        out.kind = "error_response";
        out.description =
            "the API's WWW-Authenticate challenge; paste the token (or the request) too".into();
        out.response = Some(trimmed.to_string());
        return out;
    }
    // One line of words with a JWT among them (`export TOKEN=eyJ…`, `token: eyJ…`), not a header value: the JWT.
    // Also a `.env` file or a shell script that sets the token (`ACCESS_TOKEN=eyJ…` on a line of its own).
    // Every line an assignment or a comment (a request or an answer among them is a snippet's).
    let assigned = first_line.len() < trimmed.len()
        && trimmed.lines().any(|l| {
            l.split_once('=').is_some_and(|(k, v)| {
                !k.contains(' ') && v.trim_start_matches(['"', '\'']).starts_with("eyJ")
            })
        })
        && trimmed.lines().all(|l| {
            let t = l.trim();
            t.is_empty()
                || t.starts_with('#')
                || t.split_once('=').is_some_and(|(k, _)| {
                    let k = k
                        .trim()
                        .trim_start_matches("export ")
                        .trim_start_matches("set ");
                    !k.is_empty() && !k.contains(' ')
                })
        });
    if assigned {
        if let Some(jwt) = crate::snippet::lone_jwt(trimmed) {
            take_authorization_value(jwt, false, &mut out);
            out.description = "lines that set a variable to one JWT".into();
            return out;
        }
    }
    if first_line.len() == trimmed.len()
        && spaced
        // A label (`access_token: eyJ…`) is read with the header lines below; an exception's name
        // (`requests.exceptions.InvalidHeader: … 'Bearer eyJ…'`) is no label.
        && !(scheme_word.ends_with(':') && header.is_some())
        && !["bearer", "dpop", "basic", "token", "jwt"]
            .iter()
            .any(|w| scheme_word.eq_ignore_ascii_case(w))
    {
        if let Some(jwt) = crate::snippet::lone_jwt(trimmed) {
            take_authorization_value(jwt, false, &mut out);
            out.description = "a line of text with one JWT in it".into();
            // The words around it may be the API's answer (Spring's "Provided token [eyJ…] isn't active").
            let words = trimmed.replacen(jwt, "…", 1);
            if crate::snippet::reads_as_error(&words) {
                out.response = Some(words);
                out.description = "a line of text with one JWT in it and the API's answer".into();
            }
            return out;
        }
    }
    // Several lines that are neither an Authorization header nor a token wrapped over lines: a log, a console
    // dump or a code snippet. The token, the call and the answer are picked out of it; an error text without a
    // token is read as the answer.
    let several_lines = first_line.len() < trimmed.len()
        && !authorization_line
        && !trimmed
            .lines()
            .all(|l| crate::text::is_visible_ascii(l.trim()))
        // Tokens a line each (`Bearer <token>` lines) are several tokens, read below.
        && !trimmed
            .lines()
            .all(|l| l.split_whitespace().count() <= 2 && !l.contains(':'));
    if several_lines {
        if let Some(snippet) = crate::snippet::read(trimmed) {
            recognize_snippet(snippet, &mut out);
            return out;
        }
    }
    // So is one line of prose that quotes the API's answer ("I get 403 Forbidden: {…missing.permissions…}", "The app
    // returned \"Insufficient privileges…\" (403)") with no JWT in it (read above). Not a scheme and its token
    // (`Bearer abc`), a header line, two words, or a line that starts with a JWT (a broken one, diagnosed as one).
    let prose_line = first_line.len() == trimmed.len()
        && spaced
        && !authorization_line
        && !trimmed.starts_with("eyJ")
        && trimmed.split_whitespace().nth(2).is_some()
        && !scheme_word
            .trim_end_matches(':')
            .eq_ignore_ascii_case("bearer");
    if several_lines || prose_line {
        let answer = crate::response::parse(trimmed);
        if answer.status.is_some() || !answer.signals.is_empty() {
            out.kind = "error_response";
            out.description =
                "an error message (no token in it); paste the token (or the request) too".into();
            out.response = Some(trimmed.to_string());
            return out;
        }
    }
    let (name, value) = match header {
        Some((n, v)) => (Some(n), v),
        None => (None, trimmed),
    };
    if let Some(name) = name {
        if !name.eq_ignore_ascii_case("authorization") {
            // A label and a JWT (`access_token:` then the token, `token: eyJ…`): the JWT.
            if let Some(jwt) = crate::snippet::lone_jwt(trimmed) {
                take_authorization_value(jwt, false, &mut out);
                out.description = format!("a JWT after the label \"{name}:\"");
                return out;
            }
            out.kind = "text";
            out.description = format!("a \"{name}:\" header, not an Authorization header");
            out.findings.push(
                Finding::new(
                    "input.no_token",
                    Severity::Error,
                    format!("The pasted header is \"{name}\", not \"Authorization\""),
                    "Bearer tokens travel in the Authorization header (RFC 6750 §2.1).",
                )
                .evidence("input", crate::json::clip(first_line, 120))
                .fix("Paste the Authorization header of the failing request, or the token itself."),
            );
            return out;
        }
        out.kind = "header";
        // The API's answer pasted below the header (from its status line on) is the response, not the value.
        let trimmed = match crate::response::answer_below(trimmed) {
            Some(at) => {
                out.response = trimmed.get(at..).map(|r| r.trim().to_string());
                trimmed.get(..at).unwrap_or(trimmed).trim_end()
            }
            None => trimmed,
        };
        // Several `Authorization:` lines: each its own header. Otherwise the lines after the first belong to the
        // value (a token wrapped by a terminal or an email).
        let values: Vec<&str> = trimmed
            .lines()
            .filter_map(split_header)
            .filter(|(n, _)| n.eq_ignore_ascii_case("authorization"))
            .map(|(_, v)| v)
            .collect();
        // One header: the lines after it that are token characters continue its value (a token wrapped by a
        // terminal or an email); the first other line (another header, a blank line, the answer) ends it, and an
        // answer below is the response.
        let joined;
        let value = if values.len() > 1 {
            value
        } else if trimmed.lines().count() > 1 {
            let mut lines = trimmed.lines();
            let head = lines.next().unwrap_or("");
            let mut value_end = head.len();
            let mut offset = head.len();
            for line in lines {
                let t = line.trim();
                // Token characters only (base64url, `.`, padding): a JSON body or another header ends the value,
                // and so does a status or reason phrase, or a rule (`403`, `Forbidden`, `---`).
                let reason = t.len() <= 3 && t.bytes().all(|b| b.is_ascii_digit())
                    || t.bytes().all(|b| b == b'-' || b == b'=')
                    || ["forbidden", "unauthorized", "ok", "error", "denied"]
                        .iter()
                        .any(|w| t.eq_ignore_ascii_case(w));
                if t.is_empty() || reason || !t.bytes().all(crate::text::is_b64token_byte) {
                    break;
                }
                offset = offset.saturating_add(1).saturating_add(line.len());
                value_end = offset;
            }
            let rest = trimmed.get(value_end..).unwrap_or("").trim();
            if !rest.is_empty() && out.response.is_none() {
                let answer = crate::response::parse(rest);
                if answer.status.is_some() || !answer.signals.is_empty() {
                    out.response = Some(rest.to_string());
                }
            }
            joined = trimmed.get(..value_end).unwrap_or(trimmed);
            joined.split_once(':').map_or(value, |(_, v)| v)
        } else {
            value
        };
        take_authorization_value(value, true, &mut out);
        let values: Vec<String> = values.into_iter().map(str::to_string).collect();
        several_authorization(&values, "paste", &mut out);
        out.description = format!("an Authorization header with {}", describe_scheme(&out));
        out.kind = "header";
        return out;
    }
    take_authorization_value(value, false, &mut out);
    out.description = match (&out.scheme, out.kind) {
        (Some(_), _) => format!("an Authorization value with {}", describe_scheme(&out)),
        (None, "jwt") => "a JWT".into(),
        (None, "jwe") => "an encrypted JWT (JWE)".into(),
        (None, "opaque") => "an opaque token (not a JWT)".into(),
        (None, "malformed") if out.token.as_deref().is_some_and(is_shortened) => {
            "a token shortened with `...`".into()
        }
        _ => "text that is not a token".into(),
    };
    out
}

fn describe_scheme(out: &Recognized) -> String {
    let kind = match out.kind {
        "jwe" => "an encrypted JWT",
        "opaque" => "an opaque token",
        "text" => "no usable token",
        "malformed" if out.token.as_deref().is_some_and(is_shortened) => {
            "a token shortened with `...`"
        }
        _ => "a JWT",
    };
    match &out.scheme {
        Some(s) => format!("the {s} scheme and {kind}"),
        None => format!("no scheme and {kind}"),
    }
}

/// Splits `Name: value` when `Name` is a plausible header name.
fn split_header(line: &str) -> Option<(&str, &str)> {
    let (name, value) = line.split_once(':')?;
    let name = name.trim();
    if name.is_empty()
        || name.len() > 40
        || !name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
    {
        return None;
    }
    // `https://...` is a URL, not a header.
    if value.starts_with("//") {
        return None;
    }
    Some((name, value.trim()))
}

/// Takes the token from an Authorization value (`Bearer x`, `DPoP x`, `x`), noting every formatting problem.
pub fn take_authorization_value(value: &str, in_header: bool, out: &mut Recognized) {
    let raw = value;
    let mut value = value.trim();
    let mut problems: Vec<String> = Vec::new();
    let mut fixes: Vec<String> = Vec::new();
    // Printable ASCII only (a bare token, the common case): no line break, no whitespace, no invisible
    // character, and it stays so as quotes come off. One pass over the value tells all three.
    let mut plain = crate::text::is_visible_ascii(value);
    // Several whole JWTs, a word or a line each, are several tokens pasted at once, not one token wrapped over
    // lines (joined, they would read as one token of five segments): the first is read, with a warning.
    if !plain {
        if let Some((first, count)) = several_jwts(value) {
            out.findings.push(
                Finding::new(
                    "input.several_tokens",
                    Severity::Warning,
                    format!("The paste holds {count} tokens; the first is diagnosed"),
                    "Each is a whole JWT, so they were not read as one token wrapped over several lines. Token Doctor diagnoses one token at a time: the others were left out.",
                )
                .evidence("first token", redact_for_evidence(first))
                .fix("Paste only the token the failing request sent. To see what differs between a token that works and one that fails, paste the one that works as \"The token that works\"."),
            );
            value = value.get(..end_of(value, first)).unwrap_or(value);
            plain = crate::text::is_visible_ascii(value);
        }
    }
    if !plain && has_line_break(value) {
        // A bare token wrapped over lines: every line is token characters (anything else keeps the problem).
        let wrapped_token = !in_header
            && value
                .split(['\n', '\r'])
                .map(str::trim)
                .all(|l| l.is_empty() || crate::text::is_visible_ascii(l));
        if !wrapped_token {
            problems.push("the value spans several lines: a line break inside a header ends it early, so the server sees a truncated token".into());
            fixes.push(
                "Remove the line breaks (a copied token often wraps); send the header on one line."
                    .into(),
            );
        } else {
            // A bare token wrapped by an e-mail, a terminal or `base64`: read whole, said once.
            out.findings.push(
                Finding::new(
                    "input.wrapped",
                    Severity::Info,
                    "The token was pasted over several lines",
                    "The line breaks were removed to read it. If the integration sends it with them, the API sees a broken token; otherwise this is only how it was copied.",
                )
                .fix("Send the token on one line."),
            );
        }
    }
    // Strip quotes around the whole value or the token.
    let mut schemes: Vec<String> = Vec::new();
    let mut quoted = false;
    loop {
        // Backticks around words are a shell's command (`` `cat token.txt` ``), not quotes around a token (a
        // token copied from Markdown, `` `eyJ…` ``, has no space).
        let command = value.starts_with('`') && command_substitution(value) && value.contains(' ');
        let unquoted = if command { value } else { strip_quotes(value) };
        if unquoted.len() != value.len() {
            // Said once, however many layers of quotes there are (a paste of 500,000 quotes is one problem).
            if !quoted && in_header {
                problems.push(
                    "the value is wrapped in quotes; the quotes are sent as part of the token"
                        .into(),
                );
                fixes.push("Remove the quotes around the token (a common slip when copying JSON or using a variable).".into());
            } else if !quoted {
                // A bare token copied out of JSON: read without its quotes, said once.
                out.findings.push(
                    Finding::new(
                        "input.quoted",
                        Severity::Info,
                        "The token was pasted in quotes",
                        "The quotes were removed to read it. If the integration sends them (a variable holding a JSON string), the API sees a broken token; otherwise this is only how it was copied.",
                    )
                    .fix("Send the token without quotes."),
                );
            }
            quoted = true;
            value = unquoted.trim();
            continue;
        }
        let (first, rest) = if plain {
            (value, None)
        } else {
            split_first_word(value)
        };
        let rest = rest.map(str::trim);
        let is_scheme = [
            "bearer",
            "dpop",
            "basic",
            "token",
            "jwt",
            "mac",
            "negotiate",
            "oauth",
            "digest",
            "apikey",
            "sso-key",
            "pop",
        ]
        .iter()
        .any(|s| s.eq_ignore_ascii_case(first))
            || (first.ends_with(':') && first.len() < 20);
        match (is_scheme, rest) {
            (true, Some(rest)) if !rest.is_empty() => {
                // `Authorization: Bearer: <token>`: the scheme is the word, colon and all, which no server knows.
                if in_header && schemes.is_empty() && first.len() > 1 && first.ends_with(':') {
                    let word = first.trim_end_matches(':');
                    if ["bearer", "dpop"]
                        .iter()
                        .any(|s| s.eq_ignore_ascii_case(word))
                    {
                        problems.push(format!(
                            "the scheme is followed by a colon (\"{}\"); the server reads \"{}\" as the scheme and does not know it",
                            crate::json::clip(first, 20),
                            crate::json::clip(first, 20)
                        ));
                        fixes.push(format!(
                            "Send \"Authorization: {word} <token>\", without a colon after {word}."
                        ));
                    }
                }
                schemes.push(first.trim_end_matches(':').to_string());
                value = rest;
            }
            _ => break,
        }
    }
    // The scheme and nothing after it (`Authorization: Bearer`): an empty variable, not a token named "Bearer".
    if in_header
        && schemes.is_empty()
        && ["bearer", "dpop"]
            .iter()
            .any(|s| s.eq_ignore_ascii_case(value))
    {
        out.findings.push(
            Finding::new(
                "input.no_token",
                Severity::Error,
                format!("The Authorization header is \"{value}\" with no token after it"),
                "The header ends after its scheme: the value meant to follow was empty (an unset or misspelled variable, such as $ACCESS_TOKEN, or a token the integration never got), so the API sees no token.",
            )
            .evidence("header", value.to_string())
            .fix(format!("Check that the variable holding the token is set where the request is made (echo it), then send \"Authorization: {value} <access token>\".")),
        );
        return;
    }
    // A token is one word: the common case copies it once, without looking at it character by character.
    // `value` is trimmed, so whitespace inside it means several words; a command substitution keeps its own.
    let substitution = command_substitution(value);
    let spaced = !plain && !substitution && split_first_word(value).1.is_some();
    let mut token: String = if spaced {
        value.chars().filter(|c| !c.is_whitespace()).collect()
    } else {
        value.to_string()
    };
    // Several words that do not join into a JWT (whose header always starts `eyJ`): prose, not a token.
    if !in_header
        && schemes.is_empty()
        && spaced
        && (crate::jose::shape_of(&token) == crate::jose::TokenShape::Opaque
            || !token.starts_with("eyJ"))
    {
        out.kind = "text";
        out.findings.push(
            Finding::new(
                "input.no_token",
                Severity::Error,
                "No token found in the paste",
                "The paste is several words, not a token: a token is one unbroken string (a JWT has three parts separated by dots).",
            )
            .evidence("input", crate::json::clip(value, 60))
            .fix("Paste the access token, the Authorization header, or the whole token response."),
        );
        return;
    }
    if token.len() != value.len() && !has_line_break(value) {
        problems.push(
            "the token has spaces inside it; the server sees only the part before the first space"
                .into(),
        );
        fixes.push("Paste the token again without spaces.".into());
    }
    let invisible = if plain || substitution || crate::text::is_visible_ascii(&token) {
        None
    } else {
        token.chars().find(|c| !c.is_ascii_graphic())
    };
    if invisible.is_some() {
        // An ellipsis: shortened where it was copied from, not a character added. Kept as `...`, which the decoder
        // reads as shortened (`token.malformed` says so).
        token = token.replace('\u{2026}', "...");
        if let Some(c) = token.chars().find(|c| !c.is_ascii_graphic()) {
            problems.push(format!(
                "the token contains the character {} (invisible or not ASCII), which no token has; it was likely added by a document or chat tool",
                describe_char(c)
            ));
            fixes.push("Copy the token from its source again as plain text.".into());
            token.retain(|c| c.is_ascii_graphic());
        }
    }
    let scheme = schemes.first().cloned();
    if schemes.len() > 1 {
        problems.push(format!(
            "the scheme appears {} times (\"{}\"); the server reads the second \"{}\" as the token",
            schemes.len(),
            crate::json::clip(&schemes.join(" "), 80),
            crate::json::clip(schemes.get(1).map(String::as_str).unwrap_or(""), 40)
        ));
        fixes.push("Send exactly one scheme: \"Authorization: Bearer <token>\". Libraries that add \"Bearer \" themselves need the bare token.".into());
    }
    match scheme.as_deref().map(str::to_ascii_lowercase).as_deref() {
        None if in_header => {
            problems.push("the header has no scheme; the server expects \"Bearer <token>\"".into());
            fixes.push("Send \"Authorization: Bearer <token>\".".into());
        }
        Some("basic") => {
            problems.push("the header uses the Basic scheme (a user name and password, or a client id and secret), not a bearer token".into());
            fixes.push("Call the API with \"Authorization: Bearer <access token>\"; Basic credentials belong at the token endpoint.".into());
        }
        Some("bearer") | Some("dpop") | None => {}
        // GitHub documents `Authorization: token <token>` for its own tokens.
        Some("token") if is_github_token(value) => {}
        // Django REST framework's TokenAuthentication, dbt Cloud and others document `Token <key>`: a warning, not
        // a malformed header (an RFC 6750 API refuses it, one of those accepts it).
        Some("token") => {
            let s = scheme.as_deref().unwrap_or("Token");
            out.findings.push(
                Finding::new(
                    "header.scheme_token",
                    Severity::Warning,
                    format!("The scheme is \"{s}\", not \"Bearer\""),
                    "APIs that follow RFC 6750 accept only \"Bearer\"; some APIs document \"Token <key>\" instead (Django REST framework's TokenAuthentication, dbt Cloud, GitHub). Check which one this API documents.",
                )
                .evidence("Authorization header", crate::json::clip(&redact_for_evidence(raw.trim()), 40))
                .fix("If the API's documentation says Bearer, send \"Authorization: Bearer <token>\"; if it says Token, the header is right.")
                .weight(60),
            );
        }
        Some(other) => {
            problems.push(format!(
                "the scheme \"{}\" is not Bearer; APIs that follow RFC 6750 only accept \"Bearer\"",
                other
            ));
            fixes.push("Send \"Authorization: Bearer <token>\".".into());
        }
    }
    if let Some(s) = &scheme {
        if s != "Bearer" && s.eq_ignore_ascii_case("bearer") {
            out.findings.push(
                Finding::new(
                    "header.scheme_case",
                    Severity::Info,
                    format!("The scheme is written \"{s}\""),
                    "RFC 6750 schemes are case-insensitive, but some servers and gateways only accept \"Bearer\".",
                )
                .evidence("Authorization header", crate::json::clip(raw.trim(), 40))
                .fix("If the API rejects it, send \"Bearer\" exactly."),
            );
        }
    }
    if !problems.is_empty() {
        let mut f = Finding::new(
            "header.malformed",
            Severity::Error,
            "The Authorization header is malformed",
            problems.join("; "),
        )
        .evidence(
            "Authorization header",
            crate::json::clip(&redact_for_evidence(raw.trim()), 80),
        )
        .weight(90);
        for fx in fixes {
            f = f.fix(fx);
        }
        out.findings.push(f);
    }
    out.basic = schemes.iter().any(|s| s.eq_ignore_ascii_case("basic"));
    out.scheme = scheme;
    // A variable or a placeholder where the token should be: the command as written, not what it sent.
    if let Some(kind) = placeholder(&token) {
        out.kind = "text";
        out.stand_in = Some(token.clone());
        let title = format!(
            "The Authorization header holds {kind}, `{}`, not a token",
            crate::json::clip(&token, 40)
        );
        let finding = if kind == "an unset value" {
            Finding::new(
                "input.no_token",
                Severity::Error,
                title,
                format!("The request sent the word `{}` where the token goes: the code read a value that was never set, so the API got no token.", crate::json::clip(&token, 40)),
            )
            .fix("Check that the token is fetched before the call (an async call awaited), and read from the member that holds it (`access_token` in an OAuth token response).")
        } else {
            Finding::new(
                "input.no_token",
                Severity::Error,
                title,
                "This is the request as written, before the value was put in: what the API got depends on that value. An empty or unset variable sends no token (Genesys Cloud answers `authentication.required`, \"No authentication bearer token specified\"); a placeholder copied from documentation is sent as it is, and the API rejects it.",
            )
            .fix("Check that the variable holds the access token when the request is sent (print it, or log the header the request carries), or paste the token itself here.")
        };
        out.findings.push(
            finding
                .evidence("Authorization header", crate::json::clip(raw.trim(), 60))
                .weight(95),
        );
        return;
    }
    let shape = crate::jose::shape_of(&token);
    out.kind = if token.is_empty() {
        "text"
    } else {
        match shape {
            crate::jose::TokenShape::Jws => "jwt",
            crate::jose::TokenShape::Jwe => "jwe",
            crate::jose::TokenShape::Opaque => "opaque",
            crate::jose::TokenShape::Malformed => "malformed",
        }
    };
    if !token.is_empty() {
        out.token = Some(token);
    }
}

/// Whether `f` is the finding that the Authorization header holds a stand-in ([`placeholder`]: a variable, a
/// command's output, a placeholder, an unset value) rather than a token.
pub fn holds_stand_in(f: &Finding) -> bool {
    f.code == "input.no_token" && f.title.contains("holds a")
}

/// Whether a value is a shell's command substitution, `$(az account get-access-token …)` or `` `cat token.txt` ``:
/// the token is what the command prints.
fn command_substitution(value: &str) -> bool {
    value.starts_with("$(") && value.ends_with(')')
        || value.len() > 2 && value.starts_with('`') && value.ends_with('`')
}

/// What kind of stand-in a "token" is, when it is one: a shell, PowerShell or cmd variable (`$TOKEN`, `${TOKEN}`,
/// `$env:TOKEN`, `%TOKEN%`), a template variable (`{{token}}`, Postman and REST clients), or a documentation
/// placeholder (`<access_token>`, `YOUR_ACCESS_TOKEN`). `None` for anything that could be a token.
fn placeholder(token: &str) -> Option<&'static str> {
    let b = token.as_bytes();
    if command_substitution(token) {
        return Some("a command's output");
    }
    match b.first()? {
        b'$' if b
            .get(1)
            .is_some_and(|c| c.is_ascii_alphabetic() || matches!(c, b'{' | b'(' | b'_')) =>
        {
            return Some("a variable");
        }
        b'%' if token.len() > 2 && token.ends_with('%') => return Some("a variable"),
        // `{{token}}` (Postman, REST clients), `{token}` (an f-string or C# interpolation), `#{token}` (Ruby).
        b'{' | b'#' if token.ends_with('}') && token.len() > 2 => {
            return Some("a template variable");
        }
        b'<' if token.ends_with('>') => return Some("a placeholder"),
        _ => {}
    }
    // `...` or `…` alone: the token left out when the command was written down.
    if token == "..." || token == "\u{2026}" {
        return Some("a placeholder");
    }
    // What code sends for a variable never set: JavaScript's `undefined`, `null` and `NaN`, Python's `None`, Go's
    // `nil`.
    if crate::snippet::is_unset(token) || token.eq_ignore_ascii_case("nan") {
        return Some("an unset value");
    }
    // `YOUR_ACCESS_TOKEN`, `ACCESS_TOKEN`, `your-token-here`: a documentation placeholder, in capitals or naming
    // "your" token (a real static token such as `dev-static-token` is left alone).
    if token.len() > 40 {
        return None;
    }
    let lower = token.to_ascii_lowercase();
    (token
        .bytes()
        .all(|c| c.is_ascii_alphabetic() || c == b'_' || c == b'-')
        && lower.contains("token")
        && (token.bytes().all(|c| !c.is_ascii_lowercase()) || lower.contains("your")))
    .then_some("a placeholder")
}

/// The first of several whole JWTs (each starting `eyJ`, with the dots of a JWS or a JWE) among the words of
/// `value`, and how many there are; None when there are fewer than two.
fn several_jwts(value: &str) -> Option<(&str, usize)> {
    let mut first = None;
    let mut count: usize = 0;
    for word in value.split_whitespace() {
        if word.starts_with("eyJ")
            && matches!(
                crate::jose::shape_of(word),
                crate::jose::TokenShape::Jws | crate::jose::TokenShape::Jwe
            )
        {
            first.get_or_insert(word);
            count = count.saturating_add(1);
        }
    }
    first.filter(|_| count > 1).map(|f| (f, count))
}

/// Where `part`, a slice of `s`, ends in `s` (the length of `s` when it is not one).
fn end_of(s: &str, part: &str) -> usize {
    (part.as_ptr() as usize)
        .checked_sub(s.as_ptr() as usize)
        .and_then(|at| at.checked_add(part.len()))
        .filter(|end| *end <= s.len())
        .unwrap_or(s.len())
}

/// Whether `s` holds a carriage return or a line feed (two byte searches, not a walk over its characters).
fn has_line_break(s: &str) -> bool {
    s.contains('\n') || s.contains('\r')
}

/// Splits off the first word at the first whitespace character (as `splitn(2, char::is_whitespace)` does):
/// `(first, Some(rest))`, or `(s, None)` when `s` has no whitespace. ASCII is read byte by byte; characters are
/// decoded only from the first non-ASCII byte on.
fn split_first_word(s: &str) -> (&str, Option<&str>) {
    let Some(i) = s
        .bytes()
        .position(|b| !b.is_ascii() || matches!(b, b'\t'..=b'\r' | b' '))
    else {
        return (s, None);
    };
    let tail = s.get(i..).unwrap_or("");
    let Some((j, c)) = tail.char_indices().find(|(_, c)| c.is_whitespace()) else {
        return (s, None);
    };
    let at = i.saturating_add(j);
    (
        s.get(..at).unwrap_or(s),
        s.get(at.saturating_add(c.len_utf8())..),
    )
}

/// Whether a token has one of GitHub's documented prefixes (`ghp_`, `gho_`, `ghu_`, `ghs_`, `ghr_`, `github_pat_`).
fn is_github_token(token: &str) -> bool {
    ["ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_"]
        .iter()
        .any(|p| token.trim().starts_with(p))
}

/// The finding for a request that sends more than one Authorization header (`values`, in order; nothing when
/// one): servers read one of them, most the first, which is the one diagnosed, or refuse the request. `what`:
/// "command", "request" or "paste".
fn several_authorization(values: &[String], what: &str, out: &mut Recognized) {
    let [first, rest @ ..] = values else {
        return;
    };
    if rest.is_empty() {
        return;
    }
    let same = rest.iter().all(|v| v.trim() == first.trim());
    let mut finding = Finding::new(
        "input.several_authorization",
        Severity::Warning,
        format!(
            "The {what} has {} Authorization headers{}",
            values.len(),
            if same { ", all the same" } else { "" }
        ),
        format!(
            "An HTTP request has one Authorization header (RFC 9110 §11.6.2). With several, servers read one of them (most take the first, which is the one diagnosed here{}), join them into one value that is no token, or refuse the request.",
            if same { "" } else { "; the others hold other credentials" }
        ),
    )
    .fix("Send one Authorization header: the one with the token meant for this API.");
    for v in values.iter().take(5) {
        finding = finding.evidence("Authorization", redact_for_evidence(v.trim()));
    }
    out.findings.push(finding);
}

/// Shows the shape of an Authorization value without the whole token: the scheme(s) and the first characters.
fn redact_for_evidence(value: &str) -> String {
    let mut words: Vec<String> = Vec::new();
    for w in value.split_whitespace() {
        if w.len() > 24 {
            words.push(format!("{}…({} chars)", w.get(..12).unwrap_or(""), w.len()));
        } else {
            words.push(w.to_string());
        }
    }
    words.join(" ")
}

fn strip_quotes(s: &str) -> &str {
    for q in ['"', '\'', '`'] {
        if let Some(inner) = s.strip_prefix(q).and_then(|r| r.strip_suffix(q)) {
            return inner;
        }
    }
    s
}

/// The OAuth parameters of a pasted URL's query and fragment (or of a bare `access_token=…&…` string) as a JSON
/// object, when they hold `access_token` or an OAuth `error`, and whether that was in the fragment; `None`
/// otherwise. Values are percent-decoded; `expires_in` becomes a number, as in a token response. The URL's other
/// parameters (`$top`, `api-version`) are left out.
fn url_token_params(text: &str) -> Option<(Map<String, Value>, bool)> {
    const OAUTH: [&str; 10] = [
        "access_token",
        "token_type",
        "expires_in",
        "scope",
        "id_token",
        "refresh_token",
        "state",
        "error",
        "error_description",
        "error_uri",
    ];
    // One byte search first: a pasted token (kilobytes, on every keystroke) has no `?` or `#` and is turned away
    // at once.
    let params = match text.bytes().position(|b| b == b'?' || b == b'#') {
        Some(at) => text.get(at.saturating_add(1)..).unwrap_or(""),
        None if text.starts_with("access_token=") => text,
        None => return None,
    };
    if !(params.contains("access_token=") || params.contains("error="))
        || text.bytes().any(|b| b.is_ascii_whitespace())
    {
        return None;
    }
    let fragment_at = text.find('#');
    let mut map = Map::new();
    let mut in_fragment = false;
    // Where each pair starts in `text`, to tell the query from the fragment.
    let mut at = text.len().saturating_sub(params.len());
    for pair in params.split(['&', '#', '?']) {
        let here = at;
        at = at.saturating_add(pair.len()).saturating_add(1);
        let Some((name, value)) = pair.split_once('=') else {
            continue;
        };
        let name = crate::text::percent_decode(name);
        if !OAUTH.contains(&name.as_str()) {
            continue;
        }
        if (name == "access_token" || name == "error") && fragment_at.is_some_and(|f| here > f) {
            in_fragment = true;
        }
        let value = crate::text::percent_decode(value);
        let value = match value.parse::<u64>() {
            Ok(n) if name == "expires_in" => Value::from(n),
            _ => Value::String(value),
        };
        map.entry(name).or_insert(value);
    }
    (map.get("access_token")
        .is_some_and(|v| v.as_str().is_some_and(|t| !t.is_empty()))
        || map.get("error").is_some_and(Value::is_string))
    .then_some((map, in_fragment))
}

/// [`recognize_paste`] of `token: <opaque token>` on the first line (the label `token`, `access_token`, `access
/// token` or `bearer token`, then `:` or `=`), alone or with the API's refusal below it. None for anything else.
fn labelled_opaque_token(trimmed: &str, first_line: &str) -> Option<Recognized> {
    let (name, value) = first_line.split_once([':', '='])?;
    let label = name.trim().to_ascii_lowercase();
    let value = value.trim().trim_matches(['"', '\'']);
    let tokenish = value.len() >= 16
        && !value.starts_with("eyJ")
        && value.bytes().all(crate::text::is_b64token_byte)
        && placeholder(value).is_none();
    if !tokenish
        || !matches!(
            label.as_str(),
            "token" | "access_token" | "access token" | "bearer token"
        )
    {
        return None;
    }
    let rest = trimmed.get(first_line.len()..).unwrap_or("").trim();
    if !rest.is_empty() && !refusal_answer(rest) {
        return None;
    }
    let mut out = Recognized::default();
    take_authorization_value(value, false, &mut out);
    out.description = format!("a token after the label \"{}:\"", name.trim());
    if !rest.is_empty() {
        // The raw answer from its status line, when there is one below notes; an introspection answer pasted
        // between them describes the token.
        let answer = crate::response::answer_below(rest)
            .and_then(|at| rest.get(at..))
            .map_or(rest, str::trim);
        out.introspection = rest
            .lines()
            .filter(|l| l.trim_start().starts_with('{'))
            .find_map(|l| match serde_json::from_str::<Value>(l.trim()) {
                Ok(Value::Object(m)) if m.contains_key("active") => Some(m),
                _ => None,
            });
        out.response = Some(answer.to_string());
        out.description.push_str(", with the API's answer below it");
    }
    Some(out)
}

/// A paste that starts with a whole JSON object and goes on: the object's text and the rest (trimmed, not empty).
/// None when the first object is not whole JSON, or nothing follows it.
fn leading_object(text: &str) -> Option<(&str, &str)> {
    let mut stream = serde_json::Deserializer::from_str(text).into_iter::<serde::de::IgnoredAny>();
    stream.next()?.ok()?;
    let end = stream.byte_offset();
    let rest = text.get(end..)?.trim();
    (!rest.is_empty()).then_some((text.get(..end)?, rest))
}

/// Two parts pasted together, a JSON object first: a token response (or an introspection answer, a Genesys
/// `tokens/me`, decoded claims) and the API's answer below it, or the API's error object and then the token (as
/// text, a header, a request or a token response). None when the parts are not one of these; the paste is then read
/// whole, as before.
fn recognize_object_and_rest(
    object: &str,
    rest: &str,
    operation: Option<&Call>,
) -> Option<Recognized> {
    let mut first = Recognized::default();
    recognize_json(object, &mut first);
    // What the rest holds, read as a paste of its own.
    let sent = recognize_paste(rest, operation, false);
    // The request sent below a token response (a Postman console, a log) may carry another of its tokens: the
    // refresh token or the ID token. That token is the one the API got.
    if first.kind == "token_response"
        && let Some(t) = sent
            .token
            .as_ref()
            .filter(|t| Some(*t) != first.token.as_ref())
        && let Some((name, _)) = first.other_tokens.iter().find(|(_, o)| o == t)
    {
        let name = name.clone();
        let mut sent = sent;
        sent.description = format!(
            "a token response, then a request that sends its {name}: {}",
            sent.description
        );
        sent.other_tokens = std::mem::take(&mut first.other_tokens);
        sent.token_response = first.token_response.take();
        return Some(sent);
    }
    match first.kind {
        // A call below it (a curl command, a request, a session) is read as the paste was before: as a whole.
        "token_response" | "introspection" | "tokens_me" | "claims"
            if sent.call.is_none() && sent.token.is_none() =>
        {
            // The answer may follow a line of words ("then POST … gives"): it starts at the first line from which
            // the rest reads as a refusal (looked for in a short rest only).
            let answer = if refusal_answer(rest) {
                Some(rest)
            } else if rest.len() <= 16 * 1024 {
                rest.match_indices('\n')
                    .take(20)
                    .filter_map(|(at, _)| rest.get(at.saturating_add(1)..))
                    .map(str::trim)
                    .find(|r| !r.is_empty() && refusal_answer(r))
            } else {
                None
            }?;
            first.response.get_or_insert_with(|| answer.to_string());
            first.description = format!("{}; the API's answer below it", first.description);
            Some(first)
        }
        // The API's answer first, then the token (as text, a header, a request, a token response).
        "error_response" => {
            let mut out = sent;
            if out.token.is_none() && out.introspection.is_none() && out.claims.is_none() {
                return None;
            }
            if out.response.is_none() {
                out.response = Some(object.to_string());
                out.description = format!("the API's answer, then {}", out.description);
            }
            Some(out)
        }
        _ => None,
    }
}

/// Whether `text` reads as an API's refusal: a 4xx or 5xx status, or, without one, a failure it names in an
/// answer's own form (a JSON body, a raw answer, a challenge), not in a sentence of the user's.
fn refusal_answer(text: &str) -> bool {
    let answer = crate::response::parse(text);
    match answer.status {
        Some(s) => (400..600).contains(&s),
        None => {
            !answer.signals.is_empty()
                && (text.starts_with('{')
                    || text.starts_with("HTTP/")
                    || text
                        .get(..17)
                        .is_some_and(|h| h.eq_ignore_ascii_case("www-authenticate:")))
        }
    }
}

fn recognize_json(text: &str, out: &mut Recognized) {
    let (map, duplicate) = match crate::json::parse_noting_duplicates(text) {
        Ok(crate::json::Parsed::Object(map, duplicate)) => (map, duplicate),
        Ok(crate::json::Parsed::Other(_)) | Err(_) => {
            // Not JSON: maybe a token that happens to start with '{' (never), so say what is wrong.
            let detail = match serde_json::from_str::<Value>(text) {
                Err(e) => format!(
                    "{} at line {}, column {}",
                    crate::json::error_kind(&e),
                    e.line(),
                    e.column()
                ),
                Ok(v) => format!("it is {}", crate::json::type_name(&v)),
            };
            out.kind = "text";
            out.description = "text that starts like JSON but is not a JSON object".into();
            out.findings.push(
                Finding::new(
                    "input.no_token",
                    Severity::Error,
                    "The paste starts like JSON but cannot be read",
                    format!("The paste begins with '{{' but is not a valid JSON object: {detail}."),
                )
                .fix("Paste the whole token response or token; check that nothing was cut off."),
            );
            return;
        }
    };
    if let Some(dup) = duplicate {
        out.findings.push(
            Finding::new(
                if map.get("access_token").is_none() && !map.contains_key("active") {
                    "claims.duplicate_name"
                } else {
                    "input.duplicate_name"
                },
                Severity::Warning,
                format!("The pasted JSON has the member \"{}\" more than once", crate::text::visible(&crate::json::clip(&dup, 60))),
                format!(
                    "It has the member \"{}\" more than once; parsers disagree on which one counts (this page uses the last, some servers the first).",
                    crate::text::visible(&crate::json::clip(&dup, 60))
                ),
            )
            .evidence("input", format!("\"{}\"", crate::text::visible(&crate::json::clip(&dup, 60))))
            .fix("Paste the JSON exactly as the server produced it; if it really has duplicates, fix the issuer."),
        );
    }
    if let Some(at) = map.get("access_token").and_then(Value::as_str) {
        out.kind = "token_response";
        let mut others = Vec::new();
        for name in ["id_token", "refresh_token"] {
            if let Some(t) = map.get(name).and_then(Value::as_str) {
                others.push((name.to_string(), t.to_string()));
            }
        }
        let names: Vec<&str> = others
            .iter()
            .map(|(n, _)| {
                if n == "id_token" {
                    "an ID token"
                } else {
                    "a refresh token"
                }
            })
            .collect();
        out.description = if names.is_empty() {
            "a token response with an access token; diagnosing the access token".into()
        } else {
            format!(
                "a token response with an access token and {}; diagnosing the access token",
                names.join(" and ")
            )
        };
        out.other_tokens = others;
        let mut rest = map.clone();
        for k in ["access_token", "id_token", "refresh_token"] {
            rest.remove(k);
        }
        out.token_response = Some(rest);
        let mut inner = Recognized::default();
        take_authorization_value(at, false, &mut inner);
        out.token = inner.token;
        out.basic = inner.basic;
        if let Some(tt) = map.get("token_type").and_then(Value::as_str) {
            if tt.eq_ignore_ascii_case("dpop") {
                out.scheme = Some("DPoP".into());
            }
        }
        return;
    }
    if map.contains_key("active") {
        out.kind = "introspection";
        out.description =
            "an introspection response (RFC 7662); paste the token too for a full diagnosis".into();
        out.introspection = Some(map);
        return;
    }
    if map.contains_key("authorizedScope") || map.contains_key("OAuthClient") {
        out.kind = "tokens_me";
        out.description = "a Genesys Cloud GET /api/v2/tokens/me response".into();
        out.introspection = Some(map);
        return;
    }
    if map.contains_key("keys") {
        out.kind = "jwks";
        out.description = "a JSON Web Key Set (keys, not a token)".into();
        out.findings.push(
            Finding::new(
                "input.no_token",
                Severity::Error,
                "The paste is a key set, not a token",
                "A JWKS holds the issuer's public keys; it verifies tokens but is not one.",
            )
            .fix("Paste the access token here, and the key set in the Verify signature panel."),
        );
        return;
    }
    let looks_error =
        (map.contains_key("error") || map.contains_key("code") || map.contains_key("message"))
            && !map.contains_key("iss")
            && !map.contains_key("sub");
    if looks_error {
        out.kind = "error_response";
        out.description = "an API error response; paste the token (or the request) too".into();
        out.response = Some(text.to_string());
        return;
    }
    let claimish = [
        "iss",
        "sub",
        "aud",
        "exp",
        "iat",
        "scp",
        "scope",
        "roles",
        "azp",
        "client_id",
    ];
    if claimish.iter().any(|k| map.contains_key(*k)) {
        out.kind = "claims";
        out.description = "decoded token claims (JSON); diagnosing them as the token's payload, without a signature".into();
        out.claims = Some(map);
        return;
    }
    out.kind = "text";
    out.description =
        "a JSON object that is not a token, token response or introspection response".into();
    out.findings.push(
        Finding::new(
            "input.no_token",
            Severity::Error,
            "No token found in the pasted JSON",
            "The object has no access_token, no active flag and no token claims.",
        )
        .evidence(
            "input",
            format!(
                "members: {}",
                map.keys().take(8).cloned().collect::<Vec<_>>().join(", ")
            ),
        )
        .fix("Paste the access token, the Authorization header, or the whole token response."),
    );
}

/// True when the paste is a curl command (also PowerShell's `curl.exe`).
fn looks_like_curl(text: &str) -> bool {
    let t = text.trim_start().trim_start_matches('$').trim_start();
    let lower = t.get(..9).unwrap_or(t).to_ascii_lowercase();
    // `curl` then its arguments, not prose ("curl returns 403 with this token:").
    (lower.starts_with("curl ") || lower.starts_with("curl.exe "))
        && crate::session::tool_of(t) == Some("curl")
}

/// Splits a command line into words: single and double quotes, backslash escapes, line continuations
/// (`\`, `^`, `` ` ``). Returns the words and whether a quote was left open.
pub fn shell_words(text: &str) -> (Vec<String>, bool) {
    let mut words = Vec::new();
    let mut cur = String::new();
    let mut in_word = false;
    let mut chars = text.chars().peekable();
    let mut quote: Option<char> = None;
    while let Some(c) = chars.next() {
        match quote {
            Some('\'') => {
                if c == '\'' {
                    quote = None
                } else {
                    cur.push(c)
                }
            }
            // Bash's ANSI-C quoting, `$'…'` (Chrome's "Copy as cURL (bash)" writes it when a value has a quote):
            // backslash escapes are read, `'` ends it.
            Some('$') => match c {
                '\'' => quote = None,
                '\\' => {
                    let escape = chars.next();
                    // Up to `most` digits of base `radix` (`\xHH`, `\uHHHH`, `\UHHHHHHHH`, octal `\NNN`).
                    let mut number = |radix: u32, most: usize, first: Option<u32>| {
                        let mut code = first.unwrap_or(0);
                        let mut digits = usize::from(first.is_some());
                        while digits < most {
                            match chars.peek().and_then(|h| h.to_digit(radix)) {
                                Some(d) => {
                                    code = code.wrapping_mul(radix).wrapping_add(d);
                                    digits = digits.saturating_add(1);
                                    chars.next();
                                }
                                None => break,
                            }
                        }
                        (digits > 0).then(|| char::from_u32(code).unwrap_or('\u{fffd}'))
                    };
                    let read = match escape {
                        Some('n') => Some('\n'),
                        Some('r') => Some('\r'),
                        Some('t') => Some('\t'),
                        Some('e' | 'E') => Some('\u{1b}'),
                        Some('a') => Some('\u{7}'),
                        Some('b') => Some('\u{8}'),
                        Some('f') => Some('\u{c}'),
                        Some('v') => Some('\u{b}'),
                        Some('x') => number(16, 2, None),
                        Some('u') => number(16, 4, None),
                        Some('U') => number(16, 8, None),
                        Some(d @ '0'..='7') => number(8, 3, d.to_digit(8)),
                        Some(n @ ('\\' | '\'' | '"' | '?')) => Some(n),
                        _ => None,
                    };
                    match (read, escape) {
                        (Some(c), _) => cur.push(c),
                        // Not an escape bash reads: kept as written.
                        (None, Some(n)) => {
                            cur.push('\\');
                            cur.push(n);
                        }
                        (None, None) => cur.push('\\'),
                    }
                }
                _ => cur.push(c),
            },
            Some(q) => {
                if c == q {
                    quote = None
                } else if c == '\\'
                    && matches!(chars.peek(), Some('"') | Some('\\') | Some('$') | Some('`'))
                {
                    if let Some(n) = chars.next() {
                        cur.push(n)
                    }
                } else {
                    cur.push(c)
                }
            }
            None => match c {
                '\'' | '"' => {
                    quote = Some(c);
                    in_word = true;
                }
                '$' if chars.peek() == Some(&'\'') => {
                    chars.next();
                    quote = Some('$');
                    in_word = true;
                }
                '\\' | '^' | '`' if matches!(chars.peek(), Some('\n') | Some('\r')) => {
                    while matches!(chars.peek(), Some('\n') | Some('\r')) {
                        chars.next();
                    }
                }
                '\\' => {
                    if let Some(n) = chars.next() {
                        cur.push(n);
                        in_word = true;
                    }
                }
                c if c.is_whitespace() => {
                    if in_word {
                        words.push(std::mem::take(&mut cur));
                        in_word = false;
                    }
                }
                c => {
                    cur.push(c);
                    in_word = true;
                }
            },
        }
    }
    let open = quote.is_some();
    if in_word || open {
        words.push(cur);
    }
    (words, open)
}

fn recognize_curl(text: &str, out: &mut Recognized) {
    out.kind = "curl";
    let (words, open) = shell_words(text.trim_start().trim_start_matches('$'));
    if open {
        out.findings.push(
            Finding::new(
                "input.unbalanced_quote",
                Severity::Warning,
                "The curl command has a quote that is never closed",
                "The command was read up to its end as if the quote were closed; if it was cut off, the token or URL may be incomplete.",
            )
            .fix("Paste the whole command, or check its quotes."),
        );
    }
    let mut method: Option<String> = None;
    let mut url: Option<String> = None;
    let mut has_data = false;
    let mut data = String::new();
    let mut json_header = false;
    // `-H 'Authorization: …'` replaces the header `--oauth2-bearer` makes, wherever it is in the command, and
    // `-H 'Authorization:'` (empty) removes it.
    let mut headers: Vec<String> = Vec::new();
    let mut removed = false;
    let mut bearer: Option<String> = None;
    // `-u id:secret`: curl sends it as `Authorization: Basic` (unless a header replaces it).
    let mut user = false;
    let mut header_file: Option<String> = None;
    let mut misspelled: Option<String> = None;
    let mut client_certificate = false;
    let mut iter = words.iter().skip(1).peekable();
    while let Some(w) = iter.next() {
        let (flag, inline) = match w.split_once('=') {
            Some((f, v)) if f.starts_with("--") => (f, Some(v.to_string())),
            _ => (w.as_str(), None),
        };
        let mut value = |inline: Option<String>| inline.or_else(|| iter.next().cloned());
        match flag {
            "-X" | "--request" => method = value(inline),
            "-H" | "--header" => {
                if let Some(h) = value(inline) {
                    // `-H @file`: the header lines are in that file.
                    if let Some(file) = h.strip_prefix('@') {
                        header_file = Some(file.to_string());
                    } else if let Some((n, v)) = h.split_once(':') {
                        if n.trim().eq_ignore_ascii_case("content-type") {
                            json_header = v.to_ascii_lowercase().contains("json");
                        }
                        if n.trim().eq_ignore_ascii_case("authorization") {
                            if v.trim().is_empty() {
                                removed = true;
                            } else {
                                headers.push(v.to_string());
                            }
                        } else if near_authorization(n.trim()) {
                            misspelled = Some(n.trim().to_string());
                        }
                    }
                }
            }
            "--oauth2-bearer" => bearer = value(inline).map(|t| format!("Bearer {t}")),
            "-d" | "--data" | "--data-raw" | "--data-binary" | "--data-urlencode" | "--json"
            | "-F" | "--form" => {
                has_data = true;
                json_header |= flag == "--json";
                if let Some(d) = value(inline) {
                    data.push_str(&d);
                    data.push('&');
                }
            }
            "-I" | "--head" => method = Some("HEAD".into()),
            "--url" => url = value(inline),
            "-u" | "--user" => {
                user = value(inline).is_some();
            }
            "--cert" | "-E" => {
                client_certificate |= value(inline).is_some();
            }
            "-o" | "--output" | "-A" | "--user-agent" | "-e" | "--referer" | "-b" | "--cookie"
            | "--connect-timeout" | "-m" | "--max-time" | "-w" | "--write-out" | "--cacert"
            | "--key" | "-x" | "--proxy" | "--retry" => {
                let _ = value(inline);
            }
            f if f.starts_with('-') => {}
            other => {
                if url.is_none() {
                    url = Some(other.to_string());
                }
            }
        }
    }
    let method = method.unwrap_or_else(|| {
        if has_data {
            "POST".into()
        } else {
            "GET".into()
        }
    });
    // The call, read once: which endpoint it goes to, and the operation.
    // curl takes a URL without a scheme (`localhost:8080/items`, `api.example.com/v1/items`) as http.
    let url = url.map(|u| {
        let host = u.split(['/', '?']).next().unwrap_or("");
        let hostlike = !u.contains("://")
            && (host.starts_with("localhost") || host.contains('.') || host.contains(':'))
            && host
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b".-:".contains(&b));
        if hostlike { format!("http://{u}") } else { u }
    });
    let target = url.as_deref().and_then(|u| parse_target(&method, u, None));
    // Google's tokeninfo takes the token in its query (`?access_token=…`): the token it describes.
    let tokeninfo = url.as_deref().and_then(tokeninfo_token);
    let token_field = token_field(&data);
    let auth = match bearer {
        Some(b) if headers.is_empty() && !removed => vec![b],
        _ => headers,
    };
    let token_endpoint = target
        .as_ref()
        .is_some_and(|c| is_token_request(&c.path, &data));
    let introspection_endpoint = target
        .as_ref()
        .is_some_and(|c| is_introspection_request(&c.path))
        && token_field.is_some()
        && !bearer_caller(&auth);
    if token_endpoint {
        out.kind = "token_request";
        out.token_request = Some(TokenRequest::read(&data, json_header));
    } else if tokeninfo.is_some() && auth.is_empty() {
        out.kind = "introspection_request";
        out.token = tokeninfo;
    } else if introspection_endpoint {
        // RFC 7662: the caller authenticates as itself (`-u`, Basic), and the token to describe is the `token`
        // form field, which is diagnosed.
        out.kind = "introspection_request";
        out.token = introspected_token(&data);
    } else if let Some(a) = auth.first() {
        take_authorization_value(a, true, out);
        several_authorization(&auth, "command", out);
        out.kind = "curl";
    } else if user {
        out.findings.push(
            Finding::new(
                "input.basic_credentials",
                Severity::Warning,
                "The curl command authenticates with -u (Basic), not a bearer token",
                "curl sends -u as \"Authorization: Basic\". Some APIs take it (Stripe, Twilio, Jira Cloud with an API token); an API that expects a bearer token sees none and refuses the call.",
            )
            .fix("If the API expects a bearer token, get an access token first and send -H \"Authorization: Bearer <access token>\" instead of -u."),
        );
    } else if let Some(name) = &misspelled {
        out.findings.push(
            Finding::new(
                "input.no_token",
                Severity::Error,
                format!("The header is named \"{}\", not \"Authorization\"", crate::json::clip(name, 40)),
                "Servers look for the header by its exact name (in any letter case): with another spelling the API sees no token and answers 401.",
            )
            .evidence("header", crate::json::clip(name, 40))
            .fix("Name the header \"Authorization\" (with a z: the HTTP spelling)."),
        );
    } else if let Some(file) = &header_file {
        out.findings.push(
            Finding::new(
                "input.no_token",
                Severity::Warning,
                format!("The curl command reads its headers from a file ({}): the token is not in the paste", crate::json::clip(file, 60)),
                "curl sends the header lines of that file with the request; the Authorization header, if the file has one, is not in view here.",
            )
            .fix("Paste the Authorization line of that file (or the token) with the command."),
        );
    } else {
        out.findings.push(
            Finding::new(
                "input.no_token",
                Severity::Error,
                "The curl command sends no Authorization header",
                "Without \"-H 'Authorization: Bearer <token>'\" (or --oauth2-bearer) the API sees no token and answers 401.",
            )
            .fix("Add -H \"Authorization: Bearer <access token>\" to the command."),
        );
    }
    out.call = target;
    out.client_certificate = client_certificate;
    out.description = match &out.call {
        Some(c) if out.kind == "token_request" => format!(
            "a curl request to the token endpoint {}{} (it asks for a token; it sends none to an API)",
            c.host.as_deref().unwrap_or(""),
            c.path
        ),
        Some(c) if out.kind == "introspection_request" => format!(
            "a curl request to the introspection endpoint {}{} (RFC 7662: the caller authenticates as itself; diagnosing the token it asks about)",
            c.host.as_deref().unwrap_or(""),
            c.path
        ),
        Some(c) => format!("a curl command: {}", c.label()),
        None => "a curl command without a URL".into(),
    };
}

/// Reads a terminal session: the last call to an API is diagnosed (the last call of any kind when all get tokens),
/// with its output as the API's answer; a token request earlier in the session whose answer holds the token tells
/// where the token came from.
fn recognize_session(
    session: crate::session::Session,
    operation: Option<&Call>,
    out: &mut Recognized,
) {
    let read: Vec<Recognized> = session
        .calls
        .iter()
        .map(|c| {
            let mut r = Recognized::default();
            recognize_curl(&c.curl, &mut r);
            r
        })
        .collect();
    // The last call to the operation given, if the session made one; else its last call to an API.
    let to_operation = operation.and_then(|op| {
        read.iter().rposition(|r| {
            r.kind != "token_request" && r.call.as_ref().is_some_and(|c| same_operation(c, op))
        })
    });
    // A call that asks about the token (introspection, Google's tokeninfo) is not the call that failed.
    let last_api_call = read
        .iter()
        .rposition(|r| !matches!(r.kind, "token_request" | "introspection_request"))
        .or_else(|| read.iter().rposition(|r| r.kind != "token_request"));
    let Some(chosen) = to_operation
        .or(last_api_call)
        .or_else(|| read.len().checked_sub(1))
    else {
        return;
    };
    // What each call printed as its answer, read once.
    let mut answers: Vec<Option<String>> =
        session.calls.iter().map(|c| answer_of(&c.output)).collect();
    // And what each answer says, read once.
    let said: Vec<Option<crate::response::ResponseInfo>> = answers
        .iter()
        .map(|a| a.as_deref().map(crate::response::parse))
        .collect();
    let mut listed: Vec<String> = Vec::new();
    let mut refused_other: Option<u16> = None;
    for (i, ((r, c), answer)) in read.iter().zip(&session.calls).zip(&said).enumerate() {
        let what = r.call.as_ref().map_or_else(|| "no URL".into(), Call::label);
        // What each call was answered, as far as its output shows a status.
        let status = answer.as_ref().and_then(|a| a.status);
        if i != chosen && r.kind != "token_request" && matches!(status, Some(401 | 403)) {
            refused_other.get_or_insert(status.unwrap_or_default());
        }
        listed.push(format!(
            "{}. {what} ({}{}){}{}",
            i.saturating_add(1),
            c.tool,
            if r.kind == "token_request" {
                ", a token request"
            } else {
                ""
            },
            status
                .map(|s| format!(", answered {s}"))
                .unwrap_or_default(),
            if i == chosen { ": diagnosed" } else { "" }
        ));
    }
    // The token request whose answer holds the token diagnosed: its host is where the token came from. A call that
    // sends a variable (`$($auth.access_token)`) got it from the session's token request before it, if there is one.
    // Only when the call sends the variable that request was assigned to, and the API's answer does not say the
    // token was missing or unreadable (a `jq` path that printed `null`).
    let sends_variable = read
        .get(chosen)
        .is_some_and(|p| p.token.is_none() && p.findings.iter().any(holds_stand_in))
        && said.get(chosen).is_none_or(|a| {
            a.as_ref().is_none_or(|a| {
                !a.signals.contains(&crate::response::Signal::NoToken)
                    && !a.signals.contains(&crate::response::Signal::Unparsable)
            })
        });
    // The chosen call as typed, in lower case: which variables it sends.
    let sent = session
        .calls
        .get(chosen)
        .map(|c| c.curl.to_ascii_lowercase())
        .unwrap_or_default();
    let issuing = match read.get(chosen).and_then(|p| p.token.as_deref()) {
        Some(t) => read
            .iter()
            .zip(&session.calls)
            .take(chosen)
            .rev()
            .find(|(r, c)| r.kind == "token_request" && c.output.contains(t))
            .map(|(r, _)| r),
        None if sends_variable => {
            // The latest call before it that set a variable the call sends: the token request, if that is one. A
            // statement that set the variable again since (`TOKEN=$(az …)`) cuts the link.
            read.iter()
                .zip(&session.calls)
                .enumerate()
                .take(chosen)
                .rev()
                .find_map(|(i, (r, c))| {
                    let name = c.assigned.as_deref()?.to_ascii_lowercase();
                    sends_variable_named(&sent, &name).then_some((i, r, name))
                })
                .filter(|(i, r, name)| {
                    r.kind == "token_request"
                        && !session
                            .reassigned
                            .iter()
                            .any(|(k, n)| *k > *i && *k <= chosen && n == name)
                })
                .map(|(_, r, _)| r)
        }
        None => None,
    };
    let token_endpoint = issuing.and_then(|r| r.call.clone());
    let token_grant = issuing
        .and_then(|r| r.token_request.as_ref())
        .and_then(|t| t.grant_type.clone());
    // `TOKEN=$(curl … | jq .access_token)` without `-r`: jq prints the token as a JSON string, so the variable the
    // call sends holds it with its quotes.
    let quoted_by_jq = if sends_variable {
        // The Authorization header's value as written (the variable must be the token, not an id in the URL).
        let sent = session
            .calls
            .get(chosen)
            .map(|c| c.curl.to_ascii_lowercase())
            .and_then(|c| {
                let at = c.find("authorization:")?;
                let rest = c.get(at..)?;
                Some(
                    rest.split(['"', '\'', '\n'])
                        .next()
                        .unwrap_or(rest)
                        .to_string(),
                )
            })
            .unwrap_or_default();
        session
            .calls
            .iter()
            .take(chosen)
            .rev()
            .find(|c| {
                c.assigned
                    .as_deref()
                    .is_some_and(|name| sends_variable_named(&sent, &name.to_ascii_lowercase()))
            })
            .and_then(|c| {
                jq_without_raw(&c.curl).map(|jq| (c.assigned.clone().unwrap_or_default(), jq))
            })
    } else {
        None
    };
    // What another call of the session printed about the same token: an introspection answer, Google's tokeninfo,
    // Genesys Cloud's tokens/me (the latest first).
    let described = read
        .get(chosen)
        .and_then(|p| p.token.clone())
        .and_then(|t| {
            read.iter()
                .zip(&answers)
                .enumerate()
                .rev()
                .filter(|(i, (r, _))| {
                    // A call that asks about the token: introspection, tokeninfo, Genesys tokens/me (the others'
                    // outputs are the API's data, which may well have an `active` member of their own).
                    let describes = r.kind == "introspection_request"
                        || r.call.as_ref().is_some_and(|c| is_tokens_me(&c.path));
                    describes
                        && (*i != chosen || r.kind == "introspection_request")
                        && r.token.as_deref() == Some(t.as_str())
                })
                .find_map(|(_, (r, a))| {
                    let tokeninfo = r.call.as_ref().is_some_and(|c| is_tokeninfo(&c.path));
                    token_description(a.as_deref()?, tokeninfo)
                })
        });
    // Genesys Cloud's tokens/me, as a call of the session: `DELETE` revokes the token, and a `GET` answered 401
    // says the token is no longer valid whatever the operation.
    let tokens_me = |r: &Recognized, method: &str| {
        r.call
            .as_ref()
            .is_some_and(|c| c.method == method && is_tokens_me(&c.path))
    };
    let refused_401 = said
        .get(chosen)
        .and_then(Option::as_ref)
        .is_some_and(|a| a.status == Some(401));
    let revoked_by = read
        .get(chosen)
        .and_then(|p| p.token.as_deref())
        .and_then(|t| {
            read.iter()
                .take(chosen)
                .position(|r| tokens_me(r, "DELETE") && r.token.as_deref() == Some(t))
        });
    let tokens_me_refused = refused_401 && read.get(chosen).is_some_and(|r| tokens_me(r, "GET"));
    let Some((mut picked, call)) = read.into_iter().zip(session.calls).nth(chosen) else {
        return;
    };
    if let Some(i) = revoked_by.filter(|_| refused_401) {
        picked.findings.push(
            Finding::new(
                "token.revoked",
                Severity::Error,
                "The session revoked this token before the call",
                format!("Call {} of the session, DELETE /api/v2/tokens/me, revoked the token it sent, the same token this call sends: Genesys Cloud then answers 401 to every call with it.", i.saturating_add(1)),
            )
            .evidence("revoked by", format!("call {}: DELETE /api/v2/tokens/me", i.saturating_add(1)))
            .fix("Get a new token and call again. DELETE /api/v2/tokens/me is a sign-out: call it only when done with the token.")
            .weight(95),
        );
    } else if tokens_me_refused {
        picked.findings.push(
            Finding::new(
                "token.rejected",
                Severity::Error,
                "Genesys Cloud does not take this token at all: GET /api/v2/tokens/me answered 401",
                format!("tokens/me answers for every valid token, whatever its scopes and permissions, so a 401 there means the token itself is no longer valid on {}: it expired, was revoked (sign-out, the OAuth client changed or was deleted), or is another region's token.", picked.call.as_ref().and_then(|c| c.host.as_deref()).unwrap_or("this host")),
            )
            .evidence("tokens/me", "401")
            .fix("Get a new token from the login host of the org's region (login.mypurecloud.com for api.mypurecloud.com, login.mypurecloud.ie for api.mypurecloud.ie, …) and call again; a client-credentials integration asks for a new one on each run, or before `expires_in` runs out.")
            .weight(90),
        );
    }
    if let Some((name, jq)) = quoted_by_jq {
        picked.findings.push(
            Finding::new(
                "header.malformed",
                Severity::Error,
                format!("`${name}` holds the token in quotes: `{}` prints a JSON string", crate::json::clip(&jq, 40)),
                format!("Without -r, jq prints the access token as JSON, quotes included, so the header sent is `Bearer \"eyJ…\"` and the API cannot read the token (`echo ${name}` shows the quotes)."),
            )
            .evidence("command", crate::json::clip(&jq, 80))
            .fix(format!("Use `jq -r` (raw output): {name}=$(curl … | jq -r .access_token)."))
            .weight(93),
        );
    }
    // A variable sent whose value the session shows it set: by a token request just before, or by a statement.
    let set_by = if !sends_variable {
        None
    } else if let Some(from) = &token_endpoint {
        Some(format!(
            " The session asked for a token just before ({}): the variable holds what that request answered.",
            from.label()
        ))
    } else {
        session
            .reassigned
            .iter()
            .any(|(k, n)| *k <= chosen && sends_variable_named(&sent, n))
            .then(|| " The session set the variable before this call, so it held a value when the call ran; the paste does not show it.".to_string())
    };
    if let Some(note) = set_by {
        for f in picked.findings.iter_mut().filter(|f| holds_stand_in(f)) {
            f.severity = Severity::Info;
            f.weight = 10;
            f.detail.push_str(&note);
        }
    }
    picked.token_endpoint = token_endpoint;
    picked.token_grant = token_grant;
    picked.response = answers.get_mut(chosen).and_then(Option::take);
    // The answer says no more than its status, and the session then printed the server's log (`kubectl logs`):
    // the log's error lines are the API's words for it.
    let unexplained = said
        .get(chosen)
        .and_then(Option::as_ref)
        .is_none_or(|a| a.signals.is_empty() && a.message.as_deref().is_none_or(|m| m.len() <= 3));
    if unexplained {
        if let Some(lines) = session
            .server_logs
            .iter()
            .find(|(before, _)| *before > chosen)
            .and_then(|(_, log)| crate::snippet::error_lines(log))
        {
            picked.response = Some(match picked.response.take() {
                Some(a) => format!("{}\n{lines}", a.trim_end()),
                None => lines,
            });
        }
    }
    if picked.introspection.is_none() {
        picked.introspection = described;
    }
    // Only a call that asks about the token: the answer of the call that failed may be above the session (an
    // exception, a log), and the call's own output is the description read above.
    if picked.kind == "introspection_request" && picked.introspection.is_some() {
        let above = session.preamble.trim();
        let refused = crate::response::parse(above)
            .status
            .is_some_and(|s| (400..600).contains(&s));
        picked.response = refused.then(|| above.to_string());
    }
    *out = picked;
    out.description = if session.commands == 1 {
        format!(
            "a {} command with what it printed: {}",
            call.tool, out.description
        )
    } else {
        format!(
            "a terminal session with {} commands; {}",
            session.commands, out.description
        )
    };
    if session.commands > 1 || call.tool != "curl" {
        let mut f = Finding::new(
            "input.session",
            Severity::Info,
            format!(
                "The paste is a terminal session; {} is diagnosed{}",
                if session.commands == 1 {
                    "its call"
                } else if to_operation.is_some() && to_operation != last_api_call {
                    "its call to the operation given"
                } else {
                    "its last call to an API"
                },
                refused_other
                    .map(|s| format!(
                        " ({} call was answered {s}: paste it alone to diagnose it)",
                        if to_operation.is_some() {
                            "another"
                        } else {
                            "an earlier"
                        }
                    ))
                    .unwrap_or_default()
            ),
            format!(
                "Each call was read as {}, with what it printed as its answer. The call diagnosed is the last to the operation given, if there is one, else the last that is not a token request; the answer it printed is read as the API's response unless one is given.",
                if call.tool == "curl" {
                    "curl reads it"
                } else {
                    "the curl command it amounts to"
                }
            ),
        );
        for l in listed {
            f = f.evidence("command", l);
        }
        out.findings
            .push(f.weight(if refused_other.is_some() { 60 } else { 5 }));
    }
}

/// Reads a log, console dump or code snippet: the token after its `Bearer`, the call it names, the answer it
/// holds.
fn recognize_snippet(snippet: crate::snippet::Snippet, out: &mut Recognized) {
    let scheme = if snippet.scheme_colon {
        "Bearer:"
    } else {
        "Bearer"
    };
    take_authorization_value(&format!("{scheme} {}", snippet.authorization), true, out);
    out.call = snippet
        .call
        .as_ref()
        .and_then(|(method, url)| parse_target(method, url, None));
    out.response = snippet.response;
    // A token response in the text: its other tokens tell what the token sent is (its refresh token, its ID token).
    if let Some(mut map) = snippet.token_response {
        for name in ["id_token", "refresh_token"] {
            if let Some(Value::String(t)) = map.remove(name) {
                out.other_tokens.push((name.to_string(), t));
            }
        }
        map.remove("access_token");
        out.token_response = Some(map);
    }
    let token = match out.kind {
        "jwt" => "a JWT",
        "jwe" => "an encrypted JWT (JWE)",
        "opaque" => "an opaque token",
        _ => "no usable token",
    };
    out.description = match &out.call {
        Some(c) => format!("a log or code snippet: {} with {token}", c.label()),
        None => format!("a log or code snippet with {token}"),
    };
    let mut f = Finding::new(
        "input.snippet",
        Severity::Info,
        "The paste is a log, console output or code: the token, the call and the answer were picked out of it",
        "The token is the word after \"Bearer\" (or the one JWT in the text, or an implicit-grant redirect's `#access_token=`); the call, a method next to a URL (or the first URL); the answer, a status and the first JSON error object in the text. Check them below; to be exact, paste the token, the operation and the response in their own fields.",
    );
    if let Some(c) = &out.call {
        f = f.evidence("call", c.label());
    }
    if let Some(r) = &out.response {
        f = f.evidence("answer", crate::json::clip(r.trim(), 120));
    }
    out.findings.push(f.weight(5));
}

/// A HAR file or entry (DevTools' "Save all as HAR", "Copy as HAR"): the last entry the API refused (401 or 403),
/// else the last that sends an Authorization header; its header as sent (or its lack of one), its call and its
/// answer.
fn har_entry(root: &Value) -> Option<Recognized> {
    let entries: Vec<&Value> = match root.pointer("/log/entries") {
        Some(Value::Array(list)) => list.iter().collect(),
        _ if root.get("request").is_some() && root.get("response").is_some() => vec![root],
        _ => return None,
    };
    let header = |e: &Value, name: &str| -> Option<String> {
        e.get("headers")?.as_array()?.iter().find_map(|h| {
            h.get("name")?
                .as_str()?
                .eq_ignore_ascii_case(name)
                .then(|| h.get("value")?.as_str().map(str::to_string))
                .flatten()
        })
    };
    let status = |e: &Value| e.pointer("/response/status").and_then(Value::as_u64);
    let sends = |e: &Value| {
        e.get("request")
            .and_then(|r| header(r, "authorization"))
            .is_some()
    };
    let entry = entries
        .iter()
        .rev()
        .find(|e| matches!(status(e), Some(401 | 403)))
        .or_else(|| entries.iter().rev().find(|e| sends(e)))?;
    let request = entry.get("request")?;
    let url = request.get("url")?.as_str()?;
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let mut out = match header(request, "authorization") {
        Some(value) => request_as_sent(&value, &method, url, "a HAR entry (as DevTools saves it)"),
        None => {
            // The refused request sent no Authorization header at all.
            let mut out = Recognized {
                call: parse_target(&method, url, None),
                ..Default::default()
            };
            out.description = format!(
                "a HAR entry (as DevTools saves it): {} without an Authorization header",
                out.call
                    .as_ref()
                    .map_or_else(|| url.to_string(), |c| c.label())
            );
            out.findings.push(
                Finding::new(
                    "input.no_token",
                    Severity::Error,
                    "The refused request sent no Authorization header",
                    "The HAR shows the request as the browser sent it: it has no Authorization header, so the API got no token. The code that makes this call did not add the header (a request made before the token arrived, another HTTP client or interceptor, a cross-origin redirect that dropped it).",
                )
                .fix("Add \"Authorization: Bearer <access token>\" to this request (check the interceptor or the fetch options that should set it, and that the token is there when the call is made).")
                .weight(95),
            );
            out
        }
    };
    out.response = entry.get("response").map(|r| {
        let mut answer = format!("HTTP/1.1 {}\r\n", status(entry).unwrap_or(0));
        if let Some(c) = header(r, "www-authenticate") {
            answer.push_str(&format!("WWW-Authenticate: {c}\r\n"));
        }
        answer.push_str("\r\n");
        if let Some(body) = r.pointer("/content/text").and_then(Value::as_str) {
            answer.push_str(body);
        }
        answer
    });
    Some(out)
}

/// A request a JSON record describes (`what` it is): its Authorization value as sent, and its call.
fn request_as_sent(value: &str, method: &str, url: &str, what: &str) -> Recognized {
    let mut out = Recognized::default();
    take_authorization_value(value, true, &mut out);
    out.call = parse_target(method, url, None);
    out.description = format!(
        "{what}: {} with the header as sent",
        out.call
            .as_ref()
            .map_or_else(|| url.to_string(), |c| c.label())
    );
    out
}

/// A request written as JSON whose Authorization header has no `Bearer` (Power Automate's raw inputs
/// `{"method", "uri", "headers": {"Authorization": "<token>"}}`, alone or as `inputs` beside the `outputs` that
/// hold the answer): the header as sent, the call, and the answer.
fn json_request(root: &Value) -> Option<Recognized> {
    let Value::Object(root) = root else {
        return None;
    };
    let request = root
        .get("inputs")
        .and_then(Value::as_object)
        .unwrap_or(root);
    let value = request
        .get("headers")
        .and_then(Value::as_object)?
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case("authorization"))
        .and_then(|(_, v)| v.as_str())
        .filter(|v| !v.trim().is_empty())?;
    let url = ["uri", "url"]
        .iter()
        .find_map(|k| request.get(*k).and_then(Value::as_str))?;
    let method = request
        .get("method")
        .and_then(Value::as_str)
        .unwrap_or("GET")
        .to_ascii_uppercase();
    let mut out = request_as_sent(
        value,
        &method,
        url,
        "a request written as JSON (as Power Automate shows a run's raw inputs)",
    );
    // The answer: `outputs` with its `statusCode` and `body`.
    out.response = root.get("outputs").and_then(Value::as_object).map(|o| {
        let status = o
            .get("statusCode")
            .or_else(|| o.get("status"))
            .and_then(Value::as_u64)
            .map(|s| format!("HTTP/1.1 {s}\r\n\r\n"))
            .unwrap_or_default();
        let body = match o.get("body") {
            Some(Value::String(b)) => b.clone(),
            Some(b @ Value::Object(_)) => b.to_string(),
            _ => String::new(),
        };
        format!("{status}{body}")
    });
    Some(out)
}

/// Whether a path is Genesys Cloud's `/api/v2/tokens/me`, which describes (GET) or revokes (DELETE) the token sent.
fn is_tokens_me(path: &str) -> bool {
    path.to_ascii_lowercase()
        .trim_end_matches('/')
        .ends_with("/api/v2/tokens/me")
}

/// The API's answer in what a command printed: from its status line when it printed one (HTTPie, `curl -i`;
/// HTTPie's `-v` prints the request first), else all of it; `None` when it printed nothing.
fn answer_of(output: &str) -> Option<String> {
    // curl's progress meter (`  % Total    % Received …`, ` Dload  Upload …`, rows of figures) is not the answer.
    let meter = |l: &str| {
        let t = l.trim();
        t.starts_with("% Total")
            || t.starts_with("Dload")
            || !t.is_empty()
                && t.bytes()
                    .all(|b| b.is_ascii_digit() || b" :-.kMG\r".contains(&b))
                && t.bytes().any(|b| b == b':')
    };
    let kept: String;
    let output = if output.lines().any(|l| l.trim().starts_with("% Total")) {
        kept = output
            .lines()
            .filter(|l| !meter(l))
            .collect::<Vec<_>>()
            .join("\n");
        kept.trim()
    } else {
        output.trim()
    };
    if output.is_empty() {
        return None;
    }
    // PowerShell 7's error: `Invoke-RestMethod:` / `Line |` / `   1 |  <command>` / `     |  ~~~` / `     | {…}`:
    // the answer is what follows the gutter after the command's echo.
    if output.lines().any(|l| l.trim_start().starts_with("Line |")) {
        let body: Vec<&str> = output
            .lines()
            .filter_map(|l| {
                let (gutter, rest) = l.split_once('|')?;
                gutter
                    .trim()
                    .bytes()
                    .all(|b| b.is_ascii_whitespace())
                    .then(|| rest.trim())
            })
            .filter(|r| !r.is_empty() && !r.starts_with('~'))
            .collect();
        if !body.is_empty() {
            return Some(body.join("\n"));
        }
    }
    let mut at = 0usize;
    for line in output.split_inclusive('\n') {
        if line.starts_with("HTTP/") {
            return output.get(at..).map(str::to_string);
        }
        at = at.saturating_add(line.len());
    }
    Some(output.to_string())
}

/// RFC 7662's `token` form field of a request body, as written: the token an introspection request asks about.
fn token_field(body: &str) -> Option<&str> {
    body.split('&').find_map(|kv| kv.strip_prefix("token="))
}

/// Whether a header name is a misspelling of `Authorization` (`Authorisation`, `Authorizaton`, `Autorization`): at
/// most two letters' edits from it, in any case, and not the name itself.
fn near_authorization(name: &str) -> bool {
    const WORD: &[u8] = b"authorization";
    let n = name.as_bytes();
    // `X-Authorization` and the like are headers of their own, not misspellings.
    if n.len() < 11
        || n.len() > 15
        || name.contains('-')
        || !n.get(..2).is_some_and(|p| p.eq_ignore_ascii_case(b"au"))
        || name.eq_ignore_ascii_case("authorization")
    {
        return false;
    }
    // Levenshtein distance, one row at a time.
    let mut row: Vec<usize> = (0..=WORD.len()).collect();
    for (i, &a) in n.iter().enumerate() {
        let mut prev = row.first().copied().unwrap_or(0);
        if let Some(first) = row.first_mut() {
            *first = i.saturating_add(1);
        }
        for (j, &b) in WORD.iter().enumerate() {
            let cost = usize::from(!a.eq_ignore_ascii_case(&b));
            let here = row.get(j.saturating_add(1)).copied().unwrap_or(usize::MAX);
            let left = row.get(j).copied().unwrap_or(usize::MAX);
            let next = (prev.saturating_add(cost))
                .min(here.saturating_add(1))
                .min(left.saturating_add(1));
            prev = here;
            if let Some(cell) = row.get_mut(j.saturating_add(1)) {
                *cell = next;
            }
        }
    }
    row.last().is_some_and(|&d| d <= 2)
}

/// The token a Google tokeninfo URL asks about (`https://oauth2.googleapis.com/tokeninfo?access_token=…`,
/// `…/oauth2/v3/tokeninfo?access_token=…`), percent-decoded; `None` for any other URL.
fn tokeninfo_token(url: &str) -> Option<String> {
    let (path, query) = url.split_once('?')?;
    if !is_tokeninfo(path) {
        return None;
    }
    query
        .split(['&', '#'])
        .find_map(|kv| kv.strip_prefix("access_token="))
        .map(crate::text::percent_decode)
        .filter(|t| !t.is_empty() && placeholder(t).is_none())
}

/// Whether `path` is Google's tokeninfo endpoint, which describes a token as introspection does, without `active`.
pub fn is_tokeninfo(path: &str) -> bool {
    path.to_ascii_lowercase()
        .trim_end_matches('/')
        .ends_with("/tokeninfo")
}

/// What a call printed about a token, as an introspection answer: an RFC 7662 answer (`active`), Genesys Cloud's
/// tokens/me (`authorizedScope`), or, for Google's tokeninfo (`tokeninfo`), its claims (`active` added: true
/// unless it answered an `error`). `None` for anything else. A raw answer is read from its body.
pub fn token_description(output: &str, tokeninfo: bool) -> Option<Map<String, Value>> {
    let text = output.trim();
    let body = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .filter(|_| text.starts_with("HTTP/"))
        .map_or(text, |(_, b)| b.trim());
    if !body.starts_with('{') || body.len() > crate::limits::MAX_INPUT_BYTES {
        return None;
    }
    let Ok(Value::Object(mut m)) = serde_json::from_str::<Value>(body) else {
        return None;
    };
    if tokeninfo && !m.contains_key("active") {
        let live = !m.contains_key("error") && !m.contains_key("error_description");
        m.insert("active".into(), Value::Bool(live));
    }
    (m.contains_key("active") || m.contains_key("authorizedScope")).then_some(m)
}

/// [`token_field`] percent-decoded, `None` when empty.
fn introspected_token(body: &str) -> Option<String> {
    token_field(body)
        .map(crate::text::percent_decode)
        .filter(|t| !t.is_empty() && placeholder(t).is_none())
}

/// Whether a request's Authorization values include a bearer token of the caller's own (django-oauth-toolkit's
/// `introspection` scope): then that token is the one an introspection endpoint judges, and it is diagnosed as for
/// any call.
fn bearer_caller(auth: &[String]) -> bool {
    auth.iter().any(|a| {
        a.trim_start()
            .get(..7)
            .is_some_and(|s| s.eq_ignore_ascii_case("bearer "))
    })
}

/// Whether a request goes to an OAuth 2.0 token introspection endpoint (RFC 7662): a well-known introspection path.
pub fn is_introspection_request(path: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let p = p.trim_end_matches('/');
    p.ends_with("/introspect") || p.ends_with("/introspection") || p.ends_with("/oauth/check_token")
}

/// Whether a request goes to an OAuth token endpoint (which takes client credentials, not a bearer token): a
/// well-known token path, or a form body with `grant_type=`.
pub fn is_token_request(path: &str, body: &str) -> bool {
    let p = path.to_ascii_lowercase();
    let p = p.trim_end_matches('/');
    body.contains("grant_type=")
        || body.contains("\"grant_type\"")
        || p.ends_with("/oauth/token")
        // Okta's authorization servers: `/oauth2/v1/token`, `/oauth2/<server>/v1/token`.
        || p.contains("/oauth2/") && p.ends_with("/v1/token")
        || p.ends_with("/oauth2/token")
        || p.ends_with("/oauth2/v2.0/token")
        || p.ends_with("/openid-connect/token")
        || p.ends_with("/oauth2/v1/token")
        || p.ends_with("/connect/token")
        || p.ends_with("/token/access-key")
}

/// A `fetch("URL", {…})` call as a curl command (`-X`, the URL, the Authorization header), or `None` when the
/// text is no such call. Only the first quoted argument and the `method` and `authorization` members are read.
fn fetch_as_curl(text: &str) -> Option<String> {
    let rest = text
        .strip_prefix("await ")
        .unwrap_or(text)
        .strip_prefix("fetch(")?;
    // The string literal `t` starts with (after blanks), in any of JavaScript's quotes.
    let quoted = |t: &str| -> Option<String> {
        let t = t.trim_start();
        let q = t.chars().next().filter(|c| matches!(c, '"' | '\'' | '`'))?;
        let body = t.get(1..)?;
        Some(body.get(..body.find(q)?)?.to_string())
    };
    let url = quoted(rest)?;
    let lower = rest.to_ascii_lowercase();
    let member = |name: &str| -> Option<String> {
        let at = lower.find(&format!("\"{name}\""))?;
        let after = rest.get(at.saturating_add(name.len()).saturating_add(2)..)?;
        let after = after.trim_start().strip_prefix(':')?;
        quoted(after)
    };
    let method = member("method").unwrap_or_else(|| "GET".into());
    let mut curl = format!(
        "curl -X {} '{}'",
        method.replace('\'', ""),
        url.replace('\'', "")
    );
    if let Some(auth) = member("authorization") {
        curl.push_str(&format!(" -H 'Authorization: {}'", auth.replace('\'', "")));
    }
    Some(curl)
}

/// The request of a `curl -v` transcript: its `> ` lines without the mark, as a raw HTTP request, with its request
/// line read; `None` when the text has no `> ` request line.
/// In a `curl -v` transcript: when a request that sent an Authorization header was answered with a redirect and
/// the last request (the one curl made after it) sent none, the redirect's status and `Location`.
fn redirect_dropped_authorization(text: &str) -> Option<(u16, Option<String>)> {
    let lines: Vec<&str> = text.lines().map(str::trim_end).collect();
    let is_request = |l: &str| {
        l.strip_prefix("> ").is_some_and(|r| {
            crate::snippet::METHODS
                .iter()
                .any(|m| r.starts_with(&format!("{m} ")))
        })
    };
    let sends_auth = |l: &str| {
        l.strip_prefix("> ")
            .and_then(|r| r.get(..14))
            .is_some_and(|n| n.eq_ignore_ascii_case("authorization:"))
    };
    let last = lines.iter().rposition(|l| is_request(l))?;
    let last_sends = lines
        .get(last..)?
        .iter()
        .skip(1)
        .take_while(|l| l.starts_with("> ") && l.len() > 2)
        .any(|l| sends_auth(l));
    if last_sends {
        return None;
    }
    let earlier = lines.get(..last)?;
    if !earlier.iter().any(|l| sends_auth(l)) {
        return None;
    }
    let status = earlier.iter().rev().find_map(|l| {
        let code: u16 = l
            .strip_prefix("< HTTP/")?
            .split_whitespace()
            .nth(1)?
            .parse()
            .ok()?;
        (300..400).contains(&code).then_some(code)
    })?;
    let location = earlier.iter().rev().find_map(|l| {
        let r = l.strip_prefix("< ")?;
        r.get(..9)
            .is_some_and(|n| n.eq_ignore_ascii_case("location:"))
            .then(|| r.get(9..).unwrap_or("").trim().to_string())
    });
    Some((status, location))
}

fn curl_verbose_request(text: &str) -> Option<(String, (String, String))> {
    // A transcript has lines; a token has none (a one-byte search turns it away).
    if !(text.starts_with("> ") || text.contains('\n') && text.contains("\n> ")) {
        return None;
    }
    // Each request line starts a block of `> ` lines; the last block that is not a proxy's CONNECT is the request
    // the answer is about (after `-L` redirects too).
    let mut blocks: Vec<((String, String), Vec<&str>)> = Vec::new();
    let mut open = false;
    for line in text.lines() {
        let marked = line
            .strip_prefix("> ")
            .or_else(|| (line.trim_end() == ">").then_some(""));
        match marked.map(|l| (l, request_line(l))) {
            Some((l, Some(call))) => {
                blocks.push((call, vec![l]));
                open = true;
            }
            Some((l, None)) if open => {
                if let Some((_, b)) = blocks.last_mut() {
                    b.push(l);
                }
            }
            _ => open = false,
        }
    }
    blocks
        .into_iter()
        .rev()
        .find(|(_, b)| b.first().is_some_and(|l| !l.starts_with("CONNECT ")))
        .map(|(call, b)| (b.join("\r\n"), call))
}

/// The `jq …` stage of a pipeline that prints JSON strings with their quotes (no `-r`, `--raw-output`, `-j`,
/// `--join-output`), when the command has one.
fn jq_without_raw(command: &str) -> Option<String> {
    let stages: Vec<&str> = command.split('|').skip(1).map(str::trim).collect();
    let at = stages
        .iter()
        .position(|s| s.starts_with("jq ") || *s == "jq")?;
    // A later stage (`tr -d '"'`, `sed`, `xargs`) may take the quotes off: then nothing is sure.
    if at.saturating_add(1) < stages.len() {
        return None;
    }
    let stage = stages.get(at)?.trim_end_matches(')').trim();
    // A filter that picks a token (`.access_token`, `.token`): jq prints a number or an id without quotes too.
    if !stage.to_ascii_lowercase().contains("token") {
        return None;
    }
    let raw = stage.split_whitespace().any(|w| {
        matches!(
            w,
            "-r" | "--raw-output" | "-j" | "--join-output" | "--raw-output0"
        ) || w.starts_with('-') && !w.starts_with("--") && (w.contains('r') || w.contains('j'))
    });
    (!raw).then(|| stage.to_string())
}

/// Whether `sent` (lower case) reads the variable `name` (lower case): `$name` where the name ends (`$T` is not
/// `$TOKEN`), or `${name}`.
fn sends_variable_named(sent: &str, name: &str) -> bool {
    sent.match_indices(&format!("${name}")).any(|(at, m)| {
        !sent
            .get(at.saturating_add(m.len())..)
            .and_then(|r| r.chars().next())
            .is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    }) || sent.contains(&format!("${{{name}}}"))
}

/// Whether a token was shortened when copied or pasted: `…`, or `...` next to its characters
/// (`eyJ0eXAi...Xk3q`, [`crate::jose::shortened_at`]).
pub fn is_shortened(token: &str) -> bool {
    token.contains('\u{2026}') || crate::jose::shortened_at(token).is_some()
}

/// Whether `short` (a token shortened with `...` or `…`) is `whole` with a part left out: the same start, and the
/// same end when something follows the ellipsis.
fn shortened_from(short: &str, whole: &str) -> bool {
    let (head, tail) = crate::jose::shortened_at(short)
        .and_then(|at| Some((short.get(..at)?, short.get(at.saturating_add(3)..)?)))
        .or_else(|| short.split_once('\u{2026}'))
        .unwrap_or((short, ""));
    let tail = tail.trim_start_matches('.');
    head.len() >= 8
        && whole.starts_with(head)
        && whole.ends_with(tail)
        && whole.len() > head.len().saturating_add(tail.len())
}

/// The curl command a `curl -v` transcript was printed by, when it is pasted above it (after a prompt): the
/// lines before the transcript's first `*`, `>` or `<` line, from the one that starts the command.
fn command_above_transcript(text: &str) -> Option<&str> {
    let end = text
        .lines()
        .position(|l| l.starts_with(['*', '>', '<']))
        .and_then(|n| text.match_indices('\n').nth(n.checked_sub(1)?))
        .map_or(0, |(at, _)| at);
    let above = text.get(..end)?;
    let start = above.find("curl ")?;
    above.get(start..).filter(|c| looks_like_curl(c))
}

/// Parses `METHOD target HTTP/x` (a raw HTTP request line).
fn request_line(line: &str) -> Option<(String, String)> {
    // The method is upper-case letters followed by whitespace: anything else (a token) is turned away at its
    // first characters, before the line is split.
    let t = line.trim_start();
    let run = t.bytes().take_while(u8::is_ascii_uppercase).count();
    if run == 0
        || !t
            .get(run..)
            .is_some_and(|r| r.starts_with(char::is_whitespace))
    {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?;
    let target = parts.next()?;
    let version = parts.next()?;
    if !version.starts_with("HTTP/") || !method.bytes().all(|b| b.is_ascii_uppercase()) {
        return None;
    }
    Some((method.to_string(), target.to_string()))
}

fn recognize_http_request(text: &str, (method, target): (String, String), out: &mut Recognized) {
    out.kind = "http_request";
    let mut host = None;
    let mut json_header = false;
    let mut auth: Vec<String> = Vec::new();
    for line in text.lines().skip(1) {
        if line.trim().is_empty() {
            break;
        }
        if let Some((n, v)) = line.split_once(':') {
            if n.trim().eq_ignore_ascii_case("host") {
                host = Some(v.trim().to_string());
            } else if n.trim().eq_ignore_ascii_case("content-type") {
                json_header = v.to_ascii_lowercase().contains("json");
            } else if n.trim().eq_ignore_ascii_case("authorization") {
                auth.push(v.to_string());
            }
        }
    }
    let body = text
        .split_once("\r\n\r\n")
        .or_else(|| text.split_once("\n\n"))
        .map_or("", |(_, b)| b);
    let path = target.split('?').next().unwrap_or(&target);
    let token_endpoint = is_token_request(path, body);
    // RFC 7662: the caller authenticates as itself (Basic), the token it asks about is the `token` form field.
    // A request pasted without its body (`curl -v` prints none) still goes to the introspection endpoint: the
    // token it asks about is then not in the paste, and the answer is still the introspection answer.
    let token_field = introspected_token(body.trim()).or_else(|| {
        // Spring's `/oauth/check_token?token=…` takes it in the query.
        target
            .split_once('?')
            .and_then(|(_, q)| introspected_token(q.split('#').next().unwrap_or(q)))
    });
    let introspection = !token_endpoint
        && is_introspection_request(path)
        && (token_field.is_some() || body.trim().is_empty() && method == "POST")
        && !bearer_caller(&auth);
    match auth.first() {
        _ if token_endpoint => {}
        _ if introspection => {
            out.token = token_field;
        }
        Some(a) => {
            take_authorization_value(a, true, out);
            several_authorization(&auth, "request", out);
        }
        None => out.findings.push(
            Finding::new(
                "input.no_token",
                Severity::Error,
                "The request has no Authorization header",
                "The API sees no token and answers 401.",
            )
            .fix("Send \"Authorization: Bearer <access token>\"."),
        ),
    }
    out.kind = if token_endpoint {
        out.token_request = Some(TokenRequest::read(body, json_header));
        "token_request"
    } else if introspection {
        "introspection_request"
    } else {
        "http_request"
    };
    out.call = parse_target(&method, &target, host.as_deref());
    out.description = if token_endpoint {
        format!(
            "a raw HTTP request to the token endpoint: {method} {target} (it asks for a token; it sends none to an API)"
        )
    } else if introspection && out.token.is_none() {
        format!(
            "a raw HTTP request to the introspection endpoint: {method} {target} (RFC 7662: the caller authenticates as itself; the token it asks about is in the body, which the paste does not show)"
        )
    } else if introspection {
        format!(
            "a raw HTTP request to the introspection endpoint: {method} {target} (RFC 7662: the caller authenticates as itself; diagnosing the token it asks about)"
        )
    } else {
        format!("a raw HTTP request: {method} {target}")
    };
}

/// Parses an operation: `"POST /path"`, `"POST https://host/path"`, a bare URL or path (GET), a curl command,
/// or a raw HTTP request. Also returns what the text was recognized as when it carries a token.
pub fn parse_operation(text: &str) -> (Option<Call>, Option<Recognized>) {
    let t = text.trim();
    if t.is_empty() {
        return (None, None);
    }
    if looks_like_curl(t) || request_line(t.lines().next().unwrap_or("")).is_some() {
        let r = recognize(t);
        return (r.call.clone(), Some(r));
    }
    let mut parts = t.split_whitespace();
    let first = parts.next().unwrap_or("");
    let (method, target) = if first.bytes().all(|b| b.is_ascii_alphabetic())
        && first.len() <= 7
        && parts.clone().next().is_some()
    {
        (first.to_ascii_uppercase(), parts.next().unwrap_or(""))
    } else {
        ("GET".to_string(), first)
    };
    // A path written without its leading slash (`me/messages`, `v1.0/me`, `api/v2/users`): a path, not a host,
    // unless its first segment is one (`api.example.com/v1`, `localhost:8080/x`).
    let target = target.trim_matches(['"', '\'']);
    let relative = !target.starts_with('/')
        && !target.contains("://")
        && target.starts_with(|c: char| c.is_ascii_alphanumeric())
        && !host_like(target.split(['/', '?', '#']).next().unwrap_or(""));
    if relative {
        return (parse_target(&method, &format!("/{target}"), None), None);
    }
    // A host without a scheme (`localhost:8080/items`, `api.example.com/v1`): its scheme does not matter here.
    if !target.contains("://")
        && !target.starts_with('/')
        && host_like(target.split(['/', '?', '#']).next().unwrap_or(""))
    {
        return (
            parse_target(&method, &format!("http://{target}"), None),
            None,
        );
    }
    (parse_target(&method, target, None), None)
}

/// Whether `segment` (the first of a URL written without its scheme) names a host: `localhost`, a name with a
/// port, or dotted labels ending in a top-level domain of letters (not a version such as `v1.0`) or an IPv4
/// address.
fn host_like(segment: &str) -> bool {
    let name = segment.split(':').next().unwrap_or(segment);
    if name.eq_ignore_ascii_case("localhost") || segment.contains(':') {
        return true;
    }
    let labels: Vec<&str> = name.split('.').collect();
    let ipv4 = labels.len() == 4
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.len() <= 3 && l.bytes().all(|b| b.is_ascii_digit()));
    ipv4 || labels.len() >= 2
        && labels
            .last()
            .is_some_and(|tld| tld.len() >= 2 && tld.bytes().all(|b| b.is_ascii_alphabetic()))
        && labels
            .iter()
            .all(|l| !l.is_empty() && l.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-'))
}

/// Whether `called` (a call in the paste) is a call to operation `given`: the same method and path, the
/// operation's `{param}` segments matching any value, compared from the end (a base path written on one side only
/// is no difference).
pub fn same_operation(called: &Call, given: &Call) -> bool {
    fn pieces(path: &str) -> Vec<&str> {
        path.split('/').filter(|p| !p.is_empty()).collect()
    }
    let (c, g) = (pieces(&called.path), pieces(&given.path));
    called.method == given.method
        && c.iter()
            .rev()
            .zip(g.iter().rev())
            .all(|(c, g)| g.starts_with('{') || c.eq_ignore_ascii_case(g))
}

/// Splits a URL or path into host and path; the query and fragment are dropped.
pub fn parse_target(method: &str, target: &str, host_header: Option<&str>) -> Option<Call> {
    let target = target.trim().trim_matches(['"', '\'']);
    let (host, path) = if let Some(rest) = target
        .strip_prefix("https://")
        .or_else(|| target.strip_prefix("http://"))
    {
        let (authority, path) = match rest.find(['/', '?', '#']) {
            Some(i) => (rest.get(..i).unwrap_or(rest), rest.get(i..).unwrap_or("")),
            None => (rest, "/"),
        };
        let host = authority.rsplit('@').next().unwrap_or(authority);
        let host = host.split(':').next().unwrap_or(host).to_ascii_lowercase();
        (Some(host), path)
    } else if target.starts_with('/') {
        (
            host_header.map(|h| h.split(':').next().unwrap_or(h).to_ascii_lowercase()),
            target,
        )
    } else if target.contains('.') && !target.contains(' ') && target.contains('/') {
        // `api.example.com/v1/x` without a scheme.
        let (h, p) = target.split_once('/').unwrap_or((target, ""));
        (Some(h.to_ascii_lowercase()), p)
    } else {
        return None;
    };
    let path = path.split(['?', '#']).next().unwrap_or("");
    let path = if path.starts_with('/') {
        path.to_string()
    } else {
        format!("/{path}")
    };
    Some(Call {
        method: method.to_ascii_uppercase(),
        host,
        path,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const JWT: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.";

    /// The finding `code` of `r`; fails the test when there is none.
    fn finding<'r>(r: &'r Recognized, code: &str) -> &'r Finding {
        r.findings
            .iter()
            .find(|f| f.code == code)
            .unwrap_or_else(|| panic!("no {code} in {:?}", r.findings))
    }

    #[test]
    fn a_shortened_token_and_the_whole_one_it_came_from() {
        assert!(is_shortened("eyJ0eXAi...Xk3q"));
        assert!(is_shortened("eyJ0eXAi\u{2026}"));
        assert!(
            !is_shortened("...."),
            "dots alone are not a token shortened"
        );
        assert!(!is_shortened("eyJ.a.b"));
        assert!(shortened_from(
            "eyJ0eXAiOiJK...xyz",
            "eyJ0eXAiOiJKV1QiLCJxyz"
        ));
        assert!(shortened_from("eyJ0eXAiOiJK...", "eyJ0eXAiOiJKV1QiLCJxyz"));
        assert!(
            !shortened_from("eyJ0eXAiOiJK...xyz", "eyJ0eXAiOiJKV1QiLCJabc"),
            "another end"
        );
        assert!(
            !shortened_from("eyJ0eXAiOiJQ...", "eyJ0eXAiOiJKV1QiLCJxyz"),
            "another start"
        );
        assert!(
            !shortened_from("eyJ...", "eyJ0eXAi"),
            "too little left to tell"
        );
    }

    #[test]
    fn a_variable_or_placeholder_is_no_token() {
        for (paste, kind) in [
            ("Bearer $token", "a variable"),
            ("Authorization: Bearer ${ACCESS_TOKEN}", "a variable"),
            ("Authorization: Bearer $env:TOKEN", "a variable"),
            ("Bearer %TOKEN%", "a variable"),
            (
                "Authorization: Bearer {{access_token}}",
                "a template variable",
            ),
            ("Bearer <access_token>", "a placeholder"),
            ("Authorization: Bearer {token}", "a template variable"),
            ("Authorization: Bearer #{token}", "a template variable"),
            ("Authorization: Bearer YOUR_ACCESS_TOKEN", "a placeholder"),
        ] {
            let r = recognize(paste);
            assert_eq!(r.token, None, "{paste}");
            assert!(
                finding(&r, "input.no_token").title.contains(kind),
                "{paste}"
            );
        }
        // Tokens, however they look.
        for paste in [
            "Bearer mytoken123",
            "Bearer abc.def.ghi",
            "Bearer tokenizer-9f3a",
            "Authorization: Bearer dev-static-token",
            JWT,
        ] {
            assert!(recognize(paste).token.is_some(), "{paste}");
        }
    }

    #[test]
    fn curl_takes_a_url_without_a_scheme() {
        for (paste, host, path) in [
            (
                "curl localhost:8080/v1/items -H 'Authorization: Bearer t1'",
                "localhost",
                "/v1/items",
            ),
            (
                "curl api.example.com/v1/items -H 'Authorization: Bearer t1'",
                "api.example.com",
                "/v1/items",
            ),
        ] {
            let r = recognize(paste);
            let call = r.call.unwrap_or_default();
            assert_eq!(
                (call.host.as_deref(), call.path.as_str()),
                (Some(host), path),
                "{paste}"
            );
        }
        // A path alone stays a path.
        let r = recognize("curl -X POST /relative/path -H 'Authorization: Bearer t1'");
        assert_eq!(
            r.call.map(|c| (c.host, c.path)),
            Some((None, "/relative/path".into()))
        );
    }

    #[test]
    fn a_session_diagnoses_its_last_api_call_with_its_output() {
        let r = recognize(
            "$ curl -s -X POST https://login.example/oauth/token -d grant_type=client_credentials\n{\"access_token\":\"tok1\"}\n$ curl https://api.example/items -H 'Authorization: Bearer tok1'\n{\"status\":403}\n$",
        );
        assert_eq!(r.token.as_deref(), Some("tok1"));
        assert_eq!(r.call.as_ref().map(|c| c.path.as_str()), Some("/items"));
        assert_eq!(r.response.as_deref(), Some("{\"status\":403}"));
        assert_eq!(
            r.token_endpoint.as_ref().and_then(|c| c.host.as_deref()),
            Some("login.example")
        );
        assert_eq!(finding(&r, "input.session").evidence.len(), 2);
        // A lone curl command is read as before, with no session finding.
        let r = recognize("curl https://api.example/items \\\n -H 'Authorization: Bearer tok1'");
        assert_eq!(r.token.as_deref(), Some("tok1"));
        assert!(r.findings.iter().all(|f| f.code != "input.session"));
    }

    #[test]
    fn misspelled_authorization_headers_are_told_apart_from_other_headers() {
        for name in [
            "Authorisation",
            "authorizaton",
            "Autorization",
            "AUTHORISATION",
        ] {
            assert!(near_authorization(name), "{name}");
        }
        for name in [
            "Authorization",
            "Authentication",
            "X-Authorization",
            "XAuthorization",
            "Content-Type",
        ] {
            assert!(!near_authorization(name), "{name}");
        }
    }

    #[test]
    fn only_a_whole_command_substitution_keeps_its_spaces_and_characters() {
        // Found by fuzzing: a backtick alone let an invisible character into the token.
        for text in ["`\u{fffd}-x", "Bearer `\u{200b}abc", "Bearer $(a\u{fffd}"] {
            let r = recognize(text);
            assert!(
                r.token
                    .as_deref()
                    .is_none_or(|t| t.bytes().all(|b| b.is_ascii_graphic())),
                "{text:?}: {:?}",
                r.token
            );
        }
        let r = recognize(
            "Authorization: Bearer $(az account get-access-token --query accessToken -o tsv)",
        );
        assert!(r.token.is_none());
        assert!(
            r.findings
                .iter()
                .any(|f| f.title.contains("a command's output")
                    && f.title.contains("$(az account get-access-token"))
        );
    }

    #[test]
    fn a_json_object_then_more_is_read_as_two_parts() {
        let tr = r#"{"access_token":"abcdefghijklmnopqrstuvwxyz0123456789","token_type":"Bearer"}"#;
        let pasted = format!("{tr}\n\nHTTP/1.1 401 Unauthorized");
        let (object, rest) = leading_object(&pasted).unwrap_or_default();
        assert_eq!(object, tr);
        assert_eq!(rest, "HTTP/1.1 401 Unauthorized");
        assert_eq!(leading_object(tr), None, "nothing follows it");
        assert_eq!(leading_object("{\"a\": tru"), None, "not whole JSON");
        let r = recognize(&format!("{tr}\n\nHTTP/1.1 401 Unauthorized"));
        assert_eq!(r.kind, "token_response");
        assert_eq!(r.response.as_deref(), Some("HTTP/1.1 401 Unauthorized"));
        // The answer first, then the token.
        let r = recognize(&format!(
            "{{\"error\":\"invalid_token\",\"status\":401}}\n{JWT_FOR_SPLIT}"
        ));
        assert_eq!(r.token.as_deref(), Some(JWT_FOR_SPLIT));
        assert!(r.response.is_some_and(|a| a.contains("invalid_token")));
    }

    const JWT_FOR_SPLIT: &str =
        "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmNkZWZnaGlqa2xtbm9wIn0.c2lnbmF0dXJl";

    #[test]
    fn one_line_of_prose_quoting_the_answer_is_the_answer() {
        for prose in [
            "getting 401 Unauthorized with error invalid_token: The access token expired",
            "Zapier says: The app returned \"Insufficient privileges to complete the operation.\" (403)",
            "IDX10511: Signature validation failed. Keys tried: 'X509SecurityKey'.",
        ] {
            let r = recognize(prose);
            assert_eq!(r.kind, "error_response", "{prose}");
            assert_eq!(r.response.as_deref(), Some(prose));
            assert!(r.findings.iter().all(|f| f.code != "input.no_token"));
        }
        // Left as before: a scheme and its words, a header line, two words, a line that starts with a token, and
        // prose that quotes no answer.
        for (paste, kind) in [
            ("Bearer expired token 401", "opaque"),
            ("Authorization: Bearer abc 403 Forbidden", "header"),
            ("403 Forbidden", "text"),
            ("eyJhbGciOi.broken 401 Unauthorized", "text"),
            ("the integration stopped working yesterday", "text"),
        ] {
            let r = recognize(paste);
            assert_ne!(r.kind, "error_response", "{paste}");
            if kind != "text" {
                assert_eq!(r.kind, kind, "{paste}");
            }
        }
    }

    #[test]
    fn a_session_diagnoses_its_call_to_the_operation_given() {
        let session = "$ curl -X DELETE https://api.example/v2/items/7 -H 'Authorization: Bearer tok1'\n{\"status\":403}\n$ curl https://api.example/v2/me -H 'Authorization: Bearer tok1'\n{\"name\":\"x\"}\n$";
        let op = |text: &str| parse_operation(text).0;
        let path = |r: &Recognized| r.call.as_ref().map(|c| c.path.clone());
        // The operation given, with its `{param}` and without the base path: the DELETE, with its own answer.
        let given = op("DELETE /items/{id}");
        let r = recognize_for(session, given.as_ref());
        assert_eq!(path(&r).as_deref(), Some("/v2/items/7"));
        assert_eq!(r.response.as_deref(), Some("{\"status\":403}"));
        let f = finding(&r, "input.session");
        assert!(
            f.title.contains("its call to the operation given"),
            "{}",
            f.title
        );
        assert!(
            f.evidence[0].text.ends_with(": diagnosed"),
            "{:?}",
            f.evidence
        );
        // None given, or one the session did not call (another method): its last call, as before.
        for given in [None, op("GET /items/{id}")] {
            let r = recognize_for(session, given.as_ref());
            assert_eq!(path(&r).as_deref(), Some("/v2/me"));
            let f = finding(&r, "input.session");
            assert!(f.title.contains("its last call to an API"), "{}", f.title);
            assert!(f.title.contains("answered 403"), "{}", f.title);
        }
        // The operation given is the last call: said as before.
        let r = recognize_for(session, op("GET https://api.example/v2/me").as_ref());
        assert!(
            finding(&r, "input.session")
                .title
                .contains("its last call to an API")
        );
        assert!(same_operation(
            &Call {
                method: "GET".into(),
                host: None,
                path: "/api/v2/Users/me".into()
            },
            &Call {
                method: "GET".into(),
                host: None,
                path: "/users/{userId}".into()
            },
        ));
    }

    #[test]
    fn a_redirect_url_and_a_list_of_token_sets_carry_the_token() {
        let r = recognize(&format!(
            "https://app.example.com/cb#access_token={JWT}&expires_in=86399&token_type=bearer&scope=a%20b"
        ));
        assert_eq!((r.kind, r.token.as_deref()), ("token_response", Some(JWT)));
        let rest = r.token_response.unwrap_or_default();
        assert_eq!(rest.get("expires_in"), Some(&Value::from(86399u64)));
        assert_eq!(rest.get("scope"), Some(&Value::from("a b")));
        assert!(r.description.contains("fragment"), "{}", r.description);
        // The authorization server's error in the redirect is read as an error response.
        let r = recognize(
            "https://app.example.com/cb?error=access_denied&error_description=The%20user%20declined",
        );
        assert_eq!(r.token, None);
        assert!(
            r.description.starts_with("a redirect URL"),
            "{}",
            r.description
        );
        // A URL without token or error is no token carrier.
        assert!(url_token_params("https://api.example.com/v1/users?id=7").is_none());
        // In the query of an API URL: the call is that URL, and its other parameters are no token-response fields.
        let r = recognize(&format!(
            "https://graph.microsoft.com/v1.0/me/messages?access_token={JWT}&$top=5#frag"
        ));
        assert_eq!(r.token.as_deref(), Some(JWT));
        assert!(r.description.contains("query"), "{}", r.description);
        assert_eq!(
            r.call.as_ref().map(|c| c.path.as_str()),
            Some("/v1.0/me/messages")
        );
        assert!(r.token_response.unwrap_or_default().get("$top").is_none());
        assert!(url_token_params("https://x.example.com/#access_token=").is_none());
        // App Service's /.auth/me: a list of token sets.
        let r = recognize(&format!(
            r#"[{{"access_token":"{JWT}","id_token":"{JWT}","provider_name":"aad","user_claims":[]}}]"#
        ));
        assert_eq!((r.kind, r.token.as_deref()), ("token_response", Some(JWT)));
        assert!(r.description.contains("/.auth/me"), "{}", r.description);
        assert_ne!(recognize("[1, 2]").kind, "token_response");
    }

    #[test]
    fn a_curl_verbose_transcript_is_the_request_and_its_answer() {
        let t = format!(
            "*   Trying 127.0.0.1:9080...\n* Connected to localhost\n> POST /api/private HTTP/1.1\n> Host: localhost:9080\n> Authorization: Bearer {JWT}\n>\n< HTTP/1.1 401\n< WWW-Authenticate: Bearer error=\"invalid_token\"\n<\n* Connection #0 left intact"
        );
        let r = recognize(&t);
        assert_eq!(r.token.as_deref(), Some(JWT));
        assert_eq!(r.call.as_ref().map(|c| c.method.as_str()), Some("POST"));
        let answer = r.response.unwrap_or_default();
        assert!(
            answer.starts_with("HTTP/1.1 401\r\nWWW-Authenticate: Bearer"),
            "{answer}"
        );
        assert!(!answer.contains("Trying"), "{answer}");
        let info = crate::response::parse(&t);
        assert_eq!(info.status, Some(401));
        // Through a proxy: the CONNECT block is not the request; with the command line before it, the transcript's
        // expanded header wins over the command's `$TOKEN`.
        let t = format!(
            "$ curl -v -H \"Authorization: Bearer $TOKEN\" https://api.example.com/v1/orders\n> CONNECT api.example.com:443 HTTP/1.1\n> Host: api.example.com:443\n>\n< HTTP/1.1 200 Connection established\n<\n> GET /v1/orders HTTP/1.1\n> Host: api.example.com\n> Authorization: Bearer {JWT}\n>\n< HTTP/1.1 401 Unauthorized\n<\n"
        );
        let r = recognize(&t);
        assert_eq!(r.token.as_deref(), Some(JWT));
        assert_eq!(r.call.as_ref().map(|c| c.path.as_str()), Some("/v1/orders"));
        assert_eq!(crate::response::parse(&t).status, Some(401));
    }

    #[test]
    fn curl_to_the_introspection_endpoint_and_curl_with_a_user() {
        let r = recognize(&format!(
            "curl -X POST https://ids.example.com/connect/introspect -u api1:secret -d token={JWT} -d token_type_hint=access_token"
        ));
        assert_eq!(
            (r.kind, r.token.as_deref()),
            ("introspection_request", Some(JWT))
        );
        assert!(
            r.findings.iter().all(|f| f.code != "input.no_token"),
            "{:?}",
            r.findings
        );
        // -u to an API: Basic credentials, said as such (not "no Authorization header").
        let r = recognize("curl https://api.example.com/v1/things -u alice:pw");
        let f = finding(&r, "input.basic_credentials");
        assert!(f.title.contains("-u"), "{}", f.title);
        assert_eq!(f.severity, Severity::Warning);
        // Without a token= field, a path ending in /introspect is an ordinary API call.
        let r = recognize(&format!(
            "curl -X POST https://api.example.com/v1/graphql/introspect -H 'Authorization: Bearer {JWT}'"
        ));
        assert_eq!((r.kind, r.token.as_deref()), ("curl", Some(JWT)));
        assert!(!is_introspection_request("/api/v2/users"));
        assert!(is_introspection_request(
            "/realms/x/protocol/openid-connect/token/introspect"
        ));
    }

    #[test]
    fn an_operation_without_its_leading_slash_is_a_path_unless_it_starts_with_a_host() {
        for (text, host, path) in [
            ("GET me/messages?$top=5", None, "/me/messages"),
            ("GET v1.0/me/messages", None, "/v1.0/me/messages"),
            (
                "POST api/v2/conversations/calls",
                None,
                "/api/v2/conversations/calls",
            ),
            (
                "GET api.example.com/v1/items",
                Some("api.example.com"),
                "/v1/items",
            ),
            ("GET localhost:8080/items", Some("localhost"), "/items"),
            ("GET 10.0.0.5/items", Some("10.0.0.5"), "/items"),
        ] {
            let (call, _) = parse_operation(text);
            let call = call.unwrap_or_else(|| panic!("{text}: unread"));
            assert_eq!(
                (call.host.as_deref(), call.path.as_str()),
                (host, path),
                "{text}"
            );
        }
        assert!(!host_like("v2.0"));
        assert!(!host_like("1.0"));
        assert!(host_like("graph.microsoft.com"));
    }

    #[test]
    fn jq_without_raw_output_keeps_the_quotes() {
        assert_eq!(
            jq_without_raw("curl -s https://idp/token -d x | jq .access_token").as_deref(),
            Some("jq .access_token")
        );
        for raw in [
            "curl -s https://idp/token | jq -r .access_token",
            "curl -s https://idp/token | jq --raw-output '.access_token'",
            "curl -s https://idp/token | jq -rc .access_token",
            "curl -s https://idp/token",
            "curl -s https://idp/token | jq .access_token | tr -d '\"'",
            "curl -s https://api/orders | jq '.[0].id'",
        ] {
            assert_eq!(jq_without_raw(raw), None, "{raw}");
        }
    }

    #[test]
    fn a_curl_v_transcript_to_the_introspection_endpoint() {
        let transcript = "> POST /oauth2/introspect HTTP/1.1\n> Host: idp.example.com\n> Authorization: Basic YXBpOnNlY3JldA==\n> Content-Length: 40\n>\n< HTTP/1.1 200 OK\n< Content-Type: application/json\n<\n{\"active\":false}";
        // No body is shown: the token asked about is not in the paste, and the answer is the introspection answer.
        let r = recognize(transcript);
        assert_eq!(
            (r.kind, r.token.as_deref()),
            ("introspection_request", None)
        );
        assert!(r.description.contains("does not show"), "{}", r.description);
        assert!(
            r.response
                .as_deref()
                .is_some_and(|a| a.contains("\"active\":false"))
        );
        assert!(
            r.findings.iter().all(|f| f.code != "header.malformed"),
            "{:?}",
            r.findings
        );
        // The command above it holds the token= field.
        let r = recognize(&format!(
            "$ curl -v -u api:secret -d token={JWT} https://idp.example.com/oauth2/introspect\n{transcript}"
        ));
        assert_eq!(
            (r.kind, r.token.as_deref()),
            ("introspection_request", Some(JWT))
        );
        assert_eq!(
            command_above_transcript(&format!(
                "$ curl -v https://x.example/introspect\n* Trying\n{transcript}"
            )),
            Some("curl -v https://x.example/introspect")
        );
        assert_eq!(command_above_transcript(transcript), None);
        // RFC 7662 asks with POST: a bodiless GET to a path ending in /introspect is some API's own route.
        let r = recognize(
            "> GET /api/v1/schema/introspect HTTP/1.1\n> Host: api.example.com\n> Authorization: Basic YTpi\n>\n< HTTP/1.1 401 Unauthorized",
        );
        assert_eq!(r.kind, "http_request");
        // Spring's /oauth/check_token takes the token in the query.
        let r = recognize(&format!(
            "> POST /oauth/check_token?token={JWT} HTTP/1.1\n> Host: as.example.com\n> Authorization: Basic YTpi\n>\n< HTTP/1.1 400\n<\n{{\"error\":\"invalid_token\"}}"
        ));
        assert_eq!(
            (r.kind, r.token.as_deref()),
            ("introspection_request", Some(JWT))
        );
        // A variable in the command above is no token.
        let r = recognize(&format!(
            "$ curl -v -u a:b -d token=$TOKEN https://idp.example.com/oauth2/introspect\n{transcript}"
        ));
        assert_eq!(
            (r.kind, r.token.as_deref()),
            ("introspection_request", None)
        );
        // A bearer caller with an empty body is an API call (GraphQL's /introspect), as with curl.
        let r = recognize(&format!(
            "> POST /v1/graphql/introspect HTTP/1.1\n> Host: api.example.com\n> Authorization: Bearer {JWT}\n>\n< HTTP/1.1 401 Unauthorized"
        ));
        assert_eq!((r.kind, r.token.as_deref()), ("http_request", Some(JWT)));
    }

    #[test]
    fn a_fetch_call_as_devtools_copies_it() {
        let r = recognize(&format!(
            "fetch(\"https://graph.microsoft.com/v1.0/me/messages?$top=10\", {{\n  \"headers\": {{\n    \"accept\": \"*/*\",\n    \"authorization\": \"Bearer {JWT}\"\n  }},\n  \"body\": null,\n  \"method\": \"GET\"\n}});"
        ));
        assert_eq!(r.token.as_deref(), Some(JWT));
        assert_eq!(
            r.call
                .as_ref()
                .map(|c| (c.method.as_str(), c.path.as_str())),
            Some(("GET", "/v1.0/me/messages"))
        );
        assert!(
            r.description.starts_with("a fetch() call"),
            "{}",
            r.description
        );
        assert!(fetch_as_curl("fetchable").is_none());
    }

    #[test]
    fn basic_is_noticed_first_or_behind_another_scheme() {
        for (paste, basic) in [
            ("Authorization: Basic Y2xpZW50OnNlY3JldA==", true),
            ("Authorization: Bearer Basic Y2xpZW50OnNlY3JldA==", true),
            ("Bearer BASIC Y2xpZW50OnNlY3JldA==", true),
            (
                r#"{"access_token":"Basic Y2xpZW50OnNlY3JldA==","token_type":"bearer"}"#,
                true,
            ),
            ("Authorization: Bearer Bearer abc.def.ghi", false),
            ("Authorization: Bearer Y2xpZW50OnNlY3JldA==", false),
        ] {
            assert_eq!(recognize(paste).basic, basic, "{paste}");
        }
        // The first scheme is still the one the server reads.
        let r = recognize("Authorization: Bearer Basic Y2xpZW50OnNlY3JldA==");
        assert_eq!(r.scheme.as_deref(), Some("Bearer"));
    }

    #[test]
    fn bare_bearer_and_header() {
        let r = recognize(JWT);
        assert_eq!((r.kind, r.token.as_deref()), ("jwt", Some(JWT)));
        let r = recognize(&format!("Bearer {JWT}"));
        assert_eq!(r.scheme.as_deref(), Some("Bearer"));
        assert!(r.findings.is_empty());
        let r = recognize(&format!("Authorization: Bearer {JWT}"));
        assert_eq!(r.kind, "header");
        assert_eq!(r.token.as_deref(), Some(JWT));
    }

    #[test]
    fn curl_with_ansi_c_quoting() {
        let r = recognize(&format!(
            "curl 'https://graph.microsoft.com/v1.0/me' -H $'Authorization: Bearer {JWT}' -H $'X-Note: it\\'s \\x41\\tb'"
        ));
        assert_eq!((r.kind, r.token.as_deref()), ("curl", Some(JWT)));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let (words, open) = shell_words("a $'it\\'s' $'\\x41\\n\\q' $'open");
        assert_eq!(words, vec!["a", "it's", "A\n\\q", "open"]);
        assert!(open);
        // What Chrome's Copy as cURL (bash) writes for `!` and controls, octal, and `\x` with no digit.
        let (words, _) = shell_words("$'Hi\\u0021 \\101\\x\\U0001F600\\e'");
        assert_eq!(words, vec!["Hi! A\\x\u{1F600}\u{1b}"]);
    }

    #[test]
    fn curl_header_replaces_or_removes_the_oauth2_bearer_one() {
        const OTHER: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJiIn0.";
        let r = recognize(&format!(
            "curl https://x.example/a --oauth2-bearer {OTHER} -H \"Authorization: Bearer {JWT}\""
        ));
        assert_eq!(r.token.as_deref(), Some(JWT));
        assert!(r.findings.is_empty(), "{:?}", r.findings);
        let r = recognize(&format!(
            "curl https://x.example/a --oauth2-bearer {JWT} -H 'Authorization:'"
        ));
        assert_eq!(r.token, None);
        assert!(r.findings.iter().any(|f| f.code == "input.no_token"));
        let r = recognize(&format!("curl https://x.example/a --oauth2-bearer {JWT}"));
        assert_eq!(r.token.as_deref(), Some(JWT));
    }

    #[test]
    fn several_authorization_headers_are_a_finding_and_the_first_is_diagnosed() {
        const OTHER: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJiIn0.";
        for paste in [
            format!(
                "curl https://x.example/a -H \"Authorization: Bearer {JWT}\" -H \"Authorization: Bearer {OTHER}\""
            ),
            format!(
                "GET /a HTTP/1.1\r\nHost: x.example\r\nAuthorization: Bearer {JWT}\r\nauthorization: Bearer {OTHER}\r\n\r\n"
            ),
            format!("Authorization: Bearer {JWT}\nAuthorization: Bearer {OTHER}"),
        ] {
            let r = recognize(&paste);
            assert_eq!(r.token.as_deref(), Some(JWT), "{paste}");
            let f = finding(&r, "input.several_authorization");
            assert!(f.title.contains("2 Authorization headers"), "{}", f.title);
            assert!(!f.title.contains("all the same"), "{}", f.title);
            assert_eq!(f.evidence.len(), 2);
            assert!(f.evidence.iter().all(|e| !e.text.contains(JWT)), "redacted");
        }
        let r = recognize(&format!(
            "Authorization: Bearer {JWT}\nAuthorization: Bearer {JWT}"
        ));
        let f = finding(&r, "input.several_authorization");
        assert!(f.title.ends_with("all the same"), "{}", f.title);
        // One header whose token wraps onto the next line is still one header.
        let r = recognize(&format!("Authorization: Bearer {JWT}\n"));
        assert!(
            r.findings
                .iter()
                .all(|f| f.code != "input.several_authorization")
        );
    }

    #[test]
    fn several_bare_tokens_are_a_finding_and_the_first_is_diagnosed() {
        const OTHER: &str = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJiIn0.";
        for (paste, count) in [
            (format!("{JWT}\n{OTHER}"), 2),
            (format!("  {JWT}\r\n{OTHER}\r\n{JWT}\n"), 3),
            (format!("{JWT} {OTHER}"), 2),
            (format!("Bearer {JWT}\nBearer {OTHER}"), 2),
            (format!("Authorization: Bearer {JWT} {OTHER}"), 2),
        ] {
            let r = recognize(&paste);
            assert_eq!(r.token.as_deref(), Some(JWT), "{paste:?}");
            assert_eq!(
                r.kind,
                if paste.starts_with("Auth") {
                    "header"
                } else {
                    "jwt"
                },
                "{paste:?}"
            );
            let f = finding(&r, "input.several_tokens");
            assert!(f.title.contains(&format!("{count} tokens")), "{}", f.title);
            assert!(f.evidence.iter().all(|e| !e.text.contains(JWT)), "redacted");
            assert!(
                r.findings.iter().all(|f| f.code != "header.malformed"),
                "{paste:?}: {:?}",
                r.findings
            );
        }
        // One token wrapped over lines (each line a part of it) is still one token.
        let (head, tail) = JWT.split_at(20);
        let r = recognize(&format!("{head}\n{tail}"));
        assert_eq!(r.token.as_deref(), Some(JWT));
        assert!(r.findings.iter().all(|f| f.code != "input.several_tokens"));
        let r = recognize(&format!("{JWT}\nnot a token"));
        assert!(r.findings.iter().all(|f| f.code != "input.several_tokens"));
    }

    #[test]
    fn bearer_bearer_is_malformed() {
        let r = recognize(&format!("Authorization: Bearer Bearer {JWT}"));
        let f = finding(&r, "header.malformed");
        assert!(f.detail.contains("2 times"), "{}", f.detail);
        assert_eq!(r.token.as_deref(), Some(JWT));
    }

    #[test]
    fn quoted_token_and_missing_scheme() {
        let r = recognize(&format!("Authorization: \"{JWT}\""));
        let f = finding(&r, "header.malformed");
        assert!(
            f.detail.contains("quotes") && f.detail.contains("no scheme"),
            "{}",
            f.detail
        );
    }

    #[test]
    fn token_response_prefers_access_token() {
        let r = recognize(&format!(
            r#"{{"access_token":"abc","id_token":"{JWT}","token_type":"Bearer","scope":"x"}}"#
        ));
        assert_eq!(r.kind, "token_response");
        assert_eq!(r.token.as_deref(), Some("abc"));
        assert!(r.description.contains("ID token"));
        assert_eq!(r.other_tokens.len(), 1);
    }

    #[test]
    fn curl_gives_call_and_token() {
        let r = recognize(&format!(
            "curl -X POST 'https://api.mypurecloud.com/api/v2/conversations/calls?x=1' \\\n  -H 'Authorization: Bearer {JWT}' -d '{{}}'"
        ));
        assert_eq!(r.token.as_deref(), Some(JWT));
        let c = r.call.expect("call");
        assert_eq!(
            (c.method.as_str(), c.host.as_deref(), c.path.as_str()),
            (
                "POST",
                Some("api.mypurecloud.com"),
                "/api/v2/conversations/calls"
            )
        );
    }

    #[test]
    fn curl_with_data_defaults_to_post_and_open_quote_is_reported() {
        let r = recognize("curl https://x.example/a -d 'b");
        assert_eq!(r.call.expect("call").method, "POST");
        assert!(
            r.findings
                .iter()
                .any(|f| f.code == "input.unbalanced_quote")
        );
        assert!(r.findings.iter().any(|f| f.code == "input.no_token"));
    }

    #[test]
    fn raw_http_request() {
        let r = recognize(&format!(
            "GET /v1.0/me HTTP/1.1\r\nHost: graph.microsoft.com\r\nAuthorization: Bearer {JWT}\r\n\r\n"
        ));
        let c = r.call.expect("call");
        assert_eq!(
            (c.host.as_deref(), c.path.as_str()),
            (Some("graph.microsoft.com"), "/v1.0/me")
        );
        assert_eq!(r.token.as_deref(), Some(JWT));
    }

    #[test]
    fn operation_forms() {
        let (c, _) = parse_operation("post https://api.mypurecloud.ie/api/v2/users/me/");
        let c = c.expect("call");
        assert_eq!(
            (c.method.as_str(), c.host.as_deref(), c.path.as_str()),
            ("POST", Some("api.mypurecloud.ie"), "/api/v2/users/me/")
        );
        let (c, _) = parse_operation("/api/v2/users/me");
        assert_eq!(c.expect("call").method, "GET");
    }

    #[test]
    fn invisible_characters_are_named() {
        let r = recognize("Bearer abc\u{200b}def");
        let f = finding(&r, "header.malformed");
        assert!(f.detail.contains("U+200B"), "{}", f.detail);
        assert_eq!(r.token.as_deref(), Some("abcdef"));
    }
}
