//! Glob-style pattern matching as Redis's `stringmatchlen` does it, for KEYS, SCAN MATCH,
//! CONFIG GET and (later) PSUBSCRIBE: `*`, `?`, `[abc]`, `[^a-z]`, and `\` escapes.
//!
//! The quirks are Redis's own and kept on purpose: a `[` class left open runs to the end of the
//! pattern, a reversed range `[z-a]` means `[a-z]`, ranges compare C's signed `char`, and a
//! nesting limit of 1000 stars makes abusive patterns fail instead of recursing forever. Once
//! the rest of a pattern after `*` has failed to match anywhere in the rest of the string, no
//! earlier `*` can help either, so the search stops (`skip_longer`): that keeps patterns like
//! `a*a*a*a*b` linear instead of exponential.

/// Does `string` match `pattern`? `nocase` folds ASCII case, as `CONFIG GET` does.
pub fn matches(pattern: &[u8], string: &[u8], nocase: bool) -> bool {
    let mut skip_longer = false;
    match_from(pattern, string, nocase, &mut skip_longer, 0)
}

fn fold(c: u8, nocase: bool) -> u8 {
    if nocase {
        c.to_ascii_lowercase()
    } else {
        c
    }
}

fn match_from(pat: &[u8], s: &[u8], nocase: bool, skip_longer: &mut bool, nesting: u32) -> bool {
    if nesting > 1000 {
        return false;
    }
    // Reads past the end see C's terminating NUL.
    let at = |i: usize| pat.get(i).copied().unwrap_or(0);
    let (mut p, mut i) = (0usize, 0usize);
    while p < pat.len() && i < s.len() {
        match pat[p] {
            b'*' => {
                while p + 1 < pat.len() && pat[p + 1] == b'*' {
                    p += 1;
                }
                if p + 1 == pat.len() {
                    return true;
                }
                while i < s.len() {
                    if match_from(&pat[p + 1..], &s[i..], nocase, skip_longer, nesting + 1) {
                        return true;
                    }
                    if *skip_longer {
                        return false;
                    }
                    i += 1;
                }
                *skip_longer = true;
                return false;
            }
            b'?' => i += 1,
            b'[' => {
                p += 1;
                let negate = at(p) == b'^';
                if negate {
                    p += 1;
                }
                let c = s[i];
                let mut hit = false;
                loop {
                    if at(p) == b'\\' && pat.len() - p >= 2 {
                        p += 1;
                        hit |= pat[p] == c;
                    } else if at(p) == b']' {
                        break;
                    } else if p >= pat.len() {
                        // An unterminated class: step back so the advance below ends the pattern.
                        p -= 1;
                        break;
                    } else if pat.len() - p >= 3 && pat[p + 1] == b'-' {
                        // Signed comparison, as C compares `char`.
                        let (mut lo, mut hi) =
                            (fold(pat[p], nocase) as i8, fold(pat[p + 2], nocase) as i8);
                        if lo > hi {
                            std::mem::swap(&mut lo, &mut hi);
                        }
                        let ch = fold(c, nocase) as i8;
                        p += 2;
                        hit |= ch >= lo && ch <= hi;
                    } else {
                        hit |= fold(pat[p], nocase) == fold(c, nocase);
                    }
                    p += 1;
                }
                if hit == negate {
                    return false;
                }
                i += 1;
            }
            first => {
                let literal = if first == b'\\' && pat.len() - p >= 2 {
                    p += 1;
                    pat[p]
                } else {
                    first
                };
                if fold(literal, nocase) != fold(s[i], nocase) {
                    return false;
                }
                i += 1;
            }
        }
        p += 1;
        if i == s.len() {
            while at(p) == b'*' {
                p += 1;
            }
            break;
        }
    }
    p >= pat.len() && i == s.len()
}

#[cfg(test)]
mod tests {
    use super::matches;

    #[test]
    fn redis_glob_cases() {
        let m = |p: &str, s: &str| matches(p.as_bytes(), s.as_bytes(), false);
        assert!(m("*", "anything"));
        assert!(m("user:*", "user:123"));
        assert!(!m("user:*", "post:1"));
        assert!(m("h?llo", "hello"));
        assert!(m("h[ae]llo", "hallo"));
        assert!(!m("h[^e]llo", "hello"));
        assert!(m("h[a-b]llo", "hbllo"));
        assert!(m("h[b-a]llo", "hallo"));
        assert!(m("h\\*llo", "h*llo"));
        assert!(!m("h\\*llo", "hello"));
        assert!(m("a*", "a"));
        assert!(m("*a**", "ba"));
        assert!(!m("", "a"));
        assert!(m("", ""));
        assert!(m("[abc", "a"));
        assert!(!m(
            "a*a*a*a*a*a*a*a*a*a*b",
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
        ));
        assert!(matches(b"MAXMEMORY*", b"maxmemory-policy", true));
    }
}
