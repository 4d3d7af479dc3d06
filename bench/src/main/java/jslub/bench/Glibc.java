package jslub.bench;

import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;

/** glibc malloc and free as FFM downcalls ("what C would do", plus the downcall's cost). */
final class Glibc {
  private Glibc() {}

  private static final Linker LINKER = Linker.nativeLinker();
  private static final MethodHandle MALLOC = LINKER.downcallHandle(
      LINKER.defaultLookup().findOrThrow("malloc"),
      FunctionDescriptor.of(ValueLayout.JAVA_LONG, ValueLayout.JAVA_LONG),
      Linker.Option.critical(false));
  private static final MethodHandle FREE = LINKER.downcallHandle(
      LINKER.defaultLookup().findOrThrow("free"),
      FunctionDescriptor.ofVoid(ValueLayout.JAVA_LONG),
      Linker.Option.critical(false));

  static long malloc(long size) {
    try {
      return (long) MALLOC.invokeExact(size);
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }

  static void free(long p) {
    try {
      FREE.invokeExact(p);
    } catch (Throwable t) {
      throw new AssertionError(t);
    }
  }
}
