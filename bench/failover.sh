#!/usr/bin/env bash
# A replicated group's failover time (issue 16: under 3 s at the default timeouts): for each round a fresh
# group of three on loopback (docs/CLUSTER.md), warmed WARMUP seconds (default 20) with sets, then
# kvs.bench.FailoverProbe writes in a loop, kills the leader with SIGKILL and prints the time from the
# kill to the first write the new leader acknowledges. Prints each round and the median.
#
#   bench/failover.sh [ROUNDS (default 5)]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

rounds=${1:-5}
ensure_jar # before any server starts: building it rewrites target/kvs.jar under running servers
java=$(bench_java)
work=$(mktemp -d)
group_pids=()
cleanup() {
    stop_processes "${group_pids[@]}"
    rm -rf "$work"
}
trap cleanup EXIT

echo "# $(date -u +%FT%TZ), commit $(git -C "$kvs_home" rev-parse --short HEAD), $(nproc) cores; ${WARMUP:-20} s warming each group"
times=()
for r in $(seq "$rounds"); do
    mkdir -p "$work/$r"
    start_group "$work/$r"
    if [ "${WARMUP:-20}" -gt 0 ]; then
        "$kvs_home/bin/kvs-bench" --addr "${group_kvs[$group_leader]}" -c 50 -d 100 -r 10000 --ratio 1:1 --warmup 0 \
            --duration "${WARMUP:-20}" --quiet >/dev/null 2>&1 || true
    fi
    args=()
    for i in 0 1 2; do
        args+=("${group_kvs[$i]}=${group_pids[$i]}")
    done
    line=$("$java" -cp "$kvs_home/target/benchmarks.jar" kvs.bench.FailoverProbe "${args[@]}")
    echo "round $r: $line"
    times+=("$(sed -n 's/.* in \([0-9]*\) ms$/\1/p' <<<"$line")")
    cleanup
    group_pids=()
    work=$(mktemp -d)
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {print "median of " NR ": " a[int((NR+1)/2)] " ms"}'
