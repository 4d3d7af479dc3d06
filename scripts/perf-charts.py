#!/usr/bin/env python3
"""Turns bench/ results into SVG charts (no third-party packages: plain SVG text).

  python3 scripts/perf-charts.py --jmh pairs.json [more.json ...] [--cross cross.json]
                                 [--waste waste.json] --out docs/perf

--jmh    JMH JSON (-rf json): rows without @Param become the pair-cost chart, SizeSweep rows the
         size-sweep chart.
--cross  CrossThreadRounds JSON: median per allocator with min-max whiskers.
--waste  WasteTable JSON: loss per kmalloc class against the 12.5 % target.
"""
import argparse
import html
import json
import math
import os

W, H = 760, 420
ML, MR, MT, MB = 230, 30, 50, 50
COLOURS = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2"]


def svg(title, body, w=W, h=H):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" '
            f'font-family="sans-serif" font-size="12">\n'
            f'<rect width="{w}" height="{h}" fill="white"/>\n'
            f'<text x="{w / 2}" y="24" text-anchor="middle" font-size="15">'
            f'{html.escape(title)}</text>\n{body}</svg>\n')


def hbars(title, rows, unit, target=None, log=False):
    """rows: (label, value, low, high); low/high may be None. target: (value, label) line.
    log: a log10 axis (pair costs span 3 ns to 1 us)."""
    n = max(len(rows), 1)
    h = MT + MB + 26 * n
    vmax = max([r[3] if r[3] is not None else r[1] for r in rows] + [target[0] if target else 0])
    vmax = vmax * 1.1 or 1
    plot_w = W - ML - MR - 40
    if log:
        vmin = min(v for r in rows for v in (r[1], r[2]) if v is not None and v > 0) / 2
        x = lambda v: ML + plot_w * math.log10(max(v, vmin) / vmin) / math.log10(vmax / vmin)
        unit += " (log scale)"
    else:
        x = lambda v: ML + plot_w * v / vmax
    out = []
    for i, (label, v, lo, hi) in enumerate(rows):
        y = MT + 26 * i
        out.append(f'<text x="{ML - 6}" y="{y + 15}" text-anchor="end">{html.escape(label)}</text>')
        out.append(f'<rect x="{ML}" y="{y + 3}" width="{x(v) - ML:.1f}" height="18" '
                   f'fill="{COLOURS[0]}"/>')
        if lo is not None and hi is not None:
            out.append(f'<line x1="{x(lo):.1f}" x2="{x(hi):.1f}" y1="{y + 12}" y2="{y + 12}" '
                       f'stroke="black"/>')
        out.append(f'<text x="{x(hi if hi is not None else v) + 4:.1f}" y="{y + 16}">'
                   f'{v:.1f}</text>')
    if target:
        out.append(f'<line x1="{x(target[0]):.1f}" x2="{x(target[0]):.1f}" y1="{MT}" '
                   f'y2="{h - MB}" stroke="{COLOURS[1]}" stroke-dasharray="4 3"/>')
        out.append(f'<text x="{x(target[0]) + 3:.1f}" y="{MT - 6}" fill="{COLOURS[1]}">'
                   f'{html.escape(target[1])}</text>')
    out.append(f'<text x="{ML + plot_w / 2}" y="{h - 15}" text-anchor="middle">'
               f'{html.escape(unit)}</text>')
    return svg(title, "\n".join(out), h=h)


def lines(title, series, xlabel, ylabel):
    """series: {name: [(x, y), ...]}; x on a log2 axis."""
    xs = [p[0] for s in series.values() for p in s]
    ys = [p[1] for s in series.values() for p in s]
    if not xs:
        return svg(title, "")
    lx0, lx1 = math.log2(min(xs)), math.log2(max(xs))
    ymax = max(ys) * 1.1
    ml = 70
    pw, ph = W - ml - MR - 140, H - MT - MB
    X = lambda v: ml + pw * (math.log2(v) - lx0) / ((lx1 - lx0) or 1)
    Y = lambda v: MT + ph * (1 - v / ymax)
    out = [f'<line x1="{ml}" y1="{MT + ph}" x2="{ml + pw}" y2="{MT + ph}" stroke="black"/>',
           f'<line x1="{ml}" y1="{MT}" x2="{ml}" y2="{MT + ph}" stroke="black"/>']
    for v in sorted(set(xs)):
        out.append(f'<text x="{X(v):.1f}" y="{MT + ph + 16}" text-anchor="middle">{v:g}</text>')
    for k in range(5):
        v = ymax * k / 4
        out.append(f'<text x="{ml - 6}" y="{Y(v) + 4:.1f}" text-anchor="end">{v:.0f}</text>')
    for i, (name, pts) in enumerate(series.items()):
        c = COLOURS[i % len(COLOURS)]
        pts = sorted(pts)
        d = " ".join(f"{X(a):.1f},{Y(b):.1f}" for a, b in pts)
        out.append(f'<polyline points="{d}" fill="none" stroke="{c}" stroke-width="2"/>')
        out.append(f'<text x="{ml + pw + 10}" y="{MT + 16 * i + 10}" fill="{c}">'
                   f'{html.escape(name)}</text>')
    out.append(f'<text x="{ml + pw / 2}" y="{H - 12}" text-anchor="middle">'
               f'{html.escape(xlabel)}</text>')
    out.append(f'<text x="14" y="{MT + ph / 2}" transform="rotate(-90 14 {MT + ph / 2})" '
               f'text-anchor="middle">{html.escape(ylabel)}</text>')
    return svg(title, "\n".join(out))


def short(bench):
    return bench.replace("jslub.bench.", "")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--jmh", nargs="*", default=[])
    ap.add_argument("--cross")
    ap.add_argument("--waste")
    ap.add_argument("--out", required=True)
    a = ap.parse_args()
    os.makedirs(a.out, exist_ok=True)
    pairs, sweep = [], {}
    for f in a.jmh:
        for r in json.load(open(f)):
            m = r["primaryMetric"]
            score = m["score"]
            ci = m.get("scoreConfidence") or [None, None]
            ci = [c if isinstance(c, (int, float)) and not math.isnan(c) else None for c in ci]
            if r.get("params"):
                size = int(r["params"].get("size", 0))
                sweep.setdefault(short(r["benchmark"]).split(".")[-1], []).append((size, score))
            else:
                pairs.append((short(r["benchmark"]), score, ci[0], ci[1]))
    written = []
    if pairs:
        pairs.sort(key=lambda p: p[1])
        floor = next((p[1] for p in pairs if p[0] == "Floors.twoCas"), None)
        t = (1.5 * floor, "1.5 x two-CAS floor") if floor else None
        path = os.path.join(a.out, "pairs.svg")
        open(path, "w").write(hbars("alloc+free pair, 64 B (JMH, 99.9 % CI)", pairs, "ns per pair", t,
                                     log=True))
        written.append(path)
    if sweep:
        path = os.path.join(a.out, "size-sweep.svg")
        open(path, "w").write(lines("alloc+free pair by size", sweep, "bytes", "ns per pair"))
        written.append(path)
    if a.cross:
        c = json.load(open(a.cross))
        rows = [(k, v["median"], v["min"], v["max"]) for k, v in c.items()]
        path = os.path.join(a.out, "cross-thread.svg")
        open(path, "w").write(hbars("cross-thread producer/consumer (median, min-max over rounds)",
                                    rows, "ns per object handed over", log=True))
        written.append(path)
    if a.waste:
        w = json.load(open(a.waste))
        rows = [(r["name"], r["lossPercent"], None, None) for r in w]
        path = os.path.join(a.out, "waste.svg")
        open(path, "w").write(hbars("loss per kmalloc class (slab bytes - objects x size)", rows,
                                    "% of the slab", (12.5, "12.5 % target")))
        written.append(path)
    for p in written:
        print("wrote", p)


if __name__ == "__main__":
    main()
