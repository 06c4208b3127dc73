#!/usr/bin/env bash
# A replicated group of three kvs-servers on this machine (docs/CLUSTER.md) against one single
# node, driven by kvs-bench with the same loads: sets, then gets (linearizable: Raft ReadIndex),
# at 1 and 50 clients, 100-byte values over 10,000 keys, no pipelining. The group's members
# and the single node each get a fresh data directory and free loopback ports, and are stopped
# by their PIDs. Sets go to the leader; gets go to the leader and, separately, to a follower.
#
# Before measuring, every member is warmed for WARMUP seconds (default 60): three JVMs compiling
# Ratis, gRPC and kvs on 2 cores take about a minute to reach their steady speed, and a cold
# group's sets are 5-10 times slower than a warm one's (bench/history/issue-16.md, second part).
#
#   bench/cluster.sh [SECONDS]    # each measured run (default 5), after 1 s of warm-up
#   CLIENTS=1 bench/cluster.sh    # only these client counts
#   WARMUP=0 bench/cluster.sh     # measure a cold group
#   READ=lease bench/cluster.sh   # the members started with --read lease
set -euo pipefail
source "$(dirname "$0")/lib.sh"

seconds=${1:-5}
ensure_jar # before any server starts: building it rewrites target/kvs.jar under running servers
work=$(mktemp -d)
pids=()
group_pids=()
cleanup() {
    stop_processes "${pids[@]}" "${group_pids[@]}"
    rm -rf "$work"
}
trap cleanup EXIT

# run NAME ADDR RATIO CLIENTS: one measured kvs-bench run; prints a table row.
run() {
    local out
    out=$("$kvs_home/bin/kvs-bench" --addr "$2" -c "$4" -d 100 -r 10000 --ratio "$3" --warmup 1 \
        --duration "$seconds" --quiet 2>&1) || { echo "kvs-bench failed against $1: $out" >&2; exit 1; }
    read -r _ rate <<<"$(requests_of "$out")"
    local p50 p99
    p50=$(sed -n 's/^latency (ms): p50 \([0-9.]*\),.*/\1/p' <<<"$out")
    p99=$(sed -n 's/^latency (ms): .* p99 \([0-9.]*\),.*/\1/p' <<<"$out")
    printf '| %s | %s | %s | %s | %s | %s |\n' "$1" "$([ "$3" = 0:1 ] && echo sets || echo gets)" "$4" "$rate" "$p50" "$p99"
}

start_group "$work" --read "${READ:-linearizable}"
kvs=("${group_kvs[@]}")
leader=$group_leader
follower=$(( (leader + 1) % 3 ))

single=127.0.0.1:$(free_port)
"$kvs_home/bin/kvs-server" --addr "$single" --data-dir "$work/single" >/dev/null 2>"$work/single.log" &
pids+=($!)
[ -n "$(await_port "$work/single.log")" ] || { echo "the single node did not start" >&2; exit 1; }

warm=${WARMUP:-60}
if [ "$warm" -gt 0 ]; then
    # Sets and gets through the leader (every member applies the sets) and gets through a follower, at once.
    "$kvs_home/bin/kvs-bench" --addr "${kvs[$leader]}" -c 50 -d 100 -r 10000 --ratio 1:1 --warmup 0 \
        --duration "$warm" --quiet >/dev/null 2>&1 &
    warming=$!
    "$kvs_home/bin/kvs-bench" --addr "${kvs[$follower]}" -c 8 -d 100 -r 10000 --ratio 1:0 --warmup 0 \
        --duration "$warm" --quiet >/dev/null 2>&1 || true
    wait "$warming" || true
fi

echo "# $(date -u +%FT%TZ), commit $(git -C "$kvs_home" rev-parse --short HEAD), $(nproc) cores; ${seconds} s a run, after ${warm} s warming the group; --read ${READ:-linearizable}"
echo '| server | op | clients | requests/s | p50 ms | p99 ms |'
echo '|---|---|---:|---:|---:|---:|'
for clients in ${CLIENTS:-1 50}; do
    run "single node (fsync everysec)" "$single" 0:1 "$clients"
    run "group of 3, leader" "${kvs[$leader]}" 0:1 "$clients"
    run "single node" "$single" 1:0 "$clients"
    run "group of 3, leader" "${kvs[$leader]}" 1:0 "$clients"
    run "group of 3, a follower" "${kvs[$follower]}" 1:0 "$clients"
done
