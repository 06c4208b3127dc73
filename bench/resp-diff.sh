#!/usr/bin/env bash
# Differential check of the RESP listener against Redis itself (docs/RESP.md): sends the same
# requests, one connection per protocol version, to a redis-server and to a kvs-server this script
# starts (free loopback ports, fresh data directories, both stopped by their PIDs) and compares
# the reply bytes. Requests whose answers differ by design (HELLO's server name, INFO, COMMAND's
# table, the expiry and MULTI errors...) are not sent; docs/RESP.md lists those differences.
# Installs Debian's redis-server and redis-tools when missing. Exits 1 if any reply differs.
#
#   bench/resp-diff.sh
set -euo pipefail
source "$(dirname "$0")/lib.sh"
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

start_resp_server "$work"
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
    cmd("QUIT"),
]
# Redis 7.2 texts that the Redis of Debian 12 (7.0) words otherwise; kvs follows 7.2 (docs/RESP.md).
REDIS_70 = {
    cmd("CLIENT", "SETINFO", "LIB-NAME", "x"), cmd("CLIENT", "SETINFO", "lib-ver", "1.0"),
}

def replies(port, protocol, requests):
    s = socket.create_connection(("127.0.0.1", port), timeout=10)
    out = []
    f = s.makefile("rb")
    for r in [cmd("HELLO", str(protocol)), cmd("FLUSHALL")]:
        s.sendall(r)
        read_reply(f)  # HELLO names the server: it differs by design
    for r in requests:
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
        if x != y:
            differences += 1
            print("RESP%d DIFFERS %r\n  redis: %r\n  kvs:   %r" % (protocol, req, x, y))
print("%d requests in RESP2 and RESP3 each, %d replies differ" % (len(REQUESTS), differences))
sys.exit(1 if differences else 0)
PY
