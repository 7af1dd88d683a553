//! The response parser: `response::parse` (raw HTTP response, body, or `WWW-Authenticate` value) and
//! `response::parse_challenges`, on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_doctor::response;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let info = response::parse(&text);
    if let Some(status) = info.status {
        let _ = status;
    }
    for challenge in response::parse_challenges(&text) {
        let _ = challenge.param("scope");
    }
});
