#!/usr/bin/env bash
# Smoke test of kvs-server's RESP listener with the Redis tools themselves (docs/RESP.md):
# redis-cli (one-shot commands, --scan, MULTI/EXEC sessions), redis-benchmark (ping, set, get,
# incr, mset; also pipelined and in RESP3) and redis-py scripts (strings, pipelines, expiry,
# bytes; transactions: pipeline(transaction=True), WatchError, EXECABORT, a counter raced by
# processes with r.transaction), against a kvs-server this script starts on free loopback ports
# with a fresh data directory and stops by its PID; then redis-cli and redis-benchmark with --tls
# --cacert and a password against a second kvs-server started with a self-signed certificate
# (openssl) and --password-file (README, "Running it safely"). Installs Debian's redis-tools and
# python3-redis when missing. Exits non-zero if any check failed.
#
#   bench/resp-smoke.sh [-n REQUESTS] [--engine kvs|mvstore]
#       -n: requests per redis-benchmark test, default 20000, a multiple of 800
#       --engine: the servers' engine, default kvs-server's default
set -euo pipefail
source "$(dirname "$0")/lib.sh"

requests=20000
server_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        -n) requests="$2"; shift 2 ;;
        --engine) server_args+=(--engine "$2"); shift 2 ;;
        -h|--help) sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "resp-smoke.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done

# redis-benchmark's 50 clients send whole pipelines of 16: with another count they send more INCRs than -n.
if ! [[ "$requests" =~ ^[0-9]+$ ]] || [ "$requests" -eq 0 ] || [ $((requests % 800)) -ne 0 ]; then
    echo "resp-smoke.sh: -n must be a positive multiple of 800 (50 clients x pipelines of 16), not '$requests'" >&2
    exit 2
fi

python=$(debian_python)
if ! command -v redis-cli >/dev/null || ! command -v redis-benchmark >/dev/null \
        || ! "$python" -c 'import redis' 2>/dev/null; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing redis-tools and python3-redis from Debian's packages..." >&2
    $sudo apt-get update -q >&2 && $sudo apt-get install -y -q redis-tools python3-redis >&2 \
        || { echo "could not install them: run 'apt-get install redis-tools python3-redis' as root" >&2; exit 1; }
fi

work=$(mktemp -d)
resp_server_pid=""
cleanup() {
    if [ -n "$resp_server_pid" ] && kill -0 "$resp_server_pid" 2>/dev/null; then
        kill "$resp_server_pid"
        wait "$resp_server_pid" 2>/dev/null || true
    fi
    rm -rf "$work"
}
trap cleanup EXIT

start_resp_server "$work" "${server_args[@]}"
port=$resp_port
echo "kvs-server (pid $resp_server_pid) serves RESP on 127.0.0.1:$port"

failures=0
# expect WANT redis-cli-args...: expect_redis_cli against this server.
expect() {
    local want="$1"; shift
    expect_redis_cli "$want" -p "$port" "$@"
}

echo "redis-cli:"
expect PONG ping
expect OK set greeting "héllo wörld"
expect "héllo wörld" get greeting
expect 1 incr n
expect 11 incrby n 10
expect OK mset a 1 b 2
expect $'1\n2' mget a b missing # a null prints as an empty line
expect 2 del a b missing
expect 0 exists a
expect 14 append greeting "!" # bytes: é and ö take two each
expect 4.5 incrbyfloat f 4.5
expect "ERR value is not an integer or out of range" incr greeting
expect "ERR unknown command 'nosuch', with args beginning with: 'x' " nosuch x
expect string type greeting
expect 3 dbsize
expect OK set tmp v pxat 4102444800123
expect 4102444800 expiretime tmp
expect 1 persist tmp
expect -1 ttl tmp
expect 1 del tmp
expect $'appendonly\nyes' config get appendonly
keys=$(redis-cli -h 127.0.0.1 -p "$port" --scan | sort | tr '\n' ' ')
if [ "$keys" = "f greeting n " ]; then
    echo "  ok   redis-cli --scan"
else
    echo "  FAIL redis-cli --scan: got '$keys'" >&2
    failures=$((failures + 1))
fi
expect OK flushall

echo "redis-benchmark ($requests requests per test):"
incrs=0
for args in "" "-P 16" "-3" "-3 -P 16"; do
    # shellcheck disable=SC2086
    if out=$(redis-benchmark -h 127.0.0.1 -p "$port" -t ping,set,get,incr,mset -n "$requests" --csv $args 2>&1); then
        # One CSV line per test: PING_INLINE, PING_MBULK, SET, GET, INCR, MSET (10 keys).
        count=$(grep -cE '^"(PING_INLINE|PING_MBULK|SET|GET|INCR|MSET \(10 keys\))","[0-9.]+"' <<<"$out" || true)
        summary=$(awk -F'","' '/^"[A-Za-z_ ()0-9]+","[0-9.]+"/ { sub(/^"/, "", $1); printf "%s %s/s; ", $1, $2 }' <<<"$out")
        if [ "$count" -eq 6 ]; then
            echo "  ok   redis-benchmark $args: $summary"
        else
            echo "  FAIL redis-benchmark $args: $out" >&2
            failures=$((failures + 1))
        fi
    else
        echo "  FAIL redis-benchmark $args: exit status $?: $out" >&2
        failures=$((failures + 1))
    fi
    incrs=$((incrs + requests))
done
# Every INCR of every run went to the one key redis-benchmark uses without -r: none lost, none doubled.
expect "$incrs" get counter:__rand_int__
expect OK flushall

echo "redis-py:"
if "$python" - "$port" <<'PY'
import sys
import time
import redis

r = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]), decode_responses=True)
assert r.ping()
assert r.set("py:k", "v") is True
assert r.get("py:k") == "v"
assert r.get("py:missing") is None
assert r.set("py:k", "w", nx=True) is None
assert r.incr("py:n", 5) == 5
assert r.incrbyfloat("py:f", 0.5) == 0.5
assert r.mset({"py:a": "1", "py:b": "2"}) is True
assert r.mget("py:a", "py:b", "py:c") == ["1", "2", None]
pipe = r.pipeline(transaction=False)
for i in range(1000):
    pipe.set(f"py:key:{i}", str(i))
    pipe.incr("py:counter")
results = pipe.execute()
assert results[-1] == 1000, results[-1]
assert len(set(r.scan_iter(match="py:key:*", count=100))) == 1000
assert r.dbsize() == 1006
try:
    r.incr("py:k")
    raise AssertionError("INCR of a non-integer succeeded")
except redis.ResponseError as e:
    assert str(e) == "value is not an integer or out of range", str(e)
info = r.info("keyspace")
assert info["db0"]["keys"] == 1006, info
assert r.delete("py:a", "py:b", "py:c") == 2
# Expiry: deadlines in the past take keys away at once, so nothing waits.
assert r.set("py:session", "s", ex=100) is True
assert 99 <= r.ttl("py:session") <= 100
assert r.set("py:lock", "t", nx=True, px=30000) is True
assert r.set("py:lock", "u", nx=True, px=30000) is None
assert 0 < r.pttl("py:lock") <= 30000
assert r.setex("py:sx", 60, "v") is True
assert r.psetex("py:psx", 60000, "v") is True
assert r.expire("py:sx", 10, lt=True) is True
assert r.expire("py:sx", 100, lt=True) is False
assert r.getex("py:sx", persist=True) == "v"
assert r.ttl("py:sx") == -1
at = int(time.time()) + 1000
assert r.expireat("py:sx", at) is True
assert r.expiretime("py:sx") == at
assert r.persist("py:sx") is True
assert r.incr("py:n") == 6 and r.getex("py:n", px=5000) == "6" and 0 < r.pttl("py:n") <= 5000
assert r.incr("py:n") == 7 and 0 < r.pttl("py:n") <= 5000  # INCR keeps the deadline
assert r.set("py:old", "v", exat=1) is True
assert r.get("py:old") is None and r.exists("py:old") == 0 and r.ttl("py:old") == -2
assert r.pexpire("py:psx", -1) is True and r.exists("py:psx") == 0
assert r.rename("py:lock", "py:lock2") is True
assert r.copy("py:lock2", "py:lock3") is True and r.pexpiretime("py:lock3") == r.pexpiretime("py:lock2")
try:
    r.setex("py:bad", 0, "v")
    raise AssertionError("SETEX 0 succeeded")
except redis.ResponseError as e:
    assert str(e) == "invalid expire time in 'setex' command", str(e)
assert r.delete("py:session", "py:lock2", "py:lock3", "py:sx", "py:n", "py:old") == 5
# Bytes: a client that does not decode replies gets any bytes back unchanged.
b = redis.Redis(host="127.0.0.1", port=int(sys.argv[1]))
blob = bytes(range(256)) + b"\r\n\x00"
assert b.set(b"py:\xff\x00", blob) is True
assert b.get(b"py:\xff\x00") == blob
assert b.strlen(b"py:\xff\x00") == len(blob)
assert b.append(b"py:\xff\x00", b"\xc3") == len(blob) + 1
assert b.getrange(b"py:\xff\x00", -2, -1) == b"\x00\xc3"
assert b.keys(b"py:\xff*") == [b"py:\xff\x00"]
assert b.delete(b"py:\xff\x00") == 1
print("  ok   redis-py", redis.__version__)
PY
then :; else
    echo "  FAIL redis-py" >&2
    failures=$((failures + 1))
fi

echo "redis-cli transactions:"
# expect_session WANT INPUT: feeds INPUT's lines to one redis-cli connection and compares its output with WANT.
expect_session() {
    local got
    got=$(printf '%s' "$2" | redis-cli -h 127.0.0.1 -p "$port" 2>&1) || true
    if [ "$got" = "$1" ]; then
        echo "  ok   redis-cli <<< $(printf '%s' "${2%$'\n'}" | tr '\n' ';')"
    else
        echo "  FAIL redis-cli <<< $(printf '%s' "${2%$'\n'}" | tr '\n' ';'): expected '$1', got '$got'" >&2
        failures=$((failures + 1))
    fi
}
expect_session $'OK\nQUEUED\nQUEUED\nQUEUED\nOK\n2\n2' $'MULTI\nSET cli:a 1\nINCR cli:a\nGET cli:a\nEXEC\n'
# The watcher's own SET touches the key: EXEC's null array prints as an empty line.
expect_session $'OK\nOK\nOK\nQUEUED\n\n1' $'WATCH cli:w\nSET cli:w 1\nMULTI\nINCR cli:w\nEXEC\nGET cli:w\n'
expect_session $'OK\nQUEUED\nERR unknown command \'NOSUCH\', with args beginning with: \'x\' \n\nEXECABORT Transaction discarded because of previous errors.\n\n0' \
    $'MULTI\nSET cli:b 1\nNOSUCH x\nEXEC\nEXISTS cli:b\n'
expect_session $'OK\nQUEUED\nQUEUED\nQUEUED\nOK\nERR value is not an integer or out of range\n\nOK\n1' \
    $'MULTI\nSET cli:s foo\nINCR cli:s\nSET cli:t 1\nEXEC\nGET cli:t\n'
expect_session $'OK\nQUEUED\nOK\n0\nERR EXEC without MULTI\n\nERR DISCARD without MULTI' \
    $'MULTI\nSET cli:d 1\nDISCARD\nEXISTS cli:d\nEXEC\nDISCARD\n'
expect OK flushall

echo "redis-py transactions:"
if "$python" - "$port" <<'PY'
import multiprocessing
import sys
import redis

port = int(sys.argv[1])
r = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
# pipeline() is a transaction by default: MULTI, the commands and EXEC in one write.
pipe = r.pipeline(transaction=True)
pipe.set("tx:a", "1").incr("tx:a").get("tx:a").mget("tx:a", "tx:none").delete("tx:none")
assert pipe.execute() == [True, 2, "2", ["2", None], 0]
pipe = r.pipeline()
for i in range(3000):  # more than one batch of the server's reads
    pipe.incr("tx:many")
assert pipe.execute() == list(range(1, 3001))
# A run-time error is that command's element; the others apply.
pipe = r.pipeline()
pipe.set("tx:w", "word").incr("tx:w").set("tx:after", "1")
try:
    pipe.execute()
    raise AssertionError("INCR of a word succeeded")
except redis.ResponseError as e:
    assert str(e) == "Command # 2 (INCRBY tx:w 1) of pipeline caused error: value is not an integer or out of range", str(e)
assert r.get("tx:after") == "1"
pipe.set("tx:w2", "word").incr("tx:w2").get("tx:w2")
results = pipe.execute(raise_on_error=False)
assert results[0] is True and isinstance(results[1], redis.ResponseError) and results[2] == "word", results
# A command refused while queueing: EXECABORT, nothing written. redis-py raises the first queueing error.
pipe = r.pipeline()
pipe.set("tx:x", "1").execute_command("NOSUCH", "x")
pipe.set("tx:y", "2")
try:
    pipe.execute()
    raise AssertionError("a transaction with an unknown command ran")
except redis.ResponseError as e:
    want = "Command # 2 (NOSUCH x) of pipeline caused error: unknown command 'NOSUCH', with args beginning with: 'x' "
    assert str(e) == want, str(e)
assert r.exists("tx:x", "tx:y") == 0
one = redis.Redis(host="127.0.0.1", port=port, decode_responses=True, single_connection_client=True)
assert one.execute_command("MULTI") == "OK"
assert one.execute_command("APPEND", "tx:x", "1") == "QUEUED"  # SET's reply would pass through its callback
try:
    one.execute_command("GET")
    raise AssertionError("GET without a key was queued")
except redis.ResponseError as e:
    assert str(e) == "wrong number of arguments for 'get' command", str(e)
try:
    one.execute_command("EXEC")
    raise AssertionError("EXEC ran after a queueing error")
except redis.exceptions.ExecAbortError as e:
    assert str(e) == "Transaction discarded because of previous errors.", str(e)
assert one.exists("tx:x") == 0
one.close()
# WATCH: another client's write, even of the same value, makes EXEC fail with WatchError and write nothing.
r.set("tx:watched", "v")
with r.pipeline() as pipe:
    pipe.watch("tx:watched")
    assert pipe.get("tx:watched") == "v"
    r.set("tx:watched", "v")
    pipe.multi()
    pipe.set("tx:watched", "mine").set("tx:also", "1")
    try:
        pipe.execute()
        raise AssertionError("EXEC ran after a watched key changed")
    except redis.WatchError:
        pass
assert r.get("tx:watched") == "v" and r.exists("tx:also") == 0
with r.pipeline() as pipe:  # unchanged: it runs
    pipe.watch("tx:watched")
    pipe.multi()
    pipe.set("tx:watched", "mine")
    assert pipe.execute() == [True]
assert r.get("tx:watched") == "mine"

# The WATCH counter race: processes increment one counter with r.transaction (WATCH, GET, MULTI, SET, EXEC,
# retried on WatchError); none is lost, none doubled.
PROCESSES, INCREMENTS = 4, 100

def increments(_):
    c = redis.Redis(host="127.0.0.1", port=port, decode_responses=True)
    attempts = 0
    for _ in range(INCREMENTS):
        def incr(pipe):
            nonlocal attempts
            attempts += 1
            n = int(pipe.get("tx:counter") or 0)
            pipe.multi()
            pipe.set("tx:counter", n + 1)
        c.transaction(incr, "tx:counter")
    c.close()
    return attempts

with multiprocessing.get_context("fork").Pool(PROCESSES) as pool:
    attempts = sum(pool.map(increments, range(PROCESSES)))
total = PROCESSES * INCREMENTS
assert r.get("tx:counter") == str(total), r.get("tx:counter")
print("  ok   redis-py transactions: %d increments by %d processes in %d attempts (%d retried)"
      % (total, PROCESSES, attempts, attempts - total))
PY
then :; else
    echo "  FAIL redis-py transactions" >&2
    failures=$((failures + 1))
fi
expect OK flushall

alive_or_exit() {
    if ! kill -0 "$resp_server_pid" 2>/dev/null; then
        echo "resp-smoke: kvs-server died; its log:" >&2
        cat "$1/kvs.log" >&2
        exit 1
    fi
}
alive_or_exit "$work"
kill "$resp_server_pid"
wait "$resp_server_pid" 2>/dev/null || true

echo "redis-cli and redis-benchmark over TLS, with a password:"
secure="$work/secure"
mkdir -p "$secure"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -noenc -days 1 -subj /CN=localhost \
    -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" -keyout "$secure/key.pem" -out "$secure/cert.pem" 2>/dev/null
(umask 077 && echo "smoke-$RANDOM$RANDOM" >"$secure/password")
password=$(cat "$secure/password")
start_resp_server "$secure" "${server_args[@]}" --tls-cert "$secure/cert.pem" --tls-key "$secure/key.pem" --password-file "$secure/password"
port=$resp_port
echo "kvs-server (pid $resp_server_pid) serves RESP over TLS on 127.0.0.1:$port"
tls=(--tls --cacert "$secure/cert.pem")
expect PONG "${tls[@]}" -a "$password" --no-auth-warning ping
expect OK "${tls[@]}" -a "$password" --no-auth-warning set secret "over tls"
expect "over tls" "${tls[@]}" --user default --pass "$password" --no-auth-warning get secret
expect "NOAUTH Authentication required." "${tls[@]}" get secret
got=$(redis-cli -h 127.0.0.1 -p "$port" "${tls[@]}" -a wrong --no-auth-warning get secret 2>&1) || true
if grep -q "WRONGPASS invalid username-password pair or user is disabled." <<<"$got" && ! grep -q "over tls" <<<"$got"; then
    echo "  ok   redis-cli --tls -a wrong: WRONGPASS, nothing read"
else
    echo "  FAIL redis-cli --tls -a wrong: got '$got'" >&2
    failures=$((failures + 1))
fi
got=$(redis-cli -h 127.0.0.1 -p "$port" -a "$password" --no-auth-warning get secret 2>&1) || true
if [ "$got" != "over tls" ]; then
    echo "  ok   redis-cli without --tls is not served: '$got'"
else
    echo "  FAIL redis-cli without --tls read the value" >&2
    failures=$((failures + 1))
fi
if out=$(redis-benchmark -h 127.0.0.1 -p "$port" "${tls[@]}" -a "$password" -t set,get -n "$requests" --csv 2>&1) \
        && [ "$(grep -cE '^"(SET|GET)","[0-9.]+"' <<<"$out")" -eq 2 ]; then
    echo "  ok   redis-benchmark --tls: $(awk -F'","' '/^"(SET|GET)","/ { sub(/^"/, "", $1); printf "%s %s/s; ", $1, $2 }' <<<"$out")"
else
    echo "  FAIL redis-benchmark --tls: $out" >&2
    failures=$((failures + 1))
fi
alive_or_exit "$secure"

if [ "$failures" -ne 0 ]; then
    echo "resp-smoke: $failures failures" >&2
    exit 1
fi
echo "resp-smoke: all passed"
