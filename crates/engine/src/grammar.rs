//! Argument shapes read from the spec table's `syntax` strings, as Redis's docs write them:
//!
//! ```text
//! key value [NX | XX] [GET] [EX seconds | PX milliseconds | KEEPTTL]
//! key score member [score member ...]
//! ```
//!
//! Upper-case words are literal tokens, lower-case words are placeholders named for what goes
//! there (`key`, `milliseconds`, `member`), `[...]` is optional, `a | b` is a choice between
//! everything up to the enclosing bracket, and a trailing `...` repeats the group it ends. Where
//! Redis's text leaves the grouping to the reader (`[AGGREGATE SUM | MIN | MAX]`), the spec
//! table spells it with `( )`: `[AGGREGATE (SUM | MIN | MAX)]`. Two readers use the trees: the
//! differential tester draws arguments from them, and the console's completion walks them to
//! know which keywords may come next and which arguments are keys; [`Syntax`]'s `Display`
//! writes a tree (or what is left of one) back as text for the console's hints.

use std::fmt;

/// A parsed syntax.
#[derive(Clone, Debug, PartialEq)]
pub enum Syntax {
    /// A literal token (`NX`, `WITHSCORES`).
    Token(String),
    /// A value to draw from the pool called this (`key`, `seconds`).
    Placeholder(String),
    Sequence(Vec<Syntax>),
    /// Exactly one of these.
    Choice(Vec<Syntax>),
    Optional(Box<Syntax>),
    /// One or more times.
    Repeat(Box<Syntax>),
}

/// Parses a syntax string. Unbalanced brackets end their group at the end of the text, so any
/// text gives some shape.
pub fn parse(text: &str) -> Syntax {
    let spaced = text
        .replace('[', " [ ")
        .replace(']', " ] ")
        .replace('(', " ( ")
        .replace(')', " ) ")
        .replace('|', " | ");
    let words: Vec<&str> = spaced.split_whitespace().collect();
    let mut at = 0;
    choice(&words, &mut at)
}

fn choice(words: &[&str], at: &mut usize) -> Syntax {
    let mut options = vec![sequence(words, at)];
    while words.get(*at) == Some(&"|") {
        *at += 1;
        options.push(sequence(words, at));
    }
    match options.len() {
        1 => options.pop().unwrap_or(Syntax::Sequence(Vec::new())),
        _ => Syntax::Choice(options),
    }
}

fn sequence(words: &[&str], at: &mut usize) -> Syntax {
    let mut items = Vec::new();
    while let Some(&word) = words.get(*at) {
        *at += 1;
        let item = match word {
            "|" | "]" | ")" => {
                *at -= 1;
                break;
            }
            "[" | "(" => {
                let inner = choice(words, at);
                *at += 1; // the closing bracket
                match word {
                    "[" => Syntax::Optional(Box::new(inner)),
                    _ => inner,
                }
            }
            // `key [key ...]`: the group this ends repeats.
            "..." => {
                let mut body = std::mem::take(&mut items);
                Syntax::Repeat(Box::new(match body.len() {
                    1 => body.remove(0),
                    _ => Syntax::Sequence(body),
                }))
            }
            w if w.chars().any(|c| c.is_ascii_uppercase()) => Syntax::Token(w.to_string()),
            w => Syntax::Placeholder(w.to_string()),
        };
        items.push(item);
    }
    match items.len() {
        1 => items.pop().unwrap_or(Syntax::Sequence(Vec::new())),
        _ => Syntax::Sequence(items),
    }
}

impl fmt::Display for Syntax {
    /// The syntax as the spec writes it; a choice inside a sequence gets its `( )` back.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Syntax::Token(word) | Syntax::Placeholder(word) => f.write_str(word),
            Syntax::Sequence(items) => {
                for (i, item) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" ")?;
                    }
                    match item {
                        Syntax::Choice(_) => write!(f, "({item})")?,
                        _ => write!(f, "{item}")?,
                    }
                }
                Ok(())
            }
            Syntax::Choice(options) => {
                for (i, option) in options.iter().enumerate() {
                    if i > 0 {
                        f.write_str(" | ")?;
                    }
                    write!(f, "{option}")?;
                }
                Ok(())
            }
            Syntax::Optional(inner) => write!(f, "[{inner}]"),
            // A repeated choice keeps its `( )`: `(a | b) ...` repeats either.
            Syntax::Repeat(inner) => match **inner {
                Syntax::Choice(_) => write!(f, "({inner}) ..."),
                _ => write!(f, "{inner} ..."),
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(t: &str) -> Syntax {
        Syntax::Token(t.into())
    }
    fn hole(t: &str) -> Syntax {
        Syntax::Placeholder(t.into())
    }

    #[test]
    fn options_choices_and_repeats() {
        assert_eq!(
            parse("key [NX | XX] [EX seconds | KEEPTTL]"),
            Syntax::Sequence(vec![
                hole("key"),
                Syntax::Optional(Box::new(Syntax::Choice(vec![token("NX"), token("XX")]))),
                Syntax::Optional(Box::new(Syntax::Choice(vec![
                    Syntax::Sequence(vec![token("EX"), hole("seconds")]),
                    token("KEEPTTL"),
                ]))),
            ])
        );
        assert_eq!(
            parse("key [key ...]"),
            Syntax::Sequence(vec![
                hole("key"),
                Syntax::Optional(Box::new(Syntax::Repeat(Box::new(hole("key"))))),
            ])
        );
        assert_eq!(
            parse("[AGGREGATE (SUM | MIN)]"),
            Syntax::Optional(Box::new(Syntax::Sequence(vec![
                token("AGGREGATE"),
                Syntax::Choice(vec![token("SUM"), token("MIN")]),
            ])))
        );
    }

    #[test]
    fn any_text_parses() {
        for text in ["", "[", "]]", "a | | b", "... x", "(["] {
            let _ = parse(text);
        }
    }

    #[test]
    fn every_spec_syntax_reads_back_as_written() {
        // Read and written again, each row's text comes back: the grouping the parser saw is
        // the one the spec shows its readers.
        for spec in crate::spec::table() {
            let rows = std::iter::once(spec).chain(spec.subcommands);
            for row in rows {
                let tree = parse(row.syntax);
                let written = match &tree {
                    Syntax::Sequence(items) if items.is_empty() => String::new(),
                    tree => tree.to_string(),
                };
                assert_eq!(written, row.syntax, "{}", row.name);
            }
        }
    }
}
