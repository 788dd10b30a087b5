#!/usr/bin/env python3
"""Persistence failures side by side with real Redis 7.0: what clients are told when a save
fails, and what a server does with an append-only log whose end is damaged.

Usage: python3 crates/server/tests/persist_errors.py <path-to-keyspace-server> [redis-server]

- MISCONF: both servers start with the save point `save 1 1` in a directory of their own,
  save on their timer, then the directory is removed (root ignores permissions, so this is
  how a save is made to fail) and the next save point fails. The same commands (writes,
  reads, PING, transactions, CONFIG SET stop-writes-on-bgsave-error, SAVE) then go to both
  through redis-cli, whose output must be identical, and so must INFO's bgsave status; so
  must the EXEC of a transaction queued before the failure; then a SAVE into a new `dir`
  lifts the refusal, and FLUSHALL saves the empty keyspace.
- A truncated log: redis-server writes a log (every type, a transaction, another database) and
  is killed; copies of its directory get the same damage (the last command cut short, or a
  MULTI left open at the end) and each server starts on its copy. With `aof-load-truncated
  yes` both must load the same keyspace, log the cut at the same offset and cut the file back
  to the same length; with `no` both must refuse to start.

Prints one line per check, then `N passed, N failed`; exits 1 when a check fails.
"""
import os
import re
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import persist_roundtrip as rt  # noqa: E402


def info_field(client, field):
    return str(client.info("persistence").get(field))


def wait_for(client, field, value, what):
    deadline = time.time() + 15
    while info_field(client, field) != value:
        if time.time() > deadline:
            raise RuntimeError("%s: %s never became %s" % (what, field, value))
        time.sleep(0.1)


def cli(port, lines):
    out = subprocess.run(["redis-cli", "-p", str(port)], input="\n".join(lines) + "\n",
                         capture_output=True, text=True, timeout=30)
    return out.stdout


MISCONF_SCRIPT = [
    "SET c 3",
    "DEL nothing",
    "PING",
    "GET a",
    "MULTI", "SET x 1", "EXEC",
    "MULTI", "GET a", "EXEC",
    "MULTI", "PING", "EXEC",
    "SAVE",
    "CONFIG SET stop-writes-on-bgsave-error no",
    "SET c 3",
    "PING",
    "CONFIG SET stop-writes-on-bgsave-error yes",
    "SET d 4",
    "CONFIG SET save \"\"",
    "SET d 4",
    "PING",
    "CONFIG SET save \"1 1\"",
    "SET e 5",
    "GET d",
]


def misconf(checks, binary, redis_server):
    dirs = [tempfile.mkdtemp(prefix="persist-misconf-") for _ in range(2)]
    servers = []
    try:
        protected = ["--enable-protected-configs", "yes"]
        servers.append(rt.Server([redis_server, "--bind", "127.0.0.1", "--save", "1 1",
                                  "--appendonly", "no"] + protected, dirs[0], "redis-server"))
        servers.append(rt.Server([binary, "--save", "1 1"] + protected, dirs[1],
                                 "keyspace-server"))
        for s in servers:
            s.client.set("a", 1)
        for s in servers:
            wait_for(s.client, "rdb_changes_since_last_save", "0", s.name + " saving")
        checks.check("both saved on the save point",
                     all(os.path.exists(os.path.join(d, "dump.rdb")) for d in dirs))
        # A transaction queued while saves still worked, executed after one failed.
        queued = []
        for s in servers:
            connection = s.client.connection_pool.get_connection()
            for command in (("MULTI",), ("SET", "queued", "1")):
                connection.send_command(*command)
                connection.read_response()
            queued.append(connection)
        for d in dirs:
            shutil.rmtree(d)
        for s in servers:
            s.client.set("b", 2)
        for s in servers:
            wait_for(s.client, "rdb_last_bgsave_status", "err", s.name + " failing to save")
        checks.check("both report rdb_last_bgsave_status:err after the failed save point", True)
        aborted = []
        for connection in queued:
            connection.send_command("EXEC")
            try:
                aborted.append(repr(connection.read_response()))
            except rt.redis.ResponseError as e:
                aborted.append(str(e))
            connection.disconnect()
        checks.check("MISCONF: EXEC of a transaction queued before the failure: %s"
                     % aborted[0][:60], aborted[0] == aborted[1], repr(aborted))
        real_out, ours_out = (cli(s.port, MISCONF_SCRIPT) for s in servers)
        checks.check("MISCONF: %d commands answered as redis-server answers them"
                     % len(MISCONF_SCRIPT), real_out == ours_out,
                     "redis-server:\n%s\nkeyspace-server:\n%s" % (real_out, ours_out))
        checks.check("MISCONF: redis-server's refusal is the one expected",
                     real_out.startswith("MISCONF Redis is configured to save RDB snapshots"),
                     real_out[:200])
        for field in ("rdb_last_bgsave_status", "rdb_changes_since_last_save"):
            got = [info_field(s.client, field) for s in servers]
            checks.check("INFO %s: %s" % (field, got[0]), got[0] == got[1], repr(got))
        # A directory that works again: a successful SAVE lifts the refusal; FLUSHALL saves.
        outs = []
        for s in servers:
            fresh = tempfile.mkdtemp(prefix="persist-misconf-fresh-")
            dirs.append(fresh)
            outs.append(cli(s.port, ["CONFIG SET dir " + fresh, "SAVE", "SET f 6", "PING",
                                     "SET g 7", "FLUSHALL"]))
            outs[-1] += "rdb_changes_since_last_save:%s dump.rdb:%s\n" % (
                info_field(s.client, "rdb_changes_since_last_save"),
                os.path.exists(os.path.join(fresh, "dump.rdb")))
        checks.check("MISCONF lifted by a SAVE that works, then FLUSHALL saves: %s"
                     % outs[0].split()[-2:], outs[0] == outs[1], repr(outs))
    finally:
        for s in servers:
            s.stop()
        for d in dirs:
            shutil.rmtree(d, ignore_errors=True)


def starts(argv, directory):
    """Whether a server starts on `directory` (it answers PING with PONG; redis-server listens
    while it loads, answering LOADING) or exits, and what it printed."""
    port = rt.free_port()
    proc = subprocess.Popen(argv + ["--port", str(port), "--dir", directory],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            return False, proc.stdout.read().decode(errors="replace")
        try:
            with rt.socket.create_connection(("127.0.0.1", port), timeout=1) as s:
                s.sendall(b"PING\r\n")
                answered = s.recv(64)
        except OSError:
            answered = b""
        if answered.startswith(b"+PONG"):
            proc.kill()
            proc.wait()
            output = proc.stdout.read().decode(errors="replace")
            proc.stdout.close()
            return True, output
        time.sleep(0.05)
    proc.kill()
    proc.wait()
    raise RuntimeError("%s neither started nor exited" % argv[0])


def loaded(client):
    """Waits while a server answers LOADING."""
    deadline = time.time() + 30
    while True:
        try:
            client.ping()
            return
        except rt.redis.BusyLoadingError:
            if time.time() > deadline:
                raise
            time.sleep(0.05)


def incr_path(directory):
    aof_dir = os.path.join(directory, "appendonlydir")
    return os.path.join(aof_dir, [n for n in os.listdir(aof_dir) if n.endswith(".incr.aof")][0])


def truncated_logs(checks, binary, redis_server):
    def real_aof(d, truncated="yes"):
        return [redis_server, "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
                "--aof-load-truncated", truncated]

    def ours_aof(d, truncated="yes"):
        return [binary, "--appendonly", "yes", "--aof-load-truncated", truncated]

    source = tempfile.mkdtemp(prefix="persist-aof-source-")
    try:
        w = rt.Server(real_aof(source), source, "redis-server")
        try:
            rt.aof_workload(w.client)
            pipe = w.client.pipeline(transaction=True)
            pipe.set("tx:last", "1")
            pipe.incr("tx:counter")
            pipe.execute()
            w.client.set("last", "whole")
        finally:
            w.stop()
        with open(incr_path(source), "rb") as f:
            log = f.read()
        open_multi = b"*1\r\n$5\r\nMULTI\r\n*3\r\n$3\r\nSET\r\n$1\r\nz\r\n$1\r\n1\r\n"
        for label, damaged in (("the last command cut short", log[:-5]),
                               ("a MULTI left open at the end", log + open_multi)):
            for truncated in ("yes", "no"):
                copies, outcomes, spaces, sizes = [], [], [], []
                for start in (real_aof, ours_aof):
                    d = tempfile.mkdtemp(prefix="persist-aof-damaged-")
                    copies.append(d)
                    shutil.copytree(os.path.join(source, "appendonlydir"),
                                    os.path.join(d, "appendonlydir"))
                    with open(incr_path(d), "wb") as f:
                        f.write(damaged)
                    argv = start(d, truncated)
                    outcomes.append(starts(argv, d))
                    if truncated == "yes" and outcomes[-1][0]:
                        s = rt.Server(argv, d, argv[0])
                        try:
                            loaded(s.client)
                            # Replays differ in the consumers' seen-times (each its clock).
                            spaces.append(rt.without(rt.keyspace(s.client)))
                        finally:
                            s.stop()
                        sizes.append(os.path.getsize(incr_path(d)))
                try:
                    name = "AOF with %s, aof-load-truncated %s" % (label, truncated)
                    if truncated == "no":
                        checks.check(name + ": both refuse to start",
                                     not outcomes[0][0] and not outcomes[1][0],
                                     repr(outcomes))
                        continue
                    checks.check(name + ": both start", outcomes[0][0] and outcomes[1][0],
                                 repr(outcomes))
                    cuts = [re.findall(r"!!! Truncating the AOF \S+ at offset (\d+) !!!", out)
                            for _, out in outcomes]
                    checks.check(name + ": both log the cut at offset %s" % cuts[0],
                                 cuts[0] and cuts[0] == cuts[1], repr(outcomes))
                    if len(spaces) == 2:
                        checks.same(name + ": the same keyspace loaded", spaces[0], spaces[1])
                        checks.check(name + ": the file cut back to %d bytes by both"
                                     % sizes[0], sizes[0] == sizes[1], repr(sizes))
                finally:
                    for d in copies:
                        shutil.rmtree(d)
    finally:
        shutil.rmtree(source)


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    redis_server = sys.argv[2] if len(sys.argv) > 2 else "redis-server"
    checks = rt.Checks()
    misconf(checks, binary, redis_server)
    truncated_logs(checks, binary, redis_server)
    print("%d passed, %d failed" % (checks.passed, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
