//! Rendering on every core: a small work queue over scoped threads, so that `flowc emit` uses
//! the machine without a thread-pool dependency.

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc;

/// Calls `work` on every item, spread over the available cores, and hands the results to
/// `consume` on this thread as an iterator, in the order they finish. At most a few results
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
    let next = AtomicUsize::new(0);
    let (sender, receiver) = mpsc::sync_channel::<R>(workers);
    std::thread::scope(|scope| {
        for _ in 0..workers {
            let sender = sender.clone();
            let (next, items, work) = (&next, &items, &work);
            scope.spawn(move || loop {
                let index = next.fetch_add(1, Ordering::Relaxed);
                let Some(&item) = items.get(index) else {
                    break;
                };
                // The receiver is gone only when `consume` stopped early; nothing more is wanted.
                if sender.send(work(item)).is_err() {
                    break;
                }
            });
        }
        drop(sender);
        let result = consume(&mut receiver.iter());
        // Workers still running see the receiver dropped and stop after their current item.
        drop(receiver);
        result
    })
}
