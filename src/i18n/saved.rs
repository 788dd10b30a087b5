//! "Saved in this browser" in the Server tab, and the note a visit prints about what it
//! restored.

/// The words about what the browser keeps, in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct SavedStrings {
    pub title: &'static str,
    pub intro: &'static str,
    /// `{size}` kept in all, `{log}` records in the log, `{base}` the log's base size,
    /// `{rdb}` dump.rdb's size.
    pub kept: &'static str,
    pub no_rdb: &'static str,
    pub failed: &'static str,
    /// The reason given for `QuotaExceededError`.
    pub quota_full: &'static str,
    pub unavailable: &'static str,
    pub download: &'static str,
    pub upload: &'static str,
    /// `{n}` keys.
    pub uploaded: &'static str,
    pub refused: &'static str,
    pub reset: &'static str,
    pub confirm: &'static str,
    pub confirm_yes: &'static str,
    pub confirm_no: &'static str,
    /// Before an RDB file replaces the keyspace: `{file}`, `{keys}` keys in the database shown.
    pub replace_rdb: &'static str,
    pub replace_rdb_yes: &'static str,
    pub damaged_title: &'static str,
    pub damaged_download: &'static str,
    /// Restored notes: `{n}` keys, `{ms}` milliseconds.
    pub restored_log: &'static str,
    pub restored_rdb: &'static str,
    pub restored_nothing: &'static str,
    /// `{n}` keys whose TTL ran out while the page was closed.
    pub expired: &'static str,
    /// `{n}` parameters.
    pub config: &'static str,
    /// `{file}` refused, `{reason}` the loader's words.
    pub damaged: &'static str,
    /// Another tab holds what the browser keeps.
    pub other_tab: &'static str,
}

pub const EN: SavedStrings = SavedStrings {
    title: "Saved in this browser",
    intro: "The playground keeps itself as redis-server keeps a disk: an append-only log \
            (appendonly yes) on a base snapshot, dump.rdb from SAVE, BGSAVE and the save \
            points, and the parameters you changed. Reload the page and it is all back; keys \
            whose TTL ran out meanwhile are gone.",
    kept: "Kept: {size} — a log of {log} write on a {base} base; dump.rdb {rdb}.|Kept: {size} — a log of {log} writes on a {base} base; dump.rdb {rdb}.",
    no_rdb: "none yet",
    failed: "Saving in this browser failed: {reason}. Changes since then are not kept.",
    quota_full: "the browser's storage for this page is full (QuotaExceededError)",
    unavailable: "This browser keeps nothing for this page ({reason}): a reload starts afresh.",
    download: "Download dump.rdb",
    upload: "Load an RDB file…",
    uploaded: "Loaded: the keyspace now holds {n} key.|Loaded: the keyspace now holds {n} keys.",
    refused: "The file was refused, and the keyspace is as it was: {reason}",
    reset: "Reset the playground…",
    confirm: "Delete every key, the parameters you changed, what this browser keeps and the \
              console history, and start afresh?",
    confirm_yes: "Reset",
    confirm_no: "Cancel",
    replace_rdb: "Load {file}? It replaces the whole keyspace, every database (the one shown holds {keys} key now).|Load {file}? It replaces the whole keyspace, every database (the one shown holds {keys} keys now).",
    replace_rdb_yes: "Load and replace",
    damaged_title: "Damaged copies, kept as they were found",
    damaged_download: "Download {file}",
    restored_log: "Restored from this browser: {n} key, from the append-only log ({ms} ms).|Restored from this browser: {n} keys, from the append-only log ({ms} ms).",
    restored_rdb: "Restored from this browser: {n} key, from dump.rdb ({ms} ms).|Restored from this browser: {n} keys, from dump.rdb ({ms} ms).",
    restored_nothing: "The playground starts empty.",
    expired: "Keys that expired while the page was closed: {n}.",
    config: "Changed parameters back: {n} (CONFIG GET shows them).",
    damaged: "{file} was damaged and not loaded ({reason}). The copy is kept: the Server tab \
              offers it for download.",
    other_tab: "Another tab of the playground is open and keeps what this browser saves: \
                this tab starts empty, and its changes are not kept.",
};

pub const ZH_TW: SavedStrings = SavedStrings {
    title: "儲存在這個瀏覽器",
    intro: "遊樂場像 redis-server 在磁碟上那樣保存自己：一份僅附加日誌（appendonly yes）\
            加上基底快照、SAVE / BGSAVE 與儲存點寫下的 dump.rdb，以及你改過的參數。重新整理\
            頁面後一切都在；這段期間 TTL 已到期的鍵則會消失。",
    kept: "已保存：{size} — 基底 {base} 加上 {log} 筆寫入的日誌；dump.rdb {rdb}。",
    no_rdb: "尚無",
    failed: "在這個瀏覽器儲存失敗：{reason}。之後的變更不會被保存。",
    quota_full: "瀏覽器給本頁的儲存空間已滿（QuotaExceededError）",
    unavailable: "這個瀏覽器不為本頁保存任何資料（{reason}）：重新整理就會從頭開始。",
    download: "下載 dump.rdb",
    upload: "載入 RDB 檔案…",
    uploaded: "已載入：鍵空間現有 {n} 個鍵。",
    refused: "檔案被拒絕，鍵空間維持原狀：{reason}",
    reset: "重設遊樂場…",
    confirm: "要刪除所有鍵、你改過的參數、這個瀏覽器保存的資料與主控台歷史，然後重新開始嗎？",
    confirm_yes: "重設",
    confirm_no: "取消",
    replace_rdb:
        "要載入 {file} 嗎？它會取代整個鍵空間的所有資料庫（目前顯示的資料庫有 {keys} 個鍵）。",
    replace_rdb_yes: "載入並取代",
    damaged_title: "損壞的副本（保持發現時的原樣）",
    damaged_download: "下載 {file}",
    restored_log: "已從這個瀏覽器還原：{n} 個鍵，來自僅附加日誌（{ms} 毫秒）。",
    restored_rdb: "已從這個瀏覽器還原：{n} 個鍵，來自 dump.rdb（{ms} 毫秒）。",
    restored_nothing: "遊樂場從空白開始。",
    expired: "頁面關閉期間有 {n} 個鍵到期。",
    config: "{n} 個改過的參數已恢復（CONFIG GET 可查看）。",
    damaged: "{file} 已損壞，沒有載入（{reason}）。副本已保留：可在「伺服器」分頁下載。",
    other_tab: "另一個遊樂場分頁已開啟，由它保存這個瀏覽器的資料：這個分頁從空白開始，\
                它的變更不會被保存。",
};
