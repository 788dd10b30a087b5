//! A client pane's state on the page: the engine's view of its client and the page's
//! scrollback for it, kept in step with the engine's list of clients, and the message flows
//! between clients on screen.

use std::collections::VecDeque;

use leptos::prelude::*;

use crate::console::log::Log;
#[cfg(test)]
use keyspace_protocol::console::FlowKind;
use keyspace_protocol::console::{ClientView, Flow, PaneId};

/// Flows kept on screen, newest first.
pub const FLOWS_SHOWN: usize = 4;

/// One client pane: the engine's view of the client, and the page's scrollback for it.
#[derive(Clone, Copy, Debug)]
pub struct Pane {
    pub id: PaneId,
    pub view: RwSignal<ClientView>,
    pub log: RwSignal<Log>,
}

/// A flow on screen, with an id for the list.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShownFlow {
    pub id: u64,
    pub flow: Flow,
}

impl Pane {
    /// The first client's pane, there before the engine answers, so that typing can start
    /// at once (lines wait for the engine).
    pub fn first() -> Pane {
        Pane {
            id: 1,
            // Id 0 until the engine names the client: no number is shown before then.
            view: RwSignal::new(ClientView::connected(1, 0)),
            log: RwSignal::new(Log::default()),
        }
    }
}

/// Makes the panes follow the engine's list of clients: new ones get a pane, gone ones lose
/// theirs, and a pane's view changes only if the client's state did.
pub fn reconcile(panes: &mut Vec<Pane>, views: Vec<ClientView>) {
    if views.is_empty() {
        return;
    }
    panes.retain(|p| views.iter().any(|v| v.pane == p.id));
    for view in views {
        match panes.iter().find(|p| p.id == view.pane) {
            Some(pane) => {
                if pane.view.with_untracked(|v| *v != view) {
                    pane.view.set(view);
                }
            }
            None => panes.push(Pane {
                id: view.pane,
                view: RwSignal::new(view),
                log: RwSignal::new(Log::default()),
            }),
        }
    }
}

/// Adds new flows to those on screen, ids from `first` on, keeping the newest
/// [`FLOWS_SHOWN`] (only the last ones of a long batch are shown).
pub fn add_flows(shown: &mut VecDeque<ShownFlow>, flows: Vec<Flow>, first: u64) {
    let skip = flows.len().saturating_sub(FLOWS_SHOWN);
    for (i, flow) in flows.into_iter().enumerate().skip(skip) {
        shown.push_front(ShownFlow {
            id: first + i as u64,
            flow,
        });
    }
    shown.truncate(FLOWS_SHOWN);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(pane: PaneId) -> ClientView {
        ClientView::connected(pane, pane as u64 + 2)
    }

    #[test]
    fn panes_follow_the_engines_clients() {
        let mut panes = Vec::new();
        reconcile(&mut panes, vec![view(1), view(2)]);
        panes[0].log.update(|l| l.note(1, "kept"));
        let mut renamed = view(1);
        renamed.name = Some("worker".into());
        reconcile(&mut panes, vec![renamed.clone(), view(3)]);
        let ids: Vec<_> = panes.iter().map(|p| p.id).collect();
        assert_eq!(ids, [1, 3]);
        assert_eq!(panes[0].view.get_untracked(), renamed);
        assert_eq!(
            panes[0].log.with_untracked(|l| l.entries.len()),
            1,
            "the scrollback stays"
        );
        // An update without clients (none is ever empty) changes nothing.
        reconcile(&mut panes, Vec::new());
        assert_eq!(panes.len(), 2);
    }

    #[test]
    fn the_newest_flows_are_shown_first_and_few() {
        let flow = |channel: &str| Flow {
            from: Some(1),
            channel: channel.into(),
            message: "m".into(),
            to: vec![(2, None)],
            kind: FlowKind::Message,
        };
        let mut shown = VecDeque::new();
        add_flows(&mut shown, vec![flow("a"), flow("b")], 10);
        add_flows(
            &mut shown,
            (0..10).map(|i| flow(&format!("c{i}"))).collect(),
            20,
        );
        let channels: Vec<_> = shown.iter().map(|s| s.flow.channel.as_str()).collect();
        assert_eq!(channels, ["c9", "c8", "c7", "c6"]);
        let ids: Vec<_> = shown.iter().map(|s| s.id).collect();
        assert_eq!(ids, [29, 28, 27, 26]);
    }
}
