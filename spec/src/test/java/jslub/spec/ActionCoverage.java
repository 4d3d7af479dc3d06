package jslub.spec;

import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * TLC's action coverage ({@code -coverage}), summed over runs: for each action of a module, the
 * distinct states it produced. An action that never produces a new state in any small config is
 * one whose code path the small suite never exercises, so its mistakes would go unseen; the
 * suite fails on such an action instead of trusting it.
 */
public final class ActionCoverage {

    /** TLC 2.18 prints one line per action: {@code <Name line L, col C to ... of module M>: distinct:total}. */
    private static final Pattern LINE = Pattern.compile(
            "^<(\\w+) line \\d+, col \\d+ to line \\d+, col \\d+ of module (\\w+)>: (\\d+):(\\d+)\\s*$");

    /** "Module.Action" → distinct states produced, summed over the runs added. */
    private final Map<String, Long> distinct = new TreeMap<>();
    /** "Module.Action" → the configs in which it produced a new state. */
    private final Map<String, java.util.Set<String>> where = new TreeMap<>();

    /** Adds the coverage lines of one TLC run's output; returns how many actions it listed. */
    public synchronized int add(String config, String tlcOutput) {
        int n = 0;
        for (String line : tlcOutput.split("\n")) {
            Matcher m = LINE.matcher(line);
            if (!m.matches() || m.group(1).equals("Init")) {
                continue;
            }
            String key = m.group(2) + "." + m.group(1);
            long d = Long.parseLong(m.group(3));
            distinct.merge(key, d, Long::sum);
            where.computeIfAbsent(key, k -> new java.util.TreeSet<>());
            if (d > 0) {
                where.get(key).add(config);
            }
            n++;
        }
        return n;
    }

    /**
     * Actions that by design reach only states other actions reach first, with the reason. Each
     * still fires (TLC counts its steps) and is bound to Java by trace validation.
     * <ul>
     *   <li>{@code Terminated}: a bounded run's final step keeps every variable, so TLC's
     *       deadlock check stays on;
     *   <li>{@code GetPartialNone}: get_partial_node locking an empty node list (the lockless
     *       peek saw it non-empty, then another thread took the last slab). Lock, find nothing,
     *       unlock changes no variable that the peek's own exit (GetPartialPeekEmpty) does not
     *       change in the same way, so breadth-first search always meets the resulting state
     *       through the peek first. Java takes this path (trace-check records it), so the model
     *       keeps it for trace validation.
     * </ul>
     */
    public static final java.util.Set<String> STUTTER = java.util.Set.of("Terminated", "GetPartialNone");

    /** Actions of {@code module} that produced no new state in any run added. */
    public synchronized java.util.List<String> unreached(String module) {
        return distinct.entrySet().stream()
                .filter(e -> e.getKey().startsWith(module + ".") && e.getValue() == 0)
                .filter(e -> !STUTTER.contains(e.getKey().substring(module.length() + 1)))
                .map(Map.Entry::getKey).toList();
    }

    /** One line per action: distinct states and the configs that reached it. */
    public synchronized String table() {
        StringBuilder sb = new StringBuilder();
        distinct.forEach((k, v) -> sb.append(String.format("%-40s %10d  %s%n", k, v,
                String.join(",", where.getOrDefault(k, java.util.Set.of())))));
        return sb.toString();
    }

    public synchronized boolean isEmpty() {
        return distinct.isEmpty();
    }
}
