#!/usr/bin/env bash
# kvs's rivals outside the JVM, from Debian's packages: Bitcask (erlang-bitcask, driven by
# bitcask_bench.escript) and Badger (golang-github-dgraph-io-badger-dev, driven by badger/main.go).
# Both run the same workload: N keys "key%07d" with 100-byte values loaded first, then get and set
# of random keys by 1 and 4 workers, with fsync "always" (each write durable before the worker's
# next) and "everysec" (a sync a second); 1 s of warm-up, then the median ops/s of three 1 s intervals.
# Prints one Markdown table.
# Usage: bench/peers/run.sh [--quick] [--keys N]
#   --quick   0.2 s warm-up and intervals, for a smoke run
#   --keys N  keys loaded and used (default 1000; 1000000 works, loading takes longer)
# Installs the packages if missing (apt-get); the Go program is built, and every store lives, in a
# temporary directory removed at exit.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

keys=1000 warmup_ms=1000 interval_ms=1000
while [ $# -gt 0 ]; do
    case "$1" in
        --quick) warmup_ms=200 interval_ms=200 ;;
        --keys) keys="${2:-}"; shift ;;
        *) echo "usage: $0 [--quick] [--keys N]" >&2; exit 2 ;;
    esac
    shift
done
[[ "$keys" =~ ^[1-9][0-9]*$ ]] || { echo "--keys takes a positive whole number" >&2; exit 2; }

# gcc builds the cgo part of Badger's zstd dependency; the -dev packages pull in the rest.
packages=(erlang-bitcask golang-go golang-github-dgraph-io-badger-dev gcc)

# Installs whichever of the packages is missing.
ensure_packages() {
    local missing=() p
    for p in "${packages[@]}"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q ' installed$' || missing+=("$p")
    done
    [ ${#missing[@]} -eq 0 ] && return 0
    local sudo=()
    [ "$(id -u)" -ne 0 ] && sudo=(sudo)
    echo "installing from Debian's packages: ${missing[*]}" >&2
    "${sudo[@]}" apt-get update -q >&2
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q "${missing[@]}" >&2
}

# Builds badger/ into $work/badger-bench, offline, from Debian's Go sources.
build_badger() {
    # Debian ships Go libraries as a GOPATH tree (/usr/share/gocode), not as modules, so this is a
    # GOPATH-mode build that needs no network. Badger's packages import one another as
    # github.com/dgraph-io/badger/v2/...; GOPATH mode drops the /v2 ("minimal module compatibility")
    # only for code inside a GOPATH and under a go.mod, hence the link into a temporary GOPATH and
    # badger/go.mod.
    local gopath="$work/gopath" version
    mkdir -p "$gopath/src"
    ln -s "$here/badger" "$gopath/src/badger-bench"
    version="$(dpkg-query -W -f='${Version}' golang-github-dgraph-io-badger-dev)"
    # Go needs a build cache; use the user's, unless there is none (no HOME).
    [ -n "$(go env GOCACHE 2>/dev/null)" ] || export GOCACHE="$work/gocache"
    echo "building badger/ (go $(go env GOVERSION))..." >&2
    (cd "$gopath/src/badger-bench" &&
        GO111MODULE=off GOPATH="$gopath:/usr/share/gocode" GOFLAGS='' GOPROXY=off \
        CGO_CFLAGS="-O2 -g -Wno-deprecated-declarations" \
        go build -ldflags "-X main.badgerVersion=${version%-*}" -o "$work/badger-bench" .)
}

# run_driver NAME COMMAND...: runs a driver with its stdout kept in $work/NAME.out; on failure,
# shows what it printed and stops.
run_driver() {
    local name="$1"
    shift
    echo "running $name..." >&2
    if ! "$@" >"$work/$name.out"; then
        cat "$work/$name.out" >&2
        echo "$name failed" >&2
        exit 1
    fi
}

work="$(mktemp -d -t kvs-peers.XXXXXX)"
trap 'rm -rf "$work"' EXIT

ensure_packages
build_badger
timing=(--keys "$keys" --warmup-ms "$warmup_ms" --interval-ms "$interval_ms")
run_driver bitcask escript "$here/bitcask_bench.escript" --dir "$(mktemp -d -p "$work" bitcask.XXXXXX)" "${timing[@]}"
run_driver badger "$work/badger-bench" --dir "$(mktemp -d -p "$work" badger.XXXXXX)" "${timing[@]}"

# The drivers' "#" lines first, then one table of both drivers' rows.
grep -h '^#' "$work/bitcask.out" "$work/badger.out"
echo "# sled: not included: no package of it exists here (Debian has none, and this machine reaches no crates registry)"
echo "# $keys keys, 100 B values; $warmup_ms ms warm-up, median of 3 intervals of $interval_ms ms; $(nproc) CPUs"
echo
echo "| engine | op | value | fsync | threads | keys | ops/s |"
echo "|---|---|---:|---|---:|---:|---:|"
grep -h '^|' "$work/bitcask.out" "$work/badger.out"
