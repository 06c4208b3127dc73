# Shared by the scripts in bench/ (sourced): Redis from Debian's packages, the benchmark jar, a kvs-server's
# port, a process's CPU time, kvs-bench's request counts, and a replicated group of three.

kvs_home="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"

# Installs redis-server and redis-tools from Debian's packages unless both are on PATH.
ensure_redis() {
    if command -v redis-server >/dev/null && command -v redis-benchmark >/dev/null; then
        return 0
    fi
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing Redis from Debian's packages (redis-server, redis-tools)..." >&2
    $sudo apt-get update -q >&2 && $sudo apt-get install -y -q redis-server redis-tools >&2 \
        || { echo "could not install Redis: run 'apt-get install redis-server redis-tools' as root" >&2; exit 1; }
    # The package starts a system-wide Redis on port 6379; the scripts start their own instead.
}

# Builds target/benchmarks.jar if it is missing.
ensure_jar() {
    if [ ! -f "$kvs_home/target/benchmarks.jar" ]; then
        echo "building target/benchmarks.jar..." >&2
        (cd "$kvs_home" && ./mvnw -q -B -Pbench package -DskipTests >&2)
    fi
}

# build_trees OLD NEW WORK: sets old_tree to a git worktree of commit OLD in WORK/old with kvs-server built,
# and new_tree to one of NEW in WORK/new, or to this checkout (built) when NEW is empty. remove_trees WORK
# removes them (for the caller's EXIT trap).
build_trees() {
    worktree_at "$1" "$3/old"
    old_tree=$3/old
    if [ -n "$2" ]; then
        worktree_at "$2" "$3/new"
        new_tree=$3/new
    else
        new_tree=$kvs_home
        (cd "$kvs_home" && ./mvnw -q -B package -DskipTests >/dev/null)
    fi
}

# worktree_at COMMIT DIR: DIR becomes a git worktree of COMMIT, with kvs-server built.
worktree_at() {
    git -C "$kvs_home" worktree add -q "$2" "$1"
    (cd "$2" && ./mvnw -q -B package -DskipTests >/dev/null)
}

remove_trees() {
    local tree
    for tree in old new; do
        [ -d "$1/$tree" ] && git -C "$kvs_home" worktree remove --force "$1/$tree" 2>/dev/null || true
    done
    rm -rf "$1"
}

# A JDK 21+ (the launchers' own search).
bench_java() {
    # shellcheck source=../bin/lib/launch.sh
    source "$kvs_home/bin/lib/launch.sh"
    kvs_find_java || { echo "no JDK 21 or newer found" >&2; exit 1; }
}

# await_port LOG [WHAT]: prints the port a kvs-server writing its log to LOG listens on, once it says so
# (30 s at most; nothing if it never does). WHAT is "RESP" for the port of its --resp-addr listener.
await_port() {
    local said="listening on"
    [ "${2:-}" = RESP ] && said="RESP on"
    local port=""
    for _ in $(seq 300); do
        port=$(grep -ao "$said 127.0.0.1:[0-9]*" "$1" | cut -d: -f2 || true)
        [ -n "$port" ] && break
        sleep 0.1
    done
    echo "$port"
}

# debian_python: Debian's python3, which Debian's python3-redis serves (another python3 earlier on PATH,
# pyenv's say, may not see it).
debian_python() {
    if [ -x /usr/bin/python3 ]; then echo /usr/bin/python3; else echo python3; fi
}

# start_resp_server DIR [OPTIONS...]: starts kvs-server with a RESP listener on free loopback ports (and any more
# kvs-server OPTIONS), its data in DIR/data and its log in DIR/kvs.log; sets resp_server_pid and resp_port, or
# prints the log and exits 1. The caller stops it.
start_resp_server() {
    local dir=$1
    shift
    "$kvs_home/bin/kvs-server" --addr 127.0.0.1:0 --resp-addr 127.0.0.1:0 --data-dir "$dir/data" "$@" \
        >/dev/null 2>"$dir/kvs.log" &
    resp_server_pid=$!
    resp_port=$(await_port "$dir/kvs.log" RESP)
    if [ -z "$resp_port" ]; then
        echo "kvs-server did not start; its log:" >&2
        cat "$dir/kvs.log" >&2
        exit 1
    fi
}

# start_redis DIR: starts redis-server on a free loopback port with an empty data directory DIR, AOF on and fsynced
# every second (as kvs-server's default durability), and waits until it answers; sets redis_pid and redis_port, or
# exits 1. The caller stops it.
start_redis() {
    redis_port=$(free_port)
    rm -rf "$1"
    mkdir -p "$1"
    redis-server --port "$redis_port" --bind 127.0.0.1 --dir "$1" --appendonly yes --appendfsync everysec \
        --save '' --daemonize no --logfile "$1/log" &
    redis_pid=$!
    for _ in $(seq 100); do [ "$(redis-cli -p "$redis_port" ping 2>/dev/null)" = PONG ] && return 0; sleep 0.1; done
    echo "redis-server did not start" >&2
    exit 1
}

# start_kvs DIR [OPTIONS...]: start_resp_server in an empty DIR, fsync every second (as start_redis), with any more
# kvs-server OPTIONS; sets kvs_pid and kvs_port. The caller stops it.
start_kvs() {
    local dir=$1
    shift
    rm -rf "$dir"
    mkdir -p "$dir"
    start_resp_server "$dir" --fsync everysec "$@"
    kvs_pid=$resp_server_pid
    kvs_port=$resp_port
}

# redis_benchmark_cpu PID PORT KEYS PIPELINE COMMAND...: redis-benchmark's COMMAND (__rand_int__ over KEYS keys), 50
# clients, 200,000 requests (1,000,000 pipelined) against the server PID listening on PORT; prints "requests/s
# cpu-µs/request", the server's user + system CPU over the run.
redis_benchmark_cpu() {
    local pid=$1 port=$2 keys=$3 pipeline=$4
    shift 4
    local n=$((pipeline == 1 ? 200000 : 1000000)) t0 t1 rps
    t0=$(cpu_ticks "$pid")
    rps=$(redis-benchmark -p "$port" -c 50 -n "$n" -r "$keys" -P "$pipeline" --csv "$@" | tail -1 | cut -d, -f2 | tr -d '"')
    t1=$(cpu_ticks "$pid")
    awk -v r="$rps" -v d="$((t1 - t0))" -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.0f %.1f\n", r, d * 1e6 / hz / n }'
}

# build_kvload DIR: compiles the project's lean C client, bench/kvload.c, to DIR/kvload.
build_kvload() {
    gcc -O2 -Wall -Wextra -o "$1/kvload" "$kvs_home/bench/kvload.c"
}

# kvload_field NAME OUTPUT: the number NAME (rps, p99_us, errors...) in kvload's result line OUTPUT.
kvload_field() {
    sed -n "s/.* $1=\([0-9]*\).*/\1/p" <<<"$2"
}

# median: the middle of the numbers on standard input, one a line (of an even count, the lower of the two).
median() {
    sort -n | awk '{ a[NR] = $1 } END { print a[int((NR + 1) / 2)] }'
}

# cpu_ticks PID: the user + system time of process PID so far, in clock ticks (getconf CLK_TCK a second).
cpu_ticks() {
    awk '{ print $14 + $15 }' "/proc/$1/stat"
}

# requests_of OUTPUT: from kvs-bench's "N requests in T s: R requests/s" line, prints "N R".
requests_of() {
    sed -n 's/^\([0-9,]*\) requests in .*: \([0-9,]*\) requests\/s$/\1 \2/p' <<<"$1" | tr -d ,
}

# A free TCP port on loopback (the kernel's choice, released at once).
free_port() {
    python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

# stop_processes PID...: SIGTERM to each, then waits for each (no notice for one already killed).
stop_processes() {
    local pid
    for pid in "$@"; do
        kill "$pid" 2>/dev/null || true
    done
    for pid in "$@"; do
        { wait "$pid"; } 2>/dev/null || true
    done
}

# launch_group DIR RESP [OPTIONS...]: starts three kvs-servers as the members of a group on free loopback ports,
# with any more kvs-server OPTIONS, member n's data in DIR/nN and its log in DIR/nN.log; with RESP "yes" each --peer
# names a RESP address too. Sets group_kvs (the members' kvs addresses), group_resp (their RESP ports, with RESP
# "yes") and group_pids. The caller stops the members.
launch_group() {
    local dir=$1 resp=$2
    shift 2
    local ids=(n1 n2 n3) peers=() i k r p
    group_kvs=()
    group_resp=()
    group_pids=()
    for i in 0 1 2; do
        k=127.0.0.1:$(free_port)
        r=127.0.0.1:$(free_port)
        group_kvs+=("$k")
        if [ "$resp" = yes ]; then
            p=$(free_port)
            group_resp+=("$p")
            peers+=(--peer "${ids[$i]}=$k,$r,127.0.0.1:$p")
        else
            peers+=(--peer "${ids[$i]}=$k,$r")
        fi
    done
    for i in 0 1 2; do
        "$kvs_home/bin/kvs-server" --node-id "${ids[$i]}" "${peers[@]}" "$@" --data-dir "$dir/${ids[$i]}" \
            >/dev/null 2>"$dir/${ids[$i]}.log" &
        group_pids+=($!)
    done
}

# await_group_leader DIR: waits until a member of the group launch_group started in DIR acknowledges a write; sets
# group_leader (an index into group_kvs), or prints the members' logs and exits 1.
await_group_leader() {
    local i
    group_leader=""
    for _ in $(seq 600); do
        for i in 0 1 2; do
            if "$kvs_home/bin/kvs-client" --addr "${group_kvs[$i]}" set probe 1 2>/dev/null; then
                group_leader=$i
                return 0
            fi
        done
        sleep 0.1
    done
    echo "no leader within 60 s; the members' logs:" >&2
    cat "$1"/n*.log >&2
    exit 1
}

# start_group DIR [OPTIONS...]: starts a replicated group of three kvs-servers (docs/CLUSTER.md) on free loopback
# ports with any more kvs-server OPTIONS, member n's data in DIR/nN and its log in DIR/nN.log, and waits until one
# acknowledges a write. Sets group_kvs (the members' kvs addresses), group_pids and group_leader (an index into
# them), or prints the logs and exits 1. The caller stops the members.
start_group() {
    launch_group "$1" no "${@:2}"
    await_group_leader "$1"
}

# start_sharded DIR SHARDS [OPTIONS...]: starts three kvs-servers as a sharded cluster of SHARDS shards
# (docs/CLUSTER.md, "Sharded mode") as launch_group does, each --peer with a RESP address, and waits until each
# reports every shard served by its first leader (CLUSTER INFO's cluster_state:ok, and CLUSTER NODES naming each
# member as the master of some slots); one shard is a plain group, ready once its leader takes a write
# (group_leader: its index). Sets group_kvs, group_resp (the members' RESP ports) and group_pids, or prints the
# logs and exits 1. The caller stops the members.
start_sharded() {
    local dir=$1 shards=$2
    shift 2
    launch_group "$dir" yes --shards "$shards" "$@"
    if [ "$shards" -eq 1 ]; then
        await_group_leader "$dir"
        return 0
    fi
    local want=$(( shards < 3 ? shards : 3 )) ready i
    for _ in $(seq 600); do
        ready=0
        for i in 0 1 2; do
            if redis-cli -p "${group_resp[$i]}" cluster info 2>/dev/null | grep -q '^cluster_state:ok' \
                    && [ "$(redis-cli -p "${group_resp[$i]}" cluster nodes 2>/dev/null | awk 'NF > 8' | wc -l)" -eq "$want" ]; then
                ready=$((ready + 1))
            fi
        done
        [ "$ready" -eq 3 ] && return 0
        sleep 0.1
    done
    echo "the shards were not all led by their first leaders within 60 s; the members' logs:" >&2
    cat "$dir"/n*.log >&2
    exit 1
}

# expect_redis_cli WANT REDIS-CLI-ARGS...: runs redis-cli -h 127.0.0.1 with the arguments and compares its output
# with WANT; prints ok or FAIL, and counts a failure in the caller's failures.
expect_redis_cli() {
    local want="$1"; shift
    local got
    got=$(redis-cli -h 127.0.0.1 "$@" 2>&1) || true
    if [ "$got" = "$want" ]; then
        echo "  ok   redis-cli $*"
    else
        echo "  FAIL redis-cli $*: expected '$want', got '$got'" >&2
        failures=$((failures + 1))
    fi
}
