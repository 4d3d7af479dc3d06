package jslub.bench;

import jslub.SlabSystem;

/** The jslub system every benchmark uses: 4 KiB frames, 64-byte lines, 2 CPUs, 64 MiB. */
final class Systems {
  private Systems() {}

  static SlabSystem plain() {
    return SlabSystem.builder().frameSize(4096).cacheLineSize(64).cpus(2)
        .memoryBytes(64L << 20).build();
  }
}
