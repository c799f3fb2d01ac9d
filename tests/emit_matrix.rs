//! The port matrix (CSV and Markdown) and the flow graph (DOT): snapshots over every test site,
//! well-formed tables, and every graph rendered by Graphviz.

mod emit_common;

use emit_common::*;
use flowc_compiler::emit::{backend, matrix::COLUMNS, Input};

/// Splits CSV text into records (RFC 4180 quoting).
fn parse_csv(text: &str) -> Vec<Vec<String>> {
    let mut records = Vec::new();
    let (mut record, mut field, mut quoted) = (Vec::new(), String::new(), false);
    let mut characters = text.chars().peekable();
    while let Some(character) = characters.next() {
        match (character, quoted) {
            ('"', true) if characters.peek() == Some(&'"') => {
                field.push('"');
                characters.next();
            }
            ('"', _) => quoted = !quoted,
            (',', false) => record.push(std::mem::take(&mut field)),
            ('\n', false) => {
                record.push(std::mem::take(&mut field));
                records.push(std::mem::take(&mut record));
            }
            (character, _) => field.push(character),
        }
    }
    assert!(
        !quoted && field.is_empty() && record.is_empty(),
        "CSV ends inside a record"
    );
    records
}

#[test]
fn every_site_snapshots_a_well_formed_matrix() {
    for path in sites() {
        let checked = checked(&path);
        let csv = emit_all(backend("matrix-csv").unwrap(), &checked);
        snapshot("matrix", &format!("{}.csv", site_name(&path)), &csv);
        let records = parse_csv(&csv);
        assert_eq!(records[0], COLUMNS, "the header");
        // A flow that opens nothing (`tcp {}`) has no row.
        let flows = (checked.policy.flows.iter())
            .filter(|flow| !flow.opening.opens_nothing())
            .count();
        assert_eq!(
            records.len(),
            flows + 1,
            "{}: one row per flow that opens something",
            path.display()
        );
        for record in &records {
            assert_eq!(record.len(), COLUMNS.len(), "{record:?}");
        }
        let markdown = emit_all(backend("matrix-md").unwrap(), &checked);
        snapshot("matrix", &format!("{}.md", site_name(&path)), &markdown);
        for line in markdown.lines().filter(|line| line.starts_with('|')) {
            let cells = line.replace("\\|", "").matches('|').count() - 1;
            assert_eq!(cells, COLUMNS.len(), "{line}");
        }
    }
}

#[test]
fn a_row_names_ports_firewalls_role_citation_and_origin() {
    let checked = checked(&data_directory().join("ok/brief_site.flow"));
    let records = parse_csv(&emit_all(backend("matrix-csv").unwrap(), &checked));
    let nimsh = records
        .iter()
        .find(|record| record[6] == "3901-3902")
        .expect("the nimsh flow of nim.master");
    assert_eq!(&nimsh[..2], ["allow", "nim01"]);
    assert_eq!(nimsh[3], "aix");
    assert_eq!(nimsh[5], "tcp");
    assert_eq!(nimsh[7], "513-1023");
    assert_eq!(nimsh[8], "fw1");
    assert_eq!(nimsh[9], "nim.master");
    assert!(nimsh[10].starts_with("seed 000 §"), "{nimsh:?}");
    assert!(
        nimsh[11].starts_with("brief_site.flow:17 nim.master stdlib/nim.flow:"),
        "{nimsh:?}"
    );
    // --for a firewall keeps the flows it carries, with the addresses on its path.
    let input = Input::new(&checked.policy, &checked.analysis.sources);
    let target = checked.policy.target_named("fw1").unwrap();
    let carried = parse_csv(&backend("matrix-csv").unwrap().emit(&input, Some(target)));
    assert!(
        carried.len() > 10 && carried.len() <= records.len(),
        "{} of {}",
        carried.len(),
        records.len()
    );
    assert!(carried
        .iter()
        .skip(1)
        .all(|record| record[8].split(' ').any(|name| name == "fw1")));
}

#[test]
fn every_site_snapshots_a_graph_that_graphviz_renders() {
    let render = tools_present("rendering DOT graphs", &[("dot", "graphviz")], false);
    for path in sites() {
        let checked = checked(&path);
        let graph = emit_all(backend("dot").unwrap(), &checked);
        snapshot("dot", &site_name(&path), &graph);
        if !render {
            continue;
        }
        let output = {
            use std::io::Write;
            let mut child = std::process::Command::new("dot")
                .arg("-Tsvg")
                .stdin(std::process::Stdio::piped())
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("dot runs");
            child
                .stdin
                .take()
                .unwrap()
                .write_all(graph.as_bytes())
                .unwrap();
            child.wait_with_output().unwrap()
        };
        let svg = String::from_utf8_lossy(&output.stdout);
        assert!(
            output.status.success(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(
            output.stderr.is_empty(),
            "{}: {}",
            path.display(),
            String::from_utf8_lossy(&output.stderr)
        );
        assert!(svg.contains("<svg"), "{svg}");
        for firewall in &checked.policy.firewalls {
            assert!(
                svg.contains(&format!(">{}</text>", firewall.name)),
                "{} is drawn",
                firewall.name
            );
        }
    }
}
