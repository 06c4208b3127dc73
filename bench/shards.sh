#!/usr/bin/env bash
# One shard against three on the same three kvs-server processes (docs/CLUSTER.md, "Sharded mode"),
# driven by redis-benchmark (C, one load generator for both): sets, then gets, 50 clients, 100,000 keys,
# 3-byte values, no pipelining. One shard is a plain replicated group, loaded at its leader; three
# shards are loaded with redis-benchmark --cluster, which sends each key to the process that serves
# its slot, and once more with a plain client at one process (bench/kvload, which counts error replies
# and goes on), two thirds of whose sets are answered -MOVED (what a redirection costs the server). For each run: requests/s, and the three processes'
# user + system CPU per request, in all and at the busiest process: on 2 shared cores the processes
# compete for the same CPU, so this measures overhead, not scaling; bench/RESULTS.md turns the CPU
# per request into a model of what N machines would serve.
#
# Each layout starts fresh (free loopback ports, new data directories; stopped by PID), is warmed
# with WARMUP seconds of sets (default 30), then each load runs RUNS times (default 3): the median
# is printed, with every run's figures on stderr.
#
#   bench/shards.sh [REQUESTS]     # requests per run (default 200000)
set -euo pipefail
source "$(dirname "$0")/lib.sh"

requests=${1:-200000}
runs=${RUNS:-3}
warmup=${WARMUP:-30}
command -v redis-benchmark >/dev/null || { echo "shards.sh needs redis-benchmark: apt-get install redis-tools" >&2; exit 1; }
ensure_jar
work=$(mktemp -d)
group_pids=()
cleanup() {
    stop_processes "${group_pids[@]}"
    rm -rf "$work"
}
trap cleanup EXIT
hz=$(getconf CLK_TCK)

# benchmark TEST REDIS-BENCHMARK-ARGS...: one redis-benchmark run of TEST; prints "REQUESTS/S REQUESTS".
benchmark() {
    local test=$1 rps
    shift
    rps=$(redis-benchmark "$@" -c 50 -n "$requests" -r 100000 -t "$test" --csv 2>/dev/null | tail -1 | cut -d, -f2 | tr -d '"')
    echo "${rps%.*} $requests"
}

# plain_client: 5 s of sets by bench/kvload, a plain RESP client, at the first process; two thirds of them are
# answered -MOVED. Prints "REQUESTS/S REQUESTS (ERRORS of ANSWERED answered MOVED)", the requests over the
# 5.5 s the CPU is counted: kvload's half-second warm-up too, at about the same rate.
plain_client() {
    local out rps
    out=$("$work/kvload" -p resp -a "127.0.0.1:${group_resp[0]}" -t set -c 50 -d 3 -r 100000 -s 5)
    rps=$(kvload_field rps "$out")
    echo "$rps $(awk -v r="$rps" 'BEGIN { printf "%.0f", r * 5.5 }') ($(kvload_field errors "$out") of $((rps * 5)) answered MOVED)"
}

# measure LABEL TEST LOAD...: RUNS runs of the command LOAD (which prints "REQUESTS/S REQUESTS [NOTE]"), each with
# the three processes' CPU over it; prints a table row of the medians, and every run on stderr.
measure() {
    local label=$1 test=$2
    shift 2
    local rates=() totals=() busiest=() i before after rps n note t most p
    for ((i = 0; i < runs; i++)); do
        before=()
        for p in "${group_pids[@]}"; do before+=("$(cpu_ticks "$p")"); done
        read -r rps n note <<<"$("$@")"
        t=0
        most=0
        for p in 0 1 2; do
            after=$(( $(cpu_ticks "${group_pids[$p]}") - before[p] ))
            t=$((t + after))
            [ "$after" -gt "$most" ] && most=$after
        done
        rates+=("$rps")
        totals+=("$(awk -v d="$t" -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')")
        busiest+=("$(awk -v d="$most" -v n="$n" -v hz="$hz" 'BEGIN { printf "%.1f", d * 1e6 / hz / n }')")
        echo "  $label $test run $((i + 1)): $rps requests/s${note:+ $note}, ${totals[-1]} cpu-µs/request in all, ${busiest[-1]} at the busiest" >&2
    done
    printf '| %s | %s | %s | %s | %s |\n' "$label" "$test" \
        "$(printf '%s\n' "${rates[@]}" | median)" "$(printf '%s\n' "${totals[@]}" | median)" "$(printf '%s\n' "${busiest[@]}" | median)"
}

build_kvload "$work"
echo "| layout | test | requests/s | cpu-µs/request, 3 processes | cpu-µs/request, busiest process |"
echo "|---|---|---|---|---|"
for shards in 1 3; do
    dir="$work/s$shards"
    mkdir -p "$dir"
    start_sharded "$dir" "$shards"
    if [ "$shards" -eq 1 ]; then
        target=(-p "${group_resp[$group_leader]}")
        label="1 shard, at its leader"
    else
        target=(--cluster -p "${group_resp[0]}")
        label="3 shards, redis-benchmark --cluster"
    fi
    timeout "$warmup" redis-benchmark "${target[@]}" -c 50 -n 100000000 -r 100000 -t set -q >/dev/null 2>&1 || true
    measure "$label" set benchmark set "${target[@]}"
    measure "$label" get benchmark get "${target[@]}"
    if [ "$shards" -eq 3 ]; then
        measure "3 shards, a plain client (bench/kvload) at one process: 2/3 answered -MOVED" set plain_client
    fi
    stop_processes "${group_pids[@]}"
    group_pids=()
done
