//! Lessons in Markdown: a teacher's `.md` file read into the plain blocks of
//! `keyspace_protocol::lesson`, which the page draws with its own views. The reading is
//! pulldown-cmark's (CommonMark, with GitHub's tables and strikethrough); what this module
//! adds is what a lesson means beyond Markdown, and what it refuses.
//!
//! - A fenced block whose info string starts with `redis` is runnable: each non-blank line is
//!   a command, run in the console's first pane, or in the pane `client=N` names after the
//!   word `redis`; a line `@client N` (as in a share link) moves the lines after it to the
//!   N-th pane.
//! - An HTML comment alone in a block, `<!-- lang: en -->` or `<!-- lang: zh-TW -->`, starts
//!   that language's part of a two-language file, and `<!-- lang: all -->` a part both
//!   languages show. Comments are invisible wherever Markdown is shown (on GitHub too), so the
//!   file reads well anywhere; parts may alternate, and each language's body is its parts in
//!   order. A file without markers is the same in both languages.
//! - HTML in the file is never HTML: other comments are dropped, and any other tag is shown as
//!   the text it is. Links keep only the targets `lesson::classify_target` allows, images only
//!   their address (the page fetches nothing until the reader asks).
//!
//! Mistakes a teacher can fix (a language the page has not, a client it cannot open) are
//! errors with the line they are on, rather than silently shown wrong.

use std::iter::Peekable;

use keyspace_protocol::console::PANES_MAX;
use keyspace_protocol::lesson::{
    classify_target, Block, Inline, Lesson, LessonBody, LessonError, LESSON_MAX_BYTES,
};
use keyspace_protocol::share::client_marker;
use pulldown_cmark::{CodeBlockKind, Event, OffsetIter, Options, Parser, Tag, TagEnd};

/// Which languages a part of the file is for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Part {
    All,
    En,
    ZhTw,
}

/// Reads a lesson's Markdown.
pub fn parse(source: &str) -> Result<Lesson, LessonError> {
    if source.len() > LESSON_MAX_BYTES {
        return Err(LessonError::TooBig(source.len()));
    }
    let options = Options::ENABLE_TABLES | Options::ENABLE_STRIKETHROUGH;
    let mut reader = Reader {
        source,
        events: Parser::new_ext(source, options)
            .into_offset_iter()
            .peekable(),
    };
    let mut part = Part::All;
    let (mut en, mut zh_tw) = (Vec::new(), Vec::new());
    let (mut has_en, mut has_zh_tw) = (false, false);
    while let Some((event, range)) = reader.events.next() {
        let block = match event {
            Event::Start(Tag::HtmlBlock) => {
                let html = reader.html();
                if let Some(marker) = language_marker(&html) {
                    part = match marker.to_ascii_lowercase().as_str() {
                        "all" => Part::All,
                        "en" => Part::En,
                        "zh-tw" | "zh-hant" | "zh" => Part::ZhTw,
                        _ => {
                            return Err(LessonError::UnknownLanguage {
                                line: reader.line(range.start),
                                name: marker.to_string(),
                            })
                        }
                    };
                    has_en |= part == Part::En;
                    has_zh_tw |= part == Part::ZhTw;
                    continue;
                }
                html_block(html)
            }
            Event::Start(tag) => reader.block(tag, range.start)?,
            Event::Rule => Some(Block::Rule),
            _ => None,
        };
        let Some(block) = block else { continue };
        if part != Part::ZhTw {
            en.push(block.clone());
        }
        if part != Part::En {
            zh_tw.push(block);
        }
    }
    if en.is_empty() && zh_tw.is_empty() {
        return Err(LessonError::Empty);
    }
    // Without any marker the file is one lesson, shown in either language.
    let marked = has_en || has_zh_tw;
    Ok(Lesson {
        en: (has_en || !marked).then(|| body(en)),
        zh_tw: (has_zh_tw || !marked).then(|| body(zh_tw)),
    })
}

/// `lang` in `<!-- lang: NAME -->`, when that comment is the whole of an HTML block.
fn language_marker(html: &str) -> Option<&str> {
    let inner = html
        .trim()
        .strip_prefix("<!--")?
        .strip_suffix("-->")?
        .trim();
    let name = inner
        .strip_prefix("lang")?
        .trim_start()
        .strip_prefix(':')?
        .trim();
    (!name.is_empty() && !name.contains(char::is_whitespace)).then_some(name)
}

/// An HTML block as the lesson shows it: a comment is not shown (as on any Markdown page),
/// anything else is shown as its text.
fn html_block(html: String) -> Option<Block> {
    let trimmed = html.trim();
    if trimmed.is_empty() || (trimmed.starts_with("<!--") && trimmed.ends_with("-->")) {
        return None;
    }
    Some(Block::Html(trimmed.to_string()))
}

/// A language's blocks, with its title and its headings' anchors.
fn body(mut blocks: Vec<Block>) -> LessonBody {
    let mut used: Vec<String> = Vec::new();
    let mut title = None;
    anchor_headings(&mut blocks, &mut used, &mut title);
    LessonBody {
        title: title.unwrap_or_default(),
        blocks,
    }
}

/// Gives each heading its anchor as GitHub makes it (lowercase, punctuation dropped, spaces
/// as `-`, `-1`, `-2`... after a repeated one), so that a lesson's `#fragment` links work
/// both on GitHub and in the page; the first heading's text is the title.
fn anchor_headings(blocks: &mut [Block], used: &mut Vec<String>, title: &mut Option<String>) {
    for block in blocks {
        match block {
            Block::Heading { id, content, .. } => {
                let text = plain_text(content);
                let slug: String = text
                    .trim()
                    .to_lowercase()
                    .chars()
                    .filter(|c| c.is_alphanumeric() || matches!(c, ' ' | '-' | '_'))
                    .map(|c| if c == ' ' { '-' } else { c })
                    .collect();
                let mut unique = slug.clone();
                let mut n = 0;
                while used.contains(&unique) {
                    n += 1;
                    unique = format!("{slug}-{n}");
                }
                used.push(unique.clone());
                *id = unique;
                title.get_or_insert(text);
            }
            Block::Quote(inner) => anchor_headings(inner, used, title),
            Block::List { items, .. } => {
                for item in items {
                    anchor_headings(item, used, title);
                }
            }
            _ => {}
        }
    }
}

/// The text of inline runs, without their styling.
fn plain_text(content: &[Inline]) -> String {
    let mut out = String::new();
    for inline in content {
        match inline {
            Inline::Text(t) | Inline::Code(t) => out.push_str(t),
            Inline::Emphasis(c)
            | Inline::Strong(c)
            | Inline::Strikethrough(c)
            | Inline::Link { content: c, .. }
            | Inline::Refused { content: c, .. } => out.push_str(&plain_text(c)),
            Inline::Image { alt, .. } => out.push_str(alt),
            Inline::Break => out.push(' '),
        }
    }
    out
}

/// Whether a character is written without spaces between words (Han, kana, Hangul, CJK
/// punctuation and full-width forms): a line break between two such is no space.
fn is_wide(c: char) -> bool {
    matches!(c, '\u{2E80}'..='\u{9FFF}' | '\u{AC00}'..='\u{D7AF}' | '\u{F900}'..='\u{FAFF}' | '\u{FF00}'..='\u{FFEF}')
}

/// A soft line break (kept as `\n` while reading) as what it shows: a space between words,
/// nothing between two Chinese characters.
fn join_lines(text: &str) -> String {
    let chars: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    for (i, &c) in chars.iter().enumerate() {
        if c != '\n' {
            out.push(c);
            continue;
        }
        let before = i.checked_sub(1).and_then(|j| chars.get(j));
        let after = chars.get(i + 1);
        if !(before.is_some_and(|&c| is_wide(c)) && after.is_some_and(|&c| is_wide(c))) {
            out.push(' ');
        }
    }
    out
}

/// pulldown-cmark's events, read into blocks.
struct Reader<'a> {
    source: &'a str,
    events: Peekable<OffsetIter<'a>>,
}

impl Reader<'_> {
    /// The line (from 1) of a byte offset in the source.
    fn line(&self, offset: usize) -> usize {
        self.source[..offset.min(self.source.len())]
            .matches('\n')
            .count()
            + 1
    }

    /// The text of an HTML block, up to its end.
    fn html(&mut self) -> String {
        let mut html = String::new();
        for (event, _) in self.events.by_ref() {
            match event {
                Event::End(TagEnd::HtmlBlock) => break,
                Event::Html(t) | Event::Text(t) => html.push_str(&t),
                _ => {}
            }
        }
        html
    }

    /// The block `tag` starts (at byte `at`), up to its end.
    fn block(&mut self, tag: Tag, at: usize) -> Result<Option<Block>, LessonError> {
        Ok(Some(match tag {
            Tag::Paragraph => Block::Paragraph(self.inlines()),
            Tag::Heading { level, .. } => Block::Heading {
                level: level as u8,
                id: String::new(),
                content: self.inlines(),
            },
            Tag::BlockQuote(_) => Block::Quote(self.blocks()?),
            Tag::CodeBlock(kind) => {
                let info = match kind {
                    CodeBlockKind::Fenced(info) => info.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                let mut text = String::new();
                for (event, _) in self.events.by_ref() {
                    match event {
                        Event::End(_) => break,
                        Event::Text(t) => text.push_str(&t),
                        _ => {}
                    }
                }
                let mut words = info.split_whitespace();
                if words.next() == Some("redis") {
                    let first_line = self.line(at);
                    run_block(words, text, first_line)?
                } else {
                    Block::Code {
                        language: info.split_whitespace().next().unwrap_or("").to_string(),
                        text,
                    }
                }
            }
            Tag::HtmlBlock => return Ok(html_block(self.html())),
            Tag::List(start) => {
                let mut items = Vec::new();
                while let Some((event, _)) = self.events.next() {
                    match event {
                        Event::Start(Tag::Item) => items.push(self.blocks()?),
                        Event::End(_) => break,
                        _ => {}
                    }
                }
                Block::List { start, items }
            }
            Tag::Table(_) => {
                let (mut head, mut rows) = (Vec::new(), Vec::new());
                while let Some((event, _)) = self.events.next() {
                    match event {
                        Event::Start(Tag::TableHead) => head = self.cells(),
                        Event::Start(Tag::TableRow) => rows.push(self.cells()),
                        Event::End(TagEnd::Table) => break,
                        _ => {}
                    }
                }
                Block::Table { head, rows }
            }
            // Footnotes, definition lists and metadata are not enabled; anything else a block
            // holds is read as text.
            _ => Block::Paragraph(self.inlines()),
        }))
    }

    /// Blocks up to the end of the one that holds them. A tight list's item holds its text
    /// without a paragraph: that text becomes one.
    fn blocks(&mut self) -> Result<Vec<Block>, LessonError> {
        let mut blocks = Vec::new();
        let mut loose = Vec::new();
        let flush = |loose: &mut Vec<Inline>, blocks: &mut Vec<Block>| {
            if !loose.is_empty() {
                blocks.push(Block::Paragraph(finish(std::mem::take(loose))));
            }
        };
        while let Some((event, range)) = self.events.next() {
            match event {
                Event::End(_) => break,
                Event::Start(tag) if is_block(&tag) => {
                    flush(&mut loose, &mut blocks);
                    blocks.extend(self.block(tag, range.start)?);
                }
                Event::Rule => {
                    flush(&mut loose, &mut blocks);
                    blocks.push(Block::Rule);
                }
                event => self.inline(event, &mut loose),
            }
        }
        flush(&mut loose, &mut blocks);
        Ok(blocks)
    }

    /// A table row's cells.
    fn cells(&mut self) -> Vec<Vec<Inline>> {
        let mut cells = Vec::new();
        while let Some((event, _)) = self.events.next() {
            match event {
                Event::Start(Tag::TableCell) => cells.push(self.inlines()),
                Event::End(_) => break,
                _ => {}
            }
        }
        cells
    }

    /// Inline runs up to the end of what holds them.
    fn inlines(&mut self) -> Vec<Inline> {
        let mut out = Vec::new();
        while let Some((event, _)) = self.events.next() {
            if let Event::End(_) = event {
                break;
            }
            self.inline(event, &mut out);
        }
        finish(out)
    }

    /// One inline event (and what it holds, for a tag) added to `out`.
    fn inline(&mut self, event: Event, out: &mut Vec<Inline>) {
        let inline = match event {
            Event::Text(t) => Inline::Text(t.to_string()),
            Event::Code(t) => Inline::Code(t.to_string()),
            Event::SoftBreak => Inline::Text("\n".to_string()),
            Event::HardBreak => Inline::Break,
            // HTML shown as the text it is; a comment, as everywhere, not shown.
            Event::InlineHtml(t) | Event::Html(t) if t.starts_with("<!--") => return,
            Event::InlineHtml(t) | Event::Html(t) => Inline::Text(t.to_string()),
            Event::Start(Tag::Emphasis) => Inline::Emphasis(self.inlines()),
            Event::Start(Tag::Strong) => Inline::Strong(self.inlines()),
            Event::Start(Tag::Strikethrough) => Inline::Strikethrough(self.inlines()),
            Event::Start(Tag::Link { dest_url, .. }) => {
                let content = self.inlines();
                match classify_target(&dest_url) {
                    Ok(target) => Inline::Link { target, content },
                    Err(target) => Inline::Refused { target, content },
                }
            }
            Event::Start(Tag::Image { dest_url, .. }) => Inline::Image {
                src: dest_url.trim().to_string(),
                alt: plain_text(&self.inlines()),
            },
            Event::Start(_) => {
                out.extend(self.inlines());
                return;
            }
            Event::TaskListMarker(done) => Inline::Text(if done { "☑ " } else { "☐ " }.into()),
            Event::FootnoteReference(t) | Event::InlineMath(t) | Event::DisplayMath(t) => {
                Inline::Text(t.to_string())
            }
            Event::End(_) | Event::Rule => return,
        };
        // Neighbouring text is one run (pulldown-cmark splits it at entities and breaks).
        if let (Inline::Text(next), Some(Inline::Text(last))) = (&inline, out.last_mut()) {
            last.push_str(next);
        } else {
            out.push(inline);
        }
    }
}

/// Inline runs as shown: soft line breaks joined as their neighbours want.
fn finish(mut runs: Vec<Inline>) -> Vec<Inline> {
    for run in &mut runs {
        if let Inline::Text(text) = run {
            if text.contains('\n') {
                *text = join_lines(text);
            }
        }
    }
    runs
}

/// Whether a tag starts a block (rather than an inline run).
fn is_block(tag: &Tag) -> bool {
    matches!(
        tag,
        Tag::Paragraph
            | Tag::Heading { .. }
            | Tag::BlockQuote(_)
            | Tag::CodeBlock(_)
            | Tag::HtmlBlock
            | Tag::List(_)
            | Tag::Table(_)
    )
}

/// A `redis` block: `words` are its info string's after `redis`, `text` its lines, and
/// `first_line` the fence's line in the file (for the errors).
fn run_block<'a>(
    words: impl Iterator<Item = &'a str>,
    text: String,
    first_line: usize,
) -> Result<Block, LessonError> {
    let bad = |line: usize, client: &str| LessonError::BadClient {
        line,
        client: client.to_string(),
    };
    let mut client = 1;
    for word in words {
        if let Some(n) = word.strip_prefix("client=") {
            client = n
                .parse()
                .ok()
                .filter(|n| (1..=PANES_MAX).contains(n))
                .ok_or_else(|| bad(first_line, n))?;
        }
    }
    let mut lines = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() {
            continue;
        }
        match client_marker(line) {
            Some(Some(n)) => client = n,
            Some(None) => return Err(bad(first_line + 1 + i, line)),
            None => lines.push((client, line.to_string())),
        }
    }
    Ok(Block::Run { lines, text })
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace_protocol::lesson::Target;

    fn text(s: &str) -> Inline {
        Inline::Text(s.to_string())
    }

    fn blocks(source: &str) -> Vec<Block> {
        parse(source).unwrap().en.unwrap().blocks
    }

    #[test]
    fn redis_blocks_run_in_the_client_they_name() {
        let lesson = "# Counters\n\n```redis\nSET hits 0\n\nINCR hits\n```\n\n\
                      ```redis client=2\nGET hits\n@client 3\nGET hits\n```\n\n\
                      ```python\nr.incr('hits')\n```\n";
        let parsed = parse(lesson).unwrap();
        let body = parsed.en.clone().unwrap();
        assert_eq!(body.title, "Counters");
        assert_eq!(
            body.blocks[1],
            Block::Run {
                lines: vec![(1, "SET hits 0".into()), (1, "INCR hits".into())],
                text: "SET hits 0\n\nINCR hits\n".into(),
            }
        );
        let Block::Run { lines, .. } = &body.blocks[2] else {
            panic!("not runnable: {:?}", body.blocks[2]);
        };
        assert_eq!(lines, &[(2, "GET hits".into()), (3, "GET hits".into())]);
        assert_eq!(
            body.blocks[3],
            Block::Code {
                language: "python".into(),
                text: "r.incr('hits')\n".into()
            }
        );
        // No markers: the same lesson in either language.
        assert_eq!(parsed.zh_tw, parsed.en);
    }

    #[test]
    fn a_client_the_console_cannot_open_is_an_error_on_its_line() {
        assert_eq!(
            parse("text\n\n```redis client=9\nPING\n```\n"),
            Err(LessonError::BadClient {
                line: 3,
                client: "9".into()
            })
        );
        assert_eq!(
            parse("```redis\nPING\n@client x\n```\n"),
            Err(LessonError::BadClient {
                line: 3,
                client: "@client x".into()
            })
        );
    }

    #[test]
    fn language_parts_make_two_bodies() {
        let lesson = "<!-- lang: en -->\n# Lists\n\nPush.\n\n<!-- lang: zh-TW -->\n# 串列\n\n\
                      推入。\n\n<!-- lang: all -->\n```redis\nLPUSH l a\n```\n";
        let parsed = parse(lesson).unwrap();
        let en = parsed.en.unwrap();
        let zh = parsed.zh_tw.unwrap();
        assert_eq!(en.title, "Lists");
        assert_eq!(zh.title, "串列");
        assert_eq!(en.blocks[1], Block::Paragraph(vec![text("Push.")]));
        assert_eq!(zh.blocks[1], Block::Paragraph(vec![text("推入。")]));
        assert_eq!(en.blocks.len(), 3);
        assert_eq!(zh.blocks[2], en.blocks[2]);
        assert_eq!(
            zh.blocks[0],
            Block::Heading {
                level: 1,
                id: "串列".into(),
                content: vec![text("串列")],
            }
        );
    }

    #[test]
    fn a_file_in_one_marked_language_has_no_other() {
        let parsed = parse("<!-- lang: zh-TW -->\n# 字串\n").unwrap();
        assert_eq!(parsed.en, None);
        assert_eq!(
            parsed
                .body("en")
                .map(|(b, other)| (b.title.as_str(), other)),
            Some(("字串", true))
        );
    }

    #[test]
    fn an_unknown_language_is_an_error_on_its_line() {
        assert_eq!(
            parse("# A\n\n<!-- lang: fr -->\nBonjour\n"),
            Err(LessonError::UnknownLanguage {
                line: 3,
                name: "fr".into()
            })
        );
    }

    #[test]
    fn html_is_shown_as_text_never_interpreted() {
        let got = blocks(
            "<script>alert(1)</script>\n\nA <b onclick=\"x()\">bold</b> word.<!-- hidden -->\n\n\
             <!-- a comment block -->\n\n<img src=x onerror=alert(1)>\n",
        );
        assert_eq!(
            got,
            vec![
                Block::Html("<script>alert(1)</script>".into()),
                Block::Paragraph(vec![text("A <b onclick=\"x()\">bold</b> word.")]),
                Block::Html("<img src=x onerror=alert(1)>".into()),
            ]
        );
    }

    #[test]
    fn javascript_links_are_refused_and_others_kept() {
        let got = blocks(
            "[docs](https://redis.io/docs) [x](javascript:alert(1)) [next](#step-2) \
             [mail](mailto:a@b.tw) <javascript:alert(2)>\n",
        );
        let Block::Paragraph(runs) = &got[0] else {
            panic!("{got:?}")
        };
        let link = |target, t: &str| Inline::Link {
            target,
            content: vec![text(t)],
        };
        assert_eq!(
            runs,
            &vec![
                link(Target::Web("https://redis.io/docs".into()), "docs"),
                text(" "),
                Inline::Refused {
                    target: "javascript:alert(1)".into(),
                    content: vec![text("x")]
                },
                text(" "),
                link(Target::Fragment("step-2".into()), "next"),
                text(" "),
                link(Target::Web("mailto:a@b.tw".into()), "mail"),
                text(" "),
                Inline::Refused {
                    target: "javascript:alert(2)".into(),
                    content: vec![text("javascript:alert(2)")]
                },
            ]
        );
    }

    #[test]
    fn images_keep_their_address_and_alt_text_only() {
        let got = blocks("![The **big** picture](https://example.com/a.png \"t\")\n");
        assert_eq!(
            got,
            vec![Block::Paragraph(vec![Inline::Image {
                src: "https://example.com/a.png".into(),
                alt: "The big picture".into()
            }])]
        );
    }

    #[test]
    fn lists_tables_quotes_and_anchors() {
        let got = blocks(
            "## Step 1\n\n- one\n- *two*\n\n3. a\n4. b\n\n> ## Step 1\n\n| k | v |\n|---|---|\n\
             | `a` | 1 |\n\n---\n",
        );
        assert_eq!(
            got,
            vec![
                Block::Heading {
                    level: 2,
                    id: "step-1".into(),
                    content: vec![text("Step 1")]
                },
                Block::List {
                    start: None,
                    items: vec![
                        vec![Block::Paragraph(vec![text("one")])],
                        vec![Block::Paragraph(vec![Inline::Emphasis(vec![text("two")])])],
                    ]
                },
                Block::List {
                    start: Some(3),
                    items: vec![
                        vec![Block::Paragraph(vec![text("a")])],
                        vec![Block::Paragraph(vec![text("b")])],
                    ]
                },
                Block::Quote(vec![Block::Heading {
                    level: 2,
                    id: "step-1-1".into(),
                    content: vec![text("Step 1")]
                }]),
                Block::Table {
                    head: vec![vec![text("k")], vec![text("v")]],
                    rows: vec![vec![vec![Inline::Code("a".into())], vec![text("1")]]],
                },
                Block::Rule,
            ]
        );
    }

    #[test]
    fn line_breaks_join_words_with_a_space_and_chinese_without() {
        assert_eq!(
            blocks("two\nwords\n\n中文\n句子 and\n中文\n"),
            vec![
                Block::Paragraph(vec![text("two words")]),
                Block::Paragraph(vec![text("中文句子 and 中文")]),
            ]
        );
    }

    /// The README's example lesson (docs/lessons/example.md, shown whole in the README).
    const EXAMPLE: &str = include_str!("../../../docs/lessons/example.md");

    #[test]
    fn the_readme_example_reads_in_both_languages() {
        let readme = include_str!("../../../README.md");
        assert!(
            readme.contains(EXAMPLE),
            "README.md shows docs/lessons/example.md whole"
        );
        let lesson = parse(EXAMPLE).unwrap();
        for (body, title) in [
            (lesson.en.unwrap(), "Counting page views"),
            (lesson.zh_tw.unwrap(), "計算瀏覽次數"),
        ] {
            assert_eq!(body.title, title);
            let runs: Vec<_> = (body.blocks.iter())
                .filter_map(|b| match b {
                    Block::Run { lines, .. } => Some(lines.clone()),
                    _ => None,
                })
                .collect();
            assert_eq!(runs.len(), 4);
            assert_eq!(runs[1], vec![(2, "INCRBY views:home 10".to_string())]);
            assert!(runs[0].iter().chain(&runs[2]).all(|(c, _)| *c == 1));
            // Every #fragment link names a heading of the same language.
            let ids: Vec<&str> = (body.blocks.iter())
                .filter_map(|b| match b {
                    Block::Heading { id, .. } => Some(id.as_str()),
                    _ => None,
                })
                .collect();
            let fragments: Vec<String> = (body.blocks.iter())
                .filter_map(|b| match b {
                    Block::Paragraph(runs) => Some(runs.clone()),
                    _ => None,
                })
                .flatten()
                .filter_map(|r| match r {
                    Inline::Link {
                        target: Target::Fragment(f),
                        ..
                    } => Some(f),
                    _ => None,
                })
                .collect();
            assert_eq!(fragments.len(), 1);
            assert!(
                ids.contains(&fragments[0].as_str()),
                "{fragments:?} in {ids:?}"
            );
        }
    }

    #[test]
    fn too_big_or_empty_is_refused() {
        let big = "a".repeat(LESSON_MAX_BYTES + 1);
        assert_eq!(parse(&big), Err(LessonError::TooBig(LESSON_MAX_BYTES + 1)));
        assert_eq!(parse("\n\n<!-- nothing -->\n"), Err(LessonError::Empty));
    }
}
