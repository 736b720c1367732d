"""Geometry for the server-rendered SVG charts (the templates draw them): no JavaScript, no
inline styles, readable by screen readers through ``<title>``/``<desc>`` and the table beside."""

from __future__ import annotations

from dataclasses import dataclass

from core.stats.aggregate import Count

# Sized for a 360 px phone, where the chart is drawn at about its own scale: the label sits on its
# own line above each bar (never clipped at the left), text is 16 units (~15 px on a phone).
BAR_HEIGHT = 18
LABEL_HEIGHT = 22
BAR_GAP = 12
ROW = LABEL_HEIGHT + BAR_HEIGHT + BAR_GAP
PLOT_WIDTH = 290
CHART_WIDTH = 360


@dataclass
class Bar:
    label: str
    count: int | None  # None: suppressed, drawn as an empty bar
    x: float
    y: float
    width: float
    height: float
    colour: str


@dataclass
class Chart:
    kind: str  # "bars": horizontal, each label above its bar
    width: int
    height: int
    bars: list[Bar]


def bars(counts: list[Count]) -> Chart:
    """One row per count: its label, then a bar as long as its share of the largest count."""
    top = max((c.count or 0 for c in counts), default=0) or 1
    drawn = []
    for i, c in enumerate(counts):
        y = i * ROW + LABEL_HEIGHT
        drawn.append(Bar(c.label, c.count, 0, y, round(PLOT_WIDTH * (c.count or 0) / top, 1),
                         BAR_HEIGHT, c.colour))
    height = max(len(counts) * ROW, ROW)
    return Chart("bars", CHART_WIDTH, height, drawn)
