//! MIGRATE's connections to other servers (`keyspace::migrate`): plain blocking sockets, as
//! Redis's `connBlockingConnect` / `connSyncWrite` / `connSyncReadLine` are. They block the
//! one thread that serves every client while MIGRATE waits for its target, which is what
//! Redis does too: no other command runs in the middle of a migration.

use std::collections::HashMap;
use std::io::{BufRead, BufReader, ErrorKind, Write};
use std::net::{TcpStream, ToSocketAddrs};
use std::time::Duration;

use keyspace::migrate::{IoFailure, Outbound, OutboundId};

/// The open connections, each with a buffered reader over it; None for one the peer refused
/// (see [`Outbound::connect`]).
#[derive(Default)]
pub struct Sockets {
    open: HashMap<OutboundId, Option<BufReader<TcpStream>>>,
    next: u64,
}

impl Sockets {
    /// The connection's reader; a refused or unknown one is broken.
    fn reader(&mut self, conn: OutboundId) -> Result<&mut BufReader<TcpStream>, IoFailure> {
        self.open
            .get_mut(&conn)
            .and_then(Option::as_mut)
            .ok_or(IoFailure::Broken)
    }
}

fn timeout(ms: u64) -> Option<Duration> {
    Some(Duration::from_millis(ms.max(1)))
}

fn failure(error: &std::io::Error) -> IoFailure {
    match error.kind() {
        ErrorKind::WouldBlock | ErrorKind::TimedOut => IoFailure::TimedOut,
        _ => IoFailure::Broken,
    }
}

impl Outbound for Sockets {
    fn connect(&mut self, host: &str, port: u16, timeout_ms: u64) -> Option<OutboundId> {
        let addresses = (host, port).to_socket_addrs().ok()?;
        let wait = Duration::from_millis(timeout_ms.max(1));
        let mut refused = false;
        let stream = addresses.into_iter().find_map(|address| {
            TcpStream::connect_timeout(&address, wait)
                .inspect_err(|e| refused |= e.kind() == ErrorKind::ConnectionRefused)
                .ok()
        });
        if stream.is_none() && !refused {
            return None;
        }
        if let Some(stream) = &stream {
            let _ = stream.set_nodelay(true);
        }
        self.next += 1;
        let id = OutboundId(self.next);
        self.open.insert(id, stream.map(BufReader::new));
        Some(id)
    }

    fn write(&mut self, conn: OutboundId, bytes: &[u8], timeout_ms: u64) -> Result<(), IoFailure> {
        let stream = self.reader(conn)?.get_mut();
        stream
            .set_write_timeout(timeout(timeout_ms))
            .map_err(|e| failure(&e))?;
        stream.write_all(bytes).map_err(|e| failure(&e))
    }

    fn read_line(&mut self, conn: OutboundId, timeout_ms: u64) -> Result<Vec<u8>, IoFailure> {
        let reader = self.reader(conn)?;
        reader
            .get_ref()
            .set_read_timeout(timeout(timeout_ms))
            .map_err(|e| failure(&e))?;
        let mut line = Vec::new();
        match reader.read_until(b'\n', &mut line) {
            Ok(0) => Err(IoFailure::Broken),
            Ok(_) => {
                while matches!(line.last(), Some(b'\n' | b'\r')) {
                    line.pop();
                }
                Ok(line)
            }
            Err(e) => Err(failure(&e)),
        }
    }

    fn close(&mut self, conn: OutboundId) {
        self.open.remove(&conn);
    }
}
