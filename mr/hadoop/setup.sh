#!/usr/bin/env bash
# Brings Apache Hadoop (pinned in mr/hadoop/pom.xml) from Maven Central into ~/.m2, compiles the
# mini-cluster launcher and writes .cache/hadoop/classpath.txt: what `recsys mr --runner hadoop`
# and `--runner hadoop-yarn` start Java with. Idempotent: when the stamp matches the pom and the
# launcher's source and every jar of the classpath is there, it only says so (well under a second).
# Maven checks every download's checksum (-C: a mismatch fails). Needs Java 17+ and Maven 3.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="$root/.cache/hadoop"

fail() { echo "hadoop setup: $*" >&2; exit 1; }

command -v java >/dev/null 2>&1 || fail "java is not on PATH: install a JDK 17 (Debian: apt-get install openjdk-17-jdk-headless)"
java_major="$(java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
[ "${java_major%%.*}" -ge 17 ] 2>/dev/null || fail "java is version '${java_major}', Hadoop here needs 17 or newer"
command -v javac >/dev/null 2>&1 || fail "javac is missing: install a JDK, not only a JRE (Debian: openjdk-17-jdk-headless)"
command -v mvn >/dev/null 2>&1 || fail "mvn is not on PATH: install Maven 3 (Debian: apt-get install maven)"

stamp="$(cat "$here/pom.xml" "$here"/src/main/java/recsys/*.java | sha256sum | cut -c1-16)"
up_to_date() {
  [ -f "$cache/stamp" ] && [ "$(cat "$cache/stamp")" = "$stamp" ] || return 1
  [ -f "$cache/classpath.txt" ] && [ -f "$cache/target/recsys-hadoop-1.jar" ] || return 1
  local jar
  while IFS= read -r -d: jar || [ -n "$jar" ]; do [ -f "$jar" ] || return 1; done < "$cache/classpath.txt"
}
if up_to_date; then
  echo "hadoop setup: up to date ($cache/classpath.txt)"
  exit 0
fi
echo "hadoop setup: $(sed -n 's:.*<hadoop.version>\(.*\)</hadoop.version>.*:Hadoop \1:p' "$here/pom.xml") from Maven Central into ~/.m2 (once), the mini-cluster launcher, the classpath"
mkdir -p "$cache"
mvn -B -q -C -Dstyle.color=never -f "$here/pom.xml" package || fail "mvn package failed (see above)"
up_to_date_files() { [ -f "$cache/classpath.txt" ] && [ -f "$cache/target/recsys-hadoop-1.jar" ]; }
up_to_date_files || fail "mvn did not write $cache/classpath.txt"
echo "$stamp" > "$cache/stamp"
echo "hadoop setup: wrote $cache/classpath.txt"
