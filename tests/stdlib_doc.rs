//! `stdlib/README.md` is exactly what `flowc doc` prints, and `flowc doc MODULE` works.

mod support;

use flowc_compiler::{analyze, MemoryWorld};

#[test]
fn stdlib_readme_is_generated_by_flowc_doc() {
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
        .arg("doc")
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(0));
    let generated = String::from_utf8(output.stdout).unwrap();
    let path = support::repository_root().join("stdlib/README.md");
    if std::env::var_os("UPDATE_SPEC").is_some() {
        std::fs::write(&path, &generated).unwrap();
    }
    let current = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        current == generated,
        "stdlib/README.md is stale: run `UPDATE_SPEC=1 cargo test --test stdlib_doc`"
    );
    for module in ["net", "nim", "xcat", "hmc", "itm", "ipmi"] {
        assert!(
            generated.contains(&format!("\n## {module}\n")),
            "{module} is missing"
        );
    }
}

#[test]
fn one_module_reference_lists_roles_flows_and_citations() {
    let analysis = analyze(&MemoryWorld::default());
    let nim = flowc_compiler::doc::reference(&analysis, Some("nim")).unwrap();
    assert!(
        nim.contains("#### `nim.master(protocol: nimsh | rsh = nimsh"),
        "{nim}"
    );
    assert!(nim.contains("`client -> self : tcp 1058 from rcmd_ports`"));
    assert!(nim.contains("seed 000 §"));
    assert!(flowc_compiler::doc::reference(&analysis, Some("nope")).is_none());
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_flowc"))
        .args(["doc", "nope"])
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
}
