//! The lesson panel beside the console, and the three ways a lesson opens: the console's
//! "Open a lesson" button, a `.md` file dropped on the page (`app`), and a `#lesson=ADDRESS`
//! link, fetched with CORS. The worker parses the Markdown (`Request::Lesson`); this draws
//! its blocks with the page's own elements, never as HTML: links only to the targets the
//! parser kept, images fetched only when the reader presses their button, and each `redis`
//! block's Run button types its lines into the console's panes (`share_view::run_script`).

use leptos::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::i18n::{fill, put};
use crate::scenario::view::replace_hash;
use crate::share::dialog as share_view;
use crate::state::{use_shared, Shared, Tab};
use keyspace_protocol::lesson::{
    classify_target, Block, Inline, Lesson, LessonError, Target, LESSON_MAX_BYTES,
};
use keyspace_protocol::Request;

/// The fragment that opens a lesson by its address.
const LINK_PREFIX: &str = "#lesson=";

/// A file name the page reads as a lesson.
pub fn is_lesson_file(name: &str) -> bool {
    let name = name.to_lowercase();
    name.ends_with(".md") || name.ends_with(".markdown")
}

/// The worker's answer to `Request::Lesson`.
pub fn on_response(shared: Shared, result: Result<Lesson, LessonError>) {
    let state = shared.lesson;
    state.loading.set(false);
    match result {
        Ok(lesson) => {
            state.error.set(None);
            state.lesson.set(Some(lesson));
        }
        Err(error) => {
            state.lesson.set(None);
            state.error.set(Some(error));
        }
    }
}

/// Starts opening a lesson: the panel shows that it is on its way.
fn opening(shared: Shared, base: Option<String>) {
    let state = shared.lesson;
    state.lesson.set(None);
    state.error.set(None);
    state.base.set(base);
    state.loading.set(true);
    shared.tab.set(Tab::Console);
}

fn failed(shared: Shared, error: LessonError) {
    on_response(shared, Err(error));
}

/// Reads a lesson the visitor chose or dropped.
pub fn load_file(shared: Shared, file: web_sys::File) {
    opening(shared, None);
    if !is_lesson_file(&file.name()) {
        return failed(shared, LessonError::NotMarkdown(file.name()));
    }
    if file.size() > LESSON_MAX_BYTES as f64 {
        return failed(shared, LessonError::TooBig(file.size() as usize));
    }
    leptos::task::spawn_local(async move {
        match JsFuture::from(file.text())
            .await
            .ok()
            .and_then(|t| t.as_string())
        {
            Some(source) => shared.send(Request::Lesson { source }),
            None => failed(shared, LessonError::NotMarkdown(file.name())),
        }
    });
}

/// Opens the lesson a `#lesson=ADDRESS` location names (the address may be relative to the
/// page, and percent-encoded); whether the location was one.
pub fn open_link(shared: Shared, hash: &str) -> bool {
    let Some(address) = hash.strip_prefix(LINK_PREFIX) else {
        return false;
    };
    let address = js_sys::decode_uri_component(address)
        .ok()
        .and_then(|a| a.as_string())
        .unwrap_or_else(|| address.to_string());
    let page = window().location().href().unwrap_or_default();
    let url = web_sys::Url::new_with_base(&address, &page)
        .ok()
        .filter(|u| matches!(u.protocol().as_str(), "http:" | "https:"));
    let Some(url) = url else {
        opening(shared, None);
        failed(shared, LessonError::NotMarkdown(address));
        return true;
    };
    let url = url.href();
    opening(shared, Some(url.clone()));
    leptos::task::spawn_local(async move {
        match fetch(&url).await {
            Ok(source) => shared.send(Request::Lesson { source }),
            Err(error) => failed(shared, error),
        }
    });
    true
}

/// The text at `url`, fetched across origins; refused when it is not text, or too big.
async fn fetch(url: &str) -> Result<String, LessonError> {
    let browser = |e: wasm_bindgen::JsValue| {
        LessonError::Fetch(
            e.dyn_ref::<js_sys::Error>()
                .map(|e| String::from(e.message()))
                .unwrap_or_else(|| format!("{e:?}")),
        )
    };
    let init = web_sys::RequestInit::new();
    init.set_mode(web_sys::RequestMode::Cors);
    let response: web_sys::Response = JsFuture::from(window().fetch_with_str_and_init(url, &init))
        .await
        .map_err(browser)?
        .unchecked_into();
    if !response.ok() {
        return Err(LessonError::Status(response.status()));
    }
    let headers = response.headers();
    let kind = headers
        .get("content-type")
        .ok()
        .flatten()
        .unwrap_or_default();
    let mime = kind.split(';').next().unwrap_or("").trim().to_lowercase();
    // Servers call Markdown text/markdown, text/plain or nothing precise at all; an HTML
    // page (a repository's page instead of its raw file, an error page) is not a lesson.
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let textual = mime.starts_with("text/") && mime != "text/html";
    if !(textual || (mime != "text/html" && is_lesson_file(path))) {
        return Err(LessonError::NotMarkdown(format!("{url} ({kind})")));
    }
    let announced = headers.get("content-length").ok().flatten();
    if let Some(n) = announced.and_then(|n| n.parse::<usize>().ok()) {
        if n > LESSON_MAX_BYTES {
            return Err(LessonError::TooBig(n));
        }
    }
    let text = JsFuture::from(response.text().map_err(browser)?)
        .await
        .map_err(browser)?
        .as_string()
        .unwrap_or_default();
    if text.len() > LESSON_MAX_BYTES {
        return Err(LessonError::TooBig(text.len()));
    }
    Ok(text)
}

/// The console's button that opens a lesson file.
#[component]
pub fn OpenLesson() -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get().lesson;
    let on_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.item(0)) {
            load_file(shared, file);
        }
        // The same file again (edited meanwhile) must fire another change.
        input.set_value("");
    };
    view! {
        <label class="lesson-file" title=move || text().open_title>
            <span class="bar-button">{move || text().open}</span>
            <input type="file" accept=".md,.markdown,text/markdown" on:change=on_file />
        </label>
    }
}

/// The lesson beside the console, when one is open (or opening, or refused).
#[component]
pub fn LessonPanel() -> impl IntoView {
    let shared = use_shared();
    let state = shared.lesson;
    let text = move || shared.text.get().lesson;
    let close = move |_| {
        state.close();
        if window()
            .location()
            .hash()
            .is_ok_and(|h| h.starts_with(LINK_PREFIX))
        {
            replace_hash(None);
        }
    };
    let title = move || {
        let lang = shared.text.get().lang;
        state
            .lesson
            .with(|l| {
                l.as_ref()
                    .and_then(|l| l.body(lang))
                    .map(|(b, _)| b.title.clone())
            })
            .filter(|t| !t.is_empty())
            .unwrap_or_else(|| text().panel.to_string())
    };
    let body = move || {
        let strings = shared.text.get();
        let lesson = state.lesson.get()?;
        let (body, other) = lesson.body(strings.lang)?;
        let mut blocks = body.blocks.clone();
        // The title is the panel's heading already.
        if matches!(blocks.first(), Some(Block::Heading { level: 1, .. })) {
            blocks.remove(0);
        }
        Some(view! {
            {other.then(|| view! { <p class="lesson-other note">{strings.lesson.other_language}</p> })}
            {blocks_view(shared, blocks)}
        })
    };
    move || {
        state.is_open().then(|| {
            view! {
                <section class="lesson" aria-label=move || text().panel>
                    <div class="lesson-bar">
                        <h2 class="lesson-title">{title}</h2>
                        <button class="close lesson-close" on:click=close>{move || text().close}</button>
                    </div>
                    <div class="lesson-body">
                        {move || state.loading.get().then(|| view! { <p class="note">{move || text().loading}</p> })}
                        {move || state.error.get().map(|error| view! {
                            <div class="lesson-error" role="alert">
                                <p><strong>{move || text().error_title}</strong></p>
                                <p>{move || text().error(&error)}</p>
                            </div>
                        })}
                        {body}
                    </div>
                </section>
            }
        })
    }
}

fn blocks_view(shared: Shared, blocks: Vec<Block>) -> AnyView {
    blocks
        .into_iter()
        .map(|block| block_view(shared, block))
        .collect_view()
        .into_any()
}

fn block_view(shared: Shared, block: Block) -> AnyView {
    match block {
        Block::Heading { level, id, content } => {
            let id = format!("lesson-{id}");
            let content = inlines_view(shared, content);
            // The panel's title is its h2: the lesson's headings sit below it.
            match level {
                1 | 2 => view! { <h3 id=id>{content}</h3> }.into_any(),
                3 => view! { <h4 id=id>{content}</h4> }.into_any(),
                4 => view! { <h5 id=id>{content}</h5> }.into_any(),
                _ => view! { <h6 id=id>{content}</h6> }.into_any(),
            }
        }
        Block::Paragraph(content) => view! { <p>{inlines_view(shared, content)}</p> }.into_any(),
        Block::Run { lines, text } => run_view(shared, lines, text),
        Block::Code { language, text } => view! {
            <pre class="lesson-code" data-language=language><code>{text}</code></pre>
        }
        .into_any(),
        Block::Quote(inner) => {
            view! { <blockquote>{blocks_view(shared, inner)}</blockquote> }.into_any()
        }
        Block::List { start, items } => {
            let items = items
                .into_iter()
                .map(|item| view! { <li>{blocks_view(shared, item)}</li> })
                .collect_view();
            match start {
                Some(start) => view! { <ol start=start>{items}</ol> }.into_any(),
                None => view! { <ul>{items}</ul> }.into_any(),
            }
        }
        Block::Table { head, rows } => {
            let head = head
                .into_iter()
                .map(|cell| view! { <th>{inlines_view(shared, cell)}</th> })
                .collect_view();
            let rows = rows
                .into_iter()
                .map(|row| {
                    let cells = row
                        .into_iter()
                        .map(|cell| view! { <td>{inlines_view(shared, cell)}</td> })
                        .collect_view();
                    view! { <tr>{cells}</tr> }
                })
                .collect_view();
            view! { <table><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table> }.into_any()
        }
        Block::Rule => view! { <hr /> }.into_any(),
        Block::Html(text) => view! { <pre class="lesson-html">{text}</pre> }.into_any(),
    }
}

/// A `redis` block: its text, and the button that types its lines into the console.
fn run_view(shared: Shared, lines: Vec<(usize, String)>, text: String) -> AnyView {
    let strings = shared.text.get_untracked().lesson;
    let client = lines.first().map_or(1, |(c, _)| *c);
    let label = if client > 1 && lines.iter().all(|(c, _)| *c == client) {
        fill(strings.run_in, client)
    } else {
        strings.run.to_string()
    };
    let empty = lines.is_empty();
    view! {
        <div class="lesson-run">
            <pre><code>{text}</code></pre>
            <button
                class="lesson-run-button"
                title=strings.run_title
                disabled=empty
                on:click=move |_| share_view::run_script(shared, lines.clone())
            >{label}</button>
        </div>
    }
    .into_any()
}

fn inlines_view(shared: Shared, runs: Vec<Inline>) -> AnyView {
    runs.into_iter()
        .map(|run| inline_view(shared, run))
        .collect_view()
        .into_any()
}

fn inline_view(shared: Shared, run: Inline) -> AnyView {
    let strings = shared.text.get_untracked().lesson;
    match run {
        Inline::Text(text) => text.into_any(),
        Inline::Code(text) => view! { <code>{text}</code> }.into_any(),
        Inline::Emphasis(c) => view! { <em>{inlines_view(shared, c)}</em> }.into_any(),
        Inline::Strong(c) => view! { <strong>{inlines_view(shared, c)}</strong> }.into_any(),
        Inline::Strikethrough(c) => view! { <del>{inlines_view(shared, c)}</del> }.into_any(),
        Inline::Break => view! { <br /> }.into_any(),
        Inline::Refused { target, content } => view! {
            <span class="lesson-refused" title=put(strings.link_refused, "target", &target)>
                {inlines_view(shared, content)}
            </span>
        }
        .into_any(),
        Inline::Link { target, content } => {
            let content = inlines_view(shared, content);
            match target {
                Target::Web(href) => view! {
                    <a href=href target="_blank" rel="noopener noreferrer">{content}</a>
                }
                .into_any(),
                Target::Fragment(id) => {
                    let href = format!("#{id}");
                    let go = move |ev: leptos::ev::MouseEvent| {
                        // The page's own address stays as it is (it may be the lesson's link).
                        ev.prevent_default();
                        if let Some(heading) = document().get_element_by_id(&format!("lesson-{id}")) {
                            heading.scroll_into_view();
                        }
                    };
                    view! { <a href=href on:click=go>{content}</a> }.into_any()
                }
                Target::Relative(path) => match resolve(shared, &path) {
                    // Another lesson beside this one opens in the panel; anything else in a
                    // new tab.
                    Some(url) if is_lesson_file(url.split(['?', '#']).next().unwrap_or("")) => {
                        let href = format!("{LINK_PREFIX}{}", String::from(js_sys::encode_uri_component(&url)));
                        view! { <a href=href>{content}</a> }.into_any()
                    }
                    Some(url) => view! {
                        <a href=url target="_blank" rel="noopener noreferrer">{content}</a>
                    }
                    .into_any(),
                    None => view! {
                        <span class="lesson-refused" title=put(strings.link_relative, "target", &path)>{content}</span>
                    }
                    .into_any(),
                },
            }
        }
        Inline::Image { src, alt } => image_view(shared, src, alt),
    }
}

/// An address in the lesson as the browser would fetch it: an http(s) address as it is, a
/// relative one on the lesson's own address (a lesson from a file has none); nothing else.
fn resolve(shared: Shared, src: &str) -> Option<String> {
    let url = match classify_target(src) {
        Ok(Target::Web(url)) => web_sys::Url::new(&url).ok()?,
        Ok(Target::Relative(path)) => {
            web_sys::Url::new_with_base(&path, &shared.lesson.base.get_untracked()?).ok()?
        }
        _ => return None,
    };
    matches!(url.protocol().as_str(), "http:" | "https:").then(|| url.href())
}

/// An image: its alt text and where it would come from, and a button that loads it. Nothing
/// is fetched before the press (a remote image tells its server who reads the lesson).
fn image_view(shared: Shared, src: String, alt: String) -> AnyView {
    let strings = shared.text.get_untracked().lesson;
    let Some(url) = resolve(shared, &src) else {
        return view! {
            <span class="lesson-image refused" title=put(strings.image_refused, "src", &src)>{alt}</span>
        }
        .into_any();
    };
    let host = web_sys::Url::new(&url)
        .map(|u| u.host())
        .unwrap_or_default();
    let loaded = RwSignal::new(false);
    view! {
        <span class="lesson-image">
            {move || if loaded.get() {
                view! { <img src=url.clone() alt=alt.clone() /> }.into_any()
            } else {
                view! {
                    <span class="lesson-image-ask">
                        <span class="lesson-image-alt">{alt.clone()}</span>
                        <span class="note">{put(strings.image_from, "host", &host)}</span>
                        <button class="lesson-image-load" on:click=move |_| loaded.set(true)>
                            {strings.image_load}
                        </button>
                    </span>
                }
                .into_any()
            }}
        </span>
    }
    .into_any()
}
