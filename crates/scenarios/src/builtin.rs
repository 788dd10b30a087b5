//! The scenarios that ship with the playground, one TOML file each in `scenarios/`, in the
//! order the guide tells them.
//!
//! Natively (the tests, the examples) and in the page's browser tests the files are compiled
//! in ([`SOURCES`]). The web worker does not carry them: its module names only the [`IDS`],
//! worked out from [`SOURCES`] when compiling, and it fetches [`file`] for each from beside
//! the page when a scenario is first asked for (index.html copies `scenarios/` into the
//! build), so their 135 KB are not in the download the console waits for. Adding a scenario
//! stays one line in [`SOURCES`]: the file's name is its id.

use crate::format::{parse, Scenario, ScenarioError};

/// Each built-in scenario's id and source, in the picker's order.
pub const SOURCES: &[(&str, &str)] = &[
    ("cache-aside", include_str!("../scenarios/cache-aside.toml")),
    (
        "client-side-cache",
        include_str!("../scenarios/client-side-cache.toml"),
    ),
    ("hot-posts", include_str!("../scenarios/hot-posts.toml")),
    ("counters", include_str!("../scenarios/counters.toml")),
    (
        "online-users",
        include_str!("../scenarios/online-users.toml"),
    ),
    ("sessions", include_str!("../scenarios/sessions.toml")),
    (
        "rate-limiter",
        include_str!("../scenarios/rate-limiter.toml"),
    ),
    ("lock", include_str!("../scenarios/lock.toml")),
    ("pubsub", include_str!("../scenarios/pubsub.toml")),
    (
        "stream-queue",
        include_str!("../scenarios/stream-queue.toml"),
    ),
    ("monitoring", include_str!("../scenarios/monitoring.toml")),
    ("maxmemory", include_str!("../scenarios/maxmemory.toml")),
    ("security", include_str!("../scenarios/security.toml")),
    ("pipelines", include_str!("../scenarios/pipelines.toml")),
    (
        "write-strategies",
        include_str!("../scenarios/write-strategies.toml"),
    ),
    ("versions", include_str!("../scenarios/versions.toml")),
    ("backups", include_str!("../scenarios/backups.toml")),
    (
        "django-cache",
        include_str!("../scenarios/django-cache.toml"),
    ),
    ("dau-bitmaps", include_str!("../scenarios/dau-bitmaps.toml")),
    (
        "unique-visitors",
        include_str!("../scenarios/unique-visitors.toml"),
    ),
    (
        "posts-near-me",
        include_str!("../scenarios/posts-near-me.toml"),
    ),
    ("big-keys", include_str!("../scenarios/big-keys.toml")),
    // Lessons of the Replication view (`nodes`): the page lists them apart.
    (
        "replica-stale-reads",
        include_str!("../scenarios/replica-stale-reads.toml"),
    ),
    (
        "failover-lock",
        include_str!("../scenarios/failover-lock.toml"),
    ),
    ("wait", include_str!("../scenarios/wait.toml")),
    ("resync", include_str!("../scenarios/resync.toml")),
];

/// The built-in scenarios' ids in the picker's order, [`SOURCES`] without the sources: a
/// constant evaluated when compiling, so a module that reads only these carries no TOML.
pub const IDS: [&str; SOURCES.len()] = {
    let mut ids = [""; SOURCES.len()];
    let mut i = 0;
    while i < SOURCES.len() {
        ids[i] = SOURCES[i].0;
        i += 1;
    }
    ids
};

/// Where the built-in scenario `id`'s file is in a build of the page, relative to it (and to
/// the worker's script beside it): `scenarios/cache-aside.toml`.
pub fn file(id: &str) -> String {
    format!("scenarios/{id}.toml")
}

/// The built-in scenario `id`, read and checked (`tests/builtin.rs` keeps them all valid).
pub fn load(id: &str) -> Option<Result<Scenario, ScenarioError>> {
    SOURCES
        .iter()
        .find(|(known, _)| *known == id)
        .map(|(_, source)| parse(source))
}
