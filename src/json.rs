//! Small JSON helpers shared by the parsers: type names, clipped text, readable parse errors, duplicate keys.

use serde::de::{Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
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

/// `value` as JSON text, like `serde_json::to_string`, written faster: into a buffer sized for a report, where
/// the one-byte writes of the serializer (quotes, colons, commas) are pushes. In the release wasm (`opt-level =
/// "s"`) the writer `serde_json` uses for a `Vec` calls `extend_from_slice` for each of them, which took a tenth
/// of `diagnose`.
///
/// # Errors
/// Only when `value` cannot be serialized (a map with non-string keys).
pub fn to_string(value: &impl serde::Serialize) -> serde_json::Result<String> {
    /// The buffer: pushes one-byte writes.
    struct Out(Vec<u8>);
    impl std::io::Write for Out {
        #[inline]
        fn write(&mut self, data: &[u8]) -> std::io::Result<usize> {
            self.write_all(data).map(|()| data.len())
        }
        #[inline]
        fn write_all(&mut self, data: &[u8]) -> std::io::Result<()> {
            if let [b] = data {
                self.0.push(*b);
            } else {
                self.0.extend_from_slice(data);
            }
            Ok(())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut out = Out(Vec::with_capacity(16 * 1024));
    serde_json::to_writer(&mut out, value)?;
    // serde_json writes UTF-8; the check costs little next to the writing.
    String::from_utf8(out.0).map_err(serde::ser::Error::custom)
}

/// A JSON text read in one pass by [`parse_noting_duplicates`].
#[derive(Debug, Clone, PartialEq)]
pub enum Parsed {
    /// The text is an object: its members (a repeated name keeps its last value, as `serde_json` does) and the
    /// first member name that appears more than once at the top level, if any.
    Object(Map<String, Value>, Option<String>),
    /// The text is JSON but not an object.
    Other(Value),
}

/// Parses JSON text and notes, in the same pass, the first top-level member name that appears twice (a
/// second parse just for the duplicates cost as much as the first). Errors are `serde_json`'s, exactly as
/// `serde_json::from_str::<Value>` reports them.
pub fn parse_noting_duplicates(text: &str) -> Result<Parsed, serde_json::Error> {
    struct Top;
    impl<'de> Visitor<'de> for Top {
        type Value = Parsed;
        fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
            f.write_str("any JSON value")
        }
        fn visit_bool<E>(self, v: bool) -> Result<Parsed, E> {
            Ok(Parsed::Other(Value::Bool(v)))
        }
        fn visit_i64<E>(self, v: i64) -> Result<Parsed, E> {
            Ok(Parsed::Other(Value::from(v)))
        }
        fn visit_u64<E>(self, v: u64) -> Result<Parsed, E> {
            Ok(Parsed::Other(Value::from(v)))
        }
        fn visit_f64<E>(self, v: f64) -> Result<Parsed, E> {
            Ok(Parsed::Other(Value::from(v)))
        }
        fn visit_str<E>(self, v: &str) -> Result<Parsed, E> {
            Ok(Parsed::Other(Value::String(v.to_string())))
        }
        fn visit_string<E>(self, v: String) -> Result<Parsed, E> {
            Ok(Parsed::Other(Value::String(v)))
        }
        fn visit_unit<E>(self) -> Result<Parsed, E> {
            Ok(Parsed::Other(Value::Null))
        }
        fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Parsed, A::Error> {
            let mut items = Vec::new();
            while let Some(item) = seq.next_element::<Value>()? {
                items.push(item);
            }
            Ok(Parsed::Other(Value::Array(items)))
        }
        fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Parsed, A::Error> {
            let mut members = Map::new();
            let mut dup = None;
            while let Some(key) = map.next_key::<String>()? {
                let value: Value = map.next_value()?;
                match members.entry(key) {
                    serde_json::map::Entry::Vacant(e) => {
                        e.insert(value);
                    }
                    serde_json::map::Entry::Occupied(mut e) => {
                        if dup.is_none() {
                            dup = Some(e.key().clone());
                        }
                        e.insert(value);
                    }
                }
            }
            Ok(Parsed::Object(members, dup))
        }
    }
    let mut de = serde_json::Deserializer::from_str(text);
    let parsed = de.deserialize_any(Top)?;
    de.end()?;
    Ok(parsed)
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
    // No backslash at all (a request with a bare token): one byte search, not a substring search.
    if !text.as_bytes().contains(&b'\\') || !text.contains("\\u") {
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
        let dup = |text: &str| match parse_noting_duplicates(text) {
            Ok(Parsed::Object(_, dup)) => dup,
            other => panic!("{other:?}"),
        };
        assert_eq!(dup(r#"{"a":1,"b":{"c":1,"c":2},"a":2}"#), Some("a".into()));
        assert_eq!(dup(r#"{"a":1,"b":{"c":1,"c":2}}"#), None);
    }

    #[test]
    fn one_pass_reads_what_serde_json_reads() {
        for text in [
            r#"{"a":1,"b":[1,2.5,"x",null,true,{"c":-3}],"a":{"d":"e"}}"#,
            r#"[1,{"a":1,"a":2}]"#,
            r#""text""#,
            "null",
            "18446744073709551615",
            "-1.5e3",
            r#"{"a":1} x"#,
            r#"{"a":"#,
            "",
        ] {
            let ours = parse_noting_duplicates(text).map(|p| match p {
                Parsed::Object(m, _) => Value::Object(m),
                Parsed::Other(v) => v,
            });
            match (ours, serde_json::from_str::<Value>(text)) {
                (Ok(a), Ok(b)) => assert_eq!(a, b, "{text}"),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string(), "{text}"),
                (a, b) => panic!("{text}: {a:?} against {b:?}"),
            }
        }
        let deep = "[".repeat(200);
        let a = parse_noting_duplicates(&deep).expect_err("too deep");
        let b = serde_json::from_str::<Value>(&deep).expect_err("too deep");
        assert_eq!(a.to_string(), b.to_string());
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
    fn writes_what_serde_json_writes() {
        let v: Value = serde_json::from_str(
            r#"{"a":[1,2.5,-3,null,true,"x\"y\u0001é"],"b":{},"c":[],"d":"","e":{"f":1e300}}"#,
        )
        .unwrap();
        assert_eq!(to_string(&v).unwrap(), serde_json::to_string(&v).unwrap());
        let long = Value::String("ab\n".repeat(10_000));
        assert_eq!(
            to_string(&long).unwrap(),
            serde_json::to_string(&long).unwrap()
        );
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
