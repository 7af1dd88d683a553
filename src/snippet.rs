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
        if word.starts_with(['$', '{', '<', '%', '#']) || word.len() >= 8 && !param && !wordy {
            return Some(word);
        }
    }
    None
}

/// A JWT standing alone among other words (`token eyJ…` in a console, `TOKEN=eyJ…`, `access_token: eyJ…`), when the
/// text holds exactly one.
pub fn lone_jwt(text: &str) -> Option<&str> {
    let mut found: Option<&str> = None;
    for word in text.split(|c: char| {
        c.is_whitespace()
            || matches!(
                c,
                '\'' | '"' | ',' | ';' | '=' | ':' | '(' | ')' | '`' | '\\'
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
                if !head.contains("referer") && !head.contains("origin") && url.len() > 10 {
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
    let mut from = 0usize;
    while let Some(at) = text.get(from..).and_then(|t| t.find("{\"")) {
        let start = from.saturating_add(at);
        let rest = text.get(start..)?;
        let mut values = serde_json::Deserializer::from_str(rest).into_iter::<serde_json::Value>();
        if let Some(Ok(serde_json::Value::Object(m))) = values.next() {
            if m.contains_key("error") || m.contains_key("message") || m.contains_key("code") {
                return rest.get(..values.byte_offset());
            }
        }
        from = start.saturating_add(2);
    }
    None
}

/// Reads a snippet: `None` unless the text holds a bearer token (or exactly one JWT among other words).
pub fn read(text: &str) -> Option<Snippet> {
    // The JWT written in the text wins over a variable after `Bearer` (`token = "eyJ…"` then `f"Bearer {token}"`).
    let word = match bearer_word(text) {
        Some(w) if !is_jwt(w) => lone_jwt(text).unwrap_or(w),
        Some(w) => w,
        None => lone_jwt(text)?,
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
    let response = match (head, body) {
        _ if raw.is_some() => raw.map(str::to_string),
        (Some(h), Some(b)) => Some(format!("{h}{b}")),
        (Some(h), None) => Some(h),
        (None, Some(b)) => Some(b.to_string()),
        (None, None) => None,
    };
    Some(Snippet {
        authorization: word.to_string(),
        call: call.map(|(m, u, _)| (m, u)),
        response,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    const JWT: &str = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhYmNkZWZnaGlqa2xtbm9wIn0.c2lnbmF0dXJl";

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
