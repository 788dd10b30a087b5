#!/usr/bin/env python3
"""redis-py against keyspace-server: the client the guide's code uses, unchanged.

Usage: python3 crates/server/tests/redis_py_smoke.py <path-to-keyspace-server> [redis-server]

Starts the server on a free loopback port and talks to it with redis-py's default client
(redis-py 8 opens each connection with HELLO 3, so RESP3) and with protocol=2 (RESP2):
SET/GET, a pipeline, INCR, EXPIRE/TTL, a transaction, WATCH, pub/sub, BLPOP, scripts
(`register_script`, which sends EVALSHA and falls back to EVAL, SCRIPT LOAD/EXISTS, a lock
released by a script and a rate limiter whose INCR and EXPIRE are one script) and functions
(function_load, fcall, fcall_ro, function_list, function_stats, function_dump and _restore,
their errors). The scripting and functions checks also run against a real redis-server when
one is on the PATH (or given), to show that what they expect is what Redis answers. Prints
one line per check, then `N passed, N failed`; exits 1 when a check fails. The servers are
stopped at the end.
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


LIBRARY = ("#!lua name=smoke\n"
           "redis.register_function('smoke_set', function(keys, args)\n"
           "  return redis.call('SET', keys[1], args[1])\n"
           "end)\n"
           "redis.register_function{function_name='smoke_get', callback=function(keys)\n"
           "  return redis.call('GET', keys[1])\n"
           "end, flags={'no-writes'}, description='reads a key'}")


def exercise_functions(checks, client, label):
    """redis-py's function commands; `label` says which server and protocol."""
    key = "smoke:fn:" + label
    client.function_flush()

    def as_map(reply):
        # A RESP3 map comes as a dict, the same map in RESP2 as a flat list.
        return reply if isinstance(reply, dict) else dict(zip(reply[::2], reply[1::2]))

    def listed(**options):
        # Redis lists a library's functions in its dict's order: sorted here.
        libraries = [as_map(lib) for lib in client.function_list(**options)]
        for library in libraries:
            library[b"functions"] = sorted((as_map(f) for f in library[b"functions"]),
                                           key=lambda f: f[b"name"])
        return libraries

    def stats():
        reply = as_map(client.function_stats())
        engines = as_map(reply[b"engines"])
        reply[b"engines"] = {name: as_map(counts) for name, counts in engines.items()}
        return reply

    functions = [{b"name": b"smoke_get", b"description": b"reads a key", b"flags": [b"no-writes"]},
                 {b"name": b"smoke_set", b"description": None, b"flags": []}]
    checks.check(label + " function_load", lambda: client.function_load(LIBRARY), b"smoke")
    checks.check(label + " fcall", lambda: client.fcall("smoke_set", 1, key, "fv"), b"OK")
    checks.check(label + " fcall_ro", lambda: client.fcall_ro("smoke_get", 1, key), b"fv")
    checks.check(label + " fcall in another case", lambda: client.fcall("SMOKE_GET", 1, key), b"fv")
    checks.check(label + " function_list", listed,
                 [{b"library_name": b"smoke", b"engine": b"LUA", b"functions": functions}])
    checks.check(label + " function_list(library=..., withcode=True)",
                 lambda: listed(library="sm*", withcode=True)[0][b"library_code"],
                 LIBRARY.encode())
    checks.check(label + " function_stats", stats,
                 {b"running_script": None,
                  b"engines": {b"LUA": {b"libraries_count": 1, b"functions_count": 2}}})
    checks.check(label + " function_dump, function_delete, function_restore",
                 lambda: (lambda payload: (client.function_delete("smoke"),
                                           client.function_restore(payload),
                                           client.fcall("smoke_get", 1, key)))(
                     client.function_dump()),
                 (True, True, b"fv"))
    checks.check(label + " function_load of a library that exists",
                 lambda: client.function_load(LIBRARY),
                 "ResponseError: Library 'smoke' already exists")
    checks.check(label + " function_load(replace=True)",
                 lambda: client.function_load(LIBRARY, replace=True), b"smoke")
    checks.check(label + " fcall of no function", lambda: client.fcall("nosuch", 0),
                 "ResponseError: Function not found")
    checks.check(label + " fcall_ro of a function that may write",
                 lambda: client.fcall_ro("smoke_set", 1, key, "x"),
                 "ResponseError: Can not execute a script with write flag using *_ro command.")
    checks.check(label + " function_kill with nothing running", client.function_kill,
                 "ResponseError: NOTBUSY No scripts in execution right now.")
    checks.check(label + " function_flush", client.function_flush, True)


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
    if len(sys.argv) not in (2, 3):
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
        exercise_functions(checks, resp3, "resp3")
        exercise_functions(checks, resp2, "resp2")
        resp3.close()
        resp2.close()
    finally:
        proc.kill()
        proc.wait()
        shutil.rmtree(directory)
    redis_server = sys.argv[2] if len(sys.argv) == 3 else shutil.which("redis-server")
    if redis_server:
        real_port = free_port()
        real_dir = tempfile.mkdtemp(prefix="redis-py-smoke-real-")
        real = subprocess.Popen([redis_server, "--port", str(real_port), "--bind", "127.0.0.1",
                                 "--save", "", "--dir", real_dir], stdout=subprocess.DEVNULL)
        try:
            wait_until_listening(real_port, real)
            for protocol in (3, 2):
                client = redis.Redis(port=real_port, protocol=protocol)
                scripting(checks, client, "redis-server resp%d" % protocol)
                exercise_functions(checks, client, "redis-server resp%d" % protocol)
                client.close()
        finally:
            real.kill()
            real.wait()
            shutil.rmtree(real_dir)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
