//! The built `keyspace-server` over real sockets: pipelining, requests split across writes,
//! protocol errors closing the connection, QUIT, per-connection protocols, and many clients at
//! once. The parser and the connection logic have unit tests; this checks the socket layer
//! around them.

use std::collections::hash_map::RandomState;
use std::hash::{BuildHasher, Hasher};
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::process::{Child, Command, Stdio};
use std::thread;
use std::time::{Duration, Instant};

/// A server on a free port, killed when dropped.
struct Server {
    child: Child,
    port: u16,
}

impl Server {
    /// Starts the server on a free port below the kernel's ephemeral range, and waits until
    /// it answers PING. Below that range because a port picked by binding port 0 is an
    /// ephemeral one, which a connect() probing it before the server listens can take as its
    /// own source port (a TCP self-connection): the probe then "succeeds", and the server
    /// cannot bind. If the server exits anyway (another test took the port first), it is
    /// started again on another.
    fn start() -> Server {
        Server::start_with(&[])
    }

    /// Starts the server with more arguments after `--port`.
    fn start_with(args: &[&str]) -> Server {
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            assert!(Instant::now() < deadline, "keyspace-server did not start");
            // A fresh RandomState is randomly keyed: tests running at once pick apart.
            let random = RandomState::new().build_hasher().finish();
            let port = 20_000 + (random % 10_000) as u16;
            if TcpListener::bind(("127.0.0.1", port)).is_err() {
                continue;
            }
            let mut child = Command::new(env!("CARGO_BIN_EXE_keyspace-server"))
                .args(["--port", &port.to_string()])
                .args(args)
                .stdout(Stdio::null())
                .spawn()
                .expect("start keyspace-server");
            loop {
                if child.try_wait().ok().flatten().is_some() {
                    break;
                }
                if answers_ping(port) {
                    return Server { child, port };
                }
                assert!(
                    Instant::now() < deadline,
                    "keyspace-server did not listen on {port}"
                );
                thread::sleep(Duration::from_millis(20));
            }
        }
    }

    fn connect(&self) -> TcpStream {
        let stream = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        // Only so that a missing reply fails the test instead of hanging it.
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Reads exactly `expected.len()` bytes and compares them as text.
fn expect(stream: &mut TcpStream, expected: &str) {
    let mut got = vec![0; expected.len()];
    stream
        .read_exact(&mut got)
        .unwrap_or_else(|e| panic!("waiting for {expected:?}: {e}"));
    assert_eq!(String::from_utf8_lossy(&got), expected);
}

/// Whether a server on `port` answers PING with PONG.
fn answers_ping(port: u16) -> bool {
    let Ok(mut stream) = TcpStream::connect(("127.0.0.1", port)) else {
        return false;
    };
    let _ = stream.set_read_timeout(Some(Duration::from_secs(1)));
    let mut reply = [0; 7];
    stream.write_all(b"PING\r\n").is_ok()
        && stream.read_exact(&mut reply).is_ok()
        && &reply == b"+PONG\r\n"
}

/// Reads until what was read ends with `end`.
fn read_until(stream: &mut TcpStream, end: &str) -> String {
    let mut got = Vec::new();
    let mut byte = [0];
    while !got.ends_with(end.as_bytes()) {
        stream
            .read_exact(&mut byte)
            .unwrap_or_else(|e| panic!("waiting for {end:?}: {e}"));
        got.push(byte[0]);
    }
    String::from_utf8_lossy(&got).into_owned()
}

/// True when the server has closed the connection (after everything before was read).
fn closed(stream: &mut TcpStream) -> bool {
    let mut byte = [0];
    matches!(stream.read(&mut byte), Ok(0))
}

#[test]
fn one_server_many_conversations() {
    let server = Server::start();

    // A pipeline sent in one write is answered in order.
    let mut a = server.connect();
    a.write_all(b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\nGET k\r\nECHO \"a b\"\r\nPING\r\n")
        .unwrap();
    expect(&mut a, "+OK\r\n$5\r\nhello\r\n$3\r\na b\r\n+PONG\r\n");

    // A request cut anywhere waits for its end.
    for piece in [
        &b"*2\r\n$4\r\nEC"[..],
        b"HO\r\n$3",
        b"\r\nabc",
        b"\r",
        b"\n",
    ] {
        a.write_all(piece).unwrap();
        thread::sleep(Duration::from_millis(20));
    }
    expect(&mut a, "$3\r\nabc\r\n");

    // Another connection sees the same keyspace, in its own protocol.
    let mut b = server.connect();
    b.write_all(b"HELLO 3\r\nPING\r\n").unwrap();
    let hello = read_until(&mut b, "+PONG\r\n");
    assert!(hello.starts_with("%7\r\n$6\r\nserver\r\n"), "{hello}");
    b.write_all(b"GET k\r\nGET missing\r\n").unwrap();
    expect(&mut b, "$5\r\nhello\r\n_\r\n");
    a.write_all(b"GET missing\r\n").unwrap();
    expect(&mut a, "$-1\r\n");

    // QUIT answers, then closes; nothing after it runs.
    b.write_all(b"QUIT\r\nSET k changed\r\n").unwrap();
    expect(&mut b, "+OK\r\n");
    assert!(closed(&mut b));
    a.write_all(b"GET k\r\n").unwrap();
    expect(&mut a, "$5\r\nhello\r\n");

    // A protocol error comes after the replies before it, then the connection closes.
    let mut c = server.connect();
    c.write_all(b"PING\r\n*1\r\n$-5\r\nPING\r\n").unwrap();
    expect(
        &mut c,
        "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n",
    );
    assert!(closed(&mut c));

    // Many clients at once, each with its own pipeline.
    let clients: Vec<_> = (0..64)
        .map(|i| {
            let mut stream = server.connect();
            thread::spawn(move || {
                let key = format!("client:{i}");
                let mut pipeline = Vec::new();
                for n in 0..50 {
                    let command = format!("SET {key} {n}\r\nGET {key}\r\n");
                    pipeline.extend_from_slice(command.as_bytes());
                }
                stream.write_all(&pipeline).unwrap();
                for n in 0..50 {
                    let value = n.to_string();
                    expect(
                        &mut stream,
                        &format!("+OK\r\n${}\r\n{value}\r\n", value.len()),
                    );
                }
            })
        })
        .collect();
    for client in clients {
        client.join().unwrap();
    }
}

#[test]
fn unknown_arguments_stop_the_server_at_start() {
    let output = Command::new(env!("CARGO_BIN_EXE_keyspace-server"))
        .args(["--no-such-parameter", "1"])
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("Bad directive or wrong number of arguments"),
        "{stderr}"
    );
}

#[test]
fn messages_reach_an_idle_subscriber_and_a_push_wakes_a_blocked_client() {
    let server = Server::start();
    let mut subscriber = server.connect();
    let mut waiter = server.connect();
    let mut other = server.connect();
    subscriber.write_all(b"SUBSCRIBE news\r\n").unwrap();
    expect(
        &mut subscriber,
        "*3\r\n$9\r\nsubscribe\r\n$4\r\nnews\r\n:1\r\n",
    );
    waiter.write_all(b"BLPOP jobs 0\r\nPING\r\n").unwrap();
    // Let the BLPOP block before the push; the PING behind it waits for its reply.
    thread::sleep(Duration::from_millis(100));
    other
        .write_all(b"PUBLISH news hi\r\nRPUSH jobs j1\r\n")
        .unwrap();
    expect(&mut other, ":1\r\n:1\r\n");
    expect(
        &mut subscriber,
        "*3\r\n$7\r\nmessage\r\n$4\r\nnews\r\n$2\r\nhi\r\n",
    );
    expect(&mut waiter, "*2\r\n$4\r\njobs\r\n$2\r\nj1\r\n+PONG\r\n");
}

#[test]
fn a_blocked_timeout_is_answered_without_waiting_for_hz() {
    let server = Server::start();
    let mut waiter = server.connect();
    let started = Instant::now();
    waiter
        .write_all(b"CONFIG SET hz 1\r\nBLPOP none 0.05\r\n")
        .unwrap();
    expect(&mut waiter, "+OK\r\n*-1\r\n");
    assert!(started.elapsed() < Duration::from_millis(500));
}

#[test]
fn a_killed_connection_is_closed() {
    let server = Server::start();
    let mut victim = server.connect();
    let mut killer = server.connect();
    victim.write_all(b"CLIENT ID\r\n").unwrap();
    let id = read_until(&mut victim, "\r\n");
    let kill = format!(
        "CLIENT KILL ID {}\r\n",
        id.trim_start_matches(':').trim_end()
    );
    killer.write_all(kill.as_bytes()).unwrap();
    expect(&mut killer, ":1\r\n");
    let mut rest = Vec::new();
    assert_eq!(
        victim.read_to_end(&mut rest).unwrap(),
        0,
        "closed, nothing sent"
    );
}

/// This host's address on its default route, if it has one: connecting to it from here comes
/// from that address too, so the server sees a peer that is not loopback (no network
/// namespace needed). UDP's connect sends nothing; it only picks the route.
fn non_loopback_address() -> Option<std::net::IpAddr> {
    let socket = std::net::UdpSocket::bind("0.0.0.0:0").ok()?;
    socket.connect("192.0.2.1:9").ok()?;
    let ip = socket.local_addr().ok()?.ip();
    (!ip.is_loopback() && !ip.is_unspecified()).then_some(ip)
}

#[test]
fn protected_mode_refuses_other_hosts_until_there_is_a_password() {
    let server = Server::start_with(&["--bind", "0.0.0.0"]);
    let mut local = server.connect();
    local.write_all(b"PING\r\n").unwrap();
    expect(&mut local, "+PONG\r\n");

    let Some(ip) = non_loopback_address() else {
        panic!("this host has no address besides loopback to connect from");
    };
    let from_outside = || {
        let stream = TcpStream::connect((ip, server.port)).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream
    };
    let mut outside = from_outside();
    let denied = read_until(&mut outside, "\r\n");
    assert!(
        denied.starts_with("-DENIED Redis is running in protected mode because protected mode is enabled and no password is set for the default user."),
        "{denied}"
    );
    assert!(closed(&mut outside));

    // A password for the default user lets other hosts in (to authenticate).
    local
        .write_all(b"CONFIG SET requirepass s3cret\r\n")
        .unwrap();
    expect(&mut local, "+OK\r\n");
    let mut outside = from_outside();
    outside
        .write_all(b"PING\r\nAUTH s3cret\r\nPING\r\n")
        .unwrap();
    expect(
        &mut outside,
        "-NOAUTH Authentication required.\r\n+OK\r\n+PONG\r\n",
    );
}
