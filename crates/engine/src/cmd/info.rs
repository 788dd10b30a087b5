//! INFO: the server's state as Redis 7.0 reports it, section by section, field names and order
//! as in its `genRedisInfoString`.
//!
//! Values are honest: what the engine knows it reports (keys, hits and misses, expired and
//! evicted keys, errors, the modelled memory of `crate::memory`, its clock); what it cannot
//! know, having no process, sockets or files of its own, it reports as a Redis that never
//! did that thing would (no forks, no bytes counted on the wire, no RDB saves). Replication
//! is the engine's own (`crate::replication`): its IDs, offsets, backlog and replicas.
//! CPU time is the monotonic time spent running commands, the one CPU figure the engine can
//! measure without reading a system clock.

use crate::engine::{Call, Engine};
use crate::memory::{self, bytes_to_human};
use crate::pubsub::Kind;
use crate::replication::master::ReplicaState;
use crate::reply::Reply;
use crate::spec::{flag, CommandResult, CommandSpec};

pub static COMMANDS: &[CommandSpec] = &[CommandSpec {
    name: "info",
    arity: -1,
    flags: flag::LOADING | flag::STALE | flag::ACL_DANGEROUS,
    group: "server",
    since: "1.0.0",
    summary: "Returns information and statistics about the server, by section.",
    syntax: "[section [section ...]]",
    complexity: "O(1)",
    keys: &[],
    tips: &[
        "nondeterministic_output",
        "request_policy:all_shards",
        "response_policy:special",
    ],
    handler: Some(info),
    subcommands: &[],
}];

/// Every section, in Redis's order, with whether `INFO` without arguments (or `default`)
/// includes it.
const SECTIONS: &[(&str, bool)] = &[
    ("server", true),
    ("clients", true),
    ("memory", true),
    ("persistence", true),
    ("stats", true),
    ("replication", true),
    ("cpu", true),
    ("modules", true),
    ("commandstats", false),
    ("errorstats", true),
    ("latencystats", false),
    ("cluster", true),
    ("keyspace", true),
];

/// ```text
/// INFO [section [section ...]]
/// ```
/// The named sections (any case; `default`, `all` and `everything` name groups), or the
/// default ones; unknown names add nothing. A bulk string of `# Section` headers and
/// `field:value` lines, sections separated by a blank line; verbatim text in RESP3.
fn info(engine: &mut Engine, call: &Call<'_>) -> CommandResult {
    engine.track_peak_memory();
    let mut args: Vec<String> = call.argv[1..]
        .iter()
        .map(|a| String::from_utf8_lossy(a).to_ascii_lowercase())
        .collect();
    if args.is_empty() {
        args.push("default".into());
    }
    let wanted = |name: &str, default: bool| {
        args.iter().any(|a| {
            a == name
                || a == "all"
                || a == "everything"
                || (a == "default" && default)
                || (name == "modules" && a == "module_list")
        })
    };
    let mut text = String::new();
    for &(name, default) in SECTIONS {
        if !wanted(name, default) {
            continue;
        }
        if !text.is_empty() {
            text.push_str("\r\n");
        }
        let (title, fields) = section(engine, name);
        text.push_str(&format!("# {title}\r\n"));
        for (field, value) in fields {
            text.push_str(&format!("{field}:{value}\r\n"));
        }
    }
    Ok(Reply::Verbatim {
        format: *b"txt",
        text: text.into_bytes(),
    }
    .into())
}

impl Engine {
    /// Every section of `INFO everything`, as (title, fields): what INFO would answer, for
    /// the page's server panel, without running a command, so that the panel looking leaves
    /// the counters it shows (commands processed, commandstats) as they were.
    pub fn info_sections(&mut self) -> Vec<(&'static str, Vec<(String, String)>)> {
        self.track_peak_memory();
        SECTIONS
            .iter()
            .map(|&(name, _)| section(self, name))
            .collect()
    }
}

/// Redis's `trackInstantaneousMetric`, for each of its metrics: every 100 ms (of the
/// monotonic timer, checked on `tick`) the rate of each since the last sample goes into a
/// ring of 16, and a figure is the ring's sum over 16 (`getInstantaneousMetric`: the ring
/// starts as zeros, so the figure climbs over its first 1.6 seconds as Redis's does).
#[derive(Clone, Debug, Default)]
pub(crate) struct Instantaneous {
    last_us: u64,
    last: [u64; METRICS],
    samples: [[u64; Instantaneous::SAMPLES]; METRICS],
    at: usize,
}

/// What [`Instantaneous`] samples.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Metric {
    Commands,
    /// Bytes read, replication links' included (`instantaneous_input_kbps`).
    NetInput,
    NetOutput,
    /// Bytes read from a primary (`instantaneous_input_repl_kbps`).
    ReplInput,
    /// Bytes written to replicas.
    ReplOutput,
}

const METRICS: usize = 5;

impl Instantaneous {
    const PERIOD_US: u64 = 100_000;
    const SAMPLES: usize = 16;

    /// Samples the readings, in [`Metric`]'s order, if a period has passed.
    pub(crate) fn track(&mut self, now_us: u64, readings: [u64; METRICS]) {
        let elapsed = now_us.saturating_sub(self.last_us);
        if elapsed < Self::PERIOD_US {
            return;
        }
        for (metric, reading) in readings.into_iter().enumerate() {
            let rate = reading.saturating_sub(self.last[metric]) * 1_000_000 / elapsed;
            self.samples[metric][self.at] = rate;
            self.last[metric] = reading;
        }
        self.at = (self.at + 1) % Self::SAMPLES;
        self.last_us = now_us;
    }

    /// Per second, over the last 16 samples.
    pub(crate) fn per_sec(&self, metric: Metric) -> u64 {
        self.samples[metric as usize].iter().sum::<u64>() / Self::SAMPLES as u64
    }

    /// Kilobytes per second as INFO prints them (`%.2f` of bytes over 1024).
    fn kbps(&self, metric: Metric) -> String {
        format!("{:.2}", self.per_sec(metric) as f32 / 1024.0)
    }
}

type Fields = Vec<(String, String)>;

fn fields<const N: usize>(pairs: [(&str, String); N]) -> Fields {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

fn section(engine: &Engine, name: &str) -> (&'static str, Fields) {
    match name {
        "server" => ("Server", server(engine)),
        "clients" => ("Clients", clients(engine)),
        "memory" => ("Memory", memory_fields(engine)),
        "persistence" => ("Persistence", persistence(engine)),
        "stats" => ("Stats", stats(engine)),
        "replication" => ("Replication", replication(engine)),
        "cpu" => ("CPU", cpu(engine)),
        "modules" => ("Modules", Vec::new()),
        "commandstats" => ("Commandstats", commandstats(engine)),
        "errorstats" => ("Errorstats", errorstats(engine)),
        "latencystats" => ("Latencystats", latencystats(engine)),
        "cluster" => ("Cluster", fields([("cluster_enabled", "0".into())])),
        _ => ("Keyspace", keyspace(engine)),
    }
}

/// A 40-hex-digit id (`run_id`, `master_replid`) drawn once from the engine's seed, so that it
/// is stable for a run without taking draws from the generator that scenarios replay.
fn hex_id(engine: &Engine, salt: u64) -> String {
    let mut rng = crate::rng::Rng::new(engine.started_ms ^ salt);
    (0..3)
        .map(|_| format!("{:016x}", rng.next_u64()))
        .collect::<String>()[..40]
        .to_string()
}

fn server(engine: &Engine) -> Fields {
    let uptime = engine.now_ms.saturating_sub(engine.started_ms) / 1000;
    let hz = engine.config.int("hz").to_string();
    fields([
        ("redis_version", "7.0.15".into()),
        ("redis_git_sha1", "00000000".into()),
        ("redis_git_dirty", "0".into()),
        ("redis_build_id", "0".into()),
        ("redis_mode", "standalone".into()),
        ("os", "keyspace".into()),
        ("arch_bits", (usize::BITS).to_string()),
        ("monotonic_clock", "injected".into()),
        ("multiplexing_api", "none".into()),
        ("atomicvar_api", "none".into()),
        ("gcc_version", "0.0.0".into()),
        ("process_id", "0".into()),
        ("process_supervised", "no".into()),
        ("run_id", hex_id(engine, 1)),
        ("tcp_port", engine.config.int("port").to_string()),
        ("server_time_usec", (engine.now_ms * 1000).to_string()),
        ("uptime_in_seconds", uptime.to_string()),
        ("uptime_in_days", (uptime / 86_400).to_string()),
        ("hz", hz.clone()),
        ("configured_hz", hz),
        (
            "lru_clock",
            crate::evict::lru_clock(engine.now_ms).to_string(),
        ),
        ("executable", String::new()),
        ("config_file", String::new()),
        ("io_threads_active", "0".into()),
    ])
}

fn clients(engine: &Engine) -> Fields {
    let (blocked, timed) = engine.blocked_counts();
    fields([
        // Replicas are counted apart (`connected_slaves`).
        (
            "connected_clients",
            (engine.connected_clients() - engine.replication.master.replica_count()).to_string(),
        ),
        ("cluster_connections", "0".into()),
        ("maxclients", engine.config().int("maxclients").to_string()),
        ("client_recent_max_input_buffer", "0".into()),
        ("client_recent_max_output_buffer", "0".into()),
        ("blocked_clients", blocked.to_string()),
        ("tracking_clients", engine.tracking.clients().to_string()),
        ("clients_in_timeout_table", timed.to_string()),
    ])
}

/// The modelled memory, split as MEMORY STATS and INFO split it.
pub(crate) struct MemoryBreakdown {
    pub used: usize,
    pub peak: usize,
    pub startup: usize,
    pub clients: usize,
    /// Startup, clients, the databases' dict overhead and the function libraries'.
    pub overhead: usize,
    pub dataset: usize,
}

impl MemoryBreakdown {
    pub(crate) fn of(engine: &Engine) -> MemoryBreakdown {
        let used = engine.used_memory();
        let clients = memory::CLIENT * engine.connected_clients();
        let dicts: usize = engine
            .dbs
            .iter()
            .map(|d| d.main_dict_overhead() + d.expires_dict_overhead())
            .sum();
        let functions = engine.scripting.functions.current.memory_overhead();
        let overhead = memory::EMPTY_SERVER + clients + dicts + functions;
        MemoryBreakdown {
            used,
            peak: engine.peak_memory.max(used),
            startup: memory::EMPTY_SERVER,
            clients,
            overhead,
            dataset: used.saturating_sub(overhead),
        }
    }

    /// `dataset / (used - startup)`, as a percentage.
    pub(crate) fn dataset_perc(&self) -> f64 {
        let net = self.used.saturating_sub(self.startup);
        if net == 0 {
            0.0
        } else {
            self.dataset as f64 * 100.0 / net as f64
        }
    }

    pub(crate) fn peak_perc(&self) -> f64 {
        if self.peak == 0 {
            0.0
        } else {
            self.used as f64 * 100.0 / self.peak as f64
        }
    }
}

/// INFO's `mem_allocator`: the allocator `used_memory` models.
pub(crate) const MEM_ALLOCATOR: &str = "jemalloc-5.3.0 (modelled)";

/// `used_memory_lua` of a Lua state nothing has run in, as Redis 7.0 reports it.
const FRESH_LUA: u64 = 32_768;

fn memory_fields(engine: &Engine) -> Fields {
    let m = MemoryBreakdown::of(engine);
    let maxmemory = engine.eviction.maxmemory;
    let human = |n: usize| bytes_to_human(n as u64);
    let (used, peak) = (m.used.to_string(), m.peak.to_string());
    // Lua's heap (Redis's figure for a fresh state until the first script creates ours) and
    // the cached scripts.
    let lua = engine
        .scripting
        .lua
        .as_ref()
        .map_or(FRESH_LUA, |lua| lua.used_memory() as u64);
    let scripts_eval = engine.scripting.scripts_memory() as u64;
    let functions_vm = engine.functions_vm_memory() as u64;
    let functions = engine.functions_memory() as u64;
    let libraries = &engine.scripting.functions.current;
    let sample = engine.memory_sample();
    let o = sample.overheads();
    fields([
        ("used_memory", used),
        ("used_memory_human", human(m.used)),
        // What the front end measured, at the cron's last sample (`crate::resident`).
        ("used_memory_rss", sample.process_rss.to_string()),
        ("used_memory_rss_human", bytes_to_human(sample.process_rss)),
        ("used_memory_peak", peak),
        ("used_memory_peak_human", human(m.peak)),
        ("used_memory_peak_perc", format!("{:.2}%", m.peak_perc())),
        ("used_memory_overhead", m.overhead.to_string()),
        ("used_memory_startup", m.startup.to_string()),
        ("used_memory_dataset", m.dataset.to_string()),
        (
            "used_memory_dataset_perc",
            format!("{:.2}%", m.dataset_perc()),
        ),
        (
            "allocator_allocated",
            sample.allocator_allocated.to_string(),
        ),
        ("allocator_active", sample.allocator_active.to_string()),
        ("allocator_resident", sample.allocator_resident.to_string()),
        ("total_system_memory", "0".into()),
        ("total_system_memory_human", "0B".into()),
        ("used_memory_lua", lua.to_string()),
        ("used_memory_vm_eval", lua.to_string()),
        ("used_memory_lua_human", bytes_to_human(lua)),
        ("used_memory_scripts_eval", scripts_eval.to_string()),
        (
            "number_of_cached_scripts",
            engine.scripting.scripts.len().to_string(),
        ),
        ("number_of_functions", libraries.indexed_count().to_string()),
        ("number_of_libraries", libraries.library_count().to_string()),
        ("used_memory_vm_functions", functions_vm.to_string()),
        ("used_memory_vm_total", (lua + functions_vm).to_string()),
        (
            "used_memory_vm_total_human",
            bytes_to_human(lua + functions_vm),
        ),
        ("used_memory_functions", functions.to_string()),
        (
            "used_memory_scripts",
            (scripts_eval + functions).to_string(),
        ),
        (
            "used_memory_scripts_human",
            bytes_to_human(scripts_eval + functions),
        ),
        ("maxmemory", maxmemory.to_string()),
        ("maxmemory_human", bytes_to_human(maxmemory)),
        (
            "maxmemory_policy",
            engine.config.text("maxmemory-policy").to_string(),
        ),
        ("allocator_frag_ratio", format!("{:.2}", o.allocator_frag)),
        // Redis prints this one unsigned: less active than allocated reads as a wrapped
        // count, as it does there.
        (
            "allocator_frag_bytes",
            (o.allocator_frag_bytes as u64).to_string(),
        ),
        ("allocator_rss_ratio", format!("{:.2}", o.allocator_rss)),
        ("allocator_rss_bytes", o.allocator_rss_bytes.to_string()),
        ("rss_overhead_ratio", format!("{:.2}", o.rss_extra)),
        ("rss_overhead_bytes", o.rss_extra_bytes.to_string()),
        ("mem_fragmentation_ratio", format!("{:.2}", o.total_frag)),
        ("mem_fragmentation_bytes", o.total_frag_bytes.to_string()),
        ("mem_not_counted_for_evict", "0".into()),
        ("mem_replication_backlog", "0".into()),
        ("mem_total_replication_buffers", "0".into()),
        ("mem_clients_slaves", "0".into()),
        ("mem_clients_normal", m.clients.to_string()),
        ("mem_cluster_links", "0".into()),
        ("mem_aof_buffer", "0".into()),
        ("mem_allocator", MEM_ALLOCATOR.into()),
        ("active_defrag_running", "0".into()),
        (
            "lazyfree_pending_objects",
            engine.lazy_free().pending_objects().to_string(),
        ),
        (
            "lazyfreed_objects",
            engine.lazy_free().freed_objects().to_string(),
        ),
    ])
}

fn persistence(engine: &Engine) -> Fields {
    let p = &engine.persistence;
    let status = |ok: bool| if ok { "ok" } else { "err" }.to_string();
    let mut out = fields([
        ("loading", "0".into()),
        ("async_loading", "0".into()),
        ("current_cow_peak", "0".into()),
        ("current_cow_size", "0".into()),
        ("current_cow_size_age", "0".into()),
        ("current_fork_perc", "0.00".into()),
        ("current_save_keys_processed", "0".into()),
        ("current_save_keys_total", "0".into()),
        ("rdb_changes_since_last_save", engine.dirty.to_string()),
        ("rdb_bgsave_in_progress", "0".into()),
        ("rdb_last_save_time", p.lastsave.to_string()),
        ("rdb_last_bgsave_status", status(p.last_save_ok)),
        // A BGSAVE here is done before it answers: whole seconds, it took none.
        (
            "rdb_last_bgsave_time_sec",
            if p.bgsaved { "0" } else { "-1" }.into(),
        ),
        ("rdb_current_bgsave_time_sec", "-1".into()),
        ("rdb_saves", p.saves.to_string()),
        ("rdb_last_cow_size", "0".into()),
        (
            "rdb_last_load_keys_expired",
            p.last_load_expired.to_string(),
        ),
        ("rdb_last_load_keys_loaded", p.last_load_loaded.to_string()),
        ("aof_enabled", u8::from(p.aof.on).to_string()),
        ("aof_rewrite_in_progress", "0".into()),
        ("aof_rewrite_scheduled", "0".into()),
        // A rewrite here is done before BGREWRITEAOF answers: it took no whole second.
        (
            "aof_last_rewrite_time_sec",
            if p.aof.rewrites > 0 { "0" } else { "-1" }.into(),
        ),
        ("aof_current_rewrite_time_sec", "-1".into()),
        ("aof_last_bgrewrite_status", status(p.aof.last_rewrite_ok)),
        ("aof_rewrites", p.aof.rewrites.to_string()),
        (
            "aof_rewrites_consecutive_failures",
            p.aof.consecutive_failures.to_string(),
        ),
        ("aof_last_write_status", status(p.aof.last_write_ok)),
        ("aof_last_cow_size", "0".into()),
        ("module_fork_in_progress", "0".into()),
        ("module_fork_last_cow_size", "0".into()),
    ]);
    // Redis adds the log's sizes while it is on: what automatic rewrites compare.
    if p.aof.on {
        out.extend(fields([
            ("aof_current_size", p.aof.current_size.to_string()),
            ("aof_base_size", p.aof.base_size.to_string()),
            ("aof_pending_rewrite", "0".into()),
            ("aof_buffer_length", "0".into()),
            ("aof_pending_bio_fsync", "0".into()),
            ("aof_delayed_fsync", "0".into()),
        ]));
    }
    out
}

fn stats(engine: &Engine) -> Fields {
    let s = &engine.stats;
    let inst = &engine.instantaneous;
    let zero = || "0".to_string();
    let pubsub = |kind| engine.pubsub.count(kind).to_string();
    fields([
        (
            "total_connections_received",
            s.total_connections_received.to_string(),
        ),
        (
            "total_commands_processed",
            s.total_commands_processed.to_string(),
        ),
        (
            "instantaneous_ops_per_sec",
            engine.instantaneous.per_sec(Metric::Commands).to_string(),
        ),
        (
            "total_net_input_bytes",
            (s.net_input_bytes + s.net_repl_input_bytes).to_string(),
        ),
        (
            "total_net_output_bytes",
            (s.net_output_bytes + s.net_repl_output_bytes).to_string(),
        ),
        (
            "total_net_repl_input_bytes",
            s.net_repl_input_bytes.to_string(),
        ),
        (
            "total_net_repl_output_bytes",
            s.net_repl_output_bytes.to_string(),
        ),
        ("instantaneous_input_kbps", inst.kbps(Metric::NetInput)),
        ("instantaneous_output_kbps", inst.kbps(Metric::NetOutput)),
        (
            "instantaneous_input_repl_kbps",
            inst.kbps(Metric::ReplInput),
        ),
        (
            "instantaneous_output_repl_kbps",
            inst.kbps(Metric::ReplOutput),
        ),
        ("rejected_connections", s.rejected_connections.to_string()),
        ("sync_full", engine.replication.master.sync_full.to_string()),
        (
            "sync_partial_ok",
            engine.replication.master.sync_partial_ok.to_string(),
        ),
        (
            "sync_partial_err",
            engine.replication.master.sync_partial_err.to_string(),
        ),
        ("expired_keys", s.expired_keys.to_string()),
        (
            "expired_stale_perc",
            format!("{:.2}", s.expired_stale_perc * 100.0),
        ),
        (
            "expired_time_cap_reached_count",
            s.expired_time_cap_reached_count.to_string(),
        ),
        (
            "expire_cycle_cpu_milliseconds",
            (s.expire_cycle_time_used_us / 1000).to_string(),
        ),
        ("evicted_keys", s.evicted_keys.to_string()),
        ("evicted_clients", zero()),
        ("total_eviction_exceeded_time", zero()),
        ("current_eviction_exceeded_time", zero()),
        ("keyspace_hits", s.keyspace_hits.to_string()),
        ("keyspace_misses", s.keyspace_misses.to_string()),
        ("pubsub_channels", pubsub(Kind::Channel)),
        ("pubsub_patterns", pubsub(Kind::Pattern)),
        ("pubsubshard_channels", pubsub(Kind::Shard)),
        ("latest_fork_usec", zero()),
        ("total_forks", zero()),
        ("migrate_cached_sockets", zero()),
        ("slave_expires_tracked_keys", zero()),
        ("active_defrag_hits", zero()),
        ("active_defrag_misses", zero()),
        ("active_defrag_key_hits", zero()),
        ("active_defrag_key_misses", zero()),
        ("total_active_defrag_time", zero()),
        ("current_active_defrag_time", zero()),
        (
            "tracking_total_keys",
            engine.tracking.total_keys().to_string(),
        ),
        (
            "tracking_total_items",
            engine.tracking.total_items().to_string(),
        ),
        (
            "tracking_total_prefixes",
            engine.tracking.total_prefixes().to_string(),
        ),
        ("unexpected_error_replies", zero()),
        ("total_error_replies", s.total_error_replies.to_string()),
        ("dump_payload_sanitizations", zero()),
        ("total_reads_processed", s.commands_received.to_string()),
        ("total_writes_processed", s.commands_received.to_string()),
        ("io_threaded_reads_processed", zero()),
        ("io_threaded_writes_processed", zero()),
        ("reply_buffer_shrinks", zero()),
        ("reply_buffer_expands", zero()),
    ])
}

fn replication(engine: &Engine) -> Fields {
    let r = &engine.replication;
    let now_s = engine.now_ms / 1000;
    let role = match engine.has_master() {
        true => "slave",
        false => "master",
    };
    let mut out = fields([("role", role.into())]);
    out.extend(engine.replica_info());
    out.extend(fields([(
        "connected_slaves",
        r.master.replica_count().to_string(),
    )]));
    for (n, (id, link)) in r.master.replicas().enumerate() {
        let Some(state) = link.state else { continue };
        let lag = match state {
            ReplicaState::Online => now_s.saturating_sub(link.ack_time_s),
            _ => 0,
        };
        out.push((
            format!("slave{n}"),
            format!(
                "ip={},port={},state={},offset={},lag={lag}",
                engine.replica_ip(*id),
                link.listening_port,
                state.name(),
                link.ack_offset
            ),
        ));
    }
    let backlog = r.backlog.as_ref();
    out.extend(fields([
        (
            "master_failover_state",
            r.master
                .failover
                .as_ref()
                .map_or("no-failover", |f| f.state.name())
                .into(),
        ),
        ("master_replid", r.replid_str().into()),
        ("master_replid2", r.replid2_str().into()),
        ("master_repl_offset", r.master_repl_offset.to_string()),
        ("second_repl_offset", r.second_replid_offset.to_string()),
        (
            "repl_backlog_active",
            u8::from(backlog.is_some()).to_string(),
        ),
        (
            "repl_backlog_size",
            engine.config.int("repl-backlog-size").to_string(),
        ),
        (
            "repl_backlog_first_byte_offset",
            backlog.map_or(0, |b| b.offset).to_string(),
        ),
        (
            "repl_backlog_histlen",
            backlog.map_or(0, |b| b.histlen).to_string(),
        ),
    ]));
    out
}

fn cpu(engine: &Engine) -> Fields {
    let us = engine.stats.command_time_us;
    let busy = format!("{}.{:06}", us / 1_000_000, us % 1_000_000);
    fields([
        ("used_cpu_sys", "0.000000".into()),
        ("used_cpu_user", busy.clone()),
        ("used_cpu_sys_children", "0.000000".into()),
        ("used_cpu_user_children", "0.000000".into()),
        ("used_cpu_sys_main_thread", "0.000000".into()),
        ("used_cpu_user_main_thread", busy),
    ])
}

/// `latency_percentiles_usec_<name>:p50=..,p99=..,p99.9=..` (the percentiles of
/// `latency-tracking-info-percentiles`) for every command called since the last CONFIG
/// RESETSTAT, in the same order as commandstats; nothing when `latency-tracking` is off.
fn latencystats(engine: &Engine) -> Fields {
    if !engine.latency.tracking {
        return Vec::new();
    }
    let percentiles = engine.config.text("latency-tracking-info-percentiles");
    engine
        .stats
        .commandstats
        .iter()
        .filter(|(_, s)| s.calls > 0)
        .map(|(name, s)| {
            let value = s.latency.info(percentiles);
            (format!("latency_percentiles_usec_{name}"), value)
        })
        .collect()
}

/// `cmdstat_<name>:calls=..,usec=..,usec_per_call=..,rejected_calls=..,failed_calls=..`;
/// Redis lists them in its command table's hash order, we alphabetically.
fn commandstats(engine: &Engine) -> Fields {
    engine
        .stats
        .commandstats
        .iter()
        .map(|(name, s)| {
            let per_call = if s.calls == 0 {
                0.0
            } else {
                s.usec as f64 / s.calls as f64
            };
            (
                format!("cmdstat_{name}"),
                format!(
                    "calls={},usec={},usec_per_call={per_call:.2},rejected_calls={},failed_calls={}",
                    s.calls, s.usec, s.rejected_calls, s.failed_calls
                ),
            )
        })
        .collect()
}

fn errorstats(engine: &Engine) -> Fields {
    engine
        .stats
        .errorstats
        .iter()
        .map(|(code, count)| (format!("errorstat_{code}"), format!("count={count}")))
        .collect()
}

/// `dbN:keys=..,expires=..,avg_ttl=..` for each database that holds keys.
fn keyspace(engine: &Engine) -> Fields {
    engine
        .dbs
        .iter()
        .enumerate()
        .filter(|(_, d)| !d.is_empty())
        .map(|(i, d)| {
            (
                format!("db{i}"),
                format!(
                    "keys={},expires={},avg_ttl={}",
                    d.len(),
                    d.volatile_len(),
                    d.avg_ttl
                ),
            )
        })
        .collect()
}
