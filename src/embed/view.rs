//! An embedded console on screen: the scenario's stepper when one was asked for, the
//! console's pane (or panes, when `run=` lines opened more clients), and Start over. No
//! header, tabs or keyspace panel: the course page around it is the frame.

use leptos::prelude::*;

use crate::console::clients::PaneRow;
use crate::scenario::view::Stepper;
use crate::state::{use_shared, EngineState};

#[component]
pub fn EmbedView(
    /// Start over: a new engine, and the console's first lines again.
    #[prop(into)]
    on_reset: Callback<()>,
) -> impl IntoView {
    let shared = use_shared();
    let text = move || shared.text.get();
    let height = shared
        .embed
        .and_then(|e| e.params.with_value(|p| p.height))
        .map(|h| format!("{h}px"));
    view! {
        <div class="embed" style:height=height role="region" aria-label=move || text().embed.label>
            <Stepper />
            <PaneRow />
            <div class="embed-bar">
                {move || matches!(shared.engine.get(), EngineState::Failed(_)).then(|| view! {
                    <span class="failure" role="alert">{move || text().embed.failed}</span>
                })}
                <button
                    class="embed-reset"
                    title=move || text().embed.start_over_hint
                    on:click=move |_| on_reset.run(())
                >{move || text().embed.start_over}</button>
            </div>
        </div>
    }
}
