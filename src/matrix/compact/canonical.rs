//! A reader for the `paths` of a compact document in the shape `scripts/gen_matrices.py` writes: arrays of
//! integers and strings without escapes, whitespace only between tokens. It gives what serde would give for
//! such text, several times faster (most of the time to install Microsoft Graph went to serde here), and None
//! for anything else, which serde then reads.
//!
//! [`document`] finds the `paths` member in the document's top-level object and reads it there, so that serde,
//! which reads the rest, need not scan the paths (four fifths of the text) only to skip them.

use super::{Paths, Row};
use std::borrow::Cow;

struct Cursor<'a> {
    text: &'a str,
    at: usize,
}

impl<'a> Cursor<'a> {
    /// The next byte after whitespace, not taken.
    fn peek(&mut self) -> Option<u8> {
        while let Some(b' ' | b'\n' | b'\r' | b'\t') = self.text.as_bytes().get(self.at) {
            self.at = self.at.saturating_add(1);
        }
        self.text.as_bytes().get(self.at).copied()
    }

    /// Takes byte `b` (after whitespace).
    fn take(&mut self, b: u8) -> Option<()> {
        (self.peek()? == b).then(|| self.at = self.at.saturating_add(1))
    }

    /// Takes `,` and returns true, or `]` and returns false.
    fn more(&mut self) -> Option<bool> {
        let b = self.peek()?;
        self.at = self.at.saturating_add(1);
        match b {
            b',' => Some(true),
            b']' => Some(false),
            _ => None,
        }
    }

    /// A JSON integer of at most 9 digits, without sign, leading zero, fraction or exponent (u32
    /// arithmetic: a 64-bit overflow check is a 128-bit multiplication call in wasm32).
    fn uint(&mut self) -> Option<u32> {
        let bytes = self.text.as_bytes();
        let first = self.peek()?;
        let start = self.at;
        let mut n: u32 = 0;
        while let Some(&b) = bytes.get(self.at) {
            if !b.is_ascii_digit() {
                break;
            }
            n = n
                .wrapping_mul(10)
                .wrapping_add(u32::from(b.wrapping_sub(b'0')));
            self.at = self.at.saturating_add(1);
        }
        let digits = self.at.saturating_sub(start);
        let bad_next = matches!(bytes.get(self.at), Some(b'.' | b'e' | b'E'));
        ((1..=9).contains(&digits) && !(first == b'0' && digits > 1) && !bad_next).then_some(n)
    }

    fn usize(&mut self) -> Option<usize> {
        usize::try_from(self.uint()?).ok()
    }

    fn int(&mut self) -> Option<i64> {
        if self.peek()? == b'-' {
            self.at = self.at.saturating_add(1);
            if !self.text.as_bytes().get(self.at)?.is_ascii_digit() {
                return None;
            }
            // serde_json reads `-0` as a float.
            let n = self.uint().filter(|&n| n != 0)?;
            Some(i64::from(n).wrapping_neg())
        } else {
            Some(i64::from(self.uint()?))
        }
    }

    /// A string without escapes or control characters.
    fn string(&mut self) -> Option<&'a str> {
        self.take(b'"')?;
        let start = self.at;
        loop {
            match *self.text.as_bytes().get(self.at)? {
                b'"' => break,
                b'\\' | 0..=0x1f => return None,
                _ => self.at = self.at.saturating_add(1),
            }
        }
        let s = self.text.get(start..self.at)?;
        self.at = self.at.saturating_add(1);
        Some(s)
    }

    /// The items of an array whose `[` was taken, each read by `item`, up to and including its `]`.
    fn items(&mut self, mut item: impl FnMut(&mut Self) -> Option<()>) -> Option<()> {
        if self.peek()? == b']' {
            self.at = self.at.saturating_add(1);
            return Some(());
        }
        loop {
            item(self)?;
            if !self.more()? {
                return Some(());
            }
        }
    }
}

/// The top-level members of a compact document: where its `paths` value is in `text` and what it holds, or None
/// when the document is not an object with one `paths` member in the canonical shape, or a key has an escape.
/// The other members are only skipped: the caller gives them to serde, which checks them as in the whole document.
pub(in crate::matrix) fn document(text: &str) -> Option<(std::ops::Range<usize>, Paths<'_>)> {
    let mut c = Cursor { text, at: 0 };
    c.take(b'{')?;
    let mut found = None;
    loop {
        let key = c.string()?;
        c.take(b':')?;
        c.peek()?;
        let start = c.at;
        if key == "paths" {
            if found.is_some() {
                return None; // serde says "duplicate field"
            }
            let mut out = Paths::default();
            c.take(b'[')?;
            c.items(|c| entry(c, &mut out))?;
            found = Some((start..c.at, out));
        } else {
            skip(&mut c)?;
        }
        match c.peek()? {
            b',' => c.at = c.at.saturating_add(1),
            b'}' => break,
            _ => return None,
        }
    }
    c.at = c.at.saturating_add(1);
    if c.peek().is_some() {
        return None;
    }
    found
}

/// Moves past one JSON value: where it ends as serde's lexer sees it (strings with their escapes, nested
/// brackets counted, not recursed into). It does not check the value: serde does, on the text without `paths`
/// (its nesting limit included).
fn skip(c: &mut Cursor<'_>) -> Option<()> {
    let bytes = c.text.as_bytes();
    let mut depth: u32 = 0;
    loop {
        match c.peek()? {
            b'"' => {
                c.at = c.at.saturating_add(1);
                loop {
                    match *bytes.get(c.at)? {
                        b'"' => break,
                        b'\\' => c.at = c.at.saturating_add(2),
                        _ => c.at = c.at.saturating_add(1),
                    }
                }
                c.at = c.at.saturating_add(1);
            }
            b'[' | b'{' => {
                depth = depth.saturating_add(1);
                c.at = c.at.saturating_add(1);
                continue;
            }
            b']' | b'}' => {
                depth = depth.checked_sub(1)?;
                c.at = c.at.saturating_add(1);
            }
            b',' | b':' if depth > 0 => {
                c.at = c.at.saturating_add(1);
                continue;
            }
            b',' | b':' => return None,
            _ => {
                // A number or a literal: up to the next delimiter.
                let start = c.at;
                while let Some(&b) = bytes.get(c.at) {
                    if matches!(
                        b,
                        b',' | b':'
                            | b']'
                            | b'}'
                            | b'['
                            | b'{'
                            | b'"'
                            | b' '
                            | b'\n'
                            | b'\r'
                            | b'\t'
                    ) {
                        break;
                    }
                    c.at = c.at.saturating_add(1);
                }
                if c.at == start {
                    return None;
                }
            }
        }
        if depth == 0 {
            return Some(());
        }
    }
}

/// The entries of `paths` (`[[k,"rest",[rows]],...]`), or None when it is not in the canonical shape.
pub(in crate::matrix) fn paths(text: &str) -> Option<Paths<'_>> {
    let mut c = Cursor { text, at: 0 };
    let mut out = Paths::default();
    c.take(b'[')?;
    c.items(|c| entry(c, &mut out))?;
    (c.peek().is_none()).then_some(out)
}

fn entry<'a>(c: &mut Cursor<'a>, out: &mut Paths<'a>) -> Option<()> {
    c.take(b'[')?;
    let k = c.usize()?;
    c.take(b',')?;
    let rest = c.string()?;
    c.take(b',')?;
    c.take(b'[')?;
    let before = out.rows.len();
    c.items(|c| {
        out.rows.push(row(c)?);
        Some(())
    })?;
    c.take(b']')?;
    let count = out.rows.len().saturating_sub(before);
    out.entries.push((k, Cow::Borrowed(rest), count));
    Some(())
}

/// `["GET",s,a,p,u]` or `["GET",s,a,p,u,[n,...]]`.
fn row<'a>(c: &mut Cursor<'a>) -> Option<Row<'a>> {
    c.take(b'[')?;
    let method = c.string()?;
    c.take(b',')?;
    let s = c.usize()?;
    c.take(b',')?;
    let a = c.int()?;
    c.take(b',')?;
    let p = c.int()?;
    c.take(b',')?;
    let u = u8::try_from(c.uint()?).ok()?;
    let mut notes = Vec::new();
    if c.more()? {
        c.take(b'[')?;
        c.items(|c| {
            notes.push(c.usize()?);
            Some(())
        })?;
        c.take(b']')?;
    }
    Some(Row(Cow::Borrowed(method), s, a, p, u, notes))
}
