package jslub.replay;

/** A trace line that its format cannot parse. */
public final class TraceFormatException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public TraceFormatException(String file, long line, String text, String why) {
    super(file + ":" + line + ": " + why + ": " + text);
  }
}
