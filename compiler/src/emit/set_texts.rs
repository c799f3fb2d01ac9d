//! Printed address sets, shared by every ruleset of one run: the merged sources of a site's
//! zone-wide flows come out the same in the rulesets of thousands of hosts.
//!
//! At 100,000 flows the host rulesets declare 582,646 named sets, of which 46,469 are
//! distinct; printing each distinct set once and copying its text afterwards spares most of
//! the CIDR arithmetic and number formatting of the run.

use crate::model::AddressSet;
use foldhash::fast::FixedState;
use std::collections::HashMap;
use std::hash::{BuildHasher, BuildHasherDefault, Hasher};
use std::sync::{Arc, Mutex, PoisonError};

/// How many independently locked parts the texts are kept in, so that workers rendering at
/// the same time rarely wait for each other.
const SHARDS: usize = 16;

/// The texts, by hash of (style, set), each with the set it prints for the final comparison.
type Shard = HashMap<u64, Vec<(&'static str, AddressSet, Arc<str>)>, BuildHasherDefault<Known>>;

/// Printed sets, keyed by the backend's name for how it prints them (`style`) and the set.
#[derive(Default)]
pub(super) struct SetTexts {
    shards: [Mutex<Shard>; SHARDS],
}

impl SetTexts {
    /// The text `render` gives for `set` in `style`, made on the first request and shared
    /// afterwards. `render` must depend on nothing but the set, for a given style.
    pub fn get(
        &self,
        style: &'static str,
        set: &AddressSet,
        render: impl FnOnce(&AddressSet, &mut String),
    ) -> Arc<str> {
        let hash = FixedState::default().hash_one((style, set));
        let shard = &self.shards[hash as usize % SHARDS];
        let found = |shard: &Shard| {
            (shard.get(&hash)?.iter())
                .find(|(kept_style, kept, _)| *kept_style == style && kept == set)
                .map(|(_, _, text)| Arc::clone(text))
        };
        if let Some(text) = found(&lock(shard)) {
            return text;
        }
        // Rendered outside the lock; a worker that made the same text meanwhile wins, and the
        // two are equal anyway.
        let mut text = String::new();
        render(set, &mut text);
        let text: Arc<str> = Arc::from(text);
        let mut shard = lock(shard);
        if let Some(kept) = found(&shard) {
            return kept;
        }
        (shard.entry(hash).or_default()).push((style, set.clone(), Arc::clone(&text)));
        text
    }
}

/// A shard, whatever a panicking worker left in it: entries are only ever added whole.
fn lock(shard: &Mutex<Shard>) -> std::sync::MutexGuard<'_, Shard> {
    shard.lock().unwrap_or_else(PoisonError::into_inner)
}

/// The hasher of keys that are hashes already.
#[derive(Default)]
struct Known(u64);

impl Hasher for Known {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        // Only `u64` keys are hashed here; any other input still hashes, just not as well.
        for &byte in bytes {
            self.0 = self.0.rotate_left(8) ^ u64::from(byte);
        }
    }
    fn write_u64(&mut self, value: u64) {
        self.0 = value;
    }
}
