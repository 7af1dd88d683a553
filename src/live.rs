//! Live checks: the only module that talks to the network, and only when the user asks. Requests go through
//! `gloo-net` (fetch). This is a thin layer: what to send, which address may receive a token, how to explain a
//! failure and the equivalent commands all live in the pure [`crate::livecheck`] module; here we send, wait
//! (with a timeout and the caller's `AbortSignal`), and report what the browser observed.
//!
//! Every request goes without cookies (`credentials: "omit"`) and uncached. A request that carries a token or a
//! secret does not follow redirects, so they reach only the address stated before sending. When `fetch` fails
//! without an answer, the browser does not say whether CORS blocked it or the host is unreachable; one
//! credential-free `no-cors` GET to the same address tells them apart (an answer means the server is up, so the
//! block was CORS). That probe carries no token, no secret and no body.

use crate::livecheck::{
    self, Call, DiscoverOptions, GenesysOptions, IntrospectOptions, Method, Observed, Purpose,
};
use serde_json::{Value, json};
use wasm_bindgen::prelude::*;
use web_sys::{AbortSignal, RequestCache, RequestCredentials, RequestMode, RequestRedirect};

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = timeout)]
    fn abort_signal_timeout(ms: u32) -> AbortSignal;
    #[wasm_bindgen(js_namespace = AbortSignal, js_name = any)]
    fn abort_signal_any(signals: &js_sys::Array) -> AbortSignal;
}

/// GETs a URL and returns the body bytes; errors are plain sentences.
pub async fn get_bytes(url: &str) -> Result<Vec<u8>, String> {
    let resp = gloo_net::http::Request::get(url)
        .send()
        .await
        .map_err(|e| format!("cannot fetch {url}: {e}"))?;
    if !resp.ok() {
        return Err(format!("{url} answered {}", resp.status()));
    }
    resp.binary()
        .await
        .map_err(|e| format!("cannot read {url}: {e}"))
}

/// Reads a JS options object: its JSON form (what [`crate::livecheck`] parses) and its `signal`, when it is an
/// `AbortSignal`.
pub fn read_options(options: &JsValue, api: &str) -> Result<(Value, Option<AbortSignal>), String> {
    if !options.is_object() || js_sys::Array::is_array(options) {
        return Err(format!("{api}(options): options must be an object"));
    }
    let signal = js_sys::Reflect::get(options, &JsValue::from_str("signal"))
        .ok()
        .filter(|s| !s.is_undefined() && !s.is_null());
    let signal = match signal {
        Some(s) => Some(
            s.dyn_into::<AbortSignal>()
                .map_err(|_| format!("{api}(options): `signal` must be an AbortSignal"))?,
        ),
        None => None,
    };
    let text: String = js_sys::JSON::stringify(options)
        .map_err(|_| format!("{api}(options): options cannot be turned into JSON"))?
        .into();
    let value = serde_json::from_str(&text).map_err(|e| format!("{api}(options): {e}"))?;
    Ok((value, signal))
}

fn aborted(signal: Option<&AbortSignal>) -> bool {
    signal.is_some_and(AbortSignal::aborted)
}

/// Sends one request and reports what the browser observed. `follow_redirects` only for requests that carry
/// neither a token nor a secret.
pub async fn send(
    call: &Call,
    timeout_ms: u32,
    user: Option<&AbortSignal>,
    follow_redirects: bool,
) -> Observed {
    if aborted(user) {
        return Observed::Aborted;
    }
    let wire = call.wire();
    let timeout = abort_signal_timeout(timeout_ms);
    let signal = match user {
        Some(u) => abort_signal_any(&js_sys::Array::of2(&timeout, u)),
        None => timeout.clone(),
    };
    let init = web_sys::RequestInit::new();
    init.set_method(match wire.method {
        Method::Get => "GET",
        Method::Post => "POST",
    });
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&signal));
    if !follow_redirects {
        init.set_redirect(RequestRedirect::Manual);
    }
    if let Some(body) = &wire.body {
        init.set_body(&JsValue::from_str(body));
    }
    // Built directly (not through gloo's builder, which rewrites the query): the address fetched is exactly the
    // one stated before sending.
    let request = web_sys::Headers::new().and_then(|headers| {
        for (k, v) in &wire.headers {
            headers.set(k, v)?;
        }
        init.set_headers(&headers);
        web_sys::Request::new_with_str_and_init(&wire.url, &init)
    });
    let stopped = || {
        if aborted(user) {
            Some(Observed::Aborted)
        } else if timeout.aborted() {
            Some(Observed::TimedOut { timeout_ms })
        } else {
            None
        }
    };
    // The browser refused to build it (a header value with a line break, say): nothing was sent, and the probe
    // below would wrongly explain it as CORS or the network.
    let request = match request {
        Ok(r) => r,
        Err(e) => {
            let reason = js_sys::Error::from(e)
                .message()
                .as_string()
                .unwrap_or_default();
            return Observed::Unsendable { reason };
        }
    };
    let response = gloo_net::http::Request::from(request)
        .send()
        .await
        .map_err(|_| ());
    let response = match response {
        Ok(r) => r,
        Err(_) => {
            if let Some(o) = stopped() {
                return o;
            }
            return Observed::Failed {
                probe_answered: probe(&wire.url, timeout_ms).await,
            };
        }
    };
    if response.type_() == web_sys::ResponseType::Opaqueredirect {
        return Observed::Redirected;
    }
    let status = response.status();
    let content_type = response.headers().get("content-type").unwrap_or_default();
    match response.text().await {
        Ok(body) => {
            let too_large = body.len() > livecheck::MAX_BODY_BYTES;
            Observed::Answered {
                status,
                content_type,
                body: if too_large { String::new() } else { body },
                too_large,
            }
        }
        Err(_) => stopped().unwrap_or(Observed::Answered {
            status,
            content_type,
            body: String::new(),
            too_large: false,
        }),
    }
}

/// A credential-free `no-cors` GET: resolves (with an opaque answer) when the server answers at all.
async fn probe(url: &str, timeout_ms: u32) -> bool {
    let signal = abort_signal_timeout(timeout_ms.min(livecheck::PROBE_TIMEOUT_MS));
    let init = web_sys::RequestInit::new();
    init.set_method("GET");
    init.set_mode(RequestMode::NoCors);
    init.set_credentials(RequestCredentials::Omit);
    init.set_cache(RequestCache::NoStore);
    init.set_signal(Some(&signal));
    match web_sys::Request::new_with_str_and_init(url, &init) {
        Ok(r) => gloo_net::http::Request::from(r).send().await.is_ok(),
        Err(_) => false,
    }
}

fn failure_json(call: &Call, include_secrets: bool, f: &livecheck::Failure) -> Value {
    livecheck::error_json(f, &call.url, &call.commands(include_secrets))
}

/// RFC 7662 introspection. Resolves to `{ ok: true, status, url, response, warnings }` or
/// `{ ok: false, error: { kind, status, message, url, commands } }`.
pub async fn introspect(options: &Value, signal: Option<&AbortSignal>) -> Result<Value, String> {
    let o = IntrospectOptions::from_json(options)?;
    let call = o.call();
    let observed = send(&call, o.timeout_ms, signal, false).await;
    Ok(
        match livecheck::classify(Purpose::Introspection, &call.url, &observed) {
            Ok((status, response)) => {
                let warnings = livecheck::introspection_warnings(&response);
                livecheck::ok_json(status, &call.url, response, warnings)
            }
            Err(f) => failure_json(&call, o.include_secrets, &f),
        },
    )
}

/// Discovery from an issuer: tries the OpenID Connect document, then RFC 8414's, moving on only when a
/// document is missing. Resolves like [`introspect`], with `tried` (the addresses asked) added.
pub async fn discover(options: &Value, signal: Option<&AbortSignal>) -> Result<Value, String> {
    let o = DiscoverOptions::from_json(options)?;
    let mut tried: Vec<String> = Vec::new();
    let mut first_failure: Option<(Call, livecheck::Failure)> = None;
    for url in &o.urls {
        let call = livecheck::discovery_call(url);
        tried.push(url.clone());
        let observed = send(&call, o.timeout_ms, signal, true).await;
        match livecheck::classify(Purpose::Discovery, url, &observed) {
            Ok((status, response)) => {
                let warnings = response
                    .as_object()
                    .map(|m| livecheck::discovery_warnings(&o.issuer, m))
                    .unwrap_or_default();
                let mut v = livecheck::ok_json(status, url, response, warnings);
                if let Some(m) = v.as_object_mut() {
                    m.insert("tried".into(), json!(tried));
                }
                return Ok(v);
            }
            Err(f) => {
                let next = livecheck::discovery_tries_next(&f);
                if first_failure.is_none() {
                    first_failure = Some((call, f));
                }
                if !next {
                    break;
                }
            }
        }
    }
    let Some((call, mut f)) = first_failure else {
        return Err("discover: no address to try".into());
    };
    if tried.len() > 1 {
        f.message = format!(
            "{} Also tried: {}.",
            f.message,
            tried.get(1..).unwrap_or_default().join(", ")
        );
    }
    let mut v = failure_json(&call, false, &f);
    if let Some(m) = v.as_object_mut() {
        m.insert("tried".into(), json!(tried));
    }
    Ok(v)
}

/// Genesys Cloud `GET /api/v2/tokens/me` (and, with `withUser`, `GET /api/v2/users/me?expand=authorization`,
/// skipped for a client-credentials token, which has no user). Resolves to `{ ok: true, status, url, response:
/// <TokenInfo>, warnings, user, userError, userSkipped, permissions }` or the usual failure.
pub async fn genesys_token_info(
    options: &Value,
    signal: Option<&AbortSignal>,
) -> Result<Value, String> {
    let o = GenesysOptions::from_json(options)?;
    let call = o.tokens_me();
    let observed = send(&call, o.timeout_ms, signal, false).await;
    let (status, info) = match livecheck::classify(Purpose::GenesysTokens, &call.url, &observed) {
        Ok(r) => r,
        Err(f) => {
            return Ok(failure_json(&call, o.include_secrets, &f));
        }
    };
    let mut user = Value::Null;
    let mut user_error = Value::Null;
    let mut user_skipped = Value::Null;
    if o.with_user {
        if livecheck::genesys_is_client_credentials(&info) {
            user_skipped = json!(
                "The token is a client-credentials token (OAuthClient.authorizedGrantType is CLIENT-CREDENTIALS): it has no user, so GET /api/v2/users/me would answer 400. Its permissions are the OAuth client's roles."
            );
        } else {
            let ucall = o.users_me();
            let observed = send(&ucall, o.timeout_ms, signal, false).await;
            match livecheck::classify(Purpose::GenesysUser, &ucall.url, &observed) {
                Ok((_, u)) => user = u,
                Err(f) => {
                    user_error = failure_json(&ucall, o.include_secrets, &f)
                        .get("error")
                        .cloned()
                        .unwrap_or(Value::Null)
                }
            }
        }
    }
    let permissions = livecheck::genesys_permissions(&user);
    let mut v = livecheck::ok_json(status, &call.url, info, Vec::new());
    if let Some(m) = v.as_object_mut() {
        m.insert("user".into(), user);
        m.insert("userError".into(), user_error);
        m.insert("userSkipped".into(), user_skipped);
        m.insert("permissions".into(), json!(permissions));
    }
    Ok(v)
}
