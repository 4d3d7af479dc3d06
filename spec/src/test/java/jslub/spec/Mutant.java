package jslub.spec;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A named mutant of Slub.tla: a small, plausible wrong protocol, written as exact find/replace
 * edits. File format (spec/mutants/NAME.mutant):
 *
 * <pre>
 * name: NAME
 * kind: the class of mistake (a missing compare in a CAS, a lock taken late, ...)
 * what: the wrong protocol in one sentence
 * suite: safety | liveness      (which small configs must kill it)
 * equivalent: why no run can tell it from the model (an equivalent mutant)
 * survivor: why the small suite cannot kill it although it is wrong (a known gap)
 * killed-by: the config that kills it (tried first; the only one run in quick mode)
 * &#64;&#64; find
 * text that occurs exactly once in Slub.tla
 * &#64;&#64; replace
 * its replacement
 * &#64;&#64; end
 * </pre>
 */
public record Mutant(String name, String kind, String what, String suite, String equivalent,
                     String survivor, String killedBy, List<String[]> edits) {

    public static Mutant read(Path file) throws IOException {
        List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        String name = null, kind = null, what = null, suite = "safety", equivalent = null;
        String survivor = null, killedBy = null;
        List<String[]> edits = new ArrayList<>();
        StringBuilder find = null, replace = null, cur = null;
        for (String line : lines) {
            if (line.equals("@@ find") || line.equals("@@ end")) {
                if (find != null) {
                    edits.add(new String[] {chop(find), chop(replace)});
                }
                find = line.equals("@@ find") ? new StringBuilder() : null;
                replace = null;
                cur = find;
            } else if (line.equals("@@ replace")) {
                replace = new StringBuilder();
                cur = replace;
            } else if (cur != null) {
                cur.append(line).append('\n');
            } else if (line.startsWith("name: ")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("kind: ")) {
                kind = line.substring(6).trim();
            } else if (line.startsWith("what: ")) {
                what = line.substring(6).trim();
            } else if (line.startsWith("suite: ")) {
                suite = line.substring(7).trim();
            } else if (line.startsWith("equivalent: ")) {
                equivalent = line.substring(12).trim();
            } else if (line.startsWith("survivor: ")) {
                survivor = line.substring(10).trim();
            } else if (line.startsWith("killed-by: ")) {
                killedBy = line.substring(11).trim();
            }
        }
        if (name == null || kind == null || what == null || edits.isEmpty()
                || !List.of("safety", "liveness").contains(suite)) {
            throw new IllegalArgumentException(file + ": needs name, kind, what, a valid suite and an edit");
        }
        if ((equivalent != null || survivor != null) && killedBy != null) {
            throw new IllegalArgumentException(file + ": a mutant is killed, equivalent or a survivor, not two of these");
        }
        return new Mutant(name, kind, what, suite, equivalent, survivor, killedBy, edits);
    }

    private static String chop(StringBuilder sb) {
        if (sb == null) {
            throw new IllegalArgumentException("an edit needs both @@ find and @@ replace");
        }
        String s = sb.toString();
        return s.endsWith("\n") ? s.substring(0, s.length() - 1) : s;
    }

    /** Applies every edit; each find text must occur exactly once, or the mutant is stale. */
    public String apply(String model) {
        String out = model;
        for (String[] e : edits) {
            int at = out.indexOf(e[0]);
            if (at < 0 || out.indexOf(e[0], at + 1) >= 0) {
                throw new IllegalStateException("mutant " + name + " no longer applies: its find text occurs "
                        + (at < 0 ? "nowhere" : "more than once") + " in Slub.tla:\n" + e[0]);
            }
            out = out.substring(0, at) + e[1] + out.substring(at + e[0].length());
        }
        return out;
    }

    /** Explained as not killable by the small suite (equivalent or a known gap). */
    public boolean explained() {
        return equivalent != null || survivor != null;
    }

    @Override
    public String toString() {
        return name;
    }
}
