//! The scripts mode checked against itself: real Redis on both sides (`--server redis-server`),
//! so that every line must agree, for the directives the engine cannot answer yet (CLIENT
//! REPLY, CLIENT TRACKING, MONITOR, XADD) as much as the others; and a script whose lines must
//! differ, to see that masks hide only what they match. Needs redis-server on the PATH, as
//! the compat scripts do.

use std::path::Path;
use std::process::{Command, Output};

fn difftest(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_keyspace-difftest"))
        .args(["scripts", "--server", "redis-server"])
        .args(args)
        .output()
        .expect("keyspace-difftest runs")
}

#[test]
fn directives_on_real_redis_agree() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/scripts");
    let mut files: Vec<String> = std::fs::read_dir(&dir)
        .expect("tests/scripts")
        .map(|entry| entry.expect("an entry").path().display().to_string())
        .filter(|path| path.ends_with(".redis"))
        .collect();
    files.sort();
    let files: Vec<&str> = files.iter().map(String::as_str).collect();
    let output = difftest(&files);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(stdout.trim_end().ends_with(" passed, 0 failed"), "{stdout}");
}

#[test]
fn masks_hide_only_what_they_match() {
    let script = std::env::temp_dir().join(format!("difftest-masks-{}.redis", std::process::id()));
    std::fs::write(
        &script,
        "# Each server listens on a port of its own.\n\
         CONFIG GET port\n\
         @mask '^[0-9]+$'\n\
         CONFIG GET port\n\
         @mask '^[a-z]+$'\n\
         CONFIG GET port\n\
         @unordered\n\
         @mask '^[0-9]+$'\n\
         CONFIG GET port hz\n",
    )
    .expect("a temporary script");
    let output = difftest(&[&script.display().to_string()]);
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    let differing: Vec<&str> = stdout
        .lines()
        .filter_map(|line| line.strip_prefix("DIFF "))
        .map(|line| line.rsplit_once(':').map_or(line, |(_, at)| at))
        .collect();
    assert_eq!(
        differing,
        ["2  CONFIG GET port", "6  CONFIG GET port"],
        "{stdout}"
    );
    assert!(stdout.ends_with("2 passed, 2 failed\n"), "{stdout}");
}

#[test]
fn a_script_that_does_not_parse_is_a_failure() {
    let script = std::env::temp_dir().join(format!("difftest-bad-{}.redis", std::process::id()));
    std::fs::write(&script, "PING\n@sleeep 10\n").expect("a temporary script");
    let output = difftest(&[&script.display().to_string()]);
    let _ = std::fs::remove_file(&script);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(!output.status.success(), "{stdout}");
    assert!(
        stdout.contains("line 2: unknown directive @sleeep"),
        "{stdout}"
    );
    assert!(stdout.ends_with("0 passed, 1 failed\n"), "{stdout}");
}
