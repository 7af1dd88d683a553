//! Where each `$ref` of a document is first used, kept cheaply, and the JSON pointers of problems, spelled clipped.
//!
//! A walk over a document keeps the path to the node it is reading. Copying that path (or spelling its pointer)
//! for every `$ref` it meets costs the length of every key above the reference: 10,000 references under one
//! 200 KB key were 2 GB of copying and comparing. Here a place is kept once, as a node of an arena that points to
//! its parent (so the places of many references share their ancestors), and only when a reference needs it;
//! comparing the current place with a kept one skips the ancestors they share, and reads at most
//! [`COMPARED_BYTES`] of their keys. The pointer of a place is spelled only for a reference that is reported, and
//! clipped to [`MAX_POINTER_CHARS`] characters like every pointer of a problem.

use super::MAX_POINTER_CHARS;
use std::borrow::Cow;
use std::cmp::Ordering;

/// Bytes of two paths compared before they count as tied: past them both are spelled alike up to the clip of
/// their pointers (a byte of a path is at least a byte of its pointer, a character at most four bytes).
const COMPARED_BYTES: usize = MAX_POINTER_CHARS.saturating_add(1).saturating_mul(4);

/// One step of the path from the root to a node.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Seg<'a> {
    /// An array element.
    Index(usize),
    /// An object member.
    Key(Cow<'a, str>),
}

/// The `$ref` member of an object: the last step of the place of every use.
const REF: Seg<'static> = Seg::Key(Cow::Borrowed("$ref"));

impl Seg<'_> {
    /// Bytes of this step in a path (its key, or the digits of its index), with the `/` before it.
    fn spelled_len(&self) -> usize {
        match self {
            Seg::Key(k) => k.len().saturating_add(1),
            Seg::Index(i) => i.checked_ilog10().unwrap_or(0).saturating_add(2) as usize,
        }
    }
}

/// A kept place: the node of an object in the arena, or None for the document itself.
pub(super) type At = Option<usize>;

/// A kept step: the step and the place it is taken from.
#[derive(Debug)]
struct Node<'a> {
    seg: Seg<'a>,
    parent: At,
}

/// How two places compare in the order a `serde_json::Value` tree visits them.
enum Order {
    Before,
    After,
    /// The same key or index (of two different nodes, under a repeated member name).
    Same,
    /// Alike for [`COMPARED_BYTES`]: either may be kept, their pointers are spelled the same.
    Tied,
}

/// The path being walked, and the arena of the places kept from it.
#[derive(Debug, Default)]
pub(super) struct Paths<'a> {
    /// The steps from the root to the node being read.
    path: Vec<Seg<'a>>,
    /// For each step of `path`, its node in `arena` once a place under it was kept.
    kept: Vec<At>,
    arena: Vec<Node<'a>>,
    /// The places kept, root first (reused by [`Paths::before`]).
    scratch: Vec<usize>,
}

impl<'a> Paths<'a> {
    /// Steps down to a child.
    pub(super) fn push(&mut self, seg: Seg<'a>) {
        self.path.push(seg);
        self.kept.push(None);
    }

    /// Steps back up; returns the step.
    pub(super) fn pop(&mut self) -> Option<Seg<'a>> {
        self.kept.pop();
        self.path.pop()
    }

    /// How many steps down the walk is.
    pub(super) fn depth(&self) -> usize {
        self.path.len()
    }

    /// Keeps the current place (the steps not kept yet: each step of a walk is kept at most once).
    pub(super) fn here(&mut self) -> At {
        let mut from = self.kept.len();
        while let Some(None) = from.checked_sub(1).and_then(|i| self.kept.get(i)) {
            from = from.saturating_sub(1);
        }
        let mut parent = from
            .checked_sub(1)
            .and_then(|i| self.kept.get(i))
            .copied()
            .flatten();
        for (seg, kept) in self.path.iter().zip(self.kept.iter_mut()).skip(from) {
            let id = self.arena.len();
            self.arena.push(Node {
                seg: seg.clone(),
                parent,
            });
            *kept = Some(id);
            parent = Some(id);
        }
        parent
    }

    /// The kept steps from the root to `at`, into `scratch`.
    fn chain(&mut self, at: At) {
        self.scratch.clear();
        let mut at = at;
        while let Some(node) = at.and_then(|id| self.arena.get(id).map(|n| (id, n))) {
            self.scratch.push(node.0);
            at = node.1.parent;
        }
        self.scratch.reverse();
    }

    /// Whether the `$ref` member of the object being read comes before the one of the object kept at `first`, in
    /// the order a `serde_json::Value` tree visits them (keys sorted, an index before a key, a path before the
    /// paths under it). Exact, except that two places alike for [`COMPARED_BYTES`] are tied (false): their
    /// pointers are spelled the same, so keeping either gives the same problem.
    pub(super) fn before(&mut self, first: At) -> bool {
        self.chain(first);
        let (now, then) = (self.path.len(), self.scratch.len());
        let mut alike = 0usize;
        for level in 0..=now.max(then) {
            let a = match level.cmp(&now) {
                Ordering::Less => self.path.get(level),
                Ordering::Equal => Some(&REF),
                Ordering::Greater => None,
            };
            let b_id = self.scratch.get(level).copied();
            let b = match level.cmp(&then) {
                Ordering::Less => b_id.and_then(|id| self.arena.get(id)).map(|n| &n.seg),
                Ordering::Equal => Some(&REF),
                Ordering::Greater => None,
            };
            let (a, b) = match (a, b) {
                (Some(a), Some(b)) => (a, b),
                // A path comes before the paths under it.
                (None, Some(_)) => return true,
                _ => return false,
            };
            let same_node = b_id.is_some() && self.kept.get(level).copied().flatten() == b_id;
            let order = if same_node {
                Order::Same
            } else {
                compare(a, b, COMPARED_BYTES.saturating_sub(alike.saturating_add(1)))
            };
            match order {
                Order::Before => return true,
                Order::After | Order::Tied => return false,
                Order::Same => {
                    alike = alike.saturating_add(a.spelled_len());
                    if alike >= COMPARED_BYTES {
                        return false;
                    }
                }
            }
        }
        false
    }

    /// The JSON pointer of the `$ref` member of the object kept at `at`, clipped to [`MAX_POINTER_CHARS`].
    pub(super) fn pointer(&self, at: At) -> String {
        let mut chain = Vec::new();
        let mut at = at;
        while let Some((id, node)) = at.and_then(|id| self.arena.get(id).map(|n| (id, n))) {
            chain.push(id);
            at = node.parent;
        }
        let steps = chain
            .iter()
            .rev()
            .filter_map(|id| self.arena.get(*id))
            .map(|n| &n.seg)
            .chain(std::iter::once(&REF))
            .map(|s| match s {
                Seg::Index(i) => Token::Index(*i),
                Seg::Key(k) => Token::Key(k),
            });
        spell(steps)
    }
}

/// Compares two steps of two paths alike so far, reading at most `room` bytes of their keys.
fn compare(a: &Seg<'_>, b: &Seg<'_>, room: usize) -> Order {
    let (a, b) = match (a, b) {
        (Seg::Index(a), Seg::Index(b)) => {
            return match a.cmp(b) {
                Ordering::Less => Order::Before,
                Ordering::Greater => Order::After,
                Ordering::Equal => Order::Same,
            };
        }
        (Seg::Index(_), Seg::Key(_)) => return Order::Before,
        (Seg::Key(_), Seg::Index(_)) => return Order::After,
        (Seg::Key(a), Seg::Key(b)) => (a.as_bytes(), b.as_bytes()),
    };
    let n = a.len().min(b.len()).min(room);
    match a.get(..n).cmp(&b.get(..n)) {
        Ordering::Less => Order::Before,
        Ordering::Greater => Order::After,
        Ordering::Equal if n == room => Order::Tied,
        Ordering::Equal => match a.len().cmp(&b.len()) {
            Ordering::Less => Order::Before,
            Ordering::Greater => Order::After,
            Ordering::Equal => Order::Same,
        },
    }
}

/// One step of a JSON pointer to spell.
#[derive(Debug, Clone, Copy)]
pub(super) enum Token<'s> {
    /// An array index.
    Index(usize),
    /// An object key (unescaped).
    Key(&'s str),
}

/// Spells a JSON pointer (RFC 6901 escaping) clipped to [`MAX_POINTER_CHARS`] characters, as
/// `crate::json::clip(&full_pointer, MAX_POINTER_CHARS)` would: the steps past the clip are not read, nor the part
/// of a long key past it.
pub(super) fn spell<'s>(steps: impl IntoIterator<Item = Token<'s>>) -> String {
    let mut p = String::new();
    for step in steps {
        p.push('/');
        match step {
            Token::Index(i) => p.push_str(&i.to_string()),
            Token::Key(k) => {
                let room = COMPARED_BYTES.saturating_sub(p.len());
                let mut cut = k.len().min(room);
                while !k.is_char_boundary(cut) {
                    cut = cut.saturating_sub(1);
                }
                escape_into(&mut p, k.get(..cut).unwrap_or_default());
                if cut < k.len() {
                    // At least COMPARED_BYTES - 3 bytes: more than MAX_POINTER_CHARS characters, so clipped.
                    break;
                }
            }
        }
        if p.len() >= COMPARED_BYTES {
            break;
        }
    }
    crate::json::clip(&p, MAX_POINTER_CHARS)
}

/// Appends `token` with `~` and `/` escaped (RFC 6901).
pub(super) fn escape_into(p: &mut String, token: &str) {
    let mut rest = token;
    while let Some(i) = rest.find(['~', '/']) {
        p.push_str(rest.get(..i).unwrap_or_default());
        p.push_str(if rest.get(i..=i) == Some("~") {
            "~0"
        } else {
            "~1"
        });
        rest = rest.get(i.saturating_add(1)..).unwrap_or_default();
    }
    p.push_str(rest);
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    fn key(k: &str) -> Seg<'_> {
        Seg::Key(Cow::Borrowed(k))
    }

    /// Keeps the place `steps` and returns it, leaving the walk at the root.
    fn keep<'a>(p: &mut Paths<'a>, steps: &[Seg<'a>]) -> At {
        for s in steps {
            p.push(s.clone());
        }
        let at = p.here();
        for _ in steps {
            p.pop();
        }
        at
    }

    /// Whether the place `steps` comes before the kept `first`.
    fn before<'a>(p: &mut Paths<'a>, steps: &[Seg<'a>], first: At) -> bool {
        for s in steps {
            p.push(s.clone());
        }
        let b = p.before(first);
        for _ in steps {
            p.pop();
        }
        b
    }

    #[test]
    fn places_compare_as_a_value_tree_visits_them() {
        let long = "k".repeat(COMPARED_BYTES / 2);
        let cases: Vec<Vec<Seg<'_>>> = vec![
            vec![Seg::Index(2)],
            vec![Seg::Index(10)],
            vec![key("$a")],
            vec![],
            vec![key("$ref"), key("x")],
            vec![key("a"), Seg::Index(0)],
            vec![key("a")],
            vec![key("a"), key("b")],
            vec![key("a/b"), key("~")],
            vec![key("ab")],
            vec![key(&long), key("a")],
            vec![key(&long), key("b")],
        ];
        for (i, x) in cases.iter().enumerate() {
            for (j, y) in cases.iter().enumerate() {
                let mut p = Paths::default();
                let at = keep(&mut p, y);
                let mut x_ref = x.clone();
                x_ref.push(REF);
                let mut y_ref = y.clone();
                y_ref.push(REF);
                assert_eq!(before(&mut p, x, at), x_ref < y_ref, "{i} {j}");
                assert_eq!(i < j, x_ref < y_ref, "{i} {j}: the list is in order");
            }
        }
    }

    #[test]
    fn long_alike_places_tie() {
        // Under one long key, places still compare exactly ...
        let long = "k".repeat(COMPARED_BYTES - 10);
        let mut p = Paths::default();
        p.push(key("paths"));
        p.push(key(&long));
        p.push(Seg::Index(5));
        let first = p.here();
        p.pop();
        p.push(Seg::Index(4));
        assert!(p.before(first));
        p.pop();
        p.push(Seg::Index(6));
        assert!(!p.before(first));
        p.pop();
        p.pop();
        p.pop();
        // ... but two keys alike for more than the compared bytes are tied, whichever comes first in full: their
        // pointers are spelled the same.
        let longer = "k".repeat(COMPARED_BYTES);
        let first = keep(&mut p, &[key(&longer), key("b")]);
        let others = [format!("{longer}a"), longer.clone()];
        for other in &others {
            let steps = [key(other), key("a")];
            assert!(!before(&mut p, &steps, first));
            let here = keep(&mut p, &steps);
            assert_eq!(p.pointer(here), p.pointer(first));
            assert_eq!(p.pointer(here), spell_full(&[&longer, "b", "$ref"]));
        }
    }

    fn spell_full(tokens: &[&str]) -> String {
        let mut p = String::new();
        for t in tokens {
            p.push('/');
            escape_into(&mut p, t);
        }
        crate::json::clip(&p, MAX_POINTER_CHARS)
    }

    #[test]
    fn pointers_are_spelled_clipped() {
        for tokens in [
            vec!["a/b", "~c", "é"],
            vec!["é".repeat(1000).as_str(), "x"],
            vec!["x".repeat(MAX_POINTER_CHARS - 2).as_str(), "ab"],
            vec!["x".repeat(MAX_POINTER_CHARS - 3).as_str(), "ab"],
            vec!["/".repeat(MAX_POINTER_CHARS).as_str()],
            vec!["🦀".repeat(2 * MAX_POINTER_CHARS).as_str()],
        ] {
            let spelled = spell(tokens.iter().map(|t| Token::Key(t)));
            assert_eq!(spelled, spell_full(&tokens));
            assert!(spelled.chars().count() <= MAX_POINTER_CHARS + 1);
        }
        assert_eq!(
            spell([Token::Key("paths"), Token::Index(12), Token::Key("a~b")]),
            "/paths/12/a~0b"
        );
    }
}
