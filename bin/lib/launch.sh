# Shared by the programs in bin/: find a Java runtime, and run a main class of kvs's.
# Usage (sourced): kvs_launch MAIN_CLASS ARGS... (the server's and client's classes) or kvs_launch_bench
# MAIN_CLASS ARGS... (the load generator's); JVM flags of the caller's own in KVS_JVM_FLAGS, the user's in
# KVS_JAVA_OPTS.
#
# Two layouts, told apart by lib/kvs.jar:
# - a release (the archive, or the image with its own runtime in runtime/): the jars in lib/ (the load
#   generator's own in lib/bench/); nothing is ever built;
# - a clone of the repository: the jars Maven writes under target/, built on first use.

kvs_home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Prints the feature version of the java at $1 (17, 21, 25...), or nothing if it does not run.
# Reads the runtime's release file when there is one: starting a JVM just to ask costs ~100 ms. Bash's own
# string and regex operations rather than dirname and sed: each process forked is a millisecond of every start.
kvs_java_version() {
    local java="$1" release line
    release="$(readlink -f "$java")"
    release="${release%/*}/../release"
    if [ -f "$release" ]; then
        while IFS= read -r line; do
            if [[ $line =~ ^JAVA_VERSION=\"([0-9]+) ]]; then
                echo "${BASH_REMATCH[1]}"
                return
            fi
        done <"$release"
    else
        "$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
    fi
}

# Prints the java to run: the image's own runtime, else the first JDK 21+ of JAVA_HOME, PATH and /usr/lib/jvm.
kvs_find_java() {
    local candidates=() c v
    if [ -x "$kvs_home/runtime/bin/java" ]; then
        echo "$kvs_home/runtime/bin/java"
        return 0
    fi
    [ -n "${JAVA_HOME:-}" ] && candidates+=("$JAVA_HOME/bin/java")
    command -v java >/dev/null 2>&1 && candidates+=("$(command -v java)")
    for c in /usr/lib/jvm/*/bin/java; do [ -x "$c" ] && candidates+=("$c"); done
    for c in "${candidates[@]}"; do
        v="$(kvs_java_version "$c")"
        if [ -n "$v" ] && [ "$v" -ge 21 ]; then
            echo "$c"
            return 0
        fi
    done
    return 1
}

kvs_released() {
    [ -f "$kvs_home/lib/kvs.jar" ]
}

# Prints the jars of directory $1, kvs.jar first, the others in byte order: a class path spelled the same
# way at every start (an AOT cache is only used with the class path it was made with).
kvs_jars() {
    local dir="$1" jar path="$1/kvs.jar"
    for jar in $(cd "$dir" && LC_ALL=C ls -- *.jar); do
        [ "$jar" = kvs.jar ] || path="$path:$dir/$jar"
    done
    echo "$path"
}

kvs_launch() {
    if kvs_released; then
        kvs_exec "$(kvs_jars "$kvs_home/lib")" "$@"
    fi
    local jar="$kvs_home/target/kvs.jar"
    if [ ! -f "$jar" ] || [ ! -d "$kvs_home/target/lib" ]; then
        kvs_build "$jar"
    fi
    kvs_exec "$jar:$kvs_home/target/lib/*" "$@"
}

kvs_launch_bench() {
    if kvs_released; then
        kvs_exec "$(kvs_jars "$kvs_home/lib"):$kvs_home/lib/bench/*" "$@"
    fi
    local jar="$kvs_home/target/benchmarks.jar"
    [ -f "$jar" ] || kvs_build "$jar" -Pbench
    kvs_exec "$jar" "$@"
}

# kvs_build JAR MAVEN_ARGS...: builds the project (skipping tests) when JAR is missing.
kvs_build() {
    local jar="$1"; shift
    echo "kvs: building $jar (first run)..." >&2
    (cd "$kvs_home" && ./mvnw -q -B "$@" package -DskipTests >&2) || { echo "kvs: the build failed" >&2; exit 1; }
}

# kvs_start_cache JAVA NAME [aot-only]: the JVM flags that make program NAME start faster from classes
# prepared by an earlier run. The image's lib/NAME.aot, an AOT cache trained when the image was built (JDK
# 25+: classes loaded, linked and profiled ahead of time); otherwise, unless aot-only, a Class Data Sharing
# archive the JVM writes on the first run and again whenever the jars or the JDK change: target/NAME.jsa in a
# clone, else in the user's cache directory (one per installation and JDK). A JVM that cannot use either
# runs without, as it would anyway. KVS_JAVA_OPTS naming a cache of its own (-XX:AOTCache..., -XX:SharedArchiveFile,
# -Xshare:...) turns this off.
kvs_start_cache() {
    local java="$1" name="$2" dir
    case " ${KVS_JAVA_OPTS:-} " in
        *" -XX:AOTCache"*|*" -XX:SharedArchiveFile"*|*" -Xshare:"*) return ;;
    esac
    if [ -f "$kvs_home/lib/$name.aot" ] && [ "$java" = "$kvs_home/runtime/bin/java" ]; then
        echo "-XX:AOTCache=$kvs_home/lib/$name.aot"
        return
    fi
    [ "${3:-}" = aot-only ] && return
    if kvs_released; then
        dir="${XDG_CACHE_HOME:-${HOME:-/tmp}/.cache}/kvs"
        [ -d "$dir" ] || mkdir -p "$dir" 2>/dev/null || return 0
        dir="$dir/$name-$(printf '%s\n%s\n' "$kvs_home" "$java" | cksum | cut -d' ' -f1).jsa"
    else
        dir="$kvs_home/target/$name.jsa"
    fi
    echo "-XX:+AutoCreateSharedArchive -XX:SharedArchiveFile=$dir"
}

# kvs_exec CLASSPATH MAIN_CLASS ARGS...
kvs_exec() {
    local classpath="$1" main="$2"; shift 2
    local java cache=""
    if ! java="$(kvs_find_java)"; then
        echo "kvs: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH and /usr/lib/jvm/*); install one or set JAVA_HOME" >&2
        exit 1
    fi
    # shellcheck disable=SC2086
    [ -n "${KVS_START_CACHE:-}" ] && cache="$(kvs_start_cache "$java" $KVS_START_CACHE)"
    # Arguments reach Java in the locale's encoding: make sure that is UTF-8.
    case "$(locale charmap 2>/dev/null)" in
        UTF-8|utf8) ;;
        *) export LC_ALL=C.UTF-8 ;;
    esac
    # JVM log output goes to stderr only, never into a command's stdout; CDS's and the AOT cache's notes
    # (what they skipped, an archive rebuilt after the jar changed) are not errors of the program's.
    # shellcheck disable=SC2086
    exec "$java" -Xlog:disable -Xlog:all=error:stderr -Xlog:cds*=off:stderr -Xlog:aot*=off:stderr \
        ${KVS_JVM_FLAGS:-} $cache ${KVS_JAVA_OPTS:-} \
        -cp "$classpath" "$main" "$@"
}
