//! What the `lua` fuzz target checks, on stable: mangled Lua (the golden programs with
//! bytes flipped, cut, duplicated and spliced, and random token soup) compiles or is
//! refused, and runs under a budget and a memory limit to an error, an end or a pause,
//! never a panic; after a kill the state runs another chunk.

use std::path::Path;

use keyspace_lua::{Lua, Step};

/// xorshift64*: deterministic mutations, the same on every run.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }

    fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
}

const TOKENS: &[&str] = &[
    "local",
    "function",
    "end",
    "if",
    "then",
    "else",
    "while",
    "do",
    "for",
    "in",
    "repeat",
    "until",
    "return",
    "break",
    "and",
    "or",
    "not",
    "nil",
    "true",
    "false",
    "...",
    "..",
    "=",
    "==",
    "~=",
    "<",
    "<=",
    "(",
    ")",
    "{",
    "}",
    "[",
    "]",
    ".",
    ":",
    ",",
    ";",
    "+",
    "-",
    "*",
    "/",
    "%",
    "^",
    "#",
    "x",
    "y",
    "t",
    "f",
    "1",
    "0",
    "2^53",
    "'s'",
    "[[long]]",
    "pcall",
    "error",
    "setmetatable",
    "string",
    "table.sort",
    "coroutine.wrap",
    "cjson.encode",
    "cmsgpack.unpack",
    "string.rep",
    "tostring",
    "__index",
    "__add",
    "__call",
    "getmetatable",
    "select",
    "unpack",
    "rawset",
    "string.gsub",
    "'%a+'",
    "function(...) return ... end",
    "\n",
];

fn mangle(rng: &mut Rng, src: &[u8], corpus: &[Vec<u8>]) -> Vec<u8> {
    let mut s = src.to_vec();
    for _ in 0..1 + rng.below(4) {
        if s.is_empty() {
            break;
        }
        let at = rng.below(s.len());
        match rng.below(6) {
            0 => s[at] = rng.next() as u8,
            1 => {
                let end = (at + rng.below(64)).min(s.len());
                s.drain(at..end);
            }
            2 => {
                let end = (at + rng.below(64)).min(s.len());
                let piece = s[at..end].to_vec();
                s.splice(at..at, piece);
            }
            3 => {
                let other = &corpus[rng.below(corpus.len())];
                if !other.is_empty() {
                    let from = rng.below(other.len());
                    let end = (from + rng.below(200)).min(other.len());
                    s.splice(at..at, other[from..end].iter().copied());
                }
            }
            4 => {
                let tok = TOKENS[rng.below(TOKENS.len())];
                s.splice(at..at, format!(" {} ", tok).bytes());
            }
            _ => s.truncate(at),
        }
    }
    s
}

fn soup(rng: &mut Rng) -> Vec<u8> {
    let mut s = String::new();
    for _ in 0..rng.below(60) {
        s.push_str(TOKENS[rng.below(TOKENS.len())]);
        s.push(' ');
    }
    s.into_bytes()
}

fn exercise(src: &[u8], redis: bool) {
    let mut lua = Lua::new();
    if redis {
        lua.open_redis().expect("libraries");
    } else {
        lua.open_standard().expect("libraries");
    }
    lua.set_memory_limit(Some(8 << 20));
    if let Ok(f) = lua.load(src, "@fuzz") {
        if let Ok(mut exec) = lua.call(f, &[]) {
            let mut done = false;
            for _ in 0..4 {
                match lua.resume(&mut exec, &mut (), 20_000) {
                    Step::Paused => {}
                    _ => {
                        done = true;
                        break;
                    }
                }
            }
            if !done {
                lua.kill(exec);
            }
        }
    }
    lua.collect();
    let f = lua.load(b"return 'alive'", "=after").expect("compiles");
    let v = lua.call_sync(f, &[], &mut ()).expect("runs");
    assert_eq!(lua.display(v[0]), "alive");
}

#[test]
fn mangled_programs_never_panic() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    let mut corpus = Vec::new();
    for dir in ["lua51", "redis"] {
        let mut files: Vec<_> = std::fs::read_dir(root.join(dir))
            .expect("corpus")
            .flatten()
            .map(|e| e.path())
            .collect();
        files.sort();
        for p in files {
            if p.extension().is_some_and(|e| e == "lua") {
                corpus.push(std::fs::read(p).expect("read"));
            }
        }
    }
    // LUA_FUZZ_ROUNDS and LUA_FUZZ_SEED widen the search by hand (release build advised).
    let rounds = std::env::var("LUA_FUZZ_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(600);
    let seed = std::env::var("LUA_FUZZ_SEED")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(0x9e37_79b9_7f4a_7c15);
    let mut rng = Rng(seed);
    for round in 0..rounds {
        let src = if round % 5 == 4 {
            soup(&mut rng)
        } else {
            let pick = rng.below(corpus.len());
            mangle(&mut rng, &corpus[pick], &corpus)
        };
        exercise(&src, round % 2 == 0);
    }
}
