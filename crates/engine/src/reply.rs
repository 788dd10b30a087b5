//! Replies: one type that mirrors RESP3 (the superset), rendered per client.
//!
//! Every command answers with a [`Reply`]. The same value is written as RESP3 bytes for a client
//! that said `HELLO 3`, downgraded to RESP2 bytes by Redis 7.0's own rules for everyone else
//! ([`Reply::encode`]), printed the way redis-cli prints it (`crate::cli`), and handed to the
//! page as structured data.

use std::fmt::Write as _;

/// A reply value, shaped like RESP3.
#[derive(Clone, Debug, PartialEq)]
pub enum Reply {
    /// `+OK`: a status line. Never contains CR or LF.
    Simple(String),
    /// `-ERR ...`: the full error line, code included (`WRONGTYPE Operation ...`).
    Error(String),
    /// `:1`
    Integer(i64),
    /// `$5 hello`: binary-safe bytes.
    Bulk(Vec<u8>),
    /// The null bulk string: RESP2 `$-1`, RESP3 `_`.
    Null,
    /// The null array: RESP2 `*-1`, RESP3 `_` (EXEC after a failed WATCH, BLPOP's timeout).
    NullArray,
    /// `*N`
    Array(Vec<Reply>),
    /// RESP3 `%N`; RESP2 flattens it to an array of 2N elements.
    Map(Vec<(Reply, Reply)>),
    /// RESP3 `~N`; RESP2 sends an array.
    Set(Vec<Reply>),
    /// RESP3 `,1.5`; RESP2 sends the same text as a bulk string.
    Double(f64),
    /// A double printed as Redis's `addReplyHumanLongDouble` prints it (`%.17Lf` with the
    /// trailing zeros trimmed: `13.36138933897018433`, where [`Reply::Double`] would print
    /// `13.361389338970184`); RESP3 `,`, RESP2 a bulk string. GEOPOS and WITHCOORD answer so.
    HumanDouble(f64),
    /// RESP3 `#t`; RESP2 sends `:1` / `:0`.
    Boolean(bool),
    /// RESP3 `(123...`; RESP2 sends a bulk string.
    BigNumber(String),
    /// RESP3 `=N txt:...`; RESP2 sends the text alone as a bulk string.
    Verbatim { format: [u8; 3], text: Vec<u8> },
    /// RESP3 `>N` out-of-band data (pub/sub messages); RESP2 sends an array.
    Push(Vec<Reply>),
    /// Bytes written as they are, whatever the protocol: what a primary sends a replica
    /// that is no reply (`+FULLRESYNC`, the RDB payload, the command stream, keepalives;
    /// `crate::replication`).
    Raw(Vec<u8>),
}

impl Reply {
    /// `+OK`, the most common reply of all.
    pub fn ok() -> Reply {
        Reply::Simple("OK".into())
    }

    /// A bulk string from anything byte-like.
    pub fn bulk(bytes: impl Into<Vec<u8>>) -> Reply {
        Reply::Bulk(bytes.into())
    }

    /// A bulk string, or the null bulk string for `None`.
    pub fn bulk_or_null(bytes: Option<impl Into<Vec<u8>>>) -> Reply {
        bytes.map_or(Reply::Null, Reply::bulk)
    }

    /// An array of bulk strings.
    pub fn bulk_array<I, B>(items: I) -> Reply
    where
        I: IntoIterator<Item = B>,
        B: Into<Vec<u8>>,
    {
        Reply::Array(items.into_iter().map(Reply::bulk).collect())
    }

    /// A map from field names, as bulk strings, to their values, in the order given (XINFO,
    /// FUNCTION LIST, COMMAND DOCS).
    pub fn field_map(fields: Vec<(&str, Reply)>) -> Reply {
        Reply::Map(
            fields
                .into_iter()
                .map(|(name, value)| (Reply::bulk(name), value))
                .collect(),
        )
    }

    /// True for error replies.
    pub fn is_error(&self) -> bool {
        matches!(self, Reply::Error(_))
    }

    /// A container's HELP reply (CLIENT HELP, CONFIG HELP...), framed as Redis's
    /// `addReplyHelp` frames it: a header line, the container's own lines, and HELP's own entry
    /// last, each a status line.
    pub fn help(container: &str, lines: &[&str]) -> Reply {
        let header =
            format!("{container} <subcommand> [<arg> [value] [opt] ...]. Subcommands are:");
        let footer = ["HELP", "    Prints this help."];
        let all = std::iter::once(header.as_str())
            .chain(lines.iter().copied())
            .chain(footer);
        Reply::Array(all.map(|line| Reply::Simple(line.to_string())).collect())
    }

    /// Appends this reply's wire form for a client speaking `protocol` (2 or 3).
    ///
    /// RESP2 downgrades follow Redis 7.0's networking.c: maps become flat arrays, sets become
    /// arrays, doubles become bulk strings with the same text, booleans become `:1`/`:0`, big
    /// numbers and verbatim strings become bulk strings, pushes become arrays, and the two
    /// nulls keep their RESP2 shapes (`$-1` for a missing string, `*-1` for a missing array).
    pub fn encode(&self, protocol: u8, out: &mut Vec<u8>) {
        self.encode_into(protocol, out);
    }

    /// How many bytes [`Reply::encode`] would write, counted without writing them (the
    /// page's INFO byte counts, for a reply of any size).
    pub fn encoded_len(&self, protocol: u8) -> usize {
        let mut count = Count(0);
        self.encode_into(protocol, &mut count);
        count.0
    }

    fn encode_into<S: Sink>(&self, protocol: u8, out: &mut S) {
        let resp3 = protocol >= 3;
        match self {
            Reply::Simple(s) => status_line(out, b'+', s),
            Reply::Error(e) => status_line(out, b'-', e),
            Reply::Integer(n) => line(out, b':', n.to_string().as_bytes()),
            Reply::Bulk(b) => bulk(out, b),
            Reply::Null if resp3 => out.put(b"_\r\n"),
            Reply::Null => out.put(b"$-1\r\n"),
            Reply::NullArray if resp3 => out.put(b"_\r\n"),
            Reply::NullArray => out.put(b"*-1\r\n"),
            Reply::Array(items) => aggregate(out, b'*', items, protocol),
            Reply::Set(items) => aggregate(out, if resp3 { b'~' } else { b'*' }, items, protocol),
            Reply::Push(items) => aggregate(out, if resp3 { b'>' } else { b'*' }, items, protocol),
            Reply::Map(pairs) => {
                let (kind, len) = if resp3 {
                    (b'%', pairs.len())
                } else {
                    (b'*', pairs.len() * 2)
                };
                line(out, kind, len.to_string().as_bytes());
                for (k, v) in pairs {
                    k.encode_into(protocol, out);
                    v.encode_into(protocol, out);
                }
            }
            Reply::Double(d) if resp3 => line(out, b',', format_double(*d).as_bytes()),
            Reply::Double(d) => bulk(out, format_double(*d).as_bytes()),
            Reply::HumanDouble(d) if resp3 => line(out, b',', format_human(*d).as_bytes()),
            Reply::HumanDouble(d) => bulk(out, format_human(*d).as_bytes()),
            Reply::Boolean(b) if resp3 => out.put(if *b { b"#t\r\n" } else { b"#f\r\n" }),
            Reply::Boolean(b) => line(out, b':', if *b { b"1" } else { b"0" }),
            Reply::BigNumber(n) if resp3 => line(out, b'(', n.as_bytes()),
            Reply::BigNumber(n) => bulk(out, n.as_bytes()),
            Reply::Verbatim { format, text } if resp3 => {
                line(out, b'=', (text.len() + 4).to_string().as_bytes());
                out.put(format);
                out.put(b":");
                out.put(text);
                out.put(b"\r\n");
            }
            Reply::Verbatim { text, .. } => bulk(out, text),
            Reply::Raw(bytes) => out.put(bytes),
        }
    }

    /// This reply's wire form as a fresh buffer.
    pub fn to_resp(&self, protocol: u8) -> Vec<u8> {
        let mut out = Vec::new();
        self.encode(protocol, &mut out);
        out
    }
}

impl From<crate::Error> for Reply {
    fn from(e: crate::Error) -> Reply {
        Reply::Error(e.to_string())
    }
}

/// Where [`Reply::encode_into`] writes: a buffer, or a count of the bytes.
trait Sink {
    fn put(&mut self, bytes: &[u8]);
}

impl Sink for Vec<u8> {
    fn put(&mut self, bytes: &[u8]) {
        self.extend_from_slice(bytes);
    }
}

struct Count(usize);

impl Sink for Count {
    fn put(&mut self, bytes: &[u8]) {
        self.0 += bytes.len();
    }
}

fn line<S: Sink>(out: &mut S, kind: u8, body: &[u8]) {
    out.put(&[kind]);
    out.put(body);
    out.put(b"\r\n");
}

/// A `+` or `-` line. Redis replaces CR and LF with spaces there (addReplyErrorLength), so a
/// message quoting user input can never break the protocol.
fn status_line<S: Sink>(out: &mut S, kind: u8, text: &str) {
    out.put(&[kind]);
    for piece in text
        .as_bytes()
        .split_inclusive(|&b| b == b'\r' || b == b'\n')
    {
        match piece.split_last() {
            Some((&(b'\r' | b'\n'), before)) => {
                out.put(before);
                out.put(b" ");
            }
            _ => out.put(piece),
        }
    }
    out.put(b"\r\n");
}

fn bulk<S: Sink>(out: &mut S, body: &[u8]) {
    line(out, b'$', body.len().to_string().as_bytes());
    out.put(body);
    out.put(b"\r\n");
}

fn aggregate<S: Sink>(out: &mut S, kind: u8, items: &[Reply], protocol: u8) {
    line(out, kind, items.len().to_string().as_bytes());
    for item in items {
        item.encode_into(protocol, out);
    }
}

/// Formats a double as Redis 7.0's `addReplyDouble` does: C's `%.17g`, with `inf`/`-inf`
/// spelled out (and `nan` for completeness, though Redis never replies with one).
///
/// 7.0 is the reference: it answers `ZSCORE` of 0.1 as `0.10000000000000001`, where 7.2's
/// shortest-round-trip printer says `0.1`.
pub fn format_double(d: f64) -> String {
    // A whole number below 10^17 has at most 17 digits, which `%.17g` prints exactly and
    // without an exponent: its integer spelling, with no float formatting at all.
    if d.fract() == 0.0 && d.abs() < 1e17 && d != 0.0 {
        return (d as i64).to_string();
    }
    format_g(d, 17)
}

/// A double as Redis's `ld2string(..., LD_STR_HUMAN)` prints it once widened to a long
/// double: 17 decimals, trailing zeros trimmed ([`Reply::HumanDouble`]).
pub fn format_human(d: f64) -> String {
    crate::longdouble::LongDouble::from_f64(d).to_human_string()
}

/// C's `%.{precision}g`: scientific notation when the decimal exponent is below -4 or at least
/// the precision, fixed notation otherwise, trailing zeros removed in both.
pub fn format_g(d: f64, precision: usize) -> String {
    if d.is_nan() {
        return "nan".into();
    }
    if d.is_infinite() {
        return if d > 0.0 { "inf".into() } else { "-inf".into() };
    }
    let precision = precision.max(1);
    if d == 0.0 {
        return if d.is_sign_negative() {
            "-0".into()
        } else {
            "0".into()
        };
    }
    // Rust's `{:e}` rounds correctly to the requested digits, which is what printf does.
    let sci = format!("{:.*e}", precision - 1, d);
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    if exp < -4 || exp >= precision as i32 {
        let mut s = strip_zeros(mantissa).to_string();
        let _ = write!(s, "e{}{:02}", if exp < 0 { '-' } else { '+' }, exp.abs());
        s
    } else {
        let decimals = (precision as i32 - 1 - exp).max(0) as usize;
        strip_zeros(&format!("{:.*}", decimals, d)).to_string()
    }
}

fn strip_zeros(s: &str) -> &str {
    if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.')
    } else {
        s
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn doubles_print_like_printf_17g() {
        assert_eq!(format_double(0.1), "0.10000000000000001");
        assert_eq!(format_double(1.5), "1.5");
        assert_eq!(format_double(1e20), "1e+20");
        assert_eq!(format_double(-0.0), "-0");
        assert_eq!(format_double(f64::INFINITY), "inf");
        assert_eq!(format_double(123456789.0), "123456789");
        assert_eq!(format_double(-4503599627370497.0), "-4503599627370497");
        assert_eq!(format_double(1e16), "10000000000000000");
        assert_eq!(format_double(1e17), "1e+17");
        assert_eq!(format_double(1e-5), "1.0000000000000001e-05");
        assert_eq!(format_double(0.0001), "0.0001");
        assert_eq!(format_double(1e16), "10000000000000000");
        assert_eq!(format_double(1e17), "1e+17");
    }

    #[test]
    fn the_encoded_length_is_the_encodings() {
        let nested = Reply::Map(vec![(
            Reply::bulk("k"),
            Reply::Array(vec![Reply::Double(0.1), Reply::Null, Reply::Boolean(true)]),
        )]);
        let replies = [
            Reply::Error("ERR two\r\nlines".into()),
            Reply::Integer(-42),
            Reply::Verbatim {
                format: *b"txt",
                text: b"hello".to_vec(),
            },
            Reply::Raw(b"+FULLRESYNC x 0\r\n".to_vec()),
            nested,
        ];
        for reply in &replies {
            for protocol in [2, 3] {
                assert_eq!(
                    reply.encoded_len(protocol),
                    reply.to_resp(protocol).len(),
                    "{reply:?} in RESP{protocol}"
                );
            }
        }
        assert_eq!(replies[0].to_resp(2), b"-ERR two  lines\r\n");
    }

    #[test]
    fn resp2_downgrades_resp3_types() {
        let map = Reply::Map(vec![(Reply::bulk("a"), Reply::Integer(1))]);
        assert_eq!(map.to_resp(2), b"*2\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(map.to_resp(3), b"%1\r\n$1\r\na\r\n:1\r\n");
        assert_eq!(Reply::Null.to_resp(2), b"$-1\r\n");
        assert_eq!(Reply::NullArray.to_resp(2), b"*-1\r\n");
        assert_eq!(Reply::NullArray.to_resp(3), b"_\r\n");
        assert_eq!(Reply::Boolean(true).to_resp(2), b":1\r\n");
        assert_eq!(Reply::Double(1.5).to_resp(2), b"$3\r\n1.5\r\n");
        assert_eq!(Reply::Double(1.5).to_resp(3), b",1.5\r\n");
        let verbatim = Reply::Verbatim {
            format: *b"txt",
            text: b"hi".to_vec(),
        };
        assert_eq!(verbatim.to_resp(3), b"=6\r\ntxt:hi\r\n");
        assert_eq!(verbatim.to_resp(2), b"$2\r\nhi\r\n");
    }
}
