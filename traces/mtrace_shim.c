/*
 * Preload shim for recording glibc malloc traces (glibc >= 2.34 keeps mtrace() in
 * libc_malloc_debug.so): it only turns tracing on before main() runs. MALLOC_TRACE names the
 * output file. Build: gcc -shared -fPIC -O2 -o libmtrace_shim.so mtrace_shim.c
 */
#include <mcheck.h>

__attribute__((constructor)) static void jslub_start_mtrace(void) { mtrace(); }
