#!/usr/bin/env python3
"""Snapshots exchanged with real Redis 7.0: keyspace-server's dump.rdb loads in redis-server and
redis-server's in keyspace-server, DUMP payloads RESTORE both ways, and damaged files are refused.
Function libraries travel with the keys, and FUNCTION DUMP payloads both ways.

Usage: python3 crates/server/tests/persist_roundtrip.py <path-to-keyspace-server> [redis-server]

Each side is filled with the same data (every type, in both of its encodings, integers and
binary strings, expiries, three databases, two function libraries, streams with several
nodes, tombstones, consumer groups and PELs), then SAVEs; the other side
starts on that file with --dir/--dbfilename and every key is compared: type, value, expiry to
the millisecond and OBJECT ENCODING; every library too: its code, its functions' names,
descriptions and flags, and what calling them answers. Then every key's DUMP is RESTOREd on the other side and compared again. Damaged
copies of a file (cut short, one byte flipped, a wrong checksum) must stop keyspace-server at
start with a message and serve nothing; damaged payloads must get Redis's own RESTORE errors.
DEBUG RELOAD must give back the same keyspace and Redis's encodings. FUNCTION DUMP payloads
restore on the other side, with the same bytes as redis-server's. The append-only log carries
FUNCTION FLUSH and LOAD both ways, and stream commands as redis-server logs them. A stream
payload as Redis 5 and 6 wrote it (RDB type 15), built by hand, loads as redis-server loads it. Prints one line per check, then `N passed, N failed`; exits
1 when a check fails.
"""
import hashlib
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

import redis
from serving import free_port


class Server:
    """A server process on a free port in `directory`, stopped by stop()."""

    def __init__(self, argv, directory, name):
        self.port = free_port()
        self.name = name
        self.proc = subprocess.Popen(
            argv + ["--port", str(self.port), "--dir", directory],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.time() + 30
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError("%s exited at start: %s" % (
                    name, self.proc.stderr.read().decode(errors="replace").strip()))
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                break
            except OSError:
                if time.time() > deadline:
                    raise RuntimeError("%s did not listen within 30 s" % name)
                time.sleep(0.05)
        self.client = redis.Redis(port=self.port, protocol=2)

    def stop(self):
        self.proc.kill()
        self.proc.wait()
        self.proc.stderr.close()


def ours(binary, directory):
    return Server([binary, "--enable-debug-command", "yes"], directory, "keyspace-server")


def real(redis_server, directory):
    return Server([redis_server, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                   "--enable-debug-command", "yes"], directory, "redis-server")


# Far enough ahead to survive the test, with milliseconds that must come back exactly.
EXPIRE_AT = int(time.time() * 1000) + 10 ** 9 + 123


# Two libraries (long enough for LZF): one function with flags and a description, one without.
LIBRARIES = [
    "#!lua name=persisted\n"
    "local prefix = 'persisted:'\n"
    "redis.register_function{function_name='pr_echo', callback=function(keys, args)\n"
    "  return {prefix .. keys[1], args[1]}\n"
    "end, flags={'no-writes', 'allow-stale'}, description='echoes its key and argument'}\n"
    "redis.register_function('pr_dbsize', function() return redis.call('DBSIZE') end)",
    "#!lua name=persisted_too\n"
    "redis.register_function('pr_type', function(keys) return redis.call('TYPE', keys[1]) end)",
]


def fill(r):
    """The same data on any server: every type in both encodings, in databases 0, 1 and 3, and
    the function libraries."""
    r.flushall()
    r.function_flush()
    for code in LIBRARIES:
        r.function_load(code)
    r.set("s:small-int", 12345)
    r.set("s:int64", -9223372036854775808)
    r.set("s:11-digits", "12345678901")
    r.set("s:leading-zero", "007")
    r.set("s:text", "hello world")
    r.set("s:compressible", "abc" * 200)
    r.set("s:binary", bytes(range(256)) * 3)
    r.set("s:empty", "")
    # Longer than a snapshot's 512 KiB chunk, of bytes LZF cannot shrink: the file is written
    # in several chunks, cut inside this value.
    r.set("s:past-a-chunk", b"".join(hashlib.sha256(b"%d" % i).digest() for i in range(24000)))
    r.rpush("l:small", "a", "1", "-3", "4096", "70000", "5000000000", "x" * 70)
    r.rpush("l:nodes", *[("e%d" % i) * (i % 7 + 1) if i % 3 else str(i * 997) for i in range(3000)])
    r.rpush("l:big-element", "y" * 20000, "z")
    r.hset("h:listpack", mapping={"f1": "v1", "n": 42, "neg": -42, "empty": ""})
    # 600: past hash-max-listpack-entries whether it is 128 (7.0's default) or 512 (this
    # machine's redis-server build says 512).
    r.hset("h:many", mapping={"field%d" % i: i for i in range(600)})
    r.hset("h:long-value", mapping={"f": "v" * 100, "g": "w"})
    r.sadd("set:intset", 1, 2, 3, -100, 70000, 5000000000)
    r.sadd("set:intset16", 1, 2, 3)
    r.sadd("set:big-intset", *range(600))
    r.sadd("set:strings", "a", "b", "010", "c" * 80)
    r.zadd("z:listpack", {"a": 1.5, "b": -2, "c": 0, "d": float("inf"), "e": float("-inf"),
                          "f": 1e300, "g": 0.1, "h": 12345678901})
    r.zadd("z:skiplist", {"m%d" % i: i / 3 for i in range(200)})
    r.zadd("z:long-member", {"m" * 100: 1, "n": 2})
    # Bitmaps and HyperLogLogs are strings (raw: longer than an embstr, which a load makes of
    # shorter ones), geo sets are sorted sets.
    r.setbit("bits:sparse", 1000, 1)
    r.setbit("bits:sparse", 7, 1)
    r.execute_command("BITFIELD", "bits:field", "SET", "u8", "#60", 200, "INCRBY", "i16", 3, -5)
    r.pfadd("hll:sparse", *["e%d" % i for i in range(40)])
    r.pfcount("hll:sparse")
    r.pfadd("hll:dense", *["d%d" % i for i in range(5000)])
    r.execute_command("GEOADD", "geo:listpack", 13.361389, 38.115556, "Palermo",
                      15.087269, 37.502669, "Catania")
    r.execute_command("GEOADD", "geo:skiplist",
                      *[x for i in range(200) for x in (i * 1.7 - 170, i * 0.8 - 80, "p%d" % i)])
    r.set("ttl:string", "v")
    r.pexpireat("ttl:string", EXPIRE_AT)
    r.rpush("ttl:list", "a")
    r.pexpireat("ttl:list", EXPIRE_AT + 1)
    r.select(1)
    r.set("db1:key", "in db 1")
    r.hset("db1:hash", "f", "v")
    r.pexpireat("db1:hash", EXPIRE_AT + 2)
    r.select(3)
    r.sadd("db3:set", "x", "y")
    r.select(0)
    fill_streams(r)


def fill_streams(r):
    """Streams in the shapes a snapshot must carry: several nodes (stream-node-max-entries 4)
    with entries of two shapes, tombstones (a node's deleted count, the first entry deleted
    under its master entry, a node emptied and dropped), trims, a large stream LZF compresses,
    consumer groups with PELs (one entry claimed, one pending whose entry was deleted),
    consumers with and without pending entries, set read counters, an empty stream that keeps
    its last ID, one made empty by MKSTREAM, one with a TTL in database 1. Explicit IDs
    throughout, so that both servers build the same bytes; the streams with consumers are
    `xc:` (their seen-times are each server's clock)."""
    r.config_set("stream-node-max-entries", 4)
    for i in range(1, 31):
        shape = ["other", "x" * i, "n", i] if i % 7 == 0 else ["n", i, "name", "e%d" % i]
        r.execute_command("XADD", "x:nodes", "%d-%d" % (1000 + i, i % 3), *shape)
    # The first entry (the master entry stays), one in the middle, a whole node, the last.
    r.execute_command("XDEL", "x:nodes", "1001-1", "1006-0", "1009-0", "1010-1", "1011-2",
                      "1012-0", "1030-0")
    for i in range(1, 51):
        r.execute_command("XADD", "x:trimmed", "%d-0" % i, "f", "v%d" % i)
    r.execute_command("XTRIM", "x:trimmed", "MAXLEN", "~", 40)
    r.execute_command("XTRIM", "x:trimmed", "MINID", "19-0")
    for i in range(1, 13):
        r.execute_command("XADD", "xc:groups", "%d-0" % i, "f", i, "g", "same fields")
    r.execute_command("XGROUP", "CREATE", "xc:groups", "g1", "0")
    r.execute_command("XREADGROUP", "GROUP", "g1", "alice", "COUNT", 4, "STREAMS",
                      "xc:groups", ">")
    r.execute_command("XREADGROUP", "GROUP", "g1", "bob", "COUNT", 3, "STREAMS",
                      "xc:groups", ">")
    r.execute_command("XACK", "xc:groups", "g1", "2-0")
    r.execute_command("XCLAIM", "xc:groups", "g1", "bob", 0, "3-0")
    r.execute_command("XCLAIM", "xc:groups", "g1", "bob", 0, "4-0", "TIME", EXPIRE_AT,
                      "RETRYCOUNT", 7)
    r.execute_command("XGROUP", "CREATECONSUMER", "xc:groups", "g1", "c\x00arol")
    r.execute_command("XGROUP", "CREATE", "xc:groups", "g2", "$")
    r.execute_command("XGROUP", "CREATE", "xc:groups", "g3", "5-0", "ENTRIESREAD", 3)
    r.execute_command("XREADGROUP", "GROUP", "g3", "dave", "NOACK", "COUNT", 2, "STREAMS",
                      "xc:groups", ">")
    # Pending in g1 (bob's), its entry gone: XINFO shows the PEL entry, XCLAIM drops it.
    r.execute_command("XDEL", "xc:groups", "6-0")
    r.execute_command("XADD", "x:empty", "5-5", "f", "v")
    r.execute_command("XDEL", "x:empty", "5-5")
    r.execute_command("XSETID", "x:empty", "10-10", "ENTRIESADDED", 7, "MAXDELETEDID", "9-9")
    r.execute_command("XGROUP", "CREATE", "x:mkstream", "g", "$", "MKSTREAM")
    r.config_set("stream-node-max-entries", 100)
    # Past one node of 100, values that repeat: LZF compresses the nodes.
    for i in range(1, 251):
        r.execute_command("XADD", "x:big", "%d-%d" % (i // 3 + 1, i % 3), "field", "abc" * 20,
                          "n", i)
    r.select(1)
    r.execute_command("XADD", "db1:stream", "1-1", "f", "v")
    r.pexpireat("db1:stream", EXPIRE_AT + 3)
    r.select(0)


def raw(r, *args):
    """A command's reply as the server sent it, without redis-py's parsing (which turns a
    stream's entries into dicts, losing repeated fields and their order)."""
    connection = r.connection_pool.get_connection()
    try:
        connection.send_command(*args)
        return connection.read_response()
    finally:
        r.connection_pool.release(connection)


def read_stream(r, key):
    """A stream entry by entry (XRANGE), whole (XINFO STREAM FULL: nodes, IDs, counters,
    groups with their PELs, consumers with theirs), and as XINFO GROUPS (lags) and XPENDING
    (per consumer) read it."""
    groups = raw(r, "XINFO", "GROUPS", key)
    return (raw(r, "XRANGE", key, "-", "+"), raw(r, "XINFO", "STREAM", key, "FULL", "COUNT", 0),
            groups, [raw(r, "XPENDING", key, pairs(g)[b"name"]) for g in groups])


# What differs in a stream between two servers holding the same data: each consumer's
# seen-time is its server's clock, and so is each PEL entry's delivery time unless it was set
# (XCLAIM ... TIME, as a log replays it).
CLOCKS = (b"seen-time",)
# What a replayed log rebuilds otherwise than the writer held it, in Redis as here: the nodes
# follow the reader's stream-node-max-entries (CONFIG SET is not logged), and a group's read
# counter is not logged (XREADGROUP is logged as XCLAIMs with LASTID, which leave it unknown).
REPLAYED = CLOCKS + (b"radix-tree-keys", b"radix-tree-nodes", b"entries-read", b"lag")


def blanked(value, names, delivery_times):
    """A stream as read_stream() reads it with the values of `names` (in XINFO's flat
    name-value lists) blanked, and when `delivery_times` the PEL entries' delivery times."""
    if not isinstance(value, (list, tuple)):
        return value
    shape = [type(v) for v in value]
    if delivery_times and shape == [bytes, bytes, int, int]:
        return [value[0], value[1], None, value[3]]
    if delivery_times and shape == [bytes, int, int]:
        return [value[0], None, value[2]]
    out = [blanked(v, names, delivery_times) for v in value]
    for i in range(len(out) - 1):
        if out[i] in names:
            out[i + 1] = None
    return out


def without(space, names=CLOCKS, delivery_times=False):
    """A keyspace with its streams blanked()."""
    return {k: (v[0], blanked(v[1], names, delivery_times)) + v[2:] if v[0] == "stream" else v
            for k, v in space.items()}


def read_key(r, key):
    kind = r.type(key).decode()
    if kind == "string":
        value = r.get(key)
    elif kind == "list":
        value = r.lrange(key, 0, -1)
    elif kind == "hash":
        value = sorted(r.hgetall(key).items())
    elif kind == "set":
        value = sorted(r.smembers(key))
    elif kind == "zset":
        value = sorted(r.zrange(key, 0, -1, withscores=True))
    elif kind == "stream":
        value = read_stream(r, key)
    else:
        value = None
    return (kind, value, r.pexpiretime(key), r.object("encoding", key))


def keyspace(r):
    """Every key of databases 0 to 15 with its type, value, expiry and encoding, and every
    function library."""
    found = {}
    for db in range(16):
        r.select(db)
        for key in r.scan_iter(count=1000):
            found[(db, key)] = read_key(r, key)
    r.select(0)
    found.update(libraries(r))
    return found


def pairs(flat):
    return dict(zip(flat[::2], flat[1::2]))


def libraries(r):
    """Every library as ("library", its code, its functions (name, description, flags), what
    calling each answers), under ("functions", its name)."""
    found = {}
    for library in r.function_list(withcode=True):
        library = pairs(library)
        functions = sorted((f[b"name"], f[b"description"], sorted(f[b"flags"]))
                           for f in map(pairs, library[b"functions"]))
        calls = []
        for name, _, _ in functions:
            try:
                calls.append(r.fcall(name, 1, "s:text", "arg"))
            except redis.ResponseError as e:
                calls.append("error: %s" % e)
        found[("functions", library[b"library_name"])] = (
            "library", library[b"library_code"], functions, calls)
    return found


class Checks:
    def __init__(self):
        self.passed = self.failed = 0

    def check(self, name, ok, detail=""):
        if ok:
            self.passed += 1
            print("ok    %s" % name)
        else:
            self.failed += 1
            print("FAIL  %s%s" % (name, ": " + detail if detail else ""))

    def same(self, name, expected, got):
        if expected == got:
            self.check(name, True)
            return
        keys = sorted(set(expected) | set(got), key=repr)
        diffs = []
        for k in keys:
            e, g = expected.get(k), got.get(k)
            if e is None or g is None:
                diffs.append("%r: expected %s, got %s" % (
                    k, "nothing" if e is None else "a key", "nothing" if g is None else "a key"))
            elif e != g:
                fields = ("type", "value", "expiry", "encoding")
                diffs.append("%r: %s" % (k, ", ".join(
                    "%s expected %.200r got %.200r" % (fields[i], e[i], g[i])
                    for i in range(len(e)) if e[i] != g[i])))
        self.check(name, False, "; ".join(diffs)[:2000])


def exchange(checks, writer, reader, label):
    """`writer` fills and SAVEs; `reader` starts on the file; both keyspaces must be equal."""
    directory = tempfile.mkdtemp(prefix="persist-")
    try:
        w = writer(directory)
        try:
            fill(w.client)
            expected = keyspace(w.client)
            checks.check(label + ": SAVE", w.client.save() is True)
        finally:
            w.stop()
        r = reader(directory)
        try:
            got = keyspace(r.client)
            checks.same(label + ": every key, value, expiry and encoding", expected, got)
            checks.check(label + ": DBSIZE of db 0", r.client.dbsize() == w_count(expected, 0))
        finally:
            r.stop()
        with open(os.path.join(directory, "dump.rdb"), "rb") as f:
            return expected, f.read()
    finally:
        shutil.rmtree(directory)


def w_count(space, db):
    return sum(1 for (d, _) in space if d == db)


def dumps_exchanged(checks, a, b, label):
    """Every key of database 0 DUMPed on `a` and RESTOREd on `b` (flushed) reads the same."""
    fill(a.client)
    b.client.flushall()
    expected = {}
    for key in a.client.scan_iter(count=1000):
        payload = a.client.dump(key)
        b.client.restore(key, 0, payload)
        expected[(0, key)] = read_key(a.client, key)[:2]
    got = {(0, k): read_key(b.client, k)[:2] for k in b.client.scan_iter(count=1000)}
    checks.same(label, expected, got)


def same_dump_bytes(checks, a, b):
    """Filled alike, both servers DUMP the same bytes for every key whose order is not a hash
    table's own: integers, LZF, listpacks, quicklist nodes, intsets, skiplists."""
    fill(a.client)
    fill(b.client)
    differ = []
    count = 0
    for key in sorted(a.client.scan_iter(count=1000)):
        # A stream's consumers carry each server's clock (their seen-times).
        if a.client.object("encoding", key) == b"hashtable" or key.startswith(b"xc:"):
            continue
        count += 1
        if a.client.dump(key) != b.client.dump(key):
            differ.append(key)
    checks.check("DUMP bytes identical to redis-server's for %d keys" % count, not differ,
                 "differ: %r" % differ)
    lengths = [{key: s.client.debug_object(key)["serializedlength"]
                for key in s.client.scan_iter(count=1000)} for s in (a, b)]
    checks.check("DEBUG OBJECT's serializedlength the same as redis-server's for %d keys"
                 % len(lengths[0]), lengths[0] == lengths[1],
                 "differ: %r" % [k for k in lengths[0] if lengths[0][k] != lengths[1].get(k)])


def function_dumps(checks, a, b):
    """FUNCTION DUMP payloads restore both ways, and are the same bytes on both servers."""
    for source, target, label in ((a, b, "redis-server FUNCTION DUMP, keyspace-server"),
                                  (b, a, "keyspace-server FUNCTION DUMP, redis-server")):
        fill(source.client)
        target.client.function_flush()
        target.client.function_restore(source.client.function_dump())
        checks.same(label + " FUNCTION RESTORE", libraries(source.client),
                    libraries(target.client))
    # One library: Redis lists several in its dict's order, which changes with every start.
    for s in (a, b):
        s.client.function_flush()
        s.client.function_load(LIBRARIES[0])
    ours_payload, redis_payload = b.client.function_dump(), a.client.function_dump()
    checks.check("FUNCTION DUMP bytes identical to redis-server's", ours_payload == redis_payload,
                 "redis %r, ours %r" % (redis_payload, ours_payload))


def restore_errors(checks, a, b):
    """Damaged payloads: the same error text from both servers."""
    a.client.set("src", "abc" * 30)
    payload = a.client.dump("src")
    cases = {
        "truncated": payload[:-3],
        "flipped byte": payload[:4] + bytes([payload[4] ^ 0xFF]) + payload[5:],
        "newer version": payload[:-10] + bytes([11, 0]) + payload[-8:],
        "too short": b"abc",
    }
    for name, bad in cases.items():
        replies = []
        for s in (a, b):
            try:
                replies.append(s.client.restore("dst", 0, bad))
            except redis.ResponseError as e:
                replies.append("error: %s" % e)
        checks.check("RESTORE of a payload %s: %r" % (name, replies[1]),
                     replies[0] == replies[1] and str(replies[0]).startswith("error"),
                     "redis %r, ours %r" % tuple(replies))
    for s in (a, b):
        s.client.set("dst", "there")
    replies = []
    for s in (a, b):
        try:
            replies.append(s.client.restore("dst", 0, payload))
        except redis.ResponseError as e:
            replies.append("error: %s" % e)
    checks.check("RESTORE onto an existing key: BUSYKEY", replies[0] == replies[1] and
                 "BUSYKEY" in str(replies[0]), repr(replies))


def crc64(data):
    """Redis's CRC-64 (Jones polynomial, reflected), which closes a DUMP payload."""
    crc = 0
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x95AC9329AC4BC9B5 if crc & 1 else 0)
    return crc


def rdb_length(n):
    if n < 64:
        return bytes([n])
    if n < 16384:
        return bytes([0x40 | n >> 8, n & 0xFF])
    return b"\x80" + n.to_bytes(4, "big")


def rdb_string(b):
    return rdb_length(len(b)) + b


def listpack(elements):
    """A listpack of integers and strings, each in its smallest encoding (`lpAppend`)."""
    body = b""
    for e in elements:
        if isinstance(e, int) and 0 <= e < 128:
            entry = bytes([e])
        elif isinstance(e, int) and -4096 <= e < 4096:
            entry = bytes([0xC0 | (e >> 8) & 0x1F, e & 0xFF])
        elif isinstance(e, int):
            entry = b"\xf4" + e.to_bytes(8, "little", signed=True)
        elif len(e) < 64:
            entry = bytes([0x80 | len(e)]) + e
        else:
            entry = bytes([0xE0 | len(e) >> 8, len(e) & 0xFF]) + e
        back = len(entry)
        body += entry + (bytes([back]) if back < 128 else bytes([back >> 7, back & 127 | 128]))
    return (len(body) + 7).to_bytes(4, "little") + len(elements).to_bytes(2, "little") + body + \
        b"\xff"


def stream_id(ms, seq):
    return ms.to_bytes(8, "big") + seq.to_bytes(8, "big")


def old_stream_payload():
    """A DUMP payload of a stream as Redis 5 and 6 wrote it (RDB_TYPE_STREAM_LISTPACKS, 15, RDB
    version 9), built by hand from the format: the nodes as in type 19, then the length and the
    last ID only (no first ID, highest deleted ID or entries added), groups without a read
    counter. Two nodes, one entry of its own fields, one deleted; groups whose last ID is the
    stream's last, before its first entry, at it, and in the middle (where Redis cannot tell
    how many entries the group read); a PEL entry whose entry was deleted; a consumer without
    pending entries."""
    master_a, master_b = (100, 0), (200, 0)
    node_a = listpack([3, 1, 2, b"a", b"b", 0,
                       2, 0, 0, 1, 2, 5,
                       2, 0, 1, 3, 4, 5,
                       0, 1, 0, 1, b"c", b"x", 6,
                       3, 2, 5, 5, 6, 5])
    node_b = listpack([2, 0, 2, b"a", b"b", 0,
                       2, 0, 0, 7, 8, 5,
                       2, 1, 0, b"nine", 10, 5])
    body = b"\x0f" + rdb_length(2)
    for master, node in ((master_a, node_a), (master_b, node_b)):
        body += rdb_string(stream_id(*master)) + rdb_string(node)
    body += rdb_length(5) + rdb_length(250) + rdb_length(0)
    seen = 1700000001000
    groups = [
        (b"at-last", (250, 0), [], []),
        (b"before-first", (50, 0), [], []),
        (b"at-first", (100, 0), [((100, 0), seen - 5000, 1)], [(b"alice", seen, [(100, 0)])]),
        (b"in-the-middle", (101, 0),
         [((100, 0), seen - 3000, 2), ((100, 1), seen - 2000, 1), ((102, 5), seen - 1000, 4)],
         [(b"alice", seen + 1, [(100, 0), (102, 5)]), (b"bob", seen + 2, [(100, 1)]),
          (b"carol", seen + 3, [])]),
    ]
    body += rdb_length(len(groups))
    for name, last, pel, consumers in groups:
        body += rdb_string(name) + rdb_length(last[0]) + rdb_length(last[1])
        body += rdb_length(len(pel))
        for id_, time, count in pel:
            body += stream_id(*id_) + time.to_bytes(8, "little") + rdb_length(count)
        body += rdb_length(len(consumers))
        for consumer, seen_time, ids in consumers:
            body += rdb_string(consumer) + seen_time.to_bytes(8, "little") + rdb_length(len(ids))
            body += b"".join(stream_id(*id_) for id_ in ids)
    body += (9).to_bytes(2, "little")
    return body + crc64(body).to_bytes(8, "little")


def old_stream_format(checks, a, b):
    """The same hand-built type-15 payload RESTOREd into both servers loads the same way (the
    first ID found from the entries, entries added taken as the length, each group's read
    counter estimated as Redis 7.0 estimates it), and DUMPs again as the same type-19 bytes."""
    payload = old_stream_payload()
    for s in (a, b):
        s.client.delete("old")
        s.client.restore("old", 0, payload)
    checks.same("a Redis 5/6 stream (RDB type 15) RESTOREd: the same on both servers",
                {"old": read_stream(a.client, "old")}, {"old": read_stream(b.client, "old")})
    checks.check("a Redis 5/6 stream DUMPed again: the same type-19 bytes as redis-server's",
                 a.client.dump("old") == b.client.dump("old"),
                 "redis %r, ours %r" % (a.client.dump("old"), b.client.dump("old")))


def refused(checks, binary, rdb, label):
    """keyspace-server must refuse to start on `rdb`, saying so."""
    directory = tempfile.mkdtemp(prefix="persist-bad-")
    try:
        with open(os.path.join(directory, "dump.rdb"), "wb") as f:
            f.write(rdb)
        proc = subprocess.run([binary, "--port", str(free_port()), "--dir", directory],
                              capture_output=True, timeout=30)
        message = proc.stderr.decode(errors="replace").strip()
        checks.check("%s refused at start: %s" % (label, message),
                     proc.returncode != 0 and "loading the DB" in message,
                     "status %d, stderr %r" % (proc.returncode, message))
    finally:
        shutil.rmtree(directory)


def aof_workload(r):
    """fill(), then what a log must turn absolute or explicit: relative TTLs, SPOP, GETDEL,
    GETEX, RESTORE with a TTL, a transaction, another database, a flush."""
    fill(r)
    r.set("rel:ex", "v", ex=100000)
    r.execute_command("SETEX", "rel:setex", 100000, "v")
    r.psetex("rel:psetex", 100000000, "v")
    r.expire("l:small", 200000)
    r.pexpire("set:strings", 300000000)
    r.persist("ttl:list")
    r.expire("s:text", 0)
    r.getex("s:small-int", ex=500000)
    r.getdel("s:empty")
    r.sadd("pop", *range(20))
    r.spop("pop")
    r.spop("pop", 5)
    r.incrbyfloat("float", "1.1")
    r.incrbyfloat("float", "2.25")
    payload = r.dump("h:listpack")
    r.restore("restored", 100000, payload)
    pipe = r.pipeline(transaction=True)
    pipe.lpush("tx", "a", "b")
    pipe.lpop("tx")
    pipe.execute()
    r.select(5)
    r.set("db5", "x")
    r.flushdb()
    r.set("db5:kept", "y")
    r.select(0)
    new_types_workload(r)


def new_types_workload(r):
    """Bitmaps, HyperLogLogs and geo sets as a log must record them: GEOADD as the ZADD it
    runs, PFCOUNT when it caches a fresh estimate (a read that writes), the stores as given,
    and nothing for what changed nothing (a SETBIT to the bit's value, a PFADD that grew no
    register, BITFIELD's GETs)."""
    r.setbit("a:bits", 100, 1)
    r.setbit("a:bits", 100, 1)
    r.execute_command("BITFIELD", "a:bits", "INCRBY", "u8", "#2", 300, "GET", "u4", 0)
    r.execute_command("BITFIELD", "a:bits", "GET", "u8", 0)
    r.execute_command("BITFIELD", "a:bits", "OVERFLOW", "FAIL", "INCRBY", "u2", 0, 9)
    r.bitop("XOR", "a:bitop", "a:bits", "bits:sparse")
    r.bitop("AND", "a:bitop", "a:missing")
    r.pfadd("a:hll", *("v%d" % i for i in range(100)))
    r.pfadd("a:hll", "v1")
    r.pfcount("a:hll")
    r.pfcount("a:hll")
    r.pfcount("a:hll", "hll:dense")
    r.pfmerge("a:merged", "a:hll", "hll:dense")
    r.execute_command("PFDEBUG", "TODENSE", "a:hll")
    r.execute_command("GEOADD", "a:geo", "CH", 13.361389, 38.115556, "Palermo",
                      15.087269, 37.502669, "Catania")
    r.execute_command("GEOADD", "a:geo", "NX", 13.361389, 38.115556, "Palermo")
    r.execute_command("GEOSEARCHSTORE", "a:near", "a:geo", "FROMLONLAT", 15, 37,
                      "BYRADIUS", 200, "km", "STOREDIST")
    r.execute_command("GEORADIUS", "a:geo", 15, 37, 200, "km", "STORE", "a:radius")
    r.execute_command("GEORADIUS", "a:geo", 15, 37, 1, "m", "STORE", "a:radius")


def aof_exchange(checks, writer, reader, label):
    """`writer` (with appendonly yes) runs the workload and is killed without saving; `reader`
    starts on its log; both keyspaces must be equal, streams as a replay rebuilds them
    (REPLAYED). Returns the directory, left in place."""
    directory = tempfile.mkdtemp(prefix="persist-aof-")
    try:
        w = writer(directory)
        try:
            aof_workload(w.client)
            expected = keyspace(w.client)
        finally:
            w.stop()
        r = reader(directory)
        try:
            checks.same(label, without(expected, REPLAYED), without(keyspace(r.client), REPLAYED))
        finally:
            r.stop()
        return directory
    except Exception:
        shutil.rmtree(directory)
        raise


def aof_checks(checks, binary, redis_server):
    def ours_aof(d):
        return Server([binary, "--enable-debug-command", "yes", "--appendonly", "yes",
                       "--appendfsync", "always"], d, "keyspace-server")

    def real_aof(d):
        return Server([redis_server, "--bind", "127.0.0.1", "--save", "", "--appendonly", "yes",
                       "--appendfsync", "always", "--enable-debug-command", "yes"], d,
                      "redis-server")

    directory = aof_exchange(checks, ours_aof, ours_aof,
                             "AOF: keyspace-server killed, its log replayed by keyspace-server")
    try:
        # Replays of one log differ only in the consumers' seen-times (the replay's clock).
        ours_again = without(keyspace_after_restart(directory, ours_aof))
        checks.same("AOF: keyspace-server's appendonlydir loaded by redis-server",
                    ours_again, without(keyspace_after_restart(directory, real_aof)))
        incr = [n for n in os.listdir(os.path.join(directory, "appendonlydir"))
                if n.endswith(".incr.aof")][0]
        path = os.path.join(directory, "appendonlydir", incr)
        # The log began on an empty keyspace: its commands alone, as `redis-cli --pipe`
        # sends them, rebuild the same keyspace in a fresh redis-server.
        fresh = tempfile.mkdtemp(prefix="persist-pipe-")
        r = real(redis_server, fresh)
        try:
            with open(path, "rb") as log:
                piped = subprocess.run(["redis-cli", "-p", str(r.port), "--pipe"], stdin=log,
                                       capture_output=True, timeout=60)
            checks.check("AOF: the log piped through redis-cli --pipe: %s"
                         % piped.stdout.decode(errors="replace").strip().splitlines()[-1],
                         piped.returncode == 0, piped.stderr.decode(errors="replace"))
            checks.same("AOF: redis-cli --pipe of the log rebuilds the keyspace in redis-server",
                        ours_again, without(keyspace(r.client)))
        finally:
            r.stop()
            shutil.rmtree(fresh)
        with open(path, "rb") as f:
            log = f.read()
        with open(path, "wb") as f:
            f.write(log[:-5])
        # Loaded up to its last whole command by default (persist_errors.py compares that
        # with redis-server); refused with aof-load-truncated no.
        proc = subprocess.run([binary, "--port", str(free_port()), "--dir", directory,
                               "--appendonly", "yes", "--aof-load-truncated", "no"],
                              capture_output=True, timeout=30)
        message = proc.stderr.decode(errors="replace").strip()
        checks.check("AOF cut short refused at start with aof-load-truncated no: %s" % message,
                     proc.returncode != 0 and "Unexpected end of file" in message, message)
    finally:
        shutil.rmtree(directory)
    directory = aof_exchange(checks, real_aof, ours_aof,
                             "AOF: redis-server killed, its log replayed by keyspace-server")
    try:
        checks.same("AOF: redis-server's log replayed by both servers",
                    without(keyspace_after_restart(directory, real_aof)),
                    without(keyspace_after_restart(directory, ours_aof)))
    finally:
        shutil.rmtree(directory)
    for writer, reader, label in ((ours_aof, real_aof, "keyspace-server's, loaded by redis-server"),
                                  (real_aof, ours_aof, "redis-server's, loaded by keyspace-server")):
        directory = tempfile.mkdtemp(prefix="persist-aofrw-")
        try:
            w = writer(directory)
            try:
                fill(w.client)
                w.client.bgrewriteaof()
                wait_for_rewrite(w.client)
                w.client.function_delete("persisted_too")
                expected = keyspace(w.client)
            finally:
                w.stop()
            checks.same("AOF rewritten (libraries in its base, a FUNCTION DELETE after): " + label,
                        expected, keyspace_after_restart(directory, reader))
        finally:
            shutil.rmtree(directory)


def wait_for_rewrite(r):
    deadline = time.time() + 30
    while r.info("persistence")["aof_rewrite_in_progress"] or \
            r.info("persistence")["aof_rewrite_scheduled"]:
        if time.time() > deadline:
            raise RuntimeError("BGREWRITEAOF did not end within 30 s")
        time.sleep(0.05)


def stream_log_workload(r):
    """The stream commands as a log must record them: XADD with the ID it chose and `~` made
    the exact trim it did, deliveries as the XCLAIMs (and XGROUP commands) that recreate them,
    and nothing for what changed nothing (a trim that took nothing, XDEL of no entry, XADD
    NOMKSTREAM on no stream, XACK of nothing)."""
    for i in range(1, 8):
        raw(r, "XADD", "s", "%d-*" % i, "f", i)
    raw(r, "XADD", "s", "MAXLEN", "~", 2, "8-0", "f", 8)
    raw(r, "XADD", "s", "MINID", "~", "3-0", "LIMIT", 1, "9-0", "f", 9)
    raw(r, "XADD", "missing", "NOMKSTREAM", "1-1", "f", "v")
    raw(r, "XTRIM", "s", "MAXLEN", "~", 1)
    raw(r, "XTRIM", "s", "MAXLEN", 5)
    raw(r, "XDEL", "s", "6-0", "99-0")
    raw(r, "XDEL", "s", "99-0")
    raw(r, "XGROUP", "CREATE", "s", "g", "0")
    raw(r, "XGROUP", "CREATE", "s", "g2", "$", "ENTRIESREAD", 3)
    raw(r, "XGROUP", "CREATE", "made", "g", "$", "MKSTREAM")
    raw(r, "XREADGROUP", "GROUP", "g", "alice", "COUNT", 2, "STREAMS", "s", ">")
    raw(r, "XREADGROUP", "GROUP", "g", "bob", "NOACK", "COUNT", 1, "STREAMS", "s", ">")
    raw(r, "XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", "0")
    raw(r, "XREADGROUP", "GROUP", "g", "bob", "STREAMS", "s", ">")
    raw(r, "XACK", "s", "g", "7-0", "99-0")
    raw(r, "XACK", "s", "g", "99-0")
    raw(r, "XCLAIM", "s", "g", "carol", 0, "8-0")
    raw(r, "XCLAIM", "s", "g", "carol", 0, "9-0", "JUSTID", "LASTID", "20-0")
    raw(r, "XCLAIM", "s", "g", "bob", 3600000, "8-0")
    raw(r, "XAUTOCLAIM", "s", "g", "dave", 0, "0-0", "COUNT", 1)
    raw(r, "XAUTOCLAIM", "s", "g", "dave", 0, "0-0", "JUSTID")
    raw(r, "XGROUP", "SETID", "s", "g", "8-0", "ENTRIESREAD", 4)
    raw(r, "XGROUP", "CREATECONSUMER", "s", "g", "erin")
    raw(r, "XGROUP", "CREATECONSUMER", "s", "g", "erin")
    raw(r, "XGROUP", "DELCONSUMER", "s", "g", "erin")
    raw(r, "XGROUP", "DELCONSUMER", "s", "g", "nobody")
    raw(r, "XSETID", "s", "100-0", "ENTRIESADDED", 50, "MAXDELETEDID", "6-0")
    raw(r, "XGROUP", "DESTROY", "s", "g2")
    pipe = r.pipeline(transaction=True)
    pipe.execute_command("XADD", "s", "101-0", "f", "in a transaction")
    pipe.execute_command("XREADGROUP", "GROUP", "g", "alice", "STREAMS", "s", ">")
    pipe.execute()


def logs_of(binary, redis_server, workload):
    """The logs both servers write, started empty with appendonly yes, for `workload`: ours,
    then redis-server's."""
    logs = []
    for argv, name in (([binary, "--appendonly", "yes", "--enable-debug-command", "yes"],
                        "keyspace-server"),
                       ([redis_server, "--bind", "127.0.0.1", "--save", "", "--appendonly",
                         "yes", "--enable-debug-command", "yes"], "redis-server")):
        directory = tempfile.mkdtemp(prefix="persist-aof-log-")
        try:
            s = Server(argv + ["--appendfsync", "always"], directory, name)
            try:
                workload(s.client)
            finally:
                s.stop()
            folder = os.path.join(directory, "appendonlydir")
            incr = [n for n in os.listdir(folder) if n.endswith(".incr.aof")][0]
            with open(os.path.join(folder, incr), "rb") as f:
                logs.append(f.read())
        finally:
            shutil.rmtree(directory)
    return logs


def log_commands(log):
    """A log's commands, each a list of arguments, with XCLAIM's TIME (the delivery time, each
    server's clock) blanked."""
    commands, at = [], 0
    while at < len(log):
        line_end = log.index(b"\r\n", at)
        count = int(log[at + 1:line_end])
        at = line_end + 2
        argv = []
        for _ in range(count):
            line_end = log.index(b"\r\n", at)
            size = int(log[at + 1:line_end])
            argv.append(log[line_end + 2:line_end + 2 + size])
            at = line_end + 4 + size
        if argv[0].upper() == b"XCLAIM" and b"TIME" in argv:
            argv[argv.index(b"TIME") + 1] = b"<time>"
        commands.append(argv)
    return commands


def aof_same_log(checks, binary, redis_server):
    """Started empty with appendonly yes, both servers run the same workloads (no TTL, nothing
    random): new_types_workload() must be logged in the same bytes, stream_log_workload() in
    the same commands but for the delivery times."""
    def new_types(r):
        r.setbit("bits:sparse", 1000, 1)
        r.pfadd("hll:dense", *["d%d" % i for i in range(5000)])
        new_types_workload(r)

    logs = logs_of(binary, redis_server, new_types)
    checks.check("AOF: bitmaps, HyperLogLogs and geo logged as redis-server logs them "
                 "(%d bytes)" % len(logs[1]), logs[0] == logs[1],
                 "ours %.600r, redis %.600r" % tuple(logs))
    ours_log, redis_log = (log_commands(log) for log in logs_of(binary, redis_server,
                                                                 stream_log_workload))
    differ = next((i for i, (a, b) in enumerate(zip(ours_log, redis_log)) if a != b),
                  min(len(ours_log), len(redis_log)))
    checks.check("AOF: streams logged as redis-server logs them (%d commands)" % len(redis_log),
                 ours_log == redis_log, "from command %d: ours %r, redis %r" % (
                     differ, ours_log[differ:differ + 3], redis_log[differ:differ + 3]))


def keyspace_after_restart(directory, start):
    s = start(directory)
    try:
        return keyspace(s.client)
    finally:
        s.stop()


def debug_reload(checks, s, label):
    fill(s.client)
    # A hash made a hashtable by a long value that is gone: a reload makes it a listpack again.
    s.client.hset("h:shrunk", mapping={"a": "x" * 100, "b": "1"})
    s.client.hdel("h:shrunk", "a")
    before = keyspace(s.client)
    s.client.execute_command("DEBUG", "RELOAD")
    after = keyspace(s.client)
    before[(0, b"h:shrunk")] = before[(0, b"h:shrunk")][:3] + (b"listpack",)
    checks.same(label + ": DEBUG RELOAD keeps every key, re-encoding a shrunk hash", before, after)
    # NOFLUSH refuses libraries already there; MERGE replaces them.
    try:
        s.client.execute_command("DEBUG", "RELOAD", "NOFLUSH")
        refused = "accepted"
    except redis.ResponseError as e:
        refused = str(e)
    checks.check(label + ": DEBUG RELOAD NOFLUSH refused over the same libraries: " + refused,
                 refused.startswith("Error trying to load the RDB"))
    s.client.execute_command("DEBUG", "RELOAD", "NOFLUSH", "MERGE")
    checks.same(label + ": DEBUG RELOAD NOFLUSH MERGE keeps the libraries",
                {k: v for k, v in after.items() if k[0] == "functions"}, libraries(s.client))


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    binary = os.path.abspath(sys.argv[1])
    redis_server = sys.argv[2] if len(sys.argv) > 2 else "redis-server"
    checks = Checks()
    ours_space, ours_rdb = exchange(checks, lambda d: ours(binary, d),
                                    lambda d: real(redis_server, d),
                                    "keyspace-server saves, redis-server loads")
    real_space, real_rdb = exchange(checks, lambda d: real(redis_server, d),
                                    lambda d: ours(binary, d),
                                    "redis-server saves, keyspace-server loads")
    checks.same("both servers hold the same data before saving (streams' clocks aside)",
                without(real_space, delivery_times=True), without(ours_space, delivery_times=True))
    print("dump.rdb sizes: keyspace-server %d bytes, redis-server %d bytes"
          % (len(ours_rdb), len(real_rdb)))

    for name, rdb in (("ours", ours_rdb), ("redis's", real_rdb)):
        middle = len(rdb) // 2
        refused(checks, binary, rdb[:middle], "%s dump.rdb cut in half" % name)
        refused(checks, binary, rdb[:-1], "%s dump.rdb without its last byte" % name)
        refused(checks, binary, rdb[:middle] + bytes([rdb[middle] ^ 0x01]) + rdb[middle + 1:],
                "%s dump.rdb with one bit flipped" % name)
        refused(checks, binary, rdb[:-8] + bytes([rdb[-8] ^ 0xFF]) + rdb[-7:],
                "%s dump.rdb with a wrong checksum" % name)

    directory_a, directory_b = tempfile.mkdtemp(), tempfile.mkdtemp()
    a, b = real(redis_server, directory_a), ours(binary, directory_b)
    try:
        dumps_exchanged(checks, a, b, "redis-server DUMP, keyspace-server RESTORE")
        dumps_exchanged(checks, b, a, "keyspace-server DUMP, redis-server RESTORE")
        same_dump_bytes(checks, a, b)
        function_dumps(checks, a, b)
        restore_errors(checks, a, b)
        old_stream_format(checks, a, b)
        debug_reload(checks, a, "redis-server")
        debug_reload(checks, b, "keyspace-server")
    finally:
        a.stop()
        b.stop()
        shutil.rmtree(directory_a)
        shutil.rmtree(directory_b)

    aof_checks(checks, binary, redis_server)
    aof_same_log(checks, binary, redis_server)

    print("%d passed, %d failed" % (checks.passed, checks.failed))
    sys.exit(1 if checks.failed else 0)


if __name__ == "__main__":
    main()
