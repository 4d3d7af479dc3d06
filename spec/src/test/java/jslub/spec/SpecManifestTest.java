package jslub.spec;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of spec/manifest.tsv (of the selected size) gives its expected TLC verdict; then
 * every action of Slub.tla must have produced a new state in at least one passing small row.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SpecManifestTest {

    /** Summed over this class's rows; checked by the last test. */
    private static final ActionCoverage COVERAGE = new ActionCoverage();

    static Stream<ManifestRow> rows() throws Exception {
        return ManifestChecks.rows(Path.of("manifest.tsv").toAbsolutePath());
    }

    // A manifest may have no row of the selected size (proofs/ has no large rows).
    @Order(1)
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("rows")
    void modelGivesExpectedVerdict(ManifestRow row) throws Exception {
        ManifestChecks.check(row, List.of(), COVERAGE);
    }

    @Order(2)
    @Test
    void manifestIsReadWhole() throws Exception {
        ManifestChecks.requireRows(Path.of("manifest.tsv").toAbsolutePath());
    }

    /**
     * Reach as a test: an action that never makes a new state in any passing small config is
     * code the suite never exercises. Runs only on the small suite (the default), after the rows.
     */
    @Order(3)
    @Test
    void everyActionReached() {
        if (!System.getProperty("tlc.size", "small").equals("small")
                || System.getProperty("tlc.coverage", "true").equals("false")) {
            return;
        }
        assertFalse(COVERAGE.isEmpty(), "no coverage was recorded: did the rows run?");
        System.out.print("[coverage] distinct states per action, summed over the passing small rows\n"
                + COVERAGE.table());
        List<String> unreached = COVERAGE.unreached("Slub");
        assertTrue(unreached.isEmpty(), () -> "actions of Slub.tla that no small config reaches "
                + "(add a config that does): " + unreached);
    }
}
