package jslub.spec;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Model mutation testing: each mutant in spec/mutants is applied to a copy of the model and run
 * against the passing small rows of spec/manifest.tsv (its suite: the invariant rows, or the
 * liveness rows) until one fails. A mutant must be killed, or carry an explanation ("equivalent:"
 * or "survivor:"), and then must survive: a stale explanation fails too. The score is printed and
 * written to target/mutants/report.md.
 *
 * <p>{@code -Dtlc.mutants=quick} (the default in {@code mvn verify}): a killed mutant runs only
 * the config its file names in "killed-by:", which must still kill it; explained mutants are not
 * re-run. {@code full}: every mutant runs the whole suite (its killed-by config first), so
 * explanations are checked too. {@code false}: skip.
 */
class MutantTest {

    private static final Path SPEC = Path.of("").toAbsolutePath();
    private static final List<String> REPORT = new ArrayList<>();
    private static final Pattern STATES = Pattern.compile("([0-9,]+) distinct states found");
    private static final Pattern VIOLATED = Pattern.compile("(?:Invariant|Action property) (\\w+) is violated");

    static Stream<Mutant> mutants() throws Exception {
        if (mode().equals("false")
                || !System.getProperty("tlc.size", "small").equals("small")) {
            return Stream.empty();
        }
        try (Stream<Path> s = Files.list(SPEC.resolve("mutants"))) {
            List<Path> files = s.filter(p -> p.toString().endsWith(".mutant")).sorted().toList();
            List<Mutant> ms = new ArrayList<>();
            for (Path f : files) {
                ms.add(Mutant.read(f));
            }
            return ms.stream();
        }
    }

    static String mode() {
        return System.getProperty("tlc.mutants", "quick");
    }

    /** The rows to run for {@code m}: its killed-by config first, then (full mode) the rest. */
    static List<ManifestRow> rowsFor(Mutant m) throws Exception {
        List<ManifestRow> all = suite(m.suite());
        List<ManifestRow> rows = new ArrayList<>();
        if (m.killedBy() != null) {
            all.stream().filter(r -> r.config().equals(m.killedBy())).findFirst().ifPresentOrElse(rows::add,
                    () -> { throw new IllegalStateException(m + ": killed-by " + m.killedBy()
                            + " is not a passing small " + m.suite() + " row of manifest.tsv"); });
            if (!mode().equals("full")) {
                return rows;
            }
        } else if (!mode().equals("full") && m.explained()) {
            return List.of(); // explained: not re-run in quick mode
        }
        all.stream().filter(r -> !rows.contains(r)).forEach(rows::add);
        return rows;
    }

    /** The passing small rows a mutant of this suite runs against, in manifest order. */
    static List<ManifestRow> suite(String suite) throws Exception {
        List<ManifestRow> rows = new ArrayList<>();
        for (ManifestRow r : ManifestRow.read(SPEC.resolve("manifest.tsv"))) {
            if (!r.size().equals("small") || !r.expect().equals("ok")) {
                continue;
            }
            boolean liveness = Files.readString(SPEC.resolve(r.config())).contains("PROPERTY");
            if (liveness == suite.equals("liveness")) {
                rows.add(r);
            }
        }
        return rows;
    }

    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("mutants")
    void mutantIsKilledOrExplained(Mutant m) throws Exception {
        Path dir = SPEC.resolve("target/mutants/" + m.name());
        Files.createDirectories(dir);
        try (Stream<Path> s = Files.list(SPEC)) {
            for (Path p : s.filter(p -> p.toString().endsWith(".tla") || p.toString().endsWith(".cfg")).toList()) {
                Files.copy(p, dir.resolve(p.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
        }
        String model = Files.readString(SPEC.resolve("Slub.tla"), StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("Slub.tla"), m.apply(model), StandardCharsets.UTF_8);

        String killer = null;
        String why = "";
        String states = "";
        long millis = 0;
        List<ManifestRow> rows = rowsFor(m);
        for (ManifestRow row : rows) {
            TlcRunner.Result r = TlcRunner.run(dir, row.module(), row.config(), List.of(), List.of(),
                    m.name() + "/" + row.config());
            millis += r.millis();
            assertTrue(r.exitCode() == TlcRunner.OK || r.exitCode() == TlcRunner.SAFETY
                            || r.exitCode() == TlcRunner.LIVENESS || r.exitCode() == TlcRunner.DEADLOCK,
                    () -> m + " on " + row.config() + ": TLC could not run the mutant (exit " + r.exitCode()
                            + "); is it well-formed?\n" + r.output());
            if (r.exitCode() != TlcRunner.OK) {
                killer = row.config();
                Matcher v = VIOLATED.matcher(r.output());
                why = v.find() ? v.group(1)
                        : r.exitCode() == TlcRunner.LIVENESS ? "temporal property"
                        : r.exitCode() == TlcRunner.DEADLOCK ? "deadlock" : "exit " + r.exitCode();
                Matcher st = STATES.matcher(r.output());
                while (st.find()) {
                    states = st.group(1);
                }
                break;
            }
        }
        String verdict = killer != null ? "killed"
                : rows.isEmpty() ? (m.equivalent() != null ? "equivalent (not re-run)" : "survivor (not re-run)")
                : m.equivalent() != null ? "equivalent" : m.survivor() != null ? "survivor" : "SURVIVED";
        synchronized (REPORT) {
            REPORT.add(String.format("| %s | %s | %s | %s | %s | %s | %.1f |", m.name(), m.kind(), verdict,
                    killer == null ? "—" : killer, killer == null ? "—" : why, states.isEmpty() ? "—" : states,
                    millis / 1000.0));
        }
        final String k = killer;
        if (m.explained()) {
            assertTrue(k == null, () -> m + " is explained as unkillable but " + k + " kills it: drop the explanation");
        } else {
            assertTrue(k != null, () -> m + " (" + m.what() + ") survives every " + m.suite()
                    + " config: kill it with a better invariant or config, or explain it as equivalent");
        }
    }

    @AfterAll
    static void report() throws Exception {
        if (REPORT.isEmpty()) {
            return;
        }
        long killed = REPORT.stream().filter(r -> r.contains("| killed |")).count();
        long equivalent = REPORT.stream().filter(r -> r.contains("| equivalent")).count();
        String table = "| mutant | kind | verdict | killed by config | invariant / property | distinct states | seconds |\n"
                + "|---|---|---|---|---|---|---|\n" + String.join("\n", REPORT.stream().sorted().toList()) + "\n";
        long scored = REPORT.size() - equivalent;
        String score = String.format("mutation score: %d of %d non-equivalent mutants killed (%.0f %%); %d equivalent"
                + " (mode %s)%n", killed, scored, scored == 0 ? 100.0 : 100.0 * killed / scored, equivalent, mode());
        Files.createDirectories(SPEC.resolve("target/mutants"));
        Files.writeString(SPEC.resolve("target/mutants/report.md"), score + "\n" + table);
        System.out.print("[mutants] " + score + table);
    }
}
