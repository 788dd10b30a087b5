//! What `help <topic>` and the docs panel show, as data: a command's [`Doc`] (its syntax, both
//! summaries, complexity, version and group, and examples), a container's subcommands', or a
//! group's commands'. The worker answers `help` with these and the page lays them out in its
//! language, as redis-cli lays out its help.

use keyspace::command_docs;
use keyspace::spec::{self, CommandSpec};
use keyspace_protocol::assist::Doc;

use crate::docs;

/// The docs `help <topic>` prints: one command, a container's subcommands, or with
/// `@group` every command of the group. Empty for an unknown topic.
pub fn topic_docs(topic: &str) -> Vec<Doc> {
    let words: Vec<&str> = topic.split_whitespace().collect();
    match words.as_slice() {
        [group] if group.starts_with('@') => {
            let group = &group[1..];
            rows()
                .filter(|(_, row, _)| row.group.eq_ignore_ascii_case(group))
                .filter(|(_, row, _)| row.subcommands.is_empty())
                .map(|(container, row, _)| doc(container, row))
                .collect()
        }
        [name] => match spec::lookup(name.as_bytes()) {
            Some(spec) if !spec.subcommands.is_empty() => std::iter::once(doc(None, spec))
                .chain(spec.subcommands.iter().map(|sub| doc(Some(spec), sub)))
                .collect(),
            Some(spec) => vec![doc(None, spec)],
            None => Vec::new(),
        },
        [name, sub] => spec::lookup(name.as_bytes())
            .and_then(|spec| Some((spec, spec.subcommand(sub.as_bytes())?)))
            .map(|(spec, sub)| vec![doc(Some(spec), sub)])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

/// The groups `help @` completes, in the spec table's order.
pub fn groups() -> Vec<&'static str> {
    let mut groups: Vec<&'static str> = Vec::new();
    for spec in spec::table() {
        if !groups.contains(&spec.group) {
            groups.push(spec.group);
        }
    }
    groups
}

/// Every row of the table with its container, and its notes name (`client|list`).
fn rows() -> impl Iterator<Item = (Option<&'static CommandSpec>, &'static CommandSpec, String)> {
    spec::table().flat_map(|spec| {
        std::iter::once((None, spec, spec.name.to_string())).chain(
            spec.subcommands
                .iter()
                .map(move |sub| (Some(spec), sub, format!("{}|{}", spec.name, sub.name))),
        )
    })
}

/// A command's (or a container's subcommand's) docs: the spec row's facts and English
/// summary, the 繁體中文 summary and examples of [`docs`].
pub fn doc(container: Option<&CommandSpec>, row: &CommandSpec) -> Doc {
    let (name, notes_name) = match container {
        Some(c) => (
            format!("{} {}", c.name, row.name).to_uppercase(),
            format!("{}|{}", c.name, row.name),
        ),
        None => (row.name.to_uppercase(), row.name.to_string()),
    };
    let notes = docs::notes(&notes_name);
    let redis_doc = command_docs::of(&notes_name);
    Doc {
        syntax: match row.syntax {
            "" => name.clone(),
            syntax => format!("{name} {syntax}"),
        },
        name,
        summary_en: row.summary.to_string(),
        summary_zh: notes.map_or_else(String::new, |n| n.zh.to_string()),
        complexity: row.complexity.to_string(),
        since: row.since.to_string(),
        group: row.group.to_string(),
        deprecated_since: redis_doc.deprecated_since.unwrap_or_default().to_string(),
        replaced_by: redis_doc.replaced_by.unwrap_or_default().to_string(),
        examples: notes.map_or_else(Vec::new, |n| {
            n.examples.iter().map(|e| e.to_string()).collect()
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn help_documents_a_command_its_subcommands_and_a_group() {
        let set = topic_docs("set");
        assert_eq!(set.len(), 1);
        assert_eq!(set[0].name, "SET");
        assert!(set[0].syntax.starts_with("SET key value [NX | XX]"));
        assert_eq!(
            (set[0].since.as_str(), set[0].group.as_str()),
            ("1.0.0", "string")
        );
        assert!(!set[0].summary_zh.is_empty() && !set[0].examples.is_empty());
        let client = topic_docs("CLIENT");
        assert!(client.iter().any(|d| d.name == "CLIENT LIST"));
        assert_eq!(topic_docs("client list")[0].name, "CLIENT LIST");
        let strings = topic_docs("@string");
        assert!(strings.iter().all(|d| d.group == "string") && strings.len() > 20);
        assert!(topic_docs("nosuch").is_empty());
        // Deprecation comes from COMMAND DOCS's facts.
        assert_eq!(set[0].deprecated_since, "");
        let getset = &topic_docs("getset")[0];
        assert_eq!(getset.deprecated_since, "6.2.0");
        assert!(getset.replaced_by.contains("`SET`"));
    }
}
