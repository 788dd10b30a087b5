//! Nothing a client can send may panic the engine: random bytes through the RESP request
//! parser and redis-cli's tokenizer, random requests through the dispatcher, in RESP2 and
//! RESP3, with time moving and the timer ticking between commands. Every reply is also
//! encoded both ways and printed as redis-cli would, so the renderers see them all.

use keyspace::resp::RequestParser;
use keyspace::{cli, spec, Config, Engine, ManualClock, Outcome};
use proptest::prelude::*;
use proptest::sample::select;

/// Fragments that build near-valid RESP, so random input reaches the parser's deeper states
/// (counts, lengths, partial bulks) more often than uniform bytes do.
const RESP_PIECES: &[&[u8]] = &[
    b"*",
    b"$",
    b"\r\n",
    b"\r",
    b"\n",
    b"\0",
    b" ",
    b"\"",
    b"'",
    b"\\x4",
    b"\\",
    b"0",
    b"1",
    b"3",
    b"-1",
    b"10",
    b"2147483648",
    b"99999999999999999999",
    b"PING",
    b"ECHO",
    b"SET",
    b"abc",
];

/// Arguments that sit on the edges of what commands parse.
fn tricky_values() -> Vec<Vec<u8>> {
    let mut values: Vec<Vec<u8>> = [
        "",
        "-1",
        "0",
        "1",
        "2",
        "3",
        "100",
        "-100",
        "9223372036854775807",
        "9223372036854775808",
        "-9223372036854775808",
        "-9223372036854775809",
        "nan",
        "inf",
        "-inf",
        "+inf",
        "1e400",
        "0.1",
        "1.5",
        " 1",
        "1 ",
        "0x10",
        "k",
        "k2",
        "{k}",
        "*",
        "?",
        "[a-",
        "\\",
        "string",
        "NX",
        "XX",
        "EX",
        "PX",
        "EXAT",
        "PXAT",
        "GET",
        "KEEPTTL",
        "PERSIST",
        "COUNT",
        "MATCH",
        "TYPE",
        "GT",
        "LT",
        "LEN",
        "IDX",
        "MINMATCHLEN",
        "WITHMATCHLEN",
        "DB",
        "REPLACE",
        "ASYNC",
        "SYNC",
        "SETNAME",
        "AUTH",
        "SAVE",
        "LIST",
        "INFO",
        "DOCS",
        "GETKEYS",
        "FILTERBY",
        "MODULE",
        "ACLCAT",
        "PATTERN",
        "HELP",
        "hz",
        "databases",
        "proto-max-bulk-len",
        "maxmemory",
    ]
    .iter()
    .map(|s| s.as_bytes().to_vec())
    .collect();
    values.push(vec![b'x'; 70_000]);
    values.push(b"\x00\xff\r\n\"'".to_vec());
    values
}

/// Every command name in the spec table, and each subcommand as `container sub`, plus names
/// that are not commands at all.
fn command_names() -> Vec<Vec<Vec<u8>>> {
    let mut names: Vec<Vec<Vec<u8>>> = Vec::new();
    for command in spec::table() {
        names.push(vec![command.name.as_bytes().to_vec()]);
        for sub in command.subcommands {
            names.push(vec![
                command.name.as_bytes().to_vec(),
                sub.name.as_bytes().to_vec(),
            ]);
        }
    }
    names.extend([
        vec![b"nosuchcommand".to_vec()],
        vec![b"".to_vec()],
        vec![b"\xff\x00".to_vec()],
    ]);
    names
}

fn argument() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => select(tricky_values()),
        1 => proptest::collection::vec(any::<u8>(), 0..12),
    ]
}

/// One step of a session: which of two clients sends what, then how far time moves and
/// whether the timer ticks.
fn step() -> impl Strategy<Value = (bool, Vec<Vec<u8>>, u64, bool)> {
    let argv = (
        select(command_names()),
        proptest::collection::vec(argument(), 0..6),
    )
        .prop_map(|(mut name, args)| {
            name.extend(args);
            name
        });
    (
        any::<bool>(),
        argv,
        prop_oneof![0..5u64, 0..3_000u64],
        any::<bool>(),
    )
}

fn parse_everything(chunks: &[Vec<u8>], max_bulk_len: i64) {
    let mut parser = RequestParser::new();
    for chunk in chunks {
        parser.feed(chunk);
        loop {
            match parser.next_request(max_bulk_len) {
                Ok(Some(argv)) => assert!(!argv.is_empty()),
                Ok(None) => break,
                Err(_) => return,
            }
        }
    }
}

proptest! {
    // Cheap cases, so many of them: each engine case runs up to 40 commands.
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn random_bytes_never_panic_the_parsers(
        chunks in proptest::collection::vec(proptest::collection::vec(any::<u8>(), 0..64), 0..8),
    ) {
        parse_everything(&chunks, 512 * 1024 * 1024);
        for chunk in &chunks {
            let _ = cli::split_args(chunk);
        }
    }

    #[test]
    fn near_valid_resp_never_panics_the_parser(
        chunks in proptest::collection::vec(
            proptest::collection::vec(select(RESP_PIECES), 0..24).prop_map(|p| p.concat()),
            0..8,
        ),
        max_bulk_len in prop_oneof![Just(512 * 1024 * 1024i64), 0..16i64],
    ) {
        parse_everything(&chunks, max_bulk_len);
        for chunk in &chunks {
            let _ = cli::split_args(chunk);
        }
    }

    #[test]
    fn random_requests_never_panic_the_engine(
        resp3 in any::<bool>(),
        steps in proptest::collection::vec(step(), 1..40),
    ) {
        let clock = ManualClock::new(1_700_000_000_000);
        let mut engine = Engine::new(Config::default(), Box::new(clock.clone()), 7);
        let clients = [engine.connect(), engine.connect()];
        if resp3 {
            for &client in &clients {
                engine.execute(client, &[b"HELLO".to_vec(), b"3".to_vec()]);
            }
        }
        for (second, argv, advance_ms, tick) in steps {
            let client = clients[usize::from(second)];
            let mut replies = match engine.execute(client, &argv) {
                Outcome::Reply(reply) => vec![reply],
                Outcome::Replies(replies) => replies,
                Outcome::Blocked => Vec::new(),
            };
            replies.extend(engine.drain(client));
            let protocol = engine.client(client).map_or(2, |c| c.protocol);
            for reply in &replies {
                let mut wire = Vec::new();
                for either in [2, 3] {
                    reply.encode(either, &mut wire);
                }
                let _ = cli::format_reply(&cli::as_received(reply, protocol));
                let _ = cli::format_raw(reply);
            }
            clock.advance_ms(advance_ms);
            if tick {
                engine.tick();
            }
        }
    }
}
