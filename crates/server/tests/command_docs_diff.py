#!/usr/bin/env python3
"""COMMAND DOCS against real Redis, command by command, in RESP2 and RESP3.

Usage: python3 crates/server/tests/command_docs_diff.py <path-to-keyspace-server> [redis-server]

For every command keyspace-server has (subcommands inside their container's entry), the entry
of `COMMAND DOCS name` from a real redis-server and from ours are read as typed RESP values and
compared: the same keys in the same order, the same value types (a map is a map in RESP3, a flag
a status reply), the same argument trees, tokens, flags and versions. Only the prose is ours
and masked: the summary, the complexity and each history note's text (its version is compared).
Prints one line per command and protocol, then `N passed, N failed`; exits 1 when any differ.
"""
import socket
import sys
from serving import free_port, report, start

PROSE = {"summary", "complexity"}


class Conn:
    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    def call(self, *args):
        out = b"*%d\r\n" % len(args)
        for arg in args:
            arg = arg.encode()
            out += b"$%d\r\n%s\r\n" % (len(arg), arg)
        self.sock.sendall(out)
        return self.read()

    def read(self):
        """One reply as (type, value): aggregates hold lists, a map a list of pairs."""
        line = self.file.readline()[:-2]
        kind, rest = line[:1], line[1:]
        if kind in (b"+", b"-"):
            return (kind.decode(), rest.decode())
        if kind == b":":
            return ("int", int(rest))
        if kind == b"$":
            n = int(rest)
            if n < 0:
                return ("null", None)
            data = self.file.read(n + 2)[:-2]
            return ("bulk", data.decode())
        if kind == b"_":
            return ("null", None)
        if kind in (b"*", b"~"):
            n = int(rest)
            return ("array" if kind == b"*" else "set", [self.read() for _ in range(n)])
        if kind == b"%":
            n = int(rest)
            return ("map", [(self.read(), self.read()) for _ in range(n)])
        raise ValueError("unexpected reply %r" % line)


def pairs(value):
    """A map's pairs: RESP3's map, or RESP2's flat array of keys and values."""
    kind, items = value
    if kind == "map":
        return items
    assert kind == "array", value
    return list(zip(items[::2], items[1::2]))


def entry(value, ours):
    """A command's docs entry with the prose masked: (container type, [(key, value)...]).
    Only the subcommands in `ours` (keyspace-server's full names) are kept: one missing from
    COMMAND LIST is another test's business."""
    fields = []
    for key, val in pairs(value):
        name = key[1]
        if name in PROSE:
            val = (val[0], "<ours>")
        elif name == "history":
            # A set: its order is Redis's, the notes are ours.
            val = (val[0], [(kind, [items[0], (items[1][0], "<ours>")]) for kind, items in [h for h in val[1]]])
        elif name == "arguments":
            val = arguments(val)
        elif name == "subcommands":
            subs = [(k, entry(v, ours)) for k, v in pairs(val) if k[1] in ours]
            val = (val[0], sorted(subs))
        fields.append((key, val))
    return (value[0], fields)


def arguments(value):
    kind, items = value
    out = []
    for arg in items:
        fields = []
        for key, val in pairs(arg):
            if key[1] == "arguments":
                val = arguments(val)
            fields.append((key, val))
        out.append((arg[0], fields))
    return (kind, out)


def docs(conn, name, ours):
    reply = pairs(conn.call("COMMAND", "DOCS", name))
    return [(k, entry(v, ours)) for k, v in reply]


def main():
    ours_bin = sys.argv[1]
    redis_bin = sys.argv[2] if len(sys.argv) > 2 else "redis-server"
    rport, oport = free_port(), free_port()
    servers = [
        start([redis_bin, "--port", str(rport), "--save", "", "--appendonly", "no"], rport),
        start([ours_bin, "--port", str(oport)], oport),
    ]
    try:
        redis, ours = Conn(rport), Conn(oport)
        full_names = {n[1] for n in ours.call("COMMAND", "LIST")[1]}
        names = sorted(n for n in full_names if "|" not in n)
        expected, got = [], []
        for protocol in ("2", "3"):
            redis.call("HELLO", protocol)
            ours.call("HELLO", protocol)
            for name in names:
                case = "RESP%s %s" % (protocol, name)
                expected.append((case, docs(redis, name, full_names)))
                got.append((case, docs(ours, name, full_names)))
    finally:
        for server in servers:
            server.kill()
            server.wait()
    report(expected, got)


if __name__ == "__main__":
    main()
