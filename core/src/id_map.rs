//! The maps of things the switch numbers (calls, agents, service requests): heapless index maps
//! hashed by one multiplication instead of FNV's one per byte.
//!
//! The keys are integers the switch hands out, mostly in sequence; FNV-1a hashed each of a call
//! id's eight bytes in turn, a tenth of the instructions of an event. Like FNV this hash is not
//! keyed: ids chosen to collide cost probes, never a wrong answer. The maps iterate, and are
//! saved, in the order their entries were made, whatever the hash.

use core::hash::Hasher;

use hash32::BuildHasherDefault;
use heapless::index_map::IndexMap;

/// An index map keyed by ids, hashed by [`IdHasher`]. (hash32's `BuildHasherDefault`, as
/// heapless' own maps use, for its `const` constructor: a center is made in a `const fn`.)
pub(crate) type IdMap<K, V, const N: usize> = IndexMap<K, V, BuildHasherDefault<IdHasher>, N>;

/// Fibonacci hashing: the id times 2⁶⁴/φ, its high half folded onto the low bits, which are
/// the ones heapless keeps (sixteen of them).
#[derive(Debug, Default, Clone, Copy)]
pub(crate) struct IdHasher(u64);

/// ⌊2⁶⁴/φ⌋, odd: multiplying by it is a bijection that spreads nearby ids apart.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        for &byte in bytes {
            self.write_u64(u64::from(byte));
        }
    }

    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }

    fn write_u16(&mut self, n: u16) {
        self.write_u64(u64::from(n));
    }

    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0 ^ n).wrapping_mul(GOLDEN);
    }

    fn finish(&self) -> u64 {
        self.0 ^ (self.0 >> 32)
    }
}

#[cfg(test)]
mod tests {
    use core::hash::{BuildHasher, Hash};

    use super::*;

    fn low_bits(key: impl Hash) -> u16 {
        // What heapless keeps of the hash.
        BuildHasherDefault::<IdHasher>::default().hash_one(key) as u16
    }

    /// The fullest bucket of a 4,096-slot table (heapless' capacity for 4,096 entries) when
    /// the ids are `first, first + step, …`.
    fn fullest_bucket(first: u64, step: u64) -> u8 {
        let mut buckets = [0_u8; 4096];
        for i in 0..4096 {
            buckets[usize::from(low_bits(first + i * step) & 0x0fff)] += 1;
        }
        buckets.into_iter().max().unwrap_or(0)
    }

    #[test]
    fn ids_in_sequence_or_in_strides_spread_over_the_table() {
        // As a random hash would (its fullest bucket of 4,096 is about 7): sequential call
        // ids, ids in steps of 4,096 and of 2³² (whose low bits are all the same), and ids
        // from a switch's epoch-based numbering.
        for (first, step) in [(1, 1), (0, 4096), (0, 1 << 32), (1_795_420_800_000, 1000)] {
            let fullest = fullest_bucket(first, step);
            assert!(fullest <= 9, "from {first} by {step}: {fullest} in one bucket");
        }
    }

    #[test]
    fn a_map_keyed_by_ids_keeps_entry_order() {
        let mut map: IdMap<u64, u32, 8> = IdMap::new();
        for (i, id) in [900_u64, 3, 77, 1 << 40].into_iter().enumerate() {
            map.insert(id, i as u32).unwrap();
        }
        assert_eq!(map.keys().copied().collect::<heapless::Vec<u64, 8>>(), [900, 3, 77, 1 << 40]);
        assert_eq!(map.get(&77), Some(&2));
    }
}
