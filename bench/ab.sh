#!/usr/bin/env bash
# Side by side: kvs-server built at two commits, driven in turn by the same kvs-bench load,
# alternating, so a change's effect is a ratio measured in one run.
#
#   bench/ab.sh OLD_COMMIT [NEW_COMMIT (default: the working tree)] [ROUNDS (default 4)]
#
# Each round runs, for each commit, 50 clients pipelining 16 requests of 100-byte values over
# 10,000 keys for 4 s (after 1 s of warm-up): sets only, then gets only. Prints each run and the
# median of the per-round new/old ratios. AB_PIPELINE=N and AB_KEYS=N change the pipeline depth
# (default 16) and the key space (default 10,000). AB_OLD_OPTS and AB_NEW_OPTS are JVM flags for
# each side's server, so one commit can be measured against itself with other flags:
#   AB_NEW_OPTS=-Djdk.pollerMode=1 bench/ab.sh HEAD
# AB_ARGS are kvs-server options for both sides, e.g. AB_ARGS='--engine mvstore'.
set -euo pipefail
cd "$(dirname "$0")/.."
old=${1:?usage: bench/ab.sh OLD_COMMIT [NEW_COMMIT] [ROUNDS]}
new=${2:-}
rounds=${3:-4}
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; git worktree remove --force "$work/old" 2>/dev/null || true;
      [ -n "$new" ] && git worktree remove --force "$work/new" 2>/dev/null || true; rm -rf "$work"' EXIT

tree() { # COMMIT NAME: a built worktree
    git worktree add -q "$work/$2" "$1"
    (cd "$work/$2" && ./mvnw -q -B package -DskipTests >/dev/null)
    echo "$work/$2"
}
old_tree=$(tree "$old" old)
new_tree=$PWD
if [ -n "$new" ]; then
    new_tree=$(tree "$new" new)
else
    ./mvnw -q -B package -DskipTests >/dev/null
fi
[ -f target/benchmarks.jar ] || ./mvnw -q -B -Pbench package -DskipTests >/dev/null

run() { # TREE RATIO JVM_FLAGS: prints requests/s
    local data="$work/data" log="$work/server.log"
    rm -rf "$data" && mkdir "$data"
    KVS_JAVA_OPTS="$3" "$1/bin/kvs-server" --addr 127.0.0.1:0 --data-dir "$data" ${AB_ARGS:-} 2>"$log" &
    local pid=$! port=""
    for _ in $(seq 300); do
        port=$(grep -o 'listening on 127.0.0.1:[0-9]*' "$log" | cut -d: -f2 || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    bin/kvs-bench --addr "127.0.0.1:$port" -c 50 -P "${AB_PIPELINE:-16}" -d 100 --ratio "$2" --fill -r "${AB_KEYS:-10000}" \
        --warmup 1 --duration 4 --quiet | grep -o '[0-9,]* requests/s' | tr -d ', requests/s'
    kill -TERM "$pid"
    wait "$pid" 2>/dev/null || true
}

for ratio in 0:1 1:0; do
    ratios=()
    for r in $(seq "$rounds"); do
        a=$(run "$old_tree" "$ratio" "${AB_OLD_OPTS:-}")
        b=$(run "$new_tree" "$ratio" "${AB_NEW_OPTS:-}")
        echo "ratio $ratio round $r: old $a/s, new $b/s"
        ratios+=("$(awk -v a="$a" -v b="$b" 'BEGIN { printf "%.3f", b / a }')")
    done
    printf 'gets:sets %s: median new/old %s (rounds: %s)\n' "$ratio" \
        "$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{ v[NR] = $1 } END { print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }')" \
        "${ratios[*]}"
done
