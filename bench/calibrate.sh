#!/usr/bin/env bash
# Calibrates bin/kvs-bench against redis-benchmark: both drive the same private Redis (AOF
# everysec, loopback) with the same SET workload, alternately, ROUNDS times (default 5); prints
# each tool's median requests/s and the CPU it used (a generator that uses a whole core is the
# bottleneck, not the server). Usage: bench/calibrate.sh [ROUNDS]
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
rounds="${1:-5}"
ensure_redis
ensure_jar
work="$(mktemp -d -t kvs-calibrate.XXXXXX)"
port=$(( 20000 + RANDOM % 10000 ))
redis-server --port "$port" --bind 127.0.0.1 --dir "$work" --appendonly yes --appendfsync everysec \
    --save "" --daemonize no --logfile "$work/redis.log" &
redis_pid=$!
trap 'kill "$redis_pid" 2>/dev/null; wait "$redis_pid" 2>/dev/null; rm -rf "$work"' EXIT
until redis-cli -p "$port" ping >/dev/null 2>&1; do
    kill -0 "$redis_pid" 2>/dev/null || { echo "redis-server did not start:" >&2; cat "$work/redis.log" >&2; exit 1; }
    sleep 0.1
done

median() { sort -n | awk '{v[NR]=$1} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2] + v[NR/2+1]) / 2}'; }
# cpu_of FILE: user+system seconds / wall seconds, as written by /usr/bin/time -f "%U %S %e"
cpu_of() { awk '{printf "%.2f", ($1 + $2) / $3}' "$1"; }

echo "| clients | pipeline | redis-benchmark req/s | its CPU (cores) | kvs-bench req/s | its CPU (cores) | kvs-bench / redis-benchmark |"
echo "|---:|---:|---:|---:|---:|---:|---:|"
for cfg in "1 1 100000" "50 1 500000" "50 16 2000000"; do
    read -r clients pipeline requests <<<"$cfg"
    rb=(); kb=(); rbc=(); kbc=()
    for _ in $(seq "$rounds"); do
        rb+=("$(/usr/bin/time -f "%U %S %e" -o "$work/t" redis-benchmark -p "$port" -t set -n "$requests" \
            -c "$clients" -P "$pipeline" -d 16 -r 100000 -q 2>/dev/null | tr '\r' '\n' \
            | sed -n 's/^SET: \([0-9.]*\) requests per second.*/\1/p')")
        rbc+=("$(cpu_of "$work/t")")
        # a second of warm-up for the JIT, as redis-benchmark (C) needs none; then the same request count
        kb+=("$(/usr/bin/time -f "%U %S %e" -o "$work/t" "$kvs_home/bin/kvs-bench" --target redis \
            --addr "127.0.0.1:$port" -n "$requests" -c "$clients" -P "$pipeline" -d 16 -r 100000 \
            --ratio 0:1 --warmup 1 --quiet | sed -n 's/.*s: \([0-9,]*\) requests\/s$/\1/p' | tr -d ,)")
        kbc+=("$(cpu_of "$work/t")")
    done
    r=$(printf '%s\n' "${rb[@]}" | median); k=$(printf '%s\n' "${kb[@]}" | median)
    printf '| %d | %d | %.0f | %s | %.0f | %s | %s |\n' "$clients" "$pipeline" "$r" \
        "$(printf '%s\n' "${rbc[@]}" | median)" "$k" "$(printf '%s\n' "${kbc[@]}" | median)" \
        "$(awk -v k="$k" -v r="$r" 'BEGIN {printf "%.2f", k / r}')"
done
