//! The keyspace panel (the key list, its filters and TTLs) and the inspectors.

/// The keyspace panel's and the inspectors' words in one language. Texts with `{n}` and other named holes get their values put in by
/// `crate::i18n::fill` and its kin; `one|other` texts have a singular form.
#[derive(Debug, PartialEq, Eq)]
pub struct KeyspaceStrings {
    pub keys_title: &'static str,
    /// `{n}` keys match.
    pub keys_count: &'static str,
    pub db_label: &'static str,
    pub filter_label: &'static str,
    pub filter_placeholder: &'static str,
    pub type_label: &'static str,
    pub all_types: &'static str,
    pub col_key: &'static str,
    pub col_type: &'static str,
    pub col_size: &'static str,
    pub col_ttl: &'static str,
    /// A key without a TTL.
    pub no_ttl: &'static str,
    pub no_keys: &'static str,
    /// The inspector's label, for screen readers.
    pub inspector_label: &'static str,
    /// Under the key list: how to open a key.
    pub inspect_hint: &'static str,
    pub close: &'static str,
    pub prev_page: &'static str,
    pub next_page: &'static str,
    /// Which elements a page shows: `{from}`–`{to}` of `{n}`.
    pub page_range: &'static str,
    /// The inspected key was deleted or expired.
    pub key_gone: &'static str,
    /// Before OBJECT ENCODING's answer.
    pub encoding: &'static str,
    /// A string's length: `{n}` bytes.
    pub bytes: &'static str,
    /// The part of a long string not shown: `{n}` bytes.
    pub more_bytes: &'static str,
    /// An aggregate's size: `{n}` elements.
    pub elements: &'static str,
    /// The legend of a list's two rows of indexes.
    pub from_head: &'static str,
    pub from_tail: &'static str,
    pub col_field: &'static str,
    pub col_value: &'static str,
    pub col_rank: &'static str,
    pub col_member: &'static str,
    pub col_score: &'static str,
    /// Under a sorted set: what its score bars span, from `{low}` to `{high}`.
    pub bars_range: &'static str,
    /// Under a sorted set whose scores are all equal.
    pub bars_equal: &'static str,
    /// After [`Strings::bars_range`] when an end is -inf or +inf.
    pub bars_infinite: &'static str,
}

pub const EN: KeyspaceStrings = KeyspaceStrings {
    keys_title: "Keyspace",
    keys_count: "{n} key|{n} keys",
    db_label: "Database",
    filter_label: "Filter keys",
    filter_placeholder: "pattern, e.g. user:*",
    type_label: "Type",
    all_types: "all types",
    col_key: "Key",
    col_type: "Type",
    col_size: "Size",
    col_ttl: "TTL",
    no_ttl: "no TTL",
    no_keys: "No keys yet. Try SET greeting hello PX 5000",
    inspector_label: "Inspector",
    inspect_hint: "Click a key to see its value.",
    close: "Close",
    prev_page: "‹ Previous",
    next_page: "Next ›",
    page_range: "{from}–{to} of {n}",
    key_gone: "This key does not exist (any more).",
    encoding: "encoding",
    bytes: "{n} byte|{n} bytes",
    more_bytes: "… {n} more byte not shown|… {n} more bytes not shown",
    elements: "{n} element|{n} elements",
    from_head: "index from the head",
    from_tail: "from the tail",
    col_field: "Field",
    col_value: "Value",
    col_rank: "Rank",
    col_member: "Member",
    col_score: "Score",
    bars_range: "Bars run from the lowest score, {low} (empty), to the highest, {high} (full).",
    bars_equal: "Every score is the same: every bar is full.",
    bars_infinite: "With an infinite end, finite scores are drawn midway.",
};

pub const ZH_TW: KeyspaceStrings = KeyspaceStrings {
    keys_title: "鍵空間",
    keys_count: "{n} 個鍵",
    db_label: "資料庫",
    filter_label: "篩選鍵",
    filter_placeholder: "模式，例如 user:*",
    type_label: "型別",
    all_types: "所有型別",
    col_key: "鍵",
    col_type: "型別",
    col_size: "大小",
    col_ttl: "存活時間",
    no_ttl: "不過期",
    no_keys: "還沒有鍵。試試 SET greeting hello PX 5000",
    inspector_label: "檢視器",
    inspect_hint: "點選一個鍵，查看它的值。",
    close: "關閉",
    prev_page: "‹ 上一頁",
    next_page: "下一頁 ›",
    page_range: "第 {from}–{to} 項，共 {n} 項",
    key_gone: "這個鍵不存在（或已被刪除、過期）。",
    encoding: "編碼",
    bytes: "{n} 位元組",
    more_bytes: "…還有 {n} 位元組未顯示",
    elements: "{n} 個元素",
    from_head: "從頭算的索引",
    from_tail: "從尾算的索引",
    col_field: "欄位",
    col_value: "值",
    col_rank: "名次",
    col_member: "成員",
    col_score: "分數",
    bars_range: "長條從最低分 {low}（空）畫到最高分 {high}（滿）。",
    bars_equal: "所有分數都相同：每條長條都是滿的。",
    bars_infinite: "有一端是無限大時，有限的分數畫在中間。",
};
