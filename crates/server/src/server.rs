//! Connections: one engine in one cell, shared by a task per connection on a
//! single-threaded tokio runtime (local tasks: the engine's Lua is not `Send`), much as Redis
//! runs every client on one thread.
//!
//! A connection reads whatever is available, then, under one lock, runs every complete
//! request in it (pipelining) and encodes all the replies into one buffer that goes out in
//! one write. The lock is taken once per batch, not once per command, and a batch allocates
//! nothing of its own beyond what the commands do.
//!
//! Some replies arrive while a connection is idle: a pub/sub message or a blocked command's
//! reply, produced by another connection's command or by the timer. The engine puts them in
//! the client's outbox and lists the client in [`Engine::take_woken`]; whoever ran that
//! command notifies the idle connection's [`Notify`], and the connection wakes to drain and
//! write its outbox. The timer calls [`Engine::tick`] `hz` times a second, the way Redis's
//! `serverCron` runs; a second timer answers blocked clients whose timeout has come, to the
//! millisecond as Redis does.
//!
//! A script runs in slices ([`Engine::run_script`]): a task drives it while it runs, taking
//! the lock for one slice at a time and yielding between slices, so that other connections
//! get their turn: the engine holds their commands back behind the script, or answers `BUSY`
//! once it has run past `busy-reply-threshold`, when SCRIPT KILL and SHUTDOWN NOSAVE work.
//!
//! A connection is refused at once when there are `maxclients` clients already, or when it
//! comes from another host while protected mode says so ([`Engine::admit`]): it gets
//! Redis's `-ERR max number of clients reached` or `-DENIED` line and is closed.
//!
//! A replica's link to its primary is one more task: the engine decides everything about it
//! (`keyspace::replication::replica`) and says where it wants to be connected; the task
//! connects for each new attempt, closes the connection of an older one, and carries bytes
//! both ways. Every batch of commands and every tick wakes it, since either may have changed
//! what the engine wants or given it bytes for the primary.

use std::cell::{RefCell, RefMut};
use std::collections::HashMap;
use std::io::Write as _;
use std::net::ToSocketAddrs as _;
use std::rc::{Rc, Weak};
use std::time::Duration;

use keyspace::config::Listening;
use keyspace::resp::RequestParser;
use keyspace::{ClientId, Engine, Reply};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpSocket, TcpStream};
use tokio::sync::Notify;
use tokio::task::JoinHandle;

/// How much one read takes from a socket (Redis's `PROTO_IOBUF_LEN`).
const READ_CHUNK: usize = 16 * 1024;

/// How many connections may wait to be accepted (what tokio's own `bind` asks for).
const LISTEN_BACKLOG: u32 = 1024;

/// How long to wait before accepting again after accept failed.
const ACCEPT_RETRY: Duration = Duration::from_millis(10);

/// How long the blocked-timeout task sleeps when no client waits with a timeout (a client
/// that blocks wakes it sooner).
const IDLE_WAIT: Duration = Duration::from_secs(3600);

/// An output buffer grown beyond this (a large reply) is given back after it is written.
const OUTPUT_KEEP_CAPACITY: usize = 1024 * 1024;

/// Everything connections share, behind one lock.
struct State {
    engine: Engine,
    /// How to wake each connection when its outbox has something.
    wakers: HashMap<ClientId, Rc<Notify>>,
}

struct Shared {
    state: RefCell<State>,
    /// Tells the blocked-timeout task that a client blocked, perhaps with a timeout earlier
    /// than the one it sleeps towards.
    client_blocked: Notify,
    /// Tells the script task that a script started and goes on past its first slice.
    script_started: Notify,
    /// Tells the master link task that the engine may want another link, or has bytes for
    /// its primary: after every batch of commands and every tick.
    master_link: Notify,
}

impl Shared {
    /// The state, for the caller alone until the guard goes: every task runs on this one
    /// thread, and none holds it across an `await`.
    fn lock(&self) -> RefMut<'_, State> {
        self.state.borrow_mut()
    }
}

impl State {
    /// Wakes the connections whose outbox received something, except `current`, which
    /// drains its own outbox after each command anyway.
    fn wake_others(&mut self, current: Option<ClientId>) {
        for id in self.engine.take_woken() {
            if Some(id) != current {
                if let Some(waker) = self.wakers.get(&id) {
                    waker.notify_one();
                }
            }
        }
    }
}

/// Listens on every `bind` address at `port`, as the engine's config gives them, and serves
/// until the process is stopped.
pub fn run(engine: Engine) -> Result<(), String> {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| format!("Could not start the runtime: {e}"))?;
    let local = tokio::task::LocalSet::new();
    local.block_on(&runtime, async {
        let listeners = listen(engine.config().text("bind"), engine.config().int("port"))?;
        let port = engine.config().int("port") as u16;
        let shared = Rc::new(Shared {
            state: RefCell::new(State {
                engine,
                wakers: HashMap::new(),
            }),
            client_blocked: Notify::new(),
            script_started: Notify::new(),
            master_link: Notify::new(),
        });
        let mut open = Listeners {
            shared: Rc::downgrade(&shared),
            open: Vec::new(),
        };
        for (address, listener) in listeners {
            if let Some(accepting) = open.accept_on(address, port, listener) {
                open.open.push(accepting);
            }
        }
        shared.lock().engine.set_listening(Box::new(open));
        tokio::task::spawn_local(blocked_timeouts(Rc::clone(&shared)));
        tokio::task::spawn_local(scripts(Rc::clone(&shared)));
        tokio::task::spawn_local(master_link(Rc::clone(&shared)));
        cron(shared).await;
        Ok(())
    })
}

/// A listener per `bind` address, each with the address as `bind` writes it. As in Redis, an
/// address written `-addr` is optional: it is skipped when it can't be bound (no IPv6 on the
/// machine, say).
fn listen(bind: &str, port: i64) -> Result<Vec<(String, TcpListener)>, String> {
    let port = u16::try_from(port).map_err(|_| "Invalid port".to_string())?;
    let mut listeners = Vec::new();
    for address in bind.split_whitespace() {
        if let Some(listener) = bind_address(address, port)? {
            listeners.push((address.to_string(), listener));
        }
    }
    if listeners.is_empty() {
        return Err("Failed listening on any address".into());
    }
    Ok(listeners)
}

/// Listens at one `bind` address: `None` when an optional one (`-addr`) can't be bound.
/// Synchronous, so that CONFIG SET knows at once whether the port is free; the address may
/// be reused at once after a previous listener on it closed, as Redis's `SO_REUSEADDR` allows.
fn bind_address(address: &str, port: u16) -> Result<Option<TcpListener>, String> {
    let (optional, address) = match address.strip_prefix('-') {
        Some(address) => (true, address),
        None => (false, address),
    };
    // Redis's wildcards: `*` for every IPv4 interface, `::*` for every IPv6 one.
    let host = match address {
        "*" => "0.0.0.0",
        "::*" => "::",
        named => named,
    };
    let open = || -> std::io::Result<TcpListener> {
        let socket_address = (host, port).to_socket_addrs()?.next().ok_or_else(|| {
            std::io::Error::new(std::io::ErrorKind::AddrNotAvailable, "no such address")
        })?;
        let socket = if socket_address.is_ipv4() {
            TcpSocket::new_v4()?
        } else {
            TcpSocket::new_v6()?
        };
        socket.set_reuseaddr(true)?;
        socket.bind(socket_address)?;
        socket.listen(LISTEN_BACKLOG)
    };
    match open() {
        Ok(listener) => Ok(Some(listener)),
        Err(_) if optional => Ok(None),
        Err(e) => Err(format!(
            "Could not create server TCP listening socket {host}:{port}: {e}"
        )),
    }
}

/// The listeners, each accepting in a task of its own, moved by CONFIG SET of `port` or
/// `bind` ([`Listening`]). A listener whose address and port stay is kept as it is, so that
/// a new `bind` that still names it does not collide with it; the others close only once
/// every new one is open, and a failure leaves them all as they were.
struct Listeners {
    shared: Weak<Shared>,
    /// Each listener's address as `bind` writes it, its port, and the task accepting there.
    open: Vec<(String, u16, JoinHandle<()>)>,
}

impl Listeners {
    fn accept_on(
        &self,
        address: String,
        port: u16,
        listener: TcpListener,
    ) -> Option<(String, u16, JoinHandle<()>)> {
        let shared = self.shared.upgrade()?;
        if let Ok(local) = listener.local_addr() {
            // Only a note for whoever started us: a closed stdout must not stop the server.
            let _ = writeln!(
                std::io::stdout(),
                "keyspace-server ready to accept connections on {local}"
            );
        }
        Some((
            address,
            port,
            tokio::task::spawn_local(accept(shared, listener)),
        ))
    }
}

impl Listening for Listeners {
    fn rebind(&mut self, bind: &str, port: i64) -> Result<(), String> {
        let port = u16::try_from(port).map_err(|_| "Invalid port".to_string())?;
        let mut kept = Vec::new();
        let mut opened = Vec::new();
        // Port 0 listens nowhere, as in Redis.
        let addresses = if port == 0 { "" } else { bind };
        for address in addresses.split_whitespace() {
            if let Some(i) = self
                .open
                .iter()
                .position(|(a, p, _)| a == address && *p == port)
            {
                kept.push(self.open.swap_remove(i));
                continue;
            }
            match bind_address(address, port) {
                Ok(Some(listener)) => opened.push((address.to_string(), listener)),
                Ok(None) => {}
                Err(e) => {
                    self.open.append(&mut kept);
                    return Err(e);
                }
            }
        }
        if port != 0 && kept.is_empty() && opened.is_empty() {
            return Err("Failed listening on any address".into());
        }
        for (_, _, task) in self.open.drain(..) {
            task.abort();
        }
        self.open = kept;
        for (address, listener) in opened {
            if let Some(open) = self.accept_on(address, port, listener) {
                self.open.push(open);
            }
        }
        Ok(())
    }
}

async fn accept(shared: Rc<Shared>, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((socket, _)) => {
                tokio::task::spawn_local(serve(Rc::clone(&shared), socket));
            }
            // Out of file descriptors, say: the listener stays readable, so retrying at once
            // would spin. Pause, and the connections that close meanwhile make room.
            Err(_) => tokio::time::sleep(ACCEPT_RETRY).await,
        }
    }
}

/// Answers blocked clients whose timeout has come, to the millisecond as Redis does, whatever
/// `hz` is: it sleeps until the earliest timeout, and starts over whenever a client blocks.
async fn blocked_timeouts(shared: Rc<Shared>) {
    loop {
        let wait = {
            let state = shared.lock();
            let now = state.engine.now_ms();
            state.engine.next_blocked_timeout().map_or(IDLE_WAIT, |at| {
                Duration::from_millis(at.saturating_sub(now) + 1)
            })
        };
        tokio::select! {
            () = tokio::time::sleep(wait) => {
                let mut state = shared.lock();
                state.engine.time_out_blocked_clients();
                state.wake_others(None);
            }
            () = shared.client_blocked.notified() => {}
        }
    }
}

/// Runs a script that did not end in its first slice, a slice per turn, until it ends: its
/// caller's reply (and what other clients sent meanwhile, once answered) arrive in outboxes,
/// whose connections are woken.
async fn scripts(shared: Rc<Shared>) {
    loop {
        shared.script_started.notified().await;
        loop {
            {
                let mut state = shared.lock();
                if !state.engine.script_running() {
                    break;
                }
                state.engine.run_script();
                state.engine.flush_aof();
                state.wake_others(None);
            }
            tokio::task::yield_now().await;
        }
    }
}

/// Calls [`Engine::tick`] (then [`Engine::before_sleep`]) `hz` times a second, re-reading `hz` each time so that CONFIG SET
/// takes effect at once, and prints what the engine noted about saves and the log.
async fn cron(shared: Rc<Shared>) {
    loop {
        let hz = shared.lock().engine.config().int("hz").clamp(1, 500) as u64;
        tokio::time::sleep(Duration::from_millis(1000 / hz)).await;
        let mut state = shared.lock();
        state.engine.tick();
        // The event loop goes back to waiting after its timer, through `beforeSleep`.
        state.engine.before_sleep();
        state.engine.flush_aof();
        print_log(&mut state.engine);
        state.wake_others(None);
        shared.master_link.notify_one();
    }
}

/// The link to the primary while the engine is a replica
/// (`keyspace::replication::replica`): connects where [`Engine::master_link_wanted`] says,
/// for each new attempt, closing the connection of an older one; hands what the primary
/// sends to the engine and writes what the engine has for it. Woken by the socket, and by
/// [`Shared::master_link`] when a command or the timer may have changed what the engine
/// wants.
async fn master_link(shared: Rc<Shared>) {
    let mut served: Option<u64> = None;
    let mut socket: Option<TcpStream> = None;
    let mut input = vec![0; READ_CHUNK];
    loop {
        let wanted = shared.lock().engine.master_link_wanted();
        let attempt = wanted.as_ref().map(|link| link.attempt);
        if attempt != served {
            // Dropping the stream closes the older attempt's connection.
            socket = None;
            served = attempt;
            if let Some(link) = wanted {
                socket = connect_to_master(&shared, &link).await;
                continue;
            }
        }
        let output = shared.lock().engine.master_link_output();
        if let (Some(stream), Some(attempt), false) = (&mut socket, served, output.is_empty()) {
            if let Err(e) = stream.write_all(&output).await {
                socket = None;
                link_failed(&shared, attempt, &e.to_string());
                continue;
            }
        }
        match (&mut socket, served) {
            (Some(stream), Some(attempt)) => tokio::select! {
                read = stream.read(&mut input) => {
                    let mut state = shared.lock();
                    match read {
                        Ok(0) => {
                            socket = None;
                            state.engine.master_link_failed(attempt, "connection lost");
                        }
                        Err(e) => {
                            socket = None;
                            state.engine.master_link_failed(attempt, &e.to_string());
                        }
                        Ok(n) => state.engine.master_link_input(attempt, &input[..n]),
                    }
                    state.engine.before_sleep();
                    state.engine.flush_aof();
                    print_log(&mut state.engine);
                    state.wake_others(None);
                }
                () = shared.master_link.notified() => {}
            },
            _ => shared.master_link.notified().await,
        }
    }
}

/// Connects for `link`'s attempt and tells the engine how it went; gives up (None) if the
/// engine stops wanting this attempt meanwhile.
async fn connect_to_master(shared: &Shared, link: &keyspace::MasterLink) -> Option<TcpStream> {
    let connecting = TcpStream::connect((link.host.as_str(), link.port));
    tokio::pin!(connecting);
    let connected = loop {
        tokio::select! {
            connected = &mut connecting => break connected,
            () = shared.master_link.notified() => {
                let wanted = shared.lock().engine.master_link_wanted();
                if wanted.map(|w| w.attempt) != Some(link.attempt) {
                    return None;
                }
            }
        }
    };
    match connected {
        Ok(stream) => {
            let _ = stream.set_nodelay(true);
            let address = |a: std::io::Result<std::net::SocketAddr>| {
                a.map_or_else(|_| String::new(), |a| a.to_string())
            };
            let (peer, local) = (address(stream.peer_addr()), address(stream.local_addr()));
            let mut state = shared.lock();
            let fd = descriptor(&stream);
            state
                .engine
                .set_master_link_address(link.attempt, peer, local, fd);
            state.engine.master_link_connected(link.attempt);
            print_log(&mut state.engine);
            Some(stream)
        }
        Err(e) => {
            link_failed(shared, link.attempt, &e.to_string());
            None
        }
    }
}

fn link_failed(shared: &Shared, attempt: u64, reason: &str) {
    let mut state = shared.lock();
    state.engine.master_link_failed(attempt, reason);
    print_log(&mut state.engine);
}

/// Prints what the engine noted about saves, loads and the log (and a crash's report), as
/// redis-server writes its log on its standard output when run in the foreground.
pub fn print_log(engine: &mut Engine) {
    for line in engine.take_persistence_log() {
        println!("{line}");
    }
}

/// One connection, from accept to close.
async fn serve(shared: Rc<Shared>, mut socket: TcpStream) {
    // Replies go out whole, one write per batch; Nagle's delay would only add latency.
    let _ = socket.set_nodelay(true);
    let waker = Rc::new(Notify::new());
    let address = |a: std::io::Result<std::net::SocketAddr>| {
        a.map_or_else(|_| String::new(), |a| a.to_string())
    };
    let (peer, local) = (address(socket.peer_addr()), address(socket.local_addr()));
    let admitted = {
        let mut state = shared.lock();
        // A peer without an address (it already left) is admitted as loopback would be.
        let ip = socket
            .peer_addr()
            .map_or(std::net::Ipv4Addr::LOCALHOST.into(), |a| a.ip());
        state.engine.admit(ip).map(|()| {
            let id = state.engine.connect();
            state
                .engine
                .set_client_address(id, peer, local, descriptor(&socket));
            state.wakers.insert(id, Rc::clone(&waker));
            id
        })
    };
    let id = match admitted {
        Ok(id) => id,
        Err(refusal) => {
            let _ = socket.write_all(&Reply::from(refusal).to_resp(2)).await;
            return;
        }
    };
    let mut connection = Connection {
        id,
        parser: RequestParser::new(),
        output: Vec::new(),
    };
    let mut input = vec![0; READ_CHUNK];
    loop {
        let closing = tokio::select! {
            read = socket.read(&mut input) => match read {
                Ok(0) | Err(_) => break,
                Ok(n) => {
                    connection.parser.feed(&input[..n]);
                    connection.run(&shared, n)
                }
            },
            () = waker.notified() => connection.run(&shared, 0),
        };
        if !connection.output.is_empty() {
            if socket.write_all(&connection.output).await.is_err() {
                break;
            }
            connection.output.clear();
            connection.output.shrink_to(OUTPUT_KEEP_CAPACITY);
        }
        if closing {
            break;
        }
    }
    let mut state = shared.lock();
    state.wakers.remove(&id);
    state.engine.disconnect(id);
}

/// The socket's file descriptor, which CLIENT LIST shows (-1 where there is none).
#[cfg(unix)]
fn descriptor(socket: &TcpStream) -> i64 {
    use std::os::fd::AsRawFd;
    i64::from(socket.as_raw_fd())
}

#[cfg(not(unix))]
fn descriptor(_: &TcpStream) -> i64 {
    -1
}

/// A connection's side of the conversation, between socket reads and writes.
struct Connection {
    id: ClientId,
    parser: RequestParser,
    /// Replies encoded and not yet written.
    output: Vec<u8>,
}

impl Connection {
    /// Under one lock: writes what arrived in the outbox, then runs every complete request
    /// buffered, encoding each reply with the client's protocol as it stands after the
    /// command (HELLO changes it). True when the connection must close: QUIT, a protocol
    /// error, or the client is gone from the engine. `read` bytes were just read (0 when
    /// woken): they and the replies' bytes are counted for INFO.
    fn run(&mut self, shared: &Shared, read: usize) -> bool {
        let mut state = shared.lock();
        // Read before the requests run (INFO counts its own), written after.
        state.engine.count_net(self.id, read, 0);
        let queued = self.output.len();
        let closing = self.run_locked(&mut state.engine);
        let written = self.output.len() - queued;
        state.engine.count_net(self.id, 0, written);
        // About to wait for the next read: Redis's `beforeSleep`, whose fast expire cycle
        // runs before the log is written and the replies go out.
        state.engine.before_sleep();
        // The log is written before the replies go out, as Redis writes it before answering.
        state.engine.flush_aof();
        if state.engine.crash().is_some() {
            // A DEBUG crash: its report printed, the process dies by `abort` (SIGABRT), as
            // redis-server's does after a panic, an assertion or an allocation that failed.
            // Its SEGFAULT dies by SIGSEGV instead; raising that signal here would take
            // unsafe code, which this workspace forbids, so it ends by SIGABRT too.
            print_log(&mut state.engine);
            std::process::abort();
        }
        if state.engine.shutdown_requested() {
            // SHUTDOWN has saved: stop here, as redis-server exits, without a reply, its
            // last log lines printed.
            print_log(&mut state.engine);
            if let Some(restart) = state.engine.restart_requested() {
                restart_process(restart.delay_ms);
            }
            std::process::exit(0);
        }
        state.wake_others(Some(self.id));
        // REPLICAOF, CLIENT KILL TYPE master, a change of `masterauth`...: the link task
        // looks again.
        shared.master_link.notify_one();
        if state.engine.client(self.id).is_some_and(|c| c.is_blocked()) {
            shared.client_blocked.notify_one();
        }
        if state.engine.script_running() {
            shared.script_started.notify_one();
        }
        closing
    }

    fn run_locked(&mut self, engine: &mut Engine) -> bool {
        let Some(client) = engine.client(self.id) else {
            return true;
        };
        // Another client may have closed this one (CLIENT KILL) while it was idle.
        let (mut protocol, closed_while_idle) = (client.protocol, client.closing);
        self.write_outbox(engine, protocol);
        if closed_while_idle {
            return true;
        }
        // A command held by CLIENT PAUSE runs first, then the requests sent after it.
        if let Some(outcome) = engine.resume(self.id) {
            protocol = engine.client(self.id).map_or(protocol, |c| c.protocol);
            self.write_outbox(engine, protocol);
            for reply in outcome.into_replies() {
                reply.encode(protocol, &mut self.output);
            }
            if engine.client(self.id).is_none_or(|c| c.closing) {
                return true;
            }
        }
        // A blocked command (BLPOP...) holds back the requests after it, as in Redis, until
        // its reply arrives in the outbox.
        while engine.client(self.id).is_some_and(|c| !c.is_blocked()) {
            // Read for every request: a CONFIG SET earlier in the same batch applies at once.
            let max_bulk_len = engine.config().int("proto-max-bulk-len");
            let outcome = match self.parser.next_request(max_bulk_len) {
                Ok(Some(argv)) => engine.execute(self.id, argv),
                Ok(None) => return false,
                Err(error) => {
                    Reply::from(error).encode(protocol, &mut self.output);
                    return true;
                }
            };
            let Some(client) = engine.client(self.id) else {
                return true;
            };
            protocol = client.protocol;
            let closing = client.closing;
            // What the command itself pushed to this client (a message it published to
            // itself, a notification of its own write) was sent during the command in Redis,
            // so before its reply.
            self.write_outbox(engine, protocol);
            for reply in outcome.into_replies() {
                reply.encode(protocol, &mut self.output);
            }
            if closing {
                return true;
            }
        }
        false
    }

    /// Encodes what the outbox holds.
    fn write_outbox(&mut self, engine: &mut Engine, protocol: u8) {
        for reply in engine.drain(self.id) {
            reply.encode(protocol, &mut self.output);
        }
    }
}

/// DEBUG RESTART and CRASH-AND-RECOVER: after the delay, this program runs again in this
/// process with the arguments it was started with, as redis-server `execve`s itself. The
/// sockets close on the way (Rust opens them close-on-exec), so the new one can listen on
/// the same port; it loads what the storage keeps. If it cannot run, the process exits.
fn restart_process(delay_ms: u64) {
    std::thread::sleep(Duration::from_millis(delay_ms));
    #[cfg(unix)]
    if let Ok(program) = std::env::current_exe() {
        use std::os::unix::process::CommandExt;
        let error = std::process::Command::new(program)
            .args(std::env::args_os().skip(1))
            .exec();
        eprintln!("Can't restart: {error}");
    }
    std::process::exit(1);
}

#[cfg(test)]
mod tests {
    use super::*;
    use keyspace::{Config, ManualClock};

    fn engine() -> Engine {
        Engine::new(
            Config::default(),
            Box::new(ManualClock::new(1_700_000_000_000)),
            1,
        )
    }

    /// Feeds `input` to a fresh connection and runs it once: the bytes written back and
    /// whether the connection closes.
    fn exchange(engine: &mut Engine, input: &[u8]) -> (String, bool) {
        let id = engine.connect();
        let mut connection = Connection {
            id,
            parser: RequestParser::new(),
            output: Vec::new(),
        };
        connection.parser.feed(input);
        let closing = connection.run_locked(engine);
        (
            String::from_utf8_lossy(&connection.output).into_owned(),
            closing,
        )
    }

    #[test]
    fn a_pipeline_is_answered_in_order_in_one_buffer() {
        let (output, closing) = exchange(
            &mut engine(),
            b"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$1\r\nv\r\nGET k\r\nPING\r\n*1\r\n$4\r\nPI",
        );
        assert_eq!(output, "+OK\r\n$1\r\nv\r\n+PONG\r\n");
        assert!(!closing);
    }

    #[test]
    fn replies_follow_the_protocol_hello_sets() {
        let (output, _) = exchange(&mut engine(), b"GET missing\r\nHELLO 3\r\nGET missing\r\n");
        let (before, after) = output
            .split_once("%7\r\n")
            .expect("HELLO 3 answers with a RESP3 map");
        assert_eq!(before, "$-1\r\n");
        assert!(after.ends_with("_\r\n"), "{after}");
    }

    #[test]
    fn quit_answers_then_closes_and_runs_nothing_after_it() {
        let (output, closing) = exchange(&mut engine(), b"PING\r\nQUIT\r\nPING\r\n");
        assert_eq!(output, "+PONG\r\n+OK\r\n");
        assert!(closing);
    }

    #[test]
    fn a_protocol_error_comes_after_the_replies_before_it() {
        let (output, closing) = exchange(&mut engine(), b"PING\r\n*1\r\n$x\r\nPING\r\n");
        assert_eq!(
            output,
            "+PONG\r\n-ERR Protocol error: invalid bulk length\r\n"
        );
        assert!(closing);
    }

    #[test]
    fn proto_max_bulk_len_is_read_from_the_config() {
        let mut engine = engine();
        let (output, _) = exchange(&mut engine, b"*1\r\n$2000000\r\n");
        assert_eq!(output, "");
        let (output, _) = exchange(
            &mut engine,
            b"CONFIG SET proto-max-bulk-len 1mb\r\n*1\r\n$2000000\r\n",
        );
        assert_eq!(
            output,
            "+OK\r\n-ERR Protocol error: invalid bulk length\r\n"
        );
    }

    #[test]
    fn what_a_command_pushes_to_its_own_client_comes_before_its_reply() {
        let (output, _) = exchange(&mut engine(), b"HELLO 3\r\nSUBSCRIBE c\r\nPUBLISH c m\r\n");
        assert!(
            output.ends_with(">3\r\n$9\r\nsubscribe\r\n$1\r\nc\r\n:1\r\n>3\r\n$7\r\nmessage\r\n$1\r\nc\r\n$1\r\nm\r\n:1\r\n"),
            "{output}"
        );
    }

    #[test]
    fn a_blocked_command_holds_back_the_requests_after_it() {
        let mut engine = engine();
        let (output, closing) = exchange(&mut engine, b"BLPOP q 0\r\nPING\r\n");
        assert_eq!((output.as_str(), closing), ("", false));
    }

    #[test]
    fn a_client_gone_from_the_engine_is_closed() {
        let mut engine = engine();
        let id = engine.connect();
        engine.disconnect(id);
        let mut connection = Connection {
            id,
            parser: RequestParser::new(),
            output: Vec::new(),
        };
        connection.parser.feed(b"PING\r\n");
        assert!(connection.run_locked(&mut engine));
        assert!(connection.output.is_empty());
    }
}
