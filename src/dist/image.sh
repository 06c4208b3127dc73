#!/usr/bin/env bash
# Builds the self-contained image from the release archive (the dist profile runs it at package time):
#
#   src/dist/image.sh ARCHIVE IMAGE
#
# IMAGE (kvs-VERSION-linux-x64.tar.gz) is ARCHIVE (kvs-VERSION.tar.gz) plus runtime/, a jlink runtime of
# the JDK modules kvs uses (no debug information, headers or man pages), which bin/ runs before any JDK on
# the machine; and, when that runtime is a JDK 25 or newer, lib/kvs-server.aot and lib/kvs-client.aot,
# AOT caches (JEP 483/514/515: classes loaded, linked and profiled ahead of time) trained here by the
# image's own server under load from kvs-bench, and by its client.
#
# The runtime comes from the JDK in JAVA_HOME when that is a JDK 21+, else from the newest JDK 21+ under
# /usr/lib/jvm.
set -euo pipefail
archive=$(realpath "$1")
image=$(realpath "$2")
work="$(dirname "$image")/image"
source "$(dirname "$0")/../../bin/lib/launch.sh"

# jdk_with_jlink: prints the home of the JDK whose jlink builds the runtime.
jdk_with_jlink() {
    local home best="" best_version=0 v
    if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/jlink" ]; then
        v=$(kvs_java_version "$JAVA_HOME/bin/java")
        [ -n "$v" ] && [ "$v" -ge 21 ] && { echo "$JAVA_HOME"; return; }
    fi
    for home in /usr/lib/jvm/*; do
        [ -x "$home/bin/jlink" ] || continue
        v=$(kvs_java_version "$home/bin/java")
        if [ -n "$v" ] && [ "$v" -ge 21 ] && [ "$v" -gt "$best_version" ]; then
            best=$home
            best_version=$v
        fi
    done
    [ -n "$best" ] || { echo "image.sh: no JDK 21+ with jlink (JAVA_HOME, /usr/lib/jvm/*)" >&2; exit 1; }
    echo "$best"
}

jdk=$(jdk_with_jlink)
rm -rf "$work"
mkdir -p "$work"
tar xzf "$archive" -C "$work"
base=$(find "$work" -mindepth 1 -maxdepth 1 -type d)

# The modules: what jdeps finds in the classes, which run on the class path (kvs.jar's classes without its
# module descriptor, which would make jdeps look for its requirements as modules), and the ones only
# reached through a service: jdk.crypto.ec (TLS's elliptic curves; a module of its own before JDK 22) and
# jdk.management (the JVM metrics of /metrics).
mkdir -p "$work/classes"
(cd "$work/classes" && "$jdk/bin/jar" xf "$base/lib/kvs.jar" && rm -f module-info.class)
modules=$("$jdk/bin/jdeps" --multi-release 21 --ignore-missing-deps --print-module-deps \
    --class-path "$base/lib/*:$base/lib/bench/*" "$work/classes" "$base"/lib/bench/kvs-bench.jar)
modules="$modules,jdk.management"
[ -f "$jdk/jmods/jdk.crypto.ec.jmod" ] && modules="$modules,jdk.crypto.ec"
modules=$(tr , '\n' <<<"$modules" | sort -u | paste -sd,)
echo "image.sh: jlink of $jdk: $modules"
# Below JDK 25 there are no AOT caches: the runtime gets the JDK's default CDS archive instead, which the
# client's own archive (written on its first run) builds on.
cds=()
[ "$(kvs_java_version "$jdk/bin/java")" -lt 25 ] && cds=(--generate-cds-archive)
"$jdk/bin/jlink" --add-modules "$modules" --strip-debug --no-header-files --no-man-pages \
    --compress zip-6 "${cds[@]}" --output "$base/runtime"

version=$(kvs_java_version "$base/runtime/bin/java")
if [ "$version" -ge 25 ]; then
    train="$work/train"
    mkdir -p "$train"
    KVS_JAVA_OPTS="-XX:AOTCacheOutput=$base/lib/kvs-server.aot" "$base/bin/kvs-server" --addr 127.0.0.1:0 \
        --resp-addr 127.0.0.1:0 --data-dir "$train/data" >/dev/null 2>"$train/server.log" &
    server=$!
    trap 'kill "$server" 2>/dev/null || true' EXIT
    port="" resp=""
    for _ in $(seq 600); do
        port=$(grep -ao "listening on 127.0.0.1:[0-9]*" "$train/server.log" | cut -d: -f2 || true)
        resp=$(grep -ao "RESP on 127.0.0.1:[0-9]*" "$train/server.log" | cut -d: -f2 || true)
        [ -n "$port" ] && [ -n "$resp" ] && break
        kill -0 "$server" 2>/dev/null || break
        sleep 0.1
    done
    [ -n "$port" ] && [ -n "$resp" ] || { echo "image.sh: the training server did not start:" >&2; cat "$train/server.log" >&2; exit 1; }
    for target in "kvs --addr 127.0.0.1:$port" "redis --addr 127.0.0.1:$resp"; do
        for pipeline in 1 16; do
            # shellcheck disable=SC2086
            "$base/bin/kvs-bench" --target $target -c 20 -P "$pipeline" --duration 2 --quiet >/dev/null
        done
    done
    KVS_JAVA_OPTS=-Xshare:auto "$base/bin/kvs-client" --addr "127.0.0.1:$port" set training done
    KVS_JAVA_OPTS="-XX:AOTCacheOutput=$base/lib/kvs-client.aot" "$base/bin/kvs-client" --addr "127.0.0.1:$port" \
        get training >/dev/null 2>"$train/client.log" \
        || { echo "image.sh: the client's training run failed:" >&2; cat "$train/client.log" >&2; exit 1; }
    kill -TERM "$server"
    wait "$server" || { echo "image.sh: the training server's exit:" >&2; cat "$train/server.log" >&2; exit 1; }
    trap - EXIT
    for cache in kvs-server kvs-client; do
        [ -s "$base/lib/$cache.aot" ] || { echo "image.sh: no $cache.aot was written" >&2; exit 1; }
    done
else
    echo "image.sh: the runtime is JDK $version: no AOT caches (they need JDK 25)"
fi

tar czf "$image" -C "$work" "$(basename "$base")"
echo "image.sh: $image, $(du -h "$image" | cut -f1) ($(du -sh "$base" | cut -f1) unpacked, runtime $(du -sh "$base/runtime" | cut -f1))"
