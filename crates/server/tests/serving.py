"""What the python tests beside it share: a free loopback port, and a server started on it
(keyspace-server or redis-server) that is listening before the test goes on."""
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
