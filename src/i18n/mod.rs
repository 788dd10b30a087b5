//! The page's words in 繁體中文 and English: one table per language, chosen from the browser's
//! language unless the visitor picked one (remembered by the page). Redis's own output and
//! names (types, commands, errors) are never translated. Command summaries come from the
//! worker (the spec table's English, the worker's `docs` for 繁體中文); only the UI's own text
//! is here.
//!
//! Each feature has a file with its table's struct and the two tables, named alike in every
//! file: `console::EN` and `console::ZH_TW`, `scenario::EN` and `scenario::ZH_TW`, and so on.
//! [`Strings`] assembles one language's tables; a text missing from either is a compile
//! error.

pub mod app;
pub mod clients;
pub mod console;
pub mod embed;
pub mod keyspace;
pub mod lesson;
pub mod repl;
pub mod saved;
pub mod scenario;
pub mod server;
pub mod share;

/// Every piece of text the page shows that is not Redis's own output, in one language.
#[derive(Debug, PartialEq, Eq)]
pub struct Strings {
    /// The `lang` attribute for the document, and the key the choice is saved under.
    pub lang: &'static str,
    /// The button that switches to this language, written in it.
    pub name: &'static str,
    pub app: &'static app::AppStrings,
    pub console: &'static console::ConsoleStrings,
    pub clients: &'static clients::ClientStrings,
    pub keyspace: &'static keyspace::KeyspaceStrings,
    pub scenario: &'static scenario::ScenarioStrings,
    pub server: &'static server::ServerStrings,
    pub saved: &'static saved::SavedStrings,
    pub share: &'static share::ShareStrings,
    pub embed: &'static embed::EmbedStrings,
    pub lesson: &'static lesson::LessonStrings,
    pub repl: &'static repl::ReplStrings,
}

pub const EN: Strings = Strings {
    lang: "en",
    name: "English",
    app: &app::EN,
    console: &console::EN,
    clients: &clients::EN,
    keyspace: &keyspace::EN,
    scenario: &scenario::EN,
    server: &server::EN,
    saved: &saved::EN,
    share: &share::EN,
    embed: &embed::EN,
    lesson: &lesson::EN,
    repl: &repl::EN,
};

pub const ZH_TW: Strings = Strings {
    lang: "zh-Hant-TW",
    name: "繁體中文",
    app: &app::ZH_TW,
    console: &console::ZH_TW,
    clients: &clients::ZH_TW,
    keyspace: &keyspace::ZH_TW,
    scenario: &scenario::ZH_TW,
    server: &server::ZH_TW,
    saved: &saved::ZH_TW,
    share: &share::ZH_TW,
    embed: &embed::ZH_TW,
    lesson: &lesson::ZH_TW,
    repl: &repl::ZH_TW,
};

/// Both tables, in the order the switch offers them.
pub const LANGUAGES: [&Strings; 2] = [&ZH_TW, &EN];

/// The table for a BCP 47 language tag such as `navigator.language` gives, or a saved
/// choice: any Chinese gets 繁體中文 (the guide this page teaches is written in it), everything
/// else English.
pub fn strings_for(language: &str) -> &'static Strings {
    let primary = language.split(['-', '_']).next().unwrap_or("");
    if primary.eq_ignore_ascii_case("zh") {
        &ZH_TW
    } else {
        &EN
    }
}

/// Puts `n` into a text's `{n}`.
pub fn fill(text: &str, n: usize) -> String {
    count_form(text, n as u64).replace("{n}", &n.to_string())
}

/// The form of a text for `count`: a text written `one|other` ("{n} key|{n} keys") gives its
/// first form for 1 and its second for any other number; a text without `|` (繁體中文 has no
/// plural) is the same for every number.
pub fn count_form(text: &str, count: u64) -> &str {
    match text.split_once('|') {
        Some((one, _)) if count == 1 => one,
        Some((_, other)) => other,
        None => text,
    }
}

/// Puts a page's first and last element (counted from 1) and the total into a text such as
/// `KeyspaceStrings::page_range`.
pub fn fill_range(text: &str, from: usize, to: usize, n: usize) -> String {
    text.replace("{from}", &from.to_string())
        .replace("{to}", &to.to_string())
        .replace("{n}", &n.to_string())
}

/// Puts `value` into a text's `{name}`.
pub fn put(text: &str, name: &str, value: &str) -> String {
    text.replace(&format!("{{{name}}}"), value)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_table_from_the_language_tag() {
        assert_eq!(strings_for("zh-TW"), &ZH_TW);
        assert_eq!(strings_for("zh-Hant"), &ZH_TW);
        assert_eq!(strings_for("ZH"), &ZH_TW);
        assert_eq!(strings_for("en-US"), &EN);
        assert_eq!(strings_for("fr"), &EN);
        assert_eq!(strings_for(""), &EN);
        // A saved choice reads back as its table.
        for table in LANGUAGES {
            assert_eq!(strings_for(table.lang), table);
        }
    }

    #[test]
    fn both_tables_name_redis_7_0() {
        for strings in LANGUAGES {
            assert!(
                strings.app.emulates.contains("Redis 7.0"),
                "{}",
                strings.lang
            );
        }
    }

    #[test]
    fn one_is_singular_in_english() {
        assert_eq!(fill(EN.keyspace.keys_count, 1), "1 key");
        assert_eq!(fill(EN.keyspace.keys_count, 0), "0 keys");
        assert_eq!(fill(EN.keyspace.keys_count, 2), "2 keys");
        assert_eq!(fill(ZH_TW.keyspace.keys_count, 1), fill("{n} 個鍵", 1));
    }

    #[test]
    fn numbered_texts_take_their_number() {
        for strings in LANGUAGES {
            for text in [
                strings.console.show_all,
                strings.console.show_more,
                strings.keyspace.keys_count,
                strings.keyspace.bytes,
                strings.keyspace.more_bytes,
                strings.keyspace.elements,
            ] {
                assert!(fill(text, 42).contains("42"), "{text}");
                assert!(fill(text, 1).contains('1') && !fill(text, 1).contains('|'));
            }
            for text in [strings.scenario.scenario_keys, strings.scenario.more_keys] {
                assert!(fill(text, 42).contains("42"), "{text}");
            }
            assert!(
                strings.scenario.step_of.contains("{n}")
                    && strings.scenario.step_of.contains("{m}")
            );
            assert!(
                strings.scenario.receives.contains("{c}") && strings.scenario.waits.contains("{t}")
            );
            let range = fill_range(strings.keyspace.page_range, 51, 100, 1000);
            assert!(
                ["51", "100", "1000"].iter().all(|n| range.contains(n)),
                "{range}"
            );
        }
    }
}
