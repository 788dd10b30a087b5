#!/usr/bin/env python3
"""redis-py against keyspace-server: the client the guide's code uses, unchanged.

Usage: python3 crates/server/tests/redis_py_smoke.py <path-to-keyspace-server>

Starts the server on a free loopback port and talks to it with redis-py's default client
(redis-py 8 opens each connection with HELLO 3, so RESP3) and with protocol=2 (RESP2):
SET/GET, a pipeline, INCR, EXPIRE/TTL, a transaction, WATCH, pub/sub, BLPOP, and scripts
(`register_script`, which sends EVALSHA and falls back to EVAL, SCRIPT LOAD/EXISTS, a lock
released by a script and a rate limiter whose INCR and EXPIRE are one script). The scripting
checks also run against a real redis-server, which proves their expected values are Redis's.
Prints one line per check, then `N passed, N failed`; exits 1 when a check fails. The servers
are stopped at the end.
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


# The guide's two patterns done right: the lock released only by its holder, and the rate
# limiter's INCR and EXPIRE that cannot be separated.
RELEASE = """
if redis.call('GET', KEYS[1]) == ARGV[1] then
  return redis.call('DEL', KEYS[1])
end
return 0
"""
LIMIT = """
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n
"""


def scripting(checks, client, label):
    key = "smoke:script:%s" % label
    client.delete(key + ":lock", key + ":rate")
    client.script_flush()
    release = client.register_script(RELEASE)
    checks.check(label + " register_script before it is cached",
                 lambda: client.script_exists(release.sha), [False])
    client.set(key + ":lock", "me", nx=True, ex=10)
    checks.check(label + " a lock is not released by another holder",
                 lambda: release(keys=[key + ":lock"], args=["someone-else"]), 0)
    checks.check(label + " the script is cached after its first run",
                 lambda: client.script_exists(release.sha), [True])
    checks.check(label + " its holder releases it", lambda: release(keys=[key + ":lock"], args=["me"]), 1)
    checks.check(label + " and it is gone", lambda: client.exists(key + ":lock"), 0)
    limit = client.register_script(LIMIT)
    checks.check(label + " a rate limiter counts", lambda: [limit(keys=[key + ":rate"], args=[60]) for _ in range(3)],
                 [1, 2, 3])
    checks.check(label + " and its window has a TTL from the first request",
                 lambda: 0 < client.ttl(key + ":rate") <= 60, True)
    sha = client.script_load("return {KEYS[1], ARGV[1], 3.5, true, false}")
    checks.check(label + " EVALSHA of SCRIPT LOAD", lambda: client.evalsha(sha, 1, "k", "a"), [b"k", b"a", 3, 1, None])
    client.set(key + ":lock", "x")
    checks.check(label + " a script error", lambda: client.eval("return redis.call('INCR', KEYS[1])", 1, key + ":lock"),
                 "ResponseError: value is not an integer or out of range script: "
                 "61636018f4e6b5817b89791bbed242f93fa089e3, on @user_script:1.")
    checks.check(label + " NOSCRIPT", lambda: client.evalsha("f" * 40, 0), "NoScriptError: No matching script. Please use EVAL.")


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
        scripting(checks, resp3, "resp3")
        scripting(checks, resp2, "resp2")
        resp3.close()
        resp2.close()
        # The same scripting checks against a real redis-server.
        real_port = free_port()
        real = subprocess.Popen(["redis-server", "--port", str(real_port), "--save", "",
                                 "--appendonly", "no", "--dir", directory],
                                stdout=subprocess.DEVNULL)
        try:
            wait_until_listening(real_port, real)
            reference = redis.Redis(port=real_port)
            scripting(checks, reference, "redis-server")
            reference.close()
        finally:
            real.kill()
            real.wait()
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(directory)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
