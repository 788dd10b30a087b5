//! The list type: a sequence of binary-safe elements, cheap to push and pop at both ends.
//!
//! Redis 7.0 keeps every list in a quicklist (a linked list of listpack nodes; the single
//! listpack encoding for small lists only arrived in 7.2), so OBJECT ENCODING always answers
//! `quicklist`. Here a `VecDeque` gives the same costs where they matter: O(1) at both ends,
//! O(1) by index (where the quicklist walks nodes), and O(N) for inserting or removing in the
//! middle. Indexes follow Redis's convention everywhere: 0 is the head, -1 the tail.

use std::collections::VecDeque;

/// Which end of a list: Redis's `LIST_HEAD` (LEFT) and `LIST_TAIL` (RIGHT).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum End {
    Left,
    Right,
}

/// A Redis list.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct List {
    items: VecDeque<Vec<u8>>,
}

impl List {
    /// An empty list.
    pub fn new() -> List {
        List::default()
    }

    /// Number of elements.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// True when empty (a stored list never is: emptying a list deletes its key).
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// What OBJECT ENCODING says: always `quicklist` in Redis 7.0.
    pub fn encoding(&self) -> &'static str {
        "quicklist"
    }

    /// The elements from head to tail.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = &Vec<u8>> + ExactSizeIterator {
        self.items.iter()
    }

    /// Adds an element at one end.
    pub fn push(&mut self, end: End, element: Vec<u8>) {
        match end {
            End::Left => self.items.push_front(element),
            End::Right => self.items.push_back(element),
        }
    }

    /// Removes and returns the element at one end.
    pub fn pop(&mut self, end: End) -> Option<Vec<u8>> {
        match end {
            End::Left => self.items.pop_front(),
            End::Right => self.items.pop_back(),
        }
    }

    /// The position a Redis index names (negative counts from the tail), if it is inside.
    fn position(&self, index: i64) -> Option<usize> {
        let len = self.items.len() as i64;
        let index = if index < 0 { index + len } else { index };
        (0..len).contains(&index).then_some(index as usize)
    }

    /// The element at a Redis index.
    pub fn get(&self, index: i64) -> Option<&Vec<u8>> {
        self.items.get(self.position(index)?)
    }

    /// Replaces the element at a Redis index; false when the index is outside the list.
    pub fn set(&mut self, index: i64, element: Vec<u8>) -> bool {
        match self.position(index) {
            Some(p) => {
                self.items[p] = element;
                true
            }
            None => false,
        }
    }

    /// The positions `start..=stop` name after Redis's clamping (LRANGE, LTRIM): negative
    /// indexes count from the tail, a start before the head becomes 0, a stop beyond the tail
    /// becomes the tail; `None` when nothing is left.
    pub fn clamp_range(&self, start: i64, stop: i64) -> Option<(usize, usize)> {
        let len = self.items.len() as i64;
        let start = if start < 0 { start + len } else { start }.max(0);
        let stop = if stop < 0 { stop + len } else { stop };
        if start > stop || start >= len {
            return None;
        }
        Some((start as usize, stop.min(len - 1) as usize))
    }

    /// The elements from position `first` to `last`, both included.
    pub fn range(&self, first: usize, last: usize) -> impl Iterator<Item = &Vec<u8>> {
        self.items.range(first..=last)
    }

    /// Keeps only positions `first..=last`, or nothing at all.
    pub fn trim(&mut self, keep: Option<(usize, usize)>) {
        match keep {
            Some((first, last)) => {
                self.items.truncate(last + 1);
                self.items.drain(..first);
            }
            None => self.items.clear(),
        }
    }

    /// Inserts `element` before or after (`End::Left` / `End::Right` of) the first element
    /// equal to `pivot`, from the head. False when there is no such element.
    pub fn insert(&mut self, side: End, pivot: &[u8], element: Vec<u8>) -> bool {
        let Some(p) = self.items.iter().position(|e| e == pivot) else {
            return false;
        };
        let at = match side {
            End::Left => p,
            End::Right => p + 1,
        };
        self.items.insert(at, element);
        true
    }

    /// Removes elements equal to `element`: the first `count` from the head when `count` is
    /// positive, the last `-count` from the tail when negative, all of them when 0. Returns
    /// how many were removed.
    pub fn remove(&mut self, element: &[u8], count: i64) -> usize {
        let limit = if count == 0 {
            usize::MAX
        } else {
            usize::try_from(count.unsigned_abs()).unwrap_or(usize::MAX)
        };
        let mut removed = 0;
        let from_tail = count < 0;
        let len = self.items.len();
        // Mark from the chosen end, then keep the rest in order: one O(N) pass.
        let mut drop = vec![false; len];
        let positions: Box<dyn Iterator<Item = usize>> = if from_tail {
            Box::new((0..len).rev())
        } else {
            Box::new(0..len)
        };
        for p in positions {
            if removed == limit {
                break;
            }
            if self.items[p] == element {
                drop[p] = true;
                removed += 1;
            }
        }
        if removed > 0 {
            let mut p = 0;
            self.items.retain(|_| {
                p += 1;
                !drop[p - 1]
            });
        }
        removed
    }

    /// The positions of elements equal to `element` (LPOS): the search runs from the head, or
    /// from the tail when `from_tail`, looks at no more than `max_len` elements (0: all),
    /// skips the first `skip` matches and collects up to `count` (0: all).
    pub fn positions(
        &self,
        element: &[u8],
        from_tail: bool,
        skip: u64,
        count: u64,
        max_len: u64,
    ) -> Vec<usize> {
        let len = self.items.len();
        let order: Box<dyn Iterator<Item = usize>> = if from_tail {
            Box::new((0..len).rev())
        } else {
            Box::new(0..len)
        };
        let scanned = if max_len == 0 {
            len
        } else {
            usize::try_from(max_len).unwrap_or(usize::MAX)
        };
        let wanted = if count == 0 {
            usize::MAX
        } else {
            usize::try_from(count).unwrap_or(usize::MAX)
        };
        order
            .take(scanned)
            .filter(|&p| self.items[p] == element)
            .skip(usize::try_from(skip).unwrap_or(usize::MAX))
            .take(wanted)
            .collect()
    }
}

impl FromIterator<Vec<u8>> for List {
    fn from_iter<I: IntoIterator<Item = Vec<u8>>>(iter: I) -> List {
        List {
            items: iter.into_iter().collect(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> List {
        items.iter().map(|s| s.as_bytes().to_vec()).collect()
    }

    fn strings(l: &List) -> Vec<String> {
        l.iter()
            .map(|e| String::from_utf8_lossy(e).into_owned())
            .collect()
    }

    #[test]
    fn ranges_clamp_as_redis() {
        let l = list(&["a", "b", "c"]);
        assert_eq!(l.clamp_range(0, -1), Some((0, 2)));
        assert_eq!(l.clamp_range(-100, 100), Some((0, 2)));
        assert_eq!(l.clamp_range(2, 1), None);
        assert_eq!(l.clamp_range(3, 5), None);
        assert_eq!(l.clamp_range(-1, -1), Some((2, 2)));
    }

    #[test]
    fn remove_from_either_end() {
        let mut l = list(&["x", "a", "x", "b", "x"]);
        assert_eq!(l.remove(b"x", -2), 2);
        assert_eq!(strings(&l), ["x", "a", "b"]);
        assert_eq!(l.remove(b"x", 0), 1);
        assert_eq!(strings(&l), ["a", "b"]);
    }

    #[test]
    fn positions_with_rank_count_and_maxlen() {
        let l = list(&["a", "b", "a", "a"]);
        assert_eq!(l.positions(b"a", false, 0, 0, 0), [0, 2, 3]);
        assert_eq!(l.positions(b"a", true, 1, 1, 0), [2]);
        assert_eq!(l.positions(b"a", false, 0, 0, 2), [0]);
    }

    #[test]
    fn trim_keeps_a_window() {
        let mut l = list(&["a", "b", "c", "d"]);
        l.trim(Some((1, 2)));
        assert_eq!(strings(&l), ["b", "c"]);
        l.trim(None);
        assert!(l.is_empty());
    }
}
