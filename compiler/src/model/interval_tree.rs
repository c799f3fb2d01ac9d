//! Static interval trees in flat arrays, for finding every interval that overlaps a query in
//! logarithmic time plus the size of the answer: the coverage index and the per-machine flow
//! lists are built on them, so neither compares all pairs.
//!
//! Intervals are sorted by start; `max_end[i]` holds the largest end in the subtree rooted at
//! position `i` of the implicit balanced tree over the slice (its middle is the root).

/// A point on the address line: the family first, so IPv4 and IPv6 never overlap.
pub type Point = (bool, u128);

/// Builds the subtree maxima of `intervals` (sorted by start) into `max_end`. Points are
/// [`Point`]s where families mix, or plain numbers where one family is known.
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

/// Calls `visit` with the position of every interval that overlaps `[start, end]`.
pub fn search<T: Copy + Ord>(
    intervals: &[(T, T)],
    max_end: &[T],
    offset: usize,
    (start, end): (T, T),
    visit: &mut impl FnMut(usize),
) {
    if intervals.is_empty() {
        return;
    }
    let middle = intervals.len() / 2;
    if max_end[middle] < start {
        return;
    }
    search(
        &intervals[..middle],
        &max_end[..middle],
        offset,
        (start, end),
        visit,
    );
    let (first, last) = intervals[middle];
    if first <= end {
        if last >= start {
            visit(offset + middle);
        }
        search(
            &intervals[middle + 1..],
            &max_end[middle + 1..],
            offset + middle + 1,
            (start, end),
            visit,
        );
    }
}
