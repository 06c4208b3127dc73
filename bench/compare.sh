#!/usr/bin/env bash
# kvs-server (kvs and mvstore engines) side by side with Redis, same workloads and durability,
# on loopback, in one run. Prints one table; writes bench/results/compare.{md,json,png}.
# Two kinds of rows: kvs-bench drives kvs-server over the kvs protocol and Redis over RESP; in the
# "redis-benchmark" rows Redis's own redis-benchmark drives Redis and kvs-server's RESP listener.
# Usage: bench/compare.sh [--pin] [--duration S] [--warmup S] [--repeat N] [--only everysec|always] [--tool kvs-bench|redis-benchmark]
# --pin runs every server on CPU 1 and the load generator on CPU 0 (taskset), so that neither
# competes with the other for a core; it writes bench/results/compare-pinned.*.
# Every server it starts is stopped by its PID (also on Ctrl-C); data goes to a temporary directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_redis
ensure_jar
java="$(bench_java)"
work="$(mktemp -d -t kvs-compare.XXXXXX)"
trap 'rm -rf "$work"' EXIT
out=compare pin=()
if [ "${1:-}" = --pin ]; then
    shift
    out=compare-pinned pin=(taskset -c 0)
    set -- --server-cpus 1 "$@"
fi
"${pin[@]}" "$java" -cp "$kvs_home/target/benchmarks.jar" kvs.bench.load.SideBySide \
    --kvs-home "$kvs_home" --work-dir "$work" --out "$kvs_home/bench/results/$out" "$@"
