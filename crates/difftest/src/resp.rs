//! The reply side of RESP, as a client reads it: RESP2 and RESP3 values parsed from a
//! connection, kept exactly as they came (a double stays the text Redis wrote), so that two
//! servers' replies compare by type and bytes. A connection reads one reply within a deadline,
//! or whatever arrives within a short window (pushes, a subscriber's messages).

use std::io::{self, BufRead, BufReader, Write};
use std::net::TcpStream;
use std::time::Duration;

use keyspace::cli::repr;

/// One parsed reply. Each RESP type is its own variant: `$-1`, `*-1` and RESP3's `_` differ.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Value {
    Simple(Vec<u8>),
    Error(Vec<u8>),
    Integer(i64),
    Bulk(Vec<u8>),
    NullBulk,
    NullArray,
    Array(Vec<Value>),
    /// RESP3 `_`.
    Null,
    /// RESP3 `,`: the text as sent.
    Double(Vec<u8>),
    Boolean(bool),
    /// RESP3 `(`: the digits as sent.
    BigNumber(Vec<u8>),
    /// RESP3 `=`: the format and the text.
    Verbatim(Vec<u8>),
    Map(Vec<(Value, Value)>),
    Set(Vec<Value>),
    Push(Vec<Value>),
    /// RESP3 `!`.
    BlobError(Vec<u8>),
    /// RESP3 `|`: attributes, and the reply they come with.
    Attributed(Vec<(Value, Value)>, Box<Value>),
    /// An integer whose digits a script's `@mask` replaced in part: its type is kept.
    MaskedInteger(Vec<u8>),
}

impl Value {
    pub fn is_error(&self) -> bool {
        matches!(self, Value::Error(_) | Value::BlobError(_))
    }

    /// The elements of an aggregate that a client sees as a list (array, set, push).
    pub fn elements(&self) -> Option<&[Value]> {
        match self {
            Value::Array(items) | Value::Set(items) | Value::Push(items) => Some(items),
            _ => None,
        }
    }

    /// The reply with its type kept and its contents dropped: for replies whose contents
    /// Redis leaves to chance (TIME, RANDOMKEY, CLIENT ID).
    pub fn shape(&self) -> String {
        match self {
            Value::Array(items) | Value::Set(items) | Value::Push(items) => {
                let kind = match self {
                    Value::Array(_) => "array",
                    Value::Set(_) => "set",
                    _ => "push",
                };
                format!("{kind} of {}", items.len())
            }
            Value::Map(pairs) => format!("map of {}", pairs.len()),
            Value::Error(text) => format!("error {}", String::from_utf8_lossy(text)),
            other => format!("{:?}", std::mem::discriminant(other)),
        }
    }
}

/// redis-cli's way of showing a reply, on one line: bulks quoted, RESP3 types marked.
impl std::fmt::Display for Value {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let list = |f: &mut std::fmt::Formatter<'_>, open: &str, items: &[Value]| {
            write!(f, "{open}")?;
            for (i, item) in items.iter().enumerate() {
                write!(f, "{}{item}", if i > 0 { ", " } else { "" })?;
            }
            write!(f, "]")
        };
        match self {
            Value::Simple(text) => write!(f, "+{}", String::from_utf8_lossy(text)),
            Value::Error(text) => write!(f, "-{}", String::from_utf8_lossy(text)),
            Value::Integer(n) => write!(f, "(integer) {n}"),
            Value::Bulk(bytes) => write!(f, "{}", repr(bytes)),
            Value::NullBulk => write!(f, "(nil bulk)"),
            Value::NullArray => write!(f, "(nil array)"),
            Value::Null => write!(f, "(null)"),
            Value::Double(text) => write!(f, "(double) {}", String::from_utf8_lossy(text)),
            Value::Boolean(b) => write!(f, "(boolean) {b}"),
            Value::BigNumber(text) => write!(f, "(big number) {}", String::from_utf8_lossy(text)),
            Value::Verbatim(bytes) => write!(f, "(verbatim) {}", repr(bytes)),
            Value::Array(items) => list(f, "[", items),
            Value::Set(items) => list(f, "set[", items),
            Value::Push(items) => list(f, "push[", items),
            Value::Map(pairs) => pairs_of(f, "map", pairs),
            Value::BlobError(text) => write!(f, "(blob error) {}", repr(text)),
            Value::Attributed(pairs, value) => {
                pairs_of(f, "attributes", pairs)?;
                write!(f, " {value}")
            }
            Value::MaskedInteger(text) => {
                write!(f, "(integer) {}", String::from_utf8_lossy(text))
            }
        }
    }
}

/// A reply's text for a report, cut short when long (COMMAND DOCS answers run to pages).
pub fn shortened(text: String) -> String {
    match text.char_indices().nth(SHORTENED_MAX) {
        Some((cut, _)) => format!("{}... ({} bytes in all)", &text[..cut], text.len()),
        None => text,
    }
}

const SHORTENED_MAX: usize = 1_500;

fn pairs_of(
    f: &mut std::fmt::Formatter<'_>,
    kind: &str,
    pairs: &[(Value, Value)],
) -> std::fmt::Result {
    write!(f, "{kind}{{")?;
    for (i, (k, v)) in pairs.iter().enumerate() {
        write!(f, "{}{k}: {v}", if i > 0 { ", " } else { "" })?;
    }
    write!(f, "}}")
}

/// How long a reply may take to come (each part of it) before the server is deemed not to
/// answer: a finding, not a hang of the tester.
pub const REPLY_TIMEOUT: Duration = Duration::from_secs(10);

/// A connection to a server.
pub struct Connection {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Connection {
    pub fn open(port: u16) -> io::Result<Connection> {
        let stream = TcpStream::connect(("127.0.0.1", port))?;
        stream.set_nodelay(true)?;
        Ok(Connection {
            reader: BufReader::new(stream.try_clone()?),
            writer: stream,
        })
    }

    /// Sends `argv` as a multibulk request and reads its reply.
    pub fn call(&mut self, argv: &[Vec<u8>]) -> io::Result<Value> {
        self.send(argv)?;
        self.read(REPLY_TIMEOUT)
    }

    /// Sends `argv` as a multibulk request.
    pub fn send(&mut self, argv: &[Vec<u8>]) -> io::Result<()> {
        let mut request = Vec::new();
        keyspace::resp::encode_request(&mut request, argv);
        self.writer.write_all(&request)
    }

    /// Reads the next value, waiting at most `timeout` for each part of it. After a timeout
    /// the connection may hold half a value: it is of no further use.
    pub fn read(&mut self, timeout: Duration) -> io::Result<Value> {
        self.reader.get_ref().set_read_timeout(Some(timeout))?;
        read_value(&mut self.reader)
    }

    /// The next value if it starts to arrive within `window` (then read to its end as
    /// [`Connection::read`] reads), `None` if nothing came.
    pub fn read_within(
        &mut self,
        window: Duration,
        timeout: Duration,
    ) -> io::Result<Option<Value>> {
        self.reader.get_ref().set_read_timeout(Some(window))?;
        match self.reader.fill_buf() {
            Ok([]) => Err(closed()),
            Ok(_) => self.read(timeout).map(Some),
            Err(e) if is_timeout(&e) => Ok(None),
            Err(e) => Err(e),
        }
    }
}

/// Whether a read failed for want of data in time (`EAGAIN` on Unix, a timeout elsewhere).
pub fn is_timeout(error: &io::Error) -> bool {
    matches!(
        error.kind(),
        io::ErrorKind::WouldBlock | io::ErrorKind::TimedOut
    )
}

fn closed() -> io::Error {
    io::Error::new(io::ErrorKind::UnexpectedEof, "connection closed")
}

fn line(reader: &mut dyn BufRead) -> io::Result<Vec<u8>> {
    let mut line = Vec::new();
    reader.read_until(b'\n', &mut line)?;
    if !line.ends_with(b"\r\n") {
        return Err(closed());
    }
    line.truncate(line.len() - 2);
    Ok(line)
}

fn number(text: &[u8]) -> io::Result<i64> {
    std::str::from_utf8(text)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "bad length or integer"))
}

fn read_value(reader: &mut dyn BufRead) -> io::Result<Value> {
    let line = line(reader)?;
    let (&kind, rest) = line
        .split_first()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "empty reply line"))?;
    let rest = rest.to_vec();
    let items = |reader: &mut dyn BufRead, n: i64| -> io::Result<Vec<Value>> {
        (0..n).map(|_| read_value(reader)).collect()
    };
    Ok(match kind {
        b'+' => Value::Simple(rest),
        b'-' => Value::Error(rest),
        b':' => Value::Integer(number(&rest)?),
        b'$' | b'=' | b'!' => match number(&rest)? {
            -1 => Value::NullBulk,
            n => {
                let mut bytes = vec![0; n as usize + 2];
                reader.read_exact(&mut bytes)?;
                bytes.truncate(n as usize);
                match kind {
                    b'$' => Value::Bulk(bytes),
                    b'=' => Value::Verbatim(bytes),
                    _ => Value::BlobError(bytes),
                }
            }
        },
        b'*' => match number(&rest)? {
            -1 => Value::NullArray,
            n => Value::Array(items(reader, n)?),
        },
        b'~' => Value::Set(items(reader, number(&rest)?)?),
        b'>' => Value::Push(items(reader, number(&rest)?)?),
        b'%' => Value::Map(pairs(reader, number(&rest)?)?),
        // Attributes describe the reply that follows them, which is read with them.
        b'|' => {
            let attributes = pairs(reader, number(&rest)?)?;
            Value::Attributed(attributes, Box::new(read_value(reader)?))
        }
        b'_' => Value::Null,
        b',' => Value::Double(rest),
        b'#' => Value::Boolean(rest == b"t"),
        b'(' => Value::BigNumber(rest),
        _ => {
            return Err(io::Error::new(
                io::ErrorKind::InvalidData,
                format!("unknown reply type {:?}", kind as char),
            ))
        }
    })
}

fn pairs(reader: &mut dyn BufRead, n: i64) -> io::Result<Vec<(Value, Value)>> {
    (0..n)
        .map(|_| Ok((read_value(reader)?, read_value(reader)?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(bytes: &[u8]) -> Value {
        read_value(&mut &bytes[..]).unwrap()
    }

    #[test]
    fn resp2_and_resp3_types_stay_apart() {
        assert_eq!(parse(b"$-1\r\n"), Value::NullBulk);
        assert_eq!(parse(b"*-1\r\n"), Value::NullArray);
        assert_eq!(parse(b"_\r\n"), Value::Null);
        assert_eq!(parse(b",0.1\r\n"), Value::Double(b"0.1".to_vec()));
        assert_eq!(
            parse(b"%1\r\n+a\r\n:1\r\n"),
            Value::Map(vec![(Value::Simple(b"a".to_vec()), Value::Integer(1))])
        );
        assert_eq!(
            parse(b"*2\r\n$3\r\na\r\n\r\n#t\r\n"),
            Value::Array(vec![Value::Bulk(b"a\r\n".to_vec()), Value::Boolean(true)])
        );
    }

    #[test]
    fn attributes_come_with_their_reply() {
        assert_eq!(
            parse(b"|1\r\n+ttl\r\n:3\r\n$1\r\nv\r\n"),
            Value::Attributed(
                vec![(Value::Simple(b"ttl".to_vec()), Value::Integer(3))],
                Box::new(Value::Bulk(b"v".to_vec()))
            )
        );
        assert_eq!(parse(b"!3\r\nERR\r\n"), Value::BlobError(b"ERR".to_vec()));
    }
}
