//! The OpenAPI importer: `openapi::import` on arbitrary text (OpenAPI 3.x / Swagger 2.0 as JSON or YAML, or the
//! project's matrix format). For JSON without repeated member names, the import through the outline (one pass
//! that keeps only what the importer reads) must equal the import of the whole `Value` tree.
#![no_main]

use libfuzzer_sys::fuzz_target;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::collections::HashSet;
use std::fmt;

/// Whether a JSON value repeats a member name in any object (a `Value` tree keeps the last one, while the
/// outline also counts the `$ref`s under the ones before it: the two differ there by design).
struct Repeats;

impl<'de> DeserializeSeed<'de> for Repeats {
    type Value = bool;
    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<bool, D::Error> {
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Repeats {
    type Value = bool;
    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("JSON")
    }
    fn visit_bool<E>(self, _: bool) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_i64<E>(self, _: i64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_u64<E>(self, _: u64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_f64<E>(self, _: f64) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_str<E>(self, _: &str) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_unit<E>(self) -> Result<bool, E> {
        Ok(false)
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<bool, A::Error> {
        let mut any = false;
        while let Some(r) = seq.next_element_seed(Repeats)? {
            any |= r;
        }
        Ok(any)
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<bool, A::Error> {
        let mut names = HashSet::new();
        let mut any = false;
        while let Some(k) = map.next_key::<String>()? {
            any |= !names.insert(k);
            any |= map.next_value_seed(Repeats)?;
        }
        Ok(any)
    }
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let imported = token_doctor::openapi::import(&text);
    // Either something usable came out, or at least one problem says why not.
    assert!(
        imported.matrix.is_some() || !imported.problems.is_empty(),
        "import returned neither a matrix nor a problem"
    );
    for problem in &imported.problems {
        assert!(!problem.message.is_empty());
    }
    let trimmed = text.trim_start_matches('\u{feff}').trim_start();
    let json = trimmed.starts_with('{') || trimmed.starts_with('[');
    let mut de = serde_json::Deserializer::from_str(&text);
    if json && Repeats.deserialize(&mut de).is_ok_and(|r| !r) {
        assert_eq!(imported, token_doctor::openapi::import_whole_tree(&text));
    }
});
