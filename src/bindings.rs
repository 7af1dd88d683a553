//! The wasm boundary: every `#[wasm_bindgen]` export lives here. Each call crosses once: the request goes in as
//! JSON text, the report comes out as JSON text parsed by the engine into a plain object (no `Map`s, no class
//! wrappers). Domain problems are findings in the report; only a request that is not an object throws.

use crate::diagnosis::CustomMatrix;
use crate::registry::Registry;
use crate::request::Request;
use std::cell::RefCell;
use std::rc::Rc;
use wasm_bindgen::prelude::*;

thread_local! {
    static REGISTRY: RefCell<Registry> = RefCell::new(Registry::default());
    static LAST_PANIC: RefCell<Option<String>> = const { RefCell::new(None) };
    /// The last user-supplied matrix document and what was read from it.
    static CUSTOM: RefCell<Option<(DocKey, Rc<CustomMatrix>)>> = const { RefCell::new(None) };
}

/// Runs when the module is instantiated: installs a panic hook that keeps the message for `lastPanic()`.
#[wasm_bindgen(start)]
pub fn start() {
    std::panic::set_hook(Box::new(|info| {
        let msg = info.to_string();
        LAST_PANIC.with(|p| *p.borrow_mut() = Some(msg));
    }));
}

/// The message of the last Rust panic, if one ever happened (the page shows it instead of dying silently).
#[wasm_bindgen(js_name = lastPanic)]
pub fn last_panic() -> JsValue {
    // `null`, as documented, when none (an `Option` would cross as `undefined`).
    LAST_PANIC.with(|p| {
        p.borrow()
            .as_deref()
            .map_or(JsValue::NULL, JsValue::from_str)
    })
}

fn to_js(value: &impl serde::Serialize) -> Result<JsValue, JsError> {
    let text = crate::json::to_string(value)
        .map_err(|e| JsError::new(&format!("internal: cannot serialize: {e}")))?;
    js_sys::JSON::parse(&text).map_err(|_| JsError::new("internal: cannot parse the report"))
}

fn now_seconds() -> f64 {
    (js_sys::Date::now() / 1000.0).floor()
}

/// How the last matrix document is recognized when it comes again.
#[derive(PartialEq)]
enum DocKey {
    /// It came as a JS string: the same string (`===`; the page sends the same one with every diagnosis).
    Js(JsValue),
    /// It came as an object: the length and FNV-1a hash of its JSON text.
    Text(usize, u64),
}

/// The string `input` of a request that has nothing else (`{ input: "<token>" }`, what the page sends while the
/// user pastes): read straight, it need not be turned into JSON and parsed back. `None` for any other request,
/// and for one `JSON.stringify` would not write as `{"input": ...}` (a `toJSON` method).
fn input_only(value: &JsValue) -> Option<js_sys::JsString> {
    let keys = js_sys::Object::keys(value.unchecked_ref::<js_sys::Object>());
    if keys.length() != 1 || keys.get(0).as_string().as_deref() != Some("input") {
        return None;
    }
    if js_sys::Reflect::has(value, &JsValue::from_str("toJSON")).unwrap_or(true) {
        return None;
    }
    js_sys::Reflect::get(value, &JsValue::from_str("input"))
        .ok()?
        .dyn_into::<js_sys::JsString>()
        .ok()
}

/// Parses a JS request object into a [`Request`], and reads its matrix document (or reuses what was read from
/// the same document last time). A document given as a string crosses on its own, copied once, instead of being
/// escaped into the request's JSON and parsed out of it. Throws (a JS `Error`) only when the request is not an
/// object with a string `input`, or a field has a type the request does not take ([`wrong_field`]).
fn request_from(value: &JsValue) -> Result<(Request, Rc<CustomMatrix>), JsError> {
    if !value.is_object() || js_sys::Array::is_array(value) {
        return Err(JsError::new(
            "diagnose(request): request must be an object like { input: \"<token>\" }",
        ));
    }
    if let Some(input) = input_only(value) {
        let request = Request {
            input: crate::jstext::to_string(&input),
            now: Some(now_seconds()),
            ..Request::default()
        };
        return Ok((request, Rc::new(CustomMatrix::None)));
    }
    let matrix_key = JsValue::from_str("matrix");
    let doc = js_sys::Reflect::get(value, &matrix_key)
        .ok()
        .filter(JsValue::is_string);
    // An introspection response, a document or keys given as an object go on as their JSON text, as if they had
    // been given as text: read on their own, they get the same findings (a nesting too deep for the request's
    // JSON is `introspection.unreadable`, not an exception). Not empty keys: `{}` and `[]` are no keys, where the
    // text `"{}"` would be keys that say nothing.
    let as_text: Vec<JsValue> = ["introspection", "matrix", "keys"]
        .into_iter()
        .filter(|&name| {
            js_sys::Reflect::get(value, &JsValue::from_str(name)).is_ok_and(|v| {
                v.is_object()
                    && (name != "keys"
                        || js_sys::Object::keys(v.unchecked_ref::<js_sys::Object>()).length() > 0)
            })
        })
        .map(JsValue::from_str)
        .collect();
    let rest = if doc.is_some() || !as_text.is_empty() {
        let copy = js_sys::Object::assign(&js_sys::Object::new(), value.unchecked_ref());
        // A plain copy: deleting or setting its own property cannot fail.
        if doc.is_some() {
            let _ = js_sys::Reflect::delete_property(&copy, &matrix_key);
        }
        for key in &as_text {
            let text = js_sys::Reflect::get(&copy, key)
                .ok()
                .and_then(|v| js_sys::JSON::stringify(&v).ok());
            if let Some(text) = text {
                let _ = js_sys::Reflect::set(&copy, key, &text);
            }
        }
        JsValue::from(copy)
    } else {
        value.clone()
    };
    let text = crate::jstext::to_string(&js_sys::JSON::stringify(&rest).map_err(|_| {
        JsError::new(
            "diagnose(request): the request cannot be turned into JSON (a cycle, or a BigInt?)",
        )
    })?);
    let text = crate::json::repair_lone_surrogates(&text);
    let mut request: Request = serde_json::from_str(&text).map_err(|e| {
        JsError::new(&match wrong_field(value) {
            Some(field) => format!("diagnose(request): {field}"),
            None => format!("diagnose(request): {e} (see the README, \"Request\")"),
        })
    })?;
    if request.now.is_none() {
        request.now = Some(now_seconds());
    }
    let custom = match (doc, request.matrix.as_ref()) {
        (Some(doc), _) => custom_matrix(DocKey::Js(doc.clone()), || {
            crate::jstext::to_string(doc.unchecked_ref())
        }),
        (None, Some(value)) => {
            let text = Request::text_of(value);
            let key = DocKey::Text(text.len(), crate::fnv::hash(text.as_bytes()));
            custom_matrix(key, || text)
        }
        (None, None) => Rc::new(CustomMatrix::None),
    };
    Ok((request, custom))
}

/// The first field of a request whose type `diagnose` does not take, in words, for the error it throws.
fn wrong_field(request: &JsValue) -> Option<String> {
    let get = |k: &str| {
        js_sys::Reflect::get(request, &JsValue::from_str(k)).unwrap_or(JsValue::UNDEFINED)
    };
    let given = |v: &JsValue| !v.is_undefined() && !v.is_null();
    let kind = |v: &JsValue| {
        let name = v.js_typeof().as_string().unwrap_or_default();
        match name.as_str() {
            _ if js_sys::Array::is_array(v) => "an array".to_string(),
            _ if v.is_null() => "null".to_string(),
            "undefined" => "missing".to_string(),
            "object" => "an object".to_string(),
            _ => format!("a {name}"),
        }
    };
    let input = get("input");
    if input.is_undefined() {
        return Some(
            "`input` is missing: the request is { input: \"<what was pasted>\", ... }".into(),
        );
    }
    if !input.is_string() {
        return Some(format!("`input` must be a string, not {}", kind(&input)));
    }
    for key in ["operation", "platform", "response", "previous"] {
        let v = get(key);
        if given(&v) && !v.is_string() {
            return Some(format!("`{key}` must be a string, not {}", kind(&v)));
        }
    }
    let now = get("now");
    if given(&now) && now.as_f64().is_none() {
        return Some(format!(
            "`now` must be a number (unix seconds), not {}",
            kind(&now)
        ));
    }
    let expect = get("expect");
    if given(&expect) && (!expect.is_object() || js_sys::Array::is_array(&expect)) {
        return Some(format!("`expect` must be an object, not {}", kind(&expect)));
    }
    None
}

/// Diagnoses a request (`{ input, operation?, platform?, matrix?, response?, introspection?, expect?, now?,
/// previous?, keys? }`) and returns the report as a plain object. Synchronous; never touches the network.
///
/// # Errors
/// Throws a JS `Error` only when `request` is not an object with a string `input`, or a field has a type it does
/// not take (the message names it: `now` must be a number, `operation` a string...); in the first engine
/// (www/pkg/first/), also when it brings a document (`matrix`) or `keys`, which only the full engine reads: a
/// report that left them out would look complete and could be wrong.
#[wasm_bindgen]
pub fn diagnose(request: JsValue) -> Result<JsValue, JsError> {
    let (request, custom) = request_from(&request)?;
    let brings_keys = request
        .keys
        .as_ref()
        .is_some_and(|k| !crate::signature::is_blank(k));
    if !cfg!(feature = "full") && (brings_keys || !matches!(*custom, CustomMatrix::None)) {
        return Err(JsError::new(
            "diagnose(request): this request brings a document or keys, which only the full engine (www/pkg/) reads; this is the first engine (www/pkg/first/)",
        ));
    }
    let report = REGISTRY.with(|r| crate::diagnosis::diagnose_with(&request, &r.borrow(), &custom));
    to_js(&report)
}

/// A matrix document, read once and reused while the same document comes back (the page sends it with every
/// diagnosis while the user types elsewhere).
fn custom_matrix(key: DocKey, text: impl FnOnce() -> String) -> Rc<CustomMatrix> {
    if let Some(hit) = CUSTOM.with(|c| {
        c.borrow()
            .as_ref()
            .filter(|(k, _)| *k == key)
            .map(|(_, m)| m.clone())
    }) {
        return hit;
    }
    let read = Rc::new(CustomMatrix::read_text(&text()));
    CUSTOM.with(|c| *c.borrow_mut() = Some((key, read.clone())));
    read
}

/// The built-in platform ids and which of them are installed: `{ builtIn: [...], installed: [...] }`.
#[wasm_bindgen]
pub fn platforms() -> Result<JsValue, JsError> {
    let installed = REGISTRY.with(|r| r.borrow().installed());
    to_js(&serde_json::json!({ "builtIn": crate::registry::BUILT_IN, "installed": installed }))
}

/// Installs a platform matrix from its bytes (the file under `www/matrices/`). Returns `{ id, operations }`.
///
/// # Errors
/// Throws when the bytes are not a matrix, or the matrix is for another platform than `id`.
#[wasm_bindgen(js_name = installPlatform)]
pub fn install_platform(id: &str, bytes: &[u8]) -> Result<JsValue, JsError> {
    // The bytes of a file as served: a UTF-8 byte-order mark (which `Response.text()` would drop) is skipped.
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let text = std::str::from_utf8(bytes)
        .map_err(|_| JsError::new("installPlatform: the matrix is not UTF-8 text"))?;
    let matrix = crate::matrix::Matrix::from_json(text)
        .map_err(|e| JsError::new(&format!("installPlatform: {e}")))?;
    if matrix.platform.id != id {
        return Err(JsError::new(&format!(
            "installPlatform: the matrix is for `{}`, not `{id}`",
            matrix.platform.id
        )));
    }
    let count = matrix.operation_count();
    REGISTRY.with(|r| r.borrow_mut().install(matrix));
    to_js(&serde_json::json!({ "id": id, "operations": count }))
}

/// Compares two tokens (or headers, token responses): `a` the one that works, `b` the one that fails. Returns
/// `{ a, b, scopesGained, scopesLost, rolesGained, rolesLost, same: {audience, issuer, grant, client, subject,
/// lifetime}, identical, notes }`. `now` (unix seconds) defaults to the current time. A token over 1 MiB is not
/// read (a note says so).
///
/// # Errors
/// Throws only if the result cannot be serialized (never for any string input).
#[wasm_bindgen]
pub fn compare(a: &str, b: &str, now: Option<f64>) -> Result<JsValue, JsError> {
    #[allow(clippy::cast_possible_truncation)]
    let now = now.filter(|n| n.is_finite()).unwrap_or_else(now_seconds) as i64;
    to_js(&crate::compare::compare(a, b, now))
}

/// The operations of an installed platform, for completion: `[{ method, path, summary }]`, paths without the
/// platform's base path (`platform.basePaths` of the matrix; the page puts the one typed in front). Empty when
/// the platform is not installed.
///
/// # Errors
/// Throws only if the result cannot be serialized.
#[wasm_bindgen]
pub fn operations(id: &str) -> Result<JsValue, JsError> {
    let list: Vec<serde_json::Value> = REGISTRY.with(|r| {
        r.borrow()
            .get(id)
            .map(|m| {
                m.operations()
                    .iter()
                    .map(|o| serde_json::json!({ "method": o.method, "path": o.path, "summary": o.summary }))
                    .collect()
            })
            .unwrap_or_default()
    });
    to_js(&list)
}

/// The token a paste carries, as `diagnose` reads it (from a bare token, a `Bearer` header, a token response, a
/// curl command...), or `null`: what the live-check panel sends. `null` too for credentials sent with the Basic
/// scheme, first or among several schemes (a client id and secret, or a user name and password, which `diagnose`
/// reads as a malformed header's token): they are no access token and must not be sent as one. Pure; never
/// fetches.
#[wasm_bindgen(js_name = tokenOf)]
pub fn token_of(input: &str) -> Option<String> {
    if input.len() > crate::limits::MAX_INPUT_BYTES {
        return None;
    }
    let r = crate::input::recognize(input);
    if r.basic {
        return None;
    }
    r.token
}

/// The exports of the full engine only: the document import, the live checks, `loadPlatform` and signature
/// verification with keys. The page's first engine (`--no-default-features`, www/pkg/first/) is built without
/// them, so its wasm holds none of their code (the YAML parser, the OpenAPI importer, the key readers, the
/// network code); the page loads the full engine (www/pkg/) when one of them is first needed (README, "Two
/// engines").
#[cfg(feature = "full")]
pub use full::*;
#[cfg(feature = "full")]
mod full {
    use super::*;

    #[wasm_bindgen(inline_js = "export function td_module_url() { return import.meta.url; }")]
    extern "C" {
        fn td_module_url() -> String;
    }

    /// Reads a user-supplied matrix (OpenAPI / Swagger in JSON or YAML, or the project's format) without
    /// diagnosing: `{ format, operations: [{ method, path, summary }], problems: [{ pointer, message, fatal }] }`.
    /// For completion and for showing what was understood of the document.
    ///
    /// # Errors
    /// Throws when `text` is not a string, or if the result cannot be serialized (never for any text).
    #[wasm_bindgen(js_name = importMatrix)]
    pub fn import_matrix(text: JsValue) -> Result<JsValue, JsError> {
        let Some(text) = text.dyn_ref::<js_sys::JsString>() else {
            return Err(JsError::new(
                "importMatrix(text): the document must be a string",
            ));
        };
        // Each UTF-16 unit is at least one byte of UTF-8: a longer string is refused before it is copied.
        let units = text.length() as usize;
        let copied =
            (units <= crate::limits::MAX_MATRIX_BYTES).then(|| crate::jstext::to_string(text));
        let imported = match copied.as_deref() {
            Some(text) if text.len() <= crate::limits::MAX_MATRIX_BYTES => {
                crate::openapi::import(text)
            }
            _ => crate::openapi::Imported {
                matrix: None,
                problems: vec![crate::openapi::ImportProblem {
                    pointer: String::new(),
                    message: format!(
                        "the document is {} bytes or more; the limit is {}",
                        copied.as_ref().map_or(units, String::len),
                        crate::limits::MAX_MATRIX_BYTES
                    ),
                    fatal: true,
                }],
                format: "unknown".into(),
            },
        };
        let operations: Vec<serde_json::Value> = imported
            .matrix
            .as_ref()
            .map(|m| {
                m.operations()
                    .iter()
                    .map(|o| serde_json::json!({ "method": o.method, "path": m.full_path(o), "summary": o.summary }))
                    .collect()
            })
            .unwrap_or_default();
        let problems: Vec<serde_json::Value> = imported
            .problems
            .iter()
            .map(
                |p| serde_json::json!({ "pointer": p.pointer, "message": p.message, "fatal": p.fatal }),
            )
            .collect();
        to_js(
            &serde_json::json!({ "format": imported.format, "operations": operations, "problems": problems }),
        )
    }

    /// Fetches a built-in platform's matrix from `../matrices/<id>.json` relative to this module and installs it.
    ///
    /// # Errors
    /// Rejects when the id is not built in, or the file cannot be fetched or read.
    #[wasm_bindgen(js_name = loadPlatform)]
    pub fn load_platform(id: String) -> js_sys::Promise {
        promise(Box::pin(async move {
            if !crate::registry::BUILT_IN.contains(&id.as_str()) {
                return Err(JsError::new(&format!(
                    "loadPlatform: `{id}` is not a built-in platform"
                )));
            }
            // The snippet that reports the module URL lives in pkg/snippets/<crate>-<hash>/inline0.js.
            let base = td_module_url();
            let url = web_sys_url(&format!("../../../matrices/{id}.json"), &base)?;
            let bytes = crate::live::get_bytes(&url)
                .await
                .map_err(|e| JsError::new(&format!("loadPlatform: {e}")))?;
            install_platform(&id, &bytes)
        }))
    }

    /// The work of an asynchronous export, boxed: every export goes through the one [`promise`].
    type Pending = std::pin::Pin<Box<dyn std::future::Future<Output = Result<JsValue, JsError>>>>;

    /// The Promise of an asynchronous export: resolves to its value, rejects with its `Error`. Each `async fn` export
    /// compiled its own copy of wasm-bindgen-futures' promise machinery (about 4 KB of wasm each); a boxed future
    /// needs one.
    fn promise(work: Pending) -> js_sys::Promise {
        wasm_bindgen_futures::future_to_promise(async move { work.await.map_err(JsValue::from) })
    }

    fn web_sys_url(relative: &str, base: &str) -> Result<String, JsError> {
        let url = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("URL"))
            .map_err(|_| JsError::new("URL is not available"))?;
        let ctor: js_sys::Function = url.into();
        let args = js_sys::Array::of2(&JsValue::from_str(relative), &JsValue::from_str(base));
        let made =
            js_sys::Reflect::construct(&ctor, &args).map_err(|_| JsError::new("bad matrix URL"))?;
        Ok(js_sys::Reflect::get(&made, &JsValue::from_str("href"))
            .ok()
            .and_then(|h| h.as_string())
            .unwrap_or_default())
    }

    // --- live checks ---
    // The only exports that touch the network, each only when called (the page calls them on a button press).

    /// Runs a live check as a promise: reads `options` (as `api`, the export's name in its errors), then `check` with
    /// the options as JSON and their `signal`; resolves to what the check returns.
    fn live_check<Check>(
        options: JsValue,
        api: &'static str,
        check: impl FnOnce(serde_json::Value, Option<web_sys::AbortSignal>) -> Check + 'static,
    ) -> js_sys::Promise
    where
        Check: std::future::Future<Output = Result<serde_json::Value, String>> + 'static,
    {
        promise(Box::pin(async move {
            let (json, signal) =
                crate::live::read_options(&options, api).map_err(|e| JsError::new(&e))?;
            let result = check(json, signal).await.map_err(|e| JsError::new(&e))?;
            to_js(&result)
        }))
    }

    // Options and results are plain objects; see README "Live checks". Invalid options reject with an Error;
    // every network outcome resolves to `{ ok: true, ... }` or `{ ok: false, error: { kind, ... } }`.

    /// RFC 7662 introspection: `introspect({ endpoint, token, clientId, clientSecret, auth: "basic" | "post" |
    /// "bearer", bearer, timeoutMs, includeSecrets, signal })` resolves to `{ ok: true, status, url, response,
    /// warnings }` (pass `response` to `diagnose` as `introspection`) or `{ ok: false, error: { kind, status,
    /// message, url, commands: { curl, powershell } } }`.
    ///
    /// # Errors
    /// Rejects when the options are invalid (no endpoint, no token, an address Token Doctor will not send to...).
    #[wasm_bindgen]
    pub fn introspect(options: JsValue) -> js_sys::Promise {
        live_check(options, "introspect", |json, signal| async move {
            crate::live::introspect(&json, signal.as_ref()).await
        })
    }

    /// Discovery: `discover({ issuer, timeoutMs, signal })` fetches `/.well-known/openid-configuration`, then RFC
    /// 8414's `/.well-known/oauth-authorization-server`; resolves like `introspect`, with the metadata document as
    /// `response` and the addresses asked as `tried`.
    ///
    /// # Errors
    /// Rejects when the options are invalid.
    #[wasm_bindgen]
    pub fn discover(options: JsValue) -> js_sys::Promise {
        live_check(options, "discover", |json, signal| async move {
            crate::live::discover(&json, signal.as_ref()).await
        })
    }

    /// Genesys Cloud: `genesysTokenInfo({ region | apiHost, token, timeoutMs, withUser, includeSecrets, signal })`
    /// calls `GET /api/v2/tokens/me`; `response` is the `TokenInfo` (pass it to `diagnose` as `introspection`);
    /// with `withUser`, also `user`, `permissions`, `userError`, `userSkipped` from `GET /api/v2/users/me?expand=authorization`.
    ///
    /// # Errors
    /// Rejects when the options are invalid (unknown region, no token...).
    #[wasm_bindgen(js_name = genesysTokenInfo)]
    pub fn genesys_token_info(options: JsValue) -> js_sys::Promise {
        live_check(options, "genesysTokenInfo", |json, signal| async move {
            crate::live::genesys_token_info(&json, signal.as_ref()).await
        })
    }

    /// What a live check would send where, without sending: `livePlan({ check: "introspect" | "discover" |
    /// "genesys", ...options })` returns `{ ok: true, check, urls, sends, commands: { curl, powershell } }` or `{ ok:
    /// false, message }`. The page shows `urls` before the user presses the button. Never throws, never fetches.
    ///
    /// # Errors
    /// Throws only if the options cannot be turned into JSON.
    #[wasm_bindgen(js_name = livePlan)]
    pub fn live_plan(options: JsValue) -> Result<JsValue, JsError> {
        let (json, _) =
            crate::live::read_options(&options, "livePlan").map_err(|e| JsError::new(&e))?;
        to_js(&crate::livecheck::plan(&json))
    }

    // --- signature ---

    /// Like [`diagnose`], with the signature checked: `diagnoseAsync(request)` returns a Promise of the same report,
    /// where `signature.status` is `verified` or `invalid` when `keys` were given and a key fits (WebCrypto does the
    /// cryptography), and `signature.invalid` is an error finding that denies. Without `keys` it equals `diagnose`.
    ///
    /// # Errors
    /// Rejects only when `request` is not an object with a string `input` (as `diagnose` throws).
    #[wasm_bindgen(js_name = diagnoseAsync)]
    pub fn diagnose_async(request: JsValue) -> js_sys::Promise {
        promise(Box::pin(async move {
            let (request, custom) = request_from(&request)?;
            let mut report =
                REGISTRY.with(|r| crate::diagnosis::diagnose_with(&request, &r.borrow(), &custom));
            let planned = crate::signature::assess_request(&request);
            let checked = crate::webcrypto::verify(&planned).await;
            crate::signature::merge(&mut report, &checked);
            to_js(&report)
        }))
    }
}
