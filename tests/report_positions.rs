//! Where every report says a diagnostic is: the human report's headers, JSON, SARIF and short
//! lines agree with each other and with the source, across files, with non-ASCII text before
//! the spans (`§` in the standard library's comments shifted ariadne's headers by bytes); and a
//! flood of errors is cut to a page.

mod support;

use serde_json::Value;
use support::flowc;

/// A site whose diagnostic has labels in two site files and in the standard library, each after
/// non-ASCII text on earlier lines and on its own line.
const RULES: &str = "# Règles — « edge » §2.2.2 😀\nallow peer -> h : udp 500 # ½\n";
const HOSTS: &str = "# Hôtes §1\nzone inside = 198.18.0.0/16\nzone outside = any\nfirewall edge { zones inside, outside }\nhost h = 198.18.1.1 # é\nhost peer = 203.0.113.5\n# «deny»\ndeny outside -> inside : any\nimport nim\nhost nim01 = 198.18.1.10 is nim.master(tftp_helper = true)\ngroup aix = 203.0.113.0/28 is nim.client(master = nim01)\nlint broad-range = allow\n";

fn site() -> tempfile::TempDir {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("rules.flow"), RULES).unwrap();
    std::fs::write(directory.path().join("hosts.flow"), HOSTS).unwrap();
    directory
}

fn run(directory: &std::path::Path, format: &str) -> String {
    let output = flowc(&["check", "--format", format], directory);
    String::from_utf8(output.stdout).unwrap()
}

/// The 1-based column, in characters, of `needle` on line `line` of `text`.
fn column_of(text: &str, line: usize, needle: &str) -> usize {
    let line_text = text.lines().nth(line - 1).unwrap();
    line_text[..line_text.find(needle).unwrap()].chars().count() + 1
}

#[test]
fn every_report_places_every_label_where_the_source_has_it() {
    let directory = site();
    let json: Value = serde_json::from_str(&run(directory.path(), "json")).unwrap();
    let human = run(directory.path(), "human");
    let short = run(directory.path(), "short");
    let sarif: Value = serde_json::from_str(&run(directory.path(), "sarif")).unwrap();
    let diagnostics = json.as_array().unwrap();
    assert!(!diagnostics.is_empty());
    let mut checked_stdlib_label = false;
    for diagnostic in diagnostics {
        let file = diagnostic["file"].as_str().unwrap();
        let (line, column) = (
            diagnostic["line"].as_u64().unwrap(),
            diagnostic["column"].as_u64().unwrap(),
        );
        // The short line and the human header say the same.
        let place = format!("{file}:{line}:{column}:");
        assert!(short.contains(&place), "short lacks {place}\n{short}");
        assert!(
            human.contains(&format!("[ {file}:{line}:{column} ]")),
            "human lacks {place}\n{human}"
        );
        for label in diagnostic["labels"].as_array().unwrap() {
            let label_file = label["file"].as_str().unwrap();
            let label_line = label["line"].as_u64().unwrap() as usize;
            let label_column = label["column"].as_u64().unwrap();
            let text = match label_file {
                "rules.flow" => RULES.to_string(),
                "hosts.flow" => HOSTS.to_string(),
                stdlib => {
                    let module = stdlib
                        .trim_start_matches("stdlib/")
                        .trim_end_matches(".flow");
                    flowc_compiler::stdlib::MODULES
                        .iter()
                        .find(|(name, _)| *name == module)
                        .unwrap()
                        .1
                        .to_string()
                }
            };
            // The label's column points at the start of a word of its line, in characters.
            let line_text = text.lines().nth(label_line - 1).unwrap();
            let start: String = line_text.chars().skip(label_column as usize - 1).collect();
            assert!(
                !start.starts_with(' '),
                "{label_file}:{label_line}:{label_column} points at a space: {line_text:?}"
            );
            if label_file.starts_with("stdlib/") {
                checked_stdlib_label = true;
                // In the human report, a file's header is followed by the line it points at.
                let header = format!("[ {label_file}:{label_line}:{label_column} ]");
                let after = human
                    .split(&header)
                    .nth(1)
                    .unwrap_or_else(|| panic!("no header {header}\n{human}"));
                let shown = after
                    .lines()
                    .find(|shown| shown.contains(" │ ") && !shown.trim_start().starts_with('│'))
                    .unwrap();
                assert!(
                    shown.trim_start().starts_with(&label_line.to_string()),
                    "{header} is followed by {shown:?}"
                );
            }
        }
    }
    assert!(
        checked_stdlib_label,
        "the site gets a label in the standard library"
    );
    // JSON and SARIF agree on the primary locations.
    let results = sarif["runs"][0]["results"].as_array().unwrap();
    assert_eq!(results.len(), diagnostics.len());
    for (result, diagnostic) in results.iter().zip(diagnostics) {
        let region = &result["locations"][0]["physicalLocation"]["region"];
        assert_eq!(region["startLine"], diagnostic["line"]);
        assert_eq!(region["startColumn"], diagnostic["column"]);
        // Related locations are only files of the site, which a viewer can open; labels in the
        // standard library are written into the message.
        for related in result["relatedLocations"].as_array().unwrap() {
            let uri = related["physicalLocation"]["artifactLocation"]["uri"]
                .as_str()
                .unwrap();
            assert!(!uri.starts_with("stdlib/"), "{uri}");
        }
    }
    // The denied rule is reported at its line, after non-ASCII text on the line before.
    let partly = (diagnostics.iter())
        .find(|d| d["code"] == "shadowed" && d["file"] == "rules.flow")
        .expect("the rule is shadowed");
    assert_eq!(partly["line"], 2);
    assert_eq!(partly["column"], column_of(RULES, 2, "allow") as u64);
    let deny = partly["labels"]
        .as_array()
        .unwrap()
        .iter()
        .find(|label| label["message"] == "denied here")
        .unwrap();
    assert_eq!(
        (deny["file"].as_str(), deny["line"].as_u64()),
        (Some("hosts.flow"), Some(8))
    );
    assert!(human.contains("[ hosts.flow:8:1 ]"), "{human}");
}

#[test]
fn a_file_of_garbage_reports_a_page_and_says_how_much_more() {
    let directory = tempfile::tempdir().unwrap();
    std::fs::write(directory.path().join("garbage.flow"), "$ ".repeat(10_000)).unwrap();
    let output = flowc(&["check", "--format", "json"], directory.path());
    assert_eq!(output.status.code(), Some(1));
    let json: Value = serde_json::from_slice(&output.stdout).unwrap();
    let diagnostics = json.as_array().unwrap();
    let errors = diagnostics
        .iter()
        .filter(|d| d["severity"] == "error")
        .count();
    assert_eq!(errors, 100);
    let note = diagnostics
        .iter()
        .find(|d| d["code"] == "E0999")
        .expect("a note on the rest");
    assert!(
        note["message"]
            .as_str()
            .unwrap()
            .starts_with("9900 more errors"),
        "{note}"
    );
    let human = flowc(&["check"], directory.path());
    assert!(human.stdout.len() < 5 << 20, "{} bytes", human.stdout.len());
}
