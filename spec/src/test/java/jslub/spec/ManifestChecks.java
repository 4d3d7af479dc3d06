package jslub.spec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** The shared check: a manifest row must end with its expected verdict, for the right reason. */
public final class ManifestChecks {

    private ManifestChecks() {}

    /** Rows of the size selected by -Dtlc.size (small by default; -Pmodel-large sets large). */
    public static Stream<ManifestRow> rows(Path manifest) throws java.io.IOException {
        String size = System.getProperty("tlc.size", "small");
        return ManifestRow.read(manifest).stream().filter(r -> r.size().equals(size));
    }

    /** Zero rows of one size are allowed; a manifest that reads as empty is not. */
    public static void requireRows(Path manifest) throws java.io.IOException {
        assertTrue(!ManifestRow.read(manifest).isEmpty(), manifest + " has no rows");
    }

    public static void check(ManifestRow row, List<Path> libraryDirs) throws Exception {
        check(row, libraryDirs, null);
    }

    /**
     * As {@link #check(ManifestRow, List)}; with {@code coverage}, the row also records TLC's
     * action coverage (a must-fail row stops at its violation, but what it reached on the way
     * counts: the bug-only steps fire only there).
     */
    public static void check(ManifestRow row, List<Path> libraryDirs, ActionCoverage coverage) throws Exception {
        boolean cover = coverage != null;
        TlcRunner.Result r = TlcRunner.run(row.folder(), row.module(), row.config(), libraryDirs,
                cover ? List.of("-coverage", "600") : List.of(), row.config());
        if (cover) {
            assertTrue(coverage.add(row.config(), r.output()) > 0,
                    () -> row + ": TLC printed no action coverage\n" + tail(r.output()));
        }
        System.out.printf("[%s] exit %d in %.1f s%n", row.config(), r.exitCode(), r.millis() / 1000.0);
        String out = r.output();
        assertEquals(row.expectedExitCode(), r.exitCode(),
                () -> row + ": unexpected TLC exit code; output tail:\n" + tail(out));
        switch (row.expect()) {
            case "ok" -> assertTrue(out.contains("Model checking completed. No error has been found."),
                    () -> row + ": TLC did not report a complete check\n" + tail(out));
            case "safety" -> {
                String name = row.expectedViolation();
                assertNotNull(name, row + ": a must-fail config needs a '\\* expect: Name' line");
                assertTrue(out.contains("Invariant " + name + " is violated")
                                || out.contains("Action property " + name + " is violated"),
                        () -> row + ": TLC failed, but not on " + name + "\n" + tail(out));
            }
            case "liveness" -> {
                String name = row.expectedViolation();
                assertNotNull(name, row + ": a must-fail config needs a '\\* expect: Name' line");
                // A refinement property Init /\ [][Next]_v fails as "Action property ... is violated";
                // a leads-to fails as "Temporal properties were violated".
                assertTrue(out.contains("Temporal properties were violated")
                                || out.matches("(?s).*Action property .* is violated.*"),
                        () -> row + ": no property violation\n" + tail(out));
                // TLC does not print the property's name; the config must check that one only.
                assertTrue(onlyProperty(row, name), row + ": config must list exactly PROPERTY " + name);
            }
            case "deadlock" -> assertTrue(out.contains("Deadlock reached"), () -> row + ": no deadlock\n" + tail(out));
            default -> throw new IllegalStateException(row.expect());
        }
    }

    private static boolean onlyProperty(ManifestRow row, String name) throws java.io.IOException {
        List<String> props = java.nio.file.Files.readAllLines(row.folder().resolve(row.config())).stream()
                .map(String::trim)
                .filter(s -> s.startsWith("PROPERTY") || s.startsWith("PROPERTIES"))
                .toList();
        return props.size() == 1 && props.get(0).split("\\s+").length == 2 && props.get(0).endsWith(" " + name);
    }

    private static String tail(String out) {
        String[] lines = out.split("\n");
        int from = Math.max(0, lines.length - 60);
        return String.join("\n", java.util.Arrays.copyOfRange(lines, from, lines.length));
    }
}
