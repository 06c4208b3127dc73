#!/usr/bin/env bash
# Moving slots between shards (docs/CLUSTER.md, "Moving slots"): three kvs-servers with --shards 3 on free
# loopback ports (fresh data directories, stopped by their PIDs); shard 0's highest 1,000 slots (4461-5460)
# are loaded with KEYS keys (default 1,000,000: 1,000 a slot, each a {hash tag} of its slot, 16-byte values,
# through redis-cli --pipe at shard 0's leader), then `kvs-client cluster move-slots 0 1 1000` moves them to
# shard 1 while a probe (one connection per process, raw RESP, following -MOVED) sets and gets keys of the
# moving slots one at a time. Prints the move's wall time and keys per second, and the probe's requests
# during the move: how many, errors, and latency percentiles and maximum in milliseconds (a request held by
# a frozen slot waits for its run's copy). Checks after the move that every loaded key is at shard 1
# (the processes' DBSIZEs) and that a sample of them reads back through redis-cli -c.
#
#   bench/move-slots.sh [KEYS]
set -euo pipefail
source "$(dirname "$0")/lib.sh"

keys=${1:-1000000}
command -v redis-cli >/dev/null || { echo "move-slots.sh needs redis-cli: apt-get install redis-tools" >&2; exit 1; }
python=$(debian_python)
ensure_jar
work=$(mktemp -d)
group_pids=()
probe_pid=
cleanup() {
    [ -n "$probe_pid" ] && kill "$probe_pid" 2>/dev/null && wait "$probe_pid" 2>/dev/null || true
    stop_processes "${group_pids[@]}"
    rm -rf "$work"
}
trap cleanup EXIT

# The tags: for each slot of 4461-5460, a text whose CRC16 (Redis Cluster's) falls in it.
"$python" - "$work" "$keys" <<'EOF'
import sys
work, total = sys.argv[1], int(sys.argv[2])
def crc16(data):
    crc = 0
    for b in data:
        crc ^= b << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) & 0xFFFF if crc & 0x8000 else (crc << 1) & 0xFFFF
    return crc
wanted = set(range(4461, 5461))
tags = {}
n = 0
while len(tags) < len(wanted):
    t = "t%d" % n
    s = crc16(t.encode()) % 16384
    if s in wanted and s not in tags:
        tags[s] = t
    n += 1
ordered = [tags[s] for s in sorted(tags)]
with open(work + "/tags", "w") as f:
    f.write("\n".join(ordered) + "\n")
per = total // len(ordered)
value = b"v" * 16
with open(work + "/load.resp", "wb") as f:
    for i in range(per):
        for t in ordered:
            k = ("{%s}:%d" % (t, i)).encode()
            f.write(b"*3\r\n$3\r\nSET\r\n$%d\r\n%s\r\n$16\r\n%s\r\n" % (len(k), k, value))
EOF
loaded=$(( keys / 1000 * 1000 ))

start_sharded "$work" 3
echo "loading $loaded keys into slots 4461-5460 (shard 0)..." >&2
load_start=$(date +%s.%N)
redis-cli -p "${group_resp[0]}" --pipe < "$work/load.resp" > "$work/load.out"
load_end=$(date +%s.%N)
grep -q "errors: 0," "$work/load.out" || { echo "the load had errors:" >&2; cat "$work/load.out" >&2; exit 1; }
echo "loaded in $(echo "$load_end - $load_start" | bc) s" >&2

# The probe: sets then gets a key of a moving slot, one request at a time, following -MOVED, until $work/stop.
"$python" - "$work" "${group_resp[0]}" <<'EOF' > "$work/probe.out" &
import os, socket, sys, time
work, port = sys.argv[1], int(sys.argv[2])
tags = open(work + "/tags").read().split()
conns = {}
def conn(p):
    if p not in conns:
        s = socket.create_connection(("127.0.0.1", p))
        conns[p] = (s, s.makefile("rb"))
    return conns[p]
def call(p, *args):
    s, f = conn(p)
    s.sendall(b"*%d\r\n" % len(args) + b"".join(b"$%d\r\n%s\r\n" % (len(a), a) for a in args))
    line = f.readline()
    if line.startswith(b"$") and line != b"$-1\r\n":
        f.read(int(line[1:]) + 2)
    return line
where = {}
samples = []  # (start time, latency ms, error)
i = 0
while not os.path.exists(work + "/stop"):
    t = tags[i % len(tags)].encode()
    for args in ((b"SET", b"{%s}:probe" % t, b"%d" % i), (b"GET", b"{%s}:probe" % t)):
        p = where.get(t, port)
        start = time.time()
        error = False
        for hop in range(5):
            reply = call(p, *args)
            if reply.startswith(b"-MOVED"):
                p = int(reply.split()[2].rsplit(b":", 1)[1])
                where[t] = p
                continue
            error = reply.startswith(b"-")
            break
        samples.append((start, (time.time() - start) * 1000, error))
    i += 1
for s, ms, e in samples:
    print("%.6f %.3f %d" % (s, ms, e))
EOF
probe_pid=$!
sleep 2

move_start=$(date +%s.%N)
"$kvs_home/bin/kvs-client" --addr "${group_kvs[1]}" cluster move-slots 0 1 1000
move_end=$(date +%s.%N)
sleep 1
touch "$work/stop"
wait "$probe_pid"
probe_pid=

"$python" - "$work/probe.out" "$move_start" "$move_end" "$loaded" <<'EOF'
import sys
rows = [l.split() for l in open(sys.argv[1])]
start, end, loaded = float(sys.argv[2]), float(sys.argv[3]), int(sys.argv[4])
during = sorted(float(ms) for s, ms, e in rows if start <= float(s) <= end)
errors = sum(int(e) for s, ms, e in rows if start <= float(s) <= end)
secs = end - start
def pct(p):
    return during[min(len(during) - 1, int(p / 100 * len(during)))] if during else float("nan")
print("move of 1000 slots, %d keys: %.1f s, %.0f keys/s" % (loaded, secs, loaded / secs))
print("probe during the move: %d requests, %d errors, p50 %.1f ms, p99 %.1f ms, max %.1f ms"
      % (len(during), errors, pct(50), pct(99), during[-1] if during else float("nan")))
EOF

total=0
for p in "${group_resp[@]}"; do
    total=$(( total + $(redis-cli -p "$p" dbsize) ))
done
[ "$total" -ge "$loaded" ] || { echo "FAIL: the processes hold $total keys, fewer than the $loaded loaded" >&2; exit 1; }
for t in $(shuf -n 20 "$work/tags"); do
    [ "$(redis-cli -c -p "${group_resp[2]}" get "{$t}:7")" = "vvvvvvvvvvvvvvvv" ] || { echo "FAIL: {$t}:7 reads wrong" >&2; exit 1; }
done
echo "after the move: the processes hold $total keys; sampled keys read back" >&2
