//! Live checks, the pure part: everything about introspection (RFC 7662), discovery (OpenID Connect Discovery
//! and RFC 8414) and Genesys Cloud `GET /api/v2/tokens/me` that does not need the network. It reads the options
//! the JS API receives, builds the exact request to send (URL, headers, form body), decides which address may
//! receive a token, turns what the browser observed into a result or a failure of a named kind with a plain
//! explanation, and writes the same request as a curl and a PowerShell command with the token and the secret
//! left as placeholders unless the user asks to include them.
//!
//! `live` (wasm only) is the thin layer that sends the request with `fetch` and reports what it observed.

use crate::json::clip;
use base64::Engine as _;
use serde_json::{Map, Value, json};

/// The default time a live check waits for an answer, in milliseconds.
pub const DEFAULT_TIMEOUT_MS: u32 = 10_000;
/// The longest timeout accepted, in milliseconds.
pub const MAX_TIMEOUT_MS: u32 = 120_000;
/// The longest a no-cors probe (sent after a failure, to tell a CORS block from a network error) waits.
pub const PROBE_TIMEOUT_MS: u32 = 5_000;
/// The largest answer read, in bytes (a Genesys `users/me?expand=authorization` can list thousands of
/// permissions; introspection and discovery documents are a few kilobytes).
pub const MAX_BODY_BYTES: usize = 8 << 20;
/// Placeholder for the token being checked, in the commands.
pub const TOKEN_PLACEHOLDER: &str = "<ACCESS_TOKEN>";
/// Placeholder for the client secret, in the commands.
pub const SECRET_PLACEHOLDER: &str = "<CLIENT_SECRET>";
/// Placeholder for the bearer token that authorizes an introspection call, in the commands.
pub const BEARER_PLACEHOLDER: &str = "<INTROSPECTION_BEARER_TOKEN>";

// ---------------------------------------------------------------------------------------------------------------
// Addresses

/// A parsed `http(s)` address that Token Doctor agrees to send to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// `https` or `http` (lower case).
    pub scheme: String,
    /// Host and port as typed (`api.example.com:8443`).
    pub authority: String,
    /// The host, lower case, without the port (IPv6 keeps its brackets).
    pub host: String,
    /// The path, `""` or starting with `/`.
    pub path: String,
    /// The query with its `?`, or `""`.
    pub query: String,
}

impl Target {
    /// `scheme://authority`.
    pub fn origin(&self) -> String {
        format!("{}://{}", self.scheme, self.authority)
    }
    /// The whole address.
    pub fn href(&self) -> String {
        format!("{}{}{}", self.origin(), self.path, self.query)
    }
}

/// Whether a host name is this computer (`localhost`, `*.localhost`, `127.x.y.z`, `[::1]`).
pub fn is_loopback(host: &str) -> bool {
    let h = host.to_ascii_lowercase();
    if h == "localhost" || h.ends_with(".localhost") || h == "[::1]" {
        return true;
    }
    let parts: Vec<&str> = h.split('.').collect();
    parts.len() == 4
        && parts.first() == Some(&"127")
        && parts
            .iter()
            .all(|p| !p.is_empty() && p.len() <= 3 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// Parses an address the user typed and applies the sending policy: `https`, or plain `http` only to this
/// computer (a token sent over plain http to another machine can be read on the way); no `user:password@`; no
/// fragment. The error is a sentence for the user.
pub fn parse_target(input: &str) -> Result<Target, String> {
    let url = input.trim();
    if url.is_empty() {
        return Err("the address is empty".into());
    }
    if url.chars().any(|c| c.is_whitespace() || c.is_control()) {
        return Err(format!(
            "`{}` contains spaces or line breaks; an address has none",
            clip(url, 120)
        ));
    }
    let Some((scheme, rest)) = url.split_once("://") else {
        return Err(format!(
            "`{}` is not a full address: start it with https://",
            clip(url, 120)
        ));
    };
    let scheme = scheme.to_ascii_lowercase();
    if scheme != "https" && scheme != "http" {
        return Err(format!(
            "`{scheme}:` addresses are not supported; use https://"
        ));
    }
    if rest.contains('#') {
        return Err(format!(
            "`{}` has a #fragment; an endpoint address has none",
            clip(url, 120)
        ));
    }
    let end = rest.find(['/', '?']).unwrap_or(rest.len());
    let authority = rest.get(..end).unwrap_or_default();
    let after = rest.get(end..).unwrap_or_default();
    let (path, query) = match after.find('?') {
        Some(q) => (
            after.get(..q).unwrap_or_default(),
            after.get(q..).unwrap_or_default(),
        ),
        None => (after, ""),
    };
    if authority.contains('@') {
        return Err(
            "the address carries a user name or password (`user:pass@host`); put credentials in the client fields instead"
                .into(),
        );
    }
    let (host, port) = if authority.starts_with('[') {
        match authority.find(']') {
            Some(close) => (
                authority.get(..=close).unwrap_or_default(),
                authority.get(close.saturating_add(1)..).unwrap_or_default(),
            ),
            None => return Err(format!("`{authority}` is not a valid host")),
        }
    } else {
        match authority.find(':') {
            Some(colon) => (
                authority.get(..colon).unwrap_or_default(),
                authority.get(colon..).unwrap_or_default(),
            ),
            None => (authority, ""),
        }
    };
    if host.is_empty() || host == "[]" {
        return Err(format!("`{}` has no host name", clip(url, 120)));
    }
    if !port.is_empty() {
        let digits = port.strip_prefix(':').unwrap_or("x");
        if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) || digits.len() > 5 {
            return Err(format!("`{authority}` has an invalid port"));
        }
    }
    let host = host.to_ascii_lowercase();
    if scheme == "http" && !is_loopback(&host) {
        return Err(format!(
            "Token Doctor sends tokens and secrets only over https; `{}` would send them unencrypted to another machine (plain http is accepted only for this computer: localhost, 127.0.0.1)",
            clip(url, 120)
        ));
    }
    Ok(Target {
        scheme,
        authority: authority.to_string(),
        host,
        path: path.to_string(),
        query: query.to_string(),
    })
}

// ---------------------------------------------------------------------------------------------------------------
// Encoding

/// `application/x-www-form-urlencoded` encoding of one name or value (WHATWG URL standard: ASCII letters,
/// digits and `*-._` stay, space becomes `+`, every other byte `%XX`).
pub fn form_encode(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for b in text.bytes() {
        match b {
            b'a'..=b'z' | b'A'..=b'Z' | b'0'..=b'9' | b'*' | b'-' | b'.' | b'_' => {
                out.push(char::from(b));
            }
            b' ' => out.push('+'),
            _ => out.push_str(&format!("%{b:02X}")),
        }
    }
    out
}

/// A form body from name/value pairs.
pub fn form_body(pairs: &[(String, String)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{}={}", form_encode(k), form_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

/// The `Authorization` value of `client_secret_basic`: RFC 6749 §2.3.1 form-encodes the client id and secret
/// before joining them with `:` and encoding them as base64.
pub fn basic_authorization(client_id: &str, client_secret: &str) -> String {
    let pair = format!("{}:{}", form_encode(client_id), form_encode(client_secret));
    format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(pair)
    )
}

/// Quotes a value for a POSIX shell (single quotes; a `'` inside becomes `'\''`).
pub fn sh_quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

/// Quotes a value for PowerShell (single quotes; PowerShell also treats the typographic quotes as quotes, so
/// every kind is doubled).
pub fn ps_quote(text: &str) -> String {
    let mut out = String::with_capacity(text.len().saturating_add(2));
    out.push('\'');
    for c in text.chars() {
        if matches!(c, '\'' | '\u{2018}' | '\u{2019}' | '\u{201A}' | '\u{201B}') {
            out.push(c);
        }
        out.push(c);
    }
    out.push('\'');
    out
}

// ---------------------------------------------------------------------------------------------------------------
// The request

/// A value in a request that may be secret: the real value is sent; the commands show the placeholder unless
/// the user asked to include secrets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// What is sent.
    pub value: String,
    /// What the commands show instead, for secrets; `None` for values that are not secret.
    pub placeholder: Option<&'static str>,
}

impl Part {
    /// A value that is not secret.
    pub fn plain(value: impl Into<String>) -> Self {
        Part {
            value: value.into(),
            placeholder: None,
        }
    }
    /// A secret value and its placeholder.
    pub fn secret(value: impl Into<String>, placeholder: &'static str) -> Self {
        Part {
            value: value.into(),
            placeholder: Some(placeholder),
        }
    }
    fn shown(&self, include_secrets: bool) -> &str {
        match self.placeholder {
            Some(p) if !include_secrets => p,
            _ => &self.value,
        }
    }
}

/// HTTP method of a live check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Method {
    /// GET.
    Get,
    /// POST (form body).
    Post,
}

/// A live-check request, described once; [`Call::wire`] gives what `fetch` sends and [`Call::commands`] the
/// same request for a terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Call {
    /// GET or POST.
    pub method: Method,
    /// The address (already checked by [`parse_target`]).
    pub url: String,
    /// `client_secret_basic` credentials: client id and secret.
    pub basic: Option<(Part, Part)>,
    /// A bearer token for the `Authorization` header.
    pub bearer: Option<Part>,
    /// Form fields (POST only).
    pub form: Vec<(String, Part)>,
}

/// What `fetch` sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Wire {
    /// GET or POST.
    pub method: Method,
    /// The address.
    pub url: String,
    /// Header names and values.
    pub headers: Vec<(String, String)>,
    /// The form body, for POST.
    pub body: Option<String>,
}

/// The same request as commands to run outside the browser.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Commands {
    /// A curl command (POSIX shell quoting).
    pub curl: String,
    /// A PowerShell `Invoke-RestMethod` command.
    pub powershell: String,
}

impl Call {
    /// The request `fetch` sends, with the real values.
    pub fn wire(&self) -> Wire {
        let mut headers = vec![("Accept".to_string(), "application/json".to_string())];
        if let Some((id, secret)) = &self.basic {
            headers.push((
                "Authorization".into(),
                basic_authorization(&id.value, &secret.value),
            ));
        } else if let Some(b) = &self.bearer {
            headers.push(("Authorization".into(), format!("Bearer {}", b.value)));
        }
        let body = match self.method {
            Method::Post => {
                headers.push((
                    "Content-Type".into(),
                    "application/x-www-form-urlencoded".into(),
                ));
                let pairs: Vec<(String, String)> = self
                    .form
                    .iter()
                    .map(|(k, v)| (k.clone(), v.value.clone()))
                    .collect();
                Some(form_body(&pairs))
            }
            Method::Get => None,
        };
        Wire {
            method: self.method,
            url: self.url.clone(),
            headers,
            body,
        }
    }

    /// The request as a curl and a PowerShell command. Secrets show as placeholders unless `include_secrets`.
    pub fn commands(&self, include_secrets: bool) -> Commands {
        let mut curl = vec!["curl".to_string(), "-sS".into()];
        let mut ps_headers = vec![format!(
            "{} = {}",
            ps_quote("Accept"),
            ps_quote("application/json")
        )];
        curl.push("-H".into());
        curl.push(sh_quote("Accept: application/json"));
        if let Some((id, secret)) = &self.basic {
            // The same form-encoding the page applies (RFC 6749 §2.3.1); placeholders stay readable.
            let enc = |p: &Part| match p.placeholder {
                Some(ph) if !include_secrets => ph.to_string(),
                _ => form_encode(&p.value),
            };
            let pair = format!("{}:{}", enc(id), enc(secret));
            curl.push("-u".into());
            curl.push(sh_quote(&pair));
            ps_headers.push(format!(
                "{} = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes({}))",
                ps_quote("Authorization"),
                ps_quote(&pair)
            ));
        } else if let Some(b) = &self.bearer {
            let value = format!("Bearer {}", b.shown(include_secrets));
            curl.push("-H".into());
            curl.push(sh_quote(&format!("Authorization: {value}")));
            ps_headers.push(format!(
                "{} = {}",
                ps_quote("Authorization"),
                ps_quote(&value)
            ));
        }
        let mut ps = vec![
            "Invoke-RestMethod".to_string(),
            "-Method".into(),
            match self.method {
                Method::Get => "Get".into(),
                Method::Post => "Post".into(),
            },
            "-Uri".into(),
            ps_quote(&self.url),
            "-Headers".into(),
            format!("@{{ {} }}", ps_headers.join("; ")),
        ];
        if self.method == Method::Post {
            for (k, v) in &self.form {
                curl.push("--data-urlencode".into());
                curl.push(sh_quote(&format!("{k}={}", v.shown(include_secrets))));
            }
            let fields: Vec<String> = self
                .form
                .iter()
                .map(|(k, v)| format!("{} = {}", ps_quote(k), ps_quote(v.shown(include_secrets))))
                .collect();
            ps.push("-ContentType".into());
            ps.push(ps_quote("application/x-www-form-urlencoded"));
            ps.push("-Body".into());
            ps.push(format!("@{{ {} }}", fields.join("; ")));
        }
        curl.push(sh_quote(&self.url));
        ps.push("| ConvertTo-Json -Depth 20".into());
        Commands {
            curl: curl.join(" "),
            powershell: ps.join(" "),
        }
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Options (what the JS API receives)

fn obj<'a>(v: &'a Value, api: &str) -> Result<&'a Map<String, Value>, String> {
    v.as_object()
        .ok_or_else(|| format!("{api}(options): options must be an object"))
}

fn opt_str(m: &Map<String, Value>, key: &str, api: &str) -> Result<Option<String>, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
        Some(_) => Err(format!("{api}(options): `{key}` must be a string")),
    }
}

fn opt_bool(m: &Map<String, Value>, key: &str, api: &str) -> Result<bool, String> {
    match m.get(key) {
        None | Some(Value::Null) => Ok(false),
        Some(Value::Bool(b)) => Ok(*b),
        Some(_) => Err(format!("{api}(options): `{key}` must be true or false")),
    }
}

fn timeout_of(m: &Map<String, Value>, api: &str) -> Result<u32, String> {
    match m.get("timeoutMs") {
        None | Some(Value::Null) => Ok(DEFAULT_TIMEOUT_MS),
        Some(Value::Number(n)) => match n.as_f64() {
            Some(f) if f.is_finite() && f >= 1.0 && f <= f64::from(MAX_TIMEOUT_MS) =>
            {
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                Ok(f.round() as u32)
            }
            _ => Err(format!(
                "{api}(options): `timeoutMs` must be between 1 and {MAX_TIMEOUT_MS} (milliseconds)"
            )),
        },
        Some(_) => Err(format!("{api}(options): `timeoutMs` must be a number")),
    }
}

/// The token as pasted, without a `Bearer ` prefix or surrounding white space.
fn clean_token(token: &str) -> String {
    let t = token.trim();
    let lower = t.get(..7).map(str::to_ascii_lowercase);
    match lower.as_deref() {
        Some("bearer ") => t.get(7..).unwrap_or_default().trim().to_string(),
        _ => t.to_string(),
    }
}

/// How the introspecting client authenticates (RFC 7662 §2.1 requires some authorization).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClientAuth {
    /// `client_secret_basic`: id and secret in the `Authorization: Basic` header.
    Basic,
    /// `client_secret_post`: id and secret in the form body.
    Post,
    /// A bearer token in the `Authorization` header.
    Bearer,
}

/// The options of `introspect`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IntrospectOptions {
    /// The introspection endpoint.
    pub endpoint: Target,
    /// The token to introspect.
    pub token: String,
    /// The introspecting client's id.
    pub client_id: Option<String>,
    /// Its secret (kept in memory only).
    pub client_secret: Option<String>,
    /// How the client authenticates.
    pub auth: ClientAuth,
    /// The bearer token, for `auth: "bearer"`.
    pub bearer: Option<String>,
    /// Milliseconds to wait.
    pub timeout_ms: u32,
    /// Whether the commands show the token and secret instead of placeholders.
    pub include_secrets: bool,
}

impl IntrospectOptions {
    /// Reads `{ endpoint, token, clientId, clientSecret, auth, bearer, timeoutMs, includeSecrets }`.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        const API: &str = "introspect";
        let m = obj(v, API)?;
        let endpoint = opt_str(m, "endpoint", API)?.ok_or(
            "introspect(options): `endpoint` (the introspection endpoint URL) is required",
        )?;
        let endpoint = parse_target(&endpoint).map_err(|e| format!("introspect: {e}"))?;
        let token = opt_str(m, "token", API)?
            .map(|t| clean_token(&t))
            .filter(|t| !t.is_empty())
            .ok_or("introspect(options): `token` (the token to introspect) is required")?;
        let client_id = opt_str(m, "clientId", API)?;
        let client_secret = match m.get("clientSecret") {
            Some(Value::String(s)) if !s.is_empty() => Some(s.clone()),
            None | Some(Value::Null) | Some(Value::String(_)) => None,
            Some(_) => return Err("introspect(options): `clientSecret` must be a string".into()),
        };
        let bearer = opt_str(m, "bearer", API)?.map(|b| clean_token(&b));
        let auth = match opt_str(m, "auth", API)?.as_deref() {
            Some("basic") => ClientAuth::Basic,
            Some("post") => ClientAuth::Post,
            Some("bearer") => ClientAuth::Bearer,
            None if bearer.is_some() && client_id.is_none() => ClientAuth::Bearer,
            None => ClientAuth::Basic,
            Some(other) => {
                return Err(format!(
                    "introspect(options): `auth` is `{other}`; use \"basic\" (client_secret_basic), \"post\" (client_secret_post) or \"bearer\""
                ));
            }
        };
        match auth {
            ClientAuth::Basic | ClientAuth::Post if client_id.is_none() => {
                return Err("introspect(options): `clientId` is required to authenticate the introspecting client (or use auth: \"bearer\" with `bearer`)".into());
            }
            ClientAuth::Bearer if bearer.is_none() => {
                return Err(
                    "introspect(options): auth \"bearer\" needs `bearer`, the token that authorizes the introspection call"
                        .into(),
                );
            }
            _ => {}
        }
        Ok(IntrospectOptions {
            endpoint,
            token,
            client_id,
            client_secret,
            auth,
            bearer,
            timeout_ms: timeout_of(m, API)?,
            include_secrets: opt_bool(m, "includeSecrets", API)?,
        })
    }

    /// The RFC 7662 request: POST `token=...&token_type_hint=access_token`, with the client authentication.
    pub fn call(&self) -> Call {
        let mut form = vec![
            (
                "token".to_string(),
                Part::secret(self.token.clone(), TOKEN_PLACEHOLDER),
            ),
            ("token_type_hint".to_string(), Part::plain("access_token")),
        ];
        let id = Part::plain(self.client_id.clone().unwrap_or_default());
        let secret = Part::secret(
            self.client_secret.clone().unwrap_or_default(),
            SECRET_PLACEHOLDER,
        );
        let (basic, bearer) = match self.auth {
            ClientAuth::Basic => (Some((id, secret)), None),
            ClientAuth::Post => {
                form.push(("client_id".into(), id));
                if self.client_secret.is_some() {
                    form.push(("client_secret".into(), secret));
                }
                (None, None)
            }
            ClientAuth::Bearer => (
                None,
                Some(Part::secret(
                    self.bearer.clone().unwrap_or_default(),
                    BEARER_PLACEHOLDER,
                )),
            ),
        };
        Call {
            method: Method::Post,
            url: self.endpoint.href(),
            basic,
            bearer,
            form,
        }
    }
}

/// The options of `discover`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DiscoverOptions {
    /// The issuer as in the token's `iss`.
    pub issuer: String,
    /// The documents to try, in order.
    pub urls: Vec<String>,
    /// Milliseconds to wait for each.
    pub timeout_ms: u32,
}

impl DiscoverOptions {
    /// Reads `{ issuer, timeoutMs }`.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        const API: &str = "discover";
        let m = obj(v, API)?;
        let issuer = opt_str(m, "issuer", API)?
            .ok_or("discover(options): `issuer` (the token's iss) is required")?;
        let urls = discovery_urls(&issuer).map_err(|e| format!("discover: {e}"))?;
        Ok(DiscoverOptions {
            issuer,
            urls,
            timeout_ms: timeout_of(m, API)?,
        })
    }
}

/// The options of `genesysTokenInfo`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GenesysOptions {
    /// `https://api.{domain}` (or the `apiHost` override).
    pub base: String,
    /// The token.
    pub token: String,
    /// Whether to also ask `users/me?expand=authorization`.
    pub with_user: bool,
    /// Milliseconds to wait for each call.
    pub timeout_ms: u32,
    /// Whether the commands show the token.
    pub include_secrets: bool,
}

impl GenesysOptions {
    /// Reads `{ region | apiHost, token, timeoutMs, withUser, includeSecrets }`.
    pub fn from_json(v: &Value) -> Result<Self, String> {
        const API: &str = "genesysTokenInfo";
        let m = obj(v, API)?;
        let base = genesys_api_base(
            opt_str(m, "region", API)?.as_deref(),
            opt_str(m, "apiHost", API)?.as_deref(),
        )
        .map_err(|e| format!("genesysTokenInfo: {e}"))?;
        let token = opt_str(m, "token", API)?
            .map(|t| clean_token(&t))
            .filter(|t| !t.is_empty())
            .ok_or("genesysTokenInfo(options): `token` is required")?;
        Ok(GenesysOptions {
            base,
            token,
            with_user: opt_bool(m, "withUser", API)?,
            timeout_ms: timeout_of(m, API)?,
            include_secrets: opt_bool(m, "includeSecrets", API)?,
        })
    }

    fn get(&self, path: &str) -> Call {
        Call {
            method: Method::Get,
            url: format!("{}{path}", self.base),
            basic: None,
            bearer: Some(Part::secret(self.token.clone(), TOKEN_PLACEHOLDER)),
            form: Vec::new(),
        }
    }
    /// `GET /api/v2/tokens/me` with the token as Bearer.
    pub fn tokens_me(&self) -> Call {
        self.get("/api/v2/tokens/me")
    }
    /// `GET /api/v2/users/me?expand=authorization` with the token as Bearer.
    pub fn users_me(&self) -> Call {
        self.get("/api/v2/users/me?expand=authorization")
    }
}

/// A discovery document GET (no token, no secret).
pub fn discovery_call(url: &str) -> Call {
    Call {
        method: Method::Get,
        url: url.to_string(),
        basic: None,
        bearer: None,
        form: Vec::new(),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Discovery

/// The metadata documents for an issuer, in the order tried: OpenID Connect Discovery 1.0 §4 (appended to the
/// issuer), RFC 8414 §3.1 (`/.well-known/oauth-authorization-server` inserted between the host and the issuer's
/// path), and for an issuer with a path the appended RFC 8414 form some servers also serve (Keycloak realms).
pub fn discovery_urls(issuer: &str) -> Result<Vec<String>, String> {
    let t = parse_target(issuer)?;
    if !t.query.is_empty() {
        return Err(format!(
            "the issuer `{}` has a query; an issuer identifier has none (RFC 8414 §2)",
            clip(issuer.trim(), 120)
        ));
    }
    let origin = t.origin();
    let path = t.path.trim_end_matches('/');
    let mut urls = vec![
        format!("{origin}{path}/.well-known/openid-configuration"),
        format!("{origin}/.well-known/oauth-authorization-server{path}"),
    ];
    if !path.is_empty() {
        urls.push(format!(
            "{origin}{path}/.well-known/oauth-authorization-server"
        ));
    }
    Ok(urls)
}

/// Warnings about a discovery document: a different `issuer` than expected (RFC 8414 §3.3 and OpenID Connect
/// Discovery §4.3 require them to be identical), no introspection endpoint, no `jwks_uri`.
pub fn discovery_warnings(expected_issuer: &str, doc: &Map<String, Value>) -> Vec<String> {
    let mut out = Vec::new();
    let expected = expected_issuer.trim();
    match doc.get("issuer").and_then(Value::as_str) {
        None => out.push("The document has no `issuer`; it may not be an authorization server's metadata.".into()),
        Some(i) if i == expected => {}
        Some(i) if i.trim_end_matches('/') == expected.trim_end_matches('/') => out.push(format!(
            "The document's issuer `{i}` and the token's iss `{expected}` differ only by a trailing slash. Issuers are compared as exact strings: an API configured with one rejects tokens carrying the other."
        )),
        Some(i) => out.push(format!(
            "The document's issuer `{i}` is not the token's iss `{expected}`. The two must be identical (RFC 8414 §3.3): the token was issued under another host name, port, path or tenant than the server now calls itself, and an API that checks iss against this server rejects it (introspection through another host name can also answer active: false)."
        )),
    }
    match doc.get("introspection_endpoint").and_then(Value::as_str) {
        None => out.push("The server does not advertise an introspection endpoint (`introspection_endpoint`); ask its administrator whether introspection is enabled, or use the platform's own token-info call.".into()),
        // The document comes from the host the token names, which anyone can mint a token for: an endpoint
        // elsewhere is where the token and the client secret would go.
        Some(e) if same_origin(e, expected) == Some(false) => out.push(format!(
            "The introspection endpoint `{}` is on another origin than the issuer ({}). Check that it is your authorization server's before you introspect: the token and the client secret are sent there.",
            clip(e.trim(), 120),
            origin_of(expected)
        )),
        Some(_) => {}
    }
    if doc.get("jwks_uri").and_then(Value::as_str).is_none() {
        out.push("The server does not advertise `jwks_uri`: its tokens' signatures cannot be checked with discovered keys.".into());
    }
    out
}

/// Whether discovery should try the next document after this failure: yes for a missing document (404, 400,
/// 405...) or an answer that is not JSON; no for a blocked, unreachable or slow server (the next document is on
/// the same origin and would fail the same way).
pub fn discovery_tries_next(f: &Failure) -> bool {
    matches!(f.kind, Kind::Http | Kind::NotJson) && f.status.is_some_and(|s| s < 500)
}

// ---------------------------------------------------------------------------------------------------------------
// Genesys Cloud

/// Genesys Cloud regions and their domains (SDK `PureCloudRegionHosts`, 2026-08; see
/// shared research `matrix_sources.md`). API host = `api.` + domain. The one copy: `scripts/gen_matrices.py`
/// reads this table for the Genesys matrix's hosts and regions.
pub const GENESYS_REGIONS: [(&str, &str); 18] = [
    ("us_east_1", "mypurecloud.com"),
    ("eu_west_1", "mypurecloud.ie"),
    ("ap_southeast_2", "mypurecloud.com.au"),
    ("ap_northeast_1", "mypurecloud.jp"),
    ("eu_central_1", "mypurecloud.de"),
    ("us_west_2", "usw2.pure.cloud"),
    ("ca_central_1", "cac1.pure.cloud"),
    ("ap_northeast_2", "apne2.pure.cloud"),
    ("eu_west_2", "euw2.pure.cloud"),
    ("ap_south_1", "aps1.pure.cloud"),
    ("us_east_2", "use2.us-gov-pure.cloud"),
    ("sa_east_1", "sae1.pure.cloud"),
    ("me_central_1", "mec1.pure.cloud"),
    ("ap_northeast_3", "apne3.pure.cloud"),
    ("eu_central_2", "euc2.pure.cloud"),
    ("mx_central_1", "mxc1.pure.cloud"),
    ("ap_southeast_1", "apse1.pure.cloud"),
    ("eusc_de_east_1", "edee1.eusc-pure.cloud"),
];

/// The Genesys Cloud API base URL (`https://api.{domain}`) from a region (`us_east_1`, `us-east-1`,
/// `mypurecloud.com`, `api.mypurecloud.com`, `login.mypurecloud.ie`, or such a URL), or from an `apiHost`
/// override (`api.example.com`, a URL, or `127.0.0.1:PORT`, which gets plain http for local tests only).
pub fn genesys_api_base(region: Option<&str>, api_host: Option<&str>) -> Result<String, String> {
    if let Some(host) = api_host {
        let url = if host.contains("://") {
            host.to_string()
        } else {
            let h = host.split(['/', ':']).next().unwrap_or_default();
            let scheme = if is_loopback(h) { "http" } else { "https" };
            format!("{scheme}://{host}")
        };
        let t = parse_target(&url)?;
        if !t.path.trim_matches('/').is_empty() || !t.query.is_empty() {
            return Err(format!(
                "apiHost `{host}` should be a host (and port) only, like api.mypurecloud.com"
            ));
        }
        return Ok(t.origin());
    }
    let Some(region) = region else {
        return Err("`region` (like mypurecloud.com or us_east_1) or `apiHost` is required".into());
    };
    let r = region.trim().to_ascii_lowercase();
    let r = r
        .split_once("://")
        .map_or(r.as_str(), |(_, rest)| rest)
        .split('/')
        .next()
        .unwrap_or_default()
        .to_string();
    let id = r.replace('-', "_");
    let domain = GENESYS_REGIONS
        .iter()
        .find(|(rid, d)| {
            *rid == id
                || *d == r
                || r.strip_prefix("api.") == Some(d)
                || r.strip_prefix("login.") == Some(d)
                || r.strip_prefix("apps.") == Some(d)
        })
        .map(|(_, d)| *d);
    match domain {
        Some(d) => Ok(format!("https://api.{d}")),
        None => Err(format!(
            "`{region}` is not a Genesys Cloud region; use one of: {}",
            GENESYS_REGIONS
                .iter()
                .map(|(_, d)| *d)
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

/// Whether a `TokenInfo` says the token is a client-credentials token (no user: `users/me` would answer 400).
pub fn genesys_is_client_credentials(token_info: &Value) -> bool {
    token_info
        .get("OAuthClient")
        .and_then(|c| c.get("authorizedGrantType"))
        .and_then(Value::as_str)
        .is_some_and(|g| {
            let g = g.to_ascii_uppercase().replace('_', "-");
            g == "CLIENT-CREDENTIALS"
        })
}

/// The user's permissions from `GET /api/v2/users/me?expand=authorization` (`authorization.permissions`).
pub fn genesys_permissions(user: &Value) -> Option<Vec<String>> {
    user.get("authorization")?
        .get("permissions")?
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(Value::as_str)
                .map(str::to_string)
                .collect()
        })
}

// ---------------------------------------------------------------------------------------------------------------
// Failures

/// Why a live check did not produce an answer to use.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// The browser blocked the answer: the server answered but did not allow this page's origin.
    Cors,
    /// No answer at all: unreachable, refused, DNS, TLS, or the page's own Content-Security-Policy.
    Network,
    /// No answer within the timeout; the request was cancelled.
    Timeout,
    /// An answer with an error status (or a redirect, which is not followed).
    Http,
    /// A success status, but the answer is not JSON (or not a JSON object).
    NotJson,
    /// The caller cancelled the request (its `signal` was aborted).
    Aborted,
    /// The browser would not build the request: a header value it refuses (a line break, a character outside
    /// Latin-1) or an address it cannot parse. Nothing was sent.
    Unsendable,
}

/// A failed live check, explained.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The kind.
    pub kind: Kind,
    /// The HTTP status, when there was an answer.
    pub status: Option<u16>,
    /// A plain explanation.
    pub message: String,
}

/// Which call it was, for the explanation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Purpose {
    /// RFC 7662 introspection.
    Introspection,
    /// A discovery document.
    Discovery,
    /// Genesys `GET /api/v2/tokens/me`.
    GenesysTokens,
    /// Genesys `GET /api/v2/users/me?expand=authorization`.
    GenesysUser,
}

/// What the browser observed when sending.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    /// The timeout fired first.
    TimedOut {
        /// The timeout, ms.
        timeout_ms: u32,
    },
    /// The caller's signal aborted it.
    Aborted,
    /// `fetch` rejected without an answer (`TypeError: Failed to fetch`). `probe_answered`: whether a
    /// credential-free `no-cors` GET to the same address got an answer afterwards.
    Failed {
        /// Whether the probe got an answer.
        probe_answered: bool,
    },
    /// The browser refused to build the request (`Headers.set` or `new Request` threw): nothing was sent.
    /// `reason`: the browser's message.
    Unsendable {
        /// The browser's message.
        reason: String,
    },
    /// The server answered with a redirect, which is not followed when a token or secret is sent.
    Redirected,
    /// An answer.
    Answered {
        /// Status.
        status: u16,
        /// `Content-Type`, or `""`.
        content_type: String,
        /// The body text (at most [`MAX_BODY_BYTES`]).
        body: String,
        /// Whether the body was longer than [`MAX_BODY_BYTES`].
        too_large: bool,
    },
}

/// Whether two addresses have the same scheme, host and port (a default port written out or not); None when
/// either is not one Token Doctor would send to.
fn same_origin(a: &str, b: &str) -> Option<bool> {
    let key = |url: &str| {
        parse_target(url).ok().map(|t| {
            let port = t
                .authority
                .rsplit_once(':')
                .filter(|(_, p)| !p.is_empty() && p.bytes().all(|b| b.is_ascii_digit()))
                .map(|(_, p)| p.to_string());
            let default = if t.scheme == "https" { "443" } else { "80" };
            (
                t.scheme,
                t.host,
                port.unwrap_or_else(|| default.to_string()),
            )
        })
    };
    Some(key(a)? == key(b)?)
}

fn origin_of(url: &str) -> String {
    parse_target(url).map_or_else(|_| url.to_string(), |t| t.origin())
}

fn what(purpose: Purpose) -> &'static str {
    match purpose {
        Purpose::Introspection => "the introspection endpoint",
        Purpose::Discovery => "the discovery document",
        Purpose::GenesysTokens => "Genesys Cloud (GET /api/v2/tokens/me)",
        Purpose::GenesysUser => "Genesys Cloud (GET /api/v2/users/me)",
    }
}

/// The server's own words from an error body (OAuth `error` / `error_description`, Genesys `message` / `code`).
fn server_words(body: &str) -> Option<String> {
    let v: Value = serde_json::from_str(body).ok()?;
    let m = v.as_object()?;
    let pick = |k: &str| m.get(k).and_then(Value::as_str).map(str::to_string);
    let parts: Vec<String> = [
        pick("error"),
        pick("error_description"),
        pick("code"),
        pick("message"),
    ]
    .into_iter()
    .flatten()
    .collect();
    if parts.is_empty() {
        None
    } else {
        Some(clip(&parts.join(": "), 300))
    }
}

fn snippet(body: &str) -> String {
    let collapsed: String = body.split_whitespace().collect::<Vec<_>>().join(" ");
    clip(&collapsed, 160)
}

fn http_explanation(purpose: Purpose, status: u16, url: &str, body: &str) -> String {
    let words = server_words(body);
    let said = words
        .as_deref()
        .map(|w| format!(" The server said: \"{w}\"."))
        .unwrap_or_default();
    let error_code = serde_json::from_str::<Value>(body)
        .ok()
        .and_then(|v| v.get("error").and_then(Value::as_str).map(str::to_string));
    let base = match (purpose, status) {
        (Purpose::Introspection, 401) => "The introspection endpoint answered 401: it did not accept the introspecting client's credentials. RFC 7662 requires the caller to authenticate. Check the client id and secret, that this client may introspect, and the authentication method the client is registered with: client_secret_basic sends them in the Authorization header, client_secret_post in the form body.".to_string(),
        (Purpose::Introspection, 403) => "The introspection endpoint answered 403: the client authenticated but is not allowed to introspect (on some servers only a dedicated resource-server client may).".to_string(),
        (Purpose::Introspection, 400) if error_code.as_deref() == Some("unsupported_token_type") => "The introspection endpoint answered 400 unsupported_token_type: this server does not introspect this kind of token. Servers that issue structured JWT access tokens often refuse to introspect them: the JWT carries its claims itself, so decode it (and verify its signature) instead.".to_string(),
        (Purpose::Introspection, 400) if error_code.as_deref() == Some("invalid_client") => "The introspection endpoint answered 400 invalid_client: it did not accept the introspecting client's credentials (wrong client id or secret, or another authentication method than the client is registered with).".to_string(),
        (Purpose::Introspection, 400) => "The introspection endpoint answered 400: it did not understand the request (RFC 7662 expects a form POST with `token`).".to_string(),
        (Purpose::Introspection, 404 | 405) => format!("{url} answered {status}: there is no introspection endpoint at this address (or it does not take POST). Find the right one with \"Discover from iss\" (`introspection_endpoint`)."),
        (Purpose::Discovery, 404) => format!("{url} answered 404: the server publishes no metadata document at this address."),
        (Purpose::GenesysTokens | Purpose::GenesysUser, 401) => "Genesys Cloud answered 401: it does not accept this token here. Either the token expired or was revoked, or it was issued in another region: an organization lives in one region, and the login host, the API host and the token must all be of that region.".to_string(),
        (Purpose::GenesysUser, 400) => "Genesys Cloud answered 400 to GET /api/v2/users/me: this operation needs a user context; a client-credentials token has no user, so the user's permissions cannot be listed (the OAuth client's roles apply instead).".to_string(),
        (Purpose::GenesysTokens | Purpose::GenesysUser, 403) => "Genesys Cloud answered 403: the token is valid but lacks a scope or permission this call needs.".to_string(),
        (_, 429) => format!("{} answered 429: too many requests; wait a moment and try again.", what(purpose)),
        (_, s) if s >= 500 => format!("{} answered {s}: the server failed; this says nothing about the token. Try again later.", what(purpose)),
        (_, s) => format!("{} answered {s} at {url}.", what(purpose)),
    };
    if words.is_none() && !body.trim().is_empty() && status != 401 {
        format!("{base} The answer began: \"{}\".", snippet(body))
    } else {
        format!("{base}{said}")
    }
}

/// Turns what the browser observed into the parsed JSON answer or an explained failure.
pub fn classify(purpose: Purpose, url: &str, observed: &Observed) -> Result<(u16, Value), Failure> {
    let fail = |kind, status, message: String| {
        Err(Failure {
            kind,
            status,
            message,
        })
    };
    match observed {
        Observed::TimedOut { timeout_ms } => fail(
            Kind::Timeout,
            None,
            format!(
                "No answer from {url} within {} s, so the request was cancelled. The server may be slow or overloaded, or a firewall may drop the connection without refusing it. Try again with a longer timeout, or run the command below from a terminal.",
                format_seconds(*timeout_ms)
            ),
        ),
        Observed::Aborted => fail(
            Kind::Aborted,
            None,
            format!("The request to {url} was cancelled before an answer arrived."),
        ),
        Observed::Failed {
            probe_answered: true,
        } => fail(
            Kind::Cors,
            None,
            format!(
                "The browser blocked the answer from {origin} (CORS): the server is reachable, but it did not allow this page's origin to read its answer (no matching Access-Control-Allow-Origin). A page cannot see why a request failed; Token Doctor then sent one request without the token or any credentials (a no-cors GET), and that one got an answer, so the server is up and the block is CORS. Many authorization servers disable CORS on {what} on purpose, because it needs a client secret and belongs on a server. Run the command below from a terminal, or ask the server's administrator to allow this page's origin.",
                origin = origin_of(url),
                what = match purpose {
                    Purpose::Introspection => "introspection",
                    _ => "such calls",
                }
            ),
        ),
        Observed::Failed {
            probe_answered: false,
        } => fail(
            Kind::Network,
            None,
            format!(
                "No answer from {origin}: the request failed before any answer arrived, and a request without the token or any credentials to the same address failed too. The host is unreachable from this browser (wrong host name or port, server down, DNS, a TLS certificate the browser does not trust, a proxy or firewall), or this page's Content-Security-Policy does not allow connecting to it. A page is not told which; the browser's developer console (F12) names the cause. Run the command below from a terminal to see the real error.",
                origin = origin_of(url)
            ),
        ),
        Observed::Unsendable { reason } => fail(
            Kind::Unsendable,
            None,
            format!(
                "The browser would not send this request to {url} ({}), so nothing was sent. A header value holds a character HTTP does not allow: a line break, or a character outside Latin-1, as in a token copied with an invisible character or wrapped over lines. Send the token as one line of plain ASCII.",
                crate::json::clip(reason, 200)
            ),
        ),
        Observed::Redirected => fail(
            Kind::Http,
            None,
            format!(
                "{url} answered with a redirect. Token Doctor does not follow redirects when it sends a token or a secret, so they go only to the address shown before sending. Use the final address instead (run the command below with -i to see the Location header)."
            ),
        ),
        Observed::Answered {
            too_large: true, ..
        } => fail(
            Kind::NotJson,
            None,
            format!(
                "{url} answered with more than {} MB; that is not {}.",
                MAX_BODY_BYTES >> 20,
                what(purpose)
            ),
        ),
        Observed::Answered {
            status,
            content_type,
            body,
            ..
        } => {
            let status = *status;
            if !(200..300).contains(&status) {
                return fail(
                    Kind::Http,
                    Some(status),
                    http_explanation(purpose, status, url, body),
                );
            }
            match serde_json::from_str::<Value>(body) {
                Ok(v @ Value::Object(_)) => Ok((status, v)),
                Ok(v) => fail(
                    Kind::NotJson,
                    Some(status),
                    format!(
                        "{url} answered {status} with JSON that is {}, not an object; {} answers with a JSON object.",
                        crate::json::type_name(&v),
                        what(purpose)
                    ),
                ),
                Err(_) => {
                    let html = content_type.to_ascii_lowercase().contains("html")
                        || body.trim_start().starts_with('<');
                    let kind_of = if html {
                        "an HTML page".to_string()
                    } else if content_type.is_empty() {
                        "text that is not JSON".to_string()
                    } else {
                        format!("{} that is not JSON", clip(content_type, 80))
                    };
                    fail(
                        Kind::NotJson,
                        Some(status),
                        format!(
                            "{url} answered {status} with {kind_of}: it is probably not {} (a sign-in page, a proxy's page, or a web application at that address). The answer began: \"{}\".",
                            what(purpose),
                            snippet(body)
                        ),
                    )
                }
            }
        }
    }
}

/// `ms` as seconds with at most one decimal, rounded half up (`1500` → `1.5`, `2000` → `2`), in integers: a float
/// formatter would add about 16 KB to the wasm for this one number.
fn format_seconds(ms: u32) -> String {
    let tenths = u64::from(ms).saturating_add(50) / 100;
    if tenths.is_multiple_of(10) {
        format!("{}", tenths / 10)
    } else {
        format!("{}.{}", tenths / 10, tenths % 10)
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Results (the plain objects the JS API returns)

/// `{ ok: true, status, url, response, warnings }`.
pub fn ok_json(status: u16, url: &str, response: Value, warnings: Vec<String>) -> Value {
    json!({ "ok": true, "status": status, "url": url, "response": response, "warnings": warnings })
}

/// `{ ok: false, error: { kind, status, message, url, commands: { curl, powershell } } }`.
pub fn error_json(f: &Failure, url: &str, commands: &Commands) -> Value {
    json!({
        "ok": false,
        "error": {
            "kind": f.kind,
            "status": f.status,
            "message": f.message,
            "url": url,
            "commands": commands,
        }
    })
}

/// Warnings about an introspection answer.
pub fn introspection_warnings(response: &Value) -> Vec<String> {
    match response.get("active") {
        Some(Value::Bool(_)) => Vec::new(),
        Some(_) => vec!["`active` is not a boolean (RFC 7662 §2.2 requires true or false).".into()],
        None => vec![
            "The answer has no `active` member: it is not an RFC 7662 introspection response."
                .into(),
        ],
    }
}

/// What a live check would send where, without sending anything: `{ check: "introspect" | "discover" |
/// "genesys", ...the options of that check }` gives `{ ok: true, check, urls, sends, commands }` (the
/// addresses that would receive the request, what secret goes with it, and the commands) or `{ ok: false,
/// message }`. The page shows it before the user presses the button; a missing token is shown as its
/// placeholder, so the address can be shown before anything is pasted.
pub fn plan(options: &Value) -> Value {
    let check = options.get("check").and_then(Value::as_str).unwrap_or("");
    let mut filled = options.clone();
    if let Some(m) = filled.as_object_mut() {
        let has_token = m
            .get("token")
            .and_then(Value::as_str)
            .is_some_and(|t| !t.trim().is_empty());
        if !has_token {
            m.insert("token".into(), json!(TOKEN_PLACEHOLDER));
        }
    }
    let planned: Result<(Vec<String>, &str, Commands), String> = match check {
        "introspect" => IntrospectOptions::from_json(&filled).map(|o| {
            let call = o.call();
            let sends = match o.auth {
                ClientAuth::Basic | ClientAuth::Post => "the token and the client id and secret",
                ClientAuth::Bearer => "the token and the bearer token",
            };
            (
                vec![call.url.clone()],
                sends,
                call.commands(o.include_secrets),
            )
        }),
        "discover" => DiscoverOptions::from_json(&filled).map(|o| {
            let first = o.urls.first().cloned().unwrap_or_default();
            (
                o.urls,
                "nothing secret (no token, no credentials)",
                discovery_call(&first).commands(false),
            )
        }),
        "genesys" => GenesysOptions::from_json(&filled).map(|o| {
            let mut urls = vec![o.tokens_me().url];
            if o.with_user {
                urls.push(o.users_me().url);
            }
            (urls, "the token", o.tokens_me().commands(o.include_secrets))
        }),
        other => Err(format!(
            "plan: `check` is `{other}`; use \"introspect\", \"discover\" or \"genesys\""
        )),
    };
    match planned {
        Ok((urls, sends, commands)) => json!({
            "ok": true, "check": check, "urls": urls, "sends": sends, "commands": commands,
        }),
        Err(message) => json!({ "ok": false, "check": check, "message": message }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn timeouts_read_as_seconds_with_one_decimal() {
        for (ms, text) in [
            (0, "0"),
            (50, "0.1"),
            (999, "1"),
            (1000, "1"),
            (1249, "1.2"),
            (1500, "1.5"),
            (2960, "3"),
            (60_000, "60"),
            (u32::MAX, "4294967.3"),
        ] {
            assert_eq!(format_seconds(ms), text, "{ms} ms");
        }
    }

    fn intro(extra: Value) -> IntrospectOptions {
        let mut base = json!({
            "endpoint": "https://as.example.com/oauth2/introspect",
            "token": "tok.en-1",
            "clientId": "rs client",
            "clientSecret": "s3cr3t'+/",
        });
        if let (Some(b), Some(e)) = (base.as_object_mut(), extra.as_object()) {
            for (k, v) in e {
                b.insert(k.clone(), v.clone());
            }
        }
        IntrospectOptions::from_json(&base).unwrap()
    }

    fn header<'a>(w: &'a Wire, name: &str) -> Option<&'a str> {
        w.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_str())
    }

    #[test]
    fn form_encoding_follows_the_urlencoded_serializer() {
        assert_eq!(form_encode("a b+c/d=é*-._~"), "a+b%2Bc%2Fd%3D%C3%A9*-._%7E");
        assert_eq!(
            form_body(&[("token".into(), "x y".into()), ("h".into(), "a&b".into())]),
            "token=x+y&h=a%26b"
        );
    }

    #[test]
    fn basic_credentials_are_form_encoded_first() {
        // RFC 6749 §2.3.1: encode id and secret, join with ':', base64.
        let v = basic_authorization("my client", "p:w+d");
        let b64 = v.strip_prefix("Basic ").unwrap();
        let raw = base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap();
        assert_eq!(String::from_utf8(raw).unwrap(), "my+client:p%3Aw%2Bd");
    }

    #[test]
    fn introspection_with_client_secret_basic() {
        let o = intro(json!({"auth": "basic"}));
        let w = o.call().wire();
        assert_eq!(w.method, Method::Post);
        assert_eq!(w.url, "https://as.example.com/oauth2/introspect");
        assert_eq!(
            w.body.as_deref(),
            Some("token=tok.en-1&token_type_hint=access_token")
        );
        assert_eq!(
            header(&w, "Authorization"),
            Some(basic_authorization("rs client", "s3cr3t'+/").as_str())
        );
        assert_eq!(
            header(&w, "Content-Type"),
            Some("application/x-www-form-urlencoded")
        );
        assert_eq!(header(&w, "Accept"), Some("application/json"));
    }

    #[test]
    fn introspection_with_client_secret_post_and_bearer() {
        let w = intro(json!({"auth": "post"})).call().wire();
        assert_eq!(header(&w, "Authorization"), None);
        assert_eq!(
            w.body.as_deref(),
            Some(
                "token=tok.en-1&token_type_hint=access_token&client_id=rs+client&client_secret=s3cr3t%27%2B%2F"
            )
        );
        let w = intro(json!({"auth": "bearer", "bearer": "Bearer rs-token"}))
            .call()
            .wire();
        assert_eq!(header(&w, "Authorization"), Some("Bearer rs-token"));
        assert!(!w.body.unwrap().contains("client_secret"));
    }

    #[test]
    fn default_auth_and_option_errors() {
        assert_eq!(intro(json!({})).auth, ClientAuth::Basic);
        let o = IntrospectOptions::from_json(
            &json!({"endpoint": "https://a.example/i", "token": "t", "bearer": "b"}),
        )
        .unwrap();
        assert_eq!(o.auth, ClientAuth::Bearer);
        assert_eq!(o.timeout_ms, DEFAULT_TIMEOUT_MS);
        let err = |v: Value| IntrospectOptions::from_json(&v).unwrap_err();
        assert!(err(json!("x")).contains("must be an object"));
        assert!(err(json!({"token": "t", "clientId": "c"})).contains("`endpoint`"));
        assert!(
            err(json!({"endpoint": "https://a.example/i", "clientId": "c"})).contains("`token`")
        );
        assert!(
            err(json!({"endpoint": "https://a.example/i", "token": "t"})).contains("`clientId`")
        );
        assert!(
            err(json!({"endpoint": "https://a.example/i", "token": "t", "auth": "bearer"}))
                .contains("`bearer`")
        );
        assert!(
            err(json!({"endpoint": "https://a.example/i", "token": "t", "clientId": "c", "auth": "mtls"}))
                .contains("\"basic\"")
        );
        assert!(
            err(json!({"endpoint": "https://a.example/i", "token": "t", "clientId": "c", "timeoutMs": -5}))
                .contains("timeoutMs")
        );
        assert!(
            err(json!({"endpoint": "http://as.example.com/i", "token": "t", "clientId": "c"}))
                .contains("only over https")
        );
        assert_eq!(intro(json!({"timeoutMs": 250})).timeout_ms, 250);
        assert_eq!(intro(json!({"token": "  Bearer abc  "})).token, "abc");
    }

    #[test]
    fn commands_hide_the_token_and_secret_by_default() {
        let o = intro(json!({"auth": "basic"}));
        let c = o.call().commands(false);
        for text in [&c.curl, &c.powershell] {
            assert!(!text.contains("tok.en-1"), "{text}");
            assert!(!text.contains("s3cr3t"), "{text}");
            assert!(text.contains(TOKEN_PLACEHOLDER), "{text}");
            assert!(text.contains(SECRET_PLACEHOLDER), "{text}");
            assert!(text.contains("https://as.example.com/oauth2/introspect"));
        }
        assert_eq!(
            c.curl,
            "curl -sS -H 'Accept: application/json' -u 'rs+client:<CLIENT_SECRET>' --data-urlencode 'token=<ACCESS_TOKEN>' --data-urlencode 'token_type_hint=access_token' 'https://as.example.com/oauth2/introspect'"
        );
        assert!(c.powershell.starts_with(
            "Invoke-RestMethod -Method Post -Uri 'https://as.example.com/oauth2/introspect' -Headers @{ 'Accept' = 'application/json'; 'Authorization' = 'Basic ' + [Convert]::ToBase64String([Text.Encoding]::UTF8.GetBytes('rs+client:<CLIENT_SECRET>')) }"
        ));
        assert!(c.powershell.contains(
            "-ContentType 'application/x-www-form-urlencoded' -Body @{ 'token' = '<ACCESS_TOKEN>'; 'token_type_hint' = 'access_token' }"
        ));
    }

    #[test]
    fn commands_include_secrets_on_request_quoted_for_each_shell() {
        let c = intro(json!({"auth": "post", "token": "it's"}))
            .call()
            .commands(true);
        assert!(
            c.curl.contains(r"--data-urlencode 'token=it'\''s'"),
            "{}",
            c.curl
        );
        assert!(
            c.curl
                .contains(r"--data-urlencode 'client_secret=s3cr3t'\''+/'")
        );
        assert!(
            c.powershell.contains("'token' = 'it''s'"),
            "{}",
            c.powershell
        );
        assert!(c.powershell.contains("'client_secret' = 's3cr3t''+/'"));
        let c = intro(json!({"auth": "basic"})).call().commands(true);
        // The same encoded credentials the page sends.
        assert!(
            c.curl.contains("-u 'rs+client:s3cr3t%27%2B%2F'"),
            "{}",
            c.curl
        );
        assert_eq!(ps_quote("a\u{2019}b"), "'a\u{2019}\u{2019}b'");
    }

    #[test]
    fn address_policy() {
        assert!(parse_target("https://as.example.com/x?y=1").is_ok());
        let t = parse_target(" http://127.0.0.1:8080/oidc ").unwrap();
        assert_eq!(t.origin(), "http://127.0.0.1:8080");
        assert_eq!(t.path, "/oidc");
        assert!(parse_target("http://localhost:3000/").is_ok());
        assert!(parse_target("http://[::1]:3000/").is_ok());
        assert!(
            parse_target("http://as.example.com/")
                .unwrap_err()
                .contains("only over https")
        );
        assert!(parse_target("http://127.0.0.1.evil.example/").is_err());
        assert!(
            parse_target("https://user:pw@as.example.com/")
                .unwrap_err()
                .contains("password")
        );
        assert!(
            parse_target("as.example.com/introspect")
                .unwrap_err()
                .contains("https://")
        );
        assert!(parse_target("ftp://as.example.com/").is_err());
        assert!(parse_target("https://as.example.com/#x").is_err());
        assert!(parse_target("https://a b/").is_err());
        assert!(parse_target("https://as.example.com:80a/").is_err());
        assert!(parse_target("https:///path").is_err());
    }

    #[test]
    fn discovery_urls_follow_oidc_and_rfc8414() {
        assert_eq!(
            discovery_urls("https://as.example.com").unwrap(),
            vec![
                "https://as.example.com/.well-known/openid-configuration",
                "https://as.example.com/.well-known/oauth-authorization-server",
            ]
        );
        // RFC 8414 §3.1 example: the well-known segment goes between the host and the path.
        assert_eq!(
            discovery_urls("https://example.com/issuer1/").unwrap(),
            vec![
                "https://example.com/issuer1/.well-known/openid-configuration",
                "https://example.com/.well-known/oauth-authorization-server/issuer1",
                "https://example.com/issuer1/.well-known/oauth-authorization-server",
            ]
        );
        assert!(discovery_urls("https://as.example.com/?tenant=1").is_err());
        let o = DiscoverOptions::from_json(
            &json!({"issuer": "http://127.0.0.1:9/oidc", "timeoutMs": 500}),
        )
        .unwrap();
        assert_eq!(o.timeout_ms, 500);
        assert_eq!(o.urls.len(), 3);
        assert!(
            DiscoverOptions::from_json(&json!({}))
                .unwrap_err()
                .contains("`issuer`")
        );
    }

    #[test]
    fn discovery_warnings_compare_the_issuer_exactly() {
        let doc = |v: Value| v.as_object().unwrap().clone();
        let good = doc(
            json!({"issuer": "https://a.example", "introspection_endpoint": "https://a.example/i", "jwks_uri": "https://a.example/j"}),
        );
        assert!(discovery_warnings("https://a.example", &good).is_empty());
        let w = discovery_warnings("https://a.example/", &good);
        assert!(w[0].contains("trailing slash"));
        let w = discovery_warnings("https://b.example", &good);
        assert!(w[0].contains("RFC 8414 §3.3"));
        let w = discovery_warnings(
            "https://a.example",
            &doc(json!({"issuer": "https://a.example"})),
        );
        assert_eq!(w.len(), 2);
        assert!(w[0].contains("introspection_endpoint"));
        let elsewhere = doc(
            json!({"issuer": "https://a.example", "introspection_endpoint": "https://evil.example/i", "jwks_uri": "https://a.example/j"}),
        );
        let w = discovery_warnings("https://a.example", &elsewhere);
        assert_eq!(w.len(), 1, "{w:?}");
        assert!(
            w[0].contains(
                "`https://evil.example/i` is on another origin than the issuer (https://a.example)"
            ),
            "{}",
            w[0]
        );
        // The same origin with a path or an explicit default port is the same origin.
        let same = doc(
            json!({"issuer": "https://a.example/realms/x", "introspection_endpoint": "https://a.example:443/realms/x/i", "jwks_uri": "https://a.example/j"}),
        );
        assert!(discovery_warnings("https://a.example/realms/x", &same).is_empty());
    }

    #[test]
    fn genesys_bases() {
        for (region, base) in [
            ("mypurecloud.ie", "https://api.mypurecloud.ie"),
            ("us-east-1", "https://api.mypurecloud.com"),
            ("eu_west_2", "https://api.euw2.pure.cloud"),
            (
                "https://login.mypurecloud.de/oauth/token",
                "https://api.mypurecloud.de",
            ),
            ("API.usw2.pure.cloud", "https://api.usw2.pure.cloud"),
        ] {
            assert_eq!(
                genesys_api_base(Some(region), None).unwrap(),
                base,
                "{region}"
            );
        }
        assert!(
            genesys_api_base(Some("mypurecloud.org"), None)
                .unwrap_err()
                .contains("mypurecloud.com")
        );
        assert!(genesys_api_base(None, None).is_err());
        assert_eq!(
            genesys_api_base(None, Some("127.0.0.1:4567")).unwrap(),
            "http://127.0.0.1:4567"
        );
        assert_eq!(
            genesys_api_base(Some("x"), Some("api.example.com")).unwrap(),
            "https://api.example.com"
        );
        assert!(genesys_api_base(None, Some("http://api.example.com")).is_err());
        assert!(genesys_api_base(None, Some("api.example.com/api/v2")).is_err());
        let o = GenesysOptions::from_json(
            &json!({"region": "mypurecloud.com", "token": "abc", "withUser": true}),
        )
        .unwrap();
        assert_eq!(
            o.tokens_me().wire().url,
            "https://api.mypurecloud.com/api/v2/tokens/me"
        );
        let w = o.users_me().wire();
        assert_eq!(
            w.url,
            "https://api.mypurecloud.com/api/v2/users/me?expand=authorization"
        );
        assert_eq!(header(&w, "Authorization"), Some("Bearer abc"));
        assert_eq!(w.body, None);
        let c = o.tokens_me().commands(false);
        assert_eq!(
            c.curl,
            "curl -sS -H 'Accept: application/json' -H 'Authorization: Bearer <ACCESS_TOKEN>' 'https://api.mypurecloud.com/api/v2/tokens/me'"
        );
        assert_eq!(
            c.powershell,
            "Invoke-RestMethod -Method Get -Uri 'https://api.mypurecloud.com/api/v2/tokens/me' -Headers @{ 'Accept' = 'application/json'; 'Authorization' = 'Bearer <ACCESS_TOKEN>' } | ConvertTo-Json -Depth 20"
        );
    }

    #[test]
    fn genesys_token_info_facts() {
        let cc = json!({"OAuthClient": {"authorizedGrantType": "CLIENT-CREDENTIALS"}});
        assert!(genesys_is_client_credentials(&cc));
        assert!(!genesys_is_client_credentials(
            &json!({"OAuthClient": {"authorizedGrantType": "CODE"}})
        ));
        assert!(!genesys_is_client_credentials(&json!({})));
        let user = json!({"id": "u", "authorization": {"permissions": ["routing:queue:view", 3, "analytics:*:*"]}});
        assert_eq!(
            genesys_permissions(&user).unwrap(),
            vec!["routing:queue:view", "analytics:*:*"]
        );
        assert_eq!(genesys_permissions(&json!({"id": "u"})), None);
    }

    fn answered(status: u16, ct: &str, body: &str) -> Observed {
        Observed::Answered {
            status,
            content_type: ct.into(),
            body: body.into(),
            too_large: false,
        }
    }

    #[test]
    fn classification_of_each_failure_kind() {
        let u = "https://as.example.com/introspect";
        let p = Purpose::Introspection;
        let ok = classify(
            p,
            u,
            &answered(200, "application/json", r#"{"active":true,"scope":"a b"}"#),
        )
        .unwrap();
        assert_eq!(ok.0, 200);
        assert_eq!(ok.1["scope"], "a b");

        let f = classify(
            p,
            u,
            &Observed::Failed {
                probe_answered: true,
            },
        )
        .unwrap_err();
        assert_eq!(f.kind, Kind::Cors);
        assert!(f.message.contains("https://as.example.com") && f.message.contains("no-cors"));
        let f = classify(
            p,
            u,
            &Observed::Failed {
                probe_answered: false,
            },
        )
        .unwrap_err();
        assert_eq!(f.kind, Kind::Network);
        assert!(f.message.contains("Content-Security-Policy"));
        let f = classify(
            p,
            u,
            &Observed::Unsendable {
                reason: "Failed to execute 'set' on 'Headers': Invalid value".into(),
            },
        )
        .unwrap_err();
        assert_eq!((f.kind, f.status), (Kind::Unsendable, None));
        assert!(f.message.contains("nothing was sent") && f.message.contains("Invalid value"));
        let f = classify(p, u, &Observed::TimedOut { timeout_ms: 1500 }).unwrap_err();
        assert_eq!((f.kind, f.status), (Kind::Timeout, None));
        assert!(f.message.contains("within 1.5 s"));
        assert_eq!(
            classify(p, u, &Observed::Aborted).unwrap_err().kind,
            Kind::Aborted
        );
        let f = classify(p, u, &Observed::Redirected).unwrap_err();
        assert_eq!(f.kind, Kind::Http);
        assert!(f.message.contains("does not follow redirects"));

        let f = classify(
            p,
            u,
            &answered(
                401,
                "application/json",
                r#"{"error":"invalid_client","error_description":"client authentication failed"}"#,
            ),
        )
        .unwrap_err();
        assert_eq!((f.kind, f.status), (Kind::Http, Some(401)));
        assert!(f.message.contains("client id and secret"));
        assert!(f.message.contains("client authentication failed"));
        let f = classify(
            p,
            u,
            &answered(
                400,
                "application/json",
                r#"{"error":"unsupported_token_type"}"#,
            ),
        )
        .unwrap_err();
        assert!(f.message.contains("JWT"));
        let f = classify(p, u, &answered(503, "text/html", "<h1>down</h1>")).unwrap_err();
        assert!(f.message.contains("says nothing about the token"));
        assert!(f.message.contains("<h1>down</h1>"));

        let f = classify(
            p,
            u,
            &answered(200, "text/html", "<!doctype html><title>Sign in</title>"),
        )
        .unwrap_err();
        assert_eq!((f.kind, f.status), (Kind::NotJson, Some(200)));
        assert!(f.message.contains("an HTML page"));
        let f = classify(p, u, &answered(200, "application/json", "[1,2]")).unwrap_err();
        assert_eq!(f.kind, Kind::NotJson);
        assert!(f.message.contains("an array"));
        let f = classify(
            p,
            u,
            &Observed::Answered {
                status: 200,
                content_type: String::new(),
                body: String::new(),
                too_large: true,
            },
        )
        .unwrap_err();
        assert_eq!(f.kind, Kind::NotJson);

        let f = classify(
            Purpose::GenesysTokens,
            u,
            &answered(
                401,
                "application/json",
                r#"{"message":"Invalid login credentials.","code":"bad.credentials","status":401}"#,
            ),
        )
        .unwrap_err();
        assert!(f.message.contains("region"));
        assert!(f.message.contains("bad.credentials"));
        let f = classify(Purpose::GenesysUser, u, &answered(400, "application/json", r#"{"message":"This request requires a user context. Client credentials cannot be used for requests to this resource."}"#)).unwrap_err();
        assert!(f.message.contains("user context"));
    }

    #[test]
    fn discovery_moves_on_only_when_the_document_is_missing() {
        let f = |kind, status| Failure {
            kind,
            status,
            message: String::new(),
        };
        assert!(discovery_tries_next(&f(Kind::Http, Some(404))));
        assert!(discovery_tries_next(&f(Kind::NotJson, Some(200))));
        assert!(!discovery_tries_next(&f(Kind::Http, Some(502))));
        assert!(!discovery_tries_next(&f(Kind::Cors, None)));
        assert!(!discovery_tries_next(&f(Kind::Timeout, None)));
    }

    #[test]
    fn plan_states_where_the_token_goes_without_sending() {
        let p = plan(
            &json!({"check": "introspect", "endpoint": "https://as.example.com/i", "clientId": "c", "clientSecret": "s"}),
        );
        assert_eq!(p["ok"], true);
        assert_eq!(p["urls"], json!(["https://as.example.com/i"]));
        assert!(p["sends"].as_str().unwrap().contains("secret"));
        assert!(
            p["commands"]["curl"]
                .as_str()
                .unwrap()
                .contains(TOKEN_PLACEHOLDER)
        );
        let p = plan(
            &json!({"check": "introspect", "endpoint": "https://as.example.com/i", "clientId": "c", "clientSecret": "s", "token": "real", "includeSecrets": true}),
        );
        assert!(
            p["commands"]["curl"]
                .as_str()
                .unwrap()
                .contains("token=real")
        );
        let p = plan(&json!({"check": "discover", "issuer": "https://as.example.com/t1"}));
        assert_eq!(
            p["urls"][1],
            "https://as.example.com/.well-known/oauth-authorization-server/t1"
        );
        assert!(p["sends"].as_str().unwrap().contains("no token"));
        let p = plan(&json!({"check": "genesys", "region": "mypurecloud.ie", "withUser": true}));
        assert_eq!(
            p["urls"],
            json!([
                "https://api.mypurecloud.ie/api/v2/tokens/me",
                "https://api.mypurecloud.ie/api/v2/users/me?expand=authorization"
            ])
        );
        let p = plan(
            &json!({"check": "introspect", "endpoint": "http://as.example.com/i", "clientId": "c"}),
        );
        assert_eq!(p["ok"], false);
        assert!(p["message"].as_str().unwrap().contains("https"));
        assert_eq!(plan(&json!({"check": "x"}))["ok"], false);
    }

    #[test]
    fn result_objects() {
        let v = ok_json(200, "https://x", json!({"active": false}), vec![]);
        assert_eq!(v["ok"], true);
        assert_eq!(v["response"]["active"], false);
        let f = Failure {
            kind: Kind::NotJson,
            status: Some(200),
            message: "m".into(),
        };
        let c = Commands {
            curl: "curl".into(),
            powershell: "ps".into(),
        };
        let v = error_json(&f, "https://x", &c);
        assert_eq!(v["ok"], false);
        assert_eq!(v["error"]["kind"], "not_json");
        assert_eq!(v["error"]["status"], 200);
        assert_eq!(v["error"]["commands"]["powershell"], "ps");
        assert!(introspection_warnings(&json!({"active": true})).is_empty());
        assert_eq!(introspection_warnings(&json!({"scope": "x"})).len(), 1);
    }
}
