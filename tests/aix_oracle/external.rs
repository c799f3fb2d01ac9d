//! Scripts from elsewhere through the oracle: another build of flowc, or a hand-edited
//! script, compared with the model of a site, with no difference excused.
//!
//! ```text
//! FLOWC_AIX_SITE=examples/site FLOWC_AIX_SCRIPTS=out \
//!     cargo test --test aix_oracle -- scripts_from_elsewhere --nocapture
//! ```
//!
//! Each `NAME.sh` in the scripts directory is run for the host or group `NAME` of the site.

use super::{probe_script, sites};
use flowc_compiler::model::Target;
use std::net::IpAddr;
use std::path::PathBuf;

/// A tool more than a test: without the two variables it has nothing to compare, and returns.
#[test]
fn scripts_from_elsewhere() {
    let (Some(site), Some(scripts)) = (
        std::env::var_os("FLOWC_AIX_SITE").map(PathBuf::from),
        std::env::var_os("FLOWC_AIX_SCRIPTS").map(PathBuf::from),
    ) else {
        return;
    };
    let files = if site.is_dir() {
        sites::directory_files(&site, &site.to_string_lossy())
    } else {
        vec![(
            site.to_string_lossy().into_owned(),
            std::fs::read_to_string(&site).expect("the site is readable"),
        )]
    };
    let checked = sites::checked(&files);
    let policy = &checked.policy;
    let addresses = sites::site_addresses(policy);
    let mut failed = 0;
    for target in policy.targets() {
        let Target::Machine(index) = target else {
            continue;
        };
        let name = policy.target_name(target);
        let Ok(text) = std::fs::read_to_string(scripts.join(format!("{name}.sh"))) else {
            continue;
        };
        let own = &policy.machines[index].addresses;
        let (outside, mut inside): (Vec<IpAddr>, Vec<IpAddr>) =
            addresses.iter().partition(|a| !own.contains(**a));
        inside.extend(own.first_address().filter(|a| !inside.contains(a)));
        let tally = probe_script(&checked, target, &text, &[], &outside, &inside, &[]);
        eprintln!(
            "{name}: {} exchanges, {} mismatches",
            tally.exchanges,
            tally.mismatches.len()
        );
        for mismatch in tally.mismatches.iter().take(12) {
            eprintln!("  {mismatch}");
        }
        failed += tally.mismatches.len();
    }
    assert_eq!(failed, 0, "mismatches");
}
