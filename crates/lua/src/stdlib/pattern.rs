//! Lua 5.1 patterns, matched by a backtracking machine with an explicit stack, so that a
//! match can stop after any number of steps and go on later.
//!
//! C Lua's `match` recurses for every quantified item and capture; a pattern with many
//! items or a subject that makes it backtrack a lot either overflows the C stack or runs
//! for as long as it likes. Here the recursion is unrolled into a vector of choice points
//! (the other branches to try) interleaved with undo records (a capture to reopen or to
//! drop), which is exactly what the C stack held. Failing pops the vector: undo records are
//! applied until a choice point offers another branch. [`Matcher::run`] counts steps and
//! returns [`Progress::OutOfSteps`] when its allowance is spent, with everything needed to
//! continue kept in the matcher.
//!
//! The semantics are `lstrlib.c`'s to the byte: the pattern is a C string (it ends at its
//! first zero byte), the subject is not (the position just past its end reads as a zero
//! byte, as C reads the terminator), classes are the C locale's, and the error messages are
//! Lua's.

/// `LUA_MAXCAPTURES`.
pub const MAXCAPTURES: usize = 32;
const CAP_UNFINISHED: isize = -1;
pub const CAP_POSITION: isize = -2;
const L_ESC: u8 = b'%';
/// Characters that make `string.find` use patterns instead of a plain search.
pub const SPECIALS: &[u8] = b"^$*+?.([%-";

/// How far a run of the matcher got.
#[derive(Debug, PartialEq, Eq)]
pub enum Progress {
    /// The pattern matched, ending at this subject position.
    Matched(usize),
    NoMatch,
    /// The step allowance ran out; call `run` again.
    OutOfSteps,
}

#[derive(Clone, Copy, Debug)]
enum Entry {
    /// A capture was opened: failing closes it again (`level -= 1`).
    UndoStart,
    /// Capture `l` was closed: failing reopens it.
    UndoEnd(usize),
    /// `x*` or `x+`: `i` repetitions from `s` were tried; fewer remain to try.
    MaxExpand { s: usize, i: usize, ep: usize },
    /// `x-`: the rest was tried after the repetitions up to `s`; one more may follow.
    MinExpand { s: usize, p: usize, ep: usize },
    /// `x?` matched one character; the branch without it remains.
    Optional { s: usize, ep: usize },
}

/// The state of one attempt to match at one position.
#[derive(Clone, Debug)]
pub struct Matcher {
    pub level: usize,
    pub capture: [(usize, isize); MAXCAPTURES],
    stack: Vec<Entry>,
    s: usize,
    p: usize,
    failing: bool,
}

/// Character classes of the C locale (`match_class`).
fn match_class(c: u8, cl: u8) -> bool {
    let res = match cl.to_ascii_lowercase() {
        b'a' => c.is_ascii_alphabetic(),
        b'c' => c < 32 || c == 127,
        b'd' => c.is_ascii_digit(),
        b'l' => c.is_ascii_lowercase(),
        b'p' => c.is_ascii_punctuation(),
        b's' => matches!(c, b' ' | b'\t' | b'\n' | 0x0b | 0x0c | b'\r'),
        b'u' => c.is_ascii_uppercase(),
        b'w' => c.is_ascii_alphanumeric(),
        b'x' => c.is_ascii_hexdigit(),
        b'z' => c == 0,
        _ => return cl == c,
    };
    if cl.is_ascii_lowercase() {
        res
    } else {
        !res
    }
}

/// The pattern byte at `i`, or 0 past its end (the C terminator).
#[inline]
fn at(p: &[u8], i: usize) -> u8 {
    p.get(i).copied().unwrap_or(0)
}

/// `matchbracketclass`: `p` is the `[`, `ec` the closing `]`.
fn match_bracket(c: u8, pat: &[u8], mut p: usize, ec: usize) -> bool {
    let mut sig = true;
    if at(pat, p + 1) == b'^' {
        sig = false;
        p += 1;
    }
    loop {
        p += 1;
        if p >= ec {
            break;
        }
        if pat[p] == L_ESC {
            p += 1;
            if match_class(c, at(pat, p)) {
                return sig;
            }
        } else if at(pat, p + 1) == b'-' && p + 2 < ec {
            p += 2;
            if pat[p - 2] <= c && c <= pat[p] {
                return sig;
            }
        } else if pat[p] == c {
            return sig;
        }
    }
    !sig
}

/// `singlematch`: does subject byte `c` match the item at `p` (ending at `ep`)?
fn single_match(c: u8, pat: &[u8], p: usize, ep: usize) -> bool {
    match pat[p] {
        b'.' => true,
        L_ESC => match_class(c, at(pat, p + 1)),
        b'[' => match_bracket(c, pat, p, ep - 1),
        x => x == c,
    }
}

/// `classend`: where the single-character item at `p` ends.
fn class_end(pat: &[u8], mut p: usize) -> Result<usize, &'static str> {
    let c = pat[p];
    p += 1;
    match c {
        L_ESC => {
            if p >= pat.len() {
                return Err("malformed pattern (ends with '%')");
            }
            Ok(p + 1)
        }
        b'[' => {
            if at(pat, p) == b'^' {
                p += 1;
            }
            loop {
                if p >= pat.len() {
                    return Err("malformed pattern (missing ']')");
                }
                let c = pat[p];
                p += 1;
                if c == L_ESC && p < pat.len() {
                    p += 1;
                }
                if at(pat, p) == b']' {
                    break;
                }
            }
            Ok(p + 1)
        }
        _ => Ok(p),
    }
}

impl Matcher {
    /// A matcher about to try the pattern at subject position `s`.
    pub fn new(s: usize) -> Matcher {
        Matcher {
            level: 0,
            capture: [(0, 0); MAXCAPTURES],
            stack: Vec::new(),
            s,
            p: 0,
            failing: false,
        }
    }

    /// Starts over at subject position `s`.
    pub fn reset(&mut self, s: usize) {
        self.level = 0;
        self.stack.clear();
        self.s = s;
        self.p = 0;
        self.failing = false;
    }

    /// Runs for at most `*steps` steps (decremented as they are used). Errors are the
    /// messages `luaL_error` would raise.
    pub fn run(
        &mut self,
        src: &[u8],
        pat: &[u8],
        steps: &mut u64,
    ) -> Result<Progress, &'static str> {
        let (mut s, mut p) = (self.s, self.p);
        let len = src.len();
        loop {
            if *steps == 0 {
                self.s = s;
                self.p = p;
                return Ok(Progress::OutOfSteps);
            }
            *steps -= 1;
            if self.failing {
                match self.stack.pop() {
                    None => return Ok(Progress::NoMatch),
                    Some(Entry::UndoStart) => self.level -= 1,
                    Some(Entry::UndoEnd(l)) => self.capture[l].1 = CAP_UNFINISHED,
                    Some(Entry::MaxExpand { s: base, i, ep }) => {
                        if i > 0 {
                            self.stack.push(Entry::MaxExpand {
                                s: base,
                                i: i - 1,
                                ep,
                            });
                            s = base + i - 1;
                            p = ep + 1;
                            self.failing = false;
                        }
                    }
                    Some(Entry::MinExpand { s: ms, p: mp, ep }) => {
                        if ms < len && single_match(src[ms], pat, mp, ep) {
                            self.stack.push(Entry::MinExpand {
                                s: ms + 1,
                                p: mp,
                                ep,
                            });
                            s = ms + 1;
                            p = ep + 1;
                            self.failing = false;
                        }
                    }
                    Some(Entry::Optional { s: os, ep }) => {
                        s = os;
                        p = ep + 1;
                        self.failing = false;
                    }
                }
                continue;
            }
            match at(pat, p) {
                b'(' => {
                    let (np, what) = if at(pat, p + 1) == b')' {
                        (p + 2, CAP_POSITION)
                    } else {
                        (p + 1, CAP_UNFINISHED)
                    };
                    if self.level >= MAXCAPTURES {
                        return Err("too many captures");
                    }
                    self.capture[self.level] = (s, what);
                    self.level += 1;
                    self.stack.push(Entry::UndoStart);
                    p = np;
                }
                b')' => {
                    let Some(l) = (0..self.level)
                        .rev()
                        .find(|&l| self.capture[l].1 == CAP_UNFINISHED)
                    else {
                        return Err("invalid pattern capture");
                    };
                    self.capture[l].1 = (s - self.capture[l].0) as isize;
                    self.stack.push(Entry::UndoEnd(l));
                    p += 1;
                }
                0 if p >= pat.len() => {
                    self.s = s;
                    self.p = p;
                    return Ok(Progress::Matched(s));
                }
                b'$' if p + 1 == pat.len() => {
                    if s == len {
                        self.s = s;
                        self.p = p;
                        return Ok(Progress::Matched(s));
                    }
                    self.failing = true;
                }
                L_ESC if at(pat, p + 1) == b'b' => {
                    if p + 3 >= pat.len() {
                        return Err("unbalanced pattern");
                    }
                    let (b, e) = (pat[p + 2], pat[p + 3]);
                    if s >= len || src[s] != b {
                        self.failing = true;
                        continue;
                    }
                    let mut cont = 1;
                    let mut j = s + 1;
                    let mut found = None;
                    while j < len {
                        let c = src[j];
                        if c == e {
                            cont -= 1;
                            if cont == 0 {
                                found = Some(j + 1);
                                break;
                            }
                        } else if c == b {
                            cont += 1;
                        }
                        j += 1;
                    }
                    *steps = steps.saturating_sub(((j - s) / 16) as u64);
                    match found {
                        Some(e) => {
                            s = e;
                            p += 4;
                        }
                        None => self.failing = true,
                    }
                }
                L_ESC if at(pat, p + 1) == b'f' => {
                    p += 2;
                    if at(pat, p) != b'[' {
                        return Err("missing '[' after '%f' in pattern");
                    }
                    let ep = class_end(pat, p)?;
                    let prev = if s == 0 { 0 } else { src[s - 1] };
                    let cur = if s < len { src[s] } else { 0 };
                    if match_bracket(prev, pat, p, ep - 1) || !match_bracket(cur, pat, p, ep - 1) {
                        self.failing = true;
                    } else {
                        p = ep;
                    }
                }
                L_ESC if at(pat, p + 1).is_ascii_digit() => {
                    let l = (at(pat, p + 1) - b'1') as isize;
                    if l < 0
                        || l as usize >= self.level
                        || self.capture[l as usize].1 == CAP_UNFINISHED
                    {
                        return Err("invalid capture index");
                    }
                    let (init, clen) = self.capture[l as usize];
                    // A position capture's length reads as huge in C: never equal.
                    let clen = if clen < 0 { usize::MAX } else { clen as usize };
                    if len - s >= clen && src[init..init + clen] == src[s..s + clen] {
                        s += clen;
                        p += 2;
                    } else {
                        self.failing = true;
                    }
                }
                _ => {
                    let ep = class_end(pat, p)?;
                    let m = s < len && single_match(src[s], pat, p, ep);
                    match at(pat, ep) {
                        b'?' => {
                            if m {
                                self.stack.push(Entry::Optional { s, ep });
                                s += 1;
                            }
                            p = ep + 1;
                        }
                        b'*' | b'+' => {
                            let start = if at(pat, ep) == b'+' {
                                if !m {
                                    self.failing = true;
                                    continue;
                                }
                                s + 1
                            } else {
                                s
                            };
                            let mut i = 0;
                            while start + i < len && single_match(src[start + i], pat, p, ep) {
                                i += 1;
                            }
                            *steps = steps.saturating_sub((i / 16) as u64);
                            self.stack.push(Entry::MaxExpand { s: start, i, ep });
                            s = start + i;
                            p = ep + 1;
                        }
                        b'-' => {
                            self.stack.push(Entry::MinExpand { s, p, ep });
                            p = ep + 1;
                        }
                        _ => {
                            if m {
                                s += 1;
                                p = ep;
                            } else {
                                self.failing = true;
                            }
                        }
                    }
                }
            }
        }
    }
}

/// `lmemfind`, in linear time (Knuth-Morris-Pratt): the first position of `needle` in
/// `hay`.
pub fn find_plain(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return Some(0);
    }
    if needle.len() > hay.len() {
        return None;
    }
    if needle.len() == 1 {
        return hay.iter().position(|&b| b == needle[0]);
    }
    let mut fail = vec![0usize; needle.len()];
    let mut k = 0;
    for i in 1..needle.len() {
        while k > 0 && needle[i] != needle[k] {
            k = fail[k - 1];
        }
        if needle[i] == needle[k] {
            k += 1;
        }
        fail[i] = k;
    }
    let mut q = 0;
    for (i, &c) in hay.iter().enumerate() {
        while q > 0 && c != needle[q] {
            q = fail[q - 1];
        }
        if c == needle[q] {
            q += 1;
        }
        if q == needle.len() {
            return Some(i + 1 - q);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(src: &str, pat: &str) -> Option<(usize, Vec<(usize, isize)>)> {
        let mut mt = Matcher::new(0);
        let mut steps = u64::MAX;
        for start in 0..=src.len() {
            mt.reset(start);
            match mt.run(src.as_bytes(), pat.as_bytes(), &mut steps).unwrap() {
                Progress::Matched(e) => return Some((e, mt.capture[..mt.level].to_vec())),
                Progress::NoMatch => {}
                Progress::OutOfSteps => unreachable!(),
            }
        }
        None
    }

    #[test]
    fn patterns() {
        assert_eq!(m("hello world", "o w").map(|r| r.0), Some(7));
        assert_eq!(m("hello", "l+").map(|r| r.0), Some(4));
        assert_eq!(m("aaa", "a-$").map(|r| r.0), Some(3));
        assert_eq!(m("key=val", "(%w+)=(%w+)").unwrap().1, vec![(0, 3), (4, 3)]);
        assert_eq!(m("THE (quick) fox", "%b()").map(|r| r.0), Some(11));
        assert_eq!(
            m("x = 1", "()=()").unwrap().1,
            vec![(2, CAP_POSITION), (3, CAP_POSITION)]
        );
        assert_eq!(m("abcabc", "(abc)%1").map(|r| r.0), Some(6));
        assert_eq!(m("THE quick", "%f[%a]%a+").map(|r| r.0), Some(3));
        assert!(m("abc", "x?y?z").is_none());
    }

    #[test]
    fn resumes_after_running_out_of_steps() {
        let src = "a".repeat(30) + "b";
        let pat = "a*a*a*c";
        let mut mt = Matcher::new(0);
        let mut runs = 0;
        loop {
            let mut steps = 10;
            match mt.run(src.as_bytes(), pat.as_bytes(), &mut steps).unwrap() {
                Progress::OutOfSteps => runs += 1,
                Progress::NoMatch => break,
                Progress::Matched(_) => panic!("cannot match"),
            }
        }
        assert!(runs > 10);
    }

    #[test]
    fn plain_find() {
        assert_eq!(find_plain(b"hello", b"ll"), Some(2));
        assert_eq!(find_plain(b"aaab", b"aab"), Some(1));
        assert_eq!(find_plain(b"abc", b""), Some(0));
        assert_eq!(find_plain(b"abc", b"abcd"), None);
    }
}
