package jslub.spec;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every row of spec/manifest.tsv (of the selected size) gives its expected TLC verdict. */
class SpecManifestTest {

    static Stream<ManifestRow> rows() throws Exception {
        return ManifestChecks.rows(Path.of("manifest.tsv").toAbsolutePath());
    }

    // A manifest may have no row of the selected size (proofs/ has no large rows).
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("rows")
    void modelGivesExpectedVerdict(ManifestRow row) throws Exception {
        ManifestChecks.check(row, List.of());
    }

    @Test
    void manifestIsReadWhole() throws Exception {
        ManifestChecks.requireRows(Path.of("manifest.tsv").toAbsolutePath());
    }
}
