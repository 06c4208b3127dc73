#!/usr/bin/env bash
# Smoke test of a sharded cluster (docs/CLUSTER.md, "Sharded mode") with the Redis Cluster clients
# themselves, as they come: redis-cli -c (redirected commands, MOVED and CROSSSLOT as a plain client
# sees them, CLUSTER INFO/KEYSLOT/SLOTS), redis-py's RedisCluster and ioredis's Cluster, each writing and
# reading 10,000 keys across all slots, against three kvs-servers this script starts with --shards 3 on
# free loopback ports with fresh data directories and stops by their PIDs. The processes' DBSIZEs
# (each the keys of the shards it leads) must add up to the keys written. Installs Debian's redis-tools,
# python3-redis, nodejs and npm when missing, and ioredis from npm into a temporary directory.
# Exits non-zero if any check failed.
#
#   bench/cluster-smoke.sh [--engine kvs|mvstore]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

server_args=()
while [ $# -gt 0 ]; do
    case "$1" in
        --engine) server_args+=(--engine "$2"); shift 2 ;;
        -h|--help) sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "cluster-smoke.sh: unknown option '$1'" >&2; exit 2 ;;
    esac
done

python=$(debian_python)
if ! command -v redis-cli >/dev/null || ! "$python" -c 'import redis.cluster' 2>/dev/null \
        || ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    echo "installing redis-tools, python3-redis, nodejs and npm from Debian's packages..." >&2
    $sudo apt-get update -q >&2 && $sudo apt-get install -y -q redis-tools python3-redis nodejs npm >&2 \
        || { echo "could not install them: run 'apt-get install redis-tools python3-redis nodejs npm' as root" >&2; exit 1; }
fi

work=$(mktemp -d)
group_pids=()
cleanup() {
    stop_processes "${group_pids[@]}"
    rm -rf "$work"
}
trap cleanup EXIT

ensure_jar
(cd "$work" && npm install --silent --no-audit --no-fund ioredis@5 >/dev/null 2>"$work/npm.log") \
    || { echo "npm install ioredis failed:" >&2; cat "$work/npm.log" >&2; exit 1; }

start_sharded "$work" 3 "${server_args[@]}"
echo "three kvs-servers (pids ${group_pids[*]}), 3 shards, RESP on ports ${group_resp[*]}"
p1=${group_resp[0]}
p2=${group_resp[1]}
p3=${group_resp[2]}

failures=0
echo "redis-cli:"
expect_redis_cli OK -c -p "$p1" set foo bar # slot 12182, served by the third process
expect_redis_cli bar -c -p "$p2" get foo
expect_redis_cli "MOVED 12182 127.0.0.1:$p3" -p "$p1" get foo
expect_redis_cli "CROSSSLOT Keys in request don't hash to the same slot" -p "$p1" mget foo bar
expect_redis_cli OK -c -p "$p2" mset '{user1000}.a' 1 '{user1000}.b' 2
expect_redis_cli $'1\n2' -c -p "$p3" mget '{user1000}.a' '{user1000}.b'
expect_redis_cli 12182 -p "$p1" cluster keyslot foo
state=$(redis-cli -p "$p2" cluster info | head -1 | tr -d '\r')
if [ "$state" = cluster_state:ok ]; then
    echo "  ok   redis-cli cluster info: $state"
else
    echo "  FAIL redis-cli cluster info: '$state'" >&2
    failures=$((failures + 1))
fi
slots=$(redis-cli -p "$p1" cluster slots | tr '\n' ' ')
if [[ "$slots" == "0 5460 127.0.0.1 $p1 "*" 5461 10922 127.0.0.1 $p2 "*" 10923 16383 127.0.0.1 $p3 "* ]]; then
    echo "  ok   redis-cli cluster slots"
else
    echo "  FAIL redis-cli cluster slots: '$slots'" >&2
    failures=$((failures + 1))
fi
expect_redis_cli 1 -c -p "$p1" del foo
expect_redis_cli 1 -c -p "$p1" del '{user1000}.a' '{user1000}.c' # one of two

echo "redis-py:"
if "$python" - "$p1" <<'EOF'
import sys
import redis
from redis.cluster import RedisCluster

rc = RedisCluster(host="127.0.0.1", port=int(sys.argv[1]))
n = 10_000
pipe = rc.pipeline()
for i in range(n):
    pipe.set(f"py:{i}", f"v{i}")
assert all(pipe.execute()), "a set failed"
pipe = rc.pipeline()
for i in range(n):
    pipe.get(f"py:{i}")
values = pipe.execute()
assert values == [f"v{i}".encode() for i in range(n)], "a value read back differs"
assert rc.get("py:42") == b"v42"
assert rc.incr("py:{tag}:n") == 1
nodes = rc.get_nodes()
assert len(nodes) == 3, nodes
print("  ok   redis-py", redis.__version__, "RedisCluster:", n, "keys over", len(nodes), "nodes")
EOF
then :; else
    echo "  FAIL redis-py RedisCluster" >&2
    failures=$((failures + 1))
fi

echo "ioredis:"
if (cd "$work" && node - "$p2" <<'EOF'
const Redis = require("ioredis");
const port = Number(process.argv[2]);
const n = 10000;
const cluster = new Redis.Cluster([{ host: "127.0.0.1", port }]);
(async () => {
  const sets = [];
  for (let i = 0; i < n; i++) sets.push(cluster.set(`js:${i}`, `v${i}`));
  for (const r of await Promise.all(sets)) if (r !== "OK") throw new Error("set answered " + r);
  const gets = [];
  for (let i = 0; i < n; i++) gets.push(cluster.get(`js:${i}`));
  const values = await Promise.all(gets);
  values.forEach((v, i) => { if (v !== `v${i}`) throw new Error(`js:${i} is ${v}`); });
  const masters = cluster.nodes("master").length;
  if (masters !== 3) throw new Error(`${masters} masters`);
  console.log(`  ok   ioredis ${require("ioredis/package.json").version} Cluster: ${n} keys over ${masters} masters`);
  cluster.disconnect();
})().catch(e => { console.error(e); cluster.disconnect(); process.exit(1); });
EOF
); then :; else
    echo "  FAIL ioredis Cluster" >&2
    failures=$((failures + 1))
fi

total=0
for p in "$p1" "$p2" "$p3"; do
    total=$((total + $(redis-cli -p "$p" dbsize)))
done
# redis-py's 10,000 and its counter, ioredis's 10,000, and the other {user1000} key.
if [ "$total" -eq 20002 ]; then
    echo "  ok   the processes' DBSIZEs add up to the keys written: $total"
else
    echo "  FAIL the processes' DBSIZEs add up to $total, not 20002" >&2
    failures=$((failures + 1))
fi

for pid in "${group_pids[@]}"; do
    if ! kill -0 "$pid" 2>/dev/null; then
        echo "cluster-smoke: a kvs-server died; the logs:" >&2
        cat "$work"/n*.log >&2
        exit 1
    fi
done
if [ "$failures" -ne 0 ]; then
    echo "cluster-smoke: $failures failures" >&2
    exit 1
fi
echo "cluster-smoke: all passed"
