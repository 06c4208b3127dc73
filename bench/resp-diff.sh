#!/usr/bin/env bash
# Differential check of the RESP listener against Redis itself (docs/RESP.md): sends the same
# requests, one connection per protocol version, to a redis-server and to a kvs-server this script
# starts (free loopback ports, fresh data directories, both stopped by their PIDs) and compares
# the reply bytes; a reply that depends on the time (a TTL) is compared by shape and range instead,
# and KEYS's, whose order Redis does not promise, as a set.
# Requests whose answers differ by design (HELLO's server name, INFO, COMMAND's table, the MULTI
# error, DBSIZE with expired keys...) are not sent; docs/RESP.md lists those differences.
# Installs Debian's redis-server and redis-tools when missing. Exits 1 if any reply differs.
#
#   bench/resp-diff.sh [--engine kvs|mvstore]     # default: kvs-server's default engine
set -euo pipefail
source "$(dirname "$0")/lib.sh"

server_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --engine) server_args+=(--engine "$2"); shift 2 ;;
        -h|--help) sed -n '2,10p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
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
print("%d requests in RESP2 and RESP3 each, %d replies differ" % (len(REQUESTS), differences))
sys.exit(1 if differences else 0)
PY
