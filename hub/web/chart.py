"""A stacked bar chart as inline SVG, built on the server (no script, no chart library).

Pure: data in, markup out. Every text is escaped; colours and sizes come from constants,
and bars are drawn with presentation attributes (no inline style, which the CSP forbids).
"""

from __future__ import annotations

from html import escape

COLOURS = {"released": "#2e7d32", "rejected": "#c62828", "withdrawn": "#757575", "pending": "#f9a825"}
WIDTH, HEIGHT, LEFT, BOTTOM, TOP = 640, 240, 36, 44, 12


def stacked_bars(series: list[tuple[str, dict[str, int]]], keys: tuple[str, ...], *, title: str) -> str:
    """SVG markup: one bar per (label, counts), stacked in the order of `keys`, with a legend."""
    top_value = max([sum(c.values()) for _, c in series] + [1])
    plot_h = HEIGHT - BOTTOM - TOP
    slot = (WIDTH - LEFT - 8) / max(len(series), 1)
    bar_w = max(min(slot * 0.7, 48), 4)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT + 24}" role="img" aria-label="{escape(title)}" class="chart">',
        f"<title>{escape(title)}</title>",
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{WIDTH - 4}" y2="{TOP + plot_h}" stroke="#555"/>',
    ]
    for tick in sorted({0, top_value // 2, top_value}):
        y = TOP + plot_h - plot_h * tick / top_value
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="11">{tick}</text>')
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{WIDTH - 4}" y2="{y:.1f}" stroke="#ddd"/>')
    for i, (label, counts) in enumerate(series):
        x = LEFT + slot * i + (slot - bar_w) / 2
        y = TOP + plot_h
        for key in keys:
            value = counts.get(key, 0)
            if not value:
                continue
            h = plot_h * value / top_value
            y -= h
            parts.append(
                f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar_w:.1f}" height="{h:.1f}" fill="{COLOURS.get(key, "#1565c0")}">'
                f"<title>{escape(label)}: {value} {escape(key)}</title></rect>"
            )
        parts.append(f'<text x="{x + bar_w / 2:.1f}" y="{TOP + plot_h + 14}" text-anchor="middle" font-size="10">{escape(label[5:])}</text>')
    legend_x = LEFT
    for key in keys:
        parts.append(f'<rect x="{legend_x}" y="{HEIGHT + 4}" width="12" height="12" fill="{COLOURS.get(key, "#1565c0")}"/>')
        parts.append(f'<text x="{legend_x + 16}" y="{HEIGHT + 14}" font-size="12">{escape(key)}</text>')
        legend_x += 100
    parts.append("</svg>")
    return "".join(parts)
