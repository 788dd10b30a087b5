//! Sharing a session: the Share dialog, the link's exports, and what the console says when a
//! link is replayed or refused.

use keyspace_protocol::share::ShareError;

/// The words of sharing, in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct ShareStrings {
    pub button: &'static str,
    pub title: &'static str,
    pub close: &'static str,
    pub copy: &'static str,
    pub copied: &'static str,
    pub link_label: &'static str,
    pub scenario_link: &'static str,
    pub qr_label: &'static str,
    pub qr_too_long: &'static str,
    pub download_script: &'static str,
    pub download_resp: &'static str,
    pub nothing: &'static str,
    /// Shown in the console when a link is opened: `{n}` lines replayed.
    pub replaying: &'static str,
    /// Asked before a link replaces what the browser kept: `{n}` lines, `{keys}` keys kept.
    pub replace_question: &'static str,
    pub replace_yes: &'static str,
    pub replace_no: &'static str,
    /// Said when the learner keeps their playground instead.
    pub kept_instead: &'static str,
    pub empty: &'static str,
    pub too_long: &'static str,
    pub corrupt: &'static str,
    pub not_text: &'static str,
    pub not_commands: &'static str,
}

pub const EN: ShareStrings = ShareStrings {
    button: "Share",
    title: "Share this session",
    close: "Close",
    copy: "Copy link",
    copied: "Copied",
    link_label: "Opening the link replays these commands",
    scenario_link: "Link to the current scenario step",
    qr_label: "QR code of the link",
    qr_too_long: "The link is too long for a QR code.",
    download_script: "Download redis-cli script",
    download_resp: "Download RESP file (redis-cli --pipe)",
    nothing: "No commands typed yet.",
    replaying: "Replaying {n} line from a share link.|Replaying {n} lines from a share link.",
    replace_question: "This link replays {n} lines on a fresh playground, replacing the one \
                       this browser kept (keys: {keys}; and any changed parameters).",
    replace_yes: "Replace and replay",
    replace_no: "Keep mine",
    kept_instead: "Your playground is kept; the share link was not run.",
    empty: "The share link holds no commands.",
    too_long: "The share link is too long; nothing was run.",
    corrupt: "The share link is damaged; nothing was run.",
    not_text: "The share link does not hold text; nothing was run.",
    not_commands: "The share link holds something other than commands; nothing was run.",
};

pub const ZH_TW: ShareStrings = ShareStrings {
    button: "分享",
    title: "分享這段操作",
    close: "關閉",
    copy: "複製連結",
    copied: "已複製",
    link_label: "開啟連結即可重播這些指令",
    scenario_link: "目前情境步驟的連結",
    qr_label: "連結的 QR code",
    qr_too_long: "連結太長，無法做成 QR code。",
    download_script: "下載 redis-cli 腳本",
    download_resp: "下載 RESP 檔（redis-cli --pipe）",
    nothing: "還沒有輸入任何指令。",
    replaying: "正在重播分享連結中的 {n} 行指令。",
    replace_question: "這個連結會在全新的遊樂場重播 {n} 行指令，取代這個瀏覽器保存的遊樂場\
                       （{keys} 個鍵，以及改過的參數）。",
    replace_yes: "取代並重播",
    replace_no: "保留我的",
    kept_instead: "已保留你的遊樂場；分享連結沒有執行。",
    empty: "分享連結裡沒有指令。",
    too_long: "分享連結太長，未執行任何指令。",
    corrupt: "分享連結已損壞，未執行任何指令。",
    not_text: "分享連結的內容不是文字，未執行任何指令。",
    not_commands: "分享連結含有不是指令的內容，未執行任何指令。",
};

impl ShareStrings {
    /// What the page says when a link cannot be made or opened.
    pub fn error(&self, error: ShareError) -> &'static str {
        match error {
            ShareError::Empty => self.empty,
            ShareError::TooLong => self.too_long,
            ShareError::Corrupt => self.corrupt,
            ShareError::NotText => self.not_text,
            ShareError::NotCommands => self.not_commands,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_say_every_error_and_count_the_lines() {
        for strings in [&ZH_TW, &EN] {
            assert!(crate::i18n::fill(strings.replaying, 42).contains("42"));
            let errors = [
                ShareError::Empty,
                ShareError::TooLong,
                ShareError::Corrupt,
                ShareError::NotText,
                ShareError::NotCommands,
            ];
            let mut said: Vec<&str> = errors.iter().map(|&e| strings.error(e)).collect();
            said.dedup();
            assert_eq!(said.len(), errors.len());
        }
    }
}
