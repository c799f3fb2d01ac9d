//! `flowc query` and `expect` agree: every expectation in the test data is asked again through
//! `flowc_compiler::ask` and must get the answer the expectation states; the binary answers in
//! human form and JSON.

mod support;

use flowc_compiler::syntax::ast::{ItemKind, Outcome};
use flowc_compiler::{ask, MemoryWorld};
use serde_json::Value;
use std::process::Command;
use support::*;

#[test]
fn every_expectation_in_the_test_data_agrees_with_query() {
    let mut asked = 0;
    for path in data_files("ok").into_iter().chain(data_files("warn")) {
        let (text, analysis) = analyze_file(&path);
        let world = MemoryWorld::single(&data_name(&path), &text);
        for file in analysis.site_files() {
            for item in &file.parsed.ast.items {
                let ItemKind::Expect(expect) = &item.kind else {
                    continue;
                };
                let slice = |start: u32, end: u32| &text[start as usize..end as usize];
                let first =
                    |spans: &[flowc_compiler::Span]| (spans[0].start, spans[spans.len() - 1].end);
                let sources: Vec<_> = expect
                    .flow
                    .sources
                    .iter()
                    .map(|endpoint| endpoint.span())
                    .collect();
                let destinations: Vec<_> = expect
                    .flow
                    .destinations
                    .iter()
                    .map(|endpoint| endpoint.span())
                    .collect();
                let (source_start, source_end) = first(&sources);
                let (destination_start, destination_end) = first(&destinations);
                for spec in &expect.flow.specs {
                    let source = slice(source_start, source_end);
                    let destination = slice(destination_start, destination_end);
                    let port_spec = slice(spec.span().start, spec.span().end);
                    let answer = ask(&world, source, destination, port_spec).unwrap_or_else(|_| {
                        panic!(
                            "{}: cannot ask {source} -> {destination} : {port_spec}",
                            data_name(&path)
                        )
                    });
                    let holds = match expect.outcome {
                        Outcome::Allowed => answer.allowed,
                        Outcome::Denied => answer.denied,
                    };
                    assert!(
                        holds,
                        "{}: query disagrees with `expect {source} -> {destination} : {port_spec}`",
                        data_name(&path)
                    );
                    asked += 1;
                }
            }
        }
    }
    assert!(asked >= 150, "only {asked} expectations were asked");
}

const SITE: &str = "import nim\n\
    zone mgmt = 198.18.1.0/24\n\
    zone lpars = 198.18.3.0/24\n\
    firewall fw1 { zones mgmt, lpars }\n\
    host nim01 = 198.18.1.10 is nim.master(nfs = 4)\n\
    group aix = 198.18.3.0/24 is nim.client(master = nim01)\n\
    deny aix -> nim01 : tcp 1059\n\
    lint broad-range = allow\n\
    lint insecure-service = allow\n";

fn query(arguments: &[&str]) -> (Option<i32>, String) {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("site.flow"), SITE).unwrap();
    let output = Command::new(env!("CARGO_BIN_EXE_flowc"))
        .arg("query")
        .args(arguments)
        .current_dir(directory.path())
        .output()
        .unwrap();
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
    )
}

#[test]
fn query_explains_in_human_form() {
    let (status, text) = query(&["aix", "nim01", "tcp 1058"]);
    assert_eq!(status, Some(0));
    assert!(
        text.starts_with("aix -> nim01 : tcp 1058: allowed\n"),
        "{text}"
    );
    assert!(text.contains("crosses fw1"), "{text}");
    assert!(
        text.contains("allow tcp 1058 from 513-1023 at site.flow:5 (nim.master)"),
        "{text}"
    );
    let (_, text) = query(&["aix", "nim01", "tcp 1059"]);
    assert!(
        text.starts_with("aix -> nim01 : tcp 1059: denied\n"),
        "{text}"
    );
    assert!(text.contains("deny tcp 1059 at site.flow:7"), "{text}");
}

#[test]
fn query_answers_in_json_with_firewalls_and_reasons() {
    let (status, text) = query(&["nim01", "aix", "tcp 3901 from 1023", "--format", "json"]);
    assert_eq!(status, Some(0));
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(answer["allowed"], true);
    assert_eq!(answer["firewalls"], serde_json::json!(["fw1"]));
    let because = answer["because"].as_array().unwrap();
    assert!(because
        .iter()
        .all(|item| item["file"] == "site.flow" && item["line"].as_u64().is_some()));
    assert_eq!(because[0]["role"], "nim.master");
    let (_, text) = query(&["nim01", "aix", "tcp 3901 from 40000", "--format", "json"]);
    let answer: Value = serde_json::from_str(&text).unwrap();
    assert_eq!(
        (answer["allowed"].clone(), answer["denied"].clone()),
        (Value::Bool(false), Value::Bool(true))
    );
}

#[test]
fn a_bad_question_is_reported_not_answered() {
    let (status, _) = query(&["aix", "nowhere", "tcp 1058"]);
    assert_eq!(status, Some(1));
    let (status, _) = query(&["aix", "nim01", "tcp 70000"]);
    assert_eq!(status, Some(1));
}
