#!/usr/bin/env bash
# Key expiry, kvs-server (RESP listener, KvStore) beside Redis, both on loopback with the same clients:
#
#   bench/expiry.sh [ROUNDS (default 3)] [KEYS to reclaim (default 1000000)]
#
# 1. redis-benchmark, 50 clients, pipeline 1 and 16: `SET key:__rand_int__ v EX 3600` over 100,000 keys,
#    then GET of those keys (every one has a deadline); requests/s and each server's CPU µs per request
#    (user + system from /proc), rounds alternating Redis, kvs; medians.
# 2. Reclaim: KEYS keys loaded with `SET k v PXAT <now + 15 s>` (redis-cli --pipe), then, once their
#    deadline passes: how long until DBSIZE is 0 (polled every 100 ms), the server's CPU meanwhile (kvs:
#    and its expiry cycle's and compactor's threads'), after an unreported warm-up of a tenth as many, and
#    the latency of another client's GETs meanwhile (one connection, redis-py); and the server's memory
#    per key with those deadlines beside the same keys without (Redis: INFO used_memory; kvs: see
#    kvs.bench.ExpiryFootprint for the heap of the index).
# Both servers fsync everysec (Redis: AOF everysec). Nothing else should run on the machine meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
rounds=${1:-3}
reclaim_keys=${2:-1000000}
ensure_redis
work=$(mktemp -d)
pids=()
trap 'stop_processes "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)
py=$(debian_python)

echo "## SET with EX, GET of keys with deadlines (redis-benchmark, 50 clients, median of $rounds)"
echo
echo "| workload | Redis req/s | kvs req/s | kvs/Redis | Redis CPU µs/req | kvs CPU µs/req | kvs/Redis CPU |"
echo "|---|---:|---:|---:|---:|---:|---:|"
start_redis "$work/redis"
pids+=("$redis_pid")
start_kvs "$work/kvs"
pids+=("$kvs_pid")
for pipeline in 1 16; do
    for op in set get; do
        if [ "$op" = set ]; then cmd=(SET "key:__rand_int__" v EX 3600); else cmd=(GET "key:__rand_int__"); fi
        : >"$work/r" && : >"$work/k"
        for _ in $(seq "$rounds"); do
            redis_benchmark_cpu "$redis_pid" "$redis_port" 100000 "$pipeline" "${cmd[@]}" >>"$work/r"
            redis_benchmark_cpu "$kvs_pid" "$kvs_port" 100000 "$pipeline" "${cmd[@]}" >>"$work/k"
        done
        rr=$(cut -d' ' -f1 "$work/r" | median) kr=$(cut -d' ' -f1 "$work/k" | median)
        rc=$(cut -d' ' -f2 "$work/r" | median) kc=$(cut -d' ' -f2 "$work/k" | median)
        awk -v w="${cmd[*]} P$pipeline" -v rr="$rr" -v kr="$kr" -v rc="$rc" -v kc="$kc" \
            'BEGIN { printf "| `%s` | %d | %d | %.2f | %.1f | %.1f | %.2f |\n", w, rr, kr, kr / rr, rc, kc, kc / rc }'
    done
done
stop_processes "$redis_pid" "$kvs_pid"

thread_ticks() { # PID NAME-PREFIX: the CPU ticks of the process's threads whose name starts so
    local t sum=0
    for t in /proc/"$1"/task/*; do
        if grep -q "^$2" "$t/comm" 2>/dev/null; then
            sum=$((sum + $(awk '{ print $14 + $15 }' "$t/stat")))
        fi
    done
    echo "$sum"
}

reclaim() { # NAME PID PORT KEYS [quiet]: loads KEYS keys, waits for their deadline, reports the reclaim
    local name=$1 pid=$2 port=$3 keys=$4 deadline c0 start end c1 e0 e1 k0 k1
    deadline=$(($(date +%s%3N) + 15000))
    "$py" - "$keys" "$deadline" <<'EOF' | redis-cli -p "$port" --pipe >/dev/null
import sys
n, at = int(sys.argv[1]), sys.argv[2]
out = sys.stdout
for i in range(n):
    k = "exp:%09d" % i
    out.write("*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\nvvvvvvvvvvvvvvvv\r\n$4\r\nPXAT\r\n$%d\r\n%s\r\n" % (len(k), k, len(at), at))
EOF
    redis-cli -p "$port" set probe v >/dev/null
    local loaded
    loaded=$(redis-cli -p "$port" dbsize)
    while [ "$(date +%s%3N)" -le "$deadline" ]; do sleep 0.05; done
    c0=$(cpu_ticks "$pid") e0=$(thread_ticks "$pid" kvs-expiry) k0=$(thread_ticks "$pid" kvs-compactor)
    start=$(date +%s%3N)
    "$py" - "$port" >"$work/latency" <<'EOF' &
import sys, time, redis
r = redis.Redis(port=int(sys.argv[1]))
lat = []
while r.dbsize() > 1:
    for _ in range(100):
        t = time.perf_counter(); r.get("probe"); lat.append(time.perf_counter() - t)
lat.sort()
q = lambda p: lat[min(len(lat) - 1, int(p * len(lat)))] * 1e6
print("%.0f %.0f %.0f" % (q(0.5), q(0.99), lat[-1] * 1e6))
EOF
    local prober=$!
    while [ "$(redis-cli -p "$port" dbsize)" -gt 1 ]; do sleep 0.1; done
    end=$(date +%s%3N)
    c1=$(cpu_ticks "$pid") e1=$(thread_ticks "$pid" kvs-expiry) k1=$(thread_ticks "$pid" kvs-compactor)
    wait "$prober"
    read -r p50 p99 max <"$work/latency"
    [ "${5:-}" = quiet ] && return 0
    local threads="-"
    [ "$name" = kvs ] && threads="$(((e1 - e0) * 1000 / hz)) / $(((k1 - k0) * 1000 / hz))"
    awk -v w="$name" -v n="$((loaded - 1))" -v ms="$((end - start))" -v cpu="$((c1 - c0))" -v hz="$hz" \
        -v p50="$p50" -v p99="$p99" -v max="$max" -v th="$threads" \
        'BEGIN { printf "| %s | %d | %.1f | %.0f | %.0f | %s | %d | %d | %d |\n", w, n, ms / 1000, n / (ms / 1000), cpu * 1000 / hz, th, p50, p99, max }'
}

echo
echo "## Reclaiming $reclaim_keys keys that expire at once (one run each)"
echo
echo "| server | keys | seconds to DBSIZE 0 | keys gone/s | server CPU ms | of which cycle / compactor ms | GET p50 µs | GET p99 µs | GET max µs |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
# Each server first reclaims a tenth as many, unreported: kvs's JIT compiles the paths (Redis needs none).
start_redis "$work/redis"
pids+=("$redis_pid")
reclaim Redis "$redis_pid" "$redis_port" "$((reclaim_keys / 10))" quiet
reclaim Redis "$redis_pid" "$redis_port" "$reclaim_keys"
stop_processes "$redis_pid"
start_kvs "$work/kvs"
pids+=("$kvs_pid")
reclaim kvs "$kvs_pid" "$kvs_port" "$((reclaim_keys / 10))" quiet
reclaim kvs "$kvs_pid" "$kvs_port" "$reclaim_keys"
stop_processes "$kvs_pid"

echo
echo "## Redis's memory per key, with and without a deadline ($reclaim_keys keys, INFO used_memory)"
echo
start_redis "$work/redis"
pids+=("$redis_pid")
used() { redis-cli -p "$redis_port" info memory | sed -n 's/^used_memory:\([0-9]*\).*/\1/p'; }
for ttl in none day; do
    redis-cli -p "$redis_port" flushall >/dev/null
    base=$(used)
    "$py" - "$reclaim_keys" "$ttl" <<'EOF' | redis-cli -p "$redis_port" --pipe >/dev/null
import sys
n, ttl = int(sys.argv[1]), sys.argv[2]
for i in range(n):
    k = "exp:%09d" % i
    if ttl == "none":
        sys.stdout.write("*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\nvvvvvvvvvvvvvvvv\r\n" % (len(k), k))
    else:
        sys.stdout.write("*5\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\nvvvvvvvvvvvvvvvv\r\n$2\r\nEX\r\n$5\r\n86400\r\n" % (len(k), k))
EOF
    echo "Redis, deadline $ttl: $(( ($(used) - base) / reclaim_keys )) bytes per key"
done
stop_processes "$redis_pid"
