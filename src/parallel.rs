//! Rendering on every core: a small work queue over scoped threads, so that `flowc emit` uses
//! the machine without a thread-pool dependency.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// The most items a worker takes at once. Each batch is one message to `consume`: handing over
/// every result on its own cost a thread wake-up per ruleset, a sixth of the run for a site of
/// tens of thousands of small host rulesets. Few items (a site's firewalls) go one at a time,
/// so that every core gets some.
const BATCH: usize = 16;

/// Calls `work` on every item, spread over the available cores, and hands the results to
/// `consume` on this thread as an iterator, in the order they finish. At most a few batches
/// wait at any time: workers block until `consume` takes them, so memory stays bounded by the
/// number of cores, not by the number of items. What `work` returns must not depend on which
/// thread ran it; callers rely on that for deterministic output.
pub fn map_unordered<T, R, C>(
    items: Vec<T>,
    work: impl Fn(T) -> R + Sync,
    consume: impl FnOnce(&mut dyn Iterator<Item = R>) -> C,
) -> C
where
    T: Send + Sync + Copy,
    R: Send,
{
    let workers = std::thread::available_parallelism()
        .map_or(1, |count| count.get())
        .min(items.len().max(1));
    if workers <= 1 {
        return consume(&mut items.into_iter().map(&work));
    }
    let batch_size = (items.len() / (workers * 8)).clamp(1, BATCH);
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::sync_channel::<Vec<R>>(workers);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, items, work) = (&next, &items, &work);
            scope.spawn(move || loop {
                let start = next.fetch_add(batch_size, Ordering::Relaxed);
                let Some(batch) = items.get(start..(start + batch_size).min(items.len())) else {
                    break;
                };
                if batch.is_empty() {
                    break;
                }
                let results = batch.iter().map(|&item| work(item)).collect();
                // The receiver is gone only when `consume` stopped early; nothing more is wanted.
                if sender.send(results).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let result = consume(&mut receiver.iter().flatten());
        // Workers still running see the receiver dropped and stop after their current batch.
        drop(receiver);
        result
    })
}

#[cfg(test)]
mod tests {
    use super::map_unordered;

    /// Every item is worked on exactly once, whatever the count against the batch size, and
    /// `consume` stopping early stops the workers without a hang.
    #[test]
    fn every_item_once_in_batches() {
        for count in [0, 1, 2, 15, 16, 17, 33, 1000] {
            let items: Vec<u32> = (0..count).collect();
            let mut seen = map_unordered(
                items,
                |item| item * 2,
                |results| results.collect::<Vec<_>>(),
            );
            seen.sort_unstable();
            let expected: Vec<u32> = (0..count).map(|item| item * 2).collect();
            assert_eq!(seen, expected, "{count} items");
        }
        let first = map_unordered(
            (0..1000u32).collect(),
            |item| item,
            |results| results.next(),
        );
        assert!(first.is_some());
    }
}
