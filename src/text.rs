//! Text safety: characters that hide or disguise what a claim says (right-to-left overrides, zero-width
//! characters, control characters, look-alike spaces), an escaped form that makes them visible, and the findings
//! that name them; plus the display limits on claims (how many are listed, how long a value is shown).
//!
//! Why it matters: `"aud": "api://orders\u{200B}"` looks exactly like `api://orders` on screen but is not equal
//! to it, and a right-to-left override makes `"sub": "admin\u{202E}txt.exe"` read differently from what the
//! server compares. The page renders claims as text; these findings tell it (and the reader) what is hidden.

use crate::limits::{MAX_CLAIM_CHARS, MAX_CLAIMS_SHOWN};
use crate::report::{Finding, Severity};
use serde_json::{Map, Value};

/// Most claims named one by one in an `invisible_characters` finding; the rest are counted.
const MAX_EVIDENCE: usize = 20;

/// The name of a hidden or deceptive character, or `None` when the character is shown as itself.
///
/// Covered: bidirectional controls (they reorder text), zero-width and other invisible format characters,
/// control characters other than tab / line feed / carriage return, Unicode tag characters (used to smuggle text),
/// and spaces that look like an ASCII space but are not one.
pub fn hidden_name(c: char) -> Option<&'static str> {
    let name = match c {
        '\t' | '\n' | '\r' => return None,
        '\u{0}' => "NUL",
        '\u{7F}' => "DELETE",
        c if c.is_control() => "control character",
        '\u{AD}' => "SOFT HYPHEN",
        '\u{34F}' => "COMBINING GRAPHEME JOINER",
        '\u{61C}' => "ARABIC LETTER MARK",
        '\u{115F}' | '\u{1160}' | '\u{3164}' | '\u{FFA0}' => "HANGUL FILLER",
        '\u{17B4}' | '\u{17B5}' => "KHMER INHERENT VOWEL",
        '\u{180E}' => "MONGOLIAN VOWEL SEPARATOR",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2060}' => "WORD JOINER",
        '\u{2061}'..='\u{2064}' => "INVISIBLE OPERATOR",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{206A}'..='\u{206F}' => "deprecated format character",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE (BOM)",
        '\u{FFF9}'..='\u{FFFB}' => "INTERLINEAR ANNOTATION",
        '\u{E0000}'..='\u{E007F}' => "TAG character",
        '\u{E0100}'..='\u{E01EF}' => "VARIATION SELECTOR",
        '\u{A0}' => "NO-BREAK SPACE",
        '\u{1680}' => "OGHAM SPACE MARK",
        '\u{2000}'..='\u{200A}' => "look-alike space",
        '\u{2028}' => "LINE SEPARATOR",
        '\u{2029}' => "PARAGRAPH SEPARATOR",
        '\u{202F}' => "NARROW NO-BREAK SPACE",
        '\u{205F}' => "MEDIUM MATHEMATICAL SPACE",
        '\u{3000}' => "IDEOGRAPHIC SPACE",
        _ => return None,
    };
    Some(name)
}

/// Whether every byte of `s` is printable ASCII other than the space (`!` to `~`, what a token is made of),
/// checked eight bytes at a time: a pasted token is read whole, and byte-at-a-time loops over a 2 KB token
/// showed in the wasm profile.
pub fn is_visible_ascii(s: &str) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    let mut chunks = s.as_bytes().chunks_exact(8);
    for chunk in &mut chunks {
        let word = u64::from_le_bytes(chunk.try_into().unwrap_or([0; 8]));
        // Some byte below '!' (0x21), or some byte above '~' (0x7E): the classic tests, exact as to whether any.
        let below = word.wrapping_sub(ONES.wrapping_mul(0x21)) & !word & HIGH;
        let above = (word.wrapping_add(ONES) | word) & HIGH;
        if below | above != 0 {
            return false;
        }
    }
    chunks.remainder().iter().all(u8::is_ascii_graphic)
}

/// True when `s` holds at least one hidden or deceptive character (see [`hidden_name`]).
pub fn has_invisible(s: &str) -> bool {
    // Printable ASCII, tab and line breaks are shown as themselves: most text is decided byte by byte.
    !s.bytes()
        .all(|b| matches!(b, b' '..=b'~' | b'\t' | b'\n' | b'\r'))
        && s.chars().any(|c| hidden_name(c).is_some())
}

/// `s` with every hidden or deceptive character replaced by a visible `[U+XXXX]` marker; other text unchanged.
pub fn visible(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        if hidden_name(c).is_some() {
            out.push_str(&format!("[U+{:04X}]", u32::from(c)));
        } else {
            out.push(c);
        }
    }
    out
}

/// The distinct hidden characters of `s`, in order of first appearance, described as `U+202E RIGHT-TO-LEFT
/// OVERRIDE`.
pub fn describe_hidden(s: &str) -> Vec<String> {
    let mut seen: Vec<char> = Vec::new();
    for c in s.chars() {
        if hidden_name(c).is_some() && !seen.contains(&c) {
            seen.push(c);
        }
    }
    seen.into_iter()
        .map(|c| {
            format!(
                "U+{:04X} {}",
                u32::from(c),
                hidden_name(c).unwrap_or("character")
            )
        })
        .collect()
}

/// One place where hidden characters were found: the claim path and the text that holds them.
struct Hit {
    path: String,
    text: String,
    is_name: bool,
}

/// The hidden characters found so far: the first [`MAX_EVIDENCE`] places, and how many there are in all.
#[derive(Default)]
struct Hits {
    list: Vec<Hit>,
    total: usize,
}

impl Hits {
    /// Records `text` (a member name when `is_name`, else a string value) at `path` if it hides characters. The
    /// path is written out only for a hit: most tokens hide nothing.
    fn note(&mut self, path: &[Step<'_>], text: &str, is_name: bool) {
        if has_invisible(text) {
            self.total = self.total.saturating_add(1);
            if self.list.len() < MAX_EVIDENCE {
                self.list.push(Hit {
                    path: visible(&path_text(path)),
                    text: text.to_string(),
                    is_name,
                });
            }
        }
    }
}

/// One step from the object to a value: a member name or an array index.
#[derive(Clone, Copy)]
enum Step<'a> {
    Member(&'a str),
    Index(usize),
}

/// A path as the findings show it: `sub`, `realm_access.roles[2]`.
fn path_text(path: &[Step<'_>]) -> String {
    let mut out = String::new();
    for (at, step) in path.iter().enumerate() {
        match step {
            Step::Member(k) => {
                if at > 0 {
                    out.push('.');
                }
                out.push_str(k);
            }
            Step::Index(i) => out.push_str(&format!("[{i}]")),
        }
    }
    out
}

/// Walks a JSON object (iteratively: no recursion, whatever the depth) and collects every member name and
/// string value that holds a hidden character, in document order. Paths look like `sub`, `realm_access.roles[2]`.
fn hidden_hits(map: &Map<String, Value>) -> (Vec<Hit>, usize) {
    let mut hits = Hits::default();
    // The path to the value being looked at, and the stack of what is left: (its depth, its step, the member
    // name that leads there if any, the value), pushed in reverse so that it pops in order.
    let mut path: Vec<Step<'_>> = Vec::new();
    let mut stack: Vec<(usize, Step<'_>, Option<&String>, &Value)> = map
        .iter()
        .rev()
        .map(|(k, v)| (0, Step::Member(k), Some(k), v))
        .collect();
    while let Some((depth, step, name, value)) = stack.pop() {
        path.truncate(depth);
        path.push(step);
        if let Some(name) = name {
            hits.note(&path, name, true);
        }
        let below = depth.saturating_add(1);
        match value {
            Value::String(s) => hits.note(&path, s, false),
            Value::Array(items) => {
                for (i, item) in items.iter().enumerate().rev() {
                    stack.push((below, Step::Index(i), None, item));
                }
            }
            Value::Object(m) => {
                for (k, v) in m.iter().rev() {
                    stack.push((below, Step::Member(k), Some(k), v));
                }
            }
            _ => {}
        }
    }
    (hits.list, hits.total)
}

/// Findings about what a decoded JSON object (token payload or header, or pasted claims) hides or exceeds:
///
/// - `claims.invisible_characters` (warning): a member name or string value holds hidden or deceptive characters;
///   the title names the first claim and its code points, the evidence shows each value in escaped form.
/// - `claims.too_many` (warning): more members than [`MAX_CLAIMS_SHOWN`].
/// - `claims.value_too_long` (info): a string value longer than [`MAX_CLAIM_CHARS`] characters (the page can
///   show it clipped with [`display_value`]).
///
/// `what` names the object in messages: `claim` for a payload, `header` for a JOSE header.
pub fn claim_findings(map: &Map<String, Value>, what: &str) -> Vec<Finding> {
    let mut out = Vec::new();
    let (hits, total) = hidden_hits(map);
    if let Some(first) = hits.first() {
        let codes = describe_hidden(&first.text).join(", ");
        let title = if first.is_name {
            format!(
                "A {what} name contains invisible characters ({codes}): `{}`",
                first.path
            )
        } else {
            format!(
                "The {what} `{}` contains invisible characters ({codes})",
                first.path
            )
        };
        let others = total.saturating_sub(1);
        let detail = format!(
            "{}. Right-to-left overrides, zero-width characters, control characters and look-alike spaces are not \
             shown (or are shown reordered), so the value on screen is not the value a server compares: an audience, \
             issuer, scope or subject that looks right does not match. Each hidden character is written here as \
             [U+XXXX].{}",
            if first.is_name {
                format!("The {what} name `{}` is not what it looks like", first.path)
            } else {
                format!("The {what} `{}` is not what it looks like", first.path)
            },
            if others > 0 {
                format!(" {others} more {what}(s) hide characters as well.")
            } else {
                String::new()
            }
        );
        let mut f = Finding::new(
            "claims.invisible_characters",
            Severity::Warning,
            title,
            detail,
        )
        .fix("Compare the escaped value shown here with the value the API expects, character by character.")
        .fix("Fix the value where it is configured (client, user or API registration, often pasted from a document or chat) and get a new token.")
        .weight(70);
        for hit in &hits {
            let source = if hit.is_name {
                format!("{what} name")
            } else {
                format!("{what} {}", hit.path)
            };
            let text = format!(
                "{} ({})",
                crate::json::clip(&visible(&hit.text), 200),
                describe_hidden(&hit.text).join(", ")
            );
            f = f.evidence(source, text);
        }
        out.push(f);
    }
    if map.len() > MAX_CLAIMS_SHOWN {
        out.push(
            Finding::new(
                "claims.too_many",
                Severity::Warning,
                format!("The {what}s hold {} members; a real token has a few dozen", map.len()),
                format!(
                    "This report lists the first {MAX_CLAIMS_SHOWN} and counts the rest. A token this large \
                     usually exceeds the servers' header size limit (commonly 8 to 16 KB), which answers 400 or 431 \
                     rather than 401."
                ),
            )
            .evidence(what, format!("{} members", map.len()))
            .fix("Issue the token with fewer claims (group overage, or claims added by a mapper by mistake)."),
        );
    }
    let long: Vec<(&String, usize)> = map
        .iter()
        .filter_map(|(k, v)| match v {
            Value::String(s) if s.len() > MAX_CLAIM_CHARS => {
                let n = s.chars().count();
                (n > MAX_CLAIM_CHARS).then_some((k, n))
            }
            _ => None,
        })
        .collect();
    if let Some((name, n)) = long.first() {
        let mut f = Finding::new(
            "claims.value_too_long",
            Severity::Info,
            format!("The {what} `{}` is {n} characters long", visible(name)),
            format!(
                "Claims are rarely longer than a few hundred characters; a value over {MAX_CLAIM_CHARS} usually \
                 means something was put in the wrong claim, and it makes the token large (servers commonly limit a \
                 header to 8 to 16 KB and answer 400 or 431)."
            ),
        );
        for (name, n) in long.iter().take(MAX_EVIDENCE) {
            f = f.evidence(
                format!("{what} {}", visible(name)),
                format!("{n} characters"),
            );
        }
        out.push(f);
    }
    out
}

/// A copy of `map` for display within the limits: at most [`MAX_CLAIMS_SHOWN`] members (the rest dropped; say so
/// with [`claim_findings`]) and string values clipped to [`MAX_CLAIM_CHARS`] characters, at any depth.
/// Hidden characters are kept as they are (the page escapes them; the findings name them).
pub fn display_object(map: &Map<String, Value>) -> Value {
    let mut out = Map::new();
    for (k, v) in map.iter().take(MAX_CLAIMS_SHOWN) {
        out.insert(k.clone(), display_value(v));
    }
    Value::Object(out)
}

/// `value` for display: every string clipped to [`MAX_CLAIM_CHARS`] characters (with an ellipsis) and every object
/// and array to [`MAX_CLAIMS_SHOWN`] members. Depth is bounded by the parser (128 levels), so recursion is too.
pub fn display_value(value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(crate::json::clip(s, MAX_CLAIM_CHARS)),
        Value::Array(items) => Value::Array(
            items
                .iter()
                .take(MAX_CLAIMS_SHOWN)
                .map(display_value)
                .collect(),
        ),
        Value::Object(m) => display_object(m),
        other => other.clone(),
    }
}

/// Decodes every `%XX` escape of `s` (a URL's query or fragment, a JSON pointer); invalid escapes stay as they are,
/// and bytes that are not UTF-8 become U+FFFD.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out: Vec<u8> = Vec::with_capacity(bytes.len());
    let mut i = 0usize;
    while let Some(&b) = bytes.get(i) {
        let hex = bytes
            .get(i.saturating_add(1)..i.saturating_add(3))
            .and_then(|h| std::str::from_utf8(h).ok())
            .and_then(|h| u8::from_str_radix(h, 16).ok());
        match (b, hex) {
            (b'%', Some(v)) => {
                out.push(v);
                i = i.saturating_add(3);
            }
            _ => {
                out.push(b);
                i = i.saturating_add(1);
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Whether a byte may be in an RFC 6750 `b64token` (letters, digits, `-._~+/` and `=` padding): the characters a
/// bearer token is written in.
pub fn is_b64token_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b"-._~+/=".contains(&b)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn object(v: Value) -> Map<String, Value> {
        match v {
            Value::Object(m) => m,
            _ => Map::new(),
        }
    }

    #[test]
    fn visible_ascii_is_told_eight_bytes_at_a_time_exactly() {
        let base = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhIn0.c2ln-_~!";
        assert!(is_visible_ascii(base));
        assert!(is_visible_ascii(""));
        for at in 0..base.len() {
            for c in (0u32..0x100).filter_map(char::from_u32) {
                let mut t = base.to_string();
                t.insert(at, c);
                assert_eq!(
                    is_visible_ascii(&t),
                    t.bytes().all(|b| b.is_ascii_graphic()),
                    "{t:?}"
                );
            }
        }
    }

    #[test]
    fn rtl_override_is_named_with_its_code_point() {
        let m = object(json!({"sub": "admin\u{202E}txt.exe", "scp": "read"}));
        let f = claim_findings(&m, "claim");
        assert_eq!(f.len(), 1, "{f:?}");
        let f = &f[0];
        assert_eq!(f.code, "claims.invisible_characters");
        assert_eq!(f.severity, Severity::Warning);
        assert!(
            f.title.contains("`sub`") && f.title.contains("U+202E RIGHT-TO-LEFT OVERRIDE"),
            "{}",
            f.title
        );
        assert_eq!(
            f.evidence[0].text,
            "admin[U+202E]txt.exe (U+202E RIGHT-TO-LEFT OVERRIDE)"
        );
    }

    #[test]
    fn zero_width_in_nested_values_and_names_is_found() {
        let m = object(json!({
            "realm_access": {"roles": ["ok", "adm\u{200B}in"]},
            "na\u{200D}me": "x"
        }));
        let f = &claim_findings(&m, "claim")[0];
        let sources: Vec<&str> = f.evidence.iter().map(|e| e.source.as_str()).collect();
        assert!(sources.contains(&"claim name"), "{sources:?}");
        assert!(
            sources.contains(&"claim realm_access.roles[1]"),
            "{sources:?}"
        );
        assert!(f.detail.contains("1 more"), "{}", f.detail);
    }

    #[test]
    fn ordinary_text_is_not_flagged() {
        let m = object(json!({"name": "Zoë Ünal 山田 ❤\u{FE0F}", "scope": "a b\tc"}));
        assert!(claim_findings(&m, "claim").is_empty());
        assert_eq!(visible("Zoë\n"), "Zoë\n");
    }

    #[test]
    fn nul_and_lookalike_spaces_are_flagged() {
        assert_eq!(visible("a\u{0}b\u{A0}c"), "a[U+0000]b[U+00A0]c");
        assert_eq!(
            describe_hidden("a\u{0}b\u{0}\u{2009}"),
            vec!["U+0000 NUL", "U+2009 look-alike space"]
        );
    }

    #[test]
    fn too_many_claims_and_long_values_are_reported_and_clipped_for_display() {
        let mut m = Map::new();
        for i in 0..(MAX_CLAIMS_SHOWN + 5) {
            m.insert(format!("c{i}"), json!(i));
        }
        m.insert("big".into(), json!("x".repeat(MAX_CLAIM_CHARS + 1)));
        let f = claim_findings(&m, "claim");
        let codes: Vec<&str> = f.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, vec!["claims.too_many", "claims.value_too_long"]);
        assert!(
            f[0].title.contains(&format!("{}", MAX_CLAIMS_SHOWN + 6)),
            "{}",
            f[0].title
        );
        let shown = display_object(&m);
        let shown = shown.as_object().expect("object");
        assert_eq!(shown.len(), MAX_CLAIMS_SHOWN);
        let big = shown
            .get("big")
            .and_then(Value::as_str)
            .expect("big is listed (keys sort first)");
        assert_eq!(
            big.chars().count(),
            MAX_CLAIM_CHARS + 1,
            "clipped plus the ellipsis"
        );
        assert!(big.ends_with('…'));
    }
}
