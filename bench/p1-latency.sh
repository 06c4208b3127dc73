#!/usr/bin/env bash
# Latency at pipeline 1: 50 clients GET 16-byte values over 100,000 keys for 4 s (after filling
# them and 2 s of warm-up), kvs-server once per set of JVM flags and then Redis, alternating,
# for 3 rounds. Prints requests/s, p99 and p99.9, and for kvs the G1/ZGC pauses in the measured
# 4 s (from -Xlog:gc) and the longest.
#   bench/p1-latency.sh [--pin] ['' '-XX:MaxGCPauseMillis=10' '-XX:+UseZGC' ...]
# Each argument is one kvs-server configuration ('' = the defaults; default: just that one).
# --pin runs the servers on CPU 1 and the load generator on CPU 0 (taskset).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
ensure_redis
ensure_jar
server_cpu=() load_cpu=()
if [ "${1:-}" = --pin ]; then
    shift
    server_cpu=(taskset -c 1) load_cpu=(taskset -c 0)
fi
[ $# -gt 0 ] || set -- ''
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

free_port() { python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }

measure() { # NAME TARGET PORT: fills, warms up, prints one line
    local load=("${load_cpu[@]}" bin/kvs-bench --target "$2" --addr "127.0.0.1:$3" -c 50 -P 1 -d 16 --ratio 1:0 -r 100000 --quiet)
    "${load[@]}" --fill --duration 2 >/dev/null
    local before=0 out gc=""
    [ -f "$work/gc.log" ] && before=$(wc -l <"$work/gc.log")
    out=$("${load[@]}" --duration 4)
    if [ -f "$work/gc.log" ]; then
        local pauses
        pauses=$(tail -n +$((before + 1)) "$work/gc.log" | grep 'Pause' || true)
        gc=" | GC pauses $(grep -c . <<<"$pauses" || true), longest $(grep -o '[0-9.]*ms$' <<<"$pauses" | sort -n | tail -1 || true)"
    fi
    local n rate
    read -r n rate <<<"$(requests_of "$out")"
    printf '%s | %s/s | p99 %s ms | p99.9 %s ms%s\n' "$1" "$rate" \
        "$(sed -n 's/.*p99 \([0-9.]*\),.*/\1/p' <<<"$out")" "$(sed -n 's/.*p99.9 \([0-9.]*\),.*/\1/p' <<<"$out")" "$gc"
}

for round in 1 2 3; do
    for flags in "$@"; do
        rm -rf "$work/data" "$work/gc.log"
        KVS_JAVA_OPTS="$flags -Xlog:gc:file=$work/gc.log" "${server_cpu[@]}" bin/kvs-server --addr 127.0.0.1:0 \
            --data-dir "$work/data" >/dev/null 2>"$work/log" &
        pid=$!
        port=$(await_port "$work/log")
        measure "round $round | kvs ${flags:-(defaults)}" kvs "$port"
        kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
    done
    rm -rf "$work/redis" "$work/gc.log" && mkdir "$work/redis"
    port=$(free_port)
    "${server_cpu[@]}" redis-server --port "$port" --bind 127.0.0.1 --dir "$work/redis" --appendonly yes \
        --appendfsync everysec --save "" --daemonize no >/dev/null 2>&1 &
    pid=$!
    for _ in $(seq 50); do redis-cli -p "$port" ping >/dev/null 2>&1 && break; sleep 0.1; done
    measure "round $round | redis" redis "$port"
    kill -TERM "$pid"; wait "$pid" 2>/dev/null || true
done
