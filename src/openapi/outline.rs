//! The outline of a JSON OpenAPI document: one pass over the text that keeps, as a `serde_json::Value`, only the
//! parts the importer reads, and indexes the rest for `$ref` checks.
//!
//! Most of a real document is response and schema bodies (2.9 MB of the 4.2 MB Genesys Swagger document are
//! operation `responses`) that a permission matrix never needs. Building them into a `Value` tree and freeing it
//! again was most of the import's time and six times the text in memory. The outline walks them without keeping
//! them: it records every `$ref` string (with the place of its first use, in the order a `Value` tree would
//! visit them, kept in a [`Paths`] arena), and the JSON-pointer hash of every node down to [`INDEX_DEPTH`], so a reference into a dropped part
//! can still be checked (an array's elements are not indexed one by one: its length is, so a wide array costs no
//! more than a narrow one). Where that is not enough to answer (a reference deeper than [`INDEX_DEPTH`] into a
//! dropped part), [`Outline::find`] says [`Found::Unknown`] and the importer reads the whole tree instead.

use super::paths::{At, Paths, Seg};
use crate::fnv;
use serde::de::{DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_json::{Map, Value};
use std::borrow::Cow;
use std::fmt;

/// Nodes at most this deep (`/definitions/Pet/properties` is 3) are indexed by pointer hash.
const INDEX_DEPTH: usize = 3;

/// What a JSON pointer leads to in an outline.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(super) enum Found<'a> {
    /// A kept part, with its content.
    Kept(&'a Value),
    /// A dropped node that is an object holding this `$ref` string.
    DroppedRef(&'a str),
    /// A dropped node that exists and is not a reference.
    Dropped,
    /// Nothing is there.
    Missing,
    /// The outline cannot tell: the whole document must be read.
    Unknown,
}

/// Every `$ref` string of a document: the place of its first use (in [`Outline::paths`]) and how often it is used.
pub(super) type RefUses<'t> = fnv::Map<Cow<'t, str>, (At, usize)>;

/// The kept parts of a document and the index of the dropped ones.
pub(super) struct Outline<'t> {
    /// The document with only what the importer reads.
    pub(super) doc: Value,
    /// Every `$ref` string of the whole document, kept or dropped.
    pub(super) refs: RefUses<'t>,
    /// The places of the first uses in `refs`.
    pub(super) paths: Paths<'t>,
    /// Pointer hashes of the nodes down to [`INDEX_DEPTH`], except array elements.
    nodes: fnv::Set<u64>,
    /// Pointer hashes of the arrays whose elements are within [`INDEX_DEPTH`], with their lengths (the longest,
    /// under a repeated member name).
    arrays: fnv::Map<u64, usize>,
    /// Pointer hashes of the objects down to [`INDEX_DEPTH`] that hold a `$ref`: its string, or None when it is
    /// not a string.
    ref_objects: fnv::Map<u64, Option<Cow<'t, str>>>,
}

impl<'t> Outline<'t> {
    /// Reads a JSON document in one pass. Fails as `serde_json::from_str::<Value>` would (same errors, same
    /// recursion limit), since the same parser reads it.
    pub(super) fn read(text: &'t str) -> Result<Outline<'t>, serde_json::Error> {
        let mut walker = Walker::default();
        let mut de = serde_json::Deserializer::from_str(text);
        let doc = Node {
            walker: &mut walker,
            place: Place::Root,
            // The root's pointer is empty: its hash is the basis.
            hash: Some(fnv::BASIS),
            element: false,
        }
        .deserialize(&mut de)?;
        de.end()?;
        Ok(Outline {
            doc: doc.unwrap_or(Value::Null),
            refs: walker.refs,
            paths: walker.paths,
            nodes: walker.nodes,
            arrays: walker.arrays,
            ref_objects: walker.ref_objects,
        })
    }

    /// Whether a dropped node within [`INDEX_DEPTH`] is at `pointer` (hashed `h`).
    fn indexed(&self, pointer: &str, h: u64) -> bool {
        self.nodes.contains(&h)
            || pointer.rsplit_once('/').is_some_and(|(array, index)| {
                array_index(index).is_some_and(|i| {
                    self.arrays
                        .get(&fnv::hash(array.as_bytes()))
                        .is_some_and(|len| i < *len)
                })
            })
    }

    /// What the (unescaped-by-percent, RFC 6901-escaped) JSON pointer `pointer` leads to.
    pub(super) fn find(&self, pointer: &str) -> Found<'_> {
        if let Some(v) = self.doc.pointer(pointer) {
            return Found::Kept(v);
        }
        let depth = pointer.matches('/').count();
        if depth <= INDEX_DEPTH {
            let h = fnv::hash(pointer.as_bytes());
            return match self.ref_objects.get(&h) {
                Some(Some(r)) => Found::DroppedRef(r),
                Some(None) => Found::Unknown,
                None if self.indexed(pointer, h) => Found::Dropped,
                None => Found::Missing,
            };
        }
        // Deeper than the index: if its ancestor at INDEX_DEPTH is nowhere, neither is it.
        let ancestor_end = pointer
            .match_indices('/')
            .nth(INDEX_DEPTH)
            .map_or(pointer.len(), |(i, _)| i);
        let ancestor = pointer.get(..ancestor_end).unwrap_or(pointer);
        let known = self.doc.pointer(ancestor).is_some()
            || self.indexed(ancestor, fnv::hash(ancestor.as_bytes()));
        if known {
            Found::Unknown
        } else {
            Found::Missing
        }
    }
}

/// Which part of a document a node is in, which decides what is kept.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Place {
    /// The document itself.
    Root,
    /// `/paths`.
    Paths,
    /// `/paths/{path}`.
    PathItem,
    /// `/paths/{path}/{method}`.
    Operation,
    /// `/components` (OpenAPI 3).
    Components,
    /// Kept whole.
    Keep,
    /// Dropped (walked for `$ref`s only).
    Drop,
}

impl Place {
    /// The place of the member `key` of an object at this place.
    fn member(self, key: &str) -> Place {
        match self {
            Place::Root => match key {
                "paths" => Place::Paths,
                "components" => Place::Components,
                "definitions" | "parameters" | "responses" | "tags" | "externalDocs"
                | "webhooks" => Place::Drop,
                _ => Place::Keep,
            },
            Place::Paths => Place::PathItem,
            Place::PathItem => {
                if key == "parameters" {
                    Place::Drop
                } else if super::METHODS.iter().any(|m| m.eq_ignore_ascii_case(key)) {
                    Place::Operation
                } else {
                    Place::Keep
                }
            }
            Place::Operation => match key {
                "summary"
                | "operationId"
                | "description"
                | "security"
                | "servers"
                | "x-inin-requires-permissions"
                | "deprecated" => Place::Keep,
                _ => Place::Drop,
            },
            Place::Components => match key {
                "schemas" | "responses" | "parameters" | "examples" | "requestBodies"
                | "headers" | "links" | "callbacks" => Place::Drop,
                _ => Place::Keep,
            },
            Place::Keep => Place::Keep,
            Place::Drop => Place::Drop,
        }
    }

    /// An element of an array at this place.
    fn element(self) -> Place {
        match self {
            Place::Drop => Place::Drop,
            _ => Place::Keep,
        }
    }
}

/// What the pass collects besides the kept tree.
#[derive(Default)]
struct Walker<'de> {
    /// The path to the node being read, and the places kept.
    paths: Paths<'de>,
    /// Each `$ref` string: the place of its first use (in `Value` order) and its count.
    refs: RefUses<'de>,
    nodes: fnv::Set<u64>,
    arrays: fnv::Map<u64, usize>,
    ref_objects: fnv::Map<u64, Option<Cow<'de, str>>>,
}

impl<'de> Walker<'de> {
    /// Notes a node within [`INDEX_DEPTH`] (hashed `hash`), unless it is an array element (its array's length is).
    fn index(&mut self, hash: Option<u64>, element: bool) {
        if let Some(h) = hash.filter(|_| !element) {
            self.nodes.insert(h);
        }
    }

    /// Notes the length of an array (hashed `hash`) whose elements are within [`INDEX_DEPTH`].
    fn index_array(&mut self, hash: Option<u64>, len: usize) {
        if let Some(h) = hash.filter(|_| self.paths.depth() < INDEX_DEPTH && len > 0) {
            let known = self.arrays.entry(h).or_insert(0);
            *known = len.max(*known);
        }
    }

    /// Notes a use of the reference `r` by the object at the current path (the use's own place is its `$ref`
    /// member, which a `Value` tree visits among its siblings in key order).
    fn note_ref(&mut self, r: Cow<'de, str>) {
        match self.refs.get_mut(&r) {
            Some((first, count)) => {
                *count = count.saturating_add(1);
                // Keep the use a `Value` tree would meet first.
                if self.paths.before(*first) {
                    *first = self.paths.here();
                }
            }
            None => {
                let here = self.paths.here();
                self.refs.insert(r, (here, 1));
            }
        }
    }
}

/// Whether an object key is `$ref` (most keys differ in their first byte).
fn is_ref(key: &str) -> bool {
    key.as_bytes().first() == Some(&b'$') && key == "$ref"
}

/// The pointer hash of a member `key` of the node hashed `parent` (RFC 6901 escaping).
fn member_hash(parent: u64, key: &str) -> u64 {
    key.bytes().fold(fnv::feed(parent, b"/"), |h, b| match b {
        b'~' => fnv::feed(h, b"~0"),
        b'/' => fnv::feed(h, b"~1"),
        _ => fnv::feed(h, &[b]),
    })
}

/// The hash of the pointer `/index` below the node hashed `parent`.
fn index_hash(parent: u64, index: usize) -> u64 {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    let mut n = index;
    loop {
        at = at.saturating_sub(1);
        if let Some(d) = digits.get_mut(at) {
            *d = b'0'.saturating_add((n % 10) as u8);
        }
        n /= 10;
        if n == 0 {
            break;
        }
    }
    fnv::feed(
        fnv::feed(parent, b"/"),
        digits.get(at..).unwrap_or_default(),
    )
}

/// The element a JSON pointer token names in an array, as `serde_json`'s `Value::pointer` reads it (decimal, no
/// sign, no leading zero).
fn array_index(token: &str) -> Option<usize> {
    let canonical = !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'));
    canonical.then(|| token.parse().ok()).flatten()
}

/// The hash of a child of a node (hashed `hash`, at `depth`), while the child is within [`INDEX_DEPTH`].
fn child_hash(hash: Option<u64>, depth: usize, child: impl FnOnce(u64) -> u64) -> Option<u64> {
    hash.filter(|_| depth < INDEX_DEPTH).map(child)
}

/// Reads a kept node into a `Value`; its dropped members are skimmed.
struct Node<'w, 'de> {
    walker: &'w mut Walker<'de>,
    place: Place,
    /// Its pointer hash, while within [`INDEX_DEPTH`].
    hash: Option<u64>,
    /// Whether it is an array element.
    element: bool,
}

impl<'de> DeserializeSeed<'de> for Node<'_, 'de> {
    type Value = Option<Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.walker.index(self.hash, self.element);
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Node<'_, 'de> {
    type Value = Option<Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Some(Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Some(Value::from(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Some(Value::String(v.to_string())))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(Some(Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let place = self.place.element();
        let mut items = Vec::new();
        let mut i = 0usize;
        loop {
            let hash = child_hash(self.hash, self.walker.paths.depth(), |h| index_hash(h, i));
            self.walker.paths.push(Seg::Index(i));
            let item = seq.next_element_seed(Node {
                walker: &mut *self.walker,
                place,
                hash,
                element: true,
            });
            self.walker.paths.pop();
            match item? {
                None => {
                    self.walker.index_array(self.hash, i);
                    return Ok(Some(Value::Array(items)));
                }
                Some(v) => items.push(v.unwrap_or(Value::Null)),
            }
            i = i.saturating_add(1);
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Map::new();
        while let Some(key) = map.next_key_seed(Key)? {
            if is_ref(&key) {
                let (target, kept) = map.next_value_seed(RefValue {
                    walker: &mut *self.walker,
                    hash: self.hash,
                    keep: true,
                })?;
                if let Some(target) = target {
                    members.insert(key.into_owned(), Value::String(target.into_owned()));
                } else if let Some(v) = kept {
                    members.insert(key.into_owned(), v);
                }
                continue;
            }
            let hash = child_hash(self.hash, self.walker.paths.depth(), |h| {
                member_hash(h, &key)
            });
            let place = self.place.member(&key);
            self.walker.paths.push(Seg::Key(key));
            let value = if place == Place::Drop {
                map.next_value_seed(Skim {
                    walker: &mut *self.walker,
                    hash,
                    element: false,
                })
                .map(|()| None)
            } else {
                map.next_value_seed(Node {
                    walker: &mut *self.walker,
                    place,
                    hash,
                    element: false,
                })
            };
            let Some(Seg::Key(key)) = self.walker.paths.pop() else {
                continue;
            };
            if let Some(v) = value? {
                members.insert(key.into_owned(), v);
            }
        }
        Ok(Some(Value::Object(members)))
    }
}

/// Walks a dropped node: notes its `$ref`s and indexes it, keeps nothing.
struct Skim<'w, 'de> {
    walker: &'w mut Walker<'de>,
    /// Its pointer hash, while within [`INDEX_DEPTH`].
    hash: Option<u64>,
    /// Whether it is an array element.
    element: bool,
}

impl<'de> DeserializeSeed<'de> for Skim<'_, 'de> {
    type Value = ();

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<(), D::Error> {
        self.walker.index(self.hash, self.element);
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for Skim<'_, 'de> {
    type Value = ();

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_bool<E>(self, _: bool) -> Result<(), E> {
        Ok(())
    }

    fn visit_i64<E>(self, _: i64) -> Result<(), E> {
        Ok(())
    }

    fn visit_u64<E>(self, _: u64) -> Result<(), E> {
        Ok(())
    }

    fn visit_f64<E>(self, _: f64) -> Result<(), E> {
        Ok(())
    }

    fn visit_str<E>(self, _: &str) -> Result<(), E> {
        Ok(())
    }

    fn visit_unit<E>(self) -> Result<(), E> {
        Ok(())
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<(), A::Error> {
        let mut i = 0usize;
        loop {
            let hash = child_hash(self.hash, self.walker.paths.depth(), |h| index_hash(h, i));
            self.walker.paths.push(Seg::Index(i));
            let item = seq.next_element_seed(Skim {
                walker: &mut *self.walker,
                hash,
                element: true,
            });
            self.walker.paths.pop();
            if item?.is_none() {
                self.walker.index_array(self.hash, i);
                return Ok(());
            }
            i = i.saturating_add(1);
        }
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<(), A::Error> {
        while let Some(key) = map.next_key_seed(Key)? {
            if is_ref(&key) {
                map.next_value_seed(RefValue {
                    walker: &mut *self.walker,
                    hash: self.hash,
                    keep: false,
                })?;
                continue;
            }
            let hash = child_hash(self.hash, self.walker.paths.depth(), |h| {
                member_hash(h, &key)
            });
            self.walker.paths.push(Seg::Key(key));
            let value = map.next_value_seed(Skim {
                walker: &mut *self.walker,
                hash,
                element: false,
            });
            self.walker.paths.pop();
            value?;
        }
        Ok(())
    }
}

/// The value of a `$ref` member of the object at the walker's path (hashed `hash`): a string is noted as a
/// reference; anything else is walked like any value. Returns the string, or the kept value when `keep`.
struct RefValue<'w, 'de> {
    walker: &'w mut Walker<'de>,
    hash: Option<u64>,
    keep: bool,
}

impl<'de> RefValue<'_, 'de> {
    /// Notes a string reference of the object at the walker's path.
    fn string(self, r: Cow<'de, str>) -> (Option<Cow<'de, str>>, Option<Value>) {
        if let Some(h) = self.hash {
            self.walker.ref_objects.insert(h, Some(r.clone()));
        }
        self.walker.note_ref(r.clone());
        (Some(r), None)
    }

    /// A `$ref` that is not a string: the object is not a usable reference; its value is walked as a member.
    fn other(self, kept: impl FnOnce() -> Value) -> (Option<Cow<'de, str>>, Option<Value>) {
        if let Some(h) = self.hash {
            self.walker.ref_objects.insert(h, None);
        }
        (None, self.keep.then(kept))
    }

    /// A container under `$ref`: walked like any member value, with `$ref` on the path.
    fn container<E>(
        self,
        walk: impl FnOnce(Walk<'_, 'de>) -> Result<Option<Value>, E>,
    ) -> Result<(Option<Cow<'de, str>>, Option<Value>), E> {
        let hash = child_hash(self.hash, self.walker.paths.depth(), |h| {
            member_hash(h, "$ref")
        });
        if let Some(h) = self.hash {
            self.walker.ref_objects.insert(h, None);
        }
        self.walker.paths.push(Seg::Key(Cow::Borrowed("$ref")));
        let walker = &mut *self.walker;
        let kept = walk(if self.keep {
            Walk::Keep(Node {
                walker,
                place: Place::Keep,
                hash,
                element: false,
            })
        } else {
            Walk::Skim(Skim {
                walker,
                hash,
                element: false,
            })
        });
        self.walker.paths.pop();
        Ok((None, kept?))
    }
}

impl<'de> DeserializeSeed<'de> for RefValue<'_, 'de> {
    type Value = (Option<Cow<'de, str>>, Option<Value>);

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        if let Some(h) = child_hash(self.hash, self.walker.paths.depth(), |h| {
            member_hash(h, "$ref")
        }) {
            self.walker.nodes.insert(h);
        }
        d.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for RefValue<'_, 'de> {
    type Value = (Option<Cow<'de, str>>, Option<Value>);

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(self.string(Cow::Borrowed(v)))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(self.string(Cow::Owned(v.to_string())))
    }

    fn visit_bool<E>(self, v: bool) -> Result<Self::Value, E> {
        Ok(self.other(|| Value::Bool(v)))
    }

    fn visit_i64<E>(self, v: i64) -> Result<Self::Value, E> {
        Ok(self.other(|| Value::from(v)))
    }

    fn visit_u64<E>(self, v: u64) -> Result<Self::Value, E> {
        Ok(self.other(|| Value::from(v)))
    }

    fn visit_f64<E>(self, v: f64) -> Result<Self::Value, E> {
        Ok(self.other(|| Value::from(v)))
    }

    fn visit_unit<E>(self) -> Result<Self::Value, E> {
        Ok(self.other(|| Value::Null))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, seq: A) -> Result<Self::Value, A::Error> {
        self.container(|walk| match walk {
            Walk::Keep(node) => node.visit_seq(seq),
            Walk::Skim(skim) => skim.visit_seq(seq).map(|()| None),
        })
    }

    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<Self::Value, A::Error> {
        self.container(|walk| match walk {
            Walk::Keep(node) => node.visit_map(map),
            Walk::Skim(skim) => skim.visit_map(map).map(|()| None),
        })
    }
}

/// How a container is walked: kept into a `Value`, or skimmed.
enum Walk<'w, 'de> {
    Keep(Node<'w, 'de>),
    Skim(Skim<'w, 'de>),
}

/// An object key, borrowed from the text when it has no escapes.
struct Key;

impl<'de> DeserializeSeed<'de> for Key {
    type Value = Cow<'de, str>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_str(self)
    }
}

impl<'de> Visitor<'de> for Key {
    type Value = Cow<'de, str>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Cow::Borrowed(v))
    }

    fn visit_str<E>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Cow::Owned(v.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn array_elements_are_indexed_by_their_arrays_length() {
        // A million elements at depth 3 were a million entries of the index (16 times the text in wasm memory).
        let text = format!(
            r##"{{"definitions": {{"a": [{}], "b": [{{"$ref": "#/definitions/a/1"}}, [2]]}}, "x": [[1]]}}"##,
            vec!["1"; 1_000_000].join(",")
        );
        let o = Outline::read(&text).unwrap();
        assert_eq!(o.nodes.len(), 5, "the root, /definitions, /x, a and b");
        assert_eq!(
            o.arrays.len(),
            4,
            "/definitions/a, /definitions/b, /x, /x/0"
        );
        for (pointer, found) in [
            ("/definitions/a/0", Found::Dropped),
            ("/definitions/a/999999", Found::Dropped),
            ("/definitions/a/1000000", Found::Missing),
            ("/definitions/a/01", Found::Missing),
            ("/definitions/a/-1", Found::Missing),
            ("/definitions/a/+1", Found::Missing),
            ("/definitions/a/", Found::Missing),
            ("/definitions/b/0", Found::DroppedRef("#/definitions/a/1")),
            ("/definitions/b/1", Found::Dropped),
            ("/definitions/b/1/0", Found::Unknown),
            ("/definitions/b/2", Found::Missing),
            ("/definitions/a/5/x", Found::Unknown),
            ("/definitions/a/1000000/x", Found::Missing),
            ("/x/0/0", Found::Kept(&Value::from(1))),
        ] {
            assert_eq!(o.find(pointer), found, "{pointer}");
        }
    }
}
