#!/usr/bin/env python3
"""redis-py against keyspace-server: the client the guide's code uses, unchanged.

Usage: python3 crates/server/tests/redis_py_smoke.py <path-to-keyspace-server>

Starts the server on a free loopback port and talks to it with redis-py's default client
(redis-py 8 opens each connection with HELLO 3, so RESP3) and with protocol=2 (RESP2):
SET/GET, a pipeline, INCR, EXPIRE/TTL, a transaction, WATCH, pub/sub, BLPOP. Prints one line per check, then `N passed, N failed`;
exits 1 when a check fails. The server is stopped at the end.
"""
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis
from serving import free_port


def wait_until_listening(port, proc):
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("keyspace-server exited with status %s before listening" % proc.returncode)
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    sys.exit("keyspace-server did not listen on port %d within 30 s" % port)


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, run, expected):
        """Runs `run()` and compares its result with `expected`; an exception is a failure."""
        try:
            got = run()
        except Exception as e:  # noqa: BLE001 - any client error is a failed check, not a crash
            got = "%s: %s" % (type(e).__name__, e)
        if got == expected:
            self.passed += 1
            print("ok    %s" % name)
        else:
            self.failed += 1
            print("FAIL  %s: expected %r, got %r" % (name, expected, got))


def exercise(checks, client, label):
    key = "smoke:%s" % label
    client.delete(key, key + ":n", key + ":ttl")
    checks.check(label + " PING", client.ping, True)
    checks.check(label + " SET", lambda: client.set(key, "hello"), True)
    checks.check(label + " GET", lambda: client.get(key), b"hello")
    checks.check(label + " GET missing", lambda: client.get(key + ":missing"), None)
    checks.check(label + " SET NX on an existing key", lambda: client.set(key, "x", nx=True), None)
    checks.check(label + " binary value", lambda: client.set(key, b"\x00\xff\r\n") and client.get(key), b"\x00\xff\r\n")

    def pipeline():
        pipe = client.pipeline(transaction=False)
        pipe.set(key, "v1")
        pipe.get(key)
        pipe.incr(key + ":n")
        pipe.incrby(key + ":n", 10)
        pipe.get(key + ":nothing")
        pipe.echo("done")
        return pipe.execute()

    checks.check(label + " pipeline", pipeline, [True, b"v1", 1, 11, None, b"done"])
    checks.check(label + " INCR", lambda: client.incr(key + ":n"), 12)
    checks.check(label + " INCR on a non-integer", lambda: client.incr(key),
                 "ResponseError: value is not an integer or out of range")
    checks.check(label + " EXPIRE", lambda: client.set(key + ":ttl", "x") and client.expire(key + ":ttl", 100), True)
    checks.check(label + " TTL", lambda: client.ttl(key + ":ttl"), 100)
    checks.check(label + " TTL without expiry", lambda: client.ttl(key + ":n"), -1)
    checks.check(label + " SET EX then PTTL within it", lambda: client.set(key, "v", ex=5) and 0 < client.pttl(key) <= 5000, True)

    def transaction():
        pipe = client.pipeline()
        pipe.set(key, "t")
        pipe.incr(key + ":n")
        pipe.incr(key)
        return pipe.execute(raise_on_error=False)

    checks.check(label + " MULTI/EXEC pipeline", lambda: [str(r) for r in transaction()],
                 ["True", "13", "value is not an integer or out of range"])

    def watched():
        with client.pipeline() as pipe:
            pipe.watch(key)
            # Another connection of the pool writes the watched key.
            client.set(key, "changed")
            pipe.multi()
            pipe.set(key, "mine")
            try:
                pipe.execute()
                return "executed"
            except redis.WatchError:
                return "WatchError"

    checks.check(label + " WATCH broken by another write", watched, "WatchError")
    checks.check(label + " ... which kept its value", lambda: client.get(key), b"changed")

    def pubsub():
        listener = client.pubsub()
        listener.subscribe(key + ":ch")
        confirmed = listener.get_message(timeout=2)
        receivers = client.publish(key + ":ch", "hi")
        message = listener.get_message(timeout=2)
        listener.close()
        return confirmed["type"], receivers, message["type"], message["data"]

    checks.check(label + " pub/sub", pubsub, ("subscribe", 1, "message", b"hi"))
    checks.check(label + " BLPOP served at once",
                 lambda: client.rpush(key + ":q", "job") and list(client.blpop([key + ":q"], timeout=1)),
                 [(key + ":q").encode(), b"job"])
    checks.check(label + " BLPOP timing out", lambda: client.blpop([key + ":empty"], timeout=0.1), None)


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    port = free_port()
    # A directory of its own: no stray dump.rdb is loaded, none is left behind.
    directory = tempfile.mkdtemp(prefix="redis-py-smoke-")
    proc = subprocess.Popen([sys.argv[1], "--port", str(port), "--dir", directory],
                            stdout=subprocess.DEVNULL)
    checks = Checks()
    try:
        wait_until_listening(port, proc)
        resp3 = redis.Redis(port=port)
        resp2 = redis.Redis(port=port, protocol=2)
        # A map only comes back as a dict when the connection speaks RESP3.
        checks.check("default client speaks RESP3", lambda: resp3.execute_command("HELLO", 3)[b"proto"], 3)
        checks.check("protocol=2 client speaks RESP2", lambda: resp2.execute_command("HELLO")[4:6], [b"proto", 2])
        exercise(checks, resp3, "resp3")
        exercise(checks, resp2, "resp2")
        resp3.close()
        resp2.close()
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(directory)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
