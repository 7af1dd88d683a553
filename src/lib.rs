//! Token Doctor: explains why an API answered 401 or 403.
//!
//! The core (every module but `bindings` and `live`) is pure: it takes text and a `now`, and returns a
//! [`report::Report`]. It never touches the network, the clock or the browser, so it is tested natively with
//! `cargo test`. The `bindings` module is the only place with `#[wasm_bindgen]` exports; `live` holds the
//! `fetch` calls (introspection, discovery) that run only when the user asks.
//!
//! ```
//! let request = token_doctor::request::Request { input: "not a token".into(), ..Default::default() };
//! let report = token_doctor::diagnose(&request, &token_doctor::registry::Registry::default());
//! assert_eq!(report.verdict, token_doctor::report::Verdict::Denied);
//! assert_eq!(report.findings[0].code, "input.no_token");
//! ```

// Tests may compute freely; the no-overflow rule is for the shipped code.
#![cfg_attr(test, allow(clippy::arithmetic_side_effects))]

pub mod claims;
pub mod compare;
pub mod diagnosis;
pub mod fnv;
pub mod input;
pub mod introspection;
pub mod jose;
pub mod json;
pub mod limits;
pub mod livecheck;
pub mod matrix;
pub mod openapi;
pub mod order;
pub mod registry;
pub mod report;
pub mod request;
pub mod response;
pub mod session;
pub mod signature;
pub mod snippet;
pub mod text;
pub mod time;

#[cfg(target_arch = "wasm32")]
pub mod bindings;
#[cfg(target_arch = "wasm32")]
pub mod jstext;
#[cfg(all(target_arch = "wasm32", feature = "full"))]
pub mod live;
#[cfg(all(target_arch = "wasm32", feature = "full"))]
pub mod webcrypto;

pub use diagnosis::diagnose;

// Under `cargo test --target wasm32-unknown-unknown`, the core's unit tests run in headless Chromium: each test
// module imports `wasm_bindgen_test as test` on wasm32 (see `testing`), so one `#[test]` serves both tiers.
#[cfg(all(test, target_arch = "wasm32"))]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);
