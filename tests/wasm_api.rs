//! The JS API as the page and embedders see it, run in headless Chromium by wasm-bindgen-test.
#![cfg(target_arch = "wasm32")]
#![allow(
    missing_docs,
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing
)]

use js_sys::{JSON, Reflect};
use wasm_bindgen::JsValue;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn get(v: &JsValue, key: &str) -> JsValue {
    Reflect::get(v, &JsValue::from_str(key)).unwrap()
}

fn request(json: &str) -> JsValue {
    JSON::parse(json).unwrap()
}

#[wasm_bindgen_test]
fn report_is_a_plain_object_with_verdict_and_findings() {
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIiwic2NwIjoiVXNlci5SZWFkIn0.c2ln";
    let report = token_doctor::bindings::diagnose(request(&format!(
        r#"{{"input":"{token}","now":1700000000}}"#
    )))
    .unwrap();
    let proto = js_sys::Object::get_prototype_of(&report);
    assert_eq!(
        proto,
        js_sys::Object::get_prototype_of(&js_sys::Object::new().into())
    );
    assert!(get(&report, "verdict").is_string());
    assert!(js_sys::Array::is_array(&get(&report, "findings")));
    let header = get(&get(&report, "token"), "header");
    assert_eq!(get(&header, "alg").as_string().as_deref(), Some("RS256"));
    // Missing values are null, not undefined.
    assert!(get(&report, "comparison").is_null());
}

#[wasm_bindgen_test]
fn a_request_that_is_not_an_object_throws_a_clear_error() {
    let err = token_doctor::bindings::diagnose(JsValue::from_str("eyJ")).unwrap_err();
    let err: JsValue = err.into();
    let message = get(&err, "message").as_string().unwrap();
    assert!(message.contains("must be an object"), "{message}");
}

#[wasm_bindgen_test]
fn garbled_token_is_a_finding_not_an_exception() {
    let report =
        token_doctor::bindings::diagnose(request(r#"{"input":"eyJhbGciOi.e*yJ.x","now":1}"#))
            .unwrap();
    let first = JSON::stringify(&get(&report, "findings"))
        .unwrap()
        .as_string()
        .unwrap();
    assert!(first.contains("token.malformed"), "{first}");
}

#[wasm_bindgen_test]
fn platforms_lists_the_built_ins() {
    let p = token_doctor::bindings::platforms().unwrap();
    let text = JSON::stringify(&p).unwrap().as_string().unwrap();
    assert!(
        text.contains("genesys-cloud")
            && text.contains("microsoft-graph")
            && text.contains("nice-cxone"),
        "{text}"
    );
}

#[wasm_bindgen_test]
fn import_matrix_reads_yaml_and_reports_problems() {
    let yaml = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\nservers: [{url: 'https://api.example.com/v1'}]\npaths:\n  /things:\n    post:\n      summary: Make a thing\n      security: [{oauth: [things.write]}]\n      responses: {'200': {description: ok}}\ncomponents:\n  securitySchemes:\n    oauth: {type: oauth2, flows: {clientCredentials: {tokenUrl: 'https://idp/token', scopes: {things.write: w}}}}\n";
    let r = token_doctor::bindings::import_matrix(yaml.into()).unwrap();
    let text = JSON::stringify(&r).unwrap().as_string().unwrap();
    assert!(text.contains("\"method\":\"POST\""), "{text}");
    assert!(text.contains("/things"), "{text}");
    assert!(text.contains("Make a thing"), "{text}");
    let broken = token_doctor::bindings::import_matrix(
        "{\"openapi\": \"3.0.0\", \"paths\": {\"/a\": {\"get\": {\"$ref\": \"#/nowhere\"}}}}"
            .into(),
    )
    .unwrap();
    let text = JSON::stringify(&get(&broken, "problems"))
        .unwrap()
        .as_string()
        .unwrap();
    assert!(text.contains("/paths/~1a/get"), "{text}");
}

/// The document crosses into wasm with `TextEncoder.encodeInto` (src/jstext.rs): text that needs more bytes than
/// it has UTF-16 units (here 3,000 euro signs after 20,000 ASCII characters) and lone surrogates arrive whole.
#[wasm_bindgen_test]
fn import_matrix_takes_any_string_whole_and_refuses_what_is_not_one() {
    let path = format!("/{}", "€".repeat(3_000));
    let doc = format!(
        r#"{{"x-pad":"{}","swagger":"2.0","info":{{"title":"Zürich 🎫","version":"1"}},"paths":{{"{path}":{{"get":{{"security":[]}}}}}},"x-tail":""#,
        "a".repeat(20_000)
    );
    let text = js_sys::JsString::from(doc.as_str())
        .concat(&js_sys::JsString::from_char_code1(0xD800))
        .concat(&JsValue::from_str("\"}"));
    let r = token_doctor::bindings::import_matrix(text.into()).unwrap();
    let op = js_sys::Reflect::get_u32(&get(&r, "operations"), 0).unwrap();
    assert_eq!(get(&op, "path").as_string().unwrap(), path);
    assert_eq!(
        JSON::stringify(&get(&r, "problems"))
            .unwrap()
            .as_string()
            .unwrap(),
        "[]"
    );
    let long = format!(
        r#"{{"openapi":"3.0.0","info":{{"title":"{}"}},"paths":{{"/y":{{"get":{{"summary":"{}","security":[]}}}}}}}}"#,
        "€".repeat(5_000),
        "ü".repeat(150)
    );
    let r = token_doctor::bindings::import_matrix(long.as_str().into()).unwrap();
    let op = js_sys::Reflect::get_u32(&get(&r, "operations"), 0).unwrap();
    assert_eq!(get(&op, "summary").as_string().unwrap(), "ü".repeat(150));
    assert!(token_doctor::bindings::import_matrix(JsValue::from_f64(7.0)).is_err());
}

#[wasm_bindgen_test]
fn a_document_sent_again_is_reused_and_a_changed_one_is_read_again() {
    let doc = |scope: &str| {
        format!(
            r#"{{"openapi":"3.0.0","info":{{"title":"t","version":"1"}},"paths":{{"/things":{{"post":{{"security":[{{"o":["{scope}"]}}],"responses":{{"200":{{"description":"ok"}}}}}}}}}},"components":{{"securitySchemes":{{"o":{{"type":"oauth2","flows":{{"clientCredentials":{{"tokenUrl":"https://x/t","scopes":{{"{scope}":"s"}}}}}}}}}}}}}}"#
        )
    };
    // A token with scope `a`: allowed against a document that needs `a`, denied once the document needs `b`.
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJ1Iiwic2NvcGUiOiJhIiwiZXhwIjo0MDAwMDAwMDAwfQ.c2ln";
    let run_with = |d: JsValue| {
        let req = js_sys::Object::new();
        Reflect::set(&req, &"input".into(), &token.into()).unwrap();
        Reflect::set(
            &req,
            &"operation".into(),
            &"POST https://api.example.com/things".into(),
        )
        .unwrap();
        Reflect::set(&req, &"matrix".into(), &d).unwrap();
        Reflect::set(&req, &"now".into(), &1_700_000_000.into()).unwrap();
        let verdict = get(
            &token_doctor::bindings::diagnose(req.clone().into()).unwrap(),
            "verdict",
        )
        .as_string()
        .unwrap();
        // The caller's request is left as it was (a string document crosses on its own, from a copy).
        assert_eq!(get(&req, "matrix"), d);
        verdict
    };
    let run = |d: &str| run_with(d.into());
    assert_eq!(run(&doc("a")), "allowed");
    assert_eq!(run(&doc("a")), "allowed");
    assert_eq!(run(&doc("b")), "denied");
    assert_eq!(run(&doc("a")), "allowed");
    // The same documents as objects.
    let object = |scope: &str| JSON::parse(&doc(scope)).unwrap();
    assert_eq!(run_with(object("b")), "denied");
    assert_eq!(run_with(object("b")), "denied");
    assert_eq!(run_with(object("a")), "allowed");
}

/// `{ input }` alone is read straight (not through JSON): it must diagnose exactly what the JSON path does,
/// lone surrogates and an inherited `toJSON` included.
#[wasm_bindgen_test]
fn a_request_with_input_alone_reads_as_its_json_would() {
    use wasm_bindgen::JsCast;
    let without_now = |report: JsValue| {
        Reflect::delete_property(
            report.unchecked_ref::<js_sys::Object>(),
            &JsValue::from_str("now"),
        )
        .unwrap();
        JSON::stringify(&report).unwrap().as_string().unwrap()
    };
    for json in [
        r#""eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIiwic2NwIjoiVXNlci5SZWFkIn0.c2ln""#,
        r#""Authorization: bearer  eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.""#,
        r#""abc\ud83ddef ghi""#,
        r#""{\"access_token\":\"abc\",\"scope\":\"x\"}""#,
        r#""""#,
    ] {
        let alone = token_doctor::bindings::diagnose(request(&format!(r#"{{"input":{json}}}"#)));
        let with_more = token_doctor::bindings::diagnose(request(&format!(
            r#"{{"input":{json},"platform":null}}"#
        )));
        assert_eq!(
            without_now(alone.unwrap()),
            without_now(with_more.unwrap()),
            "{json}"
        );
    }
    // An inherited toJSON decides what JSON.stringify writes, so it decides what is diagnosed.
    let proto = js_sys::Object::new();
    let to_json = js_sys::Function::new_no_args("return { input: 'Bearer Bearer abc' }");
    Reflect::set(&proto, &JsValue::from_str("toJSON"), &to_json).unwrap();
    let odd = js_sys::Object::create(&proto);
    Reflect::set(&odd, &JsValue::from_str("input"), &JsValue::from_str("abc")).unwrap();
    let report = token_doctor::bindings::diagnose(odd.into()).unwrap();
    let findings = JSON::stringify(&get(&report, "findings"))
        .unwrap()
        .as_string()
        .unwrap();
    assert!(findings.contains("header.malformed"), "{findings}");
}

#[wasm_bindgen_test]
fn compare_reads_both_tokens() {
    // Until 2026-11-24 the export compared two empty strings for any token under 1 MiB (a clipped slice that is
    // None below the limit), so both sides were `none` and "the same token".
    let works = "eyJhbGciOiJSUzI1NiJ9.eyJzY3AiOiJNYWlsLlJlYWQgTWFpbC5TZW5kIn0.c2ln"; // scp "Mail.Read Mail.Send"
    let fails = "eyJhbGciOiJSUzI1NiJ9.eyJzY3AiOiJNYWlsLlJlYWQifQ.c2ln"; // scp "Mail.Read"
    let c = token_doctor::bindings::compare(works, fails, Some(1_700_000_000.0)).unwrap();
    assert_eq!(
        get(&get(&c, "a"), "kind").as_string().as_deref(),
        Some("jws")
    );
    assert_eq!(
        get(&get(&c, "b"), "kind").as_string().as_deref(),
        Some("jws")
    );
    let lost = JSON::stringify(&get(&c, "scopesLost"))
        .unwrap()
        .as_string()
        .unwrap();
    assert_eq!(lost, r#"["Mail.Send"]"#);
    assert_eq!(get(&c, "identical").as_bool(), Some(false));
}

#[wasm_bindgen_test]
fn an_object_nested_too_deep_is_a_finding_and_a_wrong_type_names_its_field() {
    // An introspection response given as an object 200 levels deep: the same finding as the same text.
    let deep = format!("{}1{}", r#"{"a":"#.repeat(200), "}".repeat(200));
    let token = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln";
    for introspection in [deep.clone(), format!("{:?}", deep)] {
        let report = token_doctor::bindings::diagnose(request(&format!(
            r#"{{"input":"{token}","introspection":{introspection},"now":1700000000}}"#
        )))
        .expect("a report, not an exception");
        let codes = JSON::stringify(&get(&report, "findings"))
            .unwrap()
            .as_string()
            .unwrap();
        assert!(codes.contains("introspection.unreadable"), "{codes}");
    }
    // Keys (a JWKS) as an object as deep: a report that says the keys could not be read.
    let report = token_doctor::bindings::diagnose(request(&format!(
        r#"{{"input":"{token}","keys":{deep},"now":1700000000}}"#
    )))
    .expect("a report, not an exception");
    let all = JSON::stringify(&report).unwrap().as_string().unwrap();
    assert!(all.contains("The keys given could not be read"), "{all}");
    assert!(
        all.contains("signature.keys_unreadable") && all.contains("do not parse"),
        "{all}"
    );
    for (field, value, says) in [
        (
            "now",
            r#""1700000000""#,
            "`now` must be a number (unix seconds), not a string",
        ),
        (
            "operation",
            "42",
            "`operation` must be a string, not a number",
        ),
        (
            "response",
            "{}",
            "`response` must be a string, not an object",
        ),
        ("expect", "7", "`expect` must be an object, not a number"),
        ("input", "null", "`input` must be a string, not null"),
    ] {
        let err: JsValue = token_doctor::bindings::diagnose(request(&format!(
            r#"{{"input":"{token}","{field}":{value}}}"#
        )))
        .unwrap_err()
        .into();
        let message = get(&err, "message").as_string().unwrap();
        assert!(message.ends_with(says), "{message}");
    }
}

#[wasm_bindgen_test]
fn token_of_gives_the_token_and_never_basic_credentials() {
    let jwt = "eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.";
    assert_eq!(
        token_doctor::bindings::token_of(&format!("Authorization: Bearer {jwt}")).as_deref(),
        Some(jwt)
    );
    for paste in [
        "Authorization: Basic Y2xpZW50OnNlY3JldA==",
        "Basic Y2xpZW50OnNlY3JldA==",
        // Basic behind another scheme: the engine reads the first scheme, but the value is still credentials.
        "Authorization: Bearer Basic Y2xpZW50OnNlY3JldA==",
        "Bearer basic Y2xpZW50OnNlY3JldA==",
        "curl https://api.example.com/x -H 'Authorization: Basic Y2xpZW50OnNlY3JldA=='",
        "GET /x HTTP/1.1\r\nHost: api.example.com\r\nAuthorization: basic Y2xpZW50OnNlY3JldA==\r\n\r\n",
        r#"{"refresh_token":"Sup3rSecretValue","token_type":"bearer"}"#,
    ] {
        assert_eq!(token_doctor::bindings::token_of(paste), None, "{paste}");
    }
}
