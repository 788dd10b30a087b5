//! The page's words in 繁體中文 and English: one table per language, chosen from the browser's
//! language. Command summaries live in the engine's spec table; only the UI's own text is here.

/// Every piece of text the page shows that is not Redis's own output.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    /// The `lang` attribute for the document.
    pub lang: &'static str,
    pub title: &'static str,
    /// Says which Redis the page behaves like.
    pub emulates: &'static str,
    /// The label of the command input.
    pub input_label: &'static str,
    pub placeholder: &'static str,
    /// The label of the output log, for screen readers.
    pub output_label: &'static str,
}

pub const ENGLISH: Strings = Strings {
    lang: "en",
    title: "Keyspace Playground",
    emulates: "A Redis keyspace running in your browser. It behaves like Redis 7.0.",
    input_label: "Command",
    placeholder: "Type a command, e.g. SET greeting hello, then press Enter",
    output_label: "Replies",
};

pub const TRADITIONAL_CHINESE: Strings = Strings {
    lang: "zh-Hant-TW",
    title: "Keyspace 遊樂場",
    emulates: "在瀏覽器中執行的 Redis 鍵空間，行為與 Redis 7.0 相同。",
    input_label: "指令",
    placeholder: "輸入指令，例如 SET greeting hello，再按 Enter",
    output_label: "回覆",
};

/// The table for a BCP 47 language tag such as `navigator.language` gives: any Chinese gets
/// 繁體中文 (the guide this page teaches is written in it), everything else English.
pub fn strings_for(language: &str) -> &'static Strings {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("zh") {
        &TRADITIONAL_CHINESE
    } else {
        &ENGLISH
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_table_from_the_language_tag() {
        assert_eq!(strings_for("zh-TW"), &TRADITIONAL_CHINESE);
        assert_eq!(strings_for("zh-Hant"), &TRADITIONAL_CHINESE);
        assert_eq!(strings_for("ZH"), &TRADITIONAL_CHINESE);
        assert_eq!(strings_for("en-US"), &ENGLISH);
        assert_eq!(strings_for("fr"), &ENGLISH);
        assert_eq!(strings_for(""), &ENGLISH);
    }

    #[test]
    fn both_tables_name_redis_7_0() {
        for strings in [&ENGLISH, &TRADITIONAL_CHINESE] {
            assert!(strings.emulates.contains("Redis 7.0"), "{}", strings.lang);
        }
    }
}
