//! The console's client panes: their titles and state badges, the message flows, pipelines.

/// The client panes' words in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct ClientStrings {
    /// A pane's title while its client has no name: `{n}` is the pane's number.
    pub client_n: &'static str,
    pub add_client: &'static str,
    /// Why "add a client" is greyed out: `{n}` panes at most.
    pub panes_full: &'static str,
    pub remove_client: &'static str,
    pub rename: &'static str,
    pub rename_label: &'static str,
    /// The echo of a pasted pipeline: `{n}` commands.
    pub pipeline: &'static str,
    /// A paste cut at the limit: `{n}` lines were sent.
    pub pipeline_cut: &'static str,
    pub db: &'static str,
    /// In a transaction: `{n}` commands queued.
    pub in_multi: &'static str,
    /// Subscribed to `{n}` channels and patterns.
    pub subscribed: &'static str,
    pub blocked: &'static str,
    /// Where a blocked command's reply will be: `{cmd}` waits for `{keys}`.
    pub blocked_line: &'static str,
    /// A blocked XREAD's: `{cmd}` waits for an entry on `{keys}` (each a [`stream_after`]).
    pub blocked_stream_line: &'static str,
    /// A blocked XREADGROUP's: `{cmd}` for `{consumer}` of `{group}` waits on `{keys}`.
    pub blocked_group_line: &'static str,
    /// A stream waited on: an entry after `{id}` on `{key}`.
    pub stream_after: &'static str,
    /// The badge's group part: `{consumer}` of `{group}`.
    pub blocked_group: &'static str,
    /// Between the streams a read waits on.
    pub key_separator: &'static str,
    /// A script (EVAL, FCALL) running in the pane, and the button that stops it from another
    /// (`{n}`: that client's id).
    pub script_line: &'static str,
    pub stop_script: &'static str,
    /// The same once the script has written: SCRIPT KILL answers UNKILLABLE, and the button
    /// sends SHUTDOWN NOSAVE, which restarts the server from what the browser keeps.
    pub script_line_wrote: &'static str,
    pub stop_restart: &'static str,
    /// The pane is the only one: `{cmd}` must come from another connection.
    pub stop_needs_pane: &'static str,
    pub watching: &'static str,
    pub watch_broken: &'static str,
    /// Typed lines waiting behind a blocked command: `{n}`.
    pub waiting_lines: &'static str,
    pub replies_off: &'static str,
    pub paused: &'static str,
    pub paused_line: &'static str,
    pub tracking: &'static str,
    pub tracking_none: &'static str,
    pub add_monitor: &'static str,
    pub add_monitor_title: &'static str,
    pub monitoring: &'static str,
    pub writes: &'static str,
    pub tracked_keys: &'static str,
    pub reply_skipped: &'static str,
    pub flows_title: &'static str,
    /// The sender of keyspace notifications and other messages nobody typed.
    pub server: &'static str,
    pub via: &'static str,
    pub nobody: &'static str,
    /// A stream entry's flow: what the writer did, and the readers' group (`{group}`).
    pub xadd: &'static str,
    pub in_group: &'static str,
    /// An entry no blocked reader was waiting for is not drawn; this labels the stream chip.
    pub stream: &'static str,
    pub panes_hint: &'static str,
}

pub const EN: ClientStrings = ClientStrings {
    client_n: "client {n}",
    add_client: "+ Add a client",
    panes_full: "{n} clients at most",
    remove_client: "Disconnect this client",
    rename: "Name",
    rename_label: "Client name (sent as CLIENT SETNAME)",
    pipeline: "(pipeline of {n} commands)",
    pipeline_cut: "(the paste was cut to its first {n} lines)",
    db: "db {n}",
    in_multi: "MULTI · {n} queued",
    subscribed: "subscribed · {n}",
    blocked: "blocked",
    blocked_line: "(blocked: {cmd} waits for data on {keys}, or its timeout)",
    blocked_stream_line: "(blocked: {cmd} waits for a new entry on {keys}, or its timeout)",
    blocked_group_line: "(blocked: {cmd} for {consumer} of group {group} waits for a new entry on {keys}, or its timeout)",
    stream_after: "{key} after {id}",
    blocked_group: "{consumer} of {group}",
    key_separator: ", ",
    script_line: "(running a script: other clients wait for it, and after busy-reply-threshold (5 s) get BUSY; {kill} from another client stops it)",
    stop_script: "Stop: {kill} in client {n}",
    script_line_wrote: "(running a script that has written: {kill} answers UNKILLABLE; only SHUTDOWN NOSAVE from another client ends it)",
    stop_restart: "Stop and restart from the kept state (SHUTDOWN NOSAVE in client {n}): the script's writes are lost",
    stop_needs_pane: "Add a client to send {cmd} from it",
    watching: "WATCH",
    watch_broken: "watch broken: EXEC will fail",
    waiting_lines: "{n} typed line waits|{n} typed lines wait",
    replies_off: "replies off: CLIENT REPLY ON turns them back on",
    paused: "paused · {cmd} (CLIENT PAUSE {mode})",
    paused_line: "(paused: CLIENT PAUSE {mode} holds {cmd} until the pause ends or CLIENT UNPAUSE)",
    tracking: "tracking",
    tracking_none: "no key read yet",
    add_monitor: "+ MONITOR",
    add_monitor_title: "A new client that runs MONITOR: it shows every command the other clients send, as redis-server sees them",
    monitoring: "MONITOR: every command of every client",
    writes: "writes",
    tracked_keys: "keys a client tracks (CLIENT TRACKING): each reader is told to drop its copy",
    reply_skipped: "next reply skipped (CLIENT REPLY SKIP)",
    flows_title: "Messages",
    server: "server",
    via: "via",
    nobody: "nobody listens",
    xadd: "XADD",
    in_group: "group {group}",
    stream: "stream",
    panes_hint:
        "Each pane is its own connection. Paste several lines to send them as one pipeline.",
};

pub const ZH_TW: ClientStrings = ClientStrings {
    client_n: "用戶端 {n}",
    add_client: "+ 新增用戶端",
    panes_full: "最多 {n} 個用戶端",
    remove_client: "中斷這個用戶端的連線",
    rename: "命名",
    rename_label: "用戶端名稱（以 CLIENT SETNAME 送出）",
    pipeline: "（管線：{n} 個命令）",
    pipeline_cut: "（貼上的內容只送出前 {n} 行）",
    db: "資料庫 {n}",
    in_multi: "MULTI · 已排入 {n} 個",
    subscribed: "已訂閱 · {n}",
    blocked: "阻塞中",
    blocked_line: "（阻塞中：{cmd} 等待 {keys} 有資料，或等到逾時）",
    blocked_stream_line: "（阻塞中：{cmd} 等待 {keys} 出現新項目，或等到逾時）",
    blocked_group_line: "（阻塞中：{cmd} 替群組 {group} 的 {consumer} 等待 {keys} 出現新項目，或等到逾時）",
    stream_after: "{key} 在 {id} 之後",
    blocked_group: "群組 {group} 的 {consumer}",
    key_separator: "、",
    script_line: "（腳本執行中：其他用戶端要等它結束，超過 busy-reply-threshold（5 秒）後會收到 BUSY；可從另一個用戶端用 {kill} 停止它）",
    stop_script: "停止：在用戶端 {n} 送出 {kill}",
    script_line_wrote: "（執行中的腳本已經寫入資料：{kill} 會回答 UNKILLABLE，只有從另一個用戶端送出 SHUTDOWN NOSAVE 才能結束它）",
    stop_restart: "停止並從保存的狀態重新啟動（在用戶端 {n} 送出 SHUTDOWN NOSAVE）：腳本寫入的資料會遺失",
    stop_needs_pane: "新增一個用戶端，才能從那裡送出 {cmd}",
    watching: "WATCH",
    watch_broken: "WATCH 已失效：EXEC 會失敗",
    waiting_lines: "{n} 行命令等待中",
    replies_off: "不回覆：用 CLIENT REPLY ON 恢復回覆",
    paused: "暫停中 · {cmd}（CLIENT PAUSE {mode}）",
    paused_line: "（暫停中：CLIENT PAUSE {mode} 擋住了 {cmd}，直到暫停結束或 CLIENT UNPAUSE）",
    tracking: "追蹤中",
    tracking_none: "還沒讀過任何鍵",
    add_monitor: "+ MONITOR",
    add_monitor_title: "新增一個執行 MONITOR 的用戶端：依 redis-server 看到的樣子，顯示其他用戶端送出的每個指令",
    monitoring: "MONITOR：所有用戶端的每個指令",
    writes: "寫入",
    tracked_keys: "有用戶端追蹤的鍵（CLIENT TRACKING）：每個讀過的用戶端都會被通知丟掉它的副本",
    reply_skipped: "下一個命令不回覆（CLIENT REPLY SKIP）",
    flows_title: "訊息",
    server: "伺服器",
    via: "經由",
    nobody: "沒有人訂閱",
    xadd: "XADD",
    in_group: "群組 {group}",
    stream: "串流",
    panes_hint: "每個窗格是一條獨立的連線。一次貼上多行，會以管線（pipeline）一起送出。",
};
