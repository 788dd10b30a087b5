//! The lexer: Lua 5.1's tokens, escapes, long brackets and numerals, with `llex.c`'s error
//! messages, including the text it quotes after `near` (the raw text of the last token
//! read, as C Lua keeps it in its buffer).

use crate::debug::chunk_id_sized;

/// `MAXSRC`: the size of the chunk id in lexer and parser messages.
const MAXSRC: usize = 80;
use crate::number::str2d;

pub const FIRST_RESERVED: i32 = 257;
pub const TK_AND: i32 = 257;
pub const TK_BREAK: i32 = 258;
pub const TK_DO: i32 = 259;
pub const TK_ELSE: i32 = 260;
pub const TK_ELSEIF: i32 = 261;
pub const TK_END: i32 = 262;
pub const TK_FALSE: i32 = 263;
pub const TK_FOR: i32 = 264;
pub const TK_FUNCTION: i32 = 265;
pub const TK_IF: i32 = 266;
pub const TK_IN: i32 = 267;
pub const TK_LOCAL: i32 = 268;
pub const TK_NIL: i32 = 269;
pub const TK_NOT: i32 = 270;
pub const TK_OR: i32 = 271;
pub const TK_REPEAT: i32 = 272;
pub const TK_RETURN: i32 = 273;
pub const TK_THEN: i32 = 274;
pub const TK_TRUE: i32 = 275;
pub const TK_UNTIL: i32 = 276;
pub const TK_WHILE: i32 = 277;
pub const TK_CONCAT: i32 = 278;
pub const TK_DOTS: i32 = 279;
pub const TK_EQ: i32 = 280;
pub const TK_GE: i32 = 281;
pub const TK_LE: i32 = 282;
pub const TK_NE: i32 = 283;
pub const TK_NUMBER: i32 = 284;
pub const TK_NAME: i32 = 285;
pub const TK_STRING: i32 = 286;
pub const TK_EOS: i32 = 287;

const TOKENS: [&str; 31] = [
    "and", "break", "do", "else", "elseif", "end", "false", "for", "function", "if", "in", "local",
    "nil", "not", "or", "repeat", "return", "then", "true", "until", "while", "..", "...", "==",
    ">=", "<=", "~=", "<number>", "<name>", "<string>", "<eof>",
];
/// The reserved words are the first 21 tokens.
const NUM_RESERVED: usize = 21;

const EOZ: i32 = -1;

/// A token and its semantic value.
#[derive(Clone, Debug, Default)]
pub struct Token {
    pub tok: i32,
    pub num: f64,
    pub s: Vec<u8>,
}

/// `luaX_token2str`.
pub fn token2str(tok: i32) -> String {
    if tok < FIRST_RESERVED {
        let c = tok as u8;
        if c < 32 || c == 127 {
            format!("char({})", tok)
        } else {
            (c as char).to_string()
        }
    } else {
        TOKENS[(tok - FIRST_RESERVED) as usize].to_string()
    }
}

pub struct Lexer<'a> {
    src: &'a [u8],
    pos: usize,
    current: i32,
    pub linenumber: u32,
    pub lastline: u32,
    /// The raw text of the token being read (C Lua's `buff`), quoted in messages.
    buff: Vec<u8>,
    pub t: Token,
    pub lookahead: Option<Token>,
    pub source: &'a [u8],
}

impl<'a> Lexer<'a> {
    pub fn new(src: &'a [u8], source: &'a [u8]) -> Lexer<'a> {
        let mut lx = Lexer {
            src,
            pos: 0,
            current: EOZ,
            linenumber: 1,
            lastline: 1,
            buff: Vec::new(),
            t: Token {
                tok: TK_EOS,
                ..Token::default()
            },
            lookahead: None,
            source,
        };
        lx.next_char();
        lx
    }

    #[inline]
    fn next_char(&mut self) {
        self.current = match self.src.get(self.pos) {
            Some(&c) => {
                self.pos += 1;
                i32::from(c)
            }
            None => EOZ,
        };
    }

    #[inline]
    fn save(&mut self, c: i32) {
        self.buff.push(c as u8);
    }

    #[inline]
    fn save_and_next(&mut self) {
        self.save(self.current);
        self.next_char();
    }

    fn is_newline(&self) -> bool {
        self.current == i32::from(b'\n') || self.current == i32::from(b'\r')
    }

    /// The message of a lexical or syntax error (`luaX_lexerror`).
    pub fn error_msg(&self, msg: &str, token: i32) -> Vec<u8> {
        let mut m = chunk_id_sized(self.source, MAXSRC);
        m.extend_from_slice(format!(":{}: {}", self.linenumber, msg).as_bytes());
        if token != 0 {
            m.extend_from_slice(b" near '");
            match token {
                TK_NAME | TK_STRING | TK_NUMBER => {
                    let text = match self.buff.iter().position(|&b| b == 0) {
                        Some(n) => &self.buff[..n],
                        None => &self.buff[..],
                    };
                    m.extend_from_slice(text);
                }
                _ => m.extend_from_slice(token2str(token).as_bytes()),
            }
            m.push(b'\'');
        }
        m
    }

    fn inc_line(&mut self) -> Result<(), Vec<u8>> {
        let old = self.current;
        self.next_char();
        if self.is_newline() && self.current != old {
            self.next_char();
        }
        self.linenumber += 1;
        if self.linenumber >= i32::MAX as u32 {
            return Err(self.error_msg("chunk has too many lines", self.t.tok));
        }
        Ok(())
    }

    /// `luaX_next`.
    pub fn next(&mut self) -> Result<(), Vec<u8>> {
        self.lastline = self.linenumber;
        if let Some(t) = self.lookahead.take() {
            self.t = t;
        } else {
            self.t = self.lex()?;
        }
        Ok(())
    }

    /// `luaX_lookahead`.
    pub fn peek(&mut self) -> Result<i32, Vec<u8>> {
        let t = self.lex()?;
        let tok = t.tok;
        self.lookahead = Some(t);
        Ok(tok)
    }

    fn check_next(&mut self, set: &[u8]) -> bool {
        if self.current >= 0 && set.contains(&(self.current as u8)) {
            self.save_and_next();
            true
        } else {
            false
        }
    }

    fn read_numeral(&mut self) -> Result<Token, Vec<u8>> {
        loop {
            self.save_and_next();
            let c = self.current;
            if !(is_digit(c) || c == i32::from(b'.')) {
                break;
            }
        }
        if self.check_next(b"Ee") {
            self.check_next(b"+-");
        }
        while is_alnum(self.current) || self.current == i32::from(b'_') {
            self.save_and_next();
        }
        match str2d(&self.buff) {
            Some(n) => Ok(Token {
                tok: TK_NUMBER,
                num: n,
                s: Vec::new(),
            }),
            None => Err(self.error_msg("malformed number", TK_NUMBER)),
        }
    }

    /// `skip_sep`: the level of a long bracket (`[==[`), or a negative value when it is
    /// not one.
    fn skip_sep(&mut self) -> i32 {
        let mut count = 0;
        let s = self.current;
        self.save_and_next();
        while self.current == i32::from(b'=') {
            self.save_and_next();
            count += 1;
        }
        if self.current == s {
            count
        } else {
            -count - 1
        }
    }

    fn read_long_string(&mut self, sep: i32, is_string: bool) -> Result<Vec<u8>, Vec<u8>> {
        self.save_and_next();
        if self.is_newline() {
            self.inc_line()?;
        }
        loop {
            match self.current {
                EOZ => {
                    let msg = if is_string {
                        "unfinished long string"
                    } else {
                        "unfinished long comment"
                    };
                    return Err(self.error_msg(msg, TK_EOS));
                }
                c if c == i32::from(b'[') => {
                    // LUA_COMPAT_LSTR == 1: a nested [[ in a level-0 long string is an error.
                    if self.skip_sep() == sep {
                        self.save_and_next();
                        if sep == 0 {
                            return Err(
                                self.error_msg("nesting of [[...]] is deprecated", i32::from(b'['))
                            );
                        }
                    }
                }
                c if c == i32::from(b']') => {
                    if self.skip_sep() == sep {
                        self.save_and_next();
                        break;
                    }
                }
                c if c == i32::from(b'\n') || c == i32::from(b'\r') => {
                    self.save(i32::from(b'\n'));
                    self.inc_line()?;
                    if !is_string {
                        self.buff.clear();
                    }
                }
                _ => {
                    if is_string {
                        self.save_and_next();
                    } else {
                        self.next_char();
                    }
                }
            }
        }
        let n = (2 + sep) as usize;
        if is_string {
            Ok(self.buff[n..self.buff.len() - n].to_vec())
        } else {
            Ok(Vec::new())
        }
    }

    fn read_string(&mut self, del: i32) -> Result<Vec<u8>, Vec<u8>> {
        self.save_and_next();
        while self.current != del {
            match self.current {
                EOZ => return Err(self.error_msg("unfinished string", TK_EOS)),
                c if c == i32::from(b'\n') || c == i32::from(b'\r') => {
                    return Err(self.error_msg("unfinished string", TK_STRING));
                }
                c if c == i32::from(b'\\') => {
                    self.next_char();
                    let c = match self.current {
                        x if x == i32::from(b'a') => 7,
                        x if x == i32::from(b'b') => 8,
                        x if x == i32::from(b'f') => 12,
                        x if x == i32::from(b'n') => 10,
                        x if x == i32::from(b'r') => 13,
                        x if x == i32::from(b't') => 9,
                        x if x == i32::from(b'v') => 11,
                        x if x == i32::from(b'\n') || x == i32::from(b'\r') => {
                            self.save(i32::from(b'\n'));
                            self.inc_line()?;
                            continue;
                        }
                        EOZ => continue,
                        x if !is_digit(x) => {
                            self.save_and_next();
                            continue;
                        }
                        _ => {
                            let mut i = 0;
                            let mut c = 0;
                            loop {
                                c = 10 * c + (self.current - i32::from(b'0'));
                                self.next_char();
                                i += 1;
                                if i >= 3 || !is_digit(self.current) {
                                    break;
                                }
                            }
                            if c > 255 {
                                return Err(self.error_msg("escape sequence too large", TK_STRING));
                            }
                            self.save(c);
                            continue;
                        }
                    };
                    self.save(c);
                    self.next_char();
                }
                _ => self.save_and_next(),
            }
        }
        self.save_and_next();
        Ok(self.buff[1..self.buff.len() - 1].to_vec())
    }

    /// `llex`: the next token.
    fn lex(&mut self) -> Result<Token, Vec<u8>> {
        self.buff.clear();
        let tok = |t: i32| {
            Ok(Token {
                tok: t,
                num: 0.0,
                s: Vec::new(),
            })
        };
        loop {
            let c = self.current;
            match c {
                x if x == i32::from(b'\n') || x == i32::from(b'\r') => {
                    self.inc_line()?;
                }
                x if x == i32::from(b'-') => {
                    self.next_char();
                    if self.current != i32::from(b'-') {
                        return tok(i32::from(b'-'));
                    }
                    self.next_char();
                    if self.current == i32::from(b'[') {
                        let sep = self.skip_sep();
                        self.buff.clear();
                        if sep >= 0 {
                            self.read_long_string(sep, false)?;
                            self.buff.clear();
                            continue;
                        }
                    }
                    while !self.is_newline() && self.current != EOZ {
                        self.next_char();
                    }
                }
                x if x == i32::from(b'[') => {
                    let sep = self.skip_sep();
                    if sep >= 0 {
                        let s = self.read_long_string(sep, true)?;
                        return Ok(Token {
                            tok: TK_STRING,
                            num: 0.0,
                            s,
                        });
                    } else if sep == -1 {
                        return tok(i32::from(b'['));
                    } else {
                        return Err(self.error_msg("invalid long string delimiter", TK_STRING));
                    }
                }
                x if x == i32::from(b'=') => {
                    self.next_char();
                    if self.current != i32::from(b'=') {
                        return tok(i32::from(b'='));
                    }
                    self.next_char();
                    return tok(TK_EQ);
                }
                x if x == i32::from(b'<') => {
                    self.next_char();
                    if self.current != i32::from(b'=') {
                        return tok(i32::from(b'<'));
                    }
                    self.next_char();
                    return tok(TK_LE);
                }
                x if x == i32::from(b'>') => {
                    self.next_char();
                    if self.current != i32::from(b'=') {
                        return tok(i32::from(b'>'));
                    }
                    self.next_char();
                    return tok(TK_GE);
                }
                x if x == i32::from(b'~') => {
                    self.next_char();
                    if self.current != i32::from(b'=') {
                        return tok(i32::from(b'~'));
                    }
                    self.next_char();
                    return tok(TK_NE);
                }
                x if x == i32::from(b'"') || x == i32::from(b'\'') => {
                    let s = self.read_string(x)?;
                    return Ok(Token {
                        tok: TK_STRING,
                        num: 0.0,
                        s,
                    });
                }
                x if x == i32::from(b'.') => {
                    self.save_and_next();
                    if self.check_next(b".") {
                        if self.check_next(b".") {
                            return tok(TK_DOTS);
                        }
                        return tok(TK_CONCAT);
                    } else if !is_digit(self.current) {
                        return tok(i32::from(b'.'));
                    }
                    return self.read_numeral();
                }
                EOZ => return tok(TK_EOS),
                _ => {
                    if is_space(c) {
                        self.next_char();
                    } else if is_digit(c) {
                        return self.read_numeral();
                    } else if is_alpha(c) || c == i32::from(b'_') {
                        loop {
                            self.save_and_next();
                            if !(is_alnum(self.current) || self.current == i32::from(b'_')) {
                                break;
                            }
                        }
                        if let Some(r) = TOKENS[..NUM_RESERVED]
                            .iter()
                            .position(|w| w.as_bytes() == self.buff.as_slice())
                        {
                            return tok(FIRST_RESERVED + r as i32);
                        }
                        return Ok(Token {
                            tok: TK_NAME,
                            num: 0.0,
                            s: self.buff.clone(),
                        });
                    } else {
                        self.next_char();
                        return tok(c);
                    }
                }
            }
        }
    }
}

fn is_digit(c: i32) -> bool {
    (i32::from(b'0')..=i32::from(b'9')).contains(&c)
}

fn is_alpha(c: i32) -> bool {
    (0..256).contains(&c) && (c as u8).is_ascii_alphabetic()
}

fn is_alnum(c: i32) -> bool {
    is_digit(c) || is_alpha(c)
}

fn is_space(c: i32) -> bool {
    (0..256).contains(&c) && crate::number::is_c_space(c as u8)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tokens(src: &str) -> Vec<i32> {
        let mut lx = Lexer::new(src.as_bytes(), b"=t");
        let mut out = Vec::new();
        loop {
            lx.next().unwrap();
            if lx.t.tok == TK_EOS {
                break;
            }
            out.push(lx.t.tok);
        }
        out
    }

    fn error(src: &str) -> String {
        let mut lx = Lexer::new(src.as_bytes(), b"=t");
        loop {
            match lx.next() {
                Err(e) => return String::from_utf8(e).unwrap(),
                Ok(()) if lx.t.tok == TK_EOS => return String::new(),
                Ok(()) => {}
            }
        }
    }

    #[test]
    fn tokens_and_values() {
        assert_eq!(
            tokens("local x = 1 .. 2"),
            vec![
                TK_LOCAL,
                TK_NAME,
                i32::from(b'='),
                TK_NUMBER,
                TK_CONCAT,
                TK_NUMBER
            ]
        );
        let mut lx = Lexer::new(b"'a\\65\\n\\\"' [==[\nx]]y]==] 0x10 1e2", b"=t");
        lx.next().unwrap();
        assert_eq!(lx.t.s, b"aA\n\"");
        lx.next().unwrap();
        assert_eq!(lx.t.s, b"x]]y");
        lx.next().unwrap();
        assert_eq!(lx.t.num, 16.0);
        lx.next().unwrap();
        assert_eq!(lx.t.num, 100.0);
    }

    #[test]
    fn lexical_errors() {
        assert_eq!(error("x = \"abc"), "t:1: unfinished string near '<eof>'");
        assert_eq!(
            error("x = \"abc\ny\""),
            "t:1: unfinished string near '\"abc'"
        );
        assert_eq!(error("x = 3..2"), "t:1: malformed number near '3..2'");
        assert_eq!(
            error("x = '\\300'"),
            "t:1: escape sequence too large near '''"
        );
        assert_eq!(
            error("x = [==[ abc"),
            "t:1: unfinished long string near '<eof>'"
        );
        assert_eq!(
            error("--[[ abc"),
            "t:1: unfinished long comment near '<eof>'"
        );
        assert_eq!(
            error("x = [=x"),
            "t:1: invalid long string delimiter near '[='"
        );
    }
}
