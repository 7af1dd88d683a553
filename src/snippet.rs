//! A log, console dump or code snippet that mentions a request: Postman's console, a Python `requests` or axios
//! error dump, a Spring or .NET HTTP log, the browser console, a code snippet that sets the header, DevTools'
//! "Copy request headers" of an HTTP/2 request. The bearer token, the call and the API's answer are found in the
//! free text, line by line, without knowing the tool that wrote it.

/// What was found in a snippet.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Snippet {
    /// The Authorization value found (`Bearer <token>`), as written after the scheme.
    pub authorization: String,
    /// The call's method (upper case) and URL, when the text names them.
    pub call: Option<(String, String)>,
    /// The API's answer pieced together: its status (as a status line) and its JSON body, when the text holds
    /// them.
    pub response: Option<String>,
    /// A token response the text holds (a Postman console, a log of the token request): its members.
    pub token_response: Option<serde_json::Map<String, serde_json::Value>>,
    /// The scheme is written with a colon before the token (`'Authorization': 'Bearer: eyJ…'`).
    pub scheme_colon: bool,
}

/// The HTTP methods a call names (the session and snippet readers look for them).
pub const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// The token at the start of `word` as a token would be copied out of code or a log: up to the first character no
/// token has (a quote, a comma, a bracket, a literal `\r\n`); or a variable or template placeholder whole
/// (`{{token}}`, `{token}`, `${token}`, `$(…)`, `#{token}`, `<token>`, `%TOKEN%`, `$TOKEN`).
fn token_at(word: &str) -> &str {
    let closing = |open: &str, close: char| {
        word.strip_prefix(open)
            .and_then(|r| r.find(close))
            .map(|i| {
                i.saturating_add(open.len())
                    .saturating_add(close.len_utf8())
            })
    };
    let placeholder = if word.starts_with("{{") {
        word.find("}}").map(|i| i.saturating_add(2))
    } else {
        closing("${", '}')
            .or_else(|| closing("$(", ')'))
            .or_else(|| closing("#{", '}'))
            .or_else(|| closing("{", '}'))
            .or_else(|| closing("<", '>'))
            .or_else(|| closing("%", '%'))
    };
    if let Some(end) = placeholder {
        return word.get(..end).unwrap_or(word);
    }
    let body = word.strip_prefix('$').unwrap_or(word);
    let end = body
        // RFC 6750's token characters, and `!` (Salesforce's tokens have one).
        .find(|c: char| !(c.is_ascii_alphanumeric() || "-._~+/=!".contains(c)))
        .unwrap_or(body.len())
        .saturating_add(word.len().saturating_sub(body.len()));
    word.get(..end).unwrap_or(word)
}

/// Whether a word is a JWT (three base64url segments, the first a JSON header).
fn is_jwt(word: &str) -> bool {
    word.starts_with("eyJ")
        && word.len() > 40
        && word.bytes().filter(|b| *b == b'.').count() == 2
        && word
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
}

/// The word after the first `Bearer ` (any case) of the text that can be a token, as it would be copied.
fn bearer_word(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0usize;
    let mut unset_word: Option<&str> = None;
    while let Some(at) = lower.get(from..).and_then(|l| l.find("bearer")) {
        let start = from.saturating_add(at);
        let after = start.saturating_add(6);
        from = after;
        // A word of its own: not inside another (`token_type: bearer`).
        let before_ok = text
            .get(..start)
            .and_then(|h| h.chars().next_back())
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let rest = text.get(after..).unwrap_or("");
        if !before_ok || !rest.starts_with([' ', '\t']) {
            continue;
        }
        let word = rest.trim_start_matches([' ', '\t']);
        let word = token_at(word);
        // `Bearer realm="…"` is a challenge; `Bearer authentication` prose: no token (a token has a digit or a
        // symbol; a placeholder starts with one).
        let param = word.get(word.len().saturating_sub(1)..) == Some("=")
            && word
                .bytes()
                .filter(|b| *b != b'=')
                .all(|b| b.is_ascii_alphabetic() || b == b'_');
        let wordy = word.bytes().all(|b| b.is_ascii_alphabetic());
        // What code sends for a variable never set (`Bearer undefined`, `Bearer null`): the value sent.
        // One of them is kept only if no other word follows a `Bearer` (a comment may say "Bearer null").
        if is_unset(word) {
            unset_word.get_or_insert(word);
            continue;
        }
        if word.starts_with(['$', '{', '<', '%', '#']) || word.len() >= 8 && !param && !wordy {
            return Some(word);
        }
    }
    unset_word
}

/// What code sends for a variable never set: `undefined`, `null`, `None`, `nil`.
pub fn is_unset(word: &str) -> bool {
    ["undefined", "null", "none", "nil"]
        .iter()
        .any(|u| word.eq_ignore_ascii_case(u))
}

/// A JWT standing alone among other words (`token eyJ…` in a console, `TOKEN=eyJ…`, `access_token: eyJ…`), when the
/// text holds exactly one.
pub fn lone_jwt(text: &str) -> Option<&str> {
    let mut found: Option<&str> = None;
    for word in text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\'' | '"' | ',' | ';' | '=' | ':' | '(' | ')' | '`' | '\\' | '[' | ']' | '<' | '>'
            )
    }) {
        if is_jwt(word) {
            match found {
                Some(f) if f != word => return None,
                _ => found = Some(word),
            }
        }
    }
    found
}

/// The access token of an implicit-grant redirect URL written in the text (a browser console's
/// `Navigated to https://app/callback#access_token=…&expires_in=…`): 16 characters or more.
fn fragment_token(text: &str) -> Option<&str> {
    let at = text.find("#access_token=")?;
    let rest = text.get(at.saturating_add(14)..)?;
    let end = rest
        .find(|c: char| c == '&' || c == '"' || c == '\'' || c.is_whitespace())
        .unwrap_or(rest.len());
    let token = rest.get(..end)?;
    // Not a documentation placeholder (`#access_token=YOUR_ACCESS_TOKEN`).
    let placeholder = token.bytes().all(|b| b.is_ascii_uppercase() || b == b'_')
        || token.to_ascii_lowercase().contains("your");
    (!placeholder
        && token.len() >= 16
        && token.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'-' | b'_' | b'.' | b'~' | b'+' | b'/' | b'=' | b'%')
        }))
    .then_some(token)
}

/// An Authorization header line that ends after its scheme (Postman's console for an empty `{{token}}`:
/// `authorization: Bearer`): the empty value sent.
fn empty_bearer_line(text: &str) -> Option<&'static str> {
    text.lines()
        .any(|l| {
            l.trim()
                .get(..13)
                .is_some_and(|n| n.eq_ignore_ascii_case("authorization"))
                && l.trim()
                    .get(13..)
                    .map(|rest| rest.trim_start_matches([':', ' ', '\t']))
                    .is_some_and(|v| v.eq_ignore_ascii_case("bearer"))
        })
        .then_some("")
}

/// Whether `url` is documentation an error message links to (RFC 6750's `error_uri` at tools.ietf.org, .NET's
/// `aka.ms` links, Microsoft Learn), not a call.
fn documentation_url(url: &str) -> bool {
    let host = url
        .split("://")
        .nth(1)
        .and_then(|r| r.split(['/', '?', '#', ':']).next())
        .unwrap_or("")
        .to_ascii_lowercase();
    [
        "tools.ietf.org",
        "datatracker.ietf.org",
        "www.rfc-editor.org",
        "aka.ms",
        "learn.microsoft.com",
        "docs.microsoft.com",
    ]
    .contains(&host.as_str())
}

/// The URL that starts at `s` (an `http(s)://` word), without the quotes or punctuation around it.
fn url_at(s: &str) -> &str {
    let end = s
        .find(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | ')' | ']' | '`'))
        .unwrap_or(s.len());
    s.get(..end).unwrap_or(s).trim_end_matches([':', '.'])
}

/// A method the code calls (`requests.post(`, `PostAsync(`, `axios.put(`, `method: 'post'`, `"DELETE"`): the
/// earliest other than GET, else GET (`.get(` is also a dictionary's).
fn method_in_code(lower: &str) -> &'static str {
    ["POST", "PUT", "PATCH", "DELETE"]
        .iter()
        .filter_map(|m| {
            let l = m.to_ascii_lowercase();
            [
                format!("'{l}'"),
                format!("\"{l}\""),
                format!(".{l}("),
                format!("{l}async("),
            ]
            .iter()
            .filter_map(|p| lower.find(p.as_str()))
            .min()
            .map(|at| (at, *m))
        })
        .min()
        .map_or("GET", |(_, m)| m)
}

/// The first `Host:` header of the text, also inside a debug print that writes line breaks as `\r\n` (Python's
/// http.client).
fn host_in(text: &str) -> Option<String> {
    text.split(['\n', '\r'])
        .flat_map(|l| l.split("\\n"))
        .find_map(|l| {
            let l = l.trim().trim_end_matches("\\r");
            let (n, v) = l.split_once(':')?;
            n.trim()
                .eq_ignore_ascii_case("host")
                .then(|| {
                    v.trim()
                        .split(['\\', '\'', '"', ' '])
                        .next()
                        .unwrap_or("")
                        .to_string()
                })
                .filter(|h| !h.is_empty())
        })
}

/// The call the text names, and the part of the text about it: HTTP/2 pseudo-headers (`:method`, `:authority`,
/// `:path`); a method next to a URL (`GET https://…`, `HTTP GET https://…`, `--> GET https://…`) or next to a path
/// with a `Host:` header; or else the first URL with a method found in the code. Of several requests in a log, the
/// first one a refusal (401, 403) follows, token requests left out; else the first.
fn call_of(text: &str) -> Option<(String, String, std::ops::Range<usize>)> {
    let whole = 0..text.len();
    let pseudo = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name).map(str::trim))
    };
    if let (Some(m), Some(a), Some(p)) =
        (pseudo(":method:"), pseudo(":authority:"), pseudo(":path:"))
    {
        let scheme = pseudo(":scheme:").unwrap_or("https");
        return Some((m.to_ascii_uppercase(), format!("{scheme}://{a}{p}"), whole));
    }
    let host = host_in(text);
    let mut named: Vec<(usize, &str, String)> = Vec::new();
    let mut first_url: Option<&str> = None;
    let mut offset = 0usize;
    for line in text.split_inclusive('\n') {
        let mut words = line
            .split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | '[' | '(' | ','))
            .filter(|w| !w.is_empty())
            .peekable();
        while let Some(w) = words.next() {
            let w = w.trim_start_matches(['b', ':']).trim_end_matches(':');
            if !METHODS.contains(&w) {
                continue;
            }
            let Some(next) = words.peek() else { break };
            if next.starts_with("https://") || next.starts_with("http://") {
                named.push((
                    offset,
                    METHODS.iter().find(|m| **m == w).copied().unwrap_or("GET"),
                    url_at(next).to_string(),
                ));
                break;
            }
            // The `Host:` of this request: the first after its request line (else the text's first).
            // (Within the next 4 KB: a log of many requests is read in one pass.)
            let own_host = host_in(crate::response::clip_bytes(
                text.get(offset..).unwrap_or(""),
                4096,
            ));
            if let (Some(h), true) = (own_host.as_ref().or(host.as_ref()), next.starts_with('/')) {
                let path = url_at(next);
                let path = path.split("\\r").next().unwrap_or(path);
                named.push((
                    offset,
                    METHODS.iter().find(|m| **m == w).copied().unwrap_or("GET"),
                    format!("https://{h}{path}"),
                ));
                break;
            }
        }
        if first_url.is_none() {
            if let Some(at) = line.find("https://").or_else(|| line.find("http://")) {
                let url = url_at(line.get(at..).unwrap_or(""));
                // Not a referer or origin header, nor a file in a stack trace.
                let head = line.get(..at).unwrap_or("").to_ascii_lowercase();
                if !head.contains("referer")
                    && !head.contains("origin")
                    && url.len() > 10
                    && !documentation_url(url)
                {
                    first_url = Some(url);
                }
            }
        }
        offset = offset.saturating_add(line.len());
    }
    let token_request = |url: &str| {
        crate::input::parse_target("POST", url, None)
            .is_some_and(|c| crate::input::is_token_request(&c.path, ""))
    };
    let segments: Vec<(&str, String, std::ops::Range<usize>)> = named
        .iter()
        .enumerate()
        .map(|(i, (at, m, url))| {
            let end = named.get(i.saturating_add(1)).map_or(text.len(), |n| n.0);
            (*m, url.clone(), *at..end)
        })
        .collect();
    let refused = segments.iter().find(|(_, url, r)| {
        !token_request(url)
            && text
                .get(r.clone())
                .and_then(crate::response::refusal_in_text)
                .is_some()
    });
    let api_url = first_url.filter(|u| !token_request(u));
    if let Some((m, url, r)) = refused
        .or_else(|| segments.iter().find(|(_, url, _)| !token_request(url)))
        .or_else(|| segments.first().filter(|_| api_url.is_none()))
    {
        return Some((m.to_string(), url.clone(), r.clone()));
    }
    let url = first_url?;
    let method = method_in_code(&text.to_ascii_lowercase());
    Some((method.to_string(), url.to_string(), whole))
}

/// The first JSON object of the text that parses (the API's body in a log), as written.
fn json_body(text: &str) -> Option<&str> {
    json_object(text, error_object).map(|(t, _)| t)
}

/// Whether a JSON object reads as an error answer: an `error`, or a `message` that is text (a request body's
/// `message` object, an email to send, is not), or a `code` with a `message`.
pub(crate) fn error_object(m: &serde_json::Map<String, serde_json::Value>) -> bool {
    m.contains_key("error")
        || m.get("message").is_some_and(serde_json::Value::is_string)
        || m.contains_key("code") && m.contains_key("message")
}

/// The first JSON object in `text` (`{"` or, pretty-printed, `{` then white space and `"`) that `wanted` accepts:
/// its text and its members.
pub(crate) fn json_object(
    text: &str,
    wanted: impl Fn(&serde_json::Map<String, serde_json::Value>) -> bool,
) -> Option<(&str, serde_json::Map<String, serde_json::Value>)> {
    let mut from = 0usize;
    while let Some(at) = text.get(from..).and_then(|t| t.find('{')) {
        let start = from.saturating_add(at);
        let rest = text.get(start..)?;
        if !rest.get(1..).unwrap_or("").trim_start().starts_with('"') {
            from = start.saturating_add(1);
            continue;
        }
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        if let Some(Ok(serde_json::Value::Object(m))) = values.next() {
            if wanted(&m) {
                return Some((rest.get(..values.byte_offset())?, m));
            }
        }
        from = start.saturating_add(1);
    }
    None
}

/// Whether a word after `Bearer` is a token written out (an opaque token: 20 or more token characters, letters
/// and digits), not a variable's name (`token`, `accessToken`, `{{token}}`).
fn literal_token(word: &str) -> bool {
    // `eyJhbGciOiJSUzI1NiIsInR5cCI6Ik` cut short in a log is a JWT's beginning, not a token of its own.
    !word.starts_with("eyJ")
        && word.len() >= 20
        && word.bytes().all(crate::text::is_b64token_byte)
        && word.bytes().any(|b| b.is_ascii_digit())
        && word.bytes().any(|b| b.is_ascii_alphabetic())
}

/// An error object printed by Python (`r.json()` in a REPL or a log: `{'error': 'insufficient_scope', 'scope': 'a
/// b'}`) as JSON, when a line holds one. `None` otherwise.
fn python_dict_body(text: &str) -> Option<String> {
    text.lines().take(MESSAGE_LINES_READ).find_map(|line| {
        let line = line.trim();
        let (json, m, _) = python_dict(line.get(line.find("{'")?..)?)?;
        error_object(&m).then_some(json)
    })
}

/// A dict as Python prints it, at the start of `text` (`{'access_token': 'eyJ…', 'expires_in': 3599, 'ok': True}`),
/// as the JSON text of that object (its strings, in either quote, JSON strings; `True`/`False`/`None` JSON's words),
/// its members, and its length in `text`. `None` when `text` does not start with `{'` or holds what JSON cannot say
/// (a tuple, an object's repr, `\x41`).
pub fn python_dict(
    text: &str,
) -> Option<(String, serde_json::Map<String, serde_json::Value>, usize)> {
    if !text.starts_with("{'") {
        return None;
    }
    let mut out = String::with_capacity(text.len().min(crate::limits::MAX_INPUT_BYTES));
    let counted = std::cell::Cell::new(0usize);
    let mut chars = text
        .chars()
        .inspect(|c| counted.set(counted.get().saturating_add(c.len_utf8())))
        .peekable();
    let mut depth = 0usize;
    while let Some(c) = chars.next() {
        match c {
            '\'' | '"' => {
                out.push('"');
                loop {
                    match chars.next()? {
                        '\\' => match chars.next()? {
                            '\'' => out.push('\''),
                            e => {
                                out.push('\\');
                                out.push(e);
                            }
                        },
                        q if q == c => break,
                        '"' => out.push_str("\\\""),
                        other => out.push(other),
                    }
                }
                out.push('"');
            }
            '{' | '[' => {
                depth = depth.saturating_add(1);
                out.push(c);
            }
            '}' | ']' => {
                out.push(c);
                depth = depth.checked_sub(1)?;
                if depth == 0 {
                    break;
                }
            }
            c if c.is_ascii_alphabetic() => {
                let mut word = String::from(c);
                while let Some(&n) = chars
                    .peek()
                    .filter(|n| n.is_ascii_alphanumeric() || **n == '_')
                {
                    word.push(n);
                    chars.next();
                }
                out.push_str(match word.as_str() {
                    "True" => "true",
                    "False" => "false",
                    "None" => "null",
                    _ => return None,
                });
            }
            other => out.push(other),
        }
    }
    // The dict's own length in `text` (the peeked character after a word is counted too: words end at a
    // separator, and a dict at `}`, where nothing is peeked).
    let used = counted.get();
    match serde_json::from_str::<serde_json::Value>(&out) {
        Ok(serde_json::Value::Object(m)) => Some((out, m, used)),
        _ => None,
    }
}

/// Whether a line (or a line of words around a token) reads as an error a program printed: it names one (an
/// exception, an error, a failure, a refusal or a 401/403), and is neither a question nor a code comment.
pub fn reads_as_error(line: &str) -> bool {
    if surmise(line) {
        return false;
    }
    let lower = line.trim_start().to_ascii_lowercase();
    [
        "exception",
        "error",
        "fail",
        "denied",
        "unauthorized",
        "forbidden",
        "isn't active",
        "401",
        "403",
    ]
    .iter()
    .any(|w| lower.contains(w))
}

/// Whether a line says what could happen rather than what did: a question, a code comment, a conditional or a
/// hint ("if you see 'invalid audience', …", "tip: …"). (An error's own words may hold "when": "… in
/// application-only context when not using …".)
fn surmise(line: &str) -> bool {
    let t = line.trim_start();
    let lower = t.to_ascii_lowercase();
    t.contains('?')
        || ["//", "#", "--", "/*", "* "]
            .iter()
            .any(|c| t.starts_with(c))
        || lower.starts_with("if ")
        || lower.starts_with("when ")
        || lower.contains("if you ")
        || lower.starts_with("tip")
        || lower.contains(" tip:")
        || lower.contains(" tip ")
}

/// Whether a line holds another secret, which an answer quoted as evidence must not carry.
fn holds_secret(line: &str) -> bool {
    let lower = line.to_ascii_lowercase();
    ["secret", "password", "refresh_token", "client_assertion", "api_key", "apikey"]
        .iter()
        .any(|w| lower.contains(w))
        // Another token after `Bearer` (the one diagnosed is already left out); "the bearer token." is words.
        || lower.match_indices("bearer ").any(|(at, _)| {
            lower
                .get(at.saturating_add(7)..)
                .and_then(|r| r.split_whitespace().next())
                .is_some_and(|w| w.len() >= 16)
        })
}

/// How many lines of a snippet are read for an answer in words.
const MESSAGE_LINES_READ: usize = 200;

/// The lines of `part` that say in words why the call failed (an exception's message, a JavaScript dump of the
/// answer, a log line): those the answer reader finds a signal in, at most 20, with the token left out (`…`).
/// `None` when there is none.
fn message_lines(part: &str, token: &str) -> Option<String> {
    let mut out = String::new();
    let mut kept = 0usize;
    // Whether the line before is a "Response" heading (DevTools, Postman, Zapier print the answer under one).
    let mut heading = false;
    for line in part.lines().take(MESSAGE_LINES_READ) {
        let h = line.trim().trim_end_matches(':').to_ascii_lowercase();
        let under_response = std::mem::replace(
            &mut heading,
            h == "response" || h == "response body" || h == "response text",
        );
        if line.len() > 2048 {
            continue;
        }
        let line = if !token.is_empty() && line.contains(token) {
            std::borrow::Cow::Owned(line.replace(token, "…"))
        } else {
            std::borrow::Cow::Borrowed(line)
        };
        if surmise(&line) || holds_secret(&line) {
            continue;
        }
        // A line that reads as an error; or, without an error's words, one that is an answer by its place or form:
        // printed under a "Response" heading, a JSON object (`{"active":false}`), or a gateway's own wording
        // (Envoy's "Jwks doesn't have key to match kid or alg from Jwt"). Not the paste's prose or a debug line.
        let answer_like = under_response || {
            let t = line.trim_start();
            t.starts_with('{') || t.starts_with("Jwt ") || t.starts_with("Jwks ")
        };
        if !reads_as_error(&line) && !answer_like {
            continue;
        }
        let info = crate::response::parse(&line);
        if info.signals.is_empty() && info.required_scopes.is_empty() {
            continue;
        }
        out.push_str(line.trim());
        out.push('\n');
        kept = kept.saturating_add(1);
        if kept == 20 {
            break;
        }
    }
    (!out.is_empty()).then_some(out)
}

/// The lines of a server's log that say in words why a call failed (as [`message_lines`] picks them), or `None`.
pub fn error_lines(log: &str) -> Option<String> {
    message_lines(log, "")
}

/// Reads a snippet: `None` unless the text holds a bearer token (or exactly one JWT among other words).
pub fn read(text: &str) -> Option<Snippet> {
    // The JWT written in the text wins over a variable after `Bearer` (`token = "eyJ…"` then `f"Bearer {token}"`).
    let word = match bearer_word(text) {
        Some(w) if !is_jwt(w) && !literal_token(w) && !is_unset(w) => lone_jwt(text).unwrap_or(w),
        Some(w) => w,
        None => lone_jwt(text)
            .or_else(|| fragment_token(text))
            .or_else(|| empty_bearer_line(text))?,
    };
    let call = call_of(text);
    // The answer is read from the part of the text about the call.
    let part = call
        .as_ref()
        .and_then(|(_, _, r)| text.get(r.clone()))
        .unwrap_or(text);
    // A raw answer (from its status line to the next one) is taken whole: its challenge says the most.
    let raw = crate::response::answer_below(part).and_then(|at| {
        let rest = part.get(at.saturating_add(1)..)?.trim_start();
        let end = rest
            .match_indices("\nHTTP/")
            .next()
            .map_or(rest.len(), |(e, _)| e);
        rest.get(..end)
    });
    let status = crate::response::refusal_in_text(part);
    let body = json_body(part);
    // A challenge a log prints (`www-authenticate: Bearer error="…"`, Spring's `[WWW-Authenticate:"Bearer …"]`).
    let challenge = part.lines().find_map(|l| {
        let lower = l.to_ascii_lowercase();
        let at = lower.find("www-authenticate")?;
        let v = l.get(at.saturating_add(16)..)?;
        let v = v
            .trim_start_matches([':', '"', ' ', '='])
            .trim_end_matches([']', '"', ',', ' ']);
        Some(v.replace("\\\"", "\""))
    });
    let head = match (status, &challenge) {
        (Some(s), Some(c)) => Some(format!("HTTP/1.1 {s}\r\nWWW-Authenticate: {c}\r\n\r\n")),
        (Some(s), None) => Some(format!("HTTP/1.1 {s}\r\n\r\n")),
        (None, Some(c)) => Some(format!("WWW-Authenticate: {c}\r\n\r\n")),
        (None, None) => None,
    };
    // Without a JSON error object: one Python printed, else the lines that say it in words.
    let body = body
        .map(str::to_string)
        .or_else(|| python_dict_body(part))
        .or_else(|| message_lines(part, word));
    let response = match (head, body) {
        _ if raw.is_some() => raw.map(str::to_string),
        (Some(h), Some(b)) => Some(format!("{h}{b}")),
        (Some(h), None) => Some(h),
        (None, Some(b)) => Some(b),
        (None, None) => None,
    };
    let token_response = json_object(text, |m| {
        m.get("access_token")
            .is_some_and(serde_json::Value::is_string)
    })
    .map(|(_, m)| m);
    // Only when no line sends it without the colon (a log's "token acquired, Bearer: …" beside the real header).
    let scheme_colon = ["Bearer: ", "bearer: ", "BEARER: "]
        .iter()
        .any(|s| text.contains(&format!("{s}{word}")))
        && !["Bearer ", "bearer ", "BEARER "]
            .iter()
            .any(|s| text.contains(&format!("{s}{word}")));
    Some(Snippet {
        authorization: word.to_string(),
        call: call.map(|(m, u, _)| (m, u)),
        response,
        token_response,
        scheme_colon,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmNkZWZnaGlqa2xtbm9wIn0.c2lnbmF0dXJl";

    #[test]
    fn a_python_dict_is_read_as_the_json_it_stands_for() {
        assert_eq!(
            python_dict(r#"{'error': 'invalid_client', 'error_description': "AADSTS7000218: 'client_secret'.", 'ok': True, 'n': None} then"#)
                .map(|(json, _, used)| (json, used)),
            Some((r#"{"error": "invalid_client", "error_description": "AADSTS7000218: 'client_secret'.", "ok": true, "n": null}"#.to_string(), 106))
        );
        assert_eq!(python_dict(r#"{"a": 1}"#), None, "JSON already");
        assert_eq!(
            python_dict("{'a': datetime(2020)}"),
            None,
            "a repr JSON cannot say"
        );
        assert_eq!(python_dict("{'a': 'never closed"), None);
    }

    #[test]
    fn a_log_gives_its_token_call_and_answer() {
        let log = format!(
            "info: Start processing HTTP request GET https://graph.microsoft.com/v1.0/sites/root/lists\n      Authorization: Bearer {JWT}\nfail: System.Net.Http.HttpRequestException: Response status code does not indicate success: 403 (Forbidden)."
        );
        let s = read(&log).unwrap_or_default();
        assert_eq!(s.authorization, JWT);
        assert_eq!(
            s.call,
            Some((
                "GET".into(),
                "https://graph.microsoft.com/v1.0/sites/root/lists".into()
            ))
        );
        assert_eq!(s.response.as_deref(), Some("HTTP/1.1 403\r\n\r\n"));
    }

    #[test]
    fn code_and_dumps_give_the_token_without_their_quotes() {
        let py = format!(
            "url = \"https://graph.microsoft.com/v1.0/groups\"\nheaders = {{\n  'Authorization': 'Bearer {JWT}'\n}}\nresponse = requests.request(\"GET\", url, headers=headers)"
        );
        let s = read(&py).unwrap_or_default();
        assert_eq!(s.authorization, JWT);
        assert_eq!(
            s.call,
            Some((
                "GET".into(),
                "https://graph.microsoft.com/v1.0/groups".into()
            ))
        );
        let axios = format!(
            "AxiosError: Request failed with status code 403\n  config: {{\n    headers: {{ Authorization: 'Bearer {JWT}', }},\n    method: 'post',\n    url: 'https://graph.microsoft.com/v1.0/me/sendMail',\n  }}"
        );
        let s = read(&axios).unwrap_or_default();
        assert_eq!(
            s.call,
            Some((
                "POST".into(),
                "https://graph.microsoft.com/v1.0/me/sendMail".into()
            ))
        );
        assert!(s.response.is_some_and(|r| r.starts_with("HTTP/1.1 403")));
    }

    #[test]
    fn an_implicit_grant_redirect_gives_its_token() {
        let console = "Navigated to https://login.example.com/oauth/authorize?response_type=token\nNavigated to https://app.example/cb#access_token=vT3kQm9xH2pLr8sYw1cZ6nB4&expires_in=86399\nGET https://api.example.com/v2/users/me 401 (Unauthorized)";
        let s = read(console).unwrap_or_default();
        assert_eq!(s.authorization, "vT3kQm9xH2pLr8sYw1cZ6nB4");
        assert_eq!(
            s.call,
            Some(("GET".into(), "https://api.example.com/v2/users/me".into()))
        );
        // Too short to be a token, or nothing after the `=`: no snippet.
        assert_eq!(
            read("see https://app.example/cb#access_token=abc&x=1"),
            None
        );
        assert_eq!(
            read("https://app.example/cb#access_token=&x=1 then 401"),
            None
        );
    }

    #[test]
    fn http2_headers_and_template_variables() {
        let h2 = format!(
            ":authority: graph.microsoft.com\n:method: GET\n:path: /v1.0/me/events?$top=1\n:scheme: https\nauthorization: Bearer {JWT}\nreferer: http://localhost:3000/"
        );
        let s = read(&h2).unwrap_or_default();
        assert_eq!(
            s.call,
            Some((
                "GET".into(),
                "https://graph.microsoft.com/v1.0/me/events?$top=1".into()
            ))
        );
        let rest = read("@token = {{$aadToken}}\nGET https://graph.microsoft.com/v1.0/me HTTP/1.1\nAuthorization: Bearer {{token}}").unwrap_or_default();
        assert_eq!(rest.authorization, "{{token}}");
        // No token: not a snippet. `token_type: bearer` names no token.
        assert_eq!(
            read(
                "oauth2: cannot fetch token: 401 Unauthorized\nResponse: {\"error\":\"invalid_client\"}"
            ),
            None
        );
        assert_eq!(
            read("{\"token_type\": \"bearer\",\n \"expires_in\": 3600}"),
            None
        );
    }
}
