//! The request side of RESP: an incremental parser for the bytes a client sends, reading its
//! query buffer the way Redis 7.0's networking.c does (`processInputBuffer`,
//! `processMultibulkBuffer`, `processInlineBuffer`).
//!
//! A front end [`feeds`](RequestParser::feed) whatever arrived on the socket and then takes
//! complete requests out with [`next_request`](RequestParser::next_request) until it answers
//! `Ok(None)`; a request cut in the middle stays buffered, with the arguments already read
//! kept, until the rest arrives. Two shapes are accepted, told apart by the first byte:
//!
//! ```text
//! *2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n     multibulk: what every client library sends
//! ECHO "hi there"\r\n                  inline: typed by hand (telnet, nc), split like redis-cli
//! ```
//!
//! Redis's quirks are kept because clients can see them: a count line only needs some byte
//! after its `\r` (it is not checked to be `\n`), nor is a bulk's trailing `\r\n`; a search
//! for the end of a line stops at a NUL byte, as C's `strchr` does; `*0` and `*-1` are
//! requests with no command, skipped. An error is final: Redis replies with it (after running
//! the requests before it) and closes the connection.
//!
//! Argument buffers are reused from one request to the next, so a pipelined stream of small
//! commands is parsed without allocating.
//!
//! The other way, [`encode_request`] writes a command as a client sends it: the one encoder
//! for the append-only log, the page's raw RESP view and exports, and the difftest's client.

use crate::args::string2ll;
use crate::cli::split_args;
use crate::error::Error;

/// How many bytes Redis buffers while waiting for the end of an inline request or of a
/// count line (`PROTO_INLINE_MAX_SIZE`).
pub const INLINE_MAX_SIZE: usize = 64 * 1024;

/// The largest argument count Redis 7.0 accepts in a multibulk request (`INT_MAX`; 6.x
/// stopped at 1024*1024).
pub const MULTIBULK_MAX_LEN: i64 = i32::MAX as i64;

/// Argument buffers grown beyond this are dropped after use rather than kept for reuse, so
/// one large value does not pin its memory for the life of the connection.
const REUSE_MAX_CAPACITY: usize = 64 * 1024;

/// A query buffer grown beyond this for a large request is shrunk back once it is consumed.
const QUERY_KEEP_CAPACITY: usize = 64 * 1024;

/// Spare argument buffers kept between requests; a request with more arguments allocates.
const REUSE_MAX_ARGS: usize = 1024;

/// Appends `argv` as a client sends it: a multibulk request, an array of bulk strings.
pub fn encode_request<A: AsRef<[u8]>>(out: &mut Vec<u8>, argv: &[A]) {
    out.extend_from_slice(format!("*{}\r\n", argv.len()).as_bytes());
    for arg in argv {
        let arg = arg.as_ref();
        out.extend_from_slice(format!("${}\r\n", arg.len()).as_bytes());
        out.extend_from_slice(arg);
        out.extend_from_slice(b"\r\n");
    }
}

/// One connection's query buffer and the request being read from it.
#[derive(Debug, Default)]
pub struct RequestParser {
    /// Bytes received and not yet consumed past `pos` (Redis's `querybuf`).
    query: Vec<u8>,
    /// Where the next unread byte is (Redis's `qb_pos`).
    pos: usize,
    /// The request being read: the first `argc` buffers are its arguments so far, the rest
    /// are spares from earlier requests.
    argv: Vec<Vec<u8>>,
    argc: usize,
    /// Arguments still to read of the current multibulk request; 0 between requests.
    multibulk_len: usize,
    /// The length of the bulk being read, once its `$` line is in.
    bulk_len: Option<usize>,
    /// Some argument buffer grew beyond [`REUSE_MAX_CAPACITY`]: drop such buffers before
    /// the next request instead of keeping them as spares.
    oversized: bool,
}

impl RequestParser {
    /// An empty parser.
    pub fn new() -> RequestParser {
        RequestParser::default()
    }

    /// Appends bytes received from the client.
    pub fn feed(&mut self, bytes: &[u8]) {
        // Drop what earlier requests consumed before growing the buffer (Redis trims its
        // query buffer after each read the same way), and give back the room a large
        // request needed once it is gone, as Redis shrinks idle query buffers.
        self.query.drain(..self.pos);
        self.pos = 0;
        if self.query.is_empty() {
            self.query.shrink_to(QUERY_KEEP_CAPACITY);
        }
        self.query.extend_from_slice(bytes);
    }

    /// How many received bytes are buffered and not yet consumed.
    pub fn pending(&self) -> usize {
        self.query.len() - self.pos
    }

    /// The next complete request, or `Ok(None)` when more bytes are needed. The returned
    /// argv is never empty. `max_bulk_len` is `proto-max-bulk-len`. After an error the
    /// connection must be closed: the parser's state is not meaningful any more.
    pub fn next_request(&mut self, max_bulk_len: i64) -> Result<Option<&[Vec<u8>]>, Error> {
        loop {
            if self.multibulk_len == 0 {
                self.start_request();
            }
            if self.pos >= self.query.len() {
                return Ok(None);
            }
            let complete = if self.multibulk_len > 0 || self.query[self.pos] == b'*' {
                self.read_multibulk(max_bulk_len)?
            } else {
                self.read_inline()?
            };
            if !complete {
                return Ok(None);
            }
            if self.argc > 0 {
                return Ok(Some(&self.argv[..self.argc]));
            }
        }
    }

    fn start_request(&mut self) {
        self.argc = 0;
        self.argv.truncate(REUSE_MAX_ARGS);
        if std::mem::take(&mut self.oversized) {
            self.argv
                .retain(|spare| spare.capacity() <= REUSE_MAX_CAPACITY);
        }
    }

    /// `processInlineBuffer`: one line, split like redis-cli splits a typed line. An empty
    /// line is a request with no arguments.
    fn read_inline(&mut self) -> Result<bool, Error> {
        let Some(newline) = self.find(b'\n') else {
            return match self.pending() > INLINE_MAX_SIZE {
                true => Err(Error::Protocol("too big inline request")),
                false => Ok(false),
            };
        };
        let end = match newline > self.pos && self.query[newline - 1] == b'\r' {
            true => newline - 1,
            false => newline,
        };
        let args = split_args(&self.query[self.pos..end])
            .ok_or(Error::Protocol("unbalanced quotes in request"))?;
        self.pos = newline + 1;
        for arg in args {
            self.push_arg(arg);
        }
        Ok(true)
    }

    /// `processMultibulkBuffer`: the `*N` count line, then N `$len` lines each followed by
    /// its bytes. Returns false while the request is incomplete, keeping what was read.
    fn read_multibulk(&mut self, max_bulk_len: i64) -> Result<bool, Error> {
        if self.multibulk_len == 0 {
            let Some(line) = self.count_line("too big mbulk count string")? else {
                return Ok(false);
            };
            let count = string2ll(&self.query[self.pos + 1..line])
                .filter(|&n| n <= MULTIBULK_MAX_LEN)
                .ok_or(Error::Protocol("invalid multibulk length"))?;
            self.pos = line + 2;
            if count <= 0 {
                return Ok(true);
            }
            // The count is at most i32::MAX, which fits every usize Rust targets.
            self.multibulk_len = count as usize;
        }
        while self.multibulk_len > 0 {
            let len = match self.bulk_len {
                Some(len) => len,
                None => {
                    let Some(line) = self.count_line("too big bulk count string")? else {
                        return Ok(false);
                    };
                    let kind = self.query[self.pos];
                    if kind != b'$' {
                        return Err(Error::ProtocolExpectedBulk(kind));
                    }
                    let len = string2ll(&self.query[self.pos + 1..line])
                        .filter(|&n| n >= 0 && n <= max_bulk_len)
                        .and_then(|n| usize::try_from(n).ok())
                        .ok_or(Error::Protocol("invalid bulk length"))?;
                    self.pos = line + 2;
                    self.bulk_len = Some(len);
                    len
                }
            };
            if self.pending() < len.saturating_add(2) {
                return Ok(false);
            }
            self.push_bulk(self.pos, len);
            self.pos += len + 2;
            self.bulk_len = None;
            self.multibulk_len -= 1;
        }
        Ok(true)
    }

    /// The position of the `\r` ending a count line (`*N` or `$N`) that starts at `pos`, once
    /// the byte after it has arrived too. `too_big` is the error for a line still unended
    /// after [`INLINE_MAX_SIZE`] bytes.
    fn count_line(&self, too_big: &'static str) -> Result<Option<usize>, Error> {
        match self.find(b'\r') {
            Some(cr) if cr + 2 <= self.query.len() => Ok(Some(cr)),
            Some(_) => Ok(None),
            None if self.pending() > INLINE_MAX_SIZE => Err(Error::Protocol(too_big)),
            None => Ok(None),
        }
    }

    /// The first `byte` at or after `pos`, searching as `strchr` does: a NUL ends the search.
    fn find(&self, byte: u8) -> Option<usize> {
        let rest = &self.query[self.pos..];
        let at = rest.iter().position(|&b| b == byte || b == 0)?;
        (rest[at] == byte).then_some(self.pos + at)
    }

    /// Appends `query[start..start + len]` as the next argument, reusing a spare buffer.
    fn push_bulk(&mut self, start: usize, len: usize) {
        self.oversized |= len > REUSE_MAX_CAPACITY;
        let bytes = &self.query[start..start + len];
        match self.argv.get_mut(self.argc) {
            Some(spare) => {
                spare.clear();
                spare.extend_from_slice(bytes);
            }
            None => self.argv.push(bytes.to_vec()),
        }
        self.argc += 1;
    }

    fn push_arg(&mut self, arg: Vec<u8>) {
        self.oversized |= arg.capacity() > REUSE_MAX_CAPACITY;
        match self.argv.get_mut(self.argc) {
            Some(spare) => *spare = arg,
            None => self.argv.push(arg),
        }
        self.argc += 1;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MAX_BULK: i64 = 512 * 1024 * 1024;

    /// Feeds `input` at once and collects every request until the parser needs more bytes
    /// or fails.
    fn parse_all(input: &[u8]) -> (Vec<Vec<Vec<u8>>>, Option<String>) {
        let mut parser = RequestParser::new();
        parser.feed(input);
        collect(&mut parser)
    }

    fn collect(parser: &mut RequestParser) -> (Vec<Vec<Vec<u8>>>, Option<String>) {
        let mut requests = Vec::new();
        loop {
            match parser.next_request(MAX_BULK) {
                Ok(Some(argv)) => requests.push(argv.to_vec()),
                Ok(None) => return (requests, None),
                Err(e) => return (requests, Some(e.to_string())),
            }
        }
    }

    fn argv(words: &[&str]) -> Vec<Vec<u8>> {
        words.iter().map(|w| w.as_bytes().to_vec()).collect()
    }

    fn error_of(input: &[u8]) -> String {
        parse_all(input).1.unwrap_or_default()
    }

    #[test]
    fn an_encoded_request_parses_back_to_its_arguments() {
        let mut out = Vec::new();
        encode_request(&mut out, &["SET", "k", "a b"]);
        encode_request(&mut out, &[&b"ECHO"[..], b"\r\n\0\xff"]);
        assert!(out.starts_with(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\n"));
        assert_eq!(
            parse_all(&out),
            (
                vec![
                    argv(&["SET", "k", "a b"]),
                    vec![b"ECHO".to_vec(), b"\r\n\0\xff".to_vec()]
                ],
                None
            )
        );
    }

    #[test]
    fn multibulk_and_inline_requests() {
        let (requests, error) =
            parse_all(b"*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\nSET k \"a b\"\r\nPING\n");
        assert_eq!(error, None);
        assert_eq!(
            requests,
            vec![
                argv(&["ECHO", "hi"]),
                argv(&["SET", "k", "a b"]),
                argv(&["PING"])
            ]
        );
    }

    #[test]
    fn bulk_bytes_are_binary_safe() {
        let (requests, _) = parse_all(b"*2\r\n$4\r\nECHO\r\n$4\r\n\r\n\0\xff\r\n");
        assert_eq!(
            requests,
            vec![vec![b"ECHO".to_vec(), b"\r\n\0\xff".to_vec()]]
        );
    }

    #[test]
    fn every_split_point_gives_the_same_requests() {
        let input = b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET k\r\n*1\r\n$4\r\nPING\r\n";
        let whole = parse_all(input).0;
        assert_eq!(whole.len(), 3);
        for split in 0..input.len() {
            let mut parser = RequestParser::new();
            parser.feed(&input[..split]);
            let (mut requests, error) = collect(&mut parser);
            assert_eq!(error, None);
            parser.feed(&input[split..]);
            requests.extend(collect(&mut parser).0);
            assert_eq!(requests, whole, "split at {split}");
        }
    }

    #[test]
    fn byte_by_byte_feeding() {
        let input = b"*2\r\n$4\r\nECHO\r\n$3\r\nabc\r\nECHO x\r\n";
        let mut parser = RequestParser::new();
        let mut requests = Vec::new();
        for byte in input {
            parser.feed(std::slice::from_ref(byte));
            requests.extend(collect(&mut parser).0);
        }
        assert_eq!(requests, vec![argv(&["ECHO", "abc"]), argv(&["ECHO", "x"])]);
        assert_eq!(parser.pending(), 0);
    }

    #[test]
    fn empty_requests_are_skipped() {
        let (requests, error) = parse_all(b"\r\n\n   \r\n*0\r\n*-1\r\nPING\r\n");
        assert_eq!(error, None);
        assert_eq!(requests, vec![argv(&["PING"])]);
    }

    #[test]
    fn redis_does_not_check_the_bytes_after_cr() {
        // A count line needs one byte after its \r, whatever it is, and a bulk's two trailing
        // bytes are skipped unread.
        let (requests, _) = parse_all(b"*1\rX$4\r\nPINGxxPING\r\n");
        assert_eq!(requests, vec![argv(&["PING"]), argv(&["PING"])]);
        // "*1\r\r\n": the line ends at the first \r, so the next line starts at "\n".
        assert_eq!(
            error_of(b"*1\r\r\n$4\r\nPING\r\n"),
            "ERR Protocol error: expected '$', got '\n'"
        );
    }

    #[test]
    fn a_nul_byte_ends_the_search_for_a_line_end() {
        assert_eq!(parse_all(b"PING\0abc\r\nPING\r\n"), (vec![], None));
        // Inside a bulk, NUL is data.
        let (requests, _) = parse_all(b"*1\r\n$4\r\nPI\0G\r\n");
        assert_eq!(requests, vec![vec![b"PI\0G".to_vec()]]);
    }

    #[test]
    fn incomplete_requests_wait() {
        for partial in [
            &b"*1"[..],
            b"*1\r",
            b"*1\r\n$4",
            b"*1\r\n$4\r",
            b"*1\r\n$4\r\nPING\r",
            b"PING",
        ] {
            assert_eq!(parse_all(partial), (vec![], None), "{partial:?}");
        }
    }

    #[test]
    fn protocol_errors_have_redis_texts() {
        let cases: &[(&[u8], &str)] = &[
            (b"*2147483648\r\n", "invalid multibulk length"),
            (b"*abc\r\n", "invalid multibulk length"),
            (b"*\r\n", "invalid multibulk length"),
            (b"*+1\r\n", "invalid multibulk length"),
            (b"*01\r\n", "invalid multibulk length"),
            (b"*1X1\r\n", "invalid multibulk length"),
            (b"*1\r\nx3\r\nfoo\r\n", "expected '$', got 'x'"),
            (b"*1\r\n$-1\r\n", "invalid bulk length"),
            (b"*1\r\n$\r\n", "invalid bulk length"),
            (b"*1\r\n$+4\r\n", "invalid bulk length"),
            (b"*1\r\n$ 4\r\n", "invalid bulk length"),
            (b"*1\r\n$536870913\r\n", "invalid bulk length"),
            (b"PING \"abc\r\n", "unbalanced quotes in request"),
            (b"ECHO \"a\"b\r\n", "unbalanced quotes in request"),
            (b"'\r\n", "unbalanced quotes in request"),
        ];
        for (input, text) in cases {
            assert_eq!(
                error_of(input),
                format!("ERR Protocol error: {text}"),
                "{input:?}"
            );
        }
    }

    #[test]
    fn limits_are_redis_limits() {
        // Accepted (waiting for more): the largest count and the largest bulk.
        assert_eq!(parse_all(b"*2147483647\r\n"), (vec![], None));
        assert_eq!(parse_all(b"*1\r\n$536870912\r\n"), (vec![], None));
        let mut parser = RequestParser::new();
        parser.feed(b"*1\r\n$2000000\r\n");
        assert!(matches!(
            parser.next_request(1024 * 1024),
            Err(Error::Protocol("invalid bulk length"))
        ));

        let long = vec![b'1'; INLINE_MAX_SIZE + 1];
        assert_eq!(
            error_of(&[b"*", &long[..]].concat()),
            "ERR Protocol error: too big mbulk count string"
        );
        assert_eq!(
            error_of(&[b"*1\r\n$", &long[..]].concat()),
            "ERR Protocol error: too big bulk count string"
        );
        assert_eq!(
            error_of(&[b"PING ", &long[..]].concat()),
            "ERR Protocol error: too big inline request"
        );
        // Exactly at the limit Redis still waits.
        assert_eq!(parse_all(&long[..INLINE_MAX_SIZE]), (vec![], None));
        // A long inline request is fine once its newline is in.
        let (requests, error) = parse_all(&[b"ECHO ", &long[..], b"\r\n"].concat());
        assert_eq!((requests.len(), error), (1, None));
    }

    #[test]
    fn requests_before_an_error_are_returned() {
        let (requests, error) = parse_all(b"PING\r\n*1\r\n$x\r\n");
        assert_eq!(requests, vec![argv(&["PING"])]);
        assert_eq!(
            error.as_deref(),
            Some("ERR Protocol error: invalid bulk length")
        );
    }

    #[test]
    fn a_large_request_does_not_keep_its_room() {
        let mut parser = RequestParser::new();
        let value = vec![b'v'; 1 << 20];
        parser.feed(format!("*2\r\n$4\r\nECHO\r\n${}\r\n", value.len()).as_bytes());
        parser.feed(&value);
        parser.feed(b"\r\n");
        let echoed = parser
            .next_request(MAX_BULK)
            .unwrap()
            .map(|argv| argv[1].len());
        assert_eq!(echoed, Some(1 << 20));
        parser.feed(b"PING\r\n");
        assert!(parser.query.capacity() <= QUERY_KEEP_CAPACITY);
        let ping = parser.next_request(MAX_BULK).unwrap().map(<[_]>::to_vec);
        assert_eq!(ping, Some(argv(&["PING"])));
        assert!(parser
            .argv
            .iter()
            .all(|spare| spare.capacity() <= REUSE_MAX_CAPACITY));
    }

    #[test]
    fn buffers_are_reused_but_not_leaked_into_later_requests() {
        let (requests, _) =
            parse_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nvalue\r\n*1\r\n$2\r\nXY\r\nA B\r\n");
        assert_eq!(
            requests,
            vec![
                argv(&["SET", "k", "value"]),
                argv(&["XY"]),
                argv(&["A", "B"])
            ]
        );
    }
}
