//! The input recognizer: `input::recognize` (bare token, `Bearer x`, header lines, token responses, curl, raw HTTP
//! requests and responses), `input::parse_operation` and the shell word splitter, on arbitrary text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_doctor::input;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let recognized = input::recognize(&text);
    assert!(!recognized.kind.is_empty());
    if let Some(token) = &recognized.token {
        // The extracted token is what goes on the wire: never empty, never white space or invisible characters.
        assert!(!token.is_empty());
        assert!(
            token.bytes().all(|b| b.is_ascii_graphic()),
            "token {token:?}"
        );
    }
    for finding in &recognized.findings {
        assert!(!finding.code.is_empty() && !finding.title.is_empty());
    }
    let (call, _) = input::parse_operation(&text);
    if let Some(call) = call {
        assert!(call.path.starts_with('/'), "path {:?}", call.path);
    }
    let _ = input::shell_words(&text);
});
