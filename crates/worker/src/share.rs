//! Sharing a console session: the lines a visitor typed, as a link that replays them, as a
//! redis-cli script, as a RESP file for `redis-cli --pipe`, and as a QR code of the link for a
//! projector. Pure functions, tested natively, run by the worker (`crate::session`) so that
//! the compression and the QR code stay out of the page's module; `share_view` only shows
//! what comes back.
//!
//! A link is `#share/<base64url(deflate(lines joined by \n))>`: the commands only, never
//! their replies, since opening the link runs them again through the engine. What a link can
//! carry is checked when it is opened, because anyone can write one: it must decode, inflate
//! to at most [`MAX_TEXT`] bytes of UTF-8, and hold at most [`MAX_LINES`] lines, each one a
//! line redis-cli would split into arguments (no control characters, balanced quotes). The
//! lines then go to the engine as Redis commands and nowhere else: a line that is no command
//! gets Redis's unknown-command error, and a line of markup is text on the page like any
//! other reply. The page's own words (`clear`) are never built in: the link replays only
//! what reaches the engine.
//!
//! Lines typed in several client panes carry the pane: a line `@client N` (as the compat
//! scripts write it, tests/compat/README.md) says that the lines after it were typed in the session's N-th
//! client, counted in the order they first typed. A link from one pane has no such line.
//! Opening a link opens as many panes as it names, so a SUBSCRIBE in one and a PUBLISH in
//! another replay as they were played. The redis-cli script and the RESP file are one
//! connection: they leave the markers out.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use keyspace::cli;
use keyspace_protocol::share::{client_marker, QrMatrix, ShareBundle, ShareError, LINK_PREFIX};

/// The longest link fragment made or opened (after `#`). Browsers take much longer URLs; a
/// chat message or a slide does not.
pub const MAX_LINK_LEN: usize = 8 * 1024;
/// The most lines a link replays.
pub const MAX_LINES: usize = 500;
/// The most text a link inflates to: a bound on what a crafted link can make the page do.
pub const MAX_TEXT: usize = 64 * 1024;
/// Deflate's best compression: links are made rarely, and shorter is better.
const LEVEL: u8 = 10;

/// The lines worth sharing: those that are commands (redis-cli splits them into at least
/// one argument), without surrounding blanks.
pub fn shareable<S: AsRef<str>>(lines: &[S]) -> Vec<String> {
    lines
        .iter()
        .map(|l| l.as_ref().trim())
        .filter(|l| is_command_line(l))
        .map(str::to_string)
        .collect()
}

fn is_command_line(line: &str) -> bool {
    !line.chars().any(char::is_control)
        && cli::split_args(line.as_bytes()).is_some_and(|argv| !argv.is_empty())
}

/// The link fragment (without `#`) that replays `lines`.
pub fn encode<S: AsRef<str>>(lines: &[S]) -> Result<String, ShareError> {
    encode_with(LINK_PREFIX, lines)
}

/// The link fragment `<prefix><payload>` that carries `lines`: a console's (`share/`) or the
/// Replication view's (`repl/`).
pub fn encode_with<S: AsRef<str>>(prefix: &str, lines: &[S]) -> Result<String, ShareError> {
    let lines = shareable(lines);
    if lines.is_empty() {
        return Err(ShareError::Empty);
    }
    let text = lines.join("\n");
    if lines.len() > MAX_LINES || text.len() > MAX_TEXT {
        return Err(ShareError::TooLong);
    }
    let packed = miniz_oxide::deflate::compress_to_vec(text.as_bytes(), LEVEL);
    let fragment = format!("{prefix}{}", URL_SAFE_NO_PAD.encode(packed));
    if fragment.len() > MAX_LINK_LEN {
        return Err(ShareError::TooLong);
    }
    Ok(fragment)
}

/// The share dialog's contents for `lines`, the link on the page at `page_url` (its address
/// without a hash).
pub fn bundle<S: AsRef<str>>(lines: &[S], page_url: &str) -> ShareBundle {
    let link = encode(lines).map(|fragment| format!("{page_url}#{fragment}"));
    ShareBundle {
        qr: link.as_ref().ok().and_then(|url| qr(url)),
        link,
        script: redis_cli_script(lines),
        resp: resp_file(lines),
    }
}

/// The lines a location hash (`#share/...`) carries: `None` when it is no share link at all,
/// else the lines or why they cannot be replayed.
pub fn decode(hash: &str) -> Option<Result<Vec<String>, ShareError>> {
    decode_with(LINK_PREFIX, hash)
}

/// The lines a location hash `#<prefix>...` carries, as [`decode`] reads a console's.
pub fn decode_with(prefix: &str, hash: &str) -> Option<Result<Vec<String>, ShareError>> {
    let payload = hash
        .strip_prefix('#')
        .unwrap_or(hash)
        .strip_prefix(prefix)?;
    Some(decode_payload(prefix, payload))
}

fn decode_payload(prefix: &str, payload: &str) -> Result<Vec<String>, ShareError> {
    if payload.len() + prefix.len() > MAX_LINK_LEN {
        return Err(ShareError::TooLong);
    }
    if payload.is_empty() {
        return Err(ShareError::Empty);
    }
    let packed = URL_SAFE_NO_PAD
        .decode(payload)
        .map_err(|_| ShareError::Corrupt)?;
    let text = miniz_oxide::inflate::decompress_to_vec_with_limit(&packed, MAX_TEXT).map_err(
        |e| match e.status {
            miniz_oxide::inflate::TINFLStatus::HasMoreOutput => ShareError::TooLong,
            _ => ShareError::Corrupt,
        },
    )?;
    let text = String::from_utf8(text).map_err(|_| ShareError::NotText)?;
    let lines: Vec<String> = text.split('\n').map(str::to_string).collect();
    if lines.len() > MAX_LINES {
        return Err(ShareError::TooLong);
    }
    let valid = |l: &String| match client_marker(l) {
        Some(n) => n.is_some(),
        None => is_command_line(l),
    };
    if !lines.iter().all(valid) {
        return Err(ShareError::NotCommands);
    }
    Ok(lines)
}

/// The lines as a redis-cli script: one command a line, each argument quoted so that
/// `redis-cli < script` sends exactly the arguments the console sent.
pub fn redis_cli_script<S: AsRef<str>>(lines: &[S]) -> String {
    let mut script = String::new();
    for argv in commands(lines) {
        let words: Vec<String> = argv.iter().map(|a| cli::word(a)).collect();
        script.push_str(&words.join(" "));
        script.push('\n');
    }
    script
}

/// The lines as RESP requests (arrays of bulk strings), for `redis-cli --pipe`.
pub fn resp_file<S: AsRef<str>>(lines: &[S]) -> Vec<u8> {
    let mut file = Vec::new();
    for argv in commands(lines) {
        keyspace::resp::encode_request(&mut file, &argv);
    }
    file
}

/// Each shareable line split into its arguments, as the console split it.
fn commands<S: AsRef<str>>(lines: &[S]) -> Vec<Vec<Vec<u8>>> {
    shareable(lines)
        .iter()
        .filter(|l| client_marker(l).is_none())
        .filter_map(|l| cli::split_args(l.as_bytes()))
        .collect()
}

/// The QR code of `url`, at the lowest error correction (a projected screen is clean, and it
/// leaves the most room for the link); `None` when the link is longer than a QR code holds.
pub fn qr(url: &str) -> Option<QrMatrix> {
    let code = qrcode::QrCode::with_error_correction_level(url, qrcode::EcLevel::L).ok()?;
    let dark = code
        .to_colors()
        .into_iter()
        .map(|c| c == qrcode::Color::Dark)
        .collect();
    Some(QrMatrix {
        width: code.width(),
        dark,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace_protocol::share::{by_client, is_link, with_clients};

    #[test]
    fn a_link_replays_the_typed_commands() {
        let typed = [
            "SET greeting \"hello world\"",
            "  ",
            "GET greeting",
            "SET \"unbalanced",
            "HSET user:1 name 林 age 30",
        ];
        let fragment = encode(&typed).unwrap();
        assert!(fragment.starts_with("share/"));
        assert!(fragment[6..]
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_'));
        assert_eq!(
            decode(&format!("#{fragment}")),
            Some(Ok(vec![
                "SET greeting \"hello world\"".to_string(),
                "GET greeting".to_string(),
                "HSET user:1 name 林 age 30".to_string(),
            ]))
        );
    }

    #[test]
    fn lines_of_several_panes_carry_their_client_and_replay_in_it() {
        // Pane ids as the page has them (pane 2 was closed): clients count from the first.
        let typed = [
            (3, "SUBSCRIBE news"),
            (1, "PUBLISH news hi"),
            (1, "GET a"),
            (3, "PING"),
        ];
        let lines = with_clients(&typed);
        assert_eq!(
            lines,
            [
                "@client 1",
                "SUBSCRIBE news",
                "@client 2",
                "PUBLISH news hi",
                "GET a",
                "@client 1",
                "PING"
            ]
        );
        let opened = decode(&encode(&lines).unwrap()).unwrap().unwrap();
        assert_eq!(
            by_client(opened),
            [
                (1, "SUBSCRIBE news".to_string()),
                (2, "PUBLISH news hi".to_string()),
                (2, "GET a".to_string()),
                (1, "PING".to_string()),
            ]
        );
        // One pane: no markers, as links always were.
        assert_eq!(with_clients(&[(2, "GET a")]), ["GET a"]);
        // The exports are one connection: no markers in them.
        assert_eq!(
            redis_cli_script(&lines),
            "SUBSCRIBE news\nPUBLISH news hi\nGET a\nPING\n"
        );
        // A link naming a client the page cannot open is refused.
        for bad in ["@client 9", "@client 0", "@client x"] {
            let fragment = encode(&[bad, "PING"]).unwrap();
            assert_eq!(
                decode(&fragment),
                Some(Err(ShareError::NotCommands)),
                "{bad}"
            );
        }
    }

    #[test]
    fn other_hashes_are_no_share_links() {
        assert_eq!(decode("#scenario/cache-aside/3"), None);
        assert_eq!(decode(""), None);
        assert!(is_link("#share/x") && !is_link("#scenario/x") && !is_link(""));
    }

    #[test]
    fn the_bundle_holds_the_whole_link_its_qr_code_and_the_exports() {
        let typed = ["SET k v"];
        let bundle = bundle(&typed, "https://example.org/play/");
        let link = bundle.link.unwrap();
        let (page, fragment) = link.split_once('#').unwrap();
        assert_eq!(page, "https://example.org/play/");
        assert_eq!(decode(fragment), Some(Ok(vec!["SET k v".to_string()])));
        assert_eq!(bundle.qr, qr(&link));
        assert_eq!(bundle.script, "SET k v\n");
        assert_eq!(bundle.resp, resp_file(&typed));
        let empty = super::bundle(&[""; 0], "https://example.org/");
        assert_eq!((empty.link, empty.qr), (Err(ShareError::Empty), None));
    }

    #[test]
    fn bad_links_are_refused_with_a_reason() {
        let pack = |text: &[u8]| {
            format!(
                "#share/{}",
                URL_SAFE_NO_PAD.encode(miniz_oxide::deflate::compress_to_vec(text, 6))
            )
        };
        assert_eq!(decode("#share/"), Some(Err(ShareError::Empty)));
        assert_eq!(decode("#share/<script>"), Some(Err(ShareError::Corrupt)));
        assert_eq!(decode("#share/aGVsbG8"), Some(Err(ShareError::Corrupt)));
        let long = format!("#share/{}", "A".repeat(MAX_LINK_LEN));
        assert_eq!(decode(&long), Some(Err(ShareError::TooLong)));
        assert_eq!(decode(&pack(&[0xff, 0xfe])), Some(Err(ShareError::NotText)));
        assert_eq!(
            decode(&pack(b"GET a\n\"b")),
            Some(Err(ShareError::NotCommands))
        );
        assert_eq!(
            decode(&pack(b"GET a\n")),
            Some(Err(ShareError::NotCommands))
        );
        assert_eq!(
            decode(&pack(b"GET a\rDEL b")),
            Some(Err(ShareError::NotCommands))
        );
        let many = vec!["PING"; MAX_LINES + 1].join("\n");
        assert_eq!(
            decode(&pack(many.as_bytes())),
            Some(Err(ShareError::TooLong))
        );
        // A small link that inflates past the limit is refused without inflating it all.
        let bomb = vec![b'a'; MAX_TEXT * 4];
        assert_eq!(decode(&pack(&bomb)), Some(Err(ShareError::TooLong)));
        // Markup is only text: the link opens, and the engine will answer it as a command.
        assert_eq!(
            decode(&pack(b"<img src=x onerror=alert(1)>")),
            Some(Ok(vec!["<img src=x onerror=alert(1)>".to_string()]))
        );
    }

    #[test]
    fn links_too_long_or_empty_are_not_made() {
        assert_eq!(encode(&["   "]), Err(ShareError::Empty));
        // Random-looking arguments do not compress: 400 lines of them pass 8 KB of link.
        let mut state = 0x2545_f491_4f6c_dd1d_u64;
        let mut random = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        let lines: Vec<String> = (0..400)
            .map(|i| format!("SET k{i} {:x}{:x}{:x}", random(), random(), random()))
            .collect();
        assert_eq!(encode(&lines), Err(ShareError::TooLong));
        assert!(encode(&lines[..50]).is_ok());
    }

    #[test]
    fn the_script_quotes_what_redis_cli_would_split() {
        let script = redis_cli_script(&[
            "SET a 'it\\'s'",
            "SET \"b c\" \"x\\ny\"",
            "SET e \"\"",
            "GET \"q\\\"\"",
            "SET 名 值",
        ]);
        assert_eq!(
            script,
            "SET a \"it's\"\nSET \"b c\" \"x\\ny\"\nSET e \"\"\nGET \"q\\\"\"\nSET \"\\xe5\\x90\\x8d\" \"\\xe5\\x80\\xbc\"\n"
        );
        // Each line splits back into the arguments the console sent.
        for (line, typed) in script
            .lines()
            .zip(["SET a 'it\\'s'", "SET \"b c\" \"x\\ny\""])
        {
            assert_eq!(
                cli::split_args(line.as_bytes()),
                cli::split_args(typed.as_bytes())
            );
        }
    }

    #[test]
    fn the_resp_file_is_one_array_of_bulk_strings_per_command() {
        assert_eq!(
            resp_file(&["SET k \"a b\"", "", "GET k"]),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$3\r\na b\r\n*2\r\n$3\r\nGET\r\n$1\r\nk\r\n"
        );
    }

    #[test]
    fn the_qr_code_is_a_square_of_modules() {
        let link = "https://example.org/#share/abc";
        let code = qr(link).unwrap();
        assert_eq!(code.dark.len(), code.width * code.width);
        assert!(code.width >= 21 && (code.width - 17).is_multiple_of(4));
        // The top-left finder pattern: a dark 7x7 ring.
        assert!(code.dark[0] && code.dark[6] && code.dark[6 * code.width]);
        assert!(!code.dark[code.width + 1]);
        assert!(qr(&"x".repeat(MAX_LINK_LEN)).is_none());
        let path = code.svg_path();
        assert!(path.starts_with("M0 0h1v1h-1z"));
        assert_eq!(path.matches('M').count(), code.dark_modules().count());
    }
}
