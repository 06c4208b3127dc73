#!/usr/bin/env bash
# What a fresh kvs-server's first seconds cost, and what JDK 25's AOT cache (JEP 483/514/515: classes loaded and
# linked ahead of time, with method profiles) takes off them. Trains a cache with one run of the server under the
# project's lean C client (bench/kvload.c: both protocols, sets and gets at pipeline 1 and 16, 2 s each), then
# starts fresh servers with and without it, alternately, and drives each with 50 clients of pipeline-1 sets for
# three runs of SECONDS right after it starts (as a benchmark that gives the server no warm-up does):
#
#   bench/warmup.sh [FSYNC (default always)] [SECONDS (default 4)] [ROUNDS (default 3)]
#
# Each line: the server's start (launch to listening), then each run's sets/s, p99 and CPU µs per set. Needs a JDK
# 25 or newer (the launcher's). Nothing else should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
fsync=${1:-always}
secs=${2:-4}
rounds=${3:-3}
work=$(mktemp -d)
pids=()
trap 'stop_processes "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
build_kvload "$work"
ensure_jar
source "$kvs_home/bin/lib/launch.sh"
java=$(bench_java)
version=$(kvs_java_version "$java")
[ "$version" -ge 25 ] || { echo "the AOT cache needs a JDK 25 or newer; $java is $version" >&2; exit 1; }
hz=$(getconf CLK_TCK)

# The training run: the cache is written when the server exits.
mkdir -p "$work/train"
KVS_JAVA_OPTS="-XX:AOTCacheOutput=$work/kvs.aot" start_resp_server "$work/train"
pids=("$resp_server_pid")
port=$(await_port "$work/train/kvs.log")
for proto in kvs resp; do
    p=$port
    [ "$proto" = resp ] && p=$resp_port
    for pipeline in 1 16; do
        for op in set get; do
            "$work/kvload" -p "$proto" -a "127.0.0.1:$p" -c 50 -P "$pipeline" -d 16 -r 100000 -t "$op" -s 2 >/dev/null
        done
    done
done
stop_processes "$resp_server_pid"
pids=()
[ -s "$work/kvs.aot" ] || { echo "no AOT cache was written; the server's log:" >&2; cat "$work/train/kvs.log" >&2; exit 1; }
echo "AOT cache: $(du -h "$work/kvs.aot" | cut -f1), --fsync $fsync, $secs s runs"
echo
echo "| server | start ms | run 1: sets/s, p99 µs, CPU µs/set | run 2 | run 3 |"
echo "|---|---:|---|---|---|"
for r in $(seq "$rounds"); do
    for variant in plain aot; do
        rm -rf "$work/kvs"
        mkdir -p "$work/kvs"
        opts=""
        [ "$variant" = aot ] && opts="-XX:AOTCache=$work/kvs.aot"
        t0=$(date +%s%N)
        KVS_JAVA_OPTS="$opts" start_resp_server "$work/kvs" --fsync "$fsync"
        pid=$resp_server_pid
        pids=("$pid")
        port=$(await_port "$work/kvs/kvs.log")
        line="| $variant | $((($(date +%s%N) - t0) / 1000000))"
        for run in 1 2 3; do
            c0=$(cpu_ticks "$pid")
            out=$("$work/kvload" -p kvs -a "127.0.0.1:$port" -c 50 -P 1 -d 16 -r 100000 -t set -s "$secs")
            c1=$(cpu_ticks "$pid")
            rps=$(kvload_field rps "$out")
            p99=$(kvload_field p99_us "$out")
            # kvload's half second of warm-up is in the CPU time: count its sets too
            line="$line | $(awk -v rps="$rps" -v p99="$p99" -v t=$((c1 - c0)) -v hz="$hz" -v s="$secs" \
                'BEGIN { printf "%d, %d, %.1f", rps, p99, t * 1e6 / hz / (rps * (s + 0.5)) }')"
        done
        echo "$line |"
        stop_processes "$pid"
        pids=()
    done
done
