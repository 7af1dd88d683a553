//! Small JSON helpers shared by the parsers: type names, clipped text, readable parse errors, duplicate keys.

use serde::de::{Deserializer, IgnoredAny, MapAccess, Visitor};
use serde_json::Value;
use std::collections::HashSet;
use std::fmt;

/// The JSON type of a value, in words with its article ("an array", "a string", "null"), ready to follow "is".
pub fn type_name(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// At most `max` characters of `text`, with an ellipsis when clipped.
pub fn clip(text: &str, max: usize) -> String {
    match text.char_indices().nth(max) {
        Some((cut, _)) => format!("{}…", text.get(..cut).unwrap_or_default()),
        None => text.to_string(),
    }
}

/// The category of a serde_json error in plain words.
pub fn error_kind(e: &serde_json::Error) -> String {
    let msg = e.to_string();
    if msg.contains("recursion limit") {
        "it is nested deeper than 128 levels".to_string()
    } else if e.is_eof() {
        "it ends too early (cut off?)".to_string()
    } else {
        // serde_json appends " at line L column C"; the caller says where itself.
        msg.split(" at line").next().unwrap_or(&msg).to_string()
    }
}

/// The first member name that appears twice in the top-level object of `text`, if any.
pub fn first_duplicate_key(text: &str) -> Option<String> {
    struct Keys;
    impl<'de> Visitor<'de> for Keys {
        type Value = Option<String>;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("an object")
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
            let mut seen = HashSet::new();
            let mut dup = None;
            while let Some(key) = map.next_key::<String>()? {
                let _: IgnoredAny = map.next_value()?;
                if dup.is_none() && !seen.insert(key.clone()) {
                    dup = Some(key);
                }
            }
            Ok(dup)
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    de.deserialize_map(Keys).ok().flatten()
}

/// Replaces `\uXXXX` escapes of lone UTF-16 surrogates with `\uFFFD` in JSON text. JavaScript strings may hold
/// half a surrogate pair (a paste cut inside an emoji) and `JSON.stringify` escapes it; no Rust string can hold
/// it, so the parser would refuse the whole request. Returns the text unchanged when there is nothing to repair.
pub fn repair_lone_surrogates(text: &str) -> std::borrow::Cow<'_, str> {
    fn unit_at(b: &[u8], i: usize) -> Option<u16> {
        let hex = b.get(i.checked_add(2)?..i.checked_add(6)?)?;
        if b.get(i) != Some(&b'\\') || b.get(i.checked_add(1)?) != Some(&b'u') {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    }
    if !text.contains("\\u") {
        return std::borrow::Cow::Borrowed(text);
    }
    let b = text.as_bytes();
    let mut out = String::with_capacity(text.len());
    let mut i = 0usize;
    let mut last = 0usize;
    let mut changed = false;
    while i < b.len() {
        if b.get(i) == Some(&b'\\') {
            // An escaped backslash is not the start of an escape.
            if b.get(i.saturating_add(1)) == Some(&b'\\') {
                i = i.saturating_add(2);
                continue;
            }
            if let Some(u) = unit_at(b, i) {
                let high = (0xD800..=0xDBFF).contains(&u);
                let low = (0xDC00..=0xDFFF).contains(&u);
                let paired = high
                    && unit_at(b, i.saturating_add(6))
                        .is_some_and(|n| (0xDC00..=0xDFFF).contains(&n));
                if paired {
                    i = i.saturating_add(12);
                    continue;
                }
                if high || low {
                    out.push_str(text.get(last..i).unwrap_or(""));
                    out.push_str("\\uFFFD");
                    i = i.saturating_add(6);
                    last = i;
                    changed = true;
                    continue;
                }
            }
        }
        i = i.saturating_add(1);
    }
    if !changed {
        return std::borrow::Cow::Borrowed(text);
    }
    out.push_str(text.get(last..).unwrap_or(""));
    std::borrow::Cow::Owned(out)
}

/// Reads a string-or-array-of-strings claim as a list of strings (space-separated strings are split).
pub fn string_list(v: &Value) -> Option<Vec<String>> {
    match v {
        Value::String(s) => Some(s.split_whitespace().map(str::to_string).collect()),
        Value::Array(items) => Some(
            items
                .iter()
                .filter_map(|i| i.as_str())
                .flat_map(|s| s.split_whitespace())
                .map(str::to_string)
                .collect(),
        ),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn finds_duplicates_at_top_level_only() {
        assert_eq!(
            first_duplicate_key(r#"{"a":1,"b":{"c":1,"c":2},"a":2}"#),
            Some("a".into())
        );
        assert_eq!(first_duplicate_key(r#"{"a":1,"b":{"c":1,"c":2}}"#), None);
    }

    #[test]
    fn lone_surrogates_become_replacement_characters() {
        let fixed = repair_lone_surrogates(
            r#"{"input":"abc\ud83ddef","ok":"\ud83d\ude00","esc":"\\ud83d"}"#,
        );
        let v: Value = serde_json::from_str(&fixed).unwrap();
        assert_eq!(v["input"], "abc\u{FFFD}def");
        assert_eq!(v["ok"], "\u{1F600}");
        assert_eq!(v["esc"], "\\ud83d");
        assert!(matches!(
            repair_lone_surrogates(r#"{"a":"\u00e9"}"#),
            std::borrow::Cow::Borrowed(_)
        ));
    }

    #[test]
    fn clips_on_characters() {
        assert_eq!(clip("héllo", 2), "hé…");
        assert_eq!(clip("hi", 5), "hi");
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let text = "[".repeat(100_000);
        let err = serde_json::from_str::<Value>(&text).expect_err("too deep");
        assert!(error_kind(&err).contains("nested"));
    }
}
