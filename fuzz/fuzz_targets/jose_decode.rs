//! The token decoder: `jose::decode` on arbitrary text, with its invariants checked.
#![no_main]

use libfuzzer_sys::fuzz_target;
use token_doctor::jose::{self, TokenShape};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let decoded = jose::decode(&text);
    let dots = text.bytes().filter(|b| *b == b'.').count();
    assert_eq!(decoded.shape, jose::shape_of(&text));
    assert_eq!(decoded.segments, dots + 1, "segment count");
    assert_eq!(decoded.signature_len, decoded.signature.len());
    if decoded.shape == TokenShape::Jws {
        // A JWS whose header and payload decode without a fatal issue has both parts.
        let fatal = |seg: &str| decoded.issues.iter().any(|i| i.fatal && i.segment == seg);
        assert_eq!(
            decoded.header.is_some(),
            !fatal("header"),
            "header vs issues: {:?}",
            decoded.issues
        );
        assert!(decoded.signing_input_len <= text.len());
    }
    if matches!(decoded.shape, TokenShape::Opaque | TokenShape::Malformed) {
        assert!(decoded.header.is_none() && decoded.payload.is_none());
    }
    for issue in &decoded.issues {
        assert!(!issue.message.is_empty());
    }
    let _ = decoded.alg();
});
