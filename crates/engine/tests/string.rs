//! Native tests of the string family through the public `Engine` API, under a manual clock:
//! what the compat scripts cannot show (expiry as time moves, the keyspace events each command
//! announces, hit/miss counting), plus the replies most worth pinning down, each exactly as
//! Redis 7.0 gives it.

use keyspace::event::NotifyClass;
use keyspace::Reply;

impl Harness {
    fn hits_misses(&self) -> (u64, u64) {
        let stats = self.engine.stats();
        (stats.keyspace_hits, stats.keyspace_misses)
    }
}

fn ok() -> Reply {
    Reply::ok()
}

fn int(n: i64) -> Reply {
    Reply::Integer(n)
}

fn bulk(s: &str) -> Reply {
    Reply::bulk(s)
}

fn err(s: &str) -> Reply {
    Reply::Error(s.into())
}

fn ints(pairs: &[[i64; 2]]) -> Vec<Reply> {
    pairs
        .iter()
        .map(|[a, b]| Reply::Array(vec![int(*a), int(*b)]))
        .collect()
}

use NotifyClass::{Expired, Generic, String as Str};

mod common;
use common::{Harness, START_MS};

#[test]
fn set_and_get() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("GET k"), Reply::Null);
    assert_eq!(h.run("SET k v"), ok());
    assert_eq!(h.run("GET k"), bulk("v"));
    assert_eq!(h.run("SET bin \"a\\x00b\""), ok());
    assert_eq!(h.run("GET bin"), Reply::bulk(b"a\0b".to_vec()));
    assert_eq!(
        h.run("SET k"),
        err("ERR wrong number of arguments for 'set' command")
    );
    assert_eq!(
        h.run("GET k x"),
        err("ERR wrong number of arguments for 'get' command")
    );
    assert_eq!(
        h.events(),
        vec![(Str, "set", "k".into()), (Str, "set", "bin".into())]
    );
}

#[test]
fn set_conditions_and_get_option() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("SET k v XX"), Reply::Null);
    assert_eq!(h.run("SET k v NX"), ok());
    assert_eq!(h.run("SET k w NX"), Reply::Null);
    assert_eq!(h.run("SET k w XX GET"), bulk("v"));
    assert_eq!(h.run("SET k x NX GET"), bulk("w"));
    assert_eq!(h.run("GET k"), bulk("w"));
    assert_eq!(h.run("SET new v GET"), Reply::Null);
    assert_eq!(h.run("SET k v NX XX"), err("ERR syntax error"));
    assert_eq!(h.run("SET k v GET FOO"), err("ERR syntax error"));
    assert_eq!(h.run("SET k v PERSIST"), err("ERR syntax error"));
    assert_eq!(h.run("SETNX k v"), int(0));
    assert_eq!(h.run("SETNX other v"), int(1));
}

#[test]
fn set_options_that_clash_are_syntax_errors() {
    let mut h = Harness::new(7);
    for options in [
        "EX 10 PX 10",
        "PX 10 EXAT 10",
        "EXAT 10 PXAT 10",
        "PXAT 10 EX 10",
        "KEEPTTL EX 10",
        "EX 10 KEEPTTL",
        "EX",
        "XX NX",
    ] {
        assert_eq!(
            h.run(&format!("SET k v {options}")),
            err("ERR syntax error"),
            "{options}"
        );
    }
    // The same expiry twice is fine: the last one wins.
    assert_eq!(h.run("SET k v EX 10 EX 20"), ok());
    assert_eq!(h.run("TTL k"), int(20));
    assert_eq!(h.run("EXISTS k"), int(1));
}

#[test]
fn invalid_expire_times_name_the_command() {
    let mut h = Harness::new(7);
    let set_err = err("ERR invalid expire time in 'set' command");
    assert_eq!(h.run("SET k v EX 0"), set_err);
    assert_eq!(h.run("SET k v PX -1"), set_err);
    assert_eq!(h.run("SET k v EX 9223372036854776"), set_err);
    // Fits in milliseconds, but not once the current time is added.
    assert_eq!(h.run("SET k v EX 9223372036854775"), set_err);
    assert_eq!(h.run("SET k v PX 9223372036854775807"), set_err);
    assert_eq!(
        h.run("SET k v EX abc"),
        err("ERR value is not an integer or out of range")
    );
    assert_eq!(
        h.run("SETEX k 0 v"),
        err("ERR invalid expire time in 'setex' command")
    );
    assert_eq!(
        h.run("PSETEX k 0 v"),
        err("ERR invalid expire time in 'psetex' command")
    );
    assert_eq!(h.run("EXISTS k"), int(0));
    // An absolute time needs no room for "now".
    assert_eq!(h.run("SET k v PXAT 9223372036854775807"), ok());
    assert!(h.events().iter().all(|(_, _, key)| key == "k"));
}

#[test]
fn set_ex_expires_as_the_clock_moves() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("SET k v EX 10"), ok());
    assert_eq!(
        h.events(),
        vec![(Str, "set", "k".into()), (Generic, "expire", "k".into())]
    );
    h.clock.advance_ms(9_999);
    assert_eq!(h.run("GET k"), bulk("v"));
    assert_eq!(h.run("PTTL k"), int(1));
    h.clock.advance_ms(1);
    // Redis expires a key strictly after its time.
    assert_eq!(h.run("GET k"), bulk("v"));
    h.clock.advance_ms(1);
    assert_eq!(h.run("GET k"), Reply::Null);
    assert_eq!(h.events(), vec![(Expired, "expired", "k".into())]);

    assert_eq!(h.run("PSETEX p 1500 v"), ok());
    assert_eq!(h.run("PTTL p"), int(1500));
    assert_eq!(h.run("SETEX s 3 v"), ok());
    assert_eq!(h.run("TTL s"), int(3));
    let at = (START_MS + 10_001) / 1000 + 100;
    assert_eq!(h.run(&format!("SET a v EXAT {at}")), ok());
    assert_eq!(h.run("EXPIRETIME a"), int(at as i64));
    h.clock.advance_ms(5_000);
    assert_eq!(
        h.run("MGET p s a"),
        Reply::Array(vec![Reply::Null, Reply::Null, bulk("v")])
    );
}

#[test]
fn set_drops_the_ttl_unless_keepttl() {
    let mut h = Harness::new(7);
    h.run("SET k v EX 100");
    assert_eq!(h.run("SET k w KEEPTTL"), ok());
    assert_eq!(h.run("TTL k"), int(100));
    assert_eq!(h.run("SET k x"), ok());
    assert_eq!(h.run("TTL k"), int(-1));
    h.run("SET k v EX 100");
    assert_eq!(h.run("GETSET k w"), bulk("v"));
    assert_eq!(h.run("TTL k"), int(-1));
    h.run("SET k v EX 100");
    assert_eq!(h.run("MSET k w"), ok());
    assert_eq!(h.run("TTL k"), int(-1));
}

#[test]
fn set_with_a_past_absolute_time_leaves_a_key_that_is_already_expired() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("SET k v EXAT 1"), ok());
    assert_eq!(
        h.events(),
        vec![(Str, "set", "k".into()), (Generic, "expire", "k".into())]
    );
    assert_eq!(h.run("GET k"), Reply::Null);
    assert_eq!(h.events(), vec![(Expired, "expired", "k".into())]);
}

#[test]
fn getex_changes_the_ttl_after_reading() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("GETEX k EX 10"), Reply::Null);
    // The expiry is only checked once the key is found.
    assert_eq!(h.run("GETEX k EX abc"), Reply::Null);
    assert_eq!(h.run("GETEX k PERSIST EX 10"), err("ERR syntax error"));
    assert_eq!(h.run("GETEX k NX"), err("ERR syntax error"));
    h.run("SET k v");
    h.events();
    assert_eq!(h.run("GETEX k"), bulk("v"));
    assert_eq!(h.run("GETEX k PERSIST"), bulk("v"));
    assert_eq!(h.events(), vec![]);
    assert_eq!(
        h.run("GETEX k EX 0"),
        err("ERR invalid expire time in 'getex' command")
    );
    assert_eq!(h.run("GETEX k PX 2500"), bulk("v"));
    assert_eq!(h.run("PTTL k"), int(2500));
    assert_eq!(h.run("GETEX k PERSIST"), bulk("v"));
    assert_eq!(h.run("PTTL k"), int(-1));
    assert_eq!(
        h.events(),
        vec![
            (Generic, "expire", "k".into()),
            (Generic, "persist", "k".into())
        ]
    );
    // An absolute time already past deletes the key at once, announced as a deletion.
    let now_s = START_MS / 1000;
    assert_eq!(h.run(&format!("GETEX k EXAT {now_s}")), bulk("v"));
    assert_eq!(h.run("EXISTS k"), int(0));
    assert_eq!(h.events(), vec![(Generic, "del", "k".into())]);
    h.run("SET k v");
    assert_eq!(h.run(&format!("GETEX k PXAT {}", START_MS + 1)), bulk("v"));
    h.clock.advance_ms(2);
    assert_eq!(h.run("GET k"), Reply::Null);
}

#[test]
fn getdel_and_getset() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("GETDEL k"), Reply::Null);
    assert_eq!(h.run("GETSET k a"), Reply::Null);
    assert_eq!(h.run("GETSET k b"), bulk("a"));
    assert_eq!(h.run("GETDEL k"), bulk("b"));
    assert_eq!(h.run("GETDEL k"), Reply::Null);
    assert_eq!(
        h.events(),
        vec![
            (Str, "set", "k".into()),
            (Str, "set", "k".into()),
            (Generic, "del", "k".into())
        ]
    );
}

#[test]
fn mset_mget_msetnx() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("MSET a 1 b 2"), ok());
    assert_eq!(
        h.run("MGET a b c"),
        Reply::Array(vec![bulk("1"), bulk("2"), Reply::Null])
    );
    assert_eq!(
        h.run("MSET a 1 b"),
        err("ERR wrong number of arguments for 'mset' command")
    );
    assert_eq!(h.run("MSETNX c 3 a 9"), int(0));
    assert_eq!(h.run("EXISTS c"), int(0));
    assert_eq!(h.run("MSETNX c 3 d 4"), int(1));
    assert_eq!(
        h.run("MSETNX c"),
        err("ERR wrong number of arguments for 'msetnx' command")
    );
    assert_eq!(
        h.events(),
        vec![
            (Str, "set", "a".into()),
            (Str, "set", "b".into()),
            (Str, "set", "c".into()),
            (Str, "set", "d".into())
        ]
    );
}

#[test]
fn reads_count_hits_and_misses_and_writes_do_not() {
    let mut h = Harness::new(7);
    h.run("SET k v");
    h.run("INCR n");
    h.run("APPEND k x");
    h.run("SETRANGE k 0 y");
    assert_eq!(h.hits_misses(), (0, 0));
    h.run("GET k");
    h.run("GET missing");
    assert_eq!(h.hits_misses(), (1, 1));
    h.run("MGET k missing n");
    assert_eq!(h.hits_misses(), (3, 2));
    h.run("SET k v GET");
    h.run("GETSET other v");
    h.run("STRLEN k");
    h.run("GETRANGE k 0 1");
    h.run("LCS k other");
    h.run("GETEX k");
    h.run("GETDEL k");
    assert_eq!(h.hits_misses(), (10, 3));
}

#[test]
fn integer_counters() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("INCR c"), int(1));
    assert_eq!(h.run("INCRBY c 41"), int(42));
    assert_eq!(h.run("DECR c"), int(41));
    assert_eq!(h.run("DECRBY c 50"), int(-9));
    assert_eq!(h.run("GET c"), bulk("-9"));
    assert_eq!(h.run("SET c 9223372036854775807"), ok());
    assert_eq!(
        h.run("INCR c"),
        err("ERR increment or decrement would overflow")
    );
    assert_eq!(
        h.run("DECRBY c -9223372036854775808"),
        err("ERR decrement would overflow")
    );
    assert_eq!(
        h.run("INCRBY c 1.5"),
        err("ERR value is not an integer or out of range")
    );
    for stored in [
        "abc",
        "1.0",
        "-0",
        "007",
        "\" 1\"",
        "\"\"",
        "12345678901234567890",
    ] {
        h.run(&format!("SET c {stored}"));
        assert_eq!(
            h.run("INCR c"),
            err("ERR value is not an integer or out of range"),
            "{stored}"
        );
    }
    h.events();
    h.run("SET c 10 EX 100");
    assert_eq!(h.run("INCRBY c 5"), int(15));
    assert_eq!(h.run("TTL c"), int(100));
    assert_eq!(
        h.events(),
        vec![
            (Str, "set", "c".into()),
            (Generic, "expire", "c".into()),
            (Str, "incrby", "c".into())
        ]
    );
}

#[test]
fn incrbyfloat_in_long_double() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("SET k 10.5"), ok());
    assert_eq!(h.run("INCRBYFLOAT k 0.1"), bulk("10.6"));
    // Not 5010.6: at this size the 80-bit sum is off by more than 17 decimals can hide.
    assert_eq!(h.run("INCRBYFLOAT k 5.0e3"), bulk("5010.60000000000000009"));
    assert_eq!(h.run("INCRBYFLOAT k -5010.6"), bulk("0"));
    assert_eq!(h.run("INCRBYFLOAT n 0.1"), bulk("0.1"));
    assert_eq!(h.run("INCRBYFLOAT n 0.2"), bulk("0.3"));
    // Each reply below is what Redis 7.0 gives on x86-64.
    for (by, expected) in [
        (
            "3.14159265358979323846264338327950288",
            "3.14159265358979324",
        ),
        ("0x1.8p1", "3"),
        ("0.000003814697265625", "0.00000381469726562"),
        ("1e30", "1000000000000000000024696061952"),
        (
            "123456789012345678901234567890",
            "123456789012345678899921813504",
        ),
        ("-0.000000000000000001", "0"),
        ("18446744073709551617", "18446744073709551616"),
    ] {
        h.run("DEL f");
        assert_eq!(
            h.run(&format!("INCRBYFLOAT f {by}")),
            bulk(expected),
            "{by}"
        );
    }
    let not_float = err("ERR value is not a valid float");
    for bad in [
        "abc",
        "nan",
        "\"\"",
        "\" 1\"",
        "\"1 \"",
        "1e",
        "0x",
        "1e5000",
        "1e-5000",
        "\"1\\x00\"",
    ] {
        assert_eq!(h.run(&format!("INCRBYFLOAT f {bad}")), not_float, "{bad}");
    }
    let nan_or_inf = err("ERR increment would produce NaN or Infinity");
    assert_eq!(h.run("INCRBYFLOAT f inf"), nan_or_inf);
    assert_eq!(h.run("SET f 1.1e4932"), ok());
    assert_eq!(h.run("INCRBYFLOAT f 1.1e4932"), nan_or_inf);
    assert_eq!(h.run("SET f abc"), ok());
    assert_eq!(h.run("INCRBYFLOAT f 1"), not_float);
    h.events();
    h.run("SET f 1.5 EX 100");
    assert_eq!(h.run("INCRBYFLOAT f 1"), bulk("2.5"));
    assert_eq!(h.run("TTL f"), int(100));
    assert_eq!(h.events().last(), Some(&(Str, "incrbyfloat", "f".into())));
}

#[test]
fn append_and_strlen() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("STRLEN k"), int(0));
    assert_eq!(h.run("APPEND k \"\""), int(0));
    assert_eq!(h.run("EXISTS k"), int(1));
    assert_eq!(h.run("APPEND k hello"), int(5));
    assert_eq!(h.run("APPEND k \" world\""), int(11));
    assert_eq!(h.run("STRLEN k"), int(11));
    assert_eq!(h.events(), vec![(Str, "append", "k".into()); 3]);
    h.run("CONFIG SET proto-max-bulk-len 1048576");
    let too_long = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    assert_eq!(h.run("SETRANGE big 1048575 x"), int(1_048_576));
    assert_eq!(h.run("APPEND big y"), too_long);
    assert_eq!(h.run("APPEND big \"\""), int(1_048_576));
}

#[test]
fn getrange_offsets() {
    let mut h = Harness::new(7);
    h.run("SET r \"Hello World\"");
    for (range, expected) in [
        ("0 4", "Hello"),
        ("-5 -1", "World"),
        ("0 -1", "Hello World"),
        ("0 -100", "H"),
        ("-100 -1", "Hello World"),
        ("-1 -5", ""),
        ("5 1", ""),
        ("6 100", "World"),
        ("100 200", ""),
        ("-9223372036854775808 9223372036854775807", "Hello World"),
    ] {
        assert_eq!(
            h.run(&format!("GETRANGE r {range}")),
            bulk(expected),
            "{range}"
        );
    }
    assert_eq!(h.run("SUBSTR r 0 4"), bulk("Hello"));
    assert_eq!(h.run("GETRANGE missing 0 -1"), bulk(""));
    assert_eq!(
        h.run("GETRANGE r a 1"),
        err("ERR value is not an integer or out of range")
    );
    h.run("SET e \"\"");
    assert_eq!(h.run("GETRANGE e 0 -1"), bulk(""));
}

#[test]
fn setrange_pads_and_checks_offsets() {
    let mut h = Harness::new(7);
    assert_eq!(h.run("SETRANGE k 0 \"\""), int(0));
    assert_eq!(h.run("EXISTS k"), int(0));
    assert_eq!(h.run("SETRANGE k 3 abc"), int(6));
    assert_eq!(h.run("GET k"), Reply::bulk(b"\0\0\0abc".to_vec()));
    assert_eq!(h.run("SETRANGE k 1 X"), int(6));
    assert_eq!(h.run("GET k"), Reply::bulk(b"\0X\0abc".to_vec()));
    assert_eq!(h.run("SETRANGE k 100 \"\""), int(6));
    assert_eq!(h.run("SETRANGE k -1 x"), err("ERR offset is out of range"));
    let too_long = err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");
    assert_eq!(h.run("SETRANGE k 9223372036854775807 x"), too_long);
    assert_eq!(h.run("SETRANGE k 536870912 x"), too_long);
    assert_eq!(
        h.events(),
        vec![(Str, "setrange", "k".into()), (Str, "setrange", "k".into())]
    );
    h.run("SET t v EX 100");
    assert_eq!(h.run("SETRANGE t 0 w"), int(1));
    assert_eq!(h.run("TTL t"), int(100));
}

#[test]
fn lcs_subsequence_length_and_ranges() {
    let mut h = Harness::new(7);
    h.run("MSET a ohmytext b mynewtext");
    assert_eq!(h.run("LCS a b"), bulk("mytext"));
    assert_eq!(h.run("LCS a b LEN"), int(6));
    let matches = |with_len: bool, min: i64| {
        let all = [([4, 7], [5, 8], 4), ([2, 3], [0, 1], 2)];
        all.iter()
            .filter(|(_, _, len)| *len >= min)
            .map(|(ra, rb, len)| {
                let mut entry = ints(&[*ra, *rb]);
                if with_len {
                    entry.push(int(*len));
                }
                Reply::Array(entry)
            })
            .collect::<Vec<_>>()
    };
    let idx = |m: Vec<Reply>| {
        Reply::Map(vec![
            (bulk("matches"), Reply::Array(m)),
            (bulk("len"), int(6)),
        ])
    };
    assert_eq!(h.run("LCS a b IDX"), idx(matches(false, 0)));
    assert_eq!(
        h.run("LCS a b IDX MINMATCHLEN 4 WITHMATCHLEN"),
        idx(matches(true, 4))
    );
    assert_eq!(h.run("LCS a b IDX WITHMATCHLEN"), idx(matches(true, 0)));
    assert_eq!(h.run("LCS a missing"), bulk(""));
    assert_eq!(
        h.run("LCS a b LEN IDX"),
        err("ERR If you want both the length and indexes, please just use IDX.")
    );
    assert_eq!(h.run("LCS a b MINMATCHLEN"), err("ERR syntax error"));
    assert_eq!(
        h.run("LCS a b MINMATCHLEN x"),
        err("ERR value is not an integer or out of range")
    );
    h.run("CONFIG SET proto-max-bulk-len 1048576");
    h.run(&format!("SET long {}", "x".repeat(600)));
    assert_eq!(
        h.run("LCS long long"),
        err("ERR Insufficient memory, transient memory for LCS exceeds proto-max-bulk-len")
    );
    // LCS changes nothing.
    assert_eq!(h.events().len(), 3);
}

#[test]
fn the_spec_rows_match_redis() {
    use keyspace::spec::{self, flag};
    let rows = [
        ("set", -3, flag::WRITE | flag::DENYOOM, (1, 1, 1)),
        ("get", 2, flag::READONLY | flag::FAST, (1, 1, 1)),
        ("getex", -2, flag::WRITE | flag::FAST, (1, 1, 1)),
        ("getdel", 2, flag::WRITE | flag::FAST, (1, 1, 1)),
        (
            "getset",
            3,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        (
            "setnx",
            3,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        ("setex", 4, flag::WRITE | flag::DENYOOM, (1, 1, 1)),
        ("psetex", 4, flag::WRITE | flag::DENYOOM, (1, 1, 1)),
        ("mget", -2, flag::READONLY | flag::FAST, (1, -1, 1)),
        ("mset", -3, flag::WRITE | flag::DENYOOM, (1, -1, 2)),
        ("msetnx", -3, flag::WRITE | flag::DENYOOM, (1, -1, 2)),
        (
            "incr",
            2,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        (
            "decr",
            2,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        (
            "incrby",
            3,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        (
            "decrby",
            3,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        (
            "incrbyfloat",
            3,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        (
            "append",
            3,
            flag::WRITE | flag::DENYOOM | flag::FAST,
            (1, 1, 1),
        ),
        ("strlen", 2, flag::READONLY | flag::FAST, (1, 1, 1)),
        ("getrange", 4, flag::READONLY, (1, 1, 1)),
        ("substr", 4, flag::READONLY, (1, 1, 1)),
        ("setrange", 4, flag::WRITE | flag::DENYOOM, (1, 1, 1)),
        ("lcs", -3, flag::READONLY, (1, 2, 1)),
    ];
    for (name, arity, flags, (first, last, step)) in rows {
        let row = spec::lookup(name.as_bytes()).unwrap_or_else(|| panic!("{name} is in the table"));
        assert_eq!(
            (row.arity, row.flags, row.group),
            (arity, flags, "string"),
            "{name}"
        );
        let positions = row.key_positions();
        assert_eq!(
            (positions.first, positions.last, positions.step),
            (first, last, step),
            "{name}"
        );
        assert!(
            !row.summary.is_empty() && !row.complexity.is_empty(),
            "{name}"
        );
    }
}
