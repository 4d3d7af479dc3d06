# Sourced by ./jslub and .ci/run: exports JAVA_HOME pointing at a JDK >= 25.
# Order: $JAVA_HOME if it is >= 25, else the first /usr/lib/jvm/*25*, else fail.
jslub_java_major() {
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p'
}
jslub_find_jdk() {
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    local v; v=$(jslub_java_major "$JAVA_HOME")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then return 0; fi
  fi
  local d
  for d in /usr/lib/jvm/*25* /usr/lib/jvm/*; do
    [ -x "$d/bin/javac" ] || continue
    local v; v=$(jslub_java_major "$d")
    if [ -n "$v" ] && [ "$v" -ge 25 ]; then JAVA_HOME="$d"; return 0; fi
  done
  echo "jslub: no JDK >= 25 found. Install one (e.g. Temurin 25) and set JAVA_HOME to it." >&2
  return 1
}
jslub_find_jdk || exit 1
export JAVA_HOME
export PATH="$JAVA_HOME/bin:$PATH"
# Maven 3.8's bundled guava calls sun.misc.Unsafe; JDK 24+ warns about it on every run. This
# flag only exists on JDK 24+, which is why it lives here and not in .mvn/jvm.config.
export MAVEN_OPTS="${MAVEN_OPTS:-} --sun-misc-unsafe-memory-access=allow"
