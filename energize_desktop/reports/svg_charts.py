"""Small, honest SVG charts for reports (no Qt, no plotting library): bars, lines, a carpet plot.
A missing value is left out (a gap in the line, no bar), never drawn as zero. Axes carry units.
Text is XML-escaped: meter names come from users."""

from __future__ import annotations

from html import escape

import numpy as np

W, H = 640, 260
LEFT, RIGHT, TOP, BOTTOM = 62, 16, 14, 46
COLOURS = ("#1f6fb2", "#c0392b", "#27ae60", "#8e44ad", "#d35400", "#16a085")
FONT = 'font-family="DejaVu Sans, sans-serif"'


def _frame(body: list[str], y_unit: str, y_max: float, x_label: str = "") -> str:
    ticks = []
    for i in range(5):
        v = y_max * i / 4
        y = TOP + (H - TOP - BOTTOM) * (1 - i / 4)
        ticks.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'stroke="#ddd" stroke-width="0.6"/>'
                     f'<text x="{LEFT - 5}" y="{y + 3:.1f}" font-size="9" text-anchor="end" '
                     f'{FONT}>{_num(v)}</text>')
    axis = (f'<text x="12" y="{TOP + (H - TOP - BOTTOM) / 2:.0f}" font-size="10" {FONT} '
            f'transform="rotate(-90 12 {TOP + (H - TOP - BOTTOM) / 2:.0f})" '
            f'text-anchor="middle">{escape(y_unit)}</text>')
    xl = (f'<text x="{(LEFT + W - RIGHT) / 2:.0f}" y="{H - 4}" font-size="10" {FONT} '
          f'text-anchor="middle">{escape(x_label)}</text>') if x_label else ""
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{W}" height="{H}" '
            f'viewBox="0 0 {W} {H}"><rect width="{W}" height="{H}" fill="white"/>'
            + "".join(ticks) + axis + xl + "".join(body) + "</svg>")


def _num(v: float) -> str:
    return f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.1f}" if abs(v) >= 1 else f"{v:.2f}"


def _nice_max(values) -> float:
    finite = [v for v in values if v == v]
    top = max(finite, default=1.0) or 1.0
    step = 10 ** np.floor(np.log10(top))
    return float(np.ceil(top / step * 1.05) * step)


def bars(labels: list[str], values: list[float], unit: str, x_label: str = "") -> str:
    y_max = _nice_max(values)
    n = max(len(values), 1)
    slot = (W - LEFT - RIGHT) / n
    body = []
    for i, (label, v) in enumerate(zip(labels, values)):
        x = LEFT + i * slot + slot * 0.15
        if v == v:  # no bar for a month without data
            h = (H - TOP - BOTTOM) * v / y_max
            body.append(f'<rect x="{x:.1f}" y="{H - BOTTOM - h:.1f}" width="{slot * 0.7:.1f}" '
                        f'height="{h:.1f}" fill="{COLOURS[0]}"/>')
        body.append(f'<text x="{x + slot * 0.35:.1f}" y="{H - BOTTOM + 12}" font-size="8" '
                    f'text-anchor="middle" {FONT}>{escape(label)}</text>')
    return _frame(body, unit, y_max, x_label)


def lines(series: dict[str, list[float]], x: list[float], unit: str, x_label: str,
          x_ticks: list[tuple[float, str]] | None = None) -> str:
    all_values = [v for vs in series.values() for v in vs]
    y_max = _nice_max(all_values)
    if not x or not any(v == v for v in all_values):  # an empty chart says so, not nonsense
        return _frame([f'<text x="{W / 2:.0f}" y="{H / 2:.0f}" font-size="11" '
                       f'text-anchor="middle" {FONT}>no data for this period</text>'],
                      unit, y_max, x_label)
    x0, x1 = min(x), max(x) if len(x) > 1 else min(x) + 1
    body = []
    for i, (name, values) in enumerate(series.items()):
        colour = COLOURS[i % len(COLOURS)]
        body += _polyline(x, values, x0, x1, y_max, colour)
        body.append(f'<text x="{LEFT + 8}" y="{TOP + 12 + 12 * i}" font-size="9" {FONT} '
                    f'fill="{colour}">— {escape(name)}</text>')
    for value, label in x_ticks or []:
        px = LEFT + (W - LEFT - RIGHT) * (value - x0) / (x1 - x0 or 1)
        body.append(f'<text x="{px:.1f}" y="{H - BOTTOM + 12}" font-size="8" '
                    f'text-anchor="middle" {FONT}>{escape(label)}</text>')
    return _frame(body, unit, y_max, x_label)


def _polyline(x, values, x0, x1, y_max, colour) -> list[str]:
    out, run = [], []
    for xi, v in zip(x, values):
        if v != v:  # a gap ends the line
            if len(run) > 1:
                out.append(run)
            run = []
            continue
        px = LEFT + (W - LEFT - RIGHT) * (xi - x0) / (x1 - x0 or 1)
        py = TOP + (H - TOP - BOTTOM) * (1 - max(v, 0) / y_max)
        run.append(f"{px:.1f},{py:.1f}")
    if len(run) > 1:
        out.append(run)
    return [f'<polyline points="{" ".join(r)}" fill="none" stroke="{colour}" '
            f'stroke-width="1.2"/>' for r in out]


def date_ticks(x_s: list[float], tz: str, most: int = 12) -> list[tuple[float, str]]:
    """Ticks at the first of each local month in the span of `x_s` (seconds), thinned to at
    most `most` ("Jan 2025" on the first and on each January, "Feb" otherwise); days when
    the span is shorter than two months."""
    from datetime import datetime, timedelta
    from zoneinfo import ZoneInfo

    if not len(x_s):
        return []
    zone = ZoneInfo(tz)
    a, b = datetime.fromtimestamp(min(x_s), zone), datetime.fromtimestamp(max(x_s), zone)
    if (b - a).days < 60:
        step = max(1, (b - a).days // 8 or 1)
        days = [a.replace(hour=0, minute=0, second=0, microsecond=0) + timedelta(days=i)
                for i in range(1, (b - a).days + 1, step)]
        return [(d.timestamp(), f"{d:%d %b}") for d in days]
    months, m = [], a.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    while m <= b:
        if m >= a:
            months.append(m)
        m = (m + timedelta(days=32)).replace(day=1)
    keep = months[::max(1, -(-len(months) // most))]
    return [(d.timestamp(), f"{d:%b %Y}" if i == 0 or d.month == 1 else f"{d:%b}")
            for i, d in enumerate(keep)]


def carpet(matrix: np.ndarray, unit: str, x_ticks: list[tuple[float, str]] | None = None
           ) -> str:
    """Days across, hours up; NaN cells left blank. Colour from light to dark blue.
    `x_ticks`: (day index, label) pairs under the columns."""
    days = matrix.shape[0]
    finite = matrix[np.isfinite(matrix)]
    if not finite.size:
        return _frame([], unit, 1.0)
    lo, hi = np.percentile(finite, 1), np.percentile(finite, 99)
    cw = (W - LEFT - RIGHT) / max(days, 1)
    ch = (H - TOP - BOTTOM) / 24
    body = []
    for d in range(days):
        for h in range(24):
            v = matrix[d, h]
            if not np.isfinite(v):
                continue
            t = float(np.clip((v - lo) / (hi - lo or 1), 0, 1))
            colour = f"rgb({int(235 - 200 * t)},{int(242 - 170 * t)},{int(250 - 110 * t)})"
            body.append(f'<rect x="{LEFT + d * cw:.2f}" y="{TOP + (23 - h) * ch:.2f}" '
                        f'width="{cw + 0.3:.2f}" height="{ch + 0.3:.2f}" fill="{colour}"/>')
    body.append(f'<text x="{W - RIGHT}" y="{TOP - 3}" font-size="9" text-anchor="end" {FONT}>'
                f'light {_num(lo)} → dark {_num(hi)} {escape(unit)}</text>')
    for day, label in [(d, t) for d, t in x_ticks or [] if 0 <= d < days - 10]:
        body.append(f'<text x="{LEFT + day * cw:.1f}" y="{H - BOTTOM + 12}" font-size="8" '
                    f'text-anchor="middle" {FONT}>{escape(label)}</text>')
    svg = _frame(body, "hour of day", 24, "local date" if x_ticks else "day of the period")
    return svg.replace(">0.0<", ">0<")
