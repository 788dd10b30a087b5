//! MONITOR: clients that watch every command the server runs, one status line per command.
//!
//! A client that sends MONITOR is answered `+OK` and from then on receives, for each command
//! any client runs, a line such as
//!
//! ```text
//! +1700000000.123456 [0 127.0.0.1:51234] "set" "k" "v"
//! ```
//!
//! the time (seconds and microseconds, from the engine's [`Clock`](crate::Clock)), the
//! database the command ended in, who ran it (the peer address, or `lua` for a script's own
//! commands) and its arguments quoted as `redis-cli` quotes them. Redis 7.0 decides what is
//! shown and when in a few places, and the engine follows it:
//!
//! - a command is shown after it ran (`call`), so `SELECT 2` is shown in database 2 and a
//!   transaction reads `multi`, each queued command as EXEC runs it, then `exec`;
//! - commands refused before running (unknown, wrong arity, NOAUTH, OOM...) are not shown,
//!   except a refused EXEC, whose line closes the `multi` already shown;
//! - administrative commands (flag `admin`: CONFIG, DEBUG, MONITOR itself...) are never
//!   shown, being too revealing;
//! - EVAL, EVALSHA, FCALL and their read-only forms (flag `skip_monitor`) show themselves
//!   *before* running, so their script's `[0 lua]` lines follow them;
//! - a blocked client served later (BLPOP answered by a push) is not shown again: its line
//!   went out when it blocked; a command postponed by CLIENT PAUSE is shown when it runs;
//! - passwords read `(redacted)` ([`crate::acl::redacted`]), as in the slow log;
//! - nothing is shown while the append-only log is being loaded.
//!
//! A monitoring client is a replica to Redis (`CLIENT_SLAVE|CLIENT_MONITOR`): it may still
//! run commands that touch no key (PING, CLIENT INFO, RESET, QUIT...) and sees those too,
//! each after its own reply, but any command that reads, writes or may replicate is refused
//! with `Replica can't interact with the keyspace`, and CLIENT PAUSE never holds it. A
//! second MONITOR gets no reply at all. RESET (and closing the connection) ends monitoring.
//!
//! A front end may also watch the lines without a connection ([`Engine::watch_commands`]):
//! the scenario player's MONITOR view.
//!
//! The page shows a MONITOR pane from the same lines: they arrive in the monitoring client's
//! outbox ([`Engine::drain`]) like pub/sub messages, and [`Client::monitor`] tells the pane
//! it is one. The page's own reads never produce lines: the keyspace panel, the inspectors
//! and the Server tab read the databases and counters through accessors (`Engine::db`,
//! `Engine::stats`...), not through [`Engine::execute`], and the LRU lab runs an engine of
//! its own.
//!
//! [`Client::monitor`]: crate::Client::monitor

use crate::engine::{ClientId, Engine};
use crate::reply::Reply;

impl Engine {
    /// Makes `client` a monitor (MONITOR). False when it is one already, which Redis
    /// answers with nothing at all.
    pub(crate) fn start_monitoring(&mut self, client: ClientId) -> bool {
        let Some(c) = self.clients.get_mut(&client) else {
            return false;
        };
        if c.monitor {
            return false;
        }
        c.monitor = true;
        self.monitors.push(client);
        true
    }

    /// Ends `client`'s monitoring (RESET, or the connection closing).
    pub(crate) fn stop_monitoring(&mut self, client: ClientId) {
        if let Some(c) = self.clients.get_mut(&client) {
            c.monitor = false;
        }
        self.monitors.retain(|&id| id != client);
    }

    /// Sends every monitor the line for `argv`, run by `client` in database `db` (Redis's
    /// `replicationFeedMonitors`). A monitor's own command's line comes after its reply:
    /// it is held for [`Engine::execute`] to append ([`Engine::take_own_monitor_lines`]).
    pub(crate) fn feed_monitors(
        &mut self,
        client: ClientId,
        db: usize,
        name: &str,
        argv: &[Vec<u8>],
    ) {
        if (self.monitors.is_empty() && self.monitor_view.is_none()) || self.replaying_log() {
            return;
        }
        let Some(c) = self.clients.get(&client) else {
            return;
        };
        let now_us = self.clock.now_us();
        let mut line = format!("{}.{:06} [{db} ", now_us / 1_000_000, now_us % 1_000_000);
        line.push_str(if c.script { "lua" } else { &c.addr });
        line.push(']');
        for arg in crate::acl::redacted(name, argv).iter() {
            line.push(' ');
            line.push_str(&crate::cli::repr(arg));
        }
        if let Some(view) = self.monitor_view.as_mut() {
            view.push(line.clone());
        }
        for monitor in self.monitors.clone() {
            let Some(m) = self.clients.get_mut(&monitor) else {
                continue;
            };
            // CLIENT REPLY OFF or SKIP silences these lines too (`prepareClientToWrite`).
            if m.reply_off || m.reply_skip {
                continue;
            }
            if monitor == client {
                self.own_monitor_lines.push(Reply::Simple(line.clone()));
            } else {
                m.outbox.push_back(Reply::Simple(line.clone()));
                self.woken.push(monitor);
            }
        }
    }

    /// Starts a front end's own view of the commands: the lines a monitor would receive,
    /// kept without a connection ([`Engine::take_watched_commands`]). The scenario player
    /// shows its engine's commands this way, so that the scenario's own figures (CLIENT
    /// LIST, INFO's clients and commandstats, the slow log) stay what its steps show.
    pub fn watch_commands(&mut self) {
        self.monitor_view.get_or_insert_with(Vec::new);
    }

    /// Ends the view [`Engine::watch_commands`] started.
    pub fn stop_watching_commands(&mut self) {
        self.monitor_view = None;
    }

    /// The lines since the last call, while [`Engine::watch_commands`] is on.
    pub fn take_watched_commands(&mut self) -> Vec<String> {
        self.monitor_view
            .as_mut()
            .map(std::mem::take)
            .unwrap_or_default()
    }

    /// The lines a monitor's own commands produced, to follow that command's reply.
    pub(crate) fn take_own_monitor_lines(&mut self) -> Vec<Reply> {
        std::mem::take(&mut self.own_monitor_lines)
    }
}
