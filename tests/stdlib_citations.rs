//! Every port the standard library opens cites its source: each service and each flow
//! statement carries a `seed NNN § "…"` line (or an RFC/IANA reference for common services),
//! and every quoted text occurs, word for word, in the cited seed document.

mod support;

use flowc_compiler::syntax::ast::{
    Block, DocLine, ElseBranch, IfStatement, ItemKind, StatementKind,
};
use flowc_compiler::{analyze, MemoryWorld};

/// The seed documents live beside the repository, in `../shared/seeds` (as in CI).
fn seeds() -> std::path::PathBuf {
    support::repository_root().join("../shared/seeds")
}

fn seed_text(number: &str) -> String {
    let directory = seeds();
    let entries = std::fs::read_dir(&directory).unwrap_or_else(|error| {
        panic!(
            "the seed documents are expected in {}: {error}",
            directory.display()
        )
    });
    for entry in entries.flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(&format!("{number}_")) {
            let text = std::fs::read_to_string(entry.path()).unwrap();
            return text.split_whitespace().collect::<Vec<_>>().join(" ");
        }
    }
    panic!("no seed document {number} in {}", directory.display());
}

fn cites(docs: &[DocLine]) -> bool {
    docs.iter().any(|line| {
        let text = line.text.trim();
        text.starts_with("seed ") || text.starts_with("rfc ") || text.starts_with("IANA")
    })
}

fn statements(block: &Block, out: &mut Vec<(bool, String)>) {
    for statement in &block.statements {
        match &statement.kind {
            StatementKind::Flow(flow) => {
                out.push((cites(&statement.docs), format!("{:?}", flow.span)))
            }
            StatementKind::If(if_statement) => branches(if_statement, out),
            StatementKind::For(for_statement) => statements(&for_statement.body, out),
            StatementKind::Error => {}
        }
    }
}

fn branches(if_statement: &IfStatement, out: &mut Vec<(bool, String)>) {
    statements(&if_statement.then_block, out);
    match &if_statement.else_branch {
        Some(ElseBranch::Block(block)) => statements(block, out),
        Some(ElseBranch::If(nested, _)) => branches(nested, out),
        None => {}
    }
}

#[test]
fn every_service_and_flow_cites_its_source_verbatim() {
    // Without the documents (a clone on its own), every port must still cite a source; only the
    // word-for-word comparison is skipped, with a notice.
    let verbatim = support::present_or_skip(
        "comparing the stdlib's citations with the vendor documents",
        &(!seeds().is_dir())
            .then(|| format!("the seed documents in {}", seeds().display()))
            .into_iter()
            .collect::<Vec<_>>(),
    );
    let analysis = analyze(&MemoryWorld::default());
    let mut quotes = 0;
    let mut missing = Vec::new();
    for file in &analysis.files {
        let source = analysis.sources.get(file.file);
        for item in &file.parsed.ast.items {
            let mut docs: Vec<&DocLine> = item.docs.iter().collect();
            match &item.kind {
                ItemKind::Service(service) if !cites(&item.docs) => {
                    missing.push(format!("{}: service {}", source.name, service.name.name))
                }
                ItemKind::Role(role) => {
                    let mut found = Vec::new();
                    if let Some(body) = &role.body {
                        statements(body, &mut found);
                        collect_docs(body, &mut docs);
                    }
                    for (cited, span) in found {
                        if !cited {
                            missing.push(format!(
                                "{}: a flow of role {} at {span}",
                                source.name, role.name.name
                            ));
                        }
                    }
                }
                _ => {}
            }
            for line in docs {
                let Some(rest) = line.text.trim().strip_prefix("seed ") else {
                    continue;
                };
                let (number, quote) = rest
                    .split_once(" § ")
                    .unwrap_or_else(|| panic!("{}: malformed citation {}", source.name, line.text));
                let quote = quote.trim().trim_matches('"');
                let quote = quote.split_whitespace().collect::<Vec<_>>().join(" ");
                quotes += 1;
                if !verbatim {
                    continue;
                }
                assert!(
                    seed_text(number).contains(&quote),
                    "{}: seed {number} does not contain {quote:?}",
                    source.name
                );
            }
        }
    }
    assert!(
        missing.is_empty(),
        "without a citation:\n{}",
        missing.join("\n")
    );
    assert!(quotes >= 300, "only {quotes} citations found");
}

fn collect_docs<'a>(block: &'a Block, docs: &mut Vec<&'a DocLine>) {
    for statement in &block.statements {
        docs.extend(&statement.docs);
        match &statement.kind {
            StatementKind::If(if_statement) => {
                collect_docs(&if_statement.then_block, docs);
                let mut branch = &if_statement.else_branch;
                while let Some(next) = branch {
                    match next {
                        ElseBranch::Block(block) => {
                            collect_docs(block, docs);
                            break;
                        }
                        ElseBranch::If(nested, _) => {
                            collect_docs(&nested.then_block, docs);
                            branch = &nested.else_branch;
                        }
                    }
                }
            }
            StatementKind::For(for_statement) => collect_docs(&for_statement.body, docs),
            _ => {}
        }
    }
}

/// Every `seed NNN § "…"` quote in the advice of `insecure-service` occurs word for word in
/// that seed, and advice without a seed quote names no seed.
#[test]
fn insecure_service_advice_quotes_its_seed() {
    use flowc_compiler::checks::insecure_service::ADVICE;
    for (protocol, advice) in ADVICE {
        let Some(at) = advice.find("seed ") else {
            assert!(!advice.contains("seed"), "{protocol}: {advice}");
            continue;
        };
        let number = &advice[at + 5..at + 8];
        let seed = seed_text(number);
        let quotes: Vec<&str> = advice[at..].split('"').skip(1).step_by(2).collect();
        assert!(!quotes.is_empty(), "{protocol}: no quote in {advice}");
        for quote in quotes {
            let quote = quote.split_whitespace().collect::<Vec<_>>().join(" ");
            assert!(
                seed.contains(&quote),
                "{protocol}: seed {number} does not say {quote:?}"
            );
        }
    }
}
