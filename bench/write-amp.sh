#!/usr/bin/env bash
# Bytes written and server CPU per set, for each engine at pipeline 1 and 16: 50 clients set
# 100-byte values over 100,000 keys for 4 s after filling them. Bytes are /proc/PID/io's wchar
# (every write call, replies included), CPU is user + system time from /proc/PID/stat.
#   bench/write-amp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ensure_jar
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)
echo "| engine | pipeline | requests/s | bytes written per set | server CPU µs per set |"
echo "|---|---:|---:|---:|---:|"
for engine in kvs mvstore; do
    for pipeline in 1 16; do
        rm -rf "$work/data"
        bin/kvs-server --addr 127.0.0.1:0 --data-dir "$work/data" --engine "$engine" >/dev/null 2>"$work/log" &
        pid=$!
        port=$(await_port "$work/log")
        load=(bin/kvs-bench --addr "127.0.0.1:$port" -c 50 -P "$pipeline" -d 100 --ratio 0:1 -r 100000 --quiet)
        "${load[@]}" --fill --duration 2 >/dev/null
        w0=$(awk '/^wchar/ { print $2 }' "/proc/$pid/io"); c0=$(cpu_ticks "$pid")
        out=$("${load[@]}" --duration 4)
        w1=$(awk '/^wchar/ { print $2 }' "/proc/$pid/io"); c1=$(cpu_ticks "$pid")
        read -r n rate <<<"$(requests_of "$out")"
        awk -v e="$engine" -v p="$pipeline" -v n="$n" -v r="$rate" -v w=$((w1 - w0)) -v c=$((c1 - c0)) -v hz="$hz" \
            'BEGIN { printf "| %s | %d | %d | %d | %.0f |\n", e, p, r, w / n, c * 1e6 / hz / n }'
        kill -TERM "$pid"
        wait "$pid" 2>/dev/null || true
    done
done
