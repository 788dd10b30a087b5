//! The request parser over any byte stream, fed in pieces as a socket would deliver it: it
//! returns requests, asks for more, or refuses, and never panics. The same bytes fed at once
//! give the same requests up to the first error.
#![no_main]

use keyspace::resp::RequestParser;
use libfuzzer_sys::fuzz_target;

/// Every request until the parser wants more or refuses; `Err(())` marks a refusal.
fn requests(chunks: &[&[u8]], max_bulk_len: i64) -> (Vec<Vec<Vec<u8>>>, bool) {
    let mut parser = RequestParser::new();
    let mut out = Vec::new();
    for chunk in chunks {
        parser.feed(chunk);
        loop {
            match parser.next_request(max_bulk_len) {
                Ok(Some(argv)) => {
                    assert!(!argv.is_empty());
                    out.push(argv.to_vec());
                }
                Ok(None) => break,
                Err(_) => return (out, true),
            }
        }
    }
    (out, false)
}

fuzz_target!(|data: &[u8]| {
    let Some((&split, rest)) = data.split_first() else {
        return;
    };
    // The first byte picks where the stream is cut and a small or Redis's bulk limit.
    let max_bulk_len = if split & 1 == 0 { 512 * 1024 * 1024 } else { 64 };
    let step = usize::from(split >> 1).max(1);
    let chunks: Vec<&[u8]> = rest.chunks(step).collect();
    let (pieces, refused_in_pieces) = requests(&chunks, max_bulk_len);
    let (whole, refused_whole) = requests(&[rest], max_bulk_len);
    // Limits on buffered bytes may refuse sooner when all arrives at once (or later when
    // cut), so only the requests before any refusal must agree.
    if !refused_in_pieces && !refused_whole {
        assert_eq!(pieces, whole);
    }
});
