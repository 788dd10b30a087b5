#!/usr/bin/env python3
"""Client-side caching through redis-py, against keyspace-server and a real redis-server.

Usage: python3 crates/server/tests/tracking_redis_py.py <path-to-keyspace-server> [redis-server]

redis-py's own client-side cache refuses servers older than 7.4, so this drives CLIENT
TRACKING itself, on redis-py's RESP3 connections with an invalidation push handler (the door
its cache uses), and on a RESP2 connection subscribed to `__redis__:invalidate` for the
redirect case. Each scenario records, in the order the connection saw them, the replies it
read and the invalidations its handler was given, so the order of an invalidation and the
reply of the command that caused it is checked too. Both servers run the same scenarios;
what they showed is compared line by line and reported as `N passed, N failed` (exit 1 when
any differ). The servers are stopped at the end.
"""
import shutil
import sys
import tempfile

import redis
from serving import free_port, report, start


class Tracked:
    """A RESP3 connection whose replies and invalidation pushes land in one log, in order."""

    def __init__(self, port):
        self.log = []
        self.conn = redis.Connection(host="127.0.0.1", port=port, protocol=3)
        self.conn.connect()
        self.conn._parser.set_invalidation_push_handler(self.pushed)

    def pushed(self, message):
        self.log.append(("invalidate", message[1]))

    def run(self, *args):
        self.conn.send_command(*args)
        reply = self.conn.read_response()
        self.log.append(reply)
        return reply

    def settle(self):
        """Whatever was pushed after the last reply is read ahead of a PING's."""
        self.run("PING")
        return list(self.log)

    def close(self):
        self.conn.disconnect()


def scenarios(port):
    plain = redis.Redis(host="127.0.0.1", port=port, protocol=2)
    plain.flushall()
    seen = []

    # Default mode: a key read, then changed by another client.
    t = Tracked(port)
    t.run("CLIENT", "TRACKING", "ON")
    plain.set("price", 10)
    t.run("GET", "price")
    plain.set("price", 12)
    seen.append(("invalidation from another client", t.settle()))

    # Its own write: the invalidation follows the reply.
    t.log.clear()
    t.run("GET", "price")
    t.run("SET", "price", 13)
    seen.append(("own write, after the reply", t.settle()))

    # A transaction: after EXEC's reply.
    t.log.clear()
    t.run("MSET", "a", 1, "b", 2)
    t.run("MGET", "a", "b")
    t.run("MULTI")
    t.run("INCR", "a")
    t.run("DEL", "b")
    t.run("EXEC")
    seen.append(("transaction, after EXEC", t.settle()))

    # A flush: a null for every key.
    t.log.clear()
    t.run("GET", "a")
    plain.flushdb()
    seen.append(("flush", t.settle()))

    # OPTIN: only after CLIENT CACHING YES.
    t.log.clear()
    t.run("CLIENT", "TRACKING", "OFF")
    t.run("CLIENT", "TRACKING", "ON", "OPTIN")
    t.run("GET", "o1")
    t.run("CLIENT", "CACHING", "YES")
    t.run("GET", "o2")
    plain.mset({"o1": 1, "o2": 2})
    seen.append(("optin", t.settle()))

    # BCAST with prefixes, and NOLOOP.
    t.log.clear()
    t.run("CLIENT", "TRACKING", "OFF")
    t.run("CLIENT", "TRACKING", "ON", "BCAST", "PREFIX", "user:", "PREFIX", "cart:", "NOLOOP")
    plain.mset({"user:1": "a", "cart:1": "b", "other": "c"})
    t.run("SET", "user:2", "mine")
    seen.append(("bcast with prefixes and noloop", t.settle()))
    seen.append(("trackinginfo", t.run("CLIENT", "TRACKINGINFO")))
    t.close()

    # Redirect to another RESP3 connection.
    target = Tracked(port)
    target_id = target.run("CLIENT", "ID")
    source = Tracked(port)
    source.run("CLIENT", "TRACKING", "ON", "REDIRECT", target_id)
    source.run("GET", "r")
    plain.set("r", 1)
    target.log.clear()
    source.log.clear()
    seen.append(("redirect: the target hears", target.settle()))
    seen.append(("redirect: the source does not", source.settle()))
    source.close()
    target.close()

    # Redirect to a RESP2 connection subscribed to __redis__:invalidate.
    listener = plain.pubsub()
    listener.subscribe("__redis__:invalidate")
    listener.get_message(timeout=1)
    # A subscribed RESP2 connection may not send CLIENT ID: it is the one pub/sub client.
    [listener_id] = [c["id"] for c in plain.client_list(_type="pubsub")]
    source = Tracked(port)
    source.run("CLIENT", "TRACKING", "ON", "REDIRECT", listener_id)
    source.run("GET", "s")
    plain.set("s", 1)
    message = listener.get_message(timeout=2)
    while message is not None and message["type"] != "message":
        message = listener.get_message(timeout=2)
    seen.append(("redirect to a RESP2 subscriber", message and message["data"]))
    listener.close()
    source.close()
    plain.close()
    return seen


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    ours = sys.argv[1]
    real = sys.argv[2] if len(sys.argv) > 2 else shutil.which("redis-server")
    if real is None:
        sys.exit("redis-server is not on the PATH")
    results = []
    for argv in ([real, "--save", "", "--appendonly", "no"], [ours]):
        port = free_port()
        with tempfile.TemporaryDirectory() as d:
            proc = start(argv + ["--port", str(port), "--dir", d], port)
            try:
                results.append(scenarios(port))
            finally:
                proc.terminate()
                proc.wait()
    report(results[0], results[1])


if __name__ == "__main__":
    main()
