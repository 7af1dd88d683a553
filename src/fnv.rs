//! FNV-1a (64-bit): a cheap hash of bytes. The boundary uses it to recognize a matrix document it has read
//! before, and the OpenAPI outline to key its maps by JSON-pointer hashes. It is not a security hash: chosen
//! inputs can collide, which costs nothing here but a missed cache hit or a slower map.

use std::collections::{HashMap, HashSet};
use std::hash::BuildHasherDefault;

/// The offset basis: the hash of no bytes.
pub const BASIS: u64 = 0xcbf2_9ce4_8422_2325;
/// The 64-bit FNV prime.
const PRIME: u64 = 0x0000_0100_0000_01b3;

/// FNV-1a over `bytes`, continuing from the hash `h`.
pub fn feed(h: u64, bytes: &[u8]) -> u64 {
    bytes
        .iter()
        .fold(h, |h, &b| (h ^ u64::from(b)).wrapping_mul(PRIME))
}

/// FNV-1a of `bytes`.
pub fn hash(bytes: &[u8]) -> u64 {
    feed(BASIS, bytes)
}

/// FNV-1a as a `std::hash::Hasher`, for maps keyed by short strings or by hashes already, where SipHash's
/// protection against chosen collisions buys nothing and costs time.
pub struct Hasher(u64);

impl Default for Hasher {
    fn default() -> Self {
        Hasher(BASIS)
    }
}

impl std::hash::Hasher for Hasher {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        self.0 = feed(self.0, bytes);
    }

    fn write_u64(&mut self, n: u64) {
        // A key that is a hash already is mixed in whole.
        self.0 ^= n;
    }
}

/// A `HashMap` with the FNV hasher.
pub type Map<K, V> = HashMap<K, V, BuildHasherDefault<Hasher>>;
/// A `HashSet` with the FNV hasher.
pub type Set<K> = HashSet<K, BuildHasherDefault<Hasher>>;
