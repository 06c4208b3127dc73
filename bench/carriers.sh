#!/usr/bin/env bash
# Where the P1 tail of two carrier threads comes from: the kernel's run queue. Runs kvs-server with the default
# carriers (the cores) and with --threads 1, each under the project's lean C client (bench/kvload.c, 50 clients,
# pipeline 1, the kvs protocol), and reads from /proc/PID/task/TID/schedstat how long the carriers and the client
# ran and how long they waited, runnable, for a core:
#
#   bench/carriers.sh [set|get (default get)] [SECONDS (default 5)] [ROUNDS (default 3)]
#
# Each line: the configuration, requests/s and p99, then each side's CPU seconds and run-queue wait seconds per
# second of the run (a wait of 1.0: one thread of that side was always ready but not running). Nothing else should
# run meanwhile: the client shares the cores with the server.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
op=${1:-get}
secs=${2:-5}
rounds=${3:-3}
work=$(mktemp -d)
pids=()
trap 'stop_processes "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
build_kvload "$work"
ensure_jar

# carrier_stats PID: the summed "ran waited" nanoseconds of PID's virtual-thread carriers (ForkJoinPool-1-worker-N).
carrier_stats() {
    local t ran=0 waited=0 a b
    for t in /proc/"$1"/task/*; do
        case "$(cat "$t/comm" 2>/dev/null)" in
        ForkJoinPool-1-*)
            read -r a b _ <"$t/schedstat" || continue
            ran=$((ran + a)) waited=$((waited + b))
            ;;
        esac
    done
    echo "$ran $waited"
}

echo "| configuration | $op P1 requests/s | p99 µs | client CPU s/s | client waited s/s | carriers CPU s/s | carriers waited s/s |"
echo "|---|---:|---:|---:|---:|---:|---:|"
for r in $(seq "$rounds"); do
    for config in default "--threads 1"; do
        rm -rf "$work/kvs"
        mkdir -p "$work/kvs"
        args=()
        [ "$config" = default ] || read -r -a args <<<"$config"
        start_resp_server "$work/kvs" "${args[@]}"
        pid=$resp_server_pid
        pids=("$pid")
        port=$(await_port "$work/kvs/kvs.log")
        load=("$work/kvload" -p kvs -a "127.0.0.1:$port" -c 50 -d 16 -r 100000)
        "${load[@]}" -P 4 -t set -s 4 >/dev/null # fill and warm up
        "${load[@]}" -P 4 -t get -s 3 >/dev/null
        "${load[@]}" -P 1 -t "$op" -s "$secs" >"$work/out" &
        client=$!
        sleep 0.6 # past kvload's half second of warm-up
        read -r l0 lw0 _ <"/proc/$client/schedstat"
        read -r c0 w0 <<<"$(carrier_stats "$pid")"
        t0=$(date +%s%N)
        sleep "$((secs - 1))"
        read -r l1 lw1 _ <"/proc/$client/schedstat"
        read -r c1 w1 <<<"$(carrier_stats "$pid")"
        t1=$(date +%s%N)
        wait "$client"
        rps=$(kvload_field rps "$(<"$work/out")")
        p99=$(kvload_field p99_us "$(<"$work/out")")
        # Both sides over the same span: the middle of the run.
        awk -v c="$config" -v rps="$rps" -v p99="$p99" -v l=$((l1 - l0)) -v lw=$((lw1 - lw0)) -v span=$((t1 - t0)) \
            -v cr=$((c1 - c0)) -v cw=$((w1 - w0)) \
            'BEGIN { printf "| %s | %d | %d | %.2f | %.2f | %.2f | %.2f |\n", c, rps, p99, l / span, lw / span,
                     cr / span, cw / span }'
        stop_processes "$pid"
        pids=()
    done
done
