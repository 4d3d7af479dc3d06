package jslub.stress.catcher;

/**
 * What a check found: {@code null} problem = it passed. {@code seconds} is the wall time from the
 * check's start to the detection (or to its end when it passed).
 */
record Verdict(String check, String problem, double seconds) {
  boolean caught() {
    return problem != null;
  }
}
