package jslub.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One row of a manifest.tsv: {@code module  config  expect  size}. Module and config are
 * relative to the manifest's folder. {@code expect} is ok | safety | liveness | deadlock.
 */
public record ManifestRow(Path folder, String module, String config, String expect, String size) {

    public static final List<String> HEADER = List.of("module", "config", "expect", "size");

    public static List<ManifestRow> read(Path manifest) throws IOException {
        List<String> lines = Files.readAllLines(manifest, StandardCharsets.UTF_8);
        if (lines.isEmpty() || !List.of(lines.get(0).split("\t")).equals(HEADER)) {
            throw new IllegalArgumentException(manifest + ": header must be " + String.join("<TAB>", HEADER));
        }
        List<ManifestRow> rows = new ArrayList<>();
        for (int i = 1; i < lines.size(); i++) {
            String line = lines.get(i);
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            String[] f = line.split("\t");
            if (f.length != 4) {
                throw new IllegalArgumentException(manifest + ":" + (i + 1) + ": expected 4 tab-separated fields");
            }
            if (!List.of("ok", "safety", "liveness", "deadlock").contains(f[2])
                    || !List.of("small", "large").contains(f[3])) {
                throw new IllegalArgumentException(manifest + ":" + (i + 1) + ": bad expect/size: " + line);
            }
            rows.add(new ManifestRow(manifest.getParent(), f[0], f[1], f[2], f[3]));
        }
        return rows;
    }

    public int expectedExitCode() {
        return switch (expect) {
            case "ok" -> TlcRunner.OK;
            case "safety" -> TlcRunner.SAFETY;
            case "liveness" -> TlcRunner.LIVENESS;
            case "deadlock" -> TlcRunner.DEADLOCK;
            default -> throw new IllegalStateException(expect);
        };
    }

    /**
     * For a must-fail row the config names what must break, in a comment line
     * {@code \* expect: Name}; the name is an invariant (safety) or a property (liveness).
     */
    public String expectedViolation() throws IOException {
        Pattern p = Pattern.compile("^\\\\\\*\\s*expect:\\s*(\\S+)\\s*$");
        for (String line : Files.readAllLines(folder.resolve(config), StandardCharsets.UTF_8)) {
            Matcher m = p.matcher(line.trim());
            if (m.matches()) {
                return m.group(1);
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return module + " " + config + " (" + expect + ", " + size + ")";
    }
}
