//! The Replication view: the worker's nodes (`127.0.0.1:6379` to `:6382`) as cards with their
//! replication figures and a console each, the links between them with what travels on them,
//! and the controls that break them (cut, partition, stop, latency, the clock's speed).
//! Everything drawn comes from the worker's [`keyspace_protocol::repl::Topology`]; `state`
//! keeps it and each node's scrollback, `view` draws it and sends what the learner does,
//! `lesson` plays a lesson on it (a built-in scenario written for nodes).

pub mod lesson;
pub mod state;
pub mod view;
