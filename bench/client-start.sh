#!/usr/bin/env bash
# How long `kvs-client get k` takes, start to exit, from each way kvs is installed: the clone's launcher (a Class
# Data Sharing archive in target/), the release archive (the same kind of archive, in the user's cache
# directory) and the self-contained image (its jlink runtime and the AOT cache trained when it was built).
# Bash's `time`, RUNS runs of each (default 20), taken in turn, after one run each that writes the archives; with
# OLD, a commit, its clone's launcher beside them (built in a worktree):
#
#   ./mvnw -Pbench,dist package -DskipTests && bench/client-start.sh [RUNS] [OLD]
#
# Prints each one's median, min and max in ms. Nothing else should run meanwhile.
set -euo pipefail
cd "$(dirname "$0")/.."
source bench/lib.sh
runs=${1:-20}
old=${2:-}
version=$(sed -n 's/^version=//p' target/classes/kvs/version.properties)
archive="target/kvs-$version.tar.gz"
image="target/kvs-$version-linux-x64.tar.gz"
[ -f "$archive" ] && [ -f "$image" ] || { echo "build the release first: ./mvnw -Pbench,dist package -DskipTests" >&2; exit 1; }
work=$(mktemp -d)
pids=()
trap 'stop_processes "${pids[@]}" 2>/dev/null; remove_trees "$work"' EXIT
mkdir -p "$work/archive" "$work/image" "$work/cache"
tar xzf "$archive" -C "$work/archive"
tar xzf "$image" -C "$work/image"
export XDG_CACHE_HOME="$work/cache"

start_resp_server "$work"
pids=("$resp_server_pid")
port=$(await_port "$work/kvs.log")
bin/kvs-client --addr "127.0.0.1:$port" set k v

declare -A client=(
    [clone]="bin/kvs-client"
    [archive]="$(echo "$work"/archive/*/bin/kvs-client)"
    [image]="$(echo "$work"/image/*/bin/kvs-client)"
)
variants=(clone archive image)
if [ -n "$old" ]; then
    worktree_at "$old" "$work/old"
    client[old]="$work/old/bin/kvs-client"
    variants=(old "${variants[@]}")
fi
TIMEFORMAT=%R
for v in "${variants[@]}"; do
    [ "$("${client[$v]}" --addr "127.0.0.1:$port" get k)" = v ] || { echo "$v: get k did not print v" >&2; exit 1; }
    : >"$work/$v.times"
done
for _ in $(seq "$runs"); do
    for v in "${variants[@]}"; do
        { time "${client[$v]}" --addr "127.0.0.1:$port" get k >/dev/null; } 2>>"$work/$v.times"
    done
done
echo "| launcher | median ms | min | max |"
echo "|---|---:|---:|---:|"
for v in "${variants[@]}"; do
    name=$v
    [ "$v" = old ] && name="clone at $old"
    sort -n "$work/$v.times" | awk -v name="$name" '{ t[NR] = $1 * 1000 }
        END { m = NR % 2 ? t[(NR + 1) / 2] : (t[NR / 2] + t[NR / 2 + 1]) / 2; printf "| %s | %.0f | %.0f | %.0f |\n", name, m, t[1], t[NR] }'
done
