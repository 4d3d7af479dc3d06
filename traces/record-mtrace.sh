#!/usr/bin/env bash
# Records a glibc malloc trace of a command: ./traces/record-mtrace.sh OUT.mtrace CMD [ARGS...]
# Needs gcc and glibc >= 2.34 (libc_malloc_debug.so.0). gzip the output to keep it small.
set -euo pipefail
out="$1"; shift
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
gcc -shared -fPIC -O2 -o "$tmp/libmtrace_shim.so" "$here/mtrace_shim.c"
dbg="$(ls /lib/*-linux-gnu/libc_malloc_debug.so.0 /usr/lib/*-linux-gnu/libc_malloc_debug.so.0 \
  /lib64/libc_malloc_debug.so.0 2>/dev/null | head -1 || true)"
[ -n "$dbg" ] || { echo "no libc_malloc_debug.so.0 (glibc >= 2.34 needed)" >&2; exit 1; }
MALLOC_TRACE="$out" LD_PRELOAD="$dbg:$tmp/libmtrace_shim.so" "$@"
