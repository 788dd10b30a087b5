#!/usr/bin/env python3
"""MIGRATE between servers, with real Redis 7.0 on either side.

Usage: python3 crates/server/tests/migrate.py <path-to-keyspace-server> [redis-server]

The same story is played four times, source -> target: redis -> redis (what Redis does,
the reference), keyspace -> redis, redis -> keyspace and keyspace -> keyspace. The target asks
for a password (`requirepass`), so AUTH is part of it. Every step records the source's reply
and what both sides hold afterwards (each key of databases 0 and 3 with its type, value and
TTL to the second), and each run must record exactly what the
reference did:

- one key of every type moved (with a TTL), then several at once with KEYS, to database 3;
- COPY leaves the source's key; without REPLACE the target's existing key refuses
  (BUSYKEY, the source keeps its key), with REPLACE it is overwritten;
- KEYS with a key that is missing and one that exists moves the one;
- a wrong password: the target's error, the key stays;
- the cached connection: a second MIGRATE to the same target and database sends no SELECT,
  and after the target closed every client (CLIENT KILL TYPE normal) MIGRATE reconnects;
- the source's append-only log records the DEL of what left, not the MIGRATE.

Prints one line per step, then `N passed, N failed`; exits 1 when a run differs.
"""
import os
import shutil
import subprocess
import sys
import tempfile
import time

import redis
from serving import free_port, start

PASSWORD = "s3cret"


class Node:
    def __init__(self, program, work, name, password=None):
        self.port = free_port()
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir)
        argv = [program, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
                "--dir", self.dir, "--appendonly", "yes"]
        if password:
            argv += ["--requirepass", password]
        self.proc = start(argv, self.port)
        self.client = redis.Redis(port=self.port, password=password, protocol=2)

    def stop(self):
        self.proc.kill()
        self.proc.wait()

    def state(self):
        """What the node holds: per database 0 and 3, each key's type, DUMP and TTL (s)."""
        held = {}
        for db in (0, 3):
            self.client.execute_command("SELECT", db)
            keys = sorted(self.client.keys("*"))
            held[db] = [(k.decode(), self.value(k), round(self.client.pttl(k) / 1000))
                        for k in keys]
        self.client.execute_command("SELECT", 0)
        return held

    def value(self, key):
        """The key's type and value, in an order that does not depend on the server's
        tables (a set's DUMP lists its members in its hash table's order)."""
        c = self.client
        kind = c.type(key).decode()
        read = {
            "string": lambda: c.get(key),
            "list": lambda: c.lrange(key, 0, -1),
            "hash": lambda: sorted(c.hgetall(key).items()),
            "set": lambda: sorted(c.smembers(key)),
            "zset": lambda: c.zrange(key, 0, -1, withscores=True),
            "stream": lambda: c.xrange(key),
        }
        return kind, read[kind]()

    def logged(self):
        """The commands of the append-only log's incr file, as written."""
        folder = os.path.join(self.dir, "appendonlydir")
        incr = [f for f in os.listdir(folder) if f.endswith(".incr.aof")]
        with open(os.path.join(folder, incr[0]), "rb") as f:
            text = f.read()
        commands, i = [], 0
        lines = text.split(b"\r\n")
        while i < len(lines):
            if lines[i].startswith(b"*"):
                n = int(lines[i][1:])
                commands.append(b" ".join(lines[i + 2 + 2 * j] for j in range(n)).decode())
                i += 1 + 2 * n
            else:
                i += 1
        return commands


def reply(client, *args):
    try:
        value = client.execute_command(*args)
        return value.decode() if isinstance(value, bytes) else value
    except redis.ResponseError as e:
        return "(error) " + str(e)


def story(source, target):
    """Plays the story; returns [(step, what it recorded)]."""
    s, t = source.client, target.client
    host, port = "127.0.0.1", str(target.port)
    record = []

    def step(name, *args):
        record.append((name, (reply(s, *args), source.state(), target.state())))

    s.rpush("list", "a", "b", "c")
    s.hset("hash", mapping={"f": "1", "g": "2"})
    s.sadd("set", "x", "y")
    s.zadd("zset", {"m": 1.5, "n": 2})
    s.set("string", "value", ex=1000)
    s.xadd("stream", {"k": "v"}, id="1-1")
    s.set("counter", 7)
    t.set("taken", "target's")
    s.set("taken", "source's")
    step("one key with a TTL", "MIGRATE", host, port, "string", 3, 5000, "AUTH", PASSWORD)
    step("several with KEYS", "MIGRATE", host, port, "", 3, 5000, "AUTH", PASSWORD,
         "KEYS", "list", "hash", "set", "zset", "stream")
    step("COPY keeps the source's", "MIGRATE", host, port, "counter", 0, 5000, "COPY",
         "AUTH", PASSWORD)
    step("the target's key refuses", "MIGRATE", host, port, "taken", 0, 5000, "AUTH",
         PASSWORD)
    step("REPLACE overwrites it", "MIGRATE", host, port, "taken", 0, 5000, "REPLACE",
         "AUTH", PASSWORD)
    s.set("one", 1)
    step("a missing key among KEYS", "MIGRATE", host, port, "", 0, 5000, "AUTH", PASSWORD,
         "KEYS", "missing", "one")
    s.set("two", 2)
    step("a wrong password", "MIGRATE", host, port, "two", 0, 5000, "AUTH", "wrong")
    step("AUTH2 with a user", "MIGRATE", host, port, "two", 0, 5000, "AUTH2", "default",
         PASSWORD)
    t.execute_command("CLIENT", "KILL", "TYPE", "normal", "SKIPME", "yes")
    s.set("three", 3)
    step("after the target closed the connection", "MIGRATE", host, port, "three", 0, 5000,
         "AUTH", PASSWORD)
    step("nothing left to move", "MIGRATE", host, port, "three", 0, 5000, "AUTH", PASSWORD)
    # What the target saw: one SELECT per database change on the kept connection.
    stats = target.client.info("commandstats")
    record.append(("the target's SELECTs and RESTOREs", (
        stats.get("cmdstat_select", {}).get("calls"),
        stats.get("cmdstat_restore", {}).get("calls"),
        stats.get("cmdstat_auth", {}).get("calls"))))
    # The source's log: the writes, and a DEL for each key that left.
    logged = [c for c in source.logged() if not c.startswith(("SELECT", "MULTI", "EXEC"))]
    record.append(("the source's log", [c.replace("\n", " ") for c in logged
                                       if not c.startswith(("XADD", "SET string"))]))
    return record


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ours = os.path.abspath(sys.argv[1])
    real = sys.argv[2] if len(sys.argv) > 2 else "redis-server"
    programs = {"redis": real, "keyspace": ours}
    runs = {}
    for source_kind, target_kind in [("redis", "redis"), ("keyspace", "redis"),
                                     ("redis", "keyspace"), ("keyspace", "keyspace")]:
        work = tempfile.mkdtemp(prefix="migrate-")
        source = Node(programs[source_kind], work, "source")
        target = Node(programs[target_kind], work, "target", PASSWORD)
        try:
            runs[(source_kind, target_kind)] = story(source, target)
        finally:
            source.stop()
            target.stop()
            shutil.rmtree(work, ignore_errors=True)
    expected = runs[("redis", "redis")]
    passed = failed = 0
    for run, got in runs.items():
        if run == ("redis", "redis"):
            continue
        for (name, want), (_, have) in zip(expected, got):
            label = "%s -> %s: %s" % (run[0], run[1], name)
            if want == have:
                passed += 1
                print("ok    " + label)
            else:
                failed += 1
                print("FAIL  %s\n   redis -> redis: %r\n   this run:       %r" % (
                    label, want, have))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
