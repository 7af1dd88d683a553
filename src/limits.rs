//! The limits the core enforces, each reported with a clear finding when exceeded. Stated in the README.

/// The largest paste (`input`, `previous`, `operation`) read, in bytes. Tokens are kilobytes; 1 MiB is generous.
pub const MAX_INPUT_BYTES: usize = 1 << 20;
/// The largest API response read, in bytes; the rest is ignored (error bodies are small).
pub const MAX_RESPONSE_BYTES: usize = 1 << 20;
/// The largest matrix document (OpenAPI or matrix JSON), in bytes. The real Genesys document is 4.2 MB.
pub const MAX_MATRIX_BYTES: usize = 32 << 20;
/// JSON nesting depth accepted (serde_json's own limit; deeper input is reported, not followed).
pub const MAX_JSON_DEPTH: usize = 128;
/// The most claims listed in a report; the rest are counted, not listed.
pub const MAX_CLAIMS_SHOWN: usize = 1000;
/// The largest claim value shown, in characters; longer values are clipped with an ellipsis.
pub const MAX_CLAIM_CHARS: usize = 4096;
/// Clock-skew tolerance applied to `exp`, `nbf` and `iat`, in seconds (the common default of
/// Microsoft.IdentityModel and Spring is 5 minutes; many servers use less).
pub const CLOCK_SKEW_SECONDS: i64 = 300;
