"""What the python tests beside it share: a free loopback port, a server started on it
(keyspace-server or redis-server) that is listening before the test goes on, the report
of what real Redis showed beside what ours did, and the bytes a replication link carried as
each end counts them."""
import socket
import subprocess
import sys
import time


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(argv, port):
    """Starts `argv` and waits until it accepts connections on `port`; exits the test if it
    stops first or never listens."""
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit("%s exited with status %s" % (argv[0], proc.returncode))
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc
        except OSError:
            time.sleep(0.05)
    proc.kill()
    sys.exit("%s did not listen on port %d" % (argv[0], port))


def report(expected, got):
    """Prints each (name, what it showed) pair of real Redis beside ours, `ok` where they are
    the same, then `N passed, N failed`; exits 1 if any differ."""
    passed = failed = 0
    for (name, want), (_, have) in zip(expected, got):
        if want == have:
            passed += 1
            print("ok    %s" % name)
        else:
            failed += 1
            print("FAIL  %s\n   redis : %r\n   target: %r" % (name, want, have))
    print("%d passed, %d failed" % (passed, failed))
    sys.exit(1 if failed else 0)


def net_repl_bytes(primary, replica):
    """The primary's total_net_repl_output_bytes and the replica's _input_bytes (redis-py
    clients), read again (up to three times) if a ping went out between the two reads."""
    for _ in range(3):
        sent = primary.info("stats")["total_net_repl_output_bytes"]
        received = replica.info("stats")["total_net_repl_input_bytes"]
        if sent == received:
            break
        time.sleep(0.2)
    return sent, received
