#!/usr/bin/env bash
# Sets through a replicated group's leader at 50 clients, and how many writes each Raft log
# entry held: a fresh group of three (bench/lib.sh's start_group) of the tree at KVS_TREE
# (default: this one), warmed WARMUP seconds (default 60) with the same load, then ROUNDS
# (default 3) runs of SECONDS (default 10) of kvs-bench (100-byte values over 10,000 keys, no
# pipelining), each between two readings of the leader's cluster_applied_index. For a change's
# effect, alternate two trees, each built (-Pbench package) in its own worktree:
#
#   for r in 1 2 3; do for t in /tmp/wt-old .; do KVS_TREE=$t bench/cluster-entries.sh; done; done
set -euo pipefail
source "$(dirname "$0")/lib.sh"
kvs_home=$(cd "${KVS_TREE:-$kvs_home}" && pwd) # start_group and kvs-bench run that tree's programs
seconds=${SECONDS_EACH:-10}
ensure_jar
work=$(mktemp -d)
group_pids=()
trap 'stop_processes "${group_pids[@]}"; rm -rf "$work"' EXIT
start_group "$work"
leader=${group_kvs[$group_leader]}
bench() { # SECONDS: kvs-bench's summary lines
    "$kvs_home/bin/kvs-bench" --addr "$leader" -c 50 -d 100 -r 10000 --ratio 0:1 --warmup 0 --duration "$1" 2>&1
}
applied() {
    "$kvs_home/bin/kvs-client" --addr "$leader" stats | sed -n 's/^cluster_applied_index[: =]*//p'
}
bench "${WARMUP:-60}" >/dev/null
echo "# $(date -u +%FT%TZ), tree $kvs_home at $(git -C "$kvs_home" rev-parse --short HEAD), $(nproc) cores"
for _ in $(seq "${ROUNDS:-3}"); do
    before=$(applied)
    out=$(bench "$seconds")
    after=$(applied)
    writes=$(sed -n 's/^\([0-9,]*\) requests in.*/\1/p' <<<"$out" | tr -d ,)
    rate=$(sed -n 's/.*: \([0-9,]*\) requests\/s.*/\1/p' <<<"$out")
    latency=$(sed -n 's/^latency (ms): \(p50 [0-9.]*, p99 [0-9.]*\),.*/\1/p' <<<"$out")
    echo "sets/s $rate ($latency ms); entries $((after - before)), writes an entry $((writes / (after - before)))"
done
