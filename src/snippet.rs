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

const METHODS: [&str; 7] = ["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS"];

/// Characters that end a token copied out of code or a log: quotes, commas, brackets.
fn trim_token(word: &str) -> &str {
    if word.starts_with("{{") {
        return word
            .get(..word.find("}}").map_or(word.len(), |i| i.saturating_add(2)))
            .unwrap_or(word);
    }
    word.trim_end_matches(['\'', '"', ',', ';', ')', ']', '}', '`', '\\'])
}

/// The word after the first `Bearer ` (any case) of the text, as a token would be copied from it.
fn bearer_word(text: &str) -> Option<&str> {
    let lower = text.to_ascii_lowercase();
    let mut from = 0usize;
    while let Some(at) = lower.get(from..).and_then(|l| l.find("bearer")) {
        let start = from.saturating_add(at);
        let after = start.saturating_add(6);
        from = after;
        // A word of its own: not inside another (`token_type: bearer` and `Bearer realm=` are no token).
        let before_ok = text
            .get(..start)
            .and_then(|h| h.chars().next_back())
            .is_none_or(|c| !c.is_ascii_alphanumeric());
        let rest = text.get(after..).unwrap_or("");
        if !before_ok || !rest.starts_with([' ', '\t']) {
            continue;
        }
        let word = rest.trim_start_matches([' ', '\t']);
        let word = word.get(..word.find(char::is_whitespace).unwrap_or(word.len()))?;
        let word = trim_token(word);
        // `Bearer realm="…"` is a challenge, not a token.
        let param = word
            .split_once('=')
            .is_some_and(|(k, _)| k.bytes().all(|b| b.is_ascii_alphabetic() || b == b'_'));
        if word.len() >= 8 && !param || word.starts_with(['$', '{', '<', '%']) {
            return Some(word);
        }
    }
    None
}

/// A JWT standing alone among other words (`token eyJ…` in a console), when the text holds exactly one.
fn lone_jwt(text: &str) -> Option<&str> {
    let mut found: Option<&str> = None;
    for word in text.split(|c: char| c.is_whitespace() || matches!(c, '\'' | '"' | ',' | ';')) {
        if word.starts_with("eyJ")
            && word.len() > 40
            && word.bytes().filter(|b| *b == b'.').count() == 2
            && word
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        {
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

/// The call the text names: HTTP/2 pseudo-headers (`:method`, `:authority`, `:path`); a method next to a URL
/// (`GET https://…`, `HTTP GET https://…`); or else the first URL with a method found elsewhere (`method: 'post'`,
/// `requests.request("GET", url`).
fn call_of(text: &str) -> Option<(String, String)> {
    let pseudo = |name: &str| {
        text.lines()
            .find_map(|l| l.trim().strip_prefix(name).map(str::trim))
    };
    if let (Some(m), Some(a), Some(p)) =
        (pseudo(":method:"), pseudo(":authority:"), pseudo(":path:"))
    {
        let scheme = pseudo(":scheme:").unwrap_or("https");
        return Some((m.to_ascii_uppercase(), format!("{scheme}://{a}{p}")));
    }
    let mut first_url: Option<&str> = None;
    for line in text.lines() {
        let mut words = line.split_whitespace().peekable();
        while let Some(w) = words.next() {
            let w = w.trim_matches(|c: char| matches!(c, '\'' | '"' | '[' | '(' | ':'));
            if METHODS.contains(&w) {
                if let Some(next) = words.peek() {
                    let next = next.trim_start_matches(['\'', '"']);
                    if next.starts_with("https://") || next.starts_with("http://") {
                        return Some((w.to_string(), url_at(next).to_string()));
                    }
                }
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
    }
    let url = first_url?;
    // `method: 'post'`, `"method": "GET"`, `request("GET", …)`.
    let lower = text.to_ascii_lowercase();
    let method = METHODS
        .iter()
        .filter_map(|m| {
            let l = m.to_ascii_lowercase();
            ["'", "\""]
                .iter()
                .filter_map(|q| lower.find(&format!("{q}{l}{q}")))
                .min()
                .map(|at| (at, *m))
        })
        .min()
        .map_or("GET", |(_, m)| m);
    Some((method.to_string(), url.to_string()))
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
    let word = bearer_word(text).or_else(|| lone_jwt(text))?;
    // A raw answer in the text (from its status line on) is taken whole: its challenge says the most.
    let raw = text.match_indices('\n').find_map(|(at, _)| {
        let rest = text.get(at.saturating_add(1)..)?.trim_start();
        rest.starts_with("HTTP/").then_some(rest)
    });
    let status = crate::response::refusal_in_text(text);
    let body = json_body(text);
    let response = match (status, body) {
        _ if raw.is_some() => raw.map(str::to_string),
        (Some(s), Some(b)) => Some(format!("HTTP/1.1 {s}\r\n\r\n{b}")),
        (Some(s), None) => Some(format!("HTTP/1.1 {s}\r\n\r\n")),
        (None, Some(b)) => Some(b.to_string()),
        (None, None) => None,
    };
    Some(Snippet {
        authorization: word.to_string(),
        call: call_of(text),
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
