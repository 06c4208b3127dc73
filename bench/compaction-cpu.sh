#!/usr/bin/env bash
# Compaction's share of kvs-server's CPU under sets, for two commits side by side (old, then new, row by row).
#
#   bench/compaction-cpu.sh OLD_COMMIT [NEW_COMMIT (default: the working tree)]
#
# Rows: 50 clients setting values of 100 and 16 bytes over 10,000 and 100,000 keys at pipeline 16 and 1
# (compare.sh's SET rows). Each row, for each commit, runs twice on a fresh server: filled first
# (--fill, 1 s), then
#   1. 10 s of sets: the compactor thread's CPU time (user + system, /proc/PID/task/TID/stat) over the
#      server's, and the server's CPU µs per set;
#   2. 12 s of sets under async-profiler (cpu-clock, 200 µs, from the server's start, so the fill
#      too): the compactor thread's share of all the server's samples.
# The compactor thread also writes hint files; both commits count them alike. async-profiler comes
# from Maven Central (tools.profiler:async-profiler, its linux-x64 library).
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
old=${1:?usage: bench/compaction-cpu.sh OLD_COMMIT [NEW_COMMIT]}
new=${2:-}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; remove_trees "$work"' EXIT
build_trees "$old" "$new" "$work"
ensure_jar
version=4.6
jar="$HOME/.m2/repository/tools/profiler/async-profiler/$version/async-profiler-$version.jar"
[ -f "$jar" ] || ./mvnw -q -B dependency:get -Dartifact="tools.profiler:async-profiler:$version" >&2
(cd "$work" && unzip -q -o "$jar" linux-x64/libasyncProfiler.so)
agent="$work/linux-x64/libasyncProfiler.so"
hz=$(getconf CLK_TCK)

compactor_ticks() { # PID: the compactor thread's user + system ticks
    local t
    for t in /proc/"$1"/task/*; do
        if grep -q '^kvs-compactor' "$t/comm" 2>/dev/null; then
            awk '{ print $14 + $15 }' "$t/stat"
            return
        fi
    done
    echo 0
}

run() { # TREE KEYS PIPELINE VALUE PROFILE(0|1): prints "sets/s µs-CPU/set compactor-%"
    local data="$work/data" log="$work/server.log" prof="$work/profile.txt" opts=""
    rm -rf "$data" "$prof"
    [ "$5" = 1 ] && opts="-agentpath:$agent=start,event=cpu,interval=200us,threads,collapsed,file=$prof"
    KVS_JAVA_OPTS="$opts" "$1/bin/kvs-server" --addr 127.0.0.1:0 --data-dir "$data" >/dev/null 2>"$log" &
    local pid=$! port c0 p0 out
    port=$(await_port "$log")
    local load=(bin/kvs-bench --addr "127.0.0.1:$port" -c 50 -P "$3" -d "$4" --ratio 0:1 -r "$2" --quiet)
    "${load[@]}" --fill --duration 1 >/dev/null
    c0=$(compactor_ticks "$pid") p0=$(cpu_ticks "$pid")
    out=$("${load[@]}" --duration "$([ "$5" = 1 ] && echo 12 || echo 10)")
    local c1 p1
    c1=$(compactor_ticks "$pid") p1=$(cpu_ticks "$pid")
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
    read -r n rate <<<"$(requests_of "$out")"
    if [ "$5" = 1 ]; then
        awk -v r="$rate" '{ s += $NF } /^\[kvs-compactor/ { c += $NF } END { printf "%d - %.1f\n", r, 100 * c / s }' "$prof"
    else
        awk -v r="$rate" -v n="$n" -v c=$((c1 - c0)) -v p=$((p1 - p0)) -v hz="$hz" \
            'BEGIN { printf "%d %.2f %.1f\n", r, p * 1e6 / hz / n, 100 * c / p }'
    fi
}

echo "| row (50 clients, sets) | old sets/s | new sets/s | old µs CPU/set | new µs CPU/set | old compactor (/proc) | new compactor (/proc) | old compactor (profile) | new compactor (profile) |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
for keys in 10000 100000; do
    for pipeline in 16 1; do
        for value in 100 16; do
            read -r a ac ash <<<"$(run "$old_tree" "$keys" "$pipeline" "$value" 0)"
            read -r b bc bsh <<<"$(run "$new_tree" "$keys" "$pipeline" "$value" 0)"
            read -r _ _ aprof <<<"$(run "$old_tree" "$keys" "$pipeline" "$value" 1)"
            read -r _ _ bprof <<<"$(run "$new_tree" "$keys" "$pipeline" "$value" 1)"
            printf '| %s keys, P%s, %s B | %s | %s | %s | %s | %s%% | %s%% | %s%% | %s%% |\n' \
                "$keys" "$pipeline" "$value" "$a" "$b" "$ac" "$bc" "$ash" "$bsh" "$aprof" "$bprof"
        done
    done
done
