#!/usr/bin/env bash
# Transactions, kvs-server (RESP listener) beside Redis, both on loopback, both fsync everysec (Redis: AOF
# everysec), the same lean C client for both (bench/txload.c, built here with gcc):
#
#   bench/transactions.sh [ROUNDS (default 3)] [SECONDS per run (default 4)]
#
# 1. MULTI, SET tx:<r> <16 bytes>, INCR cnt:<r>, EXEC over 100,000 keys, 50 clients, P1 and P16 transactions in
#    flight per client: transactions/s, p99, and each server's CPU µs per transaction (user + system, /proc),
#    for kvs on each engine; rounds alternate Redis, kvs; medians.
# 2. WATCH under contention: 50 clients increment hot keys (1 key, then 100) with WATCH k, GET k, MULTI,
#    SET k n+1, EXEC, retrying on a null EXEC: increments/s and the share of EXECs that found their watch
#    broken, for both servers.
# 3. What watching costs others: redis-benchmark SET over 1,000 keys (P1 and P16, 50 clients) while another
#    connection watches none of them, then all 1,000 (every write then moves a watched key's version).
# Nothing else should run on the machine meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${1:-3}
secs=${2:-4}
ensure_redis
work=$(mktemp -d)
pids=()
trap 'stop_processes "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)
py=$(debian_python)
gcc -O2 -o "$work/txload" bench/txload.c

txload() { # PID PORT TXLOAD-ARGS...: prints txload's line and the server's CPU µs per committed transaction
    local pid=$1 port=$2 t0 t1 out
    shift 2
    t0=$(cpu_ticks "$pid")
    out=$("$work/txload" -a 127.0.0.1:"$port" -s "$secs" "$@")
    t1=$(cpu_ticks "$pid")
    # The warm-up's half second is in the CPU time but not in the count: scale the count to the whole run.
    awk -v o="$out" -v d="$((t1 - t0))" -v hz="$hz" -v s="$secs" 'BEGIN {
        n = split(o, f, " "); for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
        printf "%s %s %s %s %.1f\n", v["tps"], v["p99_us"], v["commits"], v["conflicts"], d * 1e6 / hz / (v["tps"] * (s + 0.5)) }'
}

col() { cut -d' ' -f"$1" "$2" | median; }

echo "## MULTI, SET, INCR, EXEC (txload, 50 clients, ${secs} s runs, median of $rounds)"
echo
echo "| engine | in flight | Redis tx/s | kvs tx/s | kvs/Redis | Redis p99 µs | kvs p99 µs | Redis CPU µs/tx | kvs CPU µs/tx | kvs/Redis CPU |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|"
for engine in kvs mvstore; do
    start_redis "$work/redis"
    pids+=("$redis_pid")
    start_kvs "$work/kvs" --engine "$engine"
    pids+=("$kvs_pid")
    for pipeline in 1 16; do
        : >"$work/r" && : >"$work/k"
        for _ in $(seq "$rounds"); do
            txload "$redis_pid" "$redis_port" -t multi -c 50 -P "$pipeline" -r 100000 >>"$work/r"
            txload "$kvs_pid" "$kvs_port" -t multi -c 50 -P "$pipeline" -r 100000 >>"$work/k"
        done
        awk -v e="$engine" -v p="P$pipeline" -v rr="$(col 1 "$work/r")" -v kr="$(col 1 "$work/k")" \
            -v rp="$(col 2 "$work/r")" -v kp="$(col 2 "$work/k")" -v rc="$(col 5 "$work/r")" -v kc="$(col 5 "$work/k")" \
            'BEGIN { printf "| %s | %s | %d | %d | %.2f | %d | %d | %.1f | %.1f | %.2f |\n", e, p, rr, kr, kr / rr, rp, kp, rc, kc, kc / rc }'
    done
    stop_processes "$redis_pid" "$kvs_pid"
done

echo
echo "## WATCH under contention (txload -t watch, 50 clients, ${secs} s runs, median of $rounds)"
echo
echo "| hot keys | Redis increments/s | kvs increments/s | Redis broken watches | kvs broken watches | Redis CPU µs/increment | kvs CPU µs/increment |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
start_redis "$work/redis"
pids+=("$redis_pid")
start_kvs "$work/kvs" --engine kvs
pids+=("$kvs_pid")
for keys in 1 100; do
    : >"$work/r" && : >"$work/k"
    for _ in $(seq "$rounds"); do
        txload "$redis_pid" "$redis_port" -t watch -c 50 -r "$keys" >>"$work/r"
        txload "$kvs_pid" "$kvs_port" -t watch -c 50 -r "$keys" >>"$work/k"
    done
    share() { awk '{ printf "%.3f\n", $4 / ($3 + $4) }' "$1" | median; }
    awk -v k="$keys" -v rr="$(col 1 "$work/r")" -v kr="$(col 1 "$work/k")" -v rs="$(share "$work/r")" \
        -v ks="$(share "$work/k")" -v rc="$(col 5 "$work/r")" -v kc="$(col 5 "$work/k")" \
        'BEGIN { printf "| %d | %d | %d | %.1f%% | %.1f%% | %.1f | %.1f |\n", k, rr, kr, rs * 100, ks * 100, rc, kc }'
done

echo
echo "## What a watch of 1,000 keys costs other clients (redis-benchmark SET over those keys, 50 clients, median of $rounds)"
echo
echo "| server | pipeline | req/s, nothing watched | req/s, 1,000 watched | CPU µs/req, nothing watched | CPU µs/req, 1,000 watched |"
echo "|---|---:|---:|---:|---:|---:|"
watcher() { # PORT: a connection that watches redis-benchmark's 1,000 keys, until killed
    "$py" - "$1" <<'EOF' &
import socket, sys, time
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
keys = [b"key:%012d" % i for i in range(1000)]
s.sendall(b"*%d\r\n$5\r\nWATCH\r\n" % (len(keys) + 1) + b"".join(b"$%d\r\n%s\r\n" % (len(k), k) for k in keys))
assert s.recv(16) == b"+OK\r\n"
time.sleep(3600)
EOF
    watcher_pid=$!
    sleep 1
}
for server in redis kvs; do
    if [ "$server" = redis ]; then pid=$redis_pid port=$redis_port; else pid=$kvs_pid port=$kvs_port; fi
    for pipeline in 1 16; do
        : >"$work/none" && : >"$work/watched"
        for _ in $(seq "$rounds"); do
            redis_benchmark_cpu "$pid" "$port" 1000 "$pipeline" SET "key:__rand_int__" v >>"$work/none"
            watcher "$port"
            redis_benchmark_cpu "$pid" "$port" 1000 "$pipeline" SET "key:__rand_int__" v >>"$work/watched"
            kill "$watcher_pid" && { wait "$watcher_pid" 2>/dev/null || true; }
        done
        awk -v s="$server" -v p="$pipeline" -v nr="$(col 1 "$work/none")" -v wr="$(col 1 "$work/watched")" \
            -v nc="$(col 2 "$work/none")" -v wc="$(col 2 "$work/watched")" \
            'BEGIN { printf "| %s | %d | %d | %d | %.1f | %.1f |\n", s, p, nr, wr, nc, wc }'
    done
done
