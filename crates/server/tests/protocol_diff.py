#!/usr/bin/env python3
"""The request parser against real Redis, byte for byte, over raw sockets.

Usage: python3 crates/server/tests/protocol_diff.py <path-to-keyspace-server> [redis-server]

The compat scripts (keyspace-difftest) speak well-formed RESP only; this sends what a client library never would
(malformed counts and lengths, inline quoting, requests split at odd places, limits) to a
fresh connection on a real redis-server and on keyspace-server, and compares every byte that
comes back, and whether the connection was closed. Prints one line per case, then
`N passed, N failed`; exits 1 when anything differs. Both servers are stopped at the end.
"""
import shutil
import socket
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from serving import free_port, start

BIG = 70000  # beyond the 64 KiB Redis buffers while waiting for a line's end

CASES = [
    # multibulk counts (7.0 accepts up to INT_MAX, and skips counts <= 0)
    [b"*2147483648\r\n"],
    [b"*2147483647\r\n"],
    [b"*1048577\r\n"],
    [b"*abc\r\n"],
    [b"*\r\n"],
    [b"*+1\r\n"],
    [b"*01\r\n"],
    [b"*-0\r\n"],
    [b"*1X1\r\n"],
    [b"*0\r\nPING\r\n"],
    [b"*-5\r\nPING\r\n"],
    [b"*" + b"1" * BIG],
    # bulk lengths
    [b"*1\r\nx3\r\nfoo\r\n"],
    [b"*1\r\n\r\n"],
    [b"*1\r\n$-1\r\n"],
    [b"*1\r\n$536870913\r\n"],
    [b"*1\r\n$536870912\r\n"],
    [b"*1\r\n$\r\n"],
    [b"*1\r\n$+4\r\nPING\r\n"],
    [b"*1\r\n$04\r\nPING\r\n"],
    [b"*1\r\n$ 4\r\nPING\r\n"],
    [b"*1\r\n$" + b"1" * BIG],
    [b"*1\r\n$0\r\n\r\n"],
    # what Redis does not check: the byte after a count's \r, a bulk's trailing two bytes
    [b"*1\rX$4\r\nPINGxxPING\r\n"],
    [b"*1\r\r\n$4\r\nPING\r\n"],
    # inline requests
    [b"PING " + b"a" * BIG],
    [b"ECHO " + b"a" * BIG + b"\r\n"],
    [b"PING \"abc\r\nPING\r\n"],
    [b"ECHO \"a\"b\r\n"],
    [b"'\r\n"],
    [b"\r\n\n  \r\nPING\r\n"],
    [b"PING\nPING\r\n"],
    [b"ECHO \"\\x41\\n\\t\" 'it''s'\r\n"],
    [b"ECHO \"\\x41\\n\\t\"\r\nECHO 'it\\'s'\r\n"],
    [b"ECHO \"\"\r\n"],
    [b"\tECHO\t  x  \r\n"],
    [b"PING\x00abc\r\nPING\r\n"],
    [b"ECHO\r\n"],
    # requests before an error are answered first
    [b"PING\r\n*1\r\n$x\r\n"],
    [b"ECHO a\r\nECHO b\r\n*2\r\n$4\r\nECHO\r\n$1\r\nc\r\n*1\r\n?\r\n"],
    # requests cut at odd places, sent in pieces
    [b"*2\r\n$4\r\nEC", b"HO\r\n$3", b"\r\nabc", b"\r", b"\n"],
    [b"*", b"1\r", b"\n$4\r\nPING\r\n"],
    [b"PI", b"NG\r", b"\n"],
    [b"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPI", b"NG\r\n"],
    # QUIT in a pipeline: answered, then nothing after it runs
    [b"PING\r\nQUIT\r\nPING\r\n"],
    # a NUL in an unknown command's name or arguments: Redis quotes them as C strings
    [b"*3\r\n$5\r\nPI\x00NG\r\n$3\r\na\x00b\r\n$1\r\nc\r\n"],
]
# Known differences, left out above: an unexpected byte above 0x7f where `$` should be
# (Redis prints it raw, our error text holds it as a character: UTF-8).


def exchange(port, pieces):
    """Sends the pieces with short pauses between them; returns what came back and whether
    the server closed the connection."""
    with socket.create_connection(("127.0.0.1", port)) as s:
        for piece in pieces:
            s.sendall(piece)
            time.sleep(0.05)
        s.settimeout(0.3)
        got = b""
        try:
            while True:
                data = s.recv(65536)
                if not data:
                    return got, True
                got += data
        except socket.timeout:
            return got, False
        except ConnectionResetError:
            return got, True


def main():
    if len(sys.argv) not in (2, 3):
        sys.exit(__doc__)
    redis_server = sys.argv[2] if len(sys.argv) == 3 else "redis-server"
    redis_port, ours_port = free_port(), free_port()
    procs = []
    passed = failed = 0
    # Each server in a directory of its own: no stray dump.rdb is loaded, none is left behind.
    directories = [tempfile.mkdtemp(prefix="protocol-diff-") for _ in range(2)]
    try:
        procs.append(start([redis_server, "--port", str(redis_port), "--save", "", "--appendonly", "no",
                            "--dir", directories[0]], redis_port))
        procs.append(start([sys.argv[1], "--port", str(ours_port), "--dir", directories[1]], ours_port))
        # Each case has its own connections and touches no keys, so they can all run at once.
        with ThreadPoolExecutor(max_workers=16) as pool:
            expected = list(pool.map(lambda pieces: exchange(redis_port, pieces), CASES))
            got = list(pool.map(lambda pieces: exchange(ours_port, pieces), CASES))
        for pieces, expected, got in zip(CASES, expected, got):
            name = repr(b"|".join(pieces)[:60])
            if expected == got:
                passed += 1
                print("ok    %s" % name)
            else:
                failed += 1
                print("FAIL  %s\n   redis:  %r\n   target: %r" % (name, expected, got))
    finally:
        for proc in procs:
            proc.kill()
            proc.wait()
        for directory in directories:
            shutil.rmtree(directory)
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
