//! The exports of `share` against real redis-cli and redis-server: the RESP file through
//! `redis-cli --pipe`, and the script through `redis-cli < script`, leave the keyspace the
//! console's lines would. Needs redis-server and redis-cli on the PATH, as the compat scripts
//! do.
#![cfg(not(target_arch = "wasm32"))]

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::Write;
use std::net::TcpListener;
use std::process::{Child, Command, Output, Stdio};
use std::thread;
use std::time::{Duration, Instant};

use keyspace_worker::share;

/// A throwaway redis-server, killed when dropped.
struct Redis {
    child: Child,
    port: u16,
}

impl Redis {
    /// On a free port below the kernel's ephemeral range, as crates/server/tests/wire.rs
    /// explains (a probe of an ephemeral port can connect to itself), started again on
    /// another port if it exits.
    fn start() -> Redis {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "redis-server did not start");
            let random = RandomState::new().build_hasher().finish();
            let port = 30_000 + (random % 2_000) as u16;
            if TcpListener::bind(("127.0.0.1", port)).is_err() {
                continue;
            }
            let child = Command::new("redis-server")
                .args([
                    "--port",
                    &port.to_string(),
                    "--save",
                    "",
                    "--appendonly",
                    "no",
                ])
                .stdout(Stdio::null())
                .spawn()
                .expect("redis-server on the PATH");
            let mut redis = Redis { child, port };
            while redis.child.try_wait().ok().flatten().is_none() {
                if redis.cli(&["PING"], b"").stdout == b"PONG\n" {
                    return redis;
                }
                assert!(Instant::now() < deadline, "redis-server did not answer");
                thread::sleep(Duration::from_millis(50));
            }
        }
    }

    fn cli(&self, args: &[&str], stdin: &[u8]) -> Output {
        let mut child = Command::new("redis-cli")
            .args(["-p", &self.port.to_string()])
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("redis-cli on the PATH");
        child.stdin.take().unwrap().write_all(stdin).unwrap();
        child.wait_with_output().unwrap()
    }

    fn get(&self, key: &str) -> String {
        String::from_utf8(self.cli(&["--no-raw", "GET", key], b"").stdout).unwrap()
    }
}

impl Drop for Redis {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

const TYPED: &[&str] = &[
    "SET greeting \"hello world\"",
    "SET 'it\\'s' \"tab\\there\"",
    "SET 名 值",
    "SET empty \"\"",
    "RPUSH list a \"b c\" d",
    "INCR counter",
    "INCR counter",
];

fn assert_replayed(redis: &Redis) {
    assert_eq!(redis.get("greeting"), "\"hello world\"\n");
    assert_eq!(redis.get("it's"), "\"tab\\there\"\n");
    assert_eq!(redis.get("名"), "\"\\xe5\\x80\\xbc\"\n");
    assert_eq!(redis.get("empty"), "\"\"\n");
    assert_eq!(redis.get("counter"), "\"2\"\n");
    let list = redis.cli(&["LRANGE", "list", "0", "-1"], b"").stdout;
    assert_eq!(String::from_utf8(list).unwrap(), "a\nb c\nd\n");
}

#[test]
fn the_resp_file_runs_through_redis_cli_pipe() {
    let redis = Redis::start();
    let out = redis.cli(&["--pipe"], &share::resp_file(TYPED));
    let report = String::from_utf8_lossy(&out.stdout);
    assert!(report.contains("errors: 0, replies: 7"), "{report}");
    assert_replayed(&redis);
}

#[test]
fn the_script_runs_through_redis_cli_unchanged() {
    let redis = Redis::start();
    let out = redis.cli(&[], share::redis_cli_script(TYPED).as_bytes());
    assert!(out.status.success(), "{out:?}");
    assert_replayed(&redis);
}
