# Shared by the programs in bin/: find a JDK 21+, build the jar if it is missing, and run a main class.
# Usage (sourced): kvs_launch MAIN_CLASS ARGS... (the library's jar) or kvs_launch_bench MAIN_CLASS
# ARGS... (the benchmark jar); JVM flags of the caller's own in KVS_JVM_FLAGS.

kvs_home="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"

# Prints the feature version of the java at $1 (17, 21, 25...), or nothing if it does not run.
# Reads the JDK's release file when there is one: starting a JVM just to ask costs ~100 ms.
kvs_java_version() {
    local java="$1" release
    release="$(dirname "$(readlink -f "$java")")/../release"
    if [ -f "$release" ]; then
        sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$release"
    else
        "$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -n 1
    fi
}

kvs_find_java() {
    local candidates=() c v
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

kvs_launch() {
    local jar="$kvs_home/target/kvs.jar"
    if [ ! -f "$jar" ] || [ ! -d "$kvs_home/target/lib" ]; then
        kvs_build "$jar"
    fi
    kvs_exec "$jar:$kvs_home/target/lib/*" "$@"
}

kvs_launch_bench() {
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

# kvs_exec CLASSPATH MAIN_CLASS ARGS...
kvs_exec() {
    local classpath="$1" main="$2"; shift 2
    local java
    if ! java="$(kvs_find_java)"; then
        echo "kvs: no JDK 21 or newer found (looked at JAVA_HOME, java on PATH and /usr/lib/jvm/*); install one or set JAVA_HOME" >&2
        exit 1
    fi
    # Arguments reach Java in the locale's encoding: make sure that is UTF-8.
    case "$(locale charmap 2>/dev/null)" in
        UTF-8|utf8) ;;
        *) export LC_ALL=C.UTF-8 ;;
    esac
    # JVM log output goes to stderr only, never into a command's stdout; CDS's notes (what it
    # skipped, an archive rebuilt after the jar changed) are not errors of the program's.
    # shellcheck disable=SC2086
    exec "$java" -Xlog:disable -Xlog:all=error:stderr -Xlog:cds*=off:stderr -Xlog:aot*=off:stderr \
        ${KVS_JVM_FLAGS:-} ${KVS_JAVA_OPTS:-} \
        -cp "$classpath" "$main" "$@"
}
