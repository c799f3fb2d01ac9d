//! Static interval trees in flat arrays, for finding every interval that overlaps a query in
//! logarithmic time plus the size of the answer: the coverage index and the per-machine flow
//! lists are built on them, so neither compares all pairs.
//!
//! Intervals are sorted by start; `max_end[i]` holds the largest end in the subtree rooted at
//! position `i` of the implicit balanced tree over the slice (its middle is the root).

/// Builds the subtree maxima of `intervals` (sorted by start) into `max_end`. Indexes keep one
/// tree per address family, over that family's plain numbers.
pub fn build<T: Copy + Ord + Default>(intervals: &[(T, T)], max_end: &mut [T]) -> T {
    if intervals.is_empty() {
        // The default is the smallest point, which no interval's end is below.
        return T::default();
    }
    let middle = intervals.len() / 2;
    let left = build(&intervals[..middle], &mut max_end[..middle]);
    let right = build(&intervals[middle + 1..], &mut max_end[middle + 1..]);
    let maximum = intervals[middle].1.max(left).max(right);
    max_end[middle] = maximum;
    maximum
}

/// Calls `visit` with the position of every interval that overlaps `[start, end]`, in
/// position order.
///
/// The walk is in order over the implicit tree, with an explicit stack of the nodes whose left
/// subtree is being walked: the per-machine flow lists ask this for every end of every flow,
/// and recursing over sub-slices cost a bounds check and a call per node.
pub fn search<T: Copy + Ord>(
    intervals: &[(T, T)],
    max_end: &[T],
    offset: usize,
    (start, end): (T, T),
    visit: &mut impl FnMut(usize),
) {
    // The tree over n intervals is at most log2(n) + 1 deep: 40 levels hold 2^39 intervals,
    // far more than memory does. The stack is small because it is cleared on every call.
    let mut pending = [(0usize, 0usize); 40];
    let mut depth = 0;
    let (mut lo, mut hi) = (0, intervals.len().min(max_end.len()));
    loop {
        // Down the left spine, skipping subtrees whose intervals all end before the query.
        while lo < hi {
            let middle = lo + (hi - lo) / 2;
            if max_end[middle] < start {
                break;
            }
            pending[depth] = (lo, hi);
            depth += 1;
            hi = middle;
        }
        if depth == 0 {
            return;
        }
        depth -= 1;
        let (node_lo, node_hi) = pending[depth];
        let middle = node_lo + (node_hi - node_lo) / 2;
        let (first, last) = intervals[middle];
        if first <= end {
            if last >= start {
                visit(offset + middle);
            }
            (lo, hi) = (middle + 1, node_hi);
        } else {
            // This interval and everything to its right start after the query.
            (lo, hi) = (0, 0);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    proptest::proptest! {
        /// The search reports exactly the overlapping intervals, each once, in position order,
        /// whatever the intervals (nested, equal, disjoint) and the query.
        #[test]
        fn search_finds_every_overlap_in_order(
            mut intervals in proptest::collection::vec((0u32..500, 0u32..120), 0..70),
            query in (0u32..600, 0u32..200),
            offset in 0usize..5,
        ) {
            let mut intervals: Vec<(u32, u32)> =
                intervals.drain(..).map(|(lo, width)| (lo, lo + width)).collect();
            intervals.sort_unstable();
            let mut max_end = vec![0; intervals.len()];
            build(&intervals, &mut max_end);
            let (start, end) = (query.0, query.0 + query.1);
            let mut found = Vec::new();
            search(&intervals, &max_end, offset, (start, end), &mut |position| found.push(position));
            let expected: Vec<usize> = (intervals.iter().enumerate())
                .filter(|(_, &(lo, hi))| lo <= end && start <= hi)
                .map(|(position, _)| position + offset)
                .collect();
            proptest::prop_assert_eq!(found, expected);
        }
    }
}
