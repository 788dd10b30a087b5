//! Share links and exports, as the page shows them and the worker makes them: the dialog's
//! contents for a session ([`ShareBundle`]), why a link cannot be made or opened
//! ([`ShareError`]), and the format of a link's lines that both sides read: `@client N` before
//! the lines typed in the session's N-th client (as the compat scripts write it,
//! tests/compat/README.md). The deflating, base64 and QR code are the worker's
//! (`keyspace_worker::share`), which keeps them out of the page's module.

use serde::{Deserialize, Serialize};

use crate::console::PANES_MAX;

/// What starts a share link's fragment (after `#`).
pub const LINK_PREFIX: &str = "share/";

/// Why a link cannot be made or opened.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ShareError {
    /// Nothing to share, or a link without lines.
    Empty,
    /// Longer than [`MAX_LINK_LEN`], or more than [`MAX_LINES`] lines or [`MAX_TEXT`] bytes.
    TooLong,
    /// Not base64url, or not deflate data.
    Corrupt,
    /// Inflates to something that is not UTF-8.
    NotText,
    /// A line redis-cli would not split into a command.
    NotCommands,
}

/// Everything the share dialog shows for a session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ShareBundle {
    /// The whole link, or why there is none.
    pub link: Result<String, ShareError>,
    /// The link's QR code, when it fits in one.
    pub qr: Option<QrMatrix>,
    pub script: String,
    pub resp: Vec<u8>,
}

/// A QR code's modules, row by row (`true` dark), `width` on a side, without the quiet zone.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QrMatrix {
    pub width: usize,
    pub dark: Vec<bool>,
}

impl QrMatrix {
    /// The dark modules' (x, y) positions, for drawing.
    pub fn dark_modules(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        self.dark
            .iter()
            .enumerate()
            .filter(|(_, dark)| **dark)
            .map(|(i, _)| (i % self.width, i / self.width))
    }

    /// The dark modules as one SVG path, a unit square each, for a `viewBox` of `width`
    /// (plus the quiet zone the drawing adds around it).
    pub fn svg_path(&self) -> String {
        let mut path = String::new();
        for (x, y) in self.dark_modules() {
            path.push_str(&format!("M{x} {y}h1v1h-1z"));
        }
        path
    }
}

/// The quiet zone a QR code needs around it, in modules.
pub const QR_QUIET_ZONE: usize = 4;

/// The marker that starts a client's lines.
const CLIENT: &str = "@client";

/// Lines typed in panes (`(pane, line)`, in order) as the lines of a link: `@client N`
/// before a run of lines typed in another pane than the one before, when more than one pane
/// typed (see the module's notes).
pub fn with_clients<P: PartialEq + Copy, S: AsRef<str>>(typed: &[(P, S)]) -> Vec<String> {
    let mut order: Vec<P> = Vec::new();
    for (pane, _) in typed {
        if !order.contains(pane) {
            order.push(*pane);
        }
    }
    let mut lines = Vec::new();
    let mut last = None;
    for (pane, line) in typed {
        if order.len() > 1 && last != Some(*pane) {
            let n = order.iter().position(|p| p == pane).unwrap_or(0) + 1;
            lines.push(format!("{CLIENT} {n}"));
        }
        last = Some(*pane);
        lines.push(line.as_ref().to_string());
    }
    lines
}

/// Whether `line` is a marker, and the client (1 for the first) it names if that is a client
/// the page can open.
pub fn client_marker(line: &str) -> Option<Option<usize>> {
    let rest = line.strip_prefix(CLIENT)?.strip_prefix(' ')?;
    Some(rest.parse().ok().filter(|n| (1..=PANES_MAX).contains(n)))
}

/// A link's lines as `(client, line)`: the client 1 for the first, as the markers say.
pub fn by_client(lines: Vec<String>) -> Vec<(usize, String)> {
    let mut client = 1;
    let mut out = Vec::new();
    for line in lines {
        match client_marker(&line) {
            Some(Some(n)) => client = n,
            Some(None) => {}
            None => out.push((client, line)),
        }
    }
    out
}

/// Whether a location hash is a share link at all (checked by the page, which leaves the
/// decoding to the worker).
pub fn is_link(hash: &str) -> bool {
    hash.strip_prefix('#')
        .unwrap_or(hash)
        .starts_with(LINK_PREFIX)
}
