//! Compact JOSE serialization: splits a token into its segments and decodes them without verifying anything.
//!
//! Decoding is deliberately lenient about *display* (padding and the standard base64 alphabet are accepted with a
//! warning) and precise about *errors* (which segment, which byte). Nothing here checks a signature: a decoded
//! token is not a verified token.

use base64::Engine;
use base64::engine::general_purpose::{STANDARD_NO_PAD, URL_SAFE_NO_PAD};
use serde_json::Value;

/// What kind of token the text is, by shape.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TokenShape {
    /// Three segments: a signed JWT (JWS compact serialization).
    Jws,
    /// Five segments: an encrypted JWT (JWE compact serialization); only the header is readable.
    Jwe,
    /// No dots: an opaque (reference) token; only the issuer can tell what it means.
    Opaque,
    /// Some other number of dots: not a JOSE token and not a plain opaque string.
    Malformed,
}

impl TokenShape {
    /// The name reports and comparisons give the shape: `jws`, `jwe`, `opaque` or `malformed`.
    pub fn name(self) -> &'static str {
        match self {
            TokenShape::Jws => "jws",
            TokenShape::Jwe => "jwe",
            TokenShape::Opaque => "opaque",
            TokenShape::Malformed => "malformed",
        }
    }
}

/// A problem met while decoding one segment.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentIssue {
    /// `header`, `payload`, `signature`, `encrypted key`, ...
    pub segment: &'static str,
    /// True if decoding could not go on (the segment's content is unavailable).
    pub fatal: bool,
    /// What is wrong, with the byte offset into the whole token where known.
    pub message: String,
}

/// A decoded (not verified) token.
#[derive(Debug, Clone, PartialEq)]
pub struct DecodedToken {
    /// Shape by segment count.
    pub shape: TokenShape,
    /// Number of dot-separated segments.
    pub segments: usize,
    /// The JOSE header, when it decoded to a JSON object.
    pub header: Option<serde_json::Map<String, Value>>,
    /// The payload (claims), when it decoded to a JSON object.
    pub payload: Option<serde_json::Map<String, Value>>,
    /// The payload as text when it is not a JSON object (e.g. a JWS over plain text).
    pub payload_text: Option<String>,
    /// Length of the decoded signature in bytes.
    pub signature_len: usize,
    /// The decoded signature bytes (JWS only).
    pub signature: Vec<u8>,
    /// Byte length of the signing input (`header.payload`), for verification.
    pub signing_input_len: usize,
    /// What went wrong or looked odd, segment by segment.
    pub issues: Vec<SegmentIssue>,
    /// A JWS whose signature was cut with `...` when copied ([`shortened_at`]): its header and payload are read,
    /// its signature is not there.
    pub shortened: bool,
}

impl DecodedToken {
    /// The header's `alg`, if it is a string.
    pub fn alg(&self) -> Option<&str> {
        self.header.as_ref()?.get("alg")?.as_str()
    }
}

/// Classifies a token by its segment count (cheap; no decoding).
pub fn shape_of(token: &str) -> TokenShape {
    shape_by_dots(token, dots(token))
}

/// The number of dots in `token`, counted eight bytes at a time (a token is read several times on the way to a
/// report; byte-at-a-time loops over a 2 KB token showed in the wasm profile).
fn dots(token: &str) -> usize {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const LOW7: u64 = 0x7F7F_7F7F_7F7F_7F7F;
    let mut chunks = token.as_bytes().chunks_exact(8);
    let mut n: usize = 0;
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // A zero byte of `x` is a dot of `word`; the top bit of each byte of `zero` says whether that byte of `x`
        // is zero (exactly: no carry crosses bytes).
        let x = word ^ ONES.wrapping_mul(u64::from(b'.'));
        let zero = !(((x & LOW7).wrapping_add(LOW7)) | x | LOW7);
        n = n.wrapping_add(zero.count_ones() as usize);
    }
    let rest = chunks.remainder().iter().filter(|b| **b == b'.').count();
    n.wrapping_add(rest)
}

/// Where a token was shortened when copied (`eyJ0eXAi...Xk3q`): the byte offset of a `...` next to a token's
/// character (a letter, a digit, `-` or `_`). None for a token that was not, and for dots alone (`....`).
pub fn shortened_at(token: &str) -> Option<usize> {
    let word =
        |b: Option<&u8>| b.is_some_and(|b| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_');
    let bytes = token.as_bytes();
    token.match_indices("...").map(|(at, _)| at).find(|at| {
        word(at.checked_sub(1).and_then(|i| bytes.get(i))) || word(bytes.get(at.saturating_add(3)))
    })
}

/// [`shape_of`] with the token's dots already counted.
fn shape_by_dots(token: &str, dots: usize) -> TokenShape {
    // Some opaque tokens contain a dot (Google `ya29.…`): with a segment count no JOSE form has, only text with
    // a segment that starts like a JOSE header or payload (`{"` is `eyJ` in base64url) is a broken JWT.
    let jwt_like = || token.starts_with("eyJ") || token.contains(".eyJ");
    // `...` next to a token's characters is in no JWS or JWE (a JWE's key may be empty, never its IV as well): a
    // token shortened when copied. Cut in its signature, it is still a JWS whose header and payload can be read.
    // (Three dots at least: a token with the two of a JWS, the common case, is not searched.)
    if let Some(at) = (dots >= 3).then(|| shortened_at(token)).flatten() {
        let head = token.get(..at).unwrap_or("");
        let head_dots = head.bytes().filter(|b| *b == b'.').count();
        // Cut inside the signature (`h.p.sig...`), or right after the payload (`h.p....`, `h.p.…`, `h.p...`) when
        // the payload is whole (a JSON object), not cut itself.
        let in_signature = head_dots == 2 && !head.ends_with('.')
            || head_dots == 1
                && head
                    .split_once('.')
                    .and_then(|(_, payload)| URL_SAFE_NO_PAD.decode(payload).ok())
                    .is_some_and(|b| {
                        serde_json::from_slice::<serde_json::Map<String, Value>>(&b).is_ok()
                    });
        return if in_signature && !head.starts_with('.') && !head.contains("..") {
            TokenShape::Jws
        } else {
            TokenShape::Malformed
        };
    }
    match dots {
        0 => TokenShape::Opaque,
        // A first segment of one or two characters holds no JOSE header (`{}` alone is `e30`): an opaque token
        // with dots, such as Microsoft's refresh tokens (`0.A…`, `1.A…`).
        2 if !jwt_like()
            && token.find('.').is_some_and(|at| at > 0 && at < 3)
            && !token.split('.').any(str::is_empty) =>
        {
            TokenShape::Opaque
        }
        2 => TokenShape::Jws,
        4 => TokenShape::Jwe,
        _ if !jwt_like() && !token.split('.').any(str::is_empty) => TokenShape::Opaque,
        _ => TokenShape::Malformed,
    }
}

/// Decodes a compact JWS or JWE without verifying it. Never fails: problems are reported in `issues`.
pub fn decode(token: &str) -> DecodedToken {
    let dots = dots(token);
    let shape = shape_by_dots(token, dots);
    let mut out = DecodedToken {
        shape,
        // Every dot starts a segment: a million dots is a million and one segments, said as such.
        segments: dots.saturating_add(1),
        header: None,
        payload: None,
        payload_text: None,
        signature_len: 0,
        signature: Vec::new(),
        signing_input_len: 0,
        shortened: false,
        issues: Vec::new(),
    };
    if matches!(shape, TokenShape::Opaque | TokenShape::Malformed) {
        return out;
    }
    let names: &[&'static str] = if shape == TokenShape::Jws {
        &["header", "payload", "signature"]
    } else {
        &[
            "header",
            "encrypted key",
            "initialization vector",
            "ciphertext",
            "authentication tag",
        ]
    };
    // A JWS cut in its signature: `shape_by_dots` says JWS with three dots or more only for one
    // (`shortened_at`). Its header and payload are read; its signature is not there.
    out.shortened = shape == TokenShape::Jws && dots >= 3;
    let mut offset = 0usize;
    for (index, (part, name)) in token.split('.').zip(names.iter()).enumerate() {
        if out.shortened && index == 2 {
            out.issues.push(SegmentIssue {
                segment: name,
                fatal: false,
                message: "the signature segment is shortened (`...`): the header and payload are read, but the signature cannot be checked".into(),
            });
            break;
        }
        let bytes = decode_segment(part, name, offset, &mut out.issues);
        match (index, bytes) {
            (0, Some(b)) => out.header = json_object(&b, name, offset, &mut out.issues, None),
            (1, Some(b)) if shape == TokenShape::Jws => {
                let mut text = None;
                out.payload = json_object(&b, name, offset, &mut out.issues, Some(&mut text));
                out.payload_text = text;
            }
            (2, Some(b)) if shape == TokenShape::Jws => {
                out.signature_len = b.len();
                out.signature = b;
            }
            _ => {}
        }
        if index == 1 && shape == TokenShape::Jws {
            out.signing_input_len = offset.saturating_add(part.len());
        }
        offset = offset.saturating_add(part.len()).saturating_add(1);
    }
    out
}

/// Which alphabet a byte of a base64 segment belongs to: [`URL`] (base64url: `A-Z a-z 0-9 - _`), [`STANDARD`]
/// (`+ /`, the standard alphabet's two others), or neither (0). Built at compile time, where an index out of range
/// fails the build.
#[allow(clippy::indexing_slicing)]
const ALPHABET: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' => URL,
            b'+' | b'/' => STANDARD,
            _ => 0,
        };
        b += 1;
    }
    t
};
/// A byte of the base64url alphabet, in [`ALPHABET`].
const URL: u8 = 1;
/// `+` or `/`, in [`ALPHABET`].
const STANDARD: u8 = 2;

/// Decodes one base64url segment, recording precise issues. Returns the bytes when they could be decoded.
fn decode_segment(
    part: &str,
    name: &'static str,
    offset: usize,
    issues: &mut Vec<SegmentIssue>,
) -> Option<Vec<u8>> {
    if part.is_empty() {
        if name != "signature" && name != "encrypted key" {
            issues.push(SegmentIssue {
                segment: name,
                fatal: true,
                message: format!("the {name} segment is empty"),
            });
        }
        return Some(Vec::new());
    }
    let trimmed = part.trim_end_matches('=');
    if trimmed.len() != part.len() {
        issues.push(SegmentIssue {
            segment: name,
            fatal: false,
            message: format!(
                "the {name} segment ends with '=' padding; base64url in JWTs has no padding (RFC 7515 §2), strict validators reject it"
            ),
        });
    }
    // One pass, byte by byte: whether the standard alphabet's '+' or '/' is used, and the first byte outside both
    // alphabets. Every byte before that one is ASCII, so it starts a character, and its offset is the character's.
    // A table, not ranges: one load a byte (the segments are most of a token's bytes, read on every diagnosis).
    let mut standard = false;
    let mut outside = None;
    for (i, b) in trimmed.bytes().enumerate() {
        match ALPHABET.get(usize::from(b)) {
            Some(&URL) => {}
            Some(&STANDARD) => standard = true,
            _ => {
                outside = Some(i);
                break;
            }
        }
    }
    if let Some((pos, ch)) = outside.map(|pos| {
        let ch = trimmed.get(pos..).and_then(|r| r.chars().next());
        (pos, ch.unwrap_or(char::REPLACEMENT_CHARACTER))
    }) {
        issues.push(SegmentIssue {
            segment: name,
            fatal: true,
            message: format!(
                "the {name} segment has the character {} at byte {} of the token, which is not base64url",
                describe_char(ch),
                offset.saturating_add(pos)
            ),
        });
        return None;
    }
    if trimmed.len() % 4 == 1 {
        issues.push(SegmentIssue {
            segment: name,
            fatal: true,
            message: format!(
                "the {name} segment is {} characters long, which no base64 text can be: the token was probably cut off or has a character missing",
                trimmed.len()
            ),
        });
        return None;
    }
    if standard {
        if let (Some(u), Some(s)) = (trimmed.find(['-', '_']), trimmed.find(['+', '/'])) {
            // All four characters are ASCII, so the byte is the character.
            let char_at = |i: usize| trimmed.as_bytes().get(i).map_or('?', |b| char::from(*b));
            let (uc, sc) = (char_at(u), char_at(s));
            issues.push(SegmentIssue {
                segment: name,
                fatal: true,
                message: format!(
                    "the {name} segment mixes the two base64 alphabets: '{uc}' at byte {} is base64url, '{sc}' at byte {} is standard base64; no decoder reads both, so the segment was probably edited or joined from two sources",
                    offset.saturating_add(u),
                    offset.saturating_add(s)
                ),
            });
            return None;
        }
        issues.push(SegmentIssue {
            segment: name,
            fatal: false,
            message: format!(
                "the {name} segment uses the standard base64 alphabet ('+' or '/'); JWTs use base64url ('-' and '_'), strict validators reject it"
            ),
        });
    }
    let engine = if standard {
        &STANDARD_NO_PAD
    } else {
        &URL_SAFE_NO_PAD
    };
    match engine.decode(trimmed) {
        Ok(bytes) => Some(bytes),
        Err(err) => {
            // Trailing bits that are not zero: decode leniently for display, but say so.
            let lenient = base64::engine::GeneralPurpose::new(
                if standard {
                    &base64::alphabet::STANDARD
                } else {
                    &base64::alphabet::URL_SAFE
                },
                base64::engine::GeneralPurposeConfig::new()
                    .with_decode_allow_trailing_bits(true)
                    .with_decode_padding_mode(base64::engine::DecodePaddingMode::RequireNone),
            );
            match lenient.decode(trimmed) {
                Ok(bytes) => {
                    issues.push(SegmentIssue {
                        segment: name,
                        fatal: false,
                        message: format!(
                            "the {name} segment is not canonical base64url (its last character carries bits that must be zero: {err}); it may have been altered"
                        ),
                    });
                    Some(bytes)
                }
                Err(err) => {
                    // Not reachable with the checks above; said plainly rather than dropped silently.
                    issues.push(SegmentIssue {
                        segment: name,
                        fatal: true,
                        message: format!(
                            "the {name} segment cannot be decoded as base64url ({err})"
                        ),
                    });
                    None
                }
            }
        }
    }
}

/// Parses a decoded segment as a JSON object, recording why it is not one.
fn json_object(
    bytes: &[u8],
    name: &'static str,
    offset: usize,
    issues: &mut Vec<SegmentIssue>,
    text_out: Option<&mut Option<String>>,
) -> Option<serde_json::Map<String, Value>> {
    let text = match std::str::from_utf8(bytes) {
        Ok(t) => t,
        Err(e) => {
            issues.push(SegmentIssue {
                segment: name,
                fatal: true,
                message: format!(
                    "the {name} decodes to bytes that are not UTF-8 text (invalid byte at position {} of the decoded {name}); it is binary, not JSON",
                    e.valid_up_to()
                ),
            });
            return None;
        }
    };
    match crate::json::parse_noting_duplicates(text) {
        Ok(crate::json::Parsed::Object(map, dup)) => {
            if let Some(dup) = dup {
                issues.push(SegmentIssue {
                    segment: name,
                    fatal: false,
                    message: format!(
                        "the {name} has the member \"{dup}\" more than once; parsers disagree on which one counts (this page shows the last)"
                    ),
                });
            }
            Some(map)
        }
        Ok(crate::json::Parsed::Other(other)) => {
            issues.push(SegmentIssue {
                segment: name,
                fatal: true,
                message: format!(
                    "the {name} is JSON but {}, not an object",
                    crate::json::type_name(&other)
                ),
            });
            if let Some(out) = text_out {
                *out = Some(crate::json::clip(text, 2000));
            }
            None
        }
        Err(e) => {
            let _ = offset;
            issues.push(SegmentIssue {
                segment: name,
                fatal: true,
                message: format!(
                    "the {name} decodes to text that is not JSON: {} (line {}, column {} of the decoded {name})",
                    crate::json::error_kind(&e),
                    e.line(),
                    e.column()
                ),
            });
            if let Some(out) = text_out {
                *out = Some(crate::json::clip(text, 2000));
            }
            None
        }
    }
}

/// Names a character so that invisible ones are visible in a message.
pub fn describe_char(ch: char) -> String {
    if ch.is_ascii_graphic() {
        format!("'{ch}'")
    } else {
        format!("U+{:04X}", u32::from(ch))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn b64(s: &str) -> String {
        URL_SAFE_NO_PAD.encode(s)
    }

    #[test]
    fn decodes_a_jws() {
        let t = format!(
            "{}.{}.{}",
            b64(r#"{"alg":"RS256","kid":"k1"}"#),
            b64(r#"{"sub":"a","scp":"x y"}"#),
            b64("sig")
        );
        let d = decode(&t);
        assert_eq!(d.shape, TokenShape::Jws);
        assert_eq!(d.alg(), Some("RS256"));
        assert_eq!(
            d.payload
                .as_ref()
                .and_then(|p| p.get("sub"))
                .and_then(Value::as_str),
            Some("a")
        );
        assert_eq!(d.signature_len, 3);
        assert!(d.issues.is_empty(), "{:?}", d.issues);
    }

    #[test]
    fn truncated_payload_names_the_segment() {
        let t = format!(
            "{}.{}.",
            b64(r#"{"alg":"RS256"}"#),
            &b64(r#"{"sub":"abcdef"}"#)[..9]
        );
        let d = decode(&t);
        assert!(d.payload.is_none());
        let issue = d
            .issues
            .iter()
            .find(|i| i.segment == "payload")
            .expect("payload issue");
        assert!(issue.fatal);
        assert!(issue.message.contains("cut off"), "{}", issue.message);
    }

    #[test]
    fn bad_character_gives_its_offset() {
        let h = b64(r#"{"alg":"none"}"#);
        let t = format!("{h}.ab*c.");
        let d = decode(&t);
        let issue = d
            .issues
            .iter()
            .find(|i| i.segment == "payload")
            .expect("issue");
        assert!(
            issue.message.contains(&format!("byte {}", h.len() + 3)),
            "{}",
            issue.message
        );
    }

    #[test]
    fn padding_and_standard_alphabet_are_warnings() {
        let payload = STANDARD_NO_PAD.encode(r#"{"a":"??>"}"#) + "==";
        let t = format!("{}.{}.", b64(r#"{"alg":"none"}"#), payload);
        let d = decode(&t);
        assert!(d.payload.is_some());
        assert!(d.issues.iter().all(|i| !i.fatal));
        assert_eq!(d.issues.len(), 2, "{:?}", d.issues);
    }

    #[test]
    fn dots_are_counted_eight_at_a_time_exactly() {
        for text in [
            "",
            ".",
            "a.b.c",
            "........",
            ".........",
            "x.y\u{2e}é.\u{ae}\u{12e}.z",
            "\u{ff}.\u{2e}\u{0}\u{7f}..\u{80}.a.b.c.d.e.f.g.h.i.",
        ] {
            for skip in 0..text.len().min(9) {
                let Some(t) = text.get(skip..) else { continue };
                let naive = t.bytes().filter(|b| *b == b'.').count();
                assert_eq!(dots(t), naive, "{t:?}");
            }
        }
        let long = "ab.".repeat(1000) + "\u{2e2e}";
        assert_eq!(dots(&long), 1000);
    }

    #[test]
    fn opaque_tokens_may_contain_dots() {
        assert_eq!(shape_of("ya29.a0AfB_byC-x"), TokenShape::Opaque);
        assert_eq!(shape_of("a.b.c.d.e.f"), TokenShape::Opaque);
        assert_eq!(shape_of("eyJhbGciOi.eyJ"), TokenShape::Malformed);
        assert_eq!(shape_of("abc...def"), TokenShape::Malformed);
    }

    #[test]
    fn jwe_header_is_read() {
        let t = format!("{}..iv.ct.tag", b64(r#"{"alg":"dir","enc":"A256GCM"}"#));
        let d = decode(&t);
        assert_eq!(d.shape, TokenShape::Jwe);
        assert_eq!(d.alg(), Some("dir"));
        assert!(d.payload.is_none());
    }

    #[test]
    fn payload_array_is_reported() {
        let t = format!("{}.{}.", b64(r#"{"alg":"none"}"#), b64("[1,2]"));
        let d = decode(&t);
        assert!(d.issues.iter().any(|i| i.message.contains("an array")));
    }
}
