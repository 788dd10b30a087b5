//! CONFIG SET of `port` and `bind` through the host's listeners (`keyspace::config::Listening`):
//! the new listeners are asked for last, and when they can't be opened the whole CONFIG SET is
//! refused with Redis's reason and every parameter keeps its value.

mod common;

use std::sync::{Arc, Mutex};

use common::Harness;
use keyspace::config::Listening;
use keyspace::Reply;

/// Every (bind, port) the engine asked to listen at, in order.
type Asked = Arc<Mutex<Vec<(String, i64)>>>;

/// Listeners that open wherever asked, except on port `busy`; it notes each (bind, port) asked.
struct Fake {
    busy: i64,
    asked: Asked,
}

impl Listening for Fake {
    fn rebind(&mut self, bind: &str, port: i64) -> Result<(), String> {
        self.asked.lock().unwrap().push((bind.to_string(), port));
        if port == self.busy {
            return Err("Address already in use".into());
        }
        Ok(())
    }
}

fn harness() -> (Harness, Asked) {
    let mut h = Harness::new(1);
    let asked = Arc::new(Mutex::new(Vec::new()));
    h.engine.set_listening(Box::new(Fake {
        busy: 7000,
        asked: Arc::clone(&asked),
    }));
    (h, asked)
}

fn value(h: &mut Harness, name: &str) -> Reply {
    match h.run(&format!("CONFIG GET {name}")) {
        Reply::Map(pairs) => pairs[0].1.clone(),
        other => panic!("CONFIG GET answered {other:?}"),
    }
}

#[test]
fn a_port_that_cannot_be_listened_on_undoes_the_whole_set() {
    let (mut h, asked) = harness();
    assert_eq!(
        h.run("CONFIG SET maxmemory 10000001 port 7000 client-query-buffer-limit 10m"),
        port_error()
    );
    assert_eq!(value(&mut h, "maxmemory"), Reply::bulk("0"));
    assert_eq!(value(&mut h, "port"), Reply::bulk("6379"));
    assert_eq!(
        value(&mut h, "client-query-buffer-limit"),
        Reply::bulk("1073741824")
    );
    assert_eq!(*asked.lock().unwrap(), [("127.0.0.1".to_string(), 7000)]);
}

#[test]
fn a_free_port_or_a_new_bind_is_listened_on_and_kept() {
    let (mut h, asked) = harness();
    assert_eq!(h.run("CONFIG SET port 7001 maxmemory 5"), Reply::ok());
    assert_eq!(value(&mut h, "port"), Reply::bulk("7001"));
    assert_eq!(value(&mut h, "maxmemory"), Reply::bulk("5"));
    assert_eq!(h.run("CONFIG SET bind \"127.0.0.1 -::1\""), Reply::ok());
    // The same values again move nothing, as Redis applies only what changed.
    assert_eq!(
        h.run("CONFIG SET port 7001 bind \"127.0.0.1 -::1\""),
        Reply::ok()
    );
    assert_eq!(
        *asked.lock().unwrap(),
        [
            ("127.0.0.1".to_string(), 7001),
            ("127.0.0.1 -::1".to_string(), 7001)
        ]
    );
}

#[test]
fn a_bind_that_cannot_be_listened_on_is_refused_under_its_own_name() {
    let (mut h, _) = harness();
    assert_eq!(h.run("CONFIG SET port 7000"), port_error());
    assert_eq!(h.run("CONFIG SET bind 10.1.1.1 port 7000"), bind_error());
    assert_eq!(value(&mut h, "bind"), Reply::bulk("127.0.0.1"));
}

fn port_error() -> Reply {
    Reply::Error(
        "ERR CONFIG SET failed (possibly related to argument 'port') - Unable to listen on \
         this port. Check server logs."
            .into(),
    )
}

fn bind_error() -> Reply {
    Reply::Error(
        "ERR CONFIG SET failed (possibly related to argument 'bind') - Failed to bind to \
         specified addresses."
            .into(),
    )
}
