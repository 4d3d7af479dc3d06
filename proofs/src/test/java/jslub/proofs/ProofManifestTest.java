package jslub.proofs;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import jslub.spec.ManifestChecks;
import jslub.spec.ManifestRow;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every row of proofs/manifest.tsv (of the selected size) gives its expected TLC verdict. TLC
 * finds Slub.tla, SlubMC.tla and SlabAbstract.tla in spec/ through -DTLA-Library.
 */
class ProofManifestTest {

    static Stream<ManifestRow> rows() throws Exception {
        return ManifestChecks.rows(Path.of("manifest.tsv").toAbsolutePath());
    }

    // A manifest may have no row of the selected size (proofs/ has no large rows).
    @ParameterizedTest(name = "{0}", allowZeroInvocations = true)
    @MethodSource("rows")
    void proofGivesExpectedVerdict(ManifestRow row) throws Exception {
        Path spec = Path.of(System.getProperty("tlc.library", "../spec"));
        ManifestChecks.check(row, List.of(spec));
    }

    @Test
    void manifestIsReadWhole() throws Exception {
        ManifestChecks.requireRows(Path.of("manifest.tsv").toAbsolutePath());
    }
}
