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
