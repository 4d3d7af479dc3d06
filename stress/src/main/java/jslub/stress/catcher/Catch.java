package jslub.stress.catcher;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.DoubleFunction;
import jslub.slab.Bugs;

/**
 * {@code stress/catch ID}: runs the check best placed to catch bug {@code ID} in this JVM (started
 * with {@code -Djslub.bugs=ID}) and reports which check caught it and after how long; exit 0 when
 * caught, 1 when not. {@code none}: runs every check on the correct code; exit 0 only if all pass.
 */
public final class Catch {
  /** The checks, by name: each runs for at most the given seconds and returns its verdict. */
  private static final Map<String, DoubleFunction<Verdict>> CHECKS = new LinkedHashMap<>();

  static {
    // Two threads sharing one CPU: a fast path stalls between its word read and its CAS while
    // the other allocates and frees (the ABA NO_TID and TID_WRAP need).
    check(new OwnershipStress.Config("ownership/shared-cpu", 2, 1, 4096, 32, 8, false, false, 0,
        500, false, false));
    // Remote frees into tiny slabs: __slab_free races get_freelist, acquire_slab, put_cpu_partial
    // and the discard of emptied slabs.
    check(new OwnershipStress.Config("ownership/remote-small", 4, 2, 64, 8, 32, true, false, 0,
        300, false, false));
    // Everything at once: remote frees, bulk alloc/free, migrations.
    check(new OwnershipStress.Config("ownership/mixed", 4, 2, 256, 16, 64, true, true, 64, 400,
        false, false));
    // Burst fill and drain of many small slabs on two CPUs with remote frees: last frees of
    // node-partial slabs meet get_partial_node / acquire_slab (DISCARD_RACE's window).
    check(new OwnershipStress.Config("ownership/partial-churn", 4, 2, 64, 8, 256, true, false, 0,
        400, true, false));
    // The same churn on the Linux 6.8+ protocol (delayed freezing): CPU partial slabs stay
    // unfrozen off the node list, and the last frees of their objects meet __slab_free's
    // prior && !on_node_partial return (NO_LIST_RECHECK's window).
    check(new OwnershipStress.Config("ownership/delayed-churn", 4, 2, 64, 8, 256, true, false, 0,
        400, true, true));
    check(new OwnershipStress.Config("ownership/delayed-remote", 4, 2, 64, 8, 32, true, false, 0,
        300, false, true));
    CHECKS.put("tid-commits", s -> new TidCommitsWatch().run(s));
  }

  /** Bug id → the checks that catch it, best first. */
  private static final Map<String, List<String>> PLAN = Map.of(
      "NO_TID", List.of("ownership/shared-cpu"),
      "TID_WRAP", List.of("ownership/shared-cpu"),
      "SPLIT_CAS", List.of("ownership/remote-small", "ownership/mixed"),
      "FREEZE_MISSING", List.of("ownership/remote-small", "ownership/mixed"),
      "DISCARD_RACE", List.of("ownership/partial-churn", "ownership/mixed"),
      "BULK_NO_TID_BUMP", List.of("tid-commits"),
      "NO_LIST_RECHECK", List.of("ownership/delayed-churn", "ownership/delayed-remote"));

  /** Seconds per check: a bug's budget is shared by its checks; none gives each this much. */
  private static final double BUG_BUDGET = 150;
  private static final double NONE_PER_CHECK = 10;

  private Catch() {}

  private static void check(OwnershipStress.Config c) {
    CHECKS.put(c.name(), s -> new OwnershipStress(c).run(s));
  }

  public static void main(String[] args) {
    if (args.length != 1) {
      System.err.println("usage: catch ID|none   (ids: " + String.join(" ", PLAN.keySet()) + ")");
      System.exit(2);
    }
    String id = args[0];
    if (id.equals("none")) {
      if (!Bugs.active().equals("none")) {
        System.err.println("catch none: run without -Djslub.bugs (got " + Bugs.active() + ")");
        System.exit(2);
      }
      System.exit(none() ? 0 : 1);
    }
    List<String> plan = PLAN.get(id);
    if (plan == null) {
      System.err.println("catch: no check for '" + id + "' (ids: "
          + String.join(" ", PLAN.keySet()) + ")");
      System.exit(2);
    }
    if (!Bugs.active().equals(id)) {
      System.err.println("catch " + id + ": the JVM must run with -Djslub.bugs=" + id);
      System.exit(2);
    }
    double left = BUG_BUDGET;
    double total = 0;
    for (int i = 0; i < plan.size() && left > 1; i++) {
      double budget = left / (plan.size() - i);
      Verdict v = CHECKS.get(plan.get(i)).apply(budget);
      total += v.seconds();
      left -= v.seconds();
      if (v.caught()) {
        System.out.printf("catch %s: CAUGHT by %s after %.2f s (%.2f s in all): %s%n", id,
            v.check(), v.seconds(), total, v.problem());
        System.exit(0);
      }
      System.out.printf("catch %s: %s found nothing in %.1f s%n", id, v.check(), v.seconds());
    }
    System.out.printf("catch %s: NOT caught in %.1f s%n", id, total);
    System.exit(1);
  }

  private static boolean none() {
    boolean ok = true;
    for (Map.Entry<String, DoubleFunction<Verdict>> e : CHECKS.entrySet()) {
      Verdict v = e.getValue().apply(NONE_PER_CHECK);
      if (v.caught()) {
        ok = false;
        System.out.printf("catch none: %s FAILED on the correct code after %.2f s: %s%n",
            v.check(), v.seconds(), v.problem());
      } else {
        System.out.printf("catch none: %s passed (%.1f s)%n", v.check(), v.seconds());
      }
    }
    return ok;
  }
}
