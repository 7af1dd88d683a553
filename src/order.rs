//! Stable sorting through one shared copy of the standard library's sort.
//!
//! Each `sort_by` on another element type or comparator compiles its own copy of the standard sort, about 6.6 KB
//! of wasm each (eight of them were 53 KB of the engine). Here every caller sorts the positions `0..n` with the
//! one comparator type of [`sort_positions`], so there is one copy; what stays generic is the comparison of two
//! positions and the reordering, a few dozen instructions. For the short lists sorted here (findings, near
//! operations, scopes) the extra indirection costs nothing measurable.

use std::cmp::Ordering;

/// Sorts `items` stably by `cmp`, like `slice::sort_by`.
pub fn sort_by<T>(items: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if items.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..items.len()).collect();
    let compare = |a: usize, b: usize| match (items.get(a), items.get(b)) {
        (Some(x), Some(y)) => cmp(x, y),
        _ => Ordering::Equal,
    };
    sort_positions(&mut order, &compare);
    permute(items, &mut order);
}

/// Sorts `items` stably by a key, like `slice::sort_by_key`.
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` stably, like `slice::sort`.
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The one copy of the standard sort: positions, compared through `cmp`.
#[inline(never)]
fn sort_positions(order: &mut [usize], cmp: &dyn Fn(usize, usize) -> Ordering) {
    order.sort_by(|a, b| cmp(*a, *b));
}

/// Puts `items` in `order` (position `k` receives the element at `order[k]`), in place, one cycle at a time;
/// `order` is consumed (left as the identity).
fn permute<T>(items: &mut [T], order: &mut [usize]) {
    let n = items.len();
    for start in 0..order.len() {
        let mut at = start;
        while let Some(slot) = order.get_mut(at) {
            let from = std::mem::replace(slot, at);
            if from == start || from == at || from >= n {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    #[cfg(target_arch = "wasm32")]
    use wasm_bindgen_test::wasm_bindgen_test as test;

    /// A tiny deterministic generator (xorshift), for lists with many ties.
    fn list(seed: u64, n: usize) -> Vec<(u8, usize)> {
        let mut s = seed | 1;
        (0..n)
            .map(|i| {
                s ^= s << 13;
                s ^= s >> 7;
                s ^= s << 17;
                ((s % 5) as u8, i)
            })
            .collect()
    }

    #[test]
    fn sorts_like_the_standard_stable_sort() {
        for (seed, n) in [(1, 0), (2, 1), (3, 2), (4, 3), (5, 17), (6, 100), (7, 1000)] {
            let mut ours = list(seed, n);
            let mut std = ours.clone();
            sort_by(&mut ours, |a, b| a.0.cmp(&b.0));
            std.sort_by_key(|x| x.0);
            assert_eq!(ours, std, "n = {n}: equal keys keep their order");
            let mut by_key = list(seed, n);
            sort_by_key(&mut by_key, |x| std::cmp::Reverse(x.0));
            let mut std = list(seed, n);
            std.sort_by_key(|x| std::cmp::Reverse(x.0));
            assert_eq!(by_key, std);
        }
        let mut words = vec!["b".to_string(), "a".into(), "c".into(), "a".into()];
        sort(&mut words);
        assert_eq!(words, ["a", "a", "b", "c"]);
    }

    #[test]
    fn permutes_every_cycle() {
        let mut items = vec!['a', 'b', 'c', 'd', 'e', 'f'];
        // Position k receives the element at order[k]: two cycles (0 2 4) and (1 5), and 3 in place.
        let mut order = vec![2, 5, 4, 3, 0, 1];
        permute(&mut items, &mut order);
        assert_eq!(items, ['c', 'f', 'e', 'd', 'a', 'b']);
        assert_eq!(order, [0, 1, 2, 3, 4, 5]);
    }
}
