//! Lessons in Markdown: opening one, its panel beside the console, its Run buttons, the
//! images it asks before fetching, and why a lesson did not open.

use keyspace_protocol::lesson::{LessonError, LESSON_MAX_BYTES};

use super::{fill, put};

/// The words of the lesson panel, in one language. `{n}` and other named holes are put in
/// by `crate::i18n::fill` and `put`.
#[derive(Debug, PartialEq, Eq)]
pub struct LessonStrings {
    /// The console's button that opens a `.md` file.
    pub open: &'static str,
    pub open_title: &'static str,
    /// The panel's name for screen readers, when the lesson has no heading.
    pub panel: &'static str,
    pub close: &'static str,
    pub loading: &'static str,
    pub run: &'static str,
    /// A block whose lines all run in client `{n}` (not the first).
    pub run_in: &'static str,
    pub run_title: &'static str,
    /// The lesson has no part in the page's language: shown in the other.
    pub other_language: &'static str,
    /// An image not fetched yet: `{host}` it would come from.
    pub image_from: &'static str,
    pub image_load: &'static str,
    /// An image whose address is neither http(s) nor relative to a lesson opened by address.
    pub image_refused: &'static str,
    /// A link the page does not follow: `{target}`.
    pub link_refused: &'static str,
    /// A relative link in a lesson opened from a file: there is nothing to resolve it on.
    pub link_relative: &'static str,
    pub error_title: &'static str,
    pub too_big: &'static str,
    pub not_markdown: &'static str,
    pub fetch: &'static str,
    pub status: &'static str,
    pub unknown_language: &'static str,
    pub bad_client: &'static str,
    pub empty: &'static str,
}

pub const EN: LessonStrings = LessonStrings {
    open: "Open a lesson (.md)…",
    open_title: "A lesson written in Markdown: its redis blocks get a Run button. You can also \
                 drop a .md file on the page, or open a link ending in #lesson=ADDRESS.",
    panel: "Lesson",
    close: "Close the lesson",
    loading: "Opening the lesson…",
    run: "▶ Run",
    run_in: "▶ Run in client {n}",
    run_title: "Runs these lines in the console, one after another, as if typed",
    other_language: "This lesson has no English part: it is shown in 繁體中文.",
    image_from: "Image from {host}, not loaded yet",
    image_load: "Load image",
    image_refused: "Image not shown (only http and https addresses are loaded): {src}",
    link_refused: "Link not followed: {target}",
    link_relative:
        "Relative link ({target}): this lesson was opened from a file, not from an address",
    error_title: "The lesson did not open",
    too_big: "The lesson is {n} bytes: the page opens lessons of up to {max} bytes.",
    not_markdown: "{what} is not a Markdown lesson (a .md file of text).",
    fetch: "The lesson could not be fetched ({why}). Its server must allow other sites to \
            read it (CORS), as raw.githubusercontent.com and GitHub Pages do.",
    status: "The lesson's address answered HTTP {n}.",
    unknown_language: "Line {line}: no language “{name}” here: a marker is <!-- lang: en -->, \
                       <!-- lang: zh-TW --> or <!-- lang: all -->.",
    bad_client: "Line {line}: “{client}” is not a client from 1 to {n}.",
    empty: "The lesson is empty.",
};

pub const ZH_TW: LessonStrings = LessonStrings {
    open: "開啟課程（.md）…",
    open_title:
        "用 Markdown 寫的課程：其中的 redis 區塊會有「執行」按鈕。也可以把 .md 檔拖放到頁面上，\
                 或開啟結尾是 #lesson=網址 的連結。",
    panel: "課程",
    close: "關閉課程",
    loading: "正在開啟課程…",
    run: "▶ 執行",
    run_in: "▶ 在用戶端 {n} 執行",
    run_title: "在主控台依序執行這幾行，如同親手輸入",
    other_language: "這份課程沒有中文部分：以 English 顯示。",
    image_from: "來自 {host} 的圖片，尚未載入",
    image_load: "載入圖片",
    image_refused: "不顯示的圖片（只載入 http 與 https 網址）：{src}",
    link_refused: "不開啟的連結：{target}",
    link_relative: "相對連結（{target}）：這份課程是從檔案開啟的，不是從網址",
    error_title: "課程無法開啟",
    too_big: "課程有 {n} 位元組：頁面只開啟 {max} 位元組以內的課程。",
    not_markdown: "{what} 不是 Markdown 課程（文字的 .md 檔）。",
    fetch: "無法取得課程（{why}）。課程所在的伺服器必須允許其他網站讀取（CORS），\
            raw.githubusercontent.com 與 GitHub Pages 都允許。",
    status: "課程網址回應 HTTP {n}。",
    unknown_language: "第 {line} 行：沒有「{name}」這個語言：標記寫成 <!-- lang: en -->、\
                       <!-- lang: zh-TW --> 或 <!-- lang: all -->。",
    bad_client: "第 {line} 行：「{client}」不是 1 到 {n} 的用戶端。",
    empty: "課程是空的。",
};

impl LessonStrings {
    /// Why a lesson did not open, in this language.
    pub fn error(&self, error: &LessonError) -> String {
        use keyspace_protocol::console::PANES_MAX;
        match error {
            LessonError::TooBig(n) => put(
                &fill(self.too_big, *n),
                "max",
                &LESSON_MAX_BYTES.to_string(),
            ),
            LessonError::NotMarkdown(what) => put(self.not_markdown, "what", what),
            LessonError::Fetch(why) => put(self.fetch, "why", why),
            LessonError::Status(n) => fill(self.status, usize::from(*n)),
            LessonError::UnknownLanguage { line, name } => put(
                &put(self.unknown_language, "line", &line.to_string()),
                "name",
                name,
            ),
            LessonError::BadClient { line, client } => put(
                &put(&fill(self.bad_client, PANES_MAX), "line", &line.to_string()),
                "client",
                client,
            ),
            LessonError::Empty => self.empty.to_string(),
        }
    }
}
