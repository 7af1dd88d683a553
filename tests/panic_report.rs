//! A panic, if one ever happens, is reported instead of killing the page silently (issue 7).
//!
//! The core is written not to panic (the lints in Cargo.toml forbid unwrap, expect, panic, indexing and unchecked
//! arithmetic outside tests; the fuzzers look for the rest). If one happens anyway, in release wasm it aborts the
//! call: JS sees an exception (`RuntimeError: unreachable`), and the panic hook that `bindings::start` installs
//! when the module is instantiated has kept the message for `lastPanic()`, so the page can show it. This test
//! proves that chain in headless Chromium without adding any panic trigger to the library: the panic is raised by
//! the test's own closure, which runs in the same module and goes through the same global hook.
//!
//! It lives in its own test binary because it replaces the test harness's panic hook with the page's.
#![cfg(target_arch = "wasm32")]
#![allow(missing_docs, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

#[wasm_bindgen(inline_js = "export function td_call_catching(f) { \
    try { f(); return null; } catch (e) { return `${e && e.name}: ${e && e.message}`; } }")]
extern "C" {
    /// Calls `f` from JS, as the page calls an export, and returns the exception it threw, if any.
    fn td_call_catching(f: &js_sys::Function) -> Option<String>;
}

#[wasm_bindgen_test]
fn a_panic_reaches_js_as_an_exception_and_last_panic_reports_it() {
    // What the page gets when the module is instantiated (`#[wasm_bindgen(start)]`).
    token_doctor::bindings::start();
    assert!(
        token_doctor::bindings::last_panic().is_null(),
        "no panic yet: null, as documented (not undefined)"
    );

    let boom = Closure::<dyn FnMut()>::new(|| {
        let input = "eyJhbGciOiJub25lIn0";
        panic!("test panic while diagnosing {} bytes", input.len());
    });
    let thrown = td_call_catching(boom.as_ref().unchecked_ref());

    // 1. The page is not killed silently: the call threw, and JS caught it.
    let thrown = thrown.expect("the panic surfaced in JS as an exception");
    assert!(
        thrown.contains("RuntimeError") || thrown.contains("unreachable"),
        "{thrown}"
    );
    // 2. The message is kept for the page to show.
    let message = token_doctor::bindings::last_panic()
        .as_string()
        .expect("lastPanic() reports the panic");
    assert!(
        message.contains("test panic while diagnosing 19 bytes"),
        "{message}"
    );
    assert!(
        message.contains("tests/panic_report.rs"),
        "with its location: {message}"
    );

    // 3. The module still answers afterwards: the page can go on diagnosing.
    let request =
        js_sys::JSON::parse(r#"{"input":"eyJhbGciOiJub25lIn0.eyJzdWIiOiJhIn0.","now":1700000000}"#)
            .unwrap();
    let report = token_doctor::bindings::diagnose(request)
        .map_err(JsValue::from)
        .expect("diagnose works after a panic");
    let verdict = js_sys::Reflect::get(&report, &"verdict".into()).unwrap();
    assert!(verdict.is_string());
    std::mem::forget(boom); // its JS wrapper is still marked as running; never drop it
}
