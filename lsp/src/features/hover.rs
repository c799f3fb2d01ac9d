//! Hover: a service's ports; a role's doc, parameters, seed citation and the flows it expands to
//! for this holder; a host's zone, addresses and roles.

use super::{name_at_offset, qualified_name};
use crate::document_text::{self, EditedRegion};
use crate::snapshot::Snapshot;
use flowc_compiler::model::AddressSet;
use flowc_compiler::resolve::DefinitionKind;
use flowc_compiler::syntax::ast::ItemKind;
use flowc_compiler::{FileId, Span};
use tower_lsp_server::ls_types::{
    Hover, HoverContents, MarkupContent, MarkupKind, Position, Range, Uri,
};

pub fn hover(snapshot: &Snapshot, uri: &Uri, position: Position) -> Option<Hover> {
    let file = snapshot.file(uri)?;
    let (span, text) = hover_at(snapshot, file, snapshot.offset(file, position))?;
    Some(markdown(
        text,
        crate::convert::range(&snapshot.checked.analysis.sources, span),
    ))
}

/// Hover in `live`, the editor's text of `uri`, from a snapshot that analysed an older text of
/// it: answered when the name under the cursor lies outside the text edited since (and is
/// placed where it now is), `None` when it touches the edit and only a new analysis can say.
/// An editor asks while the user types; the analysis of every keystroke is not waited for.
pub fn hover_in_newer_text(
    snapshot: &Snapshot,
    uri: &Uri,
    live: &str,
    position: Position,
) -> Option<Option<Hover>> {
    let file = snapshot.file(uri)?;
    let analysed = &snapshot.checked.analysis.sources.get(file).text;
    let edited = EditedRegion::between(analysed, live);
    let offset = edited.old_offset(document_text::byte_offset(live, position))?;
    let Some((span, text)) = hover_at(snapshot, file, offset as u32) else {
        // Nothing to show there; that stands only if the whole run of non-blank text around
        // the cursor is unchanged (the edit may have made a name of it).
        let before = analysed[..offset].trim_end_matches(|c: char| !c.is_whitespace());
        let after = analysed[offset..].trim_start_matches(|c: char| !c.is_whitespace());
        let word = (before.len(), analysed.len() - after.len());
        return edited.new_range(word.0, word.1).map(|_| None);
    };
    let (start, end) = edited.new_range(span.start as usize, span.end as usize)?;
    let range = Range {
        start: document_text::position_of(live, start),
        end: document_text::position_of(live, end),
    };
    Some(Some(markdown(text, range)))
}

fn markdown(value: String, range: Range) -> Hover {
    Hover {
        contents: HoverContents::Markup(MarkupContent {
            kind: MarkupKind::Markdown,
            value,
        }),
        range: Some(range),
    }
}

/// The hover text for the name at `offset` of `file`, and that name's span.
fn hover_at(snapshot: &Snapshot, file: FileId, offset: u32) -> Option<(Span, String)> {
    let name = name_at_offset(snapshot, file, offset)?;
    let analysis = &snapshot.checked.analysis;
    let definition = analysis.resolution.definition(name.definition);
    let item_file = analysis.file(definition.item_span.file)?;
    let item = &item_file.parsed.ast.items[definition.item_index];
    let docs: Vec<&str> = item.docs.iter().map(|line| line.text.as_str()).collect();
    let qualified = qualified_name(snapshot, name.definition);
    // Ports, addresses and roles come from lowering, which needs a site without syntax or
    // name errors; otherwise the hover shows what the tree alone says.
    let site = snapshot.checked.site();
    let mut text = String::new();
    match (&item.kind, definition.kind) {
        (ItemKind::Service(_), DefinitionKind::Service) => {
            text.push_str(&format!("```flow\nservice {qualified}\n```\n"));
            if let Some(site) = &site {
                let openings: Vec<String> = site
                    .service_openings(name.definition)
                    .iter()
                    .map(|opening| opening.describe())
                    .collect();
                text.push_str(&format!("**Opens:** `{}`\n\n", openings.join("`, `")));
            }
        }
        (ItemKind::Role(role), _) => {
            let params: Vec<String> = role
                .params
                .iter()
                .flatten()
                .map(flowc_compiler::format::param_text)
                .collect();
            text.push_str(&format!(
                "```flow\nrole {qualified}({})\n```\n",
                params.join(", ")
            ));
            // On a role use, the flows this holder gets.
            let flows: Vec<String> = snapshot
                .checked
                .policy
                .flows
                .iter()
                .filter(|flow| {
                    flow.origin.item.file == name.span.file
                        && flow.origin.item.contains_offset(name.span.start)
                })
                .map(|flow| {
                    format!(
                        "- `{} -> {} : {}`",
                        flow.origin.source_label,
                        flow.origin.destination_label,
                        flow.opening.describe()
                    )
                })
                .collect();
            if !flows.is_empty() {
                let mut unique = flows.clone();
                unique.dedup();
                text.push_str(&format!("**Expands to {} flows here:**\n\n", unique.len()));
                for line in unique.iter().take(30) {
                    text.push_str(line);
                    text.push('\n');
                }
                if unique.len() > 30 {
                    text.push_str(&format!(
                        "- … and {} more (`flowc check --dump flows`)\n",
                        unique.len() - 30
                    ));
                }
                text.push('\n');
            }
        }
        (ItemKind::Host(_) | ItemKind::Group(_), _) => {
            let keyword = if definition.kind == DefinitionKind::Host {
                "host"
            } else {
                "group"
            };
            text.push_str(&format!("```flow\n{keyword} {qualified}\n```\n"));
            if let Some(site) = &site {
                let addresses = site
                    .address_sets
                    .get(&name.definition)
                    .cloned()
                    .unwrap_or_default();
                text.push_str(&format!("**Addresses:** `{}`\n\n", networks(&addresses)));
                let zones: Vec<&str> = snapshot
                    .checked
                    .policy
                    .zones
                    .iter()
                    .filter(|zone| zone.region.intersects(&addresses))
                    .map(|zone| zone.name.as_str())
                    .collect();
                if !zones.is_empty() {
                    text.push_str(&format!("**Zone:** {}\n\n", zones.join(", ")));
                }
                let roles: Vec<String> = site
                    .instances
                    .iter()
                    .filter(|instance| {
                        site.machines[instance.machine].definition == name.definition
                    })
                    .map(|instance| instance.role_name.clone())
                    .collect();
                if !roles.is_empty() {
                    text.push_str(&format!("**Roles:** {}\n\n", roles.join(", ")));
                }
            }
        }
        (ItemKind::Zone(_), _) => {
            text.push_str(&format!("```flow\nzone {qualified}\n```\n"));
            if let Some(zone) = snapshot
                .checked
                .policy
                .zones
                .iter()
                .find(|zone| zone.name == definition.name)
            {
                text.push_str(&format!("**Region:** `{}`\n\n", networks(&zone.region)));
            }
        }
        (ItemKind::Firewall(_), _) => {
            text.push_str(&format!("```flow\nfirewall {qualified}\n```\n"));
            if let Some(firewall) = snapshot
                .checked
                .policy
                .firewalls
                .iter()
                .find(|firewall| firewall.name == definition.name)
            {
                let zones: Vec<&str> = firewall
                    .zones
                    .iter()
                    .map(|&zone| snapshot.checked.policy.zones[zone].name.as_str())
                    .collect();
                text.push_str(&format!("**Joins:** {}\n\n", zones.join(", ")));
            }
        }
        _ => return None,
    }
    if !docs.is_empty() {
        text.push_str("---\n\n");
        text.push_str(&docs.join("\n"));
        text.push('\n');
    }
    Some((name.span, text))
}

fn networks(set: &AddressSet) -> String {
    if set.is_any() {
        return "any".to_string();
    }
    let list: Vec<String> = set.to_networks().iter().map(ToString::to_string).collect();
    list.join(", ")
}
