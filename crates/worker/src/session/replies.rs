//! Replies as the page gets them: printed as redis-cli prints them (in the client's protocol,
//! raw where redis-cli prints raw), with the RESP bytes before them when the raw RESP view is
//! on, and a page at a time. Long replies stay here: the page gets the first [`PAGE`] lines and
//! asks for more, so a `KEYS *` over a million keys never crosses to the page whole.
//! And what the bytes of a request and its replies would have been on a socket, for INFO.

use keyspace::{cli, ClientId, Engine, Reply};
use keyspace_protocol::console::{Line, LineKind, ReplyPage, ReplyValue};

use super::Session;

/// Lines of a reply sent at a time.
pub const PAGE: usize = 500;
/// Long replies kept for "show more", newest last.
const KEPT_REPLIES: usize = 4;
/// RESP bytes shown per command or reply; a `KEYS *` over a million keys is cut.
const RESP_SHOWN: usize = 4096;

impl Session {
    /// The first page of `lines`; the rest is kept for [`Request::More`].
    pub(super) fn page(&mut self, mut lines: Vec<Line>) -> ReplyPage {
        self.replies += 1;
        let id = self.replies;
        let total = lines.len();
        if total > PAGE {
            let first = lines[..PAGE].to_vec();
            if self.kept.len() == KEPT_REPLIES {
                self.kept.pop_front();
            }
            self.kept
                .push_back((id, std::mem::replace(&mut lines, first)));
        }
        ReplyPage { id, lines, total }
    }

    /// Lines of the kept reply `reply` from line `from`, a page of them; none when it is no
    /// longer kept.
    pub(super) fn more(&self, reply: u64, from: usize) -> Vec<Line> {
        self.kept
            .iter()
            .find(|(id, _)| *id == reply)
            .map(|(_, lines)| lines.iter().skip(from).take(PAGE).cloned().collect())
            .unwrap_or_default()
    }
}

/// Counts a typed line as read from `client`: the request redis-cli would have sent (INFO's
/// `total_net_input_bytes`). Before the command runs, so that INFO counts its own.
pub(crate) fn count_request(engine: &mut Engine, client: ClientId, argv: &[Vec<u8>]) {
    let mut request = Vec::new();
    keyspace::resp::encode_request(&mut request, argv);
    engine.count_net(client, request.len(), 0);
}

/// Counts `replies` as written to `client` in `protocol` (INFO's `total_net_output_bytes`).
pub(crate) fn count_replies(
    engine: &mut Engine,
    client: ClientId,
    replies: &[Reply],
    protocol: u8,
) {
    let written = replies.iter().map(|r| r.encoded_len(protocol)).sum();
    engine.count_net(client, 0, written);
}

/// A reply's printed lines, as redis-cli prints it.
pub(crate) fn print(reply: &Reply, protocol: u8, raw: bool, out: &mut Vec<Line>) {
    print_text(&cli::render(reply, protocol, raw), reply.is_error(), out);
}

/// A reply as data ([`ReplyValue`]): its type as the engine holds it, whatever protocol the
/// client speaks; a double as the text RESP3 sends.
pub(super) fn value(reply: &Reply) -> ReplyValue {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let all = |items: &[Reply]| items.iter().map(value).collect();
    match reply {
        Reply::Simple(s) => ReplyValue::Simple(s.clone()),
        Reply::Error(e) => ReplyValue::Error(e.clone()),
        Reply::Integer(n) => ReplyValue::Integer(*n),
        Reply::Bulk(b) => ReplyValue::Bulk(text(b)),
        Reply::Null | Reply::NullArray => ReplyValue::Null,
        Reply::Array(items) => ReplyValue::Array(all(items)),
        Reply::Map(pairs) => {
            ReplyValue::Map(pairs.iter().map(|(k, v)| (value(k), value(v))).collect())
        }
        Reply::Set(items) => ReplyValue::Set(all(items)),
        Reply::Double(_) | Reply::HumanDouble(_) => {
            let wire = reply.to_resp(3);
            ReplyValue::Double(text(
                wire.strip_prefix(b",").unwrap_or(&wire).trim_ascii_end(),
            ))
        }
        Reply::Boolean(b) => ReplyValue::Boolean(*b),
        Reply::BigNumber(n) => ReplyValue::BigNumber(n.clone()),
        Reply::Verbatim { text: body, .. } => ReplyValue::Verbatim(text(body)),
        // A primary's stream to a replica (SYNC typed in a pane) shows as the text it is.
        Reply::Raw(bytes) => ReplyValue::Bulk(text(bytes)),
        Reply::Push(items) => ReplyValue::Push(all(items)),
    }
}

/// What arrived on a connection unasked, as redis-cli's push handler prints it
/// (`keyspace::cli::render_unasked`: an invalidation on one line).
pub(super) fn print_unasked(reply: &Reply, protocol: u8, out: &mut Vec<Line>) {
    print_text(&cli::render_unasked(reply, protocol), reply.is_error(), out);
}

fn print_text(text: &str, error: bool, out: &mut Vec<Line>) {
    for part in text.strip_suffix('\n').unwrap_or(text).split('\n') {
        out.push(Line::classify(part.to_string(), error));
    }
}

/// The raw RESP view: a command's bytes as sent, then each reply's as received, escaped.
pub(super) fn print_resp(argv: &[Vec<u8>], replies: &[Reply], protocol: u8, out: &mut Vec<Line>) {
    let mut request = Vec::new();
    keyspace::resp::encode_request(&mut request, argv);
    out.push(resp_line(format!(
        "→ {}",
        escape_resp(&request, RESP_SHOWN)
    )));
    for reply in replies {
        let bytes = reply.to_resp(protocol);
        out.push(resp_line(format!("← {}", escape_resp(&bytes, RESP_SHOWN))));
    }
}

fn resp_line(text: String) -> Line {
    Line {
        kind: LineKind::Resp,
        text,
    }
}

/// Bytes of a RESP exchange shown as text: printable ASCII as it is, CR and LF as `\r` and
/// `\n`, a backslash doubled, anything else as `\xNN`; cut after `max` bytes with `…`.
fn escape_resp(bytes: &[u8], max: usize) -> String {
    let mut out = String::new();
    for &b in bytes.iter().take(max) {
        match b {
            b'\r' => out.push_str("\\r"),
            b'\n' => out.push_str("\\n"),
            b'\\' => out.push_str("\\\\"),
            0x20..=0x7e => out.push(b as char),
            _ => out.push_str(&format!("\\x{b:02x}")),
        }
    }
    if bytes.len() > max {
        out.push('…');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resp_bytes_show_as_escaped_text() {
        let mut get = Vec::new();
        keyspace::resp::encode_request(&mut get, &["GET", "k"]);
        assert_eq!(
            escape_resp(&get, 100),
            "*2\\r\\n$3\\r\\nGET\\r\\n$1\\r\\nk\\r\\n"
        );
        assert_eq!(
            escape_resp(b"$2\r\n\x00\\\r\n", 100),
            "$2\\r\\n\\x00\\\\\\r\\n"
        );
        assert_eq!(escape_resp(b"+OK\r\n", 3), "+OK…");
    }
}
