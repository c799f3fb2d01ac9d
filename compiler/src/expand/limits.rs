//! The most flows one item and one site may expand to, so that a few lines (nested loops, a
//! group of a thousand names on each side of an arrow) cannot take the machine's memory.

use crate::declare_codes;

declare_codes! {
    /// One item expands to more flows than flowc accepts from a single item: a role whose
    /// loops run too often for one holder, or an `allow` whose sources, destinations and
    /// openings multiply to too many. The item then produces no flows at all. The limits are
    /// far above what any real role or rule needs (a stdlib role makes a few dozen flows):
    /// write the ranges as port ranges (`tcp 1000..2000`) instead of loops over single ports,
    /// and put the many endpoints in a group or zone instead of listing them.
    ///
    /// ```flow
    /// role bomb {
    ///   for i in 0..1023 {
    ///     for j in 0..1023 { any -> self : tcp 1 + i }
    ///   }
    /// }
    /// ```
    TOO_MANY_FLOWS_IN_ITEM = "E0301", "one item expands too far";
    /// The whole site expands to more flows than flowc checks: the item named is the one at
    /// which the count crosses the limit. None of the site's flows are checked or emitted.
    /// The largest estates measured expand to about a hundred thousand flows; a site far
    /// beyond that is almost always a loop or a cross product that was not meant.
    TOO_MANY_FLOWS_IN_SITE = "E0302", "the site expands to too many flows";
}

/// The most flows one role use, `allow` or `deny` may expand to.
pub const MAX_FLOWS_PER_ITEM: usize = 65_536;

/// The most loop steps one role use may take, counting the steps of nested loops together.
pub const MAX_LOOP_STEPS_PER_ITEM: usize = 65_536;

/// The most flows a site may expand to.
pub const MAX_FLOWS_PER_SITE: usize = 500_000;

/// Makes room for one more flow without doubling past what the limits let a site hold: grown
/// by doubling, a list just over half a million flows would ask for room for a million, and
/// the old and new lists together took more than a gigabyte.
pub fn make_room_for_one(flows: &mut Vec<crate::model::Flow>) {
    if flows.len() < flows.capacity() {
        return;
    }
    let most = MAX_FLOWS_PER_SITE + MAX_FLOWS_PER_ITEM + 1;
    let growth = flows
        .len()
        .max(1024)
        .min(most.saturating_sub(flows.len()))
        .max(1);
    flows.reserve_exact(growth);
}

/// `count` with thousands separated, as the limits are written in messages.
pub fn with_separators(count: usize) -> String {
    let digits = count.to_string();
    let mut text = String::new();
    for (position, digit) in digits.chars().enumerate() {
        if position > 0 && (digits.len() - position) % 3 == 0 {
            text.push(',');
        }
        text.push(digit);
    }
    text
}

#[cfg(test)]
mod tests {
    #[test]
    fn separators_group_thousands() {
        assert_eq!(super::with_separators(65_536), "65,536");
        assert_eq!(super::with_separators(1_000_000), "1,000,000");
        assert_eq!(super::with_separators(500_000), "500,000");
        assert_eq!(super::with_separators(999), "999");
    }
}
