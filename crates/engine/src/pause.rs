//! CLIENT PAUSE: holding clients' commands for a while, as Redis 7.0 does before a failover.
//!
//! `CLIENT PAUSE timeout [WRITE|ALL]` pauses until `now + timeout` ms. While paused:
//!
//! - in ALL mode every command of an ordinary client waits; in WRITE mode only those that may
//!   change the dataset or be replicated wait: flagged `write` or `may_replicate` (PUBLISH,
//!   PFCOUNT...), EVAL and FCALL unless their script declares `no-writes`, and an EXEC whose
//!   queue holds one. The check comes last among `processCommand`'s, so a command that is
//!   refused (unknown, wrong arity, NOAUTH...) is refused at once, and before MULTI queues,
//!   so a write sent inside MULTI waits too;
//! - a waiting command is *postponed*: its client is held like a blocked one (CLIENT LIST
//!   flag `b`, counted in INFO's `blocked_clients`), sends nothing more, and the command is
//!   processed from scratch when the pause ends, in the order clients were postponed: it may
//!   then be refused, or postponed again by a new pause;
//! - monitors (replicas, to Redis) are never held; nor are a script's own commands, EXEC's
//!   queue once it runs, or the append-only log being replayed, none of which go through
//!   `processCommand`;
//! - the dataset stays still: the active expire cycle and eviction do not run, and a key
//!   whose time is up reads as missing but is not deleted (by the read door, `crate::db`;
//!   a write, which the pause holds anyway, deletes it as usual).
//!
//! A second CLIENT PAUSE extends the first: the later deadline and the stricter mode win
//! (`pauseClients`), so a shorter pause never shortens a longer one. CLIENT UNPAUSE ends it.
//! A FAILOVER pauses writes too, for as long as it lasts, apart: CLIENT UNPAUSE does not end
//! that pause, nor does its end lift a CLIENT PAUSE (Redis's `PAUSE_DURING_FAILOVER`).
//! The deadline is checked as Redis checks it, by the engine's cron ([`Engine::tick`]), not
//! per command: a pause lasts until the first tick after its deadline.

use std::collections::VecDeque;

use crate::engine::{ClientId, Engine, Outcome};
use crate::spec::{self, flag};

/// What a pause holds back, the stricter last (Redis's `pause_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum PauseMode {
    /// Commands that may write.
    Write,
    /// Every command.
    All,
}

/// The pause in force.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct ClientPause {
    pub mode: PauseMode,
    /// When it ends (Unix ms): the first tick after this ends it.
    pub end_ms: u64,
}

/// The engine's side: the pause, the commands it holds, and those to run again.
#[derive(Clone, Debug, Default)]
pub(crate) struct Pausing {
    current: Option<ClientPause>,
    /// Postponed commands, in the order their clients were held.
    postponed: VecDeque<(ClientId, Vec<Vec<u8>>)>,
    /// Released by the pause's end, waiting to run once the current command is over, as
    /// Redis runs its unblocked clients before it sleeps.
    released: VecDeque<(ClientId, Vec<Vec<u8>>)>,
    /// The front end runs each released command itself ([`Engine::resume`]), then what
    /// its client sent after it, before the next client's, as Redis goes on with an
    /// unblocked client's query buffer at once.
    front_end_resumes: bool,
    /// A FAILOVER holds writes until it ends (`crate::replication::master`).
    failover: bool,
}

impl Engine {
    /// Pauses (or extends the pause) until `end_ms` in `mode` (Redis's `pauseClients`).
    pub(crate) fn pause_clients(&mut self, end_ms: u64, mode: PauseMode) {
        let pause = match self.pausing.current {
            Some(p) => ClientPause {
                mode: p.mode.max(mode),
                end_ms: p.end_ms.max(end_ms),
            },
            None => ClientPause { mode, end_ms },
        };
        self.pausing.current = Some(pause);
        self.check_pause_timeout();
    }

    /// Ends the pause (CLIENT UNPAUSE): what it held runs after the current command.
    pub(crate) fn unpause_clients(&mut self) {
        if self.pausing.current.take().is_some() && !self.pausing.failover {
            self.release_postponed();
        }
    }

    /// Starts or ends a FAILOVER's pause of writes; its end releases what it held, unless a
    /// CLIENT PAUSE still holds it.
    pub(crate) fn set_failover_pause(&mut self, on: bool) {
        let was = std::mem::replace(&mut self.pausing.failover, on);
        if was && !on && self.pausing.current.is_none() {
            self.release_postponed();
        }
    }

    /// Ends a pause whose deadline has passed; true while one is still in force (Redis's
    /// `checkClientPauseTimeoutAndReturnIfPaused`).
    pub(crate) fn check_pause_timeout(&mut self) -> bool {
        match self.pausing.current {
            Some(p) if p.end_ms < self.now_ms => {
                self.pausing.current = None;
                if !self.pausing.failover {
                    self.release_postponed();
                }
                self.pausing.failover
            }
            Some(_) => true,
            None => self.pausing.failover,
        }
    }

    /// The pause in force, if any, for INFO-like displays (the page shows it): a CLIENT
    /// PAUSE, a FAILOVER's (writes, with no deadline), or the two together.
    pub fn client_pause(&self) -> Option<ClientPause> {
        let failover = self.pausing.failover.then_some(ClientPause {
            mode: PauseMode::Write,
            end_ms: u64::MAX,
        });
        match (self.pausing.current, failover) {
            (Some(p), Some(f)) => Some(ClientPause {
                mode: p.mode.max(f.mode),
                end_ms: f.end_ms,
            }),
            (p, f) => p.or(f),
        }
    }

    /// The command `client` has waiting for the pause to end, if it is held.
    pub fn paused_command(&self, client: ClientId) -> Option<&[Vec<u8>]> {
        let waiting = self.pausing.postponed.iter().chain(&self.pausing.released);
        waiting
            .into_iter()
            .find(|(id, _)| *id == client)
            .map(|(_, argv)| argv.as_slice())
    }

    /// Whether the pause holds `argv` from `client` (its checks passed; `flags` are the
    /// command's, a script's declared ones for EVAL and FCALL).
    pub(crate) fn pause_holds(&self, client: ClientId, flags: u32, argv: &[Vec<u8>]) -> bool {
        let Some(pause) = self.client_pause() else {
            return false;
        };
        if client == crate::script::SCRIPT_CLIENT
            || self.replaying_log()
            || self
                .clients
                .get(&client)
                .is_none_or(|c| c.monitor || c.replica)
        {
            return false;
        }
        pause.mode == PauseMode::All || self.may_replicate(client, flags, argv)
    }

    /// Redis's `is_may_replicate_command`: flagged `write` or `may_replicate`, or an EXEC
    /// whose queue holds such a command.
    fn may_replicate(&self, client: ClientId, flags: u32, argv: &[Vec<u8>]) -> bool {
        const REPLICATES: u32 = flag::WRITE | flag::MAY_REPLICATE;
        if flags & REPLICATES != 0 {
            return true;
        }
        if !argv[0].eq_ignore_ascii_case(b"exec") {
            return false;
        }
        let queue = self.clients.get(&client).and_then(|c| c.multi.as_ref());
        queue.is_some_and(|t| {
            t.queue.iter().any(|queued| {
                spec::resolve(queued)
                    .is_ok_and(|(s, _)| self.script_command_flags(s, queued) & REPLICATES != 0)
            })
        })
    }

    /// Holds `argv` until the pause ends (Redis's `blockClient(c, BLOCKED_POSTPONE)`). It is
    /// counted as a processed command when it runs, not now.
    pub(crate) fn postpone_for_pause(&mut self, client: ClientId, argv: &[Vec<u8>]) {
        self.pausing.postponed.push_back((client, argv.to_vec()));
        if let Some(c) = self.clients.get_mut(&client) {
            c.postponed = true;
        }
    }

    /// Moves every postponed command to the released queue (`unblockPostponedClients`); a
    /// front end that resumes them itself is told which connections to wake.
    fn release_postponed(&mut self) {
        let postponed = std::mem::take(&mut self.pausing.postponed);
        if self.pausing.front_end_resumes {
            self.woken
                .extend(postponed.iter().map(|(client, _)| *client));
        }
        self.pausing.released.extend(postponed);
    }

    /// Runs the commands the pause released, in order, each answered in its client's
    /// outbox; one that meets a new pause is postponed again. Called after each command and
    /// on the cron, never inside a command; nothing to do when the front end resumes them.
    pub(crate) fn run_released(&mut self) {
        if self.pausing.front_end_resumes {
            return;
        }
        while let Some((client, argv)) = self.pausing.released.pop_front() {
            self.answer_deferred(client, &argv);
        }
    }

    /// Says that the front end resumes released commands itself, through
    /// [`Engine::resume`], so that a connection's pipelined requests follow its released
    /// command at once (the native server). Otherwise the engine runs them after the
    /// command or tick that ended the pause, each answered in its client's outbox.
    pub fn set_front_end_resumes(&mut self, on: bool) {
        self.pausing.front_end_resumes = on;
    }

    /// Runs `client`'s command that the pause's end released, if it has one, and returns its
    /// outcome (it may be postponed again by a new pause).
    pub fn resume(&mut self, client: ClientId) -> Option<Outcome> {
        let at = self
            .pausing
            .released
            .iter()
            .position(|(id, _)| *id == client)?;
        let (_, argv) = self.pausing.released.remove(at)?;
        if let Some(c) = self.clients.get_mut(&client) {
            c.postponed = false;
        }
        Some(self.execute(client, &argv))
    }

    /// How many clients the pause holds (part of INFO's `blocked_clients`).
    pub(crate) fn paused_clients(&self) -> usize {
        self.pausing.postponed.len() + self.pausing.released.len()
    }

    /// Forgets what a client that is leaving had postponed.
    pub(crate) fn forget_postponed(&mut self, client: ClientId) {
        self.pausing.postponed.retain(|(id, _)| *id != client);
        self.pausing.released.retain(|(id, _)| *id != client);
    }
}
