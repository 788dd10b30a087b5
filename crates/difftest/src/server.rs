//! The servers under comparison: a process started here on a free port, in an empty
//! directory of its own, waited for until it answers, and stopped (its directory removed)
//! when dropped. Both modes start theirs through it: the random sequences one pair for the
//! whole run, the scripts a fresh pair per file.

use std::io;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::thread::sleep;
use std::time::{Duration, Instant};

use crate::resp::{Connection, Value};

/// How long a server may take to listen.
const START_TIMEOUT: Duration = Duration::from_secs(30);

/// A server process the tester started, stopped when dropped.
pub struct Server {
    /// Its program's file name, for reports.
    pub label: String,
    pub port: u16,
    child: Child,
    /// The connection that resets the server between random sequences, made on first use:
    /// a script's server has no connection but the script's own.
    control: Option<Connection>,
    /// The server's own empty `--dir`: it never loads a snapshot or log left by anything
    /// else, and leaves none behind.
    dir: PathBuf,
}

impl Server {
    /// Starts `program args... --port P --dir D` on a free port, in a new empty directory,
    /// and waits until it accepts a connection (which it then closes).
    pub fn start(program: &Path, args: &[String]) -> io::Result<Server> {
        let label = program.file_name().map_or_else(
            || program.display().to_string(),
            |n| n.to_string_lossy().into(),
        );
        let port = TcpListener::bind("127.0.0.1:0")?.local_addr()?.port();
        let dir = std::env::temp_dir().join(format!(
            "keyspace-difftest-{}-{label}-{port}",
            std::process::id()
        ));
        std::fs::create_dir_all(&dir)?;
        let child = Command::new(program)
            .args(args)
            .args(["--port", &port.to_string()])
            .arg("--dir")
            .arg(&dir)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| io::Error::new(e.kind(), format!("{}: {e}", program.display())));
        let child = match child {
            Ok(child) => child,
            Err(e) => {
                let _ = std::fs::remove_dir_all(&dir);
                return Err(e);
            }
        };
        // Dropped on failure, which stops the process and removes the directory.
        let mut server = Server {
            label,
            port,
            child,
            control: None,
            dir,
        };
        let started = Instant::now();
        while !listening(port) {
            if let Some(status) = server.child.try_wait()? {
                return Err(io::Error::other(format!(
                    "{} {}: exited ({status}) before listening",
                    program.display(),
                    args.join(" ")
                )));
            }
            if started.elapsed() > START_TIMEOUT {
                return Err(io::Error::other(format!(
                    "{}: not listening on port {port} after {} s",
                    program.display(),
                    START_TIMEOUT.as_secs()
                )));
            }
            sleep(Duration::from_millis(10));
        }
        Ok(server)
    }

    /// Sends `argv` on the control connection; an error reply is an error.
    pub fn control(&mut self, argv: &[&str]) -> io::Result<Value> {
        let connection = match &mut self.control {
            Some(connection) => connection,
            slot => slot.insert(Connection::open(self.port)?),
        };
        let argv: Vec<Vec<u8>> = argv.iter().map(|a| a.as_bytes().to_vec()).collect();
        let reply = connection.call(&argv)?;
        match reply.is_error() {
            true => Err(io::Error::other(format!(
                "{}: {}: {reply}",
                self.label,
                String::from_utf8_lossy(&argv.join(&b' '))
            ))),
            false => Ok(reply),
        }
    }
}

/// Whether a server listens on `port`. A port that binding port 0 picked is an ephemeral one,
/// which a connect() probing it before the server listens can take as its own source port (a
/// TCP self-connection): that one is no server.
fn listening(port: u16) -> bool {
    TcpStream::connect(("127.0.0.1", port))
        .and_then(|stream| Ok(stream.local_addr()? != stream.peer_addr()?))
        .unwrap_or(false)
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}
