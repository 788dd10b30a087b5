#!/usr/bin/env python3
"""Refused connections against real Redis: maxclients and protected mode, and how INFO counts them.

Usage: python3 crates/server/tests/connections_diff.py <path-to-keyspace-server> [redis-server]

Starts a real redis-server and keyspace-server with `maxclients 2`, listening on loopback and
on this host's other address, and on each: fills the clients, opens one more (refused with
"max number of clients reached"), opens one from the other address while the default user has
no password (refused by protected mode), lowers maxclients with CONFIG SET and opens one more,
then reads INFO's rejected_connections, total_connections_received, connected_clients and
maxclients. Every byte a refused connection receives, and every reply, must be the same on
both. Then the bytes INFO counts as read from and written to clients (total_net_input_bytes,
total_net_output_bytes) over a few commands, a pipeline and an inline command. Prints one line per check, then `N passed, N failed`; exits 1 when anything differs.
Without an address other than loopback, the protected-mode step is left out (and said so).
"""
import shutil
import socket
import sys
import tempfile
import time
from serving import free_port, report, start


def other_address():
    """An IPv4 address of this host other than loopback, or None. Connecting a UDP socket
    sends nothing; it only picks the address a packet would leave from."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("198.51.100.1", 9))
            address = s.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def command(sock, *args):
    """Sends one command and returns its reply's bytes (one read is enough for these)."""
    request = b"*%d\r\n" % len(args)
    for arg in args:
        arg = arg.encode()
        request += b"$%d\r\n%s\r\n" % (len(arg), arg)
    sock.sendall(request)
    time.sleep(0.05)
    return sock.recv(65536)


def refused(host, port):
    """What a new connection receives before the server closes it (or within a second)."""
    with socket.create_connection((host, port)) as s:
        s.settimeout(1)
        got = b""
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    return got, "closed"
                got += data
        except socket.timeout:
            return got, "open"
        except ConnectionResetError:
            return got, "closed"


def info_fields(sock, names):
    text = command(sock, "INFO", "everything").decode()
    fields = dict(line.split(":", 1) for line in text.split("\r\n") if ":" in line)
    return {name: fields.get(name) for name in names}


def scenario(port, other):
    """Runs the steps on one server and returns what each showed, in order."""
    seen = []
    first = socket.create_connection(("127.0.0.1", port))
    # The connection that found the server listening may not be closed on the server's side
    # yet (a loaded machine): wait until `first` is the only client, or it counts against
    # maxclients.
    deadline = time.time() + 10
    while info_fields(first, ["connected_clients"])["connected_clients"] != "1" \
            and time.time() < deadline:
        time.sleep(0.02)
    second = socket.create_connection(("127.0.0.1", port))
    seen.append(("the two clients answer", command(first, "PING") + command(second, "PING")))
    seen.append(("a third is refused", refused("127.0.0.1", port)))
    second.close()
    time.sleep(0.2)
    if other:
        seen.append(("another host, no password", refused(other, port)))
    seen.append(("CONFIG SET maxclients 1", command(first, "CONFIG", "SET", "maxclients", "1")))
    seen.append(("CONFIG GET maxclients", command(first, "CONFIG", "GET", "maxclients")))
    seen.append(("beyond the new limit", refused("127.0.0.1", port)))
    seen.append(("CONFIG SET maxclients 0", command(first, "CONFIG", "SET", "maxclients", "0")))
    seen.append(("CONFIG SET maxclients x", command(first, "CONFIG", "SET", "maxclients", "x")))
    names = ["rejected_connections", "total_connections_received", "connected_clients", "maxclients"]
    seen.append(("INFO", info_fields(first, names)))
    first.close()
    return seen


def net_bytes(port):
    """What INFO's byte counters moved by over a fixed exchange: read, and written less the
    first INFO's own reply (whose length differs between servers)."""
    sock = socket.create_connection(("127.0.0.1", port))
    names = ["total_net_input_bytes", "total_net_output_bytes"]
    first = command(sock, "INFO", "stats")
    fields = dict(line.split(":", 1) for line in first.decode().split("\r\n") if ":" in line)
    before = [int(fields[n]) for n in names]
    command(sock, "SET", "k", "a value")
    command(sock, "GET", "k")
    command(sock, "MGET", "k", "nothing")
    sock.sendall(b"PING\r\n")
    sock.recv(100)
    sock.sendall(b"*1\r\n$4\r\nPING\r\n*2\r\n$4\r\nECHO\r\n$2\r\nhi\r\n")
    got = b""
    while got.count(b"\r\n") < 3:
        got += sock.recv(100)
    after = info_fields(sock, names)
    sock.close()
    return {"read": int(after[names[0]]) - before[0],
            "written less the first INFO": int(after[names[1]]) - before[1] - len(first)}


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    redis_server = sys.argv[2] if len(sys.argv) == 3 else "redis-server"
    other = other_address()
    bind = ["127.0.0.1"] + ([other] if other else [])
    redis_port, ours_port = free_port(), free_port()
    dirs = [tempfile.mkdtemp(), tempfile.mkdtemp()]
    procs = []
    try:
        common = ["--maxclients", "2", "--bind"] + bind
        procs.append(start([redis_server, "--port", str(redis_port), "--save", "", "--appendonly", "no",
                            "--dir", dirs[0]] + common, redis_port))
        procs.append(start([sys.argv[1], "--port", str(ours_port), "--dir", dirs[1]] + common, ours_port))
        expected = scenario(redis_port, other)
        got = scenario(ours_port, other)
        expected.append(("INFO's bytes read and written", net_bytes(redis_port)))
        got.append(("INFO's bytes read and written", net_bytes(ours_port)))
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)
    if not other:
        print("skip  another host, no password: this host has no address but loopback")
    report(expected, got)


if __name__ == "__main__":
    main()
