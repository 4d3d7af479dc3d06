package jslub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import jslub.slab.SlabMachine;
import org.junit.jupiter.api.Test;

/**
 * Which SLUB protocol a system runs: {@code -Djslub.protocol} sets the builder's default
 * (primary, or delayed freezing), the builder's {@code delayedFreeze(on)} overrides it, and
 * {@code delayedFreeze()} reports it.
 */
class ProtocolChoiceTest {
  private static boolean defaultWith(String value) {
    String saved = System.getProperty(SlabMachine.PROTOCOL_PROPERTY);
    try {
      if (value == null) {
        System.clearProperty(SlabMachine.PROTOCOL_PROPERTY);
      } else {
        System.setProperty(SlabMachine.PROTOCOL_PROPERTY, value);
      }
      return SlabMachine.delayedFreezeByDefault();
    } finally {
      if (saved == null) {
        System.clearProperty(SlabMachine.PROTOCOL_PROPERTY);
      } else {
        System.setProperty(SlabMachine.PROTOCOL_PROPERTY, saved);
      }
    }
  }

  @Test
  void thePropertySetsTheDefault() {
    assertEquals(false, defaultWith(null));
    assertEquals(false, defaultWith("primary"));
    assertEquals(false, defaultWith(" "));
    assertEquals(true, defaultWith("delayed"));
    assertEquals(true, defaultWith(" delayed "));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> defaultWith("frozen"));
    assertEquals("-Djslub.protocol=frozen: expected primary or delayed", e.getMessage());
  }

  @Test
  void theBuilderOverridesAndTheSystemReports() {
    for (boolean on : new boolean[] {false, true}) {
      try (SlabSystem s = SlabSystem.builder().cpus(2).memoryBytes(4L << 20).delayedFreeze(on)
          .build()) {
        assertEquals(on, s.delayedFreeze());
      }
    }
  }
}
