#!/usr/bin/env bash
# kvs-server (kvs and mvstore engines) side by side with Redis, same workloads and durability,
# on loopback, in one run. Prints one table; writes bench/results/compare.{md,json,png}.
# Usage: bench/compare.sh [--duration S] [--warmup S] [--repeat N] [--only everysec|always]
# Every server it starts is stopped by its PID (also on Ctrl-C); data goes to a temporary directory.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
ensure_redis
ensure_jar
java="$(bench_java)"
work="$(mktemp -d -t kvs-compare.XXXXXX)"
trap 'rm -rf "$work"' EXIT
"$java" -cp "$kvs_home/target/benchmarks.jar" kvs.bench.load.SideBySide \
    --kvs-home "$kvs_home" --work-dir "$work" --out "$kvs_home/bench/results/compare" "$@"
