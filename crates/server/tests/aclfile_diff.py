#!/usr/bin/env python3
"""The ACL file (`aclfile`) against real Redis: ACL LOAD, ACL SAVE, and loading at start.

Usage: python3 crates/server/tests/aclfile_diff.py <path-to-keyspace-server> [redis-server]

Each server gets its own directory and its own copy of every file, given as `--aclfile
users.acl` relative to `--dir`, so the paths in the replies agree. The same steps run on a real
redis-server and on keyspace-server: ACL LIST of the file loaded at start, CONFIG GET/SET
aclfile, ACL SAVE (the file's bytes are compared too), ACL LOAD of a file full of errors (the
error lists every one; nothing changes), of a good file (a connection of a user it replaces is
closed), of a missing file; then a start on a bad file and on a missing one, which both servers
refuse (exit status and the error text after "Aborting Redis startup because of ACL errors:",
as far as redis-server's log line, cut at 1024 bytes, shows it).
Prints one line per check, then `N passed, N failed`; exits 1 when anything differs.

Redis 7.0.15 crashes on a line whose unmatched `(` follows other words (`user a (x) (y`): the
files here leave that out.
"""
import os
import shutil
import socket
import subprocess
import sys
import tempfile
from serving import free_port, report, start

START = b"user default on nopass ~* &* +@all\nuser alice on >pw ~a* +get\n"

# One error of every kind ACLLoadFromFile reports, each on its own line.
BAD = b"".join([
    b"user default on nopass ~* &* +@all\n",
    b"foo bar\n",
    b"user\n",
    b"User carol on\n",
    b"user bob on >x +nosuch -nosuch2 +@nosuch\n",
    b"user dan on nonsense other-nonsense\n",
    b"user \"a b\" on\n",
    b"user a\tb on\n",
    b"user alice on\n",
    b"user alice off\n",
    b"user erin on ~x ~* ~y\n",
    b"user fay #abc\n",
    b"user gus <nopw\n",
    b"user hal +client|id|x\n",
    b"user ian (+get\n",
    b"user jo on (~x +get) (+nosuch) (foo)\n",
    b"   \n",
    b"\t\n",
])

# Good: CRLF line ends, blank lines, selectors split at spaces, no default user (a fresh one).
GOOD = (b"user alice on >pw2 %R~a* +@hash\r\n\r\n"
        b"user kim on nopass ( +get ~k* ) (&chan +publish)\r\n"
        b"user lee off resetchannels &x* +ping\n")


class Client:
    """A RESP2 connection that returns replies as Python values (errors as ('error', text))."""

    def __init__(self, port):
        self.sock = socket.create_connection(("127.0.0.1", port))
        self.file = self.sock.makefile("rb")

    def __call__(self, *args):
        request = b"*%d\r\n" % len(args)
        for arg in args:
            arg = arg.encode() if isinstance(arg, str) else arg
            request += b"$%d\r\n%s\r\n" % (len(arg), arg)
        self.sock.sendall(request)
        return self.read()

    def read(self):
        line = self.file.readline()
        if not line:
            return "closed"
        kind, rest = line[:1], line[1:-2]
        if kind == b"+":
            return rest
        if kind == b"-":
            return ("error", rest)
        if kind == b":":
            return int(rest)
        if kind == b"$":
            n = int(rest)
            return None if n < 0 else self.file.read(n + 2)[:-2]
        if kind == b"*":
            n = int(rest)
            return None if n < 0 else [self.read() for _ in range(n)]
        raise ValueError(line)


def running(argv, directory):
    """The steps while the server runs, as (name, what it showed) pairs."""
    seen = []
    path = os.path.join(directory, "users.acl")

    def write(contents):
        with open(path, "wb") as f:
            f.write(contents)

    port = free_port()
    proc = start(argv + ["--port", str(port), "--dir", directory, "--aclfile", "users.acl"], port)
    try:
        admin = Client(port)
        seen.append(("ACL LIST of the file loaded at start", admin("ACL", "LIST")))
        seen.append(("CONFIG GET aclfile", admin("CONFIG", "GET", "aclfile")))
        seen.append(("CONFIG SET aclfile", admin("CONFIG", "SET", "aclfile", "other.acl")))
        admin("ACL", "SETUSER", "bob", "on", ">b", "~*", "&*", "+@all", "-flushall", "(+get ~x)")
        seen.append(("ACL SAVE", admin("ACL", "SAVE")))
        with open(path, "rb") as f:
            seen.append(("the file ACL SAVE wrote", f.read()))
        write(BAD)
        seen.append(("ACL LOAD of a file with errors", admin("ACL", "LOAD")))
        seen.append(("ACL LIST after it", admin("ACL", "LIST")))
        alice = Client(port)
        seen.append(("AUTH alice", alice("AUTH", "alice", "pw")))
        write(GOOD)
        seen.append(("ACL LOAD of a good file", admin("ACL", "LOAD")))
        seen.append(("ACL LIST after it", admin("ACL", "LIST")))
        seen.append(("alice's old connection", alice("PING")))
        seen.append(("the default user's connection", admin("PING")))
        os.remove(path)
        seen.append(("ACL LOAD of a missing file", admin("ACL", "LOAD")))
    finally:
        proc.kill()
        proc.wait()
    return seen


def refused_at_start(argv, directory, contents):
    """A start on `contents` (None: no file): its exit status and the errors it printed."""
    path = os.path.join(directory, "users.acl")
    if contents is None:
        if os.path.exists(path):
            os.remove(path)
    else:
        with open(path, "wb") as f:
            f.write(contents)
    port = free_port()
    run = subprocess.run(argv + ["--port", str(port), "--dir", directory, "--aclfile", "users.acl"],
                         capture_output=True, timeout=30)
    marker = b"Aborting Redis startup because of ACL errors: "
    output = run.stdout + run.stderr
    at = output.find(marker)
    errors = output[at + len(marker):].split(b"\n")[0] if at >= 0 else output
    # redis-server's log lines stop at 1024 bytes, the date and pid included.
    return run.returncode, errors[:800]


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    redis_server = sys.argv[2] if len(sys.argv) == 3 else "redis-server"
    servers = [[redis_server, "--save", "", "--appendonly", "no"], [sys.argv[1]]]
    results = []
    for argv in servers:
        directory = tempfile.mkdtemp()
        try:
            with open(os.path.join(directory, "users.acl"), "wb") as f:
                f.write(START)
            seen = running(argv, directory)
            seen.append(("start on a file with errors", refused_at_start(argv, directory, BAD)))
            seen.append(("start on a missing file", refused_at_start(argv, directory, None)))
            results.append(seen)
        finally:
            shutil.rmtree(directory, ignore_errors=True)
    report(*results)


if __name__ == "__main__":
    main()
