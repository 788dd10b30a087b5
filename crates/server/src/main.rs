//! `keyspace-server`: the keyspace engine as a native RESP server on loopback, so that
//! redis-cli, redis-py, redis-benchmark and keyspace-difftest can talk to the very engine the
//! browser runs.
//!
//! ```text
//! keyspace-server [--port 6379] [--bind 127.0.0.1 ...] [--protected-mode yes|no] [--<config-name> <value>]...
//! ```
//!
//! It listens on loopback unless `--bind` says otherwise; even then, as in Redis, protected
//! mode (on by default) refuses clients from other hosts while the default user has no
//! password (`--requirepass`, or CONFIG SET requirepass).
//!
//! Like redis-server, every parameter of the engine's config table can be given on the
//! command line, and a wrong one stops the server with redis-server's complaint.
//!
//! - `server`: connections, pipelining, waking idle connections, the timer.
//! - `clock`: the system clock the engine reads.
//! - `aclfile`: the ACL file (`--aclfile`), loaded at start: a bad one stops the server, as
//!   it stops redis-server.
//! - `storage`: `dump.rdb` in `--dir`, loaded at start, written by SAVE, BGSAVE, SHUTDOWN;
//!   with `--appendonly yes`, the append-only log in `appendonlydir` instead.

mod aclfile;
mod clock;
mod outbound;
mod resident;
mod server;
mod storage;

use std::process::ExitCode;

use keyspace::config::Config;
use keyspace::{Engine, Error};

use crate::clock::SystemClock;

const USAGE: &str =
    "Usage: keyspace-server [--port 6379] [--bind 127.0.0.1 ...] [--protected-mode yes|no] [--<config-name> <value>]...";

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if matches!(args.first().map(String::as_str), Some("-h" | "--help")) {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    if matches!(args.first().map(String::as_str), Some("-v" | "--version")) {
        println!("keyspace-server v={}", env!("CARGO_PKG_VERSION"));
        return ExitCode::SUCCESS;
    }
    let mut config = match parse_options(&args) {
        Ok(config) => config,
        Err(message) => {
            eprintln!("{message}");
            return ExitCode::FAILURE;
        }
    };
    match storage::absolute_dir(config.text("dir")) {
        Ok(dir) => {
            let dir = dir.to_string_lossy().into_owned();
            // The table accepts any text for `dir`: this cannot fail.
            let _ = config.set(b"dir", dir.as_bytes(), true);
        }
        Err(e) => {
            eprintln!(
                "Can't chdir to '{}': {}",
                config.text("dir"),
                storage::strerror(&e)
            );
            return ExitCode::FAILURE;
        }
    }
    let mut engine = Engine::new(config, Box::new(SystemClock::new()), random_seed());
    // Nothing reads keyspace events natively yet: don't collect them.
    engine.set_capture_events(false);
    engine.set_front_end_resumes(true);
    engine.set_resident_memory(Box::new(resident::ProcessMemory));
    engine.set_outbound(Box::<outbound::Sockets>::default());
    // Like redis-server, refuse to start on a snapshot that cannot be read whole, rather than
    // serve half of it or overwrite it with an empty keyspace at the next save.
    engine.set_storage(Box::<storage::FileStorage>::default());
    if !engine.config().text("aclfile").is_empty() {
        let access = aclfile::FileAclAccess::new(engine.config().text("dir"));
        if let Err(errors) = engine.load_acl_file(Box::new(access)) {
            eprintln!("Aborting Redis startup because of ACL errors: {errors}");
            return ExitCode::FAILURE;
        }
    }
    // With appendonly yes, the log alone is the data, as for redis-server; without one yet,
    // it is started on the (empty) keyspace.
    let appendonly = engine.config().flag("appendonly");
    let loaded = if appendonly {
        engine.load_aof_from_storage().and_then(|found| {
            if !found {
                engine.rewrite_aof()?;
            }
            Ok(found.then_some("DB loaded from append only file"))
        })
    } else {
        engine
            .load_from_storage()
            .map(|found| found.then_some("DB loaded from disk"))
    };
    server::print_log(&mut engine);
    match loaded {
        Ok(Some(note)) => println!("{note}"),
        Ok(None) => {}
        Err(message) => {
            let config = engine.config();
            let file = if appendonly {
                format!(
                    "{}/{}",
                    config.text("appenddirname"),
                    config.text("appendfilename")
                )
            } else {
                config.text("dbfilename").to_string()
            };
            let message = message.trim_end_matches('.');
            eprintln!("Fatal error loading the DB ({file}): {message}. Exiting.");
            return ExitCode::FAILURE;
        }
    }
    match server::run(engine) {
        Ok(()) => ExitCode::SUCCESS,
        Err(message) => {
            eprintln!("{message}");
            ExitCode::FAILURE
        }
    }
}

/// A seed for the engine's PRNG that differs from run to run, as Redis's randomness does:
/// std's hasher keys are drawn from the OS's entropy source.
fn random_seed() -> u64 {
    use std::hash::{BuildHasher, Hasher};
    std::collections::hash_map::RandomState::new()
        .build_hasher()
        .finish()
}

/// Reads redis-server style arguments into the config table: each `--name` starts a
/// directive and the words after it, up to the next `--name`, are its values.
fn parse_options(args: &[String]) -> Result<Config, String> {
    let mut config = Config::default();
    // redis-server works in the directory it was started from unless told otherwise.
    let _ = config.set(b"dir", b".", true);
    let mut directives: Vec<(&str, Vec<&str>)> = Vec::new();
    for arg in args {
        match (arg.strip_prefix("--"), directives.last_mut()) {
            (Some(name), _) => directives.push((name, Vec::new())),
            (None, Some((_, values))) => values.push(arg),
            (None, None) => {
                return Err(format!(
                    "Configuration files are not supported ('{arg}').\n{USAGE}"
                ))
            }
        }
    }
    for (line, (name, values)) in directives.iter().enumerate() {
        apply(&mut config, name, values).map_err(|reason| {
            let quoted: String = values.iter().map(|v| format!(" \"{v}\"")).collect();
            // redis-server turns its arguments into config lines after one of its own, hence +2.
            format!(
                "\n*** FATAL CONFIG FILE ERROR (keyspace-server) ***\n\
                 Reading the configuration file, at line {}\n>>> '{name}{quoted}'\n{reason}",
                line + 2
            )
        })?;
    }
    Ok(config)
}

/// One directive; the error is redis-server's reason line.
fn apply(config: &mut Config, name: &str, values: &[&str]) -> Result<(), String> {
    let (index, param) = Config::settable(name.as_bytes(), true)
        .map_err(|_| "Bad directive or wrong number of arguments".to_string())?;
    // `replicaof` takes a host and a port, `bind` and a few others a list of words
    // (`ConfigParam::takes_words`); every other parameter one value.
    let list = param.takes_words();
    let pair = ["replicaof", "slaveof"]
        .iter()
        .any(|p| name.eq_ignore_ascii_case(p));
    let wrong_count = match pair {
        true => values.len() != 2,
        false => values.is_empty() || (values.len() > 1 && !list),
    };
    if wrong_count {
        return Err("wrong number of arguments".into());
    }
    config
        .set_index(index, values.join(" ").as_bytes())
        .map_err(|e| match e {
            Error::ConfigSetFailed { reason, .. } => reason,
            other => other.to_string(),
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> Result<Config, String> {
        parse_options(
            &args
                .split_whitespace()
                .map(String::from)
                .collect::<Vec<_>>(),
        )
    }

    #[test]
    fn port_bind_and_config_parameters() {
        let config = parse("--port 7000 --bind 127.0.0.1 -::1 --HZ 50 --databases 4").unwrap();
        assert_eq!(config.int("port"), 7000);
        assert_eq!(config.text("bind"), "127.0.0.1 -::1");
        assert_eq!(config.int("hz"), 50);
        assert_eq!(config.int("databases"), 4);
        let defaults = parse("").unwrap();
        assert_eq!(
            (defaults.int("port"), defaults.text("bind")),
            (6379, "127.0.0.1")
        );
    }

    #[test]
    fn wrong_arguments_get_redis_server_complaints() {
        let error = parse("--port 7000 --foo bar").unwrap_err();
        assert!(
            error.contains(">>> 'foo \"bar\"'\nBad directive or wrong number of arguments"),
            "{error}"
        );
        let error = parse("--hz abc").unwrap_err();
        assert!(
            error.ends_with(">>> 'hz \"abc\"'\nargument couldn't be parsed into an integer"),
            "{error}"
        );
        assert!(parse("--hz")
            .unwrap_err()
            .ends_with("wrong number of arguments"));
        assert!(parse("--hz 1 2")
            .unwrap_err()
            .ends_with("wrong number of arguments"));
        assert!(parse("--port 70000")
            .unwrap_err()
            .ends_with("between 0 and 65535 inclusive"));
        assert!(parse("redis.conf").is_err());
    }
}
