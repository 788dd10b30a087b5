//! The script editor without the DOM: the command line that runs what was written (EVAL with
//! its keys and arguments, or FUNCTION LOAD REPLACE), the line of the script an error names,
//! and Lua cut into tokens for highlighting. The script travels as one double-quoted argument
//! with its newlines escaped, as redis-cli would need it typed.

use crate::console::typed_arg;

/// `EVAL script numkeys key... arg...`, keys and arguments split at whitespace.
pub fn eval_line(script: &str, keys: &str, args: &str) -> String {
    let keys: Vec<&str> = keys.split_whitespace().collect();
    let mut line = format!("EVAL {} {}", typed_arg(script), keys.len());
    for word in keys.into_iter().chain(args.split_whitespace()) {
        line.push(' ');
        line.push_str(&typed_arg(word));
    }
    line
}

/// `FUNCTION LOAD REPLACE library`: a library loads again after each edit.
pub fn function_load_line(library: &str) -> String {
    format!("FUNCTION LOAD REPLACE {}", typed_arg(library))
}

/// The line an error names in a script (`user_script:3:`) or a library (`user_function:3:`,
/// whose line 1 is the `#!lua` line), counted from 1.
pub fn error_line(error: &str) -> Option<usize> {
    ["user_script:", "user_function:"]
        .iter()
        .filter_map(|tag| {
            let at = error.find(tag)? + tag.len();
            let digits: String = error[at..]
                .chars()
                .take_while(char::is_ascii_digit)
                .collect();
            digits.parse().ok()
        })
        .next()
}

/// What a piece of Lua is, for its colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TokenKind {
    Keyword,
    /// `redis`, `KEYS`, `ARGV`: what Redis puts in a script's world.
    Redis,
    Name,
    Number,
    String,
    Comment,
    /// Spaces, operators and punctuation.
    Other,
}

const KEYWORDS: [&str; 22] = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "goto", "if", "in",
    "local", "nil", "not", "or", "repeat", "return", "then", "true", "until", "while",
];

/// Lua cut into tokens whose texts, put together, are the script again.
pub fn tokens(script: &str) -> Vec<(TokenKind, &str)> {
    let bytes = script.as_bytes();
    let mut out: Vec<(TokenKind, &str)> = Vec::new();
    let mut at = 0;
    while at < bytes.len() {
        let rest = &script[at..];
        let (kind, len) = if let Some(comment) = rest.strip_prefix("--") {
            let long = long_bracket(comment).map(|n| n + 2);
            (
                TokenKind::Comment,
                long.unwrap_or_else(|| rest.find('\n').unwrap_or(rest.len())),
            )
        } else if let Some(n) = long_bracket(rest) {
            (TokenKind::String, n)
        } else if rest.starts_with(['"', '\'']) {
            (TokenKind::String, quoted_len(rest))
        } else if rest.starts_with(|c: char| c.is_ascii_digit()) {
            let n = rest
                .find(|c: char| !(c.is_ascii_alphanumeric() || c == '.'))
                .unwrap_or(rest.len());
            (TokenKind::Number, n)
        } else if rest.starts_with(|c: char| c.is_alphabetic() || c == '_') {
            let n = rest
                .find(|c: char| !(c.is_alphanumeric() || c == '_'))
                .unwrap_or(rest.len());
            let word = &rest[..n];
            let kind = if KEYWORDS.contains(&word) {
                TokenKind::Keyword
            } else if matches!(word, "redis" | "KEYS" | "ARGV") {
                TokenKind::Redis
            } else {
                TokenKind::Name
            };
            (kind, n)
        } else {
            let c = rest.chars().next().map_or(1, char::len_utf8);
            (TokenKind::Other, c)
        };
        // Runs of the same kind of punctuation stay one token.
        match out.last_mut() {
            Some((TokenKind::Other, text)) if kind == TokenKind::Other => {
                let start = at - text.len();
                *text = &script[start..at + len];
            }
            _ => out.push((kind, &script[at..at + len])),
        }
        at += len;
    }
    out
}

/// The length of a long bracket (`[[...]]`, `[==[...]==]`) at the start of `text`, to its
/// close or the end of the text.
fn long_bracket(text: &str) -> Option<usize> {
    let level = text.strip_prefix('[')?.find(|c| c != '=')?;
    if text.as_bytes().get(1 + level) != Some(&b'[') {
        return None;
    }
    let close = format!("]{}]", "=".repeat(level));
    let body = 2 + level;
    Some(
        text[body..]
            .find(&close)
            .map_or(text.len(), |i| body + i + close.len()),
    )
}

/// The length of a quoted string at the start of `text`: to its closing quote, the line's end
/// (an unfinished string) or the text's.
fn quoted_len(text: &str) -> usize {
    let quote = text.as_bytes()[0];
    let mut escaped = false;
    for (i, &b) in text.as_bytes().iter().enumerate().skip(1) {
        match b {
            b'\n' => return i,
            _ if escaped => escaped = false,
            b'\\' => escaped = true,
            _ if b == quote => return i + 1,
            _ => {}
        }
    }
    text.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_script_is_typed_as_one_argument() {
        assert_eq!(
            eval_line(
                "local n = 1\nreturn redis.call('GET', KEYS[1])",
                " lock:a ",
                "t 30"
            ),
            "EVAL \"local n = 1\\nreturn redis.call('GET', KEYS[1])\" 1 lock:a t 30"
        );
        assert_eq!(eval_line("return 1", "", ""), "EVAL \"return 1\" 0");
        assert_eq!(
            function_load_line("#!lua name=lib\nredis.register_function('f', function() return 1 end)"),
            "FUNCTION LOAD REPLACE \"#!lua name=lib\\nredis.register_function('f', function() return 1 end)\""
        );
    }

    #[test]
    fn the_line_an_error_names() {
        let runtime = "ERR user_script:3: Script attempted to access nonexistent global variable \
                       'x' script: 6b1b, on @user_script:3.";
        assert_eq!(error_line(runtime), Some(3));
        let compile =
            "ERR Error compiling script (new function): user_script:12: '=' expected near 'return'";
        assert_eq!(error_line(compile), Some(12));
        assert_eq!(
            error_line("ERR Error registering functions: user_function:2: boom"),
            Some(2)
        );
        assert_eq!(
            error_line("WRONGTYPE Operation against a key holding the wrong kind of value"),
            None
        );
    }

    #[test]
    fn lua_is_cut_into_tokens_that_make_it_again() {
        let script = "-- release\nif redis.call(\"GET\", KEYS[1]) == ARGV[1] then\n  return [[x]] + 0x1F\nend --[[ long\ncomment ]] local s = 'it\\'s'";
        let cut = tokens(script);
        assert_eq!(cut.iter().map(|(_, t)| *t).collect::<String>(), script);
        let of = |kind| -> Vec<&str> {
            cut.iter()
                .filter(|(k, _)| *k == kind)
                .map(|(_, t)| *t)
                .collect()
        };
        assert_eq!(
            of(TokenKind::Comment),
            ["-- release", "--[[ long\ncomment ]]"]
        );
        assert_eq!(
            of(TokenKind::Keyword),
            ["if", "then", "return", "end", "local"]
        );
        assert_eq!(of(TokenKind::Redis), ["redis", "KEYS", "ARGV"]);
        assert_eq!(of(TokenKind::String), ["\"GET\"", "[[x]]", "'it\\'s'"]);
        assert_eq!(of(TokenKind::Number), ["1", "1", "0x1F"]);
        // An unfinished string ends at its line; an unfinished long one at the end.
        assert_eq!(tokens("'open\nx")[0], (TokenKind::String, "'open"));
        assert_eq!(tokens("[==[ never closed").len(), 1);
    }
}
