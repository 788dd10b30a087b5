//! An embedded console's own words (`crate::embed`): the rest of what it shows is the
//! console's and the scenario player's.

/// The embedded console's words in one language.
#[derive(Debug, PartialEq, Eq)]
pub struct EmbedStrings {
    /// The embedded console, for screen readers.
    pub label: &'static str,
    /// Starts a new engine and runs the lines the console began with again.
    pub start_over: &'static str,
    pub start_over_hint: &'static str,
    /// The engine stopped (a DEBUG crash, or a failure): nothing was kept.
    pub failed: &'static str,
}

pub const EN: EmbedStrings = EmbedStrings {
    label: "Redis console",
    start_over: "Start over",
    start_over_hint: "A new, empty Redis; the commands this console began with run again",
    failed: "The Redis engine stopped. Start over runs a new one.",
};

pub const ZH_TW: EmbedStrings = EmbedStrings {
    label: "Redis 主控台",
    start_over: "重新開始",
    start_over_hint: "啟動一個全新的空白 Redis，並重新執行這個主控台一開始的指令",
    failed: "Redis 引擎停止了。按「重新開始」可啟動一個新的。",
};
