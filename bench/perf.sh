#!/usr/bin/env bash
# Issue 31's table: kvs-server beside Redis, on loopback, driven by the project's lean C client (bench/kvload.c,
# built here with gcc) on both of kvs-server's protocols, Redis by the same client over RESP:
#
#   bench/perf.sh [SECONDS per run (default 4)] [REPS (default 3)]     (about 6 minutes with the defaults)
#
# For each fsync policy, everysec then always (Redis: AOF, --appendfsync the same; kvs-server --fsync), fresh
# servers, 100,000 keys key:%012d, values of 'x':
#   everysec: 50 clients 16 B SET P1, GET P1, SET P16, GET P16; 500 clients SET P1; 50 clients 100 B SET P1
#   always:   50 clients 16 B SET P1, SET P16
# Each row runs REPS times, each time Redis, then kvs-server on the kvs protocol (kvload -p kvs), then kvs-server
# on RESP (kvload -p resp against its --resp-addr listener); medians. Columns: requests/s and kvs/Redis, p99
# latency, and each server's CPU µs per request (user + system from /proc over the run, as transactions.sh).
# Before measuring, each kvs-server is warmed up (not measured): 3 s of sets and 3 s of gets at P4 on each
# protocol (sets only under always), and Redis gets the same sets, so both hold the same keys.
# Nothing else should run on the machine meanwhile: the client shares the cores with the server it drives.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
secs=${1:-4}
reps=${2:-3}
warm=3
ensure_redis
work=$(mktemp -d)
pids=()
trap 'stop_processes "${pids[@]}" 2>/dev/null; rm -rf "$work"' EXIT
hz=$(getconf CLK_TCK)
build_kvload "$work"

# start_servers FSYNC: a fresh Redis (AOF, appendfsync FSYNC) and kvs-server (--fsync FSYNC, a RESP listener too);
# sets redis_pid, redis_port, kvs_pid, kvs_port (the kvs protocol's) and resp_port.
start_servers() {
    start_redis "$work/redis"
    pids+=("$redis_pid")
    redis-cli -p "$redis_port" config set appendfsync "$1" >/dev/null
    [ "$(redis-cli -p "$redis_port" config get appendfsync | tail -1)" = "$1" ] \
        || { echo "Redis did not take appendfsync $1" >&2; exit 1; }
    rm -rf "$work/kvs"
    mkdir -p "$work/kvs"
    start_resp_server "$work/kvs" --fsync "$1"
    kvs_pid=$resp_server_pid
    pids+=("$kvs_pid")
    kvs_port=$(await_port "$work/kvs/kvs.log")
    [ -n "$kvs_port" ] || { echo "kvs-server did not say its port; its log:" >&2; cat "$work/kvs/kvs.log" >&2; exit 1; }
}

# load PID PROTO PORT KVLOAD-ARGS...: one run of kvload against the server PID; prints "rps p99_us cpu-µs/request
# errors". kvload's first half second is a warm-up, in the CPU time but not in the count: the count is scaled to
# the whole run.
load() {
    local pid=$1 proto=$2 port=$3 t0 t1 out
    shift 3
    t0=$(cpu_ticks "$pid")
    out=$("$work/kvload" -p "$proto" -a 127.0.0.1:"$port" -r 100000 -s "$secs" "$@")
    t1=$(cpu_ticks "$pid")
    awk -v o="$out" -v d="$((t1 - t0))" -v hz="$hz" -v s="$secs" 'BEGIN {
        n = split(o, f, " "); for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
        printf "%s %s %.1f %s\n", v["rps"], v["p99_us"], (v["rps"] > 0 ? d * 1e6 / hz / (v["rps"] * (s + 0.5)) : 0), v["errors"] }'
}

warm_up() { # OPS...: kvload at P4 for $warm s each on both protocols (and the sets on Redis too), not measured
    local op
    for op in "$@"; do
        [ "$op" = set ] && "$work/kvload" -p resp -a 127.0.0.1:"$redis_port" -t set -c 50 -P 4 -s "$warm" >/dev/null
        "$work/kvload" -p kvs -a 127.0.0.1:"$kvs_port" -t "$op" -c 50 -P 4 -s "$warm" >/dev/null
        "$work/kvload" -p resp -a 127.0.0.1:"$resp_port" -t "$op" -c 50 -P 4 -s "$warm" >/dev/null
    done
}

col() { cut -d' ' -f"$1" "$2" | median; }

row() { # FSYNC CLIENTS PIPELINE BYTES OP: REPS runs of Redis, kvs protocol, RESP; prints the table's row
    local fsync=$1 c=$2 p=$3 d=$4 op=$5 s
    : >"$work/r" && : >"$work/k" && : >"$work/q"
    for _ in $(seq "$reps"); do
        load "$redis_pid" resp "$redis_port" -t "$op" -c "$c" -P "$p" -d "$d" >>"$work/r"
        load "$kvs_pid" kvs "$kvs_port" -t "$op" -c "$c" -P "$p" -d "$d" >>"$work/k"
        load "$kvs_pid" resp "$resp_port" -t "$op" -c "$c" -P "$p" -d "$d" >>"$work/q"
    done
    for s in r k q; do awk '{ e += $4 } END { print e + 0 }' "$work/$s" >"$work/$s.errors"; done
    awk -v row="${op^^} $fsync c=$c P$p ${d} B" \
        -v rr="$(col 1 "$work/r")" -v kr="$(col 1 "$work/k")" -v qr="$(col 1 "$work/q")" \
        -v rp="$(col 2 "$work/r")" -v kp="$(col 2 "$work/k")" -v qp="$(col 2 "$work/q")" \
        -v rc="$(col 3 "$work/r")" -v kc="$(col 3 "$work/k")" -v qc="$(col 3 "$work/q")" \
        -v re="$(cat "$work/r.errors")" -v ke="$(cat "$work/k.errors")" -v qe="$(cat "$work/q.errors")" 'BEGIN {
        printf "| %s | %d | %d | %.2f | %d | %.2f | %d / %d / %d | %.1f / %.1f / %.1f | %d / %d / %d |\n",
            row, rr, kr, rr ? kr / rr : 0, qr, rr ? qr / rr : 0, rp, kp, qp, rc, kc, qc, re, ke, qe }'
}

echo "## kvs-server beside Redis (bench/kvload.c, 100,000 keys, ${secs} s runs, median of $reps)"
echo
echo "p99 µs, CPU µs per request (the server's user + system) and errors: Redis / kvs protocol / kvs RESP."
echo
echo "| row | Redis req/s | kvs protocol req/s | × Redis | RESP req/s | × Redis | p99 µs | CPU µs/req | errors |"
echo "|---|---:|---:|---:|---:|---:|---:|---:|---:|"
start_servers everysec
warm_up set get
for w in "50 1 16 set" "50 1 16 get" "50 16 16 set" "50 16 16 get" "500 1 16 set" "50 1 100 set"; do
    # shellcheck disable=SC2086
    row everysec $w
done
stop_processes "$redis_pid" "$kvs_pid"
pids=()
start_servers always
warm_up set
row always 50 1 16 set
row always 50 16 16 set
