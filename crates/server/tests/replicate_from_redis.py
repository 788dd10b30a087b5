#!/usr/bin/env python3
"""keyspace-server as a replica of a real redis-server 7.0.

Usage: python3 crates/server/tests/replicate_from_redis.py <path-to-keyspace-server> [redis-server]

redis-server is filled with every type (both encodings where there are two), expiries and
three databases and a function library; keyspace-server follows it with REPLICAOF and, once
its link is up and its offset equals the primary's, every key is compared on both sides: type,
value and absolute expiry to the millisecond; the snapshot received is the replica's
dbfilename (Redis's default `repl-diskless-load disabled` writes it there first). Then live writes (MULTI/EXEC, EXPIRE, a script,
a key expiring on the primary, writes in another database) and the same comparison. The
replica refuses writes (READONLY) and keeps a logically expired key from its clients until
the primary's DEL arrives. CLIENT KILL TYPE master on keyspace-server brings the link back by
a partial resync (redis-server's `sync_partial_ok` moves, `sync_full` does not), with the
writes made meanwhile, and so does CLIENT KILL TYPE replica on redis-server. A cut longer than
redis-server's backlog (16 KB) forces a full resync, received this time as a sized snapshot
(`repl-diskless-sync no`). keyspace-server restarted with `--replicaof` on its own dump resumes
from the history its snapshot names, by a partial resync. REPLICAOF NO ONE keeps the data and
accepts writes. FAILOVER TO keyspace-server on redis-server makes keyspace-server the primary
(PSYNC ... FAILOVER), which redis-server then follows with a partial resync.

Prints one line per check, then `N passed, N failed`; exits 1 when a check fails.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
sys.path.insert(0, os.path.join(ROOT, "tests"))
from checks import check, summary  # noqa: E402
from serving import free_port  # noqa: E402

DATABASES = (0, 1, 5)

LIBRARY = ("#!lua name=replicated\n"
           "redis.register_function('twice', function(keys, args) return args[1] .. args[1] end)\n")


class Server:
    """A server process on a free port in `directory`, stopped by stop()."""

    def __init__(self, argv, directory, name, port=None):
        self.port = port or free_port()
        self.name = name
        self.proc = subprocess.Popen(
            argv + ["--port", str(self.port), "--dir", directory],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited at start" % name)
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("%s did not listen within 30 s" % name)
                time.sleep(0.05)
        self.client = redis.Redis(port=self.port, protocol=2)

    def db(self, n):
        return redis.Redis(port=self.port, db=n, protocol=2)

    def info(self, section):
        return self.client.info(section)

    def stop(self):
        self.proc.kill()
        self.proc.wait()


def fill(r):
    """Every type in both of its encodings, expiries, three databases, a library."""
    big = "x" * 100
    for n in DATABASES:
        c = redis.Redis(port=r.port, db=n, protocol=2)
        c.set("str:%d" % n, "hello")
        c.set("int:%d" % n, 12345)
        c.set("bin:%d" % n, b"\x00\xff\r\n" * 10)
        c.set("ttl:%d" % n, "soon", px=10 ** 8 + 123)
        c.rpush("list:small:%d" % n, *range(10))
        c.rpush("list:big:%d" % n, *[big] * 300)
        c.hset("hash:small:%d" % n, mapping={"a": 1, "b": "two"})
        c.hset("hash:big:%d" % n, mapping={"f%d" % i: big for i in range(600)})
        c.sadd("set:int:%d" % n, *range(20))
        c.sadd("set:str:%d" % n, *["m%d" % i for i in range(600)])
        c.zadd("zset:small:%d" % n, {"a": 1, "b": 2.5})
        c.zadd("zset:big:%d" % n, {"m%d" % i: i / 3 for i in range(300)})
        c.expire("hash:small:%d" % n, 10 ** 6)
        for i in range(5):
            c.xadd("stream:%d" % n, {"f": i}, id="%d-1" % (i + 1))
        c.xgroup_create("stream:%d" % n, "g", id="0")
        c.xreadgroup("g", "alice", {"stream:%d" % n: ">"}, count=2)
    r.client.function_load(LIBRARY)


def value_of(c, key):
    kind = c.type(key).decode()
    if kind == "string":
        value = c.get(key)
    elif kind == "list":
        value = c.lrange(key, 0, -1)
    elif kind == "hash":
        value = sorted(c.hgetall(key).items())
    elif kind == "set":
        value = sorted(c.smembers(key))
    elif kind == "zset":
        value = c.zrange(key, 0, -1, withscores=True)
    elif kind == "stream":
        value = (c.xrange(key), [(g["name"], g["pending"], g["last-delivered-id"])
                                 for g in c.xinfo_groups(key)])
    else:
        value = None
    return kind, value, c.execute_command("PEXPIRETIME", key)


def dataset(server):
    """Every key of every database: type, value, absolute expiry (ms)."""
    out = {}
    for n in range(16):
        c = server.db(n)
        for key in c.keys("*"):
            out[(n, key)] = value_of(c, key)
    return out


def same_data(what, primary, replica):
    expected, got = dataset(primary), dataset(replica)
    differ = [k for k in set(expected) | set(got) if expected.get(k) != got.get(k)]
    check("%s: %d keys, values and expiries the same" % (what, len(expected)),
          not differ and expected, "differ: %r" % sorted(differ, key=repr)[:5])


def replica_field(server, name):
    return server.info("replication").get(name)


def caught_up(primary, replica, timeout=30):
    """Waits until the replica's link is up and it processed the primary's whole stream."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        info = replica.info("replication")
        if (info.get("master_link_status") == "up"
                and info.get("slave_repl_offset") == primary.info("replication")["master_repl_offset"]):
            return True
        time.sleep(0.05)
    return False


def stats(primary):
    s = primary.info("stats")
    return s["sync_full"], s["sync_partial_ok"]


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    redis_server = sys.argv[2] if len(sys.argv) > 2 else "redis-server"
    work = tempfile.mkdtemp(prefix="replicate-from-redis-")
    primary = replica = None
    try:
        os.makedirs(os.path.join(work, "primary"))
        os.makedirs(os.path.join(work, "replica"))
        primary = Server([redis_server, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                          "--repl-diskless-sync-delay", "0", "--enable-debug-command", "yes"],
                         os.path.join(work, "primary"), "redis-server")
        replica = Server([binary, "--save", "", "--dbfilename", "replica.rdb"],
                         os.path.join(work, "replica"), "keyspace-server")
        run(primary, replica, binary, work)
    finally:
        for server in (primary, replica):
            if server:
                server.stop()
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(summary())


def run(primary, replica, binary, work):
    p, r = primary.client, replica.client
    fill(primary)
    r.set("old", "gone after the full sync")
    check("REPLICAOF answers OK", r.replicaof("127.0.0.1", primary.port) in (True, b"OK"))
    check("REPLICAOF to the same primary again", r.execute_command(
        "REPLICAOF", "127.0.0.1", primary.port) == b"OK Already connected to specified master")
    check("full sync: link up, offsets equal", caught_up(primary, replica))
    full, partial = stats(primary)
    check("full sync: one full sync on redis-server", full == 1, "sync_full=%d" % full)
    same_data("full sync (EOF-marked snapshot)", primary, replica)
    check("full sync: the old key flushed", r.exists("old") == 0)
    # With Redis's default repl-diskless-load (disabled) the snapshot is the replica's file
    # before it is loaded: the replica's dbfilename now holds what the primary sent.
    dump = os.path.join(work, "replica", "replica.rdb")
    check("full sync: the snapshot is the replica's dbfilename",
          os.path.exists(dump) and open(dump, "rb").read(5) == b"REDIS",
          "%s exists: %s" % (dump, os.path.exists(dump)))
    check("full sync: the function library came along",
          r.function_list() == p.function_list(), repr(r.function_list()))
    role = r.role()
    check("ROLE: slave, host, port, connected", role[:4] == [b"slave", b"127.0.0.1", primary.port,
                                                          b"connected"], repr(role))
    check("ROLE's offset is the primary's",
          role[4] == primary.info("replication")["master_repl_offset"], repr(role))
    info = replica.info("replication")
    check("INFO replication: role slave, master_port, link up, in sync 0",
          (info["role"], info["master_port"], info["master_link_status"],
           info["master_sync_in_progress"]) == ("slave", primary.port, "up", 0), repr(info))
    check("INFO: the replica's replid is the primary's",
          info["master_replid"] == primary.info("replication")["master_replid"])
    listed = r.client_list(_type="master")
    check("CLIENT LIST TYPE master: one client, flags=M",
          len(listed) == 1 and listed[0]["flags"] == "M", repr(listed))

    # Live writes: a transaction, an expiry set and one run out, a script, another database.
    primary.client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "0")
    tx = p.pipeline(transaction=True)
    tx.incr("int:0")
    tx.lpush("list:small:0", "pushed")
    tx.hset("hash:small:0", "c", "3")
    tx.execute()
    p.expire("str:0", 5000)
    p.set("short", "lived", px=100)
    p.eval("redis.call('SET', KEYS[1], ARGV[1]); return redis.call('INCRBYFLOAT', KEYS[2], '1.5')",
           2, "scripted", "float", "v")
    primary.db(5).zadd("zset:small:5", {"c": 3})
    primary.db(1).delete("set:str:1")
    p.fcall("twice", 0, "x")
    check("live writes: caught up", caught_up(primary, replica))
    time.sleep(0.2)
    check("a key past its time reads as missing on the replica", r.get("short") is None)
    check("... and stays until the primary deletes it (DBSIZE counts it)",
          r.dbsize() == p.dbsize(), "%d vs %d" % (r.dbsize(), p.dbsize()))
    p.get("short")
    check("live writes: caught up after the primary's DEL", caught_up(primary, replica))
    check("the primary's DEL removed it", r.dbsize() == p.dbsize() and r.exists("short") == 0)
    same_data("live writes", primary, replica)
    primary.client.execute_command("DEBUG", "SET-ACTIVE-EXPIRE", "1")

    try:
        r.set("mine", "1")
        refused = "no error"
    except redis.ResponseError as e:
        refused = str(e)
    check("a write on the replica is refused with READONLY",
          refused == "You can't write against a read only replica.", refused)

    # A dropped link: CLIENT KILL TYPE master, writes meanwhile, a partial resync.
    full, partial = stats(primary)
    killed = r.execute_command("CLIENT", "KILL", "TYPE", "master")
    check("CLIENT KILL TYPE master kills one client", killed == 1, repr(killed))
    for i in range(50):
        p.set("during:%d" % i, i)
    check("after CLIENT KILL TYPE master: caught up", caught_up(primary, replica))
    full2, partial2 = stats(primary)
    check("... by a partial resync (sync_partial_ok +1, sync_full unchanged)",
          (full2, partial2) == (full, partial + 1), "%r -> %r" % ((full, partial), (full2, partial2)))
    same_data("after the partial resync", primary, replica)

    # The primary drops the link (CLIENT KILL TYPE replica there): the replica comes back.
    full, partial = stats(primary)
    check("CLIENT KILL TYPE replica on redis-server kills one client",
          p.execute_command("CLIENT", "KILL", "TYPE", "replica") == 1)
    p.set("after:kill", 1)
    check("after the primary dropped it: caught up", caught_up(primary, replica))
    check("... by a partial resync", stats(primary) == (full, partial + 1), repr(stats(primary)))

    # A cut longer than the backlog: a full resync, as a sized snapshot.
    p.config_set("repl-backlog-size", "16384")
    p.config_set("repl-diskless-sync", "no")
    dead = free_port()
    r.replicaof("127.0.0.1", dead)
    time.sleep(0.3)
    check("pointed at a dead port: ROLE says connect",
          r.role()[3] in (b"connect", b"connecting"), repr(r.role()))
    check("... and INFO says the link is down",
          replica_field(replica, "master_link_status") == "down")
    for i in range(400):
        p.set("flood:%d" % i, "y" * 100)
    full, partial = stats(primary)
    r.replicaof("127.0.0.1", primary.port)
    check("after a long cut: caught up", caught_up(primary, replica))
    full2, partial2 = stats(primary)
    check("... by a full resync (the backlog was overrun)",
          (full2, partial2) == (full + 1, partial), "%r -> %r" % ((full, partial), (full2, partial2)))
    same_data("after the full resync (sized snapshot)", primary, replica)

    # A short cut through another REPLICAOF: the cached master resumes.
    r.replicaof("127.0.0.1", dead)
    p.set("short:cut", 1)
    full, partial = stats(primary)
    r.replicaof("127.0.0.1", primary.port)
    check("after a short cut: caught up", caught_up(primary, replica))
    check("... by a partial resync", stats(primary) == (full, partial + 1),
          repr(stats(primary)))

    # A restart from the replica's own dump resumes with a partial resync.
    r.save()
    replica.stop()
    p.set("while:down", 1)
    full, partial = stats(primary)
    restarted = Server([binary, "--save", "", "--dbfilename", "replica.rdb",
                        "--replicaof", "127.0.0.1", str(primary.port)],
                       os.path.join(work, "replica"), "keyspace-server", port=replica.port)
    replica.proc = restarted.proc
    check("restarted with --replicaof: caught up", caught_up(primary, replica))
    check("... by a partial resync from its snapshot's history",
          stats(primary) == (full, partial + 1), repr(stats(primary)))
    check("CONFIG GET replicaof names the primary",
          r.config_get("replicaof") == {"replicaof": "127.0.0.1 %d" % primary.port},
          repr(r.config_get("replicaof")))
    same_data("after the restart", primary, replica)

    # Promotion keeps the data.
    before = dataset(replica)
    check("REPLICAOF NO ONE answers OK", r.replicaof("NO", "ONE") in (True, b"OK"))
    check("REPLICAOF NO ONE: the data stays", dataset(replica) == before)
    check("REPLICAOF NO ONE: ROLE is master", r.role()[0] == b"master", repr(r.role()))
    check("REPLICAOF NO ONE: writes are accepted", r.set("mine", "1") is True)
    info = replica.info("replication")
    check("REPLICAOF NO ONE: the old ID becomes replid2",
          info["master_replid2"] == primary.info("replication")["master_replid"], repr(info))

    # FAILOVER on redis-server hands its role over to keyspace-server, which it then follows.
    r.replicaof("127.0.0.1", primary.port)
    check("a replica again: caught up", caught_up(primary, replica))
    p.set("lock", "owner-1")
    check("FAILOVER TO keyspace-server answers OK",
          p.execute_command("FAILOVER", "TO", "127.0.0.1", replica.port, "TIMEOUT", 10000) == b"OK")
    deadline = time.time() + 30
    while time.time() < deadline and not (
            r.role()[0] == b"master" and p.role()[0] == b"slave"
            and caught_up(replica, primary, timeout=0.1)):
        time.sleep(0.05)
    check("after FAILOVER: keyspace-server is the primary", r.role()[0] == b"master", repr(r.role()))
    check("... and redis-server follows it", p.role()[:4] == [b"slave", b"127.0.0.1", replica.port,
                                                            b"connected"], repr(p.role()))
    check("... by a partial resync", r.info("stats")["sync_partial_ok"] == 1,
          repr(r.info("stats")["sync_partial_ok"]))
    check("the new primary takes writes", r.set("lock", "owner-2") is True)
    check("... which reach redis-server", caught_up(replica, primary) and p.get("lock") == b"owner-2")
    same_data("after the FAILOVER", replica, primary)


if __name__ == "__main__":
    main()
