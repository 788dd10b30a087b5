#!/usr/bin/env python3
"""A real redis-server replicating from keyspace-server: `--replicaof` our port, a full sync of
a varied dataset (every type in both encodings, TTLs, several databases, streams with consumer
groups, function libraries), then live writes (SET EX, MULTI/EXEC, EXPIRE, EVAL, a key expiring
on the primary), each time every key compared on both sides: type, value, expiry to the
millisecond (the stream carries absolute times) and encoding.

Then the link is cut (CLIENT KILL TYPE replica, the replica stopped meanwhile so that writes
certainly happen while it is away): it comes back with a partial resync (our INFO stats
`sync_partial_ok`, redis-server's log) and gets what was written meanwhile; WAIT 1 answers 1.
With `repl-backlog-size` at its 16kb minimum, a longer cut (more written than the backlog
holds) forces a full resync, sent this time with its length (`repl-diskless-sync no`).

Usage: python3 crates/server/tests/replicate_to_redis.py <path-to-keyspace-server> [redis-server]

Prints one line per check, then `N passed, N failed`; exits 1 when a check fails.
"""
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import persist_roundtrip as rt  # noqa: E402
from serving import net_repl_bytes  # noqa: E402


def info(client, section):
    return client.info(section)


def without_calls(space):
    """A keyspace as `rt.keyspace` reads it, function libraries without what calling them
    answers (a replica refuses the functions that may write)."""
    return {k: (v[:3] if k[0] == "functions" else v) for k, v in space.items()}


def synced(primary, replica, what):
    """Waits until the replica has processed every byte of the primary's stream."""
    deadline = time.time() + 30
    while True:
        ours = info(primary, "replication")
        theirs = info(replica, "replication")
        if (theirs.get("master_link_status") == "up"
                and theirs.get("slave_repl_offset") == ours.get("master_repl_offset")):
            return True
        if time.time() > deadline:
            print("     %s: primary %r, replica %r" % (what, ours, theirs))
            return False
        time.sleep(0.05)


def log_count(path, text):
    with open(path, errors="replace") as f:
        return f.read().count(text)


def log_has(path, text):
    return log_count(path, text) > 0


def live_writes(r):
    """Writes of every propagated kind, in several databases."""
    r.set("live:ex", "v", ex=1000)
    r.set("live:px", "v", px=900000)
    r.expire("s:text", 5000)
    r.persist("ttl:list")
    pipe = r.pipeline(transaction=True)
    pipe.incr("live:counter")
    pipe.lpush("live:list", "a", "b")
    pipe.hset("h:listpack", "added", "1")
    pipe.execute()
    r.eval("redis.call('set', KEYS[1], ARGV[1]); redis.call('pexpire', KEYS[1], 700000); "
           "return redis.call('incr', KEYS[2])", 2, "live:script", "live:counter", "x")
    r.execute_command("XADD", "x:live", "*", "f", "v")
    r.zincrby("z:listpack", 2, "a")
    r.spop("set:strings")
    r.execute_command("SELECT", 2)
    r.set("db2:key", "in db 2")
    r.execute_command("SELECT", 0)
    # One that expires on the primary: its active expiry deletes it there and sends a DEL.
    r.set("live:short", "v", px=100)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    redis_server = sys.argv[2] if len(sys.argv) > 2 else "redis-server"
    checks = rt.Checks()
    ours_dir, theirs_dir = tempfile.mkdtemp(), tempfile.mkdtemp()
    log = os.path.join(theirs_dir, "replica.log")
    primary = replica = None
    try:
        primary = rt.Server([binary, "--repl-diskless-sync-delay", "1"], ours_dir,
                            "keyspace-server")
        p = primary.client
        rt.fill(p)
        replica = rt.Server([redis_server, "--bind", "127.0.0.1", "--save", "",
                             "--appendonly", "no", "--logfile", log,
                             "--replicaof", "127.0.0.1", str(primary.port)],
                            theirs_dir, "redis-server")
        r = replica.client

        checks.check("the replica completes its full sync", synced(p, r, "full sync"))
        checks.check("it was sent EOF-marked (repl-diskless-sync yes)",
                     log_has(log, "receiving streamed RDB from master with EOF"))
        checks.same("after the full sync: the same keys, values, expiries and encodings",
                    without_calls(rt.keyspace(p)), without_calls(rt.keyspace(r)))
        role = p.execute_command("ROLE")
        checks.check("ROLE lists the replica online with its port: %r" % (role,),
                     role[0] == b"master" and len(role[2]) == 1
                     and role[2][0][1] == str(replica.port).encode())
        replication = info(p, "replication")
        checks.check("INFO replication: connected_slaves:1, slave0 online",
                     replication.get("connected_slaves") == 1
                     and replication.get("slave0", {}).get("state") == "online",
                     repr(replication))
        kinds = [line.split()[7] for line in
                 p.execute_command("CLIENT", "LIST", "TYPE", "replica").decode().splitlines()]
        checks.check("CLIENT LIST TYPE replica shows it with flags=S", kinds == ["flags=S"],
                     repr(kinds))

        live_writes(p)
        time.sleep(0.5)
        checks.check("the live writes arrive", synced(p, r, "live writes"))
        checks.same("after the live writes: the same keys, values, expiries and encodings",
                    without_calls(rt.keyspace(p)), without_calls(rt.keyspace(r)))
        checks.check("the key that expired on the primary was deleted on the replica too",
                     p.dbsize() == r.dbsize() and not p.exists("live:short"),
                     "%d and %d keys" % (p.dbsize(), r.dbsize()))
        sent, received = net_repl_bytes(p, r)
        checks.check("the bytes written to the replica are the bytes it read "
                     "(total_net_repl_output_bytes, _input_bytes)", sent == received and sent > 0,
                     "%d written, %d read" % (sent, received))

        # A short cut: the replica stopped, its link killed, writes made meanwhile.
        os.kill(replica.proc.pid, signal.SIGSTOP)
        killed = p.execute_command("CLIENT", "KILL", "TYPE", "replica")
        p.set("cut:one", "written while the link was down")
        p.rpush("cut:list", *range(100))
        os.kill(replica.proc.pid, signal.SIGCONT)
        checks.check("CLIENT KILL TYPE replica killed 1: %r" % killed, killed == 1)
        checks.check("after a short cut the replica catches up", synced(p, r, "short cut"))
        stats = info(p, "stats")
        checks.check("by a partial resync: sync_partial_ok:1, sync_full:1",
                     stats["sync_partial_ok"] == 1 and stats["sync_full"] == 1, repr(stats))
        checks.check("redis-server's log says the partial resync succeeded",
                     log_has(log, "Successful partial resynchronization with master."))
        checks.same("after the partial resync: the same keys",
                    without_calls(rt.keyspace(p)), without_calls(rt.keyspace(r)))
        p.set("wait:key", "v")
        acked = p.execute_command("WAIT", 1, 5000)
        checks.check("WAIT 1 5000 answers 1: %r" % acked, acked == 1)

        # A long cut: more written meanwhile than the 16kb backlog holds.
        p.config_set("repl-backlog-size", "16kb")
        p.config_set("repl-diskless-sync", "no")
        os.kill(replica.proc.pid, signal.SIGSTOP)
        p.execute_command("CLIENT", "KILL", "TYPE", "replica")
        for i in range(200):
            p.set("long:%d" % i, "x" * 200)
        os.kill(replica.proc.pid, signal.SIGCONT)
        checks.check("after a long cut the replica catches up", synced(p, r, "long cut"))
        stats = info(p, "stats")
        checks.check("by a full resync: sync_full:2, sync_partial_err:1",
                     stats["sync_full"] == 2 and stats["sync_partial_err"] == 1, repr(stats))
        checks.check("redis-server's log says it was a second full resync, with a length",
                     log_count(log, "Full resync from master") == 2
                     and log_has(log, "bytes from master to disk"))
        checks.same("after the full resync: the same keys",
                    without_calls(rt.keyspace(p)), without_calls(rt.keyspace(r)))
    finally:
        for server in (replica, primary):
            if server:
                try:
                    os.kill(server.proc.pid, signal.SIGCONT)
                except OSError:
                    pass
                server.stop()
        shutil.rmtree(ours_dir)
        shutil.rmtree(theirs_dir)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
