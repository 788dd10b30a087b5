//! The page's modules import each other without a cycle: a part's views import the shared
//! state and other parts' views, the state imports the parts' plain state, and nothing
//! imports the app back. Read from the sources, so a `use` that closes a loop fails here
//! with the loop named.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

/// Every module under `src/` by its path (`console::prompt`), with the source outside its
/// `#[cfg(test)]` tests (tests may reach anywhere).
fn modules() -> BTreeMap<String, String> {
    fn walk(dir: &Path, prefix: &[String], out: &mut BTreeMap<String, String>) {
        for entry in fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            let name = path.file_stem().unwrap().to_string_lossy().to_string();
            if path.is_dir() {
                let mut inner = prefix.to_vec();
                inner.push(name);
                walk(&path, &inner, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let mut parts = prefix.to_vec();
                if !["mod", "lib", "main"].contains(&name.as_str()) {
                    parts.push(name);
                }
                let text = fs::read_to_string(&path).unwrap();
                let code = text.split("#[cfg(test)]").next().unwrap().to_string();
                out.insert(parts.join("::"), code);
            }
        }
    }
    let mut out = BTreeMap::new();
    walk(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &[],
        &mut out,
    );
    out
}

/// The modules each one names as `crate::...` (the longest path that is a module), leaving
/// out its own ancestors (a module sits inside them; it does not import them).
fn imports(modules: &BTreeMap<String, String>) -> BTreeMap<String, BTreeSet<String>> {
    modules
        .iter()
        .map(|(name, code)| {
            let mut named = BTreeSet::new();
            for (at, _) in code.match_indices("crate::") {
                let path: String = code[at + 7..]
                    .chars()
                    .take_while(|c| c.is_alphanumeric() || *c == '_' || *c == ':')
                    .collect();
                let parts: Vec<&str> = path.split("::").collect();
                let target = (1..=parts.len())
                    .rev()
                    .map(|n| parts[..n].join("::"))
                    .find(|m| modules.contains_key(m));
                if let Some(target) = target {
                    let ancestor = name.starts_with(&format!("{target}::"));
                    if target != *name && !ancestor {
                        named.insert(target);
                    }
                }
            }
            (name.clone(), named)
        })
        .collect()
}

/// A loop of imports starting and ending at `from`, if there is one.
fn loop_from(
    from: &str,
    at: &str,
    edges: &BTreeMap<String, BTreeSet<String>>,
    path: &mut Vec<String>,
    seen: &mut BTreeSet<String>,
) -> Option<Vec<String>> {
    for next in &edges[at] {
        if next == from {
            let mut found = path.clone();
            found.push(from.to_string());
            return Some(found);
        }
        if seen.insert(next.clone()) {
            path.push(next.clone());
            if let Some(found) = loop_from(from, next, edges, path, seen) {
                return Some(found);
            }
            path.pop();
        }
    }
    None
}

#[test]
fn no_module_imports_one_that_imports_it_back() {
    let modules = modules();
    let edges = imports(&modules);
    assert!(
        edges["app"].contains("state"),
        "the reader sees app use the state: {edges:?}"
    );
    for name in edges.keys() {
        let mut path = vec![name.clone()];
        if let Some(found) = loop_from(name, name, &edges, &mut path, &mut BTreeSet::new()) {
            panic!("a cycle of imports: {}", found.join(" → "));
        }
    }
}
