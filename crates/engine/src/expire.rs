//! Expiry: how keys with a TTL go away.
//!
//! A key's expiry is an absolute Unix time in milliseconds, kept in its database's list of
//! keys with a TTL beside the key (`crate::dict`). A key is stale once the clock has passed that time
//! (`now > when`, strictly, as Redis's `keyIsExpired`: at the very millisecond of its expiry a
//! key still exists, with a PTTL of 0). Redis removes stale keys in two complementary ways, and
//! so do we.
//!
//! **Lazily**, on access. Every lookup goes through `Engine::expire_if_needed` first, so no
//! command ever sees a stale key: it is deleted on the spot and announced as `expired`. This
//! alone is correct, but a key that is never read again would stay in memory forever.
//!
//! **Actively**, in the background: [`Engine::active_expire_cycle`], in two modes as Redis's
//! `activeExpireCycle`. The *slow* cycle is `Engine::tick`'s, `hz` times a second, as
//! Redis's `serverCron` runs it. The *fast* cycle is [`Engine::before_sleep`]'s, which a front
//! end calls each time it is about to wait for work (after a batch of commands, after a
//! tick), as Redis runs it in `beforeSleep`. Checking every volatile key each time would cost
//! O(keys) per tick, so the cycle samples instead, and uses the sample to estimate how much
//! of the database is stale:
//!
//! ```text
//! for each database in turn (at most 16 per tick, resuming where the last tick stopped):
//!     repeat:
//!         sample KEYS_PER_LOOP keys from the ones with a TTL; delete the stale ones
//!         every 16th loop: stop everything if the tick's time budget is spent
//!     while more than ACCEPTABLE_STALE % of the sample was stale
//! ```
//!
//! If few sampled keys were stale, few keys in the whole database probably are, and the cycle
//! moves on; if many were, it keeps going, because memory is being held by keys nobody can
//! read. The loop converges: each round deletes the stale keys it found, so the stale fraction
//! falls until it drops under the threshold. The time budget bounds the damage when it does
//! not fall fast enough (millions of keys expiring at once): the cycle stops, counts the event
//! in `expired_time_cap_reached_count`, and the next tick visits every database instead of 16
//! so that the work left over is spread out. The sampled stale fraction is also kept as a
//! running average (`expired_stale_perc`: 5% this cycle, 95% history), INFO's estimate of how
//! much memory stale keys still hold.
//!
//! The constants are Redis 7.0's, and so is their scaling by `active-expire-effort` (1 to 10;
//! `effort` below is that minus one, 0 to 9), which trades CPU for memory:
//! - [`KEYS_PER_LOOP`], 20 keys sampled per round, plus a quarter of that per effort step
//!   (`20 + 5 * effort`): a larger sample per round at higher effort;
//! - [`ACCEPTABLE_STALE`], 10% stale tolerated before another round, minus one point per
//!   effort step: higher effort keeps going at a lower stale fraction;
//! - [`SLOW_TIME_PERC`], 25% of the tick's period as the time budget, plus two points per
//!   effort step; with `hz` ticks a second that is `perc * 1_000_000 / hz / 100` µs, measured
//!   on the clock's monotonic timer (`Clock::elapsed_us`), never on wall time;
//! - [`DBS_PER_CALL`], 16 databases per tick, Redis's `CRON_DBS_PER_CALL`;
//! - [`FAST_DURATION_US`], the fast cycle's budget, 1000 µs plus a quarter of that per effort
//!   step.
//!
//! The fast cycle is the slow one with that short budget, and runs only when it can help: when
//! the last cycle (of either kind) ran out of time, and no sooner than twice its budget after
//! the last fast cycle started, so that it takes at most half of a busy server's time. Redis
//! also lets it run when `expired_stale_perc` is at or above the acceptable stale
//! percentage; as it compares a fraction (0 to 1) with a percentage (1 to 10), that happens
//! only when the fraction has reached exactly 1 at effort 10, and we compare the same way.
//! When a mass expiry outruns the slow cycle's budget, the fast cycles are what add to it
//! between ticks, as much as the server is otherwise idle.
//!
//! Where we part from Redis's code, and why:
//! - Sampling. Since 6.0 Redis walks `db->expires` bucket by bucket with a cursor (and gives
//!   up on a table less than 1% full, where buckets are mostly empty). Our list of keys with a
//!   TTL (`crate::dict`) is dense and indexable, a removal moving the last key into the gap; so each
//!   sample is a uniform random position from the engine's seeded generator. That estimates
//!   the stale fraction just as well (a live key may be drawn twice in a round; a stale one
//!   is deleted when drawn, so it cannot) and makes a run replayable under a fixed seed.
//! - The per-database `avg_ttl` estimate that INFO's keyspace section prints is kept as
//!   Redis keeps it: each round's average TTL of the live keys it sampled, folded into a
//!   running average at 2%.
//!
//! Deletions go through `Engine::delete_expired`, the same door as lazy expiry, so an
//! actively expired key is announced and counted exactly like a lazily expired one. The time
//! every cycle took is summed for INFO's `expire_cycle_cpu_milliseconds`, as Redis sums it
//! (wall time on the monotonic timer, which is what Redis calls CPU time there), and a cycle
//! at least `latency-monitor-threshold` long is a latency spike of the event `expire-cycle`.

use crate::engine::Engine;

/// Keys sampled per round at effort 1 (`ACTIVE_EXPIRE_CYCLE_KEYS_PER_LOOP`).
pub const KEYS_PER_LOOP: u64 = 20;
/// Percentage of stale keys in a sample above which another round runs, at effort 1
/// (`ACTIVE_EXPIRE_CYCLE_ACCEPTABLE_STALE`).
pub const ACCEPTABLE_STALE: u64 = 10;
/// Percentage of a tick's period the cycle may use, at effort 1
/// (`ACTIVE_EXPIRE_CYCLE_SLOW_TIME_PERC`).
pub const SLOW_TIME_PERC: u64 = 25;
/// Databases visited per tick, unless the last tick ran out of time (`CRON_DBS_PER_CALL`).
pub const DBS_PER_CALL: usize = 16;
/// The fast cycle's time budget in µs at effort 1 (`ACTIVE_EXPIRE_CYCLE_FAST_DURATION`).
pub const FAST_DURATION_US: u64 = 1000;

/// Redis's two modes of `activeExpireCycle` (`ACTIVE_EXPIRE_CYCLE_SLOW`, `_FAST`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum CycleKind {
    /// The cron's: a share of each tick's period (`SLOW_TIME_PERC`).
    Slow,
    /// Before the front end waits: [`FAST_DURATION_US`], only after a cycle ran out of time.
    Fast,
}

/// What the cycle remembers from one tick to the next (the static variables of Redis's
/// `activeExpireCycle`).
#[derive(Clone, Debug, Default)]
pub(crate) struct ActiveExpireState {
    /// The database to start with next time.
    next_db: usize,
    /// The last cycle stopped on its time budget: visit every database next time.
    timelimit_exit: bool,
    /// When the last fast cycle started, on the monotonic timer (µs).
    last_fast_cycle_us: Option<u64>,
    /// Set by `DEBUG SET-ACTIVE-EXPIRE 0`: only lazy expiry runs (Redis's
    /// `active_expire_enabled`, inverted so that the default is on).
    pub(crate) disabled: bool,
}

impl Engine {
    /// Whether a key expiring at `when` is gone: strictly past, as Redis's `keyIsExpired`
    /// (`now > when`): at its very millisecond a key still exists, with a PTTL of 0.
    pub(crate) fn is_stale(&self, when: u64) -> bool {
        self.now_ms > when
    }

    /// Is `key` stale? No side effects: KEYS uses this to leave stale keys out without
    /// deleting them, as Redis's `keysCommand` does.
    pub(crate) fn key_is_expired(&self, db: usize, key: &[u8]) -> bool {
        self.get_expire(db, key)
            .is_some_and(|when| self.is_stale(when))
    }

    /// What Redis does each time its event loop is about to wait for events (`beforeSleep`)
    /// that is not done elsewhere: the fast active expire cycle, which returns at once unless
    /// the last cycle ran out of time. Front ends call it after each batch of commands they
    /// ran and after each [`Engine::tick`]; nothing runs while a script does or after a
    /// DEBUG crash.
    pub fn before_sleep(&mut self) {
        // Redis compares a fraction with a percentage of at least 1 (see the top of this
        // file): under 1 the fast cycle never runs for it, and that test needs no setting.
        if !self.active_expire.timelimit_exit && self.stats.expired_stale_perc < 1.0 {
            return;
        }
        // A replica leaves expiry to its primary.
        if self.scripting.is_running() || self.crash().is_some() || self.has_master() {
            return;
        }
        self.now_ms = self.clock.now_ms();
        self.active_expire_cycle(CycleKind::Fast);
    }

    /// One active expire cycle of the given kind, as described at the top of this file.
    pub(crate) fn active_expire_cycle(&mut self, kind: CycleKind) {
        // A pause keeps the dataset still: nothing expires actively until it ends.
        if self.active_expire.disabled || self.check_pause_timeout() {
            return;
        }
        let effort = (self.config.int("active-expire-effort").clamp(1, 10) - 1) as u64;
        let keys_per_loop = (KEYS_PER_LOOP + KEYS_PER_LOOP / 4 * effort) as usize;
        let acceptable_stale = ACCEPTABLE_STALE - effort;
        let start = self.clock.elapsed_us();
        let time_limit_us = match kind {
            CycleKind::Fast => {
                let duration = FAST_DURATION_US + FAST_DURATION_US / 4 * effort;
                if !self.active_expire.timelimit_exit
                    && self.stats.expired_stale_perc < acceptable_stale as f64
                {
                    return;
                }
                if self
                    .active_expire
                    .last_fast_cycle_us
                    .is_some_and(|last| start < last + duration * 2)
                {
                    return;
                }
                self.active_expire.last_fast_cycle_us = Some(start);
                duration
            }
            CycleKind::Slow => {
                // Redis runs at the configured hz clamped to 1..=500 (CONFIG_MIN_HZ,
                // CONFIG_MAX_HZ).
                let hz = self.config.int("hz").clamp(1, 500) as u64;
                let time_perc = SLOW_TIME_PERC + 2 * effort;
                (time_perc * 1_000_000 / hz / 100).max(1)
            }
        };

        let dbnum = self.dbs.len();
        let dbs_per_call = if self.active_expire.timelimit_exit {
            dbnum
        } else {
            DBS_PER_CALL.min(dbnum)
        };
        self.active_expire.timelimit_exit = false;
        let (mut total_sampled, mut total_expired) = (0u64, 0u64);
        let mut iteration = 0u64;
        // The name of the key being deleted, copied out of the map it is deleted from: one
        // buffer for the whole cycle rather than an allocation per key.
        let mut key = Vec::new();

        for _ in 0..dbs_per_call {
            if self.active_expire.timelimit_exit {
                break;
            }
            // Advance first, so that running out of time here resumes with the next database.
            let db = self.active_expire.next_db % dbnum;
            self.active_expire.next_db = (db + 1) % dbnum;
            loop {
                iteration += 1;
                let (expired, sampled) = self.expire_sample(db, keys_per_loop, &mut key);
                if sampled == 0 {
                    // No key with a TTL left: Redis forgets the database's average TTL.
                    self.dbs[db].avg_ttl = 0;
                    break;
                }
                total_expired += expired;
                total_sampled += sampled;
                if iteration.is_multiple_of(16)
                    && self.clock.elapsed_us().saturating_sub(start) > time_limit_us
                {
                    self.active_expire.timelimit_exit = true;
                    self.stats.expired_time_cap_reached_count += 1;
                    break;
                }
                if expired * 100 / sampled <= acceptable_stale {
                    break;
                }
            }
        }

        let elapsed = self.clock.elapsed_us().saturating_sub(start);
        self.stats.expire_cycle_time_used_us += elapsed;
        self.latency
            .add_sample_if_needed("expire-cycle", elapsed / 1000, self.now_ms / 1000);
        let current_perc = if total_sampled == 0 {
            0.0
        } else {
            total_expired as f64 / total_sampled as f64
        };
        self.stats.expired_stale_perc = current_perc * 0.05 + self.stats.expired_stale_perc * 0.95;
    }

    /// One round: samples up to `keys_per_loop` random keys with a TTL in database `db`
    /// (fewer if it has fewer) and deletes the stale ones. Returns (expired, sampled).
    /// `key` is the cycle's buffer for the name of the key being deleted.
    fn expire_sample(&mut self, db: usize, keys_per_loop: usize, key: &mut Vec<u8>) -> (u64, u64) {
        let wanted = self.dbs[db].volatile_len().min(keys_per_loop);
        let (mut expired, mut sampled) = (0, 0);
        let (mut ttl_sum, mut ttl_samples) = (0u64, 0u64);
        while sampled < wanted as u64 {
            let volatile = self.dbs[db].volatile_len();
            if volatile == 0 {
                break;
            }
            let position = self.rng.below(volatile);
            let Some((name, when)) = self.dbs[db].keys.volatile_get_index(position) else {
                break;
            };
            if self.is_stale(when) {
                key.clear();
                key.extend_from_slice(name);
                self.delete_expired(db, key);
                expired += 1;
            } else {
                ttl_sum += when - self.now_ms;
                ttl_samples += 1;
            }
            sampled += 1;
        }
        if let Some(avg) = ttl_sum.checked_div(ttl_samples) {
            // Redis's running estimate: the new average weighs 2% against the old one.
            let d = &mut self.dbs[db];
            d.avg_ttl = if d.avg_ttl == 0 {
                avg
            } else {
                d.avg_ttl / 50 * 49 + avg / 50
            };
        }
        (expired, sampled)
    }
}
