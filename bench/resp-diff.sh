#!/usr/bin/env bash
# Differential check of the RESP listener against Redis itself (docs/RESP.md): sends the same
# requests, one connection per protocol version, to a redis-server and to a kvs-server this script
# starts (free loopback ports, fresh data directories, both stopped by their PIDs) and compares
# the reply bytes; a reply that depends on the time (a TTL) is compared by shape and range instead,
# and KEYS's, whose order Redis does not promise, as a set.
# Transactions (MULTI, EXEC, DISCARD, WATCH, UNWATCH) run as sequences, each on two fresh
# connections per server, so a second client can write a watched key or look after one dropped.
# Requests whose answers differ by design (HELLO's server name, INFO, COMMAND's table, DBSIZE with
# expired keys, the bound on a transaction's queue...) are not sent; docs/RESP.md lists those.
# Installs Debian's redis-server and redis-tools when missing. Exits 1 if any reply differs.
#
#   bench/resp-diff.sh [--engine kvs|mvstore]     # default: kvs-server's default engine
set -euo pipefail
source "$(dirname "$0")/lib.sh"

server_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --engine) server_args+=(--engine "$2"); shift 2 ;;
        -h|--help) sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "resp-diff.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done
ensure_redis
python=$(debian_python)

work=$(mktemp -d)
resp_server_pid="" redis_pid=""
cleanup() {
    for pid in $resp_server_pid $redis_pid; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work"
}
trap cleanup EXIT

start_resp_server "$work" "${server_args[@]}"
kvs_port=$resp_port
redis_port=$("$python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p "$work/redis"
# Configured as kvs is (CONFIG GET's table, one database), so those replies compare too.
redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$work/redis" --save '' --appendonly yes \
    --appendfsync everysec --databases 1 --daemonize no >"$work/redis.log" 2>&1 &
redis_pid=$!
for _ in $(seq 100); do
    redis-cli -p "$redis_port" ping >/dev/null 2>&1 && break
    sleep 0.1
done
echo "redis-server $(redis-server --version | grep -o 'v=[0-9.]*') on $redis_port, kvs-server on $kvs_port"

"$python" - "$redis_port" "$kvs_port" <<'PY'
import socket
import sys
import time

def cmd(*args):
    out = b"*%d\r\n" % len(args)
    for a in args:
        a = a if isinstance(a, bytes) else a.encode()
        out += b"$%d\r\n%s\r\n" % (len(a), a)
    return out

# Each request, in order, on one connection per server (the state carries over).
REQUESTS = [
    cmd("PING"), b"PING\r\n", b"ping hello\r\n", cmd("PING", "a", "b"), cmd("ECHO", "h\xc3\xa9llo"),
    cmd("GET", "k"), cmd("SET", "k", "v"), cmd("GET", "k"), cmd("set", "k", "w", "NX"),
    cmd("SET", "k", "w", "XX", "GET"), cmd("SET", "new", "1", "XX"), cmd("SET", "new", "1", "NX", "GET"),
    cmd("SET", "k", "v", "NX", "XX"), cmd("SET", "k", "v", "EX"), cmd("SET", "k", "v", "bogus"),
    cmd("SET", "k"), cmd("SETNX", "k", "x"), cmd("GETSET", "k", "v2"), cmd("GETDEL", "k"), cmd("GETDEL", "k"),
    cmd("MSET", "a", "1", "b", "2"), cmd("MSET", "a", "1", "b"), cmd("MGET", "a", "zz", "b"),
    cmd("MSETNX", "b", "9", "c", "9"), cmd("MSETNX", "c", "3", "d", "4"), cmd("EXISTS", "a", "a", "zz"),
    cmd("DEL", "a", "a", "zz", "b"), cmd("UNLINK", "c"), cmd("TYPE", "d"), cmd("TYPE", "zz"),
    cmd("APPEND", "s", "h\xc3\xa9llo"), cmd("STRLEN", "s"), cmd("STRLEN", "nope"),
    cmd("GETRANGE", "s", "0", "2"), cmd("GETRANGE", "s", "-3", "-1"), cmd("GETRANGE", "s", "5", "2"),
    cmd("GETRANGE", "s", "-100", "100"), cmd("GETRANGE", "s", "x", "2"), cmd("SUBSTR", "s", "1", "3"),
    cmd("SETRANGE", "s", "0", "J"), cmd("GET", "s"), cmd("SETRANGE", "t", "2", "x"), cmd("GET", "t"),
    cmd("SETRANGE", "t", "-1", "x"), cmd("SETRANGE", "none", "5", ""), cmd("SETRANGE", "s", "9", ""),
    cmd("INCR", "n"), cmd("INCRBY", "n", "41"), cmd("DECR", "n"), cmd("DECRBY", "n", "-1"), cmd("INCR", "s"),
    cmd("INCRBY", "n", "1.5"), cmd("INCRBY", "n", "99999999999999999999"), cmd("SET", "big", "9223372036854775807"),
    cmd("INCR", "big"), cmd("DECRBY", "n", "-9223372036854775808"), cmd("SET", "neg", "-9223372036854775808"),
    cmd("DECR", "neg"), cmd("SET", "lead", "01"), cmd("INCR", "lead"), cmd("SET", "sp", " 1"), cmd("INCR", "sp"),
    cmd("SET", "plus", "+1"), cmd("INCR", "plus"),
    cmd("INCRBYFLOAT", "f", "10.5"), cmd("INCRBYFLOAT", "f", "0.1"), cmd("INCRBYFLOAT", "f", "-5.0e3"),
    cmd("INCRBYFLOAT", "f", "abc"), cmd("INCRBYFLOAT", "s", "1"), cmd("INCRBYFLOAT", "g", "3"),
    cmd("INCRBYFLOAT", "g", "0.25"), cmd("INCRBYFLOAT", "h", "1e2"), cmd("INCRBYFLOAT", "i", "0.1"),
    cmd("INCRBYFLOAT", "i", "0.2"), cmd("INCRBYFLOAT", "i", "1e20"), cmd("INCRBYFLOAT", "j", "3.0e-5"),
    cmd("INCRBYFLOAT", "j", "-3.0e-5"), cmd("INCRBYFLOAT", "k2", "123456789.123456789"),
    cmd("INCRBYFLOAT", "k2", "-0.000000000000000001"), cmd("INCRBYFLOAT", "l", "inf"), cmd("INCRBYFLOAT", "l", "nan"),
    cmd("INCRBYFLOAT", "l", " 1"), cmd("INCRBYFLOAT", "l", "1 "), cmd("INCRBYFLOAT", "l", "+.5"),
    cmd("INCRBYFLOAT", "l", "5."), cmd("INCRBYFLOAT", "m", "1e-30"), cmd("INCRBYFLOAT", "m", "-1e-30"),
    cmd("GET"), cmd("GET", "a", "b"), cmd("foo", "a", "b"), cmd(b"\xff\xfe", b"\xc3(", b"\r\n"),
    cmd("CLIENT", b"\xe9"), cmd("CONFIG", "SET", b"\xe9", "x"), cmd("FOO"), cmd("foo", "x" * 200),
    cmd("CLIENT", "nope"), cmd("client"), cmd("CLIENT", "SETNAME"), cmd("CLIENT", "SETNAME", "a b"),
    cmd("CLIENT", "GETNAME"), cmd("CLIENT", "SETNAME", "me"), cmd("CLIENT", "GETNAME"),
    cmd("CLIENT", "SETNAME", ""), cmd("CLIENT", "GETNAME"),
    cmd("CLIENT", "SETINFO", "LIB-NAME", "x"), cmd("CLIENT", "SETINFO", "lib-ver", "1.0"),
    cmd("CLUSTER", "INFO"), cmd("cluster", "keyslot", "foo"), cmd("CLUSTER", "ADDSLOTS", "1", "2"), cmd("CLUSTER"),
    cmd("CLUSTER", "KEYSLOT"), cmd("CLUSTER", "SLOTS", "x"), cmd("CLUSTER", "nope"), cmd("CLUSTER", "GETKEYSINSLOT", "1"),
    cmd("ASKING"), cmd("READONLY"), cmd("READWRITE"), cmd("READONLY", "x"),
    cmd("SELECT", "0"), cmd("SELECT", "1"), cmd("SELECT", "x"), cmd("SELECT", "99999999999"),
    cmd("CONFIG", "GET", "appendonly", "nothing*"), cmd("CONFIG", "GET", "databases"),
    cmd("HELLO", "4"), cmd("HELLO", "x"), cmd("HELLO", "3", "bogus"), cmd("HELLO", "3", "AUTH", "x"),
    cmd("FLUSHDB", "bogus"), cmd("FLUSHDB", "ASYNC"), cmd("DBSIZE"), cmd("KEYS", "*"), cmd("RANDOMKEY"),
    cmd("MSET", "key:1", "a", "key:2", "b", "kez", "c"), cmd("KEYS", "key:?"), cmd("KEYS", "k[a-y]y*"),
    cmd("KEYS", "k\\ey*"), cmd("KEYS", "ke[^y]"), cmd("DBSIZE"), cmd("SCAN", "x"), cmd("SCAN", "0", "COUNT", "0"),
    cmd("SCAN", "0", "MATCH"), cmd("SCAN", "0", "TYPE", "hash"), cmd("SCAN", "+0", "MATCH", "nothing"),
    cmd("EXISTS"), cmd("DEL"), cmd("MGET"), cmd("ECHO"), cmd("SELECT"),
    b"set \"a\\tb\" 'x y'\r\nget \"a\\tb\"\r\n", b"\r\n", b"\xe9t\xe9 x\r\n",
    # Keys and values of any bytes: NUL, 0x80-0xFF, CR LF inside a bulk, bytes that are not UTF-8.
    cmd("SET", b"\x00bin\xff", b"\xac\xed\x00\x05\r\n\x80"), cmd("GET", b"\x00bin\xff"),
    cmd("STRLEN", b"\x00bin\xff"), cmd("APPEND", b"\x00bin\xff", b"\xc3"), cmd("GETRANGE", b"\x00bin\xff", "-3", "-1"),
    cmd("SETRANGE", b"\x00bin\xff", "1", b"\xfe\r\n"), cmd("GET", b"\x00bin\xff"), cmd("INCR", b"\x00bin\xff"),
    cmd("MSET", b"\xc3(", b"\x00", b"\r\n", b"\xff" * 300), cmd("MGET", b"\xc3(", b"\r\n", b"\xfe"),
    cmd("EXISTS", b"\xc3(", b"\xc3)"), cmd("SETNX", b"\xc3(", "x"), cmd("GETSET", b"\xc3(", b"\xe9"),
    cmd("KEYS", b"\x00*"), cmd("KEYS", b"\xc3?"), cmd("SCAN", "0", "MATCH", b"\r*", "COUNT", "1000"),
    cmd("SET", b"\xe9num", b"12\xff"), cmd("INCRBYFLOAT", b"\xe9num", "1"), cmd("SET", b"\xe9num", b"\xd9\xa3"),
    cmd("INCR", b"\xe9num"), cmd("GETDEL", b"\xe9num"), cmd("DEL", b"\x00bin\xff", b"\xc3(", b"\r\n", b"\xe9num"),
    cmd("GET", b"\x00bin\xff"), cmd("SET", "", b"\x00"), cmd("GET", ""), cmd("DEL", ""), cmd("DBSIZE"),
]

def within(lo, hi):
    """A check of a reply that depends on the time: an integer from lo to hi, on both servers."""
    return lambda n: lo <= n <= hi

# Key expiry (docs/RESP.md, "Key expiry"). Nothing waits for a key to expire: a deadline in the
# past does it. A reply that depends on the time is a pair (request, check of the integer). No
# DBSIZE or INFO here: Redis's reads delete an expired key, kvs's leave it to a write.
EXPIRY = [
    cmd("SET", "x:k", "v", "EX", "10", "PX", "100"), cmd("SET", "x:k", "v", "KEEPTTL", "EX", "10"),
    cmd("SET", "x:k", "v", "EX", "10", "KEEPTTL"), cmd("SET", "x:k", "v", "EX"), cmd("SET", "x:k", "v", "PERSIST"),
    cmd("SET", "x:k", "v", "EX", "0"), cmd("SET", "x:k", "v", "EX", "-1"), cmd("SET", "x:k", "v", "PX", "0"),
    cmd("SET", "x:k", "v", "EXAT", "0"), cmd("SET", "x:k", "v", "PXAT", "-5"), cmd("SET", "x:k", "v", "EX", "1.5"),
    cmd("SET", "x:k", "v", "EX", "+5"), cmd("SET", "x:k", "v", "EX", "010"), cmd("SET", "x:k", "v", "EX", ""),
    cmd("SET", "x:k", "v", "EX", "9223372036854775"), cmd("SET", "x:k", "v", "PX", "9223372036854000000"),
    cmd("SET", "x:k", "v", "EX", "9223372036854776"), cmd("SET", "x:k", "v", "ex", "10", "Ex", "20"),
    (cmd("TTL", "x:k"), within(19, 20)), cmd("SET", "x:k", "v", "xx", "XX", "get", "keepttl", "KEEPTTL"),
    (cmd("TTL", "x:k"), within(19, 20)), cmd("SET", "x:k", "v", "GET", "EX", "0"),
    cmd("SET", "x:k", "v", "PXAT", "9223372036854775807"), cmd("PEXPIRETIME", "x:k"), cmd("EXPIRETIME", "x:k"),
    cmd("SET", "x:k", "v", "EXAT", "9223372036854775"), cmd("PEXPIRETIME", "x:k"),
    cmd("SET", "x:old", "v", "EXAT", "1"), cmd("GET", "x:old"), cmd("EXISTS", "x:old"), cmd("TTL", "x:old"),
    cmd("PTTL", "x:old"), cmd("TYPE", "x:old"), cmd("KEYS", "x:o*"), cmd("SET", "x:old", "w", "XX"),
    cmd("RENAME", "x:old", "x:o2"), cmd("PERSIST", "x:old"), cmd("DEL", "x:old"),
    cmd("SET", "x:k", "v"), cmd("SET", "x:k", "v2", "GET", "NX"), cmd("SET", "x:k", "v3", "GET", "XX"),
    cmd("GET", "x:k"), cmd("SET", "x:n", "v", "GET", "XX"), cmd("EXISTS", "x:n"),
    cmd("SET", "x:n", "v", "NX", "PX", "100000"), (cmd("PTTL", "x:n"), within(99000, 100000)),
    cmd("SETEX", "x:s", "0", "v"), cmd("PSETEX", "x:s", "-3", "v"), cmd("SETEX", "x:s", "abc", "v"),
    cmd("PSETEX", "x:s", "9223372036854775807", "v"), cmd("SETEX", "x:s", "100", "v"),
    (cmd("PTTL", "x:s"), within(99000, 100000)), cmd("SETEX", "x:s", "1"),
    cmd("GETEX", "x:missing", "EX", "-5"), cmd("GETEX", "x:missing", "EX", "abc"),
    cmd("GETEX", "x:missing", "EX", "10", "PX", "10"), cmd("GETEX", "x:k", "PERSIST", "EX", "10"),
    cmd("GETEX", "x:k", "KEEPTTL"), cmd("GETEX", "x:k", "NX"), cmd("GETEX", "x:k", "EX"),
    cmd("SET", "x:k", "v"), cmd("GETEX", "x:k", "EX", "0"), cmd("GETEX", "x:k", "PX", "1.5"),
    cmd("GETEX", "x:k", "EX", "100"), (cmd("TTL", "x:k"), within(99, 100)), cmd("GETEX", "x:k"),
    (cmd("TTL", "x:k"), within(99, 100)), cmd("GETEX", "x:k", "PERSIST"), cmd("TTL", "x:k"),
    cmd("GETEX", "x:k", "EXAT", "1"), cmd("EXISTS", "x:k"), cmd("GETEX", "x:k"),
    cmd("SET", "x:k", "v", "EX", "100"), cmd("GETSET", "x:k", "v2"), cmd("TTL", "x:k"), cmd("GETDEL", "x:k"),
    cmd("GETDEL", "x:k"), cmd("TTL", "x:k"),
    cmd("EXPIRE", "x:missing", "100"), cmd("EXPIRE", "x:missing", "abc"), cmd("EXPIRE", "x:missing", ""),
    cmd("EXPIRE", "x:missing", "100", "AB"), cmd("EXPIRE", "x:missing", "100", "NX", "ab", "XX"),
    cmd("EXPIRE", "x:missing", "100", b"a\x00b"), cmd("EXPIRE", "x:missing", "100", b"\xe9\r\n"),
    cmd("EXPIRE", "x:k", "100", "NX", "XX"), cmd("EXPIRE", "x:k", "100", "GT", "NX"),
    cmd("EXPIRE", "x:k", "100", "NX", "LT"), cmd("EXPIRE", "x:k", "100", "GT", "LT"),
    cmd("EXPIRE", "x:k", "abc", "GT", "LT"), cmd("EXPIRE", "x:k", "abc", "GT"),
    cmd("EXPIRE", "x:missing", "100", "NX", "NX"), cmd("PEXPIRE", "x:missing", "-1"), cmd("EXPIRE", "x:k"),
    cmd("SET", "x:k", "v"), cmd("EXPIRE", "x:k", "100", "GT"), cmd("EXPIRE", "x:k", "100", "XX"),
    cmd("EXPIRE", "x:k", "100", "LT"), cmd("EXPIRE", "x:k", "50", "GT"), cmd("EXPIRE", "x:k", "200", "GT"),
    cmd("EXPIRE", "x:k", "300", "NX"), cmd("EXPIRE", "x:k", "150", "xx", "lt"), (cmd("TTL", "x:k"), within(149, 150)),
    cmd("SET", "x:k", "v"), cmd("PEXPIRE", "x:k", "-1", "GT"), cmd("TTL", "x:k"), cmd("EXPIRE", "x:k", "-1", "LT"),
    cmd("EXISTS", "x:k"), cmd("EXPIRE", "x:k", "9223372036854776"), cmd("EXPIRE", "x:k", "-9223372036854776"),
    cmd("EXPIRE", "x:k", "9223370399119966"), cmd("PEXPIRE", "x:k", "9223372036854770000"),
    cmd("EXPIREAT", "x:k", "9223372036854776"), cmd("PEXPIREAT", "x:k", "-9223372036854775809"),
    cmd("SET", "x:k", "v"), cmd("PEXPIREAT", "x:k", "9223372036854775807"), cmd("EXPIRETIME", "x:k"),
    cmd("PEXPIREAT", "x:k", "-9223372036854775808"), cmd("EXISTS", "x:k"),
    cmd("SET", "x:k", "v"), cmd("PEXPIREAT", "x:k", "4102444800123"), cmd("EXPIRETIME", "x:k"),
    cmd("PEXPIRETIME", "x:k"), cmd("PEXPIREAT", "x:k", "4102444800500"), cmd("EXPIRETIME", "x:k"),
    cmd("EXPIREAT", "x:k", "4102444800"), cmd("PEXPIRETIME", "x:k"), cmd("EXPIREAT", "x:k", "1"), cmd("GET", "x:k"),
    cmd("SET", "x:k", "v"), cmd("PEXPIRE", "x:k", "1499"), (cmd("TTL", "x:k"), within(1, 1)),
    cmd("PEXPIRE", "x:k", "2600"), (cmd("TTL", "x:k"), within(2, 3)), cmd("PEXPIRE", "x:k", "400"),
    (cmd("TTL", "x:k"), within(0, 0)), (cmd("PTTL", "x:k"), within(300, 400)),
    cmd("TTL", "x:none"), cmd("PTTL", "x:none"), cmd("EXPIRETIME", "x:none"), cmd("PEXPIRETIME", "x:none"),
    cmd("SET", "x:p", "v"), cmd("TTL", "x:p"), cmd("PTTL", "x:p"), cmd("EXPIRETIME", "x:p"), cmd("PEXPIRETIME", "x:p"),
    cmd("PERSIST", "x:p"), cmd("EXPIRE", "x:p", "100"), cmd("PERSIST", "x:p"), cmd("PERSIST", "x:p"),
    cmd("PERSIST", "x:none"), cmd("TTL", "a", "b"),
    # What keeps a deadline, and what clears it.
    cmd("SET", "x:c", "1", "EX", "100"), cmd("INCR", "x:c"), cmd("DECRBY", "x:c", "3"), cmd("INCRBY", "x:c", "7"),
    cmd("DECR", "x:c"), cmd("INCRBYFLOAT", "x:c", "1.5"), cmd("APPEND", "x:c", "0"), cmd("SETRANGE", "x:c", "0", "9"),
    cmd("SET", "x:c", "v", "KEEPTTL"), cmd("SETNX", "x:c", "x"), cmd("MSETNX", "x:c", "x", "x:new", "n"),
    cmd("SET", "x:c", "w", "NX"), cmd("GET", "x:c"), (cmd("TTL", "x:c"), within(99, 100)),
    cmd("SET", "x:c", "v2", "XX"), cmd("TTL", "x:c"), cmd("EXPIRE", "x:c", "100"), cmd("MSET", "x:c", "v3", "x:o", "o"),
    cmd("TTL", "x:c"), cmd("EXPIRE", "x:c", "100"), cmd("GETSET", "x:c", "v4"), cmd("TTL", "x:c"),
    # RENAME moves a deadline, COPY copies it; one database.
    cmd("SET", "x:a", "v", "EX", "100"), cmd("SET", "x:b", "w", "EX", "500"), cmd("RENAME", "x:a", "x:b"),
    (cmd("TTL", "x:b"), within(99, 100)), cmd("GET", "x:b"), cmd("SET", "x:a", "v"), cmd("SET", "x:b", "w", "EX", "500"),
    cmd("RENAME", "x:a", "x:b"), cmd("TTL", "x:b"), cmd("RENAME", "x:b", "x:b"), cmd("RENAMENX", "x:b", "x:b"),
    cmd("RENAME", "x:nope", "x:z"), cmd("RENAMENX", "x:nope", "x:nope"), cmd("SET", "x:c", "x", "PX", "100000"),
    cmd("RENAMENX", "x:b", "x:c"), cmd("RENAMENX", "x:c", "x:d"), (cmd("PTTL", "x:d"), within(99000, 100000)),
    cmd("RENAME", "x:a"), cmd("SET", "x:c", "v", "EX", "100"), cmd("COPY", "x:c", "x:cc"),
    (cmd("TTL", "x:cc"), within(99, 100)), cmd("SET", "x:f", "x", "EX", "999"), cmd("SET", "x:c", "v"),
    cmd("COPY", "x:c", "x:f"), (cmd("TTL", "x:f"), within(998, 999)), cmd("COPY", "x:c", "x:f", "REPLACE", "DB", "0"),
    cmd("TTL", "x:f"), cmd("COPY", "x:missing", "x:f", "REPLACE"), cmd("COPY", "x:c", "x:c"),
    cmd("COPY", "x:c", "x:c", "DB", "1"), cmd("COPY", "x:c", "x:g", "DB", "x"), cmd("COPY", "x:c", "x:g", "DB", "99999999999"),
    cmd("COPY", "x:c", "x:g", "DB"), cmd("COPY", "x:c", "x:g", "bogus"), cmd("COPY", "x:c", "x:g", "DB", "0", "DB", "1"),
    cmd("COPY", "x:c"), cmd("MOVE", "x:c", "1"), cmd("MOVE", "x:c", "0"), cmd("MOVE", "x:nope", "x"), cmd("MOVE", "x:c"),
    cmd("QUIT"),
]
REQUESTS += EXPIRY
# Redis 7.2 texts that the Redis of Debian 12 (7.0) words otherwise; kvs follows 7.2 (docs/RESP.md).
REDIS_70 = {
    cmd("CLIENT", "SETINFO", "LIB-NAME", "x"), cmd("CLIENT", "SETINFO", "lib-ver", "1.0"),
}

# Transactions (docs/RESP.md, "Transactions"): the edge cases of Redis's tests/unit/multi.tcl and more, each on two
# fresh connections per server (a and b) after a FLUSHALL. A step is a request on a; b(r) sends r on b;
# block(r...) sends requests in one write and reads a reply for each; nap(s) waits s seconds (expiry
# cases; a sleep in a script, never in a test); eof() reads a until the server closes it; hangup()
# closes a.
def b(r):
    return ("b", r)

def block(*rs):
    return ("block", rs)

def nap(seconds):
    return ("nap", seconds)

def eof():
    return ("eof", None)

def hangup():
    return ("hangup", None)

RUN = [cmd("MULTI"), cmd("PING"), cmd("EXEC")]  # after a WATCH: *-1 if a watched key was touched, else *1 +PONG

def watched(setup, write):
    """A watcher's WATCH k, then (b) runs write, then MULTI PING EXEC: whether write touched k."""
    return [b(r) for r in setup] + [cmd("WATCH", "k"), b(write)] + RUN

def in_multi(*rs):
    """MULTI, the requests, EXEC, then GET k: what each request gives when queued."""
    return [cmd("MULTI"), *rs, cmd("EXEC"), cmd("GET", "k")]

SET_K = [cmd("SET", "k", "v")]
K_TTL = [cmd("SET", "k", "v", "EX", "100")]
K_AND_SRC = [cmd("SET", "k", "v"), cmd("SET", "src", "s")]
SRC = [cmd("SET", "src", "s")]
K_1 = [cmd("SET", "k", "1")]
TRANSACTIONS = [
    # The commands themselves; nested MULTI and WATCH inside MULTI do not abort.
    [cmd("MULTI"), cmd("EXEC")],
    [cmd("MULTI"), cmd("MULTI"), cmd("SET", "a", "1"), cmd("WATCH", "a"), cmd("EXEC"), cmd("GET", "a")],
    [cmd("EXEC"), cmd("DISCARD"), cmd("UNWATCH")],
    [cmd("MULTI"), cmd("SET", "a", "1"), cmd("DISCARD"), cmd("GET", "a"), cmd("EXEC")],
    # Refused while queueing: EXECABORT, nothing written; EXEC x aborts at once.
    [cmd("MULTI"), cmd("SET", "a", "1"), cmd("NOSUCH", "x", "y"), cmd("SET", "b", "2"), cmd("EXEC"),
     cmd("EXISTS", "a", "b"), cmd("EXEC")],
    [cmd("MULTI"), cmd("NOSUCH"), cmd("EXEC")],
    [cmd("MULTI"), cmd("GET"), cmd("EXEC")],
    [cmd("MULTI"), cmd("SET", "a", "1"), cmd("MULTI", "x"), cmd("EXEC"), cmd("GET", "a")],
    [cmd("MULTI"), cmd("DISCARD", "x"), cmd("EXEC")],
    [cmd("MULTI"), cmd("UNWATCH", "x"), cmd("EXEC")],
    [cmd("MULTI"), cmd("WATCH"), cmd("EXEC")],
    [cmd("MULTI"), cmd("CONFIG", "GET"), cmd("EXEC")],
    [cmd("MULTI"), cmd("CLIENT", "FOO"), cmd("EXEC")],
    [cmd("MULTI"), cmd("CLUSTER", "INFO"), cmd("SET", "a", "3"), cmd("EXEC"), cmd("GET", "a")],
    [cmd("MULTI"), cmd("SET", "a", "2"), cmd("EXEC", "x"), cmd("EXEC"), cmd("GET", "a")],
    [cmd("EXEC", "x"), cmd("EXEC")],
    [cmd("WATCH", "k"), cmd("EXEC", "x"), b(cmd("SET", "k", "1"))] + RUN,  # EXEC x drops the watch
    # A run-time error is its command's element; the others apply.
    [cmd("MULTI"), cmd("SET", "s", "foo"), cmd("INCR", "s"), cmd("SET", "t", "1"), cmd("EXEC"), cmd("GET", "t")],
    # Checked only when EXEC runs them, as Redis: options, numbers, types, subcommands' arguments.
    in_multi(cmd("SET", "k", "v", "EX", "10", "PX", "10"), cmd("SET", "k", "v", "bogus"), cmd("SET", "k", "v"),
             cmd("INCR", "k"), cmd("GETRANGE", "k", "x", "2"), cmd("EXPIRE", "k", "abc"), cmd("EXPIRE", "k", "10", "NX", "XX"),
             cmd("SETEX", "k", "0", "v"), cmd("INCRBYFLOAT", "k", "1"), cmd("SELECT", "x"), cmd("SCAN", "x"),
             cmd("COPY", "k", "k"), cmd("RENAME", "nope", "k2"), cmd("CLIENT", "SETNAME", "a b"), cmd("FLUSHDB", "bogus"),
             cmd("ECHO", "é"), cmd("PING", "x")),
    in_multi(cmd("SET", "k", "1"), cmd("INCRBY", "k", "41"), cmd("GET", "k"), cmd("MSET", "k", "2", "j", "3"),
             cmd("MGET", "k", "j", "none"), cmd("GETDEL", "j"), cmd("EXISTS", "j"), cmd("APPEND", "k", "0"), cmd("STRLEN", "k"),
             cmd("DEL", "k"), cmd("GET", "k"), cmd("SETNX", "k", "x"), cmd("DBSIZE"), cmd("TYPE", "k"), cmd("RENAME", "k", "k2"),
             cmd("COPY", "k2", "k"), cmd("FLUSHALL"), cmd("DBSIZE"), cmd("SET", "k", "last")),
    in_multi(cmd("SET", "k", "v", "PX", "100000"), cmd("GETEX", "k", "PERSIST"), cmd("TTL", "k"), cmd("EXPIRE", "k", "100"),
             cmd("PERSIST", "k"), cmd("PEXPIRE", "k", "-1"), cmd("EXISTS", "k"), cmd("SET", "k", "v", "EXAT", "1"), cmd("GET", "k"),
             cmd("TTL", "k"), cmd("SET", "k", "w")),
    # Whole-keyspace reads inside EXEC see the transaction's own earlier writes (one key: no order to compare).
    in_multi(cmd("SET", "k", "v"), cmd("DBSIZE"), cmd("KEYS", "*"), cmd("SCAN", "0"), cmd("RANDOMKEY"), cmd("DEL", "k"),
             cmd("DBSIZE"), cmd("KEYS", "*"), cmd("RANDOMKEY"), cmd("EXISTS", "k")),
    in_multi(cmd("CLIENT", "SETNAME", "tx"), cmd("CLIENT", "GETNAME"), cmd("CONFIG", "GET", "databases"),
             cmd("AUTH", "x"), cmd("MOVE", "k", "1"), cmd("COPY", "k", "c", "DB", "1")) + [cmd("CLIENT", "GETNAME")],
    # UNWATCH is queued; so is SELECT (one database: SELECT 1 is out of range on both).
    [cmd("MULTI"), cmd("UNWATCH"), cmd("PING"), cmd("EXEC")],
    in_multi(cmd("SELECT", "0"), cmd("SET", "k", "v")),
    in_multi(cmd("SELECT", "1"), cmd("SET", "k", "w")),
    # QUIT or a dropped connection discards the queue.
    [cmd("MULTI"), cmd("SET", "q", "1"), cmd("QUIT"), eof(), b(cmd("EXISTS", "q"))],
    [cmd("MULTI"), cmd("SET", "q2", "1"), hangup(), b(cmd("EXISTS", "q2"))],
    [cmd("WATCH", "q3"), hangup(), b(cmd("SET", "q3", "1")), b(cmd("EXISTS", "q3"))],
    # Whole transactions in one write; an error among them; inline commands.
    [block(cmd("MULTI"), cmd("SET", "p", "1"), cmd("INCR", "p"), cmd("GET", "p"), cmd("EXEC"))],
    [block(cmd("WATCH", "k"), cmd("MULTI"), cmd("SET", "k", "5"), cmd("EXEC"), cmd("GET", "k"))],
    [block(cmd("MULTI"), cmd("SET", "a", "1"), cmd("BOGUS"), cmd("SET", "b", "2"), cmd("EXEC"), cmd("EXISTS", "a", "b"))],
    [b"multi\r\nset a 'x y'\r\nget a\r\nexec\r\n"],
    [block(cmd("MULTI"), *[cmd("INCR", "n") for _ in range(3000)], cmd("EXEC")), cmd("GET", "n")],
    [cmd("WATCH", *["w%d" % i for i in range(1000)]), b(cmd("SET", "w999", "1"))] + RUN,
    # RESP3 (every sequence runs in both): the abort is _, a missing value _.
    [cmd("WATCH", "x"), b(cmd("SET", "x", "2"))] + RUN,
    in_multi(cmd("GET", "nokey"), cmd("INCR", "n2"), cmd("MGET", "nokey", "n2")),
    # What touches a watched key (WATCH k, then (b) writes).
    watched([cmd("SET", "x", "30")], cmd("SET", "x", "30")),
    [cmd("SET", "x", "30"), cmd("WATCH", "x"), b(cmd("SET", "x", "30"))] + RUN,
    watched([], cmd("SET", "k", "v")),
    watched([], cmd("DEL", "k")),
    # No touch.
    watched(SET_K, cmd("SET", "k", "v", "NX")), watched([], cmd("SET", "k", "v", "XX")),
    watched(SET_K, cmd("SET", "k", "w", "NX", "GET")), watched(SET_K, cmd("SETNX", "k", "x")),
    watched(SET_K, cmd("EXPIRE", "k", "100", "XX")), watched(K_TTL, cmd("EXPIRE", "k", "50", "GT")),
    watched(SET_K, cmd("PERSIST", "k")), watched([], cmd("PERSIST", "k")), watched([], cmd("EXPIRE", "k", "100")),
    watched(SET_K, cmd("SETRANGE", "k", "0", "")), watched([], cmd("SETRANGE", "k", "3", "")),
    watched(SET_K, cmd("RENAME", "k", "k")), watched(SET_K, cmd("RENAMENX", "k", "k")),
    watched(K_AND_SRC, cmd("RENAMENX", "src", "k")), watched(SET_K, cmd("MSETNX", "k", "v", "new", "1")),
    watched(SET_K, cmd("GETEX", "k")), watched(SET_K, cmd("GETEX", "k", "PERSIST")), watched(SET_K, cmd("COPY", "k", "dst")),
    watched(K_AND_SRC, cmd("COPY", "src", "k")), watched(SET_K, cmd("MOVE", "k", "1")),
    watched(SET_K, cmd("GET", "k")), watched(SET_K, cmd("EXISTS", "k")), watched(SET_K, cmd("STRLEN", "k")),
    watched(SET_K, cmd("MGET", "k")), watched(SET_K, cmd("TTL", "k")), watched(SET_K, cmd("TYPE", "k")),
    watched([], cmd("GETDEL", "k")), watched(SET_K, cmd("SET", "other", "1")), watched(SET_K, cmd("INCR", "k")),
    watched(SET_K, cmd("INCRBYFLOAT", "k", "1")), watched(SET_K, cmd("SET", "k", "v", "EX", "0")),
    watched(SET_K, cmd("GETEX", "k", "EX", "abc")), watched([], cmd("FLUSHDB")),
    # Touched.
    watched(K_TTL, cmd("SET", "k", "v", "KEEPTTL")), watched(SET_K, cmd("MSET", "k", "v")),
    watched(SET_K, cmd("SET", "k", "w", "XX")), watched(SET_K, cmd("GETSET", "k", "x")),
    watched([], cmd("SETNX", "k", "x")), watched([], cmd("MSETNX", "k", "v", "new", "1")),
    watched(K_1, cmd("INCRBY", "k", "0")), watched(K_1, cmd("DECRBY", "k", "0")), watched([], cmd("INCR", "k")),
    watched(K_1, cmd("INCRBYFLOAT", "k", "0")), watched(SET_K, cmd("APPEND", "k", "")), watched([], cmd("APPEND", "k", "x")),
    watched(SET_K, cmd("SETRANGE", "k", "0", "v")), watched(SET_K, cmd("SETEX", "k", "100", "v")),
    watched(SET_K, cmd("EXPIRE", "k", "100")), watched(SET_K, cmd("GETEX", "k", "EX", "100")),
    watched(K_TTL, cmd("PERSIST", "k")), watched(K_TTL, cmd("GETEX", "k", "PERSIST")), watched(SET_K, cmd("PEXPIRE", "k", "-1")),
    watched(SET_K, cmd("EXPIREAT", "k", "1")), watched(SET_K, cmd("GETEX", "k", "EXAT", "1")),
    watched(SET_K, cmd("DEL", "k")), watched(SET_K, cmd("UNLINK", "k")), watched(SET_K, cmd("GETDEL", "k")),
    watched(SET_K, cmd("RENAME", "k", "other")), watched(SET_K, cmd("RENAMENX", "k", "other")),
    watched(K_AND_SRC, cmd("RENAME", "src", "k")), watched(SRC, cmd("RENAMENX", "src", "k")),
    watched(SRC, cmd("COPY", "src", "k")), watched(K_AND_SRC, cmd("COPY", "src", "k", "REPLACE")),
    watched(SET_K, cmd("FLUSHALL")), watched([], b"set k inline\r\n"),
    [cmd("WATCH", "k"), b(cmd("MULTI")), b(cmd("SET", "k", "1")), b(cmd("EXEC"))] + RUN,
    # FLUSHDB touches a watched key that exists, not one that does not; so does FLUSHALL, the watcher's own.
    [cmd("SET", "k", "v"), cmd("WATCH", "k"), b(cmd("FLUSHDB"))] + RUN,
    [cmd("WATCH", "k"), b(cmd("SET", "other", "1")), b(cmd("FLUSHDB"))] + RUN,
    [cmd("SET", "k", "v"), cmd("WATCH", "k"), cmd("FLUSHALL")] + RUN,
    # The watcher's own write aborts its EXEC; EXEC's own writes do not matter.
    [cmd("WATCH", "k"), cmd("SET", "k", "1"), cmd("MULTI"), cmd("INCR", "k"), cmd("EXEC"), cmd("GET", "k"),
     cmd("WATCH", "k"), cmd("MULTI"), cmd("INCR", "k"), cmd("EXEC"), cmd("MULTI"), cmd("INCR", "k"), cmd("EXEC")],
    # A watch stays with its database (one database here: SELECT 1 fails on both, so k stays in db 0).
    [cmd("SELECT", "0"), cmd("WATCH", "k"), cmd("SELECT", "1"), cmd("SET", "k", "1")] + RUN,
    [cmd("SELECT", "0"), cmd("WATCH", "k"), cmd("MULTI"), cmd("PING"), b(cmd("SET", "k", "1")), cmd("EXEC")],
    # WATCH again, WATCH after a touch, UNWATCH clears both.
    [cmd("WATCH", "k"), cmd("WATCH", "k"), cmd("WATCH", "k", "j"), b(cmd("SET", "k", "1")), cmd("WATCH", "z"),
     cmd("UNWATCH")] + RUN,
    [cmd("WATCH", "k", "k", "k"), b(cmd("SET", "j", "1")), cmd("WATCH", "j"), b(cmd("SET", "k", "1"))] + RUN,
    [cmd("WATCH", "k"), b(cmd("SET", "k", "1")), cmd("WATCH", "z")] + RUN,
    # DISCARD lets go of the watch.
    [cmd("WATCH", "x"), cmd("SET", "x", "10"), cmd("MULTI"), cmd("DISCARD"), cmd("MULTI"), cmd("INCR", "x"), cmd("EXEC")],
    [cmd("WATCH", "k"), cmd("MULTI"), cmd("DISCARD"), b(cmd("SET", "k", "1"))] + RUN,
    # EXEC without MULTI keeps the watch; an EXECABORT drops it.
    [cmd("WATCH", "k"), cmd("EXEC"), b(cmd("SET", "k", "1"))] + RUN,
    [cmd("WATCH", "k"), cmd("MULTI"), cmd("BOGUS"), cmd("EXEC"), b(cmd("SET", "k", "1"))] + RUN,
    [cmd("WATCH", "k"), cmd("MULTI"), cmd("SET", "k", "2"), cmd("EXEC"), b(cmd("SET", "k", "1"))] + RUN,
    # An aborted EXEC writes nothing; a queue-time error wins over a touched watch.
    [cmd("SET", "n", "1"), cmd("WATCH", "k"), b(cmd("SET", "k", "1")), cmd("MULTI"), cmd("INCR", "n"), cmd("EXEC"),
     cmd("GET", "n")],
    [cmd("SET", "n", "1"), cmd("WATCH", "k"), b(cmd("SET", "k", "1")), cmd("MULTI"), cmd("INCR", "n"), cmd("BOGUS"),
     cmd("EXEC"), cmd("GET", "n")],
    # A watched key whose deadline passes (Redis's active expiry may or may not delete it meanwhile).
    [cmd("SET", "k", "v", "PX", "100"), cmd("WATCH", "k"), nap(0.3)] + RUN,
    [cmd("SET", "k", "v", "PX", "200"), cmd("WATCH", "k"), cmd("MULTI"), cmd("GET", "k"), nap(0.4), cmd("EXEC")],
    [cmd("SET", "k", "v", "PX", "100"), cmd("WATCH", "k"), nap(0.3), b(cmd("GET", "k"))] + RUN,
    [cmd("SET", "k", "v", "PX", "100"), nap(0.3), cmd("WATCH", "k")] + RUN,
    [cmd("SET", "k", "v", "PX", "100"), nap(0.3), cmd("WATCH", "k"), b(cmd("EXISTS", "k"))] + RUN,
    [cmd("SET", "k", "v", "PX", "100"), nap(0.3), cmd("WATCH", "k"), b(cmd("FLUSHDB"))] + RUN,
    [cmd("SET", "k", "v", "PX", "100"), nap(0.3), cmd("WATCH", "k"), b(cmd("SET", "k", "x"))] + RUN,
    [cmd("SET", "k", "v", "PX", "100000"), cmd("WATCH", "k"), nap(0.2)] + RUN,
]

def transaction_replies(port, protocol, sequences):
    """The replies to each step of each sequence, on fresh connections a and b per sequence."""
    out = []
    for sequence in sequences:
        conns = {}
        for side in ("a", "b"):
            s = socket.create_connection(("127.0.0.1", port), timeout=5)
            conns[side] = (s, s.makefile("rb"))
            s.sendall(cmd("HELLO", str(protocol)))
            read_reply(conns[side][1])
        conns["b"][0].sendall(cmd("FLUSHALL"))
        read_reply(conns["b"][1])
        got = []
        try:
            for step in sequence:
                kind, arg = step if isinstance(step, tuple) else ("a", step)
                if kind == "nap":
                    time.sleep(arg)
                elif kind == "hangup":
                    conns["a"][0].close()
                elif kind == "eof":
                    got.append(conns["a"][1].read() or b"<closed>")
                elif kind == "block":
                    conns["a"][0].sendall(b"".join(arg))
                    got.append(b"".join(read_reply(conns["a"][1]) for _ in arg))
                else:
                    s, f = conns[kind]
                    s.sendall(arg)
                    n = 1 if arg.startswith(b"*") else arg.count(b"\n")
                    got.append(b"".join(read_reply(f) for _ in range(n)))
        except OSError as e:  # a reply that never came (socket.timeout) ends the sequence
            got.append(b"<%s>" % type(e).__name__.encode())
        for s, f in conns.values():
            s.close()
        out.append(got)
    return out

def label(step):
    kind, arg = step if isinstance(step, tuple) else ("a", step)
    if kind == "block":
        return b"(one write) " + b" ".join(label(r) for r in arg)
    if kind in ("a", "b"):
        words = arg.split(b"\r\n")[2::2] if arg.startswith(b"*") else [arg.strip()]
        return (b"(b) " if kind == "b" else b"") + b" ".join(words)
    return kind.encode()

def unordered(r):
    """Whether the reply to r is a list in no promised order (KEYS): compared as a set, not in order."""
    return r.startswith(b"*") and r.split(b"\r\n")[2].upper() == b"KEYS"

def request(r):
    return r[0] if isinstance(r, tuple) else r

def replies(port, protocol, requests):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    out = []
    f = s.makefile("rb")
    for r in [cmd("HELLO", str(protocol)), cmd("FLUSHALL")]:
        s.sendall(r)
        read_reply(f)  # HELLO names the server: it differs by design
    for r in map(request, requests):
        s.sendall(r)
        n = r.count(b"\n") if not r.startswith(b"*") else 1
        if r == b"\r\n":
            out.append(b"")
            continue
        got = b""
        for _ in range(n if not r.startswith(b"*") else 1):
            got += read_reply(f)
        out.append(got)
    s.close()
    return out

def read_reply(f):
    line = f.readline()
    if not line:
        return b"<closed>"
    kind = line[:1]
    if kind in b"$=":
        n = int(line[1:-2])
        return line + (f.read(n + 2) if n >= 0 else b"")
    if kind in b"*~%":
        n = int(line[1:-2])
        body = b"".join(read_reply(f) for _ in range(max(n, 0) * (2 if kind == b"%" else 1)))
        return line + body
    return line

redis_port, kvs_port = int(sys.argv[1]), int(sys.argv[2])
differences = 0
for protocol in (2, 3):
    a = replies(redis_port, protocol, REQUESTS)
    b = replies(kvs_port, protocol, REQUESTS)
    for req, x, y in zip(REQUESTS, a, b):
        if req in REDIS_70:
            continue
        if isinstance(req, tuple):  # time-dependent: the same shape, an integer in range on both
            req, check = req
            ok = all(r[:1] == b":" and r.endswith(b"\r\n") and check(int(r[1:-2])) for r in (x, y))
            if not ok:
                differences += 1
                print("RESP%d OUT OF RANGE %r\n  redis: %r\n  kvs:   %r" % (protocol, req, x, y))
            continue
        if x != y and not (unordered(req) and sorted(x.split(b"\r\n")) == sorted(y.split(b"\r\n"))):
            differences += 1
            print("RESP%d DIFFERS %r\n  redis: %r\n  kvs:   %r" % (protocol, req, x, y))
    a = transaction_replies(redis_port, protocol, TRANSACTIONS)
    b = transaction_replies(kvs_port, protocol, TRANSACTIONS)
    for i, (sequence, x, y) in enumerate(zip(TRANSACTIONS, a, b)):
        if x != y:
            differences += 1
            steps = [label(s) for s in sequence if not (isinstance(s, tuple) and s[0] in ("nap", "hangup"))]
            print("RESP%d TRANSACTION %d DIFFERS: %s" % (protocol, i + 1, "; ".join(
                s.decode("utf-8", "replace")[:60] for s in steps)))
            for j in range(max(len(x), len(y))):
                if j >= len(x) or j >= len(y) or x[j] != y[j]:
                    print("  at %s\n    redis: %r\n    kvs:   %r" % (steps[j].decode("utf-8", "replace")[:200] if j < len(steps)
                          else "?", x[j] if j < len(x) else None, y[j] if j < len(y) else None))
print("%d requests and %d transaction sequences in RESP2 and RESP3 each, %d differ"
      % (len(REQUESTS), len(TRANSACTIONS), differences))
sys.exit(1 if differences else 0)
PY
