//! A fixed-capacity, key-ordered ledger of periods (days, months, quarters).
//!
//! Periods arrive mostly in order but not always (a survey about yesterday arrives today; a
//! queue was quiet on Tuesday and a late event for Tuesday arrives on Wednesday), so entries are
//! kept sorted by key and inserted where they belong. When the ledger is full a newer period
//! evicts the oldest; a period older than everything kept in a full ledger is refused.

use heapless::Vec;

/// The period is older than every period kept, and the ledger is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct TooOld;

#[derive(Debug, Clone)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub(crate) struct Ledger<K, V, const N: usize> {
    entries: Vec<(K, V), N>,
}

impl<K: Ord + Copy, V: Default, const N: usize> Ledger<K, V, N> {
    pub(crate) const fn new() -> Self {
        Self { entries: Vec::new() }
    }

    /// Whether `key` would be accepted by [`Self::entry`].
    pub(crate) fn accepts(&self, key: K) -> bool {
        !self.entries.is_full() || self.entries.first().is_some_and(|(oldest, _)| *oldest <= key)
    }

    /// The entry for `key`, created empty if needed. The second value is true when creating it
    /// evicted the oldest entry.
    pub(crate) fn entry(&mut self, key: K) -> Result<(&mut V, bool), TooOld> {
        // Nearly every update is to the newest day.
        if self.entries.last().is_some_and(|(newest, _)| *newest == key) {
            let last = self.entries.len().saturating_sub(1);
            let (_, value) = self.entries.get_mut(last).ok_or(TooOld)?;
            return Ok((value, false));
        }
        let pos = match self.entries.binary_search_by(|(k, _)| k.cmp(&key)) {
            Ok(found) => {
                let (_, value) = self.entries.get_mut(found).ok_or(TooOld)?;
                return Ok((value, false));
            }
            Err(pos) => pos,
        };
        let mut evicted = false;
        let mut pos = pos;
        if self.entries.is_full() {
            if pos == 0 {
                return Err(TooOld);
            }
            // pos >= 1 here, and removing index 0 shifts everything down by one.
            let _oldest = self.entries.remove(0);
            pos = pos.saturating_sub(1);
            evicted = true;
        }
        self.entries.insert(pos, (key, V::default())).map_err(|_| TooOld)?;
        let (_, value) = self.entries.get_mut(pos).ok_or(TooOld)?;
        Ok((value, evicted))
    }

    /// Whether the keys are in strictly increasing order, as every operation keeps them; a
    /// ledger read from outside (a checkpoint) must be checked.
    pub(crate) fn is_strictly_ordered(&self) -> bool {
        self.entries.windows(2).all(|pair| matches!(pair, [(a, _), (b, _)] if a < b))
    }

    /// Where `key` is among the entries, oldest first.
    pub(crate) fn position(&self, key: K) -> Option<usize> {
        self.entries.binary_search_by(|(k, _)| k.cmp(&key)).ok()
    }

    pub(crate) fn get(&self, key: K) -> Option<&V> {
        let found = self.entries.binary_search_by(|(k, _)| k.cmp(&key)).ok()?;
        self.entries.get(found).map(|(_, v)| v)
    }

    pub(crate) fn iter(&self) -> impl DoubleEndedIterator<Item = (K, &V)> + '_ {
        self.entries.iter().map(|(k, v)| (*k, v))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_keys_sorted_and_evicts_the_oldest() {
        let mut l: Ledger<u32, u32, 3> = Ledger::new();
        *l.entry(5).unwrap().0 += 1;
        *l.entry(3).unwrap().0 += 1;
        *l.entry(4).unwrap().0 += 1;
        *l.entry(4).unwrap().0 += 1;
        assert_eq!(
            l.iter().map(|(k, v)| (k, *v)).collect::<std::vec::Vec<_>>(),
            [(3, 1), (4, 2), (5, 1)]
        );
        assert!(!l.accepts(2));
        assert_eq!(l.entry(2).err(), Some(TooOld));
        let (v, evicted) = l.entry(6).unwrap();
        *v += 7;
        assert!(evicted);
        assert_eq!(l.iter().map(|(k, _)| k).collect::<std::vec::Vec<_>>(), [4, 5, 6]);
        // In the middle of a full ledger: the oldest goes.
        let (_, evicted) = l.entry(5).unwrap();
        assert!(!evicted);
        assert_eq!(l.get(6), Some(&7));
        assert_eq!(l.get(3), None);
        assert_eq!(l.iter().count(), 3);
    }

    #[test]
    fn inserting_between_kept_keys_when_full() {
        let mut l: Ledger<u32, u32, 3> = Ledger::new();
        for k in [10, 20, 30] {
            l.entry(k).unwrap();
        }
        let (_, evicted) = l.entry(25).unwrap();
        assert!(evicted);
        assert_eq!(l.iter().map(|(k, _)| k).collect::<std::vec::Vec<_>>(), [20, 25, 30]);
    }
}
