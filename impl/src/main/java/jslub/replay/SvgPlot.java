package jslub.replay;

import java.util.List;
import java.util.Locale;

/**
 * Draws a replay's live bytes and frame bytes over the trace as a small standalone SVG: two
 * polylines, axes with a few ticks, a legend. Written by hand, so no plotting library is needed.
 */
public final class SvgPlot {
  private static final int W = 900;
  private static final int H = 420;
  private static final int L = 80;
  private static final int R = 20;
  private static final int T = 40;
  private static final int B = 50;

  private SvgPlot() {}

  /** The SVG document for {@code r}. */
  public static String render(Replayer.Result r) {
    List<Replayer.Sample> s = r.samples();
    long maxY = 1;
    for (Replayer.Sample p : s) {
      maxY = Math.max(maxY, Math.max(p.liveBytes(), p.frameBytes()));
    }
    int maxX = Math.max(1, r.events());
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" font-family=\"sans-serif\" font-size=\"12\">%n", W, H));
    sb.append("<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n");
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"22\" font-size=\"14\">jslub replay"
        + " of %s: live bytes and frames in use</text>%n", L, escape(r.name())));
    int x0 = L;
    int y0 = H - B;
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"black\"/>%n", x0, y0, W - R, y0));
    sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"black\"/>%n", x0, y0, x0, T));
    for (int k = 0; k <= 4; k++) {
      double fy = k / 4.0;
      int y = (int) Math.round(y0 - fy * (y0 - T));
      sb.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
          + " stroke=\"#ddd\"/>%n", x0, y, W - R, y));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">%s</text>%n",
          x0 - 6, y + 4, bytes((long) (fy * maxY))));
      int x = (int) Math.round(x0 + fy * (W - R - x0));
      sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%d</text>%n",
          x, y0 + 18, (long) (fy * maxX)));
    }
    sb.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">event"
        + "</text>%n", (x0 + W - R) / 2, H - 12));
    line(sb, s, true, maxX, maxY, "#c0392b");
    line(sb, s, false, maxX, maxY, "#2471a3");
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\""
        + " fill=\"#c0392b\"/><text x=\"%d\" y=\"%d\">frames in use × frame size (peak %s)</text>%n",
        x0 + 10, T + 4, x0 + 28, T + 10, bytes(r.peakFrames() * r.frameSize())));
    sb.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"12\" height=\"4\""
        + " fill=\"#2471a3\"/><text x=\"%d\" y=\"%d\">live bytes requested (peak %s)</text>%n",
        x0 + 10, T + 22, x0 + 28, T + 28, bytes(r.peakLive())));
    sb.append("</svg>\n");
    return sb.toString();
  }

  private static void line(StringBuilder sb, List<Replayer.Sample> s, boolean frames, int maxX,
      long maxY, String colour) {
    sb.append("<polyline fill=\"none\" stroke-width=\"1.5\" stroke=\"").append(colour)
        .append("\" points=\"");
    for (Replayer.Sample p : s) {
      double x = L + (double) p.event() / maxX * (W - R - L);
      double v = frames ? p.frameBytes() : p.liveBytes();
      double y = (H - B) - v / maxY * (H - B - T);
      sb.append(String.format(Locale.ROOT, "%.1f,%.1f ", x, y));
    }
    sb.append("\"/>\n");
  }

  /** 1.5M, 320K, 12 (binary units, like slabinfo). */
  static String bytes(long v) {
    if (v >= 1L << 30) {
      return String.format(Locale.ROOT, "%.1fG", v / (double) (1L << 30));
    }
    if (v >= 1L << 20) {
      return String.format(Locale.ROOT, "%.1fM", v / (double) (1L << 20));
    }
    if (v >= 1L << 10) {
      return String.format(Locale.ROOT, "%.1fK", v / 1024.0);
    }
    return Long.toString(v);
  }

  private static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;");
  }
}
