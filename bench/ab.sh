#!/usr/bin/env bash
# Side by side: kvs-server built at two commits, driven in turn by the same kvs-bench load,
# alternating, so a change's effect is a ratio measured in one run.
#
#   bench/ab.sh OLD_COMMIT [NEW_COMMIT (default: the working tree)] [ROUNDS (default 4)]
#
# Each round runs, for each commit, 50 clients pipelining 16 requests of 100-byte values over
# 10,000 keys for 4 s (after filling the keys and 1 s of warm-up): sets only, then gets only.
# Prints each run and the medians of the per-round new/old ratios of requests/s and of the
# server's CPU time per request (user + system, from /proc, over the measured 4 s): on two
# shared cores the second moves less with the noise. AB_PIPELINE=N, AB_KEYS=N and AB_VALUE=BYTES change the
# pipeline depth (default 16), the key space (default 10,000) and the value size (default 100; 16 for
# redis-benchmark). AB_OLD_OPTS and AB_NEW_OPTS are JVM flags for each side's server, so one commit
# can be measured against itself with other flags:
#   AB_NEW_OPTS=-Djdk.pollerMode=1 bench/ab.sh HEAD
# AB_ARGS are kvs-server options for both sides, e.g. AB_ARGS='--engine mvstore'.
# AB_TOOL=redis-benchmark drives each side's RESP listener with Redis's redis-benchmark instead (16-byte
# values, 100,000 keys by default, set first): one workload per test of AB_TESTS (default set,get,incr),
# AB_REQUESTS requests each (default 2,000,000; about 4 s at pipeline 16).
# AB_TOOL=kvload drives each side with the project's lean C client (bench/kvload.c) instead, on the kvs protocol
# or, with AB_PROTO=resp, the RESP listener: sets then gets (AB_TESTS, default set,get), 16-byte values and
# 100,000 keys by default, 4 s each after 2 s of sets; each round's line gives the p99 too.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
old=${1:?usage: bench/ab.sh OLD_COMMIT [NEW_COMMIT] [ROUNDS]}
new=${2:-}
rounds=${3:-4}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; remove_trees "$work"' EXIT
build_trees "$old" "$new" "$work"
ensure_jar

tool=${AB_TOOL:-kvs-bench}
case $tool in
kvs-bench) workloads=(gets:sets=0:1 gets:sets=1:0) ;;
redis-benchmark) ensure_redis; IFS=, read -r -a workloads <<<"${AB_TESTS:-set,get,incr}" ;;
kvload) build_kvload "$work"; IFS=, read -r -a workloads <<<"${AB_TESTS:-set,get}" ;;
*) echo "AB_TOOL is kvs-bench, redis-benchmark or kvload, not $tool" >&2; exit 2 ;;
esac

run() { # TREE WORKLOAD JVM_FLAGS: prints requests/s and the server's CPU µs per request
    local data="$work/data" log="$work/server.log"
    rm -rf "$data" && mkdir "$data"
    local resp=()
    [ "$tool" = redis-benchmark ] || [ "${AB_PROTO:-kvs}" = resp ] && resp=(--resp-addr 127.0.0.1:0) # not before commits that have it
    KVS_JAVA_OPTS="$3" "$1/bin/kvs-server" --addr 127.0.0.1:0 "${resp[@]}" --data-dir "$data" ${AB_ARGS:-} >/dev/null 2>"$log" &
    local pid=$! port before after count rate
    if [ "$tool" = kvs-bench ]; then
        port=$(await_port "$log")
        local load=(bin/kvs-bench --addr "127.0.0.1:$port" -c 50 -P "${AB_PIPELINE:-16}" -d "${AB_VALUE:-100}" --ratio "${2#*=}"
            -r "${AB_KEYS:-10000}" --quiet)
        "${load[@]}" --fill --duration 1 >/dev/null # warm-up
        before=$(cpu_ticks "$pid")
        read -r count rate <<<"$(requests_of "$("${load[@]}" --duration 4)")"
        after=$(cpu_ticks "$pid")
    elif [ "$tool" = kvload ]; then
        local proto=${AB_PROTO:-kvs} out
        if [ "$proto" = resp ]; then port=$(await_port "$log" RESP); else port=$(await_port "$log"); fi
        local load=("$work/kvload" -p "$proto" -a "127.0.0.1:$port" -c 50 -P "${AB_PIPELINE:-16}" -d "${AB_VALUE:-16}"
            -r "${AB_KEYS:-100000}")
        "${load[@]}" -t set -s 2 >/dev/null # fill and warm-up
        before=$(cpu_ticks "$pid")
        out=$("${load[@]}" -t "$2" -s 4)
        after=$(cpu_ticks "$pid")
        rate=$(kvload_field rps "$out")
        count=$((rate * 9 / 2)) # kvload runs half a second of warm-up first, in the CPU time: count it too
        echo "p99 $(kvload_field p99_us "$out") us" >&2
    else
        port=$(await_port "$log" RESP)
        local load=(redis-benchmark -p "$port" -c 50 -P "${AB_PIPELINE:-16}" -d "${AB_VALUE:-16}" -r "${AB_KEYS:-100000}" --csv)
        "${load[@]}" -t set -n 1000000 >/dev/null # fill and warm-up
        [ "$2" = set ] || "${load[@]}" -t "$2" -n 500000 >/dev/null
        count=${AB_REQUESTS:-2000000}
        before=$(cpu_ticks "$pid")
        rate=$("${load[@]}" -t "$2" -n "$count" | awk -F'"' 'NR == 2 { printf "%d", $4 }')
        after=$(cpu_ticks "$pid")
    fi
    awk -v n="$count" -v rate="$rate" -v ticks=$((after - before)) -v hz="$(getconf CLK_TCK)" \
        'BEGIN { printf "%d %.2f\n", rate, ticks * 1e6 / hz / n }'
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
}

median() { sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

for workload in "${workloads[@]}"; do
    ratios=() cpus=()
    for r in $(seq "$rounds"); do
        # $(...) waits for run() to end, so one server has stopped before the next starts
        read -r a ac <<<"$(run "$old_tree" "$workload" "${AB_OLD_OPTS:-}")"
        read -r b bc <<<"$(run "$new_tree" "$workload" "${AB_NEW_OPTS:-}")"
        echo "$workload round $r: old $a/s ${ac} µs CPU/request, new $b/s ${bc} µs CPU/request"
        ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')")
        cpus+=("$(awk -v a="$ac" -v b="$bc" 'BEGIN { printf "%.3f", b / a }')")
    done
    printf '%s: median new/old requests/s %s (rounds: %s); CPU per request %s (rounds: %s)\n' "$workload" \
        "$(printf '%s\n' "${ratios[@]}" | median)" "${ratios[*]}" "$(printf '%s\n' "${cpus[@]}" | median)" "${cpus[*]}"
done
