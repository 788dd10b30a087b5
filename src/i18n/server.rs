//! The Server tab: the memory gauge and its controls, the chart, INFO, SLOWLOG, the biggest
//! keys, the LRU lab, evicted keys leaving the keyspace panel, and the console's notes about
//! the page engine's limits.

/// The Server tab's words in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct ServerStrings {
    pub tab: &'static str,
    pub memory: &'static str,
    /// The gauge's caption: `{used}` of `{max}`.
    pub used_of: &'static str,
    pub no_limit: &'static str,
    /// Warns that without a limit the tab itself is the limit.
    pub no_limit_warning: &'static str,
    /// The page's default limit, and why.
    pub page_default: &'static str,
    pub policy: &'static str,
    pub exact_lru: &'static str,
    /// What the exact-LRU switch is.
    pub exact_lru_note: &'static str,
    pub maxmemory: &'static str,
    pub set: &'static str,
    pub chart_title: &'static str,
    pub hit_rate: &'static str,
    pub evictions: &'static str,
    /// The evictions axis: `{n}` per second at the top.
    pub evictions_scale: &'static str,
    /// The chart's time axis: its left end (two minutes ago) and right end.
    pub chart_start: &'static str,
    pub chart_now: &'static str,
    pub hits: &'static str,
    pub misses: &'static str,
    pub evicted_keys: &'static str,
    pub keys: &'static str,
    pub slowlog: &'static str,
    pub slowlog_empty: &'static str,
    pub col_id: &'static str,
    pub col_time: &'static str,
    pub col_duration: &'static str,
    pub col_command: &'static str,
    pub col_client: &'static str,
    pub bigkeys: &'static str,
    pub bigkeys_scan: &'static str,
    pub by_memory: &'static str,
    pub by_size: &'static str,
    pub col_key: &'static str,
    pub col_type: &'static str,
    pub col_size: &'static str,
    pub col_memory: &'static str,
    /// redis-cli's summary line: `{n}` keys of a type with `{m}` bytes or elements.
    pub type_total: &'static str,
    pub bytes: &'static str,
    pub elements: &'static str,
    pub lab: &'static str,
    pub lab_intro: &'static str,
    pub lab_run: &'static str,
    pub lab_samples: &'static str,
    pub lab_exact: &'static str,
    pub lab_hit_ratio: &'static str,
    pub lab_kept: &'static str,
    pub lab_evicted: &'static str,
    pub lab_new: &'static str,
    pub lab_new_evicted: &'static str,
    /// A key leaving the keyspace panel: `evicted ({policy})`.
    pub evicted_by: &'static str,
    /// After the named evicted keys: `{n}` more.
    pub evicted_more: &'static str,
    /// The console's note for DEBUG POPULATE above the page's cap of `{n}` keys.
    pub populate_capped: &'static str,
    /// The console's note after CONFIG SET maxmemory 0.
    pub no_limit_note: &'static str,
    /// The scripts and function libraries loaded.
    pub code_title: &'static str,
    pub code_empty: &'static str,
    pub cached_scripts: &'static str,
    pub libraries: &'static str,
    pub code_kept: &'static str,
    /// The server's log (its start, redis.log, saves, SHUTDOWN), and what writes to it.
    pub log_title: &'static str,
    pub log_hint: &'static str,
    /// What INFO's `used_memory_rss` is in the page, on its row of the INFO table.
    pub rss_note: &'static str,
}

pub const EN: ServerStrings = ServerStrings {
    tab: "Server",
    memory: "Memory",
    used_of: "{used} of {max}",
    no_limit: "no limit (maxmemory 0)",
    no_limit_warning: "Without maxmemory, nothing stops a fill until the browser tab runs out of memory.",
    page_default: "This page starts with maxmemory 64mb and Redis's default policy, noeviction: past the limit, writes get Redis's OOM error until you choose an eviction policy. keyspace-server keeps Redis's defaults.",
    policy: "maxmemory-policy",
    exact_lru: "exact LRU",
    exact_lru_note: "playground-exact-lru is this playground's own switch, not Redis's: *-lru policies evict the truly least recently used key instead of sampling.",
    maxmemory: "maxmemory",
    set: "Set",
    chart_title: "Hit rate and evictions, last two minutes",
    hit_rate: "hit rate",
    evictions: "evictions per second",
    evictions_scale: "top: {n} evictions/s",
    chart_start: "2 minutes ago",
    chart_now: "now",
    hits: "keyspace_hits",
    misses: "keyspace_misses",
    evicted_keys: "evicted_keys",
    keys: "keys",
    slowlog: "SLOWLOG",
    slowlog_empty: "The slow log is empty. Try CONFIG SET slowlog-log-slower-than 0, then any command.",
    col_id: "id",
    col_time: "time (UTC)",
    col_duration: "duration (µs)",
    col_command: "command",
    col_client: "client",
    bigkeys: "Biggest keys",
    bigkeys_scan: "Scan this database",
    by_memory: "By memory (redis-cli --memkeys)",
    by_size: "By length or elements (redis-cli --bigkeys)",
    col_key: "key",
    col_type: "type",
    col_size: "size",
    col_memory: "memory",
    type_total: "{n} key with {m}|{n} keys with {m}",
    bytes: "byte|bytes",
    elements: "element|elements",
    lab: "LRU lab",
    lab_intro: "400 keys are written, then read in order (the first is the least recently used); maxmemory is set to what they take and 200 more keys are written. True LRU evicts exactly the first 200. Then the 200 most recently read keys are read again: the hit ratio.",
    lab_run: "Run the lab",
    lab_samples: "maxmemory-samples {n}",
    lab_exact: "exact LRU",
    lab_hit_ratio: "hit ratio {n}%",
    lab_kept: "kept",
    lab_evicted: "evicted",
    lab_new: "new",
    lab_new_evicted: "new, evicted",
    evicted_by: "evicted ({policy})",
    evicted_more: "… and {n} more evicted",
    populate_capped: "(not run) In the browser, DEBUG POPULATE is capped at {n} keys; keyspace-server has no cap.",
    no_limit_note: "Note: maxmemory is now 0, no limit. In the browser, a big fill can now crash the tab.",
    code_title: "Scripts and functions",
    code_empty: "No script is cached and no library is loaded. EVAL and SCRIPT LOAD cache a script; FUNCTION LOAD loads a library. The console's Script editor writes either.",
    cached_scripts: "EVAL's script cache (EVALSHA takes the SHA1)",
    libraries: "Function libraries (FCALL calls their functions)",
    code_kept: "Cached scripts are never saved: a restart or SCRIPT FLUSH forgets them. Libraries are saved with the data, in RDB and AOF.",
    log_title: "Server log",
    log_hint: "A script writes here with redis.log(redis.LOG_WARNING, 'text'), at loglevel or above; the server's start, saves and their failures, and SHUTDOWN are noted here too.",
    rss_note: "In the page: the size of the engine worker's WebAssembly memory, what this tab holds for it. It never shrinks, so it is the most the worker ever held at once; used_memory is Redis's figure for the same data.",
};

pub const ZH_TW: ServerStrings = ServerStrings {
    tab: "伺服器",
    memory: "記憶體",
    used_of: "{used} / {max}",
    no_limit: "無上限（maxmemory 0）",
    no_limit_warning: "沒有 maxmemory 時，大量寫入只會在瀏覽器分頁記憶體耗盡時停止。",
    page_default: "本頁預設 maxmemory 64mb，並沿用 Redis 的預設策略 noeviction：超過上限後，寫入會得到 Redis 的 OOM 錯誤，直到你選擇一種淘汰策略。keyspace-server 則保留 Redis 的預設值。",
    policy: "maxmemory-policy",
    exact_lru: "精確 LRU",
    exact_lru_note: "playground-exact-lru 是本遊樂場自己的開關，不是 Redis 的：*-lru 策略會淘汰真正最久未使用的鍵，而不是抽樣。",
    maxmemory: "maxmemory",
    set: "設定",
    chart_title: "命中率與淘汰數（最近兩分鐘）",
    hit_rate: "命中率",
    evictions: "每秒淘汰數",
    evictions_scale: "頂端：每秒 {n} 個淘汰",
    chart_start: "兩分鐘前",
    chart_now: "現在",
    hits: "keyspace_hits",
    misses: "keyspace_misses",
    evicted_keys: "evicted_keys",
    keys: "鍵數",
    slowlog: "SLOWLOG",
    slowlog_empty: "慢查詢日誌是空的。試試 CONFIG SET slowlog-log-slower-than 0，再執行任一指令。",
    col_id: "id",
    col_time: "時間（UTC）",
    col_duration: "耗時（µs）",
    col_command: "指令",
    col_client: "客戶端",
    bigkeys: "最大的鍵",
    bigkeys_scan: "掃描此資料庫",
    by_memory: "依記憶體（redis-cli --memkeys）",
    by_size: "依長度或元素數（redis-cli --bigkeys）",
    col_key: "鍵",
    col_type: "型別",
    col_size: "大小",
    col_memory: "記憶體",
    type_total: "{n} 個鍵，共 {m}",
    bytes: "位元組",
    elements: "個元素",
    lab: "LRU 實驗室",
    lab_intro: "先寫入 400 個鍵，再依序讀取（第一個是最久未使用的）；把 maxmemory 設為它們所佔的大小，再寫入 200 個鍵。真正的 LRU 會剛好淘汰前 200 個。之後再讀一次最近讀過的 200 個鍵：即命中率。",
    lab_run: "執行實驗",
    lab_samples: "maxmemory-samples {n}",
    lab_exact: "精確 LRU",
    lab_hit_ratio: "命中率 {n}%",
    lab_kept: "保留",
    lab_evicted: "已淘汰",
    lab_new: "新鍵",
    lab_new_evicted: "新鍵，已淘汰",
    evicted_by: "已淘汰（{policy}）",
    evicted_more: "…另有 {n} 個鍵被淘汰",
    populate_capped: "（未執行）在瀏覽器中，DEBUG POPULATE 最多 {n} 個鍵；keyspace-server 沒有這個上限。",
    no_limit_note: "注意：maxmemory 現在是 0，沒有上限。在瀏覽器中，大量寫入可能讓分頁當掉。",
    code_title: "腳本與函式",
    code_empty: "沒有快取的腳本，也沒有載入的函式庫。EVAL 和 SCRIPT LOAD 會快取腳本；FUNCTION LOAD 會載入函式庫。兩者都可以用主控台的腳本編輯器撰寫。",
    cached_scripts: "EVAL 的腳本快取（EVALSHA 使用 SHA1）",
    libraries: "函式庫（用 FCALL 呼叫其中的函式）",
    code_kept: "快取的腳本不會被儲存：重新啟動或 SCRIPT FLUSH 就會忘記。函式庫則和資料一起存進 RDB 與 AOF。",
    log_title: "伺服器日誌",
    log_hint: "腳本可以用 redis.log(redis.LOG_WARNING, 'text') 寫到這裡（等級不低於 loglevel 才會記錄）；伺服器的啟動、儲存與儲存失敗，以及 SHUTDOWN 也會記在這裡。",
    rss_note: "在網頁中：引擎 Web Worker 的 WebAssembly 記憶體大小，也就是這個分頁為引擎占用的記憶體。它只增不減，所以是 worker 曾同時占用的最大量；used_memory 則是 Redis 對同一份資料的估算。",
};

#[cfg(test)]
mod tests {
    use super::*;
    use crate::i18n::{count_form, put};

    #[test]
    fn both_languages_keep_every_placeholder() {
        for t in [&EN, &ZH_TW] {
            for (text, names) in [
                (t.used_of, &["used", "max"][..]),
                (t.evictions_scale, &["n"]),
                (t.type_total, &["n", "m"]),
                (t.lab_samples, &["n"]),
                (t.lab_hit_ratio, &["n"]),
                (t.evicted_by, &["policy"]),
                (t.evicted_more, &["n"]),
                (t.populate_capped, &["n"]),
            ] {
                for count in [1, 42] {
                    let form = count_form(text, count);
                    let filled = names
                        .iter()
                        .fold(form.to_string(), |t, name| put(&t, name, "42"));
                    assert_eq!(filled.matches("42").count(), names.len(), "{text}");
                    assert!(!filled.contains('{') && !filled.contains('|'), "{text}");
                }
            }
        }
    }
}
